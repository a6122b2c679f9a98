"""Issue 24, password hashing: what one Argon2 hash costs on this machine, and what several at
once do to the rest of the server.

    .venv/bin/python bench/hashing.py            # writes bench/results/hashing.md (and .json)

For each set of parameters (Django's default, the ones dangbo uses, and alternatives), in a fresh
child process each:
- wall time and CPU time of one hash (median of ``ROUNDS``), one at a time;
- the process's peak memory (``ru_maxrss``) before and after hashing;
- K hashes at once in K threads (argon2-cffi releases the GIL), for K = 1, 2, 4, 8: the wall
  time of each, and the delay of a "page" meanwhile (a thread doing 20 ms of Python work in a
  loop, its median and worst time compared with the same work on an idle machine).
"""

from __future__ import annotations

import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
ROUNDS = 9
# (name, time_cost, memory_cost KiB, parallelism)
CASES = [
    ("django-default", 2, 102_400, 8),
    ("t2-m46M-p1 (dangbo)", 2, 47_104, 1),
    ("t1-m46M-p1 (OWASP)", 1, 47_104, 1),
    ("t2-m19M-p1 (OWASP minimum)", 2, 19_456, 1),
]
CONCURRENCY = [1, 2, 4, 8]
PAGE_WORK_S = 0.020


def _page_latencies(stop: threading.Event) -> list[float]:
    """Repeated 'page' requests of a fixed amount of work while ``stop`` is unset."""
    # calibrate a fixed amount of work: the number of loops that take PAGE_WORK_S when idle
    times = []
    while not stop.is_set():
        started = time.perf_counter()
        for _ in range(_LOOPS):
            sum(range(200))
        times.append(time.perf_counter() - started)
    return times


_LOOPS = 0


def _calibrate() -> float:
    global _LOOPS
    loops, started = 0, time.perf_counter()
    while time.perf_counter() - started < PAGE_WORK_S:
        sum(range(200))
        loops += 1
    _LOOPS = loops
    runs = []
    for _ in range(15):
        t = time.perf_counter()
        for _ in range(_LOOPS):
            sum(range(200))
        runs.append(time.perf_counter() - t)
    return statistics.median(runs)


def _concurrent(hasher, k: int) -> dict:
    """``k`` hashes at once, each in its thread, while a 'page' thread works beside them."""
    stop = threading.Event()
    pages: list[float] = []
    each: list[float] = []
    page = threading.Thread(target=lambda: pages.extend(_page_latencies(stop)))

    def one(n: int) -> None:
        t = time.perf_counter()
        hasher.hash(f"dong-thoi-{n}")
        each.append(time.perf_counter() - t)

    threads = [threading.Thread(target=one, args=(n,)) for n in range(k)]
    page.start()
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    total = time.perf_counter() - started
    stop.set()
    page.join()
    return {
        "total_s": total,
        "median_each_s": statistics.median(each),
        "page_median_s": statistics.median(pages) if pages else None,
        "page_max_s": max(pages) if pages else None,
    }


def child(time_cost: int, memory_cost: int, parallelism: int) -> dict:
    from argon2 import PasswordHasher

    hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    walls, cpus = [], []
    encoded = ""
    for n in range(ROUNDS):
        wall, cpu = time.perf_counter(), time.process_time()
        encoded = hasher.hash(f"mat-khau-thu-{n}")
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    verify = time.perf_counter()
    hasher.verify(encoded, f"mat-khau-thu-{ROUNDS - 1}")
    verify_s = time.perf_counter() - verify
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    idle_page = _calibrate()
    concurrent = {k: _concurrent(hasher, k) for k in CONCURRENCY}
    return {
        "hash_median_s": statistics.median(walls),
        "hash_cpu_median_s": statistics.median(cpus),
        "verify_s": verify_s,
        "maxrss_before_mb": rss_before / 1024,
        "maxrss_after_mb": rss_after / 1024,
        "idle_page_s": idle_page,
        "concurrent": concurrent,
    }


def main() -> int:
    if len(sys.argv) == 5 and sys.argv[1] == "--child":
        print(json.dumps(child(*map(int, sys.argv[2:]))))
        return 0
    results = []
    for name, t, m, p in CASES:
        out = subprocess.run(
            [sys.executable, __file__, "--child", str(t), str(m), str(p)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        figures = json.loads(out)
        results.append({"name": name, "time_cost": t, "memory_cost_kib": m, "parallelism": p, **figures})
        print(name, json.dumps(figures), flush=True)
    RESULTS.mkdir(exist_ok=True)
    meta = {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "load": " ".join(f"{x:.1f}" for x in os.getloadavg()),
    }
    (RESULTS / "hashing.json").write_text(json.dumps({**meta, "cases": results}, indent=1) + "\n")
    (RESULTS / "hashing.md").write_text(markdown(meta, results))
    return 0


def _ms(seconds: float | None) -> str:
    return "–" if seconds is None else f"{seconds * 1000:,.0f} ms"


def markdown(meta: dict, results: list[dict]) -> str:
    lines = [
        "# Password hashing (issue 24)",
        "",
        f"Command: `.venv/bin/python bench/hashing.py`. Machine: {meta['machine']}, {meta['at']},",
        f"load average before the run {meta['load']}. Each case runs in a fresh process.",
        "",
        "## One hash at a time",
        "",
        "| parameters | time_cost | memory | parallelism | hash (wall) | hash (CPU, all threads) | verify "
        "| peak memory of the process |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r['name']} | {r['time_cost']} | {r['memory_cost_kib'] // 1024} MiB | {r['parallelism']} "
            f"| {_ms(r['hash_median_s'])} | {_ms(r['hash_cpu_median_s'])} | {_ms(r['verify_s'])} "
            f"| {r['maxrss_after_mb']:.0f} MB ({r['maxrss_before_mb']:.0f} MB before) |"
        )
    lines += [
        "",
        "## Several at once",
        "",
        "K hashes started together in K threads; beside them a 'page' thread repeats a fixed piece of",
        "Python work that takes the idle time shown when nothing else runs.",
        "",
        "| parameters | K | all K done | each (median) | page work, idle | page work meanwhile (median / worst) |",
        "|---|---|---|---|---|---|",
    ]
    for r in results:
        for k, c in r["concurrent"].items():
            lines.append(
                f"| {r['name']} | {k} | {_ms(c['total_s'])} | {_ms(c['median_each_s'])} "
                f"| {_ms(r['idle_page_s'])} | {_ms(c['page_median_s'])} / {_ms(c['page_max_s'])} |"
            )
    lines += [
        "",
        "## What dangbo uses, and why",
        "",
        "Argon2id, time_cost 2, 46 MiB, one lane (`accounts.hashers.BoundedArgon2PasswordHasher`), at most",
        "`DANGBO_HASH_CONCURRENCY` hashes at once per process (default: half the cores, at least one).",
        "",
        "- Django's default (100 MiB, 8 lanes, which libargon2 may compute in parallel threads) costs 2.6 times",
        "  the CPU of ours and twice the memory: 8 sign-ins at once need 800 MiB. One lane keeps a hash on",
        "  one core, so with the bound at 1 the other core serves pages.",
        "- 46 MiB is OWASP's first recommended memory for Argon2id (with time_cost 1); time_cost 2 doubles",
        "  the attacker's cost for the same memory, for about 80 ms of CPU per hash here (the wall times are",
        "  longer: the machine was shared). 19 MiB (OWASP's minimum) would be cheaper still, but a sign-in is",
        "  rare and the bound already protects the pages; a slower hash only lengthens a sign-in storm's queue.",
        "- The rows 'several at once' show why the bound is needed: K hashes at once take about K/2 times",
        "  as long each or more on 2 cores (they share the cores), and the page work beside them slows down.",
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    raise SystemExit(main())
