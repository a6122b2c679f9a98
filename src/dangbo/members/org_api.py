"""Organization endpoints: the same selectors as the pages."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from ninja import Router, Schema, Status
from ninja.errors import HttpError

from dangbo.audit.services import Action, audit_record
from dangbo.core import clock
from dangbo.core.decisions import DecisionRef
from dangbo.core.roles import Role
from dangbo.members.org_selectors import org_children, org_committee, org_nodes
from dangbo.members.selectors.badges import badge_list
from dangbo.members.selectors.figures import org_member_figures
from dangbo.members.selectors.positions import org_committee_gaps, org_position, position_candidates
from dangbo.members.services.positions import member_position_end, member_position_start
from dangbo.orgs.selectors import NotInScope, org_breadcrumbs, org_get, org_localities, org_roots
from dangbo.rules.badges import award_days_around

router = Router(tags=["Tổ chức đảng"])


class OrgOut(Schema):
    id: UUID
    code: str
    name: str
    kind: str
    kind_label: str
    sector: str
    has_upper_rights: bool
    created_on: date
    dissolved_on: date | None

    @staticmethod
    def of(org) -> dict:
        return {
            "id": org.pk,
            "code": org.code,
            "name": org.name,
            "kind": org.kind,
            "kind_label": org.get_kind_display(),
            "sector": org.sector,
            "has_upper_rights": org.has_upper_rights,
            "created_on": org.created_on,
            "dissolved_on": org.dissolved_on,
        }


class OrgNodeOut(Schema):
    org: OrgOut
    members: int
    children: int


class FiguresOut(Schema):
    total: int
    full: int
    probationary: int
    women: int
    ethnic_minority: int


class PositionOut(Schema):
    role: str
    role_label: str
    member_id: UUID
    member_name: str
    started_on: date


class LocalityOut(Schema):
    id: UUID
    code: str
    kind: str
    name: str
    cell_id: UUID | None
    head_name: str  # the member record's name when linked, else the name of a head outside the Party
    head_member_id: UUID | None
    head_is_member: bool  # the linked member is probationary or full today


class OrgPageOut(Schema):
    org: OrgOut
    breadcrumbs: list[OrgOut]
    figures: FiguresOut
    committee: list[PositionOut]
    children: list[OrgNodeOut]
    localities: list[LocalityOut]


def _nodes(nodes) -> list[dict]:
    return [{"org": OrgOut.of(n.org), "members": n.members, "children": n.children} for n in nodes]


@router.get("/", response=list[OrgNodeOut], summary="Các tổ chức gốc trong phạm vi")
def roots(request):
    return _nodes(org_nodes(actor=request.scope, orgs=org_roots(actor=request.scope)))


@router.get("/{org_id}/children", response=list[OrgNodeOut], summary="Tổ chức trực thuộc")
def children(request, org_id: UUID):
    return _nodes(org_children(actor=request.scope, org=org_get(actor=request.scope, org_id=org_id)))


@router.get("/{org_id}", response=OrgPageOut, summary="Trang của một tổ chức")
def page(request, org_id: UUID):
    actor = request.scope
    org = org_get(actor=actor, org_id=org_id)
    audit_record(action=Action.ORG_VIEWED, subject_type="org", subject_id=str(org.pk), data={"via": "api"})
    figures = org_member_figures(org)
    return {
        "org": OrgOut.of(org),
        "breadcrumbs": [OrgOut.of(o) for o in org_breadcrumbs(actor=actor, org=org)],
        "figures": {
            k: getattr(figures, k) for k in ("total", "full", "probationary", "women", "ethnic_minority")
        },
        "committee": [
            {
                "role": p.role,
                "role_label": p.get_role_display(),
                "member_id": p.member_id,
                "member_name": p.member.full_name,
                "started_on": p.started_on,
            }
            for p in org_committee(actor=actor, org=org)
        ],
        "children": _nodes(org_children(actor=actor, org=org)),
        "localities": [
            {
                "id": loc.pk,
                "code": loc.code,
                "kind": loc.kind,
                "name": loc.name,
                "cell_id": loc.cell_id,
                "head_name": loc.head_display,
                "head_member_id": loc.head_member_id,
                "head_is_member": loc.head_is_member,
            }
            for loc in org_localities(actor=actor, org=org)
        ],
    }


class BadgeCandidateOut(Schema):
    member_id: UUID
    member_name: str
    org_id: UUID
    org_name: str
    years: int
    party_age_from: date
    reached_on: date
    ground: str


class BadgeListOut(Schema):
    award_on: date
    since: date
    citation: str
    due: list[BadgeCandidateOut]
    early_if_seriously_ill: list[BadgeCandidateOut]
    posthumous: list[BadgeCandidateOut]


def _candidates(candidates) -> list[dict]:
    return [
        {
            "member_id": c.member.pk,
            "member_name": c.member.full_name,
            "org_id": c.member.org_id,
            "org_name": c.member.org.name,
            "years": c.years,
            "party_age_from": c.member.party_age_from,
            "reached_on": c.reached_on,
            "ground": c.ground,
        }
        for c in candidates
    ]


@router.get("/{org_id}/badges", response=BadgeListOut, summary="Danh sách xét tặng Huy hiệu Đảng cho một đợt")
def badges(request, org_id: UUID, award_on: date | None = None):
    """``award_on`` defaults to the next award date (3/2, 19/5, 2/9, 7/11)."""
    org = org_get(actor=request.scope, org_id=org_id)
    day = award_on or award_days_around(clock.today())[1]
    if not date(1930, 1, 1) <= day <= date(2200, 1, 1):
        raise HttpError(422, "Ngày trao tặng không hợp lệ.")
    lists = badge_list(actor=request.scope, org=org, award_on=day)
    return {
        "award_on": lists.award_on,
        "since": lists.since,
        "citation": lists.citation,
        "due": _candidates(lists.due),
        "early_if_seriously_ill": _candidates(lists.early),
        "posthumous": _candidates(lists.posthumous),
    }


class PositionStartIn(Schema):
    member_id: UUID
    role: str
    started_on: date
    term: str = ""
    decision_no: str = ""
    decision_on: date | None = None
    decision_body: str = ""


class PositionEndIn(Schema):
    member_id: UUID
    role: str
    ended_on: date
    decision_no: str = ""
    decision_on: date | None = None
    decision_body: str = ""


class ProblemOut(Schema):
    detail: str
    errors: dict[str, list[str]] = {}


class GapOut(Schema):
    message: str
    citation: str


@router.get(
    "/{org_id}/committee-gaps",
    response=list[GapOut],
    summary="Những điểm cần kiện toàn cấp ủy (chưa có bí thư, thiếu hoặc thừa chi ủy)",
)
def committee_gaps(request, org_id: UUID):
    org = org_get(actor=request.scope, org_id=org_id)
    return [
        {"message": g.message, "citation": g.citation}
        for g in org_committee_gaps(actor=request.scope, org=org)
    ]


@router.post(
    "/{org_id}/positions",
    response={201: PositionOut, 422: ProblemOut},
    summary="Ghi nhận bầu, chỉ định chức vụ",
)
def position_start(request, org_id: UUID, body: PositionStartIn):
    org = org_get(actor=request.scope, org_id=org_id)
    holder = position_candidates(actor=request.scope, org=org).filter(pk=body.member_id).first()
    if holder is None:
        return Status(
            422,
            {
                "detail": "Không ghi nhận được.",
                "errors": {"member_id": ["Đảng viên không sinh hoạt trong tổ chức này."]},
            },
        )
    member_position_start(
        member=holder,
        org=org,
        role=body.role,
        started_on=body.started_on,
        term=body.term,
        actor=request.user,
        decision=DecisionRef(
            number=body.decision_no[:60], on=body.decision_on, body=body.decision_body[:200]
        ),
    )
    return Status(
        201,
        {
            "role": body.role,
            "role_label": dict(Role.choices)[body.role],
            "member_id": holder.pk,
            "member_name": holder.full_name,
            "started_on": body.started_on,
        },
    )


@router.post(
    "/{org_id}/positions/end", response={200: PositionOut, 422: ProblemOut}, summary="Ghi nhận thôi chức vụ"
)
def position_end(request, org_id: UUID, body: PositionEndIn):
    org = org_get(actor=request.scope, org_id=org_id)
    try:
        position = org_position(actor=request.scope, org=org, member_id=body.member_id, role=body.role)
    except NotInScope:
        return Status(
            422,
            {
                "detail": "Không ghi nhận được.",
                "errors": {"member_id": ["Đảng viên không giữ chức vụ này ở tổ chức này."]},
            },
        )
    member_position_end(
        member=position.member,
        org=org,
        role=position.role,
        ended_on=body.ended_on,
        actor=request.user,
        decision=DecisionRef(
            number=body.decision_no[:60], on=body.decision_on, body=body.decision_body[:200]
        ),
    )
    return Status(
        200,
        {
            "role": position.role,
            "role_label": position.get_role_display(),
            "member_id": position.member_id,
            "member_name": position.member.full_name,
            "started_on": position.started_on,
        },
    )
