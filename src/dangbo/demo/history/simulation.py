"""The demo history's simulation (``demo.history``): the rates of admissions, deaths, exits and
transfers, and ``_History``, which composes the province's state (``loading``), its flows
(``flows``) and the rest of a member's life (``lifecycle``, ``departures``, ``succession``) and
runs them month by month, writing each month's events through the ledger's bulk paths."""

from __future__ import annotations

import random
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import date, timedelta
from uuid import UUID

from dangbo.core.formats import format_number
from dangbo.demo import sql
from dangbo.demo.history.departures import DeparturesMixin
from dangbo.demo.history.flows import FlowsMixin
from dangbo.demo.history.lifecycle import LifecycleMixin
from dangbo.demo.history.loading import LoadingMixin
from dangbo.demo.history.state import DAYS_PER_YEAR, HistorySummary, _month_year, _months, _Rec
from dangbo.demo.history.succession import SuccessionMixin
from dangbo.demo.inflight import leave_in_flight
from dangbo.discipline.models import DisciplineCase
from dangbo.members import ledger
from dangbo.members.models import Member, MemberEvent

Kind = MemberEvent.Kind

ADMISSION_RATE = 20_472 / 10 / 51_000  # ≈ 0.040 a year (seed 001)
DEATH_RATE = 0.009
TRANSFER_RATE = 0.02
EXIT_RATE = 0.0015

MIN_FULL_LEFT = 3  # a cell keeps at least this many full members (RULES.md §1: formation)

_CALL_GROUP: dict[str, str] = {
    **dict.fromkeys(
        (
            Kind.EXEMPTED,
            Kind.WORKING_AWAY,
            Kind.SUSPENDED,
            Kind.STANDING_ENDED,
            Kind.TEMP_TRANSFER,
            Kind.TEMP_RETURNED,
        ),
        "standing",
    ),
    **dict.fromkeys((Kind.POSITION_STARTED, Kind.POSITION_ENDED), "position"),
    **dict.fromkeys((Kind.STRUCK_OFF, Kind.RESIGNED, Kind.EXPELLED, Kind.MOVED_AWAY), "exit"),
    **dict.fromkeys((Kind.READMITTED, Kind.RESTORED), "return"),
}


class _History(LoadingMixin, FlowsMixin, LifecycleMixin, DeparturesMixin, SuccessionMixin):
    def __init__(
        self, *, start: date, end: date, seed: int, progress: Callable[[str], None], in_flight: bool = False
    ):
        self.start, self.end, self.seed, self.progress = start, end, seed, progress
        self.in_flight = in_flight
        # Not Random(seed) itself: the generator drew its member ids from that very stream, and
        # the two runs (before and after the reform) take the same seed; the same words at the
        # same offsets would give the same ids. A string seed is hashed the same way everywhere.
        self.rng = random.Random(f"dangbo.demo.history:{seed}:{start.isoformat()}:{end.isoformat()}")
        self.summary = HistorySummary(start=start, end=end, seed=seed)
        self.members: dict[UUID, _Rec] = {}
        self.pool: list[UUID] = []  # members in good standing who may get an event
        self.index: dict[UUID, int] = {}
        self.by_year: dict[int, Counter] = defaultdict(Counter)  # events by the year they take effect

    def _draw(self, expected: float) -> int:
        whole = int(expected)
        return whole + (self.rng.random() < expected - whole)

    def _day(self, first: date, last: date) -> date:
        return first + timedelta(days=self.rng.randrange((last - first).days + 1))

    def _after(self, rec: _Rec, first: date, last: date) -> date | None:
        """A day of [first, last] after the member's last event, or None."""
        first = max(first, rec.last_on + timedelta(days=1))
        return self._day(first, last) if first <= last else None

    def _may_leave(self, rec: _Rec, on: date) -> bool:
        cell = self.orgs.get(rec.org_id)
        if cell is None or not cell.live:
            return True
        if cell.active <= MIN_FULL_LEFT:
            return False
        return not rec.is_full(on) or cell.full > MIN_FULL_LEFT

    def _leave(self, rec: _Rec, on: date) -> None:
        cell = self.orgs.get(rec.org_id)
        self.by_org.get(rec.org_id, set()).discard(rec.id)
        if cell is not None:
            cell.active -= 1
            cell.full -= rec.is_full(on)

    def run(self) -> HistorySummary:
        started = time.monotonic()
        sql.sqlite_page_cache_enlarged()
        self.load()
        self.progress(
            f"Mô phỏng biến động đảng viên {_month_year(self.start)}–{_month_year(self.end)} "
            f"({format_number(self.summary.members_before)} đảng viên, {format_number(len(self.cells))} chi bộ) ..."
        )
        if self.summary.overdue_probation:
            self.progress(
                f"  {format_number(self.summary.overdue_probation)} đảng viên dự bị đã hết 12 tháng trước "
                f"{self.start:%d/%m/%Y}: không ghi công nhận chính thức."
            )
        for first, last in _months(self.start, self.end):
            self._month(first, last)
            if last.month == 12 or last == self.end:
                self._report_year(last)
        if self.in_flight:
            self.summary.in_flight.update(leave_in_flight(self))
        self.summary.members_after = self._active_count()
        self.summary.seconds = time.monotonic() - started
        return self.summary

    def _month(self, first: date, last: date) -> None:
        active = self._active_count()
        share = ((last - first).days + 1) / DAYS_PER_YEAR
        new_members = self._admissions(first, last, self._draw(active * ADMISSION_RATE * share))
        pairs: list[tuple[Member, MemberEvent]] = []
        cases: list[DisciplineCase] = []
        cards: list[tuple[UUID, str]] = []
        self._recognitions(first, last, pairs, cards)
        taken = {member.pk for member, _ in pairs}
        self._deaths(first, last, self._draw(active * DEATH_RATE * share), pairs, taken)
        self._exits(first, last, self._draw(active * EXIT_RATE * share), pairs, taken, cases)
        self._transfers(first, last, self._draw(active * TRANSFER_RATE * share), pairs, taken)
        self._lifecycle_month(first, last, share, pairs, taken, cases, new_members)
        if new_members:
            ledger.bulk_write(new_members)
        # one call per group of kinds that change the same columns: the ledger updates only the
        # columns some event of the call changed, and each call costs its own compiled update
        # (a member has one event a month, so any grouping keeps each ledger in date order)
        by_kind: dict[str, list] = defaultdict(list)
        for member, event in pairs:
            by_kind[_CALL_GROUP.get(event.kind, event.kind)].append((member, event))
        for group in by_kind.values():
            ledger.append_many(group)
        if cases:
            DisciplineCase.objects.bulk_create(cases)
        if cards:
            sql.member_cards_set(cards)

    def _active_count(self) -> int:
        s = self.summary
        return s.members_before + s.admitted + s.joined - s.died - s.exits - s.moved_away

    def _report_year(self, last: date) -> None:
        y = self.by_year.pop(last.year, Counter())
        self.progress(
            f"  {_month_year(last)}: kết nạp {format_number(y[Kind.ADMITTED])}, công nhận chính thức {format_number(y[Kind.RECOGNIZED])}, "
            f"chuyển sinh hoạt {format_number(y[Kind.TRANSFERRED])}, từ trần {format_number(y[Kind.DIED])}, "
            f"ra khỏi Đảng {format_number(y['exits'])}; còn {format_number(self._active_count())} đảng viên"
        )
