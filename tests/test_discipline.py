"""Discipline through the services and pages (RULES.md §5, §6): forms by status, thresholds,
authority, limitation, deferral, the badge deferral, dismissal ending positions, expulsion."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth.models import User

from conftest import refused_on
from dangbo.accounts.models import AccessRole
from dangbo.accounts.services import role_grant
from dangbo.core.decisions import DecisionRef
from dangbo.discipline import services as services
from dangbo.discipline.models import DisciplineCase
from dangbo.members import ledger
from dangbo.members.models import MemberStatus, Position
from dangbo.members.selectors.badges import badge_list
from dangbo.members.services.badges import member_award_badge
from dangbo.members.services.positions import member_position_start
from dangbo.rules.base import RuleViolation
from dangbo.rules.discipline import Authority, DeferralGround, Form

SYSTEM = type("S", (), {"is_admin": True, "can_read_path": lambda self, p: True})()


@pytest.fixture
def cell(tree, make_member):
    tree.members = [
        make_member(tree.cell_a, admitted_on=date(1995, 6, 1), birth_date=date(1970, 2, 2)) for _ in range(5)
    ]
    return tree


def _case(member, act_on=date(2025, 1, 10)):
    return services.discipline_open(
        member=member, act_on=act_on, summary="Không chấp hành nghị quyết", opened_on=date(2025, 2, 1)
    )


def test_a_cell_reprimand_takes_effect_at_the_vote_and_defers_the_badge(cell):
    member = cell.members[0]
    event = services.discipline_decide(
        case=_case(member),
        form=Form.REPRIMAND,
        authority=Authority.CELL,
        vote_on=date(2025, 3, 5),
        approvals=3,
        decision=DecisionRef(),
    )
    member.refresh_from_db()
    assert event.effective_on == date(2025, 3, 5) and event.data["denominator"] == 5
    assert member.badge_deferred_until == date(2025, 9, 5) and member.status == MemberStatus.FULL
    assert DisciplineCase.objects.get().state == DisciplineCase.State.DECIDED
    assert ledger.projection_matches_replay(member)
    # 30 years of party age fall due on 1/6/2025: deferred, so not on the 2/9/2025 list
    assert member not in [
        c.member
        for c in badge_list(actor=SYSTEM, org=cell.cell_a, award_on=date(2025, 9, 2), audit=False).due
    ]
    with pytest.raises(RuleViolation) as refused:
        member_award_badge(
            member=member,
            years=30,
            awarded_on=date(2025, 9, 2),
            decision=DecisionRef(number="1", on=date(2025, 9, 1)),
        )
    assert refused.value.codes == ["discipline.badge_deferral_months"]


def test_a_vote_of_exactly_half_is_refused(cell):
    member = cell.members[0]
    case = _case(member)
    with pytest.raises(RuleViolation) as refused:
        services.discipline_decide(
            case=case,
            form=Form.WARNING,
            authority=Authority.GRASSROOTS_COMMITTEE,
            vote_on=date(2025, 3, 5),
            approvals=5,
            denominator=10,
            decision=DecisionRef(number="2-QĐ/ĐU", on=date(2025, 3, 6)),
        )
    assert refused_on(refused) == [("discipline.vote_share", "approvals")]
    assert refused.value.violations[0].details == {"needed": 6}  # more than half of 10
    services.discipline_decide(
        case=case,
        form=Form.WARNING,
        authority=Authority.GRASSROOTS_COMMITTEE,
        vote_on=date(2025, 3, 5),
        approvals=6,
        denominator=10,
        decision=DecisionRef(number="2-QĐ/ĐU", on=date(2025, 3, 6)),
    )


def test_a_probationary_member_can_only_be_reprimanded_or_warned(cell, make_member):
    member = make_member(cell.cell_a, admitted_on=date(2024, 9, 1), full=False)
    with pytest.raises(RuleViolation) as refused:
        services.discipline_decide(
            case=_case(member),
            form=Form.EXPULSION,
            authority=Authority.GRASSROOTS_COMMITTEE,
            vote_on=date(2025, 3, 5),
            approvals=9,
            denominator=9,
            decision=DecisionRef(number="3", on=date(2025, 3, 6)),
            proposal_vote_on=date(2025, 3, 1),
            proposal_approvals=5,
        )
    assert refused.value.codes == ["discipline.forms_by_status"]


def test_the_cell_cannot_dismiss_and_dismissal_ends_positions(cell):
    member = cell.members[0]
    member_position_start(member=member, org=cell.cell_a, role="secretary", started_on=date(2020, 1, 1))
    case = _case(member)
    with pytest.raises(RuleViolation) as refused:
        services.discipline_decide(
            case=case,
            form=Form.DISMISSAL,
            authority=Authority.CELL,
            vote_on=date(2025, 3, 5),
            approvals=5,
            decision=DecisionRef(),
        )
    assert refused.value.codes == ["discipline.authority"]  # a cell cannot dismiss
    services.discipline_decide(
        case=case,
        form=Form.DISMISSAL,
        authority=Authority.GRASSROOTS_COMMITTEE,
        vote_on=date(2025, 3, 5),
        approvals=7,
        denominator=9,
        decision=DecisionRef(number="4-QĐ/ĐU", on=date(2025, 3, 10)),
    )
    assert not Position.objects.filter(member=member, ended_on__isnull=True).exists()
    assert Position.objects.get(member=member).ended_on == date(2025, 3, 10)


def test_expulsion_needs_the_cells_two_thirds_and_ends_membership(cell):
    member = cell.members[0]
    case = _case(member)
    decision = DecisionRef(number="5-QĐ/ĐU", on=date(2025, 3, 10))
    with pytest.raises(RuleViolation) as refused:
        services.discipline_decide(
            case=case,
            form=Form.EXPULSION,
            authority=Authority.GRASSROOTS_COMMITTEE,
            vote_on=date(2025, 3, 8),
            approvals=6,
            denominator=9,
            decision=decision,
            proposal_vote_on=date(2025, 3, 1),
            proposal_approvals=3,
        )
    assert refused_on(refused) == [("discipline.vote_share", "approvals")]  # the proposal: 3 of 5
    assert refused.value.violations[0].details == {"needed": 4}
    services.discipline_decide(
        case=case,
        form=Form.EXPULSION,
        authority=Authority.GRASSROOTS_COMMITTEE,
        vote_on=date(2025, 3, 8),
        approvals=6,
        denominator=9,
        decision=decision,
        proposal_vote_on=date(2025, 3, 1),
        proposal_approvals=4,
    )
    member.refresh_from_db()
    assert member.status == MemberStatus.EXPELLED and member.left_on == date(2025, 3, 10)


def test_a_limitation_period_run_out_is_refused(cell):
    case = _case(cell.members[0], act_on=date(2019, 1, 10))
    with pytest.raises(RuleViolation) as refused:
        services.discipline_decide(
            case=case,
            form=Form.REPRIMAND,
            authority=Authority.CELL,
            vote_on=date(2025, 3, 5),
            approvals=5,
            decision=DecisionRef(),
        )
    assert refused.value.codes == ["discipline.limitation_years"]
    assert refused.value.violations[0].details["years"] == 5


def test_a_deferred_case_cannot_be_decided(cell):
    case = services.discipline_defer(case=_case(cell.members[1]), ground=DeferralGround.NURSING)
    with pytest.raises(RuleViolation) as refused:
        services.discipline_decide(
            case=case,
            form=Form.REPRIMAND,
            authority=Authority.CELL,
            vote_on=date(2025, 3, 5),
            approvals=5,
            decision=DecisionRef(),
        )
    assert refused.value.codes == ["discipline.deferral"]
    assert refused.value.violations[0].details == {"ground": DeferralGround.NURSING}
    services.discipline_defer(case=case, ground="")
    services.discipline_decide(
        case=case,
        form=Form.REPRIMAND,
        authority=Authority.CELL,
        vote_on=date(2025, 3, 5),
        approvals=5,
        decision=DecisionRef(),
    )


def test_the_pages_open_and_decide_a_case(client, cell):
    member = cell.members[2]
    officer = User.objects.create_user("canbo", password="mat-khau-dai-du-1")
    role_grant(user=officer, role=AccessRole.OFFICER, org=cell.commune)
    client.force_login(officer)
    page = client.get(f"/dang-vien/{member.pk}/ky-luat/")
    assert page.status_code == 200 and "Mở hồ sơ xem xét kỷ luật" in page.content.decode()
    response = client.post(
        f"/dang-vien/{member.pk}/ky-luat/",
        {"act_on": "10/01/2025", "summary": "Vi phạm", "opened_on": "01/02/2025"},
    )
    assert response.status_code == 302
    response = client.post(
        f"/dang-vien/{member.pk}/ky-luat/quyet-dinh/",
        {
            "form": "warning",
            "authority": "cell",
            "vote_on": "05/03/2025",
            "approvals": "2",
        },
    )
    assert response.status_code == 400 and "tán thành" in response.content.decode()
    response = client.post(
        f"/dang-vien/{member.pk}/ky-luat/quyet-dinh/",
        {
            "form": "warning",
            "authority": "cell",
            "vote_on": "05/03/2025",
            "approvals": "4",
        },
    )
    assert response.status_code == 302
    assert "Cảnh cáo" in client.get(f"/dang-vien/{member.pk}/ky-luat/").content.decode()
