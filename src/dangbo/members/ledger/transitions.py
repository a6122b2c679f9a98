"""How each kind of event changes a member's state: one small function per kind, and ``step``,
which looks the kind up in ``TRANSITIONS``.

Each function checks the structural preconditions of its event (admitted once, a transfer from
where the member is, a position ended only if held) and raises ``LedgerError`` otherwise; the
Party's rules are checked by the services before they append (``members.ledger``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import cast
from uuid import UUID

from dangbo.members.ledger.state import (
    _LEFT_STATUS_OF_KIND,
    _STANDING_OF_KIND,
    Kind,
    LedgerError,
    PlacementSpan,
    PositionSpan,
    State,
    _date,
    _require_active,
    _sort_key,
)
from dangbo.members.models import ACTIVE_STATUSES, LEFT_STATUSES, MemberEvent, MemberStatus, Standing


def _admitted(state: State, event: MemberEvent, on: date) -> None:
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


def _recognized(state: State, event: MemberEvent, on: date) -> None:
    if state.status != MemberStatus.PROBATIONARY:
        raise LedgerError("Chỉ công nhận chính thức cho đảng viên dự bị.")
    state.status = MemberStatus.FULL
    state.full_on = on
    state.status_since = on
    state._open_placement(on)


def _transferred(state: State, event: MemberEvent, on: date) -> None:
    _require_active(state, event)
    if event.from_org_id != state.org_id:
        raise LedgerError("Tổ chức chuyển đi không phải nơi đảng viên đang sinh hoạt.")
    if event.to_org_id is None or event.to_org_id == state.org_id:
        raise LedgerError("Tổ chức chuyển đến phải khác nơi đang sinh hoạt.")
    state.org_id = event.to_org_id
    state._open_placement(on)


def _rehomed(state: State, event: MemberEvent, on: date) -> None:
    # The member's organization was merged, split or dissolved: the decision re-homes them.
    # ``data["hosted"]``: the member was hosted there on a temporary transfer; only the host moves.
    _require_active(state, event)
    if (event.data or {}).get("hosted"):
        if state.standing != Standing.TEMP_AWAY or state.host_org_id != event.from_org_id:
            raise LedgerError("Đảng viên không đang sinh hoạt tạm thời ở tổ chức được sắp xếp.")
        state._end_host_placement(on)
        state.host_org_id = event.to_org_id
        state.host_placements.append(
            PlacementSpan(
                org_id=cast(UUID, event.to_org_id),  # a re-homing names its receiving organization
                valid_from=on,
                status=cast(str, state.status),  # active: _require_active above
                counted=False,
            )
        )
    else:
        if event.from_org_id != state.org_id:
            raise LedgerError("Tổ chức được sắp xếp không phải nơi đảng viên đang sinh hoạt.")
        if event.to_org_id is None or event.to_org_id == state.org_id:
            raise LedgerError("Tổ chức tiếp nhận phải khác tổ chức được sắp xếp.")
        state.org_id = event.to_org_id
        state._open_placement(on)


def _position_started(state: State, event: MemberEvent, on: date) -> None:
    _require_active(state, event)
    key = (cast(UUID, event.position_org_id), event.role)  # position events name their organization
    if key in state.open_positions:
        raise LedgerError("Đảng viên đang giữ chức vụ này ở tổ chức này.")
    state.open_positions[key] = on


def _position_ended(state: State, event: MemberEvent, on: date) -> None:
    key = (cast(UUID, event.position_org_id), event.role)  # position events name their organization
    if key not in state.open_positions:
        raise LedgerError("Đảng viên không giữ chức vụ này ở tổ chức này.")
    started = state.open_positions.pop(key)
    state.closed_positions.append(PositionSpan(key[0], key[1], started, on))


def _died(state: State, event: MemberEvent, on: date) -> None:
    _require_active(state, event)
    state._leave(on, MemberStatus.DIED)
    state.died_on, state.left_on = on, None


def _badge_awarded(state: State, event: MemberEvent, on: date) -> None:
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


def _transferred_in(state: State, event: MemberEvent, on: date) -> None:
    # A member arriving from outside this installation, with the history the letter carries.
    if state.status is not None:
        raise LedgerError(
            "Đảng viên đã có quá trình sinh hoạt ở đây; tiếp nhận từ nơi khác chỉ ghi khi lập hồ sơ."
        )
    data = event.data or {}
    if event.to_org_id is None or data.get("status") not in ACTIVE_STATUSES or not data.get("admitted_on"):
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


def _moved_away(state: State, event: MemberEvent, on: date) -> None:
    _require_active(state, event)
    state._leave(on, MemberStatus.MOVED_AWAY)
    state.left_on = None  # still a Party member, elsewhere: no gap in party age


def _temp_transfer(state: State, event: MemberEvent, on: date) -> None:
    _require_active(state, event)
    if state.standing != Standing.NORMAL:
        raise LedgerError(f"Đảng viên đang «{Standing(state.standing).label.lower()}»; ghi kết thúc trước.")
    if event.to_org_id is not None and event.to_org_id == state.org_id:
        raise LedgerError("Nơi sinh hoạt tạm thời phải khác nơi sinh hoạt chính thức.")
    state.standing, state.standing_since, state.host_org_id = Standing.TEMP_AWAY, on, event.to_org_id
    if event.to_org_id is not None:
        state.host_placements.append(
            PlacementSpan(
                org_id=event.to_org_id, valid_from=on, status=cast(str, state.status), counted=False
            )
        )


def _temp_returned(state: State, event: MemberEvent, on: date) -> None:
    if state.standing != Standing.TEMP_AWAY:
        raise LedgerError("Đảng viên không đang sinh hoạt tạm thời nơi khác.")
    state._end_standing(on)


def _standing_started(state: State, event: MemberEvent, on: date) -> None:
    """Exempted, suspended or working far away: a standing with a start."""
    _require_active(state, event)
    if state.standing != Standing.NORMAL:
        raise LedgerError(f"Đảng viên đang «{Standing(state.standing).label.lower()}»; ghi kết thúc trước.")
    state.standing, state.standing_since = _STANDING_OF_KIND[event.kind], on


def _standing_ended(state: State, event: MemberEvent, on: date) -> None:
    if state.standing in (Standing.NORMAL, Standing.TEMP_AWAY):
        raise LedgerError("Đảng viên không đang được miễn, bị đình chỉ hay đi làm ăn xa.")
    state._end_standing(on)


def _disciplined(state: State, event: MemberEvent, on: date) -> None:
    _require_active(state, event)
    until = _date(event.data, "badge_deferred_until")
    if until and (state.badge_deferred_until is None or until > state.badge_deferred_until):
        state.badge_deferred_until = until


def _left(state: State, event: MemberEvent, on: date) -> None:
    """Struck off, resigned or expelled: the member leaves the Party."""
    _require_active(state, event)
    state._leave(on, _LEFT_STATUS_OF_KIND[event.kind])


def _readmitted(state: State, event: MemberEvent, on: date) -> None:
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


def _restored(state: State, event: MemberEvent, on: date) -> None:
    # A wrongful exit undone: the member is as before, with a continuous party age.
    if state.status not in LEFT_STATUSES or state.before_exit is None:
        raise LedgerError("Chỉ phục hồi đảng tịch cho người đã bị xóa tên, khai trừ hoặc cho ra khỏi Đảng.")
    left_on = state.left_on
    state.status, state.org_id = state.before_exit
    state.status_since, state.left_on, state.before_exit = on, None, None
    state._open_placement(left_on or on)


def _rated(state: State, event: MemberEvent, on: date) -> None:
    # A year's quality rating (or its correction), decided while the member was in the Party; it
    # changes nothing of the member's state (the band is in the event's data and in ratings).
    if state.status not in ACTIVE_STATUSES:
        raise LedgerError("Chỉ xếp loại chất lượng đảng viên đang ở trong Đảng vào ngày quyết định.")


def _corrected(state: State, event: MemberEvent, on: date) -> None:
    # Identity fields corrected from an imported file (imports): the changes and the file are in
    # the event's data; nothing of the member's standing changes.
    if state.status is None:
        raise LedgerError("Chỉ cập nhật hồ sơ của đảng viên đã có sự kiện kết nạp.")


Transition = Callable[[State, MemberEvent, date], None]

TRANSITIONS: dict[str, Transition] = {
    Kind.ADMITTED: _admitted,
    Kind.RECOGNIZED: _recognized,
    Kind.TRANSFERRED: _transferred,
    Kind.REHOMED: _rehomed,
    Kind.POSITION_STARTED: _position_started,
    Kind.POSITION_ENDED: _position_ended,
    Kind.DIED: _died,
    Kind.BADGE_AWARDED: _badge_awarded,
    Kind.TRANSFERRED_IN: _transferred_in,
    Kind.MOVED_AWAY: _moved_away,
    Kind.TEMP_TRANSFER: _temp_transfer,
    Kind.TEMP_RETURNED: _temp_returned,
    **dict.fromkeys(_STANDING_OF_KIND, _standing_started),
    Kind.STANDING_ENDED: _standing_ended,
    Kind.DISCIPLINED: _disciplined,
    **dict.fromkeys(_LEFT_STATUS_OF_KIND, _left),
    Kind.READMITTED: _readmitted,
    Kind.RESTORED: _restored,
    Kind.RATED: _rated,
    Kind.CORRECTED: _corrected,
}


def step(state: State, event: MemberEvent) -> State:
    """The state after ``event``. Raises ``LedgerError`` if it cannot follow ``state``."""
    transition = TRANSITIONS.get(event.kind)
    if transition is None:
        raise LedgerError(f"Loại sự kiện không xác định: {event.kind}")
    transition(state, event, event.effective_on)
    return state


def replay(events: Iterable[MemberEvent]) -> State:
    state = State()
    for event in sorted(events, key=_sort_key):
        state = step(state, event)
    return state
