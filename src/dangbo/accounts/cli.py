"""`dangbo user add|list|revoke|password|reset-2fa|end-sessions`: accounts and roles from the command line.

The command line acts as the installation itself (``scope.SYSTEM``, an administrator), through
the same services as the pages, so every change is checked and audited the same way. A refusal
prints the Vietnamese message and exits with status 2.

dangbo's command line imports this module to build its parser, before Django is configured, so
the project's models, and the modules that import them, are imported inside each command, after
``django.setup()``.
"""

from __future__ import annotations

import argparse
import json
import sys

from django.contrib.auth import get_user_model

from dangbo.core import paths
from dangbo.core.setup import django_setup as _setup

ROLE_NAMES = {
    "admin": "admin",
    "officer": "officer",
    "leader": "leader",
    "secretary": "secretary",
    "member": "member",
}


def _refuse(message: str) -> int:
    print(message, file=sys.stderr)
    return 2


def _org(code: str | None):
    from dangbo.orgs.models import Org  # after django.setup() (see the module's docstring)

    return Org.objects.filter(code=code).first() if code else None


def _member(key: str):
    # after django.setup() (see the module's docstring)
    from dangbo.accounts.scope import SYSTEM
    from dangbo.accounts.selectors import NotManaged, managed_member

    try:
        return managed_member(actor=SYSTEM, key=key)
    except NotManaged:
        return None


def cmd_user_add(args: argparse.Namespace) -> int:
    _setup()
    # after django.setup() (see the module's docstring)
    from dangbo.accounts import services
    from dangbo.accounts.scope import SYSTEM

    org = _org(args.org)
    if args.org and org is None:
        return _refuse(f"Không có tổ chức mã «{args.org}».")
    member = None
    if args.member and args.role != "member":
        return _refuse("Chỉ vai trò member mới dùng --member.")
    if args.member:
        member = _member(args.member)
        if member is None:
            return _refuse(f"Không có đảng viên có số thẻ hoặc mã hồ sơ «{args.member}».")
        if org is not None and not member.org_path.startswith(org.path):
            return _refuse(f"Đảng viên này không sinh hoạt trong {org.name}.")
        org = None  # a member role is held on the member's own record
    elif args.role == "member":
        return _refuse("Vai trò đảng viên cần --member (số thẻ hoặc mã hồ sơ của đảng viên).")
    try:
        existing = get_user_model().objects.filter(username__iexact=args.username).first()
        if existing is not None:
            if args.password:
                return _refuse(
                    f"Tài khoản «{existing.username}» đã có; không đặt mật khẩu qua lệnh thêm vai trò."
                )
            services.role_grant(actor=SYSTEM, user=existing, role=args.role, org=org, member=member)
            print(f"Đã cấp thêm vai trò cho tài khoản «{existing.username}».")
            return 0
        user, password = services.user_create(
            actor=SYSTEM,
            username=args.username,
            full_name=args.full_name or "",
            role=args.role,
            org=org,
            member=member,
            password=args.password,
            email=args.email or "",
        )
    except services.AccessError as error:
        return _refuse(str(error))
    print(f"Đã tạo tài khoản «{user.username}».")
    if not args.password:
        print(f"Mật khẩu ban đầu: {password}")
    print("Người dùng phải đổi mật khẩu khi đăng nhập lần đầu.")
    return 0


def cmd_user_list(args: argparse.Namespace) -> int:
    _setup()
    # after django.setup() (see the module's docstring)
    from dangbo.accounts.models import AccessRole
    from dangbo.accounts.scope import SYSTEM
    from dangbo.accounts.selectors import RoleFilters, role_list, where_label

    org = _org(args.org)
    if args.org and org is None:
        return _refuse(f"Không có tổ chức mã «{args.org}».")
    rows = role_list(actor=SYSTEM, filters=RoleFilters(org=org, role=args.role or ""))
    if args.format == "json":
        items = []
        for a in rows.iterator(chunk_size=500):
            code, name = where_label(a)
            items.append(
                {
                    "username": a.user.username,
                    "full_name": a.user.get_full_name(),
                    "active": a.user.is_active,
                    "role": a.role,
                    "org": code or None,
                    "where": name,
                    "member_id": str(a.member_id) if a.member_id else None,
                    "granted_at": a.granted_at.isoformat(),
                    "granted_by": a.granted_by.username if a.granted_by else None,
                }
            )
        print(json.dumps({"org": org.code if org else None, "roles": items}, ensure_ascii=False, indent=2))
        return 0
    count = 0
    for a in rows.iterator(chunk_size=500):
        code, name = where_label(a)
        count += 1
        print(
            f"{a.user.username:<20} {AccessRole(a.role).label:<18} {(code + ' — ') if code else ''}{name}"
            f"{'' if a.user.is_active else ' (đã khóa)'}"
        )
    print(
        f"Tổng: {count} vai trò đang có hiệu lực"
        + (f" trong {org.name} và các tổ chức trực thuộc." if org else ".")
    )
    return 0


def cmd_user_revoke(args: argparse.Namespace) -> int:
    """End the account's open roles on organization CODE (its member role, if the member
    belongs to CODE's subtree; with --role, only that role)."""
    _setup()
    # after django.setup() (see the module's docstring)
    from dangbo.accounts import services
    from dangbo.accounts.models import AccessRole
    from dangbo.accounts.scope import SYSTEM

    user = get_user_model().objects.filter(username__iexact=args.username).first()
    if user is None:
        return _refuse(f"Không có tài khoản «{args.username}».")
    held = user.role_assignments.filter(revoked_at__isnull=True)
    if args.role:
        held = held.filter(role=args.role)
    if args.role == AccessRole.ADMIN:
        targets = list(held)
    else:
        org = _org(args.org)
        if org is None:
            return _refuse(
                f"Không có tổ chức mã «{args.org}»." if args.org else "Cần --org MÃ (hoặc --role admin)."
            )
        member_q = paths.subtree_q(org.path, "member__org_path")
        targets = list(held.filter(org=org)) + list(held.filter(member_q, role=AccessRole.MEMBER))
    if not targets:
        return _refuse(f"Tài khoản «{user.username}» không có vai trò nào đang có hiệu lực ở đó.")
    try:
        for assignment in targets:
            services.role_revoke(actor=SYSTEM, assignment=assignment)
    except services.AccessError as error:
        return _refuse(str(error))
    print(f"Đã thu hồi {len(targets)} vai trò của tài khoản «{user.username}».")
    return 0


def _account(username: str):
    return get_user_model().objects.filter(username__iexact=username).first()


def cmd_user_password(args: argparse.Namespace) -> int:
    """A new password for the account (generated and printed), to be changed at the next
    sign-in; the account's API keys are revoked. For an administrator locked out of the pages."""
    _setup()
    from dangbo.accounts import services  # after django.setup() (see the module's docstring)
    from dangbo.accounts.scope import SYSTEM

    user = _account(args.username)
    if user is None:
        return _refuse(f"Không có tài khoản «{args.username}».")
    try:
        password = services.user_password_reset(actor=SYSTEM, user=user)
    except services.AccessError as error:
        return _refuse(str(error))
    print(f"Mật khẩu mới của «{user.username}»: {password}")
    print("Người dùng phải đổi mật khẩu khi đăng nhập; mọi khóa API của tài khoản đã bị thu hồi.")
    return 0


def cmd_user_reset_2fa(args: argparse.Namespace) -> int:
    """Remove the account's authenticator app and recovery codes (a lost telephone): the user
    enrols again at the next sign-in. For when no administrator can sign in to do it."""
    _setup()
    # after django.setup() (see the module's docstring)
    from dangbo.accounts.scope import SYSTEM
    from dangbo.accounts.services import AccessError
    from dangbo.accounts.twofactor import second_factor_reset

    user = _account(args.username)
    if user is None:
        return _refuse(f"Không có tài khoản «{args.username}».")
    try:
        second_factor_reset(actor=SYSTEM, user=user)
    except AccessError as error:
        return _refuse(str(error))
    print(f"Đã đặt lại xác thực hai bước của «{user.username}»: lần đăng nhập tới, người dùng đăng ký lại.")
    return 0


def cmd_user_end_sessions(args: argparse.Namespace) -> int:
    """End the open sessions of one account, or of every account (``--all``: a stolen laptop, a
    suspected break-in); each ends at its next request."""
    _setup()
    # after django.setup() (see the module's docstring)
    from dangbo.accounts import services
    from dangbo.accounts.scope import SYSTEM

    if args.all == bool(args.username):
        return _refuse("Nêu một tên đăng nhập, hoặc --all cho mọi tài khoản.")
    if args.all:
        users = list(get_user_model().objects.order_by("pk"))
    else:
        user = _account(args.username)
        if user is None:
            return _refuse(f"Không có tài khoản «{args.username}».")
        users = [user]
    for user in users:
        services.sessions_end(actor=SYSTEM, user=user)
    print(f"Đã kết thúc các phiên đăng nhập của {len(users)} tài khoản.")
    return 0


def add_parsers(sub) -> None:
    user = sub.add_parser("user", help="tài khoản và phân quyền")
    user_sub = user.add_subparsers(dest="user_command", required=True)

    add = user_sub.add_parser(
        "add", help="tạo tài khoản với một vai trò (hoặc cấp thêm vai trò cho tài khoản đã có)"
    )
    add.add_argument("username", metavar="TÊN")
    add.add_argument("--role", required=True, choices=sorted(ROLE_NAMES))
    add.add_argument("--org", metavar="MÃ", help="mã tổ chức (không dùng cho admin; với member: để kiểm tra)")
    add.add_argument("--member", metavar="ID", help="số thẻ hoặc mã hồ sơ đảng viên (vai trò member)")
    add.add_argument("--full-name", help="họ và tên")
    add.add_argument("--email")
    add.add_argument("--password", help="mật khẩu ban đầu (mặc định: tạo ngẫu nhiên và in ra)")
    add.set_defaults(func=cmd_user_add)

    ls = user_sub.add_parser("list", help="ai giữ vai trò gì ở đâu")
    ls.add_argument("--org", metavar="MÃ", help="chỉ tổ chức này và các tổ chức trực thuộc")
    ls.add_argument("--role", choices=sorted(ROLE_NAMES))
    ls.add_argument("--format", choices=("text", "json"), default="text")
    ls.set_defaults(func=cmd_user_list)

    revoke = user_sub.add_parser("revoke", help="thu hồi vai trò của một tài khoản tại một tổ chức")
    revoke.add_argument("username", metavar="TÊN")
    revoke.add_argument("--org", metavar="MÃ")
    revoke.add_argument("--role", choices=sorted(ROLE_NAMES))
    revoke.set_defaults(func=cmd_user_revoke)

    password = user_sub.add_parser(
        "password", help="đặt lại mật khẩu (in ra mật khẩu mới; phải đổi khi đăng nhập; thu hồi khóa API)"
    )
    password.add_argument("username", metavar="TÊN")
    password.set_defaults(func=cmd_user_password)

    reset_2fa = user_sub.add_parser(
        "reset-2fa", help="đặt lại xác thực hai bước (mất điện thoại): người dùng đăng ký lại khi đăng nhập"
    )
    reset_2fa.add_argument("username", metavar="TÊN")
    reset_2fa.set_defaults(func=cmd_user_reset_2fa)

    end_sessions = user_sub.add_parser(
        "end-sessions", help="kết thúc các phiên đăng nhập đang mở của một tài khoản, hoặc của mọi tài khoản"
    )
    end_sessions.add_argument("username", metavar="TÊN", nargs="?")
    end_sessions.add_argument("--all", action="store_true", help="mọi tài khoản")
    end_sessions.set_defaults(func=cmd_user_end_sessions)
