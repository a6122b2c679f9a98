"""Member pages: search and lists, export, profile with history, the audited ID reveal, the
profile's edit, badges, positions, the to-do list, recognition and documents (transfers are in
``transfer_views``, standing changes and exits in ``standing_views``). Thin: validate the
request with a form, call selectors and services, render."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dangbo.audit.services import Action, audit_record
from dangbo.core import clock
from dangbo.core.formats import format_number
from dangbo.core.http import ScopedRequest
from dangbo.core.kept import kept
from dangbo.core.kinds import CELL_KINDS
from dangbo.core.pages import form_page, in_scope_or_404, page_number, spreadsheet_download
from dangbo.core.spreadsheet import list_title
from dangbo.documents import render as document_render
from dangbo.jobs.services import job_start
from dangbo.members import exports
from dangbo.members.documents import KINDS, NoDocument, available_documents, member_document
from dangbo.members.forms import (
    BadgeAwardForm,
    BadgeListForm,
    ExportPurposeForm,
    MemberEditForm,
    MemberSearchForm,
    PositionEndForm,
    PositionStartForm,
    RecognitionForm,
    add_absent_exempted,
)
from dangbo.members.jobs import EXPORT_IN_REQUEST_MAX, EXPORT_JOB, export_title
from dangbo.members.models import MemberStatus
from dangbo.members.selectors.badges import badge_list
from dangbo.members.selectors.positions import org_position, position_candidates
from dangbo.members.selectors.profile import (
    member_for_edit,
    member_history,
    member_national_id,
    member_profile,
    member_profile_changes,
)
from dangbo.members.selectors.search import member_export_rows, member_search_exceeds, member_search_page
from dangbo.members.selectors.todo import due_items, due_items_viewed
from dangbo.members.selectors.todo_counts import TodoSummary, todo_summary, whole_register
from dangbo.members.services.badges import member_award_badge
from dangbo.members.services.positions import member_position_end, member_position_start
from dangbo.members.services.recognition import member_recognize
from dangbo.members.services.records import member_update_identity
from dangbo.members.standing_views import actions_for
from dangbo.members.todo_export import (
    DUE_LIST_EXPORT_IN_REQUEST_MAX,
    DUE_LIST_EXPORT_JOB,
    record_todo_export,
    todo_file_name,
    todo_rows,
    todo_title,
)
from dangbo.members.todo_export import HEADER as DUE_LIST_HEADER
from dangbo.orgs.labels import org_labels_attach
from dangbo.orgs.models import Org
from dangbo.orgs.selectors import NotInScope, org_breadcrumbs, org_get, org_roots
from dangbo.reference.identity import mask_national_id
from dangbo.rules.badges import party_age_years
from dangbo.rules.base import RuleViolation
from dangbo.rules.probation import recognition_review_due

MAX_QUERY_STRING = 2000
# The members whose national ID this session revealed (audited): only those may have it changed
# on the edit form, which otherwise shows it masked (issue 18).
REVEALED_SESSION_KEY = "revealed_national_ids"


@login_required
@require_GET
def member_search_view(request: ScopedRequest) -> HttpResponse:
    if request.scope.is_empty:
        return render(request, "web/no_role.html", status=403)
    form = MemberSearchForm(request.GET, actor=request.scope)
    page = None
    if len(request.META.get("QUERY_STRING", "")) > MAX_QUERY_STRING:
        form.is_valid()
        form.add_error(None, "Điều kiện tìm kiếm quá dài.")
    elif form.is_valid():
        page = member_search_page(actor=request.scope, filters=form.filters(), page=page_number(request))
        org_labels_attach(actor=request.scope, orgs=[member.org for member in page])
    query = request.GET.copy()
    query.pop("trang", None)
    context = {"form": form, "page": page, "org": form.org, "query": query.urlencode()}
    template = (
        "members/_results.html"
        if request.htmx and request.htmx.target == "ket-qua"
        else "members/search.html"
    )
    return render(request, template, context, status=200 if page is not None else 400)


@login_required
@require_http_methods(["GET", "POST"])
def member_export_view(request: ScopedRequest) -> HttpResponseBase:
    """The searched list as XLSX or CSV. A list longer than ``EXPORT_IN_REQUEST_MAX`` is
    written by a background job: the page says how long it is and asks to start it (POST)."""
    query = request.GET.copy()
    file_format = query.pop("dinh-dang", ["xlsx"])[-1]
    if file_format not in ("xlsx", "csv") or len(request.META.get("QUERY_STRING", "")) > MAX_QUERY_STRING:
        raise Http404
    form = MemberSearchForm(request.GET, actor=request.scope)
    if request.scope.is_empty or not form.is_valid():
        return render(request, "members/search.html", {"form": form, "page": None}, status=400)
    filters = form.filters()
    if not exports.may_export_people(request.scope, filters.org.path if filters.org else None):
        return exports.export_refused(request, what="members", org=filters.org)
    threshold = exports.export_purpose_rows()
    count = member_search_exceeds(
        actor=request.scope, filters=filters, limit=min(EXPORT_IN_REQUEST_MAX, threshold)
    )
    if count is not None:
        purpose_form = ExportPurposeForm(
            request.POST if request.method == "POST" else None, required=count > threshold
        )
        if request.method == "POST" and purpose_form.is_valid():
            job = job_start(
                kind=EXPORT_JOB,
                owner=request.user,
                params={
                    "query": query.urlencode(),
                    "format": file_format,
                    "purpose": purpose_form.cleaned_data["purpose"],
                },
                title=f"{export_title(filters, request.scope)[0]}: {format_number(count)} đảng viên ({file_format.upper()})",
            )
            return redirect("jobs:job", job_id=job.pk)
        context = {
            "count": count,
            "file_format": file_format,
            "query": query.urlencode(),
            "org": filters.org,
            "form": purpose_form,
            "needs_purpose": count > threshold,
        }
        return render(request, "members/export_job.html", context, status=400 if purpose_form.errors else 200)
    _, rows = member_export_rows(actor=request.scope, filters=filters, file_format=file_format)
    title, stem = export_title(filters, request.scope)
    return spreadsheet_download(
        exports.HEADER,
        exports.member_cells(rows),
        file_format=file_format,
        title=title,
        filename=f"{stem}.{file_format}",
        widths=exports.MEMBER_XLSX_WIDTHS,
        types=exports.MEMBER_TYPES,
    )


@login_required
@require_GET
def member_profile_view(request: ScopedRequest, member_id) -> HttpResponse:
    member = in_scope_or_404(member_profile, actor=request.scope, member_id=member_id)
    context = {
        "member": member,
        "history": member_history(actor=request.scope, member=member),
        "changes": member_profile_changes(actor=request.scope, member=member),
        "national_id_masked": mask_national_id(member.national_id),
        "breadcrumbs": org_breadcrumbs(actor=request.scope, org=member.org)
        if request.scope.sees_orgs
        else [],
        "can_edit": request.scope.can_write_member(member),
        "party_age": _party_age(member),
        "standing_actions": actions_for(member) if request.scope.can_write_member(member) else [],
        "documents": available_documents(member) if request.scope.can_write_member(member) else [],
    }
    return render(request, "members/profile.html", context)


def _party_age(member) -> int | None:
    """Whole years of party age today (or at death or exit); none before admission."""
    if not member.party_age_from:
        return None
    return party_age_years(member.party_age_from, member.died_on or member.left_on or clock.today())


@login_required
@require_POST
def member_reveal_id_view(request: ScopedRequest, member_id) -> HttpResponse:
    national_id = in_scope_or_404(member_national_id, actor=request.scope, member_id=member_id)
    revealed = [str(member_id), *request.session.get(REVEALED_SESSION_KEY, [])]
    request.session[REVEALED_SESSION_KEY] = list(dict.fromkeys(revealed))[:50]
    return render(request, "members/_national_id.html", {"national_id": national_id, "revealed": True})


@login_required
def member_edit_view(request: ScopedRequest, member_id) -> HttpResponse:
    member = in_scope_or_404(member_for_edit, actor=request.scope, member_id=member_id)
    revealed = str(member.pk) in request.session.get(REVEALED_SESSION_KEY, [])
    if request.method == "POST":
        form = MemberEditForm(request.POST, member=member, revealed=revealed)
        if form.is_valid():
            try:
                member_update_identity(
                    member=member,
                    identity=form.identity(member),
                    expected_version=form.cleaned_data["version"],
                    actor=request.user,
                )
            except RuleViolation as error:
                form.add_violations(error)
            else:
                messages.success(request, "Đã lưu hồ sơ.")
                return redirect("members:member_profile", member_id=member.pk)
    else:
        form = MemberEditForm(
            initial=MemberEditForm.initial_for_edit(member, revealed=revealed),
            member=member,
            revealed=revealed,
        )
    return form_page(
        request,
        form,
        title=f"Sửa hồ sơ: {member.full_name}",
        cancel_url=reverse("members:member_profile", args=[member.pk]),
        subtitle="Tình trạng đảng viên và chi bộ sinh hoạt chỉ thay đổi qua các nghiệp vụ (kết nạp, chuyển sinh hoạt ...).",
    )


# --- Party badges ------------------------------------------------------------------------


@login_required
@require_GET
def badge_list_view(request: ScopedRequest, org_id) -> HttpResponseBase:
    """Who may be awarded which badge at an award date, for an organization's subtree."""
    org = in_scope_or_404(org_get, actor=request.scope, org_id=org_id)
    form = BadgeListForm(request.GET)
    if not form.is_valid():
        return render(request, "members/badges.html", {"org": org, "form": form, "badges": None}, status=400)
    badges = badge_list(actor=request.scope, org=org, award_on=form.award_on())
    file_format = request.GET.get("dinh-dang")
    if file_format in ("csv", "xlsx"):
        if not exports.may_export_people(request.scope, org.path):
            return exports.export_refused(request, what="badges", org=org)
        return _badge_export(badges, file_format)
    org_labels_attach(
        actor=request.scope, orgs=[c.member.org for c in (*badges.due, *badges.early, *badges.posthumous)]
    )
    context = {
        "org": org,
        "form": form,
        "badges": badges,
        "query": f"ngay={badges.award_on:%d/%m/%Y}",
        "show_early": request.GET.get("som") == "1",
        "breadcrumbs": org_breadcrumbs(actor=request.scope, org=org),
        "can_award": request.scope.can_write_path(org.path),
    }
    return render(request, "members/badges.html", context)


def _badge_export(badges, file_format: str) -> HttpResponseBase:
    audit_record(
        action=Action.EXPORTED,
        subject_type="org",
        subject_id=str(badges.org.pk),
        data={
            "list": "badges",
            "award_on": badges.award_on.isoformat(),
            "rows": len(badges.due) + len(badges.early) + len(badges.posthumous),
            "format": file_format,
        },
    )
    return spreadsheet_download(
        exports.BADGE_HEADER,
        exports.badge_rows(badges),
        file_format=file_format,
        filename=f"huy-hieu-dang-{badges.org.code}-{badges.award_on:%Y%m%d}.{file_format}",
        title=list_title("Danh sách xét tặng Huy hiệu Đảng", badges.org.name, badges.award_on),
    )


@login_required
def member_badge_view(request: ScopedRequest, member_id) -> HttpResponse:
    """Record a badge awarded to a member."""
    member = in_scope_or_404(member_for_edit, actor=request.scope, member_id=member_id)
    if request.method == "POST":
        form = BadgeAwardForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                member_award_badge(
                    member=member,
                    years=data["years"],
                    awarded_on=data["awarded_on"],
                    ground=data["ground"],
                    decision=form.decision(),
                    actor=request.user,
                )
            except RuleViolation as error:
                form.add_violations(error)
            else:
                messages.success(request, f"Đã ghi nhận tặng Huy hiệu {data['years']} năm tuổi đảng.")
                return redirect("members:member_profile", member_id=member.pk)
    else:
        initial = {k: request.GET.get(k) for k in ("years", "ground", "awarded_on") if request.GET.get(k)}
        form = BadgeAwardForm(initial=initial)
    subtitle = f"Tuổi đảng tính từ ngày {member.party_age_from:%d/%m/%Y}." if member.party_age_from else ""
    return form_page(
        request,
        form,
        title=f"Tặng Huy hiệu Đảng: {member.full_name}",
        subtitle=subtitle,
        cancel_url=reverse("members:member_profile", args=[member.pk]),
        submit="Ghi nhận",
    )


# --- Positions (RULES.md §1.3) ---------------------------------------------------------------


def _writable_org_or_404(request, org_id):
    org = in_scope_or_404(org_get, actor=request.scope, org_id=org_id)
    if not request.scope.can_write_path(org.path) or org.dissolved_on is not None:
        raise Http404
    return org


@login_required
def position_start_view(request: ScopedRequest, org_id) -> HttpResponse:
    """Record an election or appointment to a position in an organization."""
    org = _writable_org_or_404(request, org_id)
    candidates = position_candidates(actor=request.scope, org=org)
    small = org.kind in CELL_KINDS
    if small:
        candidates = candidates.filter(org=org)
    form = PositionStartForm(request.POST or None, candidates=candidates, small=small)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data.get("holder") is None:
            form.add_error("member" if small else "member_number", "Chọn một đảng viên của tổ chức.")
        else:
            try:
                member_position_start(
                    member=data["holder"],
                    org=org,
                    role=data["role"],
                    started_on=data["started_on"],
                    decision=form.decision(),
                    term=data.get("term") or "",
                    actor=request.user,
                )
            except RuleViolation as error:
                form.add_violations(error, {"member": "member" if small else "member_number"})
            else:
                messages.success(request, f"Đã ghi nhận {data['holder'].full_name} giữ chức vụ.")
                return redirect("members:org_page", org_id=org.pk)
    return form_page(
        request,
        form,
        title=f"Bầu, chỉ định chức vụ: {org.name}",
        cancel_url=reverse("members:org_page", args=[org.pk]),
        subtitle="Chỉ đảng viên chính thức được bầu vào cấp ủy. Chi bộ từ 9 đảng viên chính thức bầu chi ủy (không quá 7); dưới 9 chỉ bầu bí thư và nếu cần một phó bí thư.",
        submit="Ghi nhận",
    )


@login_required
def position_end_view(request: ScopedRequest, org_id) -> HttpResponse:
    """Record the end of a position (?dang-vien=<member id>&chuc-vu=<role>)."""
    org = _writable_org_or_404(request, org_id)
    position = in_scope_or_404(
        org_position,
        actor=request.scope,
        org=org,
        member_id=request.GET.get("dang-vien", ""),
        role=request.GET.get("chuc-vu", ""),
    )
    form = PositionEndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            member_position_end(
                member=position.member,
                org=org,
                role=position.role,
                ended_on=form.cleaned_data["ended_on"],
                decision=form.decision(),
                actor=request.user,
            )
        except RuleViolation as error:
            form.add_violations(error, {"ledger": "ended_on"})
        else:
            messages.success(
                request,
                f"Đã ghi nhận {position.member.full_name} thôi chức vụ {position.get_role_display().lower()}.",
            )
            return redirect("members:org_page", org_id=org.pk)
    return form_page(
        request,
        form,
        title=f"Thôi chức vụ {position.get_role_display().lower()}: {position.member.full_name}",
        subtitle=f"{org.name}; giữ chức vụ từ {position.started_on:%d/%m/%Y}.",
        cancel_url=reverse("members:org_page", args=[org.pk]),
        submit="Ghi nhận",
    )


# --- What is due ---------------------------------------------------------------------------------


DUE_ITEMS_PER_PAGE = 100  # due items of one section of the to-do page, per page
# A subtree with more items than this is shown counted by child and by kind (``todo_summary``),
# each child linking to its own list; the export holds every item.
DUE_ITEMS_LISTED_MAX = 500


@dataclass(frozen=True)
class TodoSection:
    """One subtree on the to-do page: its counts, and a page of its items (None: too many to
    list, shown by child)."""

    org: Org
    summary: TodoSummary
    page: Page | None


@login_required
@require_http_methods(["GET", "POST"])
def todo_view(request: ScopedRequest, org_id=None) -> HttpResponseBase:
    """Overdue and due within 30 days: for one organization, or for every subtree the user
    holds. A subtree with more than ``DUE_ITEMS_LISTED_MAX`` items shows its counts by child;
    an export of more than ``DUE_LIST_EXPORT_IN_REQUEST_MAX`` is written by a background job
    (started by POST from the page that asks)."""
    if org_id is not None:
        orgs = [in_scope_or_404(org_get, actor=request.scope, org_id=org_id)]
    else:
        if not request.scope.sees_orgs:
            return render(request, "web/no_role.html", status=403)
        orgs = list(org_roots(actor=request.scope))
    one = orgs[0] if org_id else None
    form = BadgeListForm(request.GET)  # the same "ngay" field: the day the list is drawn for
    as_of = form.cleaned_data.get("ngay") if form.is_valid() else None
    if form.errors:
        return render(request, "members/todo.html", {"form": form, "sections": [], "org": one}, status=400)
    as_of = as_of or clock.today()
    # An administrator's many top-level organizations: counted in one pass, a row each.
    whole = org_id is None and request.scope.is_admin and len(orgs) > 1
    # kept while the register is unchanged (core.kept), per user: the lists follow the scope
    summaries = kept(
        ("members:todo", request.user.pk, tuple(org.pk for org in orgs), as_of, clock.today()),
        lambda: (
            [todo_summary(actor=request.scope, org=whole_register(), as_of=as_of)]
            if whole
            else [todo_summary(actor=request.scope, org=org, as_of=as_of) for org in orgs]
        ),
    )
    file_format = request.GET.get("dinh-dang")
    if file_format in ("csv", "xlsx"):
        return _todo_export(request, orgs, one, summaries, as_of=as_of, file_format=file_format)
    if request.method == "POST":
        raise Http404
    number = page_number(request)
    sections = [
        TodoSection(
            summary.org,
            summary,
            None
            if whole or summary.count > DUE_ITEMS_LISTED_MAX
            else Paginator(_due_items(request, summary.org, as_of), DUE_ITEMS_PER_PAGE).get_page(number),
        )
        for summary in summaries
    ]
    org_labels_attach(
        actor=request.scope, orgs=[item.org for section in sections if section.page for item in section.page]
    )
    context = {
        "form": form,
        "sections": sections,
        "as_of": as_of,
        "org": one,
        "query": f"ngay={as_of:%d/%m/%Y}",
        "listed_max": DUE_ITEMS_LISTED_MAX,
    }
    return render(request, "members/todo.html", context)


def _due_items(request: ScopedRequest, org, as_of: date) -> list:
    """``org``'s to-do items, kept for the user while the register is unchanged (an officer
    pages through a list of hundreds); each view is written to the audit trail."""
    items = kept(
        ("members:todo:items", request.user.pk, org.pk, as_of, clock.today()),
        lambda: due_items(actor=request.scope, org=org, as_of=as_of, audit=False),
    )
    due_items_viewed(org=org, as_of=as_of, rows=len(items))
    return items


def _todo_export(
    request: ScopedRequest, orgs, one, summaries, *, as_of, file_format: str
) -> HttpResponseBase:
    if not exports.may_export_people(request.scope, one.path if one is not None else None):
        return exports.export_refused(request, what="todo", org=one)
    count = sum(summary.count for summary in summaries)
    if count > DUE_LIST_EXPORT_IN_REQUEST_MAX:
        if request.method == "POST":
            job = job_start(
                kind=DUE_LIST_EXPORT_JOB,
                owner=request.user,
                params={
                    "org_id": str(one.pk) if one else "",
                    "as_of": as_of.isoformat(),
                    "format": file_format,
                },
                title=f"{todo_title(orgs, as_of)}: {format_number(count)} việc ({file_format.upper()})",
            )
            return redirect("jobs:job", job_id=job.pk)
        context = {"count": count, "file_format": file_format, "org": one, "as_of": as_of}
        return render(request, "members/todo_export_job.html", context)
    if request.method == "POST":
        raise Http404
    items = [item for org in orgs for item in due_items(actor=request.scope, org=org, as_of=as_of)]
    record_todo_export(one=one, as_of=as_of, rows=len(items), file_format=file_format)
    return spreadsheet_download(
        DUE_LIST_HEADER,
        todo_rows(items),
        file_format=file_format,
        filename=todo_file_name(as_of, file_format),
        title=todo_title(orgs, as_of),
    )


# --- Recognition as a full member ------------------------------------------------------------------


@login_required
def member_recognize_view(request: ScopedRequest, member_id) -> HttpResponse:
    member = in_scope_or_404(member_for_edit, actor=request.scope, member_id=member_id)
    if member.status != MemberStatus.PROBATIONARY:
        messages.error(request, "Chỉ công nhận chính thức cho đảng viên dự bị.")
        return redirect("members:member_profile", member_id=member.pk)
    form = RecognitionForm(request.POST or None)
    add_absent_exempted(form, member.org)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            member_recognize(
                member=member,
                decision=form.decision(),
                vote_on=data["vote_on"],
                approvals=data["approvals"],
                late_reason=data.get("late_reason") or "",
                absent_exempted=tuple(data.get("absent_exempted") or ()),
                actor=request.user,
            )
        except RuleViolation as error:
            form.add_violations(error)
        else:
            messages.success(request, "Đã ghi nhận công nhận đảng viên chính thức.")
            return redirect("members:member_profile", member_id=member.pk)
    ends, review_due, _ = recognition_review_due(cast(date, member.ceremony_on))  # set: probationary
    subtitle = (
        f"Lễ kết nạp ngày {member.ceremony_on:%d/%m/%Y}; hết 12 tháng dự bị ngày {ends:%d/%m/%Y} — nếu được công nhận, là đảng viên "
        f"chính thức từ ngày này dù các bước sau có chậm. Chi bộ xét chậm nhất ngày {review_due:%d/%m/%Y}; cần ít nhất hai phần ba "
        "số đảng viên chính thức của chi bộ tán thành."
    )
    return form_page(
        request,
        form,
        title=f"Công nhận đảng viên chính thức: {member.full_name}",
        subtitle=subtitle,
        cancel_url=reverse("members:member_profile", args=[member.pk]),
        submit="Ghi nhận",
    )


# --- Official transfers (RULES.md §2.5) ---------------------------------------------------------


# --- Documents (Word, PDF) ---------------------------------------------------------------


@login_required
@require_GET
def member_document_view(request: ScopedRequest, member_id, kind: str) -> HttpResponse:
    """A document of the member's history as Word or PDF (?dinh-dang=docx|pdf), audited."""
    file_format = request.GET.get("dinh-dang", "pdf")
    if kind not in KINDS or file_format not in ("pdf", "docx"):
        raise Http404
    try:
        member = member_for_edit(actor=request.scope, member_id=member_id)
        document = member_document(member, kind)
    except (NotInScope, NoDocument):
        raise Http404 from None
    body = (
        document_render.render_pdf(document)
        if file_format == "pdf"
        else document_render.render_docx(document)
    )
    audit_record(
        action=Action.EXPORTED,
        subject_type="member",
        subject_id=str(member.pk),
        data={"document": kind, "format": file_format},
    )
    response = HttpResponse(
        body,
        content_type=document_render.PDF_MEDIA_TYPE
        if file_format == "pdf"
        else document_render.DOCX_MEDIA_TYPE,
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{document_render.filename(document, file_format)}"'
    )
    return response
