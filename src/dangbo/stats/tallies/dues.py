"""Party dues in the tallies: each cell's monthly dues sums and its members' arrears chains,
kept in ``OrgTally`` under every organization above the cell (the cell included), so the dues
figures of a province read a few hundred rows, not its cells' thousands of monthly sums nor the
unpaid accounts of its members.

What one cell adds, by month "YYYY-MM" (``keys.DUES_DIMENSIONS``):

- ``dues:due``, ``dues:paid``, ``dues:months``, ``dues:exempted``: the sums of its members'
  accounts for the month, exactly as ``dues.sums`` keeps them in ``DuesCellMonth`` (due, paid
  up to the due, months with a basis, months exempted);
- ``dues:arrears``: for each member and each month unpaid at the cell, the value "month|the
  member's previous unpaid month at this cell" ("0000-00" for the first) — ``dues.sums``'
  arrears chains. The members in arrears in months A..B are the rows with A <= month <= B whose
  previous month is before A (as ``meet:unexcused``).

``dues.sums.add`` reports every change of the sums and of the chains through
``core.projections`` (``dues_changed``), in the transaction of the change. A moved subtree
carries these rows like any other (``tally_subtrees_moved``); ``dues_rows_kept`` puts back what
a merge's drop of an emptied organization would lose (its own months stay with it, as the
reading of the accounts places them). ``recount_dues`` recounts them from ``DuesCellMonth`` and
the unpaid accounts for ``tally_recount`` (``dangbo check --aggregates``, the demo's rebuild).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Q

from dangbo.core import paths
from dangbo.dues import sums as dues_sums
from dangbo.dues.models import DuesCellMonth, DuesMonth
from dangbo.orgs.models import Org
from dangbo.stats import sql
from dangbo.stats.tallies import meetings as mt
from dangbo.stats.tallies.keys import DUES_ARREARS, DUES_DIMENSIONS, DUES_FIELDS, Key
from dangbo.stats.tallies.organizations import _org_table
from dangbo.stats.tallies.store import _apply, deferred

OwnKey = tuple[str, str]  # (dimension, value)


def month_value(month: date) -> str:
    return f"{month.year:04d}-{month.month:02d}"


def link_value(month: date, previous: date | None) -> str:
    return f"{month_value(month)}|{month_value(previous) if previous else mt.NO_MONTH}"


def own_keys(
    sums: Mapping[tuple[Any, date], Mapping[str, int]], arrears: Mapping[tuple[Any, date, date | None], int]
) -> dict[Any, dict[OwnKey, int]]:
    """What ``sums`` and ``arrears`` (in ``dues.sums``' terms) add to each cell itself."""
    out: dict[Any, dict[OwnKey, int]] = defaultdict(lambda: defaultdict(int))
    for (org_id, month), values in sums.items():
        for dimension, name in DUES_FIELDS.items():
            if values.get(name):
                out[org_id][(dimension, month_value(month))] += values[name]
    for (org_id, month, previous), n in arrears.items():
        if n:
            out[org_id][(DUES_ARREARS, link_value(month, previous))] += n
    return out


def _under_ancestors(own: Mapping[Any, Mapping[OwnKey, int]]) -> dict[Key, int]:
    """``own`` (org id → its own keys) added to each organization and every one above it."""
    if not own:
        return {}
    where = dict(Org.objects.filter(pk__in=list(own)).values_list("pk", "path"))
    above = {org_id: paths.ancestor_paths(where[org_id]) for org_id in own if org_id in where}
    ids = dict(
        Org.objects.filter(path__in={p for ps in above.values() for p in ps}).values_list("path", "pk")
    )
    delta: dict[Key, int] = defaultdict(int)
    for org_id, keys in own.items():
        for path in above.get(org_id, ()):
            if path in ids:
                for (dimension, value), n in keys.items():
                    delta[(ids[path], dimension, value)] += n
    return {key: n for key, n in delta.items() if n}


def tally_dues_changed(
    sums: Mapping[tuple[Any, date], Mapping[str, int]], arrears: Mapping[tuple[Any, date, date | None], int]
) -> None:
    """``dues.sums``' change, under every organization above each cell (one upsert per row, in
    key order: ``store._apply``)."""
    if deferred():
        return
    _apply(_under_ancestors(own_keys(sums, arrears)))


def org_dues(org_q: Q) -> dict[Any, dict[OwnKey, int]]:
    """What the accounts of the cells of ``org_q`` (a condition on ``Org`` fields prefixed
    ``org__``, as ``tallies.recount`` gives) add to each cell itself."""
    sums = {
        (org_id, month): dict(zip(DUES_FIELDS.values(), values, strict=True))
        for org_id, month, *values in DuesCellMonth.objects.filter(org_q)
        .values_list("org_id", "month", *DUES_FIELDS.values())
        .iterator(chunk_size=20000)
    }
    return own_keys(sums, dues_sums.arrears_chains(DuesMonth.objects.filter(org_q)))


def recount_dues(ancestors: Mapping[object, list], org_q: Callable[[str], Q] | None = None) -> dict[Key, int]:
    """Every cell's dues counts from ``DuesCellMonth`` and the unpaid accounts, under each
    organization above it (``ancestors``: org id → the ids above it, itself included); with
    ``org_q``, only the cells it selects (``tallies.recount`` counts a province part by part)."""
    counts: dict[Key, int] = defaultdict(int)
    own = org_dues(org_q("org__") if org_q is not None else Q())
    for org_id, keys in own.items():
        for ancestor in ancestors.get(org_id, [org_id]):
            for (dimension, value), n in keys.items():
                counts[(ancestor, dimension, value)] += n
    return counts


def dues_rows_kept(org_ids: Iterable, moved: Mapping[object, tuple[set, set]]) -> None:
    """After a merge drops the counts of a source it left empty (``tally_rows_dropped``): the
    source's own accounts stay with it (the months it held are read where it stands), so what
    they added, moved with its counts to the ancestors of the organization it merged into, is
    taken back there and put back under it and its former ancestors. ``moved``: org id → (its
    ancestors before, after), as ``meetings_moves_seen`` recorded them."""
    if deferred():
        return
    chosen = [org_id for org_id in org_ids if org_id in moved]
    if not chosen:
        return
    delta: dict[Key, int] = defaultdict(int)
    for org_id, keys in org_dues(Q(org_id__in=chosen)).items():
        before, after = moved[org_id]
        for (dimension, value), n in keys.items():
            delta[(org_id, dimension, value)] += n
            for ancestor in before - after:
                delta[(ancestor, dimension, value)] += n
            for ancestor in after - before:
                delta[(ancestor, dimension, value)] -= n
    _apply({key: n for key, n in delta.items() if n})


def tally_dues_rebuild() -> int:
    """Replace the dues counts alone with a recount, in one transaction (a database whose other
    counts are right: one upgraded to keep the dues in the tallies). Returns the rows written."""
    _orgs, ancestors = _org_table()
    counts = {key: n for key, n in recount_dues(ancestors).items() if n}
    with transaction.atomic():
        sql.tally_replace_all(counts, dimensions=DUES_DIMENSIONS)
    return len(counts)
