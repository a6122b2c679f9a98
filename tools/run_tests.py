"""`make test`: the whole suite on SQLite, then on PostgreSQL when one is reachable.

PostgreSQL is found at DANGBO_TEST_POSTGRES_URL (default
postgres://postgres@127.0.0.1:5432/test). With CI=true a missing PostgreSQL fails the
run instead of being skipped. Extra arguments go to pytest on both legs.

Each leg runs on several pytest-xdist workers: DANGBO_TEST_WORKERS of them, by default as
many as the CPUs this process may use, at most 4 (docs/testing.md). Arguments that choose
the workers themselves (``-n 0``, ``--numprocesses``, ``-p no:xdist``) or that need one
process (``--pdb``, ``--trace``) are left as given.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/test"
MAX_WORKERS = 4  # past this, the workers' start-up (Django, the test database) outweighs the gain


def workers() -> int:
    """How many xdist workers: DANGBO_TEST_WORKERS, or the usable CPUs up to MAX_WORKERS."""
    if os.environ.get("DANGBO_TEST_WORKERS", "").strip():
        return max(0, int(os.environ["DANGBO_TEST_WORKERS"]))
    try:
        cpus = len(os.sched_getaffinity(0))  # the CPUs this process may run on (containers, taskset)
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return min(cpus, MAX_WORKERS)


def xdist_args(args: list[str]) -> list[str]:
    """``-n N`` unless the arguments already decide the workers or need a single process."""
    chooses = any(
        a in ("-n", "--numprocesses", "--pdb", "--trace")
        or a.startswith(("--numprocesses=", "--pdb", "--trace"))
        or (a.startswith("-n") and a[2:].isalnum())  # -n0, -n2, -nauto
        for a in args
    )
    joined = " ".join(args)
    if chooses or "no:xdist" in joined:
        return []
    n = workers()
    return ["-n", str(n)] if n > 1 else []


def postgres_reachable(url: str) -> str | None:
    """None if PostgreSQL answers at ``url``, else the reason it does not."""
    try:
        import psycopg

        with psycopg.connect(url.replace("postgres://", "postgresql://", 1), connect_timeout=3) as conn:
            conn.execute("SELECT 1")
        return None
    except Exception as error:  # any failure means: not reachable
        return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


def run_leg(label: str, database_url: str, args: list[str], report: str) -> int:
    print(f"\n=== Bộ kiểm thử trên {label} ({database_url.split('@')[-1]}) ===", flush=True)
    env = dict(os.environ, DANGBO_DATABASE_URL=database_url)
    own_report = [] if any(a.startswith("--junit") for a in args) else [f"--junitxml={report}"]
    return subprocess.call([sys.executable, "-m", "pytest", *xdist_args(args), *own_report, *args], env=env)


def failures(report: str) -> list[str]:
    """The failed and erroring tests of a leg's JUnit report, a line each (empty if none or no report).

    Both legs print their own summary, but a CI log that keeps only its tail loses the first
    leg's; the end of the run repeats them.
    """
    try:
        root = ET.parse(report).getroot()
    except (OSError, ET.ParseError):
        return []
    lines = []
    for case in root.iter("testcase"):
        for outcome in ("failure", "error"):
            found = case.find(outcome)
            if found is not None:
                message = (found.get("message") or "").strip().splitlines()
                first = message[0][:200] if message else ""
                lines.append(f"{case.get('classname')}::{case.get('name')} ({outcome}): {first}")
    return lines


def report_failures(label: str, report: str, code: int) -> None:
    """Repeat a failed leg's failures at the end of the run (or its exit status, if none is listed)."""
    if not code:
        return
    lines = failures(report)
    print(f"\nKiểm thử lỗi trên {label} ({len(lines)}; mã thoát của pytest: {code}):")
    for line in lines:
        print(f"  {line}")


def main() -> int:
    args = sys.argv[1:]
    in_ci = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
    with tempfile.TemporaryDirectory(prefix="dangbo-test-") as tmp:
        os.environ.setdefault("DANGBO_VAR_DIR", tmp)
        sqlite_report, pg_report = f"{tmp}/sqlite.xml", f"{tmp}/postgresql.xml"
        sqlite_code = run_leg("SQLite", f"sqlite:///{tmp}/test.sqlite3", args, sqlite_report)
        pg_url = os.environ.get("DANGBO_TEST_POSTGRES_URL", DEFAULT_PG)
        reason = postgres_reachable(pg_url)
        if reason is not None:
            message = f"PostgreSQL không kết nối được tại {pg_url}: {reason}"
            if in_ci:
                report_failures("SQLite", sqlite_report, sqlite_code)
                print(f"\nLỖI: {message}. Trong CI, PostgreSQL là bắt buộc.", file=sys.stderr)
                return 1
            print(f"\nBỏ qua lượt PostgreSQL — {message}.")
            report_failures("SQLite", sqlite_report, sqlite_code)
            return sqlite_code
        pg_code = run_leg("PostgreSQL", pg_url, args, pg_report)
        report_failures("SQLite", sqlite_report, sqlite_code)
        report_failures("PostgreSQL", pg_report, pg_code)
    if sqlite_code or pg_code:
        print(
            f"\nKết quả: SQLite {'đạt' if not sqlite_code else 'LỖI'}, PostgreSQL {'đạt' if not pg_code else 'LỖI'}."
        )
    return 1 if (sqlite_code or pg_code) else 0


if __name__ == "__main__":
    sys.exit(main())
