"""The tallies through a restructuring: a moved subtree's counts move in the database
(``tally_subtrees_moved``); inside a plan (``restructuring_batched``) the moves are queued and
applied together, exactly (``store._settle``); the counts that depend on where organizations
sit are recounted (``tally_fix_derived``)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.db.models import Count

from dangbo.stats import sql
from dangbo.stats.models import OrgTally
from dangbo.stats.tallies.flows import _recount_transfer_flows
from dangbo.stats.tallies.keys import DERIVED_DIMENSIONS, FLAGS, HAMLET, HAMLETS_WITH_MEMBERS, Key
from dangbo.stats.tallies.organizations import _count_structure, _org_table
from dangbo.stats.tallies.ratings import recount_org_ratings
from dangbo.stats.tallies.store import _BATCH, _apply, _move_queued, _PendingMoves, deferred


@contextmanager
def restructuring_batched() -> Iterator[None]:
    """A restructuring plan runs many operations; inside this block each one's
    ``tally_fix_derived`` is put off, and the subtrees' counts it moves are queued and moved
    together (a district that loses a hundred communes is written once per count, not once
    per commune). Both are done when the block ends without error.

    The queue is exact, not approximate: it is moved first whenever a change would read the
    counts of an organization that queued moves add to, or write those of one whose counts
    are queued to move (``_settle``), so every statement sees what it would have seen had
    each move been applied at once."""
    box = _PendingMoves()
    token = _BATCH.set(box)
    try:
        yield
    finally:
        _BATCH.reset(token)
    _move_queued(box)
    if box.derived:
        tally_fix_derived()


def tally_fix_derived() -> int:
    """Recount the derived dimensions exactly and correct the stored rows; returns how many
    rows changed. Cheap at any scale: it reads the organization table, the transfers and
    a few stored rows per organization, never the members."""
    if deferred():
        return 0
    box = _BATCH.get()
    if box is not None:
        box.derived = True
        return 0
    orgs, ancestors = _org_table()
    own_dims = {(spec.dimension, spec.value) for spec in FLAGS.values()}
    own: dict[Key, int] = {}
    flagged_kinds = set().union(*(spec.kinds for spec in FLAGS.values()))
    candidates = [org_id for org_id, values in orgs.items() if values[5] and values[1] in flagged_kinds]
    for start in range(0, len(candidates), 5000):
        rows = OrgTally.objects.filter(
            org_id__in=candidates[start : start + 5000], dimension__in={d for d, _ in own_dims}
        ).values_list("org_id", "dimension", "value", "count")
        own.update({(o, d, v): n for o, d, v, n in rows if (d, v) in own_dims})
    counts: dict[Key, int] = defaultdict(int)
    _count_structure(orgs, ancestors, own=own, counts=counts)
    with_members = (
        OrgTally.objects.filter(dimension=HAMLET, count__gt=0)
        .values_list("org_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    for org_id, n in with_members:
        counts[(org_id, HAMLETS_WITH_MEMBERS, "")] += n
    for key, n in _recount_transfer_flows().items():
        counts[key] += n
    for key, n in recount_org_ratings(ancestors).items():  # by kind: judged on the tree as it is
        counts[key] += n
    stored = {
        (o, d, v): n
        for o, d, v, n in OrgTally.objects.filter(dimension__in=DERIVED_DIMENSIONS).values_list(
            "org_id", "dimension", "value", "count"
        )
    }
    delta = {key: counts.get(key, 0) - stored.get(key, 0) for key in set(counts) | set(stored)}
    delta = {key: n for key, n in delta.items() if n}
    _apply(delta)
    return len(delta)


def tally_subtrees_moved(moves: Iterable[tuple[object, Iterable, Iterable]]) -> None:
    """Subtrees moved: for each (organization, its ancestors before, its ancestors after; the
    organization itself not among them), the counts under it leave the ancestors it no longer
    sits under and join the new ones. Done in the database, one statement per few thousand
    subtrees, whatever their size; the derived dimensions are left to ``tally_fix_derived``."""
    if deferred():
        return
    mapping = []
    for org_id, before, after in moves:
        before, after = set(before), set(after)
        mapping += [(org_id, a, -1) for a in before - after] + [(org_id, a, +1) for a in after - before]
    if not mapping:
        return
    box = _BATCH.get()
    if box is None:
        sql.tally_move_subtree_counts(mapping, kept=DERIVED_DIMENSIONS)
        return
    sources, targets = {m[0] for m in mapping}, {m[1] for m in mapping}
    if box.targets & sources or box.sources & targets or box.dropped & (sources | targets):
        _move_queued(box)
    box.mapping += mapping
    box.sources |= sources
    box.targets |= targets
