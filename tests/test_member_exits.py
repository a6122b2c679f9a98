"""Standing changes and exits through the services (RULES.md §2.4–2.6): exemption, suspension,
temporary and outside transfers, striking off, resignation, readmission, restoration."""

from __future__ import annotations

import itertools
from datetime import date

import pytest
from tests.conftest import identity, refused_on

from dangbo.core.decisions import DecisionRef
from dangbo.discipline.models import DisciplineCase
from dangbo.members import ledger
from dangbo.members.models import Member, MemberEvent, MemberStatus, Placement, Standing
from dangbo.members.selectors.figures import member_figures
from dangbo.members.selectors.votes import vote_denominator
from dangbo.members.services import standing as services
from dangbo.members.services.positions import member_position_start
from dangbo.rules import exits as exit_rules
from dangbo.rules.base import RuleViolation

DECISION = DecisionRef(number="7-QĐ/ĐU", on=date(2020, 6, 1), body="Đảng ủy xã Một")


def test_exemption_records_who_decides_and_keeps_the_member_counted(tree, make_member):
    member = make_member(tree.cell_a)
    event = services.member_standing_start(
        member=member,
        kind=MemberEvent.Kind.EXEMPTED,
        on=date(2024, 1, 2),
        ground=exit_rules.ExemptionGround.OLD_AGE_HEALTH,
    )
    member.refresh_from_db()
    assert member.standing == Standing.EXEMPTED and member.status == MemberStatus.FULL
    assert event.data["decider"] == "cell" and "Quy định" in event.rule_version
    with pytest.raises(RuleViolation) as refused:
        services.member_standing_start(member=member, kind=MemberEvent.Kind.SUSPENDED, on=date(2024, 2, 1))
    assert refused_on(refused) == [("input", "kind")]  # the exemption is to be ended first
    services.member_standing_end(member=member, on=date(2024, 6, 1))
    member.refresh_from_db()
    assert member.standing == "" and ledger.projection_matches_replay(member)


def test_exemption_needs_a_ground(tree, make_member):
    member = make_member(tree.cell_a)
    with pytest.raises(RuleViolation) as refused:
        services.member_standing_start(
            member=member, kind=MemberEvent.Kind.EXEMPTED, on=date(2024, 1, 2), ground=""
        )
    assert refused_on(refused) == [("input", "ground")]


def test_a_suspended_member_is_left_out_of_the_vote_denominator(tree, make_member):
    members = [make_member(tree.cell_a) for _ in range(4)]
    assert vote_denominator(org=tree.cell_a, on=date(2024, 3, 1)) == 4
    services.member_standing_start(
        member=members[0], kind=MemberEvent.Kind.SUSPENDED, on=date(2024, 2, 1), decision=DECISION
    )
    assert vote_denominator(org=tree.cell_a, on=date(2024, 3, 1)) == 3
    assert vote_denominator(org=tree.cell_a, on=date(2024, 1, 15)) == 4


def test_temporary_transfer_counts_at_home_and_shows_at_the_host(tree, make_member):
    member = make_member(tree.cell_a)
    services.member_temp_transfer(
        member=member,
        purpose=exit_rules.TransferPurpose.WORK,
        starts_on=date(2024, 3, 1),
        until=date(2024, 11, 30),
        host=tree.cell_b,
    )
    member.refresh_from_db()
    assert (
        member.org == tree.cell_a and member.host_org == tree.cell_b and member.standing == Standing.TEMP_AWAY
    )
    assert Placement.objects.get(member=member, org=tree.cell_b, counted=False).valid_to is None
    assert vote_denominator(org=tree.cell_a, on=date(2024, 4, 1)) == 0
    assert vote_denominator(org=tree.cell_b, on=date(2024, 4, 1)) == 0
    services.member_temp_return(member=member, on=date(2024, 11, 20))
    member.refresh_from_db()
    assert member.host_org is None and member.standing == ""
    assert Placement.objects.get(member=member, org=tree.cell_b, counted=False).valid_to == date(2024, 11, 20)
    assert ledger.projection_matches_replay(member)


def test_temporary_transfer_of_twelve_months_for_work_is_refused(tree, make_member):
    member = make_member(tree.cell_a)
    with pytest.raises(RuleViolation) as refused:
        services.member_temp_transfer(
            member=member,
            purpose=exit_rules.TransferPurpose.WORK,
            starts_on=date(2024, 3, 1),
            until=date(2025, 3, 1),
            host_name="Đảng bộ X",
        )
    assert refused.value.codes == ["exit.temporary_transfer_span"]
    assert "Quy định" in refused.value.violations[0].citation
    services.member_temp_transfer(
        member=member,
        purpose=exit_rules.TransferPurpose.STUDY,
        starts_on=date(2024, 3, 1),
        until=date(2026, 3, 1),
        host_name="Học viện",
    )


def test_moving_away_leaves_the_count_but_keeps_party_age(tree, make_member):
    member = make_member(tree.cell_a)
    member_position_start(member=member, org=tree.cell_a, role="secretary", started_on=date(2020, 1, 1))
    before = member_figures(path=tree.cell_a.path).total
    services.member_move_away(
        member=member, on=date(2024, 5, 2), to_name="Đảng bộ tỉnh Yên Bái", decision=DECISION
    )
    member.refresh_from_db()
    assert member.status == MemberStatus.MOVED_AWAY and member.left_on is None
    assert member.party_age_from == member.admitted_on
    assert not member.positions.filter(ended_on__isnull=True).exists()
    assert member_figures(path=tree.cell_a.path).total == before - 1


def test_receiving_from_outside_creates_the_member_with_the_letters_history(tree):
    member = services.member_receive(
        identity=identity(given_name="Đến"),
        cell=tree.cell_b,
        arrived_on=date(2024, 5, 10),
        status=MemberStatus.FULL,
        admitted_on=date(2001, 2, 3),
        full_on=date(2002, 2, 10),
        badge_years=None,
        from_name="Đảng bộ tỉnh Yên Bái",
        decision=DecisionRef(number="15-GGT/TU", on=date(2024, 5, 2)),
    )
    assert member.status == MemberStatus.FULL and member.org == tree.cell_b
    assert member.admitted_on == date(2001, 2, 3) and member.party_age_from == date(2001, 2, 3)
    assert Placement.objects.get(member=member).valid_from == date(2024, 5, 10)
    with pytest.raises(RuleViolation) as refused:
        services.member_receive(
            identity=identity(given_name="Thiếu"),
            cell=tree.cell_b,
            arrived_on=date(2024, 5, 10),
            status=MemberStatus.FULL,
            admitted_on=date(2001, 2, 3),
            from_name="Nơi khác",
            decision=DecisionRef(),
        )
    assert refused_on(refused) == [("input", "full_on")]


def test_striking_off_a_probationary_member_who_failed(tree, make_member):
    member = make_member(tree.cell_a, admitted_on=date(2024, 1, 5), full=False)
    full = make_member(tree.cell_a)
    with pytest.raises(RuleViolation) as refused:
        services.member_strike_off(
            member=full, on=date(2025, 2, 1), ground=exit_rules.PROBATION_FAILED, decision=DECISION
        )
    assert refused_on(refused) == [("input", "ground")]  # for probationary members only
    with pytest.raises(RuleViolation) as refused:
        services.member_strike_off(
            member=member, on=date(2025, 2, 1), ground=exit_rules.PROBATION_FAILED, decision=DECISION
        )
    assert refused_on(refused) == [("input", "approvals")]  # the cell's vote is not recorded
    with pytest.raises(RuleViolation) as refused:  # the cell's one other full member did not approve
        services.member_strike_off(
            member=member,
            on=date(2025, 2, 1),
            ground=exit_rules.PROBATION_FAILED,
            decision=DECISION,
            vote_on=date(2025, 1, 20),
            approvals=0,
        )
    assert refused.value.codes == ["vote.probation_strike_off_share"]
    services.member_strike_off(
        member=member,
        on=date(2025, 2, 1),
        ground=exit_rules.PROBATION_FAILED,
        decision=DECISION,
        vote_on=date(2025, 1, 20),
        approvals=1,
    )
    member.refresh_from_db()
    assert member.status == MemberStatus.STRUCK_OFF and member.left_on == date(2025, 2, 1)
    assert not Placement.objects.filter(member=member, valid_to__isnull=True).exists()


def test_striking_off_needs_the_decision(tree, make_member):
    member = make_member(tree.cell_a)
    with pytest.raises(RuleViolation) as refused:
        services.member_strike_off(
            member=member,
            on=date(2025, 2, 1),
            ground=exit_rules.StrikeOffGround.RETURNED_CARD,
            decision=DecisionRef(),
        )
    assert refused_on(refused) == [("input", "decision_no")]


def test_resignation_is_refused_while_discipline_is_open(tree, make_member):
    member = make_member(tree.cell_a)
    DisciplineCase.objects.create(
        member=member, act_on=date(2024, 1, 1), summary="Vi phạm", opened_on=date(2024, 2, 1)
    )
    with pytest.raises(RuleViolation) as refused:
        services.member_resign(member=member, on=date(2024, 3, 1), decision=DECISION)
    assert refused.value.codes == ["exit.resignation"]  # an open discipline case first
    DisciplineCase.objects.update(state=DisciplineCase.State.DROPPED)
    services.member_resign(member=member, on=date(2024, 3, 1), decision=DECISION)
    member.refresh_from_db()
    assert member.status == MemberStatus.RESIGNED


def test_readmission_after_36_months_moves_party_age_by_the_gap(tree, make_member):
    member = make_member(tree.cell_a, admitted_on=date(2010, 3, 1))
    services.member_strike_off(
        member=member,
        on=date(2019, 1, 10),
        ground=exit_rules.StrikeOffGround.RETURNED_CARD,
        decision=DECISION,
    )
    with pytest.raises(RuleViolation) as refused:
        services.member_readmit(
            member=member,
            cell=tree.cell_b,
            decision=DecisionRef(number="3-QĐ", on=date(2021, 1, 20)),
            ceremony_on=date(2021, 2, 1),
            vote_on=date(2021, 1, 5),
            provincial_consent="12-CV/TU",
        )
    assert refused_on(refused) == [("exit.readmission", "vote_on")]  # not 36 months since leaving
    services.member_readmit(
        member=member,
        cell=tree.cell_b,
        decision=DecisionRef(number="3-QĐ", on=date(2022, 3, 20)),
        ceremony_on=date(2022, 4, 1),
        vote_on=date(2022, 3, 5),
        provincial_consent="12-CV/TU ngày 1/3/2022",
    )
    member.refresh_from_db()
    assert (
        member.status == MemberStatus.PROBATIONARY
        and member.org == tree.cell_b
        and member.ceremony_on == date(2022, 4, 1)
    )
    gap = date(2022, 3, 20) - date(2019, 1, 10)
    assert member.party_age_from == date(2010, 3, 1) + gap and member.admitted_on == date(2010, 3, 1)
    assert ledger.projection_matches_replay(member)
    # once only
    services.member_strike_off(
        member=member,
        on=date(2023, 1, 10),
        ground=exit_rules.StrikeOffGround.RETURNED_CARD,
        decision=DECISION,
    )
    with pytest.raises(RuleViolation) as refused:
        services.member_readmit(
            member=member,
            cell=tree.cell_b,
            decision=DecisionRef(number="4-QĐ", on=date(2026, 3, 20)),
            ceremony_on=date(2026, 4, 1),
            vote_on=date(2026, 3, 5),
            provincial_consent="1-CV/TU",
        )
    assert refused_on(refused) == [("exit.readmission", "times_readmitted_before")]


def test_readmission_is_barred_after_voluntary_resignation_and_needs_consent(tree, make_member):
    member = make_member(tree.cell_a, admitted_on=date(2010, 3, 1))
    services.member_resign(member=member, on=date(2018, 1, 10), decision=DECISION)
    with pytest.raises(RuleViolation) as refused:
        services.member_readmit(
            member=member,
            cell=tree.cell_a,
            decision=DecisionRef(number="3-QĐ", on=date(2022, 3, 20)),
            ceremony_on=date(2022, 4, 1),
            vote_on=date(2022, 3, 5),
            provincial_consent="",
        )
    # barred (left of their own will), and the provincial standing committee's consent is missing
    assert refused_on(refused) == [
        ("exit.readmission_barred", "left_reason"),
        ("exit.readmission", "provincial_consent"),
    ]


def test_restoration_undoes_a_wrongful_exit_with_continuous_party_age(tree, make_member):
    member = make_member(tree.cell_a, admitted_on=date(2010, 3, 1))
    services.member_strike_off(
        member=member,
        on=date(2023, 1, 10),
        ground=exit_rules.StrikeOffGround.RETURNED_CARD,
        decision=DECISION,
    )
    services.member_restore(
        member=member, on=date(2024, 2, 1), decision=DecisionRef(number="9-QĐ/UBKT", on=date(2024, 1, 25))
    )
    member.refresh_from_db()
    assert (
        member.status == MemberStatus.FULL
        and member.org == tree.cell_a
        and member.party_age_from == date(2010, 3, 1)
    )
    spans = list(Placement.objects.filter(member=member, counted=True).order_by("valid_from"))
    assert (
        all(a.valid_to == b.valid_from for a, b in itertools.pairwise(spans)) and spans[-1].valid_to is None
    )
    assert ledger.projection_matches_replay(member)


def test_a_date_before_the_last_change_is_refused(tree, make_member):
    member = make_member(tree.cell_a, admitted_on=date(2020, 3, 1))
    with pytest.raises(RuleViolation) as refused:
        services.member_standing_start(member=member, kind=MemberEvent.Kind.SUSPENDED, on=date(2020, 5, 1))
    assert refused_on(refused) == [("input", "effective_on")]
    assert Member.objects.get(pk=member.pk).standing == ""


def test_pages_receive_a_member_from_outside_and_show_a_hosted_member(client, tree, make_member):
    from django.contrib.auth.models import User

    from dangbo.accounts.models import AccessRole
    from dangbo.accounts.services import role_grant

    officer = User.objects.create_user("canbo", password="mat-khau-dai-du-1")
    role_grant(user=officer, role=AccessRole.OFFICER, org=tree.commune)
    client.force_login(officer)
    form = {
        "family_name": "Hà",
        "given_name": "Nhận",
        "gender": "M",
        "birth_date": "02/03/1980",
        "ethnicity": "01",
        "religion": "00",
        "from_name": "Đảng bộ tỉnh Yên Bái",
        "decision_no": "15-GGT/TU",
        "decision_on": "02/05/2024",
        "arrived_on": "10/05/2024",
        "status": "full",
        "admitted_on": "03/02/2005",
    }
    response = client.post(f"/to-chuc/{tree.cell_b.pk}/tiep-nhan/", form)
    assert response.status_code == 400 and "ngày chính thức" in response.content.decode()
    response = client.post(f"/to-chuc/{tree.cell_b.pk}/tiep-nhan/", form | {"full_on": "03/02/2006"})
    assert response.status_code == 302
    received = Member.objects.get(given_name="Nhận")
    assert received.org == tree.cell_b and received.admitted_on == date(2005, 2, 3)
    assert "Đảng bộ tỉnh Yên Bái" in client.get(f"/dang-vien/{received.pk}/").content.decode()

    away = make_member(tree.cell_a, given_name="Tạmtrú")
    services.member_temp_transfer(
        member=away, purpose="residence", starts_on=date(2024, 6, 1), until=date(2025, 3, 1), host=tree.cell_b
    )
    page = client.get(f"/to-chuc/{tree.cell_b.pk}/").content.decode()
    assert "Đảng viên sinh hoạt tạm thời" in page and "Tạmtrú" in page
    assert client.get(f"/dang-vien/{away.pk}/van-ban/giay-gioi-thieu/").status_code == 404
    services.member_move_away(
        member=received, on=date(2024, 9, 2), to_name="Đảng bộ tỉnh Lạng Sơn", decision=DECISION
    )
    response = client.get(f"/dang-vien/{received.pk}/van-ban/giay-gioi-thieu/?dinh-dang=pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    response = client.get(f"/dang-vien/{received.pk}/van-ban/giay-gioi-thieu/?dinh-dang=docx")
    assert response.status_code == 200 and response.content.startswith(b"PK")
