"""Restructuring: moving a subtree keeps its history, its members and the counts exact."""

from datetime import date, timedelta

import pytest

from conftest import refused_on
from dangbo.members.models import Member
from dangbo.members.services.positions import member_position_start
from dangbo.members.services.transfers import member_transfer
from dangbo.orgs import services as org_services
from dangbo.orgs.models import Locality, Org, OrgEvent
from dangbo.orgs.selectors import org_versions_on
from dangbo.restructuring.operations import dry_run, org_move, org_move_many
from dangbo.rules.base import RuleViolation
from dangbo.stats.frames import frame_for
from dangbo.stats.indicators import BY_CODE, context_for, evaluate
from dangbo.stats.tallies import tally_differences

DECISION = org_services.DecisionRef(number="15-QĐ/TU", on=date(2025, 6, 20), body="Tỉnh ủy")
ON = date(2025, 7, 1)


def _members(org, **frame):
    ctx = context_for(frame_for(root=org, **frame))
    return evaluate(ctx, BY_CODE["members.total"], org).value.value


def test_a_preview_counts_what_moves_and_applies_nothing(populated):
    tree = populated
    preview = dry_run(
        lambda: org_move_many(moves=[(tree.commune, tree.district2)], effective_on=ON, decision=DECISION)
    )
    assert preview.ok
    outcome = preview.outcome
    assert (outcome.organizations, outcome.members_under, outcome.localities) == (3, 3, 1)
    assert Org.objects.get(pk=tree.commune.pk).parent_id == tree.district.pk


def test_moving_a_commune_keeps_both_sides_of_the_date_exact(populated):
    tree = populated
    org_move(org=tree.commune, new_parent=tree.district2, effective_on=ON, decision=DECISION)
    commune = Org.objects.get(pk=tree.commune.pk)
    assert commune.parent_id == tree.district2.pk and commune.path.startswith(
        Org.objects.get(pk=tree.district2.pk).path
    )
    assert all(
        m.org_path.startswith(commune.path) for m in Member.objects.filter(org__in=[tree.cell_a, tree.cell_b])
    )
    assert Locality.objects.get(code="TA").commune_path == commune.path
    # the tree of a day before the move is unchanged
    before = {v.org_id: v.parent_id for v in org_versions_on(day=ON - timedelta(days=1))}
    after = {v.org_id: v.parent_id for v in org_versions_on(day=ON)}
    assert before[tree.commune.pk] == tree.district.pk and after[tree.commune.pk] == tree.district2.pk
    assert before[tree.cell_a.pk] == after[tree.cell_a.pk] == tree.commune.pk
    # reports on both sides
    assert _members(tree.district) == 1 and _members(tree.district2) == 3 and _members(tree.province) == 4
    assert _members(tree.district, as_of=date(2024, 12, 31)) == 4
    assert _members(tree.district2, as_of=date(2024, 12, 31)) == 0
    assert _members(tree.district2, as_of=ON) == 3
    assert tally_differences() == []
    event = OrgEvent.objects.get(kind=OrgEvent.Kind.MOVED)
    assert event.decision_no == "15-QĐ/TU" and event.effective_on == ON


@pytest.mark.parametrize(
    "target, refusals",
    [
        # into its own subtree, where a grassroots committee cannot sit under a cell either
        ("cell_a", [("input", "new_parent"), ("org.child_kinds", "kind")]),
        ("district", [("input", "new_parent")]),  # where it already is
        ("agency", [("org.child_kinds", "kind")]),
    ],
)
def test_bad_moves_are_refused_and_nothing_changes(populated, target, refusals):
    tree = populated
    with pytest.raises(RuleViolation) as refused:
        org_move(org=tree.commune, new_parent=getattr(tree, target), effective_on=ON, decision=DECISION)
    assert refused_on(refused) == refusals
    assert Org.objects.get(pk=tree.commune.pk).parent_id == tree.district.pk
    assert not OrgEvent.objects.filter(kind=OrgEvent.Kind.MOVED).exists()


def test_a_move_needs_its_decision_and_cannot_rewrite_later_history(populated):
    tree = populated
    with pytest.raises(RuleViolation) as refused:
        org_move(
            org=tree.commune, new_parent=tree.district2, effective_on=ON, decision=org_services.DecisionRef()
        )
    assert refused_on(refused) == [("input", "decision")]
    org_services.org_rename(org=tree.cell_a, name="Chi bộ thôn A mới", effective_on=date(2025, 9, 1))
    with pytest.raises(RuleViolation) as refused:
        org_move(org=tree.commune, new_parent=tree.district2, effective_on=ON, decision=DECISION)
    assert refused_on(refused) == [("input", "effective_on")]  # a later change in the subtree


def test_the_organization_page_shows_its_history_with_the_decision(client, populated):
    from django.contrib.auth.models import User

    from dangbo.accounts.models import AccessRole
    from dangbo.accounts.services import role_grant

    tree = populated
    org_move(org=tree.commune, new_parent=tree.district2, effective_on=ON, decision=DECISION)
    user = User.objects.create_user("lanhdao", password="mat-khau-dai-du-1")
    role_grant(user=user, role=AccessRole.LEADER, org=tree.province)
    client.force_login(user)
    html = client.get(f"/to-chuc/{tree.commune.pk}/").content.decode()
    assert "Lịch sử tổ chức" in html
    assert "Chuyển trực thuộc" in html and "15-QĐ/TU ngày 20/06/2025 của Tỉnh ủy" in html
    assert "trực thuộc Huyện ủy Hai" in html and "trực thuộc Huyện ủy Một" in html


def test_dissolving_is_refused_while_members_hamlets_or_children_remain(populated):
    from dangbo.restructuring.operations import org_dissolve, org_dissolve_preview

    tree = populated
    preview = org_dissolve_preview(org=tree.commune, effective_on=ON, decision=DECISION)
    assert refused_on(preview) == [("input", "org")] * 3
    # the counts: members, organizations and hamlets left
    problems = [v.message for v in preview]
    assert "còn 3 đảng viên" in problems[0] and "còn 2 tổ chức" in problems[1] and "còn 1 thôn" in problems[2]
    with pytest.raises(RuleViolation) as refused:
        org_dissolve(org=tree.commune, effective_on=ON, decision=DECISION)
    assert refused_on(refused) == refused_on(preview)
    assert Org.objects.get(pk=tree.commune.pk).dissolved_on is None


def test_an_empty_cell_is_dissolved_its_secretary_steps_down_and_its_hamlet_loses_the_cell(
    populated, make_member
):
    from dangbo.core.roles import Role
    from dangbo.members.models import Position
    from dangbo.restructuring.operations import org_dissolve

    tree = populated
    member = Member.objects.filter(org=tree.cell_a).first()
    member_position_start(member=member, org=tree.cell_a, role=Role.SECRETARY, started_on=date(2020, 1, 1))
    for each in Member.objects.filter(org=tree.cell_a):
        member_transfer(member=each, to_org=tree.cell_b, effective_on=date(2025, 6, 25))
    org_dissolve(org=tree.cell_a, effective_on=ON, decision=DECISION)
    cell = Org.objects.get(pk=tree.cell_a.pk)
    assert cell.dissolved_on == ON
    assert not Position.objects.filter(org=cell, ended_on__isnull=True).exists()
    assert Locality.objects.get(code="TA").cell_id is None
    assert tree.cell_a.pk in {v.org_id for v in org_versions_on(day=ON - timedelta(days=1))}
    assert tree.cell_a.pk not in {v.org_id for v in org_versions_on(day=ON)}
    assert _members(tree.commune) == 3
    assert tally_differences() == []


def test_the_tree_can_be_browsed_as_of_a_date(client, populated):
    from django.contrib.auth.models import User

    from dangbo.accounts.models import AccessRole
    from dangbo.accounts.services import role_grant

    tree = populated
    org_move(org=tree.commune, new_parent=tree.district2, effective_on=ON, decision=DECISION)
    org_services.org_rename(org=tree.district2, name="Huyện ủy Hai (mới)", effective_on=ON)
    user = User.objects.create_user("lanhdao", password="mat-khau-dai-du-1")
    role_grant(user=user, role=AccessRole.LEADER, org=tree.province)
    client.force_login(user)
    html = client.get("/to-chuc/", {"ngay": "31/12/2024"}).content.decode()
    assert "Cây tổ chức đảng ngày 31/12/2024" in html and "Đảng bộ tỉnh Mẫu" in html
    before = client.get(f"/to-chuc/{tree.district.pk}/nhanh/", {"ngay": "31/12/2024"}).content.decode()
    after = client.get(f"/to-chuc/{tree.district.pk}/nhanh/", {"ngay": "01/07/2025"}).content.decode()
    assert "Đảng bộ xã Một" in before and "Đảng bộ xã Một" not in after
    top = client.get(f"/to-chuc/{tree.province.pk}/nhanh/", {"ngay": "31/12/2024"}).content.decode()
    assert "Huyện ủy Hai" in top and "(mới)" not in top  # the name of that day
    response = client.get("/to-chuc/", {"ngay": "01/01/2999"})
    assert response.status_code == 400 and "ở tương lai" in response.content.decode()
