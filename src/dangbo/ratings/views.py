"""Pages of the annual review and quality rating (RULES.md §4): the campaigns over an
organization and the form that opens one (a background job), a campaign's progress by cell
(with its export), a cell's review sheet, a member's self-assessment and the cell's assessment,
the grassroots committee's decision with the cap on «excellent», a correction, and a member's
ratings year by year (their own included).

Every page reads through the scoped selectors; an organization, campaign, review or member
outside the user's scope is the same 404 as none. Writing forms are shown only to those who
write there; the services check the rules, and a refusal is shown on the form with its
citation, nothing written."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse

from dangbo.audit.services import Action, audit_record
from dangbo.core import clock
from dangbo.core.http import ScopedRequest
from dangbo.core.kinds import CELL_KINDS, GRASSROOTS_KINDS
from dangbo.core.pages import form_page, in_scope_or_404, spreadsheet_download
from dangbo.core.spreadsheet import list_title
from dangbo.core.violations import NotInScope, RuleViolation
from dangbo.jobs.services import job_start
from dangbo.members.models import Member
from dangbo.orgs.labels import org_labels_attach
from dangbo.orgs.models import Org
from dangbo.orgs.selectors import org_breadcrumbs, org_get, org_roots
from dangbo.ratings import selectors, services
from dangbo.ratings.forms import (
    CampaignForm,
    CellAssessForm,
    CorrectionForm,
    DecisionForm,
    SelfAssessForm,
    campaign_defaults,
)
from dangbo.ratings.jobs import OPEN_CAMPAIGN_JOB, campaign_params
from dangbo.ratings.models import MemberRating, ReviewCampaign
from dangbo.ratings.services import Verdict
from dangbo.rules import ratings as rules
from dangbo.rules.base import refuse_if
from dangbo.rules.ratings import Band, Disqualifier

ROOTS_LIMIT = 20
FORMATS = ("xlsx", "csv")


def _bands(counter) -> list[tuple[str, str, int]]:
    """(code, short label, count) of the four bands, best first."""
    return [(band, Band.SHORT[band], counter.get(band, 0)) for band in Band.ORDER]


def _org(request: ScopedRequest, org_id) -> Org:
    return in_scope_or_404(org_get, actor=request.scope, org_id=org_id)


def _campaign_over(request: ScopedRequest, campaign_id, org: Org) -> ReviewCampaign:
    """The campaign ``campaign_id`` as one that covers ``org`` (a reader of a cell reads the
    campaign opened above it for the cell's part only); 404 otherwise."""
    for campaign in in_scope_or_404(selectors.campaigns_over, actor=request.scope, org=org):
        if campaign.pk == campaign_id:
            return campaign
    raise Http404


# --- where to start, and the campaigns over an organization ------------------------------------


@login_required
def ratings_home(request: ScopedRequest) -> HttpResponse:
    """The campaigns over each organization the user reads; a member without a role goes to
    their own ratings."""
    scope = request.scope
    if not scope.sees_orgs:
        if scope.own_member_id:
            return redirect("ratings:my_ratings")
        raise Http404
    roots = list(org_roots(actor=scope)[:ROOTS_LIMIT])
    if len(roots) == 1:
        return redirect("ratings:org_campaigns", org_id=roots[0].pk)
    sections = [
        {"org": org, "items": _items(org, selectors.campaigns_over(actor=scope, org=org)[:5])}
        for org in roots
    ]
    return render(request, "ratings/home.html", {"sections": sections})


def _items(org: Org, campaigns) -> list[dict]:
    """The campaigns seen from ``org``: one opened above it is shown narrowed to ``org``'s part
    (``narrow``); one opened on it or within it, whole."""
    return [
        {"campaign": c, "narrow": c.org.path != org.path and org.path.startswith(c.org.path)}
        for c in campaigns
    ]


@login_required
def org_campaigns(request: ScopedRequest, org_id) -> HttpResponse:
    org = _org(request, org_id)
    campaigns = selectors.campaigns_over(actor=request.scope, org=org)
    context = {
        "org": org,
        "items": _items(org, campaigns),
        "is_cell": org.kind in CELL_KINDS,
        "is_grassroots": org.kind in GRASSROOTS_KINDS,
        "can_open": request.scope.can_write_path(org.path) and org.dissolved_on is None,
        "breadcrumbs": org_breadcrumbs(actor=request.scope, org=org),
    }
    return render(request, "ratings/org_campaigns.html", context)


@login_required
def campaign_new(request: ScopedRequest, org_id) -> HttpResponse:
    """The form that opens a campaign on ``org``'s subtree; the list itself is drawn by a
    background job, whose page shows its progress."""
    org = _org(request, org_id)
    if not request.scope.can_write_path(org.path) or org.dissolved_on is not None:
        raise Http404
    form = CampaignForm(
        request.POST if request.method == "POST" else None, initial=campaign_defaults(clock.today())
    )
    if request.method == "POST" and form.is_valid():
        campaign_request = form.campaign_request()
        try:
            # the job checks again when it runs; checked here so that the form shows the refusal
            refuse_if(services.campaign_violations(org, campaign_request))
        except RuleViolation as error:
            form.add_violations(error)
        else:
            job = job_start(
                kind=OPEN_CAMPAIGN_JOB,
                owner=request.user,
                params=campaign_params(org, campaign_request),
                title=f"Mở đợt đánh giá, xếp loại năm {campaign_request.year} — {org.name}",
                subject=("org", str(org.pk)),
            )
            return redirect("jobs:job", job_id=job.pk)
    scale = rules.SCALE.at(rules.year_day(clock.today().year))
    return form_page(
        request,
        form,
        title=f"Mở đợt kiểm điểm, đánh giá, xếp loại: {org.name}",
        cancel_url=reverse("ratings:org_campaigns", args=[org.pk]),
        submit="Mở đợt đánh giá",
        subtitle=(
            "Danh sách đảng viên và tổ chức đảng được đánh giá được lập theo ngày chốt; việc lập danh sách "
            f"chạy nền, trang công việc cho biết tiến độ. Căn cứ: {scale.ref}."
        ),
    )


# --- a campaign's progress -----------------------------------------------------------------------

PROGRESS_HEADER = [
    "STT",
    "Chi bộ",
    "Trong danh sách",
    "Không xếp loại",
    "Đã tự đánh giá",
    "Chi bộ đã đánh giá",
    "Đã quyết định",
    "Chưa quyết định",
    *(f"{Band.SHORT[b]}" for b in Band.ORDER),
]


def _progress_cells(n, name, p) -> list:
    return [
        n,
        name,
        p.listed,
        p.not_rated,
        p.self_done,
        p.cell_done,
        p.decided,
        p.waiting,
        *(p.bands.get(b, 0) for b in Band.ORDER),
    ]


@login_required
def campaign_page(request: ScopedRequest, campaign_id) -> HttpResponseBase:
    """Totals and progress by cell, with the deadlines; ``?to-chuc=`` narrows it to one
    organization under the campaign (the only way for those who read only that part)."""
    org_param = request.GET.get("to-chuc", "")[:40]
    if org_param:
        org = _org(request, org_param)
        campaign = _campaign_over(request, campaign_id, org)
        if not org.path.startswith(campaign.org.path):
            raise Http404
    else:
        campaign = in_scope_or_404(selectors.campaign_get, actor=request.scope, campaign_id=campaign_id)
        org = campaign.org
    total, cells = selectors.campaign_progress(actor=request.scope, campaign=campaign, org=org)
    file_format = request.GET.get("dinh-dang")
    if file_format in FORMATS:
        audit_record(
            action=Action.EXPORTED,
            subject_type="org",
            subject_id=str(org.pk),
            data={"list": "rating_progress", "campaign": str(campaign.pk), "format": file_format},
        )
        rows = [_progress_cells(n, p.org.name, p) for n, p in enumerate(cells, start=1)]
        rows.append(_progress_cells("", "Tổng cộng", total))
        return spreadsheet_download(
            PROGRESS_HEADER,
            rows,
            file_format=file_format,
            filename=f"danh-gia-{org.code}-{campaign.year}-{campaign.period}.{file_format}",
            title=list_title(f"Tiến độ đánh giá, xếp loại {campaign}", org.name, clock.today()),
        )
    today = clock.today()
    org_labels_attach(actor=request.scope, orgs=[p.org for p in cells])
    context = {
        "campaign": campaign,
        "org": org,
        "narrowed": bool(org_param),
        "total": total,
        "total_bands": _bands(total.bands),
        "cells": [{"p": p, "bands": _bands(p.bands)} for p in cells],
        "deadlines": [
            ("Chốt danh sách", campaign.cutoff_on, False),
            ("Tự đánh giá", campaign.self_due_on, campaign.self_due_on < today),
            ("Chi bộ đánh giá, đề xuất", campaign.cell_due_on, campaign.cell_due_on < today),
            ("Cấp ủy quyết định", campaign.decision_due_on, campaign.decision_due_on < today),
        ],
        "decide_org": org if org.kind in GRASSROOTS_KINDS else None,
        "band_short": Band.SHORT,
        "breadcrumbs": org_breadcrumbs(actor=request.scope, org=org),
    }
    return render(request, "ratings/campaign.html", context)


# --- a cell's sheet --------------------------------------------------------------------------------


def _labels(disqualifiers) -> list[str]:
    return [Disqualifier.LABELS.get(d, d) for d in disqualifiers]


def _grassroots_of(request: ScopedRequest, ratings) -> dict:
    """The grassroots organizations of ``ratings`` the user reads, by id (usually one)."""
    found = {}
    for pk in {r.grassroots_id for r in ratings}:
        try:
            found[pk] = org_get(actor=request.scope, org_id=pk)
        except NotInScope:
            continue
    return found


@login_required
def cell_sheet(request: ScopedRequest, campaign_id, org_id) -> HttpResponse:
    """The cell's members on the campaign's list with each step, and the links to the steps."""
    cell = _org(request, org_id)
    campaign = _campaign_over(request, campaign_id, cell)
    ratings = selectors.cell_sheet(actor=request.scope, campaign=campaign, cell=cell)
    scope = request.scope
    grassroots = _grassroots_of(request, ratings)
    writes = scope.can_write_path(cell.path)
    rows = [
        {
            "r": r,
            "open": not r.decided and not r.not_rated,
            "disqualifiers": _labels(r.disqualifiers if r.decided else r.cell_disqualifiers),
            "can_correct": r.decided
            and r.grassroots_id in grassroots
            and scope.can_write_path(grassroots[r.grassroots_id].path),
        }
        for r in ratings
    ]
    context = {
        "campaign": campaign,
        "cell": cell,
        "rows": rows,
        "can_write": writes,
        "decide_orgs": sorted(grassroots.values(), key=lambda o: o.path),
        "counts": {
            "listed": len(ratings),
            "not_rated": sum(1 for r in ratings if r.not_rated),
            "self": sum(1 for r in ratings if r.self_band),
            "cell": sum(1 for r in ratings if r.cell_band),
            "decided": sum(1 for r in ratings if r.band),
        },
        "breadcrumbs": org_breadcrumbs(actor=scope, org=cell),
    }
    return render(request, "ratings/cell_sheet.html", context)


# --- a member's steps ------------------------------------------------------------------------------


def _sheet_url(rating: MemberRating) -> str:
    if rating.campaign_id is None:
        return reverse("ratings:member_ratings", args=[rating.member_id])
    return reverse("ratings:cell_sheet", args=[rating.campaign_id, rating.cell_id])


def _back(request: ScopedRequest, rating: MemberRating) -> str:
    """The cell's sheet for those who read the cell; the member's own page for the member."""
    if request.scope.can_read_path(rating.cell.path):
        return _sheet_url(rating)
    return reverse("ratings:my_ratings")


def _who(rating: MemberRating) -> str:
    return f"{rating.member.full_name} — năm {rating.year}" + (
        f" ({rating.get_period_display()})" if rating.period != "year" else ""
    )


@login_required
def self_assess(request: ScopedRequest, rating_id) -> HttpResponse:
    """The member's self-assessment on their form: by the member, or for them by their cell."""
    rating = in_scope_or_404(selectors.rating_get, actor=request.scope, rating_id=rating_id, for_edit=True)
    initial = {
        "form": rating.form,
        "score": rating.self_score,
        "band": rating.self_band,
        "note": rating.self_note,
    }
    form = SelfAssessForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.member_self_assess(
                actor=request.scope,
                rating=rating,
                form=data["form"],
                score=data["score"],
                band=data["band"],
                note=data["note"],
            )
        except RuleViolation as error:
            form.add_violations(error)
        else:
            messages.success(request, f"Đã ghi bản tự đánh giá của đồng chí {rating.member.full_name}.")
            return redirect(_back(request, rating))
    return form_page(
        request,
        form,
        title=f"Tự đánh giá, xếp loại: {_who(rating)}",
        cancel_url=_back(request, rating),
        submit="Ghi tự đánh giá",
        subtitle=_steps_hint(rating),
    )


def _steps_hint(rating: MemberRating) -> str:
    scale = rules.SCALE.at(rules.year_day(rating.year))
    parts = []
    if scale.value.scored:
        parts.append(
            f"Thang 100 điểm: từ {scale.value.excellent_min} điểm «{Band.LABELS[Band.EXCELLENT]}», "
            f"{scale.value.good_min}–dưới {scale.value.excellent_min} «{Band.LABELS[Band.GOOD]}», "
            f"{scale.value.fulfilled_min}–dưới {scale.value.good_min} «{Band.LABELS[Band.FULFILLED]}», "
            f"dưới {scale.value.fulfilled_min} «{Band.LABELS[Band.FAILED]}»"
        )
    else:
        parts.append(f"Năm {rating.year} xếp loại không theo điểm")
    if rating.campaign_id and rating.campaign is not None:
        parts.append(f"hạn tự đánh giá {rating.campaign.self_due_on:%d/%m/%Y}")
    return "; ".join(parts) + f" ({scale.ref})."


@login_required
def cell_assess(request: ScopedRequest, rating_id) -> HttpResponse:
    """The cell's assessment of the member and the band it proposes."""
    rating = in_scope_or_404(selectors.rating_get, actor=request.scope, rating_id=rating_id, for_edit=True)
    if not request.scope.can_write_path(rating.cell.path):  # the member themself: not the cell's step
        raise Http404
    initial = {
        "score": rating.cell_score if rating.cell_band else rating.self_score,
        "band": rating.cell_band or rating.self_band,
        "disqualifiers": rating.cell_disqualifiers,
        "note": rating.cell_note,
    }
    form = CellAssessForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.member_cell_assess(
                actor=request.scope,
                rating=rating,
                score=data["score"],
                band=data["band"],
                disqualifiers=data["disqualifiers"],
                note=data["note"],
            )
        except RuleViolation as error:
            form.add_violations(error)
        else:
            messages.success(
                request, f"Đã ghi đánh giá, đề xuất của chi bộ cho đồng chí {rating.member.full_name}."
            )
            return redirect(_back(request, rating))
    own = (
        f"Tự đánh giá: {rating.self_score if rating.self_score is not None else '—'} điểm, "
        f"«{Band.LABELS[rating.self_band]}». "
        if rating.self_band
        else "Đảng viên chưa tự đánh giá. "
    )
    return form_page(
        request,
        form,
        title=f"Chi bộ đánh giá, đề xuất xếp loại: {_who(rating)}",
        cancel_url=_back(request, rating),
        submit="Ghi đề xuất của chi bộ",
        subtitle=own + _steps_hint(rating),
    )


# --- the grassroots committee's decision and corrections --------------------------------------------


@login_required
def decide(request: ScopedRequest, campaign_id, org_id) -> HttpResponse:
    """The grassroots committee decides: its members with the cells' proposals, the cap on
    «excellent» as it stands, and (for those who write there) the ticks, the decision's number
    and date."""
    grassroots = _org(request, org_id)
    campaign = _campaign_over(request, campaign_id, grassroots)
    scope = request.scope
    can_write = scope.can_write_path(grassroots.path)
    if request.method == "POST" and not can_write:
        raise Http404
    ratings = selectors.grassroots_sheet(actor=scope, campaign=campaign, grassroots=grassroots)
    decidable = [r for r in ratings if r.cell_band and not r.decided and not r.not_rated]
    form = DecisionForm(
        request.POST if request.method == "POST" else None,
        initial={"decided_on": clock.today()},
        choices=[(str(r.pk), r.member.full_name) for r in decidable],
    )
    if request.method == "POST" and form.is_valid():
        chosen = set(form.cleaned_data["ratings"])
        data = form.cleaned_data
        try:
            decisions = services.member_ratings_decide(
                actor=scope,
                grassroots=grassroots,
                verdicts=[Verdict(r) for r in decidable if str(r.pk) in chosen],
                decision_no=data["decision_no"],
                decided_on=data["decided_on"],
            )
        except RuleViolation as error:
            form.add_violations(error)
        except NotInScope:
            raise Http404 from None
        else:
            messages.success(
                request, f"Đã quyết định xếp loại {len(decisions)} đảng viên ({data['decision_no']})."
            )
            return redirect("ratings:decide", campaign_id=campaign.pk, org_id=grassroots.pk)
    cap = selectors.cap_status(actor=scope, grassroots=grassroots, year=campaign.year, period=campaign.period)
    ticked = set(form["ratings"].value() or []) if form.is_bound else set()
    proposed_excellent = sum(1 for r in decidable if r.cell_band == Band.EXCELLENT)
    context = {
        "campaign": campaign,
        "org": grassroots,
        "ratings": ratings,
        "decidable": {r.pk for r in decidable},
        "ticked": ticked,
        "form": form,
        "can_write": can_write,
        "cap": cap,
        "proposed_excellent": proposed_excellent,
        "correctable": {r.pk for r in ratings if r.band} if can_write else set(),
        "breadcrumbs": org_breadcrumbs(actor=scope, org=grassroots),
    }
    return render(
        request, "ratings/decide.html", context, status=400 if form.is_bound and form.errors else 200
    )


@login_required
def correct(request: ScopedRequest, rating_id) -> HttpResponse:
    """A correction of a decided rating: a new dated decision; the first stays on record."""
    rating = in_scope_or_404(selectors.rating_get, actor=request.scope, rating_id=rating_id)
    if not request.scope.can_write_path(rating.grassroots.path):
        raise Http404
    initial = {
        "band": rating.band,
        "score": rating.score,
        "disqualifiers": rating.disqualifiers,
        "decided_on": clock.today(),
    }
    form = CorrectionForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.member_rating_correct(
                actor=request.scope,
                rating=rating,
                band=data["band"],
                score=data["score"],
                disqualifiers=data["disqualifiers"],
                decision_no=data["decision_no"],
                decided_on=data["decided_on"],
                reason=data["reason"],
            )
        except RuleViolation as error:
            form.add_violations(error)
        else:
            messages.success(
                request, f"Đã ghi quyết định điều chỉnh xếp loại của đồng chí {rating.member.full_name}."
            )
            return redirect("ratings:member_ratings", member_id=rating.member_id)
    current = (
        f"Đang xếp loại «{rating.band_label}»"
        + (f", {rating.score} điểm" if rating.score is not None else "")
        + (
            f" theo quyết định {rating.decision_no} ngày {rating.decided_on:%d/%m/%Y}"
            if rating.decided_on
            else ""
        )
        + ". Điều chỉnh là một quyết định mới có ngày; quyết định trước vẫn được lưu."
        if rating.decided
        else "Chưa có quyết định xếp loại để điều chỉnh."
    )
    return form_page(
        request,
        form,
        title=f"Điều chỉnh xếp loại: {_who(rating)}",
        cancel_url=reverse("ratings:member_ratings", args=[rating.member_id]),
        submit="Ghi quyết định điều chỉnh",
        subtitle=current,
    )


# --- a member's ratings year by year ---------------------------------------------------------------


def _history_page(request: ScopedRequest, member: Member, *, own: bool) -> HttpResponse:
    history = in_scope_or_404(selectors.member_ratings, actor=request.scope, member=member)
    scope = request.scope
    rows = []
    for r in history.ratings:
        writes_cell = scope.can_write_path(r.cell.path)
        rows.append(
            {
                "r": r,
                # names only of organizations the user reads (the member's own cell for them)
                "cell_name": r.cell.name
                if scope.can_read_path(r.cell.path) or r.cell_id == member.org_id
                else "",
                "decisions": [
                    (d, d.authority.name if scope.can_read_path(d.authority.path) else "Cấp ủy cơ sở")
                    for d in history.decisions.get(r.pk, [])
                ],
                "can_self": r.campaign_id is not None
                and not r.decided
                and not r.not_rated
                and (own or writes_cell),
                "can_correct": r.decided and r.band != "" and scope.can_write_path(r.grassroots.path),
                "sheet": r.campaign_id is not None and scope.can_read_path(r.cell.path),
            }
        )
    context = {"member": member, "own": own, "rows": rows}
    return render(request, "ratings/member_ratings.html", context)


@login_required
def member_ratings(request: ScopedRequest, member_id) -> HttpResponse:
    member = Member.objects.filter(pk=member_id).select_related("org").first()
    if member is None:  # and one outside the scope: the selector refuses it
        raise Http404
    return _history_page(request, member, own=member.pk == request.scope.own_member_id)


@login_required
def my_ratings(request: ScopedRequest) -> HttpResponse:
    if request.scope.own_member_id is None:
        raise Http404
    member = Member.objects.filter(pk=request.scope.own_member_id).select_related("org").first()
    if member is None:
        raise Http404
    return _history_page(request, member, own=True)
