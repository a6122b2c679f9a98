"""Reads the API needs beyond ``meetings.selectors``, scoped the same way and built on it:

- ``meeting_page``: ``selectors.meetings_in_period`` a page at a time, each meeting with its key
  and its attendance counted (``selectors.meeting_counts``, for the page's
  meetings only — a province's year is a hundred thousand meetings); the list read is audited.
- ``members_in_reach``: which of the members named in a request the actor may read: the others
  are answered as unknown, never by name.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import F

from dangbo.audit.services import Action, audit_record
from dangbo.meetings.models import Meeting
from dangbo.meetings.selectors import meeting_counts, meetings_in_period
from dangbo.members.models import Member
from dangbo.orgs.models import Org

PER_PAGE = 100

# Each meeting as the API lists it: its fields and ``selectors.meeting_counts`` under the
# API's names ("visitors" is the relation's own name, so the count is renamed after the read).
COUNT_NAMES = {
    "n_present": "present",
    "n_excused": "absent_excused",
    "n_unexcused": "absent_unexcused",
    "n_guests": "guests",
    "n_visitors": "visitors",
}
COLUMNS = {"org_code": F("org__code"), "org_name": F("org__name"), "signed_at": F("minutes__signed_at")}
FIELDS = ("id", "org_id", "body", "kind", "topic", "held_on", "mode")


@dataclass(frozen=True)
class MeetingPage:
    count: int
    page: int
    pages: int
    rows: list[dict]


def meeting_page(*, actor, org: Org, start: date, end: date, page: int) -> MeetingPage:
    """Page ``page`` (from 1; past the last, the last) of the meetings of ``org``'s subtree held
    from ``start`` to ``end``, in date order, with their counts; ``NotInScope`` outside the
    actor's subtrees. Counts only, no names; the read is audited as a list."""
    meetings = meetings_in_period(actor=actor, org=org, start=start, end=end)
    count = meetings.count()
    pages = max(1, -(-count // PER_PAGE))
    page = min(max(page, 1), pages)
    ids = list(meetings.values_list("id", flat=True)[(page - 1) * PER_PAGE : page * PER_PAGE])
    counted = {}
    rows = Meeting.objects.filter(pk__in=ids).order_by().annotate(**COLUMNS, **meeting_counts())
    for row in rows.values(*FIELDS, *COLUMNS, *COUNT_NAMES):
        row["minutes_signed"] = row.pop("signed_at") is not None
        for name, api_name in COUNT_NAMES.items():
            row[api_name] = row.pop(name)
        counted[row["id"]] = row
    audit_record(
        action=Action.LIST_VIEWED,
        subject_type="meeting_list",
        subject_id=str(org.pk),
        data={
            "org": org.code,
            "from": start.isoformat(),
            "to": end.isoformat(),
            "page": page,
            "rows": len(ids),
        },
    )
    return MeetingPage(count=count, page=page, pages=pages, rows=[counted[pk] for pk in ids])


def members_in_reach(*, actor, ids) -> dict[str, Member]:
    """The members among ``ids`` the actor may read, by their key as text."""
    found = Member.objects.filter(actor.members_q(), pk__in=list(ids)).only(
        "id", "org_path", "family_name", "middle_name", "given_name"
    )
    return {str(m.pk): m for m in found}
