"""Unexcused absence and striking off (RULES.md §2.6, §11 rule 13): the meetings' part of the
to-do list and of the striking-off page, registered through ``members.hooks`` in
``MeetingsConfig.ready()``.

- ``absence_review_items`` (a due source): every member active in the subtree today who, in the
  year of the list's day or the year before, was absent without reason from the meetings of
  their cell — of any cell they were in that year — in the rule's number of distinct months (3)
  by that day: the months named, the rule cited, listed under the cell the member is in now,
  the one that can consider striking them off (a member who moved takes the matter along; the
  cell they left lists them no more). The rules give the cell no deadline to consider it, so
  the item is a matter to consider (``review``), never overdue; its day is the meeting that
  made the third month.
- ``strike_off_evidence`` (the striking-off hook): a member's months of unexcused absence in
  the year of the striking off and the year before, with the meetings behind them, for the
  ground «bỏ sinh hoạt đảng … 3 tháng trong năm»; the page links each meeting and the
  striking-off event records them.

Both count months as ``rules.meetings.unexcused_absence_reviews`` does (what
``meetings.selectors.unexcused_absence_reviews`` uses for a whole year); they read the meetings
themselves because they need each meeting's day and id, and only the absences up to a day.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth

from dangbo.core import paths
from dangbo.meetings.models import Attendance, AttendanceStatus, Body
from dangbo.members.hooks import EvidenceLink, StrikeOffEvidence
from dangbo.members.models import ACTIVE_STATUSES
from dangbo.members.selectors.todo import REVIEW_LISTED_FOR, DueItem
from dangbo.rules import exits as exit_rules
from dangbo.rules import meetings as rules

REVIEW_KIND = "strike_off_review"
MEETING_PAGE = "meetings:meeting_detail"  # the meeting's page (URL name), linked when routed
REVIEW_TITLE = "Chi bộ xem xét xóa tên: vắng sinh hoạt đảng không lý do 3 tháng trong năm"


def _absences(*, year: int, until: date, subtree: str | None = None, member=None):
    """Unexcused absences from cells' meetings in ``year`` up to ``until``, oldest first."""
    rows = Attendance.objects.filter(
        status=AttendanceStatus.ABSENT_UNEXCUSED,
        meeting__body=Body.CHI_BO,
        meeting__held_on__gte=date(year, 1, 1),
        meeting__held_on__lte=min(until, date(year, 12, 31)),
    )
    if subtree is not None:  # the members in the subtree now, with their absences in any cell
        rows = rows.filter(
            paths.subtree_q(subtree, "member__org_path"), member__status__in=list(ACTIVE_STATUSES)
        )
    if member is not None:
        rows = rows.filter(member=member)
    return rows.select_related("meeting", "meeting__org").order_by("meeting__held_on", "meeting__created_at")


def _months_text(months, year: int) -> str:
    return ", ".join(f"{m:02d}" for m in months) + f"/{year}"


def absence_review_items(actor, org, *, as_of: date, until: date, holidays) -> list[DueItem]:
    """The striking-off reviews of ``org``'s subtree on ``as_of`` (a due source; ``due_items``
    has checked that ``actor`` may read ``org``). Reviews that arose more than a year before
    ``as_of`` are left out."""
    items = []
    for year in (as_of.year - 1, as_of.year):
        needed = exit_rules.STRIKE_OFF_MISSED_MONTHS.at(date(year, 12, 31)).value
        absences = _absences(year=year, until=as_of, subtree=org.path)
        # Only the members whose absences reach the rule's months are read in full: a province
        # has a hundred thousand unexcused absences a year and a few hundred reviews.
        reaching = (
            absences.order_by()
            .values("member_id")
            .annotate(months=Count(TruncMonth("meeting__held_on"), distinct=True))
            .filter(months__gte=needed)
            .values_list("member_id", flat=True)
        )
        ids = list(reaching)
        by_member: dict = defaultdict(list)
        for start in range(0, len(ids), 1000):
            for row in absences.filter(member_id__in=ids[start : start + 1000]).select_related(
                "member", "member__org"
            ):
                by_member[row.member_id].append(row)
        pairs = [(member_id, row.meeting.held_on) for member_id, rows in by_member.items() for row in rows]
        for review in rules.unexcused_absence_reviews(pairs, year=year):
            rows = by_member[review.member_id]
            member = rows[0].member
            if member.status not in ACTIVE_STATUSES:
                continue
            months_seen: list[int] = []
            arose = rows[-1]
            for row in rows:
                if row.meeting.held_on.month not in months_seen:
                    months_seen.append(row.meeting.held_on.month)
                if len(months_seen) == needed:
                    arose = row
                    break
            if arose.meeting.held_on < as_of - REVIEW_LISTED_FOR:
                continue
            last = rows[-1].meeting
            items.append(
                DueItem(
                    kind=REVIEW_KIND,
                    title=REVIEW_TITLE,
                    org=member.org,
                    member=member,
                    due_on=arose.meeting.held_on,
                    citation=review.rule_ref,
                    overdue=False,
                    review=True,
                    note=(
                        f"vắng sinh hoạt chi bộ không lý do các tháng {_months_text(review.months, year)} "
                        f"({len(rows)} buổi, gần nhất ngày {last.held_on:%d/%m/%Y}); quy định không nêu thời hạn "
                        "xem xét: chi bộ xem xét, nếu không có lý do chính đáng thì đề nghị xóa tên"
                    ),
                )
            )
    return items


def absence_review_counts(
    actor, org, *, as_of: date, until: date, holidays, branch_len: int
) -> dict[tuple[str, bool, str], int]:
    """``absence_review_items`` counted (never overdue) by one aggregate per year: the members
    active in the subtree absent without reason in the rule's months by ``as_of`` and not
    already by a year before it (a review arises on the absence that makes the months, and
    older ones are left out — exactly when the absences before that day already make them),
    each in the branch of the cell they are in now, where the item is listed."""
    arisen_since = as_of - REVIEW_LISTED_FOR
    counts: Counter = Counter()
    for year in (as_of.year - 1, as_of.year):
        needed = exit_rules.STRIKE_OFF_MISSED_MONTHS.at(date(year, 12, 31)).value
        month = TruncMonth("meeting__held_on")
        reviewed = (
            _absences(year=year, until=as_of, subtree=org.path)
            .select_related(None)
            .order_by()
            .values("member_id", branch=paths.branch("member__org_path", branch_len))
            .annotate(
                months=Count(month, distinct=True),
                early=Count(month, distinct=True, filter=Q(meeting__held_on__lt=arisen_since)),
            )
            .filter(months__gte=needed, early__lt=needed)
            .values_list("branch", flat=True)
        )
        counts.update((REVIEW_KIND, False, branch) for branch in reviewed)
    return {key: n for key, n in counts.items() if n}


def strike_off_evidence(member, *, on: date) -> list[StrikeOffEvidence]:
    """``member``'s unexcused absences in the year of ``on`` and the year before (up to ``on``),
    one item per year with absences, saying whether they reach the rule's months."""
    found = []
    for year in (on.year - 1, on.year):
        rows = list(_absences(year=year, until=on, member=member))
        if not rows:
            continue
        months = sorted({row.meeting.held_on.month for row in rows})
        rule = exit_rules.STRIKE_OFF_MISSED_MONTHS.at(date(year, 12, 31))
        reaches = bool(
            rules.unexcused_absence_reviews([(member.pk, r.meeting.held_on) for r in rows], year=year)
        )
        summary = (
            f"Năm {year}: vắng sinh hoạt chi bộ không lý do {len(months)} tháng "
            f"({_months_text(months, year)}, {len(rows)} buổi)"
            + ("" if reaches else f"; chưa đủ {rule.value} tháng trong năm")
            + "."
        )
        found.append(
            StrikeOffEvidence(
                ground=exit_rules.StrikeOffGround.MISSED_MEETINGS_OR_DUES,
                summary=summary,
                citation=rule.ref,
                data={
                    "source": "meetings",
                    "year": year,
                    "months": months,
                    "reaches_rule": reaches,
                    "meetings": [str(row.meeting_id) for row in rows],
                },
                links=tuple(
                    EvidenceLink(
                        f"{row.meeting.held_on:%d/%m/%Y} — {row.meeting.get_kind_display()}, {row.meeting.org.name}",
                        MEETING_PAGE,
                        (("meeting_id", str(row.meeting_id)),),
                    )
                    for row in rows
                ),
            )
        )
    return found
