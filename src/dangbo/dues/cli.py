"""`dangbo dues`: the dues collection book of an organization for a month (issue 20), one line
per member of its cells (``selectors.org_book``, read as the system and audited): the basis
(category and income), the amount due, what was paid for the month, the balance, the
exemption or relief, what was received in the month and the arrears of the year; as text,
JSON (with totals equal to the sum of the lines) or an Excel file with typed numbers.

    dangbo dues [--org MÃ] [--month YYYY-MM] [--format text|json|xlsx] [--output TỆP]
    dangbo dues open-month
    dangbo dues setting [--code MÃ --value SỐ --from YYYY-MM-DD --source "VĂN BẢN"]

``setting`` lists the committee's own values for the figures RULES.md leaves UNCONFIRMED and
what applies this month; with ``--code`` it records one (``dues.services.dues_setting_record``)
and rewrites every account to follow it. ``open-month`` opens this month's account for every member in the Party who has one
(``dues.accounts.extend``; cron, on the first of each month, or the administrators' background
job). Without ``--org``, each top organization of the installation; without ``--month``, this
month (``10/2026`` is read as well). Exit status: 0 listed, 2 bad input (an unknown code, a
bad month, Excel without a file).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date

from dangbo.core.setup import django_setup as _setup
from dangbo.dues.months import BadMonth, parse_month

HEADER = (
    "Mã chi bộ",
    "Chi bộ",
    "Họ và tên",
    "Đối tượng đóng",
    "Thu nhập làm căn cứ (đồng)",
    "Phải đóng (đồng)",
    "Đã nộp cho tháng (đồng)",
    "Còn thiếu (đồng)",
    "Miễn, giảm, cho chậm",
    "Thu trong tháng (đồng)",
    "Số biên lai",
    "Số tháng nợ trong năm",
    "Số tiền nợ trong năm (đồng)",
)
TOTALS = ("due", "paid", "balance", "collected", "arrears")


class BadInput(ValueError):
    """Input the command refuses, with its Vietnamese message."""


def book_report(*, org_code: str | None, month: date) -> dict:
    """The book(s) as plain values: ``{"month", "orgs", "rows", "totals"}``; ``due`` and
    ``balance`` are None for a member with no basis recorded (the amount cannot be known)."""
    from dangbo.accounts.scope import SYSTEM  # after django.setup(): the parser is built before it
    from dangbo.dues.selectors import org_book
    from dangbo.orgs.models import Org

    if org_code:
        try:
            roots = [Org.objects.get(code=org_code)]
        except Org.DoesNotExist:
            raise BadInput(f"Không có tổ chức mã «{org_code}».") from None
    else:
        roots = list(Org.objects.filter(parent__isnull=True).order_by("path"))
    rows: list[dict] = []
    for root in roots:
        book = org_book(actor=SYSTEM, org=root, month=month)
        for line in book.lines:
            cell = book.cells.get(line.org_id)
            rows.append(
                {
                    "member_id": str(line.member_id),
                    "name": line.name,
                    "org_code": cell.code if cell else "",
                    "org": cell.name if cell else "",
                    "category": line.category,
                    "category_label": line.category_label,
                    "income": line.income,
                    "due": line.due,
                    "paid": line.paid,
                    "balance": None if line.due is None else line.due - line.paid,
                    "relief": line.relief_label,
                    "collected": line.collected,
                    "receipts": sorted(line.receipts),
                    "arrears_months": line.arrears_months,
                    "arrears": line.arrears,
                }
            )
    totals = {name: sum(r[name] or 0 for r in rows) for name in TOTALS}
    totals["members"] = len(rows)
    totals["without_basis"] = sum(1 for r in rows if r["due"] is None)
    totals["in_arrears"] = sum(1 for r in rows if r["arrears_months"])
    return {
        "month": f"{month:%Y-%m}",
        "orgs": [{"code": r.code, "name": r.name} for r in roots],
        "rows": rows,
        "totals": totals,
    }


def _cells(row: dict) -> list:
    return [
        row["org_code"],
        row["org"],
        row["name"],
        row["category_label"],
        row["income"] or None,
        row["due"],
        row["paid"],
        row["balance"],
        row["relief"],
        row["collected"],
        ", ".join(row["receipts"]),
        row["arrears_months"],
        row["arrears"],
    ]


def _money(value: int | None) -> str:
    from dangbo.core.formats import format_number

    return "—" if value is None else format_number(value)


def open_month() -> int:
    from dangbo.core.formats import format_number
    from dangbo.dues import accounts

    def progress(done: int, total: int) -> None:
        print(f"  {format_number(done)}/{format_number(total)} đảng viên", flush=True)

    opening = accounts.extend(progress=progress)
    print(
        f"Đã mở sổ đảng phí tháng {opening.month:%m/%Y} cho {format_number(opening.members)} đảng viên "
        "chưa có sổ tháng này."
    )
    return 0


def settings_command(args: argparse.Namespace) -> int:
    """List the committee's settings and what applies this month; with ``--code``, record one
    (as the system) and rewrite every account to follow it."""
    from dangbo.accounts.scope import SYSTEM
    from dangbo.core import clock
    from dangbo.core.formats import format_number
    from dangbo.core.violations import RuleViolation
    from dangbo.dues import accounts, services
    from dangbo.dues.models import DuesSetting
    from dangbo.dues.schedule import Settings

    if args.code is None:
        rows = list(DuesSetting.objects.order_by("code", "effective_from", "recorded_at"))
        if not rows:
            print(
                "Chưa có cấu hình riêng: đang áp dụng các mức của quy định (xem docs/users.md, «Đảng phí»)."
            )
        for row in rows:
            print(
                f"  {row.code} = {row.value} từ {row.effective_from:%d/%m/%Y} — {DuesSetting.CODES[row.code]}; {row.source}"
            )
        month = clock.today().replace(day=1)
        schedule, shares = Settings().schedule(month), Settings().shares(month)
        print(
            f"Tháng {month:%m/%Y}: {schedule.citation}"
            + ("" if schedule.confirmed else " (có mức CHƯA XÁC NHẬN hoặc theo cấu hình riêng)")
        )
        print(
            f"Tỷ lệ trích giữ lại: {shares.citation}"
            + ("" if shares.confirmed else " (CHƯA XÁC NHẬN hoặc theo cấu hình riêng)")
        )
        return 0
    try:
        effective_from = date.fromisoformat(args.effective_from or "")
        value = int(args.value)
    except (TypeError, ValueError):
        print("Lỗi: cần --value SỐ và --from YYYY-MM-DD.", file=sys.stderr)
        return 2
    try:
        setting = services.dues_setting_record(
            actor=SYSTEM, code=args.code, value=value, effective_from=effective_from, source=args.source or ""
        )
    except RuleViolation as error:
        for violation in error.violations:
            print(f"Lỗi: {violation.message}", file=sys.stderr)
        return 2

    def progress(done: int, total: int) -> None:
        print(f"  {format_number(done)}/{format_number(total)} đảng viên", flush=True)

    print(
        f"Đã ghi {DuesSetting.CODES[setting.code]} = {setting.value} từ {setting.effective_from:%d/%m/%Y}. Tính lại sổ đảng phí ..."
    )
    members = accounts.refresh_everyone(progress=progress)
    print(f"Đã tính lại sổ đảng phí của {format_number(members)} đảng viên theo cấu hình mới.")
    return 0


def cmd_dues(args: argparse.Namespace) -> int:
    _setup()
    if args.action == "open-month":
        return open_month()
    if args.action == "setting":
        return settings_command(args)
    # after django.setup() (see book_report)
    from dangbo.audit.services import Action, audit_record
    from dangbo.core import clock
    from dangbo.documents.tables import Table, TableDoc, tables_xlsx

    def refuse(message: str) -> int:
        print(f"Lỗi: {message}", file=sys.stderr)
        return 2

    try:
        month = parse_month(args.month) if args.month else clock.today().replace(day=1)
        if args.format == "xlsx" and not args.output:
            raise BadInput("Xuất Excel cần --output TỆP.xlsx.")
        report = book_report(org_code=args.org, month=month)
    except (BadInput, BadMonth) as error:
        return refuse(str(error))
    audit_record(
        action=Action.EXPORTED if args.format == "xlsx" else Action.LIST_VIEWED,
        subject_type="dues_book",
        data={"org": args.org or "", "month": report["month"], "rows": len(report["rows"])},
    )
    rows, totals = report["rows"], report["totals"]
    names = ", ".join(o["name"] for o in report["orgs"])
    if args.format == "json":
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return 0
    if args.format == "xlsx":
        total_line = ["", "Cộng", f"{totals['members']} đảng viên", "", None]
        total_line += [totals["due"], totals["paid"], totals["balance"], "", totals["collected"], "", None]
        total_line += [totals["arrears"]]
        doc = TableDoc(
            title=f"Sổ thu nộp đảng phí tháng {month:%m/%Y}",
            subtitle=names,
            tables=[
                Table(
                    title=f"Đảng phí tháng {month:%m-%Y}",
                    header=list(HEADER),
                    rows=[_cells(r) for r in rows] + [total_line],
                    note="Số tiền tính bằng đồng. «Phải đóng» để trống: đảng viên chưa có căn cứ đóng đảng phí.",
                )
            ],
        )
        with open(args.output, "wb") as target:
            target.write(tables_xlsx(doc))
        print(f"Đã ghi sổ thu nộp đảng phí tháng {month:%m/%Y} ({len(rows)} đảng viên) vào {args.output}.")
        return 0
    print(f"Sổ thu nộp đảng phí tháng {month:%m/%Y} — {names}: {totals['members']} đảng viên")
    for r in rows:
        relief = f"; {r['relief']}" if r["relief"] else ""
        arrears = (
            f"; nợ {r['arrears_months']} tháng trong năm ({_money(r['arrears'])} đồng)"
            if r["arrears_months"]
            else ""
        )
        income = f" {_money(r['income'])} đồng" if r["income"] else ""
        print(
            f"  {r['name']} ({r['org']}) — {r['category_label']}{income}: phải đóng {_money(r['due'])}, "
            f"đã nộp {_money(r['paid'])}, còn thiếu {_money(r['balance'])}{relief}{arrears}"
        )
    print(
        f"Cộng: phải đóng {_money(totals['due'])} đồng, đã nộp {_money(totals['paid'])} đồng, "
        f"còn thiếu {_money(totals['balance'])} đồng; thu trong tháng {_money(totals['collected'])} đồng; "
        f"{totals['in_arrears']} đảng viên còn nợ trong năm, {totals['without_basis']} chưa có căn cứ."
    )
    return 0


def add_parsers(sub) -> None:
    dues = sub.add_parser(
        "dues", help="sổ thu nộp đảng phí của một tổ chức trong một tháng; open-month: mở sổ tháng này"
    )
    dues.add_argument(
        "action",
        nargs="?",
        choices=("open-month", "setting"),
        help=(
            "open-month: mở sổ đảng phí tháng này cho mọi đảng viên đã có sổ (chạy đầu mỗi tháng); "
            "setting: xem hoặc ghi cấu hình riêng của cấp ủy cho các mức chưa xác nhận"
        ),
    )
    dues.add_argument("--org", metavar="MÃ", help="mã tổ chức (gồm các chi bộ trực thuộc; mặc định: toàn bộ)")
    dues.add_argument("--month", metavar="YYYY-MM", help="tháng, ví dụ 2026-10 (mặc định: tháng này)")
    dues.add_argument("--format", choices=("text", "json", "xlsx"), default="text")
    dues.add_argument("--output", metavar="TỆP", help="tệp .xlsx để ghi (với --format xlsx)")
    dues.add_argument("--code", help="setting: nội dung cấu hình (rate_other, share_cell, ...)")
    dues.add_argument(
        "--value", help="setting: giá trị (tỷ lệ tính bằng phần vạn; tỷ lệ trích giữ lại bằng %%)"
    )
    dues.add_argument(
        "--from", dest="effective_from", metavar="YYYY-MM-DD", help="setting: áp dụng từ ngày đầu tháng"
    )
    dues.add_argument("--source", help="setting: văn bản làm căn cứ")
    dues.set_defaults(func=cmd_dues)
