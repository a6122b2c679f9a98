"""Restructuring the tree: move, merge, split, dissolve, change of kind, upper-level rights.

Every operation takes an effective date and a decision, is one transaction (a failure, or
a kill halfway, leaves the database as it was), writes ``OrgEvent`` rows and new dated
``OrgVersion`` rows (the tree of any earlier day is unchanged), and is audited.

Two ways a member is affected, and how each is recorded:

- their cell keeps its identity and moves with a subtree (a commune committee merged into a
  new commune keeps its village cells): the member's organization is unchanged, so their
  ledger is too; their history shows the move from the cell's ``OrgEvent`` and its decision;
- their own organization is merged, split or turned into a committee: a ``rehomed`` ledger
  event carrying the same decision moves them (``members.ledger.append_many``).

The pre-aggregated counts follow: a moved subtree's counts move in the database
(``tally_subtrees_moved``), re-homed members and hamlets through their usual tally paths,
and the counts that depend on where organizations sit are recounted (``tally_fix_derived``).

``dry_run`` runs any operation, or a whole plan (``orgs.plans``), and rolls it back: the
preview is what applying would do, counted by the same code.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Length

from dangbo.audit.services import Action, audit_record
from dangbo.core import clock, paths, projections
from dangbo.core.decisions import DecisionRef
from dangbo.core.kinds import CELL_KINDS, GRASSROOTS_KINDS, OrgKind, Sector
from dangbo.core.violations import input_violation as _input_violation
from dangbo.orgs.locality_versions import versions_follow
from dangbo.orgs.models import Locality, Org, OrgEvent, OrgVersion
from dangbo.rules import orgs as org_rules
from dangbo.rules.base import RuleViolation, Violation, refuse_if


def _check_decision(decision: DecisionRef | None, effective_on: date, what: str) -> list[Violation]:
    """Every restructuring names its decision and takes effect today or earlier."""
    violations: list[Violation] = []
    if decision is not None and (not decision.number or decision.on is None):
        violations.append(_input_violation("decision", f"Ghi số và ngày quyết định {what}."))
    if effective_on > clock.today():
        violations.append(_input_violation("effective_on", "Ngày hiệu lực không thể sau hôm nay."))
    return violations


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


def _ancestors(path: str) -> list:
    """The ids of the organizations at and above ``path``."""
    return list(Org.objects.filter(path__in=paths.ancestor_paths(path)).values_list("id", flat=True))


def _new_versions(org_ids: list, *, effective_on: date, event) -> None:
    """``_new_version`` for many organizations at once (a merge moves thousands of cells);
    ``event`` is one event, or a mapping of organization id → its event."""
    for start in range(0, len(org_ids), 5000):
        part = org_ids[start : start + 5000]
        OrgVersion.objects.filter(org_id__in=part, valid_to__isnull=True, valid_from=effective_on).delete()
        OrgVersion.objects.filter(org_id__in=part, valid_to__isnull=True).update(valid_to=effective_on)
        OrgVersion.objects.bulk_create(
            OrgVersion(
                org=org,
                valid_from=effective_on,
                parent_id=org.parent_id,
                path=org.path,
                name=org.name,
                kind=org.kind,
                sector=org.sector,
                has_upper_rights=org.has_upper_rights,
                event=event[org.pk] if isinstance(event, dict) else event,
            )
            for org in Org.objects.filter(id__in=part)
        )


_PATH_COLUMNS = (
    ("orgs", "Org", "path"),
    ("members", "Member", "org_path"),
    ("orgs", "Locality", "commune_path"),
    ("candidates", "Candidate", "cell_path"),
)


def _relocate_many(moves: list[tuple[Org, Org]], *, effective_on: date, event) -> tuple[list, int]:
    """Put each (organization, new parent)'s subtree under its new parent: each gets the next
    segment of its new parent; the paths of every table are rewritten by one statement per
    table for up to 200 subtrees (a merge of communes moves thousands of cells); every
    organization moved gets a new version, pointing to ``event`` (or, given a mapping, to the
    event of its subtree's root). Returns, per subtree root, its ancestors before and after
    (itself excluded) for ``tally_subtrees_moved``, and how many organizations moved."""
    from django.apps import apps
    from django.db import connection

    if not moves:
        return [], 0
    parents: dict = {}
    plans = []  # (org, old path, new path, new parent)
    for org, parent in moves:
        parent = parents.setdefault(parent.pk, parent)
        parent.child_seq += 1
        plans.append((org, org.path, paths.child_path(parent.path, parent.child_seq), parent))
    for parent in parents.values():
        Org.objects.filter(pk=parent.pk).update(child_seq=parent.child_seq)
    wanted = {
        a for _, old, new, _ in plans for a in paths.ancestor_paths(old)[:-1] + paths.ancestor_paths(new)[:-1]
    }
    ids_by_path = dict(Org.objects.filter(path__in=wanted).values_list("path", "id"))

    def above(path: str) -> list:
        return [ids_by_path[a] for a in paths.ancestor_paths(path)[:-1] if a in ids_by_path]

    tally_moves = [(org.pk, above(old), above(new)) for org, old, new, _ in plans]
    for parent_id in parents:
        Org.objects.filter(pk__in=[org.pk for org, _, _, p in plans if p.pk == parent_id]).update(
            parent_id=parent_id, version=F("version") + 1
        )
    quote = connection.ops.quote_name
    for start in range(0, len(plans), 200):
        part = plans[start : start + 200]
        for app, model, column in _PATH_COLUMNS:
            table, col = quote(apps.get_model(app, model)._meta.db_table), quote(column)
            cases, where, params, where_params = [], [], [], []
            for _, old, new, _ in part:
                cases.append(f"WHEN {col} >= %s AND {col} < %s THEN %s || SUBSTR({col}, {len(old) + 1})")
                params += [old, old + paths.UPPER_BOUND, new]
                where.append(f"({col} >= %s AND {col} < %s)")
                where_params += [old, old + paths.UPPER_BOUND]
            with connection.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {table} SET {col} = CASE {' '.join(cases)} ELSE {col} END WHERE {' OR '.join(where)}",
                    params + where_params,
                )
    events: dict = {}  # every organization moved → the event of its subtree's root
    for start in range(0, len(plans), 200):
        within = Q()
        for _, _, new, _ in plans[start : start + 200]:
            within |= paths.subtree_q(new)
        Org.objects.filter(within).update(depth=Length("path") / (paths.SEGMENT_WIDTH + 1))
        roots = {new: org.pk for org, _, new, _ in plans[start : start + 200]}
        for org_id, path in Org.objects.filter(within).values_list("id", "path"):
            root = roots.get(next((a for a in paths.ancestor_paths(path) if a in roots), ""))
            events[org_id] = event[root] if isinstance(event, dict) else event
    _new_versions(list(events), effective_on=effective_on, event=events)
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
        events[org.pk] = OrgEvent.objects.create(
            kind=OrgEvent.Kind.MOVED,
            org=org,
            effective_on=effective_on,
            recorded_by=actor,
            data={"from_parent": str(org.parent_id) if org.parent_id else None, "to_parent": str(parent.pk)},
            **decision.fields(),
        )
    tally_moves, outcome.organizations = _relocate_many(moves, effective_on=effective_on, event=events)
    for org, parent in moves:
        event = events[org.pk]
        old_parent, old_path = old[org.pk]
        event.data.update(old_path=old_path, new_path=org.path)
        event.save(update_fields=["data"])
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


# --- what an operation does, and its preview ---------------------------------------------


@dataclass
class Outcome:
    """What an operation did (or, in a dry run, would do)."""

    title: str
    organizations: int = 0  # organizations placed elsewhere, established or dissolved
    members_rehomed: int = 0  # members whose own organization changed (ledger events)
    members_under: int = 0  # members whose cells moved with a subtree (ledger unchanged)
    localities: int = 0
    events: list[OrgEvent] = field(default_factory=list)


@dataclass(frozen=True)
class Preview:
    outcome: object | None
    violations: list[Violation]

    @property
    def ok(self) -> bool:
        return not self.violations


class _Rollback(Exception):
    pass


def dry_run(apply: Callable[[], object]) -> Preview:
    """Run ``apply`` in a transaction and roll it back: what it would do, or what it breaks."""
    try:
        with transaction.atomic():
            result = apply()
            raise _Rollback(result)
    except _Rollback as done:
        return Preview(done.args[0], [])
    except RuleViolation as refused:
        return Preview(None, refused.violations)


# --- merge ---------------------------------------------------------------------------------


def _active_members(org_ids):
    from dangbo.members.models import ACTIVE_STATUSES, Member

    return Member.objects.filter(org_id__in=list(org_ids), status__in=ACTIVE_STATUSES)


def _hosted_members(org_ids):
    from dangbo.members.models import ACTIVE_STATUSES, Member, Standing

    return Member.objects.filter(
        host_org_id__in=list(org_ids), standing=Standing.TEMP_AWAY, status__in=ACTIVE_STATUSES
    )


def _full_on(members, day: date) -> int:
    """How many of ``members`` are full members on ``day`` (recognized by then)."""
    from dangbo.members.models import MemberStatus

    return sum(
        1 for m in members if m.status == MemberStatus.FULL and m.full_on is not None and m.full_on <= day
    )


def _members_under(path: str) -> int:
    from dangbo.members.models import ACTIVE_STATUSES, Member

    return Member.objects.filter(paths.subtree_q(path, "org_path"), status__in=ACTIVE_STATUSES).count()


def _formation_counts(org: Org) -> tuple[int, int]:
    from dangbo.members.models import ACTIVE_STATUSES, Member, MemberStatus

    under = Member.objects.filter(paths.subtree_q(org.path, "org_path"), status__in=ACTIVE_STATUSES)
    return under.count(), under.filter(status=MemberStatus.FULL).count()


def _formation_after(
    org: Org, *, kind: str | None = None, approval: str = "", on: date, before: list[Violation] | None = None
) -> list[Violation]:
    """The formation rules the organization breaks after an operation and did not before
    (``before``: what it broke already; a standing breach is the compliance page's
    business, not a reason to refuse)."""
    members, full = _formation_counts(org)
    found = org_rules.check_formation(
        kind=kind or org.kind,
        members=members,
        full_members=full,
        on=on,
        approval_ref=approval or org.formation_approval,
    )
    known = {v.rule for v in before or []}
    return [v for v in found if v.rule not in known]


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


def _rehome(
    members, to_org: Org, *, effective_on: date, decision: DecisionRef, actor, hosted: bool = False
) -> int:
    from dangbo.members import ledger
    from dangbo.members.models import MemberEvent

    pairs = []
    for member in members:
        from_org = member.host_org_id if hosted else member.org_id
        pairs.append(
            (
                member,
                MemberEvent(
                    kind=MemberEvent.Kind.REHOMED,
                    effective_on=effective_on,
                    from_org_id=from_org,
                    to_org=to_org,
                    recorded_by=actor,
                    data={"hosted": True} if hosted else {},
                    **decision.fields(),
                ),
            )
        )
    try:
        ledger.append_many(pairs)
    except ledger.LedgerError as error:
        raise RuleViolation([Violation("ledger", str(error), "Quá trình sinh hoạt đảng")]) from error
    return len(pairs)


def _end_positions(org_ids, *, effective_on: date, decision: DecisionRef, actor) -> int:
    """Positions held in organizations that cease end the same day, by ledger events."""
    from dangbo.members import ledger
    from dangbo.members.models import MemberEvent, Position

    open_positions = list(
        Position.objects.filter(org_id__in=list(org_ids), ended_on__isnull=True).select_related("member")
    )
    ledger.append_many(
        [
            (
                p.member,
                MemberEvent(
                    kind=MemberEvent.Kind.POSITION_ENDED,
                    effective_on=effective_on,
                    position_org_id=p.org_id,
                    role=p.role,
                    recorded_by=actor,
                    **decision.fields(),
                ),
            )
            for p in sorted(open_positions, key=lambda p: (str(p.member_id), p.started_on))
        ]
    )
    ended = len(open_positions)
    return ended


def _move_hamlets(
    source: Org, into: Org, locality_ids=None, *, effective_on: date, decision: DecisionRef
) -> int:
    """The hamlets of ``source`` (as commune or as cell), or only ``locality_ids`` of them,
    pass to ``into`` from ``effective_on``, with their counts and a new dated version each;
    a hamlet's cell is kept only where ``into`` holds members. When all pass, so do the
    source's candidates. Returns the hamlets not dissolved."""
    from dangbo.candidates.services import candidates_rehome

    hamlets = Locality.objects.filter(Q(commune=source) | Q(cell=source))
    if locality_ids is not None:
        hamlets = hamlets.filter(pk__in=list(locality_ids))
    rows = list(hamlets.values_list("pk", "commune_id", "cell_id"))
    touched = sorted(pk for pk, _, _ in rows)
    befores = _locality_rows(touched)
    as_commune = [pk for pk, commune_id, _ in rows if commune_id == source.pk]
    as_cell = [pk for pk, _, cell_id in rows if cell_id == source.pk]
    if as_commune:
        Locality.objects.filter(pk__in=as_commune).update(
            commune=into, commune_path=into.path, version=F("version") + 1
        )
        projections.tallies().hamlets_moved(
            as_commune, old=_ancestors(source.path), new=_ancestors(into.path), at=source.pk
        )
    if as_cell:
        cell = into if not org_rules.check_member_holder(kind=into.kind, on=clock.today()) else None
        Locality.objects.filter(pk__in=as_cell).update(cell=cell, version=F("version") + 1)
    afters = _locality_rows(touched)
    versions_follow(touched, effective_on=effective_on, decision_no=decision.number if decision else "")
    projections.tallies().localities_changed([(befores[pk], afters[pk]) for pk in touched])
    if locality_ids is None:
        candidates_rehome(source=source, into=into)
    return len([pk for pk in touched if befores[pk]["dissolved_on"] is None])


def _cease(org: Org, *, kind: str, effective_on: date, decision: DecisionRef, actor, data: dict) -> OrgEvent:
    """End an organization whose members, sub-organizations and hamlets have gone elsewhere."""
    event = OrgEvent.objects.create(
        kind=kind, org=org, effective_on=effective_on, recorded_by=actor, data=data, **decision.fields()
    )
    OrgVersion.objects.filter(org=org, valid_to__isnull=True).update(valid_to=effective_on)
    Org.objects.filter(pk=org.pk).update(dissolved_on=effective_on, version=F("version") + 1)
    org.dissolved_on = effective_on
    return event


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
        into.formation_approval = approval
        Org.objects.filter(pk=into.pk).update(formation_approval=approval)
    # an organization that held members is judged on what the merge changes; a new or empty one in full
    formation_before = _formation_after(into, on=effective_on) if _members_under(into.path) else []
    outcome = Outcome(title=f"Hợp nhất {len(sources)} tổ chức vào «{into.name}»")
    target_event = OrgEvent.objects.create(
        kind=OrgEvent.Kind.MERGED,
        org=into,
        effective_on=effective_on,
        recorded_by=actor,
        data={"role": "into", "from": [str(s.pk) for s in sources], "names": [s.name for s in sources]},
        **decision.fields(),
    )
    moves, emptied = [], []
    _end_positions(
        [source.pk for source in sources], effective_on=effective_on, decision=decision, actor=actor
    )
    from dangbo.members.models import Placement

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


# --- split -----------------------------------------------------------------------------------


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
    event = OrgEvent.objects.create(
        kind=OrgEvent.Kind.SPLIT,
        org=source,
        effective_on=effective_on,
        recorded_by=actor,
        data={
            "role": "source",
            "into": [str(o.pk) for o in shares],
            "names": [o.name for o in shares],
            "kept": keep_source,
        },
        **decision.fields(),
    )
    moves = []
    for org, share in shares.items():
        if org.pk == source.pk:
            continue
        outcome.events.append(
            OrgEvent.objects.create(
                kind=OrgEvent.Kind.SPLIT,
                org=org,
                effective_on=effective_on,
                recorded_by=actor,
                data={"role": "into", "from": str(source.pk), "from_name": source.name},
                **decision.fields(),
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


def _locality_rows(pks: list) -> dict:
    return {
        row.pop("pk"): row
        for row in Locality.objects.filter(pk__in=pks).values("pk", *projections.tallies().locality_fields)
    }


# --- change of kind, upper-level rights ------------------------------------------------------


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
    cells: list[NewCell] = (),
    actor=None,
) -> Outcome:
    """Change a grassroots cell into a grassroots committee (its members distributed into the
    new cells ``cells``) or a committee into a cell (its cells' members re-homed to it and the
    cells ceasing). ``approval`` is the superior's written approval the Charter asks for
    when the count is on the wrong side of 30."""
    from dangbo.orgs.services import org_establish

    org = Org.objects.select_for_update().get(pk=org.pk)
    cells = list(cells)
    refuse_if(_check_kind_change(org, kind, approval, cells, effective_on, decision))
    old_kind = org.kind
    outcome = Outcome(
        title=f"Đổi «{org.name}» từ {OrgKind(old_kind).label.lower()} thành {OrgKind(kind).label.lower()}"
    )
    org.kind, org.formation_approval = kind, approval
    org.version += 1
    org.save(update_fields=["kind", "formation_approval", "version", "updated_at"])
    event = OrgEvent.objects.create(
        kind=OrgEvent.Kind.KIND_CHANGED,
        org=org,
        effective_on=effective_on,
        recorded_by=actor,
        data={"old_kind": old_kind, "new_kind": kind, "approval": approval},
        **decision.fields(),
    )
    _new_versions([org.pk], effective_on=effective_on, event=event)
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
    from dangbo.orgs.services import org_establish

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


def _active_members_under(path: str):
    from dangbo.members.models import ACTIVE_STATUSES, Member

    return Member.objects.filter(paths.subtree_q(path, "org_path"), status__in=ACTIVE_STATUSES)


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
    org.has_upper_rights = granted
    org.version += 1
    org.save(update_fields=["has_upper_rights", "version", "updated_at"])
    event = OrgEvent.objects.create(
        kind=OrgEvent.Kind.RIGHTS_CHANGED,
        org=org,
        effective_on=effective_on,
        recorded_by=actor,
        data={"granted": granted},
        **decision.fields(),
    )
    _new_versions([org.pk], effective_on=effective_on, event=event)
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


def _check_dissolve(org: Org, effective_on: date, decision: DecisionRef | None) -> list[Violation]:
    from dangbo.members.models import ACTIVE_STATUSES, Member

    violations = _check_decision(decision, effective_on, "giải thể")
    if org.dissolved_on is not None:
        violations.append(
            _input_violation("org", f"«{org.name}» đã giải thể ngày {org.dissolved_on:%d/%m/%Y}.")
        )
    members = Member.objects.filter(paths.subtree_q(org.path, "org_path"), status__in=ACTIVE_STATUSES).count()
    if members:
        violations.append(
            _input_violation(
                "org",
                f"«{org.name}» còn {members} đảng viên; chuyển sinh hoạt hoặc hợp nhất vào tổ chức khác trước khi giải thể.",
            )
        )
    children = Org.objects.filter(parent=org, dissolved_on__isnull=True).count()
    if children:
        violations.append(
            _input_violation(
                "org",
                f"«{org.name}» còn {children} tổ chức trực thuộc; chuyển hoặc giải thể các tổ chức đó trước.",
            )
        )
    hamlets = Locality.objects.filter(dissolved_on__isnull=True).filter(commune=org).count()
    if hamlets:
        violations.append(
            _input_violation(
                "org",
                f"«{org.name}» còn {hamlets} thôn, tổ dân phố; giao các thôn cho đảng bộ xã, phường khác trước.",
            )
        )
    later = OrgVersion.objects.filter(org=org, valid_from__gt=effective_on).exists()
    if later:
        violations.append(
            _input_violation(
                "effective_on",
                "Ngày giải thể sớm hơn một thay đổi đã ghi của tổ chức; không thể ghi đè lịch sử.",
            )
        )
    return violations


def org_dissolve_preview(
    *, org: Org, effective_on: date, decision: DecisionRef | None = None
) -> list[Violation]:
    """What would stop the dissolution (an empty list: it can be applied)."""
    return _check_dissolve(org, effective_on, decision)


@transaction.atomic
def org_dissolve(*, org: Org, effective_on: date, decision: DecisionRef, actor=None) -> OrgEvent:
    """Dissolve an organization that no longer holds members, sub-organizations or hamlets.
    Positions still held in it end the same day, each by a ledger event carrying the decision;
    hamlets it covered as their cell are left without a cell (the hamlet lists show them)."""
    from dangbo.members.models import Position
    from dangbo.members.services.positions import member_position_end

    org = Org.objects.select_for_update().get(pk=org.pk)
    refuse_if(_check_dissolve(org, effective_on, decision))
    for position in Position.objects.filter(org=org, ended_on__isnull=True).select_related("member"):
        member_position_end(
            member=position.member,
            org=org,
            role=position.role,
            ended_on=effective_on,
            decision=decision,
            actor=actor,
        )
    covered = list(Locality.objects.filter(cell=org, dissolved_on__isnull=True).values_list("pk", flat=True))
    if covered:
        befores = _locality_rows(covered)
        Locality.objects.filter(pk__in=covered).update(cell=None, version=F("version") + 1)
        afters = _locality_rows(covered)
        versions_follow(covered, effective_on=effective_on, decision_no=decision.number if decision else "")
        projections.tallies().localities_changed([(befores[pk], afters[pk]) for pk in covered])
    projections.tallies().org_changed(before=org)
    event = OrgEvent.objects.create(
        kind=OrgEvent.Kind.DISSOLVED,
        org=org,
        effective_on=effective_on,
        recorded_by=actor,
        data={"hamlets_left_without_cell": len(covered)},
        **decision.fields(),
    )
    open_version = OrgVersion.objects.filter(org=org, valid_to__isnull=True).first()
    if open_version is not None:
        open_version.valid_to = effective_on
        open_version.save(update_fields=["valid_to"])
    Org.objects.filter(pk=org.pk).update(dissolved_on=effective_on, version=F("version") + 1)
    audit_record(
        action=Action.UPDATED,
        subject_type="org",
        subject_id=str(org.pk),
        data={"dissolved": effective_on.isoformat(), "decision": decision.number},
    )
    return event
