"""Discipline pages (RULES.md §5): a member's cases, opening one, deciding, deferring, dropping."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from dangbo.core.http import ScopedRequest
from dangbo.core.pages import form_page, in_scope_or_404
from dangbo.discipline import services
from dangbo.discipline.forms import (
    DisciplineDecideForm,
    DisciplineDeferForm,
    DisciplineDropForm,
    DisciplineOpenForm,
)
from dangbo.discipline.selectors import member_cases, open_case
from dangbo.members.forms import add_absent_exempted
from dangbo.members.models import ACTIVE_STATUSES
from dangbo.members.selectors.profile import member_for_edit
from dangbo.rules import discipline as rules
from dangbo.rules.base import RuleViolation


def _member(request, member_id):
    return in_scope_or_404(member_for_edit, actor=request.scope, member_id=member_id)


@login_required
def discipline_view(request: ScopedRequest, member_id) -> HttpResponse:
    """The member's cases; the form to open one when none is open."""
    member = _member(request, member_id)
    pending = open_case(member)
    form = None
    if pending is None and member.status in ACTIVE_STATUSES:
        form = DisciplineOpenForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                services.discipline_open(
                    member=member,
                    act_on=data["act_on"],
                    summary=data["summary"],
                    opened_on=data["opened_on"],
                    exempt_matter=data.get("exempt_matter") or False,
                    actor=request.user,
                )
            except RuleViolation as error:
                form.add_violations(error)
            else:
                messages.success(request, "Đã mở hồ sơ xem xét kỷ luật.")
                return redirect("discipline:member_discipline", member_id=member.pk)
    elif request.method == "POST":
        raise Http404
    cases = member_cases(member)
    context = {
        "member": member,
        "cases": cases,
        "open_case": pending,
        "form": form,
        "form_labels": rules.Form.LABELS,
        "authority_labels": rules.Authority.LABELS,
        "deferral_labels": rules.DeferralGround.LABELS,
    }
    return render(
        request,
        "discipline/discipline.html",
        context,
        status=400 if form is not None and form.errors else 200,
    )


@login_required
def discipline_decide_view(request: ScopedRequest, member_id) -> HttpResponse:
    member = _member(request, member_id)
    case = open_case(member)
    if case is None:
        raise Http404
    form = DisciplineDecideForm(request.POST if request.method == "POST" else None)
    add_absent_exempted(form, member.org)
    add_absent_exempted(form, member.org, after="proposal_approvals", name="proposal_absent_exempted")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.discipline_decide(
                case=case,
                form=data["form"],
                authority=data["authority"],
                vote_on=data["vote_on"],
                approvals=data["approvals"],
                decision=form.decision(),
                denominator=data.get("denominator"),
                proposal_vote_on=data.get("proposal_vote_on"),
                proposal_approvals=data.get("proposal_approvals"),
                absent_exempted=tuple(data.get("absent_exempted") or ()),
                proposal_absent_exempted=tuple(data.get("proposal_absent_exempted") or ()),
                actor=request.user,
            )
        except RuleViolation as error:
            form.add_violations(
                error,
                {
                    "decided_on": "decision_on",
                    "status": "form",
                    "holds_position": "form",
                    "act_on": "vote_on",
                    "deferral": None,
                },
            )
        else:
            messages.success(request, f"Đã ghi quyết định kỷ luật: {rules.Form.label(data['form']).lower()}.")
            return redirect("discipline:member_discipline", member_id=member.pk)
    return form_page(
        request,
        form,
        title=f"Quyết định kỷ luật: {member.full_name}",
        cancel_url=reverse("discipline:member_discipline", args=[member.pk]),
        subtitle=(
            f"Vi phạm ngày {case.act_on:%d/%m/%Y}: {case.summary}. Đảng viên dự bị chỉ bị khiển trách hoặc cảnh cáo; cách chức khi "
            "đang giữ chức vụ. Khiển trách, cảnh cáo, cách chức cần trên một nửa số tán thành; khai trừ cần ít nhất hai phần ba "
            "đảng viên chính thức của chi bộ đề nghị và trên một nửa cấp ủy có thẩm quyền tán thành (Quy định 69-QĐ/TW, Điều 15)."
        ),
        submit="Ghi quyết định",
    )


@login_required
def discipline_defer_view(request: ScopedRequest, member_id) -> HttpResponse:
    member = _member(request, member_id)
    case = open_case(member)
    if case is None:
        raise Http404
    form = DisciplineDeferForm(
        request.POST if request.method == "POST" else None, initial={"ground": case.deferral}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.discipline_defer(
                case=case, ground=form.cleaned_data.get("ground") or "", actor=request.user
            )
        except RuleViolation as error:
            form.add_violations(error, {"deferral": "ground"})
        else:
            messages.success(request, "Đã ghi.")
            return redirect("discipline:member_discipline", member_id=member.pk)
    return form_page(
        request,
        form,
        title=f"Chưa xem xét kỷ luật: {member.full_name}",
        cancel_url=reverse("discipline:member_discipline", args=[member.pk]),
        subtitle="Đảng viên đang mang thai, nuôi con dưới 12 tháng hoặc ốm nặng đang điều trị nội trú thì chưa xem xét kỷ luật (Quy định 296-QĐ/TW, Điều 8).",
        submit="Ghi nhận",
    )


@login_required
def discipline_drop_view(request: ScopedRequest, member_id) -> HttpResponse:
    member = _member(request, member_id)
    case = open_case(member)
    if case is None:
        raise Http404
    form = DisciplineDropForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.discipline_drop(
                case=case, on=form.cleaned_data["on"], reason=form.cleaned_data["reason"], actor=request.user
            )
        except RuleViolation as error:
            form.add_violations(error)
        else:
            messages.success(request, "Đã ghi không kỷ luật.")
            return redirect("discipline:member_discipline", member_id=member.pk)
    return form_page(
        request,
        form,
        title=f"Không kỷ luật: {member.full_name}",
        cancel_url=reverse("discipline:member_discipline", args=[member.pk]),
        submit="Ghi nhận",
    )
