"""Party badges (RULES.md §6): who is due which badge on an award date."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from datetime import date
from functools import reduce
from operator import or_
from typing import cast

from django.db import connection
from django.db.models import Count, Q, QuerySet

from dangbo.audit.services import Action, audit_record
from dangbo.core import paths
from dangbo.members.models import ACTIVE_STATUSES, Member, MemberEvent, MemberStatus
from dangbo.orgs.selectors import NotInScope
from dangbo.rules import badges as rules
from dangbo.rules.probation import add_months
from dangbo.rules.ratings import Band, LegacyLevel


@dataclass(frozen=True)
class LastRating:
    """A member's latest yearly quality rating, from the ``rated`` events of their ledger (the
    committee weighs it with the badge; no rule bars a badge for it)."""

    year: int
    label: str
    failed: bool


@dataclass(frozen=True)
class BadgeCandidate:
    member: Member
    years: int
    reached_on: date
    ground: str
    last_rating: LastRating | None = None


@dataclass(frozen=True)
class BadgeList:
    """Who may be awarded which badge on ``award_on``, for the organization ``org``."""

    org: object
    award_on: date
    since: date  # the standard award date before: members who reached a badge after it are due now
    due: list[BadgeCandidate]
    early: list[BadgeCandidate]  # may be awarded early if seriously ill (not yet due)
    posthumous: list[BadgeCandidate]
    citation: str


def badge_list(*, actor, org, award_on: date, audit: bool = True) -> BadgeList:
    """The badge lists of ``org``'s subtree for the award date ``award_on``.

    Due: members in the Party who reached a milestone after the previous standard award date
    and up to ``award_on``, and have no badge of it yet. Early: those who will reach one within
    the early window for serious illness. Posthumous: members who died since the previous
    award date within 12 months of a milestone they had not been awarded.
    """
    if not actor.can_read_path(org.path):
        raise NotInScope(org.pk)
    since, _ = rules.award_days_around(award_on)
    milestones = rules.BADGE_MILESTONES.value(award_on)
    due, posthumous = badge_due(org, award_on=award_on)
    early = []
    for years in milestones:
        window_end = _years_before(award_on, years)
        months = rules.illness_early_months(years, award_on)
        early_end = _years_before(_months_after(award_on, months), years)
        rows = _active(org, award_on).filter(
            _not_yet(years), party_age_from__gt=window_end, party_age_from__lte=early_end
        )
        early += [
            BadgeCandidate(
                m, years, rules.reached_on(cast(date, m.party_age_from), years), rules.Ground.ILLNESS
            )
            for m in rows.select_related("org")
        ]
    order = lambda c: (-c.years, c.member.sort_key)  # noqa: E731
    ratings = last_ratings([c.member.pk for c in [*due, *early, *posthumous]], by=award_on)

    def rated(candidates: list[BadgeCandidate]) -> list[BadgeCandidate]:
        return sorted((replace(c, last_rating=ratings.get(c.member.pk)) for c in candidates), key=order)

    result = BadgeList(
        org=org,
        award_on=award_on,
        since=since,
        due=rated(due),
        early=rated(early),
        posthumous=rated(posthumous),
        citation=rules.BADGE_MILESTONES.at(award_on).ref,
    )
    if audit:
        audit_record(
            action=Action.LIST_VIEWED,
            subject_type="org",
            subject_id=str(org.pk),
            data={
                "list": "badges",
                "award_on": award_on.isoformat(),
                "rows": len(result.due) + len(result.early) + len(result.posthumous),
            },
        )
    return result


# What the to-do list prints of a badge's member (``badge_due(..., listed=True)``): a province's
# list reads hundreds of members, each otherwise a whole profile row.
LISTED_FIELDS = (
    "id",
    "family_name",
    "middle_name",
    "given_name",
    "sort_key",
    "party_age_from",
    "badge_years",
    "org",
)


def badge_due(
    org, *, award_on: date, listed: bool = False
) -> tuple[list[BadgeCandidate], list[BadgeCandidate]]:
    """``badge_list``'s due and posthumous candidates alone (no early ones, no last ratings):
    what the to-do list shows (``listed``: the due members' names, party age and organization
    only). The caller has checked the scope."""
    since, _ = rules.award_days_around(award_on)
    milestones = rules.BADGE_MILESTONES.value(award_on)
    windows = _windows(milestones, since=since, award_on=award_on)
    due = [
        BadgeCandidate(m, years, rules.reached_on(cast(date, m.party_age_from), years), rules.Ground.REGULAR)
        for rows in _due_rows(org, award_on=award_on, since=since, milestones=milestones)
        for m in (rows.select_related("org").only(*LISTED_FIELDS) if listed else rows.select_related("org"))
        for years, after, until in windows
        if after < cast(date, m.party_age_from) <= until and (m.badge_years or 0) < years
    ]
    return due, _posthumous(org, award_on=award_on, since=since, milestones=milestones)


def badge_due_counts(*, org, award_on: date, branch_len: int) -> Counter:
    """How many of ``badge_list``'s due and posthumous candidates there are (the to-do list's
    badges), by branch (the first ``branch_len`` characters of the member's cell's path),
    counted in SQL (``_due_rows``): the deceased since the last award date are few."""
    since, _ = rules.award_days_around(award_on)
    milestones = rules.BADGE_MILESTONES.value(award_on)
    counts: Counter = Counter()
    for rows in _due_rows(org, award_on=award_on, since=since, milestones=milestones):
        counts.update(
            dict(rows.values_list(paths.branch("org_path", branch_len)).annotate(n=Count("id")).order_by())
        )
    for found in _posthumous(org, award_on=award_on, since=since, milestones=milestones):
        counts[found.member.org_path[:branch_len]] += 1
    return counts


def _subtree(org):
    return Member.objects.filter(paths.subtree_q(org.path, "org_path"), party_age_from__isnull=False)


def _active(org, award_on: date):
    """Members in the Party, not before the deferral after discipline has run out (6, 9 or 12
    months, RULES.md §6)."""
    return (
        _subtree(org)
        .filter(status__in=ACTIVE_STATUSES)
        .filter(Q(badge_deferred_until__isnull=True) | Q(badge_deferred_until__lt=award_on))
    )


def _not_yet(years: int) -> Q:
    return Q(badge_years__isnull=True) | Q(badge_years__lt=years)


def _due_rows(org, *, award_on: date, since: date, milestones) -> list[QuerySet[Member]]:
    """The members who reached a milestone after ``since`` and up to ``award_on`` without its
    badge. The milestones' windows of party age are years apart, so each member reached at most
    one (``_windows`` tells which).

    On PostgreSQL one read for every milestone (a bitmap of the party-age index's ranges): a
    read per milestone, to count and again to list, made a province's to-do list read its
    members 27 times (Hà Nội of the national profile: 190 → 128 ms). SQLite's planner reads the
    whole subtree for such a condition (96 ms for the default demo's province, where a read per
    milestone walks each window of the index), so there each milestone is read apart."""
    if not milestones:
        return []
    window = [
        Q(
            _not_yet(years),
            party_age_from__gt=_years_before(since, years),
            party_age_from__lte=_years_before(award_on, years),
        )
        for years in milestones
    ]
    active = _active(org, award_on)
    if connection.vendor != "postgresql":
        return [active.filter(reached) for reached in window]
    return [active.filter(reduce(or_, window))]


def _windows(milestones, *, since: date, award_on: date) -> list[tuple[int, date, date]]:
    """(years, after, until) for each milestone: a member whose party age began after ``after``
    and by ``until`` reached it after ``since`` and by ``award_on`` (what ``_due_rows`` asks of
    each milestone, told apart per member)."""
    return [(years, _years_before(since, years), _years_before(award_on, years)) for years in milestones]


def _posthumous(org, *, award_on: date, since: date, milestones) -> list[BadgeCandidate]:
    posthumous = []
    grace = rules.BADGE_POSTHUMOUS_EARLY.value(award_on)
    for member in (
        _subtree(org)
        .filter(status=MemberStatus.DIED, died_on__gt=since, died_on__lte=award_on)
        .select_related("org")
    ):
        # both dates are set: the queries above filter on them
        party_age_from, died_on = cast(date, member.party_age_from), cast(date, member.died_on)
        reachable = [
            y for y in milestones if rules.reached_on(party_age_from, y) <= _months_after(died_on, grace)
        ]
        if reachable and max(reachable) > (member.badge_years or 0):
            years = max(reachable)
            posthumous.append(
                BadgeCandidate(
                    member, years, rules.reached_on(party_age_from, years), rules.Ground.POSTHUMOUS
                )
            )
    return posthumous


def last_ratings(member_ids: list, *, by: date) -> dict:
    """Each member's latest yearly rating decided by ``by`` (a correction replaces the decision
    it corrects): member id → ``LastRating``. Read from the ledger's ``rated`` events."""
    found: dict = {}
    for start in range(0, len(member_ids), 1000):
        events = (
            MemberEvent.objects.filter(
                member_id__in=member_ids[start : start + 1000],
                kind=MemberEvent.Kind.RATED,
                effective_on__lte=by,
                data__period="year",
            )
            .order_by("member_id", "effective_on", "seq")
            .values_list("member_id", "data")
        )
        best: dict = {}
        for member_id, data in events:
            year = data.get("year")
            if isinstance(year, int) and year >= best.get(member_id, (0, {}))[0]:
                best[member_id] = (year, data)
        for member_id, (year, data) in best.items():
            band, legacy = data.get("band") or "", data.get("legacy_level") or ""
            label = Band.LABELS.get(band) or LegacyLevel.LABELS.get(legacy, "")
            found[member_id] = LastRating(
                year, label, band == Band.FAILED or legacy == LegacyLevel.MEMBER_VIOLATED
            )
    return found


def _years_before(day: date, years: int) -> date:
    return add_months(day, -12 * years)


def _months_after(day: date, months: int) -> date:
    return add_months(day, months)
