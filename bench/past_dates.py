"""The indicator page of a subtree today and on past dates, and the stock counts alone (issue 24:
"past-date reports within 1.5× of today's").

Usage (a generated province in the database, e.g. the default demo in var/ or the 500,000-member
PostgreSQL bench; the page views write their audit rows and a session, nothing else):

    DANGBO_VAR_DIR=var .venv/bin/python bench/past_dates.py [--runs 5] [--label TEXT]
    DANGBO_DATABASE_URL=postgres://... .venv/bin/python bench/past_dates.py

Each page goes through the whole Django stack in this process with Django's test client, as the
demo's provincial leader (``lanhdao``). Wall-clock and CPU time of this process are both given:
on a shared machine the wall clock stretches with the load, the CPU time (which on SQLite includes
the database's work) does not. Cases: the province's page today; on 31/12 of last year; on the
last day of last month (a period that no restructuring crosses); and the stock counts of the
province and its children alone (``stats.figures.stocks``) on those days. Results are appended to
bench/results/past_dates.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangbo.settings")
os.environ.setdefault("DANGBO_REQUIRE_2FA", "0")  # the demo's accounts sign in with a password

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from dangbo.core import clock  # noqa: E402
from dangbo.members.models import ACTIVE_STATUSES, Member  # noqa: E402
from dangbo.orgs.models import Org  # noqa: E402
from dangbo.stats import figures  # noqa: E402
from dangbo.stats.frames import frame_for  # noqa: E402


def measure(action, runs: int) -> dict:
    action()  # warm: templates, caches of the database
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        action()
        walls.append((time.perf_counter() - wall) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    return {"wall_ms": round(statistics.median(walls)), "cpu_ms": round(statistics.median(cpus))}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--label", default="")
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = ["*"]
    client = Client()
    client.force_login(get_user_model().objects.get(username="lanhdao"))
    province = Org.objects.get(parent__isnull=True)
    children = list(Org.objects.filter(parent=province, dissolved_on__isnull=True))
    today = clock.today()
    days = {
        "today": None,
        "31/12 of last year": date(today.year - 1, 12, 31),
        "end of last month": today.replace(day=1) - timedelta(days=1),
    }

    def page(day):
        url = f"/to-chuc/{province.pk}/chi-tieu/" + (f"?ngay={day:%d/%m/%Y}" if day else "")

        def get():
            response = client.get(url)
            if response.status_code != 200:
                raise SystemExit(f"{url} answered {response.status_code}")

        return get

    def stocks(day):
        return lambda: figures.stocks(frame_for(root=province, as_of=day), [province, *children])

    rows = []
    for name, day in days.items():
        for what, action in (("page", page(day)), ("stocks", stocks(day))):
            result = {
                "case": f"{what}, {name}" + (f" ({day:%d/%m/%Y})" if day else ""),
                **measure(action, args.runs),
            }
            rows.append(result)
            print(result, flush=True)
    base = {r["case"].split(",")[0]: r for r in rows if r["case"].endswith("today")}
    members = Member.objects.filter(status__in=ACTIVE_STATUSES).count()
    load = os.getloadavg()[0]
    lines = [
        f"\n## {datetime.now(UTC).isoformat(timespec='seconds')} — {connection.vendor}, {members:,} members"
        + (f" — {args.label}" if args.label else ""),
        "",
        f"{platform.machine()}, {os.cpu_count()} cores; load average {load:.1f}; median of {args.runs} runs.",
        "",
        "| case | wall ms | CPU ms | CPU × today's |",
        "|---|---|---|---|",
    ]
    for r in rows:
        today_cpu = base[r["case"].split(",")[0]]["cpu_ms"] or 1
        lines.append(f"| {r['case']} | {r['wall_ms']} | {r['cpu_ms']} | {r['cpu_ms'] / today_cpu:.2f} |")
    RESULTS.mkdir(exist_ok=True)
    with (RESULTS / "past_dates.md").open("a") as out:
        if out.tell() == 0:
            out.write(
                "# Indicator page on past dates\n\nRun: `.venv/bin/python bench/past_dates.py` (see its "
                "docstring). Target (issue 24): a past date's report within 1.5× of today's.\n"
            )
        out.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
