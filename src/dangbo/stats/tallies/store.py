"""Writing the tallies (``stats.tallies``): every count reaches ``OrgTally`` through ``_apply``
(one upsert per row, ``stats.sql.tally_add``), unless the tallies are deferred (bulk work,
recounted at its end), spooled (bulk work whose changes are summed at its end: ``spool``) or a
restructuring plan has queued subtree moves that must be applied
first (``_settle``; the queue itself is filled in ``moves``)."""

from __future__ import annotations

from collections.abc import Iterable
from contextvars import ContextVar
from dataclasses import dataclass
from dataclasses import field as dataclass_field

from dangbo.stats import sql
from dangbo.stats.models import OrgTally
from dangbo.stats.tallies.keys import DERIVED_DIMENSIONS, Key

_DEFERRED: ContextVar[bool] = ContextVar("tallies_deferred", default=False)
_SPOOL: ContextVar[str | None] = ContextVar("tallies_spool", default=None)  # its scratch table


def spooling() -> bool:
    """True inside ``spool.tallies_spooled``: changes are written to its scratch table, and what
    is judged from the stored counts (flags, hamlets with members) is judged at its end."""
    return _SPOOL.get() is not None


def deferred() -> bool:
    """True inside ``tallies_deferred``: changes skip the tallies (callers may skip the work
    of preparing them too)."""
    return _DEFERRED.get()


@dataclass
class _PendingMoves:
    """Subtree moves queued by ``restructuring_batched``: (source, target, sign) rows, and
    the sources whose rows are dropped once they have moved."""

    mapping: list = dataclass_field(default_factory=list)
    sources: set = dataclass_field(default_factory=set)
    targets: set = dataclass_field(default_factory=set)
    dropped: set = dataclass_field(default_factory=set)
    derived: bool = False  # a ``tally_fix_derived`` was put off


_BATCH: ContextVar[_PendingMoves | None] = ContextVar("restructuring_batch", default=None)


def _settle(*, reads: Iterable = (), writes: Iterable = ()) -> None:
    """Move the queued subtrees first if this change reads counts they add to, or writes
    counts they are about to move."""
    box = _BATCH.get()
    if box is None or (not box.mapping and not box.dropped):
        return
    reads, writes = set(reads), set(writes)
    if box.targets & reads or box.sources & writes or box.dropped & (reads | writes):
        _move_queued(box)


def _move_queued(box: _PendingMoves) -> None:
    sql.tally_move_subtree_counts(box.mapping, kept=DERIVED_DIMENSIONS)
    if box.dropped:
        OrgTally.objects.filter(org_id__in=list(box.dropped)).delete()
    box.mapping, box.sources, box.targets, box.dropped = [], set(), set(), set()


def tally_rows_dropped(org_ids: Iterable) -> None:
    """Delete the counts of organizations left empty (a merged organization that never held
    members, whose counts moved with it), after any queued move has read them."""
    org_ids = set(org_ids)
    box = _BATCH.get()
    if box is not None and not deferred():
        box.dropped |= org_ids
    elif org_ids:
        OrgTally.objects.filter(org_id__in=list(org_ids)).delete()


def _apply(delta: dict[Key, int]) -> None:
    """Add each count to its row, creating the row when it is new (one upsert per row,
    in key order so two writers lock shared ancestor rows in the same order)."""
    if not delta or deferred():
        return
    spool = _SPOOL.get()
    if spool is not None:
        sql.spool_write(spool, delta)
        return
    _settle(writes={org_id for org_id, _, _ in delta})
    sql.tally_add(delta)
