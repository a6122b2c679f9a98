"""The only code that changes meetings (RULES.md §3). Each service checks that the actor
writes the meeting's organization, checks every rule before writing, writes its audit row,
and runs in one transaction: a refusal leaves nothing half-written.

Signed minutes are never changed: a correction is an appended ``MinutesAmendment``; the
meeting, its attendance and its visitors are fixed once its minutes are signed.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from django.db import transaction

from dangbo.audit.services import Action, audit_record
from dangbo.core import clock, paths, projections, text
from dangbo.core.kinds import CELL_KINDS, OrgKind
from dangbo.core.lengths import length_violations
from dangbo.core.models import is_uuid
from dangbo.core.violations import NotInScope, Violation, input_violation, refuse_if
from dangbo.meetings.models import (
    AbsenceReason,
    Attendance,
    AttendanceStatus,
    Body,
    Meeting,
    MeetingDocument,
    MeetingKind,
    MeetingMode,
    MeetingVisitor,
    MeetingVote,
    Minutes,
    MinutesAmendment,
)
from dangbo.meetings.selectors import meeting_roll, members_counted
from dangbo.members.models import Member
from dangbo.members.services.votes import cell_roll_count
from dangbo.orgs.models import Org
from dangbo.rules import meetings as rules

SIGNED = "meeting.minutes_signed"
# Not a Party rule: the system's own (DESIGN.md decision 7, nothing is lost), stated as such.
SIGNED_CITATION = "Quy ước của hệ thống: biên bản đã ký không sửa, chỉ ghi bổ sung, đính chính"

# Which organizations each body meets in, and the kinds of meeting it holds.
BODY_ORG_KINDS: dict[str, frozenset[str]] = {
    Body.CHI_BO: CELL_KINDS,
    Body.CHI_UY: CELL_KINDS,
    Body.DANG_UY_CO_SO: frozenset({OrgKind.GRASSROOTS_COMMITTEE}),
}
BODY_KINDS: dict[str, frozenset[str]] = {
    Body.CHI_BO: frozenset({MeetingKind.REGULAR, MeetingKind.THEMATIC, MeetingKind.EXTRAORDINARY}),
    Body.CHI_UY: frozenset({MeetingKind.REGULAR, MeetingKind.EXTRAORDINARY, MeetingKind.COMMITTEE}),
    Body.DANG_UY_CO_SO: frozenset({MeetingKind.REGULAR, MeetingKind.EXTRAORDINARY, MeetingKind.COMMITTEE}),
}


@dataclass
class MeetingDetails:
    """What an officer enters for a meeting (scheduling it or correcting it)."""

    body: str
    kind: str
    held_on: date
    place: str = ""
    topic: str = ""
    mode: str = MeetingMode.IN_PERSON
    online_link: str = ""
    online_reason: str = ""
    unable_in_person: int | None = None
    agenda: str = ""
    presided_by: Member | None = None
    recorded_by: Member | None = None


def _require_write(actor, org: Org) -> None:
    """Outside the actor's writable subtrees the meeting is as if it did not exist."""
    if not actor.can_write_path(org.path):
        raise NotInScope(org.pk)


def _signed_violation() -> Violation:
    return Violation(
        SIGNED,
        "Biên bản đã ký: không sửa buổi sinh hoạt, điểm danh hay biên bản; ghi đính chính.",
        SIGNED_CITATION,
    )


def _minutes_signed(meeting: Meeting) -> bool:
    return Minutes.objects.filter(meeting=meeting, signed_at__isnull=False).exists()


def _clean(details: MeetingDetails) -> dict:
    return {
        "place": text.clean(details.place),
        "topic": text.clean(details.topic),
        "online_link": text.clean(details.online_link),
        "agenda": text.clean_lines(details.agenda),
    }


def _check_details(
    org: Org, details: MeetingDetails, values: dict, *, exclude: Meeting | None
) -> tuple[list[Violation], int | None]:
    violations = length_violations(Meeting, values)
    if details.body not in Body.values:
        violations.append(input_violation("body", "Chọn cơ quan họp: chi bộ, chi ủy hoặc đảng ủy cơ sở."))
        return violations, None
    label = Body(details.body).label
    if org.kind not in BODY_ORG_KINDS[details.body]:
        violations.append(
            input_violation("body", f"{label} không họp tại {org.get_kind_display().lower()} «{org.name}».")
        )
    if details.kind not in BODY_KINDS[details.body]:
        violations.append(input_violation("kind", f"{label} không tổ chức loại buổi này."))
    if org.created_on > details.held_on or (
        org.dissolved_on is not None and org.dissolved_on <= details.held_on
    ):
        violations.append(
            input_violation(
                "held_on",
                f"Ngày {details.held_on:%d/%m/%Y} tổ chức «{org.name}» chưa thành lập hoặc đã giải thể.",
            )
        )
    if details.kind == MeetingKind.THEMATIC and not values["topic"]:
        violations.append(input_violation("topic", "Ghi chuyên đề của buổi sinh hoạt chuyên đề."))
    if details.kind != MeetingKind.THEMATIC and values["topic"]:
        violations.append(input_violation("topic", "Chỉ buổi sinh hoạt chuyên đề mới ghi chuyên đề."))
    if details.mode not in MeetingMode.values:
        violations.append(input_violation("mode", "Chọn hình thức: trực tiếp, trực tuyến hoặc kết hợp."))
    online = details.mode in (MeetingMode.ONLINE, MeetingMode.MIXED)
    counted = None
    if online:
        if not values["online_link"]:
            violations.append(input_violation("online_link", "Ghi đường dẫn phòng họp trực tuyến."))
        counted = members_counted(org=org, body=details.body, on=details.held_on)
        violations += rules.check_online(
            on=details.held_on,
            mode_online=True,
            reason=details.online_reason,
            unable_in_person=details.unable_in_person,
            members_counted=counted,
        )
    elif details.online_link or details.online_reason or details.unable_in_person is not None:
        violations.append(
            input_violation(
                "mode",
                "Buổi sinh hoạt trực tiếp không ghi đường dẫn, lý do hay số đảng viên vắng mặt trực tiếp.",
            )
        )
    if details.kind == MeetingKind.REGULAR:
        month = details.held_on.replace(day=1)
        others = Meeting.objects.filter(org=org, body=details.body, kind=MeetingKind.REGULAR, month=month)
        if exclude is not None:
            others = others.exclude(pk=exclude.pk)
        violations += rules.check_regular_per_month(
            held_on=details.held_on, regular_already=others.exists(), body_label=label
        )
    people = [
        (f, m)
        for f, m in (("presided_by", details.presided_by), ("recorded_by", details.recorded_by))
        if m is not None
    ]
    if people:
        roll = meeting_roll(org=org, body=details.body, on=details.held_on)
        for field, member in people:
            if member.pk not in roll:
                violations.append(
                    input_violation(
                        field,
                        f"{member.full_name} không sinh hoạt tại «{org.name}» ngày {details.held_on:%d/%m/%Y}.",
                    )
                )
    return violations, counted


def _fields(details: MeetingDetails, values: dict, counted: int | None) -> dict:
    return {
        "body": details.body,
        "kind": details.kind,
        "held_on": details.held_on,
        "month": details.held_on.replace(day=1),
        "mode": details.mode,
        "online_reason": details.online_reason,
        "unable_in_person": details.unable_in_person,
        "members_counted": counted,
        "presided_by": details.presided_by,
        "recorded_by": details.recorded_by,
        **values,
    }


def _audit(action: str, meeting: Meeting, **data) -> None:
    audit_record(
        action=action,
        subject_type="meeting",
        subject_id=str(meeting.pk),
        data={"org": meeting.org.code, "held_on": meeting.held_on.isoformat(), **data},
    )


@transaction.atomic
def meeting_schedule(*, actor, org: Org, details: MeetingDetails) -> Meeting:
    """Put a meeting of ``org`` on the calendar (a future day is allowed; attendance waits for it)."""
    _require_write(actor, org)
    org = Org.objects.select_for_update().get(pk=org.pk)  # two regular meetings at once: one waits
    values = _clean(details)
    violations, counted = _check_details(org, details, values, exclude=None)
    refuse_if(violations)
    tallied = projections.tallies().meeting_counts(org.pk, [details.held_on])
    meeting = Meeting.objects.create(
        org=org, created_by_id=actor.user_id, **_fields(details, values, counted)
    )
    projections.tallies().meetings_changed(tallied)
    _audit(Action.CREATED, meeting, kind=meeting.kind, body=meeting.body, mode=meeting.mode)
    return meeting


def _attendance_still_fits(meeting: Meeting, details: MeetingDetails) -> list[Violation]:
    """A meeting already recorded keeps its attendance: the new day cannot be after today,
    and everyone recorded must be on the roll of the new day (and body)."""
    recorded = list(meeting.attendance.values_list("member_id", flat=True))
    if not recorded:
        return []
    if details.held_on > clock.today():
        return [
            input_violation("held_on", "Buổi sinh hoạt đã điểm danh không thể dời sang ngày sau hôm nay.")
        ]
    if details.body not in Body.values:
        return []
    roll = meeting_roll(org=meeting.org, body=details.body, on=details.held_on)
    outsiders = [m for m in recorded if m not in roll]
    if not outsiders:
        return []
    names = [m.full_name for m in Member.objects.filter(pk__in=outsiders).order_by("sort_key")]
    return [rules.attendance_roll_violation(on=details.held_on, names=names)]


@transaction.atomic
def meeting_update(*, actor, meeting: Meeting, details: MeetingDetails) -> Meeting:
    """Correct a meeting; refused once its minutes are signed."""
    meeting = Meeting.objects.select_for_update().select_related("org").get(pk=meeting.pk)
    _require_write(actor, meeting.org)
    # as meeting_schedule: one change of the organization's calendar at a time
    list(Org.objects.select_for_update().filter(pk=meeting.org_id).values_list("pk", flat=True))
    if _minutes_signed(meeting):
        refuse_if([_signed_violation()])
    values = _clean(details)
    violations, counted = _check_details(meeting.org, details, values, exclude=meeting)
    if (details.held_on, details.body) != (meeting.held_on, meeting.body):
        violations += _attendance_still_fits(meeting, details)
    refuse_if(violations)
    tallied = projections.tallies().meeting_counts(meeting.org_id, [meeting.held_on, details.held_on])
    fields = _fields(details, values, counted)
    changed = sorted(name for name, value in fields.items() if getattr(meeting, name) != value)
    for name, value in fields.items():
        setattr(meeting, name, value)
    meeting.save()
    projections.tallies().meetings_changed(tallied)
    _audit(Action.UPDATED, meeting, changed=changed)
    return meeting


@transaction.atomic
def attendance_record(
    *, actor, meeting: Meeting, entries: Mapping[UUID | str, tuple[str, str]]
) -> list[Attendance]:
    """Record who came to ``meeting``: ``{member id: (status, reason)}``, the reason only for an
    excused absence. Members already recorded are updated, the others added, in one bulk write
    (a few queries for the whole cell). Refused for a meeting after today, for anyone not on
    the meeting's roll that day, and once the minutes are signed."""
    meeting = Meeting.objects.select_for_update().select_related("org").get(pk=meeting.pk)
    _require_write(actor, meeting.org)
    violations: list[Violation] = []
    if meeting.held_on > clock.today():
        violations.append(
            input_violation(
                "held_on",
                f"Buổi sinh hoạt ngày {meeting.held_on:%d/%m/%Y} chưa diễn ra: chưa điểm danh được.",
            )
        )
    if _minutes_signed(meeting):
        violations.append(_signed_violation())
    wanted: dict[str, tuple[str, str]] = {}
    for member_id, (status, reason) in entries.items():
        reason = reason or ""
        if status not in AttendanceStatus.values:
            violations.append(
                input_violation("attendance", f"Trạng thái điểm danh không hợp lệ: «{status}».")
            )
        elif status == AttendanceStatus.ABSENT_EXCUSED and reason not in AbsenceReason.values:
            violations.append(input_violation("attendance", "Vắng có lý do phải chọn lý do vắng."))
        elif status != AttendanceStatus.ABSENT_EXCUSED and reason:
            violations.append(input_violation("attendance", "Chỉ ghi lý do cho đảng viên vắng có lý do."))
        wanted[str(member_id)] = (status, reason)
    roll = meeting_roll(org=meeting.org, body=meeting.body, on=meeting.held_on)
    outsiders = sorted(m for m in wanted if m not in roll)
    if outsiders:
        names = Member.objects.filter(pk__in=[m for m in outsiders if is_uuid(m)]).only(
            "family_name", "middle_name", "given_name"
        )
        found = {str(m.pk): m.full_name for m in names}
        violations.append(
            rules.attendance_roll_violation(on=meeting.held_on, names=[found.get(m, m) for m in outsiders])
        )
    refuse_if(violations)
    existing = {
        str(a.member_id): a for a in Attendance.objects.filter(meeting=meeting, member_id__in=list(wanted))
    }
    tallied = {member_id: (row.status, row.reason) for member_id, row in existing.items()}
    new, changed = [], []
    for member_id, (status, reason) in wanted.items():
        guest = member_id in roll.guests
        row = existing.get(member_id)
        if row is None:
            new.append(
                Attendance(
                    meeting=meeting, member_id=UUID(member_id), status=status, reason=reason, guest=guest
                )
            )
        elif (row.status, row.reason, row.guest) != (status, reason, guest):
            row.status, row.reason, row.guest, row.recorded_at = status, reason, guest, clock.now()
            changed.append(row)
    Attendance.objects.bulk_create(new)
    if changed:
        Attendance.objects.bulk_update(changed, ["status", "reason", "guest", "recorded_at"])
    projections.tallies().attendance_changed(meeting, before=tallied, after=wanted)
    _audit(Action.UPDATED, meeting, attendance_added=len(new), attendance_changed=len(changed))
    return new + changed


@transaction.atomic
def visitor_add(
    *, actor, meeting: Meeting, name: str, position: str = "", org: Org | None = None, org_text: str = ""
) -> MeetingVisitor:
    """A higher-level official attending; ``org``, when given, must be above the meeting's organization."""
    meeting = Meeting.objects.select_for_update().select_related("org").get(pk=meeting.pk)
    _require_write(actor, meeting.org)
    values = {"name": text.clean(name), "position": text.clean(position), "org_text": text.clean(org_text)}
    violations = length_violations(MeetingVisitor, values)
    if _minutes_signed(meeting):
        violations.append(_signed_violation())
    if not values["name"]:
        violations.append(input_violation("name", "Ghi họ và tên cán bộ dự sinh hoạt."))
    if org is not None and (org.path == meeting.org.path or not paths.is_within(meeting.org.path, org.path)):
        violations.append(
            input_violation("org", f"«{org.name}» không phải tổ chức cấp trên của «{meeting.org.name}».")
        )
    refuse_if(violations)
    tallied = projections.tallies().meeting_counts(meeting.org_id, [meeting.held_on])
    visitor = MeetingVisitor.objects.create(meeting=meeting, org=org, **values)
    projections.tallies().meetings_changed(tallied)
    _audit(Action.UPDATED, meeting, visitor=str(visitor.pk))
    return visitor


@transaction.atomic
def minutes_write(
    *, actor, meeting: Meeting, content: str, opinions: str = "", resolution: str = ""
) -> Minutes:
    """Write or rewrite the minutes of a meeting that has taken place, until they are signed."""
    meeting = Meeting.objects.select_for_update().select_related("org").get(pk=meeting.pk)
    _require_write(actor, meeting.org)
    values = {
        "content": text.clean_lines(content),
        "opinions": text.clean_lines(opinions),
        "resolution": text.clean_lines(resolution),
    }
    violations = length_violations(Minutes, values)
    if meeting.held_on > clock.today():
        violations.append(input_violation("content", "Buổi sinh hoạt chưa diễn ra: chưa ghi biên bản được."))
    minutes = Minutes.objects.filter(meeting=meeting).first()
    if minutes is not None and minutes.is_signed:
        violations.append(_signed_violation())
    refuse_if(violations)
    created = minutes is None
    if minutes is None:
        minutes = Minutes(meeting=meeting)
    for name, value in values.items():
        setattr(minutes, name, value)
    minutes.save()
    _audit(Action.CREATED if created else Action.UPDATED, meeting, minutes=str(minutes.pk))
    return minutes


@transaction.atomic
def minutes_sign(*, actor, meeting: Meeting) -> Minutes:
    """Sign the minutes: from now on they are amended only by appended rows."""
    meeting = Meeting.objects.select_for_update().select_related("org").get(pk=meeting.pk)
    _require_write(actor, meeting.org)
    minutes = Minutes.objects.filter(meeting=meeting).first()
    if minutes is None or not minutes.content:
        refuse_if([input_violation("content", "Chưa có biên bản để ký.")])
    assert minutes is not None
    if minutes.is_signed:
        refuse_if([_signed_violation()])
    minutes.signed_at = clock.now()
    minutes.signed_by_id = actor.user_id
    minutes.save(update_fields=["signed_at", "signed_by", "updated_at"])
    _audit(Action.UPDATED, meeting, minutes=str(minutes.pk), signed=True)
    return minutes


@transaction.atomic
def minutes_amend(*, actor, meeting: Meeting, amendment: str, reason: str) -> MinutesAmendment:
    """Append a correction to signed minutes (before signing, the minutes are rewritten instead)."""
    meeting = Meeting.objects.select_for_update().select_related("org").get(pk=meeting.pk)
    _require_write(actor, meeting.org)
    values = {"text": text.clean_lines(amendment), "reason": text.clean(reason)}
    violations = length_violations(MinutesAmendment, values)
    minutes = Minutes.objects.filter(meeting=meeting).first()
    if minutes is None or not minutes.is_signed:
        violations.append(
            input_violation("text", "Biên bản chưa ký: sửa trực tiếp biên bản, không cần đính chính.")
        )
    if not values["text"]:
        violations.append(input_violation("text", "Ghi nội dung bổ sung, đính chính."))
    if not values["reason"]:
        violations.append(input_violation("reason", "Ghi lý do bổ sung, đính chính."))
    refuse_if(violations)
    assert minutes is not None
    row = MinutesAmendment.objects.create(minutes=minutes, created_by_id=actor.user_id, **values)
    _audit(Action.UPDATED, meeting, minutes=str(minutes.pk), amendment=str(row.pk))
    return row


# --- posting the agenda and documents, votes ----------------------------------------------

# What a cell posts for members to read ahead: office documents, PDF, pictures, text.
DOCUMENT_TYPES = {
    ".pdf": "application/pdf",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xls": "application/vnd.ms-excel",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
    ".ppt": "application/vnd.ms-powerpoint",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".txt": "text/plain",
}


@transaction.atomic
def meeting_agenda_post(*, actor, meeting: Meeting, agenda: str) -> Meeting:
    """Post (or re-post) the agenda for members to read before the meeting: from now on the
    members of the cell see it, with the documents posted, on their own page."""
    meeting = Meeting.objects.select_for_update().select_related("org").get(pk=meeting.pk)
    _require_write(actor, meeting.org)
    values = {"agenda": text.clean_lines(agenda)}
    violations = length_violations(Meeting, values)
    if _minutes_signed(meeting):
        violations.append(_signed_violation())
    if not values["agenda"]:
        violations.append(input_violation("agenda", "Ghi nội dung dự kiến của buổi sinh hoạt."))
    refuse_if(violations)
    meeting.agenda = values["agenda"]
    meeting.agenda_posted_at = clock.now()
    meeting.save(update_fields=["agenda", "agenda_posted_at", "updated_at"])
    _audit(Action.UPDATED, meeting, agenda_posted=True)
    return meeting


@transaction.atomic
def meeting_document_add(*, actor, meeting: Meeting, title: str, upload) -> MeetingDocument:
    """Keep a document for the meeting (``upload``: a Django ``UploadedFile``, whose size the
    upload handler has already bounded). Only the listed kinds of file are kept."""
    meeting = Meeting.objects.select_for_update().select_related("org").get(pk=meeting.pk)
    _require_write(actor, meeting.org)
    name = text.clean(os.path.basename(upload.name or ""))[:200]
    values = {"title": text.clean(title) or name.rsplit(".", 1)[0][:200], "file_name": name}
    violations = length_violations(MeetingDocument, values)
    extension = os.path.splitext(name)[1].lower()
    if extension not in DOCUMENT_TYPES:
        violations.append(
            input_violation(
                "file",
                "Chỉ nhận tệp " + ", ".join(sorted(e.lstrip(".").upper() for e in DOCUMENT_TYPES)) + ".",
            )
        )
    if not upload.size:
        violations.append(input_violation("file", "Tệp rỗng."))
    if _minutes_signed(meeting):
        violations.append(_signed_violation())
    refuse_if(violations)
    document = MeetingDocument(
        meeting=meeting,
        content_type=DOCUMENT_TYPES[extension],
        size=upload.size,
        created_by_id=actor.user_id,
        **values,
    )
    document.file.save(f"{document.pk}{extension}", upload, save=False)
    document.save()
    _audit(Action.CREATED, meeting, document=str(document.pk), file_name=name, size=upload.size)
    return document


@transaction.atomic
def meeting_document_withdraw(*, actor, document: MeetingDocument) -> MeetingDocument:
    """Withdraw a posted document (members no longer see it; the file is kept, as the record is)."""
    document = MeetingDocument.objects.select_for_update().select_related("meeting__org").get(pk=document.pk)
    _require_write(actor, document.meeting.org)
    if document.withdrawn_at is None:
        document.withdrawn_at = clock.now()
        document.save(update_fields=["withdrawn_at"])
        _audit(Action.UPDATED, document.meeting, document=str(document.pk), withdrawn=True)
    return document


@transaction.atomic
def meeting_vote_record(
    *, actor, meeting: Meeting, subject: str, approvals: int, absent_exempted: tuple = ()
) -> MeetingVote:
    """A vote of the cell in the meeting, counted on the full denominator of the day (RULES.md
    §3, QĐ 294 §9.3.2: the official members less those temporarily transferred out, suspended,
    and the exempted members absent), never on those present. Whether it carried is recorded
    with it; a vote that does not carry is recorded too (the resolution is not adopted)."""
    meeting = Meeting.objects.select_for_update().select_related("org").get(pk=meeting.pk)
    _require_write(actor, meeting.org)
    values = {"subject": text.clean(subject)}
    violations = length_violations(MeetingVote, values)
    if not values["subject"]:
        violations.append(input_violation("subject", "Ghi nội dung biểu quyết."))
    if meeting.body != Body.CHI_BO:
        violations.append(
            input_violation("subject", "Chỉ ghi biểu quyết của chi bộ tại buổi sinh hoạt chi bộ.")
        )
    if meeting.held_on > clock.today():
        violations.append(
            input_violation("approvals", "Buổi sinh hoạt chưa diễn ra: chưa ghi biểu quyết được.")
        )
    if _minutes_signed(meeting):
        violations.append(_signed_violation())
    counted = cell_roll_count(org=meeting.org, on=meeting.held_on, absent_exempted=absent_exempted)
    violations += counted.violations
    violations += rules.check_vote_count(
        on=meeting.held_on, approvals=approvals, denominator=counted.denominator
    )
    refuse_if(violations)
    outcome = rules.resolution_outcome(
        on=meeting.held_on, approvals=approvals, denominator=counted.denominator
    )
    vote = MeetingVote.objects.create(
        meeting=meeting,
        subject=values["subject"],
        approvals=approvals,
        denominator=counted.denominator,
        absent_exempted=list(counted.absent_exempted),
        passed=outcome.passed,
        rule_ref=outcome.ref,
        created_by_id=actor.user_id,
    )
    _audit(
        Action.UPDATED,
        meeting,
        vote=str(vote.pk),
        approvals=approvals,
        denominator=counted.denominator,
        passed=outcome.passed,
    )
    return vote
