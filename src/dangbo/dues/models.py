"""Party dues (RULES.md §7): each member's dues basis, the reliefs granted them, the payments the
cell records, and the month-by-month account (``DuesMonth``) derived from them.

Money is integer đồng (``BigIntegerField``), never a float. A province holds millions of these
rows, so no key has an index of its own where a composite index starting with it exists
(the member's: ``(member, …)``; the collecting cell's: ``(org, paid_on)``). Nothing here is edited after it is
written: a basis is superseded by a later one, a relief entered in error is revoked (kept, with
who and why), a payment is reversed by a new negative entry pointing at it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from dangbo.core.models import Decision, UUIDModel
from dangbo.rules.dues import MAX_INCOME, Category, ReliefGround, ReliefKind

CATEGORY_CHOICES = Category.CHOICES
RELIEF_KIND_CHOICES = tuple(ReliefKind.LABELS.items())
RELIEF_GROUND_CHOICES = tuple(ReliefGround.LABELS.items())


class DuesBasis(UUIDModel):
    """What a member's dues are measured on from ``valid_from`` (the first day of a month) until
    the next basis: the category and the income figure, with where the figure comes from."""

    member = models.ForeignKey(
        "members.Member", models.PROTECT, related_name="+", verbose_name="đảng viên", db_index=False
    )
    category = models.CharField("đối tượng đóng", max_length=16, choices=CATEGORY_CHOICES)
    income = models.BigIntegerField("thu nhập làm căn cứ (đồng)", default=0)
    valid_from = models.DateField("áp dụng từ tháng")
    source = models.CharField("nguồn số liệu", max_length=200)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "căn cứ đóng đảng phí"
        verbose_name_plural = "căn cứ đóng đảng phí"
        ordering = ["member", "valid_from", "recorded_at"]
        indexes = [models.Index(fields=["member", "valid_from"], name="dues_basis_member")]
        constraints = [
            models.CheckConstraint(
                condition=Q(income__gte=0) & Q(income__lte=MAX_INCOME), name="dues_basis_income_range"
            ),
        ]


class DuesRelief(UUIDModel, Decision):
    """An exemption, a reduction or a deferral granted to a member for a run of months, with the
    decision behind it (QĐ 01-QĐ/TW Art. 5). Fifty years of party age is not recorded here: it
    follows from the member's record."""

    member = models.ForeignKey(
        "members.Member", models.PROTECT, related_name="+", verbose_name="đảng viên", db_index=False
    )
    kind = models.CharField("hình thức", max_length=12, choices=RELIEF_KIND_CHOICES)
    ground = models.CharField("lý do", max_length=24, choices=RELIEF_GROUND_CHOICES)
    percent = models.PositiveSmallIntegerField("mức miễn, giảm (%)", default=100)
    first_month = models.DateField("từ tháng")
    last_month = models.DateField("đến tháng", null=True, blank=True)
    note = models.CharField("ghi chú", max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField("thời điểm hủy", null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    revoke_reason = models.CharField("lý do hủy", max_length=300, blank=True)

    class Meta:
        verbose_name = "miễn, giảm đảng phí"
        verbose_name_plural = "miễn, giảm đảng phí"
        ordering = ["member", "first_month"]
        indexes = [models.Index(fields=["member", "first_month"], name="dues_relief_member")]
        constraints = [
            models.CheckConstraint(
                condition=Q(last_month__isnull=True) | Q(last_month__gte=F("first_month")),
                name="dues_relief_months_in_order",
            ),
            models.CheckConstraint(condition=Q(percent__lte=100), name="dues_relief_percent"),
        ]


class PaymentMethod(models.TextChoices):
    CASH = "cash", "Tiền mặt nộp chi bộ"
    TRANSFER = "transfer", "Chuyển khoản"
    PORTAL = "portal", "Cổng Dịch vụ công quốc gia"


class DuesPayment(UUIDModel):
    """Dues a cell received from a member for the months ``first_month``..``last_month`` (an
    advance covers months ahead; paying more than due is allowed), or, with a negative amount,
    the reversal of one such payment (``reverses``). Never edited, never deleted."""

    member = models.ForeignKey(
        "members.Member", models.PROTECT, related_name="+", verbose_name="đảng viên", db_index=False
    )
    org = models.ForeignKey(
        "orgs.Org", models.PROTECT, related_name="+", verbose_name="chi bộ thu", db_index=False
    )
    first_month = models.DateField("từ tháng")
    last_month = models.DateField("đến tháng")
    amount = models.BigIntegerField("số tiền (đồng)")
    paid_on = models.DateField("ngày nộp")
    method = models.CharField("hình thức nộp", max_length=12, choices=PaymentMethod.choices)
    reference = models.CharField("số chứng từ, mã giao dịch", max_length=100, blank=True)
    # "<year>/<number>", numbered per collecting organization and year (the receipt's number)
    receipt_no = models.CharField("số biên lai", max_length=20)
    reverses = models.OneToOneField(
        "self", models.PROTECT, null=True, blank=True, related_name="reversal", verbose_name="hủy phiếu thu"
    )
    note = models.CharField("ghi chú", max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "phiếu thu đảng phí"
        verbose_name_plural = "phiếu thu đảng phí"
        ordering = ["paid_on", "recorded_at"]
        indexes = [
            models.Index(fields=["member", "first_month"], name="dues_payment_member"),
            models.Index(fields=["org", "paid_on"], name="dues_payment_org_paid_on"),
            # a province's collections of a month, whatever the cell
            models.Index(fields=["paid_on"], name="dues_payment_paid_on"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["org", "receipt_no"], name="dues_payment_receipt_once"),
            models.CheckConstraint(condition=Q(last_month__gte=F("first_month")), name="dues_payment_months"),
            models.CheckConstraint(
                condition=(Q(reverses__isnull=True) & Q(amount__gt=0))
                | (Q(reverses__isnull=False) & Q(amount__lt=0)),
                name="dues_payment_sign",
            ),
        ]


# A month in arrears (``DuesMonth.unpaid`` as a query): owed, something due, not covered, not deferred.
UNPAID_ROWS = Q(owed=True, due__gt=F("paid")) & ~Q(relief_kind=ReliefKind.DEFERRAL)


class DuesMonth(UUIDModel):
    """One member's account for one month, derived (``dues.accounts``) from the member's record
    (membership, cell, party age), bases, reliefs and payments, and rewritten whenever one of
    them changes: what the books, summaries and indicators read instead of recomputing millions
    of months. ``dangbo check --aggregates`` compares it with a recomputation.

    A row exists for every month the member owes (in the Party on the month's last day, from
    the first month of a basis or payment) and for any other month a payment covers."""

    member = models.ForeignKey("members.Member", models.PROTECT, related_name="+", db_index=False)
    month = models.DateField()
    # the cell the member was counted in on the month's last day (or the last before they left)
    org = models.ForeignKey("orgs.Org", models.PROTECT, related_name="+", db_index=False)
    owed = models.BooleanField(default=True)  # in the Party at the month's end
    category = models.CharField(max_length=16, choices=CATEGORY_CHOICES, blank=True)  # "" no basis
    income = models.BigIntegerField(default=0)
    full = models.BigIntegerField(default=0)  # the rule's amount before any relief
    due = models.BigIntegerField(default=0)  # after relief
    relief_kind = models.CharField(max_length=12, choices=RELIEF_KIND_CHOICES, blank=True)
    relief_ground = models.CharField(max_length=24, choices=RELIEF_GROUND_CHOICES, blank=True)
    paid = models.BigIntegerField(default=0)  # the payments allocated to this month
    # which rule version (and committee settings) the due follows: ``dues.schedule.Applied.key``
    rule_version = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["member", "month"]
        # a month of one cell, of a subtree's cells, or of the whole province
        indexes = [
            models.Index(fields=["month", "org"], name="dues_month_month_org"),
            # the months in arrears alone (a minority), for the to-do list, the arrears drill-down and
            # the striking-off reviews: reading them never scans a province's paid months; with the
            # member, the to-do list's counts by member read the index alone on PostgreSQL
            models.Index(
                fields=["month", "org"], include=["member"], condition=UNPAID_ROWS, name="dues_month_unpaid"
            ),
        ]
        constraints = [models.UniqueConstraint(fields=["member", "month"], name="dues_month_once")]

    @property
    def balance(self) -> int:
        """What is still owed for the month (negative: paid more than due)."""
        return self.due - self.paid

    @property
    def unpaid(self) -> bool:
        """Owed, something due, not covered, and not deferred by a decision."""
        return self.owed and self.due > 0 and self.paid < self.due and self.relief_kind != ReliefKind.DEFERRAL


class DuesCellMonth(models.Model):
    """One cell's dues for one month: the sums of its members' accounts (``DuesMonth``) of the
    month and of the payments it received in the month, kept with them (``dues.sums``) in the
    transaction of every change, so a province's summary and indicators read one row per cell
    instead of one per member. ``dangbo check --aggregates`` compares them with a recount."""

    org = models.ForeignKey("orgs.Org", models.PROTECT, related_name="+", db_index=False)
    month = models.DateField()
    members = models.IntegerField(default=0)  # accounts owed in the month
    with_basis = models.IntegerField(default=0)  # ... of which with a basis (an amount known)
    due = models.BigIntegerField(default=0)  # their dues after relief
    paid = models.BigIntegerField(default=0)  # the payments allocated to them
    paid_capped = models.BigIntegerField(default=0)  # ... each month up to its due (no voluntary extra)
    unpaid = models.IntegerField(default=0)  # accounts in arrears (``UNPAID_ROWS``)
    exempted = models.IntegerField(default=0)  # accounts owed and exempted
    collected = models.BigIntegerField(default=0)  # payments received in the month (reversals less)

    class Meta:
        verbose_name = "tổng hợp đảng phí chi bộ theo tháng"
        verbose_name_plural = "tổng hợp đảng phí chi bộ theo tháng"
        indexes = [models.Index(fields=["month", "org"], name="dues_cell_month_month_org")]
        constraints = [models.UniqueConstraint(fields=["org", "month"], name="dues_cell_month_once")]

    def __str__(self) -> str:
        return f"{self.org_id} {self.month:%m/%Y}: {self.due} due, {self.paid} paid"


class DuesSetting(UUIDModel):
    """A committee's own dated value for a figure RULES.md leaves UNCONFIRMED (the rate of other
    members, the fixed amounts, the rounding unit, the shares each level keeps), with the
    document it follows. It applies from ``effective_from`` until a later setting or rule
    version; ``dues.schedule`` merges it with ``rules.dues``."""

    CODES = {
        "rate_other": "Tỷ lệ đóng của đảng viên khác dưới tuổi nghỉ hưu (phần vạn)",
        "rate_other_elderly": "Tỷ lệ đóng của đảng viên khác từ tuổi nghỉ hưu (phần vạn)",
        "student_amount": "Mức đóng của học sinh, sinh viên (đồng)",
        "rounding": "Làm tròn số tiền đến (đồng)",
        "share_cell": "Chi bộ trực thuộc được trích giữ lại (%)",
        "share_grassroots": "Tổ chức cơ sở đảng được trích giữ lại (%)",
        "share_upper": "Cấp trên trực tiếp cơ sở được trích giữ lại (%)",
        "share_province": "Tỉnh ủy, thành ủy được trích giữ lại (%)",
    }

    code = models.CharField("nội dung", max_length=24, choices=tuple(CODES.items()))
    value = models.BigIntegerField("giá trị")
    effective_from = models.DateField("áp dụng từ")
    source = models.CharField("căn cứ (văn bản)", max_length=300)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "cấu hình đảng phí"
        verbose_name_plural = "cấu hình đảng phí"
        ordering = ["code", "effective_from", "recorded_at"]
        constraints = [models.CheckConstraint(condition=Q(value__gte=0), name="dues_setting_value")]


class DuesOpening(UUIDModel):
    """A month whose accounts were opened for every member who has one (``dues.accounts.extend``,
    on the first of the month by ``dangbo dues open-month`` or the background job): until then
    only the members whose dues changed in the month have a row for it, and the books say so."""

    month = models.DateField("tháng", unique=True)
    members = models.PositiveIntegerField("số đảng viên được mở sổ", default=0)
    finished_at = models.DateTimeField("hoàn thành lúc")

    class Meta:
        verbose_name = "mở sổ đảng phí tháng"
        verbose_name_plural = "mở sổ đảng phí tháng"
        ordering = ["-month"]
