"""Reading accounts and roles, always narrowed to what the acting scope manages: an
administrator sees every account; an officer sees the roles held on organizations (and member
records) inside the subtrees where they are an officer, and the accounts they manage
(``services.can_manage``). Everyone else sees nothing (deny by default)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from dangbo.accounts.models import AccessRole, RoleAssignment
from dangbo.accounts.scope import Scope
from dangbo.accounts.services import can_manage
from dangbo.audit.services import Action, audit_record
from dangbo.core import paths
from dangbo.core.models import is_uuid
from dangbo.core.text import clean
from dangbo.core.words import query_words, word_starts_q
from dangbo.members.models import Member
from dangbo.orgs.models import Org
from dangbo.orgs.selectors import org_find_code

_NOTHING = Q(pk__in=[])


class NotManaged(LookupError):
    """The account or organization is not one the actor manages (shown as 404)."""


@dataclass(frozen=True)
class RoleFilters:
    org: Org | None = None  # the subtree whose roles are listed
    role: str = ""
    q: str = ""  # part of a user name or full name, with or without diacritics

    def as_audit(self) -> dict:
        return {"org": self.org.code if self.org else None, "role": self.role or None, "q": self.q or None}


def _managed_q(actor: Scope) -> Q:
    if actor.is_admin:
        return Q()
    if not actor.grant_paths:
        return _NOTHING
    return reduce(
        or_,
        (paths.subtree_q(p, "org__path") | paths.subtree_q(p, "member__org_path") for p in actor.grant_paths),
    )


def managed_org(*, actor: Scope, code: str) -> Org:
    """The organization of code ``code`` if the actor may grant roles on it."""
    org = org_find_code(code)
    if org is None or not actor.manages_accounts or not actor.can_grant_path(org.path):
        raise NotManaged(code)
    return org


def managed_member(*, actor: Scope, key: str):
    """The member of identifier or card number ``key`` if the actor may link an account to them."""
    key = clean(key)
    lookup = Q(pk=key) if is_uuid(key) else Q(card_number=key) if key.isdigit() and len(key) <= 8 else None
    member = (
        Member.objects.filter(lookup).filter(actor.members_q()).first()
        if lookup is not None and actor.manages_accounts
        else None
    )
    if member is None or not actor.can_grant_path(member.org_path):
        raise NotManaged(key)
    return member


def role_list(*, actor: Scope, filters: RoleFilters) -> QuerySet[RoleAssignment]:
    """Open role assignments the actor manages, by organization, role and user name."""
    rows = RoleAssignment.objects.filter(_managed_q(actor), revoked_at__isnull=True)
    if filters.org is not None:
        rows = rows.filter(
            paths.subtree_q(filters.org.path, "org__path")
            | paths.subtree_q(filters.org.path, "member__org_path")
        )
    if filters.role:
        rows = rows.filter(role=filters.role)
    if filters.q:
        q = clean(filters.q)
        # the folded key (accounts made here); user name and full name as typed (accounts made by
        # `dangbo createuser` or the demo, which have no key)
        rows = rows.filter(
            word_starts_q("user__account__search_key", query_words(q))
            | Q(user__username__icontains=q)
            | Q(user__first_name__icontains=q)
        )
    return (
        rows.select_related("user", "org", "member", "granted_by")
        .annotate(where_path=Coalesce("org__path", "member__org_path"))
        .order_by("where_path", "role", "user__username", "pk")
    )


def role_list_viewed(*, filters: RoleFilters, page: int) -> None:
    audit_record(
        action=Action.LIST_VIEWED,
        subject_type="role_list",
        data={"filters": filters.as_audit(), "page": page},
    )


def manageable_user_ids(*, actor: Scope, user_ids: Iterable[int]) -> set[int]:
    """Which of these accounts the actor may change (for links on a page of the list)."""
    User = get_user_model()
    users = User.objects.filter(pk__in=set(user_ids)).prefetch_related(
        "role_assignments__org", "role_assignments__member"
    )
    return {user.pk for user in users if can_manage(actor, user)}


def user_get(*, actor: Scope, user_id: int):
    """An account the actor manages (raises NotManaged otherwise)."""
    user = get_user_model().objects.filter(pk=user_id).select_related("account").first()
    if user is None or not can_manage(actor, user):
        raise NotManaged(user_id)
    return user


def user_roles(*, actor: Scope, user) -> list[RoleAssignment]:
    """Every role the account holds or held, newest first (the account is one the actor manages)."""
    if not can_manage(actor, user):
        raise NotManaged(user.pk)
    return list(user.role_assignments.select_related("org", "member", "granted_by").order_by("-granted_at"))


def where_label(assignment: RoleAssignment) -> tuple[str, str]:
    """(code, name) of where a role is held."""
    if assignment.org is not None:
        return assignment.org.code, assignment.org.name
    if assignment.member is not None:
        return "", f"Hồ sơ của {assignment.member.full_name}"
    return "", "Toàn hệ thống"


EXPORT_HEADER = (
    "Tên đăng nhập",
    "Họ và tên",
    "Vai trò",
    "Mã tổ chức",
    "Nơi giữ vai trò",
    "Cấp ngày",
    "Người cấp",
    "Tài khoản",
)


def role_export_rows(*, actor: Scope, filters: RoleFilters, file_format: str) -> Iterator[tuple]:
    """Every row of the list (no page): text cells and the date granted; the export is audited."""
    audit_record(
        action=Action.EXPORTED,
        subject_type="role_list",
        data={"filters": filters.as_audit(), "format": file_format},
    )
    for a in role_list(actor=actor, filters=filters).iterator(chunk_size=500):
        code, name = where_label(a)
        granted = timezone.localtime(a.granted_at)
        yield (
            a.user.username,
            a.user.get_full_name(),
            AccessRole(a.role).label,
            code,
            name,
            granted.date(),
            a.granted_by.username if a.granted_by else "",
            "đang hoạt động" if a.user.is_active else "đã khóa",
        )
