"""A user whose password was set by someone else (a new account, a reset) must change it before
anything else: every page redirects to the password change page until they do. The obligation
is ``Account.must_change_password``, set and cleared only by ``accounts.services``; checking it
is one primary-key lookup per signed-in request."""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from dangbo.accounts.scope import scope_for
from dangbo.accounts.services import must_change_password

# Pages that stay open: changing the password, signing in and out.
_OPEN_NAMES = ("password_change", "password_change_done", "logout", "login")


@cache
def _open_paths() -> frozenset[str]:
    return frozenset(reverse(name) for name in _OPEN_NAMES) | {"/healthz"}


def _open(path: str) -> bool:
    return path in _open_paths() or path.startswith("/" + settings.STATIC_URL.lstrip("/"))


class ScopeMiddleware:
    """``request.scope``: the acting user's subtrees and roles, read from their role
    assignments the first time a view (or the audit context) asks."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.scope = SimpleLazyObject(lambda: scope_for(getattr(request, "user", None)))
        return self.get_response(request)


class PasswordChangeRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not _open(request.path)
            and must_change_password(user)
        ):
            return redirect("password_change")
        return self.get_response(request)
