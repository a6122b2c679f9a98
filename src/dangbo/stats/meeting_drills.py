"""The rows behind the meeting indicators (section «Sinh hoạt chi bộ»): the cells and the months
or quarters they missed, attendance by cell, the members absent without reason, the meetings
higher-level officials attended — what the figures count, read the way the figures are:

- when no organization has moved, merged, split or changed kind since the period began, from
  each cell's own tallies (``subtree_cells``): which cells held every month, their attendance
  and visitors, which have members absent without reason; then the tables only for the cells
  that are listed (the calendar of a cell that missed a month, the absences of a cell that had
  some), so a province's list does not read its millions of attendance rows;
- otherwise live (``stats.indicators.meetings.cells_under``), each cell placed by the tree of
  the period's last day.

A meeting links to its page by URL name (``meetings:meeting_detail``), navigation rather than
an import; until the page exists the date is shown without a link.
"""

from __future__ import annotations

from functools import lru_cache
from uuid import UUID

from django.db.models import Sum
from django.db.models.functions import Substr
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

from dangbo.core import paths
from dangbo.core.formats import format_number, format_percent
from dangbo.core.kinds import CELL_KINDS
from dangbo.core.spreadsheet import Share
from dangbo.meetings.models import Body, MeetingVisitor
from dangbo.members.models import Member
from dangbo.orgs.models import Org
from dangbo.stats.drill_rows import Cell, Drill
from dangbo.stats.indicators.context import Context
from dangbo.stats.indicators.meetings import (
    CellPeriod,
    Span,
    _run_conditions,
    cell_period,
    cells_under,
    month_names,
    period_q,
    quarter_names,
    read_calendar,
    read_unexcused,
    span_of,
)
from dangbo.stats.models import OrgTally
from dangbo.stats.tallies import keys as k
from dangbo.stats.tallies import meetings as mt

MEETING_PAGE = "meetings:meeting_detail"


_PLACEHOLDER = UUID(int=0)


@lru_cache(maxsize=8)
def _meeting_href_template(prefix: str, urlconf) -> str:
    """The meeting page's URL for the placeholder key (per script prefix and URLconf)."""
    try:
        return reverse(MEETING_PAGE, kwargs={"meeting_id": _PLACEHOLDER})
    except NoReverseMatch:
        return ""


def meeting_href(meeting_id) -> str:
    """The meeting's page, or "" while no such page is routed. Reversed once and filled in: a
    province's list has tens of thousands of meetings (``reverse`` took 4.7 s for 18,459)."""
    template = _meeting_href_template(get_script_prefix(), get_urlconf())
    return template.replace(str(_PLACEHOLDER), str(meeting_id)) if template else ""


def subtree_cells(ctx: Context, org: Org, parts: set[str]) -> list[CellPeriod]:
    """The cells of ``org``'s subtree over the frame's period with ``parts`` of their figures
    (``stats.indicators.meetings.PARTS``), as the figures read them."""
    span = span_of(ctx)
    if span.months is None:
        return []
    if not ctx.frame.tree_unchanged_since(min(span.first_day, ctx.frame.as_of), kinds_too=True):
        return cells_under(span, org, frozenset(parts))
    cells = {}
    rows = Org.objects.filter(
        paths.subtree_q(org.path), kind__in=list(CELL_KINDS), created_on__lte=span.end
    ).exclude(dissolved_on__lte=span.first_day)
    for org_id, path, created_on, dissolved_on in rows.values_list(
        "id", "path", "created_on", "dissolved_on"
    ):
        cell = cell_period(span, org_id, path, created_on, dissolved_on, True)
        cells[org_id] = (cell, dissolved_on)
    own = OrgTally.objects.filter(paths.subtree_q(org.path, "org__path"), org__kind__in=list(CELL_KINDS))
    first, last = mt.month_text(span.months[0]), mt.month_text(span.months[1])
    if "calendar" in parts:
        _calendar_from_tallies(span, own, cells)
    figures = {"attendance": (k.MEETING_PRESENT, k.MEETING_EXPECTED), "visitors": (k.MEETING_VISITORS,)}
    wanted = [dimension for part, dims in figures.items() if part in parts for dimension in dims]
    if wanted:
        sums = own.filter(dimension__in=wanted, value__gte=first, value__lte=last).values_list(
            "org_id", "dimension"
        )
        for org_id, dimension, n in sums.annotate(n=Sum("count")).order_by():
            if org_id in cells:
                field = {k.MEETING_PRESENT: "present", k.MEETING_EXPECTED: "expected"}.get(
                    dimension, "visitors"
                )
                setattr(cells[org_id][0], field, n or 0)
    if "unexcused" in parts:
        absent = (
            own.filter(dimension=k.MEETING_UNEXCUSED, value__gte=first, value__lte=f"{last}|~")
            .values_list("org_id", flat=True)
            .distinct()
            .order_by()
        )
        having = {org_id: cells[org_id][0] for org_id in absent if org_id in cells}
        for start in range(0, len(having), 500):
            part = dict(list(having.items())[start : start + 500])
            read_unexcused(period_q(span, list(part)), part)
    return [cell for cell, _ in cells.values()]


def _calendar_from_tallies(span: Span, own, cells: dict) -> None:
    """A cell the tallies count as having held every month (quarter) it owed is given those; the
    others, and the cells dissolved in the period (which the stored runs cannot judge), are
    read from the meetings table."""
    held: dict[object, set[str]] = {}
    covered = (
        own.annotate(tail=Substr("value", 9, 7))
        .filter(_run_conditions(span))
        .values_list("org_id", "dimension")
    )
    for org_id, dimension in covered.order_by():
        held.setdefault(org_id, set()).add(dimension)
    regular = {k.MEETING_REGULAR_BIRTH, k.MEETING_REGULAR_RUN}
    unread = {}
    for org_id, (cell, dissolved_on) in cells.items():
        ended = dissolved_on is not None and dissolved_on <= span.end
        dims = held.get(org_id, set())
        if (
            not ended
            and (dims & regular or not cell.owed_months)
            and (dims - regular or not cell.owed_quarters)
        ):
            cell.regular, cell.thematic = set(cell.owed_months), set(cell.owed_quarters)
        else:
            unread[org_id] = cell
    ids = list(unread)
    for start in range(0, len(ids), 500):
        read_calendar(span, {org_id: unread[org_id] for org_id in ids[start : start + 500]})


def _cells(ctx: Context, org: Org, parts: set[str]) -> tuple[list[CellPeriod], dict]:
    cells = subtree_cells(ctx, org, parts)
    listed = [
        c
        for c in cells
        if (c.missing_months or c.missing_quarters or c.expected or c.unexcused or c.visitors)
    ]
    orgs = Org.objects.select_related("parent").in_bulk([c.org_id for c in listed])
    return sorted(listed, key=lambda c: c.path), orgs


def _cell_cells(org: Org) -> list[Cell]:
    return [Cell(org.name, org_id=org.pk), Cell(org.parent.name if org.parent else "", org_id=org.parent_id)]


def meetings_monthly_gaps(ctx: Context, org: Org) -> Drill:
    cells, orgs = _cells(ctx, org, {"calendar"})
    rows = [
        [
            *_cell_cells(orgs[c.org_id]),
            Cell(month_names(c.missing_months)),
            Cell(f"{len(c.missing_months)}/{len(c.owed_months)}"),
        ]
        for c in cells
        if c.is_cell and c.missing_months
    ]
    return Drill(
        "Chi bộ chưa sinh hoạt thường kỳ đủ các tháng",
        ["Chi bộ", "Trực thuộc", "Tháng chưa có buổi sinh hoạt thường kỳ", "Số tháng thiếu/phải sinh hoạt"],
        rows,
    )


def meetings_thematic_gaps(ctx: Context, org: Org) -> Drill:
    cells, orgs = _cells(ctx, org, {"calendar"})
    rows = [
        [
            *_cell_cells(orgs[c.org_id]),
            Cell(quarter_names(c.missing_quarters)),
            Cell(f"{len(c.missing_quarters)}/{len(c.owed_quarters)}"),
        ]
        for c in cells
        if c.is_cell and c.missing_quarters
    ]
    return Drill(
        "Chi bộ chưa sinh hoạt chuyên đề đủ các quý",
        ["Chi bộ", "Trực thuộc", "Quý chưa có buổi sinh hoạt chuyên đề", "Số quý thiếu/phải sinh hoạt"],
        rows,
    )


def meetings_attendance(ctx: Context, org: Org) -> Drill:
    """Cells by their attendance rate, lowest first."""
    cells, orgs = _cells(ctx, org, {"attendance"})
    counted = sorted((c for c in cells if c.expected), key=lambda c: (c.present / c.expected, c.path))
    rows = [
        [
            *_cell_cells(orgs[c.org_id]),
            Cell(format_number(c.present), value=c.present),
            Cell(format_number(c.expected), value=c.expected),
            Cell(format_percent(c.present / c.expected), value=Share(c.present / c.expected)),
        ]
        for c in counted
    ]
    return Drill(
        "Tỷ lệ dự sinh hoạt của từng chi bộ (thấp nhất trước)",
        ["Chi bộ", "Trực thuộc", "Lượt có mặt", "Lượt phải dự", "Tỷ lệ"],
        rows,
    )


def meetings_members_unexcused(ctx: Context, org: Org) -> Drill:
    """The members absent without reason in the period, with the cell and the months."""
    cells, orgs = _cells(ctx, org, {"unexcused"})
    pairs = [(member_id, c, months) for c in cells for member_id, months in c.unexcused.items()]
    members = Member.objects.in_bulk([member_id for member_id, _, _ in pairs])
    pairs.sort(key=lambda p: (members[p[0]].sort_key, p[1].path))
    rows = [
        [
            Cell(members[member_id].full_name, member_id=member_id),
            Cell(orgs[c.org_id].name, org_id=c.org_id),
            Cell(month_names(sorted(months))),
            Cell(str(len(months)), value=len(months)),
        ]
        for member_id, c, months in pairs
    ]
    return Drill(
        "Đảng viên vắng sinh hoạt chi bộ không lý do",
        ["Họ và tên", "Chi bộ", "Tháng có buổi vắng không lý do", "Số tháng"],
        rows,
        names_people=True,
    )


def meetings_visited(ctx: Context, org: Org) -> Drill:
    """The meetings higher-level officials attended, each with who came (officials by name)."""
    span = span_of(ctx)
    cells = subtree_cells(ctx, org, {"visitors"})
    visited = [c.org_id for c in cells if c.visitors]
    rows: list[list[Cell]] = []
    if visited and span.months is not None:
        visitors = (
            MeetingVisitor.objects.filter(
                meeting__org_id__in=visited,
                meeting__body=Body.CHI_BO,
                meeting__month__gte=mt.month_first_day(span.months[0]),
                meeting__month__lte=mt.month_first_day(span.months[1]),
            )
            .select_related("meeting", "meeting__org")
            .order_by("meeting__held_on", "meeting__org__path", "created_at")
        )
        by_meeting: dict = {}
        for visitor in visitors:
            by_meeting.setdefault(visitor.meeting, []).append(visitor)
        for meeting, people in by_meeting.items():
            who = "; ".join(
                ", ".join(part for part in (v.name, v.position, v.org_text) if part) for v in people
            )
            rows.append(
                [
                    Cell(f"{meeting.held_on:%d/%m/%Y}", href=meeting_href(meeting.pk), value=meeting.held_on),
                    Cell(meeting.org.name, org_id=meeting.org_id),
                    Cell(meeting.get_kind_display()),
                    Cell(str(len(people)), value=len(people)),
                    Cell(who),
                ]
            )
    return Drill(
        "Buổi sinh hoạt chi bộ có cán bộ cấp trên dự",
        ["Ngày", "Chi bộ", "Loại buổi sinh hoạt", "Số lượt", "Cán bộ dự"],
        rows,
        names_people=True,
    )


MEETING_DRILLS = {
    "meetings_monthly_gaps": meetings_monthly_gaps,
    "meetings_thematic_gaps": meetings_thematic_gaps,
    "meetings_attendance": meetings_attendance,
    "meetings_members_unexcused": meetings_members_unexcused,
    "meetings_visited": meetings_visited,
}
