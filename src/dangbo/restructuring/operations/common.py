"""The steps the restructuring operations share: the decision check, new dated versions,
the members of an organization and the formation rules after a change, re-homing members by
``rehomed`` ledger events, ending the positions of an organization that ceases, passing
hamlets to another organization, and ending an organization."""

from __future__ import annotations

from datetime import date

from django.db.models import Q

from dangbo.candidates.services import candidates_rehome
from dangbo.core import clock, paths, projections
from dangbo.core.decisions import DecisionRef
from dangbo.core.violations import input_violation as _input_violation
from dangbo.members import ledger
from dangbo.members.models import ACTIVE_STATUSES, Member, MemberEvent, MemberStatus, Position, Standing
from dangbo.orgs.locality_versions import versions_follow
from dangbo.orgs.models import Locality, Org, OrgEvent
from dangbo.orgs.services.tree import (
    localities_cell_set,
    localities_commune_set,
    org_dissolved_set,
    org_event_record,
    org_versions_close,
)
from dangbo.rules import orgs as org_rules
from dangbo.rules.base import RuleViolation, Violation


def _check_decision(decision: DecisionRef | None, effective_on: date, what: str) -> list[Violation]:
    """Every restructuring names its decision and takes effect today or earlier."""
    violations: list[Violation] = []
    if decision is not None and (not decision.number or decision.on is None):
        violations.append(_input_violation("decision", f"Ghi số và ngày quyết định {what}."))
    if effective_on > clock.today():
        violations.append(_input_violation("effective_on", "Ngày hiệu lực không thể sau hôm nay."))
    return violations


def _ancestors(path: str) -> list:
    """The ids of the organizations at and above ``path``."""
    return list(Org.objects.filter(path__in=paths.ancestor_paths(path)).values_list("id", flat=True))


def _active_members(org_ids):
    return Member.objects.filter(org_id__in=list(org_ids), status__in=ACTIVE_STATUSES)


def _hosted_members(org_ids):
    return Member.objects.filter(
        host_org_id__in=list(org_ids), standing=Standing.TEMP_AWAY, status__in=ACTIVE_STATUSES
    )


def _full_on(members, day: date) -> int:
    """How many of ``members`` are full members on ``day`` (recognized by then)."""
    return sum(
        1 for m in members if m.status == MemberStatus.FULL and m.full_on is not None and m.full_on <= day
    )


def _members_under(path: str) -> int:
    return Member.objects.filter(paths.subtree_q(path, "org_path"), status__in=ACTIVE_STATUSES).count()


def _formation_counts(org: Org) -> tuple[int, int]:
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


def _rehome(
    members, to_org: Org, *, effective_on: date, decision: DecisionRef, actor, hosted: bool = False
) -> int:
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
    hamlets = Locality.objects.filter(Q(commune=source) | Q(cell=source))
    if locality_ids is not None:
        hamlets = hamlets.filter(pk__in=list(locality_ids))
    rows = list(hamlets.values_list("pk", "commune_id", "cell_id"))
    touched = sorted(pk for pk, _, _ in rows)
    befores = _locality_rows(touched)
    as_commune = [pk for pk, commune_id, _ in rows if commune_id == source.pk]
    as_cell = [pk for pk, _, cell_id in rows if cell_id == source.pk]
    if as_commune:
        localities_commune_set(locality_ids=as_commune, commune=into)
        projections.tallies().hamlets_moved(
            as_commune, old=_ancestors(source.path), new=_ancestors(into.path), at=source.pk
        )
    if as_cell:
        cell = into if not org_rules.check_member_holder(kind=into.kind, on=clock.today()) else None
        localities_cell_set(locality_ids=as_cell, cell=cell)
    afters = _locality_rows(touched)
    versions_follow(touched, effective_on=effective_on, decision_no=decision.number if decision else "")
    projections.tallies().localities_changed([(befores[pk], afters[pk]) for pk in touched])
    if locality_ids is None:
        candidates_rehome(source=source, into=into)
    return len([pk for pk in touched if befores[pk]["dissolved_on"] is None])


def _cease(org: Org, *, kind: str, effective_on: date, decision: DecisionRef, actor, data: dict) -> OrgEvent:
    """End an organization whose members, sub-organizations and hamlets have gone elsewhere."""
    event = org_event_record(
        org=org, kind=kind, effective_on=effective_on, decision=decision, actor=actor, data=data
    )
    org_versions_close(org=org, on=effective_on)
    org_dissolved_set(org=org, on=effective_on)
    return event


def _locality_rows(pks: list) -> dict:
    return {
        row.pop("pk"): row
        for row in Locality.objects.filter(pk__in=pks).values("pk", *projections.tallies().locality_fields)
    }


def _active_members_under(path: str):
    return Member.objects.filter(paths.subtree_q(path, "org_path"), status__in=ACTIVE_STATUSES)
