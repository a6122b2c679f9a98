"""Member records: identity fields (phiếu đảng viên), the event ledger, and its projection.

The projection — ``Member.status``, ``org``, ``org_path``, the dates, and the
``Position`` and ``Placement`` rows — is written only by ``members.ledger``
(DESIGN.md decision 1), but for the ``org_path`` of the members under a moved subtree,
rewritten by ``members.sql.member_paths_rewrite``. Identity fields are written by ``members.services.records``.
``Person`` (the identity fields) is shared with ``candidates.Candidate``.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models

from dangbo.core.fields import BinaryCharField
from dangbo.core.models import Decision, UUIDModel
from dangbo.core.roles import Role
from dangbo.rules import transfers as transfer_rules

# The bound of the index of long-standing members (member_veterans_by_path): members in the
# Party since before this day. The dues veterans of a month are those in the Party fifty years
# before it, so the index holds them all for every month until December 2039.
VETERANS_INDEXED_BEFORE = date(1990, 1, 1)


class Gender(models.TextChoices):
    MALE = "M", "Nam"
    FEMALE = "F", "Nữ"


class MemberStatus(models.TextChoices):
    PROBATIONARY = "probationary", "Đảng viên dự bị"
    FULL = "full", "Đảng viên chính thức"
    DIED = "died", "Từ trần"
    STRUCK_OFF = "struck_off", "Đã xóa tên"
    RESIGNED = "resigned", "Đã ra khỏi Đảng (xin ra)"
    EXPELLED = "expelled", "Bị khai trừ"
    MOVED_AWAY = "moved_away", "Đã chuyển sinh hoạt ra ngoài"


# Statuses counted in an organization's membership (đảng số).
ACTIVE_STATUSES = frozenset({MemberStatus.PROBATIONARY, MemberStatus.FULL})
# Out of the Party, by a decision that readmission or restoration may later undo (RULES.md §2.6).
LEFT_STATUSES = frozenset({MemberStatus.STRUCK_OFF, MemberStatus.RESIGNED, MemberStatus.EXPELLED})


class Standing(models.TextChoices):
    """How an active member takes part (RULES.md §2.4). One at a time; the member stays
    counted at home in every case."""

    NORMAL = "", "Sinh hoạt bình thường"
    EXEMPTED = "exempted", "Miễn công tác và sinh hoạt đảng"
    SUSPENDED = "suspended", "Đình chỉ sinh hoạt đảng"
    WORKING_AWAY = "working_away", "Đi làm ăn xa"
    TEMP_AWAY = "temp_away", "Sinh hoạt đảng tạm thời nơi khác"


class Person(models.Model):
    """Who someone is (phiếu đảng viên, mẫu 2-HSĐV; lý lịch người xin vào Đảng, mẫu 2-KNĐ):
    the fields a candidate and a member share."""

    family_name = models.CharField("họ", max_length=60)
    middle_name = models.CharField("tên đệm", max_length=80, blank=True)
    given_name = models.CharField("tên", max_length=60)
    gender = models.CharField("giới tính", max_length=1, choices=Gender.choices)
    birth_date = models.DateField("ngày sinh")
    national_id = models.CharField("số định danh cá nhân", max_length=12, null=True, blank=True, unique=True)
    # The code-list references carry no index of their own (db_index=False): no query looks
    # members up by one alone (search walks member_name_order_walk, reports read the tallies),
    # and each index costs every write of a member row — ten of them (with PostgreSQL's
    # pattern-ops twins) halved the speed of re-pathing 500,000 members in a restructuring.
    ethnicity = models.ForeignKey(
        "reference.Ethnicity", models.PROTECT, verbose_name="dân tộc", db_index=False
    )
    religion = models.ForeignKey(
        "reference.Religion", models.PROTECT, verbose_name="tôn giáo", db_index=False
    )
    birthplace = models.CharField("nơi sinh", max_length=255, blank=True)
    hometown = models.CharField("quê quán", max_length=255, blank=True)
    residence = models.CharField("nơi cư trú", max_length=255, blank=True)
    residence_locality = models.ForeignKey(
        "orgs.Locality",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="%(class)s_residents",
        verbose_name="thôn, tổ dân phố cư trú",
    )
    general_education = models.ForeignKey(
        "reference.GeneralEducation",
        models.PROTECT,
        null=True,
        blank=True,
        db_index=False,
        verbose_name="giáo dục phổ thông",
    )
    professional_level = models.ForeignKey(
        "reference.ProfessionalLevel",
        models.PROTECT,
        null=True,
        blank=True,
        db_index=False,
        verbose_name="chuyên môn nghiệp vụ",
    )
    theory_level = models.ForeignKey(
        "reference.TheoryLevel",
        models.PROTECT,
        null=True,
        blank=True,
        db_index=False,
        verbose_name="lý luận chính trị",
    )
    occupation = models.CharField("nghề nghiệp", max_length=120, blank=True)
    workplace = models.CharField("nơi làm việc", max_length=255, blank=True)
    # Indexed for search by the name-order walk below and, on PostgreSQL, a trigram index
    # (migration 0003); a plain index on either would serve no query.
    search_key = BinaryCharField(max_length=255)
    sort_key = BinaryCharField(max_length=400)

    class Meta:
        abstract = True

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.family_name, self.middle_name, self.given_name) if p)


class Member(UUIDModel, Person):
    # Kept from this table by the database's triggers (PostgreSQL, migration 0018: the words of
    # the names for the one-word search): refreshed with it after a bulk load (core.bulk).
    TABLES_KEPT_BY_TRIGGERS = ("members_name_word",)

    # Identity: the fields of Person, and the card
    card_number = models.CharField("số thẻ đảng viên", max_length=8, null=True, blank=True, unique=True)
    # số lý lịch đảng viên (phiếu đảng viên 2-HSĐV): 6 digits and the provincial committee's code
    history_number = models.CharField("số lý lịch", max_length=9, null=True, blank=True, unique=True)

    # Projection of the ledger (members.ledger writes these, nothing else does)
    status = models.CharField("tình trạng", max_length=16, choices=MemberStatus.choices)
    # indexed by the (org, status) index below, whose first column serves lookups by org alone
    org = models.ForeignKey(
        "orgs.Org", models.PROTECT, related_name="members", verbose_name="chi bộ", db_index=False
    )
    org_path = BinaryCharField(max_length=255)
    admitted_on = models.DateField("ngày vào Đảng", null=True, blank=True)
    ceremony_on = models.DateField("ngày lễ kết nạp", null=True, blank=True)
    full_on = models.DateField("ngày chính thức", null=True, blank=True)
    died_on = models.DateField("ngày từ trần", null=True, blank=True)
    status_since = models.DateField(null=True, blank=True)
    # Party age runs from this date: the admission decision date moved later by every period
    # out of the Party (rules.badges). Badges of N years fall due on it + N years.
    party_age_from = models.DateField("ngày tính tuổi đảng", null=True, blank=True, db_index=True)
    badge_years = models.PositiveSmallIntegerField("Huy hiệu Đảng đã tặng (năm)", null=True, blank=True)
    badge_deferred_until = models.DateField("xét Huy hiệu sau ngày (do kỷ luật)", null=True, blank=True)
    standing = models.CharField("sinh hoạt", max_length=16, choices=Standing.choices, blank=True, default="")
    standing_since = models.DateField(null=True, blank=True)
    host_org = models.ForeignKey(
        "orgs.Org",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="hosted_members",
        verbose_name="nơi sinh hoạt tạm thời",
    )
    left_on = models.DateField("ngày ra khỏi Đảng", null=True, blank=True)
    ledger_seq = models.PositiveIntegerField(default=0)

    version = models.PositiveIntegerField(default=1)  # optimistic locking of profile edits
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "đảng viên"
        verbose_name_plural = "đảng viên"
        ordering = ["sort_key"]
        indexes = [
            # Covers the subtree figures (count by status, gender, ethnicity) as an index-only scan,
            # and the subtree's veterans (party age: stats.indicators.dues.veterans_under), read
            # from the subtree's entries rather than from every veteran of the country.
            models.Index(
                fields=["org_path", "status"],
                include=["gender", "ethnicity", "party_age_from"],
                name="member_path_status_figures",
            ),
            # The name-order walk of a search: on PostgreSQL it carries every column a search
            # filters on, so finding the 50 members of a page is an index-only scan, however
            # far along the name order they lie (members.selectors.search.member_search_page).
            models.Index(
                fields=["sort_key", "id"],
                include=[
                    "org_path",
                    "status",
                    "search_key",
                    "gender",
                    "ethnicity",
                    "religion",
                    "theory_level",
                    "birth_date",
                ],
                name="member_name_order_walk",
            ),
            models.Index(fields=["org", "status"]),
            # A person named and born so: an import matches each row of a file without a number
            # by name and birth date (imports.member_rows), a chunk of 2,000 pairs by as many
            # probes; without it each chunk read the whole register (170 ms at 600,000 members).
            models.Index(fields=["search_key", "birth_date"], name="member_name_birth"),
            # The members in the Party by the day their party age began: the veterans whom fifty
            # years exempt from dues (stats.indicators.dues.veterans_without_account), a range
            # of this index read without the table on PostgreSQL, rather than a tenth of a
            # province's rows (the dead included) read from it.
            models.Index(
                fields=["party_age_from"],
                include=["id", "org_path"],
                condition=models.Q(status__in=["probationary", "full"]),
                name="member_active_party_age",
            ),
            # The long-standing members in the Party by subtree: the veterans of a province or
            # a large upper committee (stats.indicators.dues.veterans_under), read from the
            # subtree's own entries rather than from every veteran of the country (at 5.6
            # million members a province's 2,874 were read among some 304,000). Only members
            # in the Party before VETERANS_INDEXED_BEFORE: a fifth of the register, and every
            # member whom fifty years of party age exempt until the end of 2039 (the bound is
            # moved by a later migration before then; past it the query is right, only slower).
            models.Index(
                fields=["org_path"],
                include=["party_age_from", "id"],
                condition=models.Q(
                    status__in=["probationary", "full"], party_age_from__lt=VETERANS_INDEXED_BEFORE
                ),
                name="member_veterans_by_path",
            ),
            # The members who died, by the day: those a posthumous badge may be due to since the
            # last award day (members.selectors.badges._posthumous), found among the deaths of
            # the window rather than among every entry of a province (Hà Nội of the national
            # profile: 38 ms to find none, every to-do list).
            models.Index(
                fields=["died_on"],
                include=["org_path"],
                condition=models.Q(status="died"),
                name="member_died_on",
            ),
            # The probationary members by subtree and ceremony day: whose review for recognition
            # falls due (members.selectors.todo.recognition_candidates), counted on every to-do
            # list and overview; without it each count read the whole subtree's rows (the whole
            # register of 600,000: 133 ms for the earliest ceremony alone).
            models.Index(
                fields=["org_path", "ceremony_on"],
                condition=models.Q(status="probationary"),
                name="member_probationary_ceremony",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name


class MemberEvent(UUIDModel, Decision):
    """One change of a member's standing. Append-only: never updated, never deleted."""

    class Kind(models.TextChoices):
        ADMITTED = "admitted", "Kết nạp"
        RECOGNIZED = "recognized", "Công nhận đảng viên chính thức"
        TRANSFERRED = "transferred", "Chuyển sinh hoạt đảng chính thức"
        POSITION_STARTED = "position_started", "Nhận chức vụ"
        POSITION_ENDED = "position_ended", "Thôi chức vụ"
        DIED = "died", "Từ trần"
        BADGE_AWARDED = "badge_awarded", "Tặng Huy hiệu Đảng"
        TRANSFERRED_IN = "transferred_in", "Tiếp nhận sinh hoạt đảng từ nơi khác"
        MOVED_AWAY = "moved_away", "Chuyển sinh hoạt đảng ra ngoài"
        TEMP_TRANSFER = "temp_transfer", "Chuyển sinh hoạt đảng tạm thời"
        TEMP_RETURNED = "temp_returned", "Trở về sau sinh hoạt tạm thời"
        EXEMPTED = "exempted", "Miễn công tác và sinh hoạt đảng"
        SUSPENDED = "suspended", "Đình chỉ sinh hoạt đảng"
        WORKING_AWAY = "working_away", "Đi làm ăn xa"
        STANDING_ENDED = "standing_ended", "Trở lại sinh hoạt bình thường"
        DISCIPLINED = "disciplined", "Kỷ luật"
        STRUCK_OFF = "struck_off", "Xóa tên"
        RESIGNED = "resigned", "Ra khỏi Đảng (xin ra)"
        EXPELLED = "expelled", "Khai trừ"
        READMITTED = "readmitted", "Kết nạp lại"
        RESTORED = "restored", "Phục hồi đảng tịch"
        REHOMED = "rehomed", "Chuyển tổ chức đảng do sắp xếp tổ chức"
        RATED = "rated", "Xếp loại chất lượng đảng viên"
        CORRECTED = "corrected", "Cập nhật hồ sơ từ tệp nhập"

    member = models.ForeignKey(Member, models.PROTECT, related_name="events")
    seq = models.PositiveIntegerField()  # order of recording for this member
    kind = models.CharField(max_length=20, choices=Kind.choices)
    effective_on = models.DateField("ngày hiệu lực")
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    authority_org = models.ForeignKey(
        "orgs.Org", models.PROTECT, null=True, blank=True, related_name="+", verbose_name="tổ chức quyết định"
    )
    from_org = models.ForeignKey("orgs.Org", models.PROTECT, null=True, blank=True, related_name="+")
    to_org = models.ForeignKey("orgs.Org", models.PROTECT, null=True, blank=True, related_name="+")
    position_org = models.ForeignKey("orgs.Org", models.PROTECT, null=True, blank=True, related_name="+")
    role = models.CharField(max_length=32, choices=Role.choices, blank=True)
    rule_version = models.CharField(max_length=300, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = "sự kiện quá trình sinh hoạt đảng"
        ordering = ["member", "effective_on", "seq"]
        constraints = [models.UniqueConstraint(fields=["member", "seq"], name="member_event_seq_unique")]
        indexes = [models.Index(fields=["kind", "effective_on"])]


class Position(UUIDModel):
    """A position held over a period (derived from the ledger)."""

    member = models.ForeignKey(Member, models.PROTECT, related_name="positions")
    org = models.ForeignKey("orgs.Org", models.PROTECT, related_name="positions")
    role = models.CharField(max_length=32, choices=Role.choices)
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["org", "role", "started_on"]
        indexes = [models.Index(fields=["org", "ended_on"]), models.Index(fields=["member", "started_on"])]


class Placement(UUIDModel):
    """Where a member belonged from ``valid_from`` to the day before ``valid_to`` (derived).

    ``counted`` is false where the member is hosted but counted at home (temporary transfer).
    """

    member = models.ForeignKey(Member, models.PROTECT, related_name="placements")
    org = models.ForeignKey("orgs.Org", models.PROTECT, related_name="placements")
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)
    counted = models.BooleanField(default=True)
    status = models.CharField(max_length=16, choices=MemberStatus.choices)

    class Meta:
        ordering = ["member", "valid_from"]
        indexes = [
            models.Index(fields=["org", "valid_from"]),
            models.Index(fields=["member", "valid_from"]),
            # the placements that began, or ended, after a past day: a past day's counts by
            # organization are today's corrected by them (stats.sql.status_changes); the members
            # and organizations they name are read from the index alone (the dues veterans
            # changed since a month's end, stats.indicators.dues.veterans_under)
            models.Index(fields=["valid_from"], include=["member", "org"], name="placement_valid_from"),
            models.Index(fields=["valid_to"], include=["member", "org"], name="placement_valid_to"),
        ]


class TransferCase(UUIDModel, Decision):
    """An official transfer between two organizations of this installation, from the letter
    (giấy giới thiệu) to the receiver's confirmation of arrival (RULES.md §2.5). Both sides
    see it while it is open; the ledger records the transfer on the day of arrival."""

    class State(models.TextChoices):
        OPEN = "open", "Đang chuyển"
        COMPLETED = "completed", "Đã tiếp nhận"

    member = models.ForeignKey(Member, models.PROTECT, related_name="transfer_cases")
    from_org = models.ForeignKey("orgs.Org", models.PROTECT, related_name="+", verbose_name="nơi chuyển đi")
    to_org = models.ForeignKey("orgs.Org", models.PROTECT, related_name="+", verbose_name="nơi chuyển đến")
    issued_on = models.DateField("ngày giới thiệu chuyển")
    # The trigger (căn cứ chuyển sinh hoạt): the letter is due within 60 working days of it.
    # Blank only on cases recorded before it was asked for.
    trigger_kind = models.CharField(
        "căn cứ chuyển sinh hoạt", max_length=16, choices=transfer_rules.TRIGGER_KINDS, blank=True
    )
    trigger_no = models.CharField("số quyết định làm căn cứ", max_length=60, blank=True)
    trigger_on = models.DateField("ngày của căn cứ", null=True, blank=True)
    state = models.CharField(max_length=12, choices=State.choices, default=State.OPEN)
    arrived_on = models.DateField("ngày đến sinh hoạt", null=True, blank=True)
    # Lateness, judged when the letter is issued and when the member arrives, with its reason.
    letter_late = models.BooleanField("giới thiệu chậm", default=False)
    letter_late_reason = models.CharField(
        "lý do giới thiệu chậm", max_length=20, choices=transfer_rules.LATE_REASONS, blank=True
    )
    letter_late_note = models.CharField("ghi chú lý do giới thiệu chậm", max_length=500, blank=True)
    arrival_late = models.BooleanField("xuất trình chậm", default=False)
    arrival_late_reason = models.CharField(
        "lý do xuất trình chậm", max_length=20, choices=transfer_rules.LATE_REASONS, blank=True
    )
    arrival_late_note = models.CharField("ghi chú lý do xuất trình chậm", max_length=500, blank=True)
    # The officers' record that a late case was reported and handled; until then it stays flagged.
    late_closed_on = models.DateField("ngày xử lý xong việc chậm", null=True, blank=True)
    late_closed_note = models.CharField("kết quả xử lý việc chậm", max_length=500, blank=True)
    late_closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The sender confirmed the warning that the transfer leaves its cell below the minimum of full members.
    leaves_below_minimum = models.BooleanField(
        "để chi bộ dưới mức tối thiểu đảng viên chính thức", default=False
    )
    rule_version = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "hồ sơ chuyển sinh hoạt đảng"
        ordering = ["issued_on", "created_at"]
        indexes = [models.Index(fields=["state", "from_org"]), models.Index(fields=["state", "to_org"])]
        constraints = [
            models.UniqueConstraint(
                fields=["member"], condition=models.Q(state="open"), name="one_open_transfer_per_member"
            ),
            models.CheckConstraint(
                condition=models.Q(letter_late=False) | ~models.Q(letter_late_reason=""),
                name="late_letter_has_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(arrival_late=False) | ~models.Q(arrival_late_reason=""),
                name="late_arrival_has_reason",
            ),
        ]
