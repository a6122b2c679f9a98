"""The register of candidates (quần chúng cảm tình Đảng) and the steps of the admission
procedure (RULES.md §2.1–2.2).

The tables were created by ``members`` (migration 0006) and keep their names
(``members_candidate``, ``members_candidatestep``) and their index names: the models moved
to this app in state only (``candidates`` migration 0001, ``members`` migration 0013).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from dangbo.core.fields import BinaryCharField
from dangbo.core.models import Decision, UUIDModel
from dangbo.members.models import Person


class Candidate(UUIDModel, Person):
    """A person on a cell's register of candidates (quần chúng ưu tú, cảm tình Đảng), on the
    way through the admission steps of RULES.md §2.2. The steps are ``CandidateStep`` rows;
    at the ceremony the member record is created and linked here."""

    class State(models.TextChoices):
        ACTIVE = "active", "Đang bồi dưỡng, xem xét"
        ADMITTED = "admitted", "Đã kết nạp"
        WITHDRAWN = "withdrawn", "Thôi xem xét"

    cell = models.ForeignKey("orgs.Org", models.PROTECT, related_name="candidates", verbose_name="chi bộ")
    cell_path = BinaryCharField(max_length=255)
    listed_on = models.DateField("ngày đưa vào danh sách cảm tình Đảng")
    state = models.CharField(max_length=12, choices=State.choices, default=State.ACTIVE)
    stage = models.CharField("bước đã xong", max_length=24, blank=True)
    stage_on = models.DateField(null=True, blank=True)
    member = models.OneToOneField(
        "members.Member", models.PROTECT, null=True, blank=True, related_name="candidacy"
    )
    note = models.CharField("ghi chú", max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "members_candidate"  # created by members' migration 0006, kept when the model moved
        verbose_name = "quần chúng cảm tình Đảng"
        verbose_name_plural = "quần chúng cảm tình Đảng"
        ordering = ["sort_key"]
        indexes = [
            models.Index(fields=["cell_path", "state"], name="members_can_cell_pa_15cf37_idx"),
            models.Index(fields=["state", "stage"], name="members_can_state_31f222_idx"),
        ]

    def __str__(self) -> str:
        return self.full_name


class CandidateStep(UUIDModel, Decision):
    """One step of the admission procedure, done on ``done_on``. Append-only."""

    class Kind(models.TextChoices):
        COURSE = "course", "Học lớp bồi dưỡng nhận thức về Đảng"
        APPLICATION = "application", "Đơn xin vào Đảng"
        HISTORY = "history", "Lý lịch người xin vào Đảng"
        BACKGROUND_CHECK = "background_check", "Thẩm tra, xác minh lý lịch"
        SPONSORS = "sponsors", "Người giới thiệu"
        COMMENTS = "comments", "Nhận xét của đoàn thể, chi ủy nơi cư trú"
        CELL_VOTE = "cell_vote", "Chi bộ xét, đề nghị kết nạp"
        GRASSROOTS_RESOLUTION = "grassroots_resolution", "Nghị quyết của đảng ủy cơ sở"
        DECISION = "decision", "Quyết định kết nạp"
        CEREMONY = "ceremony", "Lễ kết nạp"

    candidate = models.ForeignKey(Candidate, models.PROTECT, related_name="steps")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    done_on = models.DateField("ngày")
    data = models.JSONField(default=dict, blank=True)
    late_reason = models.CharField("lý do chậm", max_length=500, blank=True)
    rule_version = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "members_candidatestep"
        verbose_name = "bước kết nạp"
        ordering = ["candidate", "done_on", "recorded_at"]
        constraints = [models.UniqueConstraint(fields=["candidate", "kind"], name="candidate_step_once")]


# The steps in the order RULES.md §2.2 sets them.
CANDIDATE_STEPS: tuple[str, ...] = tuple(CandidateStep.Kind.values)
