"""Splitting an organization (chia tách, tách một phần: ``org_split``): each receiving
organization takes the members, hamlets and sub-organizations assigned to it (``Share``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.db.models import Q

from dangbo.audit.services import Action, audit_record
from dangbo.core import paths, projections
from dangbo.core.decisions import DecisionRef
from dangbo.core.kinds import GRASSROOTS_KINDS
from dangbo.core.violations import input_violation as _input_violation
from dangbo.orgs.models import Locality, Org, OrgEvent
from dangbo.orgs.services.tree import org_event_record
from dangbo.restructuring.operations.common import (
    _active_members,
    _cease,
    _check_decision,
    _end_positions,
    _full_on,
    _hosted_members,
    _members_under,
    _move_hamlets,
    _rehome,
)
from dangbo.restructuring.operations.move import _relocate_many
from dangbo.restructuring.operations.shapes import Outcome
from dangbo.rules import orgs as org_rules
from dangbo.rules.base import Violation, refuse_if


@dataclass
class Share:
    """What one organization receives in a split: members, hamlets and sub-organizations (ids)."""

    members: list = field(default_factory=list)
    localities: list = field(default_factory=list)
    children: list = field(default_factory=list)


def _check_split(
    source: Org, shares: dict[Org, Share], effective_on: date, decision: DecisionRef | None, keep: bool
) -> list[Violation]:
    violations = _check_decision(decision, effective_on, "chia tách")
    if source.dissolved_on is not None:
        violations.append(_input_violation("org", f"Tổ chức «{source.name}» đã giải thể."))
    members = {m.pk: m for m in _active_members([source.pk])}
    hamlets = {
        h.pk: h
        for h in Locality.objects.filter(Q(commune=source) | Q(cell=source), dissolved_on__isnull=True)
    }
    children = {c.pk: c for c in Org.objects.filter(parent=source, dissolved_on__isnull=True)}
    given: dict[str, dict] = {"members": {}, "localities": {}, "children": {}}
    for org, share in shares.items():
        if org.dissolved_on is not None:
            violations.append(_input_violation("shares", f"Tổ chức «{org.name}» đã giải thể."))
        if org.pk != source.pk and paths.is_within(org.path, source.path) and org.parent_id != source.pk:
            violations.append(
                _input_violation(
                    "shares", f"«{org.name}» nằm trong «{source.name}»; không thể nhận phần chia tách."
                )
            )
        for what, ids, known in (
            ("members", share.members, members),
            ("localities", share.localities, hamlets),
            ("children", share.children, children),
        ):
            for pk in ids:
                if pk not in known:
                    violations.append(_input_violation(what, f"Mục {pk} không thuộc «{source.name}»."))
                elif pk in given[what]:
                    violations.append(_input_violation(what, f"«{known[pk]}» được giao cho hai tổ chức."))
                given[what][pk] = org
        if share.members:
            violations += org_rules.check_member_holder(kind=org.kind, on=effective_on)
            if org.pk != source.pk:
                received = [members[pk] for pk in share.members if pk in members]
                already = _full_on(list(_active_members([org.pk])), effective_on)
                violations += org_rules.check_new_cell(
                    kind=org.kind,
                    full_members=already + _full_on(received, effective_on),
                    on=effective_on,
                    name=org.name,
                    field="shares",
                )
        for pk in share.children:
            if pk in children and pk == org.pk:
                violations.append(
                    _input_violation("children", f"Không thể giao «{children[pk].name}» cho chính nó.")
                )
            elif pk in children:
                violations += org_rules.check_child_kind(
                    parent_kind=org.kind,
                    child_kind=children[pk].kind,
                    parent_has_upper_rights=org.has_upper_rights,
                    on=effective_on,
                )
        for pk in share.localities:
            hamlet = hamlets.get(pk)
            if hamlet is not None and hamlet.commune_id == source.pk and org.kind not in GRASSROOTS_KINDS:
                violations.append(
                    _input_violation("localities", f"«{hamlet}» phải giao cho một tổ chức cơ sở đảng.")
                )
    if not keep:
        left = [
            ("đảng viên", members, "members"),
            ("thôn, tổ dân phố", hamlets, "localities"),
            ("tổ chức trực thuộc", children, "children"),
        ]
        for label, known, what in left:
            missing = [known[pk] for pk in known if pk not in given[what]]
            if missing:
                names = ", ".join(str(x) for x in missing[:10]) + (
                    f" và {len(missing) - 10} mục khác" if len(missing) > 10 else ""
                )
                violations.append(
                    _input_violation(
                        what,
                        f"{len(missing)} {label} của «{source.name}» chưa được giao cho tổ chức nào: {names}.",
                    )
                )
    return violations


@transaction.atomic
def org_split(
    *,
    source: Org,
    shares: dict[Org, Share],
    effective_on: date,
    decision: DecisionRef,
    keep_source: bool = False,
    actor=None,
) -> Outcome:
    """Split ``source``: each receiving organization (established beforehand, or an existing
    one) takes the members, hamlets and sub-organizations assigned to it. Without
    ``keep_source`` everything must be assigned and the source ceases (chia tách); with it,
    what is not assigned stays (tách một phần)."""
    source = Org.objects.select_for_update().get(pk=source.pk)
    shares = {Org.objects.select_for_update().get(pk=org.pk): share for org, share in shares.items()}
    refuse_if(_check_split(source, shares, effective_on, decision, keep_source))
    outcome = Outcome(title=f"Chia tách «{source.name}» cho {len(shares)} tổ chức")
    event = org_event_record(
        org=source,
        kind=OrgEvent.Kind.SPLIT,
        effective_on=effective_on,
        decision=decision,
        actor=actor,
        data={
            "role": "source",
            "into": [str(o.pk) for o in shares],
            "names": [o.name for o in shares],
            "kept": keep_source,
        },
    )
    moves = []
    for org, share in shares.items():
        if org.pk == source.pk:
            continue
        outcome.events.append(
            org_event_record(
                org=org,
                kind=OrgEvent.Kind.SPLIT,
                effective_on=effective_on,
                decision=decision,
                actor=actor,
                data={"role": "into", "from": str(source.pk), "from_name": source.name},
            )
        )
        outcome.members_rehomed += _rehome(
            list(_active_members([source.pk]).filter(pk__in=share.members)),
            org,
            effective_on=effective_on,
            decision=decision,
            actor=actor,
        )
        children = list(Org.objects.filter(pk__in=share.children).order_by("path"))
        outcome.members_under += sum(_members_under(child.path) for child in children)
        tally_moves, moved = _relocate_many(
            [(child, org) for child in children], effective_on=effective_on, event=event
        )
        moves += tally_moves
        outcome.organizations += moved
        outcome.localities += _move_hamlets(
            source, org, share.localities, effective_on=effective_on, decision=decision
        )
    if not keep_source:
        _end_positions([source.pk], effective_on=effective_on, decision=decision, actor=actor)
        stay = {o for o, s in shares.items() if o.pk != source.pk}
        hosted_to = next(iter(stay), None)
        if hosted_to is not None:
            _rehome(
                list(_hosted_members([source.pk])),
                hosted_to,
                effective_on=effective_on,
                decision=decision,
                actor=actor,
                hosted=True,
            )
        _cease(
            source,
            kind=OrgEvent.Kind.SPLIT,
            effective_on=effective_on,
            decision=decision,
            actor=actor,
            data={"role": "ceased"},
        )
        outcome.organizations += 1
    projections.tallies().subtrees_moved(moves)
    projections.tallies().fix_derived()
    outcome.events.insert(0, event)
    audit_record(
        action=Action.UPDATED,
        subject_type="org",
        subject_id=str(source.pk),
        data={
            "split": {
                o.code: {
                    "members": len(s.members),
                    "localities": len(s.localities),
                    "children": len(s.children),
                }
                for o, s in shares.items()
            },
            "kept": keep_source,
            "effective_on": effective_on.isoformat(),
            "decision": decision.number,
        },
    )
    return outcome
