"""One demo login per role, placed on the demo province so each sees a different scope."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from dangbo.accounts.models import AccessRole, RoleAssignment
from dangbo.accounts.services import role_grant
from dangbo.core import clock, paths
from dangbo.core.kinds import CELL_KINDS, OrgKind
from dangbo.members.models import ACTIVE_STATUSES, Member
from dangbo.orgs.models import Org


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: str
    scope: str


def _pick_orgs():
    """The province (the leader's), the first live upper-level committee in it (the officer's:
    after the 2025 reform dissolved the district committees, the agencies-and-enterprises bloc;
    in the 2021 province, the city of Lào Cai), the first cell with members under that (the
    secretary's) and that cell's first member by name."""
    top = Org.objects.filter(parent__isnull=True, dissolved_on__isnull=True).order_by("path").first()
    if top is None:
        return None
    live = Org.objects.filter(dissolved_on__isnull=True)
    upper = (
        live.filter(paths.subtree_q(top.path), kind=OrgKind.UPPER).order_by("path").first()
        or live.filter(paths.subtree_q(top.path), kind=OrgKind.GRASSROOTS_COMMITTEE).order_by("path").first()
        or top
    )
    cell = (
        live.filter(paths.subtree_q(upper.path), kind__in=CELL_KINDS, members__status__in=ACTIVE_STATUSES)
        .order_by("path")
        .first()
    )
    member = (
        Member.objects.filter(org=cell, status__in=ACTIVE_STATUSES).order_by("sort_key").first()
        if cell
        else None
    )
    return top, upper, cell, member


@transaction.atomic
def demo_logins() -> list[DemoLogin]:
    """Create (or reset) the demo accounts and their role assignments; return what to print."""
    User = get_user_model()
    picked = _pick_orgs()
    plan = [("quantri", "Quản trị hệ thống", AccessRole.ADMIN, None, None)]
    if picked:
        top, upper, cell, member = picked
        plan += [
            ("lanhdao", "Lãnh đạo tỉnh ủy", AccessRole.LEADER, top, None),
            ("canbo", "Cán bộ Ban Tổ chức", AccessRole.OFFICER, upper, None),
        ]
        if cell:
            plan.append(("bithu", "Bí thư chi bộ", AccessRole.SECRETARY, cell, None))
        if member:
            plan.append(("dangvien", member.full_name, AccessRole.MEMBER, None, member))
    logins = []
    for username, full_name, role, org, member in plan:
        user, _ = User.objects.get_or_create(username=username)
        user.first_name = full_name
        user.is_staff = user.is_superuser = role == AccessRole.ADMIN
        password = f"{username}-demo-2021"
        if not user.check_password(password):
            # only when it differs: setting a password revokes the account's API keys (and the
            # change is audited), which a restart of the demo should not do
            user.set_password(password)
        user.save()
        held = RoleAssignment.objects.filter(user=user, revoked_at__isnull=True)
        if not held.filter(role=role, org=org, member=member).exists():
            held.update(revoked_at=clock.now())
            if role != AccessRole.ADMIN:
                role_grant(user=user, role=role, org=org, member=member)
        scope = org.name if org else (f"hồ sơ của {member.full_name}" if member else "toàn hệ thống")
        if org is not None and org.kind in CELL_KINDS and org.parent is not None:
            scope += f" ({org.parent.name})"  # a cell's name alone may be its ward's «Tổ dân phố số 1»
        logins.append(DemoLogin(username, password, role.label, scope))
    return logins
