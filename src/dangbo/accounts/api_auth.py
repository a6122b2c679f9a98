"""How the API knows who is calling: the browser's session, or a program's token
(``Authorization: Bearer dbk_...``). Either way the request gets the user and their scope,
so the same selectors filter and audit exactly as for the pages."""

from __future__ import annotations

from ninja.security import HttpBearer, SessionAuth

from dangbo.accounts.scope import scope_for
from dangbo.accounts.tokens import token_user


class TokenAuth(HttpBearer):
    openapi_description = "Khóa API của người dùng: Authorization: Bearer dbk_…"

    def authenticate(self, request, token):
        user = token_user(token)
        if user is None:
            return None
        request.user = user
        request.scope = scope_for(user)
        return user


class SessionWithScope(SessionAuth):
    """Django's session (the signed-in browser); CSRF is checked on unsafe methods."""

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        return user if user is not None and user.is_active else None
