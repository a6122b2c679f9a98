"""What falls due, counted by kind and lateness (the overview's to-do panel) without listing it:
the same items as ``members.selectors.todo.due_items``, counted by SQL aggregates over the
subtree. Members' own deadlines are grouped by the day they run from (a ceremony, a letter of
introduction), so the working-day deadlines are computed once per day, not per member; the due
sources of the apps of member work count through the counter registered with them
(``members.hooks``), or, for a source without one, by counting its items. Every count is
grouped by branch as well (``core.paths.branch``): the whole subtree for the overview's panel, each
child for a large subtree's to-do page (``due_counts_by_branch``)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Case, Count, Min, When

from dangbo.core import clock, paths
from dangbo.core.prepared import planned_each_time
from dangbo.members import hooks
from dangbo.members.selectors.badges import badge_due_counts
from dangbo.members.selectors.todo import (
    DUE_HORIZON_DAYS,
    DUE_KIND_LABELS,
    below_minimum_items,
    deadline_holidays,
    recognition_candidates,
)
from dangbo.members.selectors.transfers import transfer_cases, transfer_cases_late
from dangbo.orgs.models import Org
from dangbo.orgs.selectors import NotInScope
from dangbo.rules import badges as badge_rules
from dangbo.rules import transfers as transfer_rules
from dangbo.rules.probation import recognition_review_due


@dataclass(frozen=True)
class DueCount:
    kind: str
    count: int
    overdue: int


@dataclass(frozen=True)
class LabelCount:
    label: str  # DUE_KIND_LABELS
    count: int
    overdue: int


Counts = Counter  # (kind, overdue, branch) → number of items


def by_label(counts: list[DueCount]) -> list[LabelCount]:
    """The counts by label (kinds that share one are added up), in the order of the labels."""
    order = {kind: rank for rank, kind in enumerate(DUE_KIND_LABELS)}
    totals: dict[str, list] = {}
    for row in sorted(counts, key=lambda row: order.get(row.kind, len(order))):
        entry = totals.setdefault(DUE_KIND_LABELS.get(row.kind, row.kind), [0, 0])
        entry[0] += row.count
        entry[1] += row.overdue
    return [LabelCount(label, n, late) for label, (n, late) in totals.items()]


def due_counts(
    *, actor, org, as_of: date | None = None, horizon_days: int = DUE_HORIZON_DAYS
) -> list[DueCount]:
    """How many items ``due_items`` lists for ``org``'s subtree on ``as_of``, by kind (in the
    order kinds first appear in the sources), with how many of them are overdue."""
    counts = _counts(actor=actor, org=org, as_of=as_of, horizon_days=horizon_days, branch_len=len(org.path))
    return _by_kind(counts)


def due_counts_by_branch(
    *, actor, org, as_of: date | None = None, horizon_days: int = DUE_HORIZON_DAYS
) -> dict[str, list[DueCount]]:
    """``due_counts`` split by the branch of ``org`` each item falls in, by the organization it
    is listed under (``DueItem.org``): path of a child of ``org`` → its counts by kind, and
    ``org``'s own path for the items listed under ``org`` itself. A province's to-do page
    shows these instead of tens of thousands of items."""
    counts = _counts(
        actor=actor,
        org=org,
        as_of=as_of,
        horizon_days=horizon_days,
        branch_len=paths.child_branch_length(org.path),
    )
    by_branch: dict[str, Counts] = {}
    for (kind, overdue, branch), n in counts.items():
        # an item under the root itself: its path is the root's, shorter than a child's
        key = branch if len(branch) > len(org.path) else org.path
        by_branch.setdefault(key, Counter())[kind, overdue, key] += n
    return {branch: _by_kind(found) for branch, found in by_branch.items() if any(found.values())}


def _by_kind(counts: Counts) -> list[DueCount]:
    by_kind: dict[str, list[int]] = {}
    for (kind, overdue, _branch), n in counts.items():
        if n:
            entry = by_kind.setdefault(kind, [0, 0])
            entry[0] += n
            entry[1] += n if overdue else 0
    return [DueCount(kind, n, late) for kind, (n, late) in by_kind.items()]


@planned_each_time()  # a generic plan of these aggregates is slow (core.prepared, bench/results/page_cpu.md)
def _counts(*, actor, org, as_of: date | None, horizon_days: int, branch_len: int) -> Counts:
    if not actor.can_read_path(org.path):
        raise NotInScope(org.pk)
    as_of = as_of or clock.today()
    until = as_of + timedelta(days=horizon_days)
    candidates = recognition_candidates(org, until=until)
    earliest = candidates.aggregate(first=Min("ceremony_on"))["first"]
    holidays = deadline_holidays([earliest] if earliest else [], as_of=as_of, until=until)
    counts: Counts = Counter()
    # recognition: one deadline per ceremony day (a day's members come in several branches)
    due_after: dict[date, date] = {}
    for ceremony_on, branch, n in (
        candidates.values_list("ceremony_on", paths.branch("org_path", branch_len))
        .annotate(n=Count("id"))
        .order_by()
    ):
        if ceremony_on not in due_after:
            due_after[ceremony_on] = recognition_review_due(ceremony_on, holidays=holidays)[1]
        due = due_after[ceremony_on]
        if due <= until:
            counts["recognition", due < as_of, branch] += n
    for source in hooks.due_sources():
        counter = hooks.due_counter(source)
        if counter is not None:
            counts.update(
                counter(actor, org, as_of=as_of, until=until, holidays=holidays, branch_len=branch_len)
            )
        else:
            counts.update(
                (item.kind, item.overdue, item.org.path[:branch_len])
                for item in source(actor, org, as_of=as_of, until=until, holidays=holidays)
            )
    counts.update(
        _transfer_counts(actor, org, as_of=as_of, until=until, holidays=holidays, branch_len=branch_len)
    )
    previous, award_on = badge_rules.award_days_around(as_of)
    for day, overdue in ((previous, True), (award_on, False)):
        if day <= until:
            for branch, n in badge_due_counts(org=org, award_on=day, branch_len=branch_len).items():
                counts["badge", overdue, branch] += n
    return counts


def _transfer_counts(actor, org, *, as_of: date, until: date, holidays, branch_len: int) -> Counts:
    """Each case counted in the branch of the side it is listed under (``todo._side``)."""

    def side(preferred: str, other: str) -> Case:
        return Case(
            When(
                paths.subtree_q(org.path, f"{preferred}__path"),
                then=paths.branch(f"{preferred}__path", branch_len),
            ),
            default=paths.branch(f"{other}__path", branch_len),
        )

    counts: Counts = Counter()
    opened = transfer_cases(actor=actor, org=org).filter(issued_on__lte=as_of)
    for issued_on, branch, n in (
        opened.values_list("issued_on", side("to_org", "from_org")).annotate(n=Count("id")).order_by()
    ):
        present_by = transfer_rules.arrival_due(issued_on, holidays=holidays)
        if present_by <= until:
            counts["transfer", present_by < as_of, branch] += n
    late = transfer_cases_late(actor=actor, org=org).filter(issued_on__lte=as_of).order_by()
    for kind, rows, sides in (
        (
            "transfer_letter_late",
            late.filter(letter_late=True, trigger_on__isnull=False),
            ("from_org", "to_org"),
        ),
        (
            "transfer_arrival_late",
            late.filter(arrival_late=True, arrived_on__isnull=False, arrived_on__lte=as_of),
            ("to_org", "from_org"),
        ),
    ):
        for branch, n in rows.values_list(side(*sides)).annotate(n=Count("id")).order_by():
            counts[kind, True, branch] += n
    counts.update(
        (item.kind, item.overdue, item.org.path[:branch_len])
        for item in below_minimum_items(org, as_of=as_of)
    )
    return counts


# --- a large subtree's to-do page: counted by child ------------------------------------------


@dataclass(frozen=True)
class BranchRow:
    """One child of the subtree (or the root itself, ``own``) and its counts by label."""

    org: Org
    own: bool
    cells: list[LabelCount | None]  # in the order of ``TodoSummary.labels``; None: nothing
    count: int
    overdue: int


@dataclass(frozen=True)
class TodoSummary:
    org: Org
    labels: list[str]
    rows: list[BranchRow]
    totals: list[LabelCount]  # in the order of ``labels``

    @property
    def count(self) -> int:
        return sum(total.count for total in self.totals)

    @property
    def overdue(self) -> int:
        return sum(total.overdue for total in self.totals)


WHOLE_REGISTER_NAME = "Tất cả tổ chức đảng"


def whole_register() -> Org:
    """Every top-level organization's subtree taken as one: an administrator's to-do of every
    province is counted in one pass, by province (``todo_summary`` of it), rather than
    province by province (34 provinces of the 600,000-member national profile: 1.8 s of
    counting one by one, 0.1 s in one pass; bench/results/national.md). An unsaved organization
    whose path, empty, begins every path (the counters read only a root's path; a page tells
    it from a real one by that empty path)."""
    return Org(path="", name=WHOLE_REGISTER_NAME)


def todo_summary(*, actor, org, as_of: date | None = None) -> TodoSummary:
    """What is due in ``org``'s subtree counted by child and by label: the to-do page of a
    subtree with more items than a page can list (a province has tens of thousands). Each
    child's row links to its own to-do page; the items listed under ``org`` itself come first."""
    by_branch = due_counts_by_branch(actor=actor, org=org, as_of=as_of)
    totals = by_label([row for rows in by_branch.values() for row in rows])
    labels = [total.label for total in totals]
    orgs = {found.path: found for found in Org.objects.filter(path__in=list(by_branch))}
    rows = []
    for branch in sorted(by_branch):  # the root's own path sorts before its children's
        counted = {row.label: row for row in by_label(by_branch[branch])}
        rows.append(
            BranchRow(
                org=orgs[branch],
                own=branch == org.path,
                cells=[counted.get(label) for label in labels],
                count=sum(row.count for row in counted.values()),
                overdue=sum(row.overdue for row in counted.values()),
            )
        )
    return TodoSummary(org=org, labels=labels, rows=rows, totals=totals)
