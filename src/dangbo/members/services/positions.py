"""Positions (RULES.md §1.3): a member takes or leaves a position in an organization's
committee or a cell's leadership; both are ledger events."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from dangbo.core import paths, text
from dangbo.core.decisions import DecisionRef
from dangbo.core.kinds import CELL_KINDS
from dangbo.core.roles import COMMITTEE_ROLES, Role
from dangbo.members.models import Member, MemberEvent, MemberStatus, Position
from dangbo.members.services import INPUT, append_event
from dangbo.orgs.models import Org
from dangbo.rules import positions as position_rules
from dangbo.rules.base import RuleViolation, Violation, refuse_if

Kind = MemberEvent.Kind


def _cell_full_members(org: Org) -> int:
    return Member.objects.filter(org=org, status=MemberStatus.FULL).count()


@transaction.atomic
def member_position_start(
    *,
    member: Member,
    org: Org,
    role: str,
    started_on: date,
    decision: DecisionRef = DecisionRef(),
    term: str = "",
    actor=None,
) -> MemberEvent:
    """A member takes a position (secretary, deputy, committee member, ...) in ``org``, for
    the term (nhiệm kỳ, e.g. "2025–2030") when one is given."""
    member = Member.objects.get(pk=member.pk)
    org = Org.objects.select_for_update().get(pk=org.pk)  # serialise appointments in one org
    if role not in Role.values:
        raise RuleViolation([Violation("input", f"Chức vụ không hợp lệ: «{role}».", INPUT, field="role")])
    current = Position.objects.filter(org=org, ended_on__isnull=True)
    holders: dict[str, int] = {}
    for held_role in current.values_list("role", flat=True):
        holders[held_role] = holders.get(held_role, 0) + 1
    if role == Role.GROUP_LEADER:
        holder_in_org = org.parent_id == member.org_id
    else:
        holder_in_org = member.status in (MemberStatus.PROBATIONARY, MemberStatus.FULL) and paths.is_within(
            member.org_path, org.path
        )
    violations = position_rules.check_position(
        role=role,
        org_kind=org.kind,
        on=started_on,
        holder_is_full=member.status == MemberStatus.FULL,
        holder_in_org=holder_in_org,
        current_holders=holders,
        cell_full_members=_cell_full_members(org) if org.kind in CELL_KINDS else None,
    )
    if role in COMMITTEE_ROLES and current.filter(member=member, role__in=COMMITTEE_ROLES).exists():
        violations.append(
            Violation(
                position_rules.POSITION_KINDS.code,
                "Đảng viên đã giữ một chức vụ trong cấp ủy này; kết thúc chức vụ cũ trước khi nhận chức vụ mới.",
                position_rules.POSITION_KINDS.at(started_on).citation,
                field="role",
            )
        )
    refuse_if(violations)
    event = MemberEvent(
        kind=Kind.POSITION_STARTED,
        effective_on=started_on,
        position_org=org,
        role=role,
        recorded_by=actor,
        rule_version=position_rules.POSITION_KINDS.at(started_on).ref,
        data={"term": text.clean(term)[:20]} if text.clean(term) else {},
        **decision.fields(),
    )
    return append_event(member, event)


@transaction.atomic
def member_position_end(
    *, member: Member, org: Org, role: str, ended_on: date, decision: DecisionRef = DecisionRef(), actor=None
) -> MemberEvent:
    event = MemberEvent(
        kind=Kind.POSITION_ENDED,
        effective_on=ended_on,
        position_org=org,
        role=role,
        recorded_by=actor,
        **decision.fields(),
    )
    return append_event(member, event)
