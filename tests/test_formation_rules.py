"""Formation rules enforced where organizations are made, not only in the compliance list:
a cell needs three full members (Charter art. 21), a partial committee the superior's
written approval (RULES.md §1.3)."""

from __future__ import annotations

from datetime import date

import pytest

from conftest import refused_on
from dangbo.core.decisions import DecisionRef
from dangbo.core.kinds import OrgKind, Sector
from dangbo.members.models import Member, MemberEvent
from dangbo.orgs.models import Org
from dangbo.orgs.services import org_establish
from dangbo.restructuring.operations import (
    NewCell,
    Share,
    org_change_kind,
    org_establish_with_members,
    org_split,
)
from dangbo.rules.base import RuleViolation
from dangbo.stats.tallies import tally_differences

ON = date(2025, 3, 1)
DECISION = DecisionRef(number="7-QĐ/ĐU", on=ON, body="Đảng ủy xã Một")


def _establish(tree, members, code="X1N"):
    return org_establish_with_members(
        code=code,
        name="Chi bộ thôn Mới",
        kind=OrgKind.CELL,
        parent=tree.commune,
        established_on=ON,
        decision=DECISION,
        members=members,
        sector=Sector.RESIDENTIAL,
    )


def test_a_cell_with_two_full_members_is_refused_with_the_count_and_citation(tree, make_member):
    full = [make_member(tree.cell_a) for _ in range(2)]
    probationary = make_member(tree.cell_a, full=False, admitted_on=date(2024, 9, 1))
    with pytest.raises(RuleViolation) as refused:
        _establish(tree, [*full, probationary])
    [violation] = refused.value.violations
    assert violation.rule == "org.min_full_members" and "Điều 21" in violation.citation
    assert violation.details == {"full_members": 2, "minimum": 3}
    assert not Org.objects.filter(code="X1N").exists()
    assert set(Member.objects.filter(pk__in=[m.pk for m in full]).values_list("org_id", flat=True)) == {
        tree.cell_a.pk
    }


def test_a_cell_with_three_full_members_is_established_and_they_are_rehomed(tree, make_member):
    full = [make_member(tree.cell_a) for _ in range(3)]
    cell = _establish(tree, full)
    assert set(Member.objects.filter(pk__in=[m.pk for m in full]).values_list("org_id", flat=True)) == {
        cell.pk
    }
    events = MemberEvent.objects.filter(member__in=full, kind=MemberEvent.Kind.REHOMED)
    assert events.count() == 3 and {e.decision_no for e in events} == {"7-QĐ/ĐU"}
    assert tally_differences() == []


def test_members_from_outside_the_establishing_committee_are_refused(tree, make_member):
    inside = [make_member(tree.cell_a) for _ in range(2)]
    outside = make_member(tree.agency)
    with pytest.raises(RuleViolation) as refused:
        _establish(tree, [*inside, outside])
    # the outsider is not given, and two full members are too few
    assert refused_on(refused) == [("input", "members"), ("org.min_full_members", "members")]


def test_a_partial_committee_needs_the_superiors_approval(tree):
    with pytest.raises(RuleViolation) as refused:
        org_establish(
            code="BP1",
            name="Đảng bộ bộ phận Một",
            kind=OrgKind.SUB_COMMITTEE,
            parent=tree.commune,
            established_on=ON,
        )
    assert refused.value.codes == ["org.sub_committee_approval"]
    org = org_establish(
        code="BP1",
        name="Đảng bộ bộ phận Một",
        kind=OrgKind.SUB_COMMITTEE,
        parent=tree.commune,
        established_on=ON,
        formation_approval="15-CV/HU ngày 20/2/2025",
    )
    assert org.formation_approval == "15-CV/HU ngày 20/2/2025"


def test_converting_a_cell_to_a_partial_committee_needs_the_approval_and_cells_of_three(tree, make_member):
    members = [make_member(tree.cell_a) for _ in range(5)]
    cells = [
        NewCell("X1A-1", "Chi bộ Xóm Một", [m.pk for m in members[:3]]),
        NewCell("X1A-2", "Chi bộ Xóm Hai", [m.pk for m in members[3:]]),
    ]
    with pytest.raises(RuleViolation) as refused:
        org_change_kind(
            org=tree.cell_a, kind=OrgKind.SUB_COMMITTEE, effective_on=ON, decision=DECISION, cells=cells
        )
    assert refused.value.codes == ["org.sub_committee_approval", "org.min_full_members"]
    assert refused.value.violations[1].details == {"full_members": 2, "minimum": 3}  # «Chi bộ Xóm Hai»


def test_splitting_into_a_cell_left_below_three_is_refused(tree, make_member):
    members = [make_member(tree.cell_a) for _ in range(5)]
    receiver = org_establish(
        code="X1R",
        name="Chi bộ thôn Nhận",
        kind=OrgKind.CELL,
        parent=tree.commune,
        established_on=date(2015, 1, 1),
    )
    with pytest.raises(RuleViolation) as refused:
        org_split(
            source=tree.cell_a,
            shares={receiver: Share(members=[m.pk for m in members[:2]])},
            effective_on=ON,
            decision=DECISION,
            keep_source=True,
        )
    assert refused_on(refused) == [("org.min_full_members", "shares")]
    assert refused.value.violations[0].details == {"full_members": 2, "minimum": 3}
    outcome = org_split(
        source=tree.cell_a,
        shares={receiver: Share(members=[m.pk for m in members[:3]])},
        effective_on=ON,
        decision=DECISION,
        keep_source=True,
    )
    assert outcome.members_rehomed == 3
