"""Sign-in, sign-out, failed sign-in and lockout go to the audit trail; a sign-in notes its time in
the session (for its absolute lifetime, ``middleware.SessionLifetimeMiddleware``)."""

from __future__ import annotations

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from dangbo.accounts.middleware import session_started
from dangbo.accounts.scope import scope_for
from dangbo.audit.context import AuditContext
from dangbo.audit.services import Action, audit_record


def _context(request, user) -> AuditContext | None:
    if request is None or not hasattr(request, "request_id"):
        return None
    if user is None:
        return AuditContext(
            None,
            "",
            "khách",
            "không có",
            request.audit_ip,
            request.request_id,
            getattr(request, "client_request_id", ""),
        )
    scope = scope_for(user)
    return AuditContext(
        user.pk,
        user.get_username(),
        scope.role_label,
        scope.label,
        request.audit_ip,
        request.request_id,
        getattr(request, "client_request_id", ""),
    )


@receiver(user_logged_in)
def _signed_in(sender, request, user, **kwargs):
    if hasattr(request, "scope"):
        request.scope = scope_for(user)  # the lazy scope may have been read as anonymous
    if request is not None and hasattr(request, "session"):
        session_started(request)
    audit_record(
        action=Action.SIGN_IN, subject_type="user", subject_id=str(user.pk), context=_context(request, user)
    )


@receiver(user_logged_out)
def _signed_out(sender, request, user, **kwargs):
    if user is not None:
        audit_record(
            action=Action.SIGN_OUT,
            subject_type="user",
            subject_id=str(user.pk),
            context=_context(request, user),
        )


@receiver(user_login_failed)
def _sign_in_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    audit_record(
        action=Action.SIGN_IN_FAILED,
        subject_type="user",
        data={"username": username},
        context=_context(request, None),
    )


@receiver(user_locked_out)
def _locked_out(sender, request, username, ip_address, **kwargs):
    """Sign-in refused by the lockout (accounts.lockout): the user name and the address."""
    audit_record(
        action=Action.SIGN_IN_LOCKED_OUT,
        subject_type="user",
        data={"username": str(username or "")[:150], "address": str(ip_address or "")},
        context=_context(request, None),
    )
