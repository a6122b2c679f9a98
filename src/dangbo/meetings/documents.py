"""The minutes (biên bản) and the resolution (nghị quyết) of a meeting as Party documents:
a loaded ``Meeting`` mapped to ``dangbo.documents`` dataclasses, which that package renders as
Word and PDF (``render.render_docx``, ``render.render_pdf``, ``render.filename``).

The issuer is the body that met, named as the organization stood on the day of the meeting:
a cell under its parent ("ĐẢNG BỘ XÃ …" / "CHI BỘ …"), a grassroots committee under its
superior ("HUYỆN ỦY …" / "ĐẢNG ỦY XÃ …"); the place in the date line is that of the nearest
territorial organization above it. Titles and the resolution's signer come from the
positions held in the organization that day. Plain reads, no writes: a few queries
besides what ``selectors.meeting_get`` has loaded.
"""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from dangbo.core import paths
from dangbo.core.kinds import OrgKind
from dangbo.core.roles import Role
from dangbo.documents import data as doc
from dangbo.meetings.models import (
    AttendanceStatus,
    Body,
    Meeting,
    MeetingKind,
    MeetingMode,
    Minutes,
    MinutesAmendment,
)
from dangbo.meetings.selectors import meeting_roll
from dangbo.members.models import Member, Position
from dangbo.members.selectors.votes import committee_roll
from dangbo.orgs.heading import committee_name, place_of
from dangbo.orgs.models import Org, OrgVersion
from dangbo.orgs.selectors import org_versions_on
from dangbo.rules import meetings as rules


class NoDocument(Exception):
    """The meeting has nothing this document could be drawn from (no minutes, no resolution)."""


# --- the organization as it stood on the day --------------------------------------------------

_ON_BEHALF: dict[str, str] = {Body.CHI_BO: "T/M CHI BỘ", Body.CHI_UY: "T/M CHI ỦY"}


def _lineage(org: Org, on: date) -> list[OrgVersion | Org]:
    """The organization and its ancestors as they stood on ``on``, root first, the
    organization last (two queries); today's rows where no version covers that day."""
    own = org_versions_on(day=on).filter(org_id=org.pk).first()
    if own is None:
        ancestors = Org.objects.filter(path__in=paths.ancestor_paths(org.path)).order_by("path")
        return [*ancestors.exclude(pk=org.pk), org]
    versions = org_versions_on(day=on).filter(path__in=paths.ancestor_paths(own.path)).order_by("path")
    return [*(v for v in versions if v.org_id != org.pk), own]


def _issuer(meeting: Meeting, lineage: list, signer_name: str) -> doc.Issuer:
    org, parent = lineage[-1], (lineage[-2] if len(lineage) > 1 else None)
    committee = meeting.body == Body.DANG_UY_CO_SO
    on_behalf = _ON_BEHALF.get(meeting.body, "T/M ĐẢNG ỦY")
    return doc.Issuer(
        superior_name=parent.name.upper() if parent else "",
        name=(committee_name(org.name) if committee else org.name).upper(),
        place=place_of(lineage),
        signer_title="BÍ THƯ",
        signer_on_behalf=on_behalf,
        signer_name=signer_name,
    )


# --- positions held that day ------------------------------------------------------------------

_RANK = (Role.SECRETARY, Role.DEPUTY_SECRETARY, Role.STANDING_COMMITTEE_MEMBER, Role.COMMITTEE_MEMBER)
_CELL_TITLES = {
    Role.SECRETARY: "Bí thư chi bộ",
    Role.DEPUTY_SECRETARY: "Phó Bí thư chi bộ",
    Role.COMMITTEE_MEMBER: "Chi ủy viên",
}
_COMMITTEE_TITLES = {
    Role.SECRETARY: "Bí thư Đảng ủy",
    Role.DEPUTY_SECRETARY: "Phó Bí thư Đảng ủy",
    Role.STANDING_COMMITTEE_MEMBER: "Ủy viên Ban Thường vụ Đảng ủy",
    Role.COMMITTEE_MEMBER: "Đảng ủy viên",
}


def _positions(meeting: Meeting) -> dict[str, str]:
    """{member id: the highest position held in the organization on the day} (one query)."""
    rows = Position.objects.filter(
        org_id=meeting.org_id, started_on__lte=meeting.held_on, role__in=list(_RANK)
    ).exclude(ended_on__lte=meeting.held_on)
    held: dict[str, str] = {}
    for member_id, role in rows.values_list("member_id", "role"):
        current = held.get(str(member_id))
        if current is None or _RANK.index(role) < _RANK.index(current):
            held[str(member_id)] = role
    return held


def _secretary(meeting: Meeting, held: dict[str, str]) -> str:
    ids = [member_id for member_id, role in held.items() if role == Role.SECRETARY]
    if len(ids) != 1:
        return ""
    if meeting.presided_by is not None and str(meeting.presided_by.pk) == ids[0]:
        return meeting.presided_by.full_name
    member = Member.objects.filter(pk=ids[0]).only("family_name", "middle_name", "given_name").first()
    return member.full_name if member else ""


# --- the meeting's wording --------------------------------------------------------------------


_WHO: dict[str, str] = {Body.CHI_BO: "Sinh hoạt chi bộ", Body.CHI_UY: "Họp chi ủy"}
_ROLL_LABEL: dict[str, str] = {Body.CHI_BO: "đảng viên của chi bộ", Body.CHI_UY: "chi ủy viên"}


def _month(day: date) -> str:
    return f"tháng {day.month} năm {day.year}"


def _long(day: date) -> str:
    return f"ngày {day.day} tháng {day.month} năm {day.year}"


def minutes_subject(meeting: Meeting) -> str:
    """ "Sinh hoạt chi bộ thường kỳ tháng 11 năm 2026", "Sinh hoạt chuyên đề: …", "Họp chi ủy …"."""
    day = meeting.held_on
    who = _WHO.get(meeting.body, "Họp Đảng ủy")
    if meeting.kind == MeetingKind.THEMATIC:
        return f"Sinh hoạt chuyên đề: {meeting.topic.strip()}"
    if meeting.kind == MeetingKind.REGULAR:
        return f"{who} thường kỳ {_month(day)}"
    if meeting.kind == MeetingKind.EXTRAORDINARY:
        return f"{who} bất thường {_long(day)}"
    return f"{who} {_long(day)}"


def resolution_subject(meeting: Meeting) -> str:
    """ "Sinh hoạt chi bộ tháng 11 năm 2026" for a regular meeting; otherwise as the minutes."""
    if meeting.kind == MeetingKind.REGULAR:
        who = _WHO.get(meeting.body, "Họp Đảng ủy")
        return f"{who} {_month(meeting.held_on)}"
    return minutes_subject(meeting)


def _meeting_label(meeting: Meeting) -> str:
    """What the body held, in "Chi bộ … họp {label} ngày …"."""
    if meeting.kind == MeetingKind.THEMATIC:
        return f"sinh hoạt chuyên đề «{meeting.topic.strip()}»"
    if meeting.kind == MeetingKind.REGULAR:
        return f"thường kỳ {_month(meeting.held_on)}"
    return "bất thường" if meeting.kind == MeetingKind.EXTRAORDINARY else ""


def _body_name(meeting: Meeting, org_name: str) -> str:
    if meeting.body == Body.CHI_UY:
        return f"Chi ủy {org_name}"
    if meeting.body == Body.DANG_UY_CO_SO:
        return committee_name(org_name)
    return org_name


def _online(meeting: Meeting) -> doc.OnlineMeeting | None:
    if meeting.mode == MeetingMode.IN_PERSON:
        return None
    return doc.OnlineMeeting(
        mixed=meeting.mode == MeetingMode.MIXED,
        reason=_reason(rules.OnlineReason.LABELS.get(meeting.online_reason, meeting.online_reason)),
        unable_in_person=meeting.unable_in_person or 0,
        members_counted=meeting.members_counted or 0,
        citation=rules.HD_03,
        link=meeting.online_link,
    )


def _reason(label: str) -> str:
    return label[:1].lower() + label[1:]


class _Attendance:
    """The meeting's attendance split as the minutes print it."""

    def __init__(self, meeting: Meeting) -> None:
        rows = list(meeting.attendance.all())
        own = [a for a in rows if not a.guest]
        self.present = sum(1 for a in own if a.status == AttendanceStatus.PRESENT)
        self.excused = tuple(
            doc.Attendee(a.member.full_name, _reason(a.get_reason_display()))
            for a in own
            if a.status == AttendanceStatus.ABSENT_EXCUSED
        )
        self.unexcused = tuple(
            doc.Attendee(a.member.full_name) for a in own if a.status == AttendanceStatus.ABSENT_UNEXCUSED
        )
        self.guests = tuple(doc.Attendee(a.member.full_name, self._guest_note(a)) for a in rows if a.guest)
        self.absent_ids = [a.member_id for a in rows if a.status != AttendanceStatus.PRESENT]

    @staticmethod
    def _guest_note(row) -> str:
        if row.status == AttendanceStatus.ABSENT_EXCUSED:
            return f"vắng có lý do: {_reason(row.get_reason_display())}"
        if row.status == AttendanceStatus.ABSENT_UNEXCUSED:
            return "vắng không có lý do"
        return ""


def _on_roll(meeting: Meeting) -> int:
    """Who is on the roll that day: the members counted in the cell (not its guests), or the
    members of the committee."""
    if meeting.body == Body.CHI_BO:
        return len(meeting_roll(org=meeting.org, body=meeting.body, on=meeting.held_on).members)
    return len(committee_roll(org=meeting.org, on=meeting.held_on))


def _votes(meeting: Meeting) -> tuple[doc.Vote, ...]:
    """The votes recorded in the meeting (``MeetingVote``), each with the full denominator of
    the day it was counted on when recorded (RULES.md §3), never those present."""
    return tuple(
        doc.Vote(matter=v.subject, in_favour=v.approvals, denominator=v.denominator)
        for v in meeting.votes.all()
    )


def _minutes(meeting: Meeting) -> Minutes:
    try:
        return meeting.minutes
    except Minutes.DoesNotExist:
        raise NoDocument("Buổi sinh hoạt chưa có biên bản.") from None


def _amendments(minutes: Minutes) -> tuple[doc.Amendment, ...]:
    rows: list[MinutesAmendment] = sorted(minutes.amendments.all(), key=lambda row: row.created_at)
    return tuple(
        doc.Amendment(made_on=timezone.localdate(row.created_at), text=row.text, reason=row.reason)
        for row in rows
    )


def _title(held: dict[str, str], member, titles: dict) -> str:
    if member is None:
        return ""
    role = held.get(str(member.pk))
    return titles.get(role, "") if role else ""


# --- the documents ----------------------------------------------------------------------------


def minutes_document(meeting: Meeting) -> doc.MeetingMinutes:
    """The minutes of ``meeting`` (loaded by ``selectors.meeting_get``: attendance with members,
    visitors, votes) with the votes recorded in it, printed against the full denominator they
    were counted on. ``NoDocument`` when the meeting has no minutes yet."""
    minutes = _minutes(meeting)
    lineage = _lineage(meeting.org, meeting.held_on)
    held = _positions(meeting)
    titles = _COMMITTEE_TITLES if lineage[-1].kind == OrgKind.GRASSROOTS_COMMITTEE else _CELL_TITLES
    attendance = _Attendance(meeting)
    visitors = list(meeting.visitors.all())
    units = Org.objects.in_bulk([v.org_id for v in visitors if v.org_id and not v.org_text])
    roll_label = _ROLL_LABEL.get(meeting.body, "đảng ủy viên")
    return doc.MeetingMinutes(
        issuer=_issuer(meeting, lineage, signer_name=""),
        held_on=meeting.held_on,
        subject=minutes_subject(meeting),
        body_name=_body_name(meeting, lineage[-1].name),
        place=meeting.place,
        online=_online(meeting),
        presided_by=meeting.presided_by.full_name if meeting.presided_by else "",
        presided_title=_title(held, meeting.presided_by, titles),
        recorded_by=meeting.recorded_by.full_name if meeting.recorded_by else "",
        recorded_title=_title(held, meeting.recorded_by, titles),
        roll_label=roll_label,
        on_roll=_on_roll(meeting),
        present=attendance.present,
        excused=attendance.excused,
        unexcused=attendance.unexcused,
        guests=attendance.guests,
        visitors=tuple(
            doc.Visitor(
                name=v.name,
                position=v.position,
                unit=v.org_text or (units[v.org_id].name if v.org_id in units else ""),
            )
            for v in visitors
        ),
        agenda=meeting.agenda,
        content=minutes.content,
        opinions=minutes.opinions,
        conclusions=minutes.resolution,
        votes=_votes(meeting),
        signed_on=timezone.localdate(minutes.signed_at) if minutes.signed_at else None,
        amendments=_amendments(minutes),
    )


def resolution_document(meeting: Meeting) -> doc.MeetingResolution:
    """The resolution of ``meeting``, drawn from its minutes' resolution text (one numbered
    point a line), signed on behalf of the body by its secretary that day (the name left blank
    when the organization had no one secretary). ``NoDocument`` without a resolution text."""
    minutes = _minutes(meeting)
    if not minutes.resolution.strip():
        raise NoDocument("Biên bản chưa ghi nghị quyết, kết luận của buổi sinh hoạt.")
    lineage = _lineage(meeting.org, meeting.held_on)
    held = _positions(meeting)
    issuer = _issuer(meeting, lineage, signer_name=_secretary(meeting, held))
    parent = lineage[-2] if len(lineage) > 1 else None
    report = [f"{committee_name(parent.name)} (để báo cáo)"] if parent else []
    if meeting.body == Body.DANG_UY_CO_SO:
        recipients = (*report, "Các chi bộ trực thuộc", "Lưu Văn phòng Đảng ủy")
    elif meeting.body == Body.CHI_UY:
        recipients = (*report, "Các đồng chí chi ủy viên", "Lưu chi bộ")
    else:
        recipients = (*report, "Đảng viên trong chi bộ", "Lưu chi bộ")
    attendance = _Attendance(meeting)
    return doc.MeetingResolution(
        issuer=issuer,
        held_on=meeting.held_on,
        subject=resolution_subject(meeting),
        body_name=_body_name(meeting, lineage[-1].name),
        meeting_label=_meeting_label(meeting),
        text=minutes.resolution,
        number_symbol="-NQ/ĐU" if meeting.body == Body.DANG_UY_CO_SO else "-NQ/CB",
        present=attendance.present,
        on_roll=_on_roll(meeting),
        votes=_votes(meeting),
        recipients=recipients,
    )
