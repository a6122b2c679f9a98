"""The organization tree: stable identities, dated versions, events; and localities.

``Org`` holds the current state (a projection of its open ``OrgVersion``) so that
today's lists are one range scan; ``OrgVersion`` holds what the organization was
during each period, so any date's tree can be drawn. Both are written only by
``orgs.services``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from dangbo.core.fields import BinaryCharField
from dangbo.core.models import Decision, UUIDModel
from dangbo.orgs.kinds import OrgKind, Sector


class Org(UUIDModel):
    code = models.CharField("mã", max_length=40, unique=True)
    created_on = models.DateField("ngày thành lập")
    # Current state: equal to the open version's fields.
    name = models.CharField("tên", max_length=255)
    kind = models.CharField("loại", max_length=24, choices=OrgKind.choices)
    sector = models.CharField("loại hình", max_length=24, choices=Sector.choices, blank=True)
    has_upper_rights = models.BooleanField("được giao quyền cấp trên cơ sở", default=False)
    parent = models.ForeignKey("self", models.PROTECT, null=True, blank=True, related_name="children")
    path = BinaryCharField(max_length=255, unique=True)
    depth = models.PositiveSmallIntegerField()
    # Highest segment number given to a child; segments are never reused.
    child_seq = models.PositiveIntegerField(default=0)
    # Written approval for a formation exception (Charter art. 21: <30 committee, >30 cell).
    formation_approval = models.CharField("văn bản đồng ý của cấp trên", max_length=200, blank=True)
    dissolved_on = models.DateField("ngày giải thể", null=True, blank=True)
    version = models.PositiveIntegerField(default=1)  # optimistic locking
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "tổ chức đảng"
        verbose_name_plural = "tổ chức đảng"
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.dissolved_on is None


class OrgEvent(UUIDModel, Decision):
    class Kind(models.TextChoices):
        ESTABLISHED = "established", "Thành lập"
        RENAMED = "renamed", "Đổi tên"
        MOVED = "moved", "Chuyển trực thuộc"
        MERGED = "merged", "Hợp nhất, sáp nhập"
        SPLIT = "split", "Chia tách"
        DISSOLVED = "dissolved", "Giải thể"
        KIND_CHANGED = "kind_changed", "Đổi loại tổ chức"
        RIGHTS_CHANGED = "rights_changed", "Giao, thu hồi quyền cấp trên cơ sở"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    org = models.ForeignKey(Org, models.PROTECT, related_name="events")
    effective_on = models.DateField("ngày hiệu lực")
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    # Other organizations in the operation (merged from, split into) and before/after values.
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["effective_on", "recorded_at"]
        indexes = [models.Index(fields=["org", "effective_on"])]


class OrgVersion(UUIDModel):
    """What an organization was from ``valid_from`` until the day before ``valid_to``."""

    org = models.ForeignKey(Org, models.PROTECT, related_name="versions")
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)  # exclusive; null = still valid
    parent = models.ForeignKey(Org, models.PROTECT, null=True, blank=True, related_name="+")
    path = BinaryCharField(max_length=255)
    name = models.CharField(max_length=255)
    kind = models.CharField(max_length=24, choices=OrgKind.choices)
    sector = models.CharField(max_length=24, choices=Sector.choices, blank=True)
    has_upper_rights = models.BooleanField(default=False)
    event = models.ForeignKey(OrgEvent, models.PROTECT, null=True, blank=True, related_name="versions")

    class Meta:
        ordering = ["org", "valid_from"]
        indexes = [
            models.Index(fields=["path", "valid_from"]),
            models.Index(fields=["org", "valid_from"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["org"], condition=models.Q(valid_to__isnull=True), name="one_open_version_per_org"
            ),
        ]


class Locality(UUIDModel):
    """A hamlet or residential group that a cell should cover (thôn, bản, tổ dân phố ...)."""

    class Kind(models.TextChoices):
        THON = "thon", "Thôn"
        BAN = "ban", "Bản"
        AP = "ap", "Ấp"
        LANG = "lang", "Làng"
        BUON = "buon", "Buôn"
        TO_DAN_PHO = "to_dan_pho", "Tổ dân phố"
        KHU_PHO = "khu_pho", "Khu phố"
        TIEU_KHU = "tieu_khu", "Tiểu khu"

    code = models.CharField("mã", max_length=40, unique=True)
    kind = models.CharField("loại", max_length=12, choices=Kind.choices)
    name = models.CharField("tên", max_length=200)
    commune = models.ForeignKey(Org, models.PROTECT, related_name="localities", verbose_name="đảng bộ xã, phường")
    commune_path = BinaryCharField(max_length=255, db_index=True)
    cell = models.ForeignKey(
        Org, models.PROTECT, null=True, blank=True, related_name="covered_localities", verbose_name="chi bộ"
    )
    head_name = models.CharField("trưởng thôn, tổ trưởng", max_length=120, blank=True)
    head_is_member = models.BooleanField("trưởng thôn là đảng viên", default=False)
    head_member = models.ForeignKey(
        "members.Member", models.PROTECT, null=True, blank=True, related_name="+", verbose_name="đảng viên"
    )
    dissolved_on = models.DateField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "thôn, tổ dân phố"
        verbose_name_plural = "thôn, tổ dân phố"
        ordering = ["commune_path", "name"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.name}"


class RestructurePlan(UUIDModel):
    """A restructuring plan (``orgs.plans``) uploaded on the plan page. The bytes stored here
    are the bytes previewed and the bytes applied; a plan is applied at most once, and the
    same content is never applied twice (``orgs.plan_uploads``)."""

    file_name = models.CharField("tên tệp", max_length=255)
    content = models.BinaryField("nội dung tệp")
    sha256 = models.CharField("mã kiểm tra SHA-256", max_length=64, db_index=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    # The last run's report (the preview at upload; the apply, or its refusal, later) as JSON.
    report = models.JSONField(default=dict, blank=True)
    reported_at = models.DateTimeField(null=True, blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    applied_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = "phương án sắp xếp tổ chức"
        verbose_name_plural = "phương án sắp xếp tổ chức"
        ordering = ["-uploaded_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["sha256"], condition=models.Q(applied_at__isnull=False), name="restructure_plan_applied_once"
            ),
        ]

    def __str__(self) -> str:
        return self.file_name
