"""Pages at national scale (issue 24): the indicator dashboard of any subtree, the member search
for common and rare names, with and without diacritics, and the organization page, on the
national demo (``dangbo demo --profile vietnam``: 34 provinces, 5.6 million members).

Usage (PostgreSQL; the database must hold the national demo, built once):

    createdb -U postgres -h 127.0.0.1 national
    DANGBO_DATABASE_URL=postgres://postgres@127.0.0.1:5432/national \\
        .venv/bin/dangbo demo --profile vietnam --no-serve            # about an hour, see national.md
    DANGBO_DATABASE_URL=postgres://postgres@127.0.0.1:5432/national \\
        .venv/bin/python bench/national.py [--requests 200] [--seed 24]

Each request goes through the whole Django stack in this process with Django's test client
(middleware, session, scope, selectors, the audit row, the template), so the time is the
server's for the page, without the network. The user is the demo's administrator (``quantri``),
whose scope is the whole country: the widest search and every organization. Subtrees are drawn
at random at each level (provinces, upper committees, grassroots organizations, cells); members
are drawn with ``TABLESAMPLE`` (random pages of the table), and each search is classed by how
many members bear the name: common (100 or more) or rare (fewer).

Each dashboard and province's to-do list is timed twice: computed (the process's kept results
dropped first) and viewed again at once, served from what ``core.kept`` keeps while the register
is unchanged; the whole country's to-do list is always computed.

Targets (issue 24): dashboard p95 <= 50 ms, search p95 <= 50 ms for common and rare names,
organization page (and a province's to-do list) p95 <= 150 ms; the overview (the home page of the whole country: a panel per
province) and the whole country's to-do list have none of their own. Results are appended to
bench/results/national.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sys
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

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
from pages import summarise, timed  # noqa: E402  (the page benchmark's helpers)

from dangbo.audit.services import audit_seal_in_background  # noqa: E402
from dangbo.core import text  # noqa: E402
from dangbo.core.kept import forget  # noqa: E402
from dangbo.core.kinds import CELL_KINDS, GRASSROOTS_KINDS, OrgKind  # noqa: E402
from dangbo.members.models import ACTIVE_STATUSES, Member  # noqa: E402
from dangbo.orgs.models import Org  # noqa: E402

TARGETS = {"dashboard": 50.0, "search": 50.0, "org_page": 150.0}
COMMON = 100  # a name borne by this many members or more is a common one


def summary(case: str, times: list[float], target: float | None) -> dict:
    return {**summarise(case, times), "target_ms": target}


def random_orgs(rng: random.Random, kinds, n: int) -> list[Org]:
    ids = list(
        Org.objects.filter(kind__in=list(kinds), dissolved_on__isnull=True).values_list("pk", flat=True)
    )
    return list(Org.objects.filter(pk__in=rng.sample(ids, min(n, len(ids)))))


def random_members(n: int) -> list[Member]:
    """``n`` active members (fewer only if the register holds fewer) from random pages of the
    table, the sample widened until it holds enough."""
    total = Member.objects.count()
    share = min(100.0, 100.0 * 3 * n / max(total, 1))
    while True:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT id FROM members_member TABLESAMPLE SYSTEM ({share:.4f}) REPEATABLE (24)")
            ids = [row[0] for row in cursor.fetchall()]
        found = list(Member.objects.filter(pk__in=ids, status__in=ACTIVE_STATUSES)[:n])
        if len(found) >= n or share >= 100.0:
            return found
        share = min(100.0, share * 4)


def bearers(search_key: str) -> int:
    return Member.objects.filter(search_key=search_key).count()


def page_rows(client, rng: random.Random, levels: dict[str, list[Org]], n: int) -> list[dict]:
    """The dashboards of each level, the organization page and the overview."""
    rows = []
    for level, orgs in levels.items():
        for org in orgs[:5]:  # warm: templates, the connection, the database's caches
            timed(client, f"/to-chuc/{org.pk}/chi-tieu/")
        first, again = [], []
        for _ in range(n):
            url = f"/to-chuc/{rng.choice(orgs).pk}/chi-tieu/"
            forget()  # computed: nothing kept from an earlier view (core.kept)
            first.append(timed(client, url))
            again.append(timed(client, url))  # served kept while the register is unchanged
        rows.append(summary(f"dashboard, {level}, computed", first, TARGETS["dashboard"]))
        print(rows[-1], flush=True)
        rows.append(summary(f"dashboard, {level}, viewed again (kept)", again, TARGETS["dashboard"]))
        print(rows[-1], flush=True)
    every = [org for orgs in levels.values() for org in orgs]
    for org in every[:5]:
        timed(client, f"/to-chuc/{org.pk}/")
    times = [timed(client, f"/to-chuc/{rng.choice(every).pk}/") for _ in range(n)]
    rows.append(summary("organization page, any level", times, TARGETS["org_page"]))
    print(rows[-1], flush=True)
    for _ in range(3):
        timed(client, "/")
    times = [timed(client, "/") for _ in range(max(5, n // 4))]  # one page, repeated: fewer
    provinces = Org.objects.filter(parent__isnull=True, dissolved_on__isnull=True).count()
    rows.append(summary(f"overview (home), the whole country: {provinces} panels", times, None))
    print(rows[-1], flush=True)
    rows += todo_rows(client, rng, levels["province"], n)
    return rows


def todo_rows(client, rng: random.Random, provinces: list[Org], n: int) -> list[dict]:
    """The to-do list of a province (counted by child) and of the whole country (the
    administrator's: counted by province)."""
    rows = []
    for org in provinces[:3]:
        timed(client, f"/to-chuc/{org.pk}/viec-can-lam/")
    first, again = [], []
    for _ in range(n):
        url = f"/to-chuc/{rng.choice(provinces).pk}/viec-can-lam/"
        forget()
        first.append(timed(client, url))
        again.append(timed(client, url))
    rows.append(summary("to-do list, province, computed", first, TARGETS["org_page"]))
    print(rows[-1], flush=True)
    rows.append(summary("to-do list, province, viewed again (kept)", again, TARGETS["org_page"]))
    print(rows[-1], flush=True)
    timed(client, "/viec-can-lam/")
    times = []
    for _ in range(max(5, n // 8)):
        forget()
        times.append(timed(client, "/viec-can-lam/"))  # one page, repeated: fewer
    rows.append(summary("to-do list, the whole country", times, None))
    print(rows[-1], flush=True)
    return rows


def search_rows(client, n: int) -> list[dict]:
    """Searches for the names of ``n`` members drawn at random: their full name (common or
    rare, with and without diacritics), and their given name alone over the whole country and
    within their province."""
    provinces = dict(
        Org.objects.filter(kind=OrgKind.PROVINCE, dissolved_on__isnull=True).values_list("path", "pk")
    )
    searches: dict[str, list[float]] = {}
    sample = random_members(n)
    for member in sample[:5]:
        timed(client, "/dang-vien/?" + urlencode({"q": member.full_name}))
    for member in sample:
        common = bearers(member.search_key) >= COMMON
        for accents, query in (
            ("with diacritics", member.full_name),
            ("without", text.fold(member.full_name)),
        ):
            case = f"search, {'common' if common else 'rare'} full name, {accents}"
            searches.setdefault(case, []).append(timed(client, "/dang-vien/?" + urlencode({"q": query})))
        given = text.fold(member.given_name)
        searches.setdefault("search, a given name alone, without diacritics", []).append(
            timed(client, "/dang-vien/?" + urlencode({"q": given}))
        )
        province = next((pk for path, pk in provinces.items() if member.org_path.startswith(path)), None)
        if province is not None:
            searches.setdefault("search, a given name alone, in the member's province", []).append(
                timed(client, "/dang-vien/?" + urlencode({"q": given, "org": province}))
            )
    rows = []
    for case, times in sorted(searches.items()):
        rows.append(summary(case, times, TARGETS["search"]))
        print(rows[-1], flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200, help="requests per case (default 200)")
    parser.add_argument("--seed", type=int, default=24)
    parser.add_argument("--label", default="")
    parser.add_argument("--only-search", action="store_true", help="the member search's cases alone")
    parser.add_argument("--only-todo", action="store_true", help="the to-do lists' cases alone")
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = ["*"]
    audit_seal_in_background()  # as a serving process does (dangbo.wsgi), not after each request
    rng = random.Random(args.seed)
    client = Client()
    client.force_login(get_user_model().objects.get(username="quantri"))
    n = args.requests
    members_total = Member.objects.filter(status__in=ACTIVE_STATUSES).count()
    orgs_total = Org.objects.filter(dissolved_on__isnull=True).count()
    levels = {
        "province": random_orgs(rng, [OrgKind.PROVINCE], n),
        "upper committee": random_orgs(rng, [OrgKind.UPPER], n),
        "grassroots": random_orgs(rng, GRASSROOTS_KINDS, n),
        "cell": random_orgs(rng, CELL_KINDS, n),
    }
    if args.only_todo:
        rows = todo_rows(client, rng, levels["province"], n)
    else:
        rows = ([] if args.only_search else page_rows(client, rng, levels, n)) + search_rows(client, n)

    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    server = connection.cursor().connection.info.server_version
    lines = [
        f"\n## {stamp} — PostgreSQL {server}, {members_total:,} active members, {orgs_total:,} live organizations"
        + (f" — {args.label}" if args.label else ""),
        "",
        f"{platform.machine()}, {os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f}; as `quantri` "
        f"(the whole country); `bench/national.py --requests {n} --seed {args.seed}"
        + (" --only-search`." if args.only_search else " --only-todo`." if args.only_todo else "`."),
        "",
        "| case | requests | p50 ms | p95 ms | max ms | target p95 ms |",
        "|---|---|---|---|---|---|",
        *(
            f"| {r['case']} | {r['requests']} | {r['p50_ms']} | {r['p95_ms']} | {r['max_ms']} | {r['target_ms']} |"
            for r in rows
        ),
    ]
    RESULTS.mkdir(exist_ok=True)
    with (RESULTS / "national.md").open("a") as out:
        out.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
