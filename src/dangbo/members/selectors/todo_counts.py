"""What falls due, counted by kind and lateness (the overview's to-do panel) without listing it:
the same items as ``members.selectors.todo.due_items``, counted by SQL aggregates over the
subtree. Members' own deadlines are grouped by the day they run from (a ceremony, a letter of
introduction), so the working-day deadlines are computed once per day, not per member; the due
sources of the apps of member work count through the counter registered with them
(``members.hooks``), or, for a source without one, by counting its items."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Min

from dangbo.core import clock
from dangbo.members import hooks
from dangbo.members.selectors.badges import badge_due_count
from dangbo.members.selectors.todo import (
    DUE_HORIZON_DAYS,
    below_minimum_items,
    deadline_holidays,
    recognition_candidates,
)
from dangbo.members.selectors.transfers import transfer_cases, transfer_cases_late
from dangbo.orgs.selectors import NotInScope
from dangbo.rules import badges as badge_rules
from dangbo.rules import transfers as transfer_rules
from dangbo.rules.probation import recognition_review_due


@dataclass(frozen=True)
class DueCount:
    kind: str
    count: int
    overdue: int


Counts = Counter  # (kind, overdue) → number of items


def due_counts(
    *, actor, org, as_of: date | None = None, horizon_days: int = DUE_HORIZON_DAYS
) -> list[DueCount]:
    """How many items ``due_items`` lists for ``org``'s subtree on ``as_of``, by kind (in the
    order kinds first appear in the sources), with how many of them are overdue."""
    if not actor.can_read_path(org.path):
        raise NotInScope(org.pk)
    as_of = as_of or clock.today()
    until = as_of + timedelta(days=horizon_days)
    candidates = recognition_candidates(org, until=until)
    earliest = candidates.aggregate(first=Min("ceremony_on"))["first"]
    holidays = deadline_holidays([earliest] if earliest else [], as_of=as_of, until=until)
    counts: Counts = Counter()
    # recognition: one deadline per ceremony day
    for ceremony_on, n in candidates.values_list("ceremony_on").annotate(n=Count("id")).order_by():
        _ends, due, _ref = recognition_review_due(ceremony_on, holidays=holidays)
        if due <= until:
            counts["recognition", due < as_of] += n
    for source in hooks.due_sources():
        counter = hooks.due_counter(source)
        if counter is not None:
            counts.update(counter(actor, org, as_of=as_of, until=until, holidays=holidays))
        else:
            counts.update(
                (item.kind, item.overdue)
                for item in source(actor, org, as_of=as_of, until=until, holidays=holidays)
            )
    counts.update(_transfer_counts(actor, org, as_of=as_of, until=until, holidays=holidays))
    previous, award_on = badge_rules.award_days_around(as_of)
    for day, overdue in ((previous, True), (award_on, False)):
        if day <= until:
            counts["badge", overdue] += badge_due_count(org=org, award_on=day)
    by_kind: dict[str, list[int]] = {}
    for (kind, overdue), n in counts.items():
        if n:
            entry = by_kind.setdefault(kind, [0, 0])
            entry[0] += n
            entry[1] += n if overdue else 0
    return [DueCount(kind, n, late) for kind, (n, late) in by_kind.items()]


def _transfer_counts(actor, org, *, as_of: date, until: date, holidays) -> Counts:
    counts: Counts = Counter()
    opened = transfer_cases(actor=actor, org=org).filter(issued_on__lte=as_of)
    for issued_on, n in opened.values_list("issued_on").annotate(n=Count("id")).order_by():
        present_by = transfer_rules.arrival_due(issued_on, holidays=holidays)
        if present_by <= until:
            counts["transfer", present_by < as_of] += n
    late = transfer_cases_late(actor=actor, org=org).filter(issued_on__lte=as_of).order_by()
    counts["transfer_letter_late", True] += late.filter(letter_late=True, trigger_on__isnull=False).count()
    counts["transfer_arrival_late", True] += late.filter(
        arrival_late=True, arrived_on__isnull=False, arrived_on__lte=as_of
    ).count()
    counts.update((item.kind, item.overdue) for item in below_minimum_items(org, as_of=as_of))
    return counts
