"""Search by the words of a name (core.words): the same rows on SQLite and PostgreSQL, whatever
is typed."""

from __future__ import annotations

import pytest

from dangbo.core.words import MAX_WORDS, query_words, word_starts_q
from dangbo.members.models import Member

pytestmark = pytest.mark.django_db


@pytest.fixture
def named(tree, make_member):
    for family, middle, given in (
        ("Nguyễn", "Thị", "Hương"),
        ("Trần", "Thị", "Phương"),
        ("Ksor", "H'", "Bia"),
        ("Nguyễn", "Văn", "Đức"),
    ):
        make_member(tree.cell_a, family_name=family, middle_name=middle, given_name=given)
    return tree


def found(query: str) -> set[str]:
    rows = Member.objects.filter(word_starts_q("search_key", query_words(query)))
    return {m.given_name for m in rows}


def test_query_words_are_folded_and_bounded():
    assert query_words("  Nguyễn   VĂN đức ") == ["nguyen", "van", "duc"]
    assert query_words("") == [] and query_words(None) == []
    assert len(query_words(" ".join(["a"] * 20))) == MAX_WORDS


def test_words_begin_words_of_the_name_in_any_order(named):
    assert found("huong") == {"Hương"}
    assert found("duc nguyen") == {"Đức"}
    assert found("ng") == {"Hương", "Đức"}
    assert found("uong") == set()


@pytest.mark.parametrize(
    "typed",
    ["(", "duc)", "[a", "a.*", "h'", "\\", "+", "^", "$", "|", "nguyen (", "bia h'", "nguyen .*", "ksor |"],
)
def test_what_is_typed_is_matched_as_typed_never_as_a_pattern(named, typed):
    """Punctuation is literal on both databases, one word or several (on PostgreSQL, several
    words are regular expressions: escaped)."""
    expected = {"Bia"} if "h'" in typed else set()
    assert found(typed) == expected
