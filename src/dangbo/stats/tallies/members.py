"""A member's change, as the ledger and the member services report it: +1/−1 on every
(organization, dimension, value) above the member before and after, with what follows from it
— the hamlets that gained or lost their first resident member, the flags re-judged for the
organizations whose counts moved, and the hamlets whose head stopped or started being a member."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from uuid import UUID

from dangbo.core import clock, paths
from dangbo.members.models import ACTIVE_STATUSES, Position
from dangbo.orgs.models import Locality, Org
from dangbo.stats.models import OrgTally
from dangbo.stats.tallies.keys import (
    FLAGS,
    HAMLET,
    HAMLETS_WITH_MEMBERS,
    LOCALITIES,
    Key,
    _ancestor_ids,
    _get,
    leader_dimensions,
    leads_grassroots,
    member_keys,
    theory_value,
)
from dangbo.stats.tallies.store import _apply, _settle, deferred, spooling


def open_positions(member_id) -> list[tuple[object, str]]:
    return list(
        Position.objects.filter(member_id=member_id, ended_on__isnull=True).values_list("org_id", "role")
    )


def tally_member_changed(*, before=None, after=None) -> None:
    """Apply one member's change: ``before`` and ``after`` are the member's rows (a
    ``Member`` or a mapping with ``status``, ``MEMBER_FIELDS`` and ``positions``), ``None``
    for none."""
    tally_members_changed([(before, after)])


def tally_members_changed(pairs: Iterable[tuple[object, object]]) -> None:
    if deferred():
        return
    pairs = [(b, a) for b, a in pairs]
    _apply(_heads_delta(pairs))
    rows = [row for pair in pairs for row in pair if row is not None and member_keys(row)]
    if not rows:
        return
    locality_ids = {_get(row, "residence_locality_id") for row in rows} - {None}
    communes = (
        dict(Locality.objects.filter(id__in=locality_ids).values_list("id", "commune_path"))
        if locality_ids
        else {}
    )
    position_orgs = {org_id for row in rows for org_id, _ in _positions(row)}
    orgs = (
        {
            org_id: (path, kind, upper)
            for org_id, path, kind, upper in Org.objects.filter(id__in=position_orgs).values_list(
                "id", "path", "kind", "has_upper_rights"
            )
        }
        if position_orgs
        else {}
    )
    wanted = {_get(row, "org_path") for row in rows} | set(communes.values()) | {o[0] for o in orgs.values()}
    ids_by_path = dict(
        Org.objects.filter(path__in={a for p in wanted for a in paths.ancestor_paths(p)}).values_list(
            "path", "id"
        )
    )
    # summed by the organization's path first, then spread over the ancestors: a chunk of
    # 2,000 members in a few hundred cells is a few thousand sums, not 2,000 × 11 × ancestors
    by_path: dict[tuple[str, str, str], int] = defaultdict(int)  # (path, dimension, value) → n
    for before, after in pairs:
        for row, sign in ((before, -1), (after, +1)):
            keys = member_keys(row)
            if not keys:
                continue
            path = _get(row, "org_path")
            for dimension, value in keys:
                by_path[(path, dimension, value)] += sign
            locality_id = _get(row, "residence_locality_id")
            if locality_id in communes:
                by_path[(communes[locality_id], HAMLET, str(locality_id))] += sign
            trained = theory_value(_get(row, "theory_level_id"))
            for position_org, role in _positions(row):
                position_path, kind, upper = orgs[position_org]
                if not leads_grassroots(kind, upper):
                    continue
                for dimension in leader_dimensions(role):
                    by_path[(position_path, dimension, trained)] += sign
    above: dict[str, list] = {}
    delta: dict[Key, int] = defaultdict(int)
    for (path, dimension, value), n in by_path.items():
        if not n:
            continue
        if path not in above:
            above[path] = _ancestor_ids(path, ids_by_path)
        for org_id in above[path]:
            delta[(org_id, dimension, value)] += n
    delta = {key: n for key, n in delta.items() if n}
    _apply(delta)
    if spooling():  # judged once from the summed changes (spool.tallies_spooled)
        return
    _apply(_flag_delta(delta))
    _apply(_hamlet_delta(delta))


def _positions(row) -> list[tuple[UUID, str]]:
    if isinstance(row, Mapping):
        return list(row.get("positions") or [])
    return list(getattr(row, "tally_positions", None) or [])


def _heads_delta(pairs: list) -> dict[Key, int]:
    """Members who became or stopped being members (death, exit, readmission, restoration)
    move the ``head_member`` count of the live hamlets they head."""
    flips: dict[object, int] = {}
    for before, after in pairs:
        if before is None or after is None:
            continue  # a new member heads no hamlet yet
        was, is_ = _get(before, "status") in ACTIVE_STATUSES, _get(after, "status") in ACTIVE_STATUSES
        member_id = before.get("id") if isinstance(before, Mapping) else getattr(before, "pk", None)
        if was != is_ and member_id is not None:
            flips[member_id] = flips.get(member_id, 0) + (1 if is_ else -1)
    flips = {k: n for k, n in flips.items() if n}
    if not flips:
        return {}
    headed = list(
        Locality.objects.filter(head_member_id__in=list(flips), dissolved_on__isnull=True).values_list(
            "head_member_id", "commune_path"
        )
    )
    if not headed:
        return {}
    ids_by_path = dict(
        Org.objects.filter(path__in={a for _, p in headed for a in paths.ancestor_paths(p)}).values_list(
            "path", "id"
        )
    )
    delta: dict[Key, int] = defaultdict(int)
    for member_id, commune_path in headed:
        for org_id in _ancestor_ids(commune_path, ids_by_path):
            delta[(org_id, LOCALITIES, "head_member")] += flips[member_id]
    return {key: n for key, n in delta.items() if n}


def _hamlet_delta(delta: dict[Key, int]) -> dict[Key, int]:
    """Hamlets that just gained their first resident member, or lost their last one, under
    each organization whose hamlet counts moved."""
    moved = {(org_id, value): n for (org_id, dimension, value), n in delta.items() if dimension == HAMLET}
    if not moved:
        return {}
    _settle(reads={o for o, _ in moved})
    now = {
        (org_id, value): n
        for org_id, value, n in OrgTally.objects.filter(
            dimension=HAMLET, org_id__in={o for o, _ in moved}, value__in={v for _, v in moved}
        ).values_list("org_id", "value", "count")
    }
    changes: dict[Key, int] = defaultdict(int)
    for (org_id, value), n in moved.items():
        after = now.get((org_id, value), 0)
        if (after - n > 0) != (after > 0):
            changes[(org_id, HAMLETS_WITH_MEMBERS, "")] += 1 if after > 0 else -1
    return {key: n for key, n in changes.items() if n}


def _flag_delta(delta: dict[Key, int]) -> dict[Key, int]:
    """Re-judge the flags of the organizations whose counts just moved by ``delta``."""
    today = clock.today()
    moved: dict[UUID, dict[str, int]] = defaultdict(dict)  # org id → flag → change in the counted number
    for (org_id, dimension, value), n in delta.items():
        for flag, spec in FLAGS.items():
            if (dimension, value) == (spec.dimension, spec.value):
                moved[org_id][flag] = n
    if not moved:
        return {}
    _settle(reads=moved)
    orgs = {
        org_id: (path, kind)
        for org_id, path, kind in Org.objects.filter(id__in=list(moved)).values_list("id", "path", "kind")
    }
    now = {
        (org_id, dim, value): n
        for org_id, dim, value, n in OrgTally.objects.filter(org_id__in=list(moved))
        .filter(dimension__in={s.dimension for s in FLAGS.values()})
        .values_list("org_id", "dimension", "value", "count")
    }
    flips: dict[Key, int] = defaultdict(int)
    flipped_paths: list[tuple[str, str, int]] = []
    for org_id, changes in moved.items():
        path, kind = orgs[org_id]
        for flag, n in changes.items():
            spec = FLAGS[flag]
            if kind not in spec.kinds:
                continue
            threshold = spec.rule.value(today)
            after = now.get((org_id, spec.dimension, spec.value), 0)
            was, is_ = after - n >= threshold, after >= threshold
            if was != is_:
                flipped_paths.append((path, flag, 1 if is_ else -1))
    if not flipped_paths:
        return {}
    ids_by_path = dict(
        Org.objects.filter(
            path__in={a for p, _, _ in flipped_paths for a in paths.ancestor_paths(p)}
        ).values_list("path", "id")
    )
    for path, flag, sign in flipped_paths:
        for org_id in _ancestor_ids(path, ids_by_path):
            flips[(org_id, flag, "")] += sign
    return {key: n for key, n in flips.items() if n}
