"""API of the annual review and quality rating (RULES.md §4, issue 21): the review campaigns
over an organization, a campaign's progress by cell, a cell's review sheet, one member's
ratings year by year; the cell's assessment of a member and the grassroots committee's decision
rating a list of members. The same selectors and services as the pages and the command line:
outside the caller's subtrees everything answers 404, as if it did not exist (a member reads
their own ratings and nothing else); a cell's sheet and a member's ratings are audited as reads
of people, the progress is counts only; a refusal is 422 with every violation in Vietnamese
with its citation — the cap on «excellent» with its numbers — and nothing written.

Campaigns and reviews are named by the organization (or member), the year and the period,
as committees name them («đợt đánh giá năm 2025 của Đảng bộ xã Một»), not by internal ids.
"""

from __future__ import annotations

from datetime import date
from typing import Literal
from uuid import UUID

from ninja import Field, Query, Router, Schema, Status

from dangbo.core import paths
from dangbo.core.violations import NotInScope, RuleViolation, input_violation
from dangbo.members.api import ErrorOut
from dangbo.members.models import Member
from dangbo.members.standing_api import writable_org
from dangbo.orgs.models import Org
from dangbo.orgs.selectors import org_get
from dangbo.ratings import services
from dangbo.ratings.models import MemberRating, Period, RatingDecision, ReviewCampaign
from dangbo.ratings.selectors import (
    Progress,
    campaign_progress,
    campaigns_over,
    cap_status,
    cell_sheet,
    member_ratings,
    rating_get,
)
from dangbo.rules.ratings import FIRST_RECORDED_YEAR, Band

router = Router(tags=["Đánh giá, xếp loại chất lượng"])

PER_PAGE = 200
PeriodCode = Literal["year", "q1", "q2", "q3", "q4", "term"]
MemberDisqualifier = Literal["disciplined", "degraded", "tasks_under_half", "civil_servant_failed"]
BANDS = "excellent | good | fulfilled | failed"


def _period_label(period: str) -> str:
    return dict(Period.choices)[period].lower()


class YearQuery(Schema):
    year: int = Field(..., ge=FIRST_RECORDED_YEAR, le=2200, description="năm đánh giá")
    period: PeriodCode = Field("year", description="kỳ: year (cả năm), q1–q4 (quý), term (nhiệm kỳ)")


class SheetQuery(YearQuery):
    page: int = Field(1, ge=1, le=1_000_000)


# --- reading -----------------------------------------------------------------------------------


class CampaignOut(Schema):
    id: UUID
    org_id: UUID
    org_code: str
    org_name: str
    year: int
    period: str
    period_label: str
    cutoff_on: date
    self_due_on: date
    cell_due_on: date
    decision_due_on: date
    members: int = Field(description="số đảng viên trong danh sách trên ngày chốt")
    rule_version: str


def _campaign_out(c: ReviewCampaign) -> dict:
    return {
        "id": c.pk,
        "org_id": c.org_id,
        "org_code": c.org.code,
        "org_name": c.org.name,
        "year": c.year,
        "period": c.period,
        "period_label": c.get_period_display(),
        "cutoff_on": c.cutoff_on,
        "self_due_on": c.self_due_on,
        "cell_due_on": c.cell_due_on,
        "decision_due_on": c.decision_due_on,
        "members": c.members,
        "rule_version": c.rule_version,
    }


@router.get(
    "/orgs/{org_id}/rating-campaigns",
    response=list[CampaignOut],
    summary="Các đợt kiểm điểm, đánh giá, xếp loại bao trùm tổ chức hoặc thuộc tổ chức, mới nhất trước",
)
def rating_campaigns(request, org_id: UUID):
    org = org_get(actor=request.scope, org_id=org_id)
    return [_campaign_out(c) for c in campaigns_over(actor=request.scope, org=org)]


class BandsOut(Schema):
    excellent: int
    good: int
    fulfilled: int
    failed: int


class ProgressOut(Schema):
    org_id: UUID
    org_code: str
    org_name: str
    listed: int = Field(description="đảng viên trong danh sách")
    not_rated: int = Field(description="không xếp loại (miễn sinh hoạt, đình chỉ…)")
    to_rate: int
    self_done: int = Field(description="đã tự đánh giá")
    cell_done: int = Field(description="chi bộ đã đánh giá, đề xuất")
    decided: int = Field(description="cấp ủy đã quyết định xếp loại")
    waiting: int = Field(description="chưa có quyết định")
    bands: BandsOut


class CampaignProgressOut(Schema):
    org_id: UUID
    org_code: str
    org_name: str
    year: int
    period: str
    campaigns: list[CampaignOut]
    total: ProgressOut
    cells: list[ProgressOut]


def _progress_out(p: Progress) -> dict:
    return {
        "org_id": p.org.pk,
        "org_code": p.org.code,
        "org_name": p.org.name,
        "listed": p.listed,
        "not_rated": p.not_rated,
        "to_rate": p.to_rate,
        "self_done": p.self_done,
        "cell_done": p.cell_done,
        "decided": p.decided,
        "waiting": p.waiting,
        "bands": {band: p.bands[band] for band in Band.ORDER},
    }


def _no_campaign(org: Org, year: int, period: str) -> RuleViolation:
    return RuleViolation(
        [
            input_violation(
                "year", f"Chưa có đợt đánh giá {_period_label(period)} năm {year} nào của {org.name}."
            )
        ]
    )


@router.get(
    "/orgs/{org_id}/ratings/progress",
    response={200: CampaignProgressOut, 422: ErrorOut},
    summary="Tiến độ đánh giá, xếp loại của một năm trong tổ chức, theo từng chi bộ (chỉ số lượng)",
)
def rating_progress(request, org_id: UUID, query: Query[YearQuery]):
    org = org_get(actor=request.scope, org_id=org_id)
    campaigns = [
        c
        for c in campaigns_over(actor=request.scope, org=org)
        if c.year == query.year and c.period == query.period
    ]
    if not campaigns:
        raise _no_campaign(org, query.year, query.period)
    total, cells = Progress(org=org), []
    for campaign in campaigns:  # one covering the organization, or those of its sub-organizations
        part, by_cell = campaign_progress(actor=request.scope, campaign=campaign, org=org)
        cells += by_cell
        for name in ("listed", "not_rated", "self_done", "cell_done", "decided"):
            setattr(total, name, getattr(total, name) + getattr(part, name))
        total.bands.update(part.bands)
    return {
        "org_id": org.pk,
        "org_code": org.code,
        "org_name": org.name,
        "year": query.year,
        "period": query.period,
        "campaigns": [_campaign_out(c) for c in campaigns],
        "total": _progress_out(total),
        "cells": [_progress_out(p) for p in sorted(cells, key=lambda p: p.org.path)],
    }


class RatingOut(Schema):
    rating_id: UUID
    member_id: UUID
    full_name: str
    year: int
    period: str
    cell_code: str
    grassroots_code: str
    form: str = Field(description="mẫu tự kiểm điểm: 2A, 2B, 2C")
    not_rated: str = Field(
        description="'' hoặc lý do không xếp loại: exempted, suspended, probationary, left, too_new"
    )
    not_rated_label: str
    self_score: int | None
    self_band: str
    self_on: date | None
    cell_score: int | None
    cell_band: str = Field(description="mức chi bộ đề xuất")
    cell_disqualifiers: list[str]
    cell_note: str
    cell_on: date | None
    score: int | None = Field(description="điểm theo quyết định")
    band: str = Field(description=f"mức đã quyết định: {BANDS}; '' khi chưa quyết định")
    legacy_level: str = Field(description="mức xếp loại cũ (trước 2018)")
    band_label: str
    disqualifiers: list[str]
    decision_no: str
    decided_on: date | None


def _rating_out(r: MemberRating, *, cell_code: str | None = None, grassroots_code: str | None = None) -> dict:
    """One review; the codes are given where the ratings were read without their organizations."""
    return {
        "rating_id": r.pk,
        "member_id": r.member_id,
        "full_name": r.member.full_name,
        "year": r.year,
        "period": r.period,
        "cell_code": r.cell.code if cell_code is None else cell_code,
        "grassroots_code": r.grassroots.code if grassroots_code is None else grassroots_code,
        "form": r.form,
        "not_rated": r.not_rated,
        "not_rated_label": r.get_not_rated_display() if r.not_rated else "",
        "self_score": r.self_score,
        "self_band": r.self_band,
        "self_on": r.self_on,
        "cell_score": r.cell_score,
        "cell_band": r.cell_band,
        "cell_disqualifiers": list(r.cell_disqualifiers or []),
        "cell_note": r.cell_note,
        "cell_on": r.cell_on,
        "score": r.score,
        "band": r.band,
        "legacy_level": r.legacy_level,
        "band_label": r.band_label,
        "disqualifiers": list(r.disqualifiers or []),
        "decision_no": r.decision_no,
        "decided_on": r.decided_on,
    }


class SheetOut(Schema):
    org_id: UUID
    org_code: str
    org_name: str
    campaign: CampaignOut
    count: int
    page: int
    pages: int
    items: list[RatingOut]


def _covering(org: Org, year: int, period: str) -> ReviewCampaign | None:
    return (
        ReviewCampaign.objects.filter(year=year, period=period, org__path__in=paths.ancestor_paths(org.path))
        .select_related("org")
        .first()
    )


@router.get(
    "/orgs/{org_id}/ratings/sheet",
    response={200: SheetOut, 422: ErrorOut},
    summary="Bảng đánh giá, xếp loại đảng viên của một chi bộ trong một năm (ghi nhật ký)",
)
def rating_sheet(request, org_id: UUID, query: Query[SheetQuery]):
    cell = org_get(actor=request.scope, org_id=org_id)
    campaign = _covering(cell, query.year, query.period)
    if campaign is None:
        raise _no_campaign(cell, query.year, query.period)
    ratings = cell_sheet(actor=request.scope, campaign=campaign, cell=cell)
    count = len(ratings)
    pages = max(1, -(-count // PER_PAGE))
    page = min(query.page, pages)
    shown = ratings[(page - 1) * PER_PAGE : page * PER_PAGE]
    codes = dict(Org.objects.filter(pk__in={r.grassroots_id for r in shown}).values_list("pk", "code"))
    items = [
        _rating_out(r, cell_code=cell.code, grassroots_code=codes.get(r.grassroots_id, "")) for r in shown
    ]
    return {
        "org_id": cell.pk,
        "org_code": cell.code,
        "org_name": cell.name,
        "campaign": _campaign_out(campaign),
        "count": count,
        "page": page,
        "pages": pages,
        "items": items,
    }


class DecisionOut(Schema):
    id: UUID
    band: str
    legacy_level: str
    score: int | None
    disqualifiers: list[str]
    decision_no: str
    decided_on: date
    authority_code: str
    authority_name: str
    corrects: UUID | None = Field(description="quyết định được điều chỉnh bởi quyết định này")
    reason: str


class RatedYearOut(RatingOut):
    decisions: list[DecisionOut]


class MemberRatingsOut(Schema):
    member_id: UUID
    full_name: str
    years: list[RatedYearOut]


def _decision_out(d: RatingDecision) -> dict:
    return {
        "id": d.pk,
        "band": d.band,
        "legacy_level": d.legacy_level,
        "score": d.score,
        "disqualifiers": list(d.disqualifiers or []),
        "decision_no": d.decision_no,
        "decided_on": d.decided_on,
        "authority_code": d.authority.code,
        "authority_name": d.authority.name,
        "corrects": d.corrects_id,
        "reason": d.reason,
    }


@router.get(
    "/members/{member_id}/ratings",
    response=MemberRatingsOut,
    summary="Xếp loại chất lượng của một đảng viên qua các năm, với các quyết định (ghi nhật ký)",
)
def ratings_of_member(request, member_id: UUID):
    member = Member.objects.filter(pk=member_id).first()
    if member is None:
        raise NotInScope(member_id)
    history = member_ratings(actor=request.scope, member=member)
    years = []
    for r in history.ratings:
        r.member = member
        years.append(
            {**_rating_out(r), "decisions": [_decision_out(d) for d in history.decisions.get(r.pk, [])]}
        )
    return {"member_id": member.pk, "full_name": member.full_name, "years": years}


# --- changing --------------------------------------------------------------------------------


class CellAssessmentIn(Schema):
    year: int = Field(..., ge=FIRST_RECORDED_YEAR, le=2200)
    period: PeriodCode = "year"
    score: int | None = Field(None, ge=-1_000_000, le=1_000_000, description="điểm chi bộ đánh giá, 0–100")
    band: str = Field(..., max_length=12, description=f"mức chi bộ đề xuất: {BANDS}")
    disqualifiers: list[MemberDisqualifier] = Field([], max_length=10)
    note: str = Field("", max_length=2000, description="nhận xét của chi bộ (tối đa 500 ký tự)")
    on: date | None = Field(None, description="ngày chi bộ đánh giá (mặc định: hôm nay)")


def _member_in_reach(request, member_id: UUID) -> Member:
    member = Member.objects.filter(pk=member_id).first()
    if member is None or not request.scope.can_read_member(member):
        raise NotInScope(member_id)
    return member


@router.post(
    "/members/{member_id}/ratings/cell-assessment",
    response={200: RatingOut, 422: ErrorOut},
    summary="Chi bộ đánh giá đảng viên và đề xuất mức xếp loại (điểm, trường hợp không được xếp cao hơn)",
)
def rating_cell_assess(request, member_id: UUID, body: CellAssessmentIn):
    member = _member_in_reach(request, member_id)
    found = MemberRating.objects.filter(member=member, year=body.year, period=body.period).first()
    if found is None:
        raise RuleViolation(
            [
                input_violation(
                    "year",
                    f"Đảng viên không có trong danh sách đánh giá {_period_label(body.period)} năm {body.year}.",
                )
            ]
        )
    rating = rating_get(actor=request.scope, rating_id=found.pk, for_edit=True)
    rating = services.member_cell_assess(
        actor=request.scope,
        rating=rating,
        score=body.score,
        band=body.band,
        disqualifiers=body.disqualifiers,
        note=body.note,
        on=body.on,
    )
    return _rating_out(rating)


class VerdictIn(Schema):
    member_id: UUID
    band: str = Field(
        "", max_length=12, description=f"mức quyết định: {BANDS}; để trống: theo đề xuất của chi bộ"
    )
    score: int | None = Field(None, ge=-1_000_000, le=1_000_000)
    disqualifiers: list[MemberDisqualifier] = Field([], max_length=10)


class DecisionIn(Schema):
    year: int = Field(..., ge=FIRST_RECORDED_YEAR, le=2200)
    period: PeriodCode = "year"
    decision_no: str = Field(..., max_length=60)
    decided_on: date
    verdicts: list[VerdictIn] = Field(..., min_length=1, max_length=5000)


class CapOut(Schema):
    excellent: int
    good: int
    percent: int | None = Field(description="tỷ lệ tối đa (%) số hoàn thành xuất sắc trên số hoàn thành tốt")
    allowed: int | None
    holds: bool
    confirmed: bool = Field(description="false: RULES.md ghi mức này CHƯA XÁC NHẬN")
    citation: str


class DecidedOut(Schema):
    member_id: UUID
    full_name: str
    decision: DecisionOut


class DecisionsOut(Schema):
    org_id: UUID
    org_code: str
    decided: list[DecidedOut]
    cap: CapOut


@router.post(
    "/orgs/{org_id}/ratings/decisions",
    response={201: DecisionsOut, 422: ErrorOut},
    summary="Đảng ủy cơ sở quyết định xếp loại một danh sách đảng viên (tất cả hoặc không; kiểm tra giới hạn "
    "hoàn thành xuất sắc)",
)
def rating_decide(request, org_id: UUID, body: DecisionIn):
    org = writable_org(request, org_id)
    ids = [v.member_id for v in body.verdicts]
    twice = sorted({str(m) for m in ids if ids.count(m) > 1})
    if twice:
        raise RuleViolation(
            [input_violation("verdicts", "Mỗi đảng viên chỉ quyết định một lần: " + ", ".join(twice))]
        )
    ratings = {
        r.member_id: r
        for r in MemberRating.objects.filter(
            grassroots=org, year=body.year, period=body.period, member_id__in=ids
        ).select_related("member")
    }
    missing = [str(m) for m in ids if m not in ratings]
    if missing:
        raise RuleViolation(
            [
                input_violation(
                    "verdicts",
                    f"Không có trong danh sách đánh giá {_period_label(body.period)} năm {body.year} "
                    f"của {org.name}: " + ", ".join(missing),
                )
            ]
        )
    verdicts = [
        services.Verdict(ratings[v.member_id], v.band, v.score, list(v.disqualifiers)) for v in body.verdicts
    ]
    decisions = services.member_ratings_decide(
        actor=request.scope,
        grassroots=org,
        verdicts=verdicts,
        decision_no=body.decision_no,
        decided_on=body.decided_on,
    )
    status = cap_status(actor=request.scope, grassroots=org, year=body.year, period=body.period)
    # one decision per verdict, in the verdicts' order (the service decides all or none)
    return Status(
        201,
        {
            "org_id": org.pk,
            "org_code": org.code,
            "decided": [
                {
                    "member_id": v.rating.member_id,
                    "full_name": v.rating.member.full_name,
                    "decision": _decision_out(d),
                }
                for v, d in zip(verdicts, decisions, strict=True)
            ],
            "cap": {
                "excellent": status.excellent,
                "good": status.good,
                "percent": status.percent,
                "allowed": status.allowed,
                "holds": status.holds,
                "confirmed": status.confirmed,
                "citation": status.citation,
            },
        },
    )
