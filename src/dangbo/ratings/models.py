"""The annual review and quality rating (RULES.md §4): a campaign for a subtree and a year, each
member's and each organization's review in it, step by step, and the decisions that rate them.

- ``ReviewCampaign``: who is reviewed is fixed on its cut-off date (the members counted in a cell
  of the subtree that day, the cells and grassroots organizations standing), with its deadlines.
- ``MemberRating``: one member's review of a year (and period): the self-assessment on their form
  (2A/2B/2C), the cell's assessment and proposed band, and the band decided by the grassroots
  committee — or why the member is not rated. The decided band is kept here for the reports;
  every decision, the first and each correction, is a ``RatingDecision`` row, never changed, and
  a ``rated`` event in the member's ledger.
- ``OrgRating``: the same for an organization: its own self-assessment, rated by the direct
  superior's standing committee.
Years before 2018 hold the old levels (``legacy_level``), recorded without a campaign.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from dangbo.core.models import UUIDModel
from dangbo.rules.ratings import Band, Disqualifier, LegacyLevel, MemberForm

BAND_CHOICES = tuple(Band.LABELS.items())
LEGACY_CHOICES = tuple(LegacyLevel.LABELS.items())
FORM_CHOICES = tuple(MemberForm.LABELS.items())


class Period(models.TextChoices):
    YEAR = "year", "Cả năm"
    Q1 = "q1", "Quý I"
    Q2 = "q2", "Quý II"
    Q3 = "q3", "Quý III"
    Q4 = "q4", "Quý IV"
    TERM = "term", "Cả nhiệm kỳ"


class NotRated(models.TextChoices):
    """Why a member on the campaign's list is not rated (RULES.md §4; ``rules.ratings.WHO_IS_RATED``)."""

    EXEMPTED = "exempted", "Được miễn công tác và sinh hoạt đảng"
    SUSPENDED = "suspended", "Bị đình chỉ sinh hoạt đảng"
    PROBATIONARY = "probationary", "Đảng viên dự bị (theo cấu hình không xếp loại)"
    LEFT = "left", "Đã ra khỏi danh sách trước khi xếp loại"
    TOO_NEW = "too_new", "Vào Đảng hoặc chuyển đến sau ngày chốt danh sách"


class ReviewCampaign(UUIDModel):
    org = models.ForeignKey("orgs.Org", models.PROTECT, related_name="+", verbose_name="tổ chức")
    year = models.PositiveSmallIntegerField("năm")
    period = models.CharField("kỳ", max_length=8, choices=Period.choices, default=Period.YEAR)
    cutoff_on = models.DateField("ngày chốt danh sách")
    self_due_on = models.DateField("hạn tự đánh giá")
    cell_due_on = models.DateField("hạn chi bộ đánh giá")
    decision_due_on = models.DateField("hạn quyết định xếp loại")
    rule_version = models.CharField(max_length=300, blank=True)
    members = models.PositiveIntegerField("số đảng viên trong danh sách", default=0)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, related_name="+")
    opened_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "đợt kiểm điểm, đánh giá, xếp loại"
        ordering = ["-year", "period"]
        constraints = [
            models.UniqueConstraint(fields=["org", "year", "period"], name="ratings_campaign_once")
        ]

    def __str__(self) -> str:
        return f"{self.get_period_display()} {self.year}"


class Steps(models.Model):
    """The steps a review goes through, for members and organizations alike."""

    self_score = models.PositiveSmallIntegerField("điểm tự đánh giá", null=True, blank=True)
    self_band = models.CharField("tự xếp loại", max_length=12, choices=BAND_CHOICES, blank=True)
    self_note = models.CharField("ghi chú", max_length=500, blank=True)
    self_on = models.DateField(null=True, blank=True)
    self_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    # the decided band (the latest RatingDecision), kept here for the lists and the indicators
    score = models.PositiveSmallIntegerField("điểm", null=True, blank=True)
    band = models.CharField("xếp loại", max_length=12, choices=BAND_CHOICES, blank=True)
    legacy_level = models.CharField(
        "mức xếp loại (trước 2018)", max_length=16, choices=LEGACY_CHOICES, blank=True
    )
    disqualifiers = models.JSONField(default=list, blank=True)
    decided_on = models.DateField("ngày quyết định", null=True, blank=True)
    decision_no = models.CharField("số quyết định", max_length=60, blank=True)
    rule_version = models.CharField(max_length=300, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{getattr(self, 'year', '')}: {self.band_label or 'chưa xếp loại'}"

    @property
    def decided(self) -> bool:
        return bool(self.band or self.legacy_level)

    @property
    def band_label(self) -> str:
        if self.band:
            return Band.LABELS[self.band]
        return LegacyLevel.LABELS.get(self.legacy_level, "")

    @property
    def disqualifier_labels(self) -> list[str]:
        return [Disqualifier.LABELS.get(d, d) for d in self.disqualifiers]


class MemberRating(UUIDModel, Steps):
    campaign = models.ForeignKey(
        ReviewCampaign, models.PROTECT, null=True, blank=True, related_name="members_rated"
    )
    member = models.ForeignKey("members.Member", models.PROTECT, related_name="+", db_index=False)
    year = models.PositiveSmallIntegerField("năm")
    period = models.CharField("kỳ", max_length=8, choices=Period.choices, default=Period.YEAR)
    cell = models.ForeignKey("orgs.Org", models.PROTECT, related_name="+", verbose_name="chi bộ")
    grassroots = models.ForeignKey("orgs.Org", models.PROTECT, related_name="+", db_index=False)
    form = models.CharField("mẫu tự kiểm điểm", max_length=4, choices=FORM_CHOICES, blank=True)
    not_rated = models.CharField("không xếp loại vì", max_length=16, choices=NotRated.choices, blank=True)
    # the cell's assessment and proposal
    cell_score = models.PositiveSmallIntegerField("điểm chi bộ đánh giá", null=True, blank=True)
    cell_band = models.CharField("chi bộ đề xuất", max_length=12, choices=BAND_CHOICES, blank=True)
    cell_disqualifiers = models.JSONField(default=list, blank=True)
    cell_note = models.CharField("nhận xét của chi bộ", max_length=500, blank=True)
    cell_on = models.DateField(null=True, blank=True)
    cell_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "xếp loại chất lượng đảng viên"
        ordering = ["year", "member"]
        constraints = [
            models.UniqueConstraint(fields=["member", "year", "period"], name="ratings_member_once"),
            models.CheckConstraint(
                condition=Q(self_score__lte=100) & Q(cell_score__lte=100) & Q(score__lte=100),
                name="ratings_member_score",
            ),
        ]
        indexes = [
            models.Index(fields=["grassroots", "year", "band"], name="ratings_member_grassroots"),
            models.Index(fields=["member", "year"], name="ratings_member_year"),
            models.Index(fields=["year", "cell"], name="ratings_member_cell"),
            # the few rows the to-do list and its counts read for a whole subtree
            # (``ratings.todo``): yearly ratings «not completed», and the open campaigns'
            # rows not yet decided (none once a campaign is over)
            models.Index(
                fields=["member", "year"],
                condition=Q(band="failed", period="year"),
                name="ratings_member_failed",
            ),
            models.Index(
                fields=["campaign", "cell"],
                condition=Q(campaign__isnull=False, not_rated="", band=""),
                name="ratings_member_open",
            ),
        ]


class OrgRating(UUIDModel, Steps):
    campaign = models.ForeignKey(
        ReviewCampaign, models.PROTECT, null=True, blank=True, related_name="orgs_rated"
    )
    org = models.ForeignKey("orgs.Org", models.PROTECT, related_name="+", db_index=False)
    year = models.PositiveSmallIntegerField("năm")
    period = models.CharField("kỳ", max_length=8, choices=Period.choices, default=Period.YEAR)
    # who rates it: the direct superior (its standing committee)
    authority = models.ForeignKey("orgs.Org", models.PROTECT, related_name="+", db_index=False)

    class Meta:
        verbose_name = "xếp loại chất lượng tổ chức đảng"
        ordering = ["year", "org"]
        constraints = [
            models.UniqueConstraint(fields=["org", "year", "period"], name="ratings_org_once"),
            models.CheckConstraint(
                condition=Q(self_score__lte=100) & Q(score__lte=100), name="ratings_org_score"
            ),
        ]
        indexes = [models.Index(fields=["year", "authority"], name="ratings_org_authority")]


class RatingDecision(UUIDModel):
    """A decision rating a member or an organization: the first, or a correction of the one
    before (``corrects``). Append-only."""

    member_rating = models.ForeignKey(
        MemberRating, models.PROTECT, null=True, blank=True, related_name="decisions"
    )
    org_rating = models.ForeignKey(OrgRating, models.PROTECT, null=True, blank=True, related_name="decisions")
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    band = models.CharField(max_length=12, choices=BAND_CHOICES, blank=True)
    legacy_level = models.CharField(max_length=16, choices=LEGACY_CHOICES, blank=True)
    disqualifiers = models.JSONField(default=list, blank=True)
    decision_no = models.CharField("số quyết định", max_length=60)
    decided_on = models.DateField("ngày quyết định")
    authority = models.ForeignKey("orgs.Org", models.PROTECT, related_name="+", verbose_name="cấp quyết định")
    corrects = models.OneToOneField(
        "self", models.PROTECT, null=True, blank=True, related_name="corrected_by"
    )
    reason = models.CharField("lý do điều chỉnh", max_length=300, blank=True)
    rule_version = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "quyết định xếp loại chất lượng"
        ordering = ["decided_on", "recorded_at"]
        # "was anything decided after this day?" (a past day's report: stats.indicators.ratings)
        indexes = [models.Index(fields=["decided_on"], name="ratings_decision_decided_on")]
        constraints = [
            models.CheckConstraint(
                condition=(Q(member_rating__isnull=False) & Q(org_rating__isnull=True))
                | (Q(member_rating__isnull=True) & Q(org_rating__isnull=False)),
                name="ratings_decision_subject",
            ),
            models.CheckConstraint(
                condition=(~Q(band="") & Q(legacy_level="")) | (Q(band="") & ~Q(legacy_level="")),
                name="ratings_decision_level",
            ),
        ]


class RatingSetting(UUIDModel):
    """A committee's own dated value for what RULES.md leaves UNCONFIRMED in the rating (the cap
    on «excellent», whether probationary members are rated, which disqualifiers apply), with the
    document it follows. It applies from ``effective_from`` until a later setting or rule
    version; ``ratings.settings`` merges it with ``rules.ratings``."""

    NO_CAP = -1  # the cap's value meaning «no cap»
    CODES = {
        "excellent_cap": "Tỷ lệ tối đa đảng viên HTXSNV so với số HTTNV trong mỗi tổ chức cơ sở đảng (%; -1: không giới hạn)",
        "rate_probationary": "Xếp loại đảng viên dự bị (1: có, 0: không)",
        "disqualifier_degraded": "Suy thoái, «tự diễn biến», «tự chuyển hóa» là trường hợp KHTNV (1: có, 0: không)",
        "disqualifier_tasks_under_half": "Hoàn thành dưới 50 % nhiệm vụ là trường hợp KHTNV (1: có, 0: không)",
        "disqualifier_civil_servant_failed": "Công chức, viên chức xếp loại KHTNV là trường hợp KHTNV (1: có, 0: không)",
    }

    code = models.CharField("nội dung", max_length=40, choices=tuple(CODES.items()))
    value = models.IntegerField("giá trị")
    effective_from = models.DateField("áp dụng từ")
    source = models.CharField("căn cứ (văn bản)", max_length=300)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "cấu hình xếp loại chất lượng"
        verbose_name_plural = "cấu hình xếp loại chất lượng"
        ordering = ["code", "effective_from", "recorded_at"]

    def __str__(self) -> str:
        return f"{self.code} = {self.value} từ {self.effective_from:%d/%m/%Y}"
