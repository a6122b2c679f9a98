"""Cell meetings in the tallies: a per-organization, per-month summary of the chi bộ's meetings,
kept in ``OrgTally`` under every organization above the cell (the cell included), so the
indicators of a province read a few hundred rows instead of millions of attendance rows.

What one cell adds (its chi bộ's meetings only; the committees' meetings are not counted):

- ``meet:present`` / ``meet:expected`` by month: attendance rows at its regular and thematic
  meetings «có mặt», and all rows less the absences of members exempted from meetings (an
  exempted member who comes is counted);
- ``meet:visitors`` by month: the higher-level officials recorded at its meetings;
- ``meet:unexcused``: for each member and each month in which they were absent without reason
  from one of its meetings, the value "month|the member's previous such month at this cell"
  ("0000-00" for the first). The members absent without reason in months A..B are then the
  rows with A ≤ month ≤ B whose previous month is before A: each (member, cell) is counted
  once, however many of its months fall in the period, and the rows still add up across cells;
- ``meet:regular_b`` / ``meet:regular_r``: its months with a regular meeting, as runs of
  consecutive months. A run that starts by the cell's first whole month (a cell founded on
  12 March owes its first meeting in April) is "F|E" under ``_b`` (F that first month, E the
  run's last month); any other run is "S|E" under ``_r``. A cell held every month it owed
  from A to B exactly when one of its runs covers them: a ``_b`` row with F ≤ B and E ≥ B, or
  an ``_r`` row with S ≤ A and E ≥ B (runs do not overlap, so at most one row matches). A
  cell dissolved before B is judged by the reader on its own rows (``stats.indicators``);
- ``meet:thematic_b`` / ``meet:thematic_r``: the same by quarter, for quarters with a
  thematic meeting.

None of this depends on today's date or on whether the cell was later dissolved: a value
changes only when a meeting, its attendance or its visitors change. ``meetings.services``
reports each change through ``core.projections`` (``meeting_counts`` before,
``meetings_changed`` after; ``attendance_changed`` for attendance, computed from the rows
before and after without reading the meeting again). A moved subtree carries these rows like
any other (``tally_subtrees_moved``); ``meetings_rows_kept`` puts back what a merge's drop of
an emptied organization would lose. ``recount_meetings`` recounts everything from the tables
for ``tally_recount``, so ``dangbo check --aggregates`` compares them and the end of
``tallies_deferred`` (the demo's bulk load) rebuilds them; ``tally_meetings_rebuild`` rebuilds
them alone.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.db.models import Count, Q

from dangbo.core import paths
from dangbo.meetings.models import AbsenceReason, Attendance, AttendanceStatus, Body, Meeting, MeetingKind
from dangbo.meetings.models import MeetingVisitor as Visitor
from dangbo.orgs.models import Org
from dangbo.stats import sql
from dangbo.stats.tallies.keys import (
    MEETING_DIMENSIONS,
    MEETING_EXPECTED,
    MEETING_PRESENT,
    MEETING_REGULAR_BIRTH,
    MEETING_REGULAR_RUN,
    MEETING_THEMATIC_BIRTH,
    MEETING_THEMATIC_RUN,
    MEETING_UNEXCUSED,
    MEETING_VISITORS,
    Key,
)
from dangbo.stats.tallies.organizations import _org_table
from dangbo.stats.tallies.store import _BATCH, _apply, deferred

NO_MONTH = "0000-00"  # "no previous month": sorts before every month
COUNTED_KINDS = (MeetingKind.REGULAR, MeetingKind.THEMATIC)  # attendance is counted at these
MeetingKey = tuple[str, str]  # (dimension, value)


# --- months and quarters ----------------------------------------------------------------------


def month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def month_text(index: int) -> str:
    year, month = divmod(index, 12)
    return f"{year:04d}-{month + 1:02d}"


def month_first_day(index: int) -> date:
    year, month = divmod(index, 12)
    return date(year, month + 1, 1)


def quarter_index(day: date) -> int:
    return day.year * 4 + (day.month - 1) // 3


def quarter_text(index: int) -> str:
    year, quarter = divmod(index, 4)
    return f"{year:04d}-Q{quarter + 1}"


def quarter_first_day(index: int) -> date:
    year, quarter = divmod(index, 4)
    return date(year, 3 * quarter + 1, 1)


def first_due_month(created_on: date) -> int:
    """The first month a cell founded on ``created_on`` existed for the whole of."""
    return month_index(created_on) + (0 if created_on.day == 1 else 1)


def first_due_quarter(created_on: date) -> int:
    starts = created_on.day == 1 and created_on.month % 3 == 1
    return quarter_index(created_on) + (0 if starts else 1)


def runs(indexes: Iterable[int]) -> list[tuple[int, int]]:
    """Maximal runs of consecutive numbers: [1, 2, 3, 5] → [(1, 3), (5, 5)]."""
    found: list[tuple[int, int]] = []
    for n in sorted(set(indexes)):
        if found and found[-1][1] == n - 1:
            found[-1] = (found[-1][0], n)
        else:
            found.append((n, n))
    return found


def run_keys(indexes: Iterable[int], first_due: int, *, birth: str, run: str, text) -> list[MeetingKey]:
    keys = []
    for start, end in runs(indexes):
        if start <= first_due:
            keys.append((birth, f"{text(first_due)}|{text(end)}"))
        else:
            keys.append((run, f"{text(start)}|{text(end)}"))
    return keys


def chain_values(months: Iterable[int]) -> list[str]:
    """One member's months of unexcused absence at one cell, each with the one before it."""
    values, previous = [], NO_MONTH
    for month in sorted(set(months)):
        values.append(f"{month_text(month)}|{previous}")
        previous = month_text(month)
    return values


def _present(state: tuple[str, str] | None) -> int:
    return int(state is not None and state[0] == AttendanceStatus.PRESENT)


def _expected(state: tuple[str, str] | None) -> int:
    exempted = (AttendanceStatus.ABSENT_EXCUSED, AbsenceReason.EXEMPTED)
    return int(state is not None and tuple(state) != exempted)


def _unexcused(state: tuple[str, str] | None) -> bool:
    return state is not None and state[0] == AttendanceStatus.ABSENT_UNEXCUSED


@dataclass
class OrgMeetings:
    """What one organization's chi bộ meetings are, as the tallies count them."""

    created_on: date
    regular: set[int] = field(default_factory=set)  # month indexes
    thematic: set[int] = field(default_factory=set)  # quarter indexes
    present: Counter = field(default_factory=Counter)  # month index → rows
    expected: Counter = field(default_factory=Counter)
    visitors: Counter = field(default_factory=Counter)
    unexcused: dict = field(default_factory=lambda: defaultdict(set))  # member → month indexes

    def keys(self) -> Counter:
        counts: Counter = Counter()
        for dimension, by_month in (
            (MEETING_PRESENT, self.present),
            (MEETING_EXPECTED, self.expected),
            (MEETING_VISITORS, self.visitors),
        ):
            for month, n in by_month.items():
                if n:
                    counts[(dimension, month_text(month))] += n
        for months in self.unexcused.values():
            for value in chain_values(months):
                counts[(MEETING_UNEXCUSED, value)] += 1
        for key in run_keys(
            self.regular,
            first_due_month(self.created_on),
            birth=MEETING_REGULAR_BIRTH,
            run=MEETING_REGULAR_RUN,
            text=month_text,
        ):
            counts[key] += 1
        for key in run_keys(
            self.thematic,
            first_due_quarter(self.created_on),
            birth=MEETING_THEMATIC_BIRTH,
            run=MEETING_THEMATIC_RUN,
            text=quarter_text,
        ):
            counts[key] += 1
        return counts


def _chi_bo(prefix: str = "meeting__") -> Q:
    return Q(**{f"{prefix}body": Body.CHI_BO})


_PRESENT_Q = Q(status=AttendanceStatus.PRESENT)
_EXEMPTED_Q = Q(status=AttendanceStatus.ABSENT_EXCUSED, reason=AbsenceReason.EXEMPTED)


def org_meetings(org_id, created_on: date, months: Iterable[date] | None = None) -> OrgMeetings:
    """One organization's chi bộ meetings: the whole calendar and every unexcused absence, and
    attendance and visitors in ``months`` (first days; None: every month)."""
    data = OrgMeetings(created_on)
    calendar = Meeting.objects.filter(_chi_bo(""), org_id=org_id, kind__in=COUNTED_KINDS)
    for kind, month in calendar.values_list("kind", "month").distinct().order_by():
        if kind == MeetingKind.REGULAR:
            data.regular.add(month_index(month))
        else:
            data.thematic.add(quarter_index(month))
    attendance = Attendance.objects.filter(_chi_bo(), meeting__org_id=org_id)
    visitors = Visitor.objects.filter(_chi_bo(), meeting__org_id=org_id)
    if months is not None:
        months = list(months)
        attendance, visitors = (
            attendance.filter(meeting__month__in=months),
            visitors.filter(meeting__month__in=months),
        )
    if months is None or months:
        rows = (
            attendance.filter(meeting__kind__in=COUNTED_KINDS)
            .values_list("meeting__month")
            .annotate(present=Count("id", filter=_PRESENT_Q), expected=Count("id", filter=~_EXEMPTED_Q))
            .order_by()
        )
        for month, present, expected in rows:
            data.present[month_index(month)] += present
            data.expected[month_index(month)] += expected
        for month, n in visitors.values_list("meeting__month").annotate(n=Count("id")).order_by():
            data.visitors[month_index(month)] += n
    absences = Attendance.objects.filter(
        _chi_bo(), meeting__org_id=org_id, status=AttendanceStatus.ABSENT_UNEXCUSED
    )
    for member_id, month in absences.values_list("member_id", "meeting__month").distinct().order_by():
        data.unexcused[member_id].add(month_index(month))
    return data


# --- following the changes of meetings.services -----------------------------------------------


@dataclass(frozen=True)
class Snapshot:
    org_id: object
    path: str
    created_on: date
    months: tuple[date, ...]
    keys: Counter


def meeting_counts(org_id, months: Iterable[date]) -> Snapshot | None:
    """The counts of ``org_id``'s meetings before a change (``meetings_changed`` after it). The
    organization's row is locked: its changes are counted one after the other, each against
    the calendar and absences the other left."""
    if deferred():
        return None
    path, created_on = (
        Org.objects.select_for_update().filter(pk=org_id).values_list("path", "created_on").get()
    )
    wanted = tuple(sorted({m.replace(day=1) for m in months}))
    return Snapshot(org_id, path, created_on, wanted, org_meetings(org_id, created_on, wanted).keys())


def tally_meetings_changed(before: Snapshot | None) -> None:
    if before is None or deferred():
        return
    after = org_meetings(before.org_id, before.created_on, before.months).keys()
    delta = {key: after.get(key, 0) - before.keys.get(key, 0) for key in set(after) | set(before.keys)}
    _add_under(before.path, delta)


def tally_attendance_changed(
    meeting, *, before: Mapping[str, tuple[str, str]], after: Mapping[str, tuple[str, str]]
) -> None:
    """Attendance at ``meeting`` changed (member id → (status, reason), before and after): the
    month's present and expected rows move by the difference; a member whose unexcused absence
    at the meeting came or went has their chain at the cell recomputed from their other
    absences there. The caller holds the lock of the organization's row, as ``meeting_counts``
    takes it: changes at one cell are counted one after the other."""
    if deferred() or meeting.body != Body.CHI_BO:
        return
    month = month_index(meeting.month)
    counted = meeting.kind in COUNTED_KINDS
    delta: Counter = Counter()
    switched = {}
    for member_id, state in after.items():
        old = before.get(member_id)
        if old is not None and tuple(old) == tuple(state):
            continue
        if counted:
            delta[(MEETING_PRESENT, month_text(month))] += _present(state) - _present(old)
            delta[(MEETING_EXPECTED, month_text(month))] += _expected(state) - _expected(old)
        if _unexcused(old) != _unexcused(state):
            switched[str(member_id)] = _unexcused(state)
    if switched:
        # The caller holds the lock of the meeting's organization row (``attendance_record``
        # loads the meeting FOR UPDATE with its organization), so the other absences read here
        # cannot change before this transaction ends.
        others: dict[str, set[int]] = defaultdict(set)
        rows = (
            Attendance.objects.filter(
                _chi_bo(),
                member_id__in=list(switched),
                meeting__org_id=meeting.org_id,
                status=AttendanceStatus.ABSENT_UNEXCUSED,
            )
            .exclude(meeting_id=meeting.pk)
            .values_list("member_id", "meeting__month")
            .order_by()
        )
        for absent_id, other_month in rows:
            others[str(absent_id)].add(month_index(other_month))
        for member_id, now_absent in switched.items():
            base = others.get(member_id, set())
            for value in chain_values(base | ({month} if not now_absent else set())):
                delta[(MEETING_UNEXCUSED, value)] -= 1
            for value in chain_values(base | ({month} if now_absent else set())):
                delta[(MEETING_UNEXCUSED, value)] += 1
    _add_under(meeting.org.path, dict(delta))


def _add_under(path: str, delta: Mapping[MeetingKey, int]) -> None:
    """Add ``delta`` to the organization at ``path`` and every one above it: one statement
    (the organizations' ids read in it); inside a restructuring plan's batch, through the
    batch's writer, which settles its queued moves first."""
    delta = {key: n for key, n in delta.items() if n}
    if not delta or deferred():
        return
    above = paths.ancestor_paths(path)
    if _BATCH.get() is None:
        sql.tally_add_under_paths(above, delta)
        return
    ids = list(Org.objects.filter(path__in=above).values_list("pk", flat=True))
    _apply({(org_id, dim, value): n for org_id in ids for (dim, value), n in delta.items()})


# --- a merge that empties an organization -----------------------------------------------------

_MOVED: ContextVar[dict | None] = ContextVar("meeting_moves", default=None)


def meetings_moves_seen(moves: list[tuple[object, Iterable, Iterable]]) -> None:
    """Remember where each moved organization's counts went (``meetings_rows_kept`` needs it)."""
    seen = dict(_MOVED.get() or {})
    seen.update({org_id: (set(before), set(after)) for org_id, before, after in moves})
    _MOVED.set(seen)


def moves_seen() -> dict:
    """What ``meetings_moves_seen`` remembers (org id → its ancestors before, after), read
    without forgetting it (``dues_rows_kept`` reads it before ``meetings_rows_kept``)."""
    return dict(_MOVED.get() or {})


def meetings_rows_kept(org_ids: Iterable) -> None:
    """After a merge drops the counts of a source it left empty (``tally_rows_dropped``): that
    source's own meetings stay where it is, so what they added, moved with its counts to the
    ancestors of the organization it merged into, is taken back there and put back under it
    and its former ancestors. (A source that held members keeps its rows; nothing to do.)"""
    if deferred():
        return
    seen = dict(_MOVED.get() or {})
    delta: dict[Key, int] = defaultdict(int)
    for org_id in org_ids:
        if org_id not in seen:
            continue
        before, after = seen.pop(org_id)
        created_on = Org.objects.values_list("created_on", flat=True).get(pk=org_id)
        own = org_meetings(org_id, created_on).keys()
        for (dimension, value), n in own.items():
            delta[(org_id, dimension, value)] += n
            for ancestor in before - after:
                delta[(ancestor, dimension, value)] += n
            for ancestor in after - before:
                delta[(ancestor, dimension, value)] -= n
    _MOVED.set(seen)
    _apply({key: n for key, n in delta.items() if n})


# --- the recount ------------------------------------------------------------------------------


def recount_meetings(
    ancestors: Mapping[object, list], org_q: Callable[[str], Q] | None = None
) -> dict[Key, int]:
    """Every organization's meeting counts from the tables, under each organization above it
    (``ancestors``: org id → the ids of the organizations above it, itself included). With
    ``org_q`` (a field prefix → the condition on the organization there), only the meetings of
    those organizations (``tallies.recount`` counts a province part by part)."""
    orgs: dict[object, OrgMeetings] = {}

    def where(prefix: str) -> Q:
        return org_q(prefix) if org_q is not None else Q()

    created = dict(Org.objects.filter(where("")).values_list("id", "created_on"))

    def of(org_id) -> OrgMeetings:
        if org_id not in orgs:
            orgs[org_id] = OrgMeetings(created[org_id])
        return orgs[org_id]

    calendar = Meeting.objects.filter(_chi_bo(""), where("org__"), kind__in=COUNTED_KINDS)
    for org_id, kind, month in calendar.values_list("org_id", "kind", "month").distinct().order_by():
        if kind == MeetingKind.REGULAR:
            of(org_id).regular.add(month_index(month))
        else:
            of(org_id).thematic.add(quarter_index(month))
    attendance = (
        Attendance.objects.filter(_chi_bo(), where("meeting__org__"), meeting__kind__in=COUNTED_KINDS)
        .values_list("meeting__org_id", "meeting__month")
        .annotate(present=Count("id", filter=_PRESENT_Q), expected=Count("id", filter=~_EXEMPTED_Q))
        .order_by()
    )
    for org_id, month, present, expected in attendance.iterator(chunk_size=20000):
        of(org_id).present[month_index(month)] += present
        of(org_id).expected[month_index(month)] += expected
    visitors = (
        Visitor.objects.filter(_chi_bo(), where("meeting__org__"))
        .values_list("meeting__org_id", "meeting__month")
        .annotate(n=Count("id"))
        .order_by()
    )
    for org_id, month, n in visitors.iterator(chunk_size=20000):
        of(org_id).visitors[month_index(month)] += n
    absences = (
        Attendance.objects.filter(
            _chi_bo(), where("meeting__org__"), status=AttendanceStatus.ABSENT_UNEXCUSED
        )
        .values_list("meeting__org_id", "member_id", "meeting__month")
        .distinct()
        .order_by()
    )
    for org_id, member_id, month in absences.iterator(chunk_size=20000):
        of(org_id).unexcused[member_id].add(month_index(month))
    counts: dict[Key, int] = defaultdict(int)
    for holder, data in orgs.items():
        above = ancestors.get(holder, [holder])
        for (dimension, value), n in data.keys().items():
            for ancestor in above:
                counts[(ancestor, dimension, value)] += n
    return counts


def tally_meetings_rebuild() -> int:
    """Replace the meeting counts alone with a recount, in one transaction: after a bulk load of
    meetings into a database whose other counts are right (cheaper than ``tally_rebuild``).
    Returns the number of rows written."""
    _orgs, ancestors = _org_table()
    counts = {key: n for key, n in recount_meetings(ancestors).items() if n}
    with transaction.atomic():
        sql.tally_replace_all(counts, dimensions=MEETING_DIMENSIONS)
    return len(counts)
