"""The national demo (``dangbo demo --profile vietnam``) at a small size: the 34 provinces of
the 2025 reform, commune committees and upper committees under each, members in cells with
ledgers that replay to their projections, and tallies equal to a recount."""

import pytest

from dangbo.core.kinds import CELL_KINDS, GRASSROOTS_KINDS, OrgKind, Sector
from dangbo.core.roles import Role
from dangbo.demo.national import build_national
from dangbo.demo.national.provinces import PROVINCES
from dangbo.members import ledger
from dangbo.members.models import ACTIVE_STATUSES, Member, Position
from dangbo.orgs.models import Org, OrgVersion
from dangbo.stats.tallies import tally_differences

MEMBERS = 4000


@pytest.fixture
def national(db):
    lines = []
    summary = build_national(seed=5, members=MEMBERS, progress=lines.append)
    return summary, lines


def test_the_34_provinces_each_hold_communes_and_four_upper_committees(national):
    summary, lines = national
    roots = Org.objects.filter(parent__isnull=True)
    assert sorted(roots.values_list("name", flat=True)) == sorted(p.party_name for p in PROVINCES)
    assert set(roots.values_list("kind", flat=True)) == {OrgKind.PROVINCE}
    for root in roots:
        children = Org.objects.filter(parent=root)
        assert children.filter(kind=OrgKind.UPPER).count() == 4, root.name
        communes = children.filter(kind=OrgKind.GRASSROOTS_COMMITTEE, has_upper_rights=True)
        assert communes.exists(), root.name
        assert set(communes.values_list("sector", flat=True)) <= {Sector.COMMUNE, Sector.WARD}
    assert Org.objects.count() == summary.orgs == OrgVersion.objects.filter(valid_to__isnull=True).count()
    assert Org.objects.filter(kind__in=GRASSROOTS_KINDS).count() == summary.grassroots
    assert summary.provinces == 34
    assert lines[0].startswith("Tạo 34 đảng bộ tỉnh, thành phố")
    assert any(line.startswith("  [34/34] Đảng bộ tỉnh Cà Mau:") for line in lines)


def test_every_member_sits_in_a_cell_with_a_ledger_that_replays(national):
    summary, _ = national
    active = Member.objects.filter(status__in=ACTIVE_STATUSES)
    # a few more than asked where a small province's cells need their minimum of members
    assert MEMBERS <= active.count() == summary.members <= MEMBERS * 1.1
    assert not Member.objects.exclude(org__kind__in=CELL_KINDS).exists()
    for member in Member.objects.select_related("org").order_by("sort_key")[:50]:
        assert ledger.projection_matches_replay(member)
        assert member.org_path == member.org.path


def test_every_cell_and_grassroots_org_has_one_secretary_and_the_tallies_equal_a_recount(national):
    for org in Org.objects.filter(kind__in=GRASSROOTS_KINDS | CELL_KINDS | {OrgKind.PROVINCE}):
        held = Position.objects.filter(org=org, role=Role.SECRETARY, ended_on__isnull=True).count()
        assert held == 1, org.name
    assert tally_differences() == []


def test_bulk_establishing_needs_deferred_tallies_and_keeps_the_child_kind_rule(db):
    from datetime import date

    from dangbo.core import paths
    from dangbo.core.decisions import DecisionRef
    from dangbo.core.violations import RuleViolation
    from dangbo.orgs.services.bulk import orgs_establish_bulk
    from dangbo.stats.tallies import tallies_deferred

    root = Org(code="T99", name="Đảng bộ tỉnh Thử", kind=OrgKind.PROVINCE, path=paths.segment(1), depth=1)
    root.created_on = date(2000, 1, 1)
    cell = Org(
        code="T99-1",
        name="Chi bộ Thử",
        kind=OrgKind.CELL,
        parent=root,
        path=paths.child_path(root.path, 1),
        depth=2,
        created_on=date(2000, 1, 1),
    )
    with pytest.raises(RuntimeError):
        orgs_establish_bulk([root], established_on=date(2000, 1, 1), decision=DecisionRef())
    with tallies_deferred(), pytest.raises(RuleViolation):
        orgs_establish_bulk([root, cell], established_on=date(2000, 1, 1), decision=DecisionRef())
    assert not Org.objects.exists()
    with tallies_deferred():
        orgs_establish_bulk([root], established_on=date(2000, 1, 1), decision=DecisionRef())
    assert OrgVersion.objects.get(org=root).path == root.path
    assert tally_differences() == []


def test_dangbo_demo_builds_the_national_profile_once_and_reuses_it(db, capsys, monkeypatch):
    from dangbo import cli
    from dangbo.core import bulk
    from dangbo.demo.models import DemoDataset
    from dangbo.members.models import Member
    from dangbo.stats.models import OrgTally

    refreshed: list = []
    monkeypatch.setattr(bulk, "refresh_statistics", lambda models: refreshed.append(set(models)))
    assert cli.main(["demo", "--profile", "vietnam", "--members", "2000", "--no-serve"]) == 0
    # after the commit, the statistics of what the build wrote, the tallies the dashboards read too
    assert {Member, OrgTally} <= refreshed[-1]
    out = capsys.readouterr().out
    assert "Tạo dữ liệu mẫu «Toàn quốc: 34 đảng bộ tỉnh, thành phố" in out
    assert "Xong trong" in out and "34 đảng bộ tỉnh, thành phố" in out
    assert "lanhdao" in out and "Đảng bộ thành phố Hà Nội" in out
    record = DemoDataset.objects.get()
    assert (record.profile, record.members) == ("vietnam", 2000)
    assert cli.main(["demo", "--profile", "vietnam", "--members", "2000", "--no-serve"]) == 0
    assert "Dùng lại dữ liệu mẫu «vietnam»" in capsys.readouterr().out
    assert Org.objects.filter(parent__isnull=True).count() == 34
