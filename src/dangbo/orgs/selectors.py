"""Reads of the organization tree: today's tree from ``Org``, any date's from ``OrgVersion``.

The first functions take the subtree root they are asked about and serve other selectors,
rules and the demo; pages and the API call the scoped ones below, which take the acting
user's ``Scope`` as ``actor`` and never return a row outside it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet

from dangbo.orgs import paths
from dangbo.orgs.kinds import OrgKind
from dangbo.orgs.models import Locality, Org, OrgVersion


def org_subtree(*, root: Org, include_dissolved: bool = False) -> QuerySet[Org]:
    queryset = Org.objects.filter(paths.subtree_q(root.path))
    if not include_dissolved:
        queryset = queryset.filter(dissolved_on__isnull=True)
    return queryset


def org_top_level() -> QuerySet[Org]:
    return Org.objects.filter(parent__isnull=True, dissolved_on__isnull=True)


def org_kind_counts(*, root: Org) -> dict[str, int]:
    rows = org_subtree(root=root).values("kind").annotate(n=Count("id"))
    counts = dict.fromkeys(OrgKind.values, 0)
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


# --- Scoped reads: what the pages and the API call. ``actor`` is the acting user's Scope. ----


class NotInScope(LookupError):
    """The record does not exist or lies outside the actor's scope (the two are not told apart)."""


def org_visible(*, actor, include_dissolved: bool = False) -> QuerySet[Org]:
    queryset = Org.objects.filter(actor.orgs_q())
    if not include_dissolved:
        queryset = queryset.filter(dissolved_on__isnull=True)
    return queryset


def org_get(*, actor, org_id) -> Org:
    try:
        return org_visible(actor=actor, include_dissolved=True).get(pk=org_id)
    except (Org.DoesNotExist, ValueError, TypeError, ValidationError):
        raise NotInScope(org_id) from None


def org_roots(*, actor) -> QuerySet[Org]:
    """The tops of the actor's scope: the top-level organizations for an administrator."""
    if actor.is_admin:
        return org_top_level()
    return Org.objects.filter(path__in=actor.read_paths, dissolved_on__isnull=True).order_by("path")


def org_breadcrumbs(*, actor, org: Org) -> list[Org]:
    """``org``'s ancestors within the actor's scope, top first (nothing above the scope)."""
    return list(Org.objects.filter(actor.orgs_q(), path__in=paths.ancestor_paths(org.path)).order_by("path"))


@dataclass(frozen=True)
class OrgNode:
    org: Org
    members: int
    children: int


def org_children(*, actor, org: Org, member_counts: dict[str, int] | None = None) -> list[OrgNode]:
    """Live sub-organizations with their member counts: from ``member_counts`` (child path →
    count, as ``members.selectors.member_figures_with_children`` gives) or one index range
    count each."""
    return org_nodes(
        actor=actor,
        orgs=org_visible(actor=actor).filter(parent=org).order_by("path"),
        member_counts=member_counts,
    )


def org_nodes(*, actor, orgs, member_counts: dict[str, int] | None = None) -> list[OrgNode]:
    from dangbo.members.selectors import members_under

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


def org_localities(*, actor, org: Org) -> QuerySet[Locality]:
    """Hamlets and residential groups of a commune-level organization, or covered by a cell."""
    if not actor.can_read_path(org.path):
        return Locality.objects.none()
    return (
        Locality.objects.filter(Q(commune=org) | Q(cell=org), dissolved_on__isnull=True)
        .select_related("cell", "head_member")
        .order_by("name")
    )


def org_committee(*, actor, org: Org):
    """Current positions in the organization, committee first (secretary, deputies, ...)."""
    from dangbo.members.models import Position
    from dangbo.members.roles import Role

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
    members: object  # members.selectors.MemberFigures


def org_overview(*, actor) -> list[ScopeOverview]:
    """The actor's subtrees at a glance: organizations by kind, members by status, gender, minority."""
    from dangbo.members.selectors import member_figures

    overview = []
    for root in org_roots(actor=actor):
        kinds = org_kind_counts(root=root)
        overview.append(
            ScopeOverview(
                root=root,
                kinds=[(OrgKind(kind).label, n) for kind, n in kinds.items() if n],
                grassroots=org_grassroots_count(root=root),
                direct_children=root.children.filter(dissolved_on__isnull=True).count(),
                members=member_figures(path=root.path),
            )
        )
    return overview


def org_for_edit(*, actor, org_id) -> Org:
    """A live organization the actor may change."""
    org = org_get(actor=actor, org_id=org_id)
    if org.dissolved_on is not None or not actor.can_write_path(org.path):
        raise NotInScope(org_id)
    return org


def locality_get(*, actor, locality_id, for_edit: bool = False) -> Locality:
    try:
        locality = Locality.objects.select_related("commune", "cell").get(pk=locality_id)
    except (Locality.DoesNotExist, ValueError, TypeError, ValidationError):
        raise NotInScope(locality_id) from None
    allowed = (
        actor.can_write_path(locality.commune_path)
        if for_edit
        else actor.can_read_path(locality.commune_path)
    )
    if not allowed:
        raise NotInScope(locality_id)
    return locality


@dataclass(frozen=True)
class HistoryEntry:
    """One dated change of an organization: its event and the version it opened."""

    event: object  # OrgEvent
    version: OrgVersion | None
    parent_name: str


def org_history(*, actor, org: Org) -> list[HistoryEntry]:
    """The organization's events, newest first, each with the version it opened (name,
    kind, where it sat) — what the organization was from that day."""
    from dangbo.orgs.models import OrgEvent

    if not actor.can_read_path(org.path):
        raise NotInScope(org.pk)
    versions = {v.event_id: v for v in OrgVersion.objects.filter(org=org).select_related("parent")}
    events = OrgEvent.objects.filter(org=org).order_by("-effective_on", "-recorded_at")

    def parent_name(version: OrgVersion | None) -> str:
        # a parent outside the actor's scope is not named (as the breadcrumbs do not name it)
        if version is None or version.parent is None or not actor.can_read_path(version.parent.path):
            return ""
        return version.parent.name

    return [
        HistoryEntry(event, versions.get(event.pk), parent_name(versions.get(event.pk))) for event in events
    ]


@dataclass(frozen=True)
class DatedNode:
    """An organization as it stood on a past day: its name and kind then, its children then."""

    org_id: object
    name: str
    kind_label: str
    children: int


def org_nodes_on(*, actor, day: date, parent: Org | None = None) -> list[DatedNode]:
    """The tree of ``day``: the actor's roots as they stood then (``parent`` None), or the
    organizations directly under ``parent`` on that day."""
    on_day = OrgVersion.objects.filter(Q(valid_to__isnull=True) | Q(valid_to__gt=day), valid_from__lte=day)
    if parent is None:
        versions = on_day.filter(org_id__in=list(org_roots(actor=actor).values_list("pk", flat=True)))
    else:
        if not actor.can_read_path(parent.path):
            raise NotInScope(parent.pk)
        versions = on_day.filter(parent=parent)
    found = list(versions.order_by("path"))
    children = dict(
        on_day.filter(parent_id__in=[v.org_id for v in found])
        .values_list("parent_id")
        .annotate(n=Count("id"))
        .values_list("parent_id", "n")
    )
    return [DatedNode(v.org_id, v.name, OrgKind(v.kind).label, children.get(v.org_id, 0)) for v in found]


# --- Restructuring from the pages: who may restructure what --------------------------------
# Restructuring an organization changes every organization it involves (the new parent, the
# merged ones): the actor needs write scope on each. A code the actor may not change and a
# code that does not exist are not told apart.


def may_restructure(*, actor) -> bool:
    """Whether the actor may change any organization at all (the plan page is theirs)."""
    return actor.is_admin or bool(actor.write_paths)


@dataclass(frozen=True)
class SplitItems:
    """What a split hands out: the organization's own members, its hamlets (as commune or as
    cell) and its sub-organizations, each live."""

    members: list
    hamlets: list
    children: list


def org_split_items(*, actor, org: Org) -> SplitItems:
    from dangbo.members.models import ACTIVE_STATUSES, Member

    if not actor.can_write_path(org.path):
        raise NotInScope(org.pk)
    return SplitItems(
        members=list(Member.objects.filter(org=org, status__in=ACTIVE_STATUSES).order_by("sort_key", "id")),
        hamlets=list(
            Locality.objects.filter(Q(commune=org) | Q(cell=org), dissolved_on__isnull=True).order_by("name")
        ),
        children=list(Org.objects.filter(parent=org, dissolved_on__isnull=True).order_by("name")),
    )


def org_writable_by_code(*, actor, code: str) -> Org:
    """The live organization with this code, if the actor may change it."""
    org = Org.objects.filter(code=(code or "").strip(), dissolved_on__isnull=True).first()
    if org is None or not actor.can_write_path(org.path):
        raise NotInScope(code)
    return org


def _operation(text: str) -> str:
    from dangbo.core.text import fold

    return "_".join(fold(text).replace("-", " ").split())


def plan_codes_outside_scope(*, actor, rows) -> list[str]:
    """The organization codes a plan names (``ma_to_chuc``, ``ma_dich``) that the actor may
    not change, in the order the plan names them; empty when the actor may run the whole plan.
    A code the plan itself establishes (``thanh_lap``) and that does not exist yet is the
    actor's when the parent it is established under is."""
    named = list(dict.fromkeys(code for row in rows for code in (row["ma_to_chuc"], row["ma_dich"]) if code))
    if actor.is_admin:
        return []
    established = {row["ma_to_chuc"] for row in rows if _operation(row["thao_tac"]) == "thanh_lap"}
    existing = dict(Org.objects.filter(code__in=named).values_list("code", "path"))
    return [
        code
        for code in named
        if not (actor.can_write_path(existing[code]) if code in existing else code in established)
    ]


def restructure_plans_of(*, actor, limit: int = 20):
    """The plans the actor uploaded, newest first."""
    from dangbo.orgs.models import RestructurePlan

    if actor.user_id is None:
        return RestructurePlan.objects.none()
    return RestructurePlan.objects.filter(uploaded_by_id=actor.user_id).defer("content")[:limit]


def restructure_plan_get(*, actor, plan_id):
    """A stored plan, if the actor may change every organization it names (read afresh from
    the stored bytes: the scope is the actor's today, not the uploader's then)."""
    from dangbo.orgs.models import RestructurePlan
    from dangbo.orgs.plans import PlanError, read_plan_bytes

    try:
        plan = RestructurePlan.objects.select_related("uploaded_by", "applied_by").get(pk=plan_id)
    except (RestructurePlan.DoesNotExist, ValueError, TypeError, ValidationError):
        raise NotInScope(plan_id) from None
    if not may_restructure(actor=actor):
        raise NotInScope(plan_id)
    try:
        rows = read_plan_bytes(bytes(plan.content), plan.file_name)
    except PlanError:
        rows = []
    if not rows and not actor.is_admin and plan.uploaded_by_id != actor.user_id:
        raise NotInScope(plan_id)
    if plan_codes_outside_scope(actor=actor, rows=rows):
        raise NotInScope(plan_id)
    return plan


_QUOTED = re.compile(r"«([^»]+)»")
HIDDEN_PROBLEM = (
    "Một tổ chức ngoài phạm vi của anh/chị không đạt kiểm tra chung sau sắp xếp; "
    "đề nghị cấp ủy cấp trên hoặc quản trị hệ thống xem."
)


def plan_report_for(*, actor, report: dict) -> dict:
    """A stored plan report as the actor may read it. The checks of the whole result
    (``orgs.plans``) report only what the plan added, so they name organizations it touched;
    a name outside the actor's scope (a report stored before that, or a scope narrowed since)
    is still never shown."""
    problems = report.get("problems", [])
    names = {name for problem in problems for name in _QUOTED.findall(problem.get("message", ""))}
    if actor.is_admin or not names:
        return report
    found: dict[str, bool] = {}
    for name, path in Org.objects.filter(name__in=names).values_list("name", "path"):
        found[name] = found.get(name, False) or actor.can_read_path(path)
    hidden = {name for name, readable in found.items() if not readable}
    if not hidden:
        return report
    shown = [
        dict(problem, message=HIDDEN_PROBLEM, citation=problem.get("citation", ""))
        if hidden & set(_QUOTED.findall(problem.get("message", "")))
        else problem
        for problem in problems
    ]
    return dict(report, problems=shown)
