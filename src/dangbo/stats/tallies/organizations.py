"""Organizations and their leaders: an organization established or dissolved, a change of kind
or upper-level rights that makes its leaders count (or stop counting) as grassroots leaders,
and the recount of what depends on where organizations sit (by kind, direct children, by
sector, the flags), shared by the full recount and ``moves.tally_fix_derived``."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import date

from dangbo.core import clock, paths
from dangbo.members.models import ACTIVE_STATUSES, Position
from dangbo.orgs.models import Org
from dangbo.stats.tallies.keys import (
    FLAGS,
    ORG_DIRECT,
    Key,
    _ancestor_ids,
    leader_dimensions,
    leads_grassroots,
    org_keys,
    theory_value,
)
from dangbo.stats.tallies.store import _apply, deferred


def tally_org_changed(*, before: Org | None = None, after: Org | None = None) -> None:
    """Apply an organization's change (established: ``before`` None; dissolved: ``after``
    None). Restructuring (``orgs.restructure``) moves subtrees' counts with
    ``tally_subtrees_moved`` and recounts this part with ``tally_fix_derived``."""
    if deferred():
        return
    rows = [org for org in (before, after) if org is not None]
    ids_by_path = dict(
        Org.objects.filter(path__in={a for o in rows for a in paths.ancestor_paths(o.path)}).values_list(
            "path", "id"
        )
    )
    delta: dict[Key, int] = defaultdict(int)
    for org, sign in ((before, -1), (after, +1)):
        if org is None:
            continue
        above = [org_id for org_id in _ancestor_ids(org.path, ids_by_path) if org_id != org.pk]
        for org_id in above:
            for dimension, value in org_keys(org.kind, org.sector, org.has_upper_rights):
                delta[(org_id, dimension, value)] += sign
        if org.parent_id is not None:
            delta[(org.parent_id, ORG_DIRECT, "")] += sign
    _apply({key: n for key, n in delta.items() if n})


def tally_org_leaders_changed(*, before: Org, after: Org) -> None:
    """An organization's kind or upper-level rights changed: its leaders start or stop
    counting as grassroots leaders (the counts by kind and sector: ``tally_fix_derived``)."""
    if deferred():
        return
    was, is_ = (
        leads_grassroots(before.kind, before.has_upper_rights),
        leads_grassroots(after.kind, after.has_upper_rights),
    )
    if was == is_:
        return
    sign = 1 if is_ else -1
    above = list(Org.objects.filter(path__in=paths.ancestor_paths(after.path)).values_list("id", flat=True))
    delta: dict[Key, int] = defaultdict(int)
    held = Position.objects.filter(org=after, ended_on__isnull=True, member__status__in=ACTIVE_STATUSES)
    for role, theory in held.values_list("role", "member__theory_level_id"):
        for dimension in leader_dimensions(role):
            for org_id in above:
                delta[(org_id, dimension, theory_value(theory))] += sign
    _apply({key: n for key, n in delta.items() if n})


def _org_table(*, ancestors: bool = True) -> tuple[dict, dict]:
    """Every organization (id → path, kind, sector, upper rights, parent, live) and its
    ancestors' ids (itself included; not computed with ``ancestors=False``)."""
    orgs = {
        org_id: (path, kind, sector, upper, parent, live)
        for org_id, path, kind, sector, upper, parent, live in (
            (o[0], o[1], o[2], o[3], o[4], o[5], o[6] is None)
            for o in Org.objects.values_list(
                "id", "path", "kind", "sector", "has_upper_rights", "parent_id", "dissolved_on"
            )
        )
    }
    if not ancestors:
        return orgs, {}
    ids_by_path = {values[0]: org_id for org_id, values in orgs.items()}
    return orgs, {org_id: _ancestor_ids(values[0], ids_by_path) for org_id, values in orgs.items()}


def _count_structure(
    orgs: dict,
    ancestors: dict,
    *,
    own: Mapping[Key, int],
    counts: dict[Key, int],
    kept: set | None = None,
    today: date | None = None,
) -> None:
    """Organizations by kind, direct children, grassroots by sector, and the flags (judged on
    each organization's own counts in ``own``), added to ``counts``: for the organizations in
    ``ancestors`` (pruned to those counted), and a parent only when it is in ``kept`` (all by
    default); the flags by the rules of ``today`` (the clock's by default)."""
    today = today or clock.today()
    for org_id, (_path, kind, sector, upper, parent, live) in orgs.items():
        if not live:
            continue
        for ancestor in ancestors[org_id]:
            if ancestor != org_id:
                for dimension, value in org_keys(kind, sector, upper):
                    counts[(ancestor, dimension, value)] += 1
        if parent is not None and (kept is None or parent in kept):
            counts[(parent, ORG_DIRECT, "")] += 1
        for flag, spec in FLAGS.items():
            if kind in spec.kinds and own.get((org_id, spec.dimension, spec.value), 0) >= spec.rule.value(
                today
            ):
                for ancestor in ancestors[org_id]:
                    counts[(ancestor, flag, "")] += 1
