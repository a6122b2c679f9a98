"""`dangbo meetings`: the meetings of an organization's subtree in a period, with their attendance
counts (issue 19), as text, JSON or an Excel file. Counts only: no member is named.

    dangbo meetings [--org MÃ] [--from NGÀY] [--to NGÀY] [--format text|json|xlsx] [--output TỆP]

Without ``--org``, the whole installation (its top organizations); without dates, from the first
of January of this year to today. Exit status: 0 listed, 2 bad input (an unknown code, a bad date).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from datetime import date

from dangbo.core.setup import django_setup as _setup

HEADER = (
    "Ngày",
    "Mã tổ chức",
    "Tổ chức",
    "Cấp họp",
    "Loại",
    "Chuyên đề",
    "Hình thức",
    "Có mặt",
    "Vắng có lý do",
    "Vắng không lý do",
    "Sinh hoạt tạm thời",
    "Cán bộ cấp trên dự",
    "Biên bản đã ký",
)


def _refuse(message: str) -> int:
    print(f"Lỗi: {message}", file=sys.stderr)
    return 2


def meeting_rows(*, org_code: str | None, start: date, end: date) -> list[dict]:
    """One dict per meeting of the subtree(s) in the period, in date order (as the system)."""
    from dangbo.accounts.scope import SYSTEM  # after django.setup(): the parser is built before it
    from dangbo.meetings.models import Body, MeetingKind, MeetingMode
    from dangbo.meetings.selectors import meetings_with_counts
    from dangbo.orgs.models import Org

    roots = (
        [Org.objects.get(code=org_code)]
        if org_code
        else list(Org.objects.filter(parent__isnull=True).order_by("path"))
    )
    rows = []
    for root in roots:
        meetings = meetings_with_counts(actor=SYSTEM, org=root, start=start, end=end)
        rows += [
            {
                "date": m["held_on"].isoformat(),
                "org_code": m["org__code"],
                "org": m["org__name"],
                "body": Body(m["body"]).label,
                "kind": MeetingKind(m["kind"]).label,
                "topic": m["topic"],
                "mode": MeetingMode(m["mode"]).label,
                "present": m["n_present"],
                "absent_excused": m["n_excused"],
                "absent_unexcused": m["n_unexcused"],
                "guests": m["n_guests"],
                "visitors": m["n_visitors"],
                "minutes_signed": m["minutes__signed_at"] is not None,
            }
            for m in meetings
        ]
    return rows


def _cells(row: dict) -> list:
    """One meeting's row for the spreadsheet: the date a date, the counts numbers."""
    return [
        date.fromisoformat(row["date"]),
        row["org_code"],
        row["org"],
        row["body"],
        row["kind"],
        row["topic"],
        row["mode"],
        row["present"],
        row["absent_excused"],
        row["absent_unexcused"],
        row["guests"],
        row["visitors"],
        "có" if row["minutes_signed"] else "chưa",
    ]


def cmd_meetings(args: argparse.Namespace) -> int:
    _setup()
    # after django.setup() (see meeting_rows)
    from dangbo.audit.services import Action, audit_record
    from dangbo.core import clock
    from dangbo.core.formats import format_date, parse_date
    from dangbo.core.spreadsheet import list_title, xlsx_file
    from dangbo.orgs.models import Org

    today = clock.today()
    try:
        start = parse_date(args.start) if args.start else date(today.year, 1, 1)
        end = parse_date(args.end) if args.end else today
    except ValueError as error:
        return _refuse(str(error))
    if start > end:
        return _refuse(f"Ngày bắt đầu ({format_date(start)}) sau ngày kết thúc ({format_date(end)}).")
    if args.format == "xlsx" and not args.output:
        return _refuse("Xuất Excel cần --output TỆP.xlsx.")
    try:
        rows = meeting_rows(org_code=args.org, start=start, end=end)
    except Org.DoesNotExist:
        return _refuse(f"Không có tổ chức mã «{args.org}».")
    audit_record(
        action=Action.EXPORTED if args.format == "xlsx" else Action.LIST_VIEWED,
        subject_type="meeting_list",
        data={"org": args.org or "", "from": start.isoformat(), "to": end.isoformat(), "rows": len(rows)},
    )
    if args.format == "json":
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    period = f"từ {format_date(start)} đến {format_date(end)}"
    if args.format == "xlsx":
        where = Org.objects.get(code=args.org).name if args.org else ""  # meeting_rows found it
        title = list_title(f"Các buổi sinh hoạt {period}", where, today)
        with xlsx_file(HEADER, (_cells(r) for r in rows), title=title, sheet_name="Sinh hoạt") as out:
            out.seek(0)
            with open(args.output, "wb") as target:
                shutil.copyfileobj(out, target)
        print(f"Đã ghi {len(rows)} buổi sinh hoạt vào {args.output}.")
        return 0
    if not rows:
        print(f"Không có buổi sinh hoạt nào {period}.")
        return 0
    print(f"{len(rows)} buổi sinh hoạt {period}:")
    for r in rows:
        topic = f" «{r['topic']}»" if r["topic"] else ""
        print(
            f"  {_cells(r)[0]}  {r['org']} ({r['org_code']}) — {r['body']}, {r['kind'].lower()}{topic}, "
            f"{r['mode'].lower()}: có mặt {r['present']}, vắng có lý do {r['absent_excused']}, "
            f"vắng không lý do {r['absent_unexcused']}"
            + (f", cán bộ cấp trên dự {r['visitors']}" if r["visitors"] else "")
            + ("" if r["minutes_signed"] else "; biên bản chưa ký")
        )
    return 0


def add_parsers(sub) -> None:
    meetings = sub.add_parser("meetings", help="các buổi sinh hoạt chi bộ, chi ủy, đảng ủy và số người dự")
    meetings.add_argument(
        "--org", metavar="MÃ", help="mã tổ chức (gồm các tổ chức trực thuộc; mặc định: toàn bộ)"
    )
    meetings.add_argument("--from", dest="start", metavar="NGÀY", help="từ ngày (mặc định: 1/1 năm nay)")
    meetings.add_argument("--to", dest="end", metavar="NGÀY", help="đến ngày (mặc định: hôm nay)")
    meetings.add_argument("--format", choices=("text", "json", "xlsx"), default="text")
    meetings.add_argument("--output", metavar="TỆP", help="tệp .xlsx để ghi (với --format xlsx)")
    meetings.set_defaults(func=cmd_meetings)
