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
from dangbo.meetings.models import Attendance, AttendanceStatus, Body, Meeting, MeetingKind
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
                "visitors",
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


def meetings_with_counts(*, actor, org: Org, start: date, end: date) -> list[dict]:
    """``meetings_in_period`` as rows with each meeting's attendance counted (present, absent
    with and without a reason, guests) and its visitors, in one query: counts only, no names."""
    present = Q(attendance__status=AttendanceStatus.PRESENT)
    return list(
        meetings_in_period(actor=actor, org=org, start=start, end=end)
        .annotate(
            n_present=Count("attendance", filter=present, distinct=True),
            n_excused=Count(
                "attendance", filter=Q(attendance__status=AttendanceStatus.ABSENT_EXCUSED), distinct=True
            ),
            n_unexcused=Count(
                "attendance", filter=Q(attendance__status=AttendanceStatus.ABSENT_UNEXCUSED), distinct=True
            ),
            n_guests=Count("attendance", filter=present & Q(attendance__guest=True), distinct=True),
            n_visitors=Count("visitors", distinct=True),
        )
        .values(
            "held_on",
            "org__code",
            "org__name",
            "body",
            "kind",
            "topic",
            "mode",
            "n_present",
            "n_excused",
            "n_unexcused",
            "n_guests",
            "n_visitors",
            "minutes__signed_at",
        )
    )
