"""Merging organizations into one (hợp nhất, sáp nhập: ``org_merge``): their sub-organizations
move under it, their own members are re-homed to it, their hamlets pass to it, their
positions end, and they cease."""

from __future__ import annotations

import dataclasses
from datetime import date

from django.db import transaction

from dangbo.audit.services import Action, audit_record
from dangbo.core import paths, projections
from dangbo.core.decisions import DecisionRef
from dangbo.core.kinds import GRASSROOTS_KINDS
from dangbo.core.violations import input_violation as _input_violation
from dangbo.members.models import Placement
from dangbo.orgs.models import Locality, Org, OrgEvent, OrgVersion
from dangbo.orgs.services.tree import org_event_record, org_formation_approval_set
from dangbo.restructuring.operations.common import (
    _active_members,
    _ancestors,
    _cease,
    _check_decision,
    _end_positions,
    _formation_after,
    _hosted_members,
    _members_under,
    _move_hamlets,
    _rehome,
)
from dangbo.restructuring.operations.move import _relocate_many
from dangbo.restructuring.operations.shapes import Outcome
from dangbo.rules import orgs as org_rules
from dangbo.rules.base import Violation, refuse_if


def _check_into(
    into: Org, sources: list[Org], effective_on: date, decision: DecisionRef | None
) -> list[Violation]:
    violations = _check_decision(decision, effective_on, "hợp nhất, sáp nhập")
    if not sources:
        violations.append(_input_violation("sources", "Chưa chọn tổ chức được hợp nhất."))
    if len({s.pk for s in sources}) != len(sources):
        violations.append(_input_violation("sources", "Một tổ chức được chọn hai lần."))
    if into.dissolved_on is not None:
        violations.append(_input_violation("into", f"Tổ chức «{into.name}» đã giải thể."))
    holds_members = not org_rules.check_member_holder(kind=into.kind, on=effective_on)
    for source in sources:
        if source.pk == into.pk:
            violations.append(_input_violation("into", f"Không thể hợp nhất «{source.name}» vào chính nó."))
            continue
        if paths.is_within(into.path, source.path):
            violations.append(
                _input_violation(
                    "into",
                    f"Không thể hợp nhất «{source.name}» vào «{into.name}», một tổ chức trực thuộc nó.",
                )
            )
            continue
        if source.dissolved_on is not None:
            violations.append(_input_violation("sources", f"Tổ chức «{source.name}» đã giải thể."))
        for child in Org.objects.filter(parent=source, dissolved_on__isnull=True):
            violations += [
                dataclasses.replace(v, message=f"«{child.name}»: {v.message}")
                for v in org_rules.check_child_kind(
                    parent_kind=into.kind,
                    child_kind=child.kind,
                    parent_has_upper_rights=into.has_upper_rights,
                    on=effective_on,
                )
            ]
        members = _active_members([source.pk]).count()
        if members and not holds_members:
            violations += [
                dataclasses.replace(
                    v, message=f"{members} đảng viên của «{source.name}» sẽ không có chi bộ: {v.message}"
                )
                for v in org_rules.check_member_holder(kind=into.kind, on=effective_on)
            ]
        hamlets = Locality.objects.filter(commune=source, dissolved_on__isnull=True).count()
        if hamlets and into.kind not in GRASSROOTS_KINDS:
            violations.append(
                _input_violation(
                    "into",
                    f"{hamlets} thôn, tổ dân phố của «{source.name}» sẽ không thuộc đảng bộ xã, phường nào: "
                    f"«{into.name}» không phải tổ chức cơ sở đảng.",
                )
            )
        covered = Locality.objects.filter(cell=source, dissolved_on__isnull=True).count()
        if covered and not holds_members:
            violations.append(
                _input_violation(
                    "into",
                    f"{covered} thôn, tổ dân phố do «{source.name}» phụ trách sẽ không có chi bộ: "
                    f"«{into.name}» không phải chi bộ.",
                )
            )
        later = OrgVersion.objects.filter(paths.subtree_q(source.path), valid_from__gt=effective_on).exists()
        if later:
            violations.append(
                _input_violation(
                    "effective_on",
                    f"Ngày hiệu lực sớm hơn một thay đổi đã ghi trong «{source.name}»; không thể ghi đè lịch sử.",
                )
            )
    return violations


@transaction.atomic
def org_merge(
    *,
    sources: list[Org],
    into: Org,
    effective_on: date,
    decision: DecisionRef,
    approval: str = "",
    actor=None,
) -> Outcome:
    """Merge ``sources`` into ``into`` (hợp nhất into a newly established organization, or
    sáp nhập into an existing one): their sub-organizations move under ``into`` with their
    members, their own members are re-homed to it, their hamlets pass to it, their positions
    end, and they cease from ``effective_on``. ``approval``: the superior's written approval
    for a size the Charter otherwise does not allow (art. 21)."""
    into = Org.objects.select_for_update().get(pk=into.pk)
    locked = {
        o.pk: o
        for o in Org.objects.select_for_update().filter(pk__in=[s.pk for s in sources]).order_by("path")
    }
    sources = [locked[s.pk] for s in sources]
    refuse_if(_check_into(into, sources, effective_on, decision))
    if approval:
        org_formation_approval_set(org=into, approval=approval)
    # an organization that held members is judged on what the merge changes; a new or empty one in full
    formation_before = _formation_after(into, on=effective_on) if _members_under(into.path) else []
    outcome = Outcome(title=f"Hợp nhất {len(sources)} tổ chức vào «{into.name}»")
    target_event = org_event_record(
        org=into,
        kind=OrgEvent.Kind.MERGED,
        effective_on=effective_on,
        decision=decision,
        actor=actor,
        data={"role": "into", "from": [str(s.pk) for s in sources], "names": [s.name for s in sources]},
    )
    moves, emptied = [], []
    _end_positions(
        [source.pk for source in sources], effective_on=effective_on, decision=decision, actor=actor
    )

    into_above = _ancestors(into.path)
    for source in sources:
        outcome.members_rehomed += _rehome(
            list(_active_members([source.pk])),
            into,
            effective_on=effective_on,
            decision=decision,
            actor=actor,
        )
        _rehome(
            list(_hosted_members([source.pk])),
            into,
            effective_on=effective_on,
            decision=decision,
            actor=actor,
            hosted=True,
        )
        outcome.localities += _move_hamlets(source, into, effective_on=effective_on, decision=decision)
        # what is left under the source is its sub-organizations' content
        outcome.members_under += _members_under(source.path)
        children = list(Org.objects.filter(parent=source, dissolved_on__isnull=True).order_by("path"))
        tally_moves, moved = _relocate_many(
            [(child, into) for child in children], effective_on=effective_on, event=target_event
        )
        outcome.organizations += moved
        if Placement.objects.filter(org=source).exists():
            moves += tally_moves  # its own members' past flows stay with it: move the children one by one
        else:
            # it never held members: its counts are its children's, moved at once, and it is left empty
            moves.append((source.pk, [a for a in _ancestors(source.path) if a != source.pk], into_above))
            emptied.append(source.pk)
        source_event = _cease(
            source,
            kind=OrgEvent.Kind.MERGED,
            effective_on=effective_on,
            decision=decision,
            actor=actor,
            data={"role": "source", "into": str(into.pk), "into_name": into.name},
        )
        outcome.events.append(source_event)
        outcome.organizations += 1
    projections.tallies().subtrees_moved(moves)
    projections.tallies().rows_dropped(emptied)
    projections.tallies().fix_derived()
    refuse_if(_formation_after(into, on=effective_on, before=formation_before))
    outcome.events.append(target_event)
    audit_record(
        action=Action.UPDATED,
        subject_type="org",
        subject_id=str(into.pk),
        data={
            "merged": [s.code for s in sources],
            "effective_on": effective_on.isoformat(),
            "decision": decision.number,
            "members_rehomed": outcome.members_rehomed,
            "members_under": outcome.members_under,
        },
    )
    return outcome
