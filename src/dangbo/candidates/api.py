"""API of the candidate register (RULES.md §2.1–2.2): the list, adding a person, and recording
the next step of the admission procedure. The same services as the pages; refusals are 422
with every violation and its citation."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from dangbo.candidates.selectors import candidate_get, candidate_list, sponsor_find
from dangbo.candidates.services import (
    SPONSOR_NOT_FOUND,
    StepInput,
    candidate_add,
    candidate_record_step,
    next_step,
)
from dangbo.core.violations import NotInScope, RuleViolation, input_violation
from dangbo.members.api import ErrorOut
from dangbo.members.services.records import Identity
from dangbo.members.standing_api import SHORT, writable_org
from dangbo.orgs.selectors import org_get

router = Router(tags=["Quy trình đảng viên"])


class CandidateIn(Schema):
    family_name: str = Field(..., max_length=60)
    middle_name: str = Field("", max_length=80)
    given_name: str = Field(..., max_length=60)
    gender: str = Field(..., max_length=1, description="M | F")
    birth_date: date
    ethnicity: str = Field(..., max_length=10, description="mã dân tộc")
    religion: str = Field("00", max_length=10)
    general_education: str = Field(
        ..., max_length=20, description="primary | lower_secondary | upper_secondary"
    )
    national_id: str = Field("", max_length=20)
    occupation: str = Field("", max_length=120)
    residence: str = Field("", max_length=255)
    listed_on: date


class CandidateOut(Schema):
    id: UUID
    full_name: str
    birth_date: date
    cell_id: UUID
    listed_on: date
    state: str
    stage: str
    stage_on: date | None
    next_step: str | None
    member_id: UUID | None


def _candidate_out(candidate) -> dict:
    return {
        "id": candidate.pk,
        "full_name": candidate.full_name,
        "birth_date": candidate.birth_date,
        "cell_id": candidate.cell_id,
        "listed_on": candidate.listed_on,
        "state": candidate.state,
        "stage": candidate.stage,
        "stage_on": candidate.stage_on,
        "next_step": next_step(candidate),
        "member_id": candidate.member_id,
    }


@router.get(
    "/orgs/{org_id}/candidates", response=list[CandidateOut], summary="Danh sách quần chúng cảm tình Đảng"
)
def candidates(request, org_id: UUID, state: str = "active"):
    org = org_get(actor=request.scope, org_id=org_id)
    return [_candidate_out(c) for c in candidate_list(actor=request.scope, org=org, state=state)]


@router.post(
    "/orgs/{org_id}/candidates",
    response={201: CandidateOut, 422: ErrorOut},
    summary="Đưa vào danh sách cảm tình Đảng",
)
def candidate_create(request, org_id: UUID, body: CandidateIn):
    org = writable_org(request, org_id)
    data = body.dict()
    listed_on = data.pop("listed_on")
    candidate = candidate_add(identity=Identity(**data), cell=org, listed_on=listed_on, actor=request.user)
    return Status(201, _candidate_out(candidate))


class Sponsor(Schema):
    member_id: UUID
    known_since: date | None = None


class StepIn(Schema):
    kind: str = Field(
        ...,
        max_length=24,
        description="bước tiếp theo: course, application, history, background_check, sponsors, comments, cell_vote, grassroots_resolution, decision, ceremony",
    )
    done_on: date
    number: str = Field("", max_length=60)
    body: str = SHORT
    note: str = Field("", max_length=500)
    sponsors: list[Sponsor] = Field(default_factory=list, max_length=5)
    youth_union_resolution: str = Field("", max_length=120)
    approvals: int | None = Field(None, ge=0, le=100_000)
    absent_exempted: list[UUID] = Field(
        default_factory=list,
        max_length=500,
        description="chi bộ biểu quyết: đảng viên được miễn công tác và sinh hoạt đảng vắng mặt (không tính vào tổng số)",
    )
    decided_by: str = Field(
        "",
        max_length=12,
        description="quyết định kết nạp: grassroots (đảng ủy cơ sở được ủy quyền) hoặc superior (Ban Thường vụ cấp trên)",
    )
    committee_approvals: int | None = Field(
        None, ge=0, le=1_000, description="quyết định của đảng ủy cơ sở: số cấp ủy viên tán thành"
    )
    over_age_approval: str = SHORT
    education_exception: str = SHORT
    late_reason: str = Field("", max_length=500)


@router.post(
    "/candidates/{candidate_id}/steps",
    response={201: CandidateOut, 422: ErrorOut},
    summary="Ghi bước tiếp theo của quy trình kết nạp",
)
def candidate_step(request, candidate_id: UUID, body: StepIn):
    try:
        candidate = candidate_get(actor=request.scope, candidate_id=candidate_id, for_edit=True)
    except NotInScope:
        raise HttpError(404, "Không tìm thấy trong phạm vi của người gọi.") from None
    if body.kind == "sponsors":
        for sponsor in body.sponsors:  # each lookup audited; one answer for out of reach and unknown
            if sponsor_find(actor=request.scope, candidate=candidate, member_id=sponsor.member_id) is None:
                raise RuleViolation([input_violation("sponsors", SPONSOR_NOT_FOUND)])
    step = StepInput(
        done_on=body.done_on,
        number=body.number,
        body=body.body,
        note=body.note,
        sponsors=[(s.member_id, s.known_since) for s in body.sponsors],
        youth_union_resolution=body.youth_union_resolution,
        approvals=body.approvals,
        over_age_approval=body.over_age_approval,
        education_exception=body.education_exception,
        late_reason=body.late_reason,
        absent_exempted=body.absent_exempted,
        decided_by=body.decided_by,
        committee_approvals=body.committee_approvals,
    )
    candidate_record_step(
        candidate=candidate, kind=body.kind, step=step, actor=request.user, reader=request.scope
    )
    candidate.refresh_from_db()
    return Status(201, _candidate_out(candidate))
