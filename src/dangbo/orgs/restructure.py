"""Restructuring the tree (issue 6). This module holds the first operation: moving a subtree
under a new parent, previewed before it is applied.

A move keeps every organization's identity: members stay in their cells, so no member's
ledger changes; what changes is where the subtree sits. Every organization in the subtree
gets a new dated version with its new path (the tree of any earlier day is unchanged), the
current paths are rewritten in one statement per table, and the pre-aggregated counts of
the old and new ancestors move with the subtree (``stats.tallies.tally_subtree_moved``).
One transaction: a failure, or a kill halfway, leaves the database as it was.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Length, Substr

from dangbo.audit.services import Action, audit_record
from dangbo.orgs import paths
from dangbo.orgs.models import Locality, Org, OrgEvent, OrgVersion
from dangbo.orgs.services import DecisionRef, _input_violation, _new_version
from dangbo.rules import orgs as org_rules
from dangbo.rules.base import Violation, refuse_if


@dataclass(frozen=True)
class MovePreview:
    """What a move would change, and what it would break (nothing is applied)."""

    org: Org
    old_parent: Org | None
    new_parent: Org
    organizations: int
    members: int
    localities: int
    violations: list[Violation] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.violations


def _subtree(org: Org):
    return Org.objects.filter(paths.subtree_q(org.path))


def _check_decision(decision: DecisionRef | None, effective_on: date, what: str) -> list[Violation]:
    """Every restructuring names its decision and takes effect today or earlier."""
    violations: list[Violation] = []
    if decision is not None and (not decision.number or decision.on is None):
        violations.append(_input_violation("decision", f"Ghi số và ngày quyết định {what}."))
    if effective_on > date.today():
        violations.append(_input_violation("effective_on", "Ngày hiệu lực không thể sau hôm nay."))
    return violations


def _check_move(org: Org, new_parent: Org, effective_on: date, decision: DecisionRef | None) -> list[Violation]:
    violations = _check_decision(decision, effective_on, "điều chỉnh tổ chức")
    if paths.is_within(new_parent.path, org.path):
        violations.append(
            _input_violation("new_parent", f"Không thể chuyển «{org.name}» vào chính nó hoặc một tổ chức trực thuộc nó.")
        )
    elif org.parent_id == new_parent.pk:
        violations.append(_input_violation("new_parent", f"«{org.name}» đang trực thuộc «{new_parent.name}»."))
    if new_parent.dissolved_on is not None:
        violations.append(_input_violation("new_parent", f"Tổ chức «{new_parent.name}» đã giải thể."))
    if org.dissolved_on is not None:
        violations.append(_input_violation("org", f"Tổ chức «{org.name}» đã giải thể."))
    violations += org_rules.check_child_kind(
        parent_kind=new_parent.kind, child_kind=org.kind, parent_has_upper_rights=new_parent.has_upper_rights, on=effective_on
    )
    later = (
        OrgVersion.objects.filter(paths.subtree_q(org.path), valid_from__gt=effective_on)
        .order_by("-valid_from")
        .values_list("valid_from", flat=True)
        .first()
    )
    if later is not None:
        violations.append(
            _input_violation(
                "effective_on",
                f"Ngày hiệu lực {effective_on:%d/%m/%Y} sớm hơn một thay đổi đã ghi trong nhánh này ({later:%d/%m/%Y}); "
                "không thể ghi đè lịch sử.",
            )
        )
    return violations


def org_move_preview(*, org: Org, new_parent: Org, effective_on: date, decision: DecisionRef | None = None) -> MovePreview:
    from dangbo.members.models import ACTIVE_STATUSES, Member

    return MovePreview(
        org=org,
        old_parent=org.parent,
        new_parent=new_parent,
        organizations=_subtree(org).filter(dissolved_on__isnull=True).count(),
        members=Member.objects.filter(paths.subtree_q(org.path, "org_path"), status__in=ACTIVE_STATUSES).count(),
        localities=Locality.objects.filter(paths.subtree_q(org.path, "commune_path"), dissolved_on__isnull=True).count(),
        violations=_check_move(org, new_parent, effective_on, decision),
    )


def _rewrite(model, column: str, old: str, new: str) -> int:
    """Replace the ``old`` path prefix by ``new`` in ``column`` for every row under ``old``."""
    return model.objects.filter(paths.subtree_q(old, column)).update(
        **{column: Concat(Value(new), Substr(column, len(old) + 1, Length(column)))}
    )


@transaction.atomic
def org_move(*, org: Org, new_parent: Org, effective_on: date, decision: DecisionRef, actor=None) -> OrgEvent:
    """Move ``org`` and everything under it to ``new_parent`` from ``effective_on``."""
    from dangbo.members.models import Candidate, Member
    from dangbo.stats.tallies import tally_subtree_moved

    org = Org.objects.select_for_update().get(pk=org.pk)
    new_parent = Org.objects.select_for_update().get(pk=new_parent.pk)
    refuse_if(_check_move(org, new_parent, effective_on, decision))
    old_parent = org.parent
    old_path = org.path
    new_parent.child_seq += 1
    new_parent.save(update_fields=["child_seq"])
    new_path = paths.child_path(new_parent.path, new_parent.child_seq)
    tally_subtree_moved(org=org, old_parent=old_parent, new_parent=new_parent)
    depth_change = paths.depth(new_path) - paths.depth(old_path)
    Org.objects.filter(pk=org.pk).update(parent=new_parent)
    _subtree(org).update(depth=F("depth") + depth_change)
    _rewrite(Org, "path", old_path, new_path)
    _rewrite(Member, "org_path", old_path, new_path)
    _rewrite(Locality, "commune_path", old_path, new_path)
    _rewrite(Candidate, "cell_path", old_path, new_path)
    event = OrgEvent.objects.create(
        kind=OrgEvent.Kind.MOVED,
        org=org,
        effective_on=effective_on,
        recorded_by=actor,
        data={
            "from_parent": str(old_parent.pk) if old_parent else None,
            "to_parent": str(new_parent.pk),
            "old_path": old_path,
            "new_path": new_path,
        },
        **decision.fields(),
    )
    moved = list(Org.objects.filter(paths.subtree_q(new_path)).order_by("path"))
    for each in moved:
        _new_version(each, effective_on=effective_on, event=event)
    audit_record(
        action=Action.UPDATED, subject_type="org", subject_id=str(org.pk),
        data={"moved": {"from": old_parent.code if old_parent else None, "to": new_parent.code},
              "organizations": len(moved), "effective_on": effective_on.isoformat(), "decision": decision.number},
    )
    return event


def _check_dissolve(org: Org, effective_on: date, decision: DecisionRef | None) -> list[Violation]:
    from dangbo.members.models import ACTIVE_STATUSES, Member

    violations = _check_decision(decision, effective_on, "giải thể")
    if org.dissolved_on is not None:
        violations.append(_input_violation("org", f"«{org.name}» đã giải thể ngày {org.dissolved_on:%d/%m/%Y}."))
    members = Member.objects.filter(paths.subtree_q(org.path, "org_path"), status__in=ACTIVE_STATUSES).count()
    if members:
        violations.append(_input_violation(
            "org", f"«{org.name}» còn {members} đảng viên; chuyển sinh hoạt hoặc hợp nhất vào tổ chức khác trước khi giải thể."))
    children = Org.objects.filter(parent=org, dissolved_on__isnull=True).count()
    if children:
        violations.append(_input_violation(
            "org", f"«{org.name}» còn {children} tổ chức trực thuộc; chuyển hoặc giải thể các tổ chức đó trước."))
    hamlets = Locality.objects.filter(dissolved_on__isnull=True).filter(commune=org).count()
    if hamlets:
        violations.append(_input_violation(
            "org", f"«{org.name}» còn {hamlets} thôn, tổ dân phố; giao các thôn cho đảng bộ xã, phường khác trước."))
    later = OrgVersion.objects.filter(org=org, valid_from__gt=effective_on).exists()
    if later:
        violations.append(_input_violation("effective_on", "Ngày giải thể sớm hơn một thay đổi đã ghi của tổ chức; không thể ghi đè lịch sử."))
    return violations


def org_dissolve_preview(*, org: Org, effective_on: date, decision: DecisionRef | None = None) -> list[Violation]:
    """What would stop the dissolution (an empty list: it can be applied)."""
    return _check_dissolve(org, effective_on, decision)


@transaction.atomic
def org_dissolve(*, org: Org, effective_on: date, decision: DecisionRef, actor=None) -> OrgEvent:
    """Dissolve an organization that no longer holds members, sub-organizations or hamlets.
    Positions still held in it end the same day, each by a ledger event carrying the decision;
    hamlets it covered as their cell are left without a cell (the hamlet lists show them)."""
    from dangbo.members.models import Position
    from dangbo.members.services import member_position_end
    from dangbo.stats.tallies import tally_org_changed

    org = Org.objects.select_for_update().get(pk=org.pk)
    refuse_if(_check_dissolve(org, effective_on, decision))
    for position in Position.objects.filter(org=org, ended_on__isnull=True).select_related("member"):
        member_position_end(member=position.member, org=org, role=position.role, ended_on=effective_on, decision=decision, actor=actor)
    covered = list(Locality.objects.filter(cell=org, dissolved_on__isnull=True).values_list("pk", flat=True))
    if covered:
        from dangbo.stats.tallies import locality_row, tally_locality_changed

        befores = {pk: locality_row(pk) for pk in covered}
        Locality.objects.filter(pk__in=covered).update(cell=None, version=F("version") + 1)
        for pk in covered:
            tally_locality_changed(before=befores[pk], after=locality_row(pk))
    tally_org_changed(before=org)
    event = OrgEvent.objects.create(
        kind=OrgEvent.Kind.DISSOLVED, org=org, effective_on=effective_on, recorded_by=actor,
        data={"hamlets_left_without_cell": len(covered)}, **decision.fields(),
    )
    open_version = OrgVersion.objects.filter(org=org, valid_to__isnull=True).first()
    if open_version is not None:
        open_version.valid_to = effective_on
        open_version.save(update_fields=["valid_to"])
    Org.objects.filter(pk=org.pk).update(dissolved_on=effective_on, version=F("version") + 1)
    audit_record(
        action=Action.UPDATED, subject_type="org", subject_id=str(org.pk),
        data={"dissolved": effective_on.isoformat(), "decision": decision.number},
    )
    return event
