"""Cell meetings through the services and selectors (RULES.md §3, §11 rule 13): one regular
meeting a month per body, thematic meetings that do not replace it, online meetings on HD 03's
conditions, attendance of the cell's members (and its guests) only for a meeting that took
place, minutes fixed once signed, scope, and the unexcused-absence review."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth.models import User

from conftest import refused_on
from dangbo.accounts.models import AccessRole
from dangbo.accounts.scope import SYSTEM, scope_for
from dangbo.accounts.services import role_grant
from dangbo.audit.models import AuditEntry
from dangbo.core import clock
from dangbo.core.violations import NotInScope
from dangbo.meetings import selectors, services
from dangbo.meetings.models import (
    AbsenceReason,
    Attendance,
    AttendanceStatus,
    Body,
    Meeting,
    MeetingKind,
    MeetingMode,
    Minutes,
    MinutesAmendment,
)
from dangbo.meetings.services import MeetingDetails
from dangbo.members.models import MemberEvent
from dangbo.members.services.positions import member_position_start
from dangbo.members.services.standing import member_standing_start, member_temp_transfer
from dangbo.rules import REGISTRY
from dangbo.rules import exits as exit_rules
from dangbo.rules import meetings as rules
from dangbo.rules.base import RuleViolation

PRESENT = (AttendanceStatus.PRESENT, "")
UNEXCUSED = (AttendanceStatus.ABSENT_UNEXCUSED, "")
ILL = (AttendanceStatus.ABSENT_EXCUSED, AbsenceReason.ILLNESS)


@pytest.fixture
def cell(tree, make_member, frozen_today):
    frozen_today(date(2026, 11, 20))
    tree.members = [make_member(tree.cell_a, admitted_on=date(2016, 3, 1)) for _ in range(4)]
    tree.other = make_member(tree.cell_b, admitted_on=date(2016, 3, 1))
    return tree


def _officer(name: str, org):
    user = User.objects.create_user(name, password="mat-khau-dai-du-1")
    role_grant(user=user, role=AccessRole.OFFICER, org=org)
    return scope_for(user)


def _schedule(org, held_on, kind=MeetingKind.REGULAR, actor=SYSTEM, **fields):
    if kind == MeetingKind.THEMATIC:
        fields.setdefault("topic", "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh")
    details = MeetingDetails(body=fields.pop("body", Body.CHI_BO), kind=kind, held_on=held_on, **fields)
    return services.meeting_schedule(actor=actor, org=org, details=details)


def test_the_rules_are_registered_with_their_citations():
    for code in (
        "meeting.monthly_regular",
        "meeting.thematic_quarterly",
        "meeting.online_conditions",
        "meeting.attendance_roll",
    ):
        assert REGISTRY[code].at(date(2026, 1, 1)).citation
    assert "03-HD/TW" in REGISTRY["meeting.online_conditions"].at(date(2026, 1, 1)).citation


def test_one_regular_meeting_a_month_for_each_body(cell):
    _schedule(cell.cell_a, date(2026, 10, 5), place="Nhà văn hóa thôn A")
    with pytest.raises(RuleViolation) as refused:
        _schedule(cell.cell_a, date(2026, 10, 25))
    assert refused_on(refused) == [("meeting.monthly_regular", "held_on")]
    violation = refused.value.violations[0]
    assert "tháng 10/2026" in violation.message and "Điều lệ Đảng" in violation.citation
    # an extraordinary meeting, the committee's own regular meeting, next month: all allowed
    _schedule(cell.cell_a, date(2026, 10, 25), kind=MeetingKind.EXTRAORDINARY)
    _schedule(cell.cell_a, date(2026, 10, 25), body=Body.CHI_UY)
    _schedule(cell.cell_a, date(2026, 11, 5))
    assert Meeting.objects.filter(org=cell.cell_a).count() == 4


def test_a_second_regular_meeting_is_refused_when_moved_into_a_taken_month(cell):
    _schedule(cell.cell_a, date(2026, 9, 5))
    october = _schedule(cell.cell_a, date(2026, 10, 5))
    with pytest.raises(RuleViolation) as refused:
        services.meeting_update(
            actor=SYSTEM,
            meeting=october,
            details=MeetingDetails(body=Body.CHI_BO, kind=MeetingKind.REGULAR, held_on=date(2026, 9, 20)),
        )
    assert refused.value.codes == ["meeting.monthly_regular"]
    services.meeting_update(
        actor=SYSTEM,
        meeting=october,
        details=MeetingDetails(body=Body.CHI_BO, kind=MeetingKind.REGULAR, held_on=date(2026, 10, 7)),
    )
    assert Meeting.objects.get(pk=october.pk).held_on == date(2026, 10, 7)


def test_bad_meetings_are_refused_with_their_fields(cell):
    with pytest.raises(RuleViolation) as refused:
        _schedule(cell.cell_a, date(2026, 10, 5), kind=MeetingKind.THEMATIC, topic="")
    assert refused_on(refused) == [("input", "topic")]
    with pytest.raises(RuleViolation) as refused:
        _schedule(cell.commune, date(2026, 10, 5))  # a committee's organization has no cell meeting
    assert refused_on(refused) == [("input", "body")]
    with pytest.raises(RuleViolation) as refused:
        _schedule(cell.cell_a, date(2026, 10, 5), place="x" * 201, presided_by=cell.other)
    assert refused_on(refused) == [("input", "place"), ("input", "presided_by")]
    assert not Meeting.objects.exists()


def test_a_thematic_meeting_does_not_replace_the_monthly_one(cell, frozen_today):
    frozen_today(date(2026, 4, 15))
    _schedule(cell.cell_a, date(2026, 1, 10))
    _schedule(cell.cell_a, date(2026, 2, 10), kind=MeetingKind.THEMATIC)
    _schedule(cell.cell_a, date(2026, 3, 10))
    gaps = selectors.calendar_gaps(actor=SYSTEM, org=cell.cell_a, year=2026)
    assert [(v.rule, v.details) for v in gaps] == [("meeting.monthly_regular", {"month": 2})]
    assert "không thay cho sinh hoạt thường kỳ" in gaps[0].message
    _schedule(cell.cell_a, date(2026, 2, 20))
    assert selectors.calendar_gaps(actor=SYSTEM, org=cell.cell_a, year=2026) == []
    frozen_today(date(2026, 7, 2))  # the second quarter is over, with no thematic meeting
    gaps = selectors.calendar_gaps(actor=SYSTEM, org=cell.cell_a, year=2026)
    assert [(v.rule, v.details) for v in gaps] == [
        ("meeting.monthly_regular", {"month": 4}),
        ("meeting.monthly_regular", {"month": 5}),
        ("meeting.monthly_regular", {"month": 6}),
        ("meeting.thematic_quarterly", {"quarter": 2}),
    ]


def test_online_only_when_more_than_half_cannot_meet_in_person(cell):
    # four members, one exempted: three are counted; one of them away is not enough
    member_standing_start(
        member=cell.members[0],
        kind=MemberEvent.Kind.EXEMPTED,
        on=date(2026, 1, 5),
        ground=exit_rules.ExemptionGround.OLD_AGE_HEALTH,
    )
    online = {"mode": MeetingMode.ONLINE, "online_link": "https://hop.example.vn/chi-bo-a"}
    with pytest.raises(RuleViolation) as refused:
        _schedule(
            cell.cell_a,
            date(2026, 10, 5),
            online_reason=rules.OnlineReason.DISPERSED,
            unable_in_person=1,
            **online,
        )
    assert refused_on(refused) == [("meeting.online_conditions", "unable_in_person")]
    assert "1/3" in refused.value.violations[0].message
    assert "03-HD/TW" in refused.value.violations[0].citation
    with pytest.raises(RuleViolation) as refused:
        _schedule(cell.cell_a, date(2026, 10, 5), unable_in_person=2, **online)
    assert refused_on(refused) == [("meeting.online_conditions", "online_reason")]
    meeting = _schedule(
        cell.cell_a,
        date(2026, 10, 5),
        online_reason=rules.OnlineReason.DISPERSED,
        unable_in_person=2,
        **online,
    )
    assert meeting.members_counted == 3 and meeting.mode == MeetingMode.ONLINE


def test_attendance_waits_for_the_meeting(cell):
    meeting = _schedule(cell.cell_a, date(2026, 12, 5))
    with pytest.raises(RuleViolation) as refused:
        services.attendance_record(actor=SYSTEM, meeting=meeting, entries={cell.members[0].pk: PRESENT})
    assert refused_on(refused) == [("input", "held_on")]
    assert not Attendance.objects.exists()


def test_attendance_only_for_the_cells_members_and_its_guests(cell):
    guest = cell.other
    member_temp_transfer(
        member=guest,
        purpose=exit_rules.TransferPurpose.WORK,
        starts_on=date(2026, 9, 1),
        until=date(2027, 5, 1),
        host=cell.cell_a,
    )
    meeting = _schedule(cell.cell_a, date(2026, 10, 5))
    in_b = _schedule(cell.cell_b, date(2026, 8, 5))
    with pytest.raises(RuleViolation) as refused:
        services.attendance_record(
            actor=SYSTEM, meeting=in_b, entries={cell.members[0].pk: PRESENT, guest.pk: PRESENT}
        )
    assert refused_on(refused) == [("meeting.attendance_roll", "attendance")]
    assert cell.members[0].full_name in refused.value.violations[0].message
    entries = {m.pk: PRESENT for m in cell.members} | {guest.pk: ILL}
    services.attendance_record(actor=SYSTEM, meeting=meeting, entries=entries)
    rows = {a.member_id: a for a in Attendance.objects.filter(meeting=meeting)}
    assert len(rows) == 5 and rows[guest.pk].guest and rows[guest.pk].reason == AbsenceReason.ILLNESS
    assert not rows[cell.members[0].pk].guest
    # recorded again: updated, not doubled
    services.attendance_record(actor=SYSTEM, meeting=meeting, entries={cell.members[1].pk: UNEXCUSED})
    assert Attendance.objects.filter(meeting=meeting).count() == 5
    assert Attendance.objects.get(meeting=meeting, member=cell.members[1]).status == UNEXCUSED[0]


def test_bad_attendance_entries_are_refused(cell):
    meeting = _schedule(cell.cell_a, date(2026, 10, 5))
    with pytest.raises(RuleViolation) as refused:
        services.attendance_record(
            actor=SYSTEM,
            meeting=meeting,
            entries={
                cell.members[0].pk: (AttendanceStatus.ABSENT_EXCUSED, ""),
                cell.members[1].pk: (AttendanceStatus.PRESENT, AbsenceReason.ILLNESS),
                cell.members[2].pk: ("late", ""),
            },
        )
    assert [v.field for v in refused.value.violations] == ["attendance"] * 3
    assert not Attendance.objects.exists()


def test_a_cell_of_thirty_is_recorded_in_a_few_queries(
    tree, make_member, frozen_today, django_assert_max_num_queries
):
    frozen_today(date(2026, 11, 20))
    members = [make_member(tree.cell_a) for _ in range(30)]
    meeting = _schedule(tree.cell_a, date(2026, 11, 5))
    entries = {m.pk: (PRESENT if i % 3 else ILL) for i, m in enumerate(members)}
    with django_assert_max_num_queries(10):
        services.attendance_record(actor=SYSTEM, meeting=meeting, entries=entries)
    assert Attendance.objects.filter(meeting=meeting).count() == 30
    entries = {m.pk: UNEXCUSED for m in members}
    with django_assert_max_num_queries(10):
        services.attendance_record(actor=SYSTEM, meeting=meeting, entries=entries)
    assert Attendance.objects.filter(meeting=meeting, status=UNEXCUSED[0]).count() == 30


def test_an_officer_of_a_sibling_subtree_cannot_schedule_record_or_read(cell):
    sibling = _officer("can-bo-thon-b", cell.cell_b)
    own = _officer("can-bo-xa", cell.commune)
    meeting = _schedule(cell.cell_a, date(2026, 10, 5), actor=own)
    assert meeting.created_by.username == "can-bo-xa"
    with pytest.raises(NotInScope):
        _schedule(cell.cell_a, date(2026, 10, 20), kind=MeetingKind.EXTRAORDINARY, actor=sibling)
    with pytest.raises(NotInScope):
        services.attendance_record(actor=sibling, meeting=meeting, entries={cell.members[0].pk: PRESENT})
    with pytest.raises(NotInScope):
        services.minutes_write(actor=sibling, meeting=meeting, content="Nội dung")
    with pytest.raises(NotInScope):
        selectors.meeting_get(actor=sibling, meeting_id=meeting.pk)
    with pytest.raises(NotInScope):
        selectors.meetings_in_period(
            actor=sibling, org=cell.cell_a, start=date(2026, 1, 1), end=date(2026, 12, 31)
        )
    with pytest.raises(NotInScope):
        selectors.member_attendance(actor=sibling, member=cell.members[0])
    with pytest.raises(NotInScope):
        selectors.unexcused_absence_reviews(actor=sibling, org=cell.cell_a, year=2026)
    assert (
        list(
            selectors.meetings_in_period(
                actor=sibling, org=cell.cell_b, start=date(2026, 1, 1), end=date(2026, 12, 31)
            )
        )
        == []
    )
    assert Meeting.objects.count() == 1 and not Attendance.objects.exists() and not Minutes.objects.exists()
    # the commune's officer reads the meeting with its attendance, and the subtree's meetings
    services.attendance_record(actor=own, meeting=meeting, entries={cell.members[0].pk: PRESENT})
    read = selectors.meeting_get(actor=own, meeting_id=meeting.pk)
    assert [a.member for a in read.attendance.all()] == [cell.members[0]]
    assert list(
        selectors.meetings_in_period(
            actor=own, org=cell.commune, start=date(2026, 10, 1), end=date(2026, 10, 31)
        )
    ) == [meeting]


def test_signed_minutes_are_amended_never_overwritten(cell):
    meeting = _schedule(cell.cell_a, date(2026, 10, 5))
    with pytest.raises(RuleViolation) as refused:
        services.minutes_amend(actor=SYSTEM, meeting=meeting, amendment="Bổ sung", reason="Sót ý kiến")
    assert refused_on(refused) == [("input", "text")]
    with pytest.raises(RuleViolation):
        services.minutes_sign(actor=SYSTEM, meeting=meeting)  # nothing to sign yet
    services.minutes_write(actor=SYSTEM, meeting=meeting, content="Bản nháp")
    services.minutes_write(
        actor=SYSTEM, meeting=meeting, content="Chi bộ họp đủ nội dung", resolution="Nghị quyết tháng 10"
    )
    minutes = services.minutes_sign(actor=SYSTEM, meeting=meeting)
    assert minutes.is_signed
    for attempt in (
        lambda: services.minutes_write(actor=SYSTEM, meeting=meeting, content="Sửa lại"),
        lambda: services.minutes_sign(actor=SYSTEM, meeting=meeting),
        lambda: services.meeting_update(
            actor=SYSTEM,
            meeting=meeting,
            details=MeetingDetails(body=Body.CHI_BO, kind=MeetingKind.REGULAR, held_on=date(2026, 10, 6)),
        ),
        lambda: services.attendance_record(
            actor=SYSTEM, meeting=meeting, entries={cell.members[0].pk: PRESENT}
        ),
        lambda: services.visitor_add(actor=SYSTEM, meeting=meeting, name="Trần Văn Bình"),
    ):
        with pytest.raises(RuleViolation) as refused:
            attempt()
        assert services.SIGNED in refused.value.codes
    services.minutes_amend(
        actor=SYSTEM, meeting=meeting, amendment="Bổ sung ý kiến đồng chí Đức", reason="Sót ý kiến"
    )
    services.minutes_amend(actor=SYSTEM, meeting=meeting, amendment="Đính chính ngày", reason="Ghi nhầm")
    minutes.refresh_from_db()
    assert minutes.content == "Chi bộ họp đủ nội dung" and minutes.resolution == "Nghị quyết tháng 10"
    assert list(MinutesAmendment.objects.filter(minutes=minutes).values_list("reason", flat=True)) == [
        "Sót ý kiến",
        "Ghi nhầm",
    ]
    assert Meeting.objects.get(pk=meeting.pk).held_on == date(2026, 10, 5)


def test_minutes_wait_for_the_meeting(cell):
    meeting = _schedule(cell.cell_a, date(2026, 12, 5))
    with pytest.raises(RuleViolation) as refused:
        services.minutes_write(actor=SYSTEM, meeting=meeting, content="Chưa họp")
    assert refused_on(refused) == [("input", "content")]


def test_visitors_come_from_above(cell):
    meeting = _schedule(cell.cell_a, date(2026, 10, 5))
    visitor = services.visitor_add(
        actor=SYSTEM, meeting=meeting, name="Lê Thị Hoa", position="Phó Bí thư Đảng ủy", org=cell.commune
    )
    assert visitor.org == cell.commune and meeting.visitors.count() == 1
    for org in (cell.cell_b, cell.cell_a):
        with pytest.raises(RuleViolation) as refused:
            services.visitor_add(actor=SYSTEM, meeting=meeting, name="Lê Thị Hoa", org=org)
        assert refused_on(refused) == [("input", "org")]
    with pytest.raises(RuleViolation) as refused:
        services.visitor_add(actor=SYSTEM, meeting=meeting, name="  ")
    assert refused_on(refused) == [("input", "name")]


def test_three_months_of_unexcused_absence_call_for_a_review(cell):
    absent, excused, twice = cell.members[0], cell.members[1], cell.members[2]
    for month in (1, 3, 5, 8):
        meeting = _schedule(cell.cell_a, date(2026, month, 10))
        entries = {absent.pk: PRESENT if month == 8 else UNEXCUSED, excused.pk: ILL}
        if month in (1, 3):
            entries[twice.pk] = UNEXCUSED
        services.attendance_record(actor=SYSTEM, meeting=meeting, entries=entries)
    # an extraordinary meeting in March adds no month; a committee meeting is not the cell's
    extra = _schedule(cell.cell_a, date(2026, 3, 20), kind=MeetingKind.EXTRAORDINARY)
    services.attendance_record(actor=SYSTEM, meeting=extra, entries={twice.pk: UNEXCUSED})
    reviews = selectors.unexcused_absence_reviews(actor=SYSTEM, org=cell.commune, year=2026)
    assert [(r.member, r.months) for r in reviews] == [(absent, (1, 3, 5))]
    assert "Điều lệ Đảng" in reviews[0].rule_ref and "Điều 8" in reviews[0].rule_ref
    assert selectors.unexcused_absence_reviews(actor=SYSTEM, org=cell.commune, year=2025) == []
    history = selectors.member_attendance(actor=SYSTEM, member=absent, year=2026)
    assert [a.meeting.held_on.month for a in history] == [8, 5, 3, 1]


def test_the_absence_rule_counts_distinct_months_of_the_year():
    found = rules.unexcused_absence_reviews(
        [
            ("a", date(2026, 1, 5)),
            ("a", date(2026, 1, 20)),
            ("a", date(2026, 2, 5)),
            ("a", date(2025, 12, 5)),
        ],
        year=2026,
    )
    assert found == []
    found = rules.unexcused_absence_reviews(
        [("a", date(2026, 1, 5)), ("a", date(2026, 2, 5)), ("a", date(2026, 12, 5))], year=2026
    )
    assert [(r.member_id, r.months) for r in found] == [("a", (1, 2, 12))]


def test_a_committee_meeting_records_the_committee_only(cell):
    secretary, deputy = cell.members[0], cell.members[1]
    member_position_start(member=secretary, org=cell.cell_a, role="secretary", started_on=date(2025, 1, 1))
    member_position_start(
        member=deputy, org=cell.cell_a, role="deputy_secretary", started_on=date(2026, 10, 10)
    )
    meeting = _schedule(cell.cell_a, date(2026, 10, 5), body=Body.CHI_UY, presided_by=secretary)
    with pytest.raises(RuleViolation) as refused:
        services.attendance_record(
            actor=SYSTEM, meeting=meeting, entries={secretary.pk: PRESENT, deputy.pk: PRESENT}
        )
    assert refused.value.codes == ["meeting.attendance_roll"]  # the deputy took office after the meeting
    services.attendance_record(actor=SYSTEM, meeting=meeting, entries={secretary.pk: PRESENT})
    with pytest.raises(RuleViolation) as refused:
        _schedule(cell.cell_a, date(2026, 10, 6), kind=MeetingKind.THEMATIC, body=Body.CHI_UY)
    assert refused_on(refused) == [("input", "kind")]


def test_a_recorded_meeting_cannot_move_to_a_day_its_attendees_were_not_members(cell, make_member):
    newcomer = make_member(cell.cell_a, admitted_on=date(2026, 6, 1), full=False)
    meeting = _schedule(cell.cell_a, date(2026, 10, 5))
    services.attendance_record(actor=SYSTEM, meeting=meeting, entries={newcomer.pk: PRESENT})
    for held_on, expected in (
        (date(2026, 5, 5), [("meeting.attendance_roll", "attendance")]),
        (date(2026, 12, 1), [("input", "held_on")]),
    ):
        with pytest.raises(RuleViolation) as refused:
            services.meeting_update(
                actor=SYSTEM,
                meeting=meeting,
                details=MeetingDetails(body=Body.CHI_BO, kind=MeetingKind.REGULAR, held_on=held_on),
            )
        assert refused_on(refused) == expected
    assert Meeting.objects.get(pk=meeting.pk).held_on == date(2026, 10, 5)


def test_every_change_is_audited(cell):
    meeting = _schedule(cell.cell_a, date(2026, 10, 5))
    services.attendance_record(actor=SYSTEM, meeting=meeting, entries={m.pk: PRESENT for m in cell.members})
    services.minutes_write(actor=SYSTEM, meeting=meeting, content="Nội dung")
    services.minutes_sign(actor=SYSTEM, meeting=meeting)
    services.minutes_amend(actor=SYSTEM, meeting=meeting, amendment="Bổ sung", reason="Sót")
    rows = AuditEntry.objects.filter(subject_type="meeting", subject_id=str(meeting.pk)).order_by("at", "pk")
    assert [r.action for r in rows] == ["created", "updated", "created", "updated", "updated"]
    assert rows[1].data["attendance_added"] == 4
    # reads that name people are audited too
    selectors.member_attendance(actor=SYSTEM, member=cell.members[0])
    selectors.unexcused_absence_reviews(actor=SYSTEM, org=cell.cell_a, year=2026)
    selectors.meeting_get(actor=SYSTEM, meeting_id=meeting.pk)
    reads = AuditEntry.objects.filter(action__in=["member_history_viewed", "list_viewed"])
    assert sorted(r.subject_type for r in reads) == ["meeting", "member", "org"]


def test_exactly_half_unable_is_not_enough_for_an_online_meeting():
    def codes(unable, counted, reason=rules.OnlineReason.SPECIAL):
        found = rules.check_online(
            on=date(2026, 3, 1),
            mode_online=True,
            reason=reason,
            unable_in_person=unable,
            members_counted=counted,
        )
        return [(v.rule, v.field) for v in found]

    assert codes(2, 4) == [("meeting.online_conditions", "unable_in_person")]
    assert codes(3, 5) == []
    assert codes(6, 5) == [("meeting.online_conditions", "unable_in_person")]
    assert codes(3, 5, reason="") == [("meeting.online_conditions", "online_reason")]
    assert (
        rules.check_online(
            on=date(2026, 3, 1), mode_online=False, reason="", unable_in_person=None, members_counted=0
        )
        == []
    )


def test_a_mixed_meeting_counts_the_suspended_out_and_needs_its_link(cell):
    member_standing_start(member=cell.members[0], kind=MemberEvent.Kind.SUSPENDED, on=date(2026, 2, 1))
    mixed = {"mode": MeetingMode.MIXED, "online_reason": rules.OnlineReason.DISPERSED, "unable_in_person": 2}
    with pytest.raises(RuleViolation) as refused:
        _schedule(cell.cell_a, date(2026, 10, 5), **mixed)
    assert refused_on(refused) == [("input", "online_link")]
    meeting = _schedule(cell.cell_a, date(2026, 10, 5), online_link="https://hop.example.vn/a", **mixed)
    assert meeting.members_counted == 3
    with pytest.raises(RuleViolation) as refused:  # in person, with the online record left in
        _schedule(cell.cell_a, date(2026, 10, 9), kind=MeetingKind.EXTRAORDINARY, unable_in_person=2)
    assert refused_on(refused) == [("input", "mode")]


def test_no_meeting_before_the_cell_was_established(cell):
    with pytest.raises(RuleViolation) as refused:
        _schedule(cell.cell_a, date(2014, 12, 5))
    assert refused_on(refused) == [("input", "held_on")]


def test_the_meetings_of_a_subtree_in_a_period(cell):
    october_a = _schedule(cell.cell_a, date(2026, 10, 5))
    october_b = _schedule(cell.cell_b, date(2026, 10, 6))
    _schedule(cell.cell_a, date(2026, 9, 5))
    _schedule(cell.agency, date(2026, 10, 7))  # another grassroots organization of the district
    found = selectors.meetings_in_period(
        actor=SYSTEM, org=cell.commune, start=date(2026, 10, 1), end=date(2026, 10, 31)
    )
    assert list(found) == [october_a, october_b]
    assert (
        len(
            selectors.meetings_in_period(
                actor=SYSTEM, org=cell.district, start=date(2026, 1, 1), end=date(2026, 12, 31)
            )
        )
        == 4
    )


# --- the command line: `dangbo meetings` -----------------------------------------------------


def test_the_command_line_lists_meetings_with_their_counts(cell, capsys, tmp_path):
    """Counts only, in date order, for a subtree and a period; text, JSON and Excel; audited."""
    import json

    from openpyxl import load_workbook

    from dangbo.cli import main as dangbo

    a, b, c, _ = cell.members
    october = _schedule(cell.cell_a, date(2026, 10, 5), place="Nhà văn hóa thôn A")
    services.attendance_record(
        actor=SYSTEM, meeting=october, entries={a.pk: PRESENT, b.pk: ILL, c.pk: UNEXCUSED}
    )
    _schedule(cell.cell_a, date(2026, 10, 20), kind=MeetingKind.THEMATIC)
    _schedule(cell.cell_b, date(2026, 11, 3))
    _schedule(cell.cell_a, date(2025, 12, 3))  # before the period

    assert dangbo(["meetings", "--org", cell.commune.code, "--from", "01/01/2026", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["date"], r["org_code"], r["kind"]) for r in rows] == [
        ("2026-10-05", cell.cell_a.code, MeetingKind.REGULAR.label),
        ("2026-10-20", cell.cell_a.code, MeetingKind.THEMATIC.label),
        ("2026-11-03", cell.cell_b.code, MeetingKind.REGULAR.label),
    ]
    assert (rows[0]["present"], rows[0]["absent_excused"], rows[0]["absent_unexcused"]) == (1, 1, 1)
    assert rows[1]["topic"] and rows[2]["present"] == 0

    assert dangbo(["meetings", "--org", cell.cell_a.code, "--from", "2026-01-01", "--to", "2026-10-31"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("2 buổi sinh hoạt từ 01/01/2026 đến 31/10/2026:")
    assert "có mặt 1, vắng có lý do 1, vắng không lý do 1" in text
    names = [m.given_name for m in cell.members]
    assert not any(name in text for name in names)  # counts, never people

    out = tmp_path / "sinh-hoat.xlsx"
    assert dangbo(["meetings", "--from", "1/1/2026", "--format", "xlsx", "--output", str(out)]) == 0
    sheet = load_workbook(out).active
    assert sheet["A3"].value == "Ngày" and sheet["A4"].value.date() == date(2026, 10, 5)  # a real date
    assert sheet["A4"].number_format == "dd/mm/yyyy" and sheet["H4"].value == 1  # present: a number
    today = f"{clock.today():%d/%m/%Y}"
    assert sheet["A1"].value == f"Các buổi sinh hoạt từ 01/01/2026 đến {today} — ngày {today}"
    assert sheet.max_row == 3 + 3
    assert AuditEntry.objects.filter(action="exported", subject_type="meeting_list").exists()
    assert AuditEntry.objects.filter(action="list_viewed", subject_type="meeting_list").count() == 2


def test_the_command_line_refuses_bad_input_in_vietnamese(cell, capsys):
    from dangbo.cli import main as dangbo

    assert dangbo(["meetings", "--org", "KHONG-CO"]) == 2
    assert "Không có tổ chức mã «KHONG-CO»" in capsys.readouterr().err
    assert dangbo(["meetings", "--from", "31/02/2026"]) == 2
    assert "Ngày không hợp lệ" in capsys.readouterr().err
    assert dangbo(["meetings", "--from", "01/12/2026", "--to", "01/01/2026"]) == 2
    assert "sau ngày kết thúc" in capsys.readouterr().err
    assert dangbo(["meetings", "--format", "xlsx"]) == 2
    assert "--output" in capsys.readouterr().err
