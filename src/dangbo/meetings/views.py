"""Meeting pages (RULES.md §3): where to start, an organization's calendar, scheduling and
correcting a meeting, posting its agenda and documents, and the meeting's own page. The
attendance sheet, the minutes and the member's page are in ``sheet_views`` and
``minutes_views``. Every page reads through the scoped selectors and writes through the
services; a meeting outside the user's scope is the same 404 as none."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from dangbo.core import clock
from dangbo.core.http import ScopedRequest
from dangbo.core.kinds import CELL_KINDS, MEETING_KINDS
from dangbo.core.pages import form_page, in_scope_or_404, spreadsheet_download
from dangbo.core.spreadsheet import list_title
from dangbo.core.violations import RuleViolation
from dangbo.meetings import selectors, services
from dangbo.meetings.forms import AgendaForm, DocumentForm, MeetingForm
from dangbo.meetings.models import Body, Meeting, MeetingDocument, Minutes
from dangbo.orgs.labels import org_labels_attach, org_tree_sorted
from dangbo.orgs.models import Org
from dangbo.orgs.selectors import org_breadcrumbs, org_for_edit, org_get

HOME_LIST_LIMIT = 300


def _year(request, default: int) -> int:
    raw = request.GET.get("nam", "")
    if raw.isdigit() and 1930 <= int(raw) <= clock.today().year + 1:
        return int(raw)
    return default


@login_required
def meetings_home(request: ScopedRequest) -> HttpResponse:
    """Where a secretary starts: straight to their cell's calendar when the cell is all they
    write; otherwise the organizations that meet within the scope (a
    province goes through the organization tree instead); a member goes to their own page."""
    scope = request.scope
    if not scope.sees_orgs:
        if scope.own_member_id:
            return redirect("meetings:my_meetings")
        raise Http404
    meeting_orgs = Org.objects.filter(scope.orgs_q(), kind__in=MEETING_KINDS, dissolved_on__isnull=True)
    written = list(meeting_orgs.filter(path__in=scope.write_paths)) if scope.write_paths else []
    if (
        len(written) == 1
        and len(scope.write_paths) == 1
        and written[0].kind in CELL_KINDS
        and not scope.is_admin
    ):
        return redirect("meetings:org_meetings", org_id=written[0].pk)
    orgs = list(meeting_orgs.order_by("path")[: HOME_LIST_LIMIT + 1])
    org_labels_attach(actor=scope, orgs=orgs)
    orgs = org_tree_sorted(orgs[:HOME_LIST_LIMIT]) + orgs[HOME_LIST_LIMIT:]
    return render(
        request,
        "meetings/home.html",
        {"orgs": orgs[:HOME_LIST_LIMIT], "more": len(orgs) > HOME_LIST_LIMIT},
    )


def _calendar_rows(meetings) -> list[list]:
    return [
        [
            m.held_on,
            m.get_body_display(),
            m.get_kind_display(),
            m.topic,
            m.get_mode_display(),
            m.n_present,
            m.n_absent,
            m.n_unexcused,
            m.n_visitors,
            "đã ký" if getattr(getattr(m, "minutes", None), "signed_at", None) else "",
        ]
        for m in meetings
    ]


CALENDAR_HEADER = [
    "Ngày",
    "Cơ quan họp",
    "Loại",
    "Chuyên đề",
    "Hình thức",
    "Có mặt",
    "Vắng",
    "Vắng không lý do",
    "Cán bộ cấp trên dự",
    "Biên bản",
]


@login_required
def org_meetings(request: ScopedRequest, org_id) -> HttpResponseBase:
    """An organization's meeting calendar for a year: the coming meetings, the months and
    quarters still without their meeting (with the rule), every meeting with its counts."""
    org = in_scope_or_404(org_get, actor=request.scope, org_id=org_id)
    if org.kind not in MEETING_KINDS:
        raise Http404
    today = clock.today()
    year = _year(request, today.year)
    meetings = selectors.org_calendar(actor=request.scope, org=org, year=year)
    if request.GET.get("dinh-dang") in ("xlsx", "csv"):
        file_format = request.GET["dinh-dang"]
        return spreadsheet_download(
            CALENDAR_HEADER,
            _calendar_rows(meetings),
            file_format=file_format,
            filename=f"sinh-hoat-{org.code}-{year}.{file_format}",
            title=list_title(f"Lịch sinh hoạt năm {year}", org.name, today),
        )
    body = Body.CHI_BO if org.kind in CELL_KINDS else Body.DANG_UY_CO_SO
    context = {
        "org": org,
        "year": year,
        "years": range(max(org.created_on.year, today.year - 5), today.year + 2),
        "today": today,
        "meetings": meetings,
        "upcoming": selectors.org_upcoming(actor=request.scope, org=org),
        "gaps": selectors.calendar_gaps(actor=request.scope, org=org, year=year, body=body),
        "can_edit": request.scope.can_write_path(org.path),
        "breadcrumbs": org_breadcrumbs(actor=request.scope, org=org),
    }
    return render(request, "meetings/calendar.html", context)


@login_required
def meeting_new(request: ScopedRequest, org_id) -> HttpResponse:
    org = in_scope_or_404(org_for_edit, actor=request.scope, org_id=org_id)
    if org.kind not in MEETING_KINDS:
        raise Http404
    initial = {
        "held_on": clock.today(),
        "body": Body.CHI_BO if org.kind in CELL_KINDS else Body.DANG_UY_CO_SO,
    }
    form = MeetingForm(request.POST if request.method == "POST" else None, org=org, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_schedule(actor=request.scope, org=org, details=form.details())
        except RuleViolation as error:
            form.add_violations(error)
        else:
            messages.success(
                request, f"Đã lên lịch {meeting.get_kind_display().lower()} ngày {meeting.held_on:%d/%m/%Y}."
            )
            return redirect("meetings:meeting_detail", meeting_id=meeting.pk)
    return form_page(
        request,
        form,
        title=f"Lên lịch sinh hoạt: {org.name}",
        cancel_url=reverse("meetings:org_meetings", args=[org.pk]),
        subtitle=(
            "Mỗi tháng một buổi sinh hoạt thường kỳ; mỗi quý ít nhất một buổi sinh hoạt chuyên đề, không thay cho "
            "buổi thường kỳ (Điều lệ Đảng, Điều 22, 24). Sinh hoạt trực tuyến chỉ khi trên một nửa số đảng viên "
            "không thể sinh hoạt trực tiếp (Hướng dẫn 03-HD/TW)."
        ),
        submit="Lên lịch",
    )


def _meeting(request, meeting_id, *, for_edit: bool = False, audit: bool = False) -> Meeting:
    return in_scope_or_404(
        selectors.meeting_get, actor=request.scope, meeting_id=meeting_id, for_edit=for_edit, audit=audit
    )


@login_required
def meeting_edit(request: ScopedRequest, meeting_id) -> HttpResponse:
    meeting = _meeting(request, meeting_id, for_edit=True)
    form = MeetingForm(
        request.POST if request.method == "POST" else None,
        org=meeting.org,
        initial=MeetingForm.initial_for(meeting),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_update(actor=request.scope, meeting=meeting, details=form.details())
        except RuleViolation as error:
            form.add_violations(error)
        else:
            messages.success(request, "Đã sửa buổi sinh hoạt.")
            return redirect("meetings:meeting_detail", meeting_id=meeting.pk)
    return form_page(
        request,
        form,
        title=f"Sửa buổi sinh hoạt: {meeting.org.name}",
        cancel_url=reverse("meetings:meeting_detail", args=[meeting.pk]),
    )


@login_required
def meeting_detail(request: ScopedRequest, meeting_id) -> HttpResponse:
    """The meeting: what and where, the agenda and documents, attendance (names: audited),
    the officials who came, the votes and the minutes."""
    meeting = _meeting(request, meeting_id, audit=True)
    attendance = list(meeting.attendance.all())
    minutes = Minutes.objects.filter(meeting=meeting).prefetch_related("amendments").first()
    context = {
        "meeting": meeting,
        "org": meeting.org,
        "attendance": attendance,
        "present": sum(1 for a in attendance if a.status == "present"),
        "documents": list(meeting.documents.all()),
        "votes": list(meeting.votes.all()),
        "minutes": minutes,
        "amendments": list(minutes.amendments.all()) if minutes else [],
        "can_edit": request.scope.can_write_path(meeting.org.path),
        "held": meeting.held_on <= clock.today(),
        "breadcrumbs": org_breadcrumbs(actor=request.scope, org=meeting.org),
    }
    return render(request, "meetings/meeting.html", context)


@login_required
def meeting_agenda(request: ScopedRequest, meeting_id) -> HttpResponse:
    """Post the agenda for members to read ahead, and the documents that go with it."""
    meeting = _meeting(request, meeting_id, for_edit=True)
    form = AgendaForm(request.POST if request.method == "POST" else None, initial={"agenda": meeting.agenda})
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_agenda_post(
                actor=request.scope, meeting=meeting, agenda=form.cleaned_data["agenda"]
            )
        except RuleViolation as error:
            form.add_violations(error)
        else:
            messages.success(
                request, "Đã thông báo nội dung sinh hoạt; đảng viên của chi bộ xem được trên trang của mình."
            )
            return redirect("meetings:meeting_detail", meeting_id=meeting.pk)
    return form_page(
        request,
        form,
        title=f"Thông báo nội dung sinh hoạt ngày {meeting.held_on:%d/%m/%Y}",
        cancel_url=reverse("meetings:meeting_detail", args=[meeting.pk]),
        subtitle="Bí thư chi bộ thông báo nội dung và tài liệu trước (khoảng ngày 20 tháng trước) để đảng viên nghiên cứu.",
        submit="Thông báo",
    )


@login_required
def meeting_document_add(request: ScopedRequest, meeting_id) -> HttpResponse:
    meeting = _meeting(request, meeting_id, for_edit=True)
    form = (
        DocumentForm(request.POST or None, request.FILES or None)
        if request.method == "POST"
        else DocumentForm()
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_document_add(
                actor=request.scope,
                meeting=meeting,
                title=form.cleaned_data["title"],
                upload=form.cleaned_data["file"],
            )
        except RuleViolation as error:
            form.add_violations(error)
        else:
            messages.success(request, "Đã đăng tài liệu.")
            return redirect("meetings:meeting_detail", meeting_id=meeting.pk)
    return render(
        request,
        "meetings/document_form.html",
        {"form": form, "meeting": meeting},
        status=400 if form.is_bound and form.errors else 200,
    )


def _document(request, document_id) -> MeetingDocument:
    return in_scope_or_404(selectors.document_get, actor=request.scope, document_id=document_id)


@login_required
def meeting_document(request: ScopedRequest, document_id) -> FileResponse:
    """The file, always as a download (never shown inline: it is what a user uploaded)."""
    document = _document(request, document_id)
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(
        handle, as_attachment=True, filename=document.file_name, content_type=document.content_type
    )


@login_required
@require_POST
def meeting_document_withdraw(request: ScopedRequest, document_id) -> HttpResponse:
    document = _document(request, document_id)
    if not request.scope.can_write_path(document.meeting.org.path):
        raise Http404
    services.meeting_document_withdraw(actor=request.scope, document=document)
    messages.success(request, f"Đã gỡ tài liệu «{document.title}».")
    return redirect("meetings:meeting_detail", meeting_id=document.meeting_id)
