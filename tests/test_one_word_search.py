"""The one-word search read in two parts over a large register (members.selectors.one_word):
the same members in the same order as the walk along the name order, whatever the word, the
subtree and the filters; the table of name words kept by the database through admissions,
edits and truncation (PostgreSQL); and the name order's ranges of a given name
(core.text.given_name_prefixes) on every database."""

from __future__ import annotations

import itertools
import random
import re
import uuid
from dataclasses import replace

import pytest
from django.db import connection
from django.db.models import F
from tests.conftest import identity

from dangbo.accounts.scope import Scope
from dangbo.core import text
from dangbo.core.bulk import insert_many
from dangbo.members.models import Member
from dangbo.members.selectors import one_word
from dangbo.members.selectors.search import (
    MemberFilters,
    _unnamed_search,
    member_search,
    member_search_page,
)
from dangbo.members.services.records import member_update_identity

ADMIN = Scope(user_id=None, username="kiểm thử", is_admin=True)

# Family, middle and given names chosen so that a word is found in every part of a name: as a
# given name's first word (with each of its readings: Yên, Yến, Yểng), a later one (Thu Hương),
# a family or middle name, twice in one name, and as the beginning of longer words.
NAMES = [
    ("Nguyễn", "Văn", "Yến"),
    ("Trần", "Thị", "Yên"),
    ("Lê", "Đình", "Yểng"),
    ("Yên", "Thị", "Hoa"),
    ("Phạm", "Yến", "Tuấn"),
    ("Lê", "", "Thu Hương"),
    ("Đỗ", "Thị", "Hương"),
    ("Đặng", "Hướng", "Dương"),
    ("Dương", "Văn", "Đức"),
    ("Nguyễn", "Nguyễn", "Nguyên"),
    ("Hoàng", "Thị Thu", "Hà"),
    ("Võ", "Văn", "Tuấn Anh"),
    ("Ksor", "H'", "Bia"),
    ("Ơ", "Văn", "Ơn"),
    ("Âu", "Thị", "Ấu"),
    ("Nguyễn", "Anh", "Tuấn"),
    ("Bùi", "Thị", "Ánh"),
    ("Trịnh", "Văn", "An"),
    ("Hà", "Thị", "Oanh"),
    ("Lý", "Thị", "Yên"),
    ("Vi", "Viết", "Hoa"),
    ("Vi", "Văn", "Vinh"),
]
WORDS = [
    "yen",
    "ye",
    "y",
    "huong",
    "huo",
    "thu",
    "duong",
    "d",
    "duc",
    "nguyen",
    "ngu",
    "anh",
    "an",
    "a",
    "o",
    "on",
    "oanh",
    "au",
    "h'",
    "tuan",
    "van",
    "ha",
    "vi",
    "v",
    "xyz",
]


@pytest.fixture
def register(tree, make_member):
    cells = itertools.cycle([tree.cell_a, tree.cell_b, tree.agency])
    members = []
    for (family, middle, given), cell in zip(NAMES * 2, cells, strict=False):
        members.append(
            make_member(
                cell,
                family_name=family,
                middle_name=middle,
                given_name=given,
                gender="F" if len(members) % 3 else "M",
            )
        )
    return tree, members


def walked(filters: MemberFilters, limit: int) -> list:
    return list(member_search(actor=ADMIN, filters=filters).values_list("pk", flat=True)[:limit])


# --- the name order's ranges (every database) -------------------------------------------------


def test_a_given_name_begins_with_the_word_exactly_when_its_key_begins_with_one_of_its_prefixes():
    rng = random.Random(7)
    given_names = [g for _, _, g in NAMES] + [
        "Đào",
        "Ðức",
        "Ưng",
        "Ông",
        "Ân",
        "Ăng",
        "Hòa",
        "Hoà",
        "Thuý",
        "Thúy",
        "Y-Lan",
        "Hơ-Ni",
        "H'Hen",
        "Trang2",
        "Zin",
        "Wen",
        "Fa",
    ]
    for given in given_names:
        first = text.fold(given).split()[0]
        words = {first[:n] for n in range(1, len(first) + 1)} | {
            text.fold(g).split()[0][: rng.randint(1, 4)] for g in given_names
        }
        key = text.name_sort_key("Nguyễn", "Văn", given)
        for word in words:
            prefixes = text.given_name_prefixes(word)
            if prefixes is None:  # «Ðức» with an eth, which fold keeps: the walk finds it
                assert not re.fullmatch(r"[a-z0-9'-]+", word), word
                continue
            assert any(key.startswith(p) for p in prefixes) == first.startswith(word), (given, word)


def test_words_the_key_spells_otherwise_or_with_too_many_readings_have_no_prefixes():
    assert text.given_name_prefixes("") is None
    assert text.given_name_prefixes("ø") is None  # kept by fold, "other" in the key
    assert text.given_name_prefixes("oaoao") is None  # 3 × 3 × 3 × 3 × 3 readings
    assert len(text.given_name_prefixes("huong")) == 6  # h u/ư o/ô/ơ n g
    assert len(text.given_name_prefixes("dan")) == 6  # d/đ a/ă/â n


# --- the split and the table of words (PostgreSQL) --------------------------------------------


def _words_of(member_id) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT word FROM members_name_word WHERE member_id = %s", [member_id])
        return {row[0] for row in cursor.fetchall()}


def _other_words(member: Member) -> set[str]:
    words = member.search_key.split()
    first_given = len(words) - len(member.given_name.split())
    return set(words[:first_given] + words[first_given + 1 :])


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_table_holds_every_word_of_a_name_but_the_given_names_first(register):
    _, members = register
    for member in members:
        assert _words_of(member.pk) == _other_words(member), member.search_key
    assert _words_of(members[5].pk) == {"le", "huong"}  # Lê Thu Hương: «thu» is in the name order
    assert _words_of(members[9].pk) == {"nguyen"}  # Nguyễn Nguyễn Nguyên: once


@pytest.mark.postgres
@pytest.mark.django_db
@pytest.mark.parametrize("limit", [1001, 4, 1])
def test_the_split_finds_the_walks_members_in_the_walks_order(register, monkeypatch, limit):
    tree, _ = register
    monkeypatch.setattr(one_word, "SPLIT_FROM", 0)
    monkeypatch.setattr(one_word, "DENSE", 0)  # no word common enough to be walked
    scopes = [
        MemberFilters(),
        MemberFilters(org=tree.commune),
        MemberFilters(org=tree.cell_b),
        MemberFilters(gender="F"),
        MemberFilters(org=tree.district, gender="M"),
    ]
    split_at_least_once = 0
    for base, word in itertools.product(scopes, WORDS):
        filters = replace(base, q=word)
        first = one_word.first_ids(_unnamed_search(actor=ADMIN, filters=filters), word, limit)
        assert first is not None, word
        assert first == walked(filters, limit), (word, base)
        split_at_least_once += bool(first)
    assert split_at_least_once > 40
    # the same with every word's rows sorted rather than merged form by form
    monkeypatch.setattr(one_word, "MAX_FORMS", 0)
    for word in WORDS:
        filters = MemberFilters(q=word)
        first = one_word.first_ids(_unnamed_search(actor=ADMIN, filters=filters), word, limit)
        assert first == walked(filters, limit), word


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_search_page_reads_the_split_and_shows_the_same_page(register, monkeypatch):
    monkeypatch.setattr(one_word, "SPLIT_FROM", 0)
    monkeypatch.setattr(one_word, "DENSE", 0)  # no word common enough to be walked
    calls = []
    original = one_word.first_ids
    monkeypatch.setattr(one_word, "first_ids", lambda *a, **k: calls.append(a) or original(*a, **k))
    filters = MemberFilters(q="Yên")
    page = member_search_page(actor=ADMIN, filters=filters, per_page=3)
    assert calls and page.paginator.count == len(walked(filters, 1001)) == 12  # six names, twice
    assert [m.pk for m in page.object_list] == walked(filters, 3)
    assert [m.given_name for m in page.object_list] == ["Hoa", "Hoa", "Tuấn"]  # Yên Thị Hoa, Phạm Yến Tuấn


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_scope_holding_no_one_is_walked_and_finds_no_one(register, monkeypatch):
    """A user without a role searches nothing (found by tests/test_scope_walk.py: the estimate
    of an empty scope cannot be asked of PostgreSQL)."""
    monkeypatch.setattr(one_word, "SPLIT_FROM", 0)
    monkeypatch.setattr(one_word, "DENSE", 0)  # no word common enough to be walked
    nobody = Scope(user_id=None, username="không vai trò")
    assert one_word.first_ids(_unnamed_search(actor=nobody, filters=MemberFilters()), "yen", 1001) is None
    page = member_search_page(actor=nobody, filters=MemberFilters(q="yen"))
    assert page.paginator.count == 0 and list(page.object_list) == []


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_small_register_or_words_common_among_the_other_words_are_walked(register, monkeypatch):
    with connection.cursor() as cursor:  # the choices follow PostgreSQL's estimates
        cursor.execute(f"ANALYZE members_member, {one_word.WORDS_TABLE}")
    queryset = _unnamed_search(actor=ADMIN, filters=MemberFilters())
    assert one_word.first_ids(queryset, "yen", 1001) is None  # 40 members: far below SPLIT_FROM
    monkeypatch.setattr(one_word, "SPLIT_FROM", 0)
    monkeypatch.setattr(one_word, "DENSE", 0)  # no word common enough to be walked
    assert one_word.first_ids(queryset, "yen", 1001) is not None
    assert one_word.first_ids(queryset, "nguyen van", 1001) is None  # several words: the trigram index
    assert one_word.first_ids(queryset, "ø", 1001) is None
    monkeypatch.setattr(one_word, "RARE_WORDS", 3)  # «nguyen» is 8 members' family or middle name
    # one word is read in the name order from the table, however many rows it begins ...
    assert one_word.first_ids(queryset, "nguyen", 1001) is not None
    # ... unless it begins so many of them that the walk meets it early
    monkeypatch.setattr(one_word, "DENSE", 50)  # 44 members: one row of the table is enough
    assert one_word.first_ids(queryset, "nguyen", 1001) is None
    monkeypatch.setattr(one_word, "DENSE", 0)
    # a short word of many forms has its rows sorted, when they are few enough
    monkeypatch.setattr(one_word, "MAX_FORMS", 1)
    rows = one_word._other_words_count("v", 1000)  # «van», «vi», «viet» ...
    assert rows > 4 and one_word.first_ids(queryset, "v", 1001) is None
    monkeypatch.setattr(one_word, "RARE_WORDS", rows)
    assert one_word.first_ids(queryset, "v", 1001) is not None


@pytest.mark.postgres
@pytest.mark.django_db
def test_an_edited_name_is_found_by_its_new_words_only(register, monkeypatch):
    _, members = register
    monkeypatch.setattr(one_word, "SPLIT_FROM", 0)
    monkeypatch.setattr(one_word, "DENSE", 0)  # no word common enough to be walked
    member = members[0]  # Nguyễn Văn Yến
    edited = member_update_identity(
        member=member,
        identity=identity(
            family_name="Quách",
            middle_name="Thị Yên",
            given_name="Lụa",
            birth_date=member.birth_date,
            gender=member.gender,
        ),
        expected_version=member.version,
    )
    assert _words_of(member.pk) == {"quach", "thi", "yen"} == _other_words(edited)
    queryset = _unnamed_search(actor=ADMIN, filters=MemberFilters())
    for word in ("yen", "quach", "lua", "nguyen", "van"):
        assert one_word.first_ids(queryset, word, 1001) == walked(MemberFilters(q=word), 1001), word
    assert member.pk in one_word.first_ids(queryset, "quach", 1001)
    assert member.pk not in one_word.first_ids(queryset, "nguyen", 1001)


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_truncated_register_leaves_no_words(register):
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM members_name_word")
        assert cursor.fetchone()[0] > 0
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # as Django's flush finds them: checked
        cursor.execute("TRUNCATE members_member CASCADE")
        cursor.execute("SELECT count(*) FROM members_name_word")
        assert cursor.fetchone()[0] == 0


@pytest.mark.postgres
@pytest.mark.django_db
def test_members_copied_in_at_once_have_their_words(register):
    """The demo and the imports write members with one COPY (core.bulk.insert_many): the
    statement trigger reads all the rows it wrote."""
    _, members = register
    copies = []
    for member in members[:6]:
        copy = Member.objects.get(pk=member.pk)
        copy.pk, copy.national_id, copy.card_number, copy.history_number = uuid.uuid4(), None, None, None
        copy.family_name, copy.search_key = (
            "Quách",
            "quach" + member.search_key[member.search_key.index(" ") :],
        )
        copies.append(copy)
    insert_many(Member, copies)
    for copy in copies:
        assert _words_of(copy.pk) == _other_words(copy) and "quach" in _words_of(copy.pk)
    unchanged = Member.objects.filter(pk__in=[m.pk for m in members]).update(given_name=F("given_name"))
    assert unchanged == len(members)
    assert all(_words_of(m.pk) == _other_words(m) for m in members)
