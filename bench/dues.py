"""Party dues at province scale (issue 20): the monthly collection book of a grassroots
organization and the province's summary.

Usage (PostgreSQL, a generated province of 500,000 members):

    DANGBO_DATABASE_URL=postgres://postgres@127.0.0.1:5432/dangbo_bench500 \\
        .venv/bin/dangbo demo --no-serve --members 500000        # once
    DANGBO_DATABASE_URL=postgres://postgres@127.0.0.1:5432/dangbo_bench500 \\
        .venv/bin/python bench/dues.py [--orgs 30] [--runs 3] [--summary-runs 10] [--results DIR]

When the database holds no dues yet (a province built before the demo had dues), the bench
first writes two years of dues for every member with the demo's writer
(``demo.dues.build_dues``: bases, reliefs, payments, and the monthly accounts derived in
memory, through COPY; one transaction), then ``VACUUM ANALYZE``. The history is kept: the next
run measures at once.

Then it measures, in this process (the server's time, without the network), for last month
(a whole month) as the system:

(a) ``dues.selectors.org_book`` — the collection book, every member of the organization's
    cells with what they owe, paid, the month's receipts and the year's arrears, audited — for
    ``--orgs`` grassroots organizations (the five largest and a seeded sample of the rest),
    ``--runs`` times each;
(b) ``dues.selectors.org_summary`` for the province (owed, paid, collected, kept and remitted
    by direct sub-organization), ``--summary-runs`` times; once for a district.
It also times one member's account (``member_account``) once, for the record.

Targets: (a) under 300 ms p95; (b) under 1 s. Results are appended to bench/results/dues.md
and dues.json (or ``--results DIR``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangbo.settings")
os.environ.setdefault("DANGBO_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/dangbo_bench500")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from dangbo.accounts.scope import SYSTEM  # noqa: E402
from dangbo.core import clock, paths  # noqa: E402
from dangbo.core.bulk import refresh_statistics  # noqa: E402
from dangbo.core.kinds import CELL_KINDS, GRASSROOTS_KINDS, OrgKind  # noqa: E402
from dangbo.demo.dues import DUES_TABLES, build_dues  # noqa: E402
from dangbo.dues.models import DuesMonth, DuesPayment  # noqa: E402
from dangbo.dues.selectors import member_account, org_book, org_summary  # noqa: E402
from dangbo.members.models import ACTIVE_STATUSES, Member  # noqa: E402
from dangbo.orgs.models import Org  # noqa: E402
from dangbo.rules.probation import add_months  # noqa: E402

TARGET_BOOK_MS = 300
TARGET_SUMMARY_MS = 1000


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def summary(name: str, times: list[float], **extra) -> dict:
    row = {
        "case": name,
        "runs": len(times),
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(percentile(times, 0.95), 1),
        "max_ms": round(max(times), 1),
        **extra,
    }
    print(row, flush=True)
    return row


def ensure_history(seed: int) -> dict:
    """Write the dues history if the database has none; what was written and how long it took."""
    if DuesMonth.objects.exists():
        return {}
    print("No dues yet: writing two years of dues for every member (demo.dues) ...", flush=True)
    started = time.perf_counter()
    built = build_dues(seed=seed, progress=lambda line: print(line, flush=True))
    write_seconds = time.perf_counter() - started
    started = time.perf_counter()
    refresh_statistics(DUES_TABLES)  # VACUUM ANALYZE, now that the load is committed
    return {
        **built.counts,
        "write_seconds": round(write_seconds, 1),
        "vacuum_seconds": round(time.perf_counter() - started, 1),
    }


def grassroots_sample(month, n: int, rng: random.Random) -> list[tuple[Org, int]]:
    """The five grassroots organizations with the most accounts in ``month`` and a sample of
    the rest, with their number of accounts."""
    grassroots = {
        o.path: o for o in Org.objects.filter(kind__in=list(GRASSROOTS_KINDS), dissolved_on__isnull=True)
    }
    cells = dict(Org.objects.filter(kind__in=list(CELL_KINDS)).values_list("id", "path"))
    sizes: Counter[str] = Counter()
    for org_id, rows in Counter(
        DuesMonth.objects.filter(month=month).values_list("org_id", flat=True)
    ).items():
        above = [p for p in paths.ancestor_paths(cells.get(org_id, "")) if p in grassroots]
        if above:
            sizes[above[-1]] += rows
    largest = [path for path, _ in sizes.most_common(5)]
    rest = sorted(set(sizes) - set(largest))
    chosen = largest + rng.sample(rest, min(len(rest), max(0, n - len(largest))))
    return [(grassroots[path], sizes[path]) for path in chosen]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orgs", type=int, default=30, help="grassroots organizations whose book is timed")
    parser.add_argument("--runs", type=int, default=3, help="times each book is read")
    parser.add_argument("--summary-runs", type=int, default=10)
    parser.add_argument("--seed", type=int, default=2021)
    parser.add_argument("--results", type=Path, default=ROOT / "bench" / "results")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    history = ensure_history(args.seed)
    month = add_months(clock.today().replace(day=1), -1)
    province = Org.objects.filter(parent__isnull=True).order_by("path").first()
    if province is None:
        sys.exit("No organization: build the province first (dangbo demo --no-serve).")
    cases, once = [], []

    sample = grassroots_sample(month, args.orgs, rng)
    times, lines = [], []
    for org, _ in sample:
        org_book(actor=SYSTEM, org=org, month=month)  # warm the connection and the caches once
        for _ in range(args.runs):
            started = time.perf_counter()
            book = org_book(actor=SYSTEM, org=org, month=month)
            times.append((time.perf_counter() - started) * 1000)
            lines.append(len(book.lines))
    if times:
        cases.append(
            summary(
                f"collection book of a grassroots organization ({len(sample)} organizations × {args.runs})",
                times,
                lines_max=max(lines),
                lines_median=statistics.median(lines),
                target_ms=TARGET_BOOK_MS,
            )
        )
        largest, accounts_in_month = sample[0]
        started = time.perf_counter()
        book = org_book(actor=SYSTEM, org=largest, month=month)
        once.append(
            {
                "case": f"book of the largest grassroots organization ({largest.code}, "
                f"{accounts_in_month:,} accounts in the month)",
                "ms": round((time.perf_counter() - started) * 1000, 1),
                "rows": len(book.lines),
            }
        )
        print(once[-1], flush=True)

    org_summary(actor=SYSTEM, org=province, month=month)
    times = []
    for _ in range(args.summary_runs):
        started = time.perf_counter()
        result = org_summary(actor=SYSTEM, org=province, month=month)
        times.append((time.perf_counter() - started) * 1000)
    cases.append(
        summary(
            "summary of the province",
            times,
            members=result.total.members,
            collected=result.total.collected,
            target_ms=TARGET_SUMMARY_MS,
        )
    )
    district = Org.objects.filter(parent=province, kind=OrgKind.UPPER).order_by("path").first()
    if district is not None:
        started = time.perf_counter()
        result = org_summary(actor=SYSTEM, org=district, month=month)
        once.append(
            {
                "case": f"summary of a district ({district.code})",
                "ms": round((time.perf_counter() - started) * 1000, 1),
                "rows": len(result.rows),
            }
        )
        print(once[-1], flush=True)
    member = Member.objects.filter(status__in=list(ACTIVE_STATUSES)).order_by("pk").first()
    if member is not None:
        started = time.perf_counter()
        account = member_account(actor=SYSTEM, member=member)
        once.append(
            {
                "case": "one member's account",
                "ms": round((time.perf_counter() - started) * 1000, 1),
                "rows": len(account.months),
            }
        )
        print(once[-1], flush=True)

    record = {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": connection.vendor,
        "month": f"{month:%Y-%m}",
        "members": Member.objects.filter(status__in=ACTIVE_STATUSES).count(),
        "organizations": Org.objects.count(),
        "months": DuesMonth.objects.count(),
        "payments": DuesPayment.objects.count(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "history": history,
        "cases": cases,
        "once": once,
    }
    write_results(record, args.results)


def write_results(record: dict, results: Path) -> None:
    results.mkdir(parents=True, exist_ok=True)
    history_file = results / "dues.json"
    past = json.loads(history_file.read_text()) if history_file.exists() else []
    past.append(record)
    history_file.write_text(json.dumps(past, ensure_ascii=False, indent=2, default=str) + "\n")
    lines = [
        f"\n## {record['at']} — {record['database']}, {record['members']:,} members, "
        f"{record['months']:,} monthly accounts, {record['payments']:,} payments; month {record['month']}",
        "",
        f"Machine: {record['machine']}.",
        "",
    ]
    if record["history"]:
        h = record["history"]
        lines += [
            f"Dues history written (demo.dues): {h.get('members', 0):,} members, {h.get('payments', 0):,} "
            f"payments, {h.get('months', 0):,} monthly accounts, {h.get('reliefs', 0):,} reliefs in "
            f"{h['write_seconds']} s; VACUUM ANALYZE {h['vacuum_seconds']} s.",
            "",
        ]
    lines += [
        "| case | runs | p50 ms | p95 ms | max ms | target ms |",
        "|---|---|---|---|---|---|",
        *(
            f"| {r['case']} | {r['runs']} | {r['p50_ms']} | {r['p95_ms']} | {r['max_ms']} | {r['target_ms']} |"
            for r in record["cases"]
        ),
        "",
        "| once | ms | rows |",
        "|---|---|---|",
        *(f"| {r['case']} | {r['ms']} | {r['rows']} |" for r in record["once"]),
        "",
    ]
    with (results / "dues.md").open("a") as out:
        if out.tell() == 0:
            out.write(
                "# Party dues at province scale\n\nRun: `.venv/bin/python bench/dues.py` (see its docstring). "
                "Targets: the collection book of a grassroots organization under 300 ms p95; the province's "
                "summary under 1 s.\n"
            )
        out.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
