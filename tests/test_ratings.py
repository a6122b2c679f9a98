"""The annual review and quality rating (issue 21, RULES.md §4): the bands and the scores that
give them, disqualifiers (discipline read from the ledger), the cap on «excellent» per grassroots
organization, who is not rated, the campaign's list on its cut-off date, the steps of a member's
review, decisions and their corrections, organizations rated by their superior, and old years."""

from __future__ import annotations

from datetime import date

import pytest

from conftest import refused_on
from dangbo.accounts.scope import SYSTEM, scope_for
from dangbo.core.roles import Role
from dangbo.core.violations import NotInScope
from dangbo.discipline import services as discipline
from dangbo.members import ledger
from dangbo.members.models import Member, MemberEvent
from dangbo.members.services.positions import member_position_start
from dangbo.members.services.standing import member_standing_start
from dangbo.orgs.services import DecisionRef
from dangbo.ratings import services
from dangbo.ratings.models import MemberRating, NotRated, OrgRating, RatingDecision, ReviewCampaign
from dangbo.ratings.services import CampaignRequest, Verdict
from dangbo.rules import ratings as rules
from dangbo.rules.base import RuleViolation
from dangbo.rules.discipline import Authority, Form
from dangbo.rules.ratings import Band, Disqualifier, LegacyLevel, MemberForm

TODAY = date(2025, 12, 20)


def _request(year=2025, **overrides) -> CampaignRequest:
    values = {
        "year": year,
        "cutoff_on": date(year, 11, 30),
        "self_due_on": date(year, 12, 5),
        "cell_due_on": date(year, 12, 10),
        "decision_due_on": date(year, 12, 31),
    }
    values.update(overrides)
    return CampaignRequest(**values)


@pytest.fixture
def review(tree, make_member, frozen_today):
    """Cell A: twelve members (one exempted from meetings in 2025, one disciplined in June 2025,
    one a committee member); cell B: three; the agency: two. A 2025 campaign for the commune."""
    frozen_today(TODAY)
    tree.a = [make_member(tree.cell_a, admitted_on=date(2010, 3, 1)) for _ in range(12)]
    tree.b = [make_member(tree.cell_b, admitted_on=date(2012, 3, 1)) for _ in range(3)]
    tree.ag = [make_member(tree.agency, admitted_on=date(2012, 3, 1)) for _ in range(2)]
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
        approvals=9,
        decision=DecisionRef(),
    )
    member_position_start(
        member=tree.a[2],
        org=tree.cell_a,
        role=Role.SECRETARY,
        started_on=date(2020, 10, 1),
        decision=DecisionRef(number="9-QĐ/ĐU", on=date(2020, 9, 28)),
    )
    tree.campaign = services.campaign_open(actor=SYSTEM, org=tree.commune, request=_request())
    return tree


def _rating(member, year=2025) -> MemberRating:
    return MemberRating.objects.get(member=member, year=year)


def _propose(member, band, score, **extra):
    return services.member_cell_assess(actor=SYSTEM, rating=_rating(member), band=band, score=score, **extra)


# --- the rule ---------------------------------------------------------------------------------


def test_scores_give_the_bands_of_qd_366():
    scale = rules.SCALE.value(date(2025, 12, 31))
    assert scale.scored
    assert [rules.band_for_score(s, scale) for s in (100, 90, 89, 70, 69, 50, 49, 0)] == [
        Band.EXCELLENT,
        Band.EXCELLENT,
        Band.GOOD,
        Band.GOOD,
        Band.FULFILLED,
        Band.FULFILLED,
        Band.FAILED,
        Band.FAILED,
    ]
    # before QĐ 366 a band was chosen without points
    assert not rules.SCALE.value(date(2024, 12, 31)).scored


def test_a_band_that_contradicts_its_score_or_a_disqualifier_is_refused():
    assert rules.check_band(year=2025, band=Band.GOOD, score=75) == []
    [v] = rules.check_band(year=2025, band=Band.EXCELLENT, score=75)
    assert v.rule == "ratings.scale" and "75 điểm" in v.message and "QĐ/TW" in v.citation
    [v] = rules.check_band(year=2025, band=Band.FULFILLED, score=75)  # lower without a ground
    assert v.rule == "ratings.scale"
    [v] = rules.check_band(year=2025, band=Band.GOOD, score=None)
    assert v.field == "score"
    [v] = rules.check_band(year=2025, band=Band.GOOD, score=101)
    assert v.field == "score"
    [v] = rules.check_band(year=2025, band=Band.GOOD, score=95, disqualifiers=[Disqualifier.DISCIPLINED])
    assert v.rule == "ratings.member_disqualifiers" and "kỷ luật" in v.message
    assert (
        rules.check_band(year=2025, band=Band.FAILED, score=95, disqualifiers=[Disqualifier.DISCIPLINED])
        == []
    )
    # organizations: a disciplined committee member keeps it from «excellent» only
    assert (
        rules.check_band(
            year=2025, band=Band.GOOD, score=95, disqualifiers=[Disqualifier.LEADER_DISCIPLINED], org=True
        )
        == []
    )
    assert rules.check_band(
        year=2025, band=Band.EXCELLENT, score=95, disqualifiers=[Disqualifier.LEADER_DISCIPLINED], org=True
    )
    # 2024: no score needed, any band the disqualifiers allow
    assert rules.check_band(year=2024, band=Band.EXCELLENT, score=None) == []


def test_the_cap_is_twenty_percent_of_the_good_and_unconfirmed_under_qd_366():
    assert rules.check_excellent_cap(year=2025, excellent=2, good=10, org_label="X") == []
    [v] = rules.check_excellent_cap(year=2025, excellent=3, good=10, org_label="Đảng bộ xã Một")
    assert "3 đảng viên" in v.message and "tối đa 2" in v.message and "20 %" in v.message
    assert not rules.EXCELLENT_CAP.at(date(2025, 12, 31)).confirmed
    assert rules.EXCELLENT_CAP.at(date(2024, 12, 31)).confirmed


def test_two_years_running_not_completed_make_a_run():
    on = date(2026, 1, 1)
    assert rules.failed_runs({2023: Band.FAILED, 2024: Band.FAILED}, on=on) == [(2023, 2024)]
    assert rules.failed_runs({2022: Band.FAILED, 2023: Band.GOOD, 2024: Band.FAILED}, on=on) == []


# --- the campaign ---------------------------------------------------------------------------


def test_the_campaign_lists_every_member_counted_on_its_cutoff_with_why_some_are_not_rated(review):
    ratings = {r.member_id: r for r in MemberRating.objects.filter(campaign=review.campaign)}
    assert set(ratings) == {m.pk for m in review.a + review.b}  # the agency is not under the commune
    assert review.campaign.members == 15
    assert ratings[review.a[0].pk].not_rated == NotRated.EXEMPTED
    assert all(not r.not_rated for pk, r in ratings.items() if pk != review.a[0].pk)
    assert (
        ratings[review.a[2].pk].form == MemberForm.LEADER and ratings[review.a[3].pk].form == MemberForm.OTHER
    )
    assert {r.grassroots_id for r in ratings.values()} == {review.commune.pk}
    # the organizations: the two cells (rated by the commune) and the commune (by the district)
    orgs = {o.org_id: o.authority_id for o in OrgRating.objects.filter(campaign=review.campaign)}
    assert orgs == {
        review.cell_a.pk: review.commune.pk,
        review.cell_b.pk: review.commune.pk,
        review.commune.pk: review.district.pk,
    }


def test_a_campaign_is_refused_twice_over_one_subtree_and_with_bad_dates(review):
    with pytest.raises(RuleViolation) as refused:
        services.campaign_open(actor=SYSTEM, org=review.district, request=_request())
    assert refused_on(refused) == [("input", None)]
    with pytest.raises(RuleViolation) as refused:
        services.campaign_open(
            actor=SYSTEM, org=review.agency, request=_request(self_due_on=date(2025, 11, 1))
        )
    assert ("input", "self_due_on") in refused_on(refused)
    with pytest.raises(RuleViolation):
        services.campaign_open(actor=SYSTEM, org=review.agency, request=_request(year=2017))
    assert ReviewCampaign.objects.count() == 1


# --- a member's review ------------------------------------------------------------------------


def test_a_members_review_goes_from_self_assessment_to_the_committees_decision(review):
    member = review.a[3]
    services.member_self_assess(
        actor=SYSTEM, rating=_rating(member), form=MemberForm.OTHER, score=82, band=Band.GOOD
    )
    _propose(member, Band.GOOD, 80, note="Hoàn thành tốt")
    [decision] = services.member_ratings_decide(
        actor=SYSTEM,
        grassroots=review.commune,
        verdicts=[Verdict(_rating(member))],
        decision_no="25-QĐ/ĐU",
        decided_on=date(2025, 12, 18),
    )
    rating = _rating(member)
    assert (rating.band, rating.score, rating.decision_no) == (Band.GOOD, 80, "25-QĐ/ĐU")
    assert (decision.band, decision.authority_id) == (Band.GOOD, review.commune.pk)
    event = MemberEvent.objects.get(member=member, kind=MemberEvent.Kind.RATED)
    assert event.data["year"] == 2025 and event.data["band"] == Band.GOOD
    member.refresh_from_db()
    assert ledger.projection_matches_replay(member)
    # once decided, the earlier steps are closed
    with pytest.raises(RuleViolation):
        _propose(member, Band.EXCELLENT, 95)


def test_a_disciplined_member_is_not_completed_whatever_the_score(review):
    member = review.a[1]
    with pytest.raises(RuleViolation) as refused:
        _propose(member, Band.GOOD, 85)
    assert refused_on(refused) == [("ratings.member_disqualifiers", "band")]
    rating = _propose(member, Band.FAILED, 85)
    assert rating.cell_disqualifiers == [Disqualifier.DISCIPLINED]  # from the ledger, not the form


def test_an_exempted_member_is_not_rated(review):
    with pytest.raises(RuleViolation) as refused:
        _propose(review.a[0], Band.GOOD, 80)
    assert "miễn công tác" in str(refused.value)


def test_the_cap_on_excellent_is_checked_across_the_grassroots_organization_with_the_numbers(review):
    good = list(review.a[3:] + review.b)  # 12 members
    for m in good[:10]:
        _propose(m, Band.GOOD, 80)
    for m in good[10:]:
        _propose(m, Band.EXCELLENT, 95)
    # 2 excellent against 10 good: allowed (20 %)
    services.member_ratings_decide(
        actor=SYSTEM,
        grassroots=review.commune,
        verdicts=[Verdict(_rating(m)) for m in good],
        decision_no="30-QĐ/ĐU",
        decided_on=date(2025, 12, 19),
    )
    # a third, the secretary, proposed excellent: 3 against 10 is refused with the numbers; nothing written
    secretary = review.a[2]
    _propose(secretary, Band.EXCELLENT, 96)
    with pytest.raises(RuleViolation) as refused:
        services.member_ratings_decide(
            actor=SYSTEM,
            grassroots=review.commune,
            verdicts=[Verdict(_rating(secretary))],
            decision_no="31-QĐ/ĐU",
            decided_on=date(2025, 12, 19),
        )
    assert refused_on(refused) == [("ratings.excellent_cap", "band")]
    assert "3 đảng viên" in str(refused.value) and "tối đa 2" in str(refused.value)
    assert not _rating(secretary).decided
    assert not MemberEvent.objects.filter(member=secretary, kind=MemberEvent.Kind.RATED).exists()


def test_a_decision_for_many_is_all_or_nothing(review):
    first, second = review.b[0], review.b[1]
    _propose(first, Band.GOOD, 80)  # the second has no proposal
    with pytest.raises(RuleViolation):
        services.member_ratings_decide(
            actor=SYSTEM,
            grassroots=review.commune,
            verdicts=[Verdict(_rating(first)), Verdict(_rating(second))],
            decision_no="32-QĐ/ĐU",
            decided_on=date(2025, 12, 19),
        )
    assert not RatingDecision.objects.exists() and not _rating(first).decided


def test_a_correction_is_a_new_dated_decision_and_the_first_stays(review):
    member = review.b[2]
    _propose(member, Band.GOOD, 78)
    [first] = services.member_ratings_decide(
        actor=SYSTEM,
        grassroots=review.commune,
        verdicts=[Verdict(_rating(member))],
        decision_no="33-QĐ/ĐU",
        decided_on=date(2025, 12, 18),
    )
    with pytest.raises(RuleViolation) as refused:
        services.member_rating_correct(
            actor=SYSTEM,
            rating=_rating(member),
            band=Band.FULFILLED,
            score=65,
            decision_no="34-QĐ/ĐU",
            decided_on=date(2025, 12, 19),
            reason="",
        )
    assert ("input", "reason") in refused_on(refused)
    second = services.member_rating_correct(
        actor=SYSTEM,
        rating=_rating(member),
        band=Band.FULFILLED,
        score=65,
        decision_no="34-QĐ/ĐU",
        decided_on=date(2025, 12, 19),
        reason="Phát hiện chưa hoàn thành chỉ tiêu",
    )
    assert second.corrects == first and _rating(member).band == Band.FULFILLED
    assert RatingDecision.objects.filter(member_rating=_rating(member)).count() == 2
    assert MemberEvent.objects.filter(member=member, kind=MemberEvent.Kind.RATED).count() == 2


def test_only_the_grassroots_committee_decides_and_a_secretary_of_another_cell_cannot_assess(
    review, django_user_model
):
    from dangbo.accounts.models import AccessRole
    from dangbo.accounts.services import role_grant

    user = django_user_model.objects.create_user("bithu-b", password="mat-khau-dai-du-1")
    role_grant(user=user, role=AccessRole.SECRETARY, org=review.cell_b)
    actor = scope_for(user)
    with pytest.raises(NotInScope):
        services.member_cell_assess(actor=actor, rating=_rating(review.a[4]), band=Band.GOOD, score=80)
    rating = services.member_cell_assess(actor=actor, rating=_rating(review.b[0]), band=Band.GOOD, score=80)
    with pytest.raises(NotInScope):
        services.member_ratings_decide(
            actor=actor,
            grassroots=review.commune,
            verdicts=[Verdict(rating)],
            decision_no="1",
            decided_on=TODAY,
        )


# --- organizations and old years --------------------------------------------------------------


def test_an_organization_is_rated_by_its_superior_and_a_disciplined_secretary_keeps_it_from_excellent(review):
    cell_a = OrgRating.objects.get(org=review.cell_a, year=2025)
    services.org_self_assess(actor=SYSTEM, rating=cell_a, band=Band.EXCELLENT, score=92)
    case = discipline.discipline_open(
        member=review.a[2], act_on=date(2025, 7, 1), summary="Vi phạm", opened_on=date(2025, 8, 1)
    )
    discipline.discipline_decide(
        case=case,
        form=Form.REPRIMAND,
        authority=Authority.CELL,
        vote_on=date(2025, 8, 5),
        approvals=9,
        decision=DecisionRef(),
    )
    with pytest.raises(RuleViolation) as refused:
        services.org_rating_decide(
            actor=SYSTEM,
            rating=cell_a,
            band=Band.EXCELLENT,
            score=92,
            decision_no="40-QĐ/ĐU",
            decided_on=TODAY,
        )
    assert refused_on(refused) == [("ratings.org_disqualifiers", "band")]
    decision = services.org_rating_decide(
        actor=SYSTEM, rating=cell_a, band=Band.GOOD, score=92, decision_no="40-QĐ/ĐU", decided_on=TODAY
    )
    assert decision.authority_id == review.commune.pk
    assert OrgRating.objects.get(pk=cell_a.pk).disqualifiers == [Disqualifier.LEADER_DISCIPLINED]


def test_years_before_2018_are_recorded_in_their_old_level(review):
    member = review.a[5]
    services.legacy_rating_record(
        actor=SYSTEM,
        member=member,
        year=2015,
        level=LegacyLevel.MEMBER_GOOD,
        decision_no="5-TB/ĐU",
        decided_on=date(2015, 12, 28),
    )
    rating = _rating(member, 2015)
    assert rating.band == "" and rating.band_label == "Đủ tư cách, hoàn thành tốt nhiệm vụ"
    with pytest.raises(RuleViolation):
        services.legacy_rating_record(
            actor=SYSTEM,
            member=member,
            year=2019,
            level=LegacyLevel.MEMBER_GOOD,
            decision_no="5",
            decided_on=date(2019, 12, 28),
        )
    # not yet in the Party that day
    with pytest.raises(RuleViolation):
        services.legacy_rating_record(
            actor=SYSTEM,
            member=member,
            year=2008,
            level=LegacyLevel.MEMBER_GOOD,
            decision_no="5",
            decided_on=date(2008, 12, 28),
        )
    services.legacy_rating_record(
        actor=SYSTEM,
        org=review.cell_a,
        year=2016,
        level=LegacyLevel.ORG_CLEAN_STRONG,
        decision_no="6-TB/ĐU",
        decided_on=date(2016, 12, 28),
    )
    assert OrgRating.objects.get(org=review.cell_a, year=2016).band_label == "Trong sạch, vững mạnh"


def test_two_years_not_completed_open_a_striking_off_review_with_both_years(review):
    from dangbo.members.hooks import strike_off_evidence
    from dangbo.members.selectors.todo import due_items

    member = review.b[0]
    services.campaign_open(actor=SYSTEM, org=review.commune, request=_request(year=2024))
    for year, decided_on in ((2024, date(2024, 12, 20)), (2025, date(2025, 12, 18))):
        rating = MemberRating.objects.get(member=member, year=year)
        score = None if year == 2024 else 40
        services.member_cell_assess(actor=SYSTEM, rating=rating, band=Band.FAILED, score=score)
        services.member_ratings_decide(
            actor=SYSTEM,
            grassroots=review.commune,
            verdicts=[Verdict(rating)],
            decision_no=f"{year}-QĐ/ĐU",
            decided_on=decided_on,
        )
    items = [i for i in due_items(actor=SYSTEM, org=review.commune, as_of=TODAY) if i.member == member]
    [item] = [i for i in items if "xếp loại" in i.title]
    assert item.review and not item.overdue and "2024, 2025" in item.note and "Điều 8" in item.citation
    assert item.due_on == date(2025, 12, 18)
    [evidence] = [e for e in strike_off_evidence(member, on=TODAY) if e.data.get("source") == "ratings"]
    assert evidence.data["years"] == [2024, 2025] and evidence.data["reaches_rule"]
    # one year alone is not a review
    other = review.b[1]
    rating = _rating(other)
    services.member_cell_assess(actor=SYSTEM, rating=rating, band=Band.FAILED, score=30)
    services.member_ratings_decide(
        actor=SYSTEM, grassroots=review.commune, verdicts=[Verdict(rating)], decision_no="9", decided_on=TODAY
    )
    assert not [i for i in due_items(actor=SYSTEM, org=review.commune, as_of=TODAY) if i.member == other]


def test_progress_by_cell_the_cap_status_and_a_members_years(review):
    from dangbo.ratings import selectors

    _propose(review.b[0], Band.GOOD, 80)
    services.member_self_assess(
        actor=SYSTEM, rating=_rating(review.b[1]), form=MemberForm.OTHER, score=70, band=Band.GOOD
    )
    services.member_ratings_decide(
        actor=SYSTEM,
        grassroots=review.commune,
        verdicts=[Verdict(_rating(review.b[0]))],
        decision_no="50-QĐ/ĐU",
        decided_on=TODAY,
    )
    total, cells = selectors.campaign_progress(actor=SYSTEM, campaign=review.campaign)
    assert (total.listed, total.not_rated, total.to_rate, total.decided) == (15, 1, 14, 1)
    by_cell = {p.org.pk: p for p in cells}
    b = by_cell[review.cell_b.pk]
    assert (b.listed, b.self_done, b.cell_done, b.decided, b.waiting) == (3, 1, 1, 1, 2)
    assert b.bands == {Band.GOOD: 1}
    cap = selectors.cap_status(actor=SYSTEM, grassroots=review.commune, year=2025)
    assert (cap.excellent, cap.good, cap.allowed, cap.holds, cap.confirmed) == (0, 1, 0, True, False)
    history = selectors.member_ratings(actor=SYSTEM, member=review.b[0])
    [rating] = history.ratings
    assert rating.band == Band.GOOD and [d.decision_no for d in history.decisions[rating.pk]] == ["50-QĐ/ĐU"]
    sheet = selectors.cell_sheet(actor=SYSTEM, campaign=review.campaign, cell=review.cell_b)
    assert [r.member_id for r in sheet] == sorted(
        (m.pk for m in review.b), key=lambda pk: Member.objects.get(pk=pk).sort_key
    )


def test_a_campaign_opened_in_the_background_reports_its_list(review, django_user_model):
    from dangbo.accounts.models import AccessRole
    from dangbo.accounts.services import role_grant
    from dangbo.jobs.services import job_start
    from dangbo.ratings.jobs import OPEN_CAMPAIGN_JOB, campaign_params

    officer = django_user_model.objects.create_user("canbo-cq", password="mat-khau-dai-du-1")
    role_grant(user=officer, role=AccessRole.OFFICER, org=review.agency)
    job = job_start(kind=OPEN_CAMPAIGN_JOB, owner=officer, params=campaign_params(review.agency, _request()))
    job.refresh_from_db()
    assert job.state == "done" and "2 đảng viên" in job.message
    # outside the officer's subtree: refused, nothing opened
    job = job_start(
        kind=OPEN_CAMPAIGN_JOB, owner=officer, params=campaign_params(review.district2, _request())
    )
    job.refresh_from_db()
    assert job.state == "failed"
    assert not ReviewCampaign.objects.filter(org=review.district2).exists()


def test_a_committees_setting_replaces_an_unconfirmed_figure_from_its_date(review):
    from dangbo.ratings.settings import RatingRules

    with pytest.raises(RuleViolation) as refused:
        services.rating_setting_record(
            actor=SYSTEM, code="excellent_cap", value=150, effective_from=date(2025, 1, 1), source="CV 5"
        )
    assert ("input", "value") in refused_on(refused)
    with pytest.raises(RuleViolation):
        services.rating_setting_record(
            actor=SYSTEM, code="excellent_cap", value=30, effective_from=date(2025, 1, 1), source=""
        )
    services.rating_setting_record(
        actor=SYSTEM,
        code="excellent_cap",
        value=30,
        effective_from=date(2025, 9, 1),
        source="Hướng dẫn 5-HD/TU ngày 1/9/2025",
    )
    cap = RatingRules().cap(2025)
    assert cap.value == 30 and not cap.confirmed and "5-HD/TU" in cap.citation
    assert RatingRules().cap(2024).value == 20  # the year before keeps the rule's
    # 3 excellent against 10 good now holds (30 %)
    members = review.a[3:] + review.b
    for m in members[:10]:
        _propose(m, Band.GOOD, 80)
    for m in members[10:]:
        _propose(m, Band.EXCELLENT, 95)
    _propose(review.a[2], Band.EXCELLENT, 96)
    services.member_ratings_decide(
        actor=SYSTEM,
        grassroots=review.commune,
        verdicts=[Verdict(_rating(m)) for m in [*members, review.a[2]]],
        decision_no="60-QĐ/ĐU",
        decided_on=TODAY,
    )
    assert MemberRating.objects.filter(band=Band.EXCELLENT, year=2025).count() == 3
    # no cap at all; and a disqualifier the committee does not apply
    services.rating_setting_record(
        actor=SYSTEM, code="excellent_cap", value=-1, effective_from=date(2025, 10, 1), source="HD 6"
    )
    assert RatingRules().cap(2025).value is None
    assert rules.check_band(year=2025, band=Band.GOOD, score=80, disqualifiers=[Disqualifier.DEGRADED]) != []
    services.rating_setting_record(
        actor=SYSTEM, code="disqualifier_degraded", value=0, effective_from=date(2025, 10, 1), source="HD 6"
    )
    applying = RatingRules().member_disqualifiers(2025).value
    assert Disqualifier.DEGRADED not in applying and Disqualifier.DISCIPLINED in applying
    assert (
        rules.check_band(
            year=2025, band=Band.GOOD, score=80, disqualifiers=[Disqualifier.DEGRADED], applying=applying
        )
        == []
    )


def test_probationary_members_are_not_rated_where_the_committee_says_so(tree, make_member, frozen_today):
    frozen_today(TODAY)
    probationary = make_member(tree.agency, admitted_on=date(2025, 6, 1), full=False)
    full = make_member(tree.agency, admitted_on=date(2015, 6, 1))
    services.rating_setting_record(
        actor=SYSTEM, code="rate_probationary", value=0, effective_from=date(2025, 1, 1), source="HD 7"
    )
    services.campaign_open(actor=SYSTEM, org=tree.agency, request=_request())
    assert _rating(probationary).not_rated == NotRated.PROBATIONARY
    assert _rating(full).not_rated == ""


def test_the_badge_list_shows_each_candidates_latest_rating_from_the_ledger(tree, make_member, frozen_today):
    from dangbo.members.selectors.badges import badge_list, last_ratings

    frozen_today(TODAY)
    # thirty years of party age on 1/12/2025: due on the list of 3/2/2026
    veteran = make_member(tree.agency, admitted_on=date(1995, 12, 1), birth_date=date(1965, 4, 2))
    services.legacy_rating_record(
        actor=SYSTEM,
        member=veteran,
        year=2016,
        level=LegacyLevel.MEMBER_GOOD,
        decision_no="3-TB/CB",
        decided_on=date(2016, 12, 20),
    )
    services.campaign_open(actor=SYSTEM, org=tree.agency, request=_request())
    rating = _rating(veteran)
    services.member_cell_assess(actor=SYSTEM, rating=rating, band=Band.FULFILLED, score=60)
    services.member_ratings_decide(
        actor=SYSTEM,
        grassroots=tree.agency,
        verdicts=[Verdict(rating)],
        decision_no="7-QĐ/CB",
        decided_on=date(2025, 12, 18),
    )
    services.member_rating_correct(
        actor=SYSTEM,
        rating=_rating(veteran),
        band=Band.FAILED,
        score=45,
        decision_no="8-QĐ/CB",
        decided_on=date(2025, 12, 19),
        reason="Tính lại điểm",
    )
    frozen_today(date(2026, 1, 20))
    badges = badge_list(actor=SYSTEM, org=tree.agency, award_on=date(2026, 2, 3), audit=False)
    [candidate] = [c for c in badges.due if c.member == veteran]
    assert candidate.last_rating is not None
    assert (candidate.last_rating.year, candidate.last_rating.failed) == (2025, True)  # the correction
    assert candidate.last_rating.label == "Không hoàn thành nhiệm vụ"
    # on the day of the first decision: that one; before 2025's: the old level of 2016
    assert last_ratings([veteran.pk], by=date(2025, 12, 18))[veteran.pk].label == "Hoàn thành nhiệm vụ"
    old = last_ratings([veteran.pk], by=date(2025, 1, 1))[veteran.pk]
    assert (old.year, old.label, old.failed) == (2016, "Đủ tư cách, hoàn thành tốt nhiệm vụ", False)


def test_the_campaigns_steps_are_on_the_to_do_list_by_their_deadlines(review, frozen_today):
    from dangbo.members.selectors.todo import due_items

    def steps(as_of):
        return {
            (i.kind, i.org.code): (i.overdue, i.note)
            for i in due_items(actor=SYSTEM, org=review.commune, as_of=as_of, audit=False)
            if i.kind.startswith("rating_")
        }

    frozen_today(date(2025, 12, 1))
    # the cell's deadline (10/12) is within the horizon; cell A has 11 members to assess, B three
    found = steps(date(2025, 12, 1))
    assert found[("rating_cell_step", "X1A")] == (
        False,
        "còn 11 đảng viên chi bộ chưa đánh giá, đề xuất mức xếp loại",
    )
    assert found[("rating_cell_step", "X1B")][1].startswith("còn 3 ")
    frozen_today(TODAY)
    for member in review.b:
        _propose(member, Band.GOOD, 80)
    services.member_ratings_decide(
        actor=SYSTEM,
        grassroots=review.commune,
        verdicts=[Verdict(_rating(m)) for m in review.b],
        decision_no="70-QĐ/ĐU",
        decided_on=TODAY,
    )
    found = steps(TODAY)
    assert ("rating_cell_step", "X1B") not in found  # all assessed and decided
    assert found[("rating_cell_step", "X1A")][0] is True  # 10/12 has passed
    assert found[("rating_decision", "X1")] == (False, "còn 11 đảng viên chưa có quyết định xếp loại")


def test_the_form_follows_the_members_position_and_occupation():
    from dangbo.ratings.roster import form_for

    assert form_for(leader=True, occupation="Nông dân") == MemberForm.LEADER
    assert form_for(leader=False, occupation="Cán bộ, công chức") == MemberForm.CIVIL_SERVANT
    assert form_for(leader=False, occupation="Viên chức giáo dục") == MemberForm.CIVIL_SERVANT
    assert form_for(leader=False, occupation="Nông dân") == MemberForm.OTHER
    assert form_for(leader=False, occupation="") == MemberForm.OTHER
