"""The yearly reviews in the tallies (issue 24): what ``ratings.services`` lists, decides and
corrects keeps ``rate:member`` and ``rate:org`` equal to a recount; today's figures of the
section «Đánh giá, xếp loại chất lượng» read from them equal the live reading of the reviews,
for the root and every child at several levels, through a move and merges; a past date, or a
tree changed since the lists were drawn, is read live."""
# ruff: noqa: F811 (the fixture ``rated`` is shared with the section's own tests)

from __future__ import annotations

from collections import Counter
from datetime import date

from tests.test_ratings_indicators import _ctx, _rating, _recount, _values, rated  # noqa: F401

from dangbo.accounts.scope import SYSTEM
from dangbo.core.kinds import OrgKind, Sector
from dangbo.orgs import services as org_services
from dangbo.orgs.services import DecisionRef
from dangbo.ratings import services
from dangbo.ratings.models import MemberRating, OrgRating
from dangbo.ratings.services import CampaignRequest, Verdict
from dangbo.restructuring.operations import org_merge, org_move
from dangbo.rules.ratings import Band
from dangbo.stats.indicators import ratings as rating_figures
from dangbo.stats.models import OrgTally
from dangbo.stats.tallies import keys as tally_keys
from dangbo.stats.tallies import tallies_deferred, tally_differences, tally_ratings_rebuild, tally_recount
from dangbo.stats.tallies.parts import recount_parts

DECISION = DecisionRef(number="12-QĐ/HU", on=date(2026, 1, 25), body="Huyện ủy")


def _from_tallies(root) -> dict:
    ctx = _ctx(root)
    return rating_figures._from_tallies(
        rating_figures.rating_year(ctx), {ctx.root.pk: ctx.root_path, **ctx.child_paths}
    )


def _live(root, monkeypatch) -> dict:
    with monkeypatch.context() as patched:
        patched.setattr(rating_figures, "tallies_hold", lambda year, day, **_: False)
        ctx = _ctx(root)
        return {org.pk: rating_figures.figures(ctx, org) for org in ctx.orgs}


def _same(root, monkeypatch) -> None:
    """The figures of ``root`` and each of its children, from the tallies and live, are equal."""
    stored, live = _from_tallies(root), _live(root, monkeypatch)
    for org_id, figures in live.items():
        got = stored.get(org_id, rating_figures.Figures())
        assert (got.bands, got.not_rated, got.undecided, got.orgs_rated, got.orgs_good) == (
            figures.bands,
            figures.not_rated,
            figures.undecided,
            figures.orgs_rated,
            figures.orgs_good,
        ), org_id


def _correct_to_fulfilled(member, decided_on: date) -> None:
    """A correction of ``member``'s 2025 review to «completed», decided on ``decided_on``."""
    services.member_rating_correct(
        actor=SYSTEM,
        rating=_rating(member),
        band=Band.FULFILLED,
        score=62,
        decision_no="45-QĐ/ĐU",
        decided_on=decided_on,
        reason="Phát hiện chưa hoàn thành chỉ tiêu",
    )


def _roots(tree) -> list:
    return [tree.province, tree.district, tree.commune, tree.cell_a, tree.cell_b, tree.agency, tree.district2]


def test_the_services_keep_the_tallies_equal_to_a_recount_and_to_the_live_figures(rated, monkeypatch):
    assert tally_differences() == []
    stored = dict(
        OrgTally.objects.filter(org=rated.province, dimension=tally_keys.RATING_MEMBERS).values_list(
            "value", "count"
        )
    )
    assert stored == {
        "2025|excellent": 1,
        "2025|good": 9,
        "2025|fulfilled": 2,
        "2025|failed": 1,
        "2025|-not_rated": 1,
        "2025|-undecided": 1,
    }
    assert dict(
        OrgTally.objects.filter(org=rated.district, dimension=tally_keys.RATING_ORGS).values_list(
            "value", "count"
        )
    ) == {"2025|good": 1, "2025|fulfilled": 1}
    for root in _roots(rated):
        _same(root, monkeypatch)
    # a self-assessment changes nothing counted; a decision, a correction, an organization's
    # correction each move their counts
    services.member_self_assess(actor=SYSTEM, rating=_rating(rated.b[3]), form="2C", score=75, band=Band.GOOD)
    services.member_ratings_decide(
        actor=SYSTEM,
        grassroots=rated.commune,
        verdicts=[Verdict(_rating(rated.b[3]))],
        decision_no="42-QĐ/ĐU",
        decided_on=date(2025, 12, 19),
    )
    _correct_to_fulfilled(rated.a[2], date(2025, 12, 20))
    services.org_rating_decide(
        actor=SYSTEM,
        rating=OrgRating.objects.get(org=rated.agency, year=2025),
        band=Band.GOOD,
        score=80,
        decision_no="52-QĐ/HU",
        decided_on=date(2025, 12, 20),
        reason="Điều chỉnh theo kết luận kiểm tra",
    )
    assert tally_differences() == []
    for root in _roots(rated):
        _same(root, monkeypatch)
    assert _values(rated.province) == _recount(rated.province)
    assert _values(rated.province)["ratings.members_good_share"] == (10, 14)
    assert _values(rated.province)["ratings.orgs_good_share"] == (2, 2)


def test_the_reader_uses_the_tallies_today_and_the_reviews_on_a_past_date(
    rated, monkeypatch, django_assert_max_num_queries
):
    calls = Counter()
    real_cell_rows, real_grassroots_rows = rating_figures.cell_rows, rating_figures.grassroots_rows

    def cell_rows(*args):
        calls["cells"] += 1
        return real_cell_rows(*args)

    def grassroots_rows(*args):
        calls["orgs"] += 1
        return real_grassroots_rows(*args)

    monkeypatch.setattr(rating_figures, "cell_rows", cell_rows)
    monkeypatch.setattr(rating_figures, "grassroots_rows", grassroots_rows)
    ctx = _ctx(rated.province)
    assert ctx.children and ctx.child_paths  # (loaded with the context, not by the section)
    with django_assert_max_num_queries(8):
        today = {org.pk: rating_figures.figures(ctx, org) for org in ctx.orgs}
    assert not calls
    assert today[rated.province.pk].good == 10 and today[rated.province.pk].orgs_rated == 2
    assert _values(rated.province) == _recount(rated.province)
    # a past date after which nothing was decided reads the tallies too
    past = _ctx(rated.province, as_of=date(2025, 12, 19))
    assert rating_figures.figures(past, rated.province).good == 10 and not calls
    # one after which a decision was taken reads the reviews
    _correct_to_fulfilled(rated.b[0], date(2025, 12, 20))
    past = _ctx(rated.province, as_of=date(2025, 12, 19))
    assert rating_figures.figures(past, rated.province).good == 10
    assert calls == {"cells": 1, "orgs": 1}


def test_a_move_and_merges_keep_the_tallies_equal_to_a_recount(rated, make_member, frozen_today, monkeypatch):
    """A cell moved and a cell merged (they held members: their own counts stay), and a
    grassroots committee that never held members merged (its counts go with its cells, its own
    band stays where it stood): the tallies equal a recount, and the figures, read live since
    the tree changed after the lists were drawn, equal what the tallies would give."""
    frozen_today(date(2025, 12, 28))
    third = org_services.org_establish(
        code="X3",
        name="Đảng bộ xã Ba",
        kind=OrgKind.GRASSROOTS_COMMITTEE,
        parent=rated.district2,
        established_on=date(2015, 1, 1),
        sector=Sector.COMMUNE,
    )
    cell_c = org_services.org_establish(
        code="X3C",
        name="Chi bộ thôn C",
        kind=OrgKind.CELL,
        parent=third,
        established_on=date(2015, 1, 1),
        sector=Sector.RESIDENTIAL,
    )
    members = [make_member(cell_c, given_name=n, admitted_on=date(2012, 3, 1)) for n in ("Quý", "Sang")]
    services.campaign_open(
        actor=SYSTEM,
        org=rated.district2,
        request=CampaignRequest(
            year=2025,
            cutoff_on=date(2025, 11, 30),
            self_due_on=date(2025, 12, 5),
            cell_due_on=date(2025, 12, 10),
            decision_due_on=date(2025, 12, 31),
        ),
    )
    services.member_cell_assess(actor=SYSTEM, rating=_rating(members[0]), band=Band.GOOD, score=80)
    services.member_ratings_decide(
        actor=SYSTEM,
        grassroots=third,
        verdicts=[Verdict(_rating(members[0]))],
        decision_no="43-QĐ/ĐU",
        decided_on=date(2025, 12, 27),
    )
    services.org_rating_decide(
        actor=SYSTEM,
        rating=OrgRating.objects.get(org=third, year=2025),
        band=Band.EXCELLENT,
        score=95,
        decision_no="53-QĐ/HU",
        decided_on=date(2025, 12, 27),
    )
    assert tally_differences() == []
    assert rating_figures.tallies_hold(2025, date(2025, 12, 28))
    for root in (rated.province, rated.district2, third):
        _same(root, monkeypatch)

    frozen_today(date(2026, 2, 10))
    org_move(org=rated.cell_b, new_parent=third, effective_on=date(2026, 2, 1), decision=DECISION)
    assert tally_differences() == []
    org_merge(sources=[rated.cell_a], into=rated.cell_b, effective_on=date(2026, 2, 2), decision=DECISION)
    assert tally_differences() == []
    org_merge(
        sources=[third],
        into=rated.commune,
        effective_on=date(2026, 2, 3),
        decision=DECISION,
        approval="Công văn 5-CV/HU ngày 01/02/2026",
    )
    assert tally_differences() == []
    assert not rating_figures.tallies_hold(2025, date(2026, 2, 10))
    # the emptied committee's own band stays counted where it stood (under the second district)
    assert (
        OrgTally.objects.get(
            org=rated.district2, dimension=tally_keys.RATING_ORGS, value="2025|excellent"
        ).count
        == 1
    )
    assert not MemberRating.objects.filter(cell=third).exists()
    for root in (rated.province, rated.district, rated.district2, rated.commune):
        _same(root, monkeypatch)
    assert _values(rated.province)["ratings.members_good_share"] == (11, 14)
    assert _values(rated.province)["ratings.orgs_good_share"] == (2, 3)


def test_a_bulk_load_is_recounted_and_the_parts_count_the_reviews(rated, monkeypatch):
    with tallies_deferred():  # Phúc listed in cell A, suspended: two reasons not rated there
        MemberRating.objects.filter(member=rated.b[3]).update(not_rated="suspended", cell=rated.cell_a)
    assert tally_differences() == []
    for root in _roots(rated):
        _same(root, monkeypatch)
    assert _from_tallies(rated.cell_a)[rated.cell_a.pk].not_rated == 2
    together: dict = {}
    for part in recount_parts(1):
        together.update(part.counts)
    recount = tally_recount()
    assert together == recount
    assert any(dim == tally_keys.RATING_MEMBERS for _, dim, _ in recount)
    # written behind the services, the check finds it; the ratings' rebuild mends it
    MemberRating.objects.filter(member=rated.b[3]).update(not_rated="", cell=rated.cell_b)
    assert {(d.org_id, d.dimension, d.value) for d in tally_differences()} == {
        (rated.cell_a.pk, tally_keys.RATING_MEMBERS, "2025|-not_rated"),
        (rated.cell_b.pk, tally_keys.RATING_MEMBERS, "2025|-undecided"),
        (rated.commune.pk, tally_keys.RATING_MEMBERS, "2025|-not_rated"),
        (rated.commune.pk, tally_keys.RATING_MEMBERS, "2025|-undecided"),
        (rated.district.pk, tally_keys.RATING_MEMBERS, "2025|-not_rated"),
        (rated.district.pk, tally_keys.RATING_MEMBERS, "2025|-undecided"),
        (rated.province.pk, tally_keys.RATING_MEMBERS, "2025|-not_rated"),
        (rated.province.pk, tally_keys.RATING_MEMBERS, "2025|-undecided"),
    }
    assert tally_ratings_rebuild() > 0
    assert tally_differences() == []


def test_a_past_day_reads_the_tallies_while_no_later_decision_or_move_differs(
    rated, frozen_today, monkeypatch
):
    # decisions of 18/12/2025; read on 20/12/2025 from 2026: the stored bands are that day's
    frozen_today(date(2026, 3, 2))
    day = date(2025, 12, 20)
    assert rating_figures.tallies_hold(2025, day)
    for root in _roots(rated):
        ctx = _ctx(root, as_of=day)
        with monkeypatch.context() as patched:
            patched.setattr(rating_figures, "tallies_hold", lambda year, day, **_: False)
            live_ctx = _ctx(root, as_of=day)
            live = {org.pk: rating_figures.figures(live_ctx, org) for org in live_ctx.orgs}
        for org in ctx.orgs:
            got = rating_figures.figures(ctx, org)
            assert (got.bands, got.not_rated, got.undecided, got.orgs_rated, got.orgs_good) == (
                live[org.pk].bands,
                live[org.pk].not_rated,
                live[org.pk].undecided,
                live[org.pk].orgs_rated,
                live[org.pk].orgs_good,
            ), (root.code, org.code)
    # a correction dated after the day: that day's bands are not the stored ones any more
    _correct_to_fulfilled(rated.b[0], date(2026, 1, 5))
    assert not rating_figures.tallies_hold(2025, day)
    assert rating_figures.tallies_hold(2025, date(2026, 1, 5))
    assert _values(rated.province, as_of=day)["ratings.members_good_share"] == (10, 13)
    assert _values(rated.province)["ratings.members_good_share"] == (9, 13)
