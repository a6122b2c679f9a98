"""Server time of the indicator dashboard on a large province, and the time of a full recount.

Usage (the database must already hold a generated province, e.g. 500,000 members):

    DANGBO_DATABASE_URL=postgres://postgres@127.0.0.1:5432/dangbo_bench500 \\
        .venv/bin/dangbo demo --no-serve --members 500000        # once, about 6 minutes
    DANGBO_DATABASE_URL=postgres://postgres@127.0.0.1:5432/dangbo_bench500 \\
        .venv/bin/python bench/dashboard.py [--requests N]

Each request goes through the whole Django stack in this process (middleware, session,
scope, the indicator registry, charts, template) with Django's test client, as the demo's
provincial leader (``lanhdao``), so the time is the server's time for the page without the
network. Subtrees of every level are drawn: the province, its districts, communes and
agencies, cells. Today's figures read the pre-aggregated counts; the bench also times a
past date (computed from the ledger's placements) and the full recount that
``dangbo check --aggregates`` runs.

Target (issue 5): the dashboard of any subtree in 50 ms or less (today's figures).
Results are appended to bench/results/dashboard.md and dashboard.json.
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
from datetime import UTC, date, datetime
from pathlib import Path

from dangbo.core import clock

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangbo.settings")
os.environ.setdefault("DANGBO_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/dangbo_bench500")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from dangbo.core.kinds import OrgKind  # noqa: E402
from dangbo.members.models import ACTIVE_STATUSES, Member  # noqa: E402
from dangbo.orgs.models import Org  # noqa: E402
from dangbo.stats.tallies import tally_differences, tally_rebuild  # noqa: E402

TARGET_MS = 50.0


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def timed(client: Client, url: str) -> float:
    started = time.perf_counter()
    response = client.get(url)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200, help="requests per case")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--past-requests", type=int, default=3)
    parser.add_argument("--skip-recount", action="store_true")
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = ["*"]
    rng = random.Random(args.seed)
    client = Client()
    client.force_login(get_user_model().objects.get(username="lanhdao"))
    province = Org.objects.get(parent__isnull=True)
    live = Org.objects.filter(dissolved_on__isnull=True)  # a dissolved one's dashboard is another page
    cases = {
        "province": [province],
        "district or agency bloc": list(live.filter(parent=province)),
        "grassroots": list(
            live.filter(kind__in=[OrgKind.GRASSROOTS_COMMITTEE, OrgKind.GRASSROOTS_CELL]).order_by("?")[:200]
        ),
        "cell": list(live.filter(kind=OrgKind.CELL).order_by("?")[:200]),
    }
    members = Member.objects.filter(status__in=ACTIVE_STATUSES).count()
    for orgs in cases.values():  # warm up: templates, connection, caches of the database
        timed(client, f"/to-chuc/{orgs[0].pk}/chi-tieu/")
    rows = []
    for name, orgs in cases.items():
        times = [timed(client, f"/to-chuc/{rng.choice(orgs).pk}/chi-tieu/") for _ in range(args.requests)]
        rows.append(
            {
                "case": name,
                "requests": len(times),
                "p50_ms": round(statistics.median(times), 1),
                "p95_ms": round(percentile(times, 0.95), 1),
                "max_ms": round(max(times), 1),
            }
        )
        print(rows[-1], flush=True)
    past = date(clock.today().year - 1, 12, 31).strftime("%d/%m/%Y")
    times = [
        timed(client, f"/to-chuc/{province.pk}/chi-tieu/?ngay={past}") for _ in range(args.past_requests)
    ]
    rows.append(
        {
            "case": f"province, past date {past} (from the ledger)",
            "requests": len(times),
            "p50_ms": round(statistics.median(times), 1),
            "p95_ms": round(percentile(times, 0.95), 1),
            "max_ms": round(max(times), 1),
        }
    )
    print(rows[-1], flush=True)
    recount = {}
    if not args.skip_recount:
        started = time.perf_counter()
        differences = tally_differences()
        recount["check_seconds"] = round(time.perf_counter() - started, 1)
        recount["differences"] = len(differences)
        run = tally_rebuild()
        recount["rebuild_seconds"] = round(run.seconds, 1)
        recount["rows"] = run.rows
        print(recount, flush=True)
    record = {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": connection.vendor,
        "members": members,
        "organizations": Org.objects.count(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "cases": rows,
        "recount": recount,
        "target_ms": TARGET_MS,
    }
    RESULTS.mkdir(exist_ok=True)
    history_file = RESULTS / "dashboard.json"
    history = json.loads(history_file.read_text()) if history_file.exists() else []
    history.append(record)
    history_file.write_text(json.dumps(history, ensure_ascii=False, indent=2) + "\n")
    lines = [
        f"\n## {record['at']} — {record['database']}, {members:,} members, {record['organizations']:,} organizations",
        "",
        "| case | requests | p50 ms | p95 ms | max ms |",
        "|---|---|---|---|---|",
        *(f"| {r['case']} | {r['requests']} | {r['p50_ms']} | {r['p95_ms']} | {r['max_ms']} |" for r in rows),
        "",
    ]
    if recount:
        lines.append(
            f"Full recount (`dangbo check --aggregates`): {recount['check_seconds']} s, {recount['differences']} differences; "
            f"rebuild: {recount['rebuild_seconds']} s for {recount['rows']:,} rows."
        )
    with (RESULTS / "dashboard.md").open("a") as out:
        if out.tell() == 0:
            out.write(
                "# Indicator dashboard at province scale\n\nRun: `.venv/bin/python bench/dashboard.py` "
                "(see its docstring). Target: the dashboard of any subtree in 50 ms or less.\n"
            )
        out.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
