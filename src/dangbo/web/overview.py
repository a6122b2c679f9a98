"""A member's overview (the home page of a member-only account): what is next for them — their
cell's next meeting, the dues they still owe, their party age and the next Party badge — with
links to the pages that hold the details. Read through the apps' own selectors, in scope."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from dangbo.core import clock
from dangbo.dues.selectors import member_account
from dangbo.meetings.models import Meeting
from dangbo.meetings.selectors import member_meetings
from dangbo.members.models import ACTIVE_STATUSES, Member
from dangbo.members.selectors.profile import member_profile
from dangbo.rules.badges import next_milestone, party_age_years


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
