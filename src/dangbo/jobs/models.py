"""A background job as its owner sees it: what it is, how far it has got, how it ended."""

from __future__ import annotations

from django.conf import settings
from django.core.files.storage import storages
from django.db import models

from dangbo.core.models import UUIDModel


def _result_storage():
    """Where result files are kept: ``STORAGES["jobs"]`` (a folder of the var directory by
    default; an operator may point it at shared storage when the worker runs elsewhere)."""
    return storages["jobs"]


class JobState(models.TextChoices):
    QUEUED = "queued", "Đang chờ"
    RUNNING = "running", "Đang chạy"
    DONE = "done", "Đã xong"
    FAILED = "failed", "Không thành công"


FINISHED_STATES = (JobState.DONE, JobState.FAILED)


class Job(UUIDModel):
    """One run of a registered kind of work (``jobs.registry``) for one user.

    ``done``/``total``/``step`` are the progress the page shows; the running job writes them on
    a connection of its own (``jobs.progress``), so they are seen while its transaction is open.
    ``context`` is the audit context of the request that started it: the worker records the
    job's changes as that user, from that address, under that request id."""

    kind = models.CharField("loại công việc", max_length=64)
    title = models.CharField("công việc", max_length=255)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    params = models.JSONField("tham số", default=dict, blank=True)
    context = models.JSONField(default=dict, blank=True)
    # What the job is about (a restructuring plan, an organization), for the page that started it.
    subject_type = models.CharField(max_length=40, blank=True)
    subject_id = models.CharField(max_length=64, blank=True)
    state = models.CharField("trạng thái", max_length=10, choices=JobState.choices, default=JobState.QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    step = models.CharField("đang làm", max_length=255, blank=True)
    message = models.TextField("kết quả", blank=True)
    link = models.CharField("xem kết quả tại", max_length=500, blank=True)
    result = models.FileField(storage=_result_storage, upload_to="%Y/%m/", max_length=255, blank=True)
    result_name = models.CharField("tên tệp", max_length=255, blank=True)
    result_type = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "công việc chạy nền"
        verbose_name_plural = "công việc chạy nền"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["owner", "-created_at"], name="job_owner_recent"),
            models.Index(fields=["subject_type", "subject_id"], name="job_subject"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def finished(self) -> bool:
        return self.state in FINISHED_STATES

    @property
    def percent(self) -> int:
        if self.state == JobState.DONE:
            return 100
        return min(100, self.done * 100 // self.total) if self.total else 0
