"""Reads of reviews and ratings, scoped to the actor's subtrees: the campaigns over an
organization, a campaign's progress by cell, a cell's review sheet (its members and their
steps), a grassroots organization's decided bands against the cap on «excellent», the
organizations' ratings, and one member's ratings year by year (the member themself included).

Counts are grouped in the database (a province's campaign lists hundreds of thousands of
members); lists of people are audited as such.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from uuid import UUID

from django.db.models import Count, Q

from dangbo.audit.services import Action, audit_record
from dangbo.core import paths
from dangbo.core.violations import NotInScope
from dangbo.members.models import Member
from dangbo.orgs.models import Org
from dangbo.ratings.models import MemberRating, OrgRating, RatingDecision, ReviewCampaign
from dangbo.ratings.settings import RatingRules
from dangbo.rules.ratings import Band


def _require_read(actor, org: Org) -> None:
    if not actor.can_read_path(org.path):
        raise NotInScope(org.pk)


def campaigns_over(*, actor, org: Org) -> list[ReviewCampaign]:
    """The campaigns that cover ``org`` (opened on it or above it) or lie within its subtree,
    newest first."""
    _require_read(actor, org)
    above = [*paths.ancestor_paths(org.path), org.path]
    return list(
        ReviewCampaign.objects.filter(Q(org__path__in=above) | paths.subtree_q(org.path, "org__path"))
        .select_related("org")
        .order_by("-year", "period", "org__path")
    )


def campaign_get(*, actor, campaign_id) -> ReviewCampaign:
    campaign = ReviewCampaign.objects.select_related("org").filter(pk=campaign_id).first()
    if campaign is None or not actor.can_read_path(campaign.org.path):
        raise NotInScope(campaign_id)
    return campaign


@dataclass
class Progress:
    """One organization's part of a campaign: members listed, not rated, and at each step."""

    org: Org
    listed: int = 0
    not_rated: int = 0
    self_done: int = 0
    cell_done: int = 0
    decided: int = 0
    bands: Counter = field(default_factory=Counter)

    @property
    def to_rate(self) -> int:
        return self.listed - self.not_rated

    @property
    def waiting(self) -> int:
        return self.to_rate - self.decided


def campaign_progress(
    *, actor, campaign: ReviewCampaign, org: Org | None = None
) -> tuple[Progress, list[Progress]]:
    """The campaign's progress under ``org`` (by default its own organization), in total and by
    cell: counts only, one grouped query."""
    org = org or campaign.org
    _require_read(actor, org)
    rows = list(  # grouped once; the cells are then read by their ids
        MemberRating.objects.filter(paths.subtree_q(org.path, "cell__path"), campaign=campaign)
        .values("cell_id", "band")
        .annotate(
            listed=Count("id"),
            not_rated=Count("id", filter=~Q(not_rated="")),
            self_done=Count("id", filter=~Q(self_band="")),
            cell_done=Count("id", filter=~Q(cell_band="")),
        )
        .order_by()
    )
    by_cell: dict[UUID, Progress] = {}
    cells = {c.pk: c for c in Org.objects.filter(pk__in={row["cell_id"] for row in rows})}
    total = Progress(org=org)
    for row in rows:
        progress = by_cell.setdefault(row["cell_id"], Progress(org=cells[row["cell_id"]]))
        for target in (progress, total):
            target.listed += row["listed"]
            target.not_rated += row["not_rated"]
            target.self_done += row["self_done"]
            target.cell_done += row["cell_done"]
            if row["band"]:
                target.decided += row["listed"]
                target.bands[row["band"]] += row["listed"]
    return total, sorted(by_cell.values(), key=lambda p: p.org.path)


def cell_sheet(*, actor, campaign: ReviewCampaign, cell: Org) -> list[MemberRating]:
    """The members of ``cell`` on the campaign's list with their steps, by name; audited."""
    _require_read(actor, cell)
    ratings = list(
        MemberRating.objects.filter(campaign=campaign, cell=cell)
        .select_related("member")
        .order_by("member__sort_key")
    )
    audit_record(
        action=Action.LIST_VIEWED,
        subject_type="rating_sheet",
        subject_id=str(cell.pk),
        data={"org": cell.code, "year": campaign.year, "period": campaign.period, "rows": len(ratings)},
    )
    return ratings


def grassroots_sheet(*, actor, campaign: ReviewCampaign, grassroots: Org) -> list[MemberRating]:
    """The members of ``grassroots``' cells on the campaign's list (what its committee decides),
    by cell, then name; audited as one list."""
    _require_read(actor, grassroots)
    ratings = list(
        MemberRating.objects.filter(campaign=campaign, grassroots=grassroots)
        .select_related("member", "cell")
        .order_by("cell__path", "member__sort_key")
    )
    audit_record(
        action=Action.LIST_VIEWED,
        subject_type="rating_sheet",
        subject_id=str(grassroots.pk),
        data={"org": grassroots.code, "year": campaign.year, "period": campaign.period, "rows": len(ratings)},
    )
    return ratings


def rating_get(*, actor, rating_id, for_edit: bool = False) -> MemberRating:
    """A member's review; for the member themself, or within the actor's subtrees."""
    rating = (
        MemberRating.objects.select_related("member", "cell", "grassroots", "campaign")
        .filter(pk=rating_id)
        .first()
    )
    if rating is None:
        raise NotInScope(rating_id)
    own = actor.own_member_id is not None and actor.own_member_id == rating.member_id
    allowed = own or (
        actor.can_write_path(rating.cell.path) if for_edit else actor.can_read_path(rating.cell.path)
    )
    if not allowed:
        raise NotInScope(rating_id)
    return rating


@dataclass
class CapStatus:
    """The decided bands of a grassroots organization's members in a year, against the cap."""

    org: Org
    year: int
    excellent: int
    good: int
    percent: int | None
    confirmed: bool
    citation: str

    @property
    def allowed(self) -> int | None:
        return None if self.percent is None else self.good * self.percent // 100

    @property
    def holds(self) -> bool:
        return self.allowed is None or self.excellent <= self.allowed


def cap_status(*, actor, grassroots: Org, year: int, period: str = "year") -> CapStatus:
    _require_read(actor, grassroots)
    counts = Counter(
        dict(
            MemberRating.objects.filter(grassroots=grassroots, year=year, period=period)
            .exclude(band="")
            .values_list("band")
            .annotate(n=Count("id"))
            .order_by()
        )
    )
    cap = RatingRules().cap(year)
    return CapStatus(
        org=grassroots,
        year=year,
        excellent=counts[Band.EXCELLENT],
        good=counts[Band.GOOD],
        percent=cap.value,
        confirmed=cap.confirmed,
        citation=cap.citation,
    )


def org_ratings(*, actor, campaign: ReviewCampaign, authority: Org | None = None) -> list[OrgRating]:
    """The organizations of the campaign (those ``authority`` rates, when given), by path."""
    rows = OrgRating.objects.filter(campaign=campaign).select_related("org", "authority")
    if authority is not None:
        _require_read(actor, authority)
        rows = rows.filter(authority=authority)
    else:
        _require_read(actor, campaign.org)
    return list(rows.order_by("org__path"))


def org_rating_get(*, actor, rating_id, for_edit: bool = False) -> OrgRating:
    rating = OrgRating.objects.select_related("org", "authority", "campaign").filter(pk=rating_id).first()
    if rating is None:
        raise NotInScope(rating_id)
    path = rating.org.path
    allowed = (
        actor.can_write_path(path) or actor.can_write_path(rating.authority.path)
        if for_edit
        else actor.can_read_path(path) or actor.can_read_path(rating.authority.path)
    )
    if not allowed:
        raise NotInScope(rating_id)
    return rating


@dataclass
class MemberHistory:
    member: Member
    ratings: list[MemberRating]
    decisions: dict[UUID, list[RatingDecision]]


def member_ratings(*, actor, member: Member) -> MemberHistory:
    """``member``'s ratings year by year, newest first, each with its decisions; audited as a
    read of the person's history."""
    if not actor.can_read_member(member):
        raise NotInScope(member.pk)
    ratings = list(
        MemberRating.objects.filter(member=member)
        .select_related("cell", "grassroots")
        .order_by("-year", "period")
    )
    decisions: dict[UUID, list[RatingDecision]] = {}
    for decision in RatingDecision.objects.filter(member_rating__in=ratings).select_related("authority"):
        if decision.member_rating_id is not None:
            decisions.setdefault(decision.member_rating_id, []).append(decision)
    audit_record(
        action=Action.MEMBER_HISTORY_VIEWED,
        subject_type="member",
        subject_id=str(member.pk),
        data={"history": "ratings", "years": len(ratings)},
    )
    return MemberHistory(member=member, ratings=ratings, decisions=decisions)
