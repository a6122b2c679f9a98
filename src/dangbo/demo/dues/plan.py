"""What one demo member's dues look like over the window (``demo.dues``): pure functions of the
member's record and a random source seeded by the member, so the same seed gives the same
dues.

- **The basis** follows the member's occupation and age (``people._OCCUPATIONS``): office
  workers, teachers, doctors, police and soldiers, workers and engineers are in compulsory
  social insurance (1 % of the insured salary, Lào Cai figures: a civil servant's coefficient
  × the base salary of 2,340,000 đồng); retired members (and office workers who reach
  retirement age in the window, from the next month) receive a pension (0.5 %); farmers, traders
  and the self-employed pay as other members, on the regional minimum wage (region III for a
  ward, IV for a commune: 3,860,000 / 3,450,000 đồng under Nghị định 74/2024/NĐ-CP, 4,140,000 /
  3,700,000 from 1/1/2026 under Nghị định 293/2025/NĐ-CP, a new basis that month); the youngest
  are students. About a third of the insured get a pay step in the window (a new basis), and a
  few young women go on maternity leave for six months (1 % of the benefit).
- **Reliefs**, from the month QĐ 01-QĐ/TW applies: poor and near-poor households and serious
  illness exempted for twelve months, hardship reductions (mostly 50 %), a deferral for
  members working away (they pay the months together when it ends); each with the grassroots
  committee's decision. Fifty years of party age needs nothing here: the account applies it.
- **Payments** (``payments``), from the months the account says are owed: most members pay
  each month on time (two in five), others by the quarter (a third), some late (one to three months together, the
  month after), a few six months ahead; a few are three to five months behind in one year and
  never pay those months. Cash mostly, some by transfer or through the national public
  service portal (with its transaction code); a few round their payment up.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from dangbo.rules.dues import RELIEF, Category, ReliefGround, ReliefKind, month_start, months_between
from dangbo.rules.probation import add_months

INSURED_OCCUPATIONS = {
    "Cán bộ, công chức": (2.34, 6.2, 1.10),
    "Viên chức": (2.34, 5.4, 1.10),
    "Giáo viên": (2.34, 5.4, 1.25),
    "Bác sĩ": (2.67, 6.2, 1.30),
    "Sĩ quan công an": (3.2, 7.3, 1.30),
    "Hạ sĩ quan công an": (2.6, 4.2, 1.20),
    "Sĩ quan quân đội": (3.2, 7.3, 1.30),
    "Quân nhân chuyên nghiệp": (2.8, 5.5, 1.20),
    "Hạ sĩ quan, binh sĩ": (2.3, 3.4, 1.10),
    "Công nhân": (2.0, 4.2, 1.00),
    "Kỹ sư": (2.6, 5.4, 1.10),
    "Nhân viên": (2.0, 4.0, 1.00),
}
BASE_SALARY = 2_340_000  # lương cơ sở from 1/7/2024 (Nghị định 73/2024/NĐ-CP)
# regional minimum wage (đồng a month): (region III, region IV)
MINIMUM_WAGE = (
    (date(2024, 7, 1), (3_860_000, 3_450_000), "Nghị định 74/2024/NĐ-CP"),
    (date(2026, 1, 1), (4_140_000, 3_700_000), "Nghị định 293/2025/NĐ-CP"),
)
RELIEFS_FROM = RELIEF.versions[0].effective_from  # QĐ 01-QĐ/TW, Art. 5

# member habits, by cumulative share
HABITS = (
    ("monthly", 0.42),
    ("quarterly", 0.78),
    ("late", 0.91),
    ("advance", 0.935),
    ("behind", 0.965),
    ("monthly", 1.0),
)


@dataclass(frozen=True)
class Basis:
    valid_from: date
    category: str
    income: int
    source: str


@dataclass(frozen=True)
class Relief:
    kind: str
    ground: str
    percent: int
    first_month: date
    last_month: date
    decision_no: str
    decision_on: date
    note: str = ""


@dataclass(frozen=True)
class Payment:
    first_month: date
    last_month: date
    amount: int
    paid_on: date
    method: str
    reference: str = ""


@dataclass(frozen=True)
class Member:
    """What the plan reads of a member."""

    birth_date: date
    gender: str
    occupation: str
    ward: bool  # the cell is in a ward (region III), else a commune (region IV)
    active: bool  # still in the Party today (reliefs and advances only for them)


@dataclass
class Plan:
    bases: list[Basis] = field(default_factory=list)
    reliefs: list[Relief] = field(default_factory=list)
    habit: str = "monthly"
    behind_year: int | None = None


def _age(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _retires(member: Member) -> date:
    """The month after the member reaches retirement age (about 61 for men, 57 for women in
    these years; the demo does not follow the monthly steps of the Labour Code)."""
    years = 61 if member.gender == "M" else 57
    return add_months(member.birth_date.replace(day=1), 12 * years + 1)


def _round(value: float, unit: int = 1_000) -> int:
    return int(value / unit + 0.5) * unit


def _minimum_wage(member: Member, month: date) -> tuple[int, str]:
    wage, source = MINIMUM_WAGE[0][1], MINIMUM_WAGE[0][2]
    for since, wages, decree in MINIMUM_WAGE:
        if since <= month:
            wage, source = wages, decree
    region = 0 if member.ward else 1
    return wage[region], f"Mức lương tối thiểu vùng {'III' if member.ward else 'IV'} ({source})"


def _insured_salary(rng: random.Random, occupation: str) -> int:
    low, high, allowances = INSURED_OCCUPATIONS[occupation]
    coefficient = rng.triangular(low, high, low + (high - low) * 0.35)
    return _round(BASE_SALARY * coefficient * allowances * rng.uniform(1.0, 1.12), 10_000)


def _other_category(member: Member, month: date) -> str:
    return Category.OTHER_ELDERLY if month >= _retires(member) else Category.OTHER


def bases(member: Member, rng: random.Random, start: date, end: date) -> list[Basis]:
    """The member's bases from ``start`` (the month their dues book starts) to ``end`` (the
    last month they may owe)."""
    found: list[Basis] = []
    occupation, age = member.occupation, _age(member.birth_date, start)
    if occupation in INSURED_OCCUPATIONS and start < _retires(member):
        salary = _insured_salary(rng, occupation)
        found.append(
            Basis(start, Category.INSURED, salary, f"Bảng lương tháng {add_months(start, -1):%m/%Y}")
        )
        months = months_between(start, end)
        if len(months) > 3 and rng.random() < 0.35:  # a pay step
            month = months[rng.randrange(1, len(months))]
            salary = _round(salary * rng.uniform(1.05, 1.1), 10_000)
            found.append(Basis(month, Category.INSURED, salary, f"Quyết định nâng bậc lương, {month:%m/%Y}"))
        if member.gender == "F" and age < 40 and len(months) > 8 and rng.random() < 0.04:
            leave = months[rng.randrange(1, len(months) - 6)]
            benefit = found[-1].income if found[-1].valid_from <= leave else found[0].income
            found.append(
                Basis(leave, Category.SICK_LEAVE, benefit, "Quyết định hưởng chế độ thai sản của BHXH tỉnh")
            )
            back = add_months(leave, 6)
            found.append(
                Basis(back, Category.INSURED, benefit, f"Bảng lương tháng {add_months(back, -1):%m/%Y}")
            )
        retires = _retires(member)
        if start < retires <= end:
            pension = _round(max(i.income for i in found) * rng.uniform(0.55, 0.75), 1_000)
            found.append(
                Basis(retires, Category.PENSION, pension, "Quyết định hưởng lương hưu của BHXH tỉnh")
            )
        found.sort(key=lambda b: b.valid_from)
        return found
    if occupation == "Hưu trí" or occupation in INSURED_OCCUPATIONS:
        if rng.random() < 0.85:
            pension = _round(rng.triangular(3_500_000, 14_000_000, 6_000_000), 1_000)
            return [Basis(start, Category.PENSION, pension, "Quyết định hưởng lương hưu của BHXH tỉnh")]
    elif age < 23 and rng.random() < 0.7:
        return [Basis(start, Category.STUDENT, 0, "Giấy xác nhận sinh viên của nhà trường")]
    wage, source = _minimum_wage(member, start)
    found.append(Basis(start, _other_category(member, start), wage, source))
    for since, _, _ in MINIMUM_WAGE:
        if start < since <= end:
            wage, source = _minimum_wage(member, since)
            found.append(Basis(since, _other_category(member, since), wage, source))
    retires = _retires(member)
    if start < retires <= end and not any(b.valid_from == retires for b in found):
        wage, source = _minimum_wage(member, retires)
        found.append(Basis(retires, Category.OTHER_ELDERLY, wage, source))
        found.sort(key=lambda b: b.valid_from)
    return found


def reliefs(member: Member, rng: random.Random, category: str, start: date, today: date) -> list[Relief]:
    """At most one relief, from the month QĐ 01-QĐ/TW applies, for members still in the Party."""
    first_possible = max(start, RELIEFS_FROM)
    if not member.active or first_possible > today.replace(day=1):
        return []
    months = months_between(first_possible, today.replace(day=1))
    draw = rng.random()
    residential = category in (Category.OTHER, Category.OTHER_ELDERLY)
    if residential and draw < 0.03:
        ground = ReliefGround.POOR_HOUSEHOLD if rng.random() < 0.6 else ReliefGround.NEAR_POOR_HOUSEHOLD
        first = months[0]
        return [_relief(rng, ReliefKind.EXEMPTION, ground, 100, first, add_months(first, 11))]
    if draw < 0.035:
        first = months[rng.randrange(len(months))]
        return [
            _relief(
                rng, ReliefKind.EXEMPTION, ReliefGround.SERIOUS_ILLNESS, 100, first, add_months(first, 11)
            )
        ]
    if draw < 0.045:
        first = months[rng.randrange(len(months))]
        percent = rng.choice((30, 50, 50, 50, 70))
        return [
            _relief(
                rng,
                ReliefKind.REDUCTION,
                ReliefGround.HARDSHIP,
                percent,
                first,
                add_months(first, rng.randrange(5, 12)),
            )
        ]
    if draw < 0.052 and len(months) > 4:
        first = months[rng.randrange(len(months) - 4)]
        return [
            _relief(
                rng,
                ReliefKind.DEFERRAL,
                ReliefGround.WORKING_AWAY,
                0,
                first,
                add_months(first, rng.randrange(2, 6)),
                note="Đi làm việc ở nước ngoài theo hợp đồng"
                if rng.random() < 0.3
                else "Làm việc lưu động xa nơi cư trú",
            )
        ]
    return []


def _relief(
    rng: random.Random, kind: str, ground: str, percent: int, first: date, last: date, note: str = ""
) -> Relief:
    decided = first - timedelta(days=rng.randrange(3, 25))
    return Relief(kind, ground, percent, first, last, f"{rng.randrange(10, 400)}-QĐ/ĐU", decided, note)


def habit(rng: random.Random) -> str:
    draw = rng.random()
    return next(name for name, share in HABITS if draw < share)


def _method(rng: random.Random, paid_on: date) -> tuple[str, str]:
    draw = rng.random()
    if draw < 0.12:
        return "portal", f"DVC{paid_on:%y%m%d}{rng.randrange(10**6):06d}"
    if draw < 0.2:
        return "transfer", f"FT{paid_on:%y%j}{rng.randrange(10**7):07d}"
    return "cash", ""


def _day(rng: random.Random, month: date, first: int = 3, last: int = 26) -> date:
    return month.replace(day=rng.randint(first, last))


def payments(
    rng: random.Random,
    plan: Plan,
    dues: list[tuple[date, int, bool]],
    *,
    today: date,
    active: bool,
    rounds_up: bool,
) -> list[Payment]:
    """The member's payments, from their months: (month, due, deferred) of each owed month
    with something due, in order. A payment covers consecutive months; none is made on or
    after today."""
    made: list[Payment] = []
    current = today.replace(day=1)
    skipped: set[date] = set()
    if plan.behind_year is not None:
        year_months = [
            m for m, due, deferred in dues if m.year == plan.behind_year and not deferred and m < current
        ]
        if len(year_months) >= 5:
            length = rng.randint(3, min(5, len(year_months) - 1))
            at = rng.randrange(0, len(year_months) - length + 1)
            skipped = set(year_months[at : at + length])
    groups: list[tuple[list[tuple[date, int]], date]] = []  # (months, paid on)
    pending: list[tuple[date, int]] = []  # deferred months, paid together when the deferral ends
    chunk: list[tuple[date, int]] = []
    for index, (month, due, deferred) in enumerate(dues):
        if month in skipped:
            continue
        if deferred:
            pending.append((month, due))
            continue
        if pending:
            groups.append((pending, _day(rng, month, 5, 20)))
            pending = []
        if plan.habit in ("monthly", "behind"):
            groups.append(([(month, due)], _day(rng, month)))
        elif plan.habit == "quarterly":
            chunk.append((month, due))
            if month.month % 3 == 0 or index == len(dues) - 1:
                groups.append((chunk, _day(rng, month, 10, 28)))
                chunk = []
        elif plan.habit == "late":
            chunk.append((month, due))
            if len(chunk) >= rng.randint(1, 3) or index == len(dues) - 1:
                groups.append((chunk, _day(rng, add_months(month, 1), 5, 28)))
                chunk = []
        else:  # advance: January and July pay the half-year ahead
            chunk.append((month, due))
            if month.month in (6, 12) or index == len(dues) - 1:
                groups.append((chunk, _day(rng, chunk[0][0], 3, 15)))
                chunk = []
    if chunk:
        groups.append((chunk, _day(rng, chunk[-1][0], 10, 28)))
    for covered, paid_on in groups:
        if paid_on >= today:
            continue
        for run in _consecutive(covered):
            amount = sum(due for _, due in run)
            if rounds_up:
                amount = -(-amount // 10_000) * 10_000
            method, reference = _method(rng, paid_on)
            made.append(Payment(run[0][0], run[-1][0], amount, paid_on, method, reference))
    if plan.habit == "advance" and active and made and rng.random() < 0.5:
        # paid ahead for the months to come of the half-year
        last = made[-1].last_month
        ahead = [add_months(last, n) for n in range(1, 6 - (last.month - 1) % 6)]
        if ahead and ahead[0] >= current and dues:
            paid_on = max(made[-1].paid_on, current)
            if paid_on < today:
                due = dues[-1][1]
                made.append(Payment(ahead[0], ahead[-1], due * len(ahead), paid_on, *_method(rng, paid_on)))
    made.sort(key=lambda p: (p.paid_on, p.first_month))
    return made


def _consecutive(months: list[tuple[date, int]]) -> list[list[tuple[date, int]]]:
    runs: list[list[tuple[date, int]]] = []
    for month, due in months:
        if runs and add_months(runs[-1][-1][0], 1) == month:
            runs[-1].append((month, due))
        else:
            runs.append([(month, due)])
    return [run for run in runs if sum(d for _, d in run) > 0]


def start_month(spans: Sequence[tuple[object, date, date | None]], window_start: date) -> date | None:
    """The first month of the member's dues book: the window's first, or the month they came."""
    overlapping = [s for s in spans if s[2] is None or s[2] > window_start]
    if not overlapping:
        return None
    return max(window_start, month_start(overlapping[0][1]))
