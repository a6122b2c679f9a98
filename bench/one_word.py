"""The one-word search read in two parts (``members.selectors.one_word``) against the walk along
the name order, word by word: the time of each (the page's first 1,001 ids, best of three) and
whether they found the same members in the same order; then the same comparison for many words
drawn from the register's names, with and without a filter, over the whole register and in a
few organizations (the split forced where the register is too small for it).

Usage (PostgreSQL, a built register, e.g. the national profile):

    DANGBO_DATABASE_URL=postgres://postgres@127.0.0.1:5432/nat600 \\
        .venv/bin/python bench/one_word.py [--words yen,huong,anh] [--orgs T79,T01] [--compare 300]

Prints a line per word and organization, then the comparison's count of differences (0 is the
only right answer). Nothing is written to the database but the audit-free reads.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangbo.settings")

import django  # noqa: E402

django.setup()

from dangbo.accounts.scope import Scope  # noqa: E402
from dangbo.core.pagination import COUNT_CAP  # noqa: E402
from dangbo.members.models import Member  # noqa: E402
from dangbo.members.selectors import one_word  # noqa: E402
from dangbo.members.selectors.search import MemberFilters, _unnamed_search, member_search  # noqa: E402
from dangbo.orgs.models import Org  # noqa: E402

ADMIN = Scope(user_id=None, username="bench", is_admin=True)
WORDS = "yen,trang,y,khoa,huong,tuan,lan,anh,nguyen,van,thi,duc,xuan,vi"


def walked(filters: MemberFilters) -> list:
    return list(member_search(actor=ADMIN, filters=filters).values_list("pk", flat=True)[: COUNT_CAP + 1])


def split(filters: MemberFilters) -> list | None:
    return one_word.first_ids(_unnamed_search(actor=ADMIN, filters=filters), filters.q, COUNT_CAP + 1)


def best_ms(read, filters: MemberFilters) -> tuple[float, list | None]:
    times, found = [], None
    for _ in range(3):
        start = time.perf_counter()
        found = read(filters)
        times.append((time.perf_counter() - start) * 1000)
    return round(min(times), 1), found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", default=WORDS)
    parser.add_argument(
        "--orgs", default="", help="organization codes to search in, besides the whole register"
    )
    parser.add_argument("--compare", type=int, default=300, help="names drawn for the comparison")
    args = parser.parse_args()
    orgs: list[Org | None] = [None, *(Org.objects.get(code=code) for code in args.orgs.split(",") if code)]
    print("word | organization | walk ms | split ms (None: walked) | same")
    for org in orgs:
        if org is not None:
            one_word.SPLIT_FROM = 0  # forced, for the comparison
        for word in args.words.split(","):
            filters = MemberFilters(q=word, org=org)
            walk_ms, expected = best_ms(walked, filters)
            split_ms, found = best_ms(split, filters)
            same = "—" if found is None else ("yes" if found == expected else "NO")
            print(
                f"{word} | {org.code if org else 'all'} | {walk_ms} | {split_ms if found is not None else None} | {same}"
            )
    one_word.SPLIT_FROM = 0
    rng = random.Random(5)
    words = set()
    for key in Member.objects.order_by("?").values_list("search_key", flat=True)[: args.compare]:
        word = rng.choice(key.split())
        words.add(word[: rng.randint(1, len(word))])
    scopes = [*orgs, *Org.objects.filter(kind="cell").order_by("?")[:2]]
    compared = differences = 0
    for word in sorted(words):
        for org in scopes:
            for gender in ("", "F"):
                filters = replace(MemberFilters(q=word, org=org), gender=gender)
                found = split(filters)
                if found is None:
                    continue
                compared += 1
                if found != walked(filters):
                    differences += 1
                    print(f"DIFFERENT: {word!r} in {org.code if org else 'all'}, gender {gender or 'any'}")
    print(f"{len(words)} words, {compared} searches compared, {differences} different")


if __name__ == "__main__":
    main()
