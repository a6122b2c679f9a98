"""API tokens: create (the key is returned once), revoke, and resolve a presented key.

A key is read-only or read-write (``ApiToken.access``): ``api_auth.TokenAuth`` refuses a
read-only key on every unsafe method. Every key of a user is revoked when their password
changes (``passwords.RevokeApiKeysOnChange``) or the account is deactivated."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.db import OperationalError, transaction

from dangbo.accounts.models import ApiToken, TokenAccess
from dangbo.accounts.watch import account_service
from dangbo.audit.services import Action, audit_record
from dangbo.core import clock, locks

KEY_PREFIX = "dbk_"
MAX_DAYS = 366


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@account_service
@transaction.atomic
def token_create(*, user, name: str, days: int = 90, access: str = TokenAccess.READ) -> tuple[ApiToken, str]:
    """A new key for ``user``, valid ``days`` days (1–366), read-only unless ``access`` is
    ``write``. Returns the row and the key."""
    name = (name or "").strip()[:100]
    if not name:
        raise ValueError("Chưa đặt tên gợi nhớ cho khóa.")
    if not 1 <= days <= MAX_DAYS:
        raise ValueError(f"Thời hạn của khóa từ 1 đến {MAX_DAYS} ngày.")
    if access not in TokenAccess.values:
        raise ValueError("Quyền của khóa là «chỉ đọc» hoặc «đọc và ghi».")
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=key[:12],
        key_hash=_hash(key),
        expires_at=clock.now() + timedelta(days=days),
        access=access,
    )
    audit_record(
        action=Action.TOKEN_CREATED,
        subject_type="user",
        subject_id=str(user.pk),
        data={"token": str(token.pk), "days": days, "access": str(access)},
    )
    return token, key


@account_service
@transaction.atomic
def token_revoke(*, token: ApiToken, reason: str = "") -> None:
    if token.revoked_at is None:
        token.revoked_at = clock.now()
        token.save(update_fields=["revoked_at"])
        data = {"token": str(token.pk)}
        if reason:
            data["reason"] = reason
        audit_record(
            action=Action.TOKEN_REVOKED, subject_type="user", subject_id=str(token.user_id), data=data
        )


@account_service
@transaction.atomic
def tokens_revoke_all(*, user, reason: str) -> int:
    """Revoke every open key of ``user`` (one audit row each); returns how many."""
    open_tokens = list(ApiToken.objects.filter(user_id=user.pk, revoked_at__isnull=True))
    for token in open_tokens:
        token_revoke(token=token, reason=reason)
    return len(open_tokens)


def token_resolve(key: str) -> ApiToken | None:
    """The valid, unexpired, unrevoked token of an active user for ``key``; None otherwise."""
    if not key or not key.startswith(KEY_PREFIX) or len(key) > 100:
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=_hash(key)).first()
    now = clock.now()
    if token is None or token.revoked_at is not None or token.expires_at <= now or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        _touch(token, now)
    return token


def token_user(key: str):
    """The active user holding a valid, unexpired, unrevoked ``key``; None otherwise."""
    token = token_resolve(key)
    return token.user if token is not None else None


def tokens_of(*, user):
    return ApiToken.objects.filter(user=user).order_by("-created_at")


def _touch(token: ApiToken, now) -> None:
    """Note when a key was last used. On SQLite it waits only briefly for the write lock: while
    the worker applies a plan, a read through the API must not wait for it (the next use will
    note the time)."""
    try:
        with locks.short_wait():
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    except OperationalError as error:
        if not locks.database_locked(error):
            raise
