"""One member's record: the profile (every read audited, a refused attempt on a real member
too), the record for editing, the ledger with the restructurings that moved the member's
cell, the corrections of the profile, and the unmasked national ID."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import cast

from django.core.exceptions import ValidationError
from django.db.models import Q

from dangbo.audit.models import AuditEntry
from dangbo.audit.services import Action, audit_record
from dangbo.core.models import is_uuid
from dangbo.members.models import Member, MemberEvent, Placement
from dangbo.orgs.models import OrgEvent, OrgVersion
from dangbo.orgs.selectors import NotInScope


def _member_in_scope(*, actor, member_id) -> Member:
    try:
        return (
            Member.objects.filter(actor.members_q())
            .select_related(
                "org",
                "ethnicity",
                "religion",
                "general_education",
                "professional_level",
                "theory_level",
                "residence_locality",
            )
            .get(pk=member_id)
        )
    except (Member.DoesNotExist, ValueError, TypeError, ValidationError):
        if Member.objects.filter(pk=member_id).exists() if is_uuid(member_id) else False:
            audit_record(
                action=Action.REFUSED,
                subject_type="member",
                subject_id=str(member_id),
                data={"reason": "out_of_scope"},
            )
        raise NotInScope(member_id) from None


def member_profile(*, actor, member_id) -> Member:
    """A member's record, audited as a view (a refused attempt on a real member is audited too)."""
    member = _member_in_scope(actor=actor, member_id=member_id)
    audit_record(action=Action.MEMBER_VIEWED, subject_type="member", subject_id=str(member.pk))
    return member


@dataclass(frozen=True)
class OrgChange:
    """A restructuring that moved the member's cell while they belonged to it (their own
    ledger did not change: the cell kept its identity); shown in the member's history."""

    effective_on: date
    kind_label: str
    cell_name: str
    parent_name: str
    decision_no: str
    decision_on: date | None
    decision_body: str
    is_org_change: bool = True


def member_org_changes(member: Member) -> list[OrgChange]:
    """The moves, merges and splits that placed the member's cell under another organization
    during the member's time in it, from the cell's dated versions and their events."""
    kinds = [OrgEvent.Kind.MOVED, OrgEvent.Kind.MERGED, OrgEvent.Kind.SPLIT]
    changes: list[OrgChange] = []
    within = Q()  # a version begun while the member was in its cell: one query for every placement
    for org_id, since, until in Placement.objects.filter(member=member, counted=True).values_list(
        "org_id", "valid_from", "valid_to"
    ):
        placed = Q(org_id=org_id, valid_from__gt=since)
        within |= placed if until is None else placed & Q(valid_from__lt=until)
    if not within:
        return changes
    versions = OrgVersion.objects.filter(within, event__kind__in=kinds).order_by("valid_from", "org_id")
    for version in versions.select_related("event"):
        parent = (
            (
                OrgVersion.objects.filter(org_id=version.parent_id, valid_from__lte=version.valid_from)
                .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=version.valid_from))
                .values_list("name", flat=True)
                .first()
            )
            if version.parent_id
            else ""
        )
        event = cast(OrgEvent, version.event)  # filtered on its kind above
        changes.append(
            OrgChange(
                effective_on=version.valid_from,
                kind_label=event.get_kind_display(),
                cell_name=version.name,
                parent_name=parent or "",
                decision_no=event.decision_no,
                decision_on=event.decision_on,
                decision_body=event.decision_body,
            )
        )
    return changes


HISTORY_FIELDS = (
    *(f.attname for f in MemberEvent._meta.concrete_fields),
    "from_org__name",
    "to_org__name",
    "position_org__name",
)


def member_history(*, actor, member: Member) -> list:
    """The ledger of a member the actor may read, with the restructurings that moved their
    cell (``OrgChange``), oldest first."""
    if not actor.can_read_member(member):
        raise NotInScope(member.pk)
    # Of the organizations named, the history shows the names (members/_event.html, the API).
    events = list(
        MemberEvent.objects.filter(member=member)
        .select_related("from_org", "to_org", "position_org")
        .only(*HISTORY_FIELDS)
        .order_by("effective_on", "seq")
    )
    changes = member_org_changes(member)
    if not changes:
        return events
    return sorted(events + changes, key=lambda item: (item.effective_on, getattr(item, "seq", 0)))


def member_national_id(*, actor, member_id) -> str:
    """The unmasked national ID: every reveal is audited."""
    member = _member_in_scope(actor=actor, member_id=member_id)
    audit_record(action=Action.NATIONAL_ID_REVEALED, subject_type="member", subject_id=str(member.pk))
    return member.national_id or ""


def member_for_edit(*, actor, member_id) -> Member:
    """A member the actor may change; a refused attempt on a real member is audited."""
    member = _member_in_scope(actor=actor, member_id=member_id)
    if not actor.can_write_member(member):
        audit_record(
            action=Action.REFUSED,
            subject_type="member",
            subject_id=str(member.pk),
            data={"reason": "read_only"},
        )
        raise NotInScope(member_id)
    return member


@dataclass(frozen=True)
class ProfileChange:
    at: datetime
    actor_name: str
    changes: list[tuple[str, str, str]]  # (field label, before, after)


def member_profile_changes(*, actor, member: Member) -> list[ProfileChange]:
    """Corrections of the member's profile fields, from the audit trail, oldest first."""
    if not actor.can_read_member(member):
        raise NotInScope(member.pk)
    labels = {}
    for field in Member._meta.concrete_fields:
        labels[field.attname] = labels[field.name] = str(field.verbose_name)
    entries = AuditEntry.objects.filter(
        subject_type="member", subject_id=str(member.pk), action=Action.UPDATED
    ).order_by("seq")
    return [
        ProfileChange(
            at=entry.at,
            actor_name=entry.actor_name,
            changes=[
                (labels.get(name, name), old, new)
                for name, (old, new) in entry.data.get("changes", {}).items()
            ],
        )
        for entry in entries
    ]
