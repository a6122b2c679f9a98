"""The overview (home page): for a member-only account, what is next for them — their cell's next
meeting, the dues they still owe, their party age and the next Party badge (``member_overview``);
for a leader, officer or secretary, how each of their subtrees is doing (``scope_panels``). Read
through the apps' own selectors, in scope; links lead to the pages that hold the details."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.urls import reverse

from dangbo.core import clock
from dangbo.core.formats import format_number
from dangbo.core.kinds import CELL_KINDS, MEETING_KINDS
from dangbo.dues.selectors import SummaryRow, member_account, org_summary
from dangbo.meetings.models import Meeting
from dangbo.meetings.selectors import member_meetings, org_upcoming
from dangbo.members.models import ACTIVE_STATUSES, Member
from dangbo.members.org_selectors import ScopeOverview, org_overview
from dangbo.members.selectors.profile import member_profile
from dangbo.members.selectors.todo import DueItem, due_items
from dangbo.members.selectors.todo_counts import LabelCount, by_label, due_counts
from dangbo.rules.badges import next_milestone, party_age_years
from dangbo.stats.charts import Bar, bar_chart
from dangbo.stats.indicators.registry import INDICATORS
from dangbo.stats.indicators.results import MET, NOT_MET, STATUS_LABELS, evaluate_all
from dangbo.stats.reports import target_text, value_text
from dangbo.stats.selectors import report_context
from dangbo.stats.trends import YearPoint, member_trends, recent_changes_of


@dataclass(frozen=True)
class MemberOverview:
    member: Member
    active: bool
    next_meeting: Meeting | None
    unpaid_months: int
    owed: int  # đồng still owed over the unpaid months
    party_age: int | None
    next_badge: tuple[int, date] | None  # (years, the day they are reached)


def member_overview(*, actor) -> MemberOverview:
    """The signed-in member's overview (``NotInScope`` without a member record)."""
    member = member_profile(actor=actor, member_id=actor.own_member_id)
    today = clock.today()
    active = member.status in ACTIVE_STATUSES
    meetings = member_meetings(actor=actor, member=member)
    account = member_account(actor=actor, member=member)
    unpaid = account.unpaid_months
    party_age = (
        party_age_years(member.party_age_from, member.died_on or member.left_on or today)
        if member.party_age_from
        else None
    )
    badge = (
        next_milestone(member.party_age_from, member.badge_years, today)
        if active and member.party_age_from
        else None
    )
    return MemberOverview(
        member=member,
        active=active,
        next_meeting=meetings.upcoming[0] if meetings.upcoming else None,
        unpaid_months=len(unpaid),
        owed=sum(month.due - month.paid for month in unpaid),
        party_age=party_age,
        next_badge=badge,
    )


# --- a leader's, officer's or secretary's overview of each of their subtrees ------------------


@dataclass(frozen=True)
class ScopePanel:
    """One subtree of the user's on their overview."""

    top: ScopeOverview
    is_cell: bool
    trend: list[YearPoint]
    trend_chart: str
    recent: list[tuple[str, int]]
    upcoming: list[Meeting] | None  # a cell's or grassroots committee's next meetings
    dues: SummaryRow | None  # a cell's dues this month


@dataclass(frozen=True)
class TargetsPanel:
    """The indicators with a target, for the overview (loaded after the page: a province's take
    most of a second)."""

    rows: list[dict]  # name, status, status label, value, target, link

    @property
    def met(self) -> int:
        return sum(1 for row in self.rows if row["status"] == MET)

    @property
    def not_met(self) -> int:
        return sum(1 for row in self.rows if row["status"] == NOT_MET)


@dataclass(frozen=True)
class TodoPanel:
    """What is due in a subtree, by kind (loaded after the page; counted, not listed:
    ``members.selectors.todo_counts``); a cell's first items."""

    counts: list[LabelCount]
    next_items: list[DueItem]


TARGETED = [indicator for indicator in INDICATORS if indicator.target is not None]


def targets_panel(*, actor, org) -> TargetsPanel:
    ctx = report_context(actor=actor, org=org, with_children=False)
    rows = []
    for result in evaluate_all(ctx, indicators=TARGETED):
        if result.target is None:
            continue
        rows.append(
            {
                "name": result.indicator.name,
                "status": result.status,
                "status_label": STATUS_LABELS[result.status],
                "value": value_text(result),
                "target": target_text(result),
                "url": reverse("stats:indicator", args=[org.pk, result.indicator.code]),
            }
        )
    return TargetsPanel(rows)


def todo_panel(*, actor, org) -> TodoPanel:
    today = clock.today()
    counts = due_counts(actor=actor, org=org, as_of=today)
    items = due_items(actor=actor, org=org, as_of=today, audit=False) if org.kind in CELL_KINDS else []
    return TodoPanel(by_label(counts), items[:5])


def _trend_chart(trend: list[YearPoint]) -> str:
    return bar_chart(
        [Bar(str(point.year), point.admitted, format_number(point.admitted)) for point in trend],
        title="Kết nạp đảng viên theo năm",
    )


def scope_panels(*, actor) -> list[ScopePanel]:
    """The overview of each subtree the user reads: its figures, members and admissions by year,
    the last month's changes; for a cell, its meetings and its dues this month. Its targets and
    what is due by kind come after the page (``targets_panel``, ``todo_panel``)."""
    today = clock.today()
    panels = []
    tops = org_overview(actor=actor)
    roots = [top.root for top in tops]
    trends = member_trends(actor=actor, orgs=roots, today=today)
    recent = recent_changes_of(actor=actor, orgs=roots, today=today)
    for top in tops:
        root = top.root
        is_cell = root.kind in CELL_KINDS
        trend = trends[root.pk]
        panels.append(
            ScopePanel(
                top=top,
                is_cell=is_cell,
                trend=trend,
                trend_chart=_trend_chart(trend),
                recent=recent[root.pk],
                upcoming=org_upcoming(actor=actor, org=root)[:3] if root.kind in MEETING_KINDS else None,
                dues=(
                    org_summary(actor=actor, org=root, month=today.replace(day=1)).total if is_cell else None
                ),
            )
        )
    return panels
