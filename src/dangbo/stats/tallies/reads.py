"""Reading the stored tallies: the stock dimensions of some organizations (``tally_read``),
their flows over a period (``tally_flows``) or by year (``tally_flows_by_year``), and the
change of their counted members over one (``tally_stock_change``)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from uuid import UUID

from django.db.models import Sum

from dangbo.core.prepared import planned_each_time
from dangbo.stats.models import OrgTally
from dangbo.stats.tallies.keys import FLOW, FLOW_DIMENSIONS, STOCK_DIMENSIONS, STOCK_IN, STOCK_OUT, YEAR_FLOW


def tally_read(org_ids: Iterable, dimensions: Iterable[str] = ()) -> dict[UUID, dict[str, dict[str, int]]]:
    """The stored counts of ``org_ids`` in ``dimensions`` (all the stock dimensions by
    default: not the hamlets, of which a province has thousands, nor the flows, read by
    ``tally_flows``): org id → dimension → value → count. Naming the dimensions lets the
    database read each as a range of the (org, dimension, value) index."""
    result: dict[UUID, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    rows = OrgTally.objects.filter(
        org_id__any=list(org_ids), dimension__in=list(dimensions or STOCK_DIMENSIONS), count__gt=0
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
    query = (
        OrgTally.objects.filter(
            org_id__any=list(org_ids),
            dimension__in=FLOW_DIMENSIONS if kinds is None else [FLOW + kind for kind in kinds],
            value__gte=start.isoformat(),
            value__lte=end.isoformat(),
        )
        .values_list("org_id", "dimension")
        .annotate(n=Sum("count"))
        .order_by()
    )
    with planned_each_time():  # a generic plan reads every row of the organizations (core.prepared)
        rows = list(query)
    for org_id, dimension, n in rows:
        if n:
            result[org_id][dimension[len(FLOW) :]] = n
    return result


def tally_flows_by_year(
    org_ids: Iterable, first_year: int, end: date, *, kinds: Iterable[str] | None = None
) -> dict[UUID, dict[int, dict[str, int]]]:
    """``tally_flows`` of each calendar year from ``first_year`` to ``end``'s, the last up to
    ``end`` (included): org id → year → kind → count. The years' kept totals
    (``keys.YEAR_FLOW``), less the days of ``end``'s year after it: a dozen rows per
    organization and year, however many days had flows."""
    ids = list(org_ids)
    names = FLOW_DIMENSIONS if kinds is None else [FLOW + kind for kind in kinds]
    result: dict[UUID, dict[int, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    query = OrgTally.objects.filter(
        org_id__any=ids,
        dimension__in=[YEAR_FLOW + name[len(FLOW) :] for name in names],
        value__gte=f"{first_year:04d}",
        value__lte=f"{end.year:04d}",
    ).values_list("org_id", "dimension", "value", "count")
    with planned_each_time():
        rows = list(query)
    for org_id, dimension, year, n in rows:
        if n:
            result[org_id][int(year)][dimension[len(YEAR_FLOW) :]] = n
    year_end = date(end.year, 12, 31)
    if end < year_end and first_year <= end.year:
        later = tally_flows(
            ids, end + timedelta(days=1), year_end, kinds=[name[len(FLOW) :] for name in names]
        )
        for org_id, flows in later.items():
            last = result[org_id][end.year]
            for kind, n in flows.items():
                last[kind] = last.get(kind, 0) - n
    out: dict[UUID, dict[int, dict[str, int]]] = {}
    for org_id, years in result.items():
        kept = {y: {k: n for k, n in f.items() if n} for y, f in years.items()}
        kept = {y: f for y, f in kept.items() if f}
        if kept:
            out[org_id] = kept
    return out


def tally_stock_change(org_ids: Iterable, after: date, until: date) -> dict[UUID, int]:
    """How many more members each organization's subtree counted on ``until`` than on
    ``after`` (org id → change; absent: none): the kept changes by day (``keys.STOCK_IN``,
    ``keys.STOCK_OUT``) read as flows of the days after ``after``."""
    flows = tally_flows(org_ids, after + timedelta(days=1), until, kinds=[STOCK_IN, STOCK_OUT])
    return {org_id: kinds.get(STOCK_IN, 0) - kinds.get(STOCK_OUT, 0) for org_id, kinds in flows.items()}
