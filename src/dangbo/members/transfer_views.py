"""Transfer pages (RULES.md §2.5): the sending side's letter, an organization's open and late
cases, the receiving side's confirmation, and the record that a late case was handled."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from dangbo.core import clock, paths
from dangbo.core.http import ScopedRequest
from dangbo.core.pages import form_page, in_scope_or_404
from dangbo.members.forms import TransferArrivalForm, TransferCloseLateForm, TransferIssueForm
from dangbo.members.selectors.profile import member_for_edit
from dangbo.members.selectors.transfers import (
    transfer_case_late_list,
    transfer_case_list,
    transfer_case_to_close,
    transfer_case_to_confirm,
)
from dangbo.members.services.transfers import (
    transfer_below_minimum,
    transfer_close_late,
    transfer_confirm_arrival,
    transfer_issue,
)
from dangbo.orgs.labels import org_labels_attach
from dangbo.orgs.selectors import org_breadcrumbs, org_get
from dangbo.reference.workdays import holidays_between
from dangbo.rules.base import RuleViolation
from dangbo.rules.transfers import arrival_due, letter_due


@login_required
def member_transfer_view(request: ScopedRequest, member_id) -> HttpResponse:
    """The sending side issues the transfer letter, with its trigger; a transfer that leaves
    the cell below three full members is shown as a warning that must be confirmed."""
    member = in_scope_or_404(member_for_edit, actor=request.scope, member_id=member_id)
    warning = transfer_below_minimum(member=member)
    form = TransferIssueForm(request.POST or None, below_minimum=warning)
    if request.method == "POST" and form.is_valid():
        try:
            transfer_issue(
                member=member,
                to_org=form.cleaned_data["to_org"],
                issued_on=form.cleaned_data["issued_on"],
                decision=form.decision(),
                trigger=form.trigger(),
                late_reason=form.cleaned_data.get("late_reason") or "",
                late_note=form.cleaned_data.get("late_note") or "",
                accept_below_minimum=bool(form.cleaned_data.get("accept_below_minimum")),
                actor=request.user,
            )
        except RuleViolation as error:
            form.add_violations(
                error, {"to_org": "to_code", "org": "to_code", "letter_late_reason": "late_reason"}
            )
        else:
            messages.success(
                request,
                f"Đã giới thiệu chuyển sinh hoạt đảng đến {form.cleaned_data['to_org'].name}; chờ nơi đến xác nhận.",
            )
            return redirect("members:member_profile", member_id=member.pk)
    subtitle = (
        f"Đang sinh hoạt tại {member.org.name}. Giấy giới thiệu cấp trong 60 ngày làm việc kể từ căn cứ chuyển sinh hoạt "
        "(quyết định chuyển công tác, nghỉ hưu, xuất ngũ, hoặc ngày thay đổi nơi cư trú); đảng viên xuất trình giấy giới thiệu "
        "với chi ủy nơi đến trong 30 ngày làm việc. Quá hạn phải ghi lý do. Đảng viên vẫn thuộc nơi đi cho đến khi nơi đến xác nhận."
    )
    if warning is not None:
        subtitle += f" Lưu ý: {warning}"
    return form_page(
        request,
        form,
        title=f"Chuyển sinh hoạt đảng chính thức: {member.full_name}",
        cancel_url=reverse("members:member_profile", args=[member.pk]),
        subtitle=subtitle,
        submit="Giới thiệu chuyển",
    )


def _transfer_row(case, org, request, holidays) -> dict:
    present_by = arrival_due(case.issued_on, holidays=holidays)
    letter_by = letter_due(case.trigger_on, holidays=holidays) if case.trigger_on else None
    incoming = paths.is_within(case.to_org.path, org.path)
    may_write = any(
        request.scope.can_write_path(o.path) and paths.is_within(o.path, org.path)
        for o in (case.from_org, case.to_org)
    )
    return {
        "case": case,
        "present_by": present_by,
        "letter_by": letter_by,
        "incoming": incoming,
        "late": case.state == case.State.OPEN and clock.today() > present_by,
        "can_confirm": case.state == case.State.OPEN
        and incoming
        and request.scope.can_write_path(case.to_org.path),
        "can_close": may_write and (case.letter_late or case.arrival_late) and case.late_closed_on is None,
    }


@login_required
@require_GET
def org_transfers_view(request: ScopedRequest, org_id) -> HttpResponse:
    org = in_scope_or_404(org_get, actor=request.scope, org_id=org_id)
    listed = transfer_case_list(actor=request.scope, org=org)
    late = transfer_case_late_list(actor=request.scope, org=org)
    earliest = min([c.trigger_on or c.issued_on for c in listed + late], default=clock.today())
    holidays = holidays_between(earliest, clock.today() + timedelta(days=200))
    org_labels_attach(actor=request.scope, orgs=[o for c in listed + late for o in (c.from_org, c.to_org)])
    return render(
        request,
        "members/transfers.html",
        {
            "org": org,
            "breadcrumbs": org_breadcrumbs(actor=request.scope, org=org),
            "cases": [_transfer_row(c, org, request, holidays) for c in listed],
            "late_cases": [_transfer_row(c, org, request, holidays) for c in late],
        },
    )


@login_required
def transfer_confirm_view(request: ScopedRequest, org_id) -> HttpResponse:
    """The receiving side confirms arrival (?ho-so=<case id>)."""
    org = in_scope_or_404(org_get, actor=request.scope, org_id=org_id)
    case = in_scope_or_404(
        transfer_case_to_confirm, actor=request.scope, org=org, case_id=request.GET.get("ho-so", "")
    )
    form = TransferArrivalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            transfer_confirm_arrival(
                case=case,
                arrived_on=form.cleaned_data["arrived_on"],
                late_reason=form.cleaned_data.get("late_reason") or "",
                late_note=form.cleaned_data.get("late_note") or "",
                actor=request.user,
            )
        except RuleViolation as error:
            form.add_violations(
                error,
                {
                    "ledger": "arrived_on",
                    "org": "arrived_on",
                    "to_org": "arrived_on",
                    "arrival_late_reason": "late_reason",
                },
            )
        else:
            messages.success(request, f"Đã tiếp nhận {case.member.full_name} vào {case.to_org.name}.")
            return redirect("members:org_transfers", org_id=org.pk)
    present_by = arrival_due(case.issued_on)
    return form_page(
        request,
        form,
        title=f"Tiếp nhận sinh hoạt đảng: {case.member.full_name}",
        cancel_url=reverse("members:org_transfers", args=[org.pk]),
        subtitle=(
            f"Từ {case.from_org.name} đến {case.to_org.name}, giới thiệu ngày {case.issued_on:%d/%m/%Y}; hạn xuất trình giấy giới thiệu "
            f"{present_by:%d/%m/%Y} (30 ngày làm việc). Đến sau hạn này phải chọn lý do chậm và ghi rõ nội dung."
        ),
        submit="Xác nhận tiếp nhận",
    )


@login_required
def transfer_close_late_view(request: ScopedRequest, org_id) -> HttpResponse:
    """Either side records how a late transfer was reported and handled (?ho-so=<case id>)."""
    org = in_scope_or_404(org_get, actor=request.scope, org_id=org_id)
    case = in_scope_or_404(
        transfer_case_to_close, actor=request.scope, org=org, case_id=request.GET.get("ho-so", "")
    )
    form = TransferCloseLateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            transfer_close_late(
                case=case,
                closed_on=form.cleaned_data["closed_on"],
                note=form.cleaned_data["note"],
                actor=request.user,
            )
        except RuleViolation as error:
            form.add_violations(error)
        else:
            messages.success(
                request, f"Đã ghi nhận xử lý việc chuyển sinh hoạt chậm hạn của {case.member.full_name}."
            )
            return redirect("members:org_transfers", org_id=org.pk)
    late = []
    if case.letter_late:
        late.append(
            f"giới thiệu ngày {case.issued_on:%d/%m/%Y}, quá 60 ngày làm việc kể từ căn cứ ({case.trigger_on:%d/%m/%Y}): "
            f"{case.get_letter_late_reason_display().lower()} — {case.letter_late_note}"
        )
    if case.arrival_late:
        late.append(
            f"đến sinh hoạt ngày {case.arrived_on:%d/%m/%Y}, quá 30 ngày làm việc kể từ ngày giới thiệu: "
            f"{case.get_arrival_late_reason_display().lower()} — {case.arrival_late_note}"
        )
    return form_page(
        request,
        form,
        title=f"Ghi nhận xử lý chuyển sinh hoạt chậm hạn: {case.member.full_name}",
        cancel_url=reverse("members:org_transfers", args=[org.pk]),
        subtitle=f"Từ {case.from_org.name} đến {case.to_org.name}; "
        + "; ".join(late)
        + ". Sau khi ghi nhận, hồ sơ không còn trong việc cần làm và kiểm tra tuân thủ.",
        submit="Ghi nhận đã xử lý",
    )
