"""``field__any`` (core.lookups): the same rows as ``field__in``, one array parameter on
PostgreSQL."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangbo.orgs.models import Org

pytestmark = pytest.mark.django_db


def test_any_finds_what_in_finds(tree):
    ids = [tree.cell_a.pk, tree.cell_b.pk, tree.agency.pk]
    assert (
        set(Org.objects.filter(pk__any=ids))
        == set(Org.objects.filter(pk__in=ids))
        == {
            tree.cell_a,
            tree.cell_b,
            tree.agency,
        }
    )
    children = Org.objects.filter(parent_id__any=[tree.commune.pk, tree.district.pk])
    assert set(children) == set(Org.objects.filter(parent_id__in=[tree.commune.pk, tree.district.pk]))


def test_instances_repeats_and_nothing(tree):
    assert list(Org.objects.filter(pk__any=[tree.cell_a, tree.cell_a.pk, None])) == [tree.cell_a]
    assert list(Org.objects.filter(pk__any=[])) == []
    assert list(Org.objects.filter(pk__any=[None])) == []
    assert Org.objects.exclude(pk__any=[]).count() == Org.objects.count()


def test_one_parameter_on_postgresql_one_a_value_elsewhere(tree):
    ids = [org.pk for org in Org.objects.all()]
    with CaptureQueriesContext(connection) as queries:
        assert len(list(Org.objects.filter(pk__any=ids))) == len(ids)
    sql = queries.captured_queries[-1]["sql"]
    if connection.vendor == "postgresql":
        assert "= ANY(" in sql
    else:
        assert " IN (" in sql


def test_a_subquery_is_refused_not_read_into_a_list(tree):
    with pytest.raises(TypeError, match="field__in"):
        Org.objects.filter(pk__any=Org.objects.values("pk"))
