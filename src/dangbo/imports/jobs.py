"""The import's two background jobs: reading a file into the staging area, and writing the
confirmed rows (one transaction: on SQLite the one writer, so other writes are told to wait)."""

from __future__ import annotations

from dangbo.core.formats import format_number as n
from dangbo.core.violations import NotInScope
from dangbo.imports import services
from dangbo.imports.models import BatchState, ImportBatch
from dangbo.jobs.models import Job
from dangbo.jobs.registry import JobKind, JobOutcome, JobRun
from dangbo.jobs.services import job_start

STAGE_JOB = "imports.stage"
COMMIT_JOB = "imports.commit"
SUBJECT = "import_batch"  # the jobs' subject, by which the batch's page finds its latest job


def _start(kind: str, batch: ImportBatch, user) -> Job:
    return job_start(kind=kind, owner=user, params={"batch": str(batch.pk)}, subject=(SUBJECT, str(batch.pk)))


def stage_start(*, batch: ImportBatch, user) -> Job:
    """Queue the reading of the batch's file into its staged rows (again, after a mapping)."""
    return _start(STAGE_JOB, batch, user)


def commit_start(*, batch: ImportBatch, user) -> Job:
    """Queue the writing of the batch's accepted rows (one transaction)."""
    return _start(COMMIT_JOB, batch, user)


def _batch(run: JobRun) -> ImportBatch:
    batch = (
        ImportBatch.objects.select_related("org")
        .filter(pk=str(run.params.get("batch", "")), owner=run.owner)
        .first()
    )
    if batch is None:
        raise NotInScope(run.params.get("batch"))
    return batch


def _link(batch: ImportBatch) -> str:
    from django.urls import reverse

    return reverse("imports:batch", args=[batch.pk])


def run_stage(run: JobRun) -> JobOutcome:
    batch = services.import_stage(
        batch=_batch(run),
        progress=lambda done, total: run.progress(done, total, "Đang đọc và kiểm tra các dòng"),
    )
    if batch.state == BatchState.REFUSED:
        return JobOutcome(message=batch.refusal, refused=True, link=_link(batch))
    if batch.reading.get("missing"):
        return JobOutcome(
            message="Cần chọn cột cho: " + ", ".join(batch.reading["missing"]) + ".", link=_link(batch)
        )
    counts = batch.counts
    return JobOutcome(
        message=(
            f"Đã kiểm tra {n(sum(counts.get(k, 0) for k in ('accepted', 'rejected', 'duplicate', 'unchanged')))} dòng: "
            f"{n(counts.get('accepted', 0))} được nhận, {n(counts.get('rejected', 0))} bị từ chối, "
            f"{n(counts.get('duplicate', 0))} nghi trùng, {n(counts.get('unchanged', 0))} không thay đổi."
        ),
        link=_link(batch),
    )


def run_commit(run: JobRun) -> JobOutcome:
    batch = _batch(run)
    written = services.import_commit(
        batch=batch,
        user=run.owner,
        progress=lambda done, total: run.progress(done, total, "Đang ghi vào hồ sơ"),
    )
    return JobOutcome(
        message=f"Đã nhập: {n(written['created'])} thêm mới, {n(written['updated'])} cập nhật.",
        link=_link(batch),
    )


KINDS = (
    JobKind(STAGE_JOB, "Đọc và kiểm tra tệp nhập", run_stage),
    JobKind(COMMIT_JOB, "Ghi dữ liệu nhập vào hồ sơ", run_commit, writes_long=True),
)
