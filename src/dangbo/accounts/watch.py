"""Changes of accounts are audited wherever they are made (issue 18, ASVS 5.0 16.3.x).

``accounts.services``, ``accounts.tokens`` and ``accounts.twofactor`` write their own audit rows;
each of their functions runs inside :func:`account_service`. Any other save or delete of a
user, group, permission, role assignment, API key or second-factor device (Django's admin,
``dangbo manage shell``, Django's ``changepassword``, a data fix) is recorded here, from the
models' signals, as ``account_changed_directly``: which table, which row, which fields. Nothing
about an account changes without a row in the trail, except through ``QuerySet.update()`` or raw
SQL, which send no signal (docs/operators.md says so)."""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db.models.signals import m2m_changed, post_delete, post_save
from django_otp.plugins.otp_totp.models import TOTPDevice

from dangbo.accounts.models import Account, ApiToken, RecoveryCode, RecoveryCodes, RoleAssignment
from dangbo.audit.services import Action, audit_record

_in_service: ContextVar[bool] = ContextVar("dangbo_accounts_in_service", default=False)
F = TypeVar("F", bound=Callable[..., Any])

# Fields Django itself writes on a user when they sign in; not a change of the account.
_SIGN_IN_FIELDS = frozenset({"last_login"})


def account_service(func: F) -> F:
    """Marks a function that changes accounts and audits the change itself."""

    @wraps(func)
    def wrapped(*args, **kwargs):
        token = _in_service.set(True)
        try:
            return func(*args, **kwargs)
        finally:
            _in_service.reset(token)

    return wrapped  # type: ignore[return-value]


def in_account_service() -> bool:
    return _in_service.get()


def _record(instance, *, change: str, fields=None, data: dict | None = None) -> None:
    payload = {"table": instance._meta.label, "change": change}
    if fields:
        payload["fields"] = sorted(fields)  # names only: no value is written to the trail
    if data:
        payload.update(data)
    user_id = getattr(instance, "user_id", None)
    if isinstance(instance, get_user_model()):
        user_id = instance.pk
    audit_record(
        action=Action.ACCOUNT_CHANGED_DIRECTLY,
        subject_type="user" if user_id is not None else instance._meta.model_name,
        subject_id=str(user_id if user_id is not None else instance.pk),
        data=payload,
    )


def _saved(sender, instance, created, update_fields=None, raw=False, **kwargs):
    if raw or in_account_service():
        return
    if update_fields is not None and set(update_fields) <= _SIGN_IN_FIELDS:
        return
    if isinstance(instance, get_user_model()) and update_fields is None:
        # A full save: say whether the password was set in it (Django keeps the new raw
        # password in ``_password`` until the save ends).
        fields = ["password"] if getattr(instance, "_password", None) is not None else None
        _record(instance, change="created" if created else "saved", fields=fields)
        return
    _record(instance, change="created" if created else "saved", fields=update_fields)


def _deleted(sender, instance, **kwargs):
    if not in_account_service():
        _record(instance, change="deleted")


def _m2m(sender, instance, action, model, pk_set, **kwargs):
    if in_account_service() or action not in ("post_add", "post_remove", "post_clear"):
        return
    _record(
        instance,
        change=action.removeprefix("post_"),
        data={"related": model._meta.label, "ids": sorted(str(pk) for pk in pk_set or ())},
    )


WATCHED = (Account, ApiToken, RoleAssignment, Group, Permission, TOTPDevice, RecoveryCodes, RecoveryCode)


def connect() -> None:
    User = get_user_model()
    for model in (User, *WATCHED):
        post_save.connect(_saved, sender=model, dispatch_uid=f"dangbo-watch-save-{model._meta.label}")
        post_delete.connect(_deleted, sender=model, dispatch_uid=f"dangbo-watch-delete-{model._meta.label}")
    for through in (User.groups.through, User.user_permissions.through, Group.permissions.through):
        m2m_changed.connect(_m2m, sender=through, dispatch_uid=f"dangbo-watch-m2m-{through._meta.label}")
