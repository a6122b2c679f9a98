"""The restructuring plans uploaded on the plan page."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from dangbo.core.models import UUIDModel


class RestructurePlan(UUIDModel):
    """A restructuring plan (``restructuring.plans``) uploaded on the plan page. The bytes
    stored here are the bytes previewed and the bytes applied; a plan is applied at most once,
    and the same content is never applied twice (``restructuring.plan_uploads``). An empty
    ``report`` with no ``reported_at`` means its preview is still running (a background job)."""

    file_name = models.CharField("tên tệp", max_length=255)
    content = models.BinaryField("nội dung tệp")
    sha256 = models.CharField("mã kiểm tra SHA-256", max_length=64, db_index=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    # The last run's report (the preview at upload; the apply, or its refusal, later) as JSON.
    report = models.JSONField(default=dict, blank=True)
    reported_at = models.DateTimeField(null=True, blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "phương án sắp xếp tổ chức"
        verbose_name_plural = "phương án sắp xếp tổ chức"
        ordering = ["-uploaded_at"]
        db_table = "orgs_restructureplan"  # created by orgs, moved here with its rows (issue 17)
        constraints = [
            models.UniqueConstraint(
                fields=["sha256"],
                condition=models.Q(applied_at__isnull=False),
                name="restructure_plan_applied_once",
            ),
        ]

    def __str__(self) -> str:
        return self.file_name
