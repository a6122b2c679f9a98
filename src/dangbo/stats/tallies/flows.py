"""Flows: a member's events placed, by day, in the organizations they increase or decrease
(``member_flows``); applying their change, and recounting them from the ledger (they are read
over a period by ``reads.tally_flows``)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from dangbo.core import paths
from dangbo.members.ledger import PlacementSpan
from dangbo.members.models import ACTIVE_STATUSES, MemberEvent, MemberStatus, Placement
from dangbo.orgs.models import Org
from dangbo.stats.tallies.keys import (
    FLOW,
    FLOW_DECREASES,
    FLOW_INCREASES,
    STOCK_IN,
    STOCK_OUT,
    TRANSFER_IN,
    TRANSFER_OUT,
    YEAR_FLOW,
    Flow,
    Key,
    _ancestor_ids,
)
from dangbo.stats.tallies.store import _apply, deferred


def member_flows(events, placements) -> list[Flow]:
    """The flows one member's history makes: increases in the organization the event names;
    decreases in the organization whose counted placement ended that day; recognition where
    the full member's placement began; an official transfer out of every organization above
    the sender but not the receiver, and into every one above the receiver but not the sender.
    A restoration is counted on the day of the exit it undoes. Each of these again by year
    (``keys.YEAR_FLOW``). And the counted stock's changes (``stock_changes``)."""
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
    flows.extend(
        [(YEAR_FLOW + dimension[len(FLOW) :], day[:4], org, other) for dimension, day, org, other in flows]
    )
    flows.extend(stock_changes(counted))
    return flows


def stock_changes(counted) -> list[Flow]:
    """The member's counted placements (probationary or full) that began or ended, by day and
    organization, netted: +n is ``stock_in`` n times, −n ``stock_out``. Placed in every
    organization above the one named, both sides of a move alike (not only where the two sides
    differ, as transfers are): each organization's own changes then add up the same whatever
    the tree above it, and move with its subtree in a restructuring as the stock does."""
    net: dict[tuple[date, UUID], int] = defaultdict(int)
    for span in counted:
        if span.status not in ACTIVE_STATUSES:
            continue
        net[(span.valid_from, span.org_id)] += 1
        if span.valid_to is not None:
            net[(span.valid_to, span.org_id)] -= 1
    flows: list[Flow] = []
    for (day, org_id), n in net.items():
        flows.extend([(FLOW + (STOCK_IN if n > 0 else STOCK_OUT), day.isoformat(), org_id, None)] * abs(n))
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
    # worked out once per (organization, other): a chunk's thousands of flows name a few
    # hundred organizations
    reached: dict[tuple, list] = {}

    def above(org_id) -> list:
        return _ancestor_ids(org_paths[org_id], ids_by_path)

    delta: dict[Key, int] = defaultdict(int)
    for (dimension, day, org_id, other), n in changes.items():
        if (org_id, other) not in reached:
            reached[(org_id, other)] = _reached(above, org_id, other)
        for ancestor in reached[(org_id, other)]:
            delta[(ancestor, dimension, day)] += n
    return {key: n for key, n in delta.items() if n}


def _reached(above: Callable[[object], list], org_id, other) -> list:
    """The organizations a flow placed in ``org_id`` counts in (``above``: an organization →
    those above it, itself included): all of them, less, for a transfer's flow, those above the
    ``other`` side too (``member_flows``)."""
    targets = above(org_id)
    if other is not None and targets:
        skip = set(above(other))
        targets = [a for a in targets if a not in skip]
    return targets


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


def _recount_transfer_flows() -> dict[Key, int]:
    """Transfers out of every organization above the sender but not the receiver, and into
    every one above the receiver but not the sender (as ``member_flows``), by day and by year,
    counted per pair of organizations rather than per event: a province has tens of thousands
    of transfers between a few thousand pairs."""
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
                counts[(org_id, YEAR_FLOW + TRANSFER_OUT, day[:4])] += n
            for org_id in into:
                counts[(org_id, FLOW + TRANSFER_IN, day)] += n
                counts[(org_id, YEAR_FLOW + TRANSFER_IN, day[:4])] += n
    return counts


FLOW_EVENT_KINDS = (*FLOW_INCREASES, *FLOW_DECREASES, "recognized", "restored", "transferred")
MEMBERS_AT_ONCE = 2000  # members whose placements are read in one query by ``recount_flows``
SUMMED_AT_MOST = 200_000  # distinct flows summed by ``recount_flows`` before they are spread


def flow_member_ids(part) -> list:
    """The members whose flows may count in the organizations of ``part`` (a ``recount.Part``):
    those ever placed in one of them. Every flow is placed in an organization the member had a
    placement in (an event's receiving or sending organization is one: the ledger places the
    member there), so this is all of them. (Adding "or an event names one of them" made
    PostgreSQL check every event against a list of two million: the recount never ended.)"""
    in_part = Org.objects.filter(part.org_q("")).values("id")
    return list(
        Placement.objects.filter(org_id__in=in_part).values_list("member_id", flat=True).distinct().order_by()
    )


def _event_rows(member_ids: Collection | None) -> Iterator[tuple]:
    """The flow events of ``member_ids`` (every member's when None), each member's together.
    A part's members are read by their ids, ``MEMBERS_AT_ONCE`` at a time: asked as "members
    placed in the part, in member order", PostgreSQL's cursor walked the whole ledger's member
    index for every part and filtered it (a national recount spent 60 % of its flows there)."""
    fields = ("member_id", "kind", "effective_on", "to_org_id", "from_org_id")
    events = MemberEvent.objects.filter(kind__in=FLOW_EVENT_KINDS)
    if member_ids is None:
        yield from events.order_by("member_id").values_list(*fields).iterator(chunk_size=20000)
        return
    ids = list(member_ids)
    for start in range(0, len(ids), MEMBERS_AT_ONCE):
        chunk = ids[start : start + MEMBERS_AT_ONCE]
        yield from events.filter(member_id__any=chunk).order_by("member_id").values_list(*fields)


def recount_flows(
    orgs: Mapping,
    kept: dict,
    member_ids: Collection | None = None,
    *,
    within: set | None = None,
    spanning: set | None = None,
) -> dict[Key, int]:
    """Every member's flows (of ``member_ids``: all by default), from the events and
    placements, under the organizations of ``kept`` (path → id) above each flow's organization.
    Streamed member by member: what is held is the counts and one batch of members' placements.

    With ``within`` (the ids of one run's organizations, ``tallies.parts``), a member whose
    placements and events all lie within the run has their flows counted under every
    organization of ``kept``; any other member only under those of ``within``, and their id
    is added to ``spanning``: their flows above the runs are counted by one pass over such
    members alone (a member moved between two runs is read by both, and must count once)."""
    rows = _event_rows(member_ids)
    counts: dict[Key, int] = defaultdict(int)
    ancestors_cache: dict = {}

    def above(org_id) -> list:
        if org_id not in ancestors_cache:
            ancestors_cache[org_id] = _ancestor_ids(orgs[org_id][0], kept)
        return ancestors_cache[org_id]

    # The members' flows are summed first, then each distinct flow spread over the organizations
    # above it: members admitted to one cell in one year share their year's flow, and a flow is
    # spread once rather than once per member (the spreading was most of a recount's flows).
    summed: Counter = Counter()  # ((dimension, day, organization, other), whole) → members

    def spread() -> None:
        for ((dimension, day, flow_org, other), whole), n in summed.items():
            targets = _reached(above, flow_org, other)
            if not whole and within is not None:
                targets = [a for a in targets if a in within]
            for ancestor in targets:
                counts[(ancestor, dimension, day)] += n
        summed.clear()

    def count(batch: dict[object, list[_EventRow]]) -> None:
        spans: dict[object, list] = defaultdict(list)
        placements = Placement.objects.filter(counted=True, member_id__any=list(batch)).values_list(
            "member_id", "org_id", "valid_from", "valid_to", "status"
        )
        for member_id, org_id, valid_from, valid_to, status in placements:
            spans[member_id].append(PlacementSpan(org_id, valid_from, status, valid_to, True))
        for member, member_events in batch.items():
            member_spans = spans.get(member, [])
            whole = within is None or _lies_within(member_events, member_spans, within)
            if not whole and spanning is not None:
                spanning.add(member)
            summed.update((flow, whole) for flow in member_flows(member_events, member_spans))
        if len(summed) > SUMMED_AT_MOST:
            spread()

    batch: dict[object, list[_EventRow]] = {}
    for member_id, kind, effective_on, to_org_id, from_org_id in rows:
        if member_id not in batch and len(batch) >= MEMBERS_AT_ONCE:
            count(batch)
            batch = {}
        batch.setdefault(member_id, []).append(_EventRow(kind, effective_on, to_org_id, from_org_id))
    if batch:
        count(batch)
    spread()
    return counts


def _lies_within(events: list[_EventRow], spans: list[PlacementSpan], within: set) -> bool:
    """Every organization the member's flows can be placed in (their placements, the two sides
    of their events) is one of ``within``."""
    return all(span.org_id in within for span in spans) and all(
        org_id is None or org_id in within
        for event in events
        for org_id in (event.to_org_id, event.from_org_id)
    )


@dataclass(frozen=True)
class _EventRow:
    kind: str
    effective_on: date
    to_org_id: object
    from_org_id: object
