"""A user whose password was set by someone else (a new account, a reset) must change it before
anything else: every page redirects to the password change page until they do. The obligation
is ``Account.must_change_password``, set and cleared only by ``accounts.services``; checking it
is one primary-key lookup per signed-in request."""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

from dangbo.accounts.services import must_change_password

# Pages that stay open: changing the password, signing in and out.
_OPEN_NAMES = ("password_change", "password_change_done", "logout", "login")


@cache
def _open_paths() -> frozenset[str]:
    return frozenset(reverse(name) for name in _OPEN_NAMES) | {"/healthz"}


def _open(path: str) -> bool:
    return path in _open_paths() or path.startswith("/" + settings.STATIC_URL.lstrip("/"))


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
