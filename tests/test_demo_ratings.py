"""The demo's annual reviews and quality ratings (demo.ratings, issue 21) on the small profile
with its history simulated up to a fixed day: every member counted in a cell on the cut-off is
rated or said why not (as ``ratings.roster`` lists them), members disciplined in the year are
«not completed» with the disqualifier, the cap on «excellent» holds in every grassroots
organization, the 2025 scores give the bands, each decision is a ``rated`` event of a ledger
that still replays to its projection, some members fail two years running and appear on the
to-do list, and the services work on the demo's rows afterwards. The same seed, the same
ratings."""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from datetime import date

import pytest
from django.db import transaction

from conftest import assert_due_counts_equal_the_list
from dangbo.accounts.scope import SYSTEM
from dangbo.core.kinds import CELL_KINDS, GRASSROOTS_KINDS
from dangbo.core.violations import RuleViolation
from dangbo.demo import timeline as demo_timeline
from dangbo.demo.generator import build_demo
from dangbo.demo.history import simulate_history
from dangbo.demo.profiles import PROFILES
from dangbo.demo.ratings import RATED_YEARS, build_ratings, cutoff_of, plan
from dangbo.members import ledger
from dangbo.members.models import Member, MemberEvent
from dangbo.members.selectors.todo import due_items
from dangbo.orgs.models import Org
from dangbo.ratings import roster, selectors, services
from dangbo.ratings.models import MemberRating, NotRated, OrgRating, RatingDecision, ReviewCampaign
from dangbo.ratings.todo import REVIEW_KIND, REVIEW_TITLE
from dangbo.rules import ratings as rules
from dangbo.rules.ratings import Band, Disqualifier
from dangbo.stats.frames import frame_for
from dangbo.stats.indicators import context_for
from dangbo.stats.indicators import ratings as rating_figures
from dangbo.stats.tallies import tally_differences

TODAY = date(2026, 11, 20)
SEED = 1  # a seed whose tiny province has members disciplined in the rated years
Kind = MemberEvent.Kind


def quiet(line):
    pass


def _province(seed: int = SEED):
    build_demo(PROFILES["tiny"], seed=seed, progress=quiet)
    simulate_history(start=date(2021, 11, 1), end=TODAY, seed=seed, progress=quiet)
    return build_ratings(seed=seed, progress=quiet)


@pytest.fixture
def built(db, frozen_today):
    frozen_today(TODAY)
    return _province()


def _root() -> Org:
    return Org.objects.get(parent__isnull=True)


def _disciplined(year: int) -> set:
    return set(
        MemberEvent.objects.filter(
            kind__in=[Kind.DISCIPLINED, Kind.EXPELLED], effective_on__year=year
        ).values_list("member_id", flat=True)
    )


def test_every_member_on_the_list_is_rated_or_said_why_as_the_roster_lists_them(built):
    assert built.years == list(RATED_YEARS)
    root = _root()
    for year in RATED_YEARS:
        campaign = ReviewCampaign.objects.get(year=year)
        assert campaign.org == root and campaign.cutoff_on == cutoff_of(year) == date(year, 11, 30)
        assert campaign.cutoff_on < campaign.self_due_on < campaign.cell_due_on < campaign.decision_due_on
        rows = {r.member_id: r for r in MemberRating.objects.filter(year=year)}
        assert campaign.members == len(rows) > 250
        listed = [row for batch in roster.members_listed(root, campaign.cutoff_on) for row in batch]
        # the tiny province keeps its tree: the cut-off's tree is today's, and the service lists the same
        assert {r.member_id for r in listed} == set(rows)
        for r in listed:
            mine = rows[r.member_id]
            assert (mine.cell_id, mine.grassroots_id, mine.form) == (r.cell_id, r.grassroots_id, r.form)
            assert mine.not_rated == r.not_rated or (not r.not_rated and mine.not_rated == NotRated.LEFT)
        standings = roster.standings_on(list(rows), campaign.cutoff_on)
        for member_id, rating in rows.items():
            if standings.get(member_id) in ("exempted", "suspended"):
                assert rating.not_rated == standings[member_id]
            if rating.not_rated:
                assert not rating.band and not rating.self_band and not rating.cell_band
                assert not rating.decisions.exists()
                assert not MemberEvent.objects.filter(
                    member_id=member_id, kind=Kind.RATED, data__year=year
                ).exists()
            else:
                assert rating.band and rating.self_band and rating.cell_band
                assert rating.self_on < rating.cell_on < rating.decided_on
                assert date(year, 12, 20) < rating.decided_on <= date(year, 12, 31)
        # the history exempts members: some are on the list and not rated, with the reason
        assert any(r.not_rated == NotRated.EXEMPTED for r in rows.values())
    assert built["not_rated_exempted"] > 0 and built["rated"] == MemberRating.objects.exclude(band="").count()


def test_the_disciplined_are_not_completed_and_the_cap_holds_everywhere(built):
    seen_disciplined = 0
    for year in RATED_YEARS:
        rated = MemberRating.objects.filter(year=year).exclude(band="")
        disciplined = _disciplined(year)
        for rating in rated:
            if rating.member_id in disciplined:
                seen_disciplined += 1
                assert rating.band == Band.FAILED
                assert Disqualifier.DISCIPLINED in rating.disqualifiers
                assert Disqualifier.DISCIPLINED in rating.cell_disqualifiers
            else:
                assert rating.disqualifiers == []
        by_grassroots: dict = defaultdict(Counter)
        for grassroots_id, band in rated.values_list("grassroots_id", "band"):
            by_grassroots[grassroots_id][band] += 1
        for grassroots_id, bands in by_grassroots.items():
            org = Org.objects.get(pk=grassroots_id)
            assert not rules.check_excellent_cap(
                year=year, excellent=bands[Band.EXCELLENT], good=bands[Band.GOOD], org_label=org.name
            )
            assert selectors.cap_status(actor=SYSTEM, grassroots=org, year=year).holds
        totals = Counter(rated.values_list("band", flat=True))
        n = sum(totals.values())
        assert 0.05 <= totals[Band.EXCELLENT] / n <= 0.17, totals
        assert totals[Band.GOOD] / n >= 0.65, totals
        assert 0.03 <= totals[Band.FULFILLED] / n <= 0.15, totals
        assert totals[Band.FAILED] >= 1 and totals[Band.FAILED] / n <= 0.05, totals
    assert seen_disciplined >= 2
    # a proposal «excellent» lowered by the committee is «good» (the cap binds in small organizations)
    assert MemberRating.objects.filter(cell_band=Band.EXCELLENT, band=Band.GOOD).count() == built["demoted"]


@pytest.mark.parametrize("year", [2024, 2025])
def test_the_committee_keeps_the_most_excellent_the_cap_allows(year):
    """``plan.allowed_excellent`` is the largest number of proposals «excellent» the rule lets a
    grassroots organization keep once the others are «good»; those lowered under the 100-point
    scale get a score of the good band."""
    percent = rules.EXCELLENT_CAP.value(rules.year_day(year))
    for excellent in range(15):
        for good in range(40):
            keep = plan.allowed_excellent(percent, excellent, good)
            lowered = excellent - keep
            assert not rules.check_excellent_cap(
                year=year, excellent=keep, good=good + lowered, org_label="Đảng bộ xã"
            )
            if keep < excellent:  # one more would break it
                assert rules.check_excellent_cap(
                    year=year, excellent=keep + 1, good=good + lowered - 1, org_label="Đảng bộ xã"
                )
    scale = rules.SCALE.value(rules.year_day(year))
    review = plan.MemberReview(
        Band.EXCELLENT, 95 if scale.scored else None, Band.EXCELLENT, 94 if scale.scored else None
    )
    review.decide(capped=True, rng=random.Random(1), scored=scale.scored)
    assert review.band == Band.GOOD and review.demoted
    if scale.scored:
        assert review.score is not None and 85 <= review.score <= 89
        assert not rules.check_band(year=year, band=review.band, score=review.score)
    else:
        assert review.score is None


def test_2025_has_scores_that_give_the_bands_and_earlier_years_have_none(built):
    scored = MemberRating.objects.filter(year=2025).exclude(band="")
    assert scored.exists()
    for r in scored:
        assert r.score is not None and r.cell_score is not None and r.self_score is not None
        assert r.band == rules.expected_band(year=2025, score=r.score, disqualifiers=r.disqualifiers)
        assert not rules.check_band(year=2025, band=r.band, score=r.score, disqualifiers=r.disqualifiers)
        assert not rules.check_band(
            year=2025, band=r.cell_band, score=r.cell_score, disqualifiers=r.cell_disqualifiers
        )
        assert not rules.check_band(year=2025, band=r.self_band, score=r.self_score)  # no disqualifier
    # a disciplined member keeps the criteria's score and is lowered by the disqualifier
    lowered = scored.filter(band=Band.FAILED, score__gte=50)
    assert all(Disqualifier.DISCIPLINED in r.disqualifiers for r in lowered)
    for year in (2023, 2024):
        rows = MemberRating.objects.filter(year=year).exclude(band="")
        assert not rows.filter(score__isnull=False).exists()
        assert not rows.filter(self_score__isnull=False).exists()
        for r in rows:
            assert not rules.check_band(year=year, band=r.band, score=None, disqualifiers=r.disqualifiers)


def test_each_decision_is_a_rated_event_and_the_ledgers_still_replay(built):
    rated = MemberRating.objects.exclude(band="")
    events = MemberEvent.objects.filter(kind=Kind.RATED)
    assert (
        events.count() == rated.count() == RatingDecision.objects.filter(member_rating__isnull=False).count()
    )
    by_key = {(e.member_id, e.data["year"]): e for e in events}
    for r in rated:
        event = by_key[(r.member_id, r.year)]
        assert event.effective_on == r.decided_on and event.decision_no == r.decision_no
        assert event.authority_org_id == r.grassroots_id
        assert event.data == {"year": r.year, "period": "year", "band": r.band, "score": r.score}
        (decision,) = r.decisions.all()
        assert (decision.band, decision.score, decision.decided_on) == (r.band, r.score, r.decided_on)
        assert decision.authority_id == r.grassroots_id and decision.disqualifiers == r.disqualifiers
    # seq stays the order of recording: each ledger's numbers run 1..ledger_seq without a gap
    for member in Member.objects.all():
        seqs = sorted(member.events.values_list("seq", flat=True))
        assert seqs == list(range(1, member.ledger_seq + 1)), member.pk
    sample = set(list(rated.values_list("member_id", flat=True).distinct())[::7])
    sample |= _disciplined(2023) | _disciplined(2024) | _disciplined(2025)
    assert len(sample) > 30
    for member in Member.objects.filter(pk__in=sample):
        assert ledger.projection_matches_replay(member), member.pk


def test_organizations_are_rated_by_their_superior_and_a_disciplined_committee_member_keeps_them_from_excellent(
    built,
):
    for year in RATED_YEARS:
        rows = OrgRating.objects.filter(year=year).select_related("org")
        listed = {o.org_id: o.authority_id for o in roster.orgs_listed(_root(), cutoff_of(year))}
        assert {r.org_id: r.authority_id for r in rows} == listed
        for r in rows:
            assert r.org.kind in CELL_KINDS | GRASSROOTS_KINDS and r.band and r.self_band
            assert date(year, 12, 20) < r.decided_on <= date(year, 12, 31)
            (decision,) = r.decisions.all()
            assert decision.authority_id == r.authority_id == r.org.parent_id
            led = services.leader_disciplined(r.org, year)
            assert (Disqualifier.LEADER_DISCIPLINED in r.disqualifiers) == led
            if led:
                assert r.band != Band.EXCELLENT
            assert not rules.check_band(
                year=year, band=r.band, score=r.score, disqualifiers=r.disqualifiers, org=True
            )
            assert (r.score is not None) == (year == 2025)
    assert built["orgs_leader_disciplined"] == sum(
        1 for r in OrgRating.objects.all() if Disqualifier.LEADER_DISCIPLINED in r.disqualifiers
    )
    bands = Counter(OrgRating.objects.values_list("band", flat=True))
    assert bands[Band.GOOD] > bands[Band.EXCELLENT] > 0


def test_members_failed_two_years_running_are_on_the_to_do_list(built):
    items = [
        i
        for i in due_items(actor=SYSTEM, org=_root(), as_of=TODAY, audit=False)
        if i.kind == REVIEW_KIND and i.title == REVIEW_TITLE  # the meetings' reviews share the kind
    ]
    assert items
    assert len({i.member.pk for i in items}) == len(items)  # each member once
    both = set(MemberRating.objects.filter(year=2024, band=Band.FAILED).values_list("member_id", flat=True))
    both &= set(MemberRating.objects.filter(year=2025, band=Band.FAILED).values_list("member_id", flat=True))
    active = set(
        Member.objects.filter(pk__in=both, status__in=["full", "probationary"]).values_list("pk", flat=True)
    )
    assert {i.member.pk for i in items} == active
    for item in items:
        years = set(
            MemberRating.objects.filter(member=item.member, band=Band.FAILED).values_list("year", flat=True)
        )
        assert {2024, 2025} <= years and "2024, 2025" in item.note
        assert item.review and not item.overdue


def test_the_services_work_on_the_demo_rows(built, monkeypatch):
    assert tally_differences() == []  # the reviews' bulk load is recounted at its end
    rating = (
        MemberRating.objects.filter(year=2025, band=Band.GOOD, member__status__in=["full", "probationary"])
        .select_related("grassroots")
        .order_by("member_id")
        .first()
    )
    assert rating is not None
    member = rating.member
    before = member.ledger_seq
    # the committee's decision is not taken again: a correction is a new dated decision
    with pytest.raises(RuleViolation):
        services.member_ratings_decide(
            actor=SYSTEM,
            grassroots=rating.grassroots,
            verdicts=[services.Verdict(rating, Band.EXCELLENT, 95)],
            decision_no="1-QĐ/ĐU",
            decided_on=date(2026, 1, 5),
        )
    # a band that contradicts the score is refused, nothing written
    with pytest.raises(RuleViolation):
        services.member_rating_correct(
            actor=SYSTEM,
            rating=rating,
            band=Band.FULFILLED,
            score=80,
            decision_no="2-QĐ/ĐU",
            decided_on=date(2026, 1, 5),
            reason="Sai điểm",
        )
    assert RatingDecision.objects.filter(member_rating=rating).count() == 1
    decision = services.member_rating_correct(
        actor=SYSTEM,
        rating=rating,
        band=Band.FULFILLED,
        score=65,
        decision_no="3-QĐ/ĐU",
        decided_on=date(2026, 1, 5),
        reason="Phúc tra kết quả đánh giá",
    )
    member.refresh_from_db()
    assert decision.corrects is not None and decision.corrects.decided_on == rating.decided_on
    assert member.ledger_seq == before + 1
    assert member.events.get(seq=before + 1).kind == Kind.RATED
    assert ledger.projection_matches_replay(member)
    history = selectors.member_ratings(actor=SYSTEM, member=member)
    assert history is not None
    progress = selectors.campaign_progress(actor=SYSTEM, campaign=ReviewCampaign.objects.get(year=2025))
    assert progress
    # the correction moved the tallies; today's figures read from them are the live ones
    assert tally_differences() == []
    ctx = context_for(frame_for(root=_root()))
    year = rating_figures.rating_year(ctx)
    assert year == 2025 and rating_figures.tallies_hold(year, TODAY)
    stored = rating_figures._from_tallies(year, {ctx.root.pk: ctx.root_path, **ctx.child_paths})
    monkeypatch.setattr(rating_figures, "tallies_hold", lambda year, day, **_: False)
    for org in ctx.orgs:
        live, got = rating_figures.figures(ctx, org), stored[org.pk]
        assert (live.bands, live.not_rated, live.undecided, live.orgs_rated, live.orgs_good) == (
            got.bands,
            got.not_rated,
            got.undecided,
            got.orgs_rated,
            got.orgs_good,
        )


def test_a_disciplined_member_cannot_be_corrected_above_not_completed(built):
    disciplined = sorted(
        (r for r in MemberRating.objects.exclude(band="") if Disqualifier.DISCIPLINED in r.disqualifiers),
        key=lambda r: -r.year,
    )
    assert disciplined
    rating = disciplined[0]
    with pytest.raises(RuleViolation) as refused:
        services.member_rating_correct(
            actor=SYSTEM,
            rating=rating,
            band=Band.GOOD,
            score=80 if rating.year == 2025 else None,
            decision_no="4-QĐ/ĐU",
            decided_on=date(2026, 1, 6),
            reason="Đề nghị xem lại",
        )
    assert "kỷ luật" in str(refused.value)
    assert rating.decisions.count() == 1


def test_the_same_seed_gives_the_same_ratings(db, frozen_today):
    """The stage run three times on one history, each rolled back (the ledger is append-only):
    the same seed gives the same rows, another seed others."""
    frozen_today(TODAY)
    build_demo(PROFILES["tiny"], seed=SEED, progress=quiet)
    simulate_history(start=date(2021, 11, 1), end=TODAY, seed=SEED, progress=quiet)

    def once(seed: int):
        with transaction.atomic():
            build_ratings(seed=seed, progress=quiet)
            fields = ("pk", "member_id", "year", "band", "score", "self_band", "cell_band", "not_rated")
            fields += ("decision_no", "decided_on", "self_on", "cell_on")
            rows = sorted(tuple(str(getattr(r, f)) for f in fields) for r in MemberRating.objects.all())
            orgs = sorted(
                (str(o.org_id), o.year, o.band, o.score, o.decided_on) for o in OrgRating.objects.all()
            )
            events = sorted(
                (str(e.member_id), e.seq, e.effective_on, e.data["band"])
                for e in MemberEvent.objects.filter(kind=Kind.RATED)
            )
            transaction.set_rollback(True)
        assert not MemberRating.objects.exists() and not MemberEvent.objects.filter(kind=Kind.RATED).exists()
        return rows, orgs, events

    first = once(SEED)
    assert first[0] and first[1] and first[2]
    assert once(SEED) == first
    assert once(SEED + 1) != first


def test_a_year_not_yet_decided_is_left_out_and_the_timeline_runs_the_stage(db, frozen_today, monkeypatch):
    frozen_today(date(2025, 12, 15))
    # the meetings and the dues are their own stages (tests/test_demo_meetings.py, test_demo_dues.py)
    monkeypatch.setattr(demo_timeline, "build_meetings", lambda **kwargs: None)
    monkeypatch.setattr(demo_timeline, "build_dues", lambda **kwargs: None)
    built = demo_timeline.build_province(PROFILES["tiny"], seed=SEED, progress=quiet)
    assert built.ratings is not None and built.ratings.years == [2023, 2024]
    assert set(ReviewCampaign.objects.values_list("year", flat=True)) == {2023, 2024}
    assert not MemberRating.objects.filter(year=2025).exists()
    assert MemberRating.objects.exclude(band="").count() == built.ratings["rated"] > 250


def test_the_overviews_counts_equal_the_list(built):
    root = _root()
    for org in [root, *Org.objects.filter(parent=root).order_by("path")[:3]]:
        for day in (TODAY, date(2026, 1, 10), date(2027, 1, 5)):
            assert_due_counts_equal_the_list(actor=SYSTEM, org=org, as_of=day)
    assert assert_due_counts_equal_the_list(actor=SYSTEM, org=root, as_of=TODAY)["strike_off_review"][0] > 0
