"""CPU time of the pages the load test weighs most (issue 24): the indicator dashboard of the
province, of its largest bloc and of a grassroots organization, and member searches for a rare
and a common name; and the province's to-do page and the overview's to-do panel — each through
the whole Django stack in this process (Django's test client, as the demo's provincial leader
``lanhdao``).

Usage (a generated province in the database; the page views write their audit rows, nothing else):

    DANGBO_VAR_DIR=var .venv/bin/python bench/page_cpu.py [--runs 7] [--label TEXT]

CPU time (``time.process_time``; on SQLite it includes the database's own work, on PostgreSQL it
does not) is what a page costs the two cores whatever else runs on the machine; the wall clock
stretches with the load and is given beside it. Run it on two versions of the code against the
same database to compare them (e.g. from a ``git worktree`` of the older commit with
``PYTHONPATH=src``). Results are appended to bench/results/page_cpu.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from past_dates import measure  # noqa: E402  (sets Django up as this bench needs it)

from dangbo.members.models import ACTIVE_STATUSES, Member  # noqa: E402
from dangbo.orgs.models import Org  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--label", default="")
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = ["*"]
    client = Client()
    client.force_login(get_user_model().objects.get(username="lanhdao"))
    province = Org.objects.filter(parent__isnull=True).order_by("path").first()
    if province is None:
        sys.exit("No organization: build the province first (dangbo demo --no-serve).")
    live = Org.objects.filter(dissolved_on__isnull=True)
    largest = max(live.filter(parent=province), key=lambda org: live.filter(parent=org).count())
    grassroots = live.filter(parent=largest).order_by("path").first() or largest
    pages = {
        "dashboard, province": f"/to-chuc/{province.pk}/chi-tieu/",
        f"dashboard, {largest.name} ({live.filter(parent=largest).count()} children)": (
            f"/to-chuc/{largest.pk}/chi-tieu/"
        ),
        f"dashboard, {grassroots.name}": f"/to-chuc/{grassroots.pk}/chi-tieu/",
        "search, a rare name («nguyen van duc»)": "/dang-vien/?q=nguyen+van+duc",
        "search, a common name («nguyen»)": "/dang-vien/?q=nguyen",
        # not in the load test's mix, but a leader's daily page: the province's to-do page (counted
        # by child) and the overview's to-do panel (counted by kind)
        "to-do page, province": "/viec-can-lam/",
        "overview's to-do panel, province": f"/tong-quan/{province.pk}/viec-can-lam/",
    }

    def get(url):
        def action():
            response = client.get(url)
            if response.status_code != 200:
                raise SystemExit(f"{url} answered {response.status_code}")

        return action

    rows = []
    for name, url in pages.items():
        result = {"case": name, **measure(get(url), args.runs)}
        rows.append(result)
        print(result, flush=True)
    members = Member.objects.filter(status__in=ACTIVE_STATUSES).count()
    lines = [
        f"\n## {datetime.now(UTC).isoformat(timespec='seconds')} — {connection.vendor}, {members:,} members"
        + (f" — {args.label}" if args.label else ""),
        "",
        f"{platform.machine()}, {os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f}; "
        f"median of {args.runs} runs.",
        "",
        "| page | CPU ms | wall ms |",
        "|---|---|---|",
        *(f"| {r['case']} | {r['cpu_ms']} | {r['wall_ms']} |" for r in rows),
    ]
    RESULTS.mkdir(exist_ok=True)
    with (RESULTS / "page_cpu.md").open("a") as out:
        if out.tell() == 0:
            out.write(
                "# CPU time of the load test's heaviest pages\n\nRun: `.venv/bin/python bench/page_cpu.py` "
                "(see its docstring). CPU time is what a page costs the machine whatever else runs on it.\n"
            )
        out.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
