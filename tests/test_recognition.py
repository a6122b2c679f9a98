"""Recognition as a full member (RULES.md §2.3, §3): the vote on the full denominator, the time
limits, late steps recorded only with a reason, full as of the end of the 12 months."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest
from django.contrib.auth.models import User

from conftest import refused_on
from dangbo.accounts.models import AccessRole
from dangbo.accounts.services import role_grant
from dangbo.core.decisions import DecisionRef
from dangbo.members import ledger
from dangbo.members.models import MemberEvent, MemberStatus
from dangbo.members.services.recognition import member_recognize
from dangbo.reference.models import Holiday
from dangbo.rules.base import RuleViolation
from dangbo.rules.votes import approvals_needed


def test_two_thirds_of_the_denominator():
    assert approvals_needed(Fraction(2, 3), 10) == 7
    assert approvals_needed(Fraction(2, 3), 9) == 6
    assert approvals_needed(Fraction(2, 3), 3) == 2


@pytest.fixture
def cell(tree, make_member):
    """Six full members in cell A (the denominator) and one probationary member."""
    Holiday.objects.all().delete()
    for i in range(6):
        make_member(tree.cell_a, admitted_on=date(2015, 3, 1), given_name=f"Chínhthức{i}")
    make_member(tree.cell_b, admitted_on=date(2015, 3, 1))  # another cell: not in the denominator
    return make_member(tree.cell_a, full=False, admitted_on=date(2025, 3, 3), given_name="Dựbị")


def test_recognized_with_two_thirds_and_full_from_the_end_of_probation(cell):
    member_recognize(
        member=cell,
        vote_on=date(2026, 3, 10),
        approvals=4,
        decision=DecisionRef(number="9-QĐ/ĐU", on=date(2026, 3, 20)),
    )
    cell.refresh_from_db()
    assert cell.status == MemberStatus.FULL and cell.full_on == date(2026, 3, 3)
    event = MemberEvent.objects.get(member=cell, kind="recognized")
    assert event.data["denominator"] == 6 and event.data["approvals"] == 4 and "late" not in event.data
    assert ledger.projection_matches_replay(cell)


def test_below_two_thirds_is_refused_and_nothing_written(cell):
    with pytest.raises(RuleViolation) as refused:
        member_recognize(
            member=cell, vote_on=date(2026, 3, 10), approvals=3, decision=DecisionRef(on=date(2026, 3, 20))
        )
    [violation] = refused.value.violations
    assert (violation.rule, violation.field) == ("vote.recognition_share", "approvals")
    assert "3/6" in violation.message and "cần ít nhất 4" in violation.message  # the count, not the wording
    assert "Điều 5" in violation.citation
    cell.refresh_from_db()
    assert cell.status == MemberStatus.PROBATIONARY


def test_a_vote_before_the_12_months_is_out_of_order(cell):
    with pytest.raises(RuleViolation) as refused:
        member_recognize(
            member=cell, vote_on=date(2026, 2, 1), approvals=6, decision=DecisionRef(on=date(2026, 3, 20))
        )
    # before the 12 months are out; and the decision then comes after its deadline
    assert refused_on(refused) == [("probation.months", "vote_on"), ("deadline", "late_reason")]
    with pytest.raises(RuleViolation) as refused:
        member_recognize(
            member=cell, vote_on=date(2026, 3, 10), approvals=6, decision=DecisionRef(on=date(2026, 3, 9))
        )
    assert refused_on(refused) == [("input", "decision_on")]


def test_a_late_vote_needs_a_reason_and_is_marked_late(cell):
    # 30 working days after 3/3/2026 is 14/4/2026
    with pytest.raises(RuleViolation) as refused:
        member_recognize(
            member=cell, vote_on=date(2026, 5, 5), approvals=5, decision=DecisionRef(on=date(2026, 5, 10))
        )
    assert refused_on(refused) == [("deadline", "late_reason")]
    member_recognize(
        member=cell,
        vote_on=date(2026, 5, 5),
        approvals=5,
        decision=DecisionRef(on=date(2026, 5, 10)),
        late_reason="Bí thư ốm dài ngày",
    )
    cell.refresh_from_db()
    event = MemberEvent.objects.get(member=cell, kind="recognized")
    assert cell.full_on == date(2026, 3, 3)  # full from the end of month 12, whatever the delay
    assert event.data["late_reason"] == "Bí thư ốm dài ngày" and "14/04/2026" in event.data["late"][0]


def test_recognition_from_the_profile(client, tree, cell):
    officer = User.objects.create_user("canbo", password="mat-khau-dai-du-1")
    role_grant(user=officer, role=AccessRole.OFFICER, org=tree.commune)
    client.force_login(officer)
    profile = client.get(f"/dang-vien/{cell.pk}/").content.decode()
    assert "Công nhận đảng viên chính thức" in profile
    form = client.get(f"/dang-vien/{cell.pk}/cong-nhan-chinh-thuc/").content.decode()
    assert "hết 12 tháng dự bị ngày 03/03/2026" in form and "14/04/2026" in form
    refused = client.post(
        f"/dang-vien/{cell.pk}/cong-nhan-chinh-thuc/",
        {"vote_on": "10/03/2026", "approvals": "2", "decision_on": "20/03/2026"},
    )
    assert refused.status_code == 400 and "chưa đủ 2/3" in refused.content.decode()
    done = client.post(
        f"/dang-vien/{cell.pk}/cong-nhan-chinh-thuc/",
        {"vote_on": "10/03/2026", "approvals": "5", "decision_no": "9-QĐ/ĐU", "decision_on": "20/03/2026"},
    )
    assert done.status_code == 302
    profile = client.get(f"/dang-vien/{cell.pk}/").content.decode()
    assert "Đảng viên chính thức" in profile and "5/6 tán thành" in profile and "03/03/2026" in profile
    assert (
        client.get(f"/dang-vien/{cell.pk}/cong-nhan-chinh-thuc/").status_code == 302
    )  # no longer probationary


def test_recognition_through_the_api(client, tree, cell):
    officer = User.objects.create_user("canbo", password="mat-khau-dai-du-1")
    role_grant(user=officer, role=AccessRole.OFFICER, org=tree.commune)
    client.force_login(officer)
    url = f"/api/members/{cell.pk}/recognition"
    refused = client.post(
        url,
        {"vote_on": "2026-03-10", "approvals": 1, "decision_on": "2026-03-20"},
        content_type="application/json",
    )
    assert refused.status_code == 422 and "chưa đủ 2/3" in refused.json()["errors"]["approvals"][0]
    made = client.post(
        url,
        {"vote_on": "2026-03-10", "approvals": 6, "decision_on": "2026-03-20"},
        content_type="application/json",
    )
    assert made.status_code == 201 and made.json()["effective_on"] == "2026-03-03"
