"""Imports: a file uploaded, its rows staged and shown, the user's mapping of unknown headers,
the confirmation that writes them, the cancellation that drops them.

The file is checked before anything is kept (its kind by content, its size, packed and
unpacked, its rows; a header it must have): a file that fails gets a Vietnamese message and
nothing is stored. Then it is kept (``storages["imports"]``, 0600) while its rows are staged by
a background job (``imports.jobs``); the confirmation is another job, which writes every
accepted row in one transaction (``imports.commit``). The file is deleted once the rows are
written or dropped.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import transaction

from dangbo.audit.services import Action as AuditAction
from dangbo.audit.services import audit_record
from dangbo.core import clock
from dangbo.core.uploads import UploadRefused
from dangbo.core.violations import NotInScope, RuleViolation, input_violation
from dangbo.imports import commit as committing
from dangbo.imports import layouts
from dangbo.imports.models import BatchState, ImportBatch, ImportKind, StagedRow
from dangbo.imports.reading import open_table
from dangbo.imports.staging import NeedsMapping, stage
from dangbo.orgs.models import Org

Progress = Callable[[int, int | None], None]
LEFT_OUT = ""  # the mapping's value for a column the user leaves out


def _storage():
    return storages["imports"]


def _check_scope(actor, org: Org) -> None:
    if actor is None or not actor.can_organize_path(org.path):
        raise NotInScope(org.pk)


def import_upload(*, kind: str, file_name: str, data: bytes, org: Org, actor, user) -> ImportBatch:
    """Check the file and keep it as a new batch waiting to be read (the caller starts the
    reading: ``jobs.STAGE_JOB`` on the page, ``import_stage`` on the command line)."""
    if kind not in ImportKind.values:
        raise RuleViolation([input_violation("kind", "Loại dữ liệu nhập không hợp lệ.")])
    _check_scope(actor, org)
    try:
        # the kind by content, the limits, a header that can be found (reading.open_table)
        open_table(data, file_name, score=layouts.score(kind))
    except UploadRefused as error:
        raise RuleViolation([input_violation("file", str(error))]) from None
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            kind=kind,
            file_name=file_name[:255],
            sha256=hashlib.sha256(data).hexdigest(),
            size=len(data),
            org=org,
            owner=user,
        )
        batch.stored_name = _storage().save(f"{batch.pk}.bin", ContentFile(data))
        batch.save(update_fields=["stored_name"])
        audit_record(
            action=AuditAction.IMPORT_STAGED,
            subject_type="import",
            subject_id=str(batch.pk),
            data={
                "kind": kind,
                "file": batch.file_name,
                "sha256": batch.sha256,
                "size": batch.size,
                "org": org.code,
            },
        )
    return batch


def _data(batch: ImportBatch) -> bytes:
    if not batch.stored_name:
        raise RuleViolation([input_violation(None, "Tệp của lần nhập này không còn; hãy tải tệp lên lại.")])
    with _storage().open(batch.stored_name, "rb") as handle:
        return handle.read()


def import_stage(*, batch: ImportBatch, progress: Progress | None = None) -> ImportBatch:
    """Read the batch's file into its staged rows (again, after a mapping). The batch ends
    staged (perhaps waiting for a mapping: ``reading["missing"]``) or refused."""
    try:
        return stage(batch, _data(batch), progress=progress, today=clock.today())
    except NeedsMapping:
        return batch
    except UploadRefused as error:
        batch.state, batch.refusal = BatchState.REFUSED, str(error)
        batch.save(update_fields=["state", "refusal"])
        return batch


def import_map(*, batch: ImportBatch, mapping: dict[str, str], user) -> ImportBatch:
    """Record the user's choice of field for columns (index → field, "" to leave one out);
    the file must then be read again."""
    if batch.state != BatchState.STAGED:
        raise RuleViolation([input_violation(None, "Chỉ chọn cột cho lần nhập đang chờ xác nhận.")])
    allowed = layouts.field_names(batch.kind) | {LEFT_OUT}
    indexes = {str(c["index"]) for c in batch.reading.get("columns", [])}
    for index, field in mapping.items():
        if index not in indexes or field not in allowed:
            raise RuleViolation([input_violation("mapping", "Lựa chọn cột không hợp lệ.")])
    chosen = [field for field in mapping.values() if field]
    if len(chosen) != len(set(chosen)):
        raise RuleViolation([input_violation("mapping", "Mỗi trường chỉ chọn cho một cột.")])
    batch.mapping = {**batch.mapping, **mapping}
    batch.state = BatchState.READING
    batch.save(update_fields=["mapping", "state"])
    return batch


def import_commit(*, batch: ImportBatch, user, progress: Progress | None = None) -> dict:
    written = committing.commit(batch, user=user, today=clock.today(), progress=progress)
    _drop_file(batch)
    return written


def import_cancel(*, batch: ImportBatch, user) -> ImportBatch:
    if batch.state in (BatchState.COMMITTED, BatchState.CANCELLED):
        raise RuleViolation([input_violation(None, "Lần nhập này đã kết thúc.")])
    with transaction.atomic():
        StagedRow.objects.filter(batch=batch).delete()
        batch.state = BatchState.CANCELLED
        batch.save(update_fields=["state"])
        audit_record(
            action=AuditAction.UPDATED,
            subject_type="import",
            subject_id=str(batch.pk),
            data={"cancelled": True},
        )
    _drop_file(batch)
    return batch


def _drop_file(batch: ImportBatch) -> None:
    if batch.stored_name:
        _storage().delete(batch.stored_name)
        ImportBatch.objects.filter(pk=batch.pk).update(stored_name="")
        batch.stored_name = ""


def earlier_import(batch: ImportBatch) -> ImportBatch | None:
    """The same file (by content) imported before into the same organization's subtree."""
    return (
        ImportBatch.objects.filter(
            sha256=batch.sha256, kind=batch.kind, org=batch.org, state=BatchState.COMMITTED
        )
        .exclude(pk=batch.pk)
        .order_by("-committed_at")
        .first()
    )
