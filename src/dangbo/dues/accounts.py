"""Each member's dues account, month by month (``DuesMonth``): derived from the member's record
and their bases, reliefs and payments, and rewritten whole for a member whenever one of them
changes (``refresh``), in the transaction of the change.

- **Which months.** From the first month of the member's first basis or payment, through the
  current month (or the last month a payment covers, if later). A month is *owed* when the
  member is counted in a cell on its last day (admitted in a month: owed; left in a month: not
  owed, though a payment already made for it stays on record); the cell is the one on that day.
- **How much.** The basis in force on the month's first day, the rule of that month
  (``dues.schedule``); then fifty years of party age (from the month the fiftieth year
  completes) or a granted exemption makes it nothing, a reduction lowers it by its percent
  (rounded half up to the rule's unit), a deferral leaves it due but not in arrears.
- **What is paid.** Payments that are not reversed, in the order they were made, each spread
  over the months it covers: every month its due in turn, what remains (an advance for months
  not yet owed, or a voluntary higher payment) to the last month it covers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from uuid import UUID

from django.db import transaction

from dangbo.core import clock
from dangbo.dues import sums
from dangbo.dues.models import DuesBasis, DuesMonth, DuesOpening, DuesPayment, DuesRelief
from dangbo.dues.schedule import Settings
from dangbo.members.models import ACTIVE_STATUSES, Member, Placement
from dangbo.rules import dues as rules
from dangbo.rules.dues import ReliefGround, ReliefKind
from dangbo.rules.probation import add_months

BATCH = 500  # members read and rewritten at a time


@dataclass
class Inputs:
    """What one member's account is derived from."""

    party_age_from: date | None
    placements: list[tuple[UUID, date, date | None]] = field(default_factory=list)  # counted, active
    bases: list[DuesBasis] = field(default_factory=list)  # by valid_from, then recorded_at
    reliefs: list[DuesRelief] = field(default_factory=list)  # not revoked
    payments: list[DuesPayment] = field(default_factory=list)  # not reversed, by paid_on


def last_day(month: date) -> date:
    return add_months(month, 1) - timedelta(days=1)


def _cell_on(placements, day: date) -> UUID | None:
    for org_id, start, end in placements:
        if start <= day and (end is None or end > day):
            return org_id
    return None


def _last_cell_by(placements, day: date) -> UUID | None:
    found = None
    for org_id, start, _ in placements:
        if start <= day:
            found = org_id
    return found


def _basis_on(bases: Sequence[DuesBasis], month: date) -> DuesBasis | None:
    found = None
    for basis in bases:
        if basis.valid_from <= month:
            found = basis
    return found


def _relief_on(inputs: Inputs, month: date) -> tuple[str, str, int]:
    """(kind, ground, percent) of the strongest relief of ``month``: exemption, then the largest
    reduction, then a deferral; ("", "", 0) if none."""
    exempt_from = rules.party_age_exempt_from(inputs.party_age_from)
    # under QĐ 342 (before the rule's first version) party age exempted no one here
    if exempt_from is not None and month >= max(
        exempt_from, rules.PARTY_AGE_EXEMPTION.versions[0].effective_from
    ):
        return ReliefKind.EXEMPTION, ReliefGround.PARTY_AGE, 100
    best = ("", "", 0)
    rank = {ReliefKind.EXEMPTION: 3, ReliefKind.REDUCTION: 2, ReliefKind.DEFERRAL: 1, "": 0}
    for relief in inputs.reliefs:
        if relief.first_month <= month and (relief.last_month is None or month <= relief.last_month):
            candidate = (relief.kind, relief.ground, relief.percent)
            if (rank[relief.kind], relief.percent) > (rank[best[0]], best[2]):
                best = candidate
    return best


def derive(member_id: UUID, inputs: Inputs, *, through: date, settings: Settings) -> list[DuesMonth]:
    """The member's ``DuesMonth`` rows (unsaved), oldest first."""
    starts = [b.valid_from for b in inputs.bases] + [p.first_month for p in inputs.payments]
    if not starts:
        return []
    paid_months = {m for p in inputs.payments for m in rules.months_between(p.first_month, p.last_month)}
    end = max([through.replace(day=1), *(p.last_month for p in inputs.payments)])
    rows: list[DuesMonth] = []
    for month in rules.months_between(min(starts), end):
        closing = last_day(month)
        org_id = _cell_on(inputs.placements, closing)
        owed = org_id is not None
        if org_id is None:
            if month not in paid_months:
                continue
            org_id = _last_cell_by(inputs.placements, closing)
            if org_id is None:
                continue
        row = DuesMonth(member_id=member_id, month=month, org_id=org_id, owed=owed)
        basis = _basis_on(inputs.bases, month)
        if owed and basis is not None:
            applied = settings.schedule(month)
            row.category, row.income = basis.category, basis.income
            row.full = rules.month_due(applied.value, basis.category, basis.income)
            row.rule_version = applied.key
            kind, ground, percent = _relief_on(inputs, month)
            row.relief_kind, row.relief_ground = kind, ground
            if kind == ReliefKind.EXEMPTION:
                row.due = 0
            elif kind == ReliefKind.REDUCTION:
                row.due = rules.reduced(row.full, percent, applied.value.rounding)
            else:
                row.due = row.full
        rows.append(row)
    allocate(rows, inputs.payments)
    return rows


def allocate(rows: list[DuesMonth], payments: Iterable[DuesPayment]) -> None:
    """Spread ``payments`` (not reversed, in the order made) over ``rows`` (one member's months,
    oldest first): each month its due in turn, the rest to the last month a payment covers.
    ``derive`` ends with it; the demo uses it alone on months it has already derived."""
    by_month = {row.month: row for row in rows}
    for payment in payments:
        covered = [
            by_month[m]
            for m in rules.months_between(payment.first_month, payment.last_month)
            if m in by_month
        ]
        if not covered:
            continue
        left = payment.amount
        for row in covered:
            take = min(left, max(0, row.due - row.paid))
            row.paid += take
            left -= take
        covered[-1].paid += left


def load(member_ids: Sequence[UUID]) -> dict[UUID, Inputs]:
    """The inputs of ``member_ids``' accounts, in a few queries."""
    inputs = {
        pk: Inputs(party_age_from=age)
        for pk, age in Member.objects.filter(pk__in=member_ids).values_list("pk", "party_age_from")
    }
    placements = Placement.objects.filter(
        member_id__in=member_ids, counted=True, status__in=list(ACTIVE_STATUSES)
    ).order_by("member_id", "valid_from")
    for member_id, org_id, start, end in placements.values_list(
        "member_id", "org_id", "valid_from", "valid_to"
    ):
        inputs[member_id].placements.append((org_id, start, end))
    for basis in DuesBasis.objects.filter(member_id__in=member_ids).order_by("valid_from", "recorded_at"):
        inputs[basis.member_id].bases.append(basis)
    for relief in DuesRelief.objects.filter(member_id__in=member_ids, revoked_at__isnull=True):
        inputs[relief.member_id].reliefs.append(relief)
    payments = DuesPayment.objects.filter(
        member_id__in=member_ids, reverses__isnull=True, reversal__isnull=True
    ).order_by("paid_on", "recorded_at")
    for payment in payments:
        inputs[payment.member_id].payments.append(payment)
    return inputs


def recompute(member_ids: Sequence[UUID], *, settings: Settings | None = None) -> dict[UUID, list[DuesMonth]]:
    """What the accounts of ``member_ids`` should hold now, without writing."""
    settings = settings or Settings()
    through = clock.today()
    found: dict[UUID, list[DuesMonth]] = {}
    for start in range(0, len(member_ids), BATCH):
        chunk = list(member_ids[start : start + BATCH])
        for member_id, member_inputs in load(chunk).items():
            found[member_id] = derive(member_id, member_inputs, through=through, settings=settings)
    return found


def refresh(member_ids: Iterable[UUID]) -> int:
    """Rewrite the accounts of ``member_ids`` (in the caller's transaction), and their cells'
    monthly sums by the difference (``dues.sums``); the rows written."""
    ids = sorted(set(member_ids))
    settings, written = Settings(), 0
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        rows = [row for rows in recompute(chunk, settings=settings).values() for row in rows]
        before, chains = sums.of_members(chunk), sums.arrears_of_members(chunk)
        DuesMonth.objects.filter(member_id__in=chunk).delete()
        DuesMonth.objects.bulk_create(rows, batch_size=2000)
        sums.add(
            sums.difference(sums.of_members(chunk), before),
            sums.arrears_difference(sums.arrears_of_members(chunk), chains),
        )
        written += len(rows)
    return written


def ledger_changed(member_ids: list[UUID]) -> None:
    """``members.hooks`` ledger listener: rewrite the accounts of those of ``member_ids`` that
    have one (a transfer moves the months after it to the new cell; an exit ends them)."""
    having = set(DuesBasis.objects.filter(member_id__in=member_ids).values_list("member_id", flat=True))
    having |= set(DuesPayment.objects.filter(member_id__in=member_ids).values_list("member_id", flat=True))
    if having:
        refresh(having)


def refresh_everyone(*, progress: Callable[[int, int], None] | None = None) -> int:
    """Rewrite every member's account (after a committee's setting changed what months owe), a
    batch at a time, each batch its own transaction (a run cut short is finished by the next, or
    by ``dangbo check --aggregates --repair``); the members rewritten."""
    ids = sorted(
        set(DuesBasis.objects.values_list("member_id", flat=True).distinct().order_by())
        | set(DuesPayment.objects.values_list("member_id", flat=True).distinct().order_by())
    )
    for start in range(0, len(ids), BATCH):
        with transaction.atomic():
            refresh(ids[start : start + BATCH])
        if progress is not None:
            progress(min(start + BATCH, len(ids)), len(ids))
    return len(ids)


def members_to_open(month: date) -> list[UUID]:
    """The members in the Party with a basis or a payment and no row yet for ``month``."""
    having = set(DuesBasis.objects.values_list("member_id", flat=True).distinct())
    having |= set(DuesPayment.objects.values_list("member_id", flat=True).distinct())
    having -= set(DuesMonth.objects.filter(month=month).values_list("member_id", flat=True))
    ids = sorted(having)
    active: list[UUID] = []
    for start in range(0, len(ids), 5000):
        active += Member.objects.filter(
            pk__in=ids[start : start + 5000], status__in=list(ACTIVE_STATUSES)
        ).values_list("pk", flat=True)
    return sorted(active)


def extend(*, progress: Callable[[int, int], None] | None = None) -> DuesOpening:
    """Open the current month: rewrite the account of every member in the Party who has none
    for it yet, a batch at a time, each batch its own transaction (a run cut short is taken up
    by the next), and record the opening."""
    month = clock.today().replace(day=1)
    ids = members_to_open(month)
    for start in range(0, len(ids), BATCH):
        with transaction.atomic():
            refresh(ids[start : start + BATCH])
        if progress is not None:
            progress(min(start + BATCH, len(ids)), len(ids))
    opening, _ = DuesOpening.objects.update_or_create(
        month=month, defaults={"members": len(ids), "finished_at": clock.now()}
    )
    return opening


def opened_through() -> date | None:
    """The last month opened for every member (None before the first opening)."""
    return DuesOpening.objects.order_by("-month").values_list("month", flat=True).first()
