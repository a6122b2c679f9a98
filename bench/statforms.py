"""Time of the province's basic statistical forms (biểu thống kê cơ bản): the page and its files.

Usage (from the repository; the default demo database, var/dangbo.sqlite3, is built first with
``dangbo demo --no-serve`` when it holds no province yet, a few minutes):

    .venv/bin/python bench/statforms.py [--runs N] [--cold N] [--label TEXT]

``DANGBO_DATABASE_URL`` selects another database (it must hold a generated province).

Cases, each the median of several runs:

* page, warm: ``GET /to-chuc/<province>/bieu-thong-ke/`` through the whole Django stack
  (middleware, session, scope, the forms computed, the template) with Django's test client, as
  the demo's provincial leader (``lanhdao``), after one warm-up request;
* page, cold: the first such request of a fresh process (templates not yet compiled, a new
  database connection); each run is a child process, and only its request is timed;
* the same page for the biggest district (the most direct children), warm;
* PDF and XLSX: the background job that writes the file (``stats.jobs.run_forms_file``: the
  forms computed, then written), run in this process as the worker runs it, without storing
  the file; with the split between computing the forms and writing the file.

Targets (issue 23): the province's page under 1 s, its PDF under 5 s, on the default demo.
Results are appended to bench/results/statforms.md (and statforms.json).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
os.chdir(ROOT)  # the default database is var/ under the working directory
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangbo.settings")
os.environ.setdefault(
    "DANGBO_REQUIRE_2FA", "0"
)  # as `dangbo demo` serves it: the demo's accounts sign in with a password

TARGETS = {"page": 1.0, "pdf": 5.0}
LEADER = "lanhdao"


def _ensure_demo() -> None:
    """Build the default demo when the database holds no province (a child process, so this
    process opens the finished database)."""
    import django

    django.setup()
    from django.db import connection

    from dangbo.orgs.models import Org

    try:
        has_province = Org.objects.filter(parent__isnull=True).exists()
    except Exception:  # no tables yet
        has_province = False
    connection.close()
    if not has_province:
        print(
            "No province in the database: building the default demo (dangbo demo --no-serve) ...", flush=True
        )
        subprocess.run([sys.executable, "-m", "dangbo.cli", "demo", "--no-serve"], check=True)


def _setup():
    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["*"]


def _client():
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(username=LEADER))
    return client


def _clock() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def _since(started: tuple[float, float]) -> tuple[float, float]:
    """(wall, CPU of this process) seconds since ``started``: on a shared machine the CPU time
    is the steadier figure (SQLite works inside this process, so its work is counted)."""
    wall, cpu = _clock()
    return wall - started[0], cpu - started[1]


def _get(client, url: str) -> tuple[tuple[float, float], int]:
    started = _clock()
    response = client.get(url)
    took = _since(started)
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    return took, len(response.content)


def _cold_child(url: str) -> None:
    """One fresh process: sign in, then time the first request of the page."""
    _setup()
    client = _client()
    took, _ = _get(client, url)
    print(json.dumps({"took": took}))


def _job_times(org, file_format: str, runs: int) -> dict:
    """The forms file written as the worker writes it: total, and the split computing/writing."""
    from django.contrib.auth import get_user_model

    from dangbo.jobs.registry import JobRun, actor_for
    from dangbo.stats import jobs

    user = get_user_model().objects.get(username=LEADER)
    params = jobs.forms_job_params(org=org, file_format=file_format, as_of=None, start=None, end=None)
    split: dict[str, list[float]] = {"compute": [], "write": []}
    real_build, real_write = jobs.build_forms, getattr(jobs, f"forms_{file_format}")

    def timed_build(frame):
        started = time.perf_counter()
        report = real_build(frame)
        split["compute"].append(time.perf_counter() - started)
        return report

    def timed_write(report, **kwargs):
        started = time.perf_counter()
        data = real_write(report, **kwargs)
        split["write"].append(time.perf_counter() - started)
        return data

    took, size = [], 0
    jobs.build_forms = timed_build
    setattr(jobs, f"forms_{file_format}", timed_write)
    try:
        for _ in range(runs):
            run = JobRun(
                job_id=None, owner=user, actor=actor_for(user), params=params, progress=lambda *a: None
            )
            started = _clock()
            outcome = jobs.run_forms_file(run)
            took.append(_since(started))
            size = len(outcome.file.getvalue())
    finally:
        jobs.build_forms = real_build
        setattr(jobs, f"forms_{file_format}", real_write)
    row = _row(f"province {file_format.upper()}, the job", took, size)
    row["compute_s"] = round(statistics.median(split["compute"]), 3)
    row["write_s"] = round(statistics.median(split["write"]), 3)
    return row


def _row(name: str, took: list[tuple[float, float]], size: int) -> dict:
    walls = [wall for wall, _ in took]
    return {
        "case": name,
        "runs": len(took),
        "median_s": round(statistics.median(walls), 3),
        "min_s": round(min(walls), 3),
        "max_s": round(max(walls), 3),
        "cpu_s": round(statistics.median([cpu for _, cpu in took]), 3),
        "bytes": size,
    }


def _split(row: dict) -> str:
    if "compute_s" not in row:
        return ""
    return f" (computing {row['compute_s']} s, writing {row['write_s']} s)"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5, help="runs per warm case and per file")
    parser.add_argument("--cold", type=int, default=5, help="fresh processes for the cold page")
    parser.add_argument("--label", default="", help="what this run measures (e.g. the commit)")
    parser.add_argument("--cold-child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.cold_child:
        _cold_child(args.cold_child)
        return
    _ensure_demo()
    _setup()
    from django.db import connection
    from django.db.models import Count

    from dangbo.members.models import ACTIVE_STATUSES, Member
    from dangbo.orgs.models import Org

    province = Org.objects.get(parent__isnull=True)
    district = (
        Org.objects.filter(parent=province, dissolved_on__isnull=True)
        .annotate(n_children=Count("children"))
        .order_by("-n_children", "code")
        .first()
    )
    page = f"/to-chuc/{province.pk}/bieu-thong-ke/"
    client = _client()
    rows = []
    load_before = os.getloadavg()[0]

    cold = []
    for _ in range(args.cold):
        child = subprocess.run(
            [sys.executable, __file__, "--cold-child", page], check=True, capture_output=True, text=True
        )
        cold.append(tuple(json.loads(child.stdout.strip().splitlines()[-1])["took"]))
    _, size = _get(client, page)  # warm-up
    warm = [_get(client, page)[0] for _ in range(args.runs)]
    rows.append(_row("province page, cold (first request of a process)", cold, size))
    rows.append(_row("province page, warm", warm, size))
    print(rows[-2], rows[-1], sep="\n", flush=True)
    if district is not None:
        url = f"/to-chuc/{district.pk}/bieu-thong-ke/"
        _, size = _get(client, url)
        times = [_get(client, url)[0] for _ in range(args.runs)]
        rows.append(_row(f"{district.name} page ({district.n_children} children), warm", times, size))
        print(rows[-1], flush=True)
    for file_format in ("pdf", "xlsx"):
        rows.append(_job_times(province, file_format, args.runs))
        print(rows[-1], flush=True)

    record = {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "label": args.label,
        "database": connection.vendor,
        "members": Member.objects.filter(status__in=ACTIVE_STATUSES).count(),
        "organizations": Org.objects.count(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "load": [round(load_before, 1), round(os.getloadavg()[0], 1)],
        "cases": rows,
        "targets_s": TARGETS,
    }
    RESULTS.mkdir(exist_ok=True)
    history_file = RESULTS / "statforms.json"
    history = json.loads(history_file.read_text()) if history_file.exists() else []
    history.append(record)
    history_file.write_text(json.dumps(history, ensure_ascii=False, indent=2) + "\n")
    kb = lambda n: f"{n / 1024:,.0f} KB"  # noqa: E731
    lines = [
        f"\n## {record['at']} — {args.label or 'run'}",
        "",
        f"{record['database']}, {record['members']:,} active members, {record['organizations']:,} organizations; "
        f"{record['machine']}; load average {record['load'][0]} before, {record['load'][1]} after.",
        "",
        "| case | runs | median s | min s | max s | CPU s (median) | size |",
        "|---|---|---|---|---|---|---|",
        *(
            f"| {r['case']}{_split(r)} | {r['runs']} | {r['median_s']} | {r['min_s']} | {r['max_s']} "
            f"| {r['cpu_s']} | {kb(r['bytes'])} |"
            for r in rows
        ),
        "",
    ]
    with (RESULTS / "statforms.md").open("a") as out:
        if out.tell() == 0:
            out.write(
                "# Statistical forms of the province: page and files\n\n"
                "Run: `.venv/bin/python bench/statforms.py --label TEXT` (see its docstring), on the default "
                "demo (`dangbo demo --no-serve`, SQLite in var/). Targets (issue 23): the province's page "
                "under 1 s, its PDF under 5 s.\n"
            )
        out.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
