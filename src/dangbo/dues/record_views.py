"""Recording dues, one member at a time, from the collection book: a basis, a relief and its
revocation, a payment and its reversal. Only a user who may write the member's organization
sees these forms (others: the same 404 as a member who does not exist); the services check
the rules, and a refusal is shown on the form's fields with its citation, nothing written."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from dangbo.core import clock
from dangbo.core.formats import format_number
from dangbo.core.http import ScopedRequest
from dangbo.core.pages import form_page, in_scope_or_404
from dangbo.core.violations import RuleViolation
from dangbo.dues import selectors, services
from dangbo.dues.forms import BasisForm, PaymentForm, ReasonForm, ReliefForm
from dangbo.dues.views import month_of
from dangbo.members.models import Member
from dangbo.rules import dues as rules


def _member(request: ScopedRequest, member_id) -> Member:
    member = Member.objects.filter(pk=member_id).select_related("org").first()
    if member is None or not request.scope.can_write_member(member):
        raise Http404
    return member


def _back(request: ScopedRequest, member: Member) -> str:
    """The book the form was opened from (the member's cell, the month of ``?thang=``), or the
    member's dues page when they have no cell now."""
    if member.org_id is not None and request.scope.can_read_path(member.org.path):
        return reverse("dues:org_book", args=[member.org_id]) + f"?thang={month_of(request):%Y-%m}"
    return reverse("dues:member_dues", args=[member.pk])


@login_required
def basis_new(request: ScopedRequest, member_id) -> HttpResponse:
    member = _member(request, member_id)
    form = BasisForm(
        request.POST if request.method == "POST" else None,
        initial={"valid_from": clock.today().replace(day=1)},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.dues_basis_record(
                actor=request.scope,
                member=member,
                category=data["category"],
                income=data["income"],
                valid_from=data["valid_from"],
                source=data["source"],
            )
        except RuleViolation as error:
            form.add_violations(error)
        else:
            messages.success(request, f"Đã ghi căn cứ đóng đảng phí của đồng chí {member.full_name}.")
            return redirect(_back(request, member))
    return form_page(
        request,
        form,
        title=f"Căn cứ đóng đảng phí: {member.full_name}",
        cancel_url=_back(request, member),
        subtitle=(
            f"Đối tượng và thu nhập làm căn cứ tính đảng phí hằng tháng ({rules.RATES.at(clock.today()).ref}). "
            "Căn cứ mới thay căn cứ cũ từ tháng áp dụng; không sửa căn cứ đã ghi."
        ),
    )


def _relief_hint() -> str:
    version = rules.RELIEF.at(clock.today())
    limits = version.value
    return (
        f"Phải có quyết định của cấp có thẩm quyền. Giảm {rules.percent_list(limits['reductions'])}; "
        f"mỗi lần xét miễn, giảm tối đa {limits['hardship_months']} tháng ({version.ref})."
    )


@login_required
def relief_new(request: ScopedRequest, member_id) -> HttpResponse:
    member = _member(request, member_id)
    form = ReliefForm(
        request.POST if request.method == "POST" else None,
        initial={"first_month": clock.today().replace(day=1)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.dues_relief_grant(actor=request.scope, member=member, request=form.relief_request())
        except RuleViolation as error:
            form.add_violations(error)
        else:
            messages.success(request, f"Đã ghi miễn, giảm đảng phí cho đồng chí {member.full_name}.")
            return redirect(_back(request, member))
    return form_page(
        request,
        form,
        title=f"Miễn, giảm, cho chậm đóng đảng phí: {member.full_name}",
        cancel_url=_back(request, member),
        subtitle=_relief_hint(),
        submit="Ghi miễn, giảm",
    )


@login_required
def relief_revoke(request: ScopedRequest, relief_id) -> HttpResponse:
    relief = in_scope_or_404(selectors.relief_get, actor=request.scope, relief_id=relief_id)
    member = relief.member
    form = ReasonForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.dues_relief_revoke(
                actor=request.scope, relief=relief, reason=form.cleaned_data["reason"]
            )
        except RuleViolation as error:
            form.add_violations(error)
        else:
            messages.success(request, "Đã hủy quyết định miễn, giảm; số phải đóng được tính lại.")
            return redirect("dues:member_dues", member_id=member.pk)
    period = f"từ tháng {relief.first_month:%m/%Y}" + (
        f" đến tháng {relief.last_month:%m/%Y}" if relief.last_month else ""
    )
    return form_page(
        request,
        form,
        title=f"Hủy miễn, giảm đảng phí: {member.full_name}",
        cancel_url=reverse("dues:member_dues", args=[member.pk]),
        subtitle=(
            f"{relief.get_kind_display()} ({relief.get_ground_display()}), {period}, quyết định số "
            f"{relief.decision_no or '—'}. Chỉ hủy khi ghi nhầm; quyết định vẫn được lưu cùng lý do hủy."
        ),
        submit="Hủy miễn, giảm",
    )


@login_required
def payment_new(request: ScopedRequest, member_id) -> HttpResponse:
    """A payment: by default the member's unpaid months and what remains of them (editable)."""
    member = _member(request, member_id)
    today = clock.today()
    first, last, amount = selectors.payment_proposal(member=member, today=today)
    initial = {"first_month": first, "last_month": last, "amount": amount, "paid_on": today}
    form = PaymentForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            payment = services.dues_payment_record(
                actor=request.scope, member=member, request=form.payment_request()
            )
        except RuleViolation as error:
            form.add_violations(error)
        else:
            messages.success(
                request,
                f"Đã thu {format_number(payment.amount)} đồng của đồng chí {member.full_name}, "
                f"phiếu thu số {payment.receipt_no}.",
            )
            return redirect("dues:receipt", payment_id=payment.pk)
    owing = (
        f"Đề xuất: các tháng chưa nộp từ {first:%m/%Y} đến {last:%m/%Y}"
        if (first, last) != (today.replace(day=1),) * 2
        else f"Đề xuất: tháng {first:%m/%Y}"
    )
    if amount is not None:
        owing += f", {format_number(amount)} đồng"
    return form_page(
        request,
        form,
        title=f"Thu đảng phí: {member.full_name}",
        cancel_url=_back(request, member),
        subtitle=f"{owing}. Sửa lại nếu đảng viên nộp khác. Phiếu thu đã ghi không sửa được, chỉ hủy bằng phiếu hủy.",
        submit="Ghi phiếu thu",
    )


@login_required
def payment_reverse(request: ScopedRequest, payment_id) -> HttpResponse:
    payment = in_scope_or_404(
        selectors.payment_get, actor=request.scope, payment_id=payment_id, for_edit=True
    )
    if payment.reverses_id is not None:
        raise Http404  # a reversal is not reversed again
    form = ReasonForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            reversal = services.dues_payment_reverse(
                actor=request.scope, payment=payment, reason=form.cleaned_data["reason"]
            )
        except RuleViolation as error:
            form.add_violations(error)
        else:
            messages.success(
                request, f"Đã hủy phiếu thu số {payment.receipt_no} bằng phiếu hủy số {reversal.receipt_no}."
            )
            return redirect("dues:receipt", payment_id=reversal.pk)
    return form_page(
        request,
        form,
        title=f"Hủy phiếu thu số {payment.receipt_no}",
        cancel_url=reverse("dues:receipt", args=[payment.pk]),
        subtitle=(
            f"Phiếu thu của đồng chí {payment.member.full_name}, {format_number(payment.amount)} đồng, "
            f"tháng {payment.first_month:%m/%Y}"
            + (f" – {payment.last_month:%m/%Y}" if payment.last_month != payment.first_month else "")
            + ". Phiếu thu không bị xóa: một phiếu hủy số tiền âm được ghi thêm."
        ),
        submit="Hủy phiếu thu",
    )
