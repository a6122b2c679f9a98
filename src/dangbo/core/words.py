"""Search by the words of a name, as an officer types them.

Every word typed must begin a word of the folded key ("huong" finds «Nguyễn Thị Hương», not
«Trần Văn Phương»), in any order ("nguyen duc" finds «Nguyễn Văn Đức»). The keys these match
are ``text.fold`` of the name (members, organizations with their code): lower case, no accents,
single spaces, so a word begins the key or follows a space.

On PostgreSQL each word is one regular expression, ``(^| )word``, which the key's trigram index
(pg_trgm) reads as the word's trigrams at a word start: the words of a name are looked up
together in one scan of the index. Two LIKEs a word (the key begins with it, or contains it after
a space) find the same rows but make the index build a bitmap of every key holding each common
word (a third of the members hold «nguyen»): «nguyen thi huong» took 13 ms instead of 3 on the
57,000-member demo. SQLite has no such index and no regular expressions of its own: there, the
two LIKEs.
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
    for word in words:
        if connection.vendor == "postgresql":
            condition &= Q(**{f"{field}__regex": "(^| )" + _SPECIAL.sub(r"\\\1", word)})
        else:
            condition &= Q(**{f"{field}__startswith": word}) | Q(**{f"{field}__contains": f" {word}"})
    return condition
