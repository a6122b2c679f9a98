"""The rows behind the meeting indicators (section «Sinh hoạt chi bộ»): the cells and the months
or quarters they missed, attendance by cell, the members absent without reason, the meetings
higher-level officials attended. Each reads the period live (``stats.indicators.meetings``),
placing cells as the figures do, so the rows are what the figures count.

A meeting links to its page by URL name (``meetings:meeting_detail``), navigation rather than
an import; until the page exists the date is shown without a link.
"""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse

from dangbo.core.formats import format_number, format_percent
from dangbo.meetings.models import Body, MeetingVisitor
from dangbo.members.models import Member
from dangbo.orgs.models import Org
from dangbo.stats.drill_rows import Cell, Drill
from dangbo.stats.indicators.context import Context
from dangbo.stats.indicators.meetings import (
    CellPeriod,
    cells_under,
    month_names,
    quarter_names,
    span_of,
)
from dangbo.stats.tallies import meetings as mt

MEETING_PAGE = "meetings:meeting_detail"


def meeting_href(meeting_id) -> str:
    """The meeting's page, or "" while no such page is routed."""
    try:
        return reverse(MEETING_PAGE, kwargs={"meeting_id": meeting_id})
    except NoReverseMatch:
        return ""


def _cells(ctx: Context, org: Org) -> tuple[list[CellPeriod], dict]:
    cells = cells_under(span_of(ctx), org) if span_of(ctx).months is not None else []
    orgs = Org.objects.select_related("parent").in_bulk([c.org_id for c in cells])
    return sorted(cells, key=lambda c: c.path), orgs


def _cell_cells(org: Org) -> list[Cell]:
    return [Cell(org.name, org_id=org.pk), Cell(org.parent.name if org.parent else "", org_id=org.parent_id)]


def meetings_monthly_gaps(ctx: Context, org: Org) -> Drill:
    cells, orgs = _cells(ctx, org)
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
    cells, orgs = _cells(ctx, org)
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
    cells, orgs = _cells(ctx, org)
    counted = sorted((c for c in cells if c.expected), key=lambda c: (c.present / c.expected, c.path))
    rows = [
        [
            *_cell_cells(orgs[c.org_id]),
            Cell(format_number(c.present)),
            Cell(format_number(c.expected)),
            Cell(format_percent(c.present / c.expected)),
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
    cells, orgs = _cells(ctx, org)
    pairs = [(member_id, c, months) for c in cells for member_id, months in c.unexcused.items()]
    members = Member.objects.in_bulk([member_id for member_id, _, _ in pairs])
    pairs.sort(key=lambda p: (members[p[0]].sort_key, p[1].path))
    rows = [
        [
            Cell(members[member_id].full_name, member_id=member_id),
            Cell(orgs[c.org_id].name, org_id=c.org_id),
            Cell(month_names(sorted(months))),
            Cell(str(len(months))),
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
    cells = cells_under(span, org) if span.months is not None else []
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
                    Cell(f"{meeting.held_on:%d/%m/%Y}", href=meeting_href(meeting.pk)),
                    Cell(meeting.org.name, org_id=meeting.org_id),
                    Cell(meeting.get_kind_display()),
                    Cell(str(len(people))),
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
