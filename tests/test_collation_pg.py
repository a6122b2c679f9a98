"""The name sort key against PostgreSQL's ICU Vietnamese collation, on a generated corpus."""

import random

import pytest
from django.db import connection

from dangbo.core.text import name_sort_key
from dangbo.demo.names import NameGenerator

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def test_sort_key_matches_vi_icu_collation_on_generated_names():
    generator = NameGenerator(random.Random(2021))
    names = {generator.full_name(gender)[:3] for gender in "MF" * 2000}
    names = sorted(names)
    assert len(names) > 2000
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE corpus (family text, middle text, given text)")
        cursor.executemany("INSERT INTO corpus VALUES (%s, %s, %s)", names)
        cursor.execute(
            """SELECT family, middle, given FROM corpus ORDER BY
               given COLLATE "vi-x-icu", lower(given) COLLATE "vi-x-icu",
               trim(family || ' ' || middle) COLLATE "vi-x-icu", family, middle"""
        )
        by_postgres = [tuple(row) for row in cursor.fetchall()]
    by_key = sorted(names, key=lambda n: (name_sort_key(*n), n[0], n[1]))
    # Compare the order of distinct keys: names equal under the collation may tie either way.
    assert [name_sort_key(*n) for n in by_key] == [name_sort_key(*n) for n in by_postgres]
