"""The demo province's Party dues (issue 20): the same two years as the meetings
(``demo.meetings.window``) up to today, for every member counted in a cell in that time,
drawn on the members' record as the history left it (``demo.timeline`` runs this after the
meetings, in the same transaction).

For each member, deterministic for the seed (a random source named by the member): a dues
basis from the first month of the window (or the month they came), by occupation and age,
with its later changes; now and then a relief with its decision; the payments of their habit
(``plan``). The monthly account (``DuesMonth``) is derived in memory by the function the
services use (``dues.accounts.derive``), once to learn what each month owes and once more with
the payments, and written with the rest — never recomputed per member afterwards, and equal
to ``dues.accounts.recompute`` (tests/test_demo_dues.py). Fifty years of party age exempts by
itself, from the month it is reached.

Memory stays bounded at any size: members are read and written a batch at a time
(``writing``: COPY on PostgreSQL, executemany on SQLite); receipt numbers are given at the end,
when the payments move from their staging table to their own.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from datetime import time as clock_time
from typing import cast
from uuid import UUID

from django.db import transaction
from django.db.models import Q

from dangbo.audit.context import bulk_operation
from dangbo.audit.services import Action, audit_record
from dangbo.core import clock
from dangbo.core.bulk import refresh_statistics
from dangbo.core.formats import format_number
from dangbo.core.kinds import CELL_KINDS
from dangbo.demo import sql
from dangbo.demo.dues import plan
from dangbo.demo.dues.writing import dues_writer, payments_staged
from dangbo.demo.generator import DUES_TABLES
from dangbo.demo.meetings import window
from dangbo.demo.meetings.writing import Keys, Writer, indexes_set_aside
from dangbo.dues import sums
from dangbo.dues.accounts import Inputs, allocate, derive
from dangbo.dues.models import DuesBasis, DuesMonth, DuesOpening, DuesPayment, DuesRelief
from dangbo.dues.schedule import Applied, Settings
from dangbo.members.models import ACTIVE_STATUSES, Member, Placement
from dangbo.orgs.models import Org
from dangbo.rules.dues import ReliefKind, Schedule, months_between

__all__ = ["DUES_TABLES", "DuesSummary", "build_dues"]

MEMBERS_PER_BATCH = 1_000
FLUSH_ROWS = 50_000


@dataclass
class DuesSummary:
    start: date
    end: date
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def __getitem__(self, name: str) -> int:
        return self.counts.get(name, 0)


class MonthSettings(Settings):
    """``Settings`` with each month's schedule worked out once (the load asks for it once per
    member and month)."""

    def __init__(self) -> None:
        super().__init__()
        self._schedules: dict[date, Applied[Schedule]] = {}

    def schedule(self, month: date) -> Applied[Schedule]:
        found = self._schedules.get(month)
        if found is None:
            found = self._schedules[month] = super().schedule(month)
        return found


def build_dues(*, seed: int, progress=print) -> DuesSummary:
    """Write the dues history up to today (``clock``) in one transaction, audited as one
    operation."""
    started = time.monotonic()
    today = clock.today()
    start, _ = window(today)
    with transaction.atomic():
        with bulk_operation("demo"):
            summary = _build(seed=seed, today=today, start=start, progress=progress)
        audit_record(
            action=Action.DEMO_GENERATED,
            data={"dues": f"{start.isoformat()}..{today.isoformat()}", "seed": seed, **summary.counts},
        )
    refresh_statistics(DUES_TABLES)
    summary.seconds = time.monotonic() - started
    c = summary.counts
    progress(
        f"  Đảng phí của {format_number(c.get('members', 0))} đảng viên: {format_number(c.get('payments', 0))} "
        f"phiếu thu, {format_number(c.get('months', 0))} tháng ({format_number(c.get('months_unpaid', 0))} "
        f"tháng chưa nộp), {format_number(c.get('reliefs', 0))} quyết định miễn, giảm, cho chậm đóng "
        f"trong {format_number(summary.seconds)} giây."
    )
    return summary


def _build(*, seed: int, today: date, start: date, progress) -> DuesSummary:
    sql.sqlite_page_cache_enlarged()
    progress(f"Tạo đảng phí {start:%m/%Y}–{today:%m/%Y} ...")
    load = _Load(seed=seed, today=today, start=start)
    with indexes_set_aside(DUES_TABLES):
        with payments_staged():
            for first in range(0, len(load.member_ids), MEMBERS_PER_BATCH):
                load.batch(load.member_ids[first : first + MEMBERS_PER_BATCH])
            load.writer.flush()
            progress("  Đánh số biên lai ...")
        progress("  Lập chỉ mục ...")
    progress("  Cộng sổ đảng phí từng chi bộ, từng tháng ...")
    sums.rebuild()  # the cells' monthly sums, as dues.accounts.refresh keeps them
    # every month of the window is open for every member with an account (dues.accounts.extend
    # would find nothing left to open): record it, as the monthly opening does
    now = clock.now()
    DuesOpening.objects.bulk_create(
        DuesOpening(month=month, members=n, finished_at=now) for month, n in sorted(load.opened.items())
    )
    counts = load.counts
    counts["payments"] = load.writer.counts[DuesPayment]
    counts["months"] = load.writer.counts[DuesMonth]
    counts["bases"] = load.writer.counts[DuesBasis]
    counts["reliefs"] = load.writer.counts[DuesRelief]
    return DuesSummary(start=start, end=today, counts=dict(sorted(counts.items())))


class _Load:
    def __init__(self, *, seed: int, today: date, start: date):
        self.seed, self.today, self.start = seed, today, start
        self.current = today.replace(day=1)
        self.settings = MonthSettings()
        self.writer: Writer = dues_writer()
        self.keys = Keys(random.Random(f"dangbo.demo.dues.keys:{seed}"), _epoch_ms(start))
        self.counts: dict[str, int] = {}
        self.opened: dict[date, int] = dict.fromkeys(months_between(start, self.current), 0)
        orgs = {pk: (parent, name) for pk, parent, name in Org.objects.values_list("id", "parent_id", "name")}
        # the committee that decides a relief: the cell's grassroots organization
        self.deciding: dict[UUID, str] = {}
        self.ward: dict[UUID, bool] = {}
        for pk in Org.objects.filter(kind__in=list(CELL_KINDS)).values_list("id", flat=True):
            parent, name = orgs[pk]
            above = orgs.get(parent) if parent else None
            grassroots = name if above is None or name.startswith("Chi bộ cơ sở") else above[1]
            self.deciding[pk] = grassroots.replace("Đảng bộ", "Đảng ủy", 1)
            self.ward[pk] = "phường" in grassroots.lower() or "thị trấn" in grassroots.lower()
        self.member_ids = list(
            Placement.objects.filter(
                Q(valid_to__isnull=True) | Q(valid_to__gt=start),
                counted=True,
                status__in=list(ACTIVE_STATUSES),
                valid_from__lte=today,
            )
            .order_by("member_id")
            .values_list("member_id", flat=True)
            .distinct()
        )

    def _count(self, name: str, n: int = 1) -> None:
        self.counts[name] = self.counts.get(name, 0) + n

    def batch(self, member_ids: list[UUID]) -> None:
        people = {
            row[0]: row[1:]
            for row in Member.objects.filter(pk__in=member_ids).values_list(
                "pk", "birth_date", "gender", "occupation", "party_age_from", "status"
            )
        }
        spans: dict[UUID, list[tuple[UUID, date, date | None]]] = {pk: [] for pk in member_ids}
        for member_id, org_id, valid_from, valid_to in (
            Placement.objects.filter(member_id__in=member_ids, counted=True, status__in=list(ACTIVE_STATUSES))
            .order_by("member_id", "valid_from")
            .values_list("member_id", "org_id", "valid_from", "valid_to")
        ):
            spans[member_id].append((org_id, valid_from, valid_to))
        for member_id in member_ids:
            self.member(member_id, people[member_id], spans[member_id])
            self.writer.maybe_flush()

    def member(self, member_id: UUID, person: tuple, spans: list[tuple[UUID, date, date | None]]) -> None:
        birth, gender, occupation, party_age_from, status = person
        first = plan.start_month(spans, self.start)
        if first is None:
            return
        active = status in ACTIVE_STATUSES and any(end is None for _, _, end in spans)
        last = self.current if active else max(end for _, _, end in spans if end is not None).replace(day=1)
        last = min(last, self.current)
        if last < first:
            return
        cell = _cell_by(spans, first) or spans[-1][0]
        rng = random.Random(f"dangbo.demo.dues:{self.seed}:{member_id.hex}")
        who = plan.Member(birth, gender, occupation, ward=self.ward.get(cell, False), active=active)
        bases = plan.bases(who, rng, first, last)
        reliefs = plan.reliefs(who, rng, bases[0].category, first, self.today)
        member_plan = plan.Plan(bases=bases, reliefs=reliefs, habit=plan.habit(rng))
        if member_plan.habit == "behind":
            member_plan.behind_year = rng.choice(sorted({first.year, self.current.year}))
        inputs = Inputs(
            party_age_from=party_age_from,
            placements=spans,
            bases=[
                DuesBasis(member_id=member_id, category=b.category, income=b.income, valid_from=b.valid_from)
                for b in bases
            ],
            reliefs=[
                DuesRelief(
                    member_id=member_id,
                    kind=r.kind,
                    ground=r.ground,
                    percent=r.percent,
                    first_month=r.first_month,
                    last_month=r.last_month,
                )
                for r in reliefs
            ],
        )
        months = derive(member_id, inputs, through=self.today, settings=self.settings)
        dues = [
            (m.month, m.due, m.relief_kind == ReliefKind.DEFERRAL) for m in months if m.owed and m.due > 0
        ]
        payments = plan.payments(
            rng, member_plan, dues, today=self.today, active=active, rounds_up=rng.random() < 0.05
        )
        if payments and max(p.last_month for p in payments) > months[-1].month:
            # paid ahead beyond the months derived: derive again, as the services would
            inputs.payments = [
                DuesPayment(
                    member_id=member_id,
                    first_month=p.first_month,
                    last_month=p.last_month,
                    amount=p.amount,
                    paid_on=p.paid_on,
                )
                for p in payments
            ]
            months = derive(member_id, inputs, through=self.today, settings=self.settings)
        else:
            # every payment covers months already derived: spread them as ``derive`` would
            # (``allocate`` reads the months and amount of each, which ``plan.Payment`` has)
            allocate(months, cast(list[DuesPayment], payments))
        self._write(member_id, spans, bases, reliefs, payments, months)
        self._count("members")
        if member_plan.habit == "behind" and member_plan.behind_year is not None:
            self._count("behind")

    def _write(self, member_id, spans, bases, reliefs, payments, months) -> None:
        prefix, base = self.keys.block()
        member, stamp, n = member_id.hex, self.writer.stamp, 0

        def key() -> str:
            nonlocal n
            n += 1
            return prefix + f"{base + n:016x}"

        for b in bases:
            recorded = _instant(b.valid_from, 9)
            self.writer.add(
                DuesBasis,
                (
                    key(),
                    member,
                    b.category,
                    b.income,
                    b.valid_from.isoformat(),
                    b.source,
                    None,
                    stamp(recorded),
                ),
            )
        for r in reliefs:
            cell = _cell_by(spans, r.first_month) or spans[-1][0]
            self.writer.add(
                DuesRelief,
                (
                    key(),
                    r.decision_no,
                    r.decision_on.isoformat(),
                    self.deciding.get(cell, "")[:200],
                    member,
                    r.kind,
                    r.ground,
                    r.percent,
                    r.first_month.isoformat(),
                    r.last_month.isoformat(),
                    r.note,
                    None,
                    stamp(_instant(r.decision_on, 10)),
                    None,
                    None,
                    "",
                ),
            )
            self._count(f"relief_{r.ground}")
        for p in payments:
            cell = _cell_by(spans, p.paid_on) or _last_cell_by(spans, p.paid_on) or spans[-1][0]
            self.writer.add(
                DuesPayment,
                (
                    key(),
                    member,
                    cell.hex,
                    p.first_month.isoformat(),
                    p.last_month.isoformat(),
                    p.amount,
                    p.paid_on.isoformat(),
                    p.method,
                    p.reference,
                    "",  # numbered when every payment is written (writing.payments_staged)
                    None,
                    "",
                    None,
                    stamp(_instant(p.paid_on, 3 + n % 8)),
                ),
            )
        unpaid = 0
        for m in months:
            self.writer.add(
                DuesMonth,
                (
                    key(),
                    member,
                    m.month.isoformat(),
                    m.org_id.hex,
                    m.owed,
                    m.category,
                    m.income,
                    m.full,
                    m.due,
                    m.relief_kind,
                    m.relief_ground,
                    m.paid,
                    m.rule_version,
                ),
            )
            unpaid += m.unpaid
            if m.month in self.opened:
                self.opened[m.month] += 1
            if m.relief_ground == "party_age_50" and m.month == self.current:
                self._count("party_age_exempt")
        self._count("months_unpaid", unpaid)


def _cell_by(spans, day: date) -> UUID | None:
    for org_id, start, end in spans:
        if start <= day and (end is None or end > day):
            return org_id
    return None


def _last_cell_by(spans, day: date) -> UUID | None:
    found = None
    for org_id, start, _ in spans:
        if start <= day:
            found = org_id
    return found


def _instant(day: date, hour_utc: int) -> datetime:
    return datetime.combine(day, clock_time(hour_utc), tzinfo=UTC)


def _epoch_ms(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp() * 1000)
