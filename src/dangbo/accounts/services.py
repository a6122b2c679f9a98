"""Accounts and their roles: create an account, grant and revoke a role, deactivate an account,
reset a password. The only code that changes users and role assignments; each function runs in
one transaction and writes its audit row there.

Who may do what is checked here, against the ``actor`` (a ``Scope``), so the pages, the API and
the command line cannot differ:
- an administrator grants any role anywhere, and manages every account but their own;
- an officer grants officer, leader, cell secretary and member roles on organizations (members)
  inside the subtrees where they are an officer, and manages an account only when every role it
  holds lies there (never an administrator's);
- a cell secretary, a leader and a member grant nothing.
``actor`` defaults to ``SYSTEM`` (the installation itself: set-up code, the demo, the command
line, tests' fixtures); every page passes ``request.scope``.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from dangbo.accounts.models import AccessRole, Account, RoleAssignment
from dangbo.accounts.scope import SYSTEM, Scope
from dangbo.accounts.watch import account_service
from dangbo.audit.services import Action, audit_record
from dangbo.core import clock
from dangbo.core.kinds import OrgKind
from dangbo.core.text import clean, fold

CELL_KINDS = frozenset({OrgKind.GRASSROOTS_CELL, OrgKind.CELL})
# What an officer may grant inside their subtree (only an administrator grants administrator).
OFFICER_GRANTS = frozenset({AccessRole.OFFICER, AccessRole.LEADER, AccessRole.SECRETARY, AccessRole.MEMBER})
USERNAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789._-")
# Letters and digits that cannot be mistaken for one another when read aloud or copied by hand.
_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"

NOT_A_MANAGER = (
    "Tài khoản của bạn không có quyền quản lý tài khoản (chỉ quản trị hệ thống và cán bộ tổ chức)."
)
NOT_YOURS = "Tài khoản này có quyền ngoài phạm vi bạn quản lý; hãy đề nghị quản trị hệ thống."
SELF = "Không tự thay đổi quyền hay tài khoản của chính mình; hãy đề nghị người quản lý cấp trên."


class AccessError(ValueError):
    """A change of accounts or roles that is refused; the message is Vietnamese."""


def generate_password() -> str:
    """An initial password such as ``k7mq-x2pd-9hte`` (12 random characters, about 59 bits)."""
    chars = "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(12))
    return "-".join(chars[i : i + 4] for i in range(0, 12, 4))


# --- checks -------------------------------------------------------------------------------
def _require_manager(actor: Scope) -> None:
    if not actor.manages_accounts:
        raise AccessError(NOT_A_MANAGER)


def _assignment_path(assignment: RoleAssignment) -> str | None:
    if assignment.org is not None:
        return assignment.org.path
    if assignment.member is not None:
        return assignment.member.org_path
    return None  # administrator


def can_manage(actor: Scope, user) -> bool:
    """Whether ``actor`` may revoke, deactivate or reset ``user``: an administrator, or an
    officer when every open role of the account (every role it ever held, once none is open)
    lies in their subtrees. Nobody manages their own account here."""
    if user.pk == actor.user_id or not actor.manages_accounts:
        return False
    if actor.is_admin:
        return True
    if user.is_superuser:
        return False
    held = list(user.role_assignments.select_related("org", "member"))
    live = [a for a in held if a.revoked_at is None] or held
    if not live:
        return False
    return all((path := _assignment_path(a)) is not None and actor.can_grant_path(path) for a in live)


def require_manageable(actor: Scope, user) -> None:
    _require_manager(actor)
    if user.pk == actor.user_id:
        raise AccessError(SELF)
    if not can_manage(actor, user):
        raise AccessError(NOT_YOURS)


def _check_grant(actor: Scope, role: AccessRole, org, member) -> None:
    """The role's target is well formed, and the actor may grant it there."""
    _require_manager(actor)
    if role == AccessRole.ADMIN:
        if org or member:
            raise AccessError(
                "Quyền quản trị hệ thống áp dụng cho toàn hệ thống, không gắn với tổ chức hay đảng viên."
            )
        if not actor.is_admin:
            raise AccessError("Chỉ quản trị hệ thống mới cấp được quyền quản trị hệ thống.")
        return
    if role == AccessRole.MEMBER:
        if member is None or org is not None:
            raise AccessError("Vai trò đảng viên phải gắn với đúng hồ sơ của đảng viên đó.")
        if not (actor.can_read_member(member) and actor.can_grant_path(member.org_path)):
            raise AccessError("Không tìm thấy đảng viên này trong phạm vi bạn quản lý.")
        return
    if org is None or member is not None:
        raise AccessError(f"Vai trò «{role.label}» phải gắn với một tổ chức đảng.")
    if not actor.can_grant_path(org.path):
        raise AccessError(
            f"Tổ chức mã «{org.code}» nằm ngoài phạm vi bạn quản lý; không cấp được quyền ở đó."
        )
    if role == AccessRole.SECRETARY and org.kind not in CELL_KINDS:
        raise AccessError("Vai trò bí thư chi bộ chỉ gắn với một chi bộ.")
    if org.dissolved_on is not None:
        raise AccessError(f"{org.name} đã giải thể.")


def _validate_password(password: str, user) -> None:
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise AccessError("Mật khẩu chưa đạt yêu cầu: " + " ".join(error.messages)) from None


def _account(user) -> Account:
    account, _ = Account.objects.get_or_create(user=user)
    return account


def search_key(username: str, full_name: str) -> str:
    return fold(f"{username} {full_name}")[:300]


# --- services -----------------------------------------------------------------------------
@account_service
@transaction.atomic
def user_create(
    *,
    actor: Scope,
    username: str,
    full_name: str,
    role: str,
    org=None,
    member=None,
    password: str | None = None,
    may_export_personal: bool = False,
    email: str = "",
):
    """A new account with its first role; returns (user, initial password). The user must
    change the password at the first sign-in. Without ``password`` one is generated."""
    User = get_user_model()
    username = clean(username).lower()
    full_name = clean(full_name)
    if not username or len(username) > 150 or not set(username) <= USERNAME_CHARS:
        raise AccessError("Tên đăng nhập chỉ gồm chữ không dấu, chữ số và các dấu . _ - (tối đa 150 ký tự).")
    role = AccessRole(role)
    _check_grant(actor, role, org, member)
    if User.objects.filter(username__iexact=username).exists():
        raise AccessError(f"Tên đăng nhập «{username}» đã có.")
    if len(full_name) > 150:
        raise AccessError("Họ và tên dài quá 150 ký tự.")
    user = User(username=username, first_name=full_name, email=clean(email))
    initial = password or generate_password()
    _validate_password(initial, user)
    user.set_password(initial)
    user.save()
    Account.objects.create(
        user=user,
        search_key=search_key(username, full_name),
        must_change_password=True,
        created_by_id=actor.user_id,
    )
    audit_record(
        action=Action.USER_CREATED,
        subject_type="user",
        subject_id=str(user.pk),
        data={"username": username, "full_name": full_name},
    )
    role_grant(
        actor=actor, user=user, role=role, org=org, member=member, may_export_personal=may_export_personal
    )
    return user, initial


@account_service
@transaction.atomic
def user_create_superuser(*, username: str, full_name: str = "", email: str = "", password: str):
    """The installation's first administrators (`dangbo createuser`): a Django superuser, who
    typed their own password and so need not change it. Only the command line calls this."""
    User = get_user_model()
    if User.objects.filter(username=username).exists():
        raise AccessError(f"Tên đăng nhập «{username}» đã có.")
    user = User(username=username, first_name=clean(full_name), email=clean(email))
    _validate_password(password, user)
    user.set_password(password)
    user.is_staff = user.is_superuser = True
    user.save()
    Account.objects.create(user=user, search_key=search_key(username, user.first_name))
    audit_record(
        action=Action.USER_CREATED,
        subject_type="user",
        subject_id=str(user.pk),
        data={"username": username, "full_name": user.first_name, "superuser": True},
    )
    return user


@account_service
@transaction.atomic
def role_grant(
    *,
    user,
    role: str,
    org=None,
    member=None,
    actor: Scope = SYSTEM,
    granted_by=None,
    may_export_personal: bool = False,
) -> RoleAssignment:
    """``user`` holds ``role`` on ``org``'s subtree (member: on their own record ``member``).
    ``may_export_personal``: a leader may also export lists of people (``Scope.export_paths``)."""
    role = AccessRole(role)
    _check_grant(actor, role, org, member)
    if may_export_personal and role != AccessRole.LEADER:
        raise AccessError("Chỉ vai trò lãnh đạo cần cấp riêng quyền xuất danh sách cá nhân.")
    if actor is not SYSTEM:
        if user.pk == actor.user_id:
            raise AccessError(SELF)
        if user.is_superuser and not actor.is_admin:
            raise AccessError(NOT_YOURS)
        if user.role_assignments.exists():  # not an account user_create is making now
            require_manageable(actor, user)
        if not user.is_active:
            raise AccessError("Tài khoản đã bị khóa; không cấp thêm quyền.")
    held = RoleAssignment.objects.filter(user=user, revoked_at__isnull=True)
    if held.filter(role=role, org=org, member=member).exists():
        raise AccessError("Tài khoản đã có vai trò này ở đó.")
    if role == AccessRole.MEMBER:
        if held.filter(role=AccessRole.MEMBER).exists():
            raise AccessError("Tài khoản đã gắn với một hồ sơ đảng viên; thu hồi vai trò đó trước.")
        other = (
            RoleAssignment.objects.filter(role=AccessRole.MEMBER, member=member, revoked_at__isnull=True)
            .select_related("user")
            .first()
        )
        if other:
            raise AccessError(f"Hồ sơ đảng viên này đã gắn với tài khoản «{other.user.username}».")
    if granted_by is None and actor.user_id is not None:
        granted_by = get_user_model().objects.filter(pk=actor.user_id).first()
    assignment = RoleAssignment.objects.create(
        user=user,
        role=role,
        org=org,
        member=member,
        granted_by=granted_by,
        may_export_personal=may_export_personal,
    )
    audit_record(
        action=Action.ROLE_GRANTED,
        subject_type="user",
        subject_id=str(user.pk),
        data={
            "role": str(role),
            "org": org.code if org else None,
            "member": str(member.pk) if member else None,
            "assignment": str(assignment.pk),
            "may_export_personal": may_export_personal,
        },
    )
    return assignment


@account_service
@transaction.atomic
def role_revoke(*, assignment: RoleAssignment, actor: Scope = SYSTEM) -> None:
    """End one role assignment (from now on; the row stays, with the time it ended)."""
    if actor is not SYSTEM:
        require_manageable(actor, assignment.user)
    if assignment.revoked_at is None:
        assignment.revoked_at = clock.now()
        assignment.save(update_fields=["revoked_at"])
        audit_record(
            action=Action.ROLE_REVOKED,
            subject_type="user",
            subject_id=str(assignment.user_id),
            data={
                "role": assignment.role,
                "org": assignment.org.code if assignment.org is not None else None,
                "member": str(assignment.member_id) if assignment.member_id else None,
                "assignment": str(assignment.pk),
            },
        )


@account_service
@transaction.atomic
def sessions_end(*, actor: Scope, user) -> None:
    """End every open session of ``user`` (signed in on any browser): each ends at its next
    request, which is sent to the sign-in page. Their API keys are not touched (revoke those on
    the key page, or deactivate the account)."""
    if actor is not SYSTEM:
        require_manageable(actor, user)
    account = _account(user)
    account.sessions_ended_at = clock.now()
    account.save(update_fields=["sessions_ended_at"])
    audit_record(
        action=Action.SESSIONS_ENDED,
        subject_type="user",
        subject_id=str(user.pk),
        data={"username": user.username},
    )


@dataclass(frozen=True)
class AccountState:
    """What the middleware checks on every signed-in request, read in one query."""

    must_change_password: bool = False
    sessions_ended_at: datetime | None = None  # sessions signed in before this are ended


def account_state(user) -> AccountState:
    row = (
        Account.objects.filter(user_id=user.pk)
        .values_list("must_change_password", "sessions_ended_at")
        .first()
    )
    return AccountState(*row) if row else AccountState()


@account_service
@transaction.atomic
def user_deactivate(*, actor: Scope, user) -> None:
    """The account can no longer sign in and its roles end (its scope is empty from the next
    request). Nothing is deleted: the audit trail keeps naming it."""
    require_manageable(actor, user)
    if not user.is_active:
        raise AccessError("Tài khoản này đã bị khóa.")
    now = clock.now()
    revoked = list(
        RoleAssignment.objects.filter(user=user, revoked_at__isnull=True).values_list("pk", flat=True)
    )
    RoleAssignment.objects.filter(pk__in=revoked).update(revoked_at=now)
    user.is_active = False
    user.save(update_fields=["is_active"])
    account = _account(user)
    account.deactivated_at = now
    account.save(update_fields=["deactivated_at"])
    user.api_tokens.filter(revoked_at__isnull=True).update(revoked_at=now)
    audit_record(
        action=Action.USER_DEACTIVATED,
        subject_type="user",
        subject_id=str(user.pk),
        data={"username": user.username, "roles_revoked": [str(pk) for pk in revoked]},
    )


@account_service
@transaction.atomic
def user_password_reset(*, actor: Scope, user, password: str | None = None) -> str:
    """A new password for ``user`` (generated unless given), to be changed at the next sign-in.
    Returns it, to be handed to the user; their open sessions end (Django's session hash)."""
    require_manageable(actor, user)
    if not user.is_active:
        raise AccessError("Tài khoản này đã bị khóa; không đặt lại mật khẩu.")
    new = password or generate_password()
    _validate_password(new, user)
    user.set_password(new)
    user.save(update_fields=["password"])
    account = _account(user)
    account.must_change_password = True
    account.save(update_fields=["must_change_password"])
    audit_record(
        action=Action.PASSWORD_RESET,
        subject_type="user",
        subject_id=str(user.pk),
        data={"username": user.username},
    )
    return new


@account_service
@transaction.atomic
def user_password_change(*, user, password: str) -> None:
    """The user sets their own new password (Django's password change form checked the old one
    and the rules): set it, record it, lift the obligation to change it. Their API keys are
    revoked (``passwords.RevokeApiKeysOnChange``)."""
    user.set_password(password)
    user.save(update_fields=["password"])
    user_password_changed(user=user)


@account_service
@transaction.atomic
def user_password_changed(*, user) -> None:
    """The user changed their own password: record it, and lift the obligation to change it."""
    Account.objects.filter(user=user, must_change_password=True).update(must_change_password=False)
    audit_record(action=Action.PASSWORD_CHANGED, subject_type="user", subject_id=str(user.pk))


def must_change_password(user) -> bool:
    return Account.objects.filter(user_id=user.pk, must_change_password=True).exists()
