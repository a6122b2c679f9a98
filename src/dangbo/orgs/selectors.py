"""Reads of the organization tree: today's tree from ``Org``, any date's from ``OrgVersion``.

Access scope (which subtrees a user may read) is added with accounts; these functions
take the subtree root they are asked about.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Q, QuerySet

from dangbo.orgs import paths
from dangbo.orgs.kinds import OrgKind
from dangbo.orgs.models import Org, OrgVersion


def org_subtree(*, root: Org, include_dissolved: bool = False) -> QuerySet[Org]:
    queryset = Org.objects.filter(paths.subtree_q(root.path))
    if not include_dissolved:
        queryset = queryset.filter(dissolved_on__isnull=True)
    return queryset


def org_top_level() -> QuerySet[Org]:
    return Org.objects.filter(parent__isnull=True, dissolved_on__isnull=True)


def org_kind_counts(*, root: Org) -> dict[str, int]:
    rows = org_subtree(root=root).values("kind").annotate(n=Count("id"))
    counts = {kind: 0 for kind in OrgKind.values}
    counts.update({row["kind"]: row["n"] for row in rows})
    return counts


def org_versions_on(*, day: date, root_path: str | None = None) -> QuerySet[OrgVersion]:
    """Every organization as it stood on ``day`` (optionally within a subtree as of that day)."""
    queryset = OrgVersion.objects.filter(Q(valid_to__isnull=True) | Q(valid_to__gt=day), valid_from__lte=day)
    if root_path is not None:
        queryset = queryset.filter(paths.subtree_q(root_path))
    return queryset


def org_version_on(*, org: Org, day: date) -> OrgVersion | None:
    return org_versions_on(day=day).filter(org=org).first()


def org_grassroots_count(*, root: Org) -> int:
    """Grassroots organizations in the subtree. A grassroots committee given upper-level
    rights acts as an upper committee and is counted with those, not here (as seed 001 counts)."""
    return (
        org_subtree(root=root)
        .filter(kind__in=[OrgKind.GRASSROOTS_COMMITTEE, OrgKind.GRASSROOTS_CELL], has_upper_rights=False)
        .count()
    )
