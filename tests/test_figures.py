"""The figures pages read from the tallies (the organization page, the tree, the overview) equal
a live count of the members and organizations, for every organization."""

from datetime import date

from dangbo.core.decisions import DecisionRef
from dangbo.core.kinds import OrgKind, Sector
from dangbo.demo.generator import build_demo
from dangbo.demo.profiles import PROFILES
from dangbo.members.models import Member, MemberStatus
from dangbo.members.org_selectors import _structure_of
from dangbo.members.selectors.figures import member_figures, member_figures_of, member_totals, members_under
from dangbo.members.services import standing
from dangbo.members.services.records import member_record_death
from dangbo.members.services.transfers import member_transfer
from dangbo.orgs import services as org_services
from dangbo.orgs.models import Org
from dangbo.orgs.selectors import org_direct_children_count, org_grassroots_count, org_kind_counts
from dangbo.restructuring.operations import org_dissolve, org_merge

DECISION = DecisionRef(number="7-QĐ/HU", on=date(2024, 6, 1), body="Huyện ủy")


def _assert_tallies_equal_live_counts(orgs):
    figures = member_figures_of(orgs)
    totals = member_totals(orgs)
    structure = _structure_of(orgs)
    for org in orgs:
        live = member_figures(path=org.path)
        assert figures[org.pk] == live, org.code
        assert totals[org.pk] == members_under(path=org.path).count() == live.total, org.code
        assert structure[org.pk] == (
            org_kind_counts(root=org),
            org_grassroots_count(root=org),
            org_direct_children_count(root=org),
        ), org.code


def test_tally_figures_equal_live_counts_with_members_in_every_state(tree, make_member):
    a = [
        make_member(tree.cell_a),
        make_member(tree.cell_a, gender="F", ethnicity="03"),
        make_member(tree.cell_a, full=False, gender="F"),
    ]
    b = [make_member(tree.cell_b, ethnicity="02"), make_member(tree.cell_b, full=False)]
    agency = [make_member(tree.agency, gender="F"), make_member(tree.agency)]
    member_record_death(member=a[0], died_on=date(2023, 1, 1))
    standing.member_move_away(
        member=agency[1], on=date(2024, 6, 2), to_name="Tỉnh Yên Bái", decision=DECISION
    )
    member_transfer(member=b[0], to_org=tree.agency, effective_on=date(2024, 3, 1))
    standing.member_temp_transfer(
        member=agency[0],
        purpose="work",
        starts_on=date(2024, 4, 1),
        until=date(2024, 12, 1),
        host=tree.cell_a,
    )
    # an emptied cell dissolved, another merged into cell A with its members
    empty = org_services.org_establish(
        code="X1C",
        name="Chi bộ thôn C",
        kind=OrgKind.CELL,
        parent=tree.commune,
        established_on=date(2015, 1, 1),
        sector=Sector.RESIDENTIAL,
    )
    org_dissolve(org=empty, effective_on=date(2024, 6, 1), decision=DECISION)
    org_merge(sources=[tree.cell_b], into=tree.cell_a, effective_on=date(2024, 6, 1), decision=DECISION)

    orgs = list(Org.objects.all())
    assert {o.code for o in orgs if o.dissolved_on} == {"X1C", "X1B"}
    statuses = set(Member.objects.values_list("status", flat=True))
    assert {
        MemberStatus.FULL,
        MemberStatus.PROBATIONARY,
        MemberStatus.DIED,
        MemberStatus.MOVED_AWAY,
    } <= statuses
    _assert_tallies_equal_live_counts(orgs)
    province = member_figures_of([tree.province])[tree.province.pk]
    assert (province.total, province.full, province.probationary) == (5, 3, 2)
    assert (province.women, province.ethnic_minority) == (3, 2)
    assert member_totals([tree.cell_a, tree.cell_b])[tree.cell_a.pk] == 3


def test_tally_figures_equal_live_counts_for_every_organization_of_a_demo(db):
    build_demo(PROFILES["tiny"], seed=11, progress=lambda line: None)
    orgs = list(Org.objects.all())
    assert len(orgs) > 10
    _assert_tallies_equal_live_counts(orgs)
    root = min(orgs, key=lambda o: len(o.path))
    assert member_figures(path=root.path).total > 100


def test_without_tallies_the_pages_count_live_and_find_the_same(tree, make_member, monkeypatch):
    from dangbo.core.projections import TallyProjection
    from dangbo.members import org_selectors
    from dangbo.members.selectors import figures

    make_member(tree.cell_a, gender="F")
    make_member(tree.agency, full=False, ethnicity="03")
    orgs = list(Org.objects.all())
    stored = (member_figures_of(orgs), member_totals(orgs), _structure_of(orgs))
    assert stored[0][tree.province.pk].total == 2
    monkeypatch.setattr(figures, "tallies", TallyProjection)  # what a site without stats has
    monkeypatch.setattr(org_selectors, "tallies", TallyProjection)
    assert (member_figures_of(orgs), member_totals(orgs), _structure_of(orgs)) == stored
