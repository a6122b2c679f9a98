"""`dangbo ratings`: the annual review and quality rating of a year (issue 21) under an
organization — per member their form, the self-assessment, the cell's assessment, the band
decided (with its disqualifiers, decision number and date) or why they are not rated; per
organization its band and who rated it; per grassroots organization its «excellent» and «good»
against the cap (said «chưa xác nhận» while the rule version is unconfirmed) — as text, JSON
(totals equal to the sums of the rows) or an Excel file with typed cells.

    dangbo ratings --year YYYY [--org MÃ] [--period year|q1|q2|q3|q4|term]
                   [--format text|json|xlsx] [--output TỆP]
    dangbo ratings setting [--code MÃ --value SỐ --from YYYY-MM-DD --source "VĂN BẢN"]

``setting`` lists the committee's own values for what RULES.md leaves UNCONFIRMED (the cap on
«excellent», probationary members, the disqualifiers) and what applies this year; with
``--code`` it records one (``ratings.services.rating_setting_record``).

Without ``--org``, each top organization of the installation (the command acts as the
installation, audited). A province lists 500,000 members: rows are read in batches
(``ratings.listing``) and written as they come — JSON printed row by row, the workbook written
by xlsxwriter in constant memory — never all held at once. Exit status: 0 listed, 2 bad input
(an unknown code, a year out of range, a bad period or format, Excel without a file).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

from dangbo.core.setup import django_setup as _setup

FORMATS = ("text", "json", "xlsx")

MEMBER_HEADER = (
    "Mã chi bộ",
    "Chi bộ",
    "Họ và tên",
    "Mẫu",
    "Tự đánh giá (điểm)",
    "Tự xếp loại",
    "Chi bộ đánh giá (điểm)",
    "Chi bộ đề xuất",
    "Điểm",
    "Xếp loại",
    "Trường hợp không được xếp loại cao hơn",
    "Không xếp loại vì",
    "Số quyết định",
    "Ngày quyết định",
)
ORG_HEADER = (
    "Mã tổ chức",
    "Tổ chức đảng",
    "Tự đánh giá (điểm)",
    "Tự xếp loại",
    "Điểm",
    "Xếp loại",
    "Trường hợp không được xếp loại cao hơn",
    "Cấp xếp loại",
    "Số quyết định",
    "Ngày quyết định",
)
CAP_HEADER = (
    "Mã tổ chức",
    "Tổ chức cơ sở đảng",
    "Hoàn thành xuất sắc",
    "Hoàn thành tốt",
    "Tỷ lệ tối đa (%)",
    "Được tối đa",
    "Đạt giới hạn",
    "Căn cứ",
)


class BadInput(ValueError):
    """Input the command refuses, with its Vietnamese message."""


def _short(band: str) -> str:
    from dangbo.rules.ratings import Band

    return Band.SHORT.get(band, "")


def _day(iso: str | None) -> date | None:
    return date.fromisoformat(iso) if iso else None


def _vn_day(iso: str | None) -> str:
    day = _day(iso)
    return f"{day:%d/%m/%Y}" if day else ""


# --- input -----------------------------------------------------------------------------------


def _arguments(args: argparse.Namespace):
    """(year, period, roots) or BadInput; after django.setup()."""
    from dangbo.core import clock
    from dangbo.orgs.models import Org
    from dangbo.ratings.models import Period
    from dangbo.rules.ratings import FIRST_RECORDED_YEAR as FIRST_YEAR

    this_year = clock.today().year
    if args.format not in FORMATS:
        raise BadInput(f"Định dạng «{args.format}» không có: chọn text, json hoặc xlsx.")
    if args.year is None:
        raise BadInput("Cần --year NĂM, ví dụ --year 2025.")
    text = args.year.strip()
    if not (text.isdigit() and len(text) == 4):
        raise BadInput(f"Năm không hợp lệ: «{args.year}» (ghi bốn chữ số, ví dụ 2025).")
    year = int(text)
    if not FIRST_YEAR <= year <= this_year:
        raise BadInput(f"Năm {year} ngoài phạm vi: từ {FIRST_YEAR} đến {this_year}.")
    period = (args.period or "year").strip().lower()
    if period not in Period.values:
        raise BadInput(
            f"Kỳ đánh giá «{args.period}» không có: chọn year (cả năm), q1–q4 (quý) hoặc term (nhiệm kỳ)."
        )
    if args.format == "xlsx":
        if not args.output:
            raise BadInput("Xuất Excel cần --output TỆP.xlsx.")
        if not Path(args.output).parent.is_dir():
            raise BadInput(f"Không có thư mục để ghi «{args.output}».")
    if args.org:
        org = Org.objects.filter(code=args.org.strip()).first()
        if org is None:
            raise BadInput(f"Không có tổ chức mã «{args.org}».")
        roots = [org]
    else:
        roots = list(Org.objects.filter(parent__isnull=True).order_by("path"))
    return year, period, roots


# --- text ------------------------------------------------------------------------------------


def _score_band(score, band: str) -> str:
    parts = [f"{score} điểm"] if score is not None else []
    if band:
        parts.append(_short(band))
    return ", ".join(parts) or "—"


def _member_line(r: dict) -> str:
    head = f"  {r['name']} ({r['cell']})"
    if r["not_rated"]:
        return f"{head} — không xếp loại: {r['not_rated_reason']}"
    steps = [f"mẫu {r['form']}"] if r["form"] else []
    steps.append(
        f"tự đánh giá {_score_band(r['self_score'], r['self_band'])}"
        if r["self_band"]
        else "chưa tự đánh giá"
    )
    steps.append(
        f"chi bộ {_score_band(r['cell_score'], r['cell_band'])}" if r["cell_band"] else "chi bộ chưa đánh giá"
    )
    if r["band_label"]:
        score = f" ({r['score']} điểm)" if r["score"] is not None else ""
        decided = f"xếp loại: {r['band_label']}{score}, quyết định {r['decision_no']} ngày {_vn_day(r['decided_on'])}"
    else:
        decided = "chưa quyết định xếp loại"
    found = f" [{'; '.join(r['disqualifier_labels'])}]" if r["disqualifier_labels"] else ""
    return f"{head} — {'; '.join(steps)}; {decided}{found}"


def _org_line(r: dict) -> str:
    own = (
        f"tự đánh giá {_score_band(r['self_score'], r['self_band'])}"
        if r["self_band"]
        else "chưa tự đánh giá"
    )
    if r["band_label"]:
        score = f" ({r['score']} điểm)" if r["score"] is not None else ""
        decided = (
            f"xếp loại: {r['band_label']}{score} do {r['authority']} quyết định "
            f"({r['decision_no']} ngày {_vn_day(r['decided_on'])})"
        )
    else:
        decided = f"chưa xếp loại (cấp xếp loại: {r['authority']})"
    found = f" [{'; '.join(r['disqualifier_labels'])}]" if r["disqualifier_labels"] else ""
    return f"  {r['org']} — {own}; {decided}{found}"


def _cap_line(r: dict) -> str:
    if r["allowed"] is None:
        limit = "không giới hạn"
    else:
        verdict = "đạt" if r["holds"] else "VƯỢT giới hạn"
        limit = f"được tối đa {r['allowed']} ({r['percent']} % số hoàn thành tốt): {verdict}"
    unconfirmed = "" if r["confirmed"] else " (chưa xác nhận)"
    return f"  {r['org']}: {r['excellent']} hoàn thành xuất sắc, {r['good']} hoàn thành tốt; {limit}{unconfirmed}"


def _write_text(out, title: str, members, orgs, caps, totals) -> None:
    print(title, file=out)
    print("Đảng viên:", file=out)
    for row in members:
        totals.add_member(row)
        print(_member_line(row), file=out)
    print("Tổ chức đảng:", file=out)
    for row in orgs:
        totals.add_org(row)
        print(_org_line(row), file=out)
    print("Hoàn thành xuất sắc so với giới hạn trong mỗi tổ chức cơ sở đảng:", file=out)
    for row in caps:
        totals.add_cap(row)
        print(_cap_line(row), file=out)
    bands = ", ".join(f"{totals.bands[b]} {_short(b)}" for b in ("excellent", "good", "fulfilled", "failed"))
    print(
        f"Cộng: {totals.members} đảng viên trong danh sách, {totals.decided} đã xếp loại ({bands}), "
        f"{totals.not_rated} không xếp loại, {totals.waiting} chưa quyết định; "
        f"{totals.orgs} tổ chức đảng, {totals.orgs_decided} đã xếp loại; "
        f"{totals.cap_exceeded}/{totals.grassroots} tổ chức cơ sở đảng vượt giới hạn hoàn thành xuất sắc.",
        file=out,
    )


# --- JSON, written row by row ----------------------------------------------------------------


def _write_json(out, head: dict, members, orgs, caps, totals) -> None:
    def dump(value) -> str:
        return json.dumps(value, ensure_ascii=False)

    out.write("{\n")
    for key, value in head.items():
        out.write(f"  {dump(key)}: {dump(value)},\n")
    for key, rows, add in (
        ("members", members, totals.add_member),
        ("organizations", orgs, totals.add_org),
        ("grassroots", caps, totals.add_cap),
    ):
        out.write(f"  {dump(key)}: [")
        for n, row in enumerate(rows):
            add(row)
            out.write(("," if n else "") + "\n    " + dump(row))
        out.write("\n  ],\n")
    out.write(f'  "totals": {dump(totals.as_dict())}\n}}\n')


# --- Excel, in constant memory ---------------------------------------------------------------


def _member_cells(r: dict) -> list:
    return [
        r["cell_code"],
        r["cell"],
        r["name"],
        r["form"],
        r["self_score"],
        _short(r["self_band"]),
        r["cell_score"],
        _short(r["cell_band"]),
        r["score"],
        r["band_label"],
        "; ".join(r["disqualifier_labels"]),
        r["not_rated_reason"],
        r["decision_no"],
        _day(r["decided_on"]),
    ]


def _org_cells(r: dict) -> list:
    return [
        r["org_code"],
        r["org"],
        r["self_score"],
        _short(r["self_band"]),
        r["score"],
        r["band_label"],
        "; ".join(r["disqualifier_labels"]),
        r["authority"],
        r["decision_no"],
        _day(r["decided_on"]),
    ]


def _cap_cells(r: dict) -> list:
    holds = "Đạt" if r["holds"] else "Vượt"
    return [
        r["org_code"],
        r["org"],
        r["excellent"],
        r["good"],
        r["percent"],
        r["allowed"],
        holds if r["confirmed"] else f"{holds} (chưa xác nhận)",
        r["citation"],
    ]


def _write_xlsx(path: str, title: str, subtitle: str, members, orgs, caps, totals) -> None:
    """The three lists on three sheets, laid out as ``documents.tables.tables_xlsx`` lays a
    table (title, subtitle, table title, header on row 5, frozen), but written row by row in
    xlsxwriter's constant-memory mode: numbers as numbers, dates as dates, text neutralised."""
    import xlsxwriter

    from dangbo.core.spreadsheet import neutralize

    book = xlsxwriter.Workbook(path, {"constant_memory": True, "strings_to_formulas": False})
    bold = book.add_format({"bold": True, "text_wrap": True})
    head = book.add_format({"bold": True, "text_wrap": True, "bg_color": "#E6E6E6", "border": 1})
    cell = book.add_format({"border": 1})
    day = book.add_format({"border": 1, "num_format": "dd/mm/yyyy"})
    total = book.add_format({"border": 1, "bold": True})

    def sheet_of(name: str, table_title: str, header, widths):
        sheet = book.add_worksheet(name)
        sheet.write_string(0, 0, neutralize(title), bold)
        sheet.write_string(1, 0, neutralize(subtitle))
        sheet.write_string(2, 0, neutralize(table_title), bold)
        for c, width in enumerate(widths):
            sheet.set_column(c, c, width)
        for c, label in enumerate(header):
            sheet.write_string(4, c, neutralize(label), head)
        sheet.freeze_panes(5, 0)
        return sheet

    def write(sheet, r: int, values: list, style=cell) -> None:
        for c, value in enumerate(values):
            if value is None or value == "":
                sheet.write_blank(r, c, None, style)
            elif isinstance(value, date):
                sheet.write_datetime(r, c, value, day)
            elif isinstance(value, int | float) and not isinstance(value, bool):
                sheet.write_number(r, c, value, style)
            else:
                sheet.write_string(r, c, neutralize(value), style)

    lists = (
        (
            "Đảng viên",
            "Xếp loại chất lượng đảng viên",
            MEMBER_HEADER,
            members,
            totals.add_member,
            _member_cells,
        ),
        ("Tổ chức đảng", "Xếp loại chất lượng tổ chức đảng", ORG_HEADER, orgs, totals.add_org, _org_cells),
        (
            "Giới hạn xuất sắc",
            "Đảng viên hoàn thành xuất sắc so với giới hạn trong mỗi tổ chức cơ sở đảng",
            CAP_HEADER,
            caps,
            totals.add_cap,
            _cap_cells,
        ),
    )
    for name, table_title, header, rows, add, cells in lists:
        widths = [12, 32, 28] + [14] * (len(header) - 3)
        sheet = sheet_of(name, table_title, header, widths)
        r = 5
        for row in rows:
            add(row)
            write(sheet, r, cells(row))
            r += 1
        if name == "Đảng viên":
            line: list = ["", "Cộng", f"{totals.members} đảng viên", "", None, "", None, "", None]
            line += [f"{totals.decided} đã xếp loại", "", f"{totals.not_rated} không xếp loại", "", None]
            write(sheet, r, line, total)
        elif name == "Tổ chức đảng":
            write(
                sheet,
                r,
                ["", "Cộng", None, "", None, f"{totals.orgs_decided}/{totals.orgs} đã xếp loại"],
                total,
            )
    book.close()


# --- the command -----------------------------------------------------------------------------


def settings_command(args: argparse.Namespace) -> int:
    """List the committee's settings and what applies to this year's review; with ``--code``,
    record one (as the system). Decisions already taken stay as decided."""
    from dangbo.accounts.scope import SYSTEM
    from dangbo.core import clock
    from dangbo.core.violations import RuleViolation
    from dangbo.ratings import services
    from dangbo.ratings.models import RatingSetting
    from dangbo.ratings.settings import RatingRules

    if args.code is None:
        rows = list(RatingSetting.objects.order_by("code", "effective_from", "recorded_at"))
        if not rows:
            print("Chưa có cấu hình riêng: đang áp dụng các mức của quy định.")
        for row in rows:
            print(f"  {row} — {RatingSetting.CODES[row.code]}; {row.source}")
        year = clock.today().year
        rules = RatingRules()
        for label, applied in (
            ("Giới hạn hoàn thành xuất sắc", rules.cap(year)),
            ("Xếp loại đảng viên dự bị", rules.probationary_rated(clock.today())),
            ("Các trường hợp không hoàn thành nhiệm vụ", rules.member_disqualifiers(year)),
        ):
            note = "" if applied.confirmed else " (CHƯA XÁC NHẬN hoặc theo cấu hình riêng)"
            print(f"Năm {year} — {label}: {applied.citation}{note}")
        return 0
    try:
        effective_from = date.fromisoformat(args.effective_from or "")
        value = int(args.value)
    except (TypeError, ValueError):
        print("Lỗi: cần --value SỐ và --from YYYY-MM-DD.", file=sys.stderr)
        return 2
    try:
        setting = services.rating_setting_record(
            actor=SYSTEM, code=args.code, value=value, effective_from=effective_from, source=args.source or ""
        )
    except RuleViolation as error:
        for violation in error.violations:
            print(f"Lỗi: {violation.message}", file=sys.stderr)
        return 2
    print(
        f"Đã ghi {RatingSetting.CODES[setting.code]} = {setting.value} từ {setting.effective_from:%d/%m/%Y}."
    )
    return 0


def cmd_ratings(args: argparse.Namespace) -> int:
    _setup()
    if args.action == "setting":
        return settings_command(args)
    # after django.setup(): the parser is built before it
    from dangbo.accounts.scope import SYSTEM
    from dangbo.audit.services import Action, audit_record
    from dangbo.ratings import listing
    from dangbo.ratings.models import Period

    try:
        year, period, roots = _arguments(args)
    except BadInput as error:
        print(f"Lỗi: {error}", file=sys.stderr)
        return 2
    code = args.org.strip() if args.org else ""
    count = listing.member_count(actor=SYSTEM, roots=roots, year=year, period=period)
    audit_record(
        action=Action.EXPORTED if args.format == "xlsx" else Action.LIST_VIEWED,
        subject_type="rating_list",
        data={"org": code, "year": year, "period": period, "rows": count},
    )
    period_label = dict(Period.choices)[period].lower()
    names = ", ".join(o.name for o in roots)
    title = f"Kết quả đánh giá, xếp loại chất lượng năm {year} ({period_label})"
    scope = {"actor": SYSTEM, "roots": roots, "year": year, "period": period}
    members = listing.member_rows(**scope)
    orgs = listing.org_rows(**scope)
    caps = listing.cap_rows(**scope)
    totals = listing.Totals()
    if args.format == "json":
        head = {
            "year": year,
            "period": period,
            "orgs": [{"code": o.code, "name": o.name} for o in roots],
        }
        _write_json(sys.stdout, head, members, orgs, caps, totals)
    elif args.format == "xlsx":
        _write_xlsx(args.output, title, names, members, orgs, caps, totals)
        print(
            f"Đã ghi kết quả xếp loại năm {year} ({totals.members} đảng viên, {totals.orgs} tổ chức đảng) "
            f"vào {args.output}."
        )
    else:
        _write_text(sys.stdout, f"{title} — {names}: {count} đảng viên", members, orgs, caps, totals)
    return 0


def add_parsers(sub) -> None:
    ratings = sub.add_parser(
        "ratings",
        help="kết quả đánh giá, xếp loại chất lượng đảng viên và tổ chức đảng của một năm",
    )
    ratings.add_argument(
        "action",
        nargs="?",
        choices=("setting",),
        help="setting: xem hoặc ghi cấu hình riêng của cấp ủy cho các mức chưa xác nhận",
    )
    ratings.add_argument("--year", metavar="NĂM", help="năm đánh giá, ví dụ 2025 (bắt buộc)")
    ratings.add_argument(
        "--org", metavar="MÃ", help="mã tổ chức (gồm các tổ chức trực thuộc; mặc định: toàn bộ)"
    )
    ratings.add_argument(
        "--period",
        metavar="KỲ",
        default="year",
        help="year (cả năm, mặc định), q1–q4 (quý) hoặc term (nhiệm kỳ)",
    )
    ratings.add_argument("--format", metavar="DẠNG", default="text", help="text (mặc định), json hoặc xlsx")
    ratings.add_argument("--output", metavar="TỆP", help="tệp .xlsx để ghi (với --format xlsx)")
    ratings.add_argument("--code", help="setting: excellent_cap, rate_probationary, disqualifier_...")
    ratings.add_argument(
        "--value", help="setting: giá trị (giới hạn: %%, -1 là không giới hạn; khác: 1 có, 0 không)"
    )
    ratings.add_argument(
        "--from", dest="effective_from", metavar="YYYY-MM-DD", help="setting: áp dụng từ ngày"
    )
    ratings.add_argument("--source", help="setting: văn bản làm căn cứ")
    ratings.set_defaults(func=cmd_ratings)
