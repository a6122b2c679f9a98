"""The organizations' ratings pages and the review's printed papers (issue 21, RULES.md §4).

- ``org_ratings``: a campaign's organizations — the self-assessment, the band decided, the
  disqualifiers, who rates each (``?authority=<org id>``: those one committee rates);
- ``org_self_assess`` (the organization's committee, or the cell's secretary), ``org_decide``
  (the direct superior; a second decision corrects the first, with its reason);
- ``legacy_member_new``, ``legacy_org_new``: a year before 2018 in its old level;
- ``self_form`` (a member's self-assessment form, Word or PDF), ``summary_list`` (a cell's or a
  grassroots committee's members with their ratings: XLSX, PDF, Word) and ``org_list`` (the
  organizations with their bands: XLSX, PDF).

Readers read, writers write, the superior decides; anything outside the scope is the same 404
as nothing. Lists of people download only for those who may export people, and every download
is audited.
"""

from __future__ import annotations

from collections import Counter
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from dangbo.audit.services import Action, audit_record
from dangbo.core import paths
from dangbo.core.http import ScopedRequest
from dangbo.core.kinds import CELL_KINDS, GRASSROOTS_KINDS
from dangbo.core.pages import form_page, in_scope_or_404
from dangbo.core.violations import NotInScope, RuleViolation
from dangbo.members import exports
from dangbo.members.selectors.profile import member_for_edit
from dangbo.orgs.labels import org_labels_attach
from dangbo.orgs.models import Org
from dangbo.orgs.selectors import org_breadcrumbs, org_get
from dangbo.ratings import documents, selectors, services
from dangbo.ratings.models import MemberRating, OrgRating, RatingDecision, ReviewCampaign
from dangbo.ratings.org_forms import LegacyLevelForm, OrgDecideForm, OrgSelfAssessForm
from dangbo.rules import ratings as rules
from dangbo.rules.ratings import Band, Disqualifier

PER_PAGE = 100
FORM_FORMATS = {"docx": documents.DOCX_TYPE, "pdf": documents.PDF_TYPE}
LIST_FORMATS = {"xlsx": documents.XLSX_TYPE, "pdf": documents.PDF_TYPE, "docx": documents.DOCX_TYPE}
ORG_LIST_FORMATS = {"xlsx": documents.XLSX_TYPE, "pdf": documents.PDF_TYPE}
LIST_KINDS = CELL_KINDS | GRASSROOTS_KINDS


def _attachment(body: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _authority_of(request: ScopedRequest) -> Org | None:
    """The organization of ``?authority=``; one outside the scope, or not a valid id, is 404."""
    raw = request.GET.get("authority", "").strip()[:40]
    if not raw:
        return None
    try:
        UUID(raw)
    except ValueError:
        raise Http404 from None
    return in_scope_or_404(org_get, actor=request.scope, org_id=raw)


def _authorities(actor, campaign: ReviewCampaign) -> list[Org]:
    """The committees that rate the campaign's organizations, those the actor reads."""
    ids = OrgRating.objects.filter(campaign=campaign).values("authority_id").distinct()
    return list(Org.objects.filter(actor.orgs_q(), pk__in=ids).order_by("path"))


def _in_campaign(campaign: ReviewCampaign, org: Org) -> bool:
    return paths.is_within(org.path, campaign.org.path)


def _back(rating: OrgRating) -> str:
    if rating.campaign_id:
        return reverse("ratings:org_ratings", args=[rating.campaign_id])
    return reverse("members:org_page", args=[rating.org_id])


# --- the campaign's organizations -------------------------------------------------------------


@login_required
def org_ratings(request: ScopedRequest, campaign_id) -> HttpResponse:
    campaign = in_scope_or_404(selectors.campaign_get, actor=request.scope, campaign_id=campaign_id)
    authority = _authority_of(request)
    ratings = in_scope_or_404(
        selectors.org_ratings, actor=request.scope, campaign=campaign, authority=authority
    )
    actor = request.scope
    bands = Counter(r.band for r in ratings if r.band)
    grassroots = [r for r in ratings if r.org.kind in GRASSROOTS_KINDS and r.band]
    good = sum(1 for r in grassroots if r.band in Band.GOOD_OR_BETTER)
    page = Paginator(ratings, PER_PAGE).get_page(request.GET.get("trang"))
    rows = [
        {
            "rating": r,
            "can_self": actor.can_write_path(r.org.path) and not r.decided,
            "can_decide": actor.can_write_path(r.authority.path) and not r.legacy_level,
            "may_list": r.org.kind in LIST_KINDS and exports.may_export_people(actor, r.org.path),
        }
        for r in page.object_list
    ]
    org_labels_attach(actor=actor, orgs=[org for r in page.object_list for org in (r.org, r.authority)])
    context = {
        "campaign": campaign,
        "authority": authority,
        "authorities": _authorities(actor, campaign),
        "rows": rows,
        "page": page,
        "query": f"authority={authority.pk}" if authority else "",
        "total": len(ratings),
        "decided": sum(bands.values()),
        "bands": [(Band.LABELS[b], bands[b]) for b in Band.ORDER],
        "grassroots_decided": len(grassroots),
        "grassroots_good": good,
        "good_share": (good * 100 / len(grassroots)) if grassroots else None,
        "target_source": rules.GOOD_SHARE_SOURCE,
        "breadcrumbs": org_breadcrumbs(actor=actor, org=campaign.org),
    }
    return render(request, "ratings/org_ratings.html", context)


@login_required
def org_self_assess(request: ScopedRequest, rating_id) -> HttpResponse:
    """The organization's own assessment, by those who write its records."""
    rating = in_scope_or_404(
        selectors.org_rating_get, actor=request.scope, rating_id=rating_id, for_edit=True
    )
    if not request.scope.can_write_path(rating.org.path):
        raise Http404
    initial = {
        "score": rating.self_score,
        "band": rating.self_band,
        "note": rating.self_note,
        "on": rating.self_on,
    }
    form = OrgSelfAssessForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.org_self_assess(
                actor=request.scope,
                rating=rating,
                score=data["score"],
                band=data["band"],
                note=data["note"],
                on=data["on"],
            )
        except RuleViolation as error:
            form.add_violations(error)
        else:
            messages.success(request, f"Đã ghi tự đánh giá của {rating.org.name} năm {rating.year}.")
            return redirect(_back(rating))
    return form_page(
        request,
        form,
        title=f"Tự đánh giá, xếp loại {rating.org.name} — {documents.period_label(rating.year, rating.period).lower()}",
        cancel_url=_back(rating),
        subtitle=(
            f"Cấp xếp loại: {rating.authority.name}. Sau khi cấp trên quyết định, tự đánh giá không sửa được nữa."
        ),
    )


@login_required
def org_decide(request: ScopedRequest, rating_id) -> HttpResponse:
    """The direct superior's decision on the organization's band; a second decision is a
    correction (a new dated decision with its reason), the first stays on record."""
    rating = in_scope_or_404(
        selectors.org_rating_get, actor=request.scope, rating_id=rating_id, for_edit=True
    )
    if not request.scope.can_write_path(rating.authority.path):
        raise Http404
    if rating.legacy_level:
        messages.error(
            request, "Năm trước 2018 ghi mức xếp loại cũ; không quyết định lại theo thang hiện hành."
        )
        return redirect(_back(rating))
    decisions = list(
        RatingDecision.objects.filter(org_rating=rating)
        .select_related("authority")
        .order_by("decided_on", "recorded_at")
    )
    initial = {
        "score": rating.score if rating.decided else rating.self_score,
        "band": rating.band or rating.self_band,
        "disqualifiers": list(rating.disqualifiers),
    }
    form = OrgDecideForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.org_rating_decide(
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
            what = "điều chỉnh xếp loại" if decisions else "quyết định xếp loại"
            messages.success(request, f"Đã ghi {what} {rating.org.name} năm {rating.year}.")
            return redirect(_back(rating))
    context = {
        "rating": rating,
        "form": form,
        "decisions": [(d, [Disqualifier.LABELS.get(q, q) for q in d.disqualifiers]) for d in decisions],
        "correction": bool(decisions),
        "leader_disciplined": services.leader_disciplined(rating.org, rating.year),
        "scale": rules.SCALE.at(rules.year_day(rating.year)),
        "cancel_url": _back(rating),
        "period": documents.period_label(rating.year, rating.period),
    }
    return render(
        request, "ratings/org_decide.html", context, status=400 if form.is_bound and form.errors else 200
    )


# --- years before 2018 ---------------------------------------------------------------------------


def _legacy(request: ScopedRequest, *, member=None, org=None, back: str, title: str) -> HttpResponse:
    form = LegacyLevelForm(request.POST if request.method == "POST" else None, for_member=member is not None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.legacy_rating_record(
                actor=request.scope,
                year=data["year"],
                level=data["level"],
                decision_no=data["decision_no"],
                decided_on=data["decided_on"],
                member=member,
                org=org,
            )
        except RuleViolation as error:
            form.add_violations(error)
        except NotInScope:
            raise Http404 from None
        else:
            messages.success(request, f"Đã ghi mức xếp loại năm {data['year']}.")
            return redirect(back)
    recorded: list[MemberRating] | list[OrgRating]
    if member is not None:
        recorded = list(MemberRating.objects.filter(member=member).exclude(legacy_level="").order_by("-year"))
    else:
        recorded = list(OrgRating.objects.filter(org=org).exclude(legacy_level="").order_by("-year"))
    return render(
        request,
        "ratings/org_legacy.html",
        {"form": form, "title": title, "cancel_url": back, "recorded": recorded},
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
def legacy_member_new(request: ScopedRequest, member_id) -> HttpResponse:
    member = in_scope_or_404(member_for_edit, actor=request.scope, member_id=member_id)
    return _legacy(
        request,
        member=member,
        back=reverse("members:member_profile", args=[member.pk]),
        title=f"Ghi xếp loại năm cũ (trước 2018) — {member.full_name}",
    )


@login_required
def legacy_org_new(request: ScopedRequest, org_id) -> HttpResponse:
    org = in_scope_or_404(org_get, actor=request.scope, org_id=org_id)
    if not request.scope.can_write_path(org.path):
        raise Http404
    return _legacy(
        request,
        org=org,
        back=reverse("members:org_page", args=[org.pk]),
        title=f"Ghi xếp loại năm cũ (trước 2018) — {org.name}",
    )


# --- printed papers ---------------------------------------------------------------------------------


@login_required
def self_form(request: ScopedRequest, rating_id, fmt: str) -> HttpResponse:
    """A member's self-assessment form (2A/2B/2C) as Word or PDF: the member themself, or
    whoever reads their cell. One person's paper, audited as a download."""
    if fmt not in FORM_FORMATS:
        raise Http404
    rating = in_scope_or_404(selectors.rating_get, actor=request.scope, rating_id=rating_id)
    if rating.legacy_level:
        raise Http404
    body = documents.self_form(rating, fmt)
    audit_record(
        action=Action.EXPORTED,
        subject_type="member",
        subject_id=str(rating.member_id),
        data={"document": "self_assessment", "year": rating.year, "form": rating.form, "format": fmt},
    )
    return _attachment(body, FORM_FORMATS[fmt], documents.self_form_filename(rating, fmt))


@login_required
def summary_list(request: ScopedRequest, campaign_id, org_id, fmt: str) -> HttpResponse:
    """The members of a cell or a grassroots organization in the campaign with their ratings;
    a list of people: only for those who may export them, audited."""
    if fmt not in LIST_FORMATS:
        raise Http404
    campaign = in_scope_or_404(selectors.campaign_get, actor=request.scope, campaign_id=campaign_id)
    org = in_scope_or_404(org_get, actor=request.scope, org_id=org_id)
    if org.kind not in LIST_KINDS or not _in_campaign(campaign, org):
        raise Http404
    if not exports.may_export_people(request.scope, org.path):
        return exports.export_refused(request, what="ratings", org=org)
    ratings = list(
        MemberRating.objects.filter(Q(cell=org) | Q(grassroots=org), campaign=campaign)
        .select_related("member", "cell")
        .order_by("cell__path", "member__sort_key")
    )
    cap = None
    if org.kind in GRASSROOTS_KINDS:
        cap = selectors.cap_status(
            actor=request.scope, grassroots=org, year=campaign.year, period=campaign.period
        )
    body = documents.summary_file(org, campaign, ratings, fmt, cap)
    audit_record(
        action=Action.EXPORTED,
        subject_type="org",
        subject_id=str(org.pk),
        data={
            "list": "ratings",
            "year": campaign.year,
            "period": campaign.period,
            "rows": len(ratings),
            "format": fmt,
        },
    )
    return _attachment(body, LIST_FORMATS[fmt], documents.summary_filename(org, campaign, fmt))


@login_required
def org_list(request: ScopedRequest, campaign_id, fmt: str) -> HttpResponse:
    """The campaign's organizations with their bands (``?authority=`` as on the page); no
    person named, but audited as a download."""
    if fmt not in ORG_LIST_FORMATS:
        raise Http404
    campaign = in_scope_or_404(selectors.campaign_get, actor=request.scope, campaign_id=campaign_id)
    authority = _authority_of(request)
    ratings = in_scope_or_404(
        selectors.org_ratings, actor=request.scope, campaign=campaign, authority=authority
    )
    body = documents.org_list_file(campaign, ratings, fmt, authority)
    audit_record(
        action=Action.EXPORTED,
        subject_type="review_campaign",
        subject_id=str(campaign.pk),
        data={
            "list": "org_ratings",
            "authority": authority.code if authority else "",
            "rows": len(ratings),
            "format": fmt,
        },
    )
    return _attachment(body, ORG_LIST_FORMATS[fmt], documents.org_list_filename(campaign, fmt))
