"""The demo generator on the small profile: structure, rules respected, ledger consistent."""

import pytest
from django.db import transaction

from dangbo.core.kinds import CELL_KINDS, GRASSROOTS_KINDS
from dangbo.core.roles import Role
from dangbo.demo.generator import build_demo
from dangbo.demo.profiles import PROFILES
from dangbo.members import ledger
from dangbo.members.models import Member, MemberEvent, Position
from dangbo.orgs.models import Locality, Org
from dangbo.rules.admission import check_admission_age
from dangbo.rules.orgs import check_formation


@pytest.fixture
def tiny(db):
    return build_demo(PROFILES["tiny"], seed=7, progress=lambda line: None)


def test_tiny_profile_builds_one_commune_with_its_hamlets(tiny):
    assert tiny.members == 300
    assert tiny.grassroots == 1
    commune = Org.objects.get(kind="grassroots_committee")
    assert commune.name == "Đảng bộ xã Tả Van"
    assert Locality.objects.filter(commune=commune).count() == tiny.localities >= 7
    assert Member.objects.filter(status__in=["full", "probationary"]).count() == 300


def test_every_member_sits_in_a_cell_and_matches_its_ledger(tiny):
    assert not Member.objects.exclude(org__kind__in=CELL_KINDS).exists()
    for member in Member.objects.all()[:60]:
        assert ledger.projection_matches_replay(member)
        assert member.org_path == member.org.path


def test_the_demo_leaves_the_pre_aggregated_counts_equal_to_a_recount(tiny):
    from dangbo.stats.tallies import tally_differences

    assert tally_differences() == []


def test_every_grassroots_org_and_cell_has_a_secretary(tiny):
    for org in Org.objects.filter(kind__in=GRASSROOTS_KINDS | CELL_KINDS):
        assert Position.objects.filter(org=org, role=Role.SECRETARY, ended_on__isnull=True).count() == 1, (
            org.name
        )


def test_admissions_respect_the_age_rule(tiny):
    for event in MemberEvent.objects.filter(kind="admitted").select_related("member"):
        assert check_admission_age(birth_date=event.member.birth_date, vote_on=event.effective_on) == []


def test_cells_have_at_least_three_full_members(tiny):
    for cell in Org.objects.filter(kind__in=CELL_KINDS):
        members = Member.objects.filter(org=cell, status__in=["full", "probationary"])
        violations = check_formation(
            kind=cell.kind,
            members=members.count(),
            full_members=members.filter(status="full").count(),
            on=tiny_as_of(),
            approval_ref=cell.formation_approval,
        )
        assert [v for v in violations if v.rule == "org.min_full_members"] == [], cell.name


def tiny_as_of():
    return PROFILES["tiny"].as_of


class _Rollback(Exception):
    pass


def test_same_seed_gives_the_same_people(db):
    snapshots = []
    for _ in range(2):
        try:
            with transaction.atomic():
                build_demo(PROFILES["tiny"], seed=11, members=40, progress=lambda line: None)
                snapshots.append(
                    sorted(Member.objects.values_list("search_key", "birth_date", "national_id", "org__code"))
                )
                raise _Rollback
        except _Rollback:
            pass
    assert len(snapshots[0]) == 42  # 40 living members and 2 who died
    assert snapshots[0] == snapshots[1]


def test_demo_logins_give_one_account_per_role_each_in_its_scope(db):
    from django.contrib.auth import authenticate
    from django.test import RequestFactory

    from dangbo.accounts.models import AccessRole
    from dangbo.accounts.scope import scope_for
    from dangbo.demo.accounts import demo_logins

    build_demo(PROFILES["tiny"], seed=5, progress=lambda line: None)
    logins = {login.username: login for login in demo_logins()}
    assert set(logins) == {"quantri", "lanhdao", "canbo", "bithu", "dangvien"}
    # a cell is printed with its grassroots organization: «Chi bộ Thôn …» alone says not where
    assert (
        logins["bithu"].scope.endswith("(Đảng bộ xã Tả Van)")
        and logins["canbo"].scope == "Đảng bộ thị xã Sa Pa"
    )
    assert demo_logins()  # a second run resets passwords and keeps one assignment per account
    scopes = {}
    for name, login in logins.items():
        user = authenticate(RequestFactory().post("/dang-nhap/"), username=name, password=login.password)
        assert user is not None, name
        scopes[name] = scope_for(user)
    assert scopes["quantri"].is_admin
    assert scopes["lanhdao"].roles == (AccessRole.LEADER,) and not scopes["lanhdao"].write_paths
    assert scopes["canbo"].write_paths and scopes["canbo"].read_paths[0].startswith(
        scopes["lanhdao"].read_paths[0]
    )
    assert scopes["bithu"].write_paths[0].startswith(scopes["canbo"].read_paths[0])
    assert scopes["dangvien"].own_member_id and not scopes["dangvien"].read_paths
