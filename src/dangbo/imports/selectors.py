"""Reads of imports: a user sees their own batches and nothing of anyone else's (the staging
area holds personal data of rows not yet accepted; it never leaks to another office)."""

from __future__ import annotations

from django.db.models import QuerySet

from dangbo.core.violations import NotInScope
from dangbo.imports.models import ImportBatch, Outcome, StagedRow
from dangbo.members.models import Member
from dangbo.orgs.models import Org


def batches_of(*, user) -> QuerySet[ImportBatch]:
    if user is None or not user.is_authenticated:
        return ImportBatch.objects.none()
    return ImportBatch.objects.filter(owner=user).select_related("org")


def batch_get(*, user, batch_id) -> ImportBatch:
    batch = batches_of(user=user).filter(pk=batch_id).first()
    if batch is None:
        raise NotInScope(batch_id)
    return batch


def rows_not_accepted(batch: ImportBatch) -> QuerySet[StagedRow]:
    return StagedRow.objects.filter(batch=batch).exclude(outcome__in=[Outcome.ACCEPTED, Outcome.UNCHANGED])


def rows_updated(batch: ImportBatch) -> QuerySet[StagedRow]:
    return StagedRow.objects.filter(batch=batch, outcome=Outcome.ACCEPTED, action="update")


def duplicates_side_by_side(batch: ImportBatch, *, limit: int = 50) -> list[tuple[StagedRow, Member | None]]:
    """Suspected duplicates with the register's record beside each (within the batch's subtree)."""
    rows = list(StagedRow.objects.filter(batch=batch, outcome=Outcome.DUPLICATE).exclude(target="")[:limit])
    ids = [row.target for row in rows]
    members = {
        str(m.pk): m
        for m in Member.objects.filter(pk__in=ids, org_path__startswith=batch.org.path).select_related(
            "org", "residence_locality"
        )
    }
    return [(row, members.get(row.target)) for row in rows]


def writable_roots(*, actor) -> list[Org]:
    """The organizations at the top of the subtrees the actor imports into (an officer's; the
    upload form's default)."""
    if actor.is_admin:
        return list(Org.objects.filter(parent__isnull=True).order_by("path"))
    return list(Org.objects.filter(path__in=actor.grant_paths).order_by("path"))
