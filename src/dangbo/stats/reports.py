"""The indicator report as tables (PDF, XLSX) and the words and numbers the pages print."""

from __future__ import annotations

from dangbo.core.formats import format_number, format_percent
from dangbo.documents.tables import Table, TableDoc
from dangbo.stats.frames import Frame
from dangbo.stats.indicators import (
    BREAKDOWNS,
    INDICATORS,
    PERCENT,
    STATUS_LABELS,
    UNIT_LABELS,
    Context,
    Result,
    evaluate_all,
)


def value_text(result: Result) -> str:
    value = result.value.value
    if value is None:
        return "—"
    if result.indicator.unit == PERCENT:
        return format_percent(value)
    return format_number(value)


def target_text(result: Result) -> str:
    target = result.target
    if target is None:
        return ""
    unit = result.indicator.unit
    shown = format_percent(target.value, 0) if unit == PERCENT else format_number(target.value)
    if target.high is not None:
        high = format_percent(target.high, 0) if unit == PERCENT else format_number(target.high)
        return f"{shown.replace(' %', '')}–{high}"
    return {"at_least": "≥ ", "above": "> "}.get(target.direction, "≤ ") + shown


def fraction_text(result: Result) -> str:
    v = result.value
    if v.denominator is None:
        return ""
    return f"{format_number(v.numerator or 0)}/{format_number(v.denominator)}"


def frame_text(frame: Frame) -> str:
    return (
        f"{frame.root.name} — số liệu ngày {frame.as_of:%d/%m/%Y}; "
        f"biến động từ {frame.start:%d/%m/%Y} đến {frame.end:%d/%m/%Y}"
    )


def indicators_doc(ctx: Context) -> TableDoc:
    results = evaluate_all(ctx)
    main = Table(
        title="Các chỉ tiêu",
        header=["Mã", "Chỉ tiêu", "Giá trị", "Tử số/mẫu số", "Mục tiêu", "Năm", "Căn cứ", "Đánh giá"],
        rows=[
            [
                r.indicator.code,
                r.indicator.name,
                value_text(r),
                fraction_text(r),
                target_text(r),
                r.target.year if r.target else "",
                r.citation + ("" if r.confirmed else " (chưa xác nhận)"),
                STATUS_LABELS[r.status],
            ]
            for r in results
        ],
        widths=[28, 62, 18, 22, 16, 10, 78, 18],
    )
    definitions = Table(
        title="Cách tính các chỉ tiêu",
        header=["Mã", "Chỉ tiêu", "Tử số, mẫu số và ngày tính"],
        rows=[[r.indicator.code, r.indicator.name, r.indicator.definition] for r in results],
        widths=[28, 62, 162],
    )
    tables = [main, definitions]
    for breakdown in BREAKDOWNS:
        categories = breakdown.categories(ctx, ctx.root)
        total = sum(n for _, _, n in categories)
        tables.append(
            Table(
                title=breakdown.name,
                header=["Nhóm", "Số lượng", "Tỷ lệ"],
                rows=[[label, n, format_percent(n / total) if total else "—"] for _, label, n in categories],
                widths=[120, 40, 40],
            )
        )
    if ctx.children:
        keys = [i for i in INDICATORS if i.code in CHILD_COLUMNS]
        rows = []
        for child in ctx.children:
            child_results = {r.indicator.code: r for r in evaluate_all(ctx, child, keys)}
            rows.append([child.name] + [value_text(child_results[i.code]) for i in keys])
        tables.append(
            Table(title="Theo tổ chức trực thuộc", header=["Tổ chức"] + [i.name for i in keys], rows=rows)
        )
    return TableDoc(
        title="BÁO CÁO CHỈ TIÊU XÂY DỰNG TỔ CHỨC CƠ SỞ ĐẢNG VÀ ĐẢNG VIÊN",
        subtitle=frame_text(ctx.frame),
        tables=tables,
        footer="Số liệu tính từ quá trình sinh hoạt đảng (sổ sự kiện) và các phiên bản tổ chức theo ngày. "
        "Đơn vị: " + ", ".join(f"{v}" for v in UNIT_LABELS.values()) + ".",
    )


# The indicators shown per child organization in the children table and on the dashboard.
CHILD_COLUMNS = (
    "members.total",
    "members.women_share",
    "members.ethnic_minority_share",
    "orgs.grassroots",
    "hamlets.with_cell_share",
    "hamlets.head_member_share",
    "secretaries.theory_intermediate_share",
    "admissions.rate_year",
)
