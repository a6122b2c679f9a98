"""What a user may see and change, computed once per request from their role assignments.

Every selector of people or organizations takes a ``Scope`` (the acting user) and filters
with ``orgs_q`` / ``members_q``; nothing else decides access (DESIGN.md decision 4).
Deny by default: an empty scope matches no row.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from functools import reduce
from operator import or_
from typing import NamedTuple

from django.db.models import Q

from dangbo.accounts.models import AccessRole
from dangbo.core import paths

_NOTHING = Q(pk__in=[])

# Which roles read, and which write, the subtree of the organization they are held on.
READING_ROLES = frozenset({AccessRole.OFFICER, AccessRole.SECRETARY, AccessRole.LEADER})
WRITING_ROLES = frozenset({AccessRole.OFFICER, AccessRole.SECRETARY})


def _roots(path_list) -> tuple[str, ...]:
    """The smallest set of subtree roots covering ``path_list`` (drop paths inside another)."""
    roots: list[str] = []
    for path in sorted(set(path_list)):
        if not any(path.startswith(root) for root in roots):
            roots.append(path)
    return tuple(roots)


@dataclass(frozen=True)
class Scope:
    user_id: int | None
    username: str
    roles: tuple[str, ...] = ()
    is_admin: bool = False
    read_paths: tuple[str, ...] = ()
    write_paths: tuple[str, ...] = ()
    own_member_id: uuid.UUID | None = None
    # Subtree roots where the user is an officer: where they may give and take accounts' roles
    # (a cell secretary writes the cell's records but manages no accounts).
    grant_paths: tuple[str, ...] = ()
    # Subtree roots where the user may export lists of people: where they write (officer,
    # secretary), and where they lead with ``RoleAssignment.may_export_personal``.
    export_paths: tuple[str, ...] = ()
    # Readable subtree roots as (code, name), for the audit trail and the page header.
    root_labels: tuple[tuple[str, str], ...] = field(default=(), compare=False)
    # The organization a member-only user belongs to (their cell's name), for the page header.
    own_unit: str = field(default="", compare=False)

    # --- filters for selectors -------------------------------------------------------
    def orgs_q(self, field_name: str = "path") -> Q:
        if self.is_admin:
            return Q()
        if not self.read_paths:
            return _NOTHING
        return reduce(or_, (paths.subtree_q(p, field_name) for p in self.read_paths))

    def members_q(self) -> Q:
        if self.is_admin:
            return Q()
        q = self.orgs_q("org_path") if self.read_paths else _NOTHING
        if self.own_member_id:
            q = q | Q(pk=self.own_member_id)
        return q

    # --- checks on one record ----------------------------------------------------------
    def can_read_path(self, path: str) -> bool:
        return self.is_admin or any(path.startswith(root) for root in self.read_paths)

    def can_write_path(self, path: str) -> bool:
        return self.is_admin or any(path.startswith(root) for root in self.write_paths)

    def can_grant_path(self, path: str) -> bool:
        return self.is_admin or any(path.startswith(root) for root in self.grant_paths)

    def can_export_personal_path(self, path: str) -> bool:
        return self.is_admin or any(path.startswith(root) for root in self.export_paths)

    def can_organize_path(self, path: str) -> bool:
        """The organization work of the organization committee's officers: establishing,
        moving, merging, splitting and dissolving organizations, and importing data. It is the
        upper committee's decision, carried out by its officers (or an administrator); a cell
        secretary writes the cell's records but does not reshape the tree."""
        return self.can_grant_path(path)

    @property
    def organizes(self) -> bool:
        """Whether the user does organization work anywhere (``can_organize_path``)."""
        return self.is_admin or bool(self.grant_paths)

    @property
    def manages_accounts(self) -> bool:
        """Administrators, and officers within their subtrees (accounts.services)."""
        return self.is_admin or bool(self.grant_paths)

    def can_read_member(self, member) -> bool:
        return self.can_read_path(member.org_path) or (
            self.own_member_id is not None and member.pk == self.own_member_id
        )

    def can_write_member(self, member) -> bool:
        return self.can_write_path(member.org_path)

    @property
    def sees_orgs(self) -> bool:
        return self.is_admin or bool(self.read_paths)

    @property
    def is_empty(self) -> bool:
        return not (self.is_admin or self.read_paths or self.own_member_id)

    @property
    def role_label(self) -> str:
        return ", ".join(AccessRole(role).label for role in self.roles) or "chưa được phân quyền"

    @property
    def unit_label(self) -> str:
        """The unit the user works for, as the page header shows it: the organizations their
        roles are held on (the first two named), or their own cell."""
        if self.is_admin:
            return "Toàn hệ thống"
        names = [name for _, name in self.root_labels]
        if len(names) > 2:
            return f"{names[0]}, {names[1]} và {len(names) - 2} tổ chức khác"
        return ", ".join(names) or self.own_unit

    @property
    def label(self) -> str:
        """Who and over what, as the audit trail records it."""
        if self.is_admin:
            return "toàn hệ thống"
        parts = [f"{code} {name}" for code, name in self.root_labels]
        if self.own_member_id:
            parts.append(f"hồ sơ của mình ({self.own_member_id})")
        return "; ".join(parts) or "không có"


ANONYMOUS = Scope(user_id=None, username="")
# The installation acting for itself: set-up code (the command line, the demo, tests' fixtures).
SYSTEM = Scope(user_id=None, username="hệ thống", roles=(AccessRole.ADMIN.value,), is_admin=True)


class _Held(NamedTuple):
    """One open role assignment, as the scope reads it."""

    role: str
    member_id: uuid.UUID | None
    may_export_personal: bool
    org_id: uuid.UUID | None
    org_path: str | None
    org_dissolved_on: object
    org_code: str | None
    org_name: str | None
    member_org_name: str | None


def scope_for(user) -> Scope:
    """The user's scope from their open role assignments (a superuser is an administrator)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return ANONYMOUS
    # Every request asks (accounts.middleware): the columns the scope needs, not three tables'
    # rows as models, cost twice the CPU (bench/results/load.md, "Per-request work").
    assignments = [
        _Held(*row)
        for row in user.role_assignments.filter(revoked_at__isnull=True)
        .order_by("role")
        .values_list(
            "role",
            "member_id",
            "may_export_personal",
            "org_id",
            "org__path",
            "org__dissolved_on",
            "org__code",
            "org__name",
            "member__org__name",
        )
    ]
    roles = sorted({a.role for a in assignments} | ({AccessRole.ADMIN} if user.is_superuser else set()))
    is_admin = AccessRole.ADMIN in roles
    live = [a for a in assignments if a.org_id is None or a.org_dissolved_on is None]
    read = _roots(a.org_path for a in live if a.role in READING_ROLES and a.org_path)
    write = _roots(a.org_path for a in live if a.role in WRITING_ROLES and a.org_path)
    grant = _roots(a.org_path for a in live if a.role == AccessRole.OFFICER and a.org_path)
    export = _roots(
        [a.org_path for a in live if a.org_path and (a.role in WRITING_ROLES or a.may_export_personal)]
    )
    own_role = next((a for a in live if a.role == AccessRole.MEMBER and a.member_id), None)
    own = own_role.member_id if own_role else None
    labels = tuple(
        (a.org_code or "", a.org_name or "")
        for a in sorted(live, key=lambda a: a.org_path or "")
        if a.org_path and a.org_path in read
    )
    return Scope(
        user_id=user.pk,
        username=user.get_username(),
        roles=tuple(str(r) for r in roles),
        is_admin=is_admin,
        read_paths=read,
        write_paths=write,
        own_member_id=own,
        grant_paths=grant,
        export_paths=export,
        root_labels=labels,
        own_unit=(own_role.member_org_name or "") if own_role else "",
    )
