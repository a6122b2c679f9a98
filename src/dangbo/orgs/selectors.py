"""Reads of the organization tree: today's tree from ``Org``, any date's from ``OrgVersion``.

The first functions take the subtree root they are asked about and serve other selectors,
rules and the demo; pages and the API call the scoped ones below, which take the acting
user's ``Scope`` as ``actor`` and never return a row outside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import reduce
from operator import or_

from django.core.exceptions import ValidationError
from django.db.models import Count, Max, Q, QuerySet

from dangbo.core import paths
from dangbo.core.kinds import CELL_KINDS, OrgKind
from dangbo.core.text import clean, org_sort_key
from dangbo.core.violations import NotInScope
from dangbo.core.words import query_words, word_starts_q
from dangbo.orgs.models import Locality, Org, OrgEvent, OrgVersion


def org_subtree(*, root: Org, include_dissolved: bool = False) -> QuerySet[Org]:
    queryset = Org.objects.filter(paths.subtree_q(root.path))
    if not include_dissolved:
        queryset = queryset.filter(dissolved_on__isnull=True)
    return queryset


def org_direct_children_count(*, root: Org) -> int:
    """Live organizations directly under ``root``, as its page lists them (dissolved ones are not)."""
    return Org.objects.filter(parent=root, dissolved_on__isnull=True).count()


def org_top_level() -> QuerySet[Org]:
    return Org.objects.filter(parent__isnull=True, dissolved_on__isnull=True).order_by("sort_key", "path")


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


def org_tree_unchanged_since(day: date, *, kinds_too: bool = False) -> bool:
    """No organization has changed place in the tree after ``day`` (moved, merged, split), nor,
    with ``kinds_too``, changed kind. A rename or a new organization moves no one's path. The
    figures kept by organization (``stats.tallies``) hold today's tree: they answer for a past
    period only while this is true since its first day; the figures that depend on an
    organization's kind (meetings owed, dues, ratings) need ``kinds_too``."""
    last = org_tree_last_change(kinds_too=kinds_too)
    return last is None or last <= day


PLACE_CHANGES = (OrgEvent.Kind.MOVED, OrgEvent.Kind.MERGED, OrgEvent.Kind.SPLIT)


def org_tree_last_change(*, kinds_too: bool = False) -> date | None:
    """The last day an organization changed place in the tree (moved, merged, split), or, with
    ``kinds_too``, kind; None if none ever did (``org_tree_unchanged_since``). A page asking
    about several days reads it once (``stats.frames.Frame.tree_unchanged_since``)."""
    return last_change_of(org_tree_last_changes(), kinds_too=kinds_too)


def last_change_of(changes: tuple[date | None, date | None], *, kinds_too: bool) -> date | None:
    """From ``org_tree_last_changes``'s pair: the last change of place, or of place or kind."""
    place, kind = changes
    return max((d for d in (place, kind) if d is not None), default=None) if kinds_too else place


def org_tree_last_changes() -> tuple[date | None, date | None]:
    """The last day an organization changed place in the tree, and the last it changed kind:
    ``org_tree_last_change`` both ways in one read."""
    found = OrgEvent.objects.filter(kind__in=[*PLACE_CHANGES, OrgEvent.Kind.KIND_CHANGED]).aggregate(
        place=Max("effective_on", filter=Q(kind__in=PLACE_CHANGES)),
        kind=Max("effective_on", filter=Q(kind=OrgEvent.Kind.KIND_CHANGED)),
    )
    return found["place"], found["kind"]


def org_grassroots_count(*, root: Org) -> int:
    """Grassroots organizations in the subtree. A grassroots committee given upper-level
    rights acts as an upper committee and is counted with those, not here (as seed 001 counts)."""
    return (
        org_subtree(root=root)
        .filter(kind__in=[OrgKind.GRASSROOTS_COMMITTEE, OrgKind.GRASSROOTS_CELL], has_upper_rights=False)
        .count()
    )


# --- Scoped reads: what the pages and the API call. ``actor`` is the acting user's Scope. ----


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
    return Org.objects.filter(path__in=actor.read_paths, dissolved_on__isnull=True).order_by(
        "sort_key", "path"
    )


def org_breadcrumbs(*, actor, org: Org) -> list[Org]:
    """``org``'s ancestors within the actor's scope, top first (nothing above the scope)."""
    return list(Org.objects.filter(actor.orgs_q(), path__in=paths.ancestor_paths(org.path)).order_by("path"))


def org_localities(*, actor, org: Org) -> QuerySet[Locality]:
    """Hamlets and residential groups of a commune-level organization, or covered by a cell."""
    if not actor.can_read_path(org.path):
        return Locality.objects.none()
    return (
        Locality.objects.filter(Q(commune=org) | Q(cell=org), dissolved_on__isnull=True)
        .select_related("cell", "head_member")
        .order_by("name")
    )


def org_for_edit(*, actor, org_id) -> Org:
    """A live organization the actor may change."""
    org = org_get(actor=actor, org_id=org_id)
    if org.dissolved_on is not None or not actor.can_write_path(org.path):
        raise NotInScope(org_id)
    return org


def org_for_restructure(*, actor, org_id) -> Org:
    """A live organization the actor may reshape (establish under, move, merge, split,
    dissolve): an administrator's or an officer's (``Scope.can_organize_path``)."""
    org = org_get(actor=actor, org_id=org_id)
    if org.dissolved_on is not None or not actor.can_organize_path(org.path):
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
    organizations directly under ``parent`` on that day, in Vietnamese order of their names then."""
    on_day = OrgVersion.objects.filter(Q(valid_to__isnull=True) | Q(valid_to__gt=day), valid_from__lte=day)
    if parent is None:
        versions = on_day.filter(org_id__in=list(org_roots(actor=actor).values_list("pk", flat=True)))
    else:
        if not actor.can_read_path(parent.path):
            raise NotInScope(parent.pk)
        versions = on_day.filter(parent=parent)
    # the names of that day, in Vietnamese order (a day's names are not the keys of today's)
    found = sorted(versions, key=lambda v: (org_sort_key(v.name), v.path))
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


def org_writable_by_code(*, actor, code: str, organize: bool = False) -> Org:
    """The live organization with this code (in any case), if the actor may change it
    (``organize``: reshape it, ``Scope.can_organize_path``)."""
    org = org_find_code(code, live=True)
    allowed = actor.can_organize_path if organize else actor.can_write_path
    if org is None or not allowed(org.path):
        raise NotInScope(code)
    return org


def org_find_code(code: str | None, *, live: bool = False) -> Org | None:
    """The organization with the code typed: exactly as stored, else the one code that differs
    only in case ("x1a" finds "X1A"); None when there is none (or two that differ only in case).
    ``live``: dissolved organizations are not found. Unscoped: the caller checks the scope."""
    code = clean(code)
    if not code:
        return None
    queryset = Org.objects.filter(dissolved_on__isnull=True) if live else Org.objects.all()
    found = queryset.filter(code=code).first()
    if found is None:
        matches = list(queryset.filter(code__iexact=code)[:2])
        found = matches[0] if len(matches) == 1 else None
    return found


# --- The organization pickers: every field that takes an organization --------------------

PICK_LIMIT = 20


class PickScope(StrEnum):
    """Which of the actor's organizations a field may take."""

    READ = "doc"  # what they read: a report's organization, a transfer's destination
    WRITE = "sua"  # what they change: restructuring, imports, readmission
    GRANT = "quan-ly"  # where they give accounts' roles


def org_pick(
    *,
    actor,
    query: str,
    within: PickScope = PickScope.READ,
    cells_only: bool = False,
    limit: int = PICK_LIMIT,
) -> list[Org]:
    """Live organizations within the actor's scope (``within``) where every word typed begins a
    word of the code or the name, without regard to accents or case ("duong quy" finds «Chi bộ
    Dương Quỳ», "x1" the code "X1A"): the code typed exactly first, then in Vietnamese order of
    the name."""
    words = query_words(query)
    if not words:
        return []
    roots = {
        PickScope.READ: actor.read_paths,
        PickScope.WRITE: actor.write_paths,
        PickScope.GRANT: actor.grant_paths,
    }[within]
    queryset = Org.objects.filter(dissolved_on__isnull=True)
    if not actor.is_admin:
        if not roots:
            return []
        queryset = queryset.filter(reduce(or_, (paths.subtree_q(root) for root in roots)))
    if cells_only:
        queryset = queryset.filter(kind__in=list(CELL_KINDS))
    exact = list(queryset.filter(code__iexact=clean(query))[:1])
    queryset = queryset.filter(word_starts_q("search_key", words))  # the key is "code name", folded
    found = exact + [org for org in queryset.order_by("sort_key", "path")[:limit] if org not in exact]
    return found[:limit]
