"""Counts of members. Today's figures use the projection (``org_path`` range); past dates use
``Placement`` joined to the organization versions of that date (DESIGN.md: core data)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr

from dangbo.core import paths
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


def member_figures_with_children(*, path: str) -> tuple[MemberFigures, dict[str, int]]:
    """The subtree's figures and the active members under each direct child (by the child's
    path), in one pass over the subtree instead of one for the figures and one per child: a
    province page counts its 500,000 members once."""
    child_width = len(path) + paths.SEGMENT_WIDTH + 1
    groups = (
        members_under(path=path)
        .annotate(branch=Substr("org_path", 1, child_width))
        .values("branch")
        .annotate(**_FIGURES)
        .order_by()
    )
    totals = dict.fromkeys(_FIGURES, 0)
    per_child: dict[str, int] = {}
    for group in groups:
        for name in _FIGURES:
            totals[name] += group[name]
        if group["branch"] != path:  # members of the organization itself, not of a child
            per_child[group["branch"]] = group["total"]
    return MemberFigures(**totals), per_child


def member_placements_on(*, day: date, root_path: str) -> QuerySet[Placement]:
    """Counted placements on ``day`` in organizations that were under ``root_path`` on that day."""
    org_ids = org_versions_on(day=day, root_path=root_path).values("org_id")
    return Placement.objects.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gt=day), valid_from__lte=day, counted=True, org_id__in=org_ids
    )


def member_count_on(*, day: date, root_path: str) -> int:
    return member_placements_on(day=day, root_path=root_path).count()
