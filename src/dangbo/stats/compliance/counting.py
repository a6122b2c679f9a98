"""The grouped reads the compliance checks rest on: active members by organization (its own
and its subtree's), open positions by organization and role, and since when a flagged
organization's situation has held (the last change of its members, versions or positions)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Max, Q

from dangbo.core import paths
from dangbo.members.models import ACTIVE_STATUSES, Member, MemberStatus, Placement, Position
from dangbo.orgs.models import Org, OrgVersion
from dangbo.stats.compliance.shapes import _chunks


@dataclass
class _Counts:
    members: int = 0  # probationary and full (đảng số)
    full: int = 0


def _member_counts(root: Org) -> tuple[dict[str, _Counts], dict[str, _Counts]]:
    """Active members by organization path: (of the organization itself, of its whole subtree).

    One grouped query on (org_path, status), which the ``member_path_status_figures``
    index answers by itself on PostgreSQL; the subtree figures are rolled up in Python."""
    own: dict[str, _Counts] = defaultdict(_Counts)
    subtree: dict[str, _Counts] = defaultdict(_Counts)
    groups = (
        Member.objects.filter(paths.subtree_q(root.path, "org_path"), status__in=ACTIVE_STATUSES)
        .values_list("org_path", "status")
        .annotate(n=Count("status"))
        .order_by()
    )
    for org_path, status, n in groups:
        full = n if status == MemberStatus.FULL else 0
        own[org_path].members += n
        own[org_path].full += full
        for ancestor in paths.ancestor_paths(org_path):
            if ancestor.startswith(root.path):
                subtree[ancestor].members += n
                subtree[ancestor].full += full
    return own, subtree


def _position_holders(root: Org) -> dict[object, dict[str, int]]:
    """Current positions by organization and role (one grouped query)."""
    holders: dict[object, dict[str, int]] = defaultdict(dict)
    rows = (
        Position.objects.filter(paths.subtree_q(root.path, "org__path"), ended_on__isnull=True)
        .values_list("org_id", "role")
        .annotate(n=Count("id"))
        .order_by()
    )
    for org_id, role, n in rows:
        holders[org_id][role] = n
    return holders


def _latest_changes(
    root: Org, flagged: list[Org], live: list[Org], today: date, *, own: bool = False
) -> dict[object, date | None]:
    """For each flagged organization, the last day (up to ``today``) its situation changed:
    a member joining or leaving a cell of its subtree or changing status (the counted
    placements), a version of an organization of its subtree starting or ending
    (establishment, kind change, move, merge). With ``own``, only the organization itself
    counts (its own members and versions), and its positions starting or ending too: what a
    committee's composition depends on. The violation holds at least since that day."""
    if not flagged:
        return {}
    by_path = {org.path: org.pk for org in flagged}

    def flagged_above(path: str) -> list:
        if own:
            return [by_path[path]] if path in by_path else []
        return [by_path[p] for p in paths.ancestor_paths(path) if p in by_path]

    latest: dict[object, date | None] = {}

    def bump(org_ids, day: date | None) -> None:
        if day is None or day > today:
            return
        for org_id in org_ids:
            if (current := latest.get(org_id)) is None or day > current:
                latest[org_id] = day

    related = {org.pk: flagged_above(org.path) for org in live}
    related = {org_id: above for org_id, above in related.items() if above}
    not_future = {
        "a": Max("valid_from", filter=Q(valid_from__lte=today)),
        "b": Max("valid_to", filter=Q(valid_to__lte=today)),
    }
    for chunk in _chunks(list(related)):
        rows = (
            Placement.objects.filter(org_id__in=chunk, counted=True)
            .values_list("org_id")
            .annotate(a=not_future["a"], b=not_future["b"])
            .order_by()
        )
        for org_id, started, ended in rows.values_list("org_id", "a", "b"):
            bump(related[org_id], started)
            bump(related[org_id], ended)
    # Versions by the path they had, so an organization moved out of the subtree counts too.
    versions = (
        OrgVersion.objects.filter(paths.subtree_q(root.path))
        .values_list("path")
        .annotate(a=not_future["a"], b=not_future["b"])
        .order_by()
    )
    for path, started, ended in versions.values_list("path", "a", "b"):
        above = flagged_above(path)
        if above:
            bump(above, started)
            bump(above, ended)
    if own:
        position_dates = {
            "a": Max("started_on", filter=Q(started_on__lte=today)),
            "b": Max("ended_on", filter=Q(ended_on__lte=today)),
        }
        for chunk in _chunks([org.pk for org in flagged]):
            position_rows = (
                Position.objects.filter(org_id__in=chunk)
                .values_list("org_id")
                .annotate(a=position_dates["a"], b=position_dates["b"])
                .order_by()
            )
            for org_id, started, ended in position_rows.values_list("org_id", "a", "b"):
                bump([org_id], started)
                bump([org_id], ended)
    for org in flagged:  # nothing changed since it was established
        latest.setdefault(org.pk, org.created_on if org.created_on <= today else None)
    return latest
