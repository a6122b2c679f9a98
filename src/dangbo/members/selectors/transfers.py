"""Transfers (RULES.md §2.5): the cases leaving or entering a subtree (open, and recorded
late), the case an officer may confirm or close, and the members a host keeps on a
temporary transfer."""

from __future__ import annotations

from django.db.models import Q

from dangbo.audit.services import Action, audit_record
from dangbo.core import paths
from dangbo.core.models import is_uuid
from dangbo.members.models import ACTIVE_STATUSES, Member, Standing, TransferCase
from dangbo.orgs.selectors import NotInScope


def transfer_cases(*, actor, org, state: str = "open"):
    """Transfer cases leaving or entering ``org``'s subtree: both sides see them (the
    receiving side sees the incoming member's name and where they come from)."""
    if not actor.can_read_path(org.path):
        raise NotInScope(org.pk)
    touching = paths.subtree_q(org.path, "from_org__path") | paths.subtree_q(org.path, "to_org__path")
    return (
        TransferCase.objects.filter(touching, state=state)
        .select_related("member", "from_org", "to_org")
        .order_by("issued_on", "created_at")
    )


def transfer_case_list(*, actor, org) -> list:
    """The open cases of ``org``'s page, audited as a list of people."""
    cases = list(transfer_cases(actor=actor, org=org))
    audit_record(
        action=Action.LIST_VIEWED,
        subject_type="org",
        subject_id=str(org.pk),
        data={"list": "transfers", "rows": len(cases)},
    )
    return cases


def transfer_cases_late(*, actor, org):
    """Cases leaving or entering ``org``'s subtree recorded late (letter or arrival) whose
    handling is not yet recorded, open or completed: they stay flagged until closed."""
    if not actor.can_read_path(org.path):
        raise NotInScope(org.pk)
    touching = paths.subtree_q(org.path, "from_org__path") | paths.subtree_q(org.path, "to_org__path")
    return (
        TransferCase.objects.filter(touching, late_closed_on__isnull=True)
        .filter(Q(letter_late=True) | Q(arrival_late=True))
        .select_related("member", "from_org", "to_org")
        .order_by("issued_on", "created_at")
    )


def transfer_case_late_list(*, actor, org) -> list:
    """The late cases of ``org``'s transfers page, audited as a list of people."""
    cases = list(transfer_cases_late(actor=actor, org=org))
    audit_record(
        action=Action.LIST_VIEWED,
        subject_type="org",
        subject_id=str(org.pk),
        data={"list": "late_transfers", "rows": len(cases)},
    )
    return cases


def transfer_case_to_confirm(*, actor, case_id, org=None):
    """An open case arriving in ``org``'s subtree (or anywhere the actor may write, without
    ``org``) that the actor may confirm."""
    if not is_uuid(case_id) or (org is not None and not actor.can_write_path(org.path)):
        raise NotInScope(case_id)
    case = (
        TransferCase.objects.filter(pk=case_id, state=TransferCase.State.OPEN)
        .select_related("member", "from_org", "to_org")
        .first()
    )
    if (
        case is None
        or not actor.can_write_path(case.to_org.path)
        or (org is not None and not paths.is_within(case.to_org.path, org.path))
    ):
        raise NotInScope(case_id)
    return case


def transfer_case_to_close(*, actor, case_id, org=None):
    """A case recorded late and not yet handled, whose handling the actor may record: either
    side may (the letter is the sender's, the arrival the receiver's), within ``org`` if given."""
    if not is_uuid(case_id):
        raise NotInScope(case_id)
    case = (
        TransferCase.objects.filter(pk=case_id, late_closed_on__isnull=True)
        .filter(Q(letter_late=True) | Q(arrival_late=True))
        .select_related("member", "from_org", "to_org")
        .first()
    )
    if case is None:
        raise NotInScope(case_id)
    sides = [
        o
        for o in (case.from_org, case.to_org)
        if actor.can_write_path(o.path) and (org is None or paths.is_within(o.path, org.path))
    ]
    if not sides:
        raise NotInScope(case_id)
    return case


def hosted_members(*, actor, org) -> list[Member]:
    """Members hosted by ``org`` on a temporary transfer (RULES.md §2.5): listed by name at the
    host, counted at home. Like an incoming transfer, the host must know whom it hosts, so the
    names show even when the home cell lies outside the actor's scope; the records do not."""
    if not actor.can_read_path(org.path):
        raise NotInScope(org.pk)
    return list(
        Member.objects.filter(host_org=org, standing=Standing.TEMP_AWAY, status__in=ACTIVE_STATUSES)
        .select_related("org")
        .order_by("sort_key", "id")
    )
