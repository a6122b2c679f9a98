"""Reads of meetings, always scoped to the actor (a ``Scope``): the meetings of a subtree in a
period, one meeting with its attendance, a member's own attendance, the unexcused-absence
reviews of a year and the calendar's gaps; and who may be recorded at a meeting (its roll)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from django.db.models import Count, Prefetch, Q, QuerySet

from dangbo.audit.services import Action, audit_record
from dangbo.core import clock, paths
from dangbo.core.models import is_uuid
from dangbo.core.violations import NotInScope, Violation
from dangbo.meetings.models import (
    Attendance,
    AttendanceStatus,
    Body,
    Meeting,
    MeetingDocument,
    MeetingKind,
    MeetingVisitor,
)
from dangbo.members import ledger
from dangbo.members.models import Member, MemberEvent, Placement, Standing
from dangbo.members.selectors.votes import committee_roll
from dangbo.orgs.models import Org
from dangbo.rules import meetings as rules

# --- who may be recorded at a meeting -----------------------------------------------------


@dataclass(frozen=True)
class Roll:
    """Who belongs at a meeting of ``body`` of an organization on a day: for the cell, the
    members counted there that day (their placements, from the ledger) and the guests hosted
    there on a temporary transfer; for a committee, its members that day (their positions)."""

    members: frozenset[str]
    guests: frozenset[str]

    def __contains__(self, member_id: object) -> bool:
        return str(member_id) in self.members or str(member_id) in self.guests


def meeting_roll(*, org: Org, body: str, on: date) -> Roll:
    """One query: the placements valid on ``on`` in ``org``, or the committee's positions."""
    if body != Body.CHI_BO:
        return Roll(members=committee_roll(org=org, on=on), guests=frozenset())
    rows = (
        Placement.objects.filter(
            Q(valid_to__isnull=True) | Q(valid_to__gt=on), org_id=org.pk, valid_from__lte=on
        )
        .order_by()
        .values_list("member_id", "counted")
    )  # no ordering: it would join members
    return Roll(
        members=frozenset(str(m) for m, counted in rows if counted),
        guests=frozenset(str(m) for m, counted in rows if not counted),
    )


def members_counted(*, org: Org, body: str, on: date) -> int:
    """The members of the meeting's roll on ``on`` less the exempted and the suspended that day
    (HD 03-HD/TW's denominator for an online meeting); their standing is the ledger replayed to
    that day."""
    roll = meeting_roll(org=org, body=body, on=on)
    ids = [UUID(m) for m in roll.members]
    events: dict = {}
    for event in MemberEvent.objects.filter(member_id__in=ids, effective_on__lte=on).order_by(
        "member_id", "effective_on", "seq"
    ):
        events.setdefault(event.member_id, []).append(event)
    away = {Standing.EXEMPTED, Standing.SUSPENDED}
    return sum(1 for evs in events.values() if ledger.replay(evs).standing not in away)


# --- scoped reads -------------------------------------------------------------------------


def meetings_in_period(*, actor, org: Org, start: date, end: date) -> QuerySet[Meeting]:
    """The meetings of ``org``'s subtree held from ``start`` to ``end`` (both included)."""
    if not actor.can_read_path(org.path):
        raise NotInScope(org.pk)
    return (
        Meeting.objects.filter(paths.subtree_q(org.path, "org__path"), held_on__gte=start, held_on__lte=end)
        .select_related("org")
        .order_by("held_on", "org__path", "created_at")
    )


def meeting_get(*, actor, meeting_id, for_edit: bool = False, audit: bool = True) -> Meeting:
    """A meeting with its attendance (members loaded), visitors and minutes, or ``NotInScope``
    outside the actor's subtrees (``for_edit``: outside those they write). Reading the roll of
    named people is audited."""
    if not is_uuid(meeting_id):
        raise NotInScope(meeting_id)
    try:
        meeting = (
            Meeting.objects.select_related("org", "presided_by", "recorded_by")
            .prefetch_related(
                Prefetch(
                    "attendance",
                    queryset=Attendance.objects.select_related("member").order_by("member__sort_key"),
                ),
                Prefetch("visitors", queryset=MeetingVisitor.objects.select_related("org")),
                "documents",
                "votes",
            )
            .get(pk=meeting_id)
        )
    except Meeting.DoesNotExist:
        raise NotInScope(meeting_id) from None
    allowed = actor.can_write_path(meeting.org.path) if for_edit else actor.can_read_path(meeting.org.path)
    if not allowed:
        raise NotInScope(meeting_id)
    if audit:
        audit_record(
            action=Action.LIST_VIEWED,
            subject_type="meeting",
            subject_id=str(meeting.pk),
            data={"org": meeting.org.code, "attendance": len(meeting.attendance.all())},
        )
    return meeting


def member_attendance(
    *, actor, member: Member, year: int | None = None, audit: bool = True
) -> QuerySet[Attendance]:
    """A member's attendance, newest first: for the member themself, or within the actor's
    subtrees. Reading a person's history is audited."""
    if not actor.can_read_member(member):
        raise NotInScope(member.pk)
    if audit:
        audit_record(
            action=Action.MEMBER_HISTORY_VIEWED,
            subject_type="member",
            subject_id=str(member.pk),
            data={"history": "attendance", "year": year},
        )
    rows = Attendance.objects.filter(member=member).select_related("meeting", "meeting__org")
    if year is not None:
        rows = rows.filter(meeting__held_on__year=year)
    return rows.order_by("-meeting__held_on")


@dataclass(frozen=True)
class AbsenceReviewRow:
    member: Member
    months: tuple[int, ...]
    rule_ref: str


def unexcused_absence_reviews(*, actor, org: Org, year: int, audit: bool = True) -> list[AbsenceReviewRow]:
    """The members of ``org``'s subtree absent without reason from the cell's meetings in enough
    months of ``year`` to be considered for striking off (RULES.md §11 rule 13), with the months.
    The list names people: reading it is audited."""
    if not actor.can_read_path(org.path):
        raise NotInScope(org.pk)
    absences = Attendance.objects.filter(
        paths.subtree_q(org.path, "meeting__org__path"),
        status=AttendanceStatus.ABSENT_UNEXCUSED,
        meeting__body=Body.CHI_BO,
        meeting__held_on__gte=date(year, 1, 1),
        meeting__held_on__lte=date(year, 12, 31),
    ).values_list("member_id", "meeting__held_on")
    reviews = rules.unexcused_absence_reviews(absences, year=year)
    members = Member.objects.in_bulk([r.member_id for r in reviews])
    rows = [AbsenceReviewRow(members[r.member_id], r.months, r.rule_ref) for r in reviews]
    if audit:
        audit_record(
            action=Action.LIST_VIEWED,
            subject_type="org",
            subject_id=str(org.pk),
            data={"list": "unexcused_absence_reviews", "year": year, "rows": len(rows)},
        )
    return sorted(rows, key=lambda r: r.member.sort_key)


def calendar_gaps(*, actor, org: Org, year: int, body: str = Body.CHI_BO) -> list[Violation]:
    """The months of ``year`` (ended by today) without a regular meeting of ``body`` of ``org``
    and the ended quarters without a thematic one (a thematic meeting does not replace the month's)."""
    if not actor.can_read_path(org.path):
        raise NotInScope(org.pk)
    held = list(Meeting.objects.filter(org=org, body=body, held_on__year=year).values_list("kind", "held_on"))
    regular = [d.month for kind, d in held if kind == MeetingKind.REGULAR]
    thematic = [d.month for kind, d in held if kind == MeetingKind.THEMATIC]
    return rules.calendar_gaps(
        year=year, regular_months=regular, thematic_months=thematic, until=clock.today()
    )


def meeting_counts() -> dict:
    """Each meeting's attendance (present, absent with and without a reason, guests present)
    and its higher-level visitors, counted in the query that lists the meetings: the one
    definition the calendar, ``dangbo meetings export`` and the API share. Counts only."""
    present = Q(attendance__status=AttendanceStatus.PRESENT)
    return {
        "n_present": Count("attendance", filter=present, distinct=True),
        "n_excused": Count(
            "attendance", filter=Q(attendance__status=AttendanceStatus.ABSENT_EXCUSED), distinct=True
        ),
        "n_unexcused": Count(
            "attendance", filter=Q(attendance__status=AttendanceStatus.ABSENT_UNEXCUSED), distinct=True
        ),
        "n_guests": Count("attendance", filter=present & Q(attendance__guest=True), distinct=True),
        "n_visitors": Count("visitors", distinct=True),
    }


def meetings_with_counts(*, actor, org: Org, start: date, end: date) -> list[dict]:
    """``meetings_in_period`` as rows with each meeting's ``meeting_counts``, in one query."""
    return list(
        meetings_in_period(actor=actor, org=org, start=start, end=end)
        .annotate(**meeting_counts())
        .values(
            "held_on",
            "org__code",
            "org__name",
            "body",
            "kind",
            "topic",
            "mode",
            *meeting_counts(),
            "minutes__signed_at",
        )
    )


# --- the pages: an organization's calendar, the attendance sheet, a member's own page ------


def _with_counts(meetings: QuerySet[Meeting]) -> QuerySet[Meeting]:
    absent = ~Q(attendance__status=AttendanceStatus.PRESENT)
    return meetings.annotate(
        **meeting_counts(), n_absent=Count("attendance", filter=absent, distinct=True)
    ).select_related("org", "minutes")


def org_calendar(*, actor, org: Org, year: int) -> list[Meeting]:
    """The meetings of ``org`` itself (its cell, committee or grassroots committee) in ``year``,
    with their attendance counted; counts only, no names."""
    if not actor.can_read_path(org.path):
        raise NotInScope(org.pk)
    return list(
        _with_counts(Meeting.objects.filter(org=org, held_on__year=year)).order_by("held_on", "created_at")
    )


def org_upcoming(*, actor, org: Org) -> list[Meeting]:
    """``org``'s meetings from today on, nearest first."""
    if not actor.can_read_path(org.path):
        raise NotInScope(org.pk)
    return list(
        Meeting.objects.filter(org=org, held_on__gte=clock.today())
        .select_related("org")
        .order_by("held_on", "created_at")[:6]
    )


@dataclass(frozen=True)
class SheetRow:
    """One line of the attendance sheet: a person on the meeting's roll, and what is recorded."""

    member: Member
    guest: bool
    exempted: bool  # exempted from meetings (may still attend): an absence is excused as such
    status: str
    reason: str


def attendance_sheet(*, meeting: Meeting) -> list[SheetRow]:
    """Everyone on ``meeting``'s roll (``meeting_get`` has checked the scope), in name order, with
    what is recorded for them; people recorded earlier and no longer on the roll are kept so
    nothing recorded disappears from the page. Two queries besides the roll."""
    roll = meeting_roll(org=meeting.org, body=meeting.body, on=meeting.held_on)
    recorded = {str(a.member_id): a for a in meeting.attendance.all()}
    ids = set(roll.members) | set(roll.guests) | set(recorded)
    members = Member.objects.filter(pk__in=[UUID(m) for m in ids]).order_by("sort_key")
    rows = []
    for member in members:
        key = str(member.pk)
        row = recorded.get(key)
        rows.append(
            SheetRow(
                member=member,
                guest=key in roll.guests or bool(row and row.guest),
                exempted=member.standing == Standing.EXEMPTED,
                status=row.status if row else "",
                reason=row.reason if row else "",
            )
        )
    return rows


def member_cells(*, member: Member, on: date) -> list[Org]:
    """The organizations whose meetings ``member`` attends on ``on``: their cell, and the cell
    hosting them on a temporary transfer."""
    ids = (
        Placement.objects.filter(
            Q(valid_to__isnull=True) | Q(valid_to__gt=on), member=member, valid_from__lte=on
        )
        .order_by()
        .values_list("org_id", flat=True)
    )
    return list(Org.objects.filter(pk__in=list(ids)).order_by("path"))


@dataclass(frozen=True)
class MemberMeetings:
    cells: list[Org]
    upcoming: list[Meeting]  # from today, documents loaded (posted ones only)
    recent: list[Meeting]  # the last twelve months
    attendance: dict[str, Attendance]  # meeting id → the member's attendance


def member_meetings(*, actor, member: Member) -> MemberMeetings:
    """A member's own page: their cells' calendar (coming meetings with the agenda and documents
    once posted; the past year's meetings) and their attendance. For the member themself, or
    within the actor's subtrees; audited as a read of the person's history."""
    if not actor.can_read_member(member):
        raise NotInScope(member.pk)
    today = clock.today()
    cells = member_cells(member=member, on=today)
    posted_documents = Prefetch(
        "documents", queryset=MeetingDocument.objects.filter(withdrawn_at__isnull=True).order_by("created_at")
    )
    base = Meeting.objects.filter(org__in=cells, body=Body.CHI_BO).select_related("org")
    upcoming = list(
        base.filter(held_on__gte=today).prefetch_related(posted_documents).order_by("held_on")[:6]
    )
    start = date(today.year - 1, today.month, 1)
    recent = list(base.filter(held_on__lt=today, held_on__gte=start).order_by("-held_on"))
    attendance = {
        str(a.meeting_id): a
        for a in Attendance.objects.filter(member=member, meeting__held_on__gte=start).order_by()
    }
    audit_record(
        action=Action.MEMBER_HISTORY_VIEWED,
        subject_type="member",
        subject_id=str(member.pk),
        data={"history": "meetings", "meetings": len(recent) + len(upcoming)},
    )
    return MemberMeetings(cells=cells, upcoming=upcoming, recent=recent, attendance=attendance)


def document_get(*, actor, document_id) -> MeetingDocument:
    """A posted document for download: within the actor's subtrees, or for a member of the cell
    once the agenda is posted (not withdrawn). Anything else is ``NotInScope``."""
    if not is_uuid(document_id):
        raise NotInScope(document_id)
    document = MeetingDocument.objects.select_related("meeting__org").filter(pk=document_id).first()
    if document is None:
        raise NotInScope(document_id)
    meeting = document.meeting
    if actor.can_read_path(meeting.org.path):
        return document
    own = actor.own_member_id
    if (
        own is not None
        and document.withdrawn_at is None
        and meeting.agenda_posted_at is not None
        and meeting.body == Body.CHI_BO
        and Member.objects.filter(pk=own).exists()
        and meeting.org_id in {o.pk for o in member_cells(member=Member(pk=own), on=clock.today())}
    ):
        return document
    raise NotInScope(document_id)
