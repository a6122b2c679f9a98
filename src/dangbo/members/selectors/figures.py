"""Counts of members. Today's figures for pages are read from the tallies (``stats.tallies``,
through ``core.projections``: ``member_figures_of``, ``member_totals``), which equal a count of
the projection (``org_path`` range: ``member_figures``); past dates use ``Placement`` joined to
the organization versions of that date (DESIGN.md: core data)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q, QuerySet

from dangbo.core import paths
from dangbo.core.projections import tallies
from dangbo.members.models import ACTIVE_STATUSES, Gender, Member, MemberStatus, Placement
from dangbo.orgs.selectors import org_versions_on
from dangbo.reference.models import KINH_CODE


def members_under(*, path: str) -> QuerySet[Member]:
    """Active members (probationary and full) of the subtree at ``path`` today."""
    return Member.objects.filter(paths.subtree_q(path, "org_path"), status__in=ACTIVE_STATUSES)


@dataclass(frozen=True)
class MemberFigures:
    total: int
    full: int
    probationary: int
    women: int
    ethnic_minority: int

    @property
    def women_share(self) -> float:
        return self.women / self.total if self.total else 0.0

    @property
    def ethnic_minority_share(self) -> float:
        return self.ethnic_minority / self.total if self.total else 0.0


# COUNT(status), not COUNT(id): every column these read is in the (org_path, status) INCLUDE
# (gender, ethnicity) index, so PostgreSQL counts a subtree with an index-only scan. (status
# is never null; COUNT(*) cannot take a FILTER in Django.)
_FIGURES = {
    "total": Count("status"),
    "full": Count("status", filter=Q(status=MemberStatus.FULL)),
    "probationary": Count("status", filter=Q(status=MemberStatus.PROBATIONARY)),
    "women": Count("status", filter=Q(gender=Gender.FEMALE)),
    "ethnic_minority": Count("status", filter=~Q(ethnicity_id=KINH_CODE)),
}


def member_figures(*, path: str) -> MemberFigures:
    return MemberFigures(**members_under(path=path).aggregate(**_FIGURES))


# What ``member_figures_of`` reads from the tallies (the dimensions of ``stats.tallies.keys``).
TOTAL, STATUS, GENDER, ETHNICITY = "total", "status", "gender", "ethnicity"


def member_figures_of(orgs) -> dict:
    """Today's figures of each of ``orgs``' subtrees (org id → ``MemberFigures``), read from the
    tallies (one index read, whatever the subtree's size); equal to ``member_figures`` of each
    organization's path, which counts them live when no tallies are kept."""
    orgs = list(orgs)
    stored = tallies().counts([org.pk for org in orgs], [TOTAL, STATUS, GENDER, ETHNICITY])
    if stored is None:
        return {org.pk: member_figures(path=org.path) for org in orgs}
    figures = {}
    for org in orgs:
        counts = stored.get(org.pk, {})
        total = counts.get(TOTAL, {}).get("", 0)
        status = counts.get(STATUS, {})
        figures[org.pk] = MemberFigures(
            total=total,
            full=status.get(MemberStatus.FULL, 0),
            probationary=status.get(MemberStatus.PROBATIONARY, 0),
            women=counts.get(GENDER, {}).get(Gender.FEMALE, 0),
            # no ethnicity recorded counts as a minority, as ``~Q(ethnicity_id=KINH_CODE)`` does
            ethnic_minority=total - counts.get(ETHNICITY, {}).get(KINH_CODE, 0),
        )
    return figures


def org_member_figures(org) -> MemberFigures:
    """Today's figures of ``org``'s subtree, from the tallies (``member_figures_of``)."""
    return member_figures_of([org])[org.pk]


def member_totals(orgs) -> dict:
    """Today's active members under each of ``orgs`` (org id → count), from the tallies (or
    one index range count each when no tallies are kept)."""
    orgs = list(orgs)
    stored = tallies().counts([org.pk for org in orgs], [TOTAL])
    if stored is None:
        return {org.pk: members_under(path=org.path).count() for org in orgs}
    return {org.pk: stored.get(org.pk, {}).get(TOTAL, {}).get("", 0) for org in orgs}


def member_placements_on(*, day: date, root_path: str) -> QuerySet[Placement]:
    """Counted placements on ``day`` in organizations that were under ``root_path`` on that day."""
    org_ids = org_versions_on(day=day, root_path=root_path).values("org_id")
    return Placement.objects.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gt=day), valid_from__lte=day, counted=True, org_id__in=org_ids
    )


def member_count_on(*, day: date, root_path: str) -> int:
    return member_placements_on(day=day, root_path=root_path).count()
