"""Server time of the pages that show counts of a subtree: the organization page, the tree, the
overview (home) and its to-do panel — read from the tallies and counted by SQL aggregates
(issue 24: «every page reads counts from the tallies or an index, never a scan that grows with
the members of a subtree»).

Usage (read-only on a database that already holds a generated province, e.g. 500,000 members):

    DANGBO_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench500k DANGBO_VAR_DIR=… \\
        .venv/bin/python bench/tally_reads.py [--requests N] [--slow-requests N] [--label TEXT]

To measure other code against the same data (the code before a change), export its ``src`` and
point ``BENCH_SRC`` at it: ``git archive <commit> src | tar -x -C /tmp/before`` then
``BENCH_SRC=/tmp/before/src … bench/tally_reads.py --label before``.

Each request goes through the whole Django stack in this process with Django's test client
(as ``bench/pages.py``), as the demo's ``lanhdao`` (leader of the province) and ``canbo``
(officer of one district). Pages change nothing but their audit rows and the session.
Results are appended to bench/results/tally_reads.md and tally_reads.json.
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
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
sys.path.insert(0, os.environ.get("BENCH_SRC") or str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangbo.settings")
os.environ.setdefault("DANGBO_REQUIRE_2FA", "0")  # the demo's accounts, as `dangbo demo` serves them

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

import dangbo  # noqa: E402
from dangbo.core import paths  # noqa: E402
from dangbo.core.kinds import OrgKind  # noqa: E402
from dangbo.members.models import ACTIVE_STATUSES, Member  # noqa: E402
from dangbo.orgs.models import Org  # noqa: E402


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def timed(client: Client, url: str) -> float:
    started = time.perf_counter()
    response = client.get(url, HTTP_HOST="127.0.0.1")
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}: {response.content[:500]!r}")
    return elapsed


def summarise(name: str, times: list[float]) -> dict:
    return {
        "case": name,
        "requests": len(times),
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(percentile(times, 0.95), 1),
        "max_ms": round(max(times), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=40, help="requests per fast case (default 40)")
    parser.add_argument(
        "--slow-requests", type=int, default=5, help="requests of the to-do panel of a scope root (default 5)"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--users", default="lanhdao,canbo")
    parser.add_argument("--label", default="", help="what code is measured (e.g. a commit)")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    print(f"code from {Path(dangbo.__file__).parent}", flush=True)

    User = get_user_model()
    members_total = Member.objects.filter(status__in=ACTIVE_STATUSES).count()
    top = Org.objects.filter(parent__isnull=True, dissolved_on__isnull=True).order_by("path").first()
    rows = []
    for username in args.users.split(","):
        user = User.objects.get(username=username)
        client = Client()
        client.force_login(user)
        root = top if username == "lanhdao" else Org.objects.get(pk=user.role_assignments.get().org_id)
        under = list(
            Org.objects.filter(paths.subtree_q(root.path), dissolved_on__isnull=True).only(
                "pk", "kind", "path"
            )
        )
        upper = [
            o for o in under if o.kind in (OrgKind.PROVINCE, OrgKind.UPPER, OrgKind.GRASSROOTS_COMMITTEE)
        ]
        size = Member.objects.filter(
            paths.subtree_q(root.path, "org_path"), status__in=ACTIVE_STATUSES
        ).count()
        cases = [
            (
                f"org page of the scope root ({root.code}, {size:,} members)",
                [f"/to-chuc/{root.pk}/"] * args.requests,
            ),
            (
                "org page of upper and grassroots committees",
                [f"/to-chuc/{rng.choice(upper).pk}/" for _ in range(args.requests)],
            ),
            ("tree (the scope's roots)", ["/to-chuc/"] * args.requests),
            ("overview (home)", ["/"] * args.requests),
            (
                "to-do panel of upper and grassroots committees",
                [f"/tong-quan/{rng.choice(upper).pk}/viec-can-lam/" for _ in range(args.requests)],
            ),
            ("to-do panel of the scope root", [f"/tong-quan/{root.pk}/viec-can-lam/"] * args.slow_requests),
        ]
        for name, urls in cases:
            timed(client, urls[0])  # warm the caches the way a running server has them warm
            times = [timed(client, url) for url in urls]
            row = {**summarise(f"{name} as {username}", times)}
            rows.append(row)
            print(
                f"{row['case']}: p50 {row['p50_ms']} ms, p95 {row['p95_ms']} ms, max {row['max_ms']} ms",
                flush=True,
            )

    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    engine = f"{connection.vendor} {connection.cursor().connection.info.server_version if connection.vendor == 'postgresql' else ''}".strip()
    RESULTS.mkdir(parents=True, exist_ok=True)
    with open(RESULTS / "tally_reads.md", "a", encoding="utf-8") as out:
        out.write(
            f"\n## {stamp} — {args.label or 'this code'} — {machine}, {engine}, {members_total:,} active members\n\n"
        )
        out.write("| case | requests | p50 (ms) | p95 (ms) | max (ms) |\n|---|---|---|---|---|\n")
        for row in rows:
            out.write(
                f"| {row['case']} | {row['requests']} | {row['p50_ms']} | {row['p95_ms']} | {row['max_ms']} |\n"
            )
    with open(RESULTS / "tally_reads.json", "a", encoding="utf-8") as out:
        record = {
            "at": stamp,
            "label": args.label,
            "machine": machine,
            "engine": engine,
            "members": members_total,
        }
        out.write(json.dumps({**record, "rows": rows}, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
