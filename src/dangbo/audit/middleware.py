"""Give every request an id and log it (``RequestLogMiddleware``), and make the request the audit
context for its duration. The acting user's scope is attached by
``accounts.middleware.ScopeMiddleware`` (below these); the context reads ``request.scope`` only
when a row is written."""

from __future__ import annotations

import logging
import re
import time
import uuid

from django.conf import settings

from dangbo.audit.context import AuditContext, acting

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

request_log = logging.getLogger("dangbo.requests")


def request_id_for(request) -> str:
    """The request's id, always made here (the one it already has, or a new one): the audit
    rows of the request and its log line carry it. A client cannot choose it; what it sends
    as X-Request-ID is kept apart (``client_request_id_for``)."""
    existing = getattr(request, "request_id", "")
    if existing:
        return existing
    request.client_request_id = client_request_id_for(request)
    return uuid.uuid4().hex


def client_request_id_for(request) -> str:
    """A well-formed X-Request-ID sent with the request (by a reverse proxy or a client), or "".
    Logged and audited as ``client_request_id``, beside the server's own id."""
    incoming = request.META.get("HTTP_X_REQUEST_ID", "")
    return incoming if _REQUEST_ID.match(incoming) else ""


def client_address(request) -> str:
    """REMOTE_ADDR: the client's address, which waitress puts there from a trusted proxy's
    X-Forwarded-For (DANGBO_TRUSTED_PROXY). Only the deprecated DANGBO_BEHIND_PROXY reads the
    header here, from whoever sent it."""
    if settings.DANGBO_BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()[:45]
    return request.META.get("REMOTE_ADDR", "")[:45]


def request_context(request) -> AuditContext:
    user = getattr(request, "user", None)
    scope = getattr(request, "scope", None)
    if user is None or not user.is_authenticated or scope is None:
        return AuditContext(
            None, "", "khách", "không có", request.audit_ip, request.request_id, _client_id(request)
        )
    return AuditContext(
        actor_id=user.pk,
        actor_name=user.get_username(),
        actor_role=scope.role_label,
        scope=scope.label,
        ip=request.audit_ip,
        request_id=request.request_id,
        client_request_id=_client_id(request),
    )


def _client_id(request) -> str:
    return getattr(request, "client_request_id", "")


class AuditContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = request_id_for(request)
        request.audit_ip = client_address(request)
        with acting(lambda: request_context(request)):
            response = self.get_response(request)
        response["X-Request-ID"] = request.request_id
        return response


def _user_fields(request) -> dict:
    user = getattr(request, "user", None)  # a token's user on the API, the session's elsewhere
    try:
        if user is not None and user.is_authenticated:
            return {"user": user.get_username(), "user_id": user.pk}
    except Exception:  # a log line never fails the response
        request_log.debug("no user for the request log", exc_info=True)
    return {"user": None, "user_id": None}


class RequestLogMiddleware:
    """One JSON line per request on the ``dangbo.requests`` logger: request id, user, method,
    path (without the query string, which may hold a searched name), status and duration.
    Placed before the session and authentication middleware, so the duration covers them;
    static files served by WhiteNoise, before it, are not logged."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        request.request_id = request_id_for(request)
        response = self.get_response(request)
        duration_ms = round((time.perf_counter() - started) * 1000, 1)
        status = response.status_code
        request_log.log(
            logging.ERROR if status >= 500 else logging.INFO,
            "%s %s %s",
            request.method,
            request.path,
            status,
            extra={
                "event": "request",
                "request_id": request.request_id,
                "client_request_id": _client_id(request) or None,
                **_user_fields(request),
                "method": request.method,
                "path": request.path,
                "status": status,
                "duration_ms": duration_ms,
            },
        )
        if not response.has_header("X-Request-ID"):
            response["X-Request-ID"] = request.request_id
        return response
