"""Organizations with their members: sub-organizations with member counts, the committee, the
scope overview. They read members, so they live here, above ``orgs``."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count

from dangbo.core.kinds import OrgKind
from dangbo.core.roles import Role
from dangbo.members.models import Position
from dangbo.members.selectors.figures import member_figures, members_under
from dangbo.orgs.models import Org
from dangbo.orgs.selectors import (
    org_direct_children_count,
    org_grassroots_count,
    org_kind_counts,
    org_roots,
    org_visible,
)


@dataclass(frozen=True)
class OrgNode:
    org: Org
    members: int
    children: int


def org_children(*, actor, org: Org, member_counts: dict[str, int] | None = None) -> list[OrgNode]:
    """Live sub-organizations, in Vietnamese order of their names, with their member counts: from ``member_counts`` (child path →
    count, as ``members.selectors.figures.member_figures_with_children`` gives) or one index range
    count each."""
    return org_nodes(
        actor=actor,
        orgs=org_visible(actor=actor).filter(parent=org).order_by("sort_key", "path"),
        member_counts=member_counts,
    )


def org_nodes(*, actor, orgs, member_counts: dict[str, int] | None = None) -> list[OrgNode]:
    orgs = list(orgs)
    grandchildren = dict(
        org_visible(actor=actor).filter(parent__in=orgs).values_list("parent").annotate(n=Count("id"))
    )

    def members(org: Org) -> int:
        return (
            member_counts.get(org.path, 0)
            if member_counts is not None
            else members_under(path=org.path).count()
        )

    return [OrgNode(org, members(org), grandchildren.get(org.pk, 0)) for org in orgs]


def org_committee(*, actor, org: Org):
    """Current positions in the organization, committee first (secretary, deputies, ...)."""
    if not actor.can_read_path(org.path):
        return []
    order = {role: rank for rank, role in enumerate(Role.values)}
    positions = Position.objects.filter(org=org, ended_on__isnull=True).select_related("member")
    return sorted(positions, key=lambda p: (order.get(p.role, 99), p.member.sort_key))


@dataclass(frozen=True)
class ScopeOverview:
    root: Org
    kinds: list[tuple[str, int]]
    grassroots: int
    direct_children: int
    members: object  # members.selectors.figures.MemberFigures


def org_overview(*, actor) -> list[ScopeOverview]:
    """The actor's subtrees at a glance: organizations by kind, members by status, gender, minority."""
    overview = []
    for root in org_roots(actor=actor):
        kinds = org_kind_counts(root=root)
        overview.append(
            ScopeOverview(
                root=root,
                kinds=[(OrgKind(kind).label, n) for kind, n in kinds.items() if n],
                grassroots=org_grassroots_count(root=root),
                direct_children=org_direct_children_count(root=root),
                members=member_figures(path=root.path),
            )
        )
    return overview
