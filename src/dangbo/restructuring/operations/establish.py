"""Establishing a cell with the members its decision assigns (``org_establish_with_members``):
checked for three full members on the day, then established and its members re-homed, in one
transaction."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from dangbo.core.decisions import DecisionRef
from dangbo.core.violations import input_violation as _input_violation
from dangbo.orgs.models import Org
from dangbo.orgs.services import org_establish
from dangbo.restructuring.operations.common import _active_members_under, _check_decision, _full_on, _rehome
from dangbo.rules import orgs as org_rules
from dangbo.rules.base import refuse_if


@transaction.atomic
def org_establish_with_members(
    *,
    code: str,
    name: str,
    kind: str,
    parent: Org,
    established_on: date,
    decision: DecisionRef,
    members: list,
    sector: str = "",
    formation_approval: str = "",
    actor=None,
) -> Org:
    """Establish a cell (or grassroots cell) under ``parent`` with the members the decision
    assigns to it, re-homed there on ``established_on`` by ``rehomed`` events carrying the
    decision. Refused, writing nothing, below three full members (Charter art. 21), and for
    members who are not active in ``parent``'s subtree."""
    violations = _check_decision(decision, established_on, "thành lập")
    ids = list(dict.fromkeys(getattr(m, "pk", m) for m in members))
    found = {m.pk: m for m in _active_members_under(parent.path).filter(pk__in=ids)}
    missing = [pk for pk in ids if pk not in found]
    if missing:
        violations.append(
            _input_violation(
                "members",
                f"{len(missing)} đảng viên không đang sinh hoạt trong «{parent.name}»: chỉ giao được đảng viên của tổ chức này.",
            )
        )
    chosen = [found[pk] for pk in ids if pk in found]
    violations += org_rules.check_new_cell(
        kind=kind, full_members=_full_on(chosen, established_on), on=established_on, name=name
    )
    violations += org_rules.check_member_holder(kind=kind, on=established_on)
    refuse_if(violations)
    org = org_establish(
        code=code,
        name=name,
        kind=kind,
        parent=parent,
        established_on=established_on,
        sector=sector,
        decision=decision,
        formation_approval=formation_approval,
        actor=actor,
    )
    _rehome(chosen, org, effective_on=established_on, decision=decision, actor=actor)
    return org
