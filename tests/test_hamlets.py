"""Hamlets over time: heads linked to member records (or named non-members), dated hamlet
versions read by past-date indicators, merged-hamlet cells counted apart, and tallies that
follow a head's death, exit and restoration."""

from datetime import date, timedelta

import pytest

from conftest import FROZEN_DAY, refused_on
from dangbo.members.services import standing
from dangbo.members.services.records import member_record_death
from dangbo.orgs import services as org_services
from dangbo.orgs.models import Locality, LocalityVersion
from dangbo.restructuring import operations
from dangbo.rules.base import RuleViolation
from dangbo.stats import tallies
from dangbo.stats.drilldown import DRILLS
from dangbo.stats.frames import frame_for
from dangbo.stats.indicators import BY_CODE, NOT_MET, context_for, evaluate
from dangbo.stats.tallies import tally_differences
from dangbo.stats.tallies.keys import LOCALITIES

TODAY = FROZEN_DAY  # the tests count back from it; the clock is fixed to it (_frozen_clock)
FOUNDED = date(2020, 1, 1)


@pytest.fixture(autouse=True)
def _frozen_clock(frozen_today):
    frozen_today(TODAY)


def _value(root, code, **frame):
    return evaluate(context_for(frame_for(root=root, **frame)), BY_CODE[code], root)


def _figure(root, code, **frame) -> tuple:
    value = _value(root, code, **frame).value
    return (value.numerator, value.denominator)


def _hamlet(tree, code, *, cell=None, **head):
    return org_services.locality_create(
        commune=tree.commune,
        kind=Locality.Kind.THON,
        name=code,
        code=code,
        cell=cell,
        established_on=FOUNDED,
        **head,
    )


def test_a_head_who_dies_stops_counting_that_day_today_and_on_past_dates(tree, make_member):
    head = make_member(tree.cell_a, admitted_on=date(2016, 3, 1))
    _hamlet(tree, "TA", cell=tree.cell_a, head_member=head)
    _hamlet(tree, "TB", cell=tree.cell_b, head_name="Lò Văn Pấu")
    assert _figure(tree.province, "hamlets.head_member_share") == (1, 2)
    died_on = TODAY - timedelta(days=30)
    member_record_death(member=head, died_on=died_on)
    assert _figure(tree.province, "hamlets.head_member_share") == (0, 2)
    assert _figure(tree.province, "hamlets.head_member_share", as_of=died_on) == (0, 2)
    assert _figure(tree.province, "hamlets.head_member_share", as_of=died_on - timedelta(days=1)) == (1, 2)
    assert tally_differences() == []
    rows = DRILLS["hamlet_heads_not_members"](context_for(frame_for(root=tree.province)), tree.province).rows
    assert {row[0].text: row[3].text for row in rows} == {
        "Thôn TA": f"{head.full_name} (từ trần)",
        "Thôn TB": "Lò Văn Pấu (người ngoài Đảng)",
    }


def test_a_head_who_leaves_and_is_restored_moves_the_count_and_the_tallies_stay_exact(tree, make_member):
    head = make_member(tree.cell_a, admitted_on=date(2016, 3, 1))
    _hamlet(tree, "TA", cell=tree.cell_a, head_member=head)

    def counts():
        return tallies.tally_read([tree.province.pk], [LOCALITIES])[tree.province.pk][LOCALITIES]

    assert counts().get("head_member") == 1
    decision = org_services.DecisionRef(number="7-QĐ/ĐU", on=TODAY - timedelta(days=20), body="Đảng ủy")
    standing.member_resign(member=head, on=TODAY - timedelta(days=20), decision=decision)
    assert counts().get("head_member", 0) == 0 and tally_differences() == []
    head.refresh_from_db()
    standing.member_restore(member=head, on=TODAY - timedelta(days=5), decision=decision)
    assert counts().get("head_member") == 1 and tally_differences() == []


def test_a_head_outside_the_party_is_a_name_and_never_both(tree, make_member):
    member = make_member(tree.cell_a)
    hamlet = _hamlet(tree, "TA", head_name="Lý Láo Lở")
    assert not hamlet.head_is_member and hamlet.head_display == "Lý Láo Lở"
    with pytest.raises(RuleViolation) as refused:
        org_services.locality_update(
            locality=hamlet,
            expected_version=hamlet.version,
            kind=hamlet.kind,
            name=hamlet.name,
            cell=None,
            head_member=member,
            head_name="Lý Láo Lở",
        )
    assert refused_on(refused) == [("input", "head_name")]
    hamlet = org_services.locality_update(
        locality=hamlet,
        expected_version=hamlet.version,
        kind=hamlet.kind,
        name=hamlet.name,
        cell=None,
        head_member=member,
    )
    assert hamlet.head_is_member and hamlet.head_name == "" and hamlet.head_display == member.full_name


def test_past_dates_read_the_hamlet_versions_after_a_cell_and_head_change(tree, make_member):
    head = make_member(tree.cell_a, admitted_on=date(2016, 3, 1))
    hamlet = _hamlet(tree, "TA")
    _hamlet(tree, "TB", cell=tree.cell_b)
    changed_on = TODAY - timedelta(days=60)
    before = changed_on - timedelta(days=1)
    org_services.locality_update(
        locality=hamlet,
        expected_version=hamlet.version,
        kind=hamlet.kind,
        name="A mới",
        cell=tree.cell_a,
        head_member=head,
        effective_on=changed_on,
        decision_no="12-QĐ/UBND",
    )
    assert _figure(tree.province, "hamlets.with_cell_share") == (2, 2)
    assert _figure(tree.province, "hamlets.head_member_share") == (1, 2)
    assert _figure(tree.province, "hamlets.with_cell_share", as_of=before) == (1, 2)
    assert _figure(tree.province, "hamlets.head_member_share", as_of=before) == (0, 2)
    assert _figure(tree.province, "hamlets.without_cell", as_of=before) == (1, None)
    assert _figure(tree.province, "hamlets.total", as_of=FOUNDED - timedelta(days=1)) == (0, None)
    versions = list(
        LocalityVersion.objects.filter(locality=hamlet)
        .order_by("valid_from")
        .values_list("valid_from", "valid_to", "name", "cell_id", "head_member_id", "decision_no")
    )
    assert versions == [
        (FOUNDED, changed_on, "TA", None, None, ""),
        (changed_on, None, "A mới", tree.cell_a.pk, head.pk, "12-QĐ/UBND"),
    ]
    rows = DRILLS["hamlets_without_cell"](
        context_for(frame_for(root=tree.province, as_of=before)), tree.province
    ).rows
    assert [row[0].text for row in rows] == ["Thôn TA"]
    with pytest.raises(RuleViolation) as refused:  # history before the open version is not overwritten
        hamlet.refresh_from_db()
        org_services.locality_update(
            locality=hamlet,
            expected_version=hamlet.version,
            kind=hamlet.kind,
            name="X",
            cell=None,
            effective_on=before,
        )
    assert refused_on(refused) == [("input", "effective_on")]


def test_merged_hamlet_cells_are_counted_apart_and_the_2030_target_is_on_own_cells(tree):
    a1 = _hamlet(tree, "A1", cell=tree.cell_a)
    _hamlet(tree, "A2", cell=tree.cell_a)
    _hamlet(tree, "B", cell=tree.cell_b)
    _hamlet(tree, "C")
    assert _figure(tree.province, "hamlets.with_cell_share") == (1, 4)
    assert _value(tree.province, "hamlets.with_cell_share").status == NOT_MET
    assert _value(tree.province, "hamlets.with_cell_share").target.year == 2030
    assert _figure(tree.province, "hamlets.merged_cell") == (2, None)
    assert _figure(tree.province, "hamlets.without_cell") == (1, None)
    ctx = context_for(frame_for(root=tree.province))
    rows = DRILLS["hamlets_merged_cell"](ctx, tree.province).rows
    assert [(r[0].text, r[2].text, r[3].text) for r in rows] == [
        ("Thôn A1", "Chi bộ thôn A", "Thôn A2"),
        ("Thôn A2", "Chi bộ thôn A", "Thôn A1"),
    ]
    behind_target = DRILLS["hamlets_without_own_cell"](ctx, tree.province).rows
    assert sorted(r[0].text for r in behind_target) == ["Thôn A1", "Thôn A2", "Thôn C"]
    assert tally_differences() == []
    # A1 moves to cell B: A2 has its own cell now, A1 and B share one
    moved_on = TODAY - timedelta(days=10)
    org_services.locality_update(
        locality=a1,
        expected_version=a1.version,
        kind=a1.kind,
        name=a1.name,
        cell=tree.cell_b,
        effective_on=moved_on,
    )
    assert _figure(tree.province, "hamlets.merged_cell") == (2, None)
    assert _figure(tree.province, "hamlets.with_cell_share") == (1, 4)
    rows = DRILLS["hamlets_merged_cell"](context_for(frame_for(root=tree.province)), tree.province).rows
    assert sorted(r[0].text for r in rows) == ["Thôn A1", "Thôn B"]
    past = DRILLS["hamlets_merged_cell"](
        context_for(frame_for(root=tree.province, as_of=moved_on - timedelta(days=1))), tree.province
    ).rows
    assert sorted(r[0].text for r in past) == ["Thôn A1", "Thôn A2"]
    assert tally_differences() == []


def test_dissolving_a_hamlet_and_a_covering_cell_keeps_versions_and_tallies(tree):
    a1 = _hamlet(tree, "A1", cell=tree.cell_a)
    a2 = _hamlet(tree, "A2", cell=tree.cell_a)
    _hamlet(tree, "B", cell=tree.cell_b)
    day = TODAY - timedelta(days=40)
    org_services.locality_dissolve(locality=a2, effective_on=day, decision_no="5-NQ/HĐND")
    assert _figure(tree.province, "hamlets.merged_cell") == (0, None)
    assert _figure(tree.province, "hamlets.with_cell_share") == (2, 2)
    assert _figure(tree.province, "hamlets.merged_cell", as_of=day - timedelta(days=1)) == (2, None)
    assert tally_differences() == []
    operations.org_dissolve(
        org=tree.cell_b,
        effective_on=TODAY - timedelta(days=3),
        decision=org_services.DecisionRef(number="9-QĐ/ĐU", on=TODAY - timedelta(days=3), body="Đảng ủy"),
    )
    assert _figure(tree.province, "hamlets.without_cell") == (1, None)
    assert _figure(tree.province, "hamlets.without_cell", as_of=TODAY - timedelta(days=4)) == (0, None)
    assert list(LocalityVersion.objects.filter(locality=a1).values_list("valid_to", flat=True)) == [None]
    assert tally_differences() == []


def test_a_merge_moves_hamlets_with_a_new_version(tree, make_member):
    hamlet = _hamlet(tree, "TB", cell=tree.cell_b)
    for _ in range(3):
        make_member(tree.cell_b)
    day = TODAY - timedelta(days=15)
    operations.org_merge(
        sources=[tree.cell_b],
        into=tree.cell_a,
        effective_on=day,
        decision=org_services.DecisionRef(number="3-QĐ/ĐU", on=day, body="Đảng ủy"),
    )
    versions = list(
        LocalityVersion.objects.filter(locality=hamlet)
        .order_by("valid_from")
        .values_list("valid_from", "cell_id", "decision_no")
    )
    assert versions == [(FOUNDED, tree.cell_b.pk, ""), (day, tree.cell_a.pk, "3-QĐ/ĐU")]
    assert tally_differences() == []


@pytest.fixture
def code_lists(transactional_db):
    """A transactional test starts from flushed tables: the code lists the members need."""
    from dangbo.reference.loader import load_all

    load_all()


@pytest.mark.django_db(transaction=True)
def test_the_migration_links_heads_it_can_match_and_keeps_a_list_of_the_rest(
    code_lists, tree, make_member, capsys
):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from dangbo import cli
    from dangbo.orgs.cli import unmatched_heads
    from dangbo.stats.compliance import compliance_run

    linked = make_member(tree.cell_a, family_name="Lý", middle_name="Thị", given_name="Hòa")
    make_member(tree.cell_a, family_name="Vàng", middle_name="A", given_name="Sùng")
    make_member(tree.cell_b, family_name="Vàng", middle_name="A", given_name="Sùng")
    elsewhere = make_member(tree.agency, family_name="Giàng", middle_name="Seo", given_name="Phử")
    already = make_member(tree.cell_b, family_name="Hầu", middle_name="A", given_name="Lềnh")
    before, after = [("orgs", "0002_restructure_plan")], [("orgs", "0004_drop_head_is_member")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps.get_model("orgs", "Locality")
    heads = {
        "MATCH": {"head_name": "Lý Thị Hoà", "head_is_member": True},  # old tone placement: the same name
        "TWIN": {"head_name": "Vàng A Sùng", "head_is_member": True},  # two members of the commune bear it
        "NONE": {"head_name": "Lò Văn Pấu", "head_is_member": True},  # no member record at all
        "OUT": {"head_name": "Giàng Seo Phử", "head_is_member": True},  # a member, but not of this commune
        "LINK": {"head_name": "Hầu A Lềnh", "head_is_member": True, "head_member_id": already.pk},
        "PLAIN": {"head_name": "Sùng Mí Chá", "head_is_member": False},
    }
    for code, head in heads.items():
        old.objects.create(
            code=code,
            kind="thon",
            name=code,
            commune_id=tree.commune.pk,
            commune_path=tree.commune.path,
            **head,
        )
    executor = MigrationExecutor(connection)
    executor.migrate(after)
    # and the apps whose tables went with the step back (meetings): the compliance checks and
    # the recount below read them
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    got = {loc.code: loc for loc in Locality.objects.all()}
    assert (
        got["MATCH"].head_member_id == linked.pk
        and got["MATCH"].head_name == ""
        and not got["MATCH"].head_unmatched_note
    )
    assert got["LINK"].head_member_id == already.pk
    assert (
        got["PLAIN"].head_member_id is None
        and got["PLAIN"].head_name == "Sùng Mí Chá"
        and not got["PLAIN"].head_unmatched_note
    )
    for code in ("TWIN", "NONE", "OUT"):
        assert got[code].head_member_id is None and got[code].head_name == heads[code]["head_name"]
    assert "2 đảng viên cùng tên" in got["TWIN"].head_unmatched_note
    assert (
        "không tìm thấy" in got["NONE"].head_unmatched_note
        and "không tìm thấy" in got["OUT"].head_unmatched_note
    )
    assert elsewhere.pk not in {loc.head_member_id for loc in got.values()}
    assert {row["code"] for row in unmatched_heads()} == {"TWIN", "NONE", "OUT"}
    findings = [f for f in compliance_run(root=tree.province) if f.check == "hamlet.head_record"]
    assert {f.locality.code for f in findings} == {"TWIN", "NONE", "OUT"}
    assert cli.main(["hamlets", "unmatched-heads", "--format", "json"]) == 0
    assert "Vàng A Sùng" in capsys.readouterr().out
    # every hamlet has its first version, from its commune's founding day
    assert (
        LocalityVersion.objects.filter(valid_to__isnull=True, valid_from=tree.commune.created_on).count() == 6
    )
    tallies.tally_rebuild()
    assert _figure(tree.province, "hamlets.head_member_share") == (
        2,
        6,
    )  # the ticks without a record do not count
    # recording the head again clears the note
    twin = got["TWIN"]
    org_services.locality_set_head(locality=twin, head_name="Vàng A Sùng")
    assert {row["code"] for row in unmatched_heads()} == {"NONE", "OUT"}
