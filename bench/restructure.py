"""Time and peak memory of applying the July 2025 commune merger to a large province.

Usage (the source database must hold a generated province, e.g. 500,000 members):

    DANGBO_DATABASE_URL=postgres://postgres@127.0.0.1:5432/dangbo_bench500 \\
        .venv/bin/dangbo demo --no-serve --members 500000        # once
    .venv/bin/python bench/restructure.py [--source dangbo_bench500] [--check]

The source is copied (``CREATE DATABASE ... TEMPLATE``) so it stays as generated; the
reform plan (``demo.reform``: new communes established, the old ones merged into them, the
districts' other organizations moved, the districts dissolved, effective 1/7/2025) is
written as CSV and applied by ``dangbo restructure apply`` in a child process, timed from
start to exit. ``--check`` then compares every pre-aggregated count with a recount.

Target (issue 6): the merger applied in 2 minutes or less on 500,000 members.
Results are appended to bench/results/restructure.md and restructure.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
SERVER = os.environ.get("DANGBO_BENCH_POSTGRES_SERVER", "postgres://postgres@127.0.0.1:5432")
TARGET_S = 120.0


def _admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(
        SERVER.replace("postgres://", "postgresql://", 1) + "/postgres", autocommit=True
    ) as db:
        db.execute(sql)


def _scalar(url: str, sql: str):
    import psycopg

    with psycopg.connect(url.replace("postgres://", "postgresql://", 1)) as db:
        return db.execute(sql).fetchone()[0]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--source", default="dangbo_bench500", help="the generated database to copy")
    parser.add_argument("--check", action="store_true", help="compare the counts with a recount afterwards")
    parser.add_argument("--keep", action="store_true", help="keep the restructured copy")
    parser.add_argument(
        "--note", default="", help="what changed since the last run (written with the result)"
    )
    args = parser.parse_args()
    copy = f"{args.source}_reform"
    url = f"{SERVER}/{copy}"
    print(f"Sao chép {args.source} → {copy} ...", flush=True)
    _admin(f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)')
    # copied file by file, not through the WAL (PostgreSQL 15's default would write the whole
    # copy to the WAL, and the checkpoint it forces would land at a random point of the timed
    # run); a checkpoint then starts every run from the same state
    _admin(f'CREATE DATABASE "{copy}" TEMPLATE "{args.source}" STRATEGY = FILE_COPY')
    env = dict(os.environ, DANGBO_DATABASE_URL=url, PYTHONPATH=str(ROOT / "src"))
    members = _scalar(url, "SELECT count(*) FROM members_member WHERE status IN ('full', 'probationary')")
    plan = ROOT / "var" / "bench-ke-hoach-sap-xep-2025.csv"
    plan.parent.mkdir(exist_ok=True)
    subprocess.run(
        [
            sys.executable,
            "-c",
            (
                "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'dangbo.settings'); django.setup();"
                "from dangbo.demo.profiles import LAO_CAI_2021; from dangbo.demo.reform import reform_plan_rows;"
                "from dangbo.restructuring.plans import write_plan_csv;"
                f"write_plan_csv(reform_plan_rows(LAO_CAI_2021), {str(plan)!r})"
            ),
        ],
        env=env,
        check=True,
    )
    _admin("CHECKPOINT")
    print(f"Áp dụng kế hoạch {plan.name} cho {members:,} đảng viên ...", flush=True)
    started = time.perf_counter()
    applied = subprocess.run(
        [sys.executable, "-m", "dangbo.cli", "restructure", "apply", str(plan)],
        env=env,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(applied.stdout[-1500:])
    if applied.returncode != 0:
        print(applied.stderr[-3000:], file=sys.stderr)
        raise SystemExit(f"the plan was not applied (exit {applied.returncode})")
    summary = applied.stdout.strip().splitlines()[-2]
    after = _scalar(url, "SELECT count(*) FROM members_member WHERE status IN ('full', 'probationary')")
    differences = None
    if args.check:
        checked = subprocess.run(
            [sys.executable, "-m", "dangbo.cli", "check", "--aggregates"],
            env=env,
            capture_output=True,
            text=True,
        )
        differences = checked.returncode
        print(checked.stdout[-800:])
    result = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "database": "PostgreSQL " + str(_scalar(url, "SHOW server_version")),
        "settings": f"shared_buffers={_scalar(url, 'SHOW shared_buffers')}, max_wal_size={_scalar(url, 'SHOW max_wal_size')}"
        + (
            f", wal_compression={_scalar(url, 'SHOW wal_compression')}"
            if _scalar(url, "SHOW wal_compression") != "off"
            else ""
        ),
        "members_before": members,
        "members_after": after,
        "seconds": round(seconds, 1),
        "peak_rss_mb": round(peak_mb),
        "target_s": TARGET_S,
        "met": seconds <= TARGET_S and members == after,
        "summary": summary,
        "aggregates_check_exit": differences,
        "commit": subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip(),
        "note": args.note,
    }
    if not args.keep:
        _admin(f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)')
    RESULTS.mkdir(exist_ok=True)
    history = (
        json.loads((RESULTS / "restructure.json").read_text())
        if (RESULTS / "restructure.json").exists()
        else []
    )
    history.append(result)
    (RESULTS / "restructure.json").write_text(json.dumps(history, ensure_ascii=False, indent=2) + "\n")
    lines = [
        "# Restructuring bench: the July 2025 commune merger",
        "",
        "Command: `.venv/bin/python bench/restructure.py [--check]` (see the module docstring).",
        f"Target: applied in {TARGET_S:.0f} s or less on 500,000 members; members before = after.",
        "",
        "| when | code | database | settings | members before → after | seconds | peak RSS (MB) | counts = recount | met | note |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in history:
        check = {None: "not run", 0: "yes"}.get(r["aggregates_check_exit"], "NO")
        lines.append(
            f"| {r['when']} | {r.get('commit', '')} | {r['database']} | {r.get('settings', 'defaults')} | "
            f"{r['members_before']:,} → {r['members_after']:,} | {r['seconds']} | "
            f"{r['peak_rss_mb']} | {check} | {'yes' if r['met'] else 'NO'} | {r.get('note', '')} |"
        )
    lines += ["", "Last run's summary line:", "", f"> {result['summary']}", ""]
    (RESULTS / "restructure.md").write_text("\n".join(lines))
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
