"""The one hook by which the pre-aggregated counts follow the ledger and the tree.

``stats`` keeps counts per organization (``stats.tallies``) that move in the same transaction
as the change they count: a member admitted, an organization established, a hamlet given a
cell, a subtree moved by a restructuring, a cell's meeting recorded or its attendance taken.
The code that makes those changes (``members``, ``orgs``, ``meetings``, ``restructuring``) sits
below ``stats`` and must not import it (DESIGN.md, Shape of the code), so it tells the counts
through this interface instead, and ``stats`` registers its implementation in
``StatsConfig.ready()``.

The default does nothing and keeps nothing: without ``stats`` installed no counts exist to
follow. ``deferred()`` is True then, so callers skip preparing the rows they would pass, and
``counts()`` is None, so pages below ``stats`` that read today's counts (the organization page,
the overview) count live instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from contextlib import AbstractContextManager, nullcontext
from typing import Any


class TallyProjection:
    """What changes tell the counts. Rows are the shapes ``stats.tallies`` documents:
    a member row holds ``status``, the ``member_fields`` and ``positions``; a locality row the
    ``locality_fields``; flows come from ``member_flows``."""

    member_fields: tuple[str, ...] = ()
    locality_fields: tuple[str, ...] = ()

    def deferred(self) -> bool:
        """True when changes leave the counts alone (bulk work recounts at its end)."""
        return True

    def batched(self) -> AbstractContextManager[None]:
        """A block in which a restructuring plan's many moves of counts are queued and
        written together."""
        return nullcontext()

    def spooled(self) -> AbstractContextManager[None]:
        """A block of bulk work (an import) whose changes to the counts are summed and applied
        once at its end, in the same transaction, rather than row by row."""
        return nullcontext()

    # members
    def open_positions(self, member_id: Any) -> list[tuple[Any, str]]:
        return []

    def member_flows(self, events: Iterable[Any], placements: Iterable[Any]) -> list[Any]:
        return []

    def members_changed(self, pairs: Iterable[tuple[Any, Any]]) -> None:
        return None

    def flows_changed(self, pairs: Iterable[tuple[Iterable[Any], Iterable[Any]]]) -> None:
        return None

    # organizations and localities
    def org_changed(self, *, before: Any = None, after: Any = None) -> None:
        return None

    def org_leaders_changed(self, *, before: Any, after: Any) -> None:
        return None

    def locality_row(self, locality_id: Any) -> dict | None:
        return None

    def localities_changed(self, pairs: Iterable[tuple[Any, Any]]) -> None:
        return None

    # restructuring
    def subtrees_moved(self, moves: Iterable[tuple[Any, Iterable[Any], Iterable[Any]]]) -> None:
        return None

    def hamlets_moved(
        self, locality_ids: Iterable[Any], *, old: Iterable[Any], new: Iterable[Any], at: Any
    ) -> None:
        return None

    def rows_dropped(self, org_ids: Iterable[Any]) -> None:
        return None

    def fix_derived(self) -> int:
        return 0

    # meetings (the cell's calendar, attendance and visitors; ``meetings.services``)
    def meeting_counts(self, org_id: Any, months: Iterable[Any]) -> Any:
        """What the counts hold for an organization's meetings, read before a change to its
        calendar or visitors (its whole calendar, and attendance and visitors in ``months``,
        the first days of the months the change touches); the change then passes it to
        ``meetings_changed``. None when the counts are deferred."""
        return None

    def meetings_changed(self, before: Any) -> None:
        return None

    def attendance_changed(
        self, meeting: Any, *, before: Mapping[str, tuple[str, str]], after: Mapping[str, tuple[str, str]]
    ) -> None:
        """Attendance at ``meeting`` changed from ``before`` to ``after`` (member id → (status,
        reason)); members absent from ``after`` were left as they were. The caller holds the
        lock of the meeting's organization row (changes at one cell are counted in turn)."""
        return None

    # dues (``dues.sums``: the change of cells' monthly sums and of the arrears chains)
    def dues_changed(
        self, sums: Mapping[tuple[Any, Any], Mapping[str, int]], arrears: Mapping[tuple[Any, Any, Any], int]
    ) -> None:
        """Cells' monthly dues sums changed by ``sums`` ((cell, month) → field → change, the
        fields of ``dues.sums.FIELDS``) and the links of the members' arrears chains by
        ``arrears`` ((cell, month, previous unpaid month or None) → change), in the caller's
        transaction."""
        return None

    # ratings (yearly reviews listed, decided, corrected; ``ratings.services``)
    def rating_counts(
        self, *, member_ratings: Iterable[Any] = (), org_ratings: Iterable[Any] = (), campaign: Any = None
    ) -> Any:
        """What the counts hold for the member and organization reviews given (ids), or every
        review of ``campaign``, read before a change to them (their rows locked, or about to be
        created); the change then passes it to ``ratings_changed``. None when deferred."""
        return None

    def ratings_changed(self, before: Any) -> None:
        return None

    # reads (pages read today's counts here rather than counting a subtree's members)
    def counts(self, org_ids: Iterable[Any], dimensions: Iterable[str]) -> Mapping[Any, Any] | None:
        """The stored counts of each of ``org_ids``' subtrees in ``dimensions`` (names from
        ``stats.tallies.keys``: ``total``, ``status``, ``gender``, ``org_kind`` ...): org id →
        dimension → value → count, zeros left out. None when no counts are kept: the caller
        counts live."""
        return None

    # conveniences over the above
    def member_changed(self, *, before: Any = None, after: Any = None) -> None:
        self.members_changed([(before, after)])

    def locality_changed(self, *, before: Any = None, after: Any = None) -> None:
        self.localities_changed([(before, after)])


_registered: TallyProjection = TallyProjection()


def register_tallies(projection: TallyProjection) -> None:
    """Called once, from ``StatsConfig.ready()``."""
    global _registered
    _registered = projection


def tallies() -> TallyProjection:
    """The registered counts (a no-op when none are)."""
    return _registered
