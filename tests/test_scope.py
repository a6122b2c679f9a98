"""Role assignments and the scope they give: who reads and writes which subtree."""

import pytest
from django.contrib.auth.models import User

from dangbo.accounts.models import AccessRole
from dangbo.accounts.scope import scope_for
from dangbo.accounts.services import AccessError, role_grant, role_revoke
from dangbo.members.models import Member
from dangbo.orgs.models import Org


def user(name, **extra):
    return User.objects.create_user(name, password="mat-khau-dai-du-1", **extra)


def test_no_assignment_sees_nothing(tree, make_member):
    make_member(tree.cell_a)
    scope = scope_for(user("khach"))
    assert scope.is_empty
    assert not Org.objects.filter(scope.orgs_q()).exists()
    assert not Member.objects.filter(scope.members_q()).exists()


def test_officer_reads_and_writes_the_subtree_only(tree, make_member):
    inside = make_member(tree.cell_a)
    outside = make_member(tree.agency)
    officer = user("canbo")
    role_grant(user=officer, role=AccessRole.OFFICER, org=tree.commune)
    scope = scope_for(officer)
    assert set(Org.objects.filter(scope.orgs_q())) == {tree.commune, tree.cell_a, tree.cell_b}
    assert list(Member.objects.filter(scope.members_q())) == [inside]
    assert scope.can_write_member(inside) and not scope.can_read_member(outside)
    assert not scope.can_read_path(tree.district.path)  # nothing upward


def test_leader_reads_but_does_not_write(tree, make_member):
    member = make_member(tree.cell_b)
    leader = user("lanhdao")
    role_grant(user=leader, role=AccessRole.LEADER, org=tree.district)
    scope = scope_for(leader)
    assert scope.can_read_member(member) and not scope.can_write_member(member)
    assert tree.district2 not in Org.objects.filter(scope.orgs_q())


def test_secretary_holds_a_cell_only(tree, make_member):
    secretary = user("bithu")
    with pytest.raises(AccessError, match="chỉ gắn với một chi bộ"):
        role_grant(user=secretary, role=AccessRole.SECRETARY, org=tree.commune)
    role_grant(user=secretary, role=AccessRole.SECRETARY, org=tree.cell_a)
    scope = scope_for(secretary)
    assert scope.can_write_path(tree.cell_a.path) and not scope.can_read_path(tree.cell_b.path)


def test_member_sees_only_their_own_record(tree, make_member):
    own = make_member(tree.cell_a)
    other = make_member(tree.cell_a)
    account = user("dangvien")
    role_grant(user=account, role=AccessRole.MEMBER, member=own)
    scope = scope_for(account)
    assert list(Member.objects.filter(scope.members_q())) == [own]
    assert not Org.objects.filter(scope.orgs_q()).exists()
    assert scope.can_read_member(own) and not scope.can_read_member(other) and not scope.can_write_member(own)
    assert scope.own_member_id == own.pk and scope.unit_label == tree.cell_a.name  # the header's unit


def test_roles_that_need_a_target_refuse_without_one(tree):
    account = user("x")
    with pytest.raises(AccessError):
        role_grant(user=account, role=AccessRole.MEMBER)
    with pytest.raises(AccessError):
        role_grant(user=account, role=AccessRole.OFFICER)
    with pytest.raises(AccessError):
        role_grant(user=account, role=AccessRole.ADMIN, org=tree.province)


def test_revoked_assignment_gives_nothing(tree):
    account = user("cu")
    assignment = role_grant(user=account, role=AccessRole.OFFICER, org=tree.commune)
    role_revoke(assignment=assignment)
    assert scope_for(account).is_empty


def test_nested_assignments_collapse_to_the_outer_subtree(tree):
    account = user("hai-vai")
    role_grant(user=account, role=AccessRole.OFFICER, org=tree.cell_a)
    role_grant(user=account, role=AccessRole.LEADER, org=tree.district)
    scope = scope_for(account)
    assert scope.read_paths == (tree.district.path,)
    assert scope.write_paths == (tree.cell_a.path,)
    assert scope.grant_paths == (tree.cell_a.path,) and scope.export_paths == (tree.cell_a.path,)
    assert scope.roles == ("leader", "officer")
    assert scope.root_labels == ((tree.district.code, tree.district.name),)  # the reading roots only


def test_a_role_on_a_dissolved_organization_gives_nothing(tree):
    account = user("giai-the")
    role_grant(user=account, role=AccessRole.OFFICER, org=tree.cell_b)
    role_grant(user=account, role=AccessRole.LEADER, org=tree.commune)
    Org.objects.filter(pk=tree.cell_b.pk).update(dissolved_on=tree.cell_b.created_on)
    scope = scope_for(account)
    assert scope.read_paths == (tree.commune.path,) and scope.write_paths == ()
    assert scope.roles == ("leader", "officer")  # still held, on nothing that stands


def test_superuser_and_admin_role_see_everything(tree):
    assert scope_for(User.objects.create_superuser("goc", password="mat-khau-dai-du-1")).is_admin
    admin = user("qt")
    role_grant(user=admin, role=AccessRole.ADMIN)
    scope = scope_for(admin)
    assert scope.is_admin and Org.objects.filter(scope.orgs_q()).count() == Org.objects.count()


def test_inactive_user_has_no_scope(tree):
    account = user("nghi", is_active=False)
    role_grant(user=account, role=AccessRole.OFFICER, org=tree.commune)
    assert scope_for(account).is_empty
