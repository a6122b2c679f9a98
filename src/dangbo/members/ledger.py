"""The member ledger: the pure replay of events, and the one function that writes the projection.

``replay(events)`` folds a member's events, ordered by (effective date, recording
order), into a ``State``: status, organization, dates, positions and placements.
``append(member, event)`` is the only code that changes the projection: it stores
the event, replays the member's whole ledger (a member has tens of events, not
thousands) and writes the state back in the same transaction. ``bulk_write`` does
the same for many new members at once (demo data, imports).

Structural preconditions (admitted once, transfers from where the member is, a
position ended only if held) are checked here, because a replay must never produce
an impossible state; the Party's rules (ages, thresholds, who may hold a position)
are checked by the services through ``rules/`` before they append.

It is one module, longer than most, because the replay and the writers of the projection must
agree on every field: apart, they would drift.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from uuid import UUID

from django.db import transaction

from dangbo.core import projections
from dangbo.core.bulk import insert_many
from dangbo.members.models import (
    ACTIVE_STATUSES,
    LEFT_STATUSES,
    Member,
    MemberEvent,
    MemberStatus,
    Placement,
    Position,
    Standing,
)

Kind = MemberEvent.Kind


class LedgerError(Exception):
    """An event that cannot follow the member's history. The message is Vietnamese."""


@dataclass(frozen=True)
class PositionSpan:
    org_id: UUID
    role: str
    started_on: date
    ended_on: date | None = None


@dataclass(frozen=True)
class PlacementSpan:
    org_id: UUID
    valid_from: date
    status: str
    valid_to: date | None = None
    counted: bool = True


@dataclass
class State:
    status: str | None = None
    org_id: UUID | None = None
    admitted_on: date | None = None
    ceremony_on: date | None = None
    full_on: date | None = None
    died_on: date | None = None
    status_since: date | None = None
    party_age_from: date | None = None
    badge_years: int | None = None
    badge_deferred_until: date | None = None
    standing: str = Standing.NORMAL
    standing_since: date | None = None
    host_org_id: UUID | None = None
    left_on: date | None = None
    # What the member was before leaving, for a restoration that undoes the exit.
    before_exit: tuple[str, UUID] | None = None
    open_positions: dict[tuple[UUID, str], date] = field(default_factory=dict)
    closed_positions: list[PositionSpan] = field(default_factory=list)
    placements: list[PlacementSpan] = field(default_factory=list)
    # Spans hosted elsewhere on a temporary transfer: seen at the host, counted at home.
    host_placements: list[PlacementSpan] = field(default_factory=list)

    @property
    def positions(self) -> list[PositionSpan]:
        current = [PositionSpan(org, role, since) for (org, role), since in self.open_positions.items()]
        return sorted(self.closed_positions + current, key=lambda p: (p.started_on, str(p.org_id), p.role))

    def _close_placement(self, on: date) -> None:
        if self.placements and self.placements[-1].valid_to is None:
            last = self.placements[-1]
            if last.valid_from == on:
                self.placements.pop()  # a span of no days: replaced by what follows
            else:
                self.placements[-1] = dataclasses.replace(last, valid_to=on)

    def _open_placement(self, on: date) -> None:
        self._close_placement(on)
        self.placements.append(PlacementSpan(org_id=self.org_id, valid_from=on, status=self.status))

    def _end_host_placement(self, on: date) -> None:
        if self.host_placements and self.host_placements[-1].valid_to is None:
            last = self.host_placements[-1]
            if last.valid_from == on:
                self.host_placements.pop()
            else:
                self.host_placements[-1] = dataclasses.replace(last, valid_to=on)

    def _close_positions(self, on: date) -> None:
        for (org_id, role), started in sorted(self.open_positions.items(), key=lambda kv: kv[1]):
            self.closed_positions.append(PositionSpan(org_id, role, started, on))
        self.open_positions.clear()

    def _end_standing(self, on: date) -> None:
        self._end_host_placement(on)
        self.standing, self.standing_since, self.host_org_id = Standing.NORMAL, None, None

    def _leave(self, on: date, status: str) -> None:
        """Out of the count from ``on``: positions end, the placement closes."""
        self.before_exit = (self.status, self.org_id)
        self._end_standing(on)
        self._close_positions(on)
        self._close_placement(on)
        self.status, self.status_since, self.left_on = status, on, on


def _date(data: dict, key: str) -> date | None:
    value = (data or {}).get(key)
    return date.fromisoformat(value) if value else None


_STANDING_OF_KIND = {
    Kind.EXEMPTED: Standing.EXEMPTED,
    Kind.SUSPENDED: Standing.SUSPENDED,
    Kind.WORKING_AWAY: Standing.WORKING_AWAY,
}
_LEFT_STATUS_OF_KIND = {
    Kind.STRUCK_OFF: MemberStatus.STRUCK_OFF,
    Kind.RESIGNED: MemberStatus.RESIGNED,
    Kind.EXPELLED: MemberStatus.EXPELLED,
}


def _sort_key(event: MemberEvent):
    return (event.effective_on, event.seq)


def _require_active(state: State, event: MemberEvent) -> None:
    if state.status not in ACTIVE_STATUSES:
        label = Kind(event.kind).label.lower()
        if state.status is None:
            raise LedgerError(
                f"Chưa có sự kiện kết nạp trước khi ghi «{label}» ngày {event.effective_on:%d/%m/%Y}."
            )
        raise LedgerError(
            f"Không thể ghi «{label}» ngày {event.effective_on:%d/%m/%Y}: "
            f"đảng viên đang ở tình trạng «{MemberStatus(state.status).label.lower()}»."
        )


def step(state: State, event: MemberEvent) -> State:
    """The state after ``event``. Raises ``LedgerError`` if it cannot follow ``state``."""
    on = event.effective_on
    kind = event.kind
    if kind == Kind.ADMITTED:
        if state.status is not None:
            raise LedgerError("Đảng viên đã có sự kiện kết nạp; kết nạp lại theo quy trình riêng.")
        if event.to_org_id is None:
            raise LedgerError("Sự kiện kết nạp phải ghi chi bộ kết nạp.")
        state.status = MemberStatus.PROBATIONARY
        state.org_id = event.to_org_id
        state.admitted_on = event.decision_on or on
        state.party_age_from = state.admitted_on  # no gap yet; exits and readmission will move it
        ceremony = (event.data or {}).get("ceremony_on")
        state.ceremony_on = date.fromisoformat(ceremony) if ceremony else on
        state.status_since = on
        state._open_placement(on)
    elif kind == Kind.RECOGNIZED:
        if state.status != MemberStatus.PROBATIONARY:
            raise LedgerError("Chỉ công nhận chính thức cho đảng viên dự bị.")
        state.status = MemberStatus.FULL
        state.full_on = on
        state.status_since = on
        state._open_placement(on)
    elif kind == Kind.TRANSFERRED:
        _require_active(state, event)
        if event.from_org_id != state.org_id:
            raise LedgerError("Tổ chức chuyển đi không phải nơi đảng viên đang sinh hoạt.")
        if event.to_org_id is None or event.to_org_id == state.org_id:
            raise LedgerError("Tổ chức chuyển đến phải khác nơi đang sinh hoạt.")
        state.org_id = event.to_org_id
        state._open_placement(on)
    elif kind == Kind.REHOMED:
        # The member's organization was merged, split or dissolved: the decision re-homes them.
        # ``data["hosted"]``: the member was hosted there on a temporary transfer; only the host moves.
        _require_active(state, event)
        if (event.data or {}).get("hosted"):
            if state.standing != Standing.TEMP_AWAY or state.host_org_id != event.from_org_id:
                raise LedgerError("Đảng viên không đang sinh hoạt tạm thời ở tổ chức được sắp xếp.")
            state._end_host_placement(on)
            state.host_org_id = event.to_org_id
            state.host_placements.append(
                PlacementSpan(org_id=event.to_org_id, valid_from=on, status=state.status, counted=False)
            )
        else:
            if event.from_org_id != state.org_id:
                raise LedgerError("Tổ chức được sắp xếp không phải nơi đảng viên đang sinh hoạt.")
            if event.to_org_id is None or event.to_org_id == state.org_id:
                raise LedgerError("Tổ chức tiếp nhận phải khác tổ chức được sắp xếp.")
            state.org_id = event.to_org_id
            state._open_placement(on)
    elif kind == Kind.POSITION_STARTED:
        _require_active(state, event)
        key = (event.position_org_id, event.role)
        if key in state.open_positions:
            raise LedgerError("Đảng viên đang giữ chức vụ này ở tổ chức này.")
        state.open_positions[key] = on
    elif kind == Kind.POSITION_ENDED:
        key = (event.position_org_id, event.role)
        if key not in state.open_positions:
            raise LedgerError("Đảng viên không giữ chức vụ này ở tổ chức này.")
        started = state.open_positions.pop(key)
        state.closed_positions.append(PositionSpan(key[0], key[1], started, on))
    elif kind == Kind.DIED:
        _require_active(state, event)
        state._leave(on, MemberStatus.DIED)
        state.died_on, state.left_on = on, None
    elif kind == Kind.BADGE_AWARDED:
        years = (event.data or {}).get("years")
        posthumous = (event.data or {}).get("ground") == "posthumous"
        if posthumous:
            if state.status != MemberStatus.DIED:
                raise LedgerError("Chỉ truy tặng Huy hiệu Đảng cho đảng viên đã từ trần.")
        else:
            _require_active(state, event)
        if not isinstance(years, int) or (state.badge_years or 0) >= years:
            raise LedgerError(f"Đảng viên đã được tặng Huy hiệu {state.badge_years} năm tuổi đảng.")
        state.badge_years = years
    elif kind == Kind.TRANSFERRED_IN:
        # A member arriving from outside this installation, with the history the letter carries.
        if state.status is not None:
            raise LedgerError(
                "Đảng viên đã có quá trình sinh hoạt ở đây; tiếp nhận từ nơi khác chỉ ghi khi lập hồ sơ."
            )
        data = event.data or {}
        if (
            event.to_org_id is None
            or data.get("status") not in ACTIVE_STATUSES
            or not data.get("admitted_on")
        ):
            raise LedgerError(
                "Tiếp nhận phải ghi chi bộ tiếp nhận, tình trạng và ngày vào Đảng theo giấy giới thiệu."
            )
        state.status = data["status"]
        state.org_id = event.to_org_id
        state.admitted_on = _date(data, "admitted_on")
        state.ceremony_on = _date(data, "ceremony_on") or state.admitted_on
        state.full_on = _date(data, "full_on")
        state.party_age_from = _date(data, "party_age_from") or state.admitted_on
        state.badge_years = data.get("badge_years")
        state.status_since = on
        state._open_placement(on)
    elif kind == Kind.MOVED_AWAY:
        _require_active(state, event)
        state._leave(on, MemberStatus.MOVED_AWAY)
        state.left_on = None  # still a Party member, elsewhere: no gap in party age
    elif kind == Kind.TEMP_TRANSFER:
        _require_active(state, event)
        if state.standing != Standing.NORMAL:
            raise LedgerError(
                f"Đảng viên đang «{Standing(state.standing).label.lower()}»; ghi kết thúc trước."
            )
        if event.to_org_id is not None and event.to_org_id == state.org_id:
            raise LedgerError("Nơi sinh hoạt tạm thời phải khác nơi sinh hoạt chính thức.")
        state.standing, state.standing_since, state.host_org_id = Standing.TEMP_AWAY, on, event.to_org_id
        if event.to_org_id is not None:
            state.host_placements.append(
                PlacementSpan(org_id=event.to_org_id, valid_from=on, status=state.status, counted=False)
            )
    elif kind == Kind.TEMP_RETURNED:
        if state.standing != Standing.TEMP_AWAY:
            raise LedgerError("Đảng viên không đang sinh hoạt tạm thời nơi khác.")
        state._end_standing(on)
    elif kind in _STANDING_OF_KIND:
        _require_active(state, event)
        if state.standing != Standing.NORMAL:
            raise LedgerError(
                f"Đảng viên đang «{Standing(state.standing).label.lower()}»; ghi kết thúc trước."
            )
        state.standing, state.standing_since = _STANDING_OF_KIND[kind], on
    elif kind == Kind.STANDING_ENDED:
        if state.standing in (Standing.NORMAL, Standing.TEMP_AWAY):
            raise LedgerError("Đảng viên không đang được miễn, bị đình chỉ hay đi làm ăn xa.")
        state._end_standing(on)
    elif kind == Kind.DISCIPLINED:
        _require_active(state, event)
        until = _date(event.data, "badge_deferred_until")
        if until and (state.badge_deferred_until is None or until > state.badge_deferred_until):
            state.badge_deferred_until = until
    elif kind in _LEFT_STATUS_OF_KIND:
        _require_active(state, event)
        state._leave(on, _LEFT_STATUS_OF_KIND[kind])
    elif kind == Kind.READMITTED:
        if state.status not in LEFT_STATUSES:
            raise LedgerError("Chỉ kết nạp lại người đã ra khỏi Đảng (xóa tên, xin ra, khai trừ).")
        if event.to_org_id is None:
            raise LedgerError("Sự kiện kết nạp lại phải ghi chi bộ kết nạp.")
        decided = event.decision_on or on
        if state.party_age_from is not None and state.left_on is not None and decided > state.left_on:
            # Party age runs from the first admission less the time out of the Party.
            state.party_age_from += decided - state.left_on
        state.status, state.org_id, state.status_since = MemberStatus.PROBATIONARY, event.to_org_id, on
        state.ceremony_on = _date(event.data, "ceremony_on") or on
        state.full_on, state.left_on, state.before_exit = None, None, None
        state._open_placement(on)
    elif kind == Kind.RESTORED:
        # A wrongful exit undone: the member is as before, with a continuous party age.
        if state.status not in LEFT_STATUSES or state.before_exit is None:
            raise LedgerError(
                "Chỉ phục hồi đảng tịch cho người đã bị xóa tên, khai trừ hoặc cho ra khỏi Đảng."
            )
        left_on = state.left_on
        state.status, state.org_id = state.before_exit
        state.status_since, state.left_on, state.before_exit = on, None, None
        state._open_placement(left_on or on)
    else:
        raise LedgerError(f"Loại sự kiện không xác định: {kind}")
    return state


def replay(events: Iterable[MemberEvent]) -> State:
    state = State()
    for event in sorted(events, key=_sort_key):
        state = step(state, event)
    return state


# --- writing the projection -------------------------------------------------------------


def _projection_fields(state: State, org_paths: dict[UUID, str]) -> dict:
    return {
        "status": state.status,
        "org_id": state.org_id,
        "org_path": org_paths[state.org_id],
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


def _rows(member_id: UUID, state: State) -> tuple[list[Position], list[Placement]]:
    positions = [
        Position(
            member_id=member_id, org_id=p.org_id, role=p.role, started_on=p.started_on, ended_on=p.ended_on
        )
        for p in state.positions
    ]
    placements = [
        Placement(
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


def _org_paths(org_ids: Iterable[UUID]) -> dict[UUID, str]:
    from dangbo.orgs.models import Org

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
        tally_rows.append((None, _tally_row(member, state.open_positions)))
        flows.append(((), projections.tallies().member_flows(events, state.placements)))
    insert_many(Member, [m for m, _ in pairs], batch_size=batch_size)
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
