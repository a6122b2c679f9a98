"""How the API knows who is calling: the browser's session, or a program's token
(``Authorization: Bearer dbk_...``). Either way the request gets the user and their scope,
so the same selectors filter and audit exactly as for the pages.

A key is counted against the rate limits (``accounts.ratelimit``) and refused on an unsafe
method when it is read-only; a session counts only once its second factor was given where one
is needed, as for the pages (``accounts.twofactor.second_factor_pending``)."""

from __future__ import annotations

from ninja.security import HttpBearer, SessionAuth

from dangbo.accounts import ratelimit
from dangbo.accounts.models import TokenAccess
from dangbo.accounts.scope import scope_for
from dangbo.accounts.tokens import token_resolve
from dangbo.accounts.twofactor import second_factor_pending
from dangbo.audit.services import Action, audit_record

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class ReadOnlyKey(Exception):
    def __str__(self) -> str:
        return "Khóa API này chỉ được đọc; cần khóa «đọc và ghi» để thay đổi dữ liệu."


def client_address(request) -> str:
    return getattr(request, "audit_ip", "") or request.META.get("REMOTE_ADDR", "")


class TokenAuth(HttpBearer):
    openapi_description = "Khóa API của người dùng: Authorization: Bearer dbk_…"

    def authenticate(self, request, token):
        ratelimit.check_address(client_address(request))
        found = token_resolve(token)
        if found is None:
            return None
        ratelimit.check_key(str(found.pk))
        user = found.user
        request.user = user
        request.scope = scope_for(user)
        if request.method not in SAFE_METHODS and found.access != TokenAccess.WRITE:
            audit_record(
                action=Action.REFUSED,
                subject_type="user",
                subject_id=str(user.pk),
                data={"reason": "read_only_key", "token": str(found.pk), "method": request.method},
            )
            raise ReadOnlyKey
        return user


class SessionWithScope(SessionAuth):
    """Django's session (the signed-in browser); CSRF is checked on unsafe methods. A session
    still waiting for its second factor is not signed in here."""

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        if user is None or not user.is_active or second_factor_pending(request):
            return None
        return user
