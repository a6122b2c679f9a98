"""API of disciplinary cases (RULES.md §5): opening a case and recording the decision. The
same services as the pages; refusals are 422 with every violation and its citation."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from ninja import Field, Router, Schema, Status

from dangbo.discipline import services
from dangbo.discipline.selectors import open_case
from dangbo.members.api import ErrorOut, EventOut, _event_out
from dangbo.members.standing_api import COUNT, DecisionIn, member_to_change

router = Router(tags=["Quy trình đảng viên"])


class DisciplineOpenIn(Schema):
    act_on: date
    summary: str = Field(..., max_length=500)
    opened_on: date
    exempt_matter: bool = False


class DisciplineCaseOut(Schema):
    id: UUID
    state: str
    act_on: date
    opened_on: date
    form: str
    effective_on: date | None


@router.post(
    "/members/{member_id}/discipline",
    response={201: DisciplineCaseOut, 422: ErrorOut},
    summary="Mở hồ sơ xem xét kỷ luật",
)
def discipline_open(request, member_id: UUID, body: DisciplineOpenIn):
    member = member_to_change(request, member_id)
    case = services.discipline_open(
        member=member,
        act_on=body.act_on,
        summary=body.summary,
        opened_on=body.opened_on,
        exempt_matter=body.exempt_matter,
        actor=request.user,
    )
    return Status(201, case)


class DisciplineDecisionIn(DecisionIn):
    form: str = Field(..., max_length=16, description="reprimand | warning | dismissal | expulsion")
    authority: str = Field(..., max_length=32, description="cell | grassroots_committee | superior_committee")
    vote_on: date
    approvals: int = COUNT
    denominator: int | None = Field(
        None, ge=1, le=100_000, description="số ủy viên của cấp ủy (chi bộ: hệ thống tự tính)"
    )
    proposal_vote_on: date | None = None
    proposal_approvals: int | None = Field(None, ge=0, le=100_000)
    absent_exempted: list[UUID] = Field(
        default_factory=list,
        max_length=500,
        description="chi bộ biểu quyết: đảng viên được miễn công tác và sinh hoạt đảng vắng mặt (không tính vào tổng số)",
    )
    proposal_absent_exempted: list[UUID] = Field(
        default_factory=list,
        max_length=500,
        description="như trên, cho biểu quyết đề nghị khai trừ của chi bộ",
    )


@router.post(
    "/members/{member_id}/discipline/decision",
    response={201: EventOut, 404: ErrorOut, 422: ErrorOut},
    summary="Ghi quyết định kỷ luật",
)
def discipline_decide(request, member_id: UUID, body: DisciplineDecisionIn):
    member = member_to_change(request, member_id)
    case = open_case(member)
    if case is None:
        return Status(404, {"detail": "Đảng viên không có hồ sơ kỷ luật đang xem xét.", "errors": {}})
    event = services.discipline_decide(
        case=case,
        form=body.form,
        authority=body.authority,
        vote_on=body.vote_on,
        approvals=body.approvals,
        decision=body.decision(),
        denominator=body.denominator,
        proposal_vote_on=body.proposal_vote_on,
        proposal_approvals=body.proposal_approvals,
        absent_exempted=tuple(body.absent_exempted),
        proposal_absent_exempted=tuple(body.proposal_absent_exempted),
        actor=request.user,
    )
    return Status(201, _event_out(event))
