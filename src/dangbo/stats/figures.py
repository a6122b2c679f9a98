"""The counts indicators are computed from, for an organization's subtree in a report frame.

Stock counts (``Stock``) on the frame's date: today's from the pre-aggregated tallies
(a few hundred rows whatever the subtree's size), a past date's from the ledger's counted
placements on that day and the organization versions of that day. Both go through
``tallies.member_keys``, so the two ways count the same thing the same way. On a past date
the identity attributes (ethnicity, education, theory level, residence) are today's: the
profile keeps no history of them.

Flow counts over a period are pre-aggregated by day (``tallies.member_flows``), read with
``tallies.tally_flows``. The tallies place a flow under today's tree (a moved subtree carries
its flows); when an organization has moved, merged or split since the period began,
``flows`` recounts the period's events from the ledger instead, each placed by the tree of
its own day — a district dissolved in the reform still shows its admissions of 2024.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from uuid import UUID

from django.db.models import Q

from dangbo.core import paths
from dangbo.members.models import ACTIVE_STATUSES, MemberEvent, Placement
from dangbo.orgs.models import Locality, Org, OrgVersion
from dangbo.stats import sql
from dangbo.stats.frames import Frame
from dangbo.stats.tallies import member_keys, tally_flows, tally_read
from dangbo.stats.tallies.keys import (
    _VALUE_WIDTH,
    DIMENSIONS,
    FLOW_DECREASES,
    FLOW_INCREASES,
    HAMLET,
    TRANSFER_IN,
    TRANSFER_OUT,
)


@dataclass
class Stock:
    """dimension → value → members, for one subtree on one day."""

    dims: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return self.dims.get("total", {}).get("", 0)

    def count(self, dimension: str, value: str) -> int:
        return self.dims.get(dimension, {}).get(value, 0)

    def values(self, dimension: str) -> dict[str, int]:
        return dict(self.dims.get(dimension, {}))

    def count_in(self, dimension: str, values) -> int:
        wanted = set(values)
        return sum(n for value, n in self.dims.get(dimension, {}).items() if value in wanted)

    def count_not_in(self, dimension: str, values) -> int:
        unwanted = set(values)
        return sum(n for value, n in self.dims.get(dimension, {}).items() if value not in unwanted)

    def hamlets(self) -> set[str]:
        """Ids of hamlets in the subtree with at least one resident member."""
        return {value for value, n in self.dims.get(HAMLET, {}).items() if n > 0}


_PLACEMENT_MEMBER_FIELDS = (
    "member__gender",
    "member__ethnicity_id",
    "member__religion_id",
    "member__general_education_id",
    "member__professional_level_id",
    "member__theory_level_id",
    "member__occupation",
    "member__birth_date",
    "member__residence_locality_id",
)


def stocks(frame: Frame, orgs: list[Org]) -> dict[UUID, Stock]:
    """The stock of each of ``orgs`` (the root and some of its descendants) on ``frame.as_of``."""
    if frame.is_today:
        stored = tally_read([org.pk for org in orgs])
        return {
            org.pk: Stock({dim: dict(values) for dim, values in stored.get(org.pk, {}).items()})
            for org in orgs
        }
    return _stocks_on(frame.as_of, frame, orgs)


def _stocks_on(day: date, frame: Frame, orgs: list[Org]) -> dict[UUID, Stock]:
    """A past day's stocks. When no organization has moved, merged or split since ``day``,
    today's tallies are corrected by the members whose placements changed after it (a year
    back, a tenth of a province); otherwise every counted placement of the day is counted."""
    if frame.tree_unchanged_since(day):
        return _stocks_by_difference(day, frame, orgs)
    return _stocks_by_recount(day, frame, orgs)


_MEMBER_FIELDS = (
    "gender",
    "ethnicity_id",
    "religion_id",
    "general_education_id",
    "professional_level_id",
    "theory_level_id",
    "occupation",
    "birth_date",
    "residence_locality_id",
)


class _Accumulator:
    """Adds members' keys (tallies.member_keys, and their hamlet) to every requested
    organization whose path prefixes the member's organization's path on the day."""

    def __init__(self, wanted: dict[str, UUID]):
        self.wanted = wanted
        self.lengths = sorted({len(path) for path in wanted})
        self.communes = dict(Locality.objects.values_list("id", "commune_path"))
        self.counts: dict[UUID, dict[str, dict[str, int]]] = {
            org_id: defaultdict(lambda: defaultdict(int)) for org_id in wanted.values()
        }

    def add(self, row: dict, sign: int) -> None:
        path = row["org_path"]
        targets = [self.wanted[path[:n]] for n in self.lengths if len(path) >= n and path[:n] in self.wanted]
        keys = member_keys(row)
        for target in targets:
            counts = self.counts[target]
            for dimension, value in keys:
                counts[dimension][value] += sign
        locality = row["residence_locality_id"]
        if locality is not None and keys:
            commune_path = self.communes.get(locality, "")
            for n in self.lengths:  # a commune's path is shorter than its cells': counted once
                if len(commune_path) >= n and commune_path[:n] in self.wanted:
                    self.counts[self.wanted[commune_path[:n]]][HAMLET][str(locality)] += sign

    def stocks(self, orgs: list[Org]) -> dict[UUID, Stock]:
        result = {}
        for org in orgs:
            dims = self.counts.get(org.pk, {})
            dims.pop("standing", None)  # not kept over time
            kept = {dim: {v: n for v, n in values.items() if n} for dim, values in dims.items()}
            result[org.pk] = Stock({dim: values for dim, values in kept.items() if values})
        return result


def _wanted_paths(day: date, frame: Frame, orgs: list[Org]) -> tuple[dict[UUID, str], dict[str, UUID]]:
    versions = dict(
        OrgVersion.objects.filter(
            Q(valid_to__isnull=True) | Q(valid_to__gt=day),
            valid_from__lte=day,
            org_id__in=frame.org_ids_on(day),
        ).values_list("org_id", "path")
    )
    return versions, {versions[org.pk]: org.pk for org in orgs if org.pk in versions}


def _placement_rows(placements, versions: dict[UUID, str]):
    for org_id, status, *member in placements.values_list(
        "org_id", "status", *_PLACEMENT_MEMBER_FIELDS
    ).iterator(chunk_size=20000):
        if org_id in versions:
            row = dict(zip(_MEMBER_FIELDS, member, strict=False))
            row.update(status=status, standing="", org_path=versions[org_id])
            yield row


def _on(day: date) -> Q:
    return (Q(valid_to__isnull=True) | Q(valid_to__gt=day)) & Q(valid_from__lte=day, counted=True)


def _stocks_by_recount(day: date, frame: Frame, orgs: list[Org]) -> dict[UUID, Stock]:
    versions, wanted = _wanted_paths(day, frame, orgs)
    if not wanted:
        return {org.pk: Stock() for org in orgs}
    acc = _Accumulator(wanted)
    for row in _placement_rows(Placement.objects.filter(_on(day), org_id__in=list(versions)), versions):
        acc.add(row, +1)
    return acc.stocks(orgs)


def _stocks_by_difference(day: date, frame: Frame, orgs: list[Org]) -> dict[UUID, Stock]:
    """Today's tallies, less the members whose placements changed after ``day`` as they are
    today, plus the same members as they were placed on ``day`` (``stats.sql.stock_changes``:
    grouped in the database, whatever the number of members)."""
    root_path = frame.root_path_on(day)
    versions = (
        dict(
            OrgVersion.objects.filter(
                Q(valid_to__isnull=True) | Q(valid_to__gt=day),
                paths.subtree_q(root_path),
                valid_from__lte=day,
                org_id__in=[org.pk for org in orgs],
            ).values_list("org_id", "path")
        )
        if root_path
        else {}
    )  # the asked organizations' paths on the day: not every organization's of the subtree
    wanted = {versions[org.pk]: org.pk for org in orgs if org.pk in versions}
    if not wanted or not root_path:
        return {org.pk: Stock() for org in orgs}
    counts: dict[UUID, dict[str, dict[str, int]]] = {
        org_id: defaultdict(lambda: defaultdict(int)) for org_id in wanted.values()
    }
    stored = tally_read([org.pk for org in orgs if org.pk in versions], [*DIMENSIONS, HAMLET])
    for org_id, dims in stored.items():
        for dimension, values in dims.items():
            for value, n in values.items():
                counts[org_id][dimension][value] += n
    lengths = sorted({len(path) for path in wanted})
    changes = sql.stock_changes(day=day, root_path=root_path, length=lengths[-1], statuses=ACTIVE_STATUSES)
    for sign, prefix, dimension, raw, n in changes:
        value = _stock_value(dimension, raw)
        for length in lengths:
            if len(prefix) >= length and prefix[:length] in wanted:
                counts[wanted[prefix[:length]]][dimension][value] += sign * n
    result = {}
    for org in orgs:
        dims = counts.get(org.pk, {})
        dims.pop("standing", None)  # not kept over time
        kept = {dim: {v: n for v, n in values.items() if n} for dim, values in dims.items()}
        result[org.pk] = Stock({dim: values for dim, values in kept.items() if values})
    return result


def _stock_value(dimension: str, raw) -> str:
    """A value of ``stats.sql.stock_changes`` as ``tallies.member_keys`` writes it."""
    if dimension == HAMLET:
        return str(raw if isinstance(raw, UUID) else UUID(str(raw)))
    if raw is None:
        return ""
    return str(raw)[:_VALUE_WIDTH]


# --- flows over a period ----------------------------------------------------------------------


def flows(frame: Frame, org_ids: list, *, kinds=None) -> dict[UUID, dict[str, int]]:
    """Flows from ``frame.start`` to ``frame.end`` for each organization's subtree: org id →
    kind → count (every kind, or ``kinds``)."""
    if frame.tree_unchanged_since(frame.start):
        return tally_flows(org_ids, frame.start, frame.end, kinds=kinds)
    return _flows_by_recount(frame.start, frame.end, org_ids, kinds)


class _Paths:
    """Organizations' paths on any day of a period, from their versions."""

    def __init__(self, org_ids, start: date, end: date):
        self.spans: dict[UUID, list] = defaultdict(list)
        versions = OrgVersion.objects.filter(org_id__in=list(org_ids), valid_from__lte=end).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gt=start)
        )
        for org_id, valid_from, valid_to, path in versions.values_list(
            "org_id", "valid_from", "valid_to", "path"
        ):
            self.spans[org_id].append((valid_from, valid_to, path))

    def on(self, org_id, day: date) -> str | None:
        for valid_from, valid_to, path in self.spans.get(org_id, ()):
            if valid_from <= day and (valid_to is None or day < valid_to):
                return path
        return None


def _flows_by_recount(start: date, end: date, org_ids: list, kinds=None) -> dict[UUID, dict[str, int]]:
    """The period's flows from the ledger, placed as ``tallies.member_flows`` places them but
    on the tree of each event's day."""
    wanted = (
        set(kinds)
        if kinds is not None
        else {*FLOW_INCREASES, *FLOW_DECREASES, "recognized", "restored", TRANSFER_IN, TRANSFER_OUT}
    )
    event_kinds = [k for k in (*FLOW_INCREASES, *FLOW_DECREASES, "recognized", "restored") if k in wanted]
    if wanted & {TRANSFER_IN, TRANSFER_OUT}:
        event_kinds.append("transferred")
    events = list(
        MemberEvent.objects.filter(
            effective_on__gte=start, effective_on__lte=end, kind__in=event_kinds
        ).values_list("member_id", "kind", "effective_on", "to_org_id", "from_org_id")
    )
    members = {e[0] for e in events if e[1] not in FLOW_INCREASES and e[1] != "transferred"}
    ended, began_full, exits = {}, {}, defaultdict(list)
    if members:
        placements = Placement.objects.filter(member_id__in=members, counted=True)
        for member_id, org_id, valid_from, valid_to, status in placements.values_list(
            "member_id", "org_id", "valid_from", "valid_to", "status"
        ):
            if valid_to is not None:
                ended[(member_id, valid_to)] = org_id
            if status == "full":
                began_full[(member_id, valid_from)] = org_id
        exit_events = MemberEvent.objects.filter(
            member_id__in=members, kind__in=["struck_off", "resigned", "expelled"]
        )
        for member_id, day in exit_events.values_list("member_id", "effective_on"):
            exits[member_id].append(day)
    placed: list[tuple[str, date, UUID, UUID | None]] = []  # (kind, day of the tree, org, org not counted)
    for member_id, kind, day, to_org, from_org in events:
        if kind in FLOW_INCREASES and to_org:
            placed.append((kind, day, to_org, None))
        elif kind in FLOW_DECREASES and (member_id, day) in ended:
            placed.append((kind, day, ended[(member_id, day)], None))
        elif kind == "recognized" and (member_id, day) in began_full:
            placed.append((kind, day, began_full[(member_id, day)], None))
        elif kind == "restored":
            undone = sorted(d for d in exits[member_id] if d <= day)
            if undone and (member_id, undone[-1]) in ended and start <= undone[-1]:
                placed.append((kind, undone[-1], ended[(member_id, undone[-1])], None))
        elif kind == "transferred" and from_org and to_org:
            placed.append((TRANSFER_OUT, day, from_org, to_org))
            placed.append((TRANSFER_IN, day, to_org, from_org))
    involved = set(org_ids) | {p[2] for p in placed} | {p[3] for p in placed if p[3] is not None}
    tree = _Paths(involved, start, end)
    roots_on: dict[date, dict[str, list]] = {}  # a day → the roots' paths that day → the roots

    def roots(day: date) -> dict[str, list]:
        if day not in roots_on:
            found: dict[str, list] = defaultdict(list)
            for root in org_ids:
                root_path = tree.on(root, day)
                if root_path:
                    found[root_path].append(root)
            roots_on[day] = found
        return roots_on[day]

    counts: dict[UUID, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for kind, day, org_id, other in placed:
        if kind not in wanted:
            continue
        path, other_path = tree.on(org_id, day), tree.on(other, day) if other is not None else None
        if path is None:
            continue
        on_day = roots(day)
        # the roots above the flow's organization that day, found by its ancestors' paths (a
        # province's page asks for the root and every child at once)
        for root_path in paths.ancestor_paths(path):
            if root_path in on_day and not (other_path and other_path.startswith(root_path)):
                for root in on_day[root_path]:
                    counts[root][kind] += 1
    return {org_id: dict(by_kind) for org_id, by_kind in counts.items()}


def flows_read_from_ledger(frame: Frame) -> bool:
    """Are ``flows`` of ``frame`` recounted from the ledger (the tree changed in the period)?
    Then one recount answers the root and its children together."""
    return not frame.tree_unchanged_since(frame.start)
