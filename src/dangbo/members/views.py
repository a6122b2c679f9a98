"""Member pages: search and lists, export, profile with history, the audited ID reveal.
Thin: validate the request with a form, call selectors, render."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from dangbo.core.identity import mask_national_id
from dangbo.members import exports
from dangbo.core import spreadsheet
from dangbo.members.forms import BadgeAwardForm, BadgeListForm, MemberProfileForm, MemberSearchForm
from dangbo.members.selectors import (
    badge_list,
    member_export_rows,
    member_for_edit,
    member_profile_changes,
    member_history,
    member_national_id,
    member_profile,
    member_search_page,
)
from dangbo.members.services import member_award_badge, member_update_identity
from dangbo.orgs.selectors import NotInScope, org_breadcrumbs, org_get
from dangbo.rules.badges import party_age_years
from dangbo.rules.base import RuleViolation

MAX_QUERY_STRING = 2000


def _page_number(request: HttpRequest) -> int:
    value = request.GET.get("trang", "1")
    return int(value) if value.isdigit() and len(value) < 7 else 1


@login_required
@require_GET
def member_search_view(request: HttpRequest) -> HttpResponse:
    if request.scope.is_empty:
        return render(request, "web/no_role.html", status=403)
    form = MemberSearchForm(request.GET, actor=request.scope)
    page = None
    if len(request.META.get("QUERY_STRING", "")) > MAX_QUERY_STRING:
        form.is_valid()
        form.add_error(None, "Điều kiện tìm kiếm quá dài.")
    elif form.is_valid():
        page = member_search_page(actor=request.scope, filters=form.filters(), page=_page_number(request))
    query = request.GET.copy()
    query.pop("trang", None)
    context = {"form": form, "page": page, "org": form.org, "query": query.urlencode()}
    template = "members/_results.html" if request.htmx and request.htmx.target == "ket-qua" else "members/search.html"
    return render(request, template, context, status=200 if page is not None else 400)


@login_required
@require_GET
def member_export_view(request: HttpRequest) -> HttpResponse:
    file_format = request.GET.get("dinh-dang", "xlsx")
    if file_format not in ("xlsx", "csv") or len(request.META.get("QUERY_STRING", "")) > MAX_QUERY_STRING:
        raise Http404
    form = MemberSearchForm(request.GET, actor=request.scope)
    if request.scope.is_empty or not form.is_valid():
        return render(request, "members/search.html", {"form": form, "page": None}, status=400)
    filters = form.filters()
    _, rows = member_export_rows(actor=request.scope, filters=filters, file_format=file_format)
    stamp = date.today().strftime("%Y%m%d")
    name = f"danh-sach-dang-vien-{stamp}.{file_format}"
    if file_format == "csv":
        response = StreamingHttpResponse(exports.csv_chunks(rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    title = "Danh sách đảng viên" + (f" — {filters.org.name}" if filters.org else "") + f" (ngày {date.today():%d/%m/%Y})"
    return FileResponse(
        exports.xlsx_file(rows, title=title), as_attachment=True, filename=name,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@login_required
@require_GET
def member_profile_view(request: HttpRequest, member_id) -> HttpResponse:
    try:
        member = member_profile(actor=request.scope, member_id=member_id)
    except NotInScope:
        raise Http404("Không tìm thấy đảng viên này trong phạm vi của anh/chị.") from None
    context = {
        "member": member,
        "history": member_history(actor=request.scope, member=member),
        "changes": member_profile_changes(actor=request.scope, member=member),
        "national_id_masked": mask_national_id(member.national_id),
        "breadcrumbs": org_breadcrumbs(actor=request.scope, org=member.org) if request.scope.sees_orgs else [],
        "can_edit": request.scope.can_write_member(member),
        "party_age": party_age_years(member.party_age_from, member.died_on or date.today()) if member.party_age_from else None,
    }
    return render(request, "members/profile.html", context)


@login_required
@require_POST
def member_reveal_id_view(request: HttpRequest, member_id) -> HttpResponse:
    try:
        national_id = member_national_id(actor=request.scope, member_id=member_id)
    except NotInScope:
        raise Http404 from None
    return render(request, "members/_national_id.html", {"national_id": national_id, "revealed": True})


@login_required
def member_edit_view(request: HttpRequest, member_id) -> HttpResponse:
    try:
        member = member_for_edit(actor=request.scope, member_id=member_id)
    except NotInScope:
        raise Http404 from None
    if request.method == "POST":
        form = MemberProfileForm(request.POST)
        if form.is_valid():
            try:
                member_update_identity(
                    member=member, identity=form.identity(member), expected_version=form.cleaned_data["version"],
                    actor=request.user,
                )
            except RuleViolation as error:
                form.add_violations(error)
            else:
                messages.success(request, "Đã lưu hồ sơ.")
                return redirect("member_profile", member_id=member.pk)
    else:
        form = MemberProfileForm(initial=MemberProfileForm.initial_for(member))
    return render(
        request, "web/form.html",
        {"form": form, "title": f"Sửa hồ sơ: {member.full_name}", "cancel_url": reverse("member_profile", args=[member.pk]),
         "subtitle": "Tình trạng đảng viên và chi bộ sinh hoạt chỉ thay đổi qua các nghiệp vụ (kết nạp, chuyển sinh hoạt ...)."},
        status=400 if form.is_bound and form.errors else 200,
    )


# --- Party badges ------------------------------------------------------------------------


@login_required
@require_GET
def badge_list_view(request: HttpRequest, org_id) -> HttpResponse:
    """Who may be awarded which badge at an award date, for an organization's subtree."""
    try:
        org = org_get(actor=request.scope, org_id=org_id)
    except NotInScope:
        raise Http404("Không tìm thấy tổ chức này trong phạm vi của anh/chị.") from None
    form = BadgeListForm(request.GET)
    if not form.is_valid():
        return render(request, "members/badges.html", {"org": org, "form": form, "badges": None}, status=400)
    badges = badge_list(actor=request.scope, org=org, award_on=form.award_on())
    file_format = request.GET.get("dinh-dang")
    if file_format in ("csv", "xlsx"):
        return _badge_export(badges, file_format)
    context = {
        "org": org, "form": form, "badges": badges, "query": f"ngay={badges.award_on:%d/%m/%Y}",
        "show_early": request.GET.get("som") == "1",
        "breadcrumbs": org_breadcrumbs(actor=request.scope, org=org),
        "can_award": request.scope.can_write_path(org.path),
    }
    return render(request, "members/badges.html", context)


def _badge_export(badges, file_format: str) -> HttpResponse:
    rows = exports.badge_rows(badges)
    name = f"huy-hieu-dang-{badges.org.code}-{badges.award_on:%Y%m%d}.{file_format}"
    if file_format == "csv":
        response = StreamingHttpResponse(spreadsheet.csv_chunks(exports.BADGE_HEADER, rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    title = f"Danh sách xét tặng Huy hiệu Đảng đợt {badges.award_on:%d/%m/%Y} — {badges.org.name}"
    return FileResponse(
        spreadsheet.xlsx_file(exports.BADGE_HEADER, rows, title=title), as_attachment=True, filename=name,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@login_required
def member_badge_view(request: HttpRequest, member_id) -> HttpResponse:
    """Record a badge awarded to a member."""
    try:
        member = member_for_edit(actor=request.scope, member_id=member_id)
    except NotInScope:
        raise Http404 from None
    if request.method == "POST":
        form = BadgeAwardForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                member_award_badge(
                    member=member, years=data["years"], awarded_on=data["awarded_on"], ground=data["ground"],
                    decision=form.decision(), actor=request.user,
                )
            except RuleViolation as error:
                form.add_violations(error)
            else:
                messages.success(request, f"Đã ghi nhận tặng Huy hiệu {data['years']} năm tuổi đảng.")
                return redirect("member_profile", member_id=member.pk)
    else:
        initial = {k: request.GET.get(k) for k in ("years", "ground", "awarded_on") if request.GET.get(k)}
        form = BadgeAwardForm(initial=initial)
    subtitle = f"Tuổi đảng tính từ ngày {member.party_age_from:%d/%m/%Y}." if member.party_age_from else ""
    return render(
        request, "web/form.html",
        {"form": form, "title": f"Tặng Huy hiệu Đảng: {member.full_name}", "subtitle": subtitle,
         "cancel_url": reverse("member_profile", args=[member.pk]), "submit": "Ghi nhận"},
        status=400 if form.is_bound and form.errors else 200,
    )
