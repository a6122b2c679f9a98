"""The ``frozen_today`` fixture fixes what ``core.clock`` answers, and so every rule that reads
"today": the same calls give different answers on two frozen dates."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from conftest import FROZEN_DAY
from dangbo.accounts.scope import Scope
from dangbo.core import clock
from dangbo.core.decisions import DecisionRef
from dangbo.members.selectors.todo import due_items
from dangbo.members.services.badges import member_award_badge
from dangbo.reference.models import Holiday
from dangbo.rules.base import RuleViolation

SYSTEM = Scope(user_id=None, username="kiểm thử", is_admin=True)


def test_the_fixture_fixes_today_and_now_and_moves_them(frozen_today):
    assert frozen_today() == FROZEN_DAY == clock.today()
    instant = clock.now()
    assert clock.now() == instant  # the clock stands still
    assert frozen_today(date(2021, 2, 3)) == clock.today() == date(2021, 2, 3)
    assert clock.now() < instant


def test_today_is_the_date_in_vietnam_not_in_utc(frozen_today):
    # 18:30 UTC on 31/12/2025 is already 01:30 on 1/1/2026 in Hà Nội
    assert frozen_today(datetime(2025, 12, 31, 18, 30, tzinfo=UTC)) == date(2026, 1, 1)
    assert clock.today() == date(2026, 1, 1)
    assert clock.now().date() == date(2025, 12, 31)  # the instant itself stays in UTC


def test_the_to_do_list_of_today_follows_the_frozen_date(frozen_today, tree, make_member):
    """The to-do list without a date is today's: a probationary member's review is not yet in
    sight in March 2026 and overdue in November (12 months after the ceremony of 2/6/2025,
    then 30 working days)."""
    Holiday.objects.all().delete()
    member = make_member(tree.cell_a, full=False, admitted_on=date(2025, 6, 2), given_name="Dựbị")

    def recognition_items():
        return [
            (i.member, i.overdue)
            for i in due_items(actor=SYSTEM, org=tree.commune, audit=False)
            if i.kind == "recognition"
        ]

    frozen_today(date(2026, 3, 2))
    assert recognition_items() == []
    frozen_today(date(2026, 11, 20))
    assert recognition_items() == [(member, True)]


def test_an_award_dated_after_today_is_refused_until_that_day_comes(frozen_today, tree, make_member):
    member = make_member(
        tree.cell_a, admitted_on=date(1996, 10, 1), birth_date=date(1960, 1, 1), given_name="Huyhiệu"
    )
    award = {"member": member, "years": 30, "awarded_on": date(2026, 11, 7)}
    award["decision"] = DecisionRef(number="9-QĐ/TU", on=date(2026, 11, 1))
    frozen_today(date(2026, 11, 6))
    with pytest.raises(RuleViolation) as refused:
        member_award_badge(**award)
    assert refused.value.codes == ["input"]
    assert [v.field for v in refused.value.violations] == ["awarded_on"]
    frozen_today(date(2026, 11, 6) + timedelta(days=1))
    member_award_badge(**award)
    member.refresh_from_db()
    assert member.badge_years == 30
