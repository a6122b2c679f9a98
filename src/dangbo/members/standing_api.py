"""API for standing changes and exits (exemption, suspension, temporary transfers, moving
away, striking off, resignation, death, readmission, restoration), and the pieces the other
workflow endpoints share (``DecisionIn``, ``member_to_change``, ``writable_org``, ``org_by_code``). The same
services as the pages; refusals are 422 with every violation and its citation. The candidate
register and discipline have their own (``candidates.api``, ``discipline.api``)."""

from __future__ import annotations

from datetime import date
from typing import Literal
from uuid import UUID

from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from dangbo.core.decisions import DecisionRef
from dangbo.members.api import ErrorOut, EventOut, _event_out
from dangbo.members.selectors.profile import member_for_edit
from dangbo.members.services import standing as services
from dangbo.members.services.records import member_record_death
from dangbo.members.standing_forms import HOST_OUT_OF_REACH, READMISSION_OUT_OF_REACH
from dangbo.orgs.selectors import NotInScope, org_find_code, org_get, org_writable_by_code
from dangbo.rules.base import RuleViolation, Violation

router = Router(tags=["Quy trình đảng viên"])

SHORT = Field("", max_length=200)
COUNT = Field(..., ge=0, le=100_000)


class DecisionIn(Schema):
    decision_no: str = Field("", max_length=60)
    decision_on: date | None = None
    decision_body: str = SHORT

    def decision(self) -> DecisionRef:
        return DecisionRef(number=self.decision_no, on=self.decision_on, body=self.decision_body)


def member_to_change(request, member_id):
    """The member the caller may change (``NotInScope``, hence 404, otherwise; audited)."""
    return member_for_edit(actor=request.scope, member_id=member_id)


def writable_org(request, org_id):
    """The organization the caller may change, or 404."""
    org = org_get(actor=request.scope, org_id=org_id)
    if not request.scope.can_write_path(org.path):
        raise HttpError(404, "Không tìm thấy trong phạm vi của người gọi.")
    return org


def org_by_code(code: str):
    """A live organization named by its code (a destination, a host), or a 422 on ``org_code``."""
    org = org_find_code(code, live=True)
    if org is None:
        raise RuleViolation(
            [
                Violation(
                    "input", "Không có tổ chức đảng nào mang mã này.", "Yêu cầu nhập liệu", field="org_code"
                )
            ]
        )
    return org


def writable_org_by_code(request, code: str, message: str):
    """A live organization named by its code where the caller may write (a readmission's cell,
    a temporary host), or a 422 on ``org_code`` with ``message``: a code outside the caller's
    scope is answered as one that names nothing (issue 18)."""
    try:
        return org_writable_by_code(actor=request.scope, code=code)
    except NotInScope:
        raise RuleViolation([Violation("input", message, "Yêu cầu nhập liệu", field="org_code")]) from None


# --- standing changes and exits ------------------------------------------------------------

Action = Literal[
    "exempted",
    "suspended",
    "working_away",
    "standing_ended",
    "temp_transfer",
    "temp_returned",
    "moved_away",
    "struck_off",
    "resigned",
    "died",
    "readmitted",
    "restored",
]


class StandingIn(DecisionIn):
    action: Action
    effective_on: date = Field(..., description="ngày hiệu lực (với kết nạp lại: ngày lễ kết nạp)")
    ground: str = Field("", max_length=40, description="lý do miễn sinh hoạt, lý do xóa tên")
    note: str = Field("", max_length=500)
    requests_made: int | None = Field(None, ge=0, le=20)
    purpose: str = Field("", max_length=20, description="chuyển tạm thời: work | residence | study")
    until: date | None = None
    org_code: str = Field("", max_length=40, description="nơi sinh hoạt tạm thời, hoặc chi bộ kết nạp lại")
    to_name: str = Field(
        "", max_length=255, description="tổ chức đảng nơi đến, nơi sinh hoạt tạm thời ngoài hệ thống"
    )
    vote_on: date | None = None
    approvals: int | None = Field(
        None, ge=0, le=100_000, description="xóa tên đảng viên dự bị: số tán thành của chi bộ"
    )
    absent_exempted: list[UUID] = Field(
        default_factory=list,
        max_length=500,
        description="chi bộ biểu quyết: đảng viên được miễn công tác và sinh hoạt đảng vắng mặt (không tính vào tổng số)",
    )
    provincial_consent: str = Field("", max_length=300)
    hardship: bool = False
    expunged_on: date | None = None


@router.post(
    "/members/{member_id}/standing",
    response={201: EventOut, 422: ErrorOut},
    summary="Thay đổi tình trạng, sinh hoạt, ra khỏi Đảng",
)
def standing(request, member_id: UUID, body: StandingIn):
    member = member_to_change(request, member_id)
    kind, on, actor = body.action, body.effective_on, request.user
    if kind in ("exempted", "suspended", "working_away"):
        event = services.member_standing_start(
            member=member,
            kind=kind,
            on=on,
            ground=body.ground,
            decision=body.decision(),
            note=body.note,
            actor=actor,
        )
    elif kind == "standing_ended":
        event = services.member_standing_end(
            member=member, on=on, decision=body.decision(), note=body.note, actor=actor
        )
    elif kind == "temp_transfer":
        host = (
            writable_org_by_code(request, body.org_code, HOST_OUT_OF_REACH) if body.org_code.strip() else None
        )
        event = services.member_temp_transfer(
            member=member,
            purpose=body.purpose,
            starts_on=on,
            until=body.until or on,
            host=host,
            host_name=body.to_name,
            decision=body.decision(),
            actor=actor,
        )
    elif kind == "temp_returned":
        event = services.member_temp_return(member=member, on=on, actor=actor)
    elif kind == "moved_away":
        event = services.member_move_away(
            member=member, on=on, to_name=body.to_name, decision=body.decision(), actor=actor
        )
    elif kind == "struck_off":
        event = services.member_strike_off(
            member=member,
            on=on,
            ground=body.ground,
            decision=body.decision(),
            requests_made=body.requests_made,
            note=body.note,
            vote_on=body.vote_on,
            approvals=body.approvals,
            absent_exempted=tuple(body.absent_exempted),
            actor=actor,
        )
    elif kind == "resigned":
        event = services.member_resign(
            member=member, on=on, decision=body.decision(), note=body.note, actor=actor
        )
    elif kind == "died":
        event = member_record_death(member=member, died_on=on, note=body.note, actor=actor)
    elif kind == "readmitted":
        event = services.member_readmit(
            member=member,
            cell=writable_org_by_code(request, body.org_code, READMISSION_OUT_OF_REACH),
            decision=body.decision(),
            ceremony_on=on,
            vote_on=body.vote_on or on,
            provincial_consent=body.provincial_consent,
            hardship=body.hardship,
            expunged_on=body.expunged_on,
            actor=actor,
        )
    else:
        event = services.member_restore(
            member=member, on=on, decision=body.decision(), note=body.note, actor=actor
        )
    return Status(201, _event_out(event))
