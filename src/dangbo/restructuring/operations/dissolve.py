"""Dissolving an organization that no longer holds members, sub-organizations or hamlets
(``org_dissolve``), and what would stop it (``org_dissolve_preview``)."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from dangbo.audit.services import Action, audit_record
from dangbo.core import paths, projections
from dangbo.core.decisions import DecisionRef
from dangbo.core.violations import input_violation as _input_violation
from dangbo.members.models import ACTIVE_STATUSES, Member, Position
from dangbo.members.services.positions import member_position_end
from dangbo.orgs.locality_versions import versions_follow
from dangbo.orgs.models import Locality, Org, OrgEvent, OrgVersion
from dangbo.orgs.services.tree import (
    localities_cell_set,
    org_dissolved_set,
    org_event_record,
    org_versions_close,
)
from dangbo.restructuring.operations.common import _check_decision, _locality_rows
from dangbo.rules.base import Violation, refuse_if


def _check_dissolve(org: Org, effective_on: date, decision: DecisionRef | None) -> list[Violation]:
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
        localities_cell_set(locality_ids=covered, cell=None)
        afters = _locality_rows(covered)
        versions_follow(covered, effective_on=effective_on, decision_no=decision.number if decision else "")
        projections.tallies().localities_changed([(befores[pk], afters[pk]) for pk in covered])
    projections.tallies().org_changed(before=org)
    event = org_event_record(
        org=org,
        kind=OrgEvent.Kind.DISSOLVED,
        effective_on=effective_on,
        decision=decision,
        actor=actor,
        data={"hamlets_left_without_cell": len(covered)},
    )
    org_versions_close(org=org, on=effective_on)
    org_dissolved_set(org=org, on=effective_on)
    audit_record(
        action=Action.UPDATED,
        subject_type="org",
        subject_id=str(org.pk),
        data={"dissolved": effective_on.isoformat(), "decision": decision.number},
    )
    return event
