"""`dangbo report indicators|forms` and `dangbo check`: the command-line side of the reports.

The command line acts for the whole installation; ``--org`` picks the organization (the
top one by default). Bad input ends with exit status 2 and a Vietnamese message.

The root ``dangbo`` command imports this module to build its parser before Django is set up
(``dangbo --help`` needs no database), so the project's modules that load models are imported
inside the commands, after ``django_setup()``; each such import says so.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import date
from pathlib import Path

from dangbo.core import clock
from dangbo.core.setup import django_setup as _setup


def _date(text: str | None, label: str) -> date | None:
    # after django.setup() (see the module docstring)
    from dangbo.stats.frames import ReportInputError

    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ReportInputError(
            f"{label} không hợp lệ: «{text}» (nhập theo dạng YYYY-MM-DD, ví dụ 2025-12-31)."
        ) from None


def _root(code: str | None):
    # after django.setup() (see the module docstring)
    from dangbo.orgs.models import Org
    from dangbo.stats.frames import ReportInputError, org_by_code

    if code:
        return org_by_code(code)
    root = Org.objects.filter(parent__isnull=True).order_by("path").first()
    if root is None:
        raise ReportInputError("Chưa có tổ chức đảng nào; hãy tạo dữ liệu trước.")
    return root


def _frame(args: argparse.Namespace, *, period: bool = True):
    # after django.setup() (see the module docstring)
    from dangbo.stats.frames import frame_for

    root = _root(args.org)
    as_of = _date(args.as_of, "Ngày báo cáo")
    start = _date(getattr(args, "date_from", None), "Ngày đầu kỳ") if period else None
    end = _date(getattr(args, "date_to", None), "Ngày cuối kỳ") if period else None
    return frame_for(root=root, as_of=as_of, start=start, end=end)


def _write(args: argparse.Namespace, data: bytes, default_name: str) -> None:
    path = Path(args.output or default_name)
    path.write_bytes(data)
    print(f"Đã ghi {path} ({len(data):,} byte).".replace(",", "."))


def _guarded(command):
    def run(args: argparse.Namespace) -> int:
        _setup()
        # after django.setup() (see the module docstring)
        from dangbo.stats.frames import ReportInputError

        try:
            return command(args)
        except ReportInputError as error:
            print(str(error), file=sys.stderr)
            return 2

    return run


@_guarded
def cmd_report_indicators(args: argparse.Namespace) -> int:
    # after django.setup() (see the module docstring)
    from dangbo.documents.tables import tables_pdf, tables_xlsx
    from dangbo.stats.indicators import context_for, report_dict
    from dangbo.stats.reports import indicators_doc

    frame = _frame(args)
    ctx = context_for(frame)
    name = f"chi-tieu-{frame.root.code}-{frame.as_of:%Y%m%d}"
    if args.format == "json":
        print(json.dumps(report_dict(ctx, children=args.children), ensure_ascii=False, indent=2))
    elif args.format == "xlsx":
        _write(args, tables_xlsx(indicators_doc(ctx)), f"{name}.xlsx")
    else:
        _write(args, tables_pdf(indicators_doc(ctx)), f"{name}.pdf")
    return 0


@_guarded
def cmd_report_forms(args: argparse.Namespace) -> int:
    # after django.setup() (see the module docstring)
    from dangbo.stats.statforms import build_forms
    from dangbo.stats.statforms.render import forms_pdf, forms_xlsx

    frame = _frame(args)
    report = build_forms(frame)
    name = f"bieu-thong-ke-{frame.root.code}-{frame.as_of:%Y%m%d}"
    data = forms_xlsx(report) if args.format == "xlsx" else forms_pdf(report)
    _write(args, data, f"{name}.{args.format}")
    failed = [check for check in report.checks if not check.ok]
    for check in failed:
        print(f"KHÔNG ĐẠT kiểm tra chéo: {check.description} — {check.detail}", file=sys.stderr)
    return 1 if failed else 0


@_guarded
def cmd_check(args: argparse.Namespace) -> int:
    if args.aggregates:
        return _check_aggregates(args)
    # after django.setup() (see the module docstring)
    from dangbo.stats.compliance import compliance_run, compliance_text, compliance_xlsx

    root = _root(args.org)
    today = clock.today()
    findings = compliance_run(root=root, today=today)
    if args.format == "json":
        print(
            json.dumps(
                {"org": root.code, "as_of": today.isoformat(), "findings": [f.as_dict() for f in findings]},
                ensure_ascii=False,
                indent=2,
            )
        )
    elif args.format == "xlsx":
        data = compliance_xlsx(
            findings, title=f"Kiểm tra tuân thủ quy định — {root.name}, ngày {today:%d/%m/%Y}"
        )
        _write(
            args,
            data if isinstance(data, bytes) else data.read(),
            f"kiem-tra-{root.code}-{today:%Y%m%d}.xlsx",
        )
    else:
        print(compliance_text(findings))
    return 1 if findings else 0


def _check_aggregates(args: argparse.Namespace) -> int:
    """The tallies against a recount, and the members' monthly dues accounts against a
    recomputation (``dues.checks``); with ``--repair``, both rewritten where they differ."""
    dues_ok = _check_dues_accounts(args)
    sums_ok = _check_dues_sums(args)  # after the accounts: a repair of theirs moves the sums too
    tallies_ok = _check_tallies(args)  # last: they hold the dues sums under every organization
    return 0 if tallies_ok and dues_ok and sums_ok else 1


def _check_tallies(args: argparse.Namespace) -> bool:
    # after django.setup() (see the module docstring)
    from dangbo.orgs.models import Org
    from dangbo.stats.tallies import tally_differences, tally_rebuild

    def say(line: str) -> None:  # a recount of many parts (a large province) says how far it has gone
        print(line, file=sys.stderr, flush=True)

    started = time.perf_counter()
    differences = tally_differences(say)
    seconds = time.perf_counter() - started
    if not differences:
        print(f"Số liệu tổng hợp sẵn khớp với đếm lại toàn bộ (đếm lại trong {seconds:.1f} giây).")
        return True
    names = dict(Org.objects.filter(id__in={d.org_id for d in differences}).values_list("id", "name"))
    print(f"{len(differences)} số liệu tổng hợp sẵn khác với đếm lại:", file=sys.stderr)
    for d in differences[:50]:
        print(
            f"  {names.get(d.org_id, d.org_id)}: {d.dimension}={d.value or '(tất cả)'} lưu {d.stored}, đếm lại {d.recounted}",
            file=sys.stderr,
        )
    if args.repair:
        run = tally_rebuild(say)
        print(f"Đã đếm lại và ghi {run.rows} dòng trong {run.seconds:.1f} giây.")
        return True
    print("Chạy lại với --repair để ghi số đếm lại.", file=sys.stderr)
    return False


def _check_dues_accounts(args: argparse.Namespace) -> bool:
    # after django.setup() (see the module docstring)
    from dangbo.dues.checks import account_check, accounts_repair
    from dangbo.members.models import Member

    started = time.perf_counter()
    check = account_check()
    seconds = time.perf_counter() - started
    for month, count in sorted(check.unopened.items()):
        print(
            f"Sổ đảng phí tháng {month:%m/%Y} chưa mở cho {count} đảng viên (việc «Mở sổ đảng phí tháng» "
            "mở sổ cho mọi đảng viên; không phải sai khác)."
        )
    differences = check.differences
    if not differences:
        print(f"Sổ đảng phí từng tháng của đảng viên khớp với tính lại (tính lại trong {seconds:.1f} giây).")
        return True
    members = {d.member_id for d in differences}
    print(
        f"{len(differences)} sai khác trong sổ đảng phí từng tháng của {len(members)} đảng viên so với tính lại:",
        file=sys.stderr,
    )
    names = {m.pk: m.full_name for m in Member.objects.filter(pk__in=list(members)[:50])}
    for d in differences[:50]:
        print(f"  {names.get(d.member_id, d.member_id)}: {d.describe()}", file=sys.stderr)
    if args.repair:
        rows = accounts_repair(differences)
        print(f"Đã tính lại sổ đảng phí của {len(members)} đảng viên ({rows} tháng).")
        return True
    print("Chạy lại với --repair để ghi sổ tính lại.", file=sys.stderr)
    return False


def _check_dues_sums(args: argparse.Namespace) -> bool:
    # after django.setup() (see the module docstring)
    from django.db import transaction

    from dangbo.dues import sums
    from dangbo.orgs.models import Org

    started = time.perf_counter()
    recounted = sums.recount()
    differences = sums.differences(recounted)
    seconds = time.perf_counter() - started
    if not differences:
        print(f"Tổng hợp đảng phí từng chi bộ, từng tháng khớp với cộng lại (trong {seconds:.1f} giây).")
        return True
    print(
        f"{len(differences)} số tổng hợp đảng phí từng chi bộ, từng tháng khác với cộng lại:", file=sys.stderr
    )
    names = dict(Org.objects.filter(id__in={d.org_id for d in differences[:50]}).values_list("id", "name"))
    for d in differences[:50]:
        print(
            f"  {names.get(d.org_id, d.org_id)} tháng {d.month:%m/%Y}: {d.field} lưu {d.stored}, "
            f"cộng lại {d.recounted}",
            file=sys.stderr,
        )
    if args.repair:
        with transaction.atomic():
            rows = sums.rebuild(recounted)
        print(f"Đã cộng lại và ghi {rows} dòng tổng hợp đảng phí.")
        return True
    print("Chạy lại với --repair để ghi số cộng lại.", file=sys.stderr)
    return False


def add_parsers(sub) -> None:
    report = sub.add_parser("report", help="báo cáo chỉ tiêu và biểu thống kê")
    report_sub = report.add_subparsers(dest="report_command", required=True)

    indicators = report_sub.add_parser("indicators", help="các chỉ tiêu của một tổ chức (JSON, XLSX, PDF)")
    indicators.add_argument("--org", help="mã tổ chức (mặc định: tổ chức cao nhất)")
    indicators.add_argument("--as-of", help="ngày báo cáo, YYYY-MM-DD (mặc định: hôm nay)")
    indicators.add_argument("--from", dest="date_from", help="ngày đầu kỳ cho số liệu biến động, YYYY-MM-DD")
    indicators.add_argument("--to", dest="date_to", help="ngày cuối kỳ, YYYY-MM-DD")
    indicators.add_argument("--format", choices=("json", "xlsx", "pdf"), default="json")
    indicators.add_argument(
        "--children", action="store_true", help="kèm chỉ tiêu của từng tổ chức trực thuộc (JSON)"
    )
    indicators.add_argument("--output", help="tệp ghi ra (XLSX, PDF)")
    indicators.set_defaults(func=cmd_report_indicators)

    forms = report_sub.add_parser("forms", help="các biểu thống kê cơ bản (XLSX, PDF) và kiểm tra chéo")
    forms.add_argument("--org", help="mã tổ chức (mặc định: tổ chức cao nhất)")
    forms.add_argument("--as-of", required=True, help="ngày báo cáo, YYYY-MM-DD")
    forms.add_argument(
        "--from", dest="date_from", help="ngày đầu kỳ, YYYY-MM-DD (mặc định: 1/1 của năm báo cáo)"
    )
    forms.add_argument("--to", dest="date_to", help="ngày cuối kỳ, YYYY-MM-DD (mặc định: ngày báo cáo)")
    forms.add_argument("--format", choices=("xlsx", "pdf"), default="xlsx")
    forms.add_argument("--output", help="tệp ghi ra")
    forms.set_defaults(func=cmd_report_forms)

    check = sub.add_parser("check", help="kiểm tra tuân thủ quy định trên dữ liệu hiện có")
    check.add_argument("--org", help="mã tổ chức (mặc định: tổ chức cao nhất)")
    check.add_argument("--format", choices=("text", "json", "xlsx"), default="text")
    check.add_argument("--output", help="tệp ghi ra (XLSX)")
    check.add_argument(
        "--aggregates", action="store_true", help="so số liệu tổng hợp sẵn với đếm lại toàn bộ"
    )
    check.add_argument(
        "--repair", action="store_true", help="cùng --aggregates: ghi số đếm lại khi có sai khác"
    )
    check.set_defaults(func=cmd_check)
