"""`dangbo restructure preview|apply PLAN`: a restructuring plan from the command line.

``preview`` applies the plan in a transaction and rolls it back, printing what each row
does and every problem; ``apply`` does the same and commits only when there is none.
Exit status: 0 done (or a clean preview), 1 the plan is rejected (nothing applied),
2 the file cannot be read.
"""

from __future__ import annotations

import argparse
import sys

from dangbo.core.formats import format_number as n
from dangbo.core.setup import django_setup as _setup


def describe(report) -> list[str]:
    """The report as lines for a terminal (also what ``dangbo demo --reform-2025`` prints)."""
    lines = []
    for step in report.steps:
        where = "dòng " + ", ".join(str(r) for r in step.rows)
        if step.outcome is None:
            lines.append(f"  ✗ {where}: {step.title}")
            continue
        o = step.outcome
        counts = []
        if o.organizations:
            counts.append(f"{n(o.organizations)} tổ chức")
        if o.members_rehomed:
            counts.append(f"{n(o.members_rehomed)} đảng viên chuyển tổ chức")
        if o.members_under:
            counts.append(f"{n(o.members_under)} đảng viên theo chi bộ")
        if o.localities:
            counts.append(f"{n(o.localities)} thôn, tổ dân phố")
        lines.append(f"  ✓ {where}: {o.title}" + (f" ({', '.join(counts)})" if counts else ""))
    totals = report.totals()
    lines.append(
        f"Tổng: {n(totals['operations'])} thao tác; {n(totals['organizations'])} tổ chức; "
        f"{n(totals['members_rehomed'])} đảng viên chuyển tổ chức, {n(totals['members_under'])} đảng viên theo chi bộ; "
        f"{n(totals['localities'])} thôn, tổ dân phố. Đảng viên trước: {n(report.members_before)}, sau: {n(report.members_after)}."
    )
    if report.problems:
        lines.append(f"Kế hoạch bị từ chối, không áp dụng thay đổi nào. {len(report.problems)} vấn đề:")
        for where, violation in report.problems:
            lines.append(f"  - {where}: {violation.message} ({violation.citation})")
    return lines


def cmd_restructure(args: argparse.Namespace) -> int:
    _setup()
    # after django.setup(): the root ``dangbo`` command imports this module to build its
    # parser before Django is set up, and the plans load models
    from dangbo.core.snapshot import sqlite_snapshot
    from dangbo.restructuring.plans import PlanError, plan_refresh_statistics, plan_run, read_plan

    try:
        rows = read_plan(args.plan)
    except PlanError as error:
        print(f"Lỗi: {error}", file=sys.stderr)
        return 2
    apply = args.restructure_command == "apply"

    def progress(index, total, step):
        if total >= 20 and (index % max(1, total // 10) == 0 or index == total):
            print(f"  ... {index}/{total} thao tác", file=sys.stderr, flush=True)

    if apply:
        report = plan_run(rows, apply=True, progress=progress)
        plan_refresh_statistics(report)  # committed: at once
    else:
        with sqlite_snapshot():  # on SQLite, on a copy: a preview holds no lock on the database
            report = plan_run(rows, apply=False, progress=progress)
    for line in describe(report):
        print(line)
    if not report.ok:
        return 1
    print(
        "Đã áp dụng kế hoạch."
        if report.applied
        else "Xem trước: kế hoạch hợp lệ; chưa áp dụng (dùng «dangbo restructure apply»)."
    )
    return 0


def add_parsers(sub) -> None:
    restructure = sub.add_parser(
        "restructure", help="sắp xếp tổ chức theo kế hoạch (CSV, XLSX): xem trước hoặc áp dụng"
    )
    restructure_sub = restructure.add_subparsers(dest="restructure_command", required=True)
    for name, help_text in (
        ("preview", "xem trước: làm thử rồi hoàn tác, liệt kê mọi vấn đề"),
        ("apply", "áp dụng toàn bộ, hoặc không áp dụng gì nếu có vấn đề"),
    ):
        command = restructure_sub.add_parser(name, help=help_text)
        command.add_argument("plan", help="tệp kế hoạch .csv hoặc .xlsx")
        command.set_defaults(func=cmd_restructure)
