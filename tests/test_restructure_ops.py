"""Merge, split, change of kind and upper-level rights: all-or-nothing, members re-homed by
ledger events carrying the decision, counts exact on both sides of the date."""

import csv
import io
from datetime import date, timedelta

import pytest

from conftest import refused_on
from dangbo.core.kinds import OrgKind, Sector
from dangbo.core.roles import Role
from dangbo.members.ledger import projection_matches_replay
from dangbo.members.models import Member, MemberEvent, Position
from dangbo.members.services.positions import member_position_start
from dangbo.members.services.transfers import member_transfer
from dangbo.orgs import services as org_services
from dangbo.orgs.models import Locality, Org, OrgEvent
from dangbo.orgs.selectors import org_versions_on
from dangbo.restructuring.operations import (
    NewCell,
    Share,
    dry_run,
    org_change_kind,
    org_merge,
    org_set_upper_rights,
    org_split,
)
from dangbo.rules.base import RuleViolation
from dangbo.stats.frames import ReportInputError, frame_for
from dangbo.stats.indicators import BY_CODE, context_for, evaluate
from dangbo.stats.tallies import tally_differences

DECISION = org_services.DecisionRef(number="1673-QĐ/TU", on=date(2025, 6, 20), body="Tỉnh ủy")
ON = date(2025, 7, 1)
BEFORE = date(2024, 12, 31)


def _members(org, **frame):
    return evaluate(context_for(frame_for(root=org, **frame)), BY_CODE["members.total"], org).value.value


@pytest.fixture
def two_communes(tree, make_member):
    """Commune 1 (cells A, B; hamlet TA) and commune 2 under district 2 (cell C; hamlet TC)."""
    commune2 = org_services.org_establish(
        code="X2",
        name="Đảng bộ xã Hai",
        kind=OrgKind.GRASSROOTS_COMMITTEE,
        parent=tree.district2,
        established_on=date(2015, 1, 1),
        sector=Sector.COMMUNE,
    )
    cell_c = org_services.org_establish(
        code="X2C",
        name="Chi bộ thôn C",
        kind=OrgKind.CELL,
        parent=commune2,
        established_on=date(2015, 1, 1),
        sector=Sector.RESIDENTIAL,
    )
    hamlet_a = org_services.locality_create(
        commune=tree.commune, kind=Locality.Kind.THON, name="Thôn A", code="TA", cell=tree.cell_a
    )
    org_services.locality_create(
        commune=commune2, kind=Locality.Kind.THON, name="Thôn C", code="TC", cell=cell_c
    )
    for cell in (tree.cell_a, tree.cell_a, tree.cell_b, cell_c, cell_c):
        make_member(
            cell, admitted_on=date(2016, 3, 1), residence_locality=hamlet_a if cell == tree.cell_a else None
        )
    secretary = Member.objects.filter(org=tree.cell_a).first()
    member_position_start(
        member=secretary, org=tree.commune, role=Role.SECRETARY, started_on=date(2020, 10, 1)
    )
    tree.commune2, tree.cell_c = commune2, cell_c
    return tree


def _new_commune(tree, code="XM", name="Đảng bộ xã Mới"):
    return org_services.org_establish(
        code=code,
        name=name,
        kind=OrgKind.GRASSROOTS_COMMITTEE,
        parent=tree.province,
        established_on=ON,
        sector=Sector.COMMUNE,
        decision=DECISION,
    )


def test_two_communes_merge_into_a_new_one_under_the_province(two_communes):
    tree = two_communes
    new = _new_commune(tree)
    with pytest.raises(RuleViolation) as refused:  # 5 members: a committee needs approval
        org_merge(sources=[tree.commune, tree.commune2], into=new, effective_on=ON, decision=DECISION)
    assert refused.value.codes == ["org.grassroots_committee_threshold"]
    outcome = org_merge(
        sources=[tree.commune, tree.commune2],
        into=new,
        effective_on=ON,
        decision=DECISION,
        approval="Công văn 12-CV/TU",
    )
    assert (outcome.organizations, outcome.members_rehomed, outcome.members_under, outcome.localities) == (
        5,
        0,
        5,
        2,
    )
    # cells keep their identity and now sit under the new commune
    assert set(Org.objects.filter(parent=new).values_list("code", flat=True)) == {"X1A", "X1B", "X2C"}
    assert all(m.org_path.startswith(new.path) for m in Member.objects.all() if m.org_id != tree.agency.pk)
    assert set(Locality.objects.values_list("commune__code", flat=True)) == {"XM"}
    for code in ("X1", "X2"):
        old = Org.objects.get(code=code)
        assert old.dissolved_on == ON
        assert OrgEvent.objects.get(org=old, kind=OrgEvent.Kind.MERGED).decision_no == "1673-QĐ/TU"
    # the commune secretary's position ended the same day, by a ledger event with the decision
    ended = MemberEvent.objects.get(kind=MemberEvent.Kind.POSITION_ENDED)
    assert ended.effective_on == ON and ended.decision_no == "1673-QĐ/TU"
    assert not Position.objects.filter(org=tree.commune, ended_on__isnull=True).exists()
    # reports on both sides of the date; nobody lost or doubled
    assert _members(tree.province) == 5 and _members(tree.province, as_of=BEFORE) == 5
    assert _members(new) == 5
    with pytest.raises(ReportInputError, match="trước ngày có dữ liệu đầu tiên"):
        _members(new, as_of=BEFORE)
    assert _members(tree.district, as_of=BEFORE) == 3 and _members(tree.district) == 0
    assert _members(tree.district2, as_of=BEFORE) == 2 and _members(tree.district2) == 0
    before = {v.org_id: v.parent_id for v in org_versions_on(day=ON - timedelta(days=1))}
    assert before[tree.cell_a.pk] == tree.commune.pk and new.pk not in before
    assert tally_differences() == []


def test_merging_cells_rehomes_their_members_through_the_ledger(two_communes):
    tree = two_communes
    outcome = org_merge(sources=[tree.cell_b], into=tree.cell_a, effective_on=ON, decision=DECISION)
    assert outcome.members_rehomed == 1
    moved = Member.objects.get(
        given_name__startswith="Đức", org=tree.cell_a, events__kind=MemberEvent.Kind.REHOMED
    )
    event = moved.events.get(kind=MemberEvent.Kind.REHOMED)
    assert (event.from_org_id, event.to_org_id, event.decision_no) == (
        tree.cell_b.pk,
        tree.cell_a.pk,
        "1673-QĐ/TU",
    )
    assert projection_matches_replay(moved)
    assert _members(tree.cell_a) == 3 and _members(tree.cell_b, as_of=BEFORE) == 1
    assert tally_differences() == []


@pytest.mark.parametrize(
    "sources, into, refusals",
    [
        (["commune"], "cell_a", [("input", "into")]),  # into an organization under it
        # its members and its hamlet would be left without a cell
        (["cell_a"], "commune2", [("org.member_holding_kinds", "org"), ("input", "into")]),
        # cells cannot sit under a district; the hamlet would belong to no commune
        (
            ["commune"],
            "district2",
            [("org.child_kinds", "kind"), ("org.child_kinds", "kind"), ("input", "into")],
        ),
        (["commune", "commune"], "commune2", [("input", "sources")]),  # chosen twice
    ],
)
def test_bad_merges_are_refused_whole(two_communes, sources, into, refusals):
    tree = two_communes
    preview = dry_run(
        lambda: org_merge(
            sources=[getattr(tree, s) for s in sources],
            into=getattr(tree, into),
            effective_on=ON,
            decision=DECISION,
        )
    )
    assert not preview.ok and refused_on(preview.violations) == refusals
    with pytest.raises(RuleViolation) as refused:
        org_merge(
            sources=[getattr(tree, s) for s in sources],
            into=getattr(tree, into),
            effective_on=ON,
            decision=DECISION,
        )
    assert refused_on(refused) == refusals
    assert not OrgEvent.objects.filter(kind=OrgEvent.Kind.MERGED).exists()
    assert not MemberEvent.objects.filter(
        kind__in=[MemberEvent.Kind.REHOMED, MemberEvent.Kind.POSITION_ENDED]
    ).exists()


def test_a_preview_counts_what_a_merge_would_do_and_writes_nothing(two_communes):
    tree = two_communes
    events = OrgEvent.objects.count()
    preview = dry_run(
        lambda: org_merge(sources=[tree.commune2], into=tree.commune, effective_on=ON, decision=DECISION)
    )
    assert preview.ok and (preview.outcome.members_under, preview.outcome.localities) == (2, 1)
    assert OrgEvent.objects.count() == events and Org.objects.get(code="X2").dissolved_on is None


def test_a_split_needs_every_member_hamlet_and_cell_assigned(two_communes):
    tree = two_communes
    north = _new_commune(tree, "XB", "Đảng bộ xã Bắc")
    south = _new_commune(tree, "XN", "Đảng bộ xã Nam")
    hamlet = Locality.objects.get(code="TA")
    with pytest.raises(RuleViolation) as refused:
        org_split(
            source=tree.commune,
            shares={north: Share(children=[tree.cell_a.pk])},
            effective_on=ON,
            decision=DECISION,
        )
    # the hamlet and cell B are given to neither new commune
    assert refused_on(refused) == [("input", "localities"), ("input", "children")]
    outcome = org_split(
        source=tree.commune,
        shares={
            north: Share(children=[tree.cell_a.pk], localities=[hamlet.pk]),
            south: Share(children=[tree.cell_b.pk]),
        },
        effective_on=ON,
        decision=DECISION,
    )
    assert outcome.members_under == 3 and Org.objects.get(code="X1").dissolved_on == ON
    assert (
        Org.objects.get(code="X1A").parent_id == north.pk
        and Org.objects.get(code="X1B").parent_id == south.pk
    )
    assert Locality.objects.get(code="TA").commune_id == north.pk
    assert (_members(north), _members(south), _members(tree.district, as_of=BEFORE)) == (2, 1, 3)
    assert tally_differences() == []


def test_a_grassroots_cell_of_30_becomes_a_committee_with_its_members_in_new_cells(tree, make_member):
    members = [make_member(tree.agency, admitted_on=date(2016, 3, 1)) for _ in range(30)]
    with pytest.raises(RuleViolation) as refused:
        org_change_kind(
            org=tree.agency,
            kind=OrgKind.GRASSROOTS_COMMITTEE,
            effective_on=ON,
            decision=DECISION,
            cells=[NewCell("CQ1-1", "Chi bộ Phòng Một", [m.pk for m in members[:15]])],
        )
    assert refused_on(refused) == [("input", "cells")]  # 15 members assigned to no new cell
    outcome = org_change_kind(
        org=tree.agency,
        kind=OrgKind.GRASSROOTS_COMMITTEE,
        effective_on=ON,
        decision=DECISION,
        cells=[
            NewCell("CQ1-1", "Chi bộ Phòng Một", [m.pk for m in members[:15]]),
            NewCell("CQ1-2", "Chi bộ Phòng Hai", [m.pk for m in members[15:]]),
        ],
    )
    assert outcome.members_rehomed == 30 and outcome.organizations == 2
    agency = Org.objects.get(pk=tree.agency.pk)
    assert agency.kind == OrgKind.GRASSROOTS_COMMITTEE
    assert not Member.objects.filter(org=agency).exists()
    versions = {v.org_id: v.kind for v in org_versions_on(day=BEFORE)}
    assert versions[agency.pk] == OrgKind.GRASSROOTS_CELL
    assert _members(agency) == 30 and _members(agency, as_of=BEFORE) == 30
    assert tally_differences() == []


def test_a_committee_below_30_becomes_a_cell_only_with_approval_to_stay_otherwise(tree, make_member):
    for _ in range(3):
        make_member(tree.cell_a, admitted_on=date(2016, 3, 1))
    org_change_kind(org=tree.commune, kind=OrgKind.GRASSROOTS_CELL, effective_on=ON, decision=DECISION)
    commune = Org.objects.get(pk=tree.commune.pk)
    assert commune.kind == OrgKind.GRASSROOTS_CELL and Member.objects.filter(org=commune).count() == 3
    assert Org.objects.get(pk=tree.cell_a.pk).dissolved_on == ON
    assert tally_differences() == []
    # and back: a cell of 3 becoming a committee needs the superior's written approval
    with pytest.raises(RuleViolation) as refused:
        org_change_kind(
            org=commune,
            kind=OrgKind.GRASSROOTS_COMMITTEE,
            effective_on=ON + timedelta(days=30),
            decision=DECISION,
            cells=[
                NewCell(
                    "X1-1",
                    "Chi bộ Một",
                    list(Member.objects.filter(org=commune).values_list("pk", flat=True)),
                )
            ],
        )
    assert refused.value.codes == ["org.grassroots_committee_threshold"]


def test_upper_rights_are_granted_and_withdrawn_with_the_leaders_counted(two_communes):
    tree = two_communes
    org_set_upper_rights(org=tree.commune, granted=True, effective_on=ON, decision=DECISION)
    assert Org.objects.get(pk=tree.commune.pk).has_upper_rights
    assert tally_differences() == []
    with pytest.raises(RuleViolation) as refused:
        org_set_upper_rights(org=tree.commune, granted=True, effective_on=ON, decision=DECISION)
    assert refused_on(refused) == [("input", "org")]  # granted already
    org_set_upper_rights(
        org=tree.commune, granted=False, effective_on=ON + timedelta(days=1), decision=DECISION
    )
    assert tally_differences() == []
    with pytest.raises(RuleViolation) as refused:
        org_set_upper_rights(org=tree.district, granted=True, effective_on=ON, decision=DECISION)
    assert refused_on(refused) == [("org.upper_rights_holder", "org")]


def test_a_members_history_shows_the_merge_that_moved_their_cell_with_its_decision(client, two_communes):
    from django.contrib.auth.models import User

    from dangbo.accounts.models import AccessRole
    from dangbo.accounts.services import role_grant

    tree = two_communes
    new = _new_commune(tree)
    org_merge(
        sources=[tree.commune, tree.commune2], into=new, effective_on=ON, decision=DECISION, approval="CV 12"
    )
    org_merge(sources=[tree.cell_b], into=tree.cell_a, effective_on=ON + timedelta(days=1), decision=DECISION)
    user = User.objects.create_user("lanhdao", password="mat-khau-dai-du-1")
    role_grant(user=user, role=AccessRole.LEADER, org=tree.province)
    client.force_login(user)
    stayed = Member.objects.filter(org=tree.cell_a).exclude(events__kind=MemberEvent.Kind.REHOMED).first()
    html = client.get(f"/dang-vien/{stayed.pk}/").content.decode()
    assert (
        "Sắp xếp tổ chức (hợp nhất, sáp nhập)" in html
        and "Chi bộ thôn A chuyển về trực thuộc Đảng bộ xã Mới" in html
    )
    assert "Quyết định số 1673-QĐ/TU" in html
    rehomed = Member.objects.get(events__kind=MemberEvent.Kind.REHOMED)
    html = client.get(f"/dang-vien/{rehomed.pk}/").content.decode()
    assert "Chuyển tổ chức đảng do sắp xếp tổ chức" in html and "từ Chi bộ thôn B đến Chi bộ thôn A" in html
    api = client.get(f"/api/members/{stayed.pk}/history").json()
    assert any(
        e["kind"] == "org_restructured" and e["cell"] == "Chi bộ thôn A" and e["to_org"] == "Đảng bộ xã Mới"
        for e in api
    )


def test_member_lists_of_a_past_day_are_drawn_on_that_days_tree(client, two_communes):
    from django.contrib.auth.models import User

    from dangbo.accounts.models import AccessRole
    from dangbo.accounts.services import role_grant

    tree = two_communes
    new = _new_commune(tree)
    org_merge(
        sources=[tree.commune, tree.commune2], into=new, effective_on=ON, decision=DECISION, approval="CV 12"
    )
    org_merge(sources=[tree.cell_b], into=tree.cell_a, effective_on=ON, decision=DECISION)
    user = User.objects.create_user("lanhdao", password="mat-khau-dai-du-1")
    # a leader who may export lists of people (issue 18: without the grant, reports only)
    role_grant(user=user, role=AccessRole.LEADER, org=tree.province, may_export_personal=True)
    client.force_login(user)
    old = client.get("/dang-vien/", {"org": str(tree.district.pk), "ngay": "31/12/2024"}).content.decode()
    assert "Kết quả: 3 đảng viên ngày 31/12/2024" in old and "Chi bộ thôn B" in old  # the cell of that day
    assert (
        "Kết quả: 0 đảng viên" in client.get("/dang-vien/", {"org": str(tree.district.pk)}).content.decode()
    )
    now = client.get("/dang-vien/", {"org": str(new.pk), "ngay": "31/12/2025"}).content.decode()
    assert "Kết quả: 5 đảng viên ngày 31/12/2025" in now and "Chi bộ thôn B" not in now
    export = client.get(
        "/dang-vien/xuat/", {"org": str(tree.district.pk), "ngay": "31/12/2024", "dinh-dang": "csv"}
    )
    body = (
        b"".join(export.streaming_content).decode("utf-8-sig")
        if export.streaming
        else export.content.decode("utf-8-sig")
    )
    assert body.count("Chi bộ thôn") == 3 and "Chi bộ thôn B" in body
    rows = list(csv.reader(io.StringIO(body)))
    grassroots = {row[rows[0].index("Tổ chức cơ sở đảng")] for row in rows[1:]}
    assert grassroots == {"Đảng bộ xã Một"}  # the committee above the cells that day, not the merged one
    future = client.get("/dang-vien/", {"ngay": "01/01/2999"})
    assert future.status_code == 400 and "Ngày không thể sau hôm nay" in future.content.decode()


def test_flows_of_a_period_before_a_merge_stay_with_the_old_tree(two_communes, make_member):
    """The tallies carry a moved cell's flows to its new ancestors; a period that began before
    the merge is recounted from the ledger on the tree of each event's day."""
    from dangbo.stats.figures import _flows_by_recount, flows
    from dangbo.stats.tallies import tally_flows

    tree = two_communes
    make_member(tree.cell_b, admitted_on=date(2024, 3, 1), full=False)
    member_transfer(
        member=Member.objects.filter(org=tree.cell_c).first(),
        to_org=tree.cell_b,
        effective_on=date(2024, 5, 1),
    )
    year = frame_for(root=tree.province, as_of=BEFORE, start=date(2024, 1, 1), end=BEFORE)
    orgs = [tree.province.pk, tree.district.pk, tree.district2.pk, tree.commune.pk]
    # on an unchanged tree the recount and the tallies agree, kind by kind
    assert _flows_by_recount(year.start, year.end, orgs) == {
        k: v for k, v in tally_flows(orgs, year.start, year.end).items() if v
    }
    before = flows(year, orgs)
    assert before[tree.district.pk] == {"admitted": 1, "transfer_in": 1}
    assert before[tree.district2.pk] == {"transfer_out": 1} and before[tree.province.pk] == {"admitted": 1}
    new = _new_commune(tree)
    org_merge(
        sources=[tree.commune, tree.commune2], into=new, effective_on=ON, decision=DECISION, approval="CV 12"
    )
    # a frame is a page's: it reads the tree's last change once, so a new one after the merge
    year = frame_for(root=tree.province, as_of=BEFORE, start=date(2024, 1, 1), end=BEFORE)
    assert flows(year, orgs) == before
    assert tally_differences() == []
