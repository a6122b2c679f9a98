"""The keys of the organizations below that may send packages here, and the reports they sent.

``ExchangePeer``: a lower organization's public key, registered by an administrator of this
level (the office reads its fingerprint over the phone, or it comes on paper). A key is
revoked, never deleted: the reports it signed keep naming it.

``SubmittedReport``: a package that passed every check, kept whole (manifest and payload as
received) beside the figures this installation computes for the same organization and date.
A package id is stored once.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from dangbo.core.models import UUIDModel
from dangbo.exchange.package import KIND_LABELS


class ExchangePeer(UUIDModel):
    org = models.ForeignKey("orgs.Org", models.PROTECT, related_name="+", verbose_name="tổ chức")
    public_key = models.CharField("khóa công khai", max_length=64)
    fingerprint = models.CharField("dấu vân tay", max_length=64)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, related_name="+")
    added_at = models.DateTimeField("ngày đăng ký")
    revoked_at = models.DateTimeField("ngày thu hồi", null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["org__path", "-added_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["org", "fingerprint"],
                condition=Q(revoked_at__isnull=True),
                name="exchange_peer_one_live_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.org_id} {self.fingerprint}"


class SubmittedReport(UUIDModel):
    org = models.ForeignKey("orgs.Org", models.PROTECT, related_name="+", verbose_name="tổ chức báo cáo")
    producer = models.ForeignKey("orgs.Org", models.PROTECT, related_name="+", verbose_name="tổ chức gửi")
    kind = models.CharField("loại báo cáo", max_length=20)
    form = models.CharField("biểu", max_length=20, blank=True)
    as_of = models.DateField("ngày báo cáo")
    period_start = models.DateField("đầu kỳ")
    period_end = models.DateField("cuối kỳ")
    package_id = models.UUIDField("mã gói", unique=True)
    manifest = models.JSONField()
    payload = models.JSONField()
    signature = models.TextField()
    key_fingerprint = models.CharField("dấu vân tay khóa", max_length=64)
    peer = models.ForeignKey(ExchangePeer, models.PROTECT, related_name="reports")
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, related_name="+")
    received_at = models.DateTimeField("ngày nhận")
    # The differences found when last compared (on import, and each time the page is read).
    difference_count = models.IntegerField(null=True)
    compared_at = models.DateTimeField(null=True)

    class Meta:
        ordering = ["-received_at"]
        indexes = [models.Index(fields=["org", "as_of"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.org_id} {self.as_of}"

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind) + (f" {self.form}" if self.form else "")
