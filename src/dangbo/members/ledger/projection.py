"""The one code that writes the projection: ``append`` stores events and writes the replayed state
back in the same transaction; ``bulk_write`` does it for many new members at once."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import cast
from uuid import UUID

from django.db import transaction

from dangbo.core import projections
from dangbo.core.bulk import insert_many, new_instances
from dangbo.members import hooks
from dangbo.members.ledger.state import LedgerError, PlacementSpan, PositionSpan, State
from dangbo.members.ledger.transitions import replay
from dangbo.members.models import (
    Member,
    MemberEvent,
    Placement,
    Position,
)
from dangbo.orgs.models import Org


def _projection_fields(state: State, org_paths: dict[UUID, str]) -> dict:
    return {
        "status": state.status,
        "org_id": state.org_id,
        "org_path": org_paths[cast(UUID, state.org_id)],
        "admitted_on": state.admitted_on,
        "ceremony_on": state.ceremony_on,
        "full_on": state.full_on,
        "died_on": state.died_on,
        "status_since": state.status_since,
        "party_age_from": state.party_age_from,
        "badge_years": state.badge_years,
        "badge_deferred_until": state.badge_deferred_until,
        "standing": state.standing,
        "standing_since": state.standing_since,
        "host_org_id": state.host_org_id,
        "left_on": state.left_on,
    }


_new_position = new_instances(Position)  # built without Model.__init__: a bulk write makes
_new_placement = new_instances(Placement)  # hundreds of thousands (core.bulk.new_instances)


def _rows(member_id: UUID, state: State) -> tuple[list[Position], list[Placement]]:
    positions = [
        _new_position(
            member_id=member_id, org_id=p.org_id, role=p.role, started_on=p.started_on, ended_on=p.ended_on
        )
        for p in state.positions
    ]
    placements = [
        _new_placement(
            member_id=member_id,
            org_id=p.org_id,
            valid_from=p.valid_from,
            valid_to=p.valid_to,
            counted=p.counted,
            status=p.status,
        )
        for p in state.placements + state.host_placements
    ]
    return positions, placements


def _org_paths(org_ids: Iterable[UUID | None]) -> dict[UUID, str]:
    return dict(Org.objects.filter(id__in=set(org_ids)).values_list("id", "path"))


def _tally_row(member: Member, positions) -> dict:
    row = {name: getattr(member, name) for name in ("status", *projections.tallies().member_fields)}
    row["positions"] = list(positions)
    return row


@transaction.atomic
def append(member: Member, event: MemberEvent) -> MemberEvent:
    """Record ``event`` for ``member`` and bring the projection up to date.

    The member row is locked, so two officers recording at once are serialised.
    Raises ``LedgerError`` (and writes nothing) if the history would be impossible.
    """
    append_many([(member, event)])
    return event


@transaction.atomic
def append_many(pairs: Sequence[tuple[Member, MemberEvent]], *, chunk: int = 2000) -> None:
    """``append`` for many members at once (a restructuring re-homes a whole cell): each
    member's events (in the order given) after its ledger, the ledger replayed in full, the
    rows written in bulk and the tallies moved by one aggregated change per chunk. All or
    nothing: a member whose history cannot take an event raises ``LedgerError`` naming them,
    and nothing is written."""
    grouped: dict[UUID, tuple[Member, list[MemberEvent]]] = {}
    for member, event in pairs:
        grouped.setdefault(member.pk, (member, []))[1].append(event)
    groups = list(grouped.values())
    for start in range(0, len(groups), chunk):
        _append_chunk(groups[start : start + chunk], single=len(groups) == 1)


def _append_chunk(groups: Sequence[tuple[Member, list[MemberEvent]]], *, single: bool) -> None:
    ids = [member.pk for member, _ in groups]
    locked = {m.pk: m for m in Member.objects.select_for_update().filter(pk__in=ids).order_by("pk")}
    histories: dict[UUID, list[MemberEvent]] = {pk: [] for pk in ids}
    for past in MemberEvent.objects.filter(member_id__in=ids):
        histories[past.member_id].append(past)
    counting = not projections.tallies().deferred()
    held: dict[UUID, list] = {pk: [] for pk in ids}
    if counting:
        for member_id, org_id, role in Position.objects.filter(
            member_id__in=ids, ended_on__isnull=True
        ).values_list("member_id", "org_id", "role"):
            held[member_id].append((org_id, role))
    states: dict[UUID, State] = {}
    for member, events in groups:
        row = locked[member.pk]
        for offset, event in enumerate(events, start=1):
            event.member = row
            event.seq = row.ledger_seq + offset
        try:
            states[member.pk] = replay(histories[member.pk] + events)  # raises before anything is written
        except LedgerError as error:
            if single:
                raise
            raise LedgerError(f"{row.full_name}: {error}") from error
    org_paths = _org_paths(state.org_id for state in states.values())
    tally_pairs, flow_pairs, updates, changed = [], [], [], {"ledger_seq"}
    all_positions: list[Position] = []
    all_placements: list[Placement] = []
    for member, events in groups:
        row, state, history = locked[member.pk], states[member.pk], histories[member.pk]
        fields = _projection_fields(state, org_paths)
        fields["ledger_seq"] = events[-1].seq
        if counting:
            before = _tally_row(row, held[member.pk]) if row.ledger_seq else None
            tally_pairs.append((before, {**_tally_row(row, state.open_positions), **fields}))
            flows_before = (
                projections.tallies().member_flows(history, replay(history).placements) if history else []
            )
            flow_pairs.append(
                (flows_before, projections.tallies().member_flows(history + events, state.placements))
            )
        for name, value in fields.items():
            if getattr(row, name) != value:
                changed.add(name)
            setattr(row, name, value)
            setattr(member, name, value)
        updates.append(row)
        positions, placements = _rows(member.pk, state)
        all_positions.extend(positions)
        all_placements.extend(placements)
    MemberEvent.objects.bulk_create([event for _, events in groups for event in events])
    # only the columns some member's event changed: a position ending changes no indexed
    # column, and the database can then update the rows in place
    if single:
        Member.objects.filter(pk=updates[0].pk).update(
            **{name: getattr(updates[0], name) for name in sorted(changed)}
        )
    else:
        Member.objects.bulk_update(updates, sorted(changed), batch_size=500)
    Position.objects.filter(member_id__in=ids).delete()
    Placement.objects.filter(member_id__in=ids).delete()
    Position.objects.bulk_create(all_positions)
    Placement.objects.bulk_create(all_placements)
    # the pre-aggregated counts (stats.tallies) move with the projection, in this transaction
    if counting:
        projections.tallies().members_changed(tally_pairs)
        projections.tallies().flows_changed(flow_pairs)
    hooks.ledger_changed(ids)  # the apps that follow a member's cell and membership (dues)


def bulk_write(pairs: Sequence[tuple[Member, list[MemberEvent]]], *, batch_size: int = 5000) -> None:
    """Create new members with their whole ledgers at once (demo data and imports).

    Each member's events are replayed exactly as ``append`` would, and the projection
    is taken from the replay; the caller wraps this in a transaction.
    """
    org_ids = {e.to_org_id for _, events in pairs for e in events if e.to_org_id}
    paths = _org_paths(org_ids)
    all_events: list[MemberEvent] = []
    all_positions: list[Position] = []
    all_placements: list[Placement] = []
    tally_rows, flows = [], []
    counting = not projections.tallies().deferred()  # else recounted at the end of the bulk work
    for member, events in pairs:
        state = replay(events)
        for name, value in _projection_fields(state, paths).items():
            setattr(member, name, value)
        member.ledger_seq = len(events)
        for event in events:
            event.member = member
        all_events.extend(events)
        positions, placements = _rows(member.pk, state)
        all_positions.extend(positions)
        all_placements.extend(placements)
        if counting:
            tally_rows.append((None, _tally_row(member, state.open_positions)))
            flows.append(((), projections.tallies().member_flows(events, state.placements)))
    insert_many(Member, [m for m, _ in pairs], batch_size=batch_size)
    if counting:
        projections.tallies().members_changed(tally_rows)
        projections.tallies().flows_changed(flows)
    insert_many(MemberEvent, all_events, batch_size=batch_size)
    insert_many(Position, all_positions, batch_size=batch_size)
    insert_many(Placement, all_placements, batch_size=batch_size)


def stored_state(member: Member) -> State:
    """The projection as stored, in the shape ``replay`` returns (for checks and tests)."""
    member = Member.objects.get(pk=member.pk)
    state = State(
        status=member.status,
        org_id=member.org_id,
        admitted_on=member.admitted_on,
        ceremony_on=member.ceremony_on,
        full_on=member.full_on,
        died_on=member.died_on,
        status_since=member.status_since,
        party_age_from=member.party_age_from,
        badge_years=member.badge_years,
        badge_deferred_until=member.badge_deferred_until,
        standing=member.standing,
        standing_since=member.standing_since,
        host_org_id=member.host_org_id,
        left_on=member.left_on,
    )
    for p in Position.objects.filter(member=member).order_by("started_on"):
        if p.ended_on is None:
            state.open_positions[(p.org_id, p.role)] = p.started_on
        else:
            state.closed_positions.append(PositionSpan(p.org_id, p.role, p.started_on, p.ended_on))
    spans = [
        PlacementSpan(p.org_id, p.valid_from, p.status, p.valid_to, p.counted)
        for p in Placement.objects.filter(member=member).order_by("valid_from")
    ]
    state.placements = [p for p in spans if p.counted]
    state.host_placements = [p for p in spans if not p.counted]
    return state


def projection_matches_replay(member: Member) -> bool:
    expected = replay(MemberEvent.objects.filter(member=member))
    actual = stored_state(member)
    return _comparable(expected) == _comparable(actual)


def _comparable(state: State):
    return (
        state.status,
        state.org_id,
        state.admitted_on,
        state.ceremony_on,
        state.full_on,
        state.died_on,
        state.status_since,
        state.party_age_from,
        state.badge_years,
        state.badge_deferred_until,
        state.standing,
        state.standing_since,
        state.host_org_id,
        state.left_on,
        sorted(state.positions, key=lambda p: (p.started_on, str(p.org_id), p.role, p.ended_on or date.max)),
        state.placements,
        state.host_placements,
    )
