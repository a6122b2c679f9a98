"""Per-request checks of the signed-in user, in this order (settings.MIDDLEWARE):

- ``ScopeMiddleware``: ``request.scope``.
- ``PasswordChangeRequiredMiddleware``: a user whose password was set by someone else (a new
  account, a reset) must change it before anything else: every page redirects to the password
  change page until they do. The obligation is ``Account.must_change_password``, set and cleared
  only by ``accounts.services``; checking it is one primary-key lookup per signed-in request.
- ``SessionLifetimeMiddleware``: a session ends DANGBO_SESSION_MAX_HOURS after the sign-in,
  however active; and after DANGBO_SESSION_IDLE_MINUTES without a request (the session's age,
  SESSION_COOKIE_AGE, counted from its last save). A request saves the session only when it
  was last renewed more than ``renew_every()`` ago, so page views do not write it.
- ``HashingBusyMiddleware``: a request that could not hash a password because hashing is
  saturated (``accounts.hashers``) is answered 503 with Retry-After, not 500.
- ``SecondFactorMiddleware``: until the second factor is given (or, for a user who must have
  one, enrolled), every page redirects to the code page (or the enrolment page); the API's
  session authentication refuses such a session itself (``api_auth.SessionWithScope``).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cache
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from dangbo.accounts.hashers import RETRY_AFTER_SECONDS, HashingBusy
from dangbo.accounts.scope import scope_for
from dangbo.accounts.services import AccountState, account_state, must_change_password
from dangbo.accounts.twofactor import ENROL, VERIFY, second_factor_pending
from dangbo.audit.services import Action, audit_record
from dangbo.core import clock

# Pages that stay open: changing the password, signing in and out, giving the second factor.
_OPEN_NAMES = (
    "password_change",
    "password_change_done",
    "logout",
    "login",
    "accounts:second_factor",
    "accounts:enrol",
)
_SECOND_FACTOR_OPEN = ("logout", "login", "accounts:second_factor", "accounts:enrol")
_PASSWORD_PAGES = ("password_change", "password_change_done")
# Where the sign-in time is kept in the session (an ISO timestamp).
SIGNED_IN_AT = "dangbo_signed_in_at"
# When the idle period was last renewed (the session last saved for it; an ISO timestamp).
RENEWED_AT = "dangbo_renewed_at"
# The most a session goes without renewal while in use: the idle timeout ends at most this much
# before the full period after the last request.
RENEW_AT_MOST_EVERY = timedelta(minutes=5)


@cache
def _paths(*names: str) -> frozenset[str]:
    return frozenset(reverse(name) for name in names)


def _open_paths() -> frozenset[str]:
    return _paths(*_OPEN_NAMES) | {"/healthz"}


def _static(path: str) -> bool:
    return path.startswith("/" + settings.STATIC_URL.lstrip("/"))


def _open(path: str) -> bool:
    return path in _open_paths() or _static(path)


class ScopeMiddleware:
    """``request.scope``: the acting user's subtrees and roles, read from their role
    assignments the first time a view (or the audit context) asks."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.scope = SimpleLazyObject(lambda: scope_for(getattr(request, "user", None)))
        return self.get_response(request)


HASHING_BUSY_MESSAGE = "Hệ thống đang bận, vui lòng thử lại sau ít giây."


class HashingBusyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, HashingBusy):
            return None
        if request.path.startswith("/api/"):
            response: HttpResponse = JsonResponse({"detail": HASHING_BUSY_MESSAGE}, status=503)
        else:
            context = {"message": HASHING_BUSY_MESSAGE, "retry_url": request.get_full_path()}
            response = render(request, "accounts/busy.html", context, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response


class PasswordChangeRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not _open(request.path)
            and _state(request, user).must_change_password
        ):
            return redirect("password_change")
        return self.get_response(request)


def _state(request, user) -> AccountState:
    """The signed-in user's account state, read once per request for the middleware here."""
    state = getattr(request, "_account_state", None)
    if state is None:
        state = request._account_state = account_state(user)
    return state


def session_started(request) -> None:
    """Note the sign-in time in the new session (called when the user signs in)."""
    request.session[SIGNED_IN_AT] = request.session[RENEWED_AT] = clock.now().isoformat()


def renew_every() -> timedelta:
    """How often a session in use is saved to renew its idle period: a tenth of the period, at
    most ``RENEW_AT_MOST_EVERY``. With the default hour, every 5 minutes: a user is signed out
    between 55 and 60 minutes after their last request, and their session written at most 12
    times an hour instead of at every request."""
    return min(timedelta(seconds=settings.SESSION_COOKIE_AGE) / 10, RENEW_AT_MOST_EVERY)


def _renew_if_due(request, now: datetime) -> None:
    """Mark the session changed (Django's SessionMiddleware then saves it, which starts its idle
    period again) when it was last renewed ``renew_every()`` ago or more."""
    renewed = request.session.get(RENEWED_AT)
    if renewed is None or now - _parse(renewed) >= renew_every():
        request.session[RENEWED_AT] = now.isoformat()


class SessionLifetimeMiddleware:
    """Ends a session DANGBO_SESSION_MAX_HOURS after its sign-in (ASVS 5.0 7.3.2), and a session
    signed in before an administrator or officer ended the user's sessions (``sessions_end``,
    ASVS 5.0 7.4.5). A session without a sign-in time (made before this check existed) is given
    one now, unless the user's sessions have been ended since. A session that goes on has its
    idle period renewed when due (``renew_every``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not _static(request.path):
            started = request.session.get(SIGNED_IN_AT)
            now = clock.now()
            ended = _state(request, user).sessions_ended_at
            if ended is not None and (started is None or _parse(started) < ended):
                return self._end(request, "ketthuc")
            if started is None:
                request.session[SIGNED_IN_AT] = now.isoformat()
            elif now - _parse(started) >= timedelta(hours=settings.DANGBO_SESSION_MAX_HOURS):
                audit_record(
                    action=Action.SESSION_EXPIRED,
                    subject_type="user",
                    subject_id=str(user.pk),
                    data={"signed_in_at": started},
                )
                return self._end(request, "hethan")
            _renew_if_due(request, now)
        return self.get_response(request)

    def _end(self, request, why: str):
        logout(request)
        if request.path.startswith("/api/"):
            return self.get_response(request)  # the API answers 401 itself
        # the sign-in page says why (``hethan``: the lifetime; ``ketthuc``: ended by a manager)
        query = urlencode({"next": request.get_full_path(), why: "1"})
        return redirect(f"{reverse('login')}?{query}")


def _parse(value: str) -> datetime:
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return clock.now() - timedelta(days=3650)  # unreadable: treat as long expired


class SecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path
        if _static(path):
            return self.get_response(request)
        pending = second_factor_pending(request)
        request.second_factor_pending = pending or ""  # the page header hides the menu meanwhile
        if pending and not path.startswith("/api/") and not _open_while(pending, path, request.user):
            target = reverse("accounts:second_factor" if pending == VERIFY else "accounts:enrol")
            query = urlencode({"next": request.get_full_path()}) if request.method == "GET" else ""
            return redirect(f"{target}?{query}" if query else target)
        return self.get_response(request)


def _open_while(pending: str, path: str, user) -> bool:
    """Pages open before the second factor: signing in and out, the code and enrolment pages,
    the health check; and the forced change of a password, for a user who has yet to enrol (it
    comes first). A user with a device changes their password only after the code."""
    if path in _paths(*_SECOND_FACTOR_OPEN) or path == "/healthz":
        return True
    return pending == ENROL and path in _paths(*_PASSWORD_PAGES) and must_change_password(user)
