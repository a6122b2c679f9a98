"""Changing what an organization is: its kind (a grassroots cell becoming a committee with new
cells, or a committee becoming a cell: ``org_change_kind``) and its upper-level rights
(``org_set_upper_rights``)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction

from dangbo.audit.services import Action, audit_record
from dangbo.core import projections
from dangbo.core.decisions import DecisionRef
from dangbo.core.kinds import CELL_KINDS, OrgKind, Sector
from dangbo.core.violations import input_violation as _input_violation
from dangbo.orgs.models import Org, OrgEvent
from dangbo.orgs.services import org_establish
from dangbo.orgs.services.tree import org_event_record, org_kind_set, org_upper_rights_set, org_versions_renew
from dangbo.restructuring.operations.common import (
    _active_members,
    _cease,
    _check_decision,
    _end_positions,
    _formation_counts,
    _full_on,
    _hosted_members,
    _move_hamlets,
    _rehome,
)
from dangbo.restructuring.operations.shapes import Outcome
from dangbo.rules import orgs as org_rules
from dangbo.rules.base import Violation, refuse_if


@dataclass(frozen=True)
class NewCell:
    """A cell established under an organization that becomes a committee, with its members."""

    code: str
    name: str
    members: list
    localities: list = field(default_factory=list)


def _check_kind_change(
    org: Org, kind: str, approval: str, cells: list[NewCell], effective_on: date, decision: DecisionRef | None
) -> list[Violation]:
    violations = _check_decision(decision, effective_on, "đổi loại tổ chức")
    if org.dissolved_on is not None:
        violations.append(_input_violation("org", f"Tổ chức «{org.name}» đã giải thể."))
    changes = org_rules.check_kind_change(old_kind=org.kind, new_kind=kind, on=effective_on)
    if changes:
        return violations + changes
    violations += org_rules.check_child_kind(
        parent_kind=org.parent.kind if org.parent else None,
        child_kind=kind,
        parent_has_upper_rights=bool(org.parent and org.parent.has_upper_rights),
        on=effective_on,
    )
    becomes_committee = kind in (OrgKind.GRASSROOTS_COMMITTEE, OrgKind.SUB_COMMITTEE)
    violations += org_rules.check_sub_committee_approval(kind=kind, approval_ref=approval, on=effective_on)
    members = {m.pk: m for m in _active_members([org.pk])}
    if becomes_committee:
        for cell in cells:
            violations += org_rules.check_new_cell(
                kind=OrgKind.CELL,
                full_members=_full_on([members[pk] for pk in cell.members if pk in members], effective_on),
                on=effective_on,
                name=cell.name,
                field="cells",
            )
        given = [pk for cell in cells for pk in cell.members]
        missing = [members[pk] for pk in members if pk not in given]
        if missing:
            violations.append(
                _input_violation(
                    "cells",
                    f"{len(missing)} đảng viên chưa được phân công vào chi bộ trực thuộc (đảng bộ không trực tiếp có đảng viên): "
                    + ", ".join(m.full_name for m in missing[:10])
                    + (" …" if len(missing) > 10 else ""),
                )
            )
        for pk in given:
            if pk not in members:
                violations.append(
                    _input_violation("cells", f"Đảng viên {pk} không sinh hoạt tại «{org.name}».")
                )
        if len(given) != len(set(given)):
            violations.append(_input_violation("cells", "Một đảng viên được phân công vào hai chi bộ."))
        for cell in cells:
            if not cell.code or not cell.name:
                violations.append(_input_violation("cells", "Mỗi chi bộ mới cần mã và tên."))
            elif Org.objects.filter(code=cell.code).exists():
                violations.append(_input_violation("cells", f"Mã tổ chức «{cell.code}» đã được dùng."))
    else:
        for child in Org.objects.filter(parent=org, dissolved_on__isnull=True):
            if child.kind not in CELL_KINDS:
                violations.append(
                    _input_violation(
                        "kind",
                        f"«{child.name}» ({OrgKind(child.kind).label.lower()}) phải được sắp xếp lại trước khi đổi loại.",
                    )
                )
    total, full = _formation_counts(org)
    violations += org_rules.check_formation(
        kind=kind, members=total, full_members=full, on=effective_on, approval_ref=approval
    )
    return violations


@transaction.atomic
def org_change_kind(
    *,
    org: Org,
    kind: str,
    effective_on: date,
    decision: DecisionRef,
    approval: str = "",
    cells: Sequence[NewCell] = (),
    actor=None,
) -> Outcome:
    """Change a grassroots cell into a grassroots committee (its members distributed into the
    new cells ``cells``) or a committee into a cell (its cells' members re-homed to it and the
    cells ceasing). ``approval`` is the superior's written approval the Charter asks for
    when the count is on the wrong side of 30."""
    org = Org.objects.select_for_update().get(pk=org.pk)
    cells = list(cells)
    refuse_if(_check_kind_change(org, kind, approval, cells, effective_on, decision))
    old_kind = org.kind
    outcome = Outcome(
        title=f"Đổi «{org.name}» từ {OrgKind(old_kind).label.lower()} thành {OrgKind(kind).label.lower()}"
    )
    org_kind_set(org=org, kind=kind, formation_approval=approval)
    event = org_event_record(
        org=org,
        kind=OrgEvent.Kind.KIND_CHANGED,
        effective_on=effective_on,
        decision=decision,
        actor=actor,
        data={"old_kind": old_kind, "new_kind": kind, "approval": approval},
    )
    org_versions_renew(org_ids=[org.pk], effective_on=effective_on, event=event)
    if kind in (OrgKind.GRASSROOTS_COMMITTEE, OrgKind.SUB_COMMITTEE):
        sector = (
            Sector.RESIDENTIAL if org.sector in (Sector.COMMUNE, Sector.WARD, Sector.TOWNLET) else org.sector
        )
        for spec in cells:
            cell = org_establish(
                code=spec.code,
                name=spec.name,
                kind=OrgKind.CELL,
                parent=org,
                established_on=effective_on,
                sector=sector,
                decision=decision,
                actor=actor,
            )
            outcome.organizations += 1
            outcome.members_rehomed += _rehome(
                list(_active_members([org.pk]).filter(pk__in=spec.members)),
                cell,
                effective_on=effective_on,
                decision=decision,
                actor=actor,
            )
            outcome.localities += _move_hamlets(
                org, cell, spec.localities, effective_on=effective_on, decision=decision
            )
    else:
        for child in list(Org.objects.filter(parent=org, dissolved_on__isnull=True)):
            _end_positions([child.pk], effective_on=effective_on, decision=decision, actor=actor)
            outcome.members_rehomed += _rehome(
                list(_active_members([child.pk])),
                org,
                effective_on=effective_on,
                decision=decision,
                actor=actor,
            )
            _rehome(
                list(_hosted_members([child.pk])),
                org,
                effective_on=effective_on,
                decision=decision,
                actor=actor,
                hosted=True,
            )
            outcome.localities += _move_hamlets(child, org, effective_on=effective_on, decision=decision)
            _cease(
                child,
                kind=OrgEvent.Kind.MERGED,
                effective_on=effective_on,
                decision=decision,
                actor=actor,
                data={"role": "source", "into": str(org.pk), "into_name": org.name},
            )
            outcome.organizations += 1
    projections.tallies().fix_derived()
    outcome.events.append(event)
    audit_record(
        action=Action.UPDATED,
        subject_type="org",
        subject_id=str(org.pk),
        data={
            "kind": [old_kind, kind],
            "approval": approval,
            "effective_on": effective_on.isoformat(),
            "decision": decision.number,
        },
    )
    return outcome


def _check_rights(
    org: Org, granted: bool, effective_on: date, decision: DecisionRef | None
) -> list[Violation]:
    violations = _check_decision(decision, effective_on, "giao, thu hồi quyền cấp trên cơ sở")
    holder = org_rules.check_upper_rights_holder(kind=org.kind, on=effective_on, field="org")
    violations += holder
    if not holder and org.has_upper_rights == granted:
        violations.append(
            _input_violation(
                "org", f"«{org.name}» {'đã' if granted else 'chưa'} được giao quyền cấp trên cơ sở."
            )
        )
    if not granted:
        for child in Org.objects.filter(parent=org, dissolved_on__isnull=True):
            violations += [
                dataclasses.replace(
                    v, message=f"«{child.name}»: {v.message} Chuyển tổ chức này đi trước khi thu hồi quyền."
                )
                for v in org_rules.check_child_kind(
                    parent_kind=org.kind, child_kind=child.kind, on=effective_on
                )
            ]
    return violations


@transaction.atomic
def org_set_upper_rights(
    *, org: Org, granted: bool, effective_on: date, decision: DecisionRef, actor=None
) -> Outcome:
    """Grant or withdraw upper-level rights (a grassroots committee that may hold grassroots
    organizations): its leaders then count, or stop counting, as grassroots leaders."""
    org = Org.objects.select_for_update().get(pk=org.pk)
    refuse_if(_check_rights(org, granted, effective_on, decision))
    before = Org.objects.get(pk=org.pk)
    org_upper_rights_set(org=org, granted=granted)
    event = org_event_record(
        org=org,
        kind=OrgEvent.Kind.RIGHTS_CHANGED,
        effective_on=effective_on,
        decision=decision,
        actor=actor,
        data={"granted": granted},
    )
    org_versions_renew(org_ids=[org.pk], effective_on=effective_on, event=event)
    projections.tallies().org_leaders_changed(before=before, after=org)
    projections.tallies().fix_derived()
    audit_record(
        action=Action.UPDATED,
        subject_type="org",
        subject_id=str(org.pk),
        data={"upper_rights": granted, "effective_on": effective_on.isoformat(), "decision": decision.number},
    )
    return Outcome(
        title=("Giao" if granted else "Thu hồi") + f" quyền cấp trên cơ sở cho «{org.name}»", events=[event]
    )
