"""The figures behind the section «Sinh hoạt chi bộ» (RULES.md §3, §11 rule 13), for the root
of a report and each of its children.

A period is counted in whole months and quarters: those that **end** within it (a month not
over yet owes nothing yet; 1 January to 5 December counts January to November and the first
three quarters). A cell owes a regular meeting in each month it existed for the whole of, and
a thematic one in each such quarter.

Two ways, one answer:

- **from the tallies** (``stats.tallies.meetings``), when no organization has moved, merged,
  split or changed kind since the period began: a few grouped reads of the stored counts of
  the root and its children, the cells owed from the organization table, and the cells
  dissolved during the period judged on their own meetings (their stored runs cannot know
  the dissolution). This is what a dashboard reads: milliseconds at any scale;
- **by organization** (``period_cells`` with ``own_tallies``), otherwise: each organization
  placed by its version on the period's last day (or on its own last day, if it ceased
  before), with its own stored counts (its tallies less its children's: ``_read_own_tallies``)
  — a few thousand grouped rows for a province, whatever the restructurings since. The
  drill-downs read the same organizations' meetings, attendance and visitors from the tables
  (they name members and meetings), and the tests compare the two readings.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Q, Sum
from django.db.models.functions import Substr

from dangbo.core import paths
from dangbo.core.kinds import CELL_KINDS
from dangbo.meetings.models import Attendance, AttendanceStatus, Body, Meeting, MeetingKind, MeetingVisitor
from dangbo.orgs.models import Org, OrgVersion
from dangbo.stats.indicators.context import Context
from dangbo.stats.models import OrgTally
from dangbo.stats.tallies import keys as k
from dangbo.stats.tallies import meetings as mt


@dataclass(frozen=True)
class Span:
    """The whole months and quarters a period counts (indexes of ``stats.tallies.meetings``),
    None when it holds none."""

    months: tuple[int, int] | None
    quarters: tuple[int, int] | None
    end: date

    @property
    def first_day(self) -> date:
        days = [mt.month_first_day(self.months[0])] if self.months else []
        days += [mt.quarter_first_day(self.quarters[0])] if self.quarters else []
        return min(days) if days else self.end


def period_span(start: date, end: date) -> Span:
    after = end + timedelta(days=1)
    last_month = mt.month_index(end) - (0 if after.day == 1 else 1)
    quarter_ends = after.day == 1 and after.month % 3 == 1
    last_quarter = mt.quarter_index(end) - (0 if quarter_ends else 1)
    first_month, first_quarter = mt.month_index(start), mt.quarter_index(start)
    return Span(
        months=(first_month, last_month) if first_month <= last_month else None,
        quarters=(first_quarter, last_quarter) if first_quarter <= last_quarter else None,
        end=end,
    )


def span_of(ctx: Context) -> Span:
    return ctx.grouped("meetings:span", lambda: period_span(ctx.frame.start, ctx.frame.end))


@dataclass
class Figures:
    cells_months: int = 0  # cells that owed at least one month of the period
    held_months: int = 0  # ... and held the regular meeting of each
    cells_quarters: int = 0
    held_quarters: int = 0
    present: int = 0
    expected: int = 0
    unexcused: int = 0  # (member, cell) pairs with an unexcused absence in the period
    visitors: int = 0


def figures(ctx: Context, org: Org) -> Figures:
    """The meeting figures of ``org`` (the root or a child) over the frame's period."""

    def load(holders: dict) -> dict[object, Figures]:
        span = span_of(ctx)
        root_path = ctx.root_path  # (read once: it is a query)
        paths_by_id = holders if root_path else {}
        if ctx.frame.tree_unchanged_since(min(span.first_day, ctx.frame.as_of), kinds_too=True):
            return _from_tallies(paths_by_id, root_path, span)
        return _live(ctx, span, paths_by_id)

    return ctx.holders_of("meetings", org, load, Figures())


# --- from the tallies ---------------------------------------------------------------------------


def _run_conditions(span: Span) -> Q:
    """The stored runs that cover the period (see ``stats.tallies.meetings``)."""
    found = Q(pk__in=[])
    for period, text, birth, run in (
        (span.months, mt.month_text, k.MEETING_REGULAR_BIRTH, k.MEETING_REGULAR_RUN),
        (span.quarters, mt.quarter_text, k.MEETING_THEMATIC_BIRTH, k.MEETING_THEMATIC_RUN),
    ):
        if period is None:
            continue
        first, last = text(period[0]), text(period[1])
        found |= Q(dimension=birth, value__lte=f"{last}|~", tail__gte=last)
        found |= Q(dimension=run, value__lte=f"{first}|~", tail__gte=last)
    return found


def _from_tallies(by_id: dict[object, str], root_path: str, span: Span) -> dict[object, Figures]:
    """The figures of the organizations of ``by_id`` (id → path: the root and its children)."""
    out = {org_id: Figures() for org_id in by_id}
    if span.months is not None:
        first, last = mt.month_text(span.months[0]), mt.month_text(span.months[1])
        sums = (
            OrgTally.objects.filter(
                org_id__any=list(by_id),
                dimension__in=[k.MEETING_PRESENT, k.MEETING_EXPECTED, k.MEETING_VISITORS],
                value__gte=first,
                value__lte=last,
            )
            .values_list("org_id", "dimension")
            .annotate(n=Sum("count"))
            .order_by()
        )
        unexcused = (
            OrgTally.objects.filter(
                org_id__any=list(by_id),
                dimension=k.MEETING_UNEXCUSED,
                value__gte=first,
                value__lte=f"{last}|~",
            )
            .annotate(tail=Substr("value", 9, 7))
            .filter(tail__lt=first)
            .values_list("org_id", "dimension")
            .annotate(n=Sum("count"))
            .order_by()
        )
        fields = {
            k.MEETING_PRESENT: "present",
            k.MEETING_EXPECTED: "expected",
            k.MEETING_VISITORS: "visitors",
            k.MEETING_UNEXCUSED: "unexcused",
        }
        for org_id, dimension, n in [*sums, *unexcused]:
            setattr(out[org_id], fields[dimension], n or 0)
    if span.months is None and span.quarters is None:
        return out
    covered = (
        OrgTally.objects.filter(org_id__any=list(by_id))
        .annotate(tail=Substr("value", 9, 7))
        .filter(_run_conditions(span))
        .values_list("org_id", "dimension")
        .annotate(n=Sum("count"))
        .order_by()
    )
    for org_id, dimension, n in covered:
        figures = out[org_id]
        if dimension in (k.MEETING_REGULAR_BIRTH, k.MEETING_REGULAR_RUN):
            figures.held_months += n or 0
        else:
            figures.held_quarters += n or 0
    _cells_owed(by_id, root_path, span, out)
    return out


def _cells_owed(by_id: dict[object, str], root_path: str, span: Span, out: dict[object, Figures]) -> None:
    """Add the cells that owed meetings in the period (living through its last counted month or
    quarter: one grouped count), and correct the held counts for the cells dissolved during it,
    judged on their own meetings."""
    width = len(root_path) + paths.SEGMENT_WIDTH + 1
    cells = Org.objects.filter(paths.subtree_q(root_path), kind__in=list(CELL_KINDS))
    # dissolved before the end of the last counted month (quarter): not in the counts below
    windows = [_window(span.months, mt.month_first_day), _window(span.quarters, mt.quarter_first_day)]
    ended_q = Q(
        dissolved_on__gte=min(w[0] for w in windows if w), dissolved_on__lt=max(w[1] for w in windows if w)
    )
    counts = {"ended": Count("id", filter=ended_q)}
    for name, period, first_day in (
        ("months", span.months, mt.month_first_day),
        ("quarters", span.quarters, mt.quarter_first_day),
    ):
        if period is not None:
            counts[name] = Count(
                "id",
                filter=Q(created_on__lte=first_day(period[1]))
                & (Q(dissolved_on__isnull=True) | Q(dissolved_on__gte=first_day(period[1] + 1))),
            )
    rows = cells.annotate(branch=Substr("path", 1, width)).values("branch").annotate(**counts).order_by()
    ended_count = 0
    # a branch (the first segment below the root) counts under the root and the child it is
    holders_of = {prefix: [org_id] for org_id, prefix in by_id.items() if len(prefix) == width}
    roots = [org_id for org_id, prefix in by_id.items() if len(prefix) < width]
    for row in rows:
        ended_count += row["ended"]
        for org_id in [*roots, *holders_of.get(row["branch"], ())]:
            if row["branch"].startswith(by_id[org_id]):
                out[org_id].cells_months += row.get("months", 0)
                out[org_id].cells_quarters += row.get("quarters", 0)
    if not ended_count:
        return
    ended = list(cells.filter(ended_q).values_list("id", "path", "created_on", "dissolved_on"))
    calendars = _calendars([org_id for org_id, *_ in ended])
    for org_id, path, created_on, dissolved_on in ended:
        regular, thematic = calendars.get(org_id, (set(), set()))
        judged = _judge(
            Span(
                span.months if _inside(dissolved_on, windows[0]) else None,
                span.quarters if _inside(dissolved_on, windows[1]) else None,
                span.end,
            ),
            created_on,
            dissolved_on,
            regular,
            thematic,
        )
        for holder, prefix in by_id.items():
            if path.startswith(prefix):
                figures = out[holder]
                figures.cells_months += judged.owes_months
                figures.held_months += judged.held_months - judged.stored_months
                figures.cells_quarters += judged.owes_quarters
                figures.held_quarters += judged.held_quarters - judged.stored_quarters


def _window(period: tuple[int, int] | None, first_day) -> tuple[date, date] | None:
    """From the first day of the period's first month (quarter) to the day after its last."""
    return (first_day(period[0]), first_day(period[1] + 1)) if period is not None else None


def _inside(day: date | None, window: tuple[date, date] | None) -> bool:
    return day is not None and window is not None and window[0] <= day < window[1]


def _calendars(org_ids) -> dict:
    """Each organization's months with a regular chi bộ meeting and quarters with a thematic one."""
    found: dict = defaultdict(lambda: (set(), set()))
    rows = Meeting.objects.filter(
        org_id__any=list(org_ids), body=Body.CHI_BO, kind__in=[MeetingKind.REGULAR, MeetingKind.THEMATIC]
    )
    for org_id, kind, month in rows.values_list("org_id", "kind", "month").distinct().order_by():
        regular, thematic = found[org_id]
        if kind == MeetingKind.REGULAR:
            regular.add(mt.month_index(month))
        else:
            thematic.add(mt.quarter_index(month))
    return found


@dataclass(frozen=True)
class _Judged:
    owes_months: int
    held_months: int
    stored_months: int  # what the stored runs count for the period (the runs ignore dissolution)
    owes_quarters: int
    held_quarters: int
    stored_quarters: int


def owed(period: tuple[int, int] | None, first_due: int, last_due: int | None) -> range:
    """The months (quarters) of ``period`` a cell owed, between its first whole one and its last."""
    if period is None:
        return range(0)
    return range(
        max(period[0], first_due), min(period[1], last_due if last_due is not None else period[1]) + 1
    )


def _covered(keys, period: tuple[int, int] | None, text, birth: str) -> int:
    if period is None:
        return 0
    first, last = text(period[0]), text(period[1])
    return sum(
        1
        for dimension, value in keys
        if value[8:] >= last and (value[:7] <= last if dimension == birth else value[:7] <= first)
    )


def _judge(span: Span, created_on: date, dissolved_on: date | None, regular, thematic) -> _Judged:
    last_month = mt.month_index(dissolved_on) - 1 if dissolved_on else None
    last_quarter = mt.quarter_index(dissolved_on) - 1 if dissolved_on else None
    months = owed(span.months, mt.first_due_month(created_on), last_month)
    quarters = owed(span.quarters, mt.first_due_quarter(created_on), last_quarter)
    month_keys = mt.run_keys(
        regular,
        mt.first_due_month(created_on),
        birth=k.MEETING_REGULAR_BIRTH,
        run=k.MEETING_REGULAR_RUN,
        text=mt.month_text,
    )
    quarter_keys = mt.run_keys(
        thematic,
        mt.first_due_quarter(created_on),
        birth=k.MEETING_THEMATIC_BIRTH,
        run=k.MEETING_THEMATIC_RUN,
        text=mt.quarter_text,
    )
    return _Judged(
        owes_months=int(bool(months)),
        held_months=int(bool(months) and set(months) <= set(regular)),
        stored_months=_covered(month_keys, span.months, mt.month_text, k.MEETING_REGULAR_BIRTH),
        owes_quarters=int(bool(quarters)),
        held_quarters=int(bool(quarters) and set(quarters) <= set(thematic)),
        stored_quarters=_covered(quarter_keys, span.quarters, mt.quarter_text, k.MEETING_THEMATIC_BIRTH),
    )


# --- live, from the tables ----------------------------------------------------------------------


@dataclass
class CellPeriod:
    """One organization's meetings in a period, and where it stood on the period's last day."""

    org_id: object
    path: str  # on ``day``
    day: date  # the period's last day, or the organization's last day if it ceased before
    is_cell: bool  # a cell (chi bộ) on ``day``
    owed_months: range = range(0)
    owed_quarters: range = range(0)
    regular: set[int] = field(default_factory=set)  # months of the period with a regular meeting
    thematic: set[int] = field(default_factory=set)  # quarters with a thematic meeting
    present: int = 0
    expected: int = 0
    visitors: int = 0
    unexcused: dict = field(default_factory=lambda: defaultdict(set))  # member → months
    # how many members were absent without reason, when read from the tallies (which keep the
    # number, not the members: ``_read_own_tallies``); None: ``len(unexcused)``
    unexcused_count: int | None = None

    @property
    def unexcused_members(self) -> int:
        return len(self.unexcused) if self.unexcused_count is None else self.unexcused_count

    @property
    def missing_months(self) -> list[int]:
        return [m for m in self.owed_months if m not in self.regular]

    @property
    def missing_quarters(self) -> list[int]:
        return [q for q in self.owed_quarters if q not in self.thematic]


PARTS = frozenset({"calendar", "attendance", "unexcused", "visitors"})


def cell_period(
    span: Span, org_id, path: str, created_on: date, dissolved_on: date | None, is_cell: bool
) -> CellPeriod:
    """An organization in the period, with the months and quarters it owed if it is a cell."""
    day = min(span.end, dissolved_on - timedelta(days=1)) if dissolved_on else span.end
    cell = CellPeriod(org_id, path, day, is_cell)
    if is_cell:
        last_month = mt.month_index(dissolved_on) - 1 if dissolved_on else None
        last_quarter = mt.quarter_index(dissolved_on) - 1 if dissolved_on else None
        cell.owed_months = owed(span.months, mt.first_due_month(created_on), last_month)
        cell.owed_quarters = owed(span.quarters, mt.first_due_quarter(created_on), last_quarter)
    return cell


def period_cells(
    span: Span, root_paths: list[str], parts=PARTS, *, own_tallies: bool = False
) -> list[CellPeriod]:
    """Every organization with chi bộ meetings in the period, or a cell then, whose path on its
    day (the period's last, or its own last) lay under one of ``root_paths`` (the root's
    paths during the period), with its figures (``parts`` of them) read from the tables, or,
    with ``own_tallies``, every figure but the absent members themselves from each
    organization's own stored counts (``_read_own_tallies``)."""
    start, end = span.first_day, span.end
    overlap = Q(valid_from__lte=end) & (Q(valid_to__isnull=True) | Q(valid_to__gt=start))
    under = Q(pk__in=[])
    for root_path in set(root_paths):
        under |= paths.subtree_q(root_path)
    versions = OrgVersion.objects.filter(overlap, under)
    spans = defaultdict(list)
    for org_id, valid_from, valid_to, path, kind in versions.values_list(
        "org_id", "valid_from", "valid_to", "path", "kind"
    ):
        spans[org_id].append((valid_from, valid_to, path, kind))
    lives = {
        org_id: (created_on, dissolved_on)
        for org_id, created_on, dissolved_on in Org.objects.filter(pk__any=list(spans)).values_list(
            "id", "created_on", "dissolved_on"
        )
    }
    cells: dict[object, CellPeriod] = {}
    for org_id, rows in spans.items():
        created_on, dissolved_on = lives[org_id]
        day = min(end, dissolved_on - timedelta(days=1)) if dissolved_on else end
        version = next((r for r in rows if r[0] <= day and (r[1] is None or day < r[1])), None)
        if version is None or day < start:
            continue
        cells[org_id] = cell_period(
            span, org_id, version[2], created_on, dissolved_on, version[3] in CELL_KINDS
        )
    if own_tallies:
        _read_own_tallies(span, cells)
    else:
        _read_period(span, cells, parts)
    return [c for c in cells.values() if any(c.path.startswith(p) for p in root_paths)]


def _read_period(span: Span, cells: dict[object, CellPeriod], parts=PARTS) -> None:
    if not cells:
        return
    period = period_q(span, list(cells))
    if "calendar" in parts:
        read_calendar(span, cells)
    if "attendance" in parts:
        counted = Attendance.objects.filter(
            period, meeting__kind__in=[MeetingKind.REGULAR, MeetingKind.THEMATIC]
        )
        for org_id, present, expected in (
            counted.values_list("meeting__org_id")
            .annotate(present=Count("id", filter=mt._PRESENT_Q), expected=Count("id", filter=~mt._EXEMPTED_Q))
            .order_by()
        ):
            cells[org_id].present, cells[org_id].expected = present, expected
    if "visitors" in parts:
        for org_id, n in (
            MeetingVisitor.objects.filter(period)
            .values_list("meeting__org_id")
            .annotate(n=Count("id"))
            .order_by()
        ):
            cells[org_id].visitors = n
    if "unexcused" in parts:
        read_unexcused(period, cells)


def _read_own_tallies(span: Span, cells: dict[object, CellPeriod]) -> None:
    """What ``_read_period`` reads from the tables, read from the tallies: under an organization
    they keep its own meetings' counts and those of every organization below it in today's
    tree, so its own are its rows less its children's. Placed by the caller on the period's
    tree, they give the figures of any period, however the tree changed since (a province's
    year: a few thousand grouped rows instead of every meeting and attendance of the year).
    The months (quarters) with a regular (thematic) meeting come from the stored runs: exact
    for the months a cell owes, which is all the figures and the drill-downs look at."""
    if not cells or (span.months is None and span.quarters is None):
        return
    ids = list(cells)
    children: dict[object, list] = defaultdict(list)
    for start in range(0, len(ids), _CHUNK):
        for child_id, parent_id in Org.objects.filter(parent_id__in=ids[start : start + _CHUNK]).values_list(
            "id", "parent_id"
        ):
            children[parent_id].append(child_id)
    readable = ids + [child for found in children.values() for child in found]
    rows: dict[object, dict] = defaultdict(lambda: defaultdict(int))  # org → (dimension, value) → n
    runs = [k.MEETING_REGULAR_BIRTH, k.MEETING_REGULAR_RUN, k.MEETING_THEMATIC_BIRTH, k.MEETING_THEMATIC_RUN]
    # the runs of the cells that owe meetings in the period, and of their children (a committee's
    # runs are those of every cell below it: thousands of rows, not needed)
    owing = [org_id for org_id, cell in cells.items() if cell.owed_months or cell.owed_quarters]
    owing += [child for org_id in owing for child in children.get(org_id, ())]
    for start in range(0, len(owing), _CHUNK):
        for org_id, dimension, value, n in (
            OrgTally.objects.filter(org_id__in=owing[start : start + _CHUNK])
            .annotate(tail=Substr("value", 9, 7))
            .filter(_runs_reaching(span))
            .values_list("org_id", "dimension", "value", "count")
        ):
            rows[org_id][dimension, value] += n
    for start in range(0, len(readable), _CHUNK):
        chunk = OrgTally.objects.filter(org_id__in=readable[start : start + _CHUNK])
        if span.months is not None:
            first, last = mt.month_text(span.months[0]), mt.month_text(span.months[1])
            dimensions = [k.MEETING_PRESENT, k.MEETING_EXPECTED, k.MEETING_VISITORS]
            sums = (  # one row per organization
                chunk.filter(dimension__in=dimensions, value__gte=first, value__lte=last)
                .values_list("org_id")
                .annotate(**{f"n{i}": Sum("count", filter=Q(dimension=d)) for i, d in enumerate(dimensions)})
                .order_by()
            )
            for org_id, *found in sums:
                for dimension, n in zip(dimensions, found, strict=True):
                    rows[org_id][dimension, ""] += n or 0
            unexcused = (
                chunk.filter(dimension=k.MEETING_UNEXCUSED, value__gte=first, value__lte=f"{last}|~")
                .annotate(tail=Substr("value", 9, 7))
                .filter(tail__lt=first)
            )
            for org_id, n in unexcused.values_list("org_id").annotate(n=Sum("count")).order_by():
                rows[org_id][k.MEETING_UNEXCUSED, ""] += n or 0
    for holder, cell in cells.items():
        own = Counter(rows.get(holder, {}))
        for child in children.get(holder, ()):
            own.subtract(rows.get(child, {}))
        cell.present = own[k.MEETING_PRESENT, ""]
        cell.expected = own[k.MEETING_EXPECTED, ""]
        cell.visitors = own[k.MEETING_VISITORS, ""]
        cell.unexcused_count = own[k.MEETING_UNEXCUSED, ""]
        for (dimension, value), n in own.items():
            if n <= 0 or dimension not in runs:
                continue
            if dimension in (k.MEETING_REGULAR_BIRTH, k.MEETING_REGULAR_RUN) and span.months is not None:
                low, high = _text_month(value[:7]), _text_month(value[8:])
                cell.regular.update(range(max(low, span.months[0]), min(high, span.months[1]) + 1))
            elif (
                dimension in (k.MEETING_THEMATIC_BIRTH, k.MEETING_THEMATIC_RUN) and span.quarters is not None
            ):
                low, high = _text_quarter(value[:7]), _text_quarter(value[8:])
                cell.thematic.update(range(max(low, span.quarters[0]), min(high, span.quarters[1]) + 1))


_CHUNK = 2000  # organizations per read (SQLite's bound parameters)


def _runs_reaching(span: Span) -> Q:
    """The stored runs of months (quarters) with a meeting that end within the period or after
    it, and start before its end (annotated ``tail``: a run's last month or quarter)."""
    found = Q(pk__in=[])
    for period, text, dimensions in (
        (span.months, mt.month_text, [k.MEETING_REGULAR_BIRTH, k.MEETING_REGULAR_RUN]),
        (span.quarters, mt.quarter_text, [k.MEETING_THEMATIC_BIRTH, k.MEETING_THEMATIC_RUN]),
    ):
        if period is not None:
            first, last = text(period[0]), text(period[1])
            found |= Q(dimension__in=dimensions, value__lte=f"{last}|~", tail__gte=first)
    return found


def _text_month(text: str) -> int:
    """``stats.tallies.meetings.month_text`` read back: "2025-07" → its month index."""
    return int(text[:4]) * 12 + int(text[5:7]) - 1


def _text_quarter(text: str) -> int:
    """``stats.tallies.meetings.quarter_text`` read back: "2025-Q3" → its quarter index."""
    return int(text[:4]) * 4 + int(text[6]) - 1


def period_q(span: Span, org_ids: list) -> Q:
    """Attendance or visitors at the chi bộ meetings of ``org_ids`` in the period's months."""
    if span.months is None:
        return Q(pk__in=[])
    first, last = mt.month_first_day(span.months[0]), mt.month_first_day(span.months[1])
    return Q(
        meeting__org_id__in=org_ids,
        meeting__body=Body.CHI_BO,
        meeting__month__gte=first,
        meeting__month__lte=last,
    )


def read_unexcused(period: Q, cells: Mapping[Any, CellPeriod]) -> None:
    """Each cell's members absent without reason from its meetings in ``period``, and the months."""
    absences = Attendance.objects.filter(period, status=AttendanceStatus.ABSENT_UNEXCUSED)
    for org_id, member_id, month in absences.values_list("meeting__org_id", "member_id", "meeting__month"):
        cells[org_id].unexcused[member_id].add(mt.month_index(month))


def read_calendar(span: Span, cells: dict[object, CellPeriod]) -> None:
    """Each cell's months (quarters) of the period with a regular (thematic) meeting."""
    meetings = Meeting.objects.filter(
        org_id__any=list(cells),
        body=Body.CHI_BO,
        kind__in=[MeetingKind.REGULAR, MeetingKind.THEMATIC],
        month__gte=span.first_day,
        month__lte=span.end,
    )
    for org_id, kind, month in meetings.values_list("org_id", "kind", "month").distinct().order_by():
        month_n, quarter = mt.month_index(month), mt.quarter_index(month)
        if kind == MeetingKind.REGULAR and span.months and span.months[0] <= month_n <= span.months[1]:
            cells[org_id].regular.add(month_n)
        if kind == MeetingKind.THEMATIC and span.quarters and span.quarters[0] <= quarter <= span.quarters[1]:
            cells[org_id].thematic.add(quarter)


def _versions_of(org_ids, span: Span) -> dict[object, list[tuple[date, date | None, str]]]:
    found: dict[object, list[tuple[date, date | None, str]]] = defaultdict(list)
    for org_id, valid_from, valid_to, path in OrgVersion.objects.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gt=span.first_day),
        org_id__any=list(org_ids),
        valid_from__lte=span.end,
    ).values_list("org_id", "valid_from", "valid_to", "path"):
        found[org_id].append((valid_from, valid_to, path))
    return found


def _placed(cells: list[CellPeriod], versions: list[tuple[date, date | None, str]]) -> list[CellPeriod]:
    """The cells whose path on their day lies under the root's path on that day."""
    placed = []
    for cell in cells:
        path = _path_on(versions, cell.day)
        if path is not None and cell.path.startswith(path):
            placed.append(cell)
    return placed


def cells_under(span: Span, org: Org, parts=PARTS) -> list[CellPeriod]:
    """``period_cells`` of one subtree, each cell placed as the figures place it."""
    versions = _versions_of([org.pk], span).get(org.pk, [])
    return _placed(period_cells(span, [p for _, _, p in versions], parts), versions)


def _live(ctx: Context, span: Span, by_id: dict[object, str]) -> dict[object, Figures]:
    """The figures of the root and the children (``by_id``) from ``period_cells`` read from each
    organization's own tallies: a cell counts under each whose path on the cell's day prefixes
    the cell's."""
    versions = _versions_of(list(by_id), span)
    cells = period_cells(span, [p for _, _, p in versions.get(ctx.root.pk, [])], own_tallies=True)
    out: dict[object, Figures] = {org_id: Figures() for org_id in by_id}
    holders_on: dict[date, dict[str, list]] = {}  # a cell's day → holder's path then → holders
    for cell in cells:
        if cell.day not in holders_on:
            found: dict[str, list] = defaultdict(list)
            for org_id in by_id:
                path = _path_on(versions.get(org_id, []), cell.day)
                if path is not None:
                    found[path].append(org_id)
            holders_on[cell.day] = found
        holders = holders_on[cell.day]
        for length in {len(path) for path in holders}:
            for org_id in holders.get(cell.path[:length], ()) if len(cell.path) >= length else ():
                _add(out[org_id], cell)
    return out


def _path_on(versions: list[tuple[date, date | None, str]], day: date) -> str | None:
    return next((p for f, t, p in versions if f <= day and (t is None or day < t)), None)


def _add(figures: Figures, cell: CellPeriod) -> None:
    if cell.is_cell and cell.owed_months:
        figures.cells_months += 1
        figures.held_months += not cell.missing_months
    if cell.is_cell and cell.owed_quarters:
        figures.cells_quarters += 1
        figures.held_quarters += not cell.missing_quarters
    figures.present += cell.present
    figures.expected += cell.expected
    figures.visitors += cell.visitors
    figures.unexcused += cell.unexcused_members


def live_figures(span: Span, org: Org) -> Figures:
    """One subtree's figures read live (the tests compare them with the tallies')."""
    out = Figures()
    for cell in cells_under(span, org):
        _add(out, cell)
    return out


def month_names(indexes) -> str:
    return ", ".join(f"{mt.month_first_day(i):%m/%Y}" for i in indexes)


def quarter_names(indexes) -> str:
    return ", ".join(f"quý {i % 4 + 1}/{i // 4}" for i in indexes)
