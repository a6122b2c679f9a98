"""Moving subtrees (``org_move``, ``org_move_many``) and the relocation merge and split also
use (``_relocate_many``): each moved organization gets the next segment of its new parent,
the materialized paths are rewritten in the database by the apps that carry them
(``orgs.sql``, ``members.sql``, ``candidates.sql``), and the members under it keep their
ledger."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.db.models import Q

from dangbo.audit.services import Action, audit_record
from dangbo.candidates.sql import candidate_paths_rewrite
from dangbo.core import paths, projections
from dangbo.core.decisions import DecisionRef
from dangbo.core.violations import input_violation as _input_violation
from dangbo.members.sql import member_paths_rewrite
from dangbo.orgs.models import Locality, Org, OrgEvent, OrgVersion
from dangbo.orgs.services.tree import (
    org_child_seq_set,
    org_event_data_update,
    org_event_record,
    org_versions_renew,
    orgs_depth_recompute,
    orgs_parent_set,
)
from dangbo.orgs.sql import org_paths_rewrite
from dangbo.restructuring.operations.common import _check_decision, _members_under
from dangbo.restructuring.operations.shapes import Outcome
from dangbo.rules import orgs as org_rules
from dangbo.rules.base import Violation, refuse_if


def _check_move(
    org: Org, new_parent: Org, effective_on: date, decision: DecisionRef | None
) -> list[Violation]:
    violations = _check_decision(decision, effective_on, "điều chỉnh tổ chức")
    if paths.is_within(new_parent.path, org.path):
        violations.append(
            _input_violation(
                "new_parent", f"Không thể chuyển «{org.name}» vào chính nó hoặc một tổ chức trực thuộc nó."
            )
        )
    elif org.parent_id == new_parent.pk:
        violations.append(
            _input_violation("new_parent", f"«{org.name}» đang trực thuộc «{new_parent.name}».")
        )
    if new_parent.dissolved_on is not None:
        violations.append(_input_violation("new_parent", f"Tổ chức «{new_parent.name}» đã giải thể."))
    if org.dissolved_on is not None:
        violations.append(_input_violation("org", f"Tổ chức «{org.name}» đã giải thể."))
    violations += org_rules.check_child_kind(
        parent_kind=new_parent.kind,
        child_kind=org.kind,
        parent_has_upper_rights=new_parent.has_upper_rights,
        on=effective_on,
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


def _relocate_many(moves: list[tuple[Org, Org]], *, effective_on: date, event) -> tuple[list, int]:
    """Put each (organization, new parent)'s subtree under its new parent: each gets the next
    segment of its new parent; the paths are rewritten by each app that carries one, one
    statement per table for up to 200 subtrees (a merge of communes moves thousands of cells:
    ``orgs.sql.org_paths_rewrite``, ``members.sql.member_paths_rewrite``,
    ``candidates.sql.candidate_paths_rewrite``); every organization moved gets a new version,
    pointing to ``event`` (or, given a mapping, to the event of its subtree's root). Returns,
    per subtree root, its ancestors before and after (itself excluded) for
    ``tally_subtrees_moved``, and how many organizations moved."""
    if not moves:
        return [], 0
    parents: dict = {}
    plans = []  # (org, old path, new path, new parent)
    for org, parent in moves:
        parent = parents.setdefault(parent.pk, parent)
        parent.child_seq += 1
        plans.append((org, org.path, paths.child_path(parent.path, parent.child_seq), parent))
    for parent in parents.values():
        org_child_seq_set(org=parent)
    wanted = {
        a for _, old, new, _ in plans for a in paths.ancestor_paths(old)[:-1] + paths.ancestor_paths(new)[:-1]
    }
    ids_by_path = dict(Org.objects.filter(path__in=wanted).values_list("path", "id"))

    def above(path: str) -> list:
        return [ids_by_path[a] for a in paths.ancestor_paths(path)[:-1] if a in ids_by_path]

    tally_moves = [(org.pk, above(old), above(new)) for org, old, new, _ in plans]
    for parent in parents.values():
        orgs_parent_set(org_ids=[org.pk for org, _, _, p in plans if p.pk == parent.pk], parent=parent)
    path_moves = [(old, new) for _, old, new, _ in plans]
    org_paths_rewrite(path_moves)
    member_paths_rewrite(path_moves)
    candidate_paths_rewrite(path_moves)
    events: dict = {}  # every organization moved → the event of its subtree's root
    for start in range(0, len(plans), 200):
        new_roots = [new for _, _, new, _ in plans[start : start + 200]]
        orgs_depth_recompute(roots=new_roots)
        within = Q()
        for new in new_roots:
            within |= paths.subtree_q(new)
        roots = {new: org.pk for org, _, new, _ in plans[start : start + 200]}
        for org_id, path in Org.objects.filter(within).values_list("id", "path"):
            root = roots.get(next((a for a in paths.ancestor_paths(path) if a in roots), ""))
            events[org_id] = event[root] if isinstance(event, dict) else event
    org_versions_renew(org_ids=list(events), effective_on=effective_on, event=events)
    moved = len(events)
    for org, _, new, parent in plans:
        org.path, org.parent = new, parent
    return tally_moves, moved


@transaction.atomic
def org_move(*, org: Org, new_parent: Org, effective_on: date, decision: DecisionRef, actor=None) -> OrgEvent:
    """Move ``org`` and everything under it to ``new_parent`` from ``effective_on``."""
    return org_move_many(
        moves=[(org, new_parent)], effective_on=effective_on, decision=decision, actor=actor
    ).events[0]


@transaction.atomic
def org_move_many(
    *, moves: list[tuple[Org, Org]], effective_on: date, decision: DecisionRef, actor=None
) -> Outcome:
    """Move several subtrees at once under one decision (a plan's consecutive moves): each
    gets its own event and versions; the paths and counts are rewritten together."""
    locked = {
        o.pk: o
        for o in Org.objects.select_for_update().filter(
            pk__in={pk for m in moves for pk in (m[0].pk, m[1].pk)}
        )
    }
    moves = [(locked[org.pk], locked[parent.pk]) for org, parent in moves]
    violations = []
    for org, parent in moves:
        violations += _check_move(org, parent, effective_on, decision)
    roots = [org for org, _ in moves]
    for org in roots:
        if sum(1 for other in roots if paths.is_within(org.path, other.path)) > 1:
            violations.append(
                _input_violation(
                    "org", f"«{org.name}» được chuyển hai lần, hoặc cùng với tổ chức cấp trên của nó."
                )
            )
    refuse_if(violations)
    outcome = Outcome(
        title=f"Chuyển {len(moves)} tổ chức"
        if len(moves) > 1
        else f"Chuyển «{moves[0][0].name}» về trực thuộc «{moves[0][1].name}»"
    )
    events, old = {}, {}
    for org, parent in moves:
        outcome.members_under += _members_under(org.path)
        outcome.localities += Locality.objects.filter(
            paths.subtree_q(org.path, "commune_path"), dissolved_on__isnull=True
        ).count()
        old[org.pk] = (org.parent, org.path)
        events[org.pk] = org_event_record(
            org=org,
            kind=OrgEvent.Kind.MOVED,
            effective_on=effective_on,
            decision=decision,
            actor=actor,
            data={"from_parent": str(org.parent_id) if org.parent_id else None, "to_parent": str(parent.pk)},
        )
    tally_moves, outcome.organizations = _relocate_many(moves, effective_on=effective_on, event=events)
    for org, parent in moves:
        event = events[org.pk]
        old_parent, old_path = old[org.pk]
        org_event_data_update(event=event, data={"old_path": old_path, "new_path": org.path})
        outcome.events.append(event)
        audit_record(
            action=Action.UPDATED,
            subject_type="org",
            subject_id=str(org.pk),
            data={
                "moved": {"from": old_parent.code if old_parent else None, "to": parent.code},
                "effective_on": effective_on.isoformat(),
                "decision": decision.number,
            },
        )
    projections.tallies().subtrees_moved(tally_moves)
    projections.tallies().fix_derived()
    return outcome
