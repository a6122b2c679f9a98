"""Reading the stored tallies: the stock dimensions of some organizations (``tally_read``) and
their flows over a period (``tally_flows``) or by year (``tally_flows_by_year``), the change of their counted members over one
(``tally_stock_change``)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from uuid import UUID

from django.db.models import Sum
from django.db.models.functions import Substr

from dangbo.stats.models import OrgTally
from dangbo.stats.tallies.keys import FLOW, FLOW_DIMENSIONS, STOCK_DIMENSIONS, STOCK_IN, STOCK_OUT


def tally_read(org_ids: Iterable, dimensions: Iterable[str] = ()) -> dict[UUID, dict[str, dict[str, int]]]:
    """The stored counts of ``org_ids`` in ``dimensions`` (all the stock dimensions by
    default: not the hamlets, of which a province has thousands, nor the flows, read by
    ``tally_flows``): org id → dimension → value → count. Naming the dimensions lets the
    database read each as a range of the (org, dimension, value) index."""
    result: dict[UUID, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    rows = OrgTally.objects.filter(
        org_id__in=list(org_ids), dimension__in=list(dimensions or STOCK_DIMENSIONS), count__gt=0
    )
    for org_id, dim, value, n in rows.values_list("org_id", "dimension", "value", "count"):
        result[org_id][dim][value] = n
    return result


def tally_flows(
    org_ids: Iterable, start: date, end: date, *, kinds: Iterable[str] | None = None
) -> dict[UUID, dict[str, int]]:
    """Flows from ``start`` to ``end`` (both included): org id → kind → count (every kind, or
    ``kinds``)."""
    result: dict[UUID, dict[str, int]] = defaultdict(dict)
    rows = (
        OrgTally.objects.filter(
            org_id__in=list(org_ids),
            dimension__in=FLOW_DIMENSIONS if kinds is None else [FLOW + kind for kind in kinds],
            value__gte=start.isoformat(),
            value__lte=end.isoformat(),
        )
        .values_list("org_id", "dimension")
        .annotate(n=Sum("count"))
        .order_by()
    )
    for org_id, dimension, n in rows:
        if n:
            result[org_id][dimension[len(FLOW) :]] = n
    return result


def tally_flows_by_year(
    org_ids: Iterable, start: date, end: date, *, kinds: Iterable[str] | None = None
) -> dict[UUID, dict[int, dict[str, int]]]:
    """``tally_flows`` of each calendar year from ``start`` to ``end`` (both included), in one
    grouped query for all of ``org_ids``: org id → year → kind → count. The rows read are the
    same as a query per year and organization; the round trips (ten years of a country's 34
    provinces: 340) are not."""
    result: dict[UUID, dict[int, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    rows = (
        OrgTally.objects.filter(
            org_id__in=list(org_ids),
            dimension__in=FLOW_DIMENSIONS if kinds is None else [FLOW + kind for kind in kinds],
            value__gte=start.isoformat(),
            value__lte=end.isoformat(),
        )
        .annotate(year=Substr("value", 1, 4))
        .values_list("org_id", "dimension", "year")
        .annotate(n=Sum("count"))
        .order_by()
    )
    for org_id, dimension, year, n in rows:
        if n:
            result[org_id][int(year)][dimension[len(FLOW) :]] = n
    return result


def tally_stock_change(org_ids: Iterable, after: date, until: date) -> dict[UUID, int]:
    """How many more members each organization's subtree counted on ``until`` than on
    ``after`` (org id → change; absent: none): the kept changes by day (``keys.STOCK_IN``,
    ``keys.STOCK_OUT``) read as flows of the days after ``after``."""
    flows = tally_flows(org_ids, after + timedelta(days=1), until, kinds=[STOCK_IN, STOCK_OUT])
    return {org_id: kinds.get(STOCK_IN, 0) - kinds.get(STOCK_OUT, 0) for org_id, kinds in flows.items()}
