"""Reads of members. Today's figures use the projection (``org_path`` range); past dates use
``Placement`` joined to the organization versions of that date (DESIGN.md: core data)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q, QuerySet

from dangbo.members.models import ACTIVE_STATUSES, Gender, Member, MemberStatus, Placement
from dangbo.orgs import paths
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


def member_figures(*, path: str) -> MemberFigures:
    row = members_under(path=path).aggregate(
        total=Count("id"),
        full=Count("id", filter=Q(status=MemberStatus.FULL)),
        probationary=Count("id", filter=Q(status=MemberStatus.PROBATIONARY)),
        women=Count("id", filter=Q(gender=Gender.FEMALE)),
        ethnic_minority=Count("id", filter=~Q(ethnicity_id=KINH_CODE)),
    )
    return MemberFigures(**row)


def member_placements_on(*, day: date, root_path: str) -> QuerySet[Placement]:
    """Counted placements on ``day`` in organizations that were under ``root_path`` on that day."""
    org_ids = org_versions_on(day=day, root_path=root_path).values("org_id")
    return Placement.objects.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gt=day), valid_from__lte=day, counted=True, org_id__in=org_ids
    )


def member_count_on(*, day: date, root_path: str) -> int:
    return member_placements_on(day=day, root_path=root_path).count()
