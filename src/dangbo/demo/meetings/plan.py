"""The calendar of one organization over the demo's window (``demo.meetings``): on which days
its cell, its cell committee and its grassroots committee met, or will meet, and which months
a weak cell let pass without its regular meeting.

A cell keeps a habit: its regular meeting falls on about the same day each month (most in the
first ten days), in the evening in a hamlet and in working hours in an office; its committee
meets a few days before; a grassroots committee meets in the first days of the month. The
thematic meeting of a quarter is held in one of its months, most quarters, on the day of the
regular meeting or another. A few cells in a hundred ("weak") miss months and thematic
meetings more often; any cell may, rarely, miss a month.

Only days on which the organization existed, in a version of the right kind, get a meeting
(a cell before its establishment, a committee after its dissolution, do not meet).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from dangbo.core.kinds import CELL_KINDS, OrgKind
from dangbo.demo.meetings.loading import Holder, OrgRec
from dangbo.demo.meetings.texts import RESIDENTIAL
from dangbo.meetings.models import Body, MeetingKind

WEAK_SHARE = 0.04  # cells that miss some months and many thematic meetings
WEAK_GAPS = (1, 4)  # months a weak cell misses in the window
RANDOM_GAP = 0.003  # any cell, any month
THEMATIC_HELD = 0.9
THEMATIC_HELD_WEAK = 0.5
COMMITTEE_SKIP = 0.03
COMMITTEE_MIN = 3  # holders for a cell committee (chi ủy) to meet as one


@dataclass(frozen=True)
class Planned:
    body: str
    kind: str
    day: date
    hour: tuple[int, int]  # local time it starts
    topic: str = ""


def month_starts(first: date, last: date) -> list[date]:
    months, day = [], first.replace(day=1)
    while day <= last:
        months.append(day)
        day = _next_month(day)
    return months


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _month_end(first: date) -> date:
    return _next_month(first) - timedelta(days=1)


def holders_on(holders: list[Holder], day: date) -> dict[str, Holder]:
    """The committee on ``day``, one entry per member (the first position found)."""
    found: dict[str, Holder] = {}
    for holder in holders:
        if holder.holds(day) and holder.member not in found:
            found[holder.member] = holder
    return found


class Calendar:
    """The plan of one organization: ``plan()`` gives the meetings; ``gaps`` the months its
    cell let pass (past months only)."""

    def __init__(
        self,
        rng: random.Random,
        org: OrgRec,
        holders: list[Holder],
        *,
        months: list[date],
        today: date,
        topic,
    ):
        self.rng, self.org, self.holders = rng, org, holders
        self.months, self.today, self.topic = months, today, topic
        self.current = today.replace(day=1)
        self._spans_of: dict[frozenset, list[tuple[date, date | None]]] = {}
        self.weak = rng.random() < WEAK_SHARE
        version = org.versions[-1]
        self.office = version.sector not in RESIDENTIAL
        self.habit = rng.choice((3, 4, 5, 5, 5, 6, 7, 8, 10))
        self.committee_habit = rng.choice((1, 2, 2, 3, 4))
        if self.office:
            self.hour = rng.choice(((14, 0), (15, 30), (16, 0), (7, 30)))
        else:
            self.hour = rng.choice(((19, 30), (19, 30), (20, 0), (8, 0)))
        past = [m for m in months if m < self.current]
        self.gaps: set[date] = set()
        if self.weak and past:
            self.gaps = set(rng.sample(past, min(len(past), rng.randint(*WEAK_GAPS))))
        self.gaps |= {m for m in past if rng.random() < RANDOM_GAP}

    # --- days ---------------------------------------------------------------------------------

    def _alive(self, day: date, kinds) -> bool:
        version = self.org.at(day)
        return version is not None and version.kind in kinds

    def _weekday(self, day: date) -> date:
        if self.office and day.weekday() == 5:
            return day - timedelta(days=1) if day.day > 1 else day + timedelta(days=2)
        if self.office and day.weekday() == 6:
            return day + timedelta(days=1)
        return day

    def _spans(self, kinds) -> list[tuple[date, date | None]]:
        """The days on which the organization existed as one of ``kinds``: (first day, day
        after the last or None) spans, from its versions; computed once for each ``kinds``."""
        key = frozenset(kinds)
        if key not in self._spans_of:
            org, found = self.org, []
            for v in org.versions:
                if v.kind in kinds:
                    ends = [d for d in (v.end, org.dissolved_on) if d is not None]
                    found.append((max(v.start, org.created_on), min(ends) if ends else None))
            self._spans_of[key] = [(b, e) for b, e in found if e is None or b < e]
        return self._spans_of[key]

    def _stretches(self, first: date, kinds) -> list[tuple[date, date]]:
        """The days of the month of ``first`` on which the organization existed as one of
        ``kinds``: (first day, last day) stretches."""
        last = _month_end(first)
        found = []
        for begin, after in self._spans(kinds):
            begin = max(begin, first)
            end = last if after is None or after > last else after - timedelta(days=1)
            if begin <= end:
                found.append((begin, end))
        return found

    def _day(self, first: date, wanted: int, kinds) -> date | None:
        """About ``wanted`` in the month of ``first``, on a day the organization existed as
        one of ``kinds``; None if it did not exist so that month."""
        stretches = self._stretches(first, kinds)
        if not stretches:
            return None
        day = self._weekday(first.replace(day=max(1, min(28, wanted))))
        nearest = [min(max(day, begin), end) for begin, end in stretches]
        return min(nearest, key=lambda d: abs((d - day).days))

    # --- the plan -----------------------------------------------------------------------------

    def plan(self) -> list[Planned]:
        found: list[Planned] = []
        for first in self.months:
            found += self._month(first)
        found += self._thematic()
        return sorted(found, key=lambda p: (p.day, p.body, p.kind))

    def _upcoming_ok(self, first: date, day: date, *, next_month: bool) -> bool:
        """A day not yet come: planned in the current month, and in the next for the cell."""
        if day < self.today:
            return True
        return first == self.current or (next_month and first > self.current)

    def _month(self, first: date) -> list[Planned]:
        rng, found = self.rng, []
        cell_day = (
            self._day(first, self.habit - 2 + int(rng.random() * 5), CELL_KINDS)
            if self._spans(CELL_KINDS)
            else None
        )
        if cell_day is not None:
            missed = first in self.gaps and cell_day < self.today
            if not missed and self._upcoming_ok(first, cell_day, next_month=True):
                found.append(Planned(Body.CHI_BO, MeetingKind.REGULAR, cell_day, self.hour))
            committee_day = max(first, cell_day - timedelta(days=2 + int(rng.random() * 4)))
            skip = (missed and rng.random() < 0.8) or rng.random() < COMMITTEE_SKIP
            if (
                not skip
                and self._alive(committee_day, CELL_KINDS)
                and len(holders_on(self.holders, committee_day)) >= COMMITTEE_MIN
                and self._upcoming_ok(first, committee_day, next_month=False)
            ):
                found.append(Planned(Body.CHI_UY, MeetingKind.REGULAR, committee_day, self.hour))
        kinds = {OrgKind.GRASSROOTS_COMMITTEE}
        committee = self._day(first, self.committee_habit, kinds) if self._spans(kinds) else None
        if (
            committee is not None
            and not (committee < self.today and rng.random() < RANDOM_GAP * 5)
            and holders_on(self.holders, committee)
            and self._upcoming_ok(first, committee, next_month=False)
        ):
            found.append(Planned(Body.DANG_UY_CO_SO, MeetingKind.REGULAR, committee, (8, 0)))
        return found

    def _thematic(self) -> list[Planned]:
        rng, found = self.rng, []
        quarters: dict[tuple[int, int], list[date]] = {}
        for first in self.months:
            quarters.setdefault((first.year, (first.month - 1) // 3), []).append(first)
        held = THEMATIC_HELD_WEAK if self.weak else THEMATIC_HELD
        for months in quarters.values():
            if rng.random() >= held:
                continue
            first = rng.choice(months)
            same_day = rng.random() < 0.3
            wanted = self.habit if same_day else 12 + int(rng.random() * 14)
            day = self._day(first, wanted, CELL_KINDS)
            if day is None or not self._upcoming_ok(first, day, next_month=True):
                continue
            hour = self.hour if not same_day else (self.hour[0] + 1, self.hour[1])
            version = self.org.at(day)
            topic = self.topic(rng, version.sector if version else "", day)
            found.append(Planned(Body.CHI_BO, MeetingKind.THEMATIC, day, hour, topic))
        return found
