"""Disciplinary cases (RULES.md §5).

The table was created by ``members`` (migration 0006) and keeps its name
(``members_disciplinecase``) and its index name: the model moved to this app in state only
(``discipline`` migration 0001, ``members`` migration 0013).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from dangbo.core.models import Decision, UUIDModel


class DisciplineCase(UUIDModel, Decision):
    """A disciplinary matter (RULES.md §5), from the act to the decision. While it is open the
    member cannot resign (§2.6); a deferral ground (pregnancy, nursing, hospital) keeps it open.
    The decision writes a ``disciplined`` (or ``expelled``) ledger event with the same decision."""

    class State(models.TextChoices):
        OPEN = "open", "Đang xem xét"
        DECIDED = "decided", "Đã quyết định"
        DROPPED = "dropped", "Không kỷ luật"

    member = models.ForeignKey("members.Member", models.PROTECT, related_name="discipline_cases")
    act_on = models.DateField("ngày vi phạm")
    summary = models.CharField("nội dung vi phạm", max_length=500)
    exempt_matter = models.BooleanField("vi phạm không áp dụng thời hiệu", default=False)
    opened_on = models.DateField("ngày bắt đầu xem xét")
    state = models.CharField(max_length=12, choices=State.choices, default=State.OPEN)
    form = models.CharField("hình thức kỷ luật", max_length=16, blank=True)
    authority = models.CharField("cấp quyết định", max_length=32, blank=True)
    decided_on = models.DateField("ngày quyết định", null=True, blank=True)
    effective_on = models.DateField("ngày có hiệu lực", null=True, blank=True)
    approvals = models.PositiveIntegerField(null=True, blank=True)
    denominator = models.PositiveIntegerField(null=True, blank=True)
    deferral = models.CharField("lý do chưa xem xét", max_length=16, blank=True)
    rule_version = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "members_disciplinecase"  # created by members' migration 0006, kept when the model moved
        verbose_name = "hồ sơ kỷ luật"
        ordering = ["opened_on", "created_at"]
        indexes = [models.Index(fields=["member", "state"], name="members_dis_member__c53bfe_idx")]
