"""Search by the words of a name, as an officer types them.

Every word typed must begin a word of the folded key ("huong" finds «Nguyễn Thị Hương», not
«Trần Văn Phương»), in any order ("nguyen duc" finds «Nguyễn Văn Đức»). The keys these match
are ``text.fold`` of the name (members, organizations with their code): lower case, no accents,
single spaces, so a word begins the key or follows a space.

Each word is matched as two LIKEs (the key begins with it, or holds it after a space), except
on PostgreSQL for a query of several words, where each word is one regular expression,
``(^| )word``, which the key's trigram index (pg_trgm) reads as the word's trigrams at a word
start: the words of a name are then looked up together in one scan of the index. Measured
(``EXPLAIN ANALYZE`` of the search's first 1,001 ids, on the 600,000-member national profile):
for several words the LIKEs make the index build a bitmap of every key holding each common word
(«nguyen thi huong» 94 ms with them, 23 with the expressions; 13 and 3.5 on the 57,000-member
demo); for one word the planner walks the name order instead and tests every key it passes,
where an expression costs several LIKEs («huong» 146 ms with it, 57 with the LIKEs; «lan» 135
and 62). SQLite has no such index and no regular expressions of its own: the LIKEs.
"""

from __future__ import annotations

import re

from django.db import connection
from django.db.models import Q

from dangbo.core.text import fold

MAX_WORDS = 8  # a name has at most a handful; more would only add conditions

# In PostgreSQL's regular expressions a backslash before a character other than a letter or
# digit makes it literal: what is typed is matched as typed.
_SPECIAL = re.compile(r"([^0-9a-z])")


def query_words(query: str | None) -> list[str]:
    """The folded words of ``query`` that a search matches, at most ``MAX_WORDS``."""
    return fold(query).split()[:MAX_WORDS]


def word_starts_q(field: str, words: list[str]) -> Q:
    """Rows whose ``field`` (a folded key) has a word beginning with each of ``words``."""
    condition = Q()
    expressions = connection.vendor == "postgresql" and len(words) > 1
    for word in words:
        if expressions:
            condition &= Q(**{f"{field}__regex": "(^| )" + _SPECIAL.sub(r"\\\1", word)})
        else:
            condition &= Q(**{f"{field}__startswith": word}) | Q(**{f"{field}__contains": f" {word}"})
    return condition
