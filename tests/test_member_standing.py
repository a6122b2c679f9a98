from datetime import date

import pytest

from conftest import refused_on
from dangbo.core.decisions import DecisionRef
from dangbo.core.roles import Role
from dangbo.members import ledger
from dangbo.members.models import Member, MemberEvent, MemberStatus, Position
from dangbo.members.selectors.figures import member_count_on, member_figures
from dangbo.members.services.positions import member_position_start
from dangbo.members.services.records import member_record_death, member_update_identity
from dangbo.members.services.transfers import member_transfer
from dangbo.rules.base import RuleViolation


def test_transfer_moves_the_member_and_keeps_where_they_were(tree, make_member):
    member = make_member(tree.cell_a)
    member_transfer(
        member=member,
        to_org=tree.agency,
        effective_on=date(2019, 7, 1),
        decision=DecisionRef("9-QĐ/HU", date(2019, 6, 20)),
    )
    member.refresh_from_db()
    assert member.org_id == tree.agency.pk and member.org_path == tree.agency.path
    assert member_count_on(day=date(2019, 6, 30), root_path=tree.commune.path) == 1
    assert member_count_on(day=date(2019, 7, 1), root_path=tree.commune.path) == 0
    assert member_count_on(day=date(2019, 7, 1), root_path=tree.agency.path) == 1
    assert ledger.projection_matches_replay(member)


def test_transfer_to_a_committee_is_refused(tree, make_member):
    member = make_member(tree.cell_a)
    with pytest.raises(RuleViolation) as refused:
        member_transfer(member=member, to_org=tree.district, effective_on=date(2019, 7, 1))
    assert refused.value.codes == ["org.member_holding_kinds"]
    assert Member.objects.get(pk=member.pk).org_id == tree.cell_a.pk


def test_a_cell_secretary_must_be_a_full_member_of_the_cell(tree, make_member):
    probationary = make_member(tree.cell_a, full=False, admitted_on=date(2020, 1, 1))
    other_cell = make_member(tree.cell_b)
    with pytest.raises(RuleViolation) as refused:
        member_position_start(
            member=probationary, org=tree.cell_a, role=Role.SECRETARY, started_on=date(2020, 6, 1)
        )
    assert refused_on(refused) == [("position.full_member_only", "member")]
    assert "Điều 5" in refused.value.violations[0].citation
    with pytest.raises(RuleViolation) as refused:
        member_position_start(
            member=other_cell, org=tree.cell_a, role=Role.SECRETARY, started_on=date(2020, 6, 1)
        )
    assert refused_on(refused) == [("position.org_kinds", "member")]  # not a member of the cell
    assert not Position.objects.exists()


def test_a_position_in_an_organization_of_the_wrong_kind_is_refused(tree, make_member):
    member = make_member(tree.cell_a)
    with pytest.raises(RuleViolation) as refused:
        member_position_start(
            member=member, org=tree.cell_a, role=Role.STANDING_COMMITTEE_MEMBER, started_on=date(2020, 6, 1)
        )
    assert refused_on(refused) == [("position.org_kinds", "role")]
    assert MemberEvent.objects.filter(kind="position_started").count() == 0


def test_a_small_cell_elects_no_committee_and_one_deputy(tree, make_member):
    members = [make_member(tree.cell_a) for _ in range(4)]
    member_position_start(
        member=members[0], org=tree.cell_a, role=Role.SECRETARY, started_on=date(2020, 1, 1)
    )
    member_position_start(
        member=members[1], org=tree.cell_a, role=Role.DEPUTY_SECRETARY, started_on=date(2020, 1, 1)
    )
    with pytest.raises(RuleViolation) as refused:
        member_position_start(
            member=members[2], org=tree.cell_a, role=Role.DEPUTY_SECRETARY, started_on=date(2020, 1, 1)
        )
    assert refused.value.codes == ["org.cell_deputy_max_without_committee"]
    with pytest.raises(RuleViolation) as refused:
        member_position_start(
            member=members[3], org=tree.cell_a, role=Role.COMMITTEE_MEMBER, started_on=date(2020, 1, 1)
        )
    assert refused.value.codes == ["org.cell_committee_threshold"]
    with pytest.raises(RuleViolation) as refused:  # one secretary at a time
        member_position_start(
            member=members[2], org=tree.cell_a, role=Role.SECRETARY, started_on=date(2020, 2, 1)
        )
    assert refused_on(refused) == [("position.org_kinds", "role")]


def test_a_cell_of_nine_full_members_elects_a_committee_of_at_most_seven(tree, make_member):
    members = [make_member(tree.cell_a) for _ in range(9)]
    member_position_start(
        member=members[0], org=tree.cell_a, role=Role.SECRETARY, started_on=date(2020, 1, 1)
    )
    member_position_start(
        member=members[1], org=tree.cell_a, role=Role.DEPUTY_SECRETARY, started_on=date(2020, 1, 1)
    )
    for m in members[2:7]:
        member_position_start(
            member=m, org=tree.cell_a, role=Role.COMMITTEE_MEMBER, started_on=date(2020, 1, 1)
        )
    with pytest.raises(RuleViolation) as refused:
        member_position_start(
            member=members[7], org=tree.cell_a, role=Role.COMMITTEE_MEMBER, started_on=date(2020, 1, 1)
        )
    assert refused.value.codes == ["org.cell_committee_max"]


def test_transfer_ends_positions_in_organizations_left_behind(tree, make_member):
    member = make_member(tree.cell_a)
    member_position_start(member=member, org=tree.cell_a, role=Role.SECRETARY, started_on=date(2018, 1, 1))
    member_position_start(
        member=member, org=tree.commune, role=Role.COMMITTEE_MEMBER, started_on=date(2018, 1, 1)
    )
    member_transfer(member=member, to_org=tree.cell_b, effective_on=date(2019, 1, 1))
    open_positions = set(
        Position.objects.filter(member=member, ended_on__isnull=True).values_list("org__code", "role")
    )
    assert open_positions == {("X1", "committee_member")}  # still in the commune
    assert Position.objects.get(member=member, org=tree.cell_a).ended_on == date(2019, 1, 1)


def test_death_leaves_the_count_and_ends_positions(tree, make_member):
    member = make_member(tree.cell_a)
    member_position_start(member=member, org=tree.cell_a, role=Role.SECRETARY, started_on=date(2018, 1, 1))
    member_record_death(member=member, died_on=date(2022, 2, 2))
    member.refresh_from_db()
    assert member.status == MemberStatus.DIED and member.died_on == date(2022, 2, 2)
    assert member_figures(path=tree.province.path).total == 0
    assert member_count_on(day=date(2022, 2, 1), root_path=tree.province.path) == 1
    assert not Position.objects.filter(member=member, ended_on__isnull=True).exists()
    with pytest.raises(RuleViolation) as refused:
        member_transfer(member=member, to_org=tree.cell_b, effective_on=date(2022, 3, 1))

    assert refused.value.codes == ["ledger"]  # no transfer after death


def test_a_backdated_event_that_breaks_the_history_is_refused(tree, make_member):
    member = make_member(tree.cell_a)
    member_transfer(member=member, to_org=tree.cell_b, effective_on=date(2019, 1, 1))
    count = MemberEvent.objects.filter(member=member).count()
    # a transfer from cell A dated after the member had already left it
    with pytest.raises(ledger.LedgerError):
        ledger.append(
            member,
            MemberEvent(
                kind="transferred", effective_on=date(2019, 6, 1), from_org=tree.cell_a, to_org=tree.agency
            ),
        )
    assert MemberEvent.objects.filter(member=member).count() == count


def test_profile_edit_refuses_a_stale_version(tree, make_member):
    from conftest import identity

    member = make_member(tree.cell_a)
    member_update_identity(
        member=member,
        identity=identity(given_name="Đức", occupation="Nông dân"),
        expected_version=member.version,
    )
    with pytest.raises(RuleViolation) as refused:
        member_update_identity(
            member=member,
            identity=identity(given_name="Đức", occupation="Giáo viên"),
            expected_version=member.version,
        )
    assert refused_on(refused) == [("input", "version")]  # changed by someone else meanwhile
    assert Member.objects.get(pk=member.pk).occupation == "Nông dân"
