"""Organizations with their members: sub-organizations with member counts, the committee, the
scope overview. They read members, so they live here, above ``orgs``."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count

from dangbo.core.kinds import GRASSROOTS_KINDS, OrgKind
from dangbo.core.projections import tallies
from dangbo.core.roles import Role
from dangbo.members.models import Position
from dangbo.members.selectors.figures import member_figures_of, member_totals
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


def org_children(*, actor, org: Org) -> list[OrgNode]:
    """Live sub-organizations, in Vietnamese order of their names, with their member counts."""
    return org_nodes(
        actor=actor, orgs=org_visible(actor=actor).filter(parent=org).order_by("sort_key", "path")
    )


def org_nodes(*, actor, orgs) -> list[OrgNode]:
    """``orgs`` with the active members under each (from the tallies: ``member_totals``) and
    their live sub-organizations the actor sees."""
    orgs = list(orgs)
    grandchildren = dict(
        org_visible(actor=actor).filter(parent__in=orgs).values_list("parent").annotate(n=Count("id"))
    )
    members = member_totals(orgs)
    return [OrgNode(org, members[org.pk], grandchildren.get(org.pk, 0)) for org in orgs]


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
    roots = list(org_roots(actor=actor))
    members = member_figures_of(roots)
    structure = _structure_of(roots)
    overview = []
    for root in roots:
        kinds, grassroots, direct_children = structure[root.pk]
        overview.append(
            ScopeOverview(
                root=root,
                kinds=[(OrgKind(kind).label, n) for kind, n in kinds.items() if n],
                grassroots=grassroots,
                direct_children=direct_children,
                members=members[root.pk],
            )
        )
    return overview


# What ``_structure_of`` reads from the tallies (the dimensions of ``stats.tallies.keys``):
# live organizations strictly below by kind, grassroots ones by sector, live direct children.
ORG_KIND, GRASSROOTS_SECTOR, ORG_DIRECT = "org_kind", "grassroots_sector", "org_direct"


def _structure_of(roots: list[Org]) -> dict:
    """Root id → (live organizations of the subtree by kind, grassroots organizations, live
    direct children), as ``orgs.selectors`` counts them, read from the tallies (which count
    what lies strictly below: the root itself is added here)."""
    stored = tallies().counts([root.pk for root in roots], [ORG_KIND, GRASSROOTS_SECTOR, ORG_DIRECT])
    if stored is None:
        return {
            root.pk: (
                org_kind_counts(root=root),
                org_grassroots_count(root=root),
                org_direct_children_count(root=root),
            )
            for root in roots
        }
    result = {}
    for root in roots:
        counts = stored.get(root.pk, {})
        live = root.dissolved_on is None
        kinds = dict.fromkeys(OrgKind.values, 0)
        kinds.update(counts.get(ORG_KIND, {}))
        if live:
            kinds[root.kind] += 1
        grassroots = sum(counts.get(GRASSROOTS_SECTOR, {}).values())
        if live and root.kind in GRASSROOTS_KINDS and not root.has_upper_rights:
            grassroots += 1
        result[root.pk] = (kinds, grassroots, counts.get(ORG_DIRECT, {}).get("", 0))
    return result
