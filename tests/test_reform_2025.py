"""The July 2025 reform on the demo province: two districts of Lào Cai, built as in October
2021, restructured by the plan built from the official mapping (NQ 1673/NQ-UBTVQH15)."""

import dataclasses
from datetime import date

import pytest

from dangbo.core.kinds import CELL_KINDS, OrgKind
from dangbo.demo.generator import build_demo
from dangbo.demo.profiles import LAO_CAI_2021
from dangbo.demo.reform import apply_reform, reform_plan_rows
from dangbo.demo.reform2025 import old_to_new
from dangbo.members.models import ACTIVE_STATUSES, Member
from dangbo.orgs.models import Locality, LocalityVersion, Org, OrgEvent
from dangbo.orgs.selectors import org_versions_on
from dangbo.stats.frames import frame_for
from dangbo.stats.indicators import BY_CODE, context_for, evaluate
from dangbo.stats.tallies import tally_differences

# Bắc Hà (with Xã Tà Chải, merged into Thị trấn Bắc Hà before the reform), and the
# provincial bloc that receives the district's other organizations.
_KEEP = {"LCI-BH", "LCI-KCQ"}
ONE_DISTRICT = dataclasses.replace(
    LAO_CAI_2021,
    name="lao-cai-bac-ha",
    members=1500,
    renames=(),
    uppers=tuple(
        dataclasses.replace(s, other_grassroots=min(s.other_grassroots, 3))
        for s in LAO_CAI_2021.uppers
        if s.code in _KEEP
    ),
)
BEFORE, AFTER = date(2024, 12, 31), date(2025, 12, 31)


def _hamlets(org, as_of):
    return evaluate(context_for(frame_for(root=org, as_of=as_of)), BY_CODE["hamlets.total"], org).value.value


def _members(org, as_of):
    return evaluate(context_for(frame_for(root=org, as_of=as_of)), BY_CODE["members.total"], org).value.value


@pytest.fixture
def province(db):
    build_demo(ONE_DISTRICT, seed=5, progress=lambda line: None)
    return Org.objects.get(code="LCI")


def test_the_reform_is_previewed_then_keeps_every_member_and_redraws_the_tree(province, tmp_path):
    from dangbo.restructuring.plans import plan_run, rows_from_dicts

    rows = reform_plan_rows(ONE_DISTRICT)
    operations = [r["thao_tac"] for r in rows]
    assert operations.count("giai_the") == 1 and "hop_nhat" in operations and "thanh_lap" in operations
    preview = plan_run(rows_from_dicts(rows), apply=False)
    assert preview.ok and not preview.applied
    assert not Org.objects.filter(code__startswith="LCI-XP").exists()

    active = Member.objects.filter(status__in=ACTIVE_STATUSES)
    cells_before = dict(active.values_list("pk", "org_id"))
    old_communes = list(
        Org.objects.filter(
            kind=OrgKind.GRASSROOTS_COMMITTEE,
            parent__code="LCI-BH",
            sector__in=["commune", "ward", "townlet"],
        )
    )
    report = apply_reform(ONE_DISTRICT, plan_path=tmp_path / "ke-hoach.csv")
    assert report.applied and (tmp_path / "ke-hoach.csv").exists()
    # members before = after: nobody lost, doubled, moved out of their cell or left without one
    assert dict(active.values_list("pk", "org_id")) == cells_before
    assert report.members_before == report.members_after == len(cells_before)
    assert not active.exclude(org__kind__in=CELL_KINDS).exists()
    assert not active.filter(org__dissolved_on__isnull=False).exists()
    assert all(m.org_path == m.org.path for m in active.select_related("org")[:500])
    # the districts and old communes ceased; the new communes sit under the province
    assert Org.objects.get(code="LCI-BH").dissolved_on == date(2025, 7, 1)
    new_names = {old_to_new()[key] for key in old_to_new() if key[0] == "Huyện Bắc Hà"}
    new = Org.objects.filter(parent=province, code__startswith="LCI-XP")
    assert {o.name for o in new} == {"Đảng bộ " + n[0].lower() + n[1:] for n in new_names}
    for old in old_communes:
        event = OrgEvent.objects.get(org=old, kind=OrgEvent.Kind.MERGED)
        assert event.effective_on == date(2025, 7, 1) and event.decision_no.endswith("-QĐ/TU")
        assert Org.objects.get(pk=old.pk).dissolved_on == date(2025, 7, 1)
    assert not Locality.objects.filter(
        dissolved_on__isnull=True, commune__dissolved_on__isnull=False
    ).exists()
    bac_ha = Org.objects.get(name="Đảng bộ xã Bắc Hà")
    merged = set(OrgEvent.objects.get(org=bac_ha, kind=OrgEvent.Kind.MERGED).data["names"])
    assert {"Đảng bộ thị trấn Bắc Hà", "Đảng bộ xã Tà Chải"} <= merged
    # reports: 31/12/2024 on the old tree, 31/12/2025 on the new
    district = Org.objects.get(code="LCI-BH")
    assert _members(district, BEFORE) > 0 and _members(province, BEFORE) == _members(province, AFTER) == len(
        cells_before
    )
    assert _members(bac_ha, AFTER) > 0
    old_tree = {v.org_id for v in org_versions_on(day=BEFORE)}
    assert district.pk in old_tree and bac_ha.pk not in old_tree
    # hamlets: the same hamlets before and after, under the old communes before and the new after
    assert (
        _hamlets(province, BEFORE)
        == _hamlets(province, AFTER)
        == Locality.objects.filter(dissolved_on__isnull=True).count()
    )
    assert _hamlets(district, BEFORE) > 0 and _hamlets(bac_ha, AFTER) > 0
    for hamlet in Locality.objects.filter(commune=bac_ha):
        versions = list(LocalityVersion.objects.filter(locality=hamlet).order_by("valid_from"))
        assert [v.valid_to for v in versions][-1] is None and versions[-1].commune_id == bac_ha.pk
        assert versions[-1].valid_from == date(2025, 7, 1) and versions[-2].valid_to == date(2025, 7, 1)
    assert tally_differences() == []


def test_the_dashboard_and_forms_read_the_old_tree_before_and_the_new_after(province, client):
    from django.contrib.auth.models import User

    from dangbo.accounts.models import AccessRole
    from dangbo.accounts.services import role_grant

    apply_reform(ONE_DISTRICT)
    user = User.objects.create_user("lanhdao", password="mat-khau-dai-du-1")
    role_grant(user=user, role=AccessRole.LEADER, org=province)
    client.force_login(user)
    before = client.get(f"/to-chuc/{province.pk}/chi-tieu/", {"ngay": "31/12/2024"})
    after = client.get(f"/to-chuc/{province.pk}/chi-tieu/", {"ngay": "31/12/2025"})
    assert before.status_code == after.status_code == 200
    assert (
        "Đảng bộ huyện Bắc Hà" in before.content.decode()
        and "Đảng bộ xã Bắc Hà" not in before.content.decode()
    )
    assert (
        "Đảng bộ xã Bắc Hà" in after.content.decode() and "Đảng bộ huyện Bắc Hà" not in after.content.decode()
    )
    district = Org.objects.get(code="LCI-BH")
    old_forms = client.get(
        f"/to-chuc/{district.pk}/bieu-thong-ke/", {"tu": "01/01/2024", "den": "31/12/2024"}
    )
    assert old_forms.status_code == 200 and "Mọi phép kiểm tra chéo đều đạt" in old_forms.content.decode()
    gone = client.get(f"/to-chuc/{district.pk}/chi-tieu/", {"ngay": "31/12/2025"})
    assert (
        gone.status_code == 400
        and "đã giải thể (hợp nhất, chia tách) từ ngày 01/07/2025" in gone.content.decode()
    )
    assert client.get(f"/to-chuc/{district.pk}/chi-tieu/").status_code == 200  # its last day by default
    new_forms = client.get(
        f"/to-chuc/{province.pk}/bieu-thong-ke/", {"tu": "01/07/2025", "den": "31/12/2025"}
    )
    assert new_forms.status_code == 200 and "Mọi phép kiểm tra chéo đều đạt" in new_forms.content.decode()


def test_every_new_commune_committee_gets_its_leaders_on_the_reform_day(province):
    from dangbo.core.roles import Role
    from dangbo.members import ledger
    from dangbo.members.models import Position
    from dangbo.stats.compliance import compliance_run

    old_holders = set(
        Position.objects.filter(
            org__parent__code="LCI-BH", org__kind=OrgKind.GRASSROOTS_COMMITTEE, ended_on__isnull=True
        ).values_list("member_id", flat=True)
    )
    apply_reform(ONE_DISTRICT)
    new = list(Org.objects.filter(parent=province, code__startswith="LCI-XP"))
    assert new
    for org in new:
        positions = Position.objects.filter(org=org, ended_on__isnull=True)
        [secretary] = positions.filter(role=Role.SECRETARY)
        assert secretary.started_on == date(2025, 7, 1)
        assert positions.filter(role=Role.DEPUTY_SECRETARY).exists()
        # chosen among the merged communes' committees, whose positions there ended that day
        assert set(positions.values_list("member_id", flat=True)) <= old_holders
        for position in positions.select_related("member"):
            assert position.member.org_path.startswith(org.path) and position.member.status == "full"
            assert ledger.projection_matches_replay(position.member)
    assert not Position.objects.filter(org__dissolved_on__isnull=False, ended_on__isnull=True).exists()
    findings = compliance_run(root=province, today=date(2025, 7, 1))
    assert not [
        f for f in findings if f.check == "org.grassroots_secretary" and f.org.code.startswith("LCI-XP")
    ]
    assert tally_differences() == []
