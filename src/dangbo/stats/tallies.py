"""Keeping ``OrgTally`` equal to a recount.

What is counted, for every organization over its whole subtree:

- members (đảng số) by each attribute in ``DIMENSIONS``, and the hamlets their residents
  live in (``hamlet``: counted under the hamlet's commune, whoever the residents' cell is);
- grassroots leaders: positions of secretary and deputy (``leaders:secretary``) and of
  committee member (``leaders:committee``) in grassroots organizations, by whether the
  holder has intermediate political theory or above (value ``trained`` / ``untrained``);
- organizations below it by kind (``org_kind``), its direct children (``org_direct``) and
  grassroots organizations by sector (``grassroots_sector``; upper-rights committees are
  counted as upper committees, not here);
- hamlets (``localities``): live hamlets under their commune's organizations, those with a
  cell, those whose cell also covers other hamlets (``merged_cell``), and those whose head
  is a member today (the head's member record is probationary or full: a head who dies or
  leaves the Party stops counting the same day, through ``tally_members_changed``);
- flags: cells that must elect a committee (``flag:cell_committee``) and grassroots
  committees of 300 members or more (``flag:large_grassroots``), the organization itself
  included.

Every change of a member goes through ``members.ledger`` (standing, positions) or
``members.services`` (identity); both call ``tally_members_changed`` with the member's row
before and after in the same transaction. The change becomes +1/−1 on (organization,
dimension, value) for each organization above, applied with one upsert per row; flags are
re-judged for the organizations whose counts moved. ``orgs.services`` calls
``tally_org_changed`` when an organization is established. ``tally_rebuild`` recounts
everything (after a restructuring, or by the operator); ``tally_differences`` compares
the stored rows with a recount — what ``dangbo check --aggregates`` reports.

Age is kept as the year of birth, so the tallies do not go stale as people have
birthdays; age bands are read as "report year − year of birth" (tuổi đời tính theo năm
sinh), the same way for today's figures and for past dates.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import date
from uuid import UUID

from django.db import connections, router, transaction
from django.db.models import Count
from django.db.models.functions import ExtractYear

from dangbo.core import clock, paths
from dangbo.core.kinds import CELL_KINDS, GRASSROOTS_KINDS, OrgKind
from dangbo.core.roles import COMMITTEE_ROLES, Role
from dangbo.members.models import ACTIVE_STATUSES, Member, MemberStatus, Position
from dangbo.orgs.models import Locality, Org
from dangbo.rules import orgs as org_rules
from dangbo.rules.base import Rule
from dangbo.rules.targets import THEORY_INTERMEDIATE_OR_ABOVE
from dangbo.stats.models import OrgTally, TallyRun

# dimension → the member field it counts. "total" counts everyone once.
DIMENSIONS: dict[str, str | None] = {
    "total": None,
    "status": "status",
    "gender": "gender",
    "ethnicity": "ethnicity_id",
    "religion": "religion_id",
    "education": "general_education_id",
    "professional": "professional_level_id",
    "theory": "theory_level_id",
    "occupation": "occupation",
    "birth_year": "birth_date",
    "standing": "standing",
}
# The member fields a tally reads (what callers must pass in ``before`` and ``after``,
# with ``status`` and, for leaders, ``positions``: the open (org id, role) pairs). The id
# finds the hamlets the member heads when they stop or start being a member.
MEMBER_FIELDS: tuple[str, ...] = (
    "id",
    "org_path",
    "residence_locality_id",
    *tuple(f for f in DIMENSIONS.values() if f),
)
HAMLET = "hamlet"
SECRETARIES = "leaders:secretary"
COMMITTEE = "leaders:committee"
SECRETARY_ROLES = frozenset({Role.SECRETARY, Role.DEPUTY_SECRETARY})
ORG_KIND, ORG_DIRECT, GRASSROOTS_SECTOR = "org_kind", "org_direct", "grassroots_sector"
CELL_COMMITTEE_FLAG, LARGE_GRASSROOTS_FLAG = "flag:cell_committee", "flag:large_grassroots"
LOCALITIES = "localities"  # values: all, with_cell, merged_cell, head_member
HAMLETS_WITH_MEMBERS = "hamlets_with_members"  # hamlets with at least one resident member
FLOW = "flow:"  # flow dimensions: "flow:<kind>", value the ISO day
_VALUE_WIDTH = OrgTally._meta.get_field("value").max_length

Key = tuple[UUID, str, str]  # (org id, dimension, value)

# What a report reads for a subtree on a day (stats.figures.Stock).
STOCK_DIMENSIONS = [
    *DIMENSIONS,
    SECRETARIES,
    COMMITTEE,
    ORG_KIND,
    ORG_DIRECT,
    GRASSROOTS_SECTOR,
    CELL_COMMITTEE_FLAG,
    LARGE_GRASSROOTS_FLAG,
    LOCALITIES,
    HAMLETS_WITH_MEMBERS,
]


@dataclass(frozen=True)
class _Flag:
    kinds: frozenset
    dimension: str
    value: str
    rule: Rule


FLAGS = {
    CELL_COMMITTEE_FLAG: _Flag(CELL_KINDS, "status", MemberStatus.FULL, org_rules.CELL_COMMITTEE_THRESHOLD),
    LARGE_GRASSROOTS_FLAG: _Flag(
        frozenset({OrgKind.GRASSROOTS_COMMITTEE}), "total", "", org_rules.LARGE_GRASSROOTS_COMMITTEE
    ),
}


_DEFERRED: ContextVar[bool] = ContextVar("tallies_deferred", default=False)


def deferred() -> bool:
    """True inside ``tallies_deferred``: changes skip the tallies (callers may skip the work
    of preparing them too)."""
    return _DEFERRED.get()


@contextmanager
def tallies_deferred() -> Iterator[None]:
    """Bulk work (the demo, an import) changes thousands of members and organizations; inside
    this block the changes leave the tallies alone, and one recount at the end replaces them.
    Nothing is recounted if the block fails (its transaction is rolled back anyway)."""
    token = _DEFERRED.set(True)
    try:
        yield
    finally:
        _DEFERRED.reset(token)
    if not deferred():  # inside another such block, its end recounts
        tally_rebuild()


@dataclass
class _PendingMoves:
    """Subtree moves queued by ``restructuring_batched``: (source, target, sign) rows, and
    the sources whose rows are dropped once they have moved."""

    mapping: list = dataclass_field(default_factory=list)
    sources: set = dataclass_field(default_factory=set)
    targets: set = dataclass_field(default_factory=set)
    dropped: set = dataclass_field(default_factory=set)
    derived: bool = False  # a ``tally_fix_derived`` was put off


_BATCH: ContextVar[_PendingMoves | None] = ContextVar("restructuring_batch", default=None)


@contextmanager
def restructuring_batched() -> Iterator[None]:
    """A restructuring plan runs many operations; inside this block each one's
    ``tally_fix_derived`` is put off, and the subtrees' counts it moves are queued and moved
    together (a district that loses a hundred communes is written once per count, not once
    per commune). Both are done when the block ends without error.

    The queue is exact, not approximate: it is moved first whenever a change would read the
    counts of an organization that queued moves add to, or write those of one whose counts
    are queued to move (``_settle``), so every statement sees what it would have seen had
    each move been applied at once."""
    box = _PendingMoves()
    token = _BATCH.set(box)
    try:
        yield
    finally:
        _BATCH.reset(token)
    _move_queued(box)
    if box.derived:
        tally_fix_derived()


def _settle(*, reads: Iterable = (), writes: Iterable = ()) -> None:
    """Move the queued subtrees first if this change reads counts they add to, or writes
    counts they are about to move."""
    box = _BATCH.get()
    if box is None or (not box.mapping and not box.dropped):
        return
    reads, writes = set(reads), set(writes)
    if box.targets & reads or box.sources & writes or box.dropped & (reads | writes):
        _move_queued(box)


def _move_queued(box: _PendingMoves) -> None:
    _move_subtree_counts(box.mapping)
    if box.dropped:
        OrgTally.objects.filter(org_id__in=list(box.dropped)).delete()
    box.mapping, box.sources, box.targets, box.dropped = [], set(), set(), set()


def tally_rows_dropped(org_ids: Iterable) -> None:
    """Delete the counts of organizations left empty (a merged organization that never held
    members, whose counts moved with it), after any queued move has read them."""
    org_ids = set(org_ids)
    box = _BATCH.get()
    if box is not None and not deferred():
        box.dropped |= org_ids
    elif org_ids:
        OrgTally.objects.filter(org_id__in=list(org_ids)).delete()


def _get(row, name: str):
    return row[name] if isinstance(row, Mapping) else getattr(row, name)


def member_keys(row) -> list[tuple[str, str]]:
    """The (dimension, value) pairs an active member adds to each organization above it."""
    if row is None or _get(row, "status") not in ACTIVE_STATUSES:
        return []
    keys = []
    for dimension, field in DIMENSIONS.items():
        if field is None:
            value = ""
        elif field == "birth_date":
            value = str(_get(row, field).year)
        else:
            value = _get(row, field) or ""
        keys.append((dimension, str(value)[:_VALUE_WIDTH]))
    return keys


def theory_value(theory_level_id) -> str:
    return "trained" if theory_level_id in THEORY_INTERMEDIATE_OR_ABOVE else "untrained"


def leader_dimensions(role: str) -> list[str]:
    dims = []
    if role in SECRETARY_ROLES:
        dims.append(SECRETARIES)
    if role in COMMITTEE_ROLES:
        dims.append(COMMITTEE)
    return dims


def leads_grassroots(kind: str, has_upper_rights: bool) -> bool:
    return kind in GRASSROOTS_KINDS and not has_upper_rights


def open_positions(member_id) -> list[tuple[object, str]]:
    return list(
        Position.objects.filter(member_id=member_id, ended_on__isnull=True).values_list("org_id", "role")
    )


def _ancestor_ids(path: str, ids_by_path: dict) -> list:
    return [ids_by_path[p] for p in paths.ancestor_paths(path) if p in ids_by_path]


# --- members ----------------------------------------------------------------------------


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
    delta: dict[Key, int] = defaultdict(int)
    for before, after in pairs:
        for row, sign in ((before, -1), (after, +1)):
            keys = member_keys(row)
            if not keys:
                continue
            for org_id in _ancestor_ids(_get(row, "org_path"), ids_by_path):
                for dimension, value in keys:
                    delta[(org_id, dimension, value)] += sign
            locality_id = _get(row, "residence_locality_id")
            if locality_id in communes:
                for org_id in _ancestor_ids(communes[locality_id], ids_by_path):
                    delta[(org_id, HAMLET, str(locality_id))] += sign
            trained = theory_value(_get(row, "theory_level_id"))
            for position_org, role in _positions(row):
                path, kind, upper = orgs[position_org]
                if not leads_grassroots(kind, upper):
                    continue
                for dimension in leader_dimensions(role):
                    for org_id in _ancestor_ids(path, ids_by_path):
                        delta[(org_id, dimension, trained)] += sign
    delta = {key: n for key, n in delta.items() if n}
    _apply(delta)
    _apply(_flag_delta(delta))
    _apply(_hamlet_delta(delta))


def _positions(row) -> list[tuple[UUID, str]]:
    if isinstance(row, Mapping):
        return list(row.get("positions") or [])
    return list(getattr(row, "tally_positions", None) or [])


# --- flows: the member's events placed in the organizations they increase or decrease ------

FLOW_INCREASES = ("admitted", "readmitted", "transferred_in")
FLOW_DECREASES = ("died", "struck_off", "resigned", "expelled", "moved_away")
TRANSFER_IN, TRANSFER_OUT = "transfer_in", "transfer_out"
FLOW_DIMENSIONS = [
    FLOW + kind
    for kind in (*FLOW_INCREASES, *FLOW_DECREASES, "recognized", "restored", TRANSFER_IN, TRANSFER_OUT)
]

Flow = tuple[str, str, UUID, UUID | None]  # (dimension, ISO day, organization, organization not counted)


def member_flows(events, placements) -> list[Flow]:
    """The flows one member's history makes: increases in the organization the event names;
    decreases in the organization whose counted placement ended that day; recognition where
    the full member's placement began; an official transfer out of every organization above
    the sender but not the receiver, and into every one above the receiver but not the sender.
    A restoration is counted on the day of the exit it undoes."""
    counted = [p for p in placements if p.counted]
    ended = {p.valid_to: p.org_id for p in counted if p.valid_to is not None}
    became_full = {p.valid_from: p.org_id for p in counted if p.status == MemberStatus.FULL}
    flows: list[Flow] = []
    exits = sorted(e.effective_on for e in events if e.kind in ("struck_off", "resigned", "expelled"))
    for event in events:
        day = event.effective_on
        kind = event.kind
        if kind == "restored":
            # The exit it undoes is counted back in the exit's own day and organization, as the
            # placements are: the member never left the count (stats.statforms does the same).
            undone = [d for d in exits if d <= day]
            if undone and undone[-1] in ended:
                flows.append((FLOW + "restored", undone[-1].isoformat(), ended[undone[-1]], None))
            continue
        if kind in FLOW_INCREASES and event.to_org_id:
            flows.append((FLOW + kind, day.isoformat(), event.to_org_id, None))
        elif kind in FLOW_DECREASES and day in ended:
            flows.append((FLOW + kind, day.isoformat(), ended[day], None))
        elif kind == "recognized" and day in became_full:
            flows.append((FLOW + kind, day.isoformat(), became_full[day], None))
        elif kind == "transferred" and event.from_org_id and event.to_org_id:
            flows.append((FLOW + TRANSFER_OUT, day.isoformat(), event.from_org_id, event.to_org_id))
            flows.append((FLOW + TRANSFER_IN, day.isoformat(), event.to_org_id, event.from_org_id))
    return flows


def _flow_delta(flows_before: Iterable[Flow], flows_after: Iterable[Flow]) -> dict[Key, int]:
    changes: dict[Flow, int] = defaultdict(int)
    for flow in flows_before:
        changes[flow] -= 1
    for flow in flows_after:
        changes[flow] += 1
    changes = {flow: n for flow, n in changes.items() if n}
    if not changes:
        return {}
    org_ids = {f[2] for f in changes} | {f[3] for f in changes if f[3] is not None}
    org_paths = dict(Org.objects.filter(id__in=org_ids).values_list("id", "path"))
    ids_by_path = dict(
        Org.objects.filter(
            path__in={a for p in org_paths.values() for a in paths.ancestor_paths(p)}
        ).values_list("path", "id")
    )
    delta: dict[Key, int] = defaultdict(int)
    for (dimension, day, org_id, other), n in changes.items():
        above = _ancestor_ids(org_paths[org_id], ids_by_path)
        if other is not None:
            skip = set(_ancestor_ids(org_paths[other], ids_by_path))
            above = [a for a in above if a not in skip]
        for ancestor in above:
            delta[(ancestor, dimension, day)] += n
    return {key: n for key, n in delta.items() if n}


def tally_flows_changed(pairs: Iterable[tuple[Iterable[Flow], Iterable[Flow]]]) -> None:
    """Apply the change of members' flows: (flows before, flows after) per member."""
    if deferred():
        return
    before: list[Flow] = []
    after: list[Flow] = []
    for b, a in pairs:
        before.extend(b)
        after.extend(a)
    _apply(_flow_delta(before, after))


# --- localities ---------------------------------------------------------------------------


def locality_keys(locality) -> list[str]:
    """What one live hamlet adds under its commune's organizations: ``all``; ``with_cell``
    when a cell covers it; ``head_member`` when its head is a member record whose holder is
    a member today (probationary or full). ``merged_cell`` (its cell covers other live
    hamlets too) depends on the other hamlets: ``_merged_delta``."""
    if locality is None or _get(locality, "dissolved_on") is not None:
        return []
    keys = ["all"]
    if _get(locality, "cell_id") is not None:
        keys.append("with_cell")
    if _get(locality, "head_member__status") in ACTIVE_STATUSES:
        keys.append("head_member")
    return keys


LOCALITY_FIELDS = ("id", "commune_path", "cell_id", "head_member__status", "dissolved_on")


def locality_row(locality_id) -> dict | None:
    return Locality.objects.filter(pk=locality_id).values(*LOCALITY_FIELDS).first()


def tally_locality_changed(*, before=None, after=None) -> None:
    """Apply a hamlet's change: rows with ``LOCALITY_FIELDS`` (``locality_row``), None for none."""
    tally_localities_changed([(before, after)])


def tally_localities_changed(pairs: Iterable[tuple[object, object]]) -> None:
    """Apply many hamlets' changes at once: (row before, row after) per hamlet, read after
    every hamlet of the batch has been written (the rows of the other hamlets their cells
    cover are read from the table)."""
    if deferred():
        return
    pairs = list(pairs)
    rows = [r for pair in pairs for r in pair if r is not None]
    merged_rows = _merged_states(pairs)
    wanted = {_get(r, "commune_path") for r in rows} | {
        r["commune_path"] for state in merged_rows for r in state
    }
    ids_by_path = dict(
        Org.objects.filter(path__in={a for p in wanted for a in paths.ancestor_paths(p)}).values_list(
            "path", "id"
        )
    )
    delta: dict[Key, int] = defaultdict(int)
    for before, after in pairs:
        for row, sign in ((before, -1), (after, +1)):
            for value in locality_keys(row):
                for org_id in _ancestor_ids(_get(row, "commune_path"), ids_by_path):
                    delta[(org_id, LOCALITIES, value)] += sign
    for state, sign in zip(merged_rows, (-1, +1), strict=False):
        for row in state:
            for org_id in _ancestor_ids(row["commune_path"], ids_by_path):
                delta[(org_id, LOCALITIES, MERGED_CELL)] += sign
    _apply({key: n for key, n in delta.items() if n})


MERGED_CELL = "merged_cell"


def merged_hamlets(rows: Iterable[Mapping]) -> list[Mapping]:
    """The live hamlets among ``rows`` whose cell covers at least one other of them: a
    merged-hamlet cell (chi bộ ghép thôn). ``rows`` must hold every live hamlet of each cell."""
    by_cell: dict[object, list] = defaultdict(list)
    for row in rows:
        if row["cell_id"] is not None and row["dissolved_on"] is None:
            by_cell[row["cell_id"]].append(row)
    return [row for group in by_cell.values() if len(group) > 1 for row in group]


def _merged_states(pairs: list) -> tuple[list, list]:
    """The merged hamlets of the cells the change touches, before and after it. After: the
    table as it is now. Before: the same, with each changed hamlet's row put back."""
    cells = {_get(r, "cell_id") for pair in pairs for r in pair if r is not None} - {None}
    if not cells:
        return [], []
    now = {
        row["id"]: row
        for row in Locality.objects.filter(cell_id__in=cells, dissolved_on__isnull=True).values(
            *LOCALITY_FIELDS
        )
    }
    then = dict(now)
    for before, after in pairs:
        for row in (after, before):
            if row is not None:
                then.pop(_get(row, "id"), None)
        if before is not None and _get(before, "cell_id") in cells and _get(before, "dissolved_on") is None:
            then[_get(before, "id")] = (
                dict(before) if isinstance(before, Mapping) else {f: _get(before, f) for f in LOCALITY_FIELDS}
            )
    return merged_hamlets(then.values()), merged_hamlets(now.values())


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


# --- organizations ------------------------------------------------------------------------


def org_keys(kind: str, sector: str, has_upper_rights: bool) -> list[tuple[str, str]]:
    """What a live organization adds to each organization strictly above it."""
    keys = [(ORG_KIND, kind)]
    if leads_grassroots(kind, has_upper_rights):
        keys.append((GRASSROOTS_SECTOR, sector or ""))
    return keys


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


def tally_hamlets_moved(locality_ids: Iterable, *, old: Iterable, new: Iterable, at) -> None:
    """Hamlets passed from one commune organization to another: their residents' counts
    (``hamlet``) leave the old commune's ancestors ``old`` and join ``new``'s; ``at`` is the
    old commune, whose rows hold the counts."""
    if deferred():
        return
    old, new = set(old), set(new)
    _settle(reads={at})
    rows = OrgTally.objects.filter(
        org_id=at, dimension=HAMLET, value__in=[str(pk) for pk in locality_ids], count__gt=0
    )
    delta: dict[Key, int] = defaultdict(int)
    for value, n in rows.values_list("value", "count"):
        for org_id in old - new:
            delta[(org_id, HAMLET, value)] -= n
        for org_id in new - old:
            delta[(org_id, HAMLET, value)] += n
    _apply({key: n for key, n in delta.items() if n})


def _apply(delta: dict[Key, int]) -> None:
    """Add each count to its row, creating the row when it is new (one upsert per row,
    in key order so two writers lock shared ancestor rows in the same order)."""
    if not delta or deferred():
        return
    _settle(writes={org_id for org_id, _, _ in delta})
    connection = connections[router.db_for_write(OrgTally)]
    table = connection.ops.quote_name(OrgTally._meta.db_table)
    sql = (
        f"INSERT INTO {table} (org_id, dimension, value, count) VALUES (%s, %s, %s, %s) "
        f"ON CONFLICT (org_id, dimension, value) DO UPDATE SET count = {table}.count + excluded.count"
    )
    org_field = OrgTally._meta.get_field("org").target_field
    rows = sorted(
        (org_field.get_db_prep_value(org_id, connection), dimension, value, n)
        for (org_id, dimension, value), n in delta.items()
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


# --- recounting ------------------------------------------------------------------------


def tally_recount() -> dict[Key, int]:
    """Every tally, recounted from the member, position and organization tables."""
    orgs, ancestors = _org_table()
    ids_by_path = {values[0]: org_id for org_id, values in orgs.items()}
    active = Member.objects.filter(status__in=ACTIVE_STATUSES).order_by()
    counts: dict[Key, int] = defaultdict(int)
    for dimension, field in DIMENSIONS.items():
        if field is None:
            groups = active.values_list("org_id").annotate(n=Count("id")).values_list("org_id", "n")
            rows = ((org_id, "", n) for org_id, n in groups)
        elif field == "birth_date":
            by_year = (
                active.annotate(y=ExtractYear("birth_date"))
                .values_list("org_id", "y")
                .annotate(n=Count("id"))
            )
            rows = ((org_id, str(y), n) for org_id, y, n in by_year)
        else:
            by_value = active.values_list("org_id", field).annotate(n=Count("id"))
            rows = ((org_id, str(v or "")[:_VALUE_WIDTH], n) for org_id, v, n in by_value)
        for org_id, value, n in rows:
            for ancestor in ancestors[org_id]:
                counts[(ancestor, dimension, value)] += n
    communes = dict(Locality.objects.values_list("id", "commune_path"))
    residents = (
        active.filter(residence_locality__isnull=False)
        .values_list("residence_locality_id")
        .annotate(n=Count("id"))
    )
    for locality_id, n in residents.values_list("residence_locality_id", "n"):
        for ancestor in _ancestor_ids(communes[locality_id], ids_by_path):
            counts[(ancestor, HAMLET, str(locality_id))] += n
            if n:
                counts[(ancestor, HAMLETS_WITH_MEMBERS, "")] += 1
    leaders = (
        Position.objects.filter(ended_on__isnull=True, member__status__in=ACTIVE_STATUSES)
        .values_list("org_id", "role", "member__theory_level_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    for org_id, role, theory, n in leaders:
        _path, kind, _, upper, _, _ = orgs[org_id]
        if leads_grassroots(kind, upper):
            for dimension in leader_dimensions(role):
                for ancestor in ancestors[org_id]:
                    counts[(ancestor, dimension, theory_value(theory))] += n
    live_hamlets = list(
        Locality.objects.filter(dissolved_on__isnull=True).values(*LOCALITY_FIELDS).iterator(chunk_size=5000)
    )
    for row in live_hamlets:
        for value in locality_keys(row):
            for ancestor in _ancestor_ids(row["commune_path"], ids_by_path):
                counts[(ancestor, LOCALITIES, value)] += 1
    for row in merged_hamlets(live_hamlets):
        for ancestor in _ancestor_ids(row["commune_path"], ids_by_path):
            counts[(ancestor, LOCALITIES, MERGED_CELL)] += 1
    for key, n in _recount_flows().items():
        counts[key] += n
    _count_structure(orgs, ancestors, own=counts, counts=counts)
    return {key: n for key, n in counts.items() if n}


def _org_table() -> tuple[dict, dict]:
    """Every organization (id → path, kind, sector, upper rights, parent, live) and its
    ancestors' ids (itself included)."""
    orgs = {
        org_id: (path, kind, sector, upper, parent, live)
        for org_id, path, kind, sector, upper, parent, live in (
            (o[0], o[1], o[2], o[3], o[4], o[5], o[6] is None)
            for o in Org.objects.values_list(
                "id", "path", "kind", "sector", "has_upper_rights", "parent_id", "dissolved_on"
            )
        )
    }
    ids_by_path = {values[0]: org_id for org_id, values in orgs.items()}
    return orgs, {org_id: _ancestor_ids(values[0], ids_by_path) for org_id, values in orgs.items()}


def _count_structure(orgs: dict, ancestors: dict, *, own: Mapping[Key, int], counts: dict[Key, int]) -> None:
    """Organizations by kind, direct children, grassroots by sector, and the flags (judged on
    each organization's own counts in ``own``), added to ``counts``."""
    today = clock.today()
    for org_id, (_path, kind, sector, upper, parent, live) in orgs.items():
        if not live:
            continue
        for ancestor in ancestors[org_id]:
            if ancestor != org_id:
                for dimension, value in org_keys(kind, sector, upper):
                    counts[(ancestor, dimension, value)] += 1
        if parent is not None:
            counts[(parent, ORG_DIRECT, "")] += 1
        for flag, spec in FLAGS.items():
            if kind in spec.kinds and own.get((org_id, spec.dimension, spec.value), 0) >= spec.rule.value(
                today
            ):
                for ancestor in ancestors[org_id]:
                    counts[(ancestor, flag, "")] += 1


# What a restructuring does not move with a subtree but recounts (``tally_fix_derived``):
# counts that depend on where organizations sit, not on what is under them.
DERIVED_DIMENSIONS = (
    ORG_KIND,
    ORG_DIRECT,
    GRASSROOTS_SECTOR,
    CELL_COMMITTEE_FLAG,
    LARGE_GRASSROOTS_FLAG,
    HAMLETS_WITH_MEMBERS,
    FLOW + TRANSFER_IN,
    FLOW + TRANSFER_OUT,
)


def tally_fix_derived() -> int:
    """Recount the derived dimensions exactly and correct the stored rows; returns how many
    rows changed. Cheap at any scale: it reads the organization table, the transfers and
    a few stored rows per organization, never the members."""
    if deferred():
        return 0
    box = _BATCH.get()
    if box is not None:
        box.derived = True
        return 0
    orgs, ancestors = _org_table()
    own_dims = {(spec.dimension, spec.value) for spec in FLAGS.values()}
    own: dict[Key, int] = {}
    flagged_kinds = set().union(*(spec.kinds for spec in FLAGS.values()))
    candidates = [org_id for org_id, values in orgs.items() if values[5] and values[1] in flagged_kinds]
    for start in range(0, len(candidates), 5000):
        rows = OrgTally.objects.filter(
            org_id__in=candidates[start : start + 5000], dimension__in={d for d, _ in own_dims}
        ).values_list("org_id", "dimension", "value", "count")
        own.update({(o, d, v): n for o, d, v, n in rows if (d, v) in own_dims})
    counts: dict[Key, int] = defaultdict(int)
    _count_structure(orgs, ancestors, own=own, counts=counts)
    with_members = (
        OrgTally.objects.filter(dimension=HAMLET, count__gt=0)
        .values_list("org_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    for org_id, n in with_members:
        counts[(org_id, HAMLETS_WITH_MEMBERS, "")] += n
    for key, n in _recount_transfer_flows().items():
        counts[key] += n
    stored = {
        (o, d, v): n
        for o, d, v, n in OrgTally.objects.filter(dimension__in=DERIVED_DIMENSIONS).values_list(
            "org_id", "dimension", "value", "count"
        )
    }
    delta = {key: counts.get(key, 0) - stored.get(key, 0) for key in set(counts) | set(stored)}
    delta = {key: n for key, n in delta.items() if n}
    _apply(delta)
    return len(delta)


def _recount_transfer_flows() -> dict[Key, int]:
    """Transfers out of every organization above the sender but not the receiver, and into
    every one above the receiver but not the sender (as ``member_flows``), counted per pair
    of organizations rather than per event: a province has tens of thousands of transfers
    between a few thousand pairs."""
    from collections import Counter

    from dangbo.members.models import MemberEvent

    by_pair: dict[tuple, Counter] = defaultdict(Counter)
    rows = MemberEvent.objects.filter(kind="transferred", from_org__isnull=False, to_org__isnull=False)
    for day, from_org, to_org in rows.values_list("effective_on", "from_org_id", "to_org_id").iterator(
        chunk_size=20000
    ):
        by_pair[(from_org, to_org)][day.isoformat()] += 1
    if not by_pair:
        return {}
    org_paths = dict(Org.objects.values_list("id", "path"))
    ids_by_path = {path: org_id for org_id, path in org_paths.items()}
    counts: dict[Key, int] = defaultdict(int)
    for (sender, receiver), days in by_pair.items():
        above_sender = _ancestor_ids(org_paths[sender], ids_by_path)
        above_receiver = _ancestor_ids(org_paths[receiver], ids_by_path)
        out_of = [a for a in above_sender if a not in above_receiver]
        into = [a for a in above_receiver if a not in above_sender]
        for day, n in days.items():
            for org_id in out_of:
                counts[(org_id, FLOW + TRANSFER_OUT, day)] += n
            for org_id in into:
                counts[(org_id, FLOW + TRANSFER_IN, day)] += n
    return counts


def tally_subtrees_moved(moves: Iterable[tuple[object, Iterable, Iterable]]) -> None:
    """Subtrees moved: for each (organization, its ancestors before, its ancestors after; the
    organization itself not among them), the counts under it leave the ancestors it no longer
    sits under and join the new ones. Done in the database, one statement per few thousand
    subtrees, whatever their size; the derived dimensions are left to ``tally_fix_derived``."""
    if deferred():
        return
    mapping = []
    for org_id, before, after in moves:
        before, after = set(before), set(after)
        mapping += [(org_id, a, -1) for a in before - after] + [(org_id, a, +1) for a in after - before]
    if not mapping:
        return
    box = _BATCH.get()
    if box is None:
        _move_subtree_counts(mapping)
        return
    sources, targets = {m[0] for m in mapping}, {m[1] for m in mapping}
    if box.targets & sources or box.sources & targets or box.dropped & (sources | targets):
        _move_queued(box)
    box.mapping += mapping
    box.sources |= sources
    box.targets |= targets


def _move_subtree_counts(mapping: list[tuple[object, object, int]]) -> None:
    """Add each source's counts, times the sign, to its target: in the database, one statement
    per 2,000 rows of the mapping."""
    if not mapping:
        return
    connection = connections[router.db_for_write(OrgTally)]
    table = connection.ops.quote_name(OrgTally._meta.db_table)
    org_field = OrgTally._meta.get_field("org").target_field
    cast = "::uuid" if connection.vendor == "postgresql" else ""  # a VALUES column is text otherwise
    excluded = ", ".join(["%s"] * len(DERIVED_DIMENSIONS))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # a plan's moves, queued, sum a million rows: sorted in memory, not on disk
            cursor.execute("SET LOCAL work_mem = '256MB'")
        for start in range(0, len(mapping), 2000):
            part = mapping[start : start + 2000]
            values = ", ".join([f"(%s{cast}, %s{cast}, %s)"] * len(part))
            params = [
                x
                for source, target, sign in part
                for x in (
                    org_field.get_db_prep_value(source, connection),
                    org_field.get_db_prep_value(target, connection),
                    sign,
                )
            ]
            # PostgreSQL is told to read each source's rows by the index (LATERAL): joined to a
            # list of a few dozen sources it would otherwise scan the whole table; SQLite has no
            # LATERAL, and its planner loops over the small list by the index anyway.
            # Each source's rows are read once (a subtree moved from a district to the bloc adds
            # to one and takes from the other), then spread over its targets.
            rows = (
                f"(SELECT DISTINCT source FROM m) src CROSS JOIN LATERAL (SELECT org_id, dimension, value, count FROM {table} "
                f"WHERE org_id = src.source AND dimension NOT IN ({excluded})) s JOIN m ON m.source = s.org_id"
                if connection.vendor == "postgresql"
                else f"{table} s JOIN m ON s.org_id = m.source WHERE s.dimension NOT IN ({excluded})"
            )
            cursor.execute(
                f"WITH m(source, target, sign) AS (VALUES {values}) "
                f"INSERT INTO {table} (org_id, dimension, value, count) "
                f"SELECT m.target, s.dimension, s.value, SUM(s.count * m.sign) FROM {rows} "
                f"GROUP BY m.target, s.dimension, s.value "
                f"ON CONFLICT (org_id, dimension, value) DO UPDATE SET count = {table}.count + excluded.count",
                params + list(DERIVED_DIMENSIONS),
            )
        if connection.vendor == "postgresql":
            cursor.execute("RESET work_mem")


def _recount_flows() -> dict[Key, int]:
    """Every member's flows, from the events and placements (streamed member by member)."""
    from dangbo.members.ledger import PlacementSpan
    from dangbo.members.models import MemberEvent, Placement

    events = (
        MemberEvent.objects.filter(
            kind__in=[*FLOW_INCREASES, *FLOW_DECREASES, "recognized", "restored", "transferred"]
        )
        .order_by("member_id")
        .values_list("member_id", "kind", "effective_on", "to_org_id", "from_org_id")
    )
    placements = (
        Placement.objects.filter(counted=True)
        .order_by("member_id")
        .values_list("member_id", "org_id", "valid_from", "valid_to", "status")
    )
    by_member: dict[object, list] = defaultdict(list)
    for member_id, org_id, valid_from, valid_to, status in placements.iterator(chunk_size=20000):
        by_member[member_id].append(PlacementSpan(org_id, valid_from, status, valid_to, True))
    flows: list[Flow] = []
    current = None
    batch: list[_EventRow] = []

    def flush():
        if current is not None:
            flows.extend(member_flows(batch, by_member.get(current, [])))

    for member_id, kind, effective_on, to_org_id, from_org_id in events.iterator(chunk_size=20000):
        if member_id != current:
            flush()
            current, batch = member_id, []
        batch.append(_EventRow(kind, effective_on, to_org_id, from_org_id))
    flush()
    return _flow_delta([], flows)


@dataclass(frozen=True)
class _EventRow:
    kind: str
    effective_on: date
    to_org_id: object
    from_org_id: object


def tally_rebuild() -> TallyRun:
    """Replace every tally with a fresh recount (one transaction)."""
    started = time.perf_counter()
    counts = tally_recount()
    connection = connections[router.db_for_write(OrgTally)]
    table = connection.ops.quote_name(OrgTally._meta.db_table)
    org_field = OrgTally._meta.get_field("org").target_field
    prepared: dict = {}

    def org_value(org_id):
        if org_id not in prepared:
            prepared[org_id] = org_field.get_db_prep_value(org_id, connection)
        return prepared[org_id]

    # Plain tuples through one prepared INSERT: building half a million model instances
    # cost more than the database's own work.
    rows = [(org_value(org_id), dim, value, n) for (org_id, dim, value), n in counts.items()]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table}")
        for start in range(0, len(rows), 20000):
            cursor.executemany(
                f"INSERT INTO {table} (org_id, dimension, value, count) VALUES (%s, %s, %s, %s)",
                rows[start : start + 20000],
            )
        return TallyRun.objects.create(seconds=time.perf_counter() - started, rows=len(counts))


@dataclass(frozen=True)
class TallyDifference:
    org_id: UUID
    dimension: str
    value: str
    stored: int
    recounted: int


def tally_stored() -> dict[Key, int]:
    return {
        (org_id, dim, value): n
        for org_id, dim, value, n in OrgTally.objects.exclude(count=0).values_list(
            "org_id", "dimension", "value", "count"
        )
    }


def tally_differences() -> list[TallyDifference]:
    """Every (organization, dimension, value) whose stored count differs from a recount."""
    stored = tally_stored()
    recounted = tally_recount()
    return [
        TallyDifference(key[0], key[1], key[2], stored.get(key, 0), recounted.get(key, 0))
        for key in sorted(set(stored) | set(recounted), key=lambda k: (str(k[0]), k[1], k[2]))
        if stored.get(key, 0) != recounted.get(key, 0)
    ]


def tally_read(org_ids: Iterable, dimensions: Iterable[str] = ()) -> dict[UUID, dict[str, dict[str, int]]]:
    """The stored counts of ``org_ids`` in ``dimensions`` (all the stock dimensions by
    default: not the hamlets, of which a province has thousands, nor the flows, read by
    ``tally_flows``): org id → dimension → value → count. Naming the dimensions lets the
    database read each as a range of the (org, dimension, value) index."""
    result: dict[UUID, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    rows = OrgTally.objects.filter(
        org_id__in=list(org_ids), dimension__in=list(dimensions or STOCK_DIMENSIONS), count__gt=0
    )
    for org_id, dim, value, n in rows.values_list("org_id", "dimension", "value", "count"):
        result[org_id][dim][value] = n
    return result


def tally_flows(
    org_ids: Iterable, start: date, end: date, *, kinds: Iterable[str] | None = None
) -> dict[UUID, dict[str, int]]:
    """Flows from ``start`` to ``end`` (both included): org id → kind → count (every kind, or
    ``kinds``)."""
    from django.db.models import Sum

    result: dict[UUID, dict[str, int]] = defaultdict(dict)
    rows = (
        OrgTally.objects.filter(
            org_id__in=list(org_ids),
            dimension__in=FLOW_DIMENSIONS if kinds is None else [FLOW + kind for kind in kinds],
            value__gte=start.isoformat(),
            value__lte=end.isoformat(),
        )
        .values_list("org_id", "dimension")
        .annotate(n=Sum("count"))
        .order_by()
    )
    for org_id, dimension, n in rows:
        if n:
            result[org_id][dimension[len(FLOW) :]] = n
    return result
