"""The dashboard's reads whose generic plan is slow are planned for their parameters each time.

With prepared statements on, psycopg prepares a query from its fifth run on a connection, and
PostgreSQL may then keep one generic plan of it. Measured on the 57,000-member demo
(``pg_stat_statements`` over 50 users, ``bench/results/load.md``): the question «was a decision
rating this year taken in the subtree?» ran 4.2 ms a call prepared against 0.07 ms planned for
its parameters, and the province's veterans read without the tallies 40 ms against 18 ms.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection

from dangbo.stats.indicators import dues as dues_figures
from dangbo.stats.indicators import ratings as rating_figures

pytestmark = pytest.mark.postgres


def _prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def test_the_rating_year_question_is_never_prepared(tree, populated):
    connection.ensure_connection()
    assert connection.connection.prepare_threshold is not None  # the test settings prepare
    before = set(_prepared_statements())  # (the connection may serve several tests)
    for _ in range(8):
        assert rating_figures.decided_by(tree.province.path, date(2026, 6, 1), 2026) is False
    prepared = set(_prepared_statements()) - before
    assert not any("ratings_ratingdecision" in statement for statement in prepared), prepared


@pytest.mark.parametrize("tree_unchanged", [False, True])
def test_the_veterans_read_is_never_prepared(tree, populated, tree_unchanged):
    connection.ensure_connection()
    threshold = connection.connection.prepare_threshold
    before = set(_prepared_statements())
    for root in (tree.province, tree.commune):  # by the members, by the cells' placements
        for _ in range(8):
            found = dues_figures.veterans_without_account(
                root.path, date(2026, 6, 1), date(2026, 5, 1), tree_unchanged=tree_unchanged
            )
            assert isinstance(found, list)  # read within the block, not later
    prepared = set(_prepared_statements()) - before
    assert not any("party_age_from" in statement for statement in prepared), prepared
    assert connection.connection.prepare_threshold == threshold
