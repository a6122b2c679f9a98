"""Bulk work that moves many counts without recounting the province: ``tallies_spooled``.

An import of 200,000 members into a province that already holds half a million must not
recount the province (its time and memory grow with the province, not the file), and moving
the counts member by member costs one upsert per changed row per chunk. Inside this block
every change is computed as usual (``members``, ``flows``: the same code as one member's
change) but written to a scratch table (``stats.sql.spool_*``); at the block's end the changes
are summed and added to the stored counts in one statement, then the flags and the hamlets
with members are judged from the summed change, as ``members`` judges them for one change.
Memory stays that of one chunk's change. The result equals moving the counts change by change
(``tests/test_tallies_spool.py`` checks it against a recount).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from dangbo.stats import sql
from dangbo.stats.tallies.keys import FLAGS, HAMLET
from dangbo.stats.tallies.members import _flag_delta, _hamlet_delta
from dangbo.stats.tallies.store import _SPOOL, _apply, deferred, spooling


@contextmanager
def tallies_spooled() -> Iterator[None]:
    """Changes inside the block reach the counts at its end, summed, in the same transaction.
    Nothing is applied if the block fails (the caller's transaction is rolled back, and the
    scratch table with it). Inside deferred or spooled work, the outer block decides."""
    if deferred() or spooling():
        yield
        return
    table = sql.spool_create()
    token = _SPOOL.set(table)
    try:
        yield
    finally:
        _SPOOL.reset(token)
    sql.spool_apply(table)
    judged = sql.spool_sums(table, {HAMLET, *(spec.dimension for spec in FLAGS.values())})
    sql.spool_drop(table)
    _apply(_flag_delta(judged))
    _apply(_hamlet_delta(judged))
