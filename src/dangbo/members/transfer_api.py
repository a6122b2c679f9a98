"""API for official transfers between organizations of this installation (RULES.md §2.5): the
letter with its trigger, the receiver's confirmation of arrival, and the record that a late
case was handled. The same services and selectors as the pages; refusals are 422 with every
violation and its citation; a transfer that leaves the cell below three full members needs
``accept_below_minimum`` and then returns the warning in ``warnings``."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from ninja import Field, Router, Schema, Status

from dangbo.members.api import ErrorOut
from dangbo.members.selectors.transfers import transfer_case_to_close, transfer_case_to_confirm
from dangbo.members.services import transfers as services
from dangbo.members.standing_api import DecisionIn, member_to_change, org_by_code

router = Router(tags=["Chuyển sinh hoạt đảng"])

NOTE = Field("", max_length=500)


class TransferIn(DecisionIn):
    to_code: str = Field(..., max_length=40, description="mã tổ chức nơi chuyển đến")
    issued_on: date = Field(..., description="ngày giới thiệu chuyển")
    trigger_kind: str = Field(
        "", max_length=16, description="căn cứ: new_post | retirement | discharge | residence"
    )
    trigger_no: str = Field(
        "", max_length=60, description="số quyết định làm căn cứ (bắt buộc, trừ thay đổi nơi cư trú)"
    )
    trigger_on: date | None = Field(None, description="ngày quyết định, hoặc ngày thay đổi nơi cư trú")
    late_reason: str = Field(
        "",
        max_length=20,
        description="khi quá 60 ngày làm việc kể từ căn cứ: awaiting_decision | illness | study | family | administrative | other",
    )
    late_note: str = NOTE
    accept_below_minimum: bool = Field(
        False, description="xác nhận vẫn chuyển khi chi bộ còn dưới 3 đảng viên chính thức"
    )


class ArrivalIn(Schema):
    arrived_on: date
    late_reason: str = Field("", max_length=20, description="khi quá 30 ngày làm việc kể từ ngày giới thiệu")
    late_note: str = NOTE


class LateHandledIn(Schema):
    closed_on: date
    note: str = Field(..., max_length=500)


class TransferCaseOut(Schema):
    id: UUID
    state: str
    member_id: UUID
    member_name: str
    from_org: str
    to_org: str
    issued_on: date
    trigger_kind: str
    trigger_no: str
    trigger_on: date | None
    arrived_on: date | None
    letter_late: bool
    letter_late_reason: str
    letter_late_note: str
    arrival_late: bool
    arrival_late_reason: str
    arrival_late_note: str
    late_closed_on: date | None
    late_closed_note: str
    leaves_below_minimum: bool
    warnings: list[str] = []


def _case_out(case, warnings: list[str] | None = None) -> dict:
    return {
        "id": case.pk,
        "state": case.state,
        "member_id": case.member_id,
        "member_name": case.member.full_name,
        "from_org": case.from_org.code,
        "to_org": case.to_org.code,
        "issued_on": case.issued_on,
        "trigger_kind": case.trigger_kind,
        "trigger_no": case.trigger_no,
        "trigger_on": case.trigger_on,
        "arrived_on": case.arrived_on,
        "letter_late": case.letter_late,
        "letter_late_reason": case.letter_late_reason,
        "letter_late_note": case.letter_late_note,
        "arrival_late": case.arrival_late,
        "arrival_late_reason": case.arrival_late_reason,
        "arrival_late_note": case.arrival_late_note,
        "late_closed_on": case.late_closed_on,
        "late_closed_note": case.late_closed_note,
        "leaves_below_minimum": case.leaves_below_minimum,
        "warnings": warnings or [],
    }


@router.post(
    "/members/{member_id}/transfer",
    response={201: TransferCaseOut, 404: ErrorOut, 422: ErrorOut},
    summary="Giới thiệu chuyển sinh hoạt đảng chính thức",
)
def transfer_issue(request, member_id: UUID, body: TransferIn):
    member = member_to_change(request, member_id)
    warning = services.transfer_below_minimum(member=member, on=body.issued_on)
    case = services.transfer_issue(
        member=member,
        to_org=org_by_code(body.to_code),
        issued_on=body.issued_on,
        decision=body.decision(),
        trigger=services.Trigger(kind=body.trigger_kind, number=body.trigger_no, on=body.trigger_on),
        late_reason=body.late_reason,
        late_note=body.late_note,
        accept_below_minimum=body.accept_below_minimum,
        actor=request.user,
    )
    return Status(
        201, _case_out(case, [str(warning)] if case.leaves_below_minimum and warning is not None else [])
    )


@router.post(
    "/transfers/{case_id}/arrival",
    response={201: TransferCaseOut, 404: ErrorOut, 422: ErrorOut},
    summary="Xác nhận đảng viên đến sinh hoạt (nơi đến)",
)
def transfer_arrival(request, case_id: UUID, body: ArrivalIn):
    case = transfer_case_to_confirm(actor=request.scope, case_id=str(case_id))
    services.transfer_confirm_arrival(
        case=case,
        arrived_on=body.arrived_on,
        late_reason=body.late_reason,
        late_note=body.late_note,
        actor=request.user,
    )
    case.refresh_from_db()
    return Status(201, _case_out(case))


@router.post(
    "/transfers/{case_id}/late-handled",
    response={201: TransferCaseOut, 404: ErrorOut, 422: ErrorOut},
    summary="Ghi nhận đã xử lý việc chuyển sinh hoạt chậm hạn",
)
def transfer_late_handled(request, case_id: UUID, body: LateHandledIn):
    case = transfer_case_to_close(actor=request.scope, case_id=str(case_id))
    case = services.transfer_close_late(
        case=case, closed_on=body.closed_on, note=body.note, actor=request.user
    )
    return Status(201, _case_out(case))
