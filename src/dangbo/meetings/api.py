"""API of cell meetings (RULES.md §3, issue 19): the meetings of a subtree in a period with
their attendance counts, one meeting with its attendance, visitors and minutes, a member's
attendance; scheduling a meeting, recording attendance, a visiting official, and writing,
signing and amending the minutes. The same services and selectors as the pages: outside the
caller's subtrees everything answers 404, as if it did not exist; reading people is audited;
a refusal is 422 with every violation, in Vietnamese, with its citation, and nothing written.

People and organizations named in a request body are checked against the caller's reach
before the services see them, so a refusal never names someone outside it.
"""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from ninja import Field, Query, Router, Schema, Status

from dangbo.core import clock, paths
from dangbo.core.violations import RuleViolation, input_violation
from dangbo.meetings import services
from dangbo.meetings.api_reads import PER_PAGE, meeting_page, members_in_reach
from dangbo.meetings.models import Meeting, Minutes
from dangbo.meetings.selectors import meeting_get, meeting_roll, member_attendance
from dangbo.members.api import ErrorOut
from dangbo.members.selectors.profile import member_profile
from dangbo.members.standing_api import writable_org
from dangbo.orgs.selectors import org_find_code, org_get
from dangbo.rules import meetings as rules

router = Router(tags=["Sinh hoạt chi bộ"])

TEXT = Field("", max_length=20_000)
OUT_OF_REACH = "Không tìm thấy đảng viên này trong phạm vi của người gọi."

# --- reading -----------------------------------------------------------------------------------


class MeetingRow(Schema):
    id: UUID
    org_id: UUID
    org_code: str
    org_name: str
    body: str
    kind: str
    topic: str
    held_on: date
    mode: str
    present: int
    absent_excused: int
    absent_unexcused: int
    guests: int = Field(description="đảng viên sinh hoạt tạm thời có mặt")
    visitors: int = Field(description="cán bộ cấp trên dự")
    minutes_signed: bool


class MeetingPageOut(Schema):
    count: int
    page: int
    pages: int
    date_from: date
    date_to: date
    items: list[MeetingRow]


class PeriodQuery(Schema):
    date_from: date | None = Field(None, description="từ ngày (mặc định: 1/1 năm nay)")
    date_to: date | None = Field(None, description="đến ngày (mặc định: hôm nay)")
    page: int = Field(1, ge=1, le=1_000_000)


@router.get(
    "/orgs/{org_id}/meetings",
    response={200: MeetingPageOut, 422: ErrorOut},
    summary="Các buổi sinh hoạt của tổ chức và các tổ chức trực thuộc trong một kỳ (số người dự)",
)
def meetings(request, org_id: UUID, period: Query[PeriodQuery]):
    org = org_get(actor=request.scope, org_id=org_id)
    today = clock.today()
    start = period.date_from or date(today.year, 1, 1)
    end = period.date_to or today
    if start > end:
        raise RuleViolation(
            [
                input_violation(
                    "date_to", f"Ngày kết thúc ({end:%d/%m/%Y}) trước ngày bắt đầu ({start:%d/%m/%Y})."
                )
            ]
        )
    found = meeting_page(actor=request.scope, org=org, start=start, end=end, page=period.page)
    return {
        "count": found.count,
        "page": found.page,
        "pages": found.pages,
        "date_from": start,
        "date_to": end,
        "items": found.rows,
    }


class AttendanceOut(Schema):
    member_id: UUID
    full_name: str
    status: str
    reason: str
    guest: bool


class VisitorOut(Schema):
    id: UUID
    name: str
    position: str
    org_code: str | None
    org_text: str


class AmendmentOut(Schema):
    text: str
    reason: str
    created_at: datetime


class MinutesOut(Schema):
    content: str
    opinions: str
    resolution: str
    signed_at: datetime | None
    amendments: list[AmendmentOut]


class MeetingOut(Schema):
    id: UUID
    org_id: UUID
    org_code: str
    org_name: str
    body: str
    kind: str
    topic: str
    held_on: date
    place: str
    mode: str
    online_link: str
    online_reason: str
    agenda: str
    presided_by: UUID | None
    recorded_by: UUID | None
    attendance: list[AttendanceOut]
    visitors: list[VisitorOut]
    minutes: MinutesOut | None


def _visitor_out(v) -> dict:
    return {
        "id": v.pk,
        "name": v.name,
        "position": v.position,
        "org_code": v.org.code if v.org_id else None,
        "org_text": v.org_text,
    }


def _minutes_dict(minutes: Minutes) -> dict:
    return {
        "content": minutes.content,
        "opinions": minutes.opinions,
        "resolution": minutes.resolution,
        "signed_at": minutes.signed_at,
        "amendments": [
            {"text": a.text, "reason": a.reason, "created_at": a.created_at} for a in minutes.amendments.all()
        ],
    }


def _meeting_out(m: Meeting) -> dict:
    minutes = Minutes.objects.filter(meeting=m).prefetch_related("amendments").first()
    return {
        "id": m.pk,
        "org_id": m.org_id,
        "org_code": m.org.code,
        "org_name": m.org.name,
        "body": m.body,
        "kind": m.kind,
        "topic": m.topic,
        "held_on": m.held_on,
        "place": m.place,
        "mode": m.mode,
        "online_link": m.online_link,
        "online_reason": m.online_reason,
        "agenda": m.agenda,
        "presided_by": m.presided_by_id,
        "recorded_by": m.recorded_by_id,
        "attendance": [
            {
                "member_id": a.member_id,
                "full_name": a.member.full_name,
                "status": a.status,
                "reason": a.reason,
                "guest": a.guest,
            }
            for a in m.attendance.all()
        ],
        "visitors": [_visitor_out(v) for v in m.visitors.select_related("org")],
        "minutes": None if minutes is None else _minutes_dict(minutes),
    }


@router.get(
    "/meetings/{meeting_id}",
    response=MeetingOut,
    summary="Một buổi sinh hoạt: điểm danh, cán bộ cấp trên dự, biên bản (ghi nhật ký)",
)
def meeting(request, meeting_id: UUID):
    return _meeting_out(meeting_get(actor=request.scope, meeting_id=meeting_id))


class MemberAttendanceRow(Schema):
    meeting_id: UUID
    held_on: date
    org_code: str
    org_name: str
    body: str
    kind: str
    topic: str
    status: str
    reason: str
    guest: bool


class MemberAttendancePage(Schema):
    count: int
    page: int
    pages: int
    items: list[MemberAttendanceRow]


class YearQuery(Schema):
    year: int | None = Field(None, ge=1930, le=2200, description="năm (mặc định: mọi năm)")
    page: int = Field(1, ge=1, le=1_000_000)


@router.get(
    "/members/{member_id}/attendance",
    response=MemberAttendancePage,
    summary="Quá trình dự sinh hoạt của một đảng viên (ghi nhật ký)",
)
def attendance_of_member(request, member_id: UUID, query: Query[YearQuery]):
    member = member_profile(actor=request.scope, member_id=member_id)
    rows = member_attendance(actor=request.scope, member=member, year=query.year)
    count = rows.count()
    pages = max(1, -(-count // PER_PAGE))
    page = min(query.page, pages)
    return {
        "count": count,
        "page": page,
        "pages": pages,
        "items": [
            {
                "meeting_id": a.meeting_id,
                "held_on": a.meeting.held_on,
                "org_code": a.meeting.org.code,
                "org_name": a.meeting.org.name,
                "body": a.meeting.body,
                "kind": a.meeting.kind,
                "topic": a.meeting.topic,
                "status": a.status,
                "reason": a.reason,
                "guest": a.guest,
            }
            for a in rows[(page - 1) * PER_PAGE : page * PER_PAGE]
        ],
    }


# --- changing --------------------------------------------------------------------------------


def _meeting_to_change(request, meeting_id) -> Meeting:
    """A meeting the caller writes (404 otherwise); reading it for the change is not a read of people."""
    return meeting_get(actor=request.scope, meeting_id=meeting_id, for_edit=True, audit=False)


class MeetingIn(Schema):
    body: str = Field("chi_bo", max_length=16, description="chi_bo | chi_uy | dang_uy_co_so")
    kind: str = Field(
        ..., max_length=16, description="loại buổi: regular, thematic, extraordinary, committee"
    )
    held_on: date
    topic: str = Field("", max_length=300)
    place: str = Field("", max_length=200)
    mode: str = Field("in_person", max_length=12, description="in_person | online | mixed")
    online_link: str = Field("", max_length=500)
    online_reason: str = Field(
        "", max_length=16, description="dispersed | special (khi sinh hoạt trực tuyến)"
    )
    unable_in_person: int | None = Field(None, ge=0, le=100_000)
    agenda: str = TEXT
    presided_by: UUID | None = None
    recorded_by: UUID | None = None


def _person(request, field: str, member_id: UUID | None):
    """A member the caller may read, named as presiding or recording; a 422 otherwise."""
    if member_id is None:
        return None
    found = members_in_reach(actor=request.scope, ids=[member_id]).get(str(member_id))
    if found is None:
        raise RuleViolation([input_violation(field, OUT_OF_REACH)])
    return found


@router.post(
    "/orgs/{org_id}/meetings",
    response={201: MeetingOut, 422: ErrorOut},
    summary="Lên lịch một buổi sinh hoạt (chương trình, nội dung gửi trước)",
)
def meeting_create(request, org_id: UUID, body: MeetingIn):
    org = writable_org(request, org_id)
    details = services.MeetingDetails(
        body=body.body,
        kind=body.kind,
        held_on=body.held_on,
        place=body.place,
        topic=body.topic,
        mode=body.mode,
        online_link=body.online_link,
        online_reason=body.online_reason,
        unable_in_person=body.unable_in_person,
        agenda=body.agenda,
        presided_by=_person(request, "presided_by", body.presided_by),
        recorded_by=_person(request, "recorded_by", body.recorded_by),
    )
    created = services.meeting_schedule(actor=request.scope, org=org, details=details)
    return Status(201, _meeting_out(meeting_get(actor=request.scope, meeting_id=created.pk, audit=False)))


class AttendanceEntry(Schema):
    member_id: UUID
    status: str = Field(..., max_length=16, description="present | absent_excused | absent_unexcused")
    reason: str = Field(
        "",
        max_length=16,
        description="khi vắng có lý do: illness | on_duty | working_away | exempted | other",
    )


class AttendanceIn(Schema):
    entries: list[AttendanceEntry] = Field(..., min_length=1, max_length=2000)


class AttendanceSaved(Schema):
    recorded: int = Field(description="số dòng điểm danh thêm mới hoặc thay đổi")
    present: int
    absent_excused: int
    absent_unexcused: int


def _outsiders(request, meeting: Meeting, ids: list[str]) -> None:
    """Refuse, naming only people the caller may read, anyone not on the meeting's roll that day."""
    roll = meeting_roll(org=meeting.org, body=meeting.body, on=meeting.held_on)
    outside = [m for m in ids if m not in roll]
    if not outside:
        return
    known = members_in_reach(actor=request.scope, ids=outside)
    names = [known[m].full_name if m in known else m for m in sorted(outside)]
    raise RuleViolation([rules.attendance_roll_violation(on=meeting.held_on, names=names)])


@router.post(
    "/meetings/{meeting_id}/attendance",
    response={200: AttendanceSaved, 422: ErrorOut},
    summary="Điểm danh (nhiều đảng viên một lần; cả buổi hoặc không gì cả)",
)
def attendance_record(request, meeting_id: UUID, body: AttendanceIn):
    meeting = _meeting_to_change(request, meeting_id)
    ids = [str(e.member_id) for e in body.entries]
    twice = sorted({m for m in ids if ids.count(m) > 1})
    if twice:
        raise RuleViolation(
            [input_violation("entries", "Mỗi đảng viên chỉ điểm danh một lần: " + ", ".join(twice))]
        )
    _outsiders(request, meeting, ids)
    saved = services.attendance_record(
        actor=request.scope,
        meeting=meeting,
        entries={e.member_id: (e.status, e.reason) for e in body.entries},
    )
    statuses = list(meeting.attendance.values_list("status", flat=True))
    return {
        "recorded": len(saved),
        "present": statuses.count("present"),
        "absent_excused": statuses.count("absent_excused"),
        "absent_unexcused": statuses.count("absent_unexcused"),
    }


class VisitorIn(Schema):
    name: str = Field(..., max_length=150)
    position: str = Field("", max_length=200)
    org_code: str = Field("", max_length=40, description="mã tổ chức cấp trên (nếu có trong hệ thống)")
    org_text: str = Field("", max_length=255, description="đơn vị (nếu không có mã)")


@router.post(
    "/meetings/{meeting_id}/visitors",
    response={201: VisitorOut, 422: ErrorOut},
    summary="Ghi cán bộ cấp trên dự sinh hoạt",
)
def visitor_create(request, meeting_id: UUID, body: VisitorIn):
    meeting = _meeting_to_change(request, meeting_id)
    above = None
    if body.org_code.strip():
        above = org_find_code(body.org_code)
        if (
            above is None
            or above.path == meeting.org.path
            or not paths.is_within(meeting.org.path, above.path)
        ):
            raise RuleViolation(
                [
                    input_violation(
                        "org_code", f"Không có tổ chức cấp trên nào của «{meeting.org.name}» mang mã này."
                    )
                ]
            )
    visitor = services.visitor_add(
        actor=request.scope,
        meeting=meeting,
        name=body.name,
        position=body.position,
        org=above,
        org_text=body.org_text,
    )
    return Status(201, _visitor_out(visitor))


class MinutesIn(Schema):
    content: str = Field(..., max_length=20_000)
    opinions: str = TEXT
    resolution: str = TEXT


def _minutes_out(meeting_id) -> dict:
    return _minutes_dict(Minutes.objects.prefetch_related("amendments").get(meeting_id=meeting_id))


@router.put(
    "/meetings/{meeting_id}/minutes",
    response={200: MinutesOut, 422: ErrorOut},
    summary="Ghi (hoặc sửa trước khi ký) biên bản và nghị quyết",
)
def minutes_write(request, meeting_id: UUID, body: MinutesIn):
    meeting = _meeting_to_change(request, meeting_id)
    services.minutes_write(
        actor=request.scope,
        meeting=meeting,
        content=body.content,
        opinions=body.opinions,
        resolution=body.resolution,
    )
    return _minutes_out(meeting.pk)


@router.post(
    "/meetings/{meeting_id}/minutes/sign",
    response={200: MinutesOut, 422: ErrorOut},
    summary="Ký biên bản (từ đó chỉ ghi bổ sung, đính chính)",
)
def minutes_sign(request, meeting_id: UUID):
    meeting = _meeting_to_change(request, meeting_id)
    services.minutes_sign(actor=request.scope, meeting=meeting)
    return _minutes_out(meeting.pk)


class AmendmentIn(Schema):
    text: str = Field(..., max_length=20_000)
    reason: str = Field(..., max_length=300)


@router.post(
    "/meetings/{meeting_id}/minutes/amendments",
    response={201: MinutesOut, 422: ErrorOut},
    summary="Ghi bổ sung, đính chính biên bản đã ký",
)
def minutes_amend(request, meeting_id: UUID, body: AmendmentIn):
    meeting = _meeting_to_change(request, meeting_id)
    services.minutes_amend(actor=request.scope, meeting=meeting, amendment=body.text, reason=body.reason)
    return Status(201, _minutes_out(meeting.pk))
