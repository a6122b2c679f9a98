"""Committees and positions (RULES.md §1.3): what a leadership lacks, who may be chosen, and
the position an officer may end."""

from __future__ import annotations

from datetime import date

from django.db.models import QuerySet

from dangbo.core import clock, paths
from dangbo.core.kinds import CELL_KINDS
from dangbo.core.models import is_uuid
from dangbo.core.roles import Role
from dangbo.members.models import ACTIVE_STATUSES, Member, MemberStatus, Position
from dangbo.orgs.selectors import NotInScope
from dangbo.rules.positions import committee_gaps


def org_committee_gaps(*, actor, org, on: date | None = None) -> list:
    """What the organization's leadership lacks or exceeds today (rules.positions.committee_gaps)."""
    if not actor.can_read_path(org.path) or org.dissolved_on is not None:
        return []
    holders: dict[str, int] = {}
    for role in Position.objects.filter(org=org, ended_on__isnull=True).values_list("role", flat=True):
        holders[role] = holders.get(role, 0) + 1
    full = (
        Member.objects.filter(org=org, status=MemberStatus.FULL).count() if org.kind in CELL_KINDS else None
    )
    return committee_gaps(org_kind=org.kind, on=on or clock.today(), holders=holders, full_members=full)


def position_candidates(*, actor, org) -> QuerySet[Member]:
    """Members who may be chosen for a position in ``org``: its own members for a cell; for a
    committee, members of its subtree (found by card number or national ID on the form)."""
    if not actor.can_write_path(org.path):
        raise NotInScope(org.pk)
    return Member.objects.filter(paths.subtree_q(org.path, "org_path"), status__in=ACTIVE_STATUSES).order_by(
        "sort_key", "id"
    )


def org_position(*, actor, org, member_id, role):
    """The current position ``role`` of member ``member_id`` in ``org``, which the actor may end.
    (Position rows are rebuilt from the ledger on every event, so they are named by member
    and role, never by their own id.)"""

    if not actor.can_write_path(org.path) or not is_uuid(member_id) or role not in Role.values:
        raise NotInScope(member_id)
    position = (
        Position.objects.filter(org=org, member_id=member_id, role=role, ended_on__isnull=True)
        .select_related("member")
        .first()
    )
    if position is None:
        raise NotInScope(member_id)
    return position
