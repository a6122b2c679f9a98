"""Member endpoints: search with the page's filters, profile, history, the audited ID reveal."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from dangbo.core.decisions import DecisionRef
from dangbo.members.forms import MemberSearchForm
from dangbo.members.selectors.profile import (
    member_for_edit,
    member_history,
    member_national_id,
    member_profile,
)
from dangbo.members.selectors.search import member_search_page
from dangbo.members.services.badges import member_award_badge
from dangbo.members.services.recognition import member_recognize
from dangbo.reference.identity import mask_national_id

router = Router(tags=["Đảng viên"])


class SearchQuery(Schema):
    q: str = ""
    org: UUID | None = None
    status: str = ""
    gender: str = ""
    ethnicity: str = ""
    religion: str = ""
    theory_level: str = ""
    age_min: int | None = None
    age_max: int | None = None
    page: int = 1


class MemberRow(Schema):
    id: UUID
    full_name: str
    gender: str
    birth_date: date
    ethnicity: str
    status: str
    org_id: UUID
    org_name: str
    theory_level: str


class MemberPage(Schema):
    count: int
    count_capped: bool = Field(
        description="true: more rows match than `count` (the count stops at 1,000); narrow the search or export"
    )
    page: int
    pages: int
    items: list[MemberRow]


class MemberOut(Schema):
    id: UUID
    family_name: str
    middle_name: str
    given_name: str
    full_name: str
    gender: str
    birth_date: date
    national_id_masked: str
    card_number: str
    ethnicity: str
    religion: str
    birthplace: str
    hometown: str
    residence: str
    general_education: str
    professional_level: str
    theory_level: str
    occupation: str
    workplace: str
    status: str
    org_id: UUID
    org_name: str
    admitted_on: date | None
    full_on: date | None
    died_on: date | None
    version: int


class EventOut(Schema):
    kind: str
    kind_label: str
    effective_on: date
    decision_no: str
    decision_on: date | None
    decision_body: str
    from_org: str | None
    to_org: str | None
    position_org: str | None
    role: str
    # org_restructured: the member's cell, now under ``to_org``
    cell: str | None = None


class NationalIdOut(Schema):
    national_id: str


class ErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]] = {}


def _event_out(event) -> dict:
    if getattr(event, "is_org_change", False):  # the member's cell moved with a restructuring
        return {
            "kind": "org_restructured",
            "kind_label": f"Sắp xếp tổ chức ({event.kind_label.lower()})",
            "effective_on": event.effective_on,
            "decision_no": event.decision_no,
            "decision_on": event.decision_on,
            "decision_body": event.decision_body,
            "from_org": None,
            "to_org": event.parent_name,
            "position_org": None,
            "role": "",
            "cell": event.cell_name,
        }
    return {
        "kind": event.kind,
        "kind_label": event.get_kind_display(),
        "effective_on": event.effective_on,
        "decision_no": event.decision_no,
        "decision_on": event.decision_on,
        "decision_body": event.decision_body,
        "from_org": event.from_org.name if event.from_org else None,
        "to_org": event.to_org.name if event.to_org else None,
        "position_org": event.position_org.name if event.position_org else None,
        "role": event.role,
    }


def _name(item) -> str:
    return item.name if item is not None else ""


@router.get(
    "/",
    response={200: MemberPage, 422: ErrorOut},
    summary="Tìm đảng viên (cùng bộ lọc như trang Tìm đảng viên)",
)
def search(request, filters: Query[SearchQuery]):
    data = {k: v for k, v in filters.dict().items() if v not in (None, "") and k != "page"}
    form = MemberSearchForm({k: str(v) for k, v in data.items()}, actor=request.scope)
    if not form.is_valid():
        errors = {field: [str(e) for e in errs] for field, errs in form.errors.items()}
        return Status(422, {"detail": "Điều kiện tìm kiếm không hợp lệ.", "errors": errors})
    page = member_search_page(
        actor=request.scope, filters=form.filters(), page=max(1, min(filters.page, 10**6))
    )
    return Status(
        200,
        {
            "count": page.paginator.count,
            "count_capped": page.paginator.capped,
            "page": page.number,
            "pages": page.paginator.num_pages,
            "items": [
                {
                    "id": m.pk,
                    "full_name": m.full_name,
                    "gender": m.gender,
                    "birth_date": m.birth_date,
                    "ethnicity": m.ethnicity.name,
                    "status": m.status,
                    "org_id": m.org_id,
                    "org_name": m.org.name,
                    "theory_level": _name(m.theory_level),
                }
                for m in page
            ],
        },
    )


@router.get("/{member_id}", response=MemberOut, summary="Hồ sơ đảng viên (số định danh che bớt)")
def profile(request, member_id: UUID):
    m = member_profile(actor=request.scope, member_id=member_id)
    return {
        "id": m.pk,
        "family_name": m.family_name,
        "middle_name": m.middle_name,
        "given_name": m.given_name,
        "full_name": m.full_name,
        "gender": m.gender,
        "birth_date": m.birth_date,
        "national_id_masked": mask_national_id(m.national_id),
        "card_number": m.card_number or "",
        "ethnicity": m.ethnicity.name,
        "religion": m.religion.name,
        "birthplace": m.birthplace,
        "hometown": m.hometown,
        "residence": m.residence,
        "general_education": _name(m.general_education),
        "professional_level": _name(m.professional_level),
        "theory_level": _name(m.theory_level),
        "occupation": m.occupation,
        "workplace": m.workplace,
        "status": m.status,
        "org_id": m.org_id,
        "org_name": m.org.name,
        "admitted_on": m.admitted_on,
        "full_on": m.full_on,
        "died_on": m.died_on,
        "version": m.version,
    }


@router.get("/{member_id}/history", response=list[EventOut], summary="Quá trình sinh hoạt đảng")
def history(request, member_id: UUID):
    member = member_profile(actor=request.scope, member_id=member_id)
    return [_event_out(e) for e in member_history(actor=request.scope, member=member)]


@router.post(
    "/{member_id}/national-id", response=NationalIdOut, summary="Xem số định danh đầy đủ (ghi nhật ký)"
)
def reveal_national_id(request, member_id: UUID):
    if not request.scope.sees_orgs and request.scope.own_member_id != member_id:
        raise HttpError(404, "Không tìm thấy trong phạm vi của người gọi.")
    return {"national_id": member_national_id(actor=request.scope, member_id=member_id)}


class BadgeIn(Schema):
    years: int
    awarded_on: date
    ground: str = Field("regular", description="regular | illness | posthumous")
    decision_no: str = ""
    decision_on: date
    decision_body: str = ""


@router.post(
    "/{member_id}/badges", response={201: EventOut, 422: ErrorOut}, summary="Ghi nhận tặng Huy hiệu Đảng"
)
def award_badge(request, member_id: UUID, body: BadgeIn):
    member = member_for_edit(actor=request.scope, member_id=member_id)
    event = member_award_badge(
        member=member,
        years=body.years,
        awarded_on=body.awarded_on,
        ground=body.ground,
        actor=request.user,
        decision=DecisionRef(
            number=body.decision_no[:60], on=body.decision_on, body=body.decision_body[:200]
        ),
    )
    return Status(201, _event_out(event))


class RecognitionIn(Schema):
    vote_on: date
    approvals: int
    absent_exempted: list[UUID] = Field(
        default_factory=list,
        max_length=500,
        description="đảng viên được miễn công tác và sinh hoạt đảng vắng mặt khi chi bộ biểu quyết (không tính vào tổng số)",
    )
    decision_no: str = ""
    decision_on: date
    decision_body: str = ""
    late_reason: str = ""


@router.post(
    "/{member_id}/recognition",
    response={201: EventOut, 422: ErrorOut},
    summary="Ghi nhận công nhận đảng viên chính thức",
)
def recognize(request, member_id: UUID, body: RecognitionIn):
    member = member_for_edit(actor=request.scope, member_id=member_id)
    event = member_recognize(
        member=member,
        vote_on=body.vote_on,
        approvals=body.approvals,
        late_reason=body.late_reason[:500],
        actor=request.user,
        absent_exempted=tuple(body.absent_exempted),
        decision=DecisionRef(
            number=body.decision_no[:60], on=body.decision_on, body=body.decision_body[:200]
        ),
    )
    return Status(201, _event_out(event))
