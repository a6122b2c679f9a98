"""Meetings of a cell and of its committee (RULES.md §3): the meeting, who attended, the
higher-level officials who came, and the minutes, which are amended only by appended rows
once signed."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from dangbo.core.models import UUIDModel
from dangbo.rules.meetings import OnlineReason


class Body(models.TextChoices):
    """Who meets: the whole cell, its committee, or a grassroots committee."""

    CHI_BO = "chi_bo", "Chi bộ"
    CHI_UY = "chi_uy", "Chi ủy"
    DANG_UY_CO_SO = "dang_uy_co_so", "Đảng ủy cơ sở"


class MeetingKind(models.TextChoices):
    REGULAR = "regular", "Sinh hoạt thường kỳ"
    THEMATIC = "thematic", "Sinh hoạt chuyên đề"
    EXTRAORDINARY = "extraordinary", "Sinh hoạt bất thường"
    COMMITTEE = "committee", "Họp cấp ủy (phiên làm việc khác)"


class MeetingMode(models.TextChoices):
    IN_PERSON = "in_person", "Trực tiếp"
    ONLINE = "online", "Trực tuyến"
    MIXED = "mixed", "Trực tiếp kết hợp trực tuyến"


class Meeting(UUIDModel):
    org = models.ForeignKey("orgs.Org", models.PROTECT, related_name="meetings", verbose_name="tổ chức đảng")
    body = models.CharField("cơ quan họp", max_length=16, choices=Body.choices, default=Body.CHI_BO)
    kind = models.CharField("loại buổi sinh hoạt", max_length=16, choices=MeetingKind.choices)
    topic = models.CharField("chuyên đề", max_length=300, blank=True)
    held_on = models.DateField("ngày sinh hoạt")
    # The first day of ``held_on``'s month: one regular meeting a month per body (constraint).
    month = models.DateField("tháng", editable=False)
    place = models.CharField("địa điểm", max_length=200, blank=True)
    mode = models.CharField(
        "hình thức", max_length=12, choices=MeetingMode.choices, default=MeetingMode.IN_PERSON
    )
    online_link = models.CharField("đường dẫn phòng họp trực tuyến", max_length=500, blank=True)
    online_reason = models.CharField(
        "lý do sinh hoạt trực tuyến", max_length=16, choices=OnlineReason.CHOICES, blank=True
    )
    unable_in_person = models.PositiveIntegerField(
        "số đảng viên không thể sinh hoạt trực tiếp", null=True, blank=True
    )
    members_counted = models.PositiveIntegerField(
        "số đảng viên được tính (không kể miễn, đình chỉ sinh hoạt)", null=True, blank=True
    )
    agenda = models.TextField("nội dung dự kiến", blank=True)
    # When the agenda (and documents) were posted for members to read ahead; members see
    # neither before (the secretary posts around the 20th of the month before).
    agenda_posted_at = models.DateTimeField("thời điểm thông báo nội dung", null=True, blank=True)
    presided_by = models.ForeignKey(
        "members.Member", models.PROTECT, null=True, blank=True, related_name="+", verbose_name="chủ trì"
    )
    recorded_by = models.ForeignKey(
        "members.Member", models.PROTECT, null=True, blank=True, related_name="+", verbose_name="thư ký"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "buổi sinh hoạt"
        verbose_name_plural = "buổi sinh hoạt"
        ordering = ["held_on", "created_at"]
        indexes = [
            models.Index(fields=["org", "held_on"], name="meeting_org_held_on"),
            # A year's cell meetings, read without the table (PostgreSQL): the unexcused absences
            # of a subtree (meetings.todo, the to-do list's striking-off reviews) join them by id;
            # the whole table was read for them (84 of 150 ms at 57,000 members).
            models.Index(
                fields=["held_on"],
                include=["id", "org"],
                condition=Q(body="chi_bo"),
                name="meeting_cell_held_on",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["org", "body", "month"],
                condition=Q(kind="regular"),
                name="meeting_one_regular_a_month",
            ),
            models.CheckConstraint(
                condition=~Q(kind="thematic") | ~Q(topic=""), name="meeting_thematic_topic"
            ),
            models.CheckConstraint(
                condition=Q(mode="in_person") | ~Q(online_reason=""), name="meeting_online_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.held_on:%d/%m/%Y}"


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", "Có mặt"
    ABSENT_EXCUSED = "absent_excused", "Vắng có lý do"
    ABSENT_UNEXCUSED = "absent_unexcused", "Vắng không lý do"


class AbsenceReason(models.TextChoices):
    ILLNESS = "illness", "Ốm đau"
    ON_DUTY = "on_duty", "Đi công tác"
    WORKING_AWAY = "working_away", "Đi làm ăn xa"
    EXEMPTED = "exempted", "Được miễn sinh hoạt"
    OTHER = "other", "Lý do khác"


class Attendance(UUIDModel):
    # Millions of rows in a province: no index beyond what the reads need. The unique
    # (meeting, member) constraint serves every read by meeting, the member key's own index
    # every read by member (a member's meetings, the strike-off review); a partial index holds
    # the few unexcused absences, which the to-do list and its counts read for a whole subtree
    # (``meetings.todo``) without walking every attendance row of the year.
    meeting = models.ForeignKey(Meeting, models.PROTECT, related_name="attendance", db_index=False)
    member = models.ForeignKey("members.Member", models.PROTECT, related_name="+", verbose_name="đảng viên")
    status = models.CharField("điểm danh", max_length=16, choices=AttendanceStatus.choices)
    reason = models.CharField("lý do vắng", max_length=16, choices=AbsenceReason.choices, blank=True)
    # A member on a temporary transfer, attending at the cell that hosts them.
    guest = models.BooleanField("sinh hoạt tạm thời", default=False)
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "điểm danh"
        verbose_name_plural = "điểm danh"
        ordering = ["meeting", "member"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="attendance_once_a_meeting"),
            models.CheckConstraint(
                condition=(Q(status="absent_excused") & ~Q(reason=""))
                | (~Q(status="absent_excused") & Q(reason="")),
                name="attendance_reason_when_excused",
            ),
        ]
        indexes = [
            models.Index(
                fields=["meeting", "member"],
                condition=Q(status="absent_unexcused"),
                name="attendance_unexcused",
            )
        ]


class MeetingVisitor(UUIDModel):
    """A higher-level official attending (cán bộ cấp trên dự sinh hoạt)."""

    meeting = models.ForeignKey(Meeting, models.PROTECT, related_name="visitors")
    name = models.CharField("họ và tên", max_length=150)
    position = models.CharField("chức vụ", max_length=200, blank=True)
    org = models.ForeignKey(
        "orgs.Org", models.PROTECT, null=True, blank=True, related_name="+", verbose_name="tổ chức cấp trên"
    )
    org_text = models.CharField("đơn vị", max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "cán bộ cấp trên dự sinh hoạt"
        verbose_name_plural = "cán bộ cấp trên dự sinh hoạt"
        ordering = ["meeting", "created_at"]


class Minutes(UUIDModel):
    """The minutes (biên bản) and the resolution (nghị quyết) of a meeting. Once signed they are
    never changed: corrections are ``MinutesAmendment`` rows."""

    meeting = models.OneToOneField(Meeting, models.PROTECT, related_name="minutes")
    content = models.TextField("diễn biến buổi sinh hoạt", blank=True)
    opinions = models.TextField("ý kiến phát biểu", blank=True)
    resolution = models.TextField("nghị quyết, kết luận", blank=True)
    signed_at = models.DateTimeField("thời điểm ký", null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "biên bản"
        verbose_name_plural = "biên bản"

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None


class MinutesAmendment(UUIDModel):
    """A correction appended to signed minutes (the signed text is never overwritten)."""

    minutes = models.ForeignKey(Minutes, models.PROTECT, related_name="amendments")
    text = models.TextField("nội dung bổ sung, đính chính")
    reason = models.CharField("lý do", max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "đính chính biên bản"
        verbose_name_plural = "đính chính biên bản"
        ordering = ["minutes", "created_at"]


def _document_storage():
    """Where the documents posted for a meeting are kept: ``STORAGES["meetings"]`` (a folder of
    the var directory by default), never served as static files: only through the scoped view."""
    from django.core.files.storage import storages

    return storages["meetings"]


class MeetingDocument(UUIDModel):
    """A document posted for members to read before the meeting (tài liệu sinh hoạt)."""

    meeting = models.ForeignKey(Meeting, models.PROTECT, related_name="documents")
    title = models.CharField("tên tài liệu", max_length=200)
    file = models.FileField("tệp", storage=_document_storage, upload_to="%Y/%m", max_length=300)
    file_name = models.CharField("tên tệp", max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField("dung lượng (byte)")
    withdrawn_at = models.DateTimeField("thời điểm gỡ", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "tài liệu sinh hoạt"
        verbose_name_plural = "tài liệu sinh hoạt"
        ordering = ["meeting", "created_at"]


class MeetingVote(UUIDModel):
    """A vote taken in the meeting, counted on the full denominator (RULES.md §3, QĐ 294
    §9.3.2): the official members on the day less those who do not count, never those present."""

    meeting = models.ForeignKey(Meeting, models.PROTECT, related_name="votes")
    subject = models.CharField("nội dung biểu quyết", max_length=300)
    approvals = models.PositiveIntegerField("số tán thành")
    denominator = models.PositiveIntegerField("tổng số đảng viên được tính")
    absent_exempted = models.JSONField("đảng viên được miễn vắng mặt", default=list, blank=True)
    passed = models.BooleanField("được thông qua")
    rule_ref = models.CharField("căn cứ", max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "biểu quyết"
        verbose_name_plural = "biểu quyết"
        ordering = ["meeting", "created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(approvals__lte=models.F("denominator")), name="meeting_vote_within_roll"
            )
        ]
