"""Attach the acting user's scope and a request id to every request, and make them the
audit context for the duration of the request."""

from __future__ import annotations

import re
import uuid

from django.conf import settings
from django.utils.functional import SimpleLazyObject

from dangbo.accounts.scope import scope_for
from dangbo.audit.context import AuditContext, acting

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def client_address(request) -> str:
    if settings.DANGBO_BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()[:45]
    return request.META.get("REMOTE_ADDR", "")[:45]


def request_context(request) -> AuditContext:
    user = getattr(request, "user", None)
    scope = getattr(request, "scope", None)
    if user is None or not user.is_authenticated or scope is None:
        return AuditContext(None, "", "khách", "không có", request.audit_ip, request.request_id)
    return AuditContext(
        actor_id=user.pk,
        actor_name=user.get_username(),
        actor_role=scope.role_label,
        scope=scope.label,
        ip=request.audit_ip,
        request_id=request.request_id,
    )


class AuditContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request.request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        request.audit_ip = client_address(request)
        request.scope = SimpleLazyObject(lambda: scope_for(getattr(request, "user", None)))
        with acting(lambda: request_context(request)):
            response = self.get_response(request)
        response["X-Request-ID"] = request.request_id
        return response
