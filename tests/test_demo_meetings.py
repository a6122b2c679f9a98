"""The demo's meeting history (demo.meetings, issue 19) on the small profile, built as
``dangbo demo`` builds it (``demo.timeline.build_province``) on a fixed day: every cell meets
each month it existed, save the months a weak cell missed; attendance only for the roll of
the day, and only for meetings that took place; one regular meeting a month; someone for the
striking-off review; signed minutes never touched after signing; the same seed, the same
history."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.db import transaction

from dangbo.accounts.scope import Scope
from dangbo.core import clock, paths
from dangbo.core.kinds import CELL_KINDS
from dangbo.demo.meetings import plan as meetings_plan
from dangbo.demo.meetings import window
from dangbo.demo.profiles import PROFILES
from dangbo.demo.timeline import build_province
from dangbo.meetings.models import Attendance, Body, Meeting, MeetingKind, MeetingVisitor, Minutes
from dangbo.meetings.selectors import calendar_gaps, meeting_roll, unexcused_absence_reviews
from dangbo.orgs.models import Org

ADMIN = Scope(user_id=None, username="kiểm thử", is_admin=True)
TODAY = date(2026, 11, 20)


def quiet(line):
    pass


@dataclass
class Built:
    today: date
    start: date
    end: date
    counts: dict


def _build(seed: int = 5) -> Built:
    timeline = build_province(PROFILES["tiny"], seed=seed, progress=quiet)
    assert timeline.meetings is not None
    start, end = window(TODAY)
    return Built(today=TODAY, start=start, end=end, counts=timeline.meetings.counts)


@pytest.fixture
def built(db, frozen_today) -> Built:
    frozen_today(TODAY)
    return _build()


def _months(start: date, end: date) -> list[date]:
    return meetings_plan.month_starts(start, end)


def _cells():
    return list(Org.objects.filter(kind__in=CELL_KINDS).order_by("code"))


def test_the_window_is_two_years_up_to_next_month(built):
    assert (built.start, built.end) == (date(2024, 11, 1), date(2026, 12, 31))
    held = Meeting.objects.order_by("held_on")
    assert held.first().held_on >= built.start and held.last().held_on <= built.end
    assert built.counts["meetings"] == Meeting.objects.count() > 0


def test_every_cell_holds_its_regular_meeting_each_month_but_the_reported_gaps(built):
    cells = _cells()
    assert cells
    past = [m for m in _months(built.start, built.end) if m < built.today.replace(day=1)]
    missing = 0
    for cell in cells:
        assert cell.created_on < built.start and cell.dissolved_on is None  # the tiny tree does not change
        held = Counter(
            Meeting.objects.filter(org=cell, body=Body.CHI_BO, kind=MeetingKind.REGULAR).values_list(
                "month", flat=True
            )
        )
        assert max(held.values()) == 1
        missing += sum(1 for m in past if m not in held)
        gaps = calendar_gaps(actor=ADMIN, org=cell, year=2025)
        monthly = [g for g in gaps if g.rule == "meeting.monthly_regular"]
        assert len(monthly) == sum(1 for m in past if m.year == 2025 and m not in held)
    assert missing == built.counts.get("gaps", 0)
    assert missing <= 0.05 * len(cells) * len(past)  # a few percent at most


def test_weak_cells_miss_months_and_the_calendar_shows_them(db, frozen_today, monkeypatch):
    frozen_today(TODAY)
    monkeypatch.setattr(meetings_plan, "WEAK_SHARE", 1.0)  # every cell weak: each misses 1 to 4 months
    built = _build()
    past = [m for m in _months(built.start, built.end) if m < built.today.replace(day=1)]
    for cell in _cells():
        held = set(
            Meeting.objects.filter(org=cell, body=Body.CHI_BO, kind=MeetingKind.REGULAR).values_list(
                "month", flat=True
            )
        )
        missed = [m for m in past if m not in held]
        assert 1 <= len(missed) <= 6, (cell.code, missed)
        for year in (2025, 2026):
            shown = {
                g.details["month"]
                for g in calendar_gaps(actor=ADMIN, org=cell, year=year)
                if "month" in g.details
            }
            assert shown == {m.month for m in missed if m.year == year}


def test_thematic_meetings_are_held_most_quarters(built):
    quarters = {(m.year, (m.month - 1) // 3) for m in _months(built.start, built.end)}
    cells = _cells()
    held = set(Meeting.objects.filter(kind=MeetingKind.THEMATIC).values_list("org_id", "held_on"))
    by_cell = Counter(org_id for org_id, _ in held)
    share = sum(by_cell.values()) / (len(cells) * len(quarters))
    assert 0.7 <= share <= 1.0
    assert all(m.topic for m in Meeting.objects.filter(kind=MeetingKind.THEMATIC))


def test_attendance_is_the_roll_of_the_day_and_only_for_meetings_that_took_place(built):
    held = Meeting.objects.filter(held_on__lt=built.today).select_related("org")
    assert held.count() > 300
    for meeting in held:
        roll = meeting_roll(org=meeting.org, body=meeting.body, on=meeting.held_on)
        rows = {str(a.member_id): a for a in Attendance.objects.filter(meeting=meeting)}
        assert set(rows) == set(roll.members) | set(roll.guests), (meeting.org.code, meeting.held_on)
        assert all(a.guest == (m in roll.guests) for m, a in rows.items())
        if meeting.presided_by_id:
            assert rows[str(meeting.presided_by_id)].status == "present"
    coming = Meeting.objects.filter(held_on__gte=built.today)
    assert coming.exists()
    assert not Attendance.objects.filter(meeting__held_on__gte=built.today).exists()
    assert not Minutes.objects.filter(meeting__held_on__gte=built.today).exists()
    assert not MeetingVisitor.objects.filter(meeting__held_on__gte=built.today).exists()
    assert all(m.agenda for m in coming)
    next_month = date(2026, 12, 1)
    for cell in _cells():  # next month's meeting is on the calendar, its agenda posted
        upcoming = Meeting.objects.get(org=cell, body=Body.CHI_BO, kind=MeetingKind.REGULAR, month=next_month)
        assert upcoming.agenda.startswith("1. Đánh giá kết quả") and upcoming.created_at <= clock.now()


def test_attendance_is_mostly_present_some_excused_few_unexcused(built):
    statuses = Counter(Attendance.objects.values_list("status", flat=True))
    total = sum(statuses.values())
    assert total == built.counts["attendance"]
    assert 0.8 <= statuses["present"] / total <= 0.97
    assert statuses["absent_excused"] / total >= 0.02
    assert 0 < statuses["absent_unexcused"] / total <= 0.05
    reasons = Counter(Attendance.objects.filter(status="absent_excused").values_list("reason", flat=True))
    assert {"illness", "working_away"} <= set(reasons)


def test_members_with_a_standing_are_excused_for_it_and_guests_meet_at_their_host(db, frozen_today):
    """Exempted: excused «được miễn» (or present); working away: mostly excused for it; on a
    temporary transfer: a guest at the host cell, excused at home, for exactly that time."""
    from dangbo.demo.generator import build_demo
    from dangbo.demo.meetings import build_meetings
    from dangbo.members.models import Member
    from dangbo.members.services.standing import (
        member_standing_end,
        member_standing_start,
        member_temp_return,
        member_temp_transfer,
    )

    frozen_today(TODAY)
    build_demo(PROFILES["tiny"], seed=5, progress=quiet)
    cells = _cells()
    home, host = cells[0], cells[1]
    people = list(
        Member.objects.filter(org=home, status="full", positions__isnull=True).order_by("sort_key")[:3]
    )
    exempted, away, guest = (Member.objects.get(pk=m.pk) for m in people)
    member_standing_start(member=exempted, kind="exempted", ground="old_age_health", on=date(2025, 3, 1))
    member_standing_start(member=away, kind="working_away", on=date(2025, 6, 1))
    member_standing_end(member=Member.objects.get(pk=away.pk), on=date(2026, 1, 10))
    member_temp_transfer(
        member=guest, purpose="work", starts_on=date(2025, 9, 1), until=date(2026, 5, 31), host=host
    )
    member_temp_return(member=Member.objects.get(pk=guest.pk), on=date(2026, 5, 31))
    build_meetings(seed=5, progress=quiet)

    def seen(member, **where):
        return list(
            Attendance.objects.filter(member=member, meeting__body=Body.CHI_BO, **where).values_list(
                "meeting__org_id", "status", "reason", "guest"
            )
        )

    later = seen(exempted, meeting__held_on__gte=date(2025, 3, 1))
    assert later and {(s, r) for _, s, r, _ in later} <= {("present", ""), ("absent_excused", "exempted")}
    assert sum(r == "exempted" for _, _, r, _ in later) > len(later) / 2
    away_rows = seen(away, meeting__held_on__gte=date(2025, 6, 1), meeting__held_on__lt=date(2026, 1, 10))
    assert sum(r == "working_away" for _, _, r, _ in away_rows) > len(away_rows) / 2
    hosted = seen(guest, meeting__org=host)
    assert hosted and all(flag for *_, flag in hosted)
    days = {"held_on__gte": date(2025, 9, 1), "held_on__lt": date(2026, 5, 31)}
    hosted_on = Attendance.objects.filter(member=guest, meeting__org=host).values_list(
        "meeting__held_on", flat=True
    )
    meetings_on = Meeting.objects.filter(org=host, body=Body.CHI_BO, **days).values_list("held_on", flat=True)
    assert set(hosted_on) == set(meetings_on)
    at_home = seen(
        guest,
        meeting__org=home,
        meeting__held_on__gte=date(2025, 9, 1),
        meeting__held_on__lt=date(2026, 5, 31),
    )
    assert at_home and {(s, r) for _, s, r, _ in at_home} == {("absent_excused", "other")}


def test_members_absent_without_reason_for_three_months_are_up_for_review(built):
    province = Org.objects.get(parent__isnull=True)
    found = []
    for year in (2025, 2026):
        for row in unexcused_absence_reviews(actor=ADMIN, org=province, year=year):
            assert len(row.months) >= 3
            unexcused = Attendance.objects.filter(
                member=row.member, status="absent_unexcused", meeting__held_on__year=year
            ).values_list("meeting__held_on__month", flat=True)
            assert set(row.months) == set(unexcused)
            found.append(row)
    assert found  # the commune's cell has its member who stopped coming


def test_visitors_come_from_the_committees_above(built):
    visitors = MeetingVisitor.objects.select_related("meeting__org", "org")
    assert visitors.exists() and visitors.count() == built.counts["visitors"]
    for visitor in visitors:
        assert visitor.org.path != visitor.meeting.org.path
        assert paths.is_within(visitor.meeting.org.path, visitor.org.path)
        assert visitor.name and ("Bí thư" in visitor.position or "Ủy viên" in visitor.position)


def test_signed_minutes_were_never_changed_after_signing(built):
    minutes = Minutes.objects.select_related("meeting")
    assert minutes.count() == Meeting.objects.filter(held_on__lt=built.today).count()
    signed = [m for m in minutes if m.signed_at]
    assert 0.8 * len(minutes) <= len(signed) < len(minutes)
    for m in signed:
        assert m.updated_at == m.signed_at and m.created_at < m.signed_at
        assert m.meeting.updated_at <= m.signed_at
        assert all(a.recorded_at <= m.signed_at for a in m.meeting.attendance.all())
        assert all(v.created_at <= m.signed_at for v in m.meeting.visitors.all())
        assert all(a.created_at > m.signed_at for a in m.amendments.all())
        assert m.content.startswith("Thời gian:") and "Biểu quyết:" in m.resolution
    for m in minutes:
        assert m.signed_at is not None or not m.amendments.exists()
        assert m.created_at > _evening_before(m.meeting.held_on)


def _evening_before(day: date):
    from datetime import datetime, time
    from zoneinfo import ZoneInfo

    return datetime.combine(day - timedelta(days=1), time(23, 59), tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


class _Rollback(Exception):
    pass


def _snapshot() -> tuple[list, list, list]:
    meetings = sorted(
        Meeting.objects.values_list(
            "id",
            "org__code",
            "body",
            "kind",
            "held_on",
            "topic",
            "agenda",
            "place",
            "presided_by_id",
            "recorded_by_id",
        )
    )
    attendance = sorted(
        Attendance.objects.values_list("id", "meeting_id", "member_id", "status", "reason", "guest")
    )
    minutes = sorted(
        Minutes.objects.values_list("meeting_id", "content", "opinions", "resolution", "signed_at")
    )
    return meetings, attendance, minutes


def test_the_same_seed_gives_the_same_meetings(db, frozen_today):
    frozen_today(TODAY)
    snapshots = []
    for seed in (3, 3, 4):
        try:
            with transaction.atomic():
                _build(seed)
                snapshots.append(_snapshot())
                raise _Rollback
        except _Rollback:
            pass
    assert snapshots[0] == snapshots[1]
    assert snapshots[0][0] and snapshots[0][1]
    assert snapshots[0][1] != snapshots[2][1]  # another seed, another history


def test_the_pre_aggregated_counts_include_the_meetings_and_equal_a_recount(built):
    from dangbo.stats.tallies import tally_differences
    from dangbo.stats.tallies.keys import MEETING_PRESENT
    from dangbo.stats.tallies.recount import tally_stored

    assert any(key[1] == MEETING_PRESENT for key in tally_stored())  # the meetings summary was rebuilt
    assert tally_differences() == []
