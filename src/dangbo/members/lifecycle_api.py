"""API for the member lifecycle workflows: the candidate register and its steps, standing
changes and exits, discipline. The same services as the pages; refusals are 422 with every
violation and its citation."""

from __future__ import annotations

from datetime import date
from typing import Literal
from uuid import UUID

from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from dangbo.core.decisions import DecisionRef
from dangbo.members.api import ErrorOut, EventOut, _event_out
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


def _member(request, member_id):
    from dangbo.members.selectors import member_for_edit

    return member_for_edit(actor=request.scope, member_id=member_id)


def _org(request, org_id):
    from dangbo.orgs.selectors import org_get

    org = org_get(actor=request.scope, org_id=org_id)
    if not request.scope.can_write_path(org.path):
        raise HttpError(404, "Không tìm thấy trong phạm vi của người gọi.")
    return org


def _org_by_code(code: str):
    from dangbo.orgs.models import Org

    org = Org.objects.filter(code=code.strip(), dissolved_on__isnull=True).first()
    if org is None:
        raise RuleViolation(
            [
                Violation(
                    "input", "Không có tổ chức đảng nào mang mã này.", "Yêu cầu nhập liệu", field="org_code"
                )
            ]
        )
    return org


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
    from dangbo.members.services import member_record_death
    from dangbo.members.services import standing as services

    member = _member(request, member_id)
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
        host = _org_by_code(body.org_code) if body.org_code.strip() else None
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
            cell=_org_by_code(body.org_code),
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


# --- the candidate register ----------------------------------------------------------------


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
    from dangbo.members.services.candidates import next_step

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
    from dangbo.members.candidate_selectors import candidate_list
    from dangbo.orgs.selectors import org_get

    org = org_get(actor=request.scope, org_id=org_id)
    return [_candidate_out(c) for c in candidate_list(actor=request.scope, org=org, state=state)]


@router.post(
    "/orgs/{org_id}/candidates",
    response={201: CandidateOut, 422: ErrorOut},
    summary="Đưa vào danh sách cảm tình Đảng",
)
def candidate_create(request, org_id: UUID, body: CandidateIn):
    from dangbo.members.services import Identity
    from dangbo.members.services.candidates import candidate_add

    org = _org(request, org_id)
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
    from dangbo.members.candidate_selectors import candidate_get
    from dangbo.members.services.candidates import StepInput, candidate_record_step
    from dangbo.orgs.selectors import NotInScope

    try:
        candidate = candidate_get(actor=request.scope, candidate_id=candidate_id, for_edit=True)
    except NotInScope:
        raise HttpError(404, "Không tìm thấy trong phạm vi của người gọi.") from None
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
    candidate_record_step(candidate=candidate, kind=body.kind, step=step, actor=request.user)
    candidate.refresh_from_db()
    return Status(201, _candidate_out(candidate))


# --- discipline -----------------------------------------------------------------------------


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
    from dangbo.members.services.discipline import discipline_open as open_case

    member = _member(request, member_id)
    case = open_case(
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
    from dangbo.members.models import DisciplineCase
    from dangbo.members.services.discipline import discipline_decide as decide

    member = _member(request, member_id)
    case = DisciplineCase.objects.filter(member=member, state=DisciplineCase.State.OPEN).first()
    if case is None:
        return Status(404, {"detail": "Đảng viên không có hồ sơ kỷ luật đang xem xét.", "errors": {}})
    event = decide(
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
