"""Granting and revoking access. Each change is written to the audit trail."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from dangbo.accounts.models import AccessRole, RoleAssignment
from dangbo.audit.services import audit_record
from dangbo.orgs.kinds import OrgKind

CELL_KINDS = frozenset({OrgKind.GRASSROOTS_CELL, OrgKind.CELL})


class AccessError(ValueError):
    """A role assignment that cannot be made; the message is Vietnamese."""


@transaction.atomic
def role_grant(*, user, role: str, org=None, member=None, granted_by=None) -> RoleAssignment:
    role = AccessRole(role)
    if role == AccessRole.ADMIN and (org or member):
        raise AccessError("Quyền quản trị hệ thống áp dụng cho toàn hệ thống, không gắn với tổ chức hay đảng viên.")
    if role == AccessRole.MEMBER and (member is None or org is not None):
        raise AccessError("Vai trò đảng viên phải gắn với đúng hồ sơ của đảng viên đó.")
    if role in (AccessRole.OFFICER, AccessRole.SECRETARY, AccessRole.LEADER) and (org is None or member is not None):
        raise AccessError(f"Vai trò «{role.label}» phải gắn với một tổ chức đảng.")
    if role == AccessRole.SECRETARY and org.kind not in CELL_KINDS:
        raise AccessError("Vai trò bí thư chi bộ chỉ gắn với một chi bộ.")
    if org is not None and org.dissolved_on is not None:
        raise AccessError(f"{org.name} đã giải thể.")
    assignment = RoleAssignment.objects.create(user=user, role=role, org=org, member=member, granted_by=granted_by)
    audit_record(
        action="role_granted", subject_type="user", subject_id=str(user.pk),
        data={"role": str(role), "org": org.code if org else None, "member": str(member.pk) if member else None},
    )
    return assignment


@transaction.atomic
def role_revoke(*, assignment: RoleAssignment) -> None:
    if assignment.revoked_at is None:
        assignment.revoked_at = timezone.now()
        assignment.save(update_fields=["revoked_at"])
        audit_record(
            action="role_revoked", subject_type="user", subject_id=str(assignment.user_id),
            data={"role": assignment.role, "assignment": str(assignment.pk)},
        )
