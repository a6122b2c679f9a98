"""Indicator and compliance endpoints: the same registry and checks as the pages."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from ninja import Router, Schema
from ninja.errors import HttpError

from dangbo.audit.services import Action, audit_record
from dangbo.orgs.selectors import org_get
from dangbo.stats.compliance import compliance_run
from dangbo.stats.frames import ReportInputError
from dangbo.stats.indicators import report_dict
from dangbo.stats.selectors import report_context

router = Router(tags=["Chỉ tiêu, kiểm tra tuân thủ"])


class TargetOut(Schema):
    value: float
    high: float | None
    year: int
    direction: str
    source: str
    confirmed: bool


class IndicatorOut(Schema):
    code: str
    name: str
    definition: str = ""  # numerator, denominator and date basis, in Vietnamese
    unit: str
    value: float | None
    numerator: int | None
    denominator: int | None
    target: TargetOut | None
    status: str  # met | not_met | above_range (above a 3–4 % band) | no_target | no_data


class CategoryOut(Schema):
    code: str
    name: str
    count: int


class BreakdownOut(Schema):
    code: str
    name: str
    categories: list[CategoryOut]


class OrgRef(Schema):
    code: str
    name: str


class ChildOut(Schema):
    code: str
    name: str
    indicators: list[IndicatorOut]


class IndicatorReportOut(Schema):
    org: OrgRef
    as_of: date
    period: dict[str, date]
    indicators: list[IndicatorOut]
    breakdowns: list[BreakdownOut]
    children: list[ChildOut] = []


@router.get(
    "orgs/{org_id}/indicators",
    response=IndicatorReportOut,
    summary="Các chỉ tiêu của một tổ chức (theo ngày, theo kỳ)",
)
def indicators(
    request,
    org_id: UUID,
    as_of: date | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    children: bool = False,
):
    """Every indicator of the registry for ``org_id``'s subtree: stock figures on ``as_of``
    (default today), flows from ``date_from`` to ``date_to`` (default 1 January to ``as_of``).
    Bad dates answer 422 with the Vietnamese reason."""
    org = org_get(actor=request.scope, org_id=org_id)
    try:
        ctx = report_context(
            actor=request.scope, org=org, as_of=as_of, start=date_from, end=date_to, with_children=children
        )
    except ReportInputError as error:
        raise HttpError(422, str(error)) from None
    return report_dict(ctx, children=children)


class FindingOut(Schema):
    check: str
    title: str
    org_id: UUID
    org_code: str
    org_name: str
    member_id: UUID | None
    member_name: str | None
    candidate_id: UUID | None
    candidate_name: str | None
    locality_id: UUID | None
    locality_code: str | None
    locality_name: str | None
    message: str
    rule: str
    citation: str
    since: date | None


@router.get(
    "orgs/{org_id}/compliance",
    response=list[FindingOut],
    summary="Kiểm tra tuân thủ quy định trong phạm vi một tổ chức",
)
def compliance(request, org_id: UUID):
    org = org_get(actor=request.scope, org_id=org_id)
    findings = compliance_run(root=org, actor=request.scope)
    audit_record(
        action=Action.LIST_VIEWED,
        subject_type="org",
        subject_id=str(org.pk),
        data={"list": "compliance", "via": "api"},
    )
    return [finding.as_dict() for finding in findings]
