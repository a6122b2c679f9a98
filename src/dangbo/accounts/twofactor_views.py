"""The pages of two-step verification: the code after the password (``/xac-thuc/``), enrolment
(``/xac-thuc/dang-ky/``), the user's own security page (``/bao-mat/``: recovery codes, turning
it on or off) and a manager's reset of someone's second factor. Thin: the checks and changes
are in ``accounts.twofactor``."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from dangbo.accounts import twofactor
from dangbo.accounts.forms import ConfirmForm
from dangbo.accounts.views import confirmed_action, managed_account
from dangbo.core.forms import VietnameseForm
from dangbo.core.http import ScopedRequest


class CodeForm(VietnameseForm):
    code = forms.CharField(
        label="Mã xác thực",
        max_length=20,
        help_text="6 chữ số đang hiện trong ứng dụng xác thực trên điện thoại, hoặc một mã khôi phục.",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "off", "spellcheck": "false"}
        ),
    )


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/"


@login_required
@require_http_methods(["GET", "POST"])
def second_factor_view(request: ScopedRequest) -> HttpResponse:
    """After the password: the code from the app (or a recovery code)."""
    pending = twofactor.second_factor_pending(request)
    if pending == twofactor.ENROL:
        return redirect("accounts:enrol")
    if pending is None:
        return redirect(_next(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            twofactor.second_factor_verify(request=request, code=form.cleaned_data["code"])
        except twofactor.TwoFactorError as error:
            form.add_error("code", str(error))
        else:
            return redirect(_next(request))
    context = {"form": form, "next": _next(request)}
    return render(request, "accounts/second_factor.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def enrol_view(request: ScopedRequest) -> HttpResponse:
    """Add an authenticator app (or move to a new one, once this session is verified): the QR
    code and the secret, then a code from the app; the recovery codes are shown once when it
    succeeds."""
    pending = twofactor.second_factor_pending(request)
    if pending == twofactor.VERIFY:
        return redirect("accounts:second_factor")
    device = twofactor.totp_enrolment_device(request)
    form = CodeForm(request.POST or None)
    form.fields["code"].help_text = "6 chữ số đang hiện trong ứng dụng, sau khi đã thêm tài khoản."
    form.fields["code"].widget.attrs["inputmode"] = "numeric"
    if request.method == "POST" and form.is_valid():
        try:
            codes = twofactor.totp_enrolment_confirm(
                request=request, device=device, code=form.cleaned_data["code"]
            )
        except twofactor.TwoFactorError as error:
            form.add_error("code", str(error))
        else:
            return render(
                request,
                "accounts/recovery_codes.html",
                {"codes": codes, "enrolled": True, "next": _next(request)},
            )
    context = {
        "form": form,
        "qr": twofactor.totp_qr_svg(device),
        "secret": twofactor.totp_secret(device),
        "required": pending == twofactor.ENROL,
        "replacing": twofactor.has_second_factor(request.user),
        "next": _next(request),
    }
    return render(request, "accounts/enrol.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def security_view(request: ScopedRequest) -> HttpResponse:
    """The user's own second factor: whether it is on, recovery codes left, new codes, off."""
    user = request.user
    action = request.POST.get("action", "")
    off_form = ConfirmForm(
        request.POST if action == "disable" else None, label="Tôi hiểu và muốn tắt xác thực hai bước"
    )
    if request.method == "POST":
        try:
            if action == "renew":
                codes = twofactor.recovery_codes_renew(user=user)
                return render(request, "accounts/recovery_codes.html", {"codes": codes, "enrolled": False})
            if action == "disable" and off_form.is_valid():
                twofactor.second_factor_disable(user=user)
                messages.success(request, "Đã tắt xác thực hai bước.")
                return redirect("accounts:security")
        except twofactor.TwoFactorError as error:
            messages.error(request, str(error))
            return redirect("accounts:security")
    context = {
        "enabled": twofactor.has_second_factor(user),
        "required": twofactor.second_factor_required(user),
        "codes_left": twofactor.recovery_codes_left(user),
        "off_form": off_form,
    }
    return render(request, "accounts/security.html", context, status=400 if off_form.errors else 200)


@managed_account
@require_http_methods(["GET", "POST"])
def second_factor_reset_view(request: ScopedRequest, account) -> HttpResponse:
    def act():
        twofactor.second_factor_reset(actor=request.scope, user=account)
        messages.success(
            request,
            f"Đã đặt lại xác thực hai bước của {account.username}: lần đăng nhập tới, người dùng đăng ký lại ứng dụng.",
        )
        return redirect("accounts:account", user_id=account.pk)

    return confirmed_action(
        request,
        account,
        title=f"Đặt lại xác thực hai bước của {account.username}",
        submit="Đặt lại xác thực hai bước",
        explain="Dùng khi người dùng mất điện thoại hoặc hết mã khôi phục. Ứng dụng xác thực và mã khôi phục cũ "
        "của tài khoản thôi có hiệu lực; lần đăng nhập tới (kể cả phiên đang mở), người dùng phải đăng ký lại. "
        "Hãy xác minh đúng người trước khi đặt lại. Việc đặt lại được ghi nhật ký.",
        label="Tôi đã xác minh người dùng và xác nhận đặt lại",
        act=act,
    )
