"""Members absent without reason three months of a year (RULES.md §2.6, §11 rule 13): the
striking-off review on the cell's and the officer's to-do list (page, command, not an overdue
deadline of the compliance checks), its scope, and the striking-off action that shows and
records the meetings behind the ground."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.contrib.auth.models import User

from conftest import assert_due_counts_equal_the_list
from dangbo import cli
from dangbo.accounts.models import AccessRole
from dangbo.accounts.scope import SYSTEM, scope_for
from dangbo.accounts.services import role_grant
from dangbo.audit.models import AuditEntry
from dangbo.core import paths
from dangbo.core.violations import NotInScope
from dangbo.meetings import services
from dangbo.meetings.models import AbsenceReason, AttendanceStatus, Body, MeetingKind
from dangbo.meetings.services import MeetingDetails
from dangbo.members.models import MemberEvent, MemberStatus
from dangbo.members.selectors.todo import due_items
from dangbo.members.selectors.todo_counts import todo_summary
from dangbo.members.services.standing import member_strike_off
from dangbo.members.services.transfers import member_transfer
from dangbo.orgs.services import DecisionRef
from dangbo.rules import exits as exit_rules
from dangbo.stats.compliance import compliance_run

TODAY = date(2026, 11, 20)
PRESENT = (AttendanceStatus.PRESENT, "")
UNEXCUSED = (AttendanceStatus.ABSENT_UNEXCUSED, "")
ILL = (AttendanceStatus.ABSENT_EXCUSED, AbsenceReason.ILLNESS)
DECISION = DecisionRef(number="5-QĐ/ĐU", on=date(2026, 11, 18), body="Đảng ủy xã")


def _held(org, day, entries, kind=MeetingKind.REGULAR):
    topic = "Nghị quyết Đại hội" if kind == MeetingKind.THEMATIC else ""
    meeting = services.meeting_schedule(
        actor=SYSTEM, org=org, details=MeetingDetails(body=Body.CHI_BO, kind=kind, held_on=day, topic=topic)
    )
    services.attendance_record(actor=SYSTEM, meeting=meeting, entries=entries)
    return meeting


@pytest.fixture
def absences(tree, make_member, frozen_today):
    """Cell A: Bình absent without reason in February, March (twice) and May 2026; Chi in
    February and March only, and ill in May; Dũng always present. Cell B: Em absent without
    reason in October, November and December 2025 and once in 2026."""
    frozen_today(TODAY)
    binh, chi, dung = (make_member(tree.cell_a, given_name=n) for n in ("Bình", "Chi", "Dũng"))
    em = make_member(tree.cell_b, given_name="Em")
    meetings = []
    for month, binh_state, chi_state in (
        (1, PRESENT, PRESENT),
        (2, UNEXCUSED, UNEXCUSED),
        (3, UNEXCUSED, UNEXCUSED),
        (5, UNEXCUSED, ILL),
    ):
        entries = {binh.pk: binh_state, chi.pk: chi_state, dung.pk: PRESENT}
        meetings.append(_held(tree.cell_a, date(2026, month, 10), entries))
    # a thematic meeting in March: a fourth absence of Bình, still three distinct months
    meetings.append(_held(tree.cell_a, date(2026, 3, 25), {binh.pk: UNEXCUSED}, MeetingKind.THEMATIC))
    for month in (10, 11, 12):
        _held(tree.cell_b, date(2025, month, 8), {em.pk: UNEXCUSED})
    _held(tree.cell_b, date(2026, 1, 8), {em.pk: UNEXCUSED})
    tree.binh, tree.chi, tree.dung, tree.em, tree.meetings = binh, chi, dung, em, meetings
    return tree


def _reviews(actor, org, **kwargs):
    return [i for i in due_items(actor=actor, org=org, **kwargs) if i.kind == "strike_off_review"]


def test_a_member_absent_three_months_is_a_review_with_the_months_and_the_rule(absences):
    items = _reviews(SYSTEM, absences.cell_a)
    assert [(i.member, i.org) for i in items] == [(absences.binh, absences.cell_a)]
    item = items[0]
    assert "02, 03, 05/2026" in item.note and "5 buổi" not in item.note and "4 buổi" in item.note
    assert item.due_on == date(2026, 5, 10)  # the meeting that made the third month
    assert item.review and not item.overdue  # no deadline in the rules: to consider, never overdue
    assert "quy định không nêu thời hạn" in item.note
    assert "Điều 8" in item.citation  # Điều lệ Đảng, article 8 (striking off)
    assert item.title.startswith("Chi bộ xem xét xóa tên")


def test_last_years_review_stays_for_a_year_and_a_past_day_sees_only_what_had_happened(absences):
    # Em reached three months in December 2025: still listed in November 2026
    assert [i.member for i in _reviews(SYSTEM, absences.cell_b)] == [absences.em]
    assert _reviews(SYSTEM, absences.cell_b)[0].due_on == date(2025, 12, 8)
    assert "10, 11, 12/2025" in _reviews(SYSTEM, absences.cell_b)[0].note
    # on 30/04/2026 Bình had two months: not yet a review
    assert _reviews(SYSTEM, absences.cell_a, as_of=date(2026, 4, 30)) == []
    # more than a year after it arose, a review no longer shows (Em has one month in 2026)
    assert _reviews(SYSTEM, absences.cell_b, as_of=date(2026, 12, 7)) != []
    assert _reviews(SYSTEM, absences.cell_b, as_of=date(2026, 12, 9)) == []


def test_the_officer_above_sees_both_cells_a_sibling_cell_sees_only_its_own(absences):
    officer = User.objects.create_user("can-bo-xa", password="mat-khau-dai-du-1")
    role_grant(user=officer, role=AccessRole.OFFICER, org=absences.commune)
    secretary = User.objects.create_user("bi-thu-b", password="mat-khau-dai-du-1")
    role_grant(user=secretary, role=AccessRole.SECRETARY, org=absences.cell_b)
    assert {i.member for i in _reviews(scope_for(officer), absences.commune)} == {absences.binh, absences.em}
    assert [i.member for i in _reviews(scope_for(secretary), absences.cell_b)] == [absences.em]
    with pytest.raises(NotInScope):
        due_items(actor=scope_for(secretary), org=absences.cell_a)
    # the district next door holds none of it
    assert _reviews(SYSTEM, absences.district2) == []


def test_the_cell_a_member_is_in_now_considers_the_months_of_every_cell_of_the_year(absences, agency2):
    """Chi, absent in February and March in cell A, moves to cell B and misses October there: a
    review at cell B with the three months. Bình moves to a cell of district 2: district 2 lists
    him there; district 1 lists him no more, nor names district 2's cell in its counts by child."""
    member_transfer(member=absences.chi, to_org=absences.cell_b, effective_on=date(2026, 9, 1))
    _held(absences.cell_b, date(2026, 10, 8), {absences.chi.pk: UNEXCUSED, absences.em.pk: PRESENT})
    [chi] = [i for i in _reviews(SYSTEM, absences.cell_b) if i.member == absences.chi]
    assert chi.org == absences.cell_b and "02, 03, 10/2026" in chi.note
    assert absences.chi not in {i.member for i in _reviews(SYSTEM, absences.cell_a)}

    cell2 = agency2
    member_transfer(member=absences.binh, to_org=cell2, effective_on=date(2026, 11, 1))
    assert [(i.member, i.org) for i in _reviews(SYSTEM, absences.district2)] == [(absences.binh, cell2)]
    assert absences.binh not in {i.member for i in _reviews(SYSTEM, absences.district)}
    summary = todo_summary(actor=SYSTEM, org=absences.district)
    assert all(paths.is_within(row.org.path, absences.district.path) for row in summary.rows)
    for org in (absences.province, absences.district, absences.district2, absences.cell_a, absences.cell_b):
        assert_due_counts_equal_the_list(actor=SYSTEM, org=org, as_of=TODAY)


def test_a_member_struck_off_leaves_the_list_and_the_event_records_the_meetings(absences):
    member_strike_off(
        member=absences.binh,
        on=TODAY,
        ground=exit_rules.StrikeOffGround.MISSED_MEETINGS_OR_DUES,
        decision=DECISION,
        requests_made=3,
    )
    assert _reviews(SYSTEM, absences.cell_a) == []
    event = MemberEvent.objects.get(member=absences.binh, kind=MemberEvent.Kind.STRUCK_OFF)
    [evidence] = event.data["evidence"]
    assert evidence["year"] == 2026 and evidence["months"] == [2, 3, 5] and evidence["reaches_rule"]
    assert evidence["meetings"] == [str(m.pk) for m in absences.meetings[1:3]] + [
        str(absences.meetings[4].pk),
        str(absences.meetings[3].pk),
    ]
    # another ground records no meeting evidence
    member_strike_off(
        member=absences.chi,
        on=TODAY,
        ground=exit_rules.StrikeOffGround.RETURNED_CARD,
        decision=DECISION,
        requests_made=3,
    )
    chi = MemberEvent.objects.get(member=absences.chi, kind=MemberEvent.Kind.STRUCK_OFF)
    assert "evidence" not in chi.data


def test_the_to_do_page_and_command_list_the_review(client, absences, capsys):
    user = User.objects.create_user("bi-thu-a", password="mat-khau-dai-du-1")
    role_grant(user=user, role=AccessRole.SECRETARY, org=absences.cell_a)
    client.force_login(user)
    html = client.get(f"/to-chuc/{absences.cell_a.pk}/viec-can-lam/").content.decode()
    assert absences.binh.full_name in html and "cần xem xét" in html and "02, 03, 05/2026" in html
    assert absences.em.full_name not in html
    assert cli.main(["todo", "--org", "X1A", "--as-of", TODAY.isoformat(), "--format", "json"]) == 0
    found = [i for i in json.loads(capsys.readouterr().out)["items"] if i["kind"] == "strike_off_review"]
    assert [(i["member"], i["overdue"], i["review"]) for i in found] == [
        (absences.binh.full_name, False, True)
    ]


def test_the_review_is_not_an_overdue_deadline_of_the_compliance_checks(absences):
    findings = compliance_run(root=absences.province, today=TODAY)
    assert not [f for f in findings if f.member in (absences.binh, absences.em)]


def test_the_striking_off_form_shows_the_months_and_the_meetings(client, absences):
    user = User.objects.create_user("can-bo", password="mat-khau-dai-du-1")
    role_grant(user=user, role=AccessRole.OFFICER, org=absences.commune)
    client.force_login(user)
    url = f"/dang-vien/{absences.binh.pk}/tinh-trang/xoa-ten/"
    html = client.get(url).content.decode()
    assert "Năm 2026: vắng sinh hoạt chi bộ không lý do 3 tháng (02, 03, 05/2026, 4 buổi)" in html
    assert "10/02/2026 — Sinh hoạt thường kỳ, Chi bộ thôn A" in html
    assert AuditEntry.objects.filter(
        subject_id=str(absences.binh.pk), data__history="strike_off_evidence"
    ).exists()
    assert f'href="/sinh-hoat/{absences.meetings[1].pk}/"' in html  # each meeting's page
    # a member with two months: the form says the rule is not reached
    html = client.get(f"/dang-vien/{absences.chi.pk}/tinh-trang/xoa-ten/").content.decode()
    assert "chưa đủ 3 tháng trong năm" in html
    # and the form still strikes off, recording the evidence
    response = client.post(
        url,
        {
            "ground": exit_rules.StrikeOffGround.MISSED_MEETINGS_OR_DUES,
            "requests_made": "3",
            "effective_on": "20/11/2026",
            "decision_no": "5-QĐ/ĐU",
            "decision_on": "18/11/2026",
            "decision_body": "Đảng ủy xã",
        },
    )
    assert response.status_code == 302
    absences.binh.refresh_from_db()
    assert absences.binh.status == MemberStatus.STRUCK_OFF
    event = MemberEvent.objects.get(member=absences.binh, kind=MemberEvent.Kind.STRUCK_OFF)
    assert event.data["evidence"][0]["months"] == [2, 3, 5]


def test_the_overviews_counts_equal_the_list_on_every_day_around_the_reviews(absences):
    days = [
        date(2026, 4, 30),
        date(2026, 5, 10),
        TODAY,
        date(2026, 12, 7),
        date(2026, 12, 8),
        date(2026, 12, 9),
    ]
    for day in days:
        for org in (absences.province, absences.cell_a, absences.cell_b):
            assert_due_counts_equal_the_list(actor=SYSTEM, org=org, as_of=day)
    assert assert_due_counts_equal_the_list(actor=SYSTEM, org=absences.province, as_of=TODAY) == {
        "strike_off_review": [2, 0]
    }
