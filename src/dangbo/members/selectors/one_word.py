"""A search by one word over a large register, read in two parts rather than by walking the
name order (PostgreSQL only).

The search's page reads the name order (``member_name_order_walk``) until it has its first
``COUNT_CAP + 1`` matches. The order begins with the given name, so a word that begins a given
name late in the alphabet («yen», «tuan») is found only after nearly every key before it has
been read: 135–312 ms for «yen» over the 600,000 members of the national profile, a p95 of
2.7 s for a given name alone at 5.6 million (bench/results/national.md). The members the word finds are instead:

- those whose given name begins with it: a few contiguous ranges of the name order, one for
  each way of writing the word's letters back (``core.text.given_name_prefixes``), each read
  in order and only as far as the page needs;
- those with another word of the name beginning with it (family name, middle names, a given
  name's later word), from the table of those words in their name order (``members_name_word``,
  kept by the database: migration 0018), each form of the word («huong», «huongg») read in
  the name order and merged, so only as far as the page needs;

merged in the name order: the same ids, in the same order, as the walk («yen» 6 ms, «trang»
6 ms, «huong» 7 ms against 139, 123 and 55 ms walked, on the same register). A smaller subtree is better walked (PostgreSQL then reads its
members by their path), and so is a word common among family and middle names («nguyen»,
«van», whose matches lie everywhere along the order): for those ``first_ids`` answers None.
"""

from __future__ import annotations

import json
import uuid

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from dangbo.core import text
from dangbo.core.words import query_words, word_starts_q
from dangbo.members.models import Member

# A subtree of fewer members (as PostgreSQL estimates them) is walked: PostgreSQL then reads its
# members by their path, which costs what the subtree holds, where the split reads the word's
# share of the whole register. Measured on the national profile of 600,000 members (the best of
# three, bench/results/national.md): provinces of 16,000–27,000 members took 6–29 ms walked and
# 8–21 ms split, of 47,000–75,000 members 9–33 ms walked and 7–16 ms split.
SPLIT_FROM = 50_000
# The most rows of the words' table a word of more than MAX_FORMS forms may begin for the
# split to read them (sorted in the name order before the merge looks their members up).
RARE_WORDS = 5_000
# A word that begins as many of the words' table's rows as one in DENSE of the members
# («van», «nguyen», «duc») is common enough to be met early along the name order: walked.
DENSE = 50
# The most words of the words' table beginning with the word (its forms: «huong», «huongg»)
# read each in the name order and merged; a word of more forms («ng») has its rows sorted
# instead, when they are few enough (RARE_WORDS).
MAX_FORMS = 16
WORDS_TABLE = "members_name_word"


def first_ids(queryset: QuerySet[Member], query: str, limit: int) -> list[uuid.UUID] | None:
    """The first ``limit`` ids, in name order, of the members of ``queryset`` (a search without
    its name, ordered by name) that ``query`` finds when it is one word; None when the search
    is better walked (another database, several words, a small subtree, a word common among
    family and middle names).

    Several words (a full name) are left to the trigram index: read the same way (each word's
    given names' ranges, the rarest word's rows checked against the others), a full name took
    60–157 ms at 5.6 million members, no less than the trigram index (bench/results/national.md)."""
    words = query_words(query)
    if connection.vendor != "postgresql" or len(words) != 1:
        return None
    word = words[0]
    prefixes = text.given_name_prefixes(word)
    if prefixes is None:
        return None
    estimated = _estimated_rows(queryset)
    if estimated is None or estimated < SPLIT_FROM:
        return None
    # how many rows of the words' table the word begins (PostgreSQL's estimate: a choice of how
    # to read, never an answer)
    if _estimated_word_rows(word) * DENSE >= (_estimated_rows(Member.objects.all()) or 0):
        return None  # a word common among family and middle names: the walk meets it early
    forms = _forms_of(word, MAX_FORMS + 1)
    if len(forms) > MAX_FORMS and _other_words_count(word, RARE_WORDS + 1) > RARE_WORDS:
        return None
    # Every part is read in the name order and merged (PostgreSQL's Merge Append), so each is
    # read only as far as the first ``limit`` of all need: the given names' ranges from the
    # name-order index, the other words' members from the table of words in their name order,
    # each looked up (its filters, and its name once more) only when the merge reaches it.
    # The given names' ranges are left out of the other words, and a member two of whose other
    # words begin with the word («vi»: Vi Viết Hoa) is taken once: no member comes twice.
    parts: list[str] = []
    params: list = []
    for prefix in prefixes:
        sql, part_params = _sql(queryset.filter(sort_key__gte=prefix, sort_key__lt=prefix + ":"))
        parts.append(f"({sql})")
        params += part_params
    outside = " AND ".join(["NOT (sort_key >= %s AND sort_key < %s)"] * len(prefixes))
    outside_params = [v for p in prefixes for v in (p, p + ":")]
    if not forms:  # no member has the word but as a given name's first
        found: str | None = None
    elif len(forms) <= MAX_FORMS:
        # each form read in the name order, merged: read only as far as the page needs, however
        # many rows the word begins; a member with two of the forms is taken from the first
        streams = []
        for n, form in enumerate(forms):
            again = (
                f" AND NOT EXISTS (SELECT 1 FROM {WORDS_TABLE} AS e WHERE e.word = ANY(%s)"
                " AND e.sort_key = t.sort_key AND e.member_id = t.member_id)"
                if n
                else ""
            )
            streams.append(
                f"(SELECT sort_key, member_id FROM {WORDS_TABLE} AS t"
                f" WHERE word = %s AND {outside}{again} ORDER BY sort_key, member_id)"
            )
            params += [form, *outside_params, *([forms[:n]] if n else [])]
        found = " UNION ALL ".join(streams)
    else:  # a short word of many forms («ng»): its rows, few enough (RARE_WORDS), sorted
        found = (
            f"SELECT DISTINCT sort_key, member_id FROM {WORDS_TABLE}"
            f" WHERE word >= %s AND word < %s AND {outside} ORDER BY sort_key, member_id LIMIT %s"
        )
        params += [word, _after(word), *outside_params, RARE_WORDS]
    if found is not None:
        # LATERAL and its LIMIT keep the look-up one member at a time: as a join, PostgreSQL
        # may choose to read every member the word begins a name of (a bitmap of the key) first.
        named = queryset.filter(word_starts_q("search_key", words), id=RawSQL("found_word.member_id", ()))
        member, member_params = named.order_by().values("id")[:1].query.sql_with_params()
        parts.append(
            f"(SELECT found_word.sort_key, found_word.member_id FROM ({found}) AS found_word"
            " CROSS JOIN LATERAL"
            f" ({member}) AS found_member ORDER BY found_word.sort_key, found_word.member_id)"
        )
        params += member_params
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM ({' UNION ALL '.join(parts)}) AS found ORDER BY sort_key, id LIMIT %s",
            [*params, limit],
        )
        return [row[0] for row in cursor.fetchall()]


def _after(word: str) -> str:
    """The first text after every one beginning with ``word``."""
    return word[:-1] + chr(ord(word[-1]) + 1)


def _sql(queryset: QuerySet[Member]) -> tuple[str, tuple]:
    """The statement of ``queryset``'s (name order key, id) in the name order."""
    return queryset.values_list("sort_key", "id").order_by("sort_key", "id").query.sql_with_params()


def _estimated_rows(queryset: QuerySet[Member]) -> float | None:
    """How many members PostgreSQL expects ``queryset`` to hold (its plan's estimate: a choice
    of how to read, never an answer); None when it can hold no one."""
    try:
        sql, params = queryset.order_by().values("id").query.sql_with_params()
    except EmptyResultSet:  # a scope holding nothing (a user without a role): nothing to read
        return None
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return plan[0]["Plan"]["Plan Rows"]


def _other_words_count(word: str, at_most: int) -> int:
    """The rows of the words' table beginning with ``word``, counted up to ``at_most``."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM {WORDS_TABLE} WHERE word >= %s AND word < %s LIMIT %s) AS w",
            (word, _after(word), at_most),
        )
        return cursor.fetchone()[0]


def _estimated_word_rows(word: str) -> float:
    """How many rows of the words' table PostgreSQL expects to begin with ``word``."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"EXPLAIN (FORMAT JSON) SELECT 1 FROM {WORDS_TABLE} WHERE word >= %s AND word < %s",
            (word, _after(word)),
        )
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return plan[0]["Plan"]["Plan Rows"]


def _forms_of(word: str, at_most: int) -> list[str]:
    """The distinct words of the words' table that begin with ``word``, at most ``at_most`` of
    them: one probe of the table's key each (a loose index scan), not a read of their rows."""
    with connection.cursor() as cursor:
        cursor.execute(
            "WITH RECURSIVE form(word) AS ("
            f" (SELECT word FROM {WORDS_TABLE} WHERE word >= %s AND word < %s ORDER BY word LIMIT 1)"
            " UNION ALL"
            f" SELECT (SELECT t.word FROM {WORDS_TABLE} AS t WHERE t.word > form.word AND t.word < %s"
            " ORDER BY t.word LIMIT 1) FROM form WHERE form.word IS NOT NULL"
            ") SELECT word FROM form WHERE word IS NOT NULL LIMIT %s",
            (word, _after(word), _after(word), at_most),
        )
        return [row[0] for row in cursor.fetchall()]
