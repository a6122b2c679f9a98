"""Where a restructuring plan spends its time: the slowest SQL statements and Python calls.

Usage (a preview: everything is rolled back, so the database can be profiled again):

    DANGBO_DATABASE_URL=postgres://postgres@127.0.0.1:5432/dangbo_bench500 \\
        .venv/bin/python bench/profile_plan.py var/bench-ke-hoach-sap-xep-2025.csv [--top 25]

``bench/restructure.py`` writes the reform plan it applies to ``var/``. Prints the total,
the time in SQL grouped by the statement's first 90 characters, and cProfile's cumulative
view of the Python side and the functions that spent the most time themselves.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangbo.settings")


def main() -> None:
    import django

    django.setup()
    from django.db import connection

    from dangbo.restructuring.plans import plan_run, read_plan

    parser = argparse.ArgumentParser()
    parser.add_argument("plan")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--save", help="write the cProfile statistics to this file (for pstats, snakeviz)")
    args = parser.parse_args()
    rows = read_plan(args.plan)
    spent: dict[str, list[float]] = defaultdict(lambda: [0.0, 0])

    def timer(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            entry = spent[" ".join(sql.split())[:90]]
            entry[0] += time.perf_counter() - started
            entry[1] += 1

    profiler = cProfile.Profile()
    started = time.perf_counter()
    with connection.execute_wrapper(timer):
        profiler.enable()
        report = plan_run(rows, apply=False)
        profiler.disable()
    total = time.perf_counter() - started
    sql = sum(s for s, _ in spent.values())
    print(
        f"total {total:.1f} s, SQL {sql:.1f} s in {sum(n for _, n in spent.values())} statements; "
        f"problems: {len(report.problems)}"
    )
    for text, (seconds, count) in sorted(spent.items(), key=lambda item: -item[1][0])[: args.top]:
        print(f"{seconds:8.2f} s {count:7d}×  {text}")
    stats = pstats.Stats(profiler)
    stats.sort_stats("cumulative").print_stats(args.top * 2)
    stats.sort_stats("tottime").print_stats(args.top)
    if args.save:
        stats.dump_stats(args.save)


if __name__ == "__main__":
    main()
