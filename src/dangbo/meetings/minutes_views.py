"""The record of a meeting: the officials from above who came, the votes (counted on the full
denominator), the minutes and their signing, and the amendments appended once signed."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from dangbo.audit.services import Action, audit_record
from dangbo.core.http import ScopedRequest
from dangbo.core.pages import form_page, in_scope_or_404
from dangbo.core.violations import RuleViolation
from dangbo.documents import render
from dangbo.documents.data import MeetingMinutes, MeetingResolution
from dangbo.meetings import selectors, services
from dangbo.meetings.documents import NoDocument, minutes_document, resolution_document
from dangbo.meetings.forms import AmendmentForm, MinutesForm, VisitorForm, VoteForm
from dangbo.meetings.models import Meeting, Minutes


def _meeting(request, meeting_id) -> Meeting:
    return in_scope_or_404(
        selectors.meeting_get, actor=request.scope, meeting_id=meeting_id, for_edit=True, audit=False
    )


def _back(meeting: Meeting) -> str:
    return reverse("meetings:meeting_detail", args=[meeting.pk])


@login_required
def visitor_add(request: ScopedRequest, meeting_id) -> HttpResponse:
    meeting = _meeting(request, meeting_id)
    form = VisitorForm(
        request.POST if request.method == "POST" else None, meeting=meeting, actor=request.scope
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.visitor_add(
                actor=request.scope,
                meeting=meeting,
                name=data["name"],
                position=data["position"],
                org=form.above.get(data["org"]),
                org_text=data["org_text"],
            )
        except RuleViolation as error:
            form.add_violations(error)
        else:
            messages.success(request, f"Đã ghi đồng chí {data['name']} dự sinh hoạt.")
            return redirect(_back(meeting))
    return form_page(
        request,
        form,
        title=f"Cán bộ cấp trên dự sinh hoạt ngày {meeting.held_on:%d/%m/%Y}",
        cancel_url=_back(meeting),
        subtitle=meeting.org.name,
    )


@login_required
def vote_add(request: ScopedRequest, meeting_id) -> HttpResponse:
    meeting = _meeting(request, meeting_id)
    form = VoteForm(request.POST if request.method == "POST" else None, org=meeting.org)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            vote = services.meeting_vote_record(
                actor=request.scope,
                meeting=meeting,
                subject=data["subject"],
                approvals=data["approvals"],
                absent_exempted=tuple(data.get("absent_exempted") or ()),
            )
        except RuleViolation as error:
            form.add_violations(error)
        else:
            outcome = "được thông qua" if vote.passed else "không được thông qua (chưa quá một nửa)"
            messages.success(
                request, f"Đã ghi biểu quyết: {vote.approvals}/{vote.denominator} tán thành, {outcome}."
            )
            return redirect(_back(meeting))
    return form_page(
        request,
        form,
        title=f"Biểu quyết tại buổi sinh hoạt ngày {meeting.held_on:%d/%m/%Y}",
        cancel_url=_back(meeting),
        subtitle=(
            "Số tán thành tính trên tổng số đảng viên chính thức của chi bộ ngày sinh hoạt (không kể người chuyển "
            "sinh hoạt tạm thời đi, bị đình chỉ sinh hoạt, được miễn mà vắng mặt), không tính trên số có mặt; nghị "
            "quyết được thông qua khi trên một nửa tán thành (Điều lệ Đảng, Điều 10; Quy định 294-QĐ/TW, mục 9.3.2)."
        ),
        submit="Ghi biểu quyết",
    )


@login_required
def minutes_edit(request: ScopedRequest, meeting_id) -> HttpResponse:
    """Write the minutes, until they are signed (then: amendments)."""
    meeting = _meeting(request, meeting_id)
    minutes = Minutes.objects.filter(meeting=meeting).first()
    if minutes is not None and minutes.is_signed:
        return redirect("meetings:minutes_amend", meeting_id=meeting.pk)
    initial = (
        {"content": minutes.content, "opinions": minutes.opinions, "resolution": minutes.resolution}
        if minutes
        else {"content": meeting.agenda}
    )
    form = MinutesForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.minutes_write(
                actor=request.scope,
                meeting=meeting,
                content=data["content"],
                opinions=data["opinions"],
                resolution=data["resolution"],
            )
        except RuleViolation as error:
            form.add_violations(error)
        else:
            messages.success(request, "Đã lưu biên bản (chưa ký: còn sửa được).")
            return redirect(_back(meeting))
    return form_page(
        request,
        form,
        title=f"Biên bản sinh hoạt ngày {meeting.held_on:%d/%m/%Y}",
        cancel_url=_back(meeting),
        subtitle=f"{meeting.org.name}. Sau khi ký, biên bản không sửa được nữa: chỉ ghi bổ sung, đính chính.",
    )


@login_required
@require_POST
def minutes_sign(request: ScopedRequest, meeting_id) -> HttpResponse:
    meeting = _meeting(request, meeting_id)
    try:
        services.minutes_sign(actor=request.scope, meeting=meeting)
    except RuleViolation as error:
        for violation in error.violations:
            messages.error(request, violation.message)
    else:
        messages.success(request, "Đã ký biên bản. Từ nay chỉ ghi bổ sung, đính chính.")
    return redirect(_back(meeting))


@login_required
def minutes_amend(request: ScopedRequest, meeting_id) -> HttpResponse:
    meeting = _meeting(request, meeting_id)
    form = AmendmentForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.minutes_amend(
                actor=request.scope, meeting=meeting, amendment=data["text"], reason=data["reason"]
            )
        except RuleViolation as error:
            form.add_violations(error)
        else:
            messages.success(request, "Đã ghi bổ sung, đính chính biên bản.")
            return redirect(_back(meeting))
    return form_page(
        request,
        form,
        title=f"Bổ sung, đính chính biên bản ngày {meeting.held_on:%d/%m/%Y}",
        cancel_url=_back(meeting),
        subtitle="Biên bản đã ký giữ nguyên; nội dung bổ sung, đính chính được ghi tiếp theo, có ngày và người ghi.",
        submit="Ghi bổ sung",
    )


PAPERS: dict[str, Callable[[Meeting], MeetingMinutes | MeetingResolution]] = {
    "bien-ban": minutes_document,
    "nghi-quyet": resolution_document,
}


@login_required
def minutes_download(request: ScopedRequest, meeting_id, paper: str) -> HttpResponse:
    """The minutes (``bien-ban``) or the resolution (``nghi-quyet``) as Word or PDF
    (?dinh-dang=docx|pdf) in the Party layout; names attendees, so audited as an export."""
    file_format = request.GET.get("dinh-dang", "pdf")
    if paper not in PAPERS or file_format not in ("pdf", "docx"):
        raise Http404
    meeting = in_scope_or_404(selectors.meeting_get, actor=request.scope, meeting_id=meeting_id, audit=False)
    try:
        document = PAPERS[paper](meeting)
    except NoDocument:
        raise Http404 from None
    body = render.render_pdf(document) if file_format == "pdf" else render.render_docx(document)
    audit_record(
        action=Action.EXPORTED,
        subject_type="meeting",
        subject_id=str(meeting.pk),
        data={"org": meeting.org.code, "document": paper, "format": file_format},
    )
    response = HttpResponse(
        body, content_type=render.PDF_MEDIA_TYPE if file_format == "pdf" else render.DOCX_MEDIA_TYPE
    )
    response["Content-Disposition"] = f'attachment; filename="{render.filename(document, file_format)}"'
    return response
