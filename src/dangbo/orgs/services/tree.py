"""The writes by which ``restructuring`` changes the organization tree, each named for what it
does: the events and dated versions of a change, an organization's kind, rights and approval,
its place in the tree (parent, ``child_seq``, depth), its dissolution, and the commune and
cell of hamlets. The materialized paths of a moved subtree are rewritten by
``orgs.sql.org_paths_rewrite``.

These are primitives: they check no rule and write no audit row. ``restructuring.operations``
checks each operation, locks the rows, composes these in one transaction with the members'
ledger and the tallies, and audits the whole; the services of ``orgs.services`` (establish,
rename, the hamlets' own changes) are the complete operations the pages call.
"""

from __future__ import annotations

from datetime import date

from django.db.models import F, Q
from django.db.models.functions import Length

from dangbo.core import paths
from dangbo.core.decisions import DecisionRef
from dangbo.orgs.models import Locality, Org, OrgEvent, OrgVersion


def org_event_record(
    *, org: Org, kind: str, effective_on: date, decision: DecisionRef, data: dict, actor=None
) -> OrgEvent:
    """Record that ``org`` was changed by ``decision`` (``kind``: moved, merged, split, …)."""
    return OrgEvent.objects.create(
        kind=kind, org=org, effective_on=effective_on, recorded_by=actor, data=data, **decision.fields()
    )


def org_event_data_update(*, event: OrgEvent, data: dict) -> None:
    """Add ``data`` to an event's data (a move learns its new paths once the paths are rewritten)."""
    event.data.update(data)
    event.save(update_fields=["data"])


def org_versions_renew(*, org_ids: list, effective_on: date, event) -> None:
    """Close the open version of each organization the day ``effective_on`` starts and open
    one from its current state (a version opened that same day is replaced: it held no day),
    5,000 organizations at a time (a merge moves thousands of cells). ``event`` is one event,
    or a mapping of organization id → its event."""
    for start in range(0, len(org_ids), 5000):
        part = org_ids[start : start + 5000]
        OrgVersion.objects.filter(org_id__in=part, valid_to__isnull=True, valid_from=effective_on).delete()
        OrgVersion.objects.filter(org_id__in=part, valid_to__isnull=True).update(valid_to=effective_on)
        OrgVersion.objects.bulk_create(
            OrgVersion(
                org=org,
                valid_from=effective_on,
                **org.version_state(),
                event=event[org.pk] if isinstance(event, dict) else event,
            )
            for org in Org.objects.filter(id__in=part)
        )


def org_versions_close(*, org: Org, on: date) -> None:
    """Close the open version of ``org`` on ``on`` (it ceases; no version follows)."""
    OrgVersion.objects.filter(org=org, valid_to__isnull=True).update(valid_to=on)


def org_dissolved_set(*, org: Org, on: date) -> None:
    """``org`` ceases on ``on`` (dissolved, merged into another, split up)."""
    Org.objects.filter(pk=org.pk).update(dissolved_on=on, version=F("version") + 1)
    org.dissolved_on = on


def org_kind_set(*, org: Org, kind: str, formation_approval: str) -> None:
    """``org`` becomes an organization of ``kind``, with the superior's approval of its size."""
    org.kind, org.formation_approval = kind, formation_approval
    org.version += 1
    org.save(update_fields=["kind", "formation_approval", "version", "updated_at"])


def org_upper_rights_set(*, org: Org, granted: bool) -> None:
    """``org`` is granted, or loses, upper-level rights."""
    org.has_upper_rights = granted
    org.version += 1
    org.save(update_fields=["has_upper_rights", "version", "updated_at"])


def org_formation_approval_set(*, org: Org, approval: str) -> None:
    """Record the superior's written approval of ``org``'s size (a merge that needs one)."""
    org.formation_approval = approval
    Org.objects.filter(pk=org.pk).update(formation_approval=approval)


def org_child_seq_set(*, org: Org) -> None:
    """Store ``org.child_seq``, the last segment number given to a child (the caller took the
    next numbers for the subtrees it moves under ``org``)."""
    Org.objects.filter(pk=org.pk).update(child_seq=org.child_seq)


def orgs_parent_set(*, org_ids: list, parent: Org) -> None:
    """The organizations ``org_ids`` now sit under ``parent`` (their paths are rewritten by
    ``orgs.sql.org_paths_rewrite``)."""
    Org.objects.filter(pk__in=org_ids).update(parent_id=parent.pk, version=F("version") + 1)


def orgs_depth_recompute(*, roots: list[str]) -> None:
    """The depth of every organization in the subtrees rooted at the paths ``roots``, from its
    (rewritten) path."""
    if not roots:
        return
    within = Q()
    for root in roots:
        within |= paths.subtree_q(root)
    Org.objects.filter(within).update(depth=Length("path") / (paths.SEGMENT_WIDTH + 1))


def localities_commune_set(*, locality_ids: list, commune: Org) -> None:
    """The hamlets ``locality_ids`` now belong to ``commune``."""
    Locality.objects.filter(pk__in=locality_ids).update(
        commune=commune, commune_path=commune.path, version=F("version") + 1
    )


def localities_cell_set(*, locality_ids: list, cell: Org | None) -> None:
    """The hamlets ``locality_ids`` are now covered by ``cell`` (None: by no cell)."""
    Locality.objects.filter(pk__in=locality_ids).update(cell=cell, version=F("version") + 1)
