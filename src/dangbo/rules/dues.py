"""Party dues (đảng phí), RULES.md §7 and §11 rule 12.

What a member owes for a month, from the rule version in force on the first day of that month:

- QĐ 01-QĐ/TW of 3/2/2026 (applied from 1/2/2026), Art. 3: members in compulsory social
  insurance pay 1 % of the previous month's insured salary, 1 % of the benefit while on sick or
  maternity leave; pensioners 0.5 % of the pension; students 5,000 đồng. Members with neither
  insurance nor pension: a rate of the regional minimum wage that RULES.md marks UNCONFIRMED;
- QĐ 342-QĐ/TW of 28/12/2010 before that (the demo's history reaches back into it): 1 % of
  salary, 0.5 % of pension; its fixed amounts for students and other members are not in
  RULES.md and are kept UNCONFIRMED.

Exemptions and reductions (QĐ 01-QĐ/TW Art. 5): 50 years of party age, a social pension, a poor
or near-poor household, a serious illness; other hardship: exemption or a 30/50/70 % reduction,
each grant for at most 12 months; a member working far away may be allowed to pay late
(deferral). Three months unpaid in a year without good reason: the cell considers striking off
(``rules.exits.STRIKE_OFF_MISSED_MONTHS``, kept once there).

Amounts are integer đồng. Rates are in basis points (1 % = 100) so nothing is a float; an
amount is rounded half up to the rule's unit. The UNCONFIRMED values (the rate for other
members, the fixed amounts before 2026, the rounding unit, the shares each level keeps) are
defaults here; a committee may record its own dated values (``dues.models.DuesSetting``) and
the pages say which applies and that it is not confirmed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from dangbo.rules.base import Rule, RuleVersion, register
from dangbo.rules.citations import QD_01_2026, QD_01_2026_FROM, QD_342, QD_342_FROM
from dangbo.rules.exits import STRIKE_OFF_MISSED_MONTHS
from dangbo.rules.probation import add_months

MAX_INCOME = 2_000_000_000  # đồng a month: anything above is a typing error, not an income
PARTY_AGE_EXEMPT_YEARS = 50


class Category:
    """What a member's dues are measured on (QĐ 01-QĐ/TW Art. 3)."""

    INSURED = "insured"
    SICK_LEAVE = "sick_leave"
    PENSION = "pension"
    STUDENT = "student"
    OTHER = "other"
    OTHER_ELDERLY = "other_elderly"
    CHOICES = (
        (INSURED, "Tham gia BHXH bắt buộc: 1% tiền lương làm căn cứ đóng BHXH của tháng trước"),
        (SICK_LEAVE, "Nghỉ ốm đau, thai sản hưởng trợ cấp BHXH: 1% mức trợ cấp"),
        (PENSION, "Hưởng lương hưu (không tham gia BHXH bắt buộc): 0,5% mức lương hưu"),
        (STUDENT, "Học sinh, sinh viên: mức cố định hằng tháng"),
        (OTHER, "Đảng viên khác, dưới tuổi nghỉ hưu: theo mức lương tối thiểu vùng"),
        (OTHER_ELDERLY, "Đảng viên khác, từ tuổi nghỉ hưu: theo mức lương tối thiểu vùng"),
    )
    LABELS = dict(CHOICES)
    SHORT = {
        INSURED: "Lương đóng BHXH",
        SICK_LEAVE: "Trợ cấp ốm đau, thai sản",
        PENSION: "Lương hưu",
        STUDENT: "Học sinh, sinh viên",
        OTHER: "Khác (dưới tuổi nghỉ hưu)",
        OTHER_ELDERLY: "Khác (từ tuổi nghỉ hưu)",
    }
    # the income figure the basis records: the salary, benefit or pension; for other members the
    # regional minimum wage the rate applies to; nothing for students
    INCOME_LABELS = {
        INSURED: "Tiền lương làm căn cứ đóng BHXH tháng trước",
        SICK_LEAVE: "Mức trợ cấp ốm đau, thai sản",
        PENSION: "Mức lương hưu",
        STUDENT: "",
        OTHER: "Mức lương tối thiểu vùng",
        OTHER_ELDERLY: "Mức lương tối thiểu vùng",
    }
    NEEDS_INCOME = frozenset({INSURED, SICK_LEAVE, PENSION, OTHER, OTHER_ELDERLY})


@dataclass(frozen=True)
class Rate:
    """How one category's monthly amount is found: ``basis_points`` of the income, or a fixed
    amount; ``confirmed`` False where RULES.md marks the figure UNCONFIRMED."""

    basis_points: int = 0
    fixed: int = 0
    confirmed: bool = True

    def describe(self) -> str:
        if self.fixed:
            return f"{self.fixed:,} đồng/tháng".replace(",", ".")
        whole, part = divmod(self.basis_points, 100)
        return f"{whole},{part:02d}".rstrip("0").rstrip(",") + "% thu nhập làm căn cứ"


@dataclass(frozen=True)
class Schedule:
    """The rates of every category and the rounding unit (đồng) of one rule version."""

    rates: dict[str, Rate]
    rounding: int = 1
    rounding_confirmed: bool = True


# What every version shares: 1 % of the insured salary or of the sick or maternity benefit, 0.5 % of
# the pension (QĐ 342 and QĐ 01 alike); the rounding unit is nowhere stated (UNCONFIRMED).
_PERCENT_RATES = {
    Category.INSURED: Rate(basis_points=100),
    Category.SICK_LEAVE: Rate(basis_points=100),
    Category.PENSION: Rate(basis_points=50),
}


def _schedule(**rates: Rate) -> Schedule:
    return Schedule(rates={**_PERCENT_RATES, **rates}, rounding=1, rounding_confirmed=False)


RATES = register(
    Rule(
        code="dues.rates",
        title="Mức đóng đảng phí hằng tháng theo đối tượng",
        versions=(
            RuleVersion(
                QD_342_FROM,
                _schedule(
                    student=Rate(fixed=3_000, confirmed=False),
                    other=Rate(fixed=5_000, confirmed=False),
                    other_elderly=Rate(fixed=5_000, confirmed=False),
                ),
                f"{QD_342}, mục 1",
                confirmed=False,
            ),
            RuleVersion(
                QD_01_2026_FROM,
                # the rate of other members: one secondary source gives 0.3 % (0.5 % from 2028) below
                # retirement age, 0.2 % (0.3 %) above it [S98]
                _schedule(
                    student=Rate(fixed=5_000),
                    other=Rate(basis_points=30, confirmed=False),
                    other_elderly=Rate(basis_points=20, confirmed=False),
                ),
                f"{QD_01_2026}, Điều 3",
            ),
            RuleVersion(
                date(2028, 1, 1),
                _schedule(
                    student=Rate(fixed=5_000),
                    other=Rate(basis_points=50, confirmed=False),
                    other_elderly=Rate(basis_points=30, confirmed=False),
                ),
                f"{QD_01_2026}, Điều 3 (lộ trình từ năm 2028)",
                confirmed=False,
            ),
        ),
    )
)


def amount(rate: Rate, income: int, rounding: int = 1) -> int:
    """The monthly amount in đồng: a fixed amount, or ``income`` × the rate rounded half up to
    ``rounding`` đồng (integers throughout)."""
    if rate.fixed:
        return rate.fixed
    unit = max(1, rounding)
    numerator = income * rate.basis_points  # in 1/10,000 đồng
    return (numerator + unit * 5_000) // (unit * 10_000) * unit


def month_due(schedule: Schedule, category: str, income: int) -> int:
    return amount(schedule.rates[category], income, schedule.rounding)


def reduced(full: int, percent: int, rounding: int = 1) -> int:
    """``full`` lowered by ``percent`` (a 30, 50 or 70 % reduction), rounded half up to
    ``rounding`` đồng."""
    unit = max(1, rounding)
    numerator = full * (100 - percent)  # in 1/100 đồng
    return (numerator + unit * 50) // (unit * 100) * unit


class ReliefKind:
    EXEMPTION = "exemption"
    REDUCTION = "reduction"
    DEFERRAL = "deferral"
    LABELS = {
        EXEMPTION: "Miễn đóng đảng phí",
        REDUCTION: "Giảm mức đóng đảng phí",
        DEFERRAL: "Cho chậm đóng đảng phí",
    }


class ReliefGround:
    """Why a member is relieved (QĐ 01-QĐ/TW Art. 5). Fifty years of party age is not granted:
    the system applies it from the member's record (``party_age_exempt_from``)."""

    PARTY_AGE = "party_age_50"
    SOCIAL_PENSION = "social_pension"
    POOR_HOUSEHOLD = "poor_household"
    NEAR_POOR_HOUSEHOLD = "near_poor_household"
    SERIOUS_ILLNESS = "serious_illness"
    HARDSHIP = "hardship"
    WORKING_AWAY = "working_away"
    LABELS = {
        PARTY_AGE: "Từ đủ 50 năm tuổi đảng",
        SOCIAL_PENSION: "Hưởng trợ cấp hưu trí xã hội",
        POOR_HOUSEHOLD: "Thuộc hộ nghèo",
        NEAR_POOR_HOUSEHOLD: "Thuộc hộ cận nghèo",
        SERIOUS_ILLNESS: "Mắc bệnh hiểm nghèo (danh mục của Bộ Y tế)",
        HARDSHIP: "Hoàn cảnh khó khăn khác",
        WORKING_AWAY: "Tạm miễn sinh hoạt do làm việc xa, lưu động, không đóng được hằng tháng",
    }
    GRANTED = (SOCIAL_PENSION, POOR_HOUSEHOLD, NEAR_POOR_HOUSEHOLD, SERIOUS_ILLNESS, HARDSHIP, WORKING_AWAY)
    # which kinds each ground allows
    KINDS = {
        SOCIAL_PENSION: (ReliefKind.EXEMPTION,),
        POOR_HOUSEHOLD: (ReliefKind.EXEMPTION,),
        NEAR_POOR_HOUSEHOLD: (ReliefKind.EXEMPTION,),
        SERIOUS_ILLNESS: (ReliefKind.EXEMPTION,),
        HARDSHIP: (ReliefKind.EXEMPTION, ReliefKind.REDUCTION),
        WORKING_AWAY: (ReliefKind.DEFERRAL,),
    }


RELIEF = register(
    Rule(
        code="dues.relief",
        title="Miễn, giảm (30%, 50%, 70%), cho chậm đóng đảng phí; mỗi lần xem xét tối đa 12 tháng",
        versions=(
            RuleVersion(
                QD_01_2026_FROM,
                {"reductions": (30, 50, 70), "hardship_months": 12},
                f"{QD_01_2026}, Điều 5",
            ),
        ),
    )
)


def percent_list(percents) -> str:
    """(30, 50, 70) → "30%, 50% hoặc 70%"."""
    texts = [f"{p}%" for p in percents]
    return ", ".join(texts[:-1]) + " hoặc " + texts[-1] if len(texts) > 1 else "".join(texts)


PARTY_AGE_EXEMPTION = register(
    Rule(
        code="dues.party_age_exemption",
        title="Đảng viên từ đủ 50 năm tuổi đảng được miễn đóng đảng phí, từ tháng đủ 50 năm",
        versions=(
            # The text exempts members "từ đủ 50 năm tuổi đảng trở lên"; that the month in which
            # the fiftieth year completes is already exempt is this system's reading.
            RuleVersion(QD_01_2026_FROM, PARTY_AGE_EXEMPT_YEARS, f"{QD_01_2026}, Điều 5", confirmed=False),
        ),
    )
)


def party_age_exempt_from(party_age_from: date | None) -> date | None:
    """The first month (its first day) a member whose party age runs from ``party_age_from``
    owes nothing for: the month in which they reach 50 years of party age."""
    if party_age_from is None:
        return None
    reached = add_months(party_age_from, 12 * PARTY_AGE_EXEMPT_YEARS)
    return reached.replace(day=1)


@dataclass(frozen=True)
class Shares:
    """The percent of the dues collected that each level keeps; the rest goes up. A cell under a
    grassroots committee keeps ``cell``; a grassroots organization keeps ``grassroots`` of what
    it collects itself and receives; the level above it ``upper``; the province ``province``
    and remits the rest to the Central Committee."""

    cell: int
    grassroots: int
    upper: int
    province: int
    confirmed: bool = False


SHARES = register(
    Rule(
        code="dues.shares",
        title="Tỷ lệ đảng phí được trích giữ lại ở mỗi cấp, phần còn lại nộp lên cấp trên",
        versions=(
            # RULES.md §7: a cell under a grassroots committee remitted 70 % under QĐ 342
            # (secondary); the other shares, and all of them under QĐ 01, are UNCONFIRMED.
            RuleVersion(
                QD_342_FROM,
                Shares(cell=30, grassroots=70, upper=50, province=50),
                f"{QD_342} (theo nguồn thứ cấp)",
                confirmed=False,
            ),
            RuleVersion(
                QD_01_2026_FROM,
                Shares(cell=30, grassroots=70, upper=50, province=50),
                f"{QD_01_2026} (tỷ lệ chưa xác nhận, giữ như Quyết định 342)",
                confirmed=False,
            ),
        ),
    )
)


def month_start(day: date) -> date:
    return day.replace(day=1)


def months_between(first: date, last: date) -> list[date]:
    """The first days of the months from ``first``'s to ``last``'s, both included."""
    months, month = [], month_start(first)
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    return months


def unpaid_reviews(unpaid: list[date], *, year: int) -> list[date]:
    """Of a member's months without dues paid and without an accepted reason, those of ``year``
    when there are at least the striking-off number of them (RULES.md §11 rule 12), else []."""
    months = sorted({m for m in unpaid if m.year == year})
    needed = STRIKE_OFF_MISSED_MONTHS.at(date(year, 12, 31)).value
    return months if len(months) >= needed else []
