"""Time and peak memory of `dangbo check --aggregates` (issue 24: under 1 GB whatever the size).

Usage (the database must hold a generated province; the check only reads):

    DANGBO_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench500k \\
        .venv/bin/python bench/aggregates.py [--tallies-only]
    DANGBO_VAR_DIR=var .venv/bin/python bench/aggregates.py          # SQLite

Runs the command in a child process and samples its /proc status every 0.2 s: the peak
resident set (what `/usr/bin/time -v` calls "Maximum resident set size") and the peak
anonymous resident set. On SQLite the two differ by the database file's pages that its memory
map (PRAGMA mmap_size, 1 GB) brings in: shared, dropped by the kernel when memory is short,
not the process's own. ``--tallies-only`` times the pre-aggregated counts' part alone
(``stats.tallies.tally_differences``), without the dues accounts and sums the command also
checks. Prints one line; the figures are written by hand to bench/results/aggregates.md.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

TALLIES_ONLY = (
    "import time; from dangbo.core.setup import django_setup; django_setup(); "
    "from dangbo.stats.tallies import tally_differences; t = time.perf_counter(); "
    "d = tally_differences(); print(f'{len(d)} differences in {time.perf_counter() - t:.1f} s')"
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tallies-only", action="store_true")
    args = parser.parse_args()
    command = (
        [sys.executable, "-c", TALLIES_ONLY]
        if args.tallies_only
        else [sys.executable, "-m", "dangbo.cli", "check", "--aggregates"]
    )
    started = time.perf_counter()
    child = subprocess.Popen(command, cwd=ROOT)
    peak_rss = peak_anon = 0
    while child.poll() is None:
        try:
            with open(f"/proc/{child.pid}/status") as status:
                for line in status:
                    if line.startswith("VmRSS"):
                        peak_rss = max(peak_rss, int(line.split()[1]))
                    elif line.startswith("RssAnon"):
                        peak_anon = max(peak_anon, int(line.split()[1]))
        except FileNotFoundError:
            pass
        time.sleep(0.2)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(
        f"exit {child.returncode}; wall {time.perf_counter() - started:.1f} s; "
        f"CPU {usage.ru_utime + usage.ru_stime:.1f} s; max RSS {usage.ru_maxrss / 1024:.0f} MB; "
        f"peak anonymous RSS (sampled) {peak_anon / 1024:.0f} MB; peak RSS (sampled) {peak_rss / 1024:.0f} MB"
    )


if __name__ == "__main__":
    main()
