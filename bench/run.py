"""`make bench`: time and peak memory of generating the demo province.

Runs `dangbo demo --no-serve --reset` in a child process for each case and writes the
figures to bench/results/demo_generation.md (and .json). Cases:
  sqlite-51k      default profile (51,000 members) on SQLite     target: <= 60 s
  postgres-51k    default profile on PostgreSQL
  postgres-500k   a 500,000-member province on PostgreSQL
PostgreSQL is taken from DANGBO_BENCH_POSTGRES_URL (default
postgres://postgres@127.0.0.1:5432/dangbo_bench; the database is created if missing).
Choose cases with arguments: `python bench/run.py sqlite-51k`.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PG_URL = os.environ.get("DANGBO_BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/dangbo_bench")
CASES = {
    "sqlite-51k": ("sqlite", 51_000),
    "postgres-51k": ("postgres", 51_000),
    "postgres-500k": ("postgres", 500_000),
}


def ensure_pg_database(url: str) -> None:
    import psycopg

    base, _, name = url.rpartition("/")
    with psycopg.connect(
        base.replace("postgres://", "postgresql://", 1) + "/postgres", autocommit=True
    ) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def run_case(name: str, engine: str, members: int, tmp: str) -> dict:
    env = dict(os.environ, DANGBO_VAR_DIR=tmp)
    if engine == "sqlite":
        env["DANGBO_DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    else:
        ensure_pg_database(PG_URL)
        env["DANGBO_DATABASE_URL"] = PG_URL
    command = [sys.executable, "-m", "dangbo.cli", "demo", "--no-serve", "--reset", "--members", str(members)]
    log_path = Path(tmp) / f"{name}.log"
    started = time.monotonic()
    with open(log_path, "w+", encoding="utf-8") as log:
        child = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, text=True)
        # wait4 gives this child's own rusage, so each case's peak is its own
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.monotonic() - started
        log.seek(0)
        output = log.read()
    if os.waitstatus_to_exitcode(status):
        print(output, file=sys.stderr)
        raise SystemExit(f"{name} failed")
    peak_kb = usage.ru_maxrss
    summary = next((line for line in output.splitlines() if line.startswith("Xong")), "")
    return {
        "case": name,
        "engine": engine,
        "members": members,
        "wall_seconds": round(seconds, 1),
        "peak_rss_mb": round(peak_kb / 1024),
        "summary": summary,
    }


def main() -> None:
    names = sys.argv[1:] or list(CASES)
    RESULTS.mkdir(parents=True, exist_ok=True)
    rows = []
    with tempfile.TemporaryDirectory(prefix="dangbo-bench-") as tmp:
        for name in names:
            engine, members = CASES[name]
            print(f"{name} ...", flush=True)
            row = run_case(name, engine, members, tmp)
            print(f"  {row['wall_seconds']} s, peak {row['peak_rss_mb']} MB", flush=True)
            rows.append(row)
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    with open(RESULTS / "demo_generation.md", "a", encoding="utf-8") as out:
        out.write(
            f"\n## {stamp} — {machine}\n\n| case | members | wall time (s) | peak RSS (MB) |\n|---|---|---|---|\n"
        )
        for row in rows:
            out.write(
                f"| {row['case']} | {row['members']:,} | {row['wall_seconds']} | {row['peak_rss_mb']} |\n"
            )
        for row in rows:
            out.write(f"\n{row['case']}: {row['summary']}\n")
    with open(RESULTS / "demo_generation.json", "a", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps({"at": stamp, **row}, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
