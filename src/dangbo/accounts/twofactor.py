"""Two-step verification (xác thực hai bước): after the password, a six-digit code from an
authenticator app (TOTP, django-otp's device) or one of ten recovery codes (``RecoveryCodes``).

Required, when ``settings.DANGBO_REQUIRE_2FA`` is on (the default), of every account that is
a superuser or holds an open administrator, officer, leader or secretary role; a member may
enrol from their own page. A session whose user has a confirmed device counts as signed in only
once a code was given in it (``second_factor_pending``); a user who must enrol and has not is
sent to the enrolment page. The middleware, the API's session authentication and the pages ask
the same function. Every change of a second factor is audited here.
"""

from __future__ import annotations

import time
from base64 import b32encode
from datetime import datetime

import segno
from django.conf import settings
from django.db import transaction
from django_otp import login as otp_login
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice, default_key

from dangbo.accounts import recovery
from dangbo.accounts.models import AccessRole, RecoveryCodes, RoleAssignment
from dangbo.accounts.scope import Scope
from dangbo.accounts.services import require_manageable
from dangbo.accounts.watch import account_service
from dangbo.audit.services import Action, audit_record
from dangbo.core import clock

REQUIRED_ROLES = frozenset({AccessRole.ADMIN, AccessRole.OFFICER, AccessRole.LEADER, AccessRole.SECRETARY})
APP_DEVICE_NAME = "Ứng dụng xác thực"
VERIFY = "verify"
ENROL = "enrol"
# Where the secret of the app being enrolled waits for its first code (the session).
PENDING_SECRET = "dangbo_totp_pending"


class TwoFactorError(ValueError):
    """A refused step of two-step verification; the message is Vietnamese."""


# --- who needs what -------------------------------------------------------------------------
def second_factor_required(user) -> bool:
    """Whether ``user`` must have a second factor (the setting on, and a role that needs one)."""
    if not settings.DANGBO_REQUIRE_2FA or not user.is_authenticated:
        return False
    return user.is_superuser or (
        RoleAssignment.objects.filter(
            user_id=user.pk, revoked_at__isnull=True, role__in=REQUIRED_ROLES
        ).exists()
    )


def has_second_factor(user) -> bool:
    return TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).exists()


def is_verified(user) -> bool:
    """The code was given in this session (django-otp's middleware sets ``is_verified``)."""
    check = getattr(user, "is_verified", None)
    return bool(check and check())


def second_factor_pending(request) -> str | None:
    """``VERIFY`` when the signed-in user has a second factor not yet given in this session,
    ``ENROL`` when they must have one and have none, else None. Computed once per request."""
    if hasattr(request, "_dangbo_second_factor"):
        return request._dangbo_second_factor
    user = getattr(request, "user", None)
    pending = None
    if user is not None and user.is_authenticated and not is_verified(user):
        if has_second_factor(user):
            pending = VERIFY
        elif second_factor_required(user):
            pending = ENROL
    request._dangbo_second_factor = pending
    return pending


# --- enrolment ------------------------------------------------------------------------------
def totp_enrolment_device(request) -> TOTPDevice:
    """The device being enrolled, not saved: its secret is kept in the session until the user
    confirms it with a code (reloading the page shows the same QR code), so opening the page
    writes nothing."""
    key = request.session.get(PENDING_SECRET)
    if not key:
        key = request.session[PENDING_SECRET] = default_key()
    return TOTPDevice(user=request.user, name=APP_DEVICE_NAME, key=key, confirmed=False)


def totp_secret(device: TOTPDevice) -> str:
    """The secret as the apps take it typed by hand: base32, in groups of four."""
    text = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def totp_qr_svg(device: TOTPDevice) -> str:
    """The QR code of the device's ``otpauth://`` address, as inline SVG (no image request, no
    script: the page's Content-Security-Policy allows it)."""
    return segno.make(device.config_url, error="m").svg_inline(
        scale=5, title="Mã QR để thêm tài khoản vào ứng dụng xác thực", svgclass="qr"
    )


@account_service
def totp_enrolment_confirm(*, request, device: TOTPDevice, code: str) -> list[str]:
    """The user typed a code from their app: the device is saved as theirs (replacing any
    other), ten recovery codes are made (returned, to be shown once), and this session counts
    as verified. The code is checked with django-otp's TOTP, as at sign-in. A wrong code is
    audited (committed) before ``TwoFactorError`` is raised."""
    with transaction.atomic():
        codes = _enrolment_confirm(request, device, code)
    if codes is None:
        raise TwoFactorError(
            "Mã không đúng. Kiểm tra đồng hồ của điện thoại (tự động theo giờ mạng) và nhập mã đang hiện."
        )
    return codes


def _enrolment_confirm(request, device: TOTPDevice, code: str) -> list[str] | None:
    user = request.user
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    digits = _digits(code)
    if not (digits.isdigit() and totp.verify(int(digits), device.tolerance)):
        audit_record(
            action=Action.SECOND_FACTOR_FAILED,
            subject_type="user",
            subject_id=str(user.pk),
            data={"step": "enrol"},
        )
        return None
    TOTPDevice.objects.filter(user_id=user.pk).delete()
    device.last_t = totp.t()  # the code just used cannot be used again to sign in
    device.confirmed = True
    device.save()
    request.session.pop(PENDING_SECRET, None)
    codes = _recovery_codes_make(user)
    audit_record(
        action=Action.SECOND_FACTOR_ENROLLED,
        subject_type="user",
        subject_id=str(user.pk),
        data={"device": "totp", "recovery_codes": len(codes)},
    )
    _verified(request, device)
    return codes


def _recovery_codes_make(user) -> list[str]:
    RecoveryCodes.objects.filter(user_id=user.pk).delete()
    device = RecoveryCodes.objects.create(user=user, name="Mã khôi phục", confirmed=True)
    codes: list[str] = []
    lookups: set[str] = set()
    while len(codes) < recovery.COUNT:
        code = recovery.new_code()
        if code[:4] in lookups:
            continue
        lookups.add(code[:4])
        codes.append(code)
        device.codes.create(lookup=code[:4], code_hash=recovery.code_hash(code))
    return [recovery.grouped(c) for c in codes]


@account_service
@transaction.atomic
def recovery_codes_renew(*, user) -> list[str]:
    """Ten new recovery codes in place of the old ones (which stop working)."""
    if not has_second_factor(user):
        raise TwoFactorError("Tài khoản chưa bật xác thực hai bước.")
    codes = _recovery_codes_make(user)
    audit_record(
        action=Action.RECOVERY_CODES_CREATED,
        subject_type="user",
        subject_id=str(user.pk),
        data={"count": len(codes)},
    )
    return codes


def recovery_codes_left(user) -> int:
    device = RecoveryCodes.objects.filter(user_id=user.pk).first()
    return device.codes.filter(used_at__isnull=True).count() if device else 0


# --- sign-in --------------------------------------------------------------------------------
def _digits(code: str) -> str:
    return "".join(ch for ch in str(code) if not ch.isspace())


def _locked_until(device) -> datetime | None:
    allowed, data = device.verify_is_allowed()
    if allowed or not data:
        return None
    return data.get("locked_until")


def _wrong_code_message(device) -> str:
    until = _locked_until(device)
    if until is not None:
        wait = max(1, int((until - clock.now()).total_seconds()) + 1)
        return f"Mã không đúng. Đã nhập sai nhiều lần: xin đợi {wait} giây rồi nhập lại."
    return "Mã không đúng hoặc đã hết hạn. Xin nhập mã đang hiện trong ứng dụng (hoặc một mã khôi phục)."


@account_service
def second_factor_verify(*, request, code: str):
    """Check ``code`` (an app's six digits, or a recovery code) for the signed-in user; on
    success this session counts as verified (a new session key, the device remembered). Raises
    ``TwoFactorError`` with the reason otherwise, after the failure (audit row, the device's
    throttling count) is committed."""
    with transaction.atomic():
        device, refusal = _verify(request, code)
    if refusal:
        raise TwoFactorError(refusal)
    return device


def _verify(request, code: str):
    user = request.user
    code = _digits(code)
    recovering = bool(recovery.normalise(code))
    model = RecoveryCodes if recovering else TOTPDevice
    device = model.objects.select_for_update().filter(user_id=user.pk, confirmed=True).first()
    if device is None or not code or not device.verify_token(code):
        audit_record(
            action=Action.SECOND_FACTOR_FAILED,
            subject_type="user",
            subject_id=str(user.pk),
            data={"step": "sign_in", "method": "recovery" if recovering else "totp"},
        )
        if device is None and recovering:
            return None, "Tài khoản không có mã khôi phục nào; hãy đề nghị cán bộ quản lý tài khoản đặt lại."
        return None, _wrong_code_message(device) if device is not None else "Mã không đúng."
    data: dict = {"method": "recovery" if recovering else "totp"}
    if recovering:
        data["recovery_codes_left"] = device.codes.filter(used_at__isnull=True).count()
    audit_record(
        action=Action.SECOND_FACTOR_VERIFIED, subject_type="user", subject_id=str(user.pk), data=data
    )
    _verified(request, device)
    return device, ""


def _verified(request, device) -> None:
    request.session.cycle_key()  # a new session key once the sign-in is complete
    otp_login(request, device)
    request._dangbo_second_factor = None
    request.second_factor_pending = ""


# --- changes by the user and by their managers ----------------------------------------------
@account_service
@transaction.atomic
def second_factor_disable(*, user) -> None:
    """The user turns two-step verification off: only where it is not required of them."""
    if second_factor_required(user):
        raise TwoFactorError("Vai trò của anh/chị bắt buộc xác thực hai bước; không tắt được.")
    _remove_devices(user)
    audit_record(action=Action.SECOND_FACTOR_DISABLED, subject_type="user", subject_id=str(user.pk))


@account_service
@transaction.atomic
def second_factor_reset(*, actor: Scope, user) -> None:
    """A manager removes ``user``'s app and recovery codes (a lost telephone): at the next
    sign-in, or the next page of a session open now, the user enrols again. Who may: whoever may
    reset the account's password (``services.can_manage``): an administrator, or an officer for
    an account whose every role lies in their subtrees; never one's own."""
    require_manageable(actor, user)  # raises services.AccessError
    removed = _remove_devices(user)
    audit_record(
        action=Action.SECOND_FACTOR_RESET,
        subject_type="user",
        subject_id=str(user.pk),
        data={"username": user.username, "devices_removed": removed},
    )


def _remove_devices(user) -> int:
    removed = TOTPDevice.objects.filter(user_id=user.pk).delete()[0]
    removed += RecoveryCodes.objects.filter(user_id=user.pk).delete()[0]
    return removed
