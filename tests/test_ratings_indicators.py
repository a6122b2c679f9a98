"""The section «Đánh giá, xếp loại chất lượng» of the indicator registry (issue 21): members and
grassroots organizations rated «good» or better against Resolution 21's "> 90 %", the members in
each band, the members on the lists not rated — on a small tree with known ratings, equal to a
recount of the reviews, across subtrees; the year a report reads; the band decided by a past
date; a cell moved since; the drill-downs' rows; the pages, the JSON report and scope."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.contrib.auth.models import User

from dangbo import cli
from dangbo.accounts.models import AccessRole
from dangbo.accounts.scope import SYSTEM
from dangbo.accounts.services import role_grant
from dangbo.audit.models import AuditEntry
from dangbo.core.kinds import GRASSROOTS_KINDS, OrgKind, Sector
from dangbo.discipline import services as discipline
from dangbo.members.models import MemberEvent
from dangbo.members.services.standing import member_standing_start
from dangbo.orgs import services as org_services
from dangbo.orgs.models import Org
from dangbo.orgs.services import DecisionRef
from dangbo.ratings import services
from dangbo.ratings.models import MemberRating, OrgRating
from dangbo.ratings.services import CampaignRequest, Verdict
from dangbo.restructuring.operations import org_move
from dangbo.rules import targets as target_rules
from dangbo.rules.discipline import Authority, Form
from dangbo.rules.ratings import Band
from dangbo.stats.drilldown import DRILLS
from dangbo.stats.frames import frame_for
from dangbo.stats.indicators import BY_CODE, SECTIONS, context_for, evaluate, report_dict
from dangbo.stats.indicators import ratings as rating_figures
from dangbo.stats.tallies import tally_ratings_rebuild

TODAY = date(2025, 12, 20)
DECIDED = date(2025, 12, 18)
SECTION = "Đánh giá, xếp loại chất lượng"
CODES = (
    "ratings.members_good_share",
    "ratings.orgs_good_share",
    "ratings.members_excellent",
    "ratings.members_good",
    "ratings.members_fulfilled",
    "ratings.members_failed",
    "ratings.members_not_rated",
)
SCORES = {Band.EXCELLENT: 95, Band.GOOD: 80, Band.FULFILLED: 60, Band.FAILED: 40}


def _rating(member, year=2025) -> MemberRating:
    return MemberRating.objects.get(member=member, year=year)


def _decide(grassroots, plan: dict, decision_no: str, on=DECIDED) -> None:
    """The cell proposes each member's band, and the grassroots committee decides them all."""
    for member, band in plan.items():
        score = 85 if band == Band.FAILED else SCORES[band]  # the disciplined member scores well
        services.member_cell_assess(actor=SYSTEM, rating=_rating(member), band=band, score=score)
    services.member_ratings_decide(
        actor=SYSTEM,
        grassroots=grassroots,
        verdicts=[Verdict(_rating(m)) for m in plan],
        decision_no=decision_no,
        decided_on=on,
    )


def _rate_org(org, band, score, decision_no="50-QĐ/HU"):
    rating = OrgRating.objects.get(org=org, year=2025)
    services.org_rating_decide(
        actor=SYSTEM, rating=rating, band=band, score=score, decision_no=decision_no, decided_on=DECIDED
    )


@pytest.fixture
def rated(tree, make_member, frozen_today):
    """A 2025 campaign over the first district, decided on 18/12/2025.
    Cell A (commune): An exempted (not rated); Bình disciplined in 2025, «not completed»; Chi,
    Dũng, Giang, Hà «good»; Khánh «excellent» (1 against 5 good in the commune: within the cap);
    Lan «completed». Cell B: Minh, Nga, Oanh «good»; Phúc proposed but not decided.
    The agency (a grassroots cell): Quân and Sơn «good», Tâm «completed».
    The commune rated «good» by the district, the agency «completed»."""
    frozen_today(TODAY)
    names = ("An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Khánh", "Lan")
    tree.a = [make_member(tree.cell_a, given_name=n, admitted_on=date(2010, 3, 1)) for n in names]
    tree.b = [
        make_member(tree.cell_b, given_name=n, admitted_on=date(2012, 3, 1))
        for n in ("Minh", "Nga", "Oanh", "Phúc")
    ]
    tree.ag = [
        make_member(tree.agency, given_name=n, admitted_on=date(2012, 3, 1)) for n in ("Quân", "Sơn", "Tâm")
    ]
    member_standing_start(
        member=tree.a[0],
        kind=MemberEvent.Kind.EXEMPTED,
        on=date(2025, 3, 1),
        ground="old_age_health",
        decision=DecisionRef(number="3-QĐ/ĐU", on=date(2025, 2, 25)),
    )
    case = discipline.discipline_open(
        member=tree.a[1], act_on=date(2025, 4, 2), summary="Vi phạm quy định", opened_on=date(2025, 5, 1)
    )
    discipline.discipline_decide(
        case=case,
        form=Form.REPRIMAND,
        authority=Authority.CELL,
        vote_on=date(2025, 6, 5),
        approvals=7,
        decision=DecisionRef(),
    )
    services.campaign_open(
        actor=SYSTEM,
        org=tree.district,
        request=CampaignRequest(
            year=2025,
            cutoff_on=date(2025, 11, 30),
            self_due_on=date(2025, 12, 5),
            cell_due_on=date(2025, 12, 10),
            decision_due_on=date(2025, 12, 31),
        ),
    )
    a, b, ag = tree.a, tree.b, tree.ag
    _decide(
        tree.commune,
        {
            a[1]: Band.FAILED,
            **dict.fromkeys((a[2], a[3], a[4], a[5], b[0], b[1], b[2]), Band.GOOD),
            a[6]: Band.EXCELLENT,
            a[7]: Band.FULFILLED,
        },
        "40-QĐ/ĐU",
    )
    services.member_cell_assess(actor=SYSTEM, rating=_rating(b[3]), band=Band.GOOD, score=75)
    _decide(tree.agency, {ag[0]: Band.GOOD, ag[1]: Band.GOOD, ag[2]: Band.FULFILLED}, "41-QĐ/CB")
    _rate_org(tree.commune, Band.GOOD, 82)
    _rate_org(tree.agency, Band.FULFILLED, 65)
    return tree


def _ctx(root, **frame):
    return context_for(frame_for(root=root, **frame))


def _values(root, **frame) -> dict:
    ctx = _ctx(root, **frame)
    out: dict = {}
    for code in CODES:
        value = evaluate(ctx, BY_CODE[code], root).value
        out[code] = (value.numerator, value.denominator) if value.denominator is not None else value.numerator
    return out


def _recount(root, year=2025) -> dict:
    """The same figures counted one review at a time (the tree unchanged: current paths)."""
    bands = dict.fromkeys(Band.ORDER, 0)
    not_rated = 0
    for r in MemberRating.objects.filter(year=year, period="year").select_related("cell"):
        if not r.cell.path.startswith(root.path):
            continue
        if r.not_rated or not r.band:
            not_rated += 1
        else:
            bands[r.band] += 1
    orgs_rated = orgs_good = 0
    for o in OrgRating.objects.filter(year=year, period="year").select_related("org"):
        if o.org.path.startswith(root.path) and o.org.kind in GRASSROOTS_KINDS and o.band:
            orgs_rated += 1
            orgs_good += o.band in Band.GOOD_OR_BETTER
    return {
        "ratings.members_good_share": (bands[Band.EXCELLENT] + bands[Band.GOOD], sum(bands.values())),
        "ratings.orgs_good_share": (orgs_good, orgs_rated),
        "ratings.members_excellent": bands[Band.EXCELLENT],
        "ratings.members_good": bands[Band.GOOD],
        "ratings.members_fulfilled": bands[Band.FULFILLED],
        "ratings.members_failed": bands[Band.FAILED],
        "ratings.members_not_rated": not_rated,
    }


def test_the_section_is_declared_with_its_target_and_definitions(db):
    assert SECTION in SECTIONS
    for code in CODES:
        indicator = BY_CODE[code]
        assert indicator.section == SECTION and indicator.drill in DRILLS
        assert "năm đánh giá" in indicator.definition.lower()
    for code, rule in (
        ("ratings.members_good_share", target_rules.MEMBERS_RATED_GOOD),
        ("ratings.orgs_good_share", target_rules.GRASSROOTS_RATED_GOOD),
    ):
        assert BY_CODE[code].target is rule
        for day, year in ((date(2025, 6, 1), 2025), (date(2026, 6, 1), 2030)):
            version = rule.at(day)
            assert (version.value.value, version.value.year, version.value.direction) == (0.9, year, "above")
            assert "21-NQ/TW" in version.citation and "mục III" in version.citation
    # "trên 90 %": exactly 90 % does not meet it
    target = target_rules.MEMBERS_RATED_GOOD.value(date(2025, 6, 1))
    assert not target.met(0.9) and target.met(0.91)


def test_values_equal_a_recount_across_subtrees(rated):
    expected = {
        "ratings.members_good_share": (10, 13),  # Khánh and nine «good» of thirteen decided
        "ratings.orgs_good_share": (1, 2),  # the commune, not the agency
        "ratings.members_excellent": 1,
        "ratings.members_good": 9,
        "ratings.members_fulfilled": 2,
        "ratings.members_failed": 1,
        "ratings.members_not_rated": 2,  # An (exempted) and Phúc (not decided)
    }
    assert _values(rated.province) == expected == _recount(rated.province)
    assert _values(rated.district) == expected
    commune = _values(rated.commune)
    assert commune == _recount(rated.commune)
    assert commune["ratings.members_good_share"] == (8, 10)
    assert commune["ratings.orgs_good_share"] == (1, 1)  # the commune itself
    cell_a = _values(rated.cell_a)
    assert cell_a == _recount(rated.cell_a)
    assert cell_a["ratings.members_good_share"] == (5, 7) and cell_a["ratings.orgs_good_share"] == (0, 0)
    assert _values(rated.agency)["ratings.members_good_share"] == (2, 3)
    # the children add up to the root
    ctx = _ctx(rated.district)
    for code in ("ratings.members_good_share", "ratings.members_not_rated", "ratings.orgs_good_share"):
        root = evaluate(ctx, BY_CODE[code], rated.district).value
        children = [evaluate(ctx, BY_CODE[code], child).value for child in ctx.children]
        assert sum(v.numerator or 0 for v in children) == root.numerator
    # against the target: 10/13 is not above 90 %; a subtree with no ratings has no data
    assert evaluate(ctx, BY_CODE["ratings.members_good_share"], rated.district).status == "not_met"
    empty = _ctx(rated.district2)
    assert evaluate(empty, BY_CODE["ratings.members_good_share"], rated.district2).status == "no_data"
    assert _values(rated.district2)["ratings.members_not_rated"] == 0


def test_the_year_read_is_the_period_ends_once_decided_otherwise_the_year_before(rated, frozen_today):
    # before the first decision of 2025, a report reads 2024: nothing rated
    before = _ctx(rated.province, as_of=date(2025, 12, 17))
    assert rating_figures.rating_year(before) == 2024
    assert evaluate(before, BY_CODE["ratings.members_good_share"], rated.province).status == "no_data"
    # in 2026, before its decisions, the dashboard shows 2025
    frozen_today(date(2026, 3, 2))
    ctx = _ctx(rated.province)
    assert rating_figures.rating_year(ctx) == 2025
    assert _values(rated.province) == _recount(rated.province)
    # a period of 2025 read on a later day: 2025
    period = _ctx(rated.province, start=date(2025, 1, 1), end=date(2025, 12, 31))
    assert rating_figures.rating_year(period) == 2025
    assert "năm 2025" in DRILLS["ratings_cells_good_share"](ctx, rated.province).title


def test_a_correction_after_the_report_date_is_not_counted_on_that_date(rated, frozen_today):
    frozen_today(date(2025, 12, 22))
    services.member_rating_correct(
        actor=SYSTEM,
        rating=_rating(rated.b[0]),
        band=Band.FULFILLED,
        score=62,
        decision_no="45-QĐ/ĐU",
        decided_on=date(2025, 12, 21),
        reason="Phát hiện chưa hoàn thành chỉ tiêu",
    )
    services.org_rating_decide(
        actor=SYSTEM,
        rating=OrgRating.objects.get(org=rated.commune, year=2025),
        band=Band.FULFILLED,
        score=68,
        decision_no="51-QĐ/HU",
        decided_on=date(2025, 12, 21),
        reason="Điều chỉnh theo kết luận kiểm tra",
    )
    now = _values(rated.province)
    assert now == _recount(rated.province)
    assert now["ratings.members_good_share"] == (9, 13) and now["ratings.orgs_good_share"] == (0, 2)
    then = _values(rated.province, as_of=date(2025, 12, 20))
    assert then["ratings.members_good_share"] == (10, 13) and then["ratings.orgs_good_share"] == (1, 2)
    assert then["ratings.members_fulfilled"] == 2
    # the list of that day shows the commune as it was not: rated good, so not below the target
    below = DRILLS["ratings_grassroots_below"](_ctx(rated.province, as_of=date(2025, 12, 20)), rated.province)
    assert [r[0].org_id for r in below.rows] == [rated.agency.pk]
    below_now = DRILLS["ratings_grassroots_below"](_ctx(rated.province), rated.province)
    assert [(r[0].org_id, r[4].text) for r in below_now.rows] == [
        (rated.commune.pk, "51-QĐ/HU, 21/12/2025"),
        (rated.agency.pk, "50-QĐ/HU, 18/12/2025"),
    ]


def test_a_cell_moved_since_counts_where_it_stands_on_the_report_date(rated, frozen_today):
    frozen_today(date(2026, 2, 10))
    commune2 = org_services.org_establish(
        code="X2",
        name="Đảng bộ xã Hai",
        kind=OrgKind.GRASSROOTS_COMMITTEE,
        parent=rated.district2,
        established_on=date(2015, 1, 1),
        sector=Sector.COMMUNE,
    )
    org_move(
        org=rated.cell_b,
        new_parent=commune2,
        effective_on=date(2026, 2, 1),
        decision=DecisionRef(number="12-QĐ/HU", on=date(2026, 1, 25), body="Huyện ủy"),
    )
    assert _values(rated.district2)["ratings.members_good_share"] == (3, 3)
    assert _values(rated.district2)["ratings.members_not_rated"] == 1  # Phúc
    assert _values(rated.commune)["ratings.members_good_share"] == (5, 7)
    # on 31/01/2026 cell B still stood in the first commune
    assert _values(rated.commune, as_of=date(2026, 1, 31))["ratings.members_good_share"] == (8, 10)
    assert _values(rated.district2, as_of=date(2026, 1, 31))["ratings.members_good_share"] == (0, 0)
    assert _values(rated.province)["ratings.members_good_share"] == (10, 13)


def test_a_small_subtree_read_by_its_list_of_cells_gives_what_the_subquery_gives(rated, monkeypatch):
    from dangbo.stats.indicators import dues as dues_figures

    def read(root):
        ctx = _ctx(root)
        values = {code: evaluate(ctx, BY_CODE[code], org).value for code in CODES for org in ctx.orgs}
        drills = {
            code: [[c.text for c in r] for r in DRILLS[BY_CODE[code].drill](ctx, root).rows] for code in CODES
        }
        return values, drills

    roots = (rated.province, rated.district, rated.commune, rated.cell_a)
    by_subquery = {root.pk: read(root) for root in roots}
    monkeypatch.setattr(dues_figures, "list_limit", lambda: 100)
    monkeypatch.setattr(rating_figures, "CHUNK", 2)
    assert {root.pk: read(root) for root in roots} == by_subquery


def test_drill_downs_list_the_cells_the_organizations_and_the_members(rated):
    ctx = _ctx(rated.province)
    cells = DRILLS["ratings_cells_good_share"](ctx, rated.province)
    assert not cells.names_people
    assert [[c.text for c in row] for row in cells.rows] == [
        # cell, under, rated, HTXSNV, HTTNV, HTNV, KHTNV, share, not rated, undecided
        ["Chi bộ Cơ quan Một", "Huyện ủy Một", "3", "0", "2", "1", "0", "66,7 %", "0", "0"],
        ["Chi bộ thôn A", "Đảng bộ xã Một", "7", "1", "4", "1", "1", "71,4 %", "1", "0"],
        ["Chi bộ thôn B", "Đảng bộ xã Một", "3", "0", "3", "0", "0", "100,0 %", "0", "1"],
    ]
    bands = DRILLS["ratings_grassroots_bands"](ctx, rated.province)
    assert [[c.text for c in row] for row in bands.rows] == [
        ["Đảng bộ xã Một", "1", "7", "1", "1", "80,0 %", "đạt (tối đa 1)"],
        ["Chi bộ Cơ quan Một", "0", "2", "1", "0", "66,7 %", "đạt (tối đa 0)"],
    ]
    assert "20 %" in bands.title and "chưa xác nhận" in bands.title
    # seen from cell A, the commune is only partly in the subtree: no judgement of the cap
    partial = DRILLS["ratings_grassroots_bands"](_ctx(rated.cell_a), rated.cell_a)
    assert [[c.text for c in row] for row in partial.rows] == [
        ["Đảng bộ xã Một", "1", "4", "1", "1", "71,4 %", "—"]
    ]
    failed = DRILLS["ratings_members_failed"](ctx, rated.province)
    assert failed.names_people
    assert [(r[0].member_id, r[1].text, r[2].text, r[4].text) for r in failed.rows] == [
        (rated.a[1].pk, "Chi bộ thôn A", "85", "40-QĐ/ĐU, 18/12/2025")
    ]
    assert "kỷ luật" in failed.rows[0][3].text
    not_rated = DRILLS["ratings_members_not_rated"](ctx, rated.province)
    assert not_rated.names_people
    assert [(r[0].member_id, r[2].text) for r in not_rated.rows] == [
        (rated.a[0].pk, "Được miễn công tác và sinh hoạt đảng"),
        (rated.b[3].pk, "Chưa có quyết định xếp loại (chi bộ đề xuất HTTNV)"),
    ]
    assert "được miễn công tác và sinh hoạt đảng: 1" in not_rated.title
    assert len(not_rated.rows) == _values(rated.province)["ratings.members_not_rated"]
    below = DRILLS["ratings_grassroots_below"](ctx, rated.province)
    assert [[c.text for c in row] for row in below.rows] == [
        ["Chi bộ Cơ quan Một", "Huyện ủy Một", "Hoàn thành nhiệm vụ", "65", "50-QĐ/HU, 18/12/2025", "66,7 %"]
    ]
    # the commune's lists hold its own cells only; the second district's nothing
    commune = DRILLS["ratings_members_not_rated"](_ctx(rated.commune), rated.commune)
    assert {r[0].member_id for r in commune.rows} == {rated.a[0].pk, rated.b[3].pk}
    assert DRILLS["ratings_grassroots_below"](_ctx(rated.commune), rated.commune).rows == []
    for code in CODES:
        assert DRILLS[BY_CODE[code].drill](_ctx(rated.district2), rated.district2).rows == []


def test_an_undecided_grassroots_organization_is_listed_not_counted(rated, make_member):
    # a second grassroots cell under the district, listed by no campaign: not there at all;
    # the commune's rating undone would leave it listed as undecided
    OrgRating.objects.filter(org=rated.commune).update(band="", score=None, decision_no="", decided_on=None)
    from dangbo.ratings.models import RatingDecision

    RatingDecision.objects.filter(org_rating__org=rated.commune).delete()
    tally_ratings_rebuild()  # written behind the services: the counts are rebuilt, as the check would
    assert _values(rated.province)["ratings.orgs_good_share"] == (0, 1)
    below = DRILLS["ratings_grassroots_below"](_ctx(rated.province), rated.province)
    assert [(r[0].org_id, r[2].text) for r in below.rows] == [
        (rated.agency.pk, "Hoàn thành nhiệm vụ"),
        (rated.commune.pk, "Chưa có quyết định xếp loại"),
    ]
    assert Org.objects.get(pk=rated.commune.pk).kind in GRASSROOTS_KINDS


def test_the_pages_and_the_report_show_the_section_within_scope(client, rated, capsys):
    user = User.objects.create_user("lanh-dao", password="mat-khau-dai-du-1")
    role_grant(user=user, role=AccessRole.OFFICER, org=rated.district)
    client.force_login(user)
    html = client.get(f"/to-chuc/{rated.district.pk}/chi-tieu/").content.decode()
    assert SECTION in html and "Tỷ lệ đảng viên xếp loại hoàn thành tốt nhiệm vụ trở lên" in html
    assert "&gt; 90 %" in html or "> 90 %" in html
    response = client.get(f"/to-chuc/{rated.district.pk}/chi-tieu/ratings.members_not_rated/")
    page = response.content.decode()
    assert response.status_code == 200 and rated.b[3].full_name in page and "chi bộ đề xuất HTTNV" in page
    assert AuditEntry.objects.filter(data__list="ratings.members_not_rated").exists()
    response = client.get(f"/to-chuc/{rated.district.pk}/chi-tieu/ratings.members_good_share/")
    assert response.status_code == 200 and "Chi bộ thôn A" in response.content.decode()
    # an officer of the sibling district sees none of it
    other = User.objects.create_user("can-bo-khac", password="mat-khau-dai-du-1")
    role_grant(user=other, role=AccessRole.OFFICER, org=rated.district2)
    client.force_login(other)
    assert client.get(f"/to-chuc/{rated.district.pk}/chi-tieu/ratings.members_not_rated/").status_code == 404
    assert client.get(f"/to-chuc/{rated.district.pk}/chi-tieu/ratings.members_failed/").status_code == 404
    own = client.get(f"/to-chuc/{rated.district2.pk}/chi-tieu/ratings.members_failed/").content.decode()
    assert rated.a[1].full_name not in own
    # the JSON report, in Python and from the command line
    found = {i["code"]: i for i in report_dict(_ctx(rated.province))["indicators"]}
    assert found["ratings.members_good_share"]["value"] == pytest.approx(10 / 13)
    assert found["ratings.members_good_share"]["target"]["direction"] == "above"
    assert found["ratings.members_good_share"]["status"] == "not_met"
    capsys.readouterr()
    assert cli.main(["report", "indicators", "--org", "X1", "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    by_code = {i["code"]: i for i in report["indicators"]}
    assert (
        by_code["ratings.members_good_share"]["numerator"],
        by_code["ratings.members_good_share"]["denominator"],
    ) == (8, 10)
    assert (
        by_code["ratings.orgs_good_share"]["value"] == 1.0
        and by_code["ratings.orgs_good_share"]["status"] == "met"
    )
    assert by_code["ratings.members_not_rated"]["value"] == 2
