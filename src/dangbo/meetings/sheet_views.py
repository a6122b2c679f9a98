"""The attendance sheet, made for the secretary's phone in the meeting (one tap per member;
static/dangbo/attendance.js keeps the taps on the phone when the connection drops and sends
them when it returns), and the member's own page of meetings.

The sheet posts ``status-<member id>`` and, for an excused absence, ``reason-<member id>``;
people left blank are not recorded. Sent by the script (header ``X-Attendance``), the answer
is JSON, so the script can tell a refusal (400, with the messages) from a lost connection."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render

from dangbo.core import clock
from dangbo.core.http import ScopedRequest
from dangbo.core.models import is_uuid
from dangbo.core.pages import in_scope_or_404
from dangbo.core.violations import INPUT_CITATION, RuleViolation, Violation
from dangbo.meetings import selectors, services
from dangbo.meetings.models import AbsenceReason, AttendanceStatus
from dangbo.members.models import Member


def _entries(post) -> tuple[dict[UUID | str, tuple[str, str]], list[str]]:
    entries: dict[UUID | str, tuple[str, str]] = {}
    bad: list[str] = []
    for key, status in post.items():
        if not key.startswith("status-") or not status:
            continue
        member_id = key.removeprefix("status-")
        if not is_uuid(member_id):
            bad.append(member_id)
            continue
        reason = post.get(f"reason-{member_id}", "") if status == AttendanceStatus.ABSENT_EXCUSED else ""
        entries[member_id] = (status, reason)
    return entries, bad


def _messages(violations: list[Violation]) -> list[str]:
    return [
        v.message if v.citation in ("", INPUT_CITATION) else f"{v.message} ({v.citation})" for v in violations
    ]


@login_required
def meeting_attendance(request: ScopedRequest, meeting_id) -> HttpResponse:
    meeting = in_scope_or_404(
        selectors.meeting_get, actor=request.scope, meeting_id=meeting_id, for_edit=True, audit=False
    )
    scripted = request.headers.get("X-Attendance") == "1"
    errors: list[str] = []
    if request.method == "POST":
        entries, bad = _entries(request.POST)
        if bad:
            errors.append("Có dòng điểm danh không hợp lệ; tải lại trang rồi điểm danh lại.")
        elif not entries:
            errors.append("Chưa điểm danh ai: chọn có mặt hoặc vắng cho từng đảng viên.")
        else:
            try:
                saved = services.attendance_record(actor=request.scope, meeting=meeting, entries=entries)
            except RuleViolation as error:
                errors += _messages(error.violations)
            else:
                text = f"Đã lưu điểm danh {len(entries)} đảng viên ({len(saved)} thay đổi)."
                if scripted:
                    return JsonResponse({"ok": True, "message": text, "recorded": len(entries)})
                messages.success(request, text)
                return redirect("meetings:meeting_detail", meeting_id=meeting.pk)
        if scripted:
            return JsonResponse({"ok": False, "errors": errors}, status=400)
        meeting = selectors.meeting_get(
            actor=request.scope, meeting_id=meeting.pk, for_edit=True, audit=False
        )
    rows = selectors.attendance_sheet(meeting=meeting)
    if request.method == "POST":  # show what was sent, not what is stored
        entries, _ = _entries(request.POST)
        rows = [
            selectors.SheetRow(
                r.member, r.guest, r.exempted, *entries.get(str(r.member.pk), (r.status, r.reason))
            )
            for r in rows
        ]
    context = {
        "meeting": meeting,
        "rows": rows,
        "statuses": AttendanceStatus.choices,
        "reasons": AbsenceReason.choices,
        "errors": errors,
        "future": meeting.held_on > clock.today(),
        "counts": {s: sum(1 for r in rows if r.status == s) for s in AttendanceStatus.values},
    }
    return render(request, "meetings/attendance.html", context, status=400 if errors else 200)


@login_required
def my_meetings(request: ScopedRequest) -> HttpResponse:
    """The signed-in member's own page: their cell's coming meetings with the agenda and
    documents once posted, the past year's meetings, and their attendance."""
    if request.scope.own_member_id is None:
        raise Http404
    member = Member.objects.filter(pk=request.scope.own_member_id).first()
    if member is None:
        raise Http404
    return _member_page(request, member, own=True)


@login_required
def member_meetings(request: ScopedRequest, member_id) -> HttpResponse:
    """The same page for an officer, about a member of their subtree."""
    member = Member.objects.filter(pk=member_id).select_related("org").first()
    if member is None:  # and one outside the scope: selectors.member_meetings refuses it
        raise Http404
    return _member_page(request, member, own=False)


def _member_page(request, member, *, own: bool) -> HttpResponse:
    found = in_scope_or_404(selectors.member_meetings, actor=request.scope, member=member)
    history = [(m, found.attendance.get(str(m.pk))) for m in found.recent]
    absent = sum(1 for _, a in history if a is not None and a.status == AttendanceStatus.ABSENT_UNEXCUSED)
    present = sum(1 for _, a in history if a is not None and a.status == AttendanceStatus.PRESENT)
    context = {
        "member": member,
        "own": own,
        "cells": found.cells,
        "upcoming": found.upcoming,
        "history": history,
        "present": present,
        "unexcused": absent,
        "recorded": sum(1 for _, a in history if a is not None),
    }
    return render(request, "meetings/member.html", context)
