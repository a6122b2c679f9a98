"""Pre-aggregated counts (stats.tallies) follow the ledger and identity edits, and equal a recount."""

from datetime import date

import pytest

from conftest import identity
from dangbo.core.decisions import DecisionRef
from dangbo.members.services import standing as standing_services
from dangbo.members.services.positions import member_position_start
from dangbo.members.services.records import check_identity, member_record_death, member_update_identity
from dangbo.members.services.transfers import member_transfer
from dangbo.orgs import services as org_services
from dangbo.orgs.models import Locality
from dangbo.stats.models import OrgTally
from dangbo.stats.tallies import tally_differences, tally_read, tally_rebuild


def _counts(org, dimension):
    return dict(tally_read([org.pk], [dimension])[org.pk][dimension])


def test_admission_counts_in_the_cell_and_every_ancestor(tree, make_member):
    make_member(tree.cell_a, gender="F", ethnicity="02")
    make_member(tree.cell_b, full=False)
    for org in (tree.cell_a, tree.commune, tree.district, tree.province):
        assert sum(_counts(org, "total").values()) >= 1
    assert _counts(tree.province, "total") == {"": 2}
    assert _counts(tree.province, "gender") == {"F": 1, "M": 1}
    assert _counts(tree.province, "status") == {"full": 1, "probationary": 1}
    assert _counts(tree.commune, "ethnicity") == {"01": 1, "02": 1}
    assert _counts(tree.cell_a, "total") == {"": 1}
    assert _counts(tree.district2, "total") == {}
    assert _counts(tree.province, "birth_year") == {"1990": 2}
    assert tally_differences() == []


def test_transfer_death_and_identity_edit_move_the_counts(tree, make_member):
    member = make_member(tree.cell_a)
    other = make_member(tree.cell_a)
    member_transfer(member=member, to_org=tree.agency, effective_on=date(2020, 1, 1))
    assert _counts(tree.commune, "total") == {"": 1}
    assert _counts(tree.agency, "total") == {"": 1}
    assert _counts(tree.province, "total") == {"": 2}
    member_record_death(member=other, died_on=date(2021, 1, 1))
    assert _counts(tree.commune, "total") == {}
    assert _counts(tree.province, "total") == {"": 1}
    member.refresh_from_db()
    member_update_identity(
        member=member,
        identity=identity(given_name=member.given_name, ethnicity="03", theory_level="intermediate"),
        expected_version=member.version,
    )
    assert _counts(tree.province, "ethnicity") == {"03": 1}
    assert _counts(tree.province, "theory") == {"intermediate": 1}
    assert tally_differences() == []


def test_hamlet_residents_count_under_the_hamlets_commune(tree, make_member):
    hamlet = org_services.locality_create(
        commune=tree.commune, kind=Locality.Kind.THON, name="Thôn Một", code="TH1"
    )
    resident = make_member(tree.agency, residence_locality=hamlet)
    assert _counts(tree.commune, "hamlet") == {str(hamlet.pk): 1}
    assert _counts(tree.province, "hamlet") == {str(hamlet.pk): 1}
    assert _counts(tree.agency, "hamlet") == {}
    assert _counts(tree.province, "hamlets_with_members") == {"": 1}
    second = make_member(tree.cell_a, residence_locality=hamlet)  # a second resident: still one hamlet
    assert _counts(tree.province, "hamlets_with_members") == {"": 1}
    standing_services.member_move_away(
        member=resident,
        on=date(2022, 1, 1),
        to_name="Tỉnh khác",
        decision=DecisionRef(number="9-QĐ", on=date(2022, 1, 1), body="Đảng ủy"),
    )
    assert _counts(tree.commune, "hamlet") == {str(hamlet.pk): 1}
    member_record_death(member=second, died_on=date(2023, 1, 1))
    assert (
        _counts(tree.province, "hamlets_with_members") == {}
    )  # the last resident: no longer a hamlet with members
    assert tally_differences() == []


def test_a_wrong_count_is_found_and_a_rebuild_mends_it(tree, make_member):
    make_member(tree.cell_a)
    row = OrgTally.objects.get(org=tree.province, dimension="total")
    row.count = 5
    row.save()
    differences = tally_differences()
    assert [(d.dimension, d.stored, d.recounted) for d in differences] == [("total", 5, 1)]
    run = tally_rebuild()
    assert run.rows > 0
    assert tally_differences() == []
    assert _counts(tree.province, "total") == {"": 1}


@pytest.mark.parametrize("members", [3])
def test_bulk_written_members_are_counted(tree, members):
    from dangbo.members import ledger
    from dangbo.members.models import Member, MemberEvent

    pairs = []
    for n in range(members):
        values, _ = check_identity(identity(given_name=f"Bulk{n}"))
        member = Member(status="probationary", org=tree.cell_b, org_path=tree.cell_b.path, **values)
        event = MemberEvent(
            kind="admitted",
            effective_on=date(2020, 1, 1),
            to_org=tree.cell_b,
            seq=1,
            data={"ceremony_on": "2020-01-01"},
        )
        pairs.append((member, [event]))
    ledger.bulk_write(pairs)
    assert _counts(tree.province, "total") == {"": members}
    assert tally_differences() == []


def test_organization_leader_locality_and_flag_counts(tree, make_member):
    from dangbo.core.roles import Role
    from dangbo.stats.tallies import keys as tally_keys

    assert _counts(tree.province, tally_keys.ORG_KIND) == {
        "upper": 2,
        "grassroots_committee": 1,
        "cell": 2,
        "grassroots_cell": 1,
    }
    assert _counts(tree.province, tally_keys.ORG_DIRECT) == {"": 2}
    assert _counts(tree.district, tally_keys.GRASSROOTS_SECTOR) == {"commune": 1, "agency": 1}
    members = [make_member(tree.cell_a) for _ in range(9)]
    assert _counts(tree.cell_a, tally_keys.CELL_COMMITTEE_FLAG) == {
        "": 1
    }  # nine full members: must elect a committee
    assert _counts(tree.province, tally_keys.CELL_COMMITTEE_FLAG) == {"": 1}
    member_record_death(member=members[0], died_on=date(2024, 1, 1))
    assert _counts(tree.province, tally_keys.CELL_COMMITTEE_FLAG) == {}
    member_position_start(
        member=members[1], org=tree.commune, role=Role.SECRETARY, started_on=date(2020, 1, 1)
    )
    assert _counts(tree.province, tally_keys.SECRETARIES) == {"untrained": 1}
    assert _counts(tree.province, tally_keys.COMMITTEE) == {"untrained": 1}
    members[1].refresh_from_db()
    member_update_identity(
        member=members[1],
        identity=identity(given_name=members[1].given_name, theory_level="advanced"),
        expected_version=members[1].version,
    )
    assert _counts(tree.province, tally_keys.SECRETARIES) == {"trained": 1}
    hamlet = org_services.locality_create(
        commune=tree.commune, kind=Locality.Kind.THON, name="Thôn Hai", code="TH2", cell=tree.cell_a
    )
    org_services.locality_set_head(locality=hamlet, head_name="", head_member=members[2])
    assert _counts(tree.province, tally_keys.LOCALITIES) == {"all": 1, "with_cell": 1, "head_member": 1}
    assert tally_differences() == []


def test_flows_are_kept_by_day_and_a_transfer_counts_only_across_the_edge(tree, make_member):
    from dangbo.stats.tallies import tally_flows

    member = make_member(tree.cell_a, admitted_on=date(2019, 4, 1))
    member_transfer(member=member, to_org=tree.agency, effective_on=date(2023, 5, 2))
    year_2019 = tally_flows([tree.province.pk, tree.commune.pk], date(2019, 1, 1), date(2019, 12, 31))
    assert year_2019[tree.province.pk] == {"admitted": 1}
    flows = tally_flows(
        [tree.province.pk, tree.district.pk, tree.commune.pk, tree.agency.pk],
        date(2023, 5, 2),
        date(2023, 5, 2),
    )
    assert tree.province.pk not in flows and tree.district.pk not in flows  # inside both: not a flow
    assert flows[tree.commune.pk] == {"transfer_out": 1} and flows[tree.agency.pk] == {"transfer_in": 1}
    assert tally_flows([tree.province.pk], date(2023, 5, 3), date(2023, 12, 31)) == {}
    assert tally_differences() == []


def test_a_restoration_is_counted_on_the_day_of_the_exit_it_undoes(tree, make_member):
    from dangbo.rules.exits import StrikeOffGround
    from dangbo.stats.tallies import tally_flows

    member = make_member(tree.cell_a)
    decision = DecisionRef(number="5-QĐ", on=date(2023, 3, 1), body="Đảng ủy")
    standing_services.member_strike_off(
        member=member, on=date(2023, 3, 1), ground=StrikeOffGround.RETURNED_CARD, decision=decision
    )
    assert tally_flows([tree.province.pk], date(2023, 1, 1), date(2023, 12, 31))[tree.province.pk] == {
        "struck_off": 1
    }
    standing_services.member_restore(
        member=member,
        on=date(2024, 6, 1),
        decision=DecisionRef(number="6-QĐ", on=date(2024, 6, 1), body="Tỉnh ủy"),
    )
    assert tally_flows([tree.province.pk], date(2023, 1, 1), date(2023, 12, 31))[tree.province.pk] == {
        "struck_off": 1,
        "restored": 1,
    }
    assert tally_flows([tree.province.pk], date(2024, 1, 1), date(2024, 12, 31)) == {}
    assert _counts(tree.province, "total") == {"": 1}
    assert tally_differences() == []


def test_an_upgraded_database_is_counted_once_at_start(tree, make_member, capsys):
    from dangbo import server
    from dangbo.stats.models import TallyRun

    make_member(tree.cell_a)
    OrgTally.objects.all().delete()
    server.count_once()
    assert "Đếm số liệu tổng hợp lần đầu" in capsys.readouterr().out
    assert TallyRun.objects.count() == 1 and tally_differences() == []
    server.count_once()  # counted already: nothing again
    assert TallyRun.objects.count() == 1


def test_the_tallies_hold_no_foreign_key_whose_checks_a_recount_would_pay(db):
    """The tally rows are derived and rebuilt whole; a database foreign key made the national
    demo's COMMIT check 40 million rows one by one (stats migration 0005)."""
    from django.db import connection

    with connection.cursor() as cursor:
        keys = connection.introspection.get_constraints(cursor, OrgTally._meta.db_table)
    assert not [name for name, c in keys.items() if c["foreign_key"]]
    assert OrgTally._meta.get_field("org").related_model.__name__ == "Org"  # still a relation in Django


def test_flows_by_year_are_the_days_flows_of_each_year(tree, make_member):
    """The kept years (``keys.YEAR_FLOW``) answer as the days do, for every kind, a transfer
    across two subtrees, a restoration, and a year read up to a day before its end."""
    from dangbo.rules.exits import StrikeOffGround
    from dangbo.stats.tallies import tally_fix_derived, tally_flows, tally_flows_by_year

    first = make_member(tree.cell_a, admitted_on=date(2019, 4, 1))
    second = make_member(tree.cell_b, admitted_on=date(2020, 2, 1))
    make_member(tree.agency, admitted_on=date(2023, 11, 20))
    member_transfer(member=first, to_org=tree.agency, effective_on=date(2023, 5, 2))
    standing_services.member_strike_off(
        member=second,
        on=date(2023, 3, 1),
        ground=StrikeOffGround.RETURNED_CARD,
        decision=DecisionRef(number="5-QĐ", on=date(2023, 3, 1), body="Đảng ủy"),
    )
    standing_services.member_restore(
        member=second,
        on=date(2024, 6, 1),
        decision=DecisionRef(number="6-QĐ", on=date(2024, 6, 1), body="Tỉnh ủy"),
    )
    orgs = [
        tree.province.pk,
        tree.district.pk,
        tree.commune.pk,
        tree.cell_a.pk,
        tree.cell_b.pk,
        tree.agency.pk,
    ]
    end = date(2023, 10, 31)  # the admission of 2023-11-20 is after it
    by_year = tally_flows_by_year(orgs, 2018, end)
    for org_id in orgs:
        for year in range(2018, 2024):
            days = tally_flows([org_id], date(year, 1, 1), min(date(year, 12, 31), end)).get(org_id, {})
            assert by_year.get(org_id, {}).get(year, {}) == days, (org_id, year)
    assert by_year[tree.commune.pk][2023] == {"struck_off": 1, "restored": 1, "transfer_out": 1}
    assert by_year[tree.province.pk][2023] == {"struck_off": 1, "restored": 1}
    assert 2023 not in tally_flows_by_year([tree.agency.pk], 2023, date(2023, 5, 1)).get(tree.agency.pk, {})
    assert tally_flows_by_year([tree.agency.pk], 2023, date(2023, 12, 31))[tree.agency.pk][2023] == {
        "transfer_in": 1,
        "admitted": 1,
    }
    assert tally_differences() == []
    assert tally_fix_derived() == 0  # a restructuring's recount of the transfers, by day and by year, agrees
