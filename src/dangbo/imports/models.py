"""An import: the file read (``ImportBatch``) and its rows as staged (``StagedRow``).

Rows wait here, each with its outcome and its reasons, until the user confirms; only then do
the accepted ones reach the register, all in one transaction (``imports.commit``). A batch
belongs to the user who uploaded it and to the organization whose subtree its rows must fall
in; nobody else sees its rows (``imports.selectors``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from dangbo.core.models import UUIDModel


class ImportKind(models.TextChoices):
    ORGS = "orgs", "Tổ chức đảng"
    HAMLETS = "hamlets", "Thôn, tổ dân phố"
    MEMBERS = "members", "Đảng viên"


class BatchState(models.TextChoices):
    READING = "reading", "Đang đọc tệp"
    STAGED = "staged", "Đã kiểm tra, chờ xác nhận"
    COMMITTING = "committing", "Đang ghi vào hồ sơ"
    COMMITTED = "committed", "Đã nhập"
    REFUSED = "refused", "Không đọc được tệp"
    CANCELLED = "cancelled", "Đã hủy"


class Outcome(models.TextChoices):
    ACCEPTED = "accepted", "Được nhận"
    REJECTED = "rejected", "Bị từ chối"
    DUPLICATE = "duplicate", "Nghi trùng"
    UNCHANGED = "unchanged", "Không thay đổi"


class Action(models.TextChoices):
    CREATE = "create", "Thêm mới"
    UPDATE = "update", "Cập nhật"


class ImportBatch(UUIDModel):
    kind = models.CharField("loại dữ liệu", max_length=12, choices=ImportKind.choices)
    file_name = models.CharField("tên tệp", max_length=255)
    sha256 = models.CharField("mã kiểm tra SHA-256", max_length=64, db_index=True)
    size = models.PositiveBigIntegerField("dung lượng (byte)")
    # the file as uploaded (storages["imports"]) while its rows are staged; deleted once done
    stored_name = models.CharField(max_length=255, blank=True)
    org = models.ForeignKey("orgs.Org", models.PROTECT, related_name="+", verbose_name="trong phạm vi")
    # who uploaded it; none for a file imported from the command line (the installation)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    state = models.CharField(max_length=12, choices=BatchState.choices, default=BatchState.READING)
    # what reading found: the sheet, the header row, the layout recognised, the text encoding
    # detected and converted, each column and the field it was matched to (or none)
    reading = models.JSONField(default=dict, blank=True)
    # the user's choices for unknown headers: {column index: field}
    mapping = models.JSONField(default=dict, blank=True)
    counts = models.JSONField(default=dict, blank=True)  # {outcome or action: rows}
    refusal = models.TextField("lý do không đọc được", blank=True)
    committed_at = models.DateTimeField(null=True, blank=True)
    committed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "lần nhập dữ liệu"
        verbose_name_plural = "các lần nhập dữ liệu"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["owner", "created_at"])]

    def __str__(self) -> str:
        return self.file_name

    def source(self) -> dict:
        """What the ledger events of this import say about where they came from."""
        return {"batch": str(self.pk), "file": self.file_name, "sha256": self.sha256}


class StagedRow(models.Model):
    """One row of the file: its values as read and cleaned, its outcome and its reasons
    (``[{"column": …, "value": …, "message": …, "rule": …}]``). ``target`` is the record the
    row matched (a member, organization or hamlet id) and ``changes`` what an update would
    change (``{field: [before, after]}``)."""

    id = models.BigAutoField(primary_key=True)
    batch = models.ForeignKey(ImportBatch, models.CASCADE, related_name="rows")
    row_number = models.PositiveIntegerField("dòng")
    outcome = models.CharField(max_length=12, choices=Outcome.choices)
    action = models.CharField(max_length=8, choices=Action.choices, blank=True)
    values = models.JSONField(default=dict)
    reasons = models.JSONField(default=list, blank=True)
    target = models.CharField(max_length=40, blank=True)
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["row_number"]
        indexes = [models.Index(fields=["batch", "outcome", "row_number"])]

    def __str__(self) -> str:
        return f"{self.batch_id} dòng {self.row_number}"
