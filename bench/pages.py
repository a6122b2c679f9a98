"""Server time of the member search and the organization page on a large province.

Usage (the database must already hold a generated province, e.g. 500,000 members):

    DANGBO_DATABASE_URL=postgres://postgres@127.0.0.1:5432/dangbo_bench500 \\
        .venv/bin/dangbo demo --no-serve --members 500000        # once, about 13 minutes
    DANGBO_DATABASE_URL=postgres://postgres@127.0.0.1:5432/dangbo_bench500 \\
        .venv/bin/python bench/pages.py [--requests N] [--seed S]

Each request goes through the whole Django stack in this process (middleware, session,
scope, selectors, audit row, template) with Django's test client, so the time measured is
the server's time for the page, without the network. The demo's own accounts are used:
``lanhdao`` (leader of the whole province: the widest scope) and ``canbo`` (officer of one
district). Queries are drawn from the data: real names typed without accents (whole names,
given names alone, family + given name), card numbers, national IDs, and filter
combinations; organization pages of every kind, the province's own included.

Targets (issue 3): member search p95 <= 100 ms, organization page p95 <= 150 ms.
Results are appended to bench/results/pages.md and pages.json.
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
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangbo.settings")
os.environ.setdefault("DANGBO_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/dangbo_bench500")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from dangbo.core import paths, text  # noqa: E402
from dangbo.core.kinds import OrgKind  # noqa: E402
from dangbo.members.models import ACTIVE_STATUSES, Member  # noqa: E402
from dangbo.orgs.models import Org  # noqa: E402

TARGETS = {"search": 100.0, "org_page": 150.0}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def sample_members(rng: random.Random, scope_path: str, n: int) -> list[Member]:
    """``n`` random active members under ``scope_path`` (by a random offset into an index range)."""
    base = Member.objects.filter(
        paths.subtree_q(scope_path, "org_path"), status__in=ACTIVE_STATUSES
    ).order_by("sort_key")
    total = base.count()
    return [base[rng.randrange(total)] for _ in range(n)]


def search_urls(rng: random.Random, members: list[Member], orgs: list[Org]) -> list[tuple[str, str]]:
    """(kind of query, URL) pairs, drawn from real rows."""
    urls = []
    for m in members:
        family_given = f"{m.family_name} {m.given_name}"
        choice = rng.choice(
            [
                "full_name",
                "given_name",
                "family_given",
                "card",
                "national_id",
                "filters",
                "org_filter",
                "list_page",
            ]
        )
        if choice == "full_name":
            params = {"q": text.fold(m.full_name)}
        elif choice == "given_name":
            params = {"q": text.fold(m.given_name)}
        elif choice == "family_given":
            params = {"q": text.fold(family_given)}
        elif choice == "card" and m.card_number:
            params = {"q": m.card_number}
        elif choice == "national_id" and m.national_id:
            params = {"q": m.national_id}
        elif choice == "filters":
            params = {
                "gender": m.gender,
                "ethnicity": m.ethnicity_id,
                "age_min": rng.randint(25, 45),
                "age_max": rng.randint(50, 70),
            }
        elif choice == "org_filter":
            params = {"org": str(rng.choice(orgs).pk), "q": text.fold(m.given_name)}
        else:
            choice = "list_page"
            params = {"org": str(rng.choice(orgs).pk), "trang": rng.randint(1, 20)}
        urls.append((choice, "/dang-vien/?" + urlencode(params)))
    return urls


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
    parser.add_argument("--requests", type=int, default=400, help="requests per case (default 400)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--users", default="lanhdao,canbo", help="demo accounts to run as (default lanhdao,canbo)"
    )
    args = parser.parse_args()
    rng = random.Random(args.seed)

    User = get_user_model()
    members_total = Member.objects.filter(status__in=ACTIVE_STATUSES).count()
    top = Org.objects.filter(parent__isnull=True).order_by("path").first()
    rows = []
    for username in args.users.split(","):
        user = User.objects.get(username=username)
        client = Client()
        client.force_login(user)
        scope_root = top if username == "lanhdao" else Org.objects.get(pk=user.role_assignments.get().org_id)
        under = list(
            Org.objects.filter(paths.subtree_q(scope_root.path), dissolved_on__isnull=True).only(
                "pk", "kind", "path"
            )
        )
        upper = [o for o in under if o.kind in (OrgKind.PROVINCE, OrgKind.UPPER)]
        members = sample_members(rng, scope_root.path, args.requests)
        urls = search_urls(rng, members, upper + rng.sample(under, min(50, len(under))))
        for _, url in urls[:20]:  # warm the caches the way a running server has them warm
            timed(client, url)
        by_kind: dict[str, list[float]] = {}
        search_times = []
        slowest = []
        for kind, url in urls:
            elapsed = timed(client, url)
            search_times.append(elapsed)
            slowest.append((round(elapsed, 1), url))
            by_kind.setdefault(kind, []).append(elapsed)
        rows.append(
            {
                **summarise(f"search as {username}", search_times),
                "target_p95_ms": TARGETS["search"],
                "by_query": {k: summarise(k, v) for k, v in sorted(by_kind.items())},
                "slowest": sorted(slowest, reverse=True)[:5],
            }
        )

        # Organization pages: the scope root itself, every upper-level organization, and random ones.
        page_orgs = [scope_root] + upper + [rng.choice(under) for _ in range(args.requests)]
        page_orgs = page_orgs[: args.requests]
        for org in page_orgs[:10]:
            timed(client, f"/to-chuc/{org.pk}/")
        page_times = [timed(client, f"/to-chuc/{org.pk}/") for org in page_orgs]
        root_times = [timed(client, f"/to-chuc/{scope_root.pk}/") for _ in range(20)]
        rows.append(
            {
                **summarise(f"org page as {username}", page_times),
                "target_p95_ms": TARGETS["org_page"],
                "scope_root": summarise(f"page of {scope_root.code}", root_times),
            }
        )
        for row in rows[-2:]:
            print(
                f"{row['case']}: p50 {row['p50_ms']} ms, p95 {row['p95_ms']} ms (target {row['target_p95_ms']}), max {row['max_ms']} ms",
                flush=True,
            )

    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    engine = f"{connection.vendor} {connection.cursor().connection.info.server_version if connection.vendor == 'postgresql' else ''}".strip()
    RESULTS.mkdir(parents=True, exist_ok=True)
    with open(RESULTS / "pages.md", "a", encoding="utf-8") as out:
        out.write(f"\n## {stamp} — {machine}, {engine}, {members_total:,} active members\n\n")
        out.write(
            "| case | requests | p50 (ms) | p95 (ms) | target p95 (ms) | max (ms) |\n|---|---|---|---|---|---|\n"
        )
        for row in rows:
            out.write(
                f"| {row['case']} | {row['requests']} | {row['p50_ms']} | {row['p95_ms']} | {row['target_p95_ms']} | {row['max_ms']} |\n"
            )
        for row in rows:
            for detail in (row.get("by_query") or {}).values():
                out.write(
                    f"\n- {row['case']}, {detail['case']}: {detail['requests']} requests, p50 {detail['p50_ms']} ms, p95 {detail['p95_ms']} ms"
                )
            for ms, url in row.get("slowest", []):
                out.write(f"\n- {row['case']}, one of the slowest: {ms} ms `{url}`")
            if "scope_root" in row:
                d = row["scope_root"]
                out.write(
                    f"\n- {row['case']}, {d['case']} (20 times): p50 {d['p50_ms']} ms, p95 {d['p95_ms']} ms"
                )
        out.write("\n")
    with open(RESULTS / "pages.json", "a", encoding="utf-8") as out:
        out.write(
            json.dumps(
                {"at": stamp, "machine": machine, "engine": engine, "members": members_total, "rows": rows},
                ensure_ascii=False,
            )
            + "\n"
        )


if __name__ == "__main__":
    main()
