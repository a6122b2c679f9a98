"""A member's state as the ledger replays it: status, organization, dates, positions and placements."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date
from typing import cast
from uuid import UUID

from dangbo.members.models import (
    ACTIVE_STATUSES,
    MemberEvent,
    MemberStatus,
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
    before_exit: tuple[str | None, UUID | None] | None = None
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
        # a placement opens from the admission on, when the member has a status and an organization
        self.placements.append(
            PlacementSpan(org_id=cast(UUID, self.org_id), valid_from=on, status=cast(str, self.status))
        )

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


_STANDING_OF_KIND: dict[str, str] = {
    Kind.EXEMPTED: Standing.EXEMPTED,
    Kind.SUSPENDED: Standing.SUSPENDED,
    Kind.WORKING_AWAY: Standing.WORKING_AWAY,
}
_LEFT_STATUS_OF_KIND: dict[str, str] = {
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
