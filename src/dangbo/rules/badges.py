"""Party age (tuổi đảng) and Party badges (Huy hiệu Đảng), RULES.md §6.

Party age runs from the date in the admission decision, less every period out of the Party
(removed, expelled, lost contact, interrupted by a transfer). The ledger keeps that as one
date, ``party_age_from``: the admission decision date moved later by every gap, so that
while a member is in the Party their party age on a day is simply the time since it. A
member reaches a badge of N years on ``party_age_from`` + N years.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from dangbo.rules.base import Rule, RuleVersion, Violation, register
from dangbo.rules.citations import HD_01_2021, HD_01_2021_FROM, HD_06_2025, HD_06_2025_FROM
from dangbo.rules.probation import add_months

_HD_2016 = "Hướng dẫn 01-HD/TW ngày 20/9/2016, mục 18"
# HD 06-HD/TW (2025) replaced HD 01 (2021); that it keeps mục 18 unchanged is not verified.
_HD_2025 = f"{HD_06_2025}, như mục 18 {HD_01_2021}"

BADGE_MILESTONES = register(
    Rule(
        code="badge.milestones",
        title="Đảng viên đủ 30, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85, 90 năm tuổi đảng được xét tặng Huy hiệu Đảng",
        versions=(
            RuleVersion(
                date(2016, 9, 20), (30, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85, 90), _HD_2016, confirmed=False
            ),
            RuleVersion(
                HD_01_2021_FROM, (30, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85, 90), f"{HD_01_2021}, mục 18"
            ),
            RuleVersion(
                HD_06_2025_FROM, (30, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85, 90), _HD_2025, confirmed=False
            ),
        ),
    )
)

# (largest milestone with the shorter window, months early up to it, months early above it)
BADGE_EARLY_ILLNESS = register(
    Rule(
        code="badge.early_illness",
        title="Đảng viên bệnh nặng được xét tặng sớm: không quá 12 tháng (Huy hiệu 30–65 năm), 24 tháng (70–90 năm)",
        versions=(
            RuleVersion(date(2016, 9, 20), (65, 12, 24), _HD_2016, confirmed=False),
            RuleVersion(HD_01_2021_FROM, (65, 12, 24), f"{HD_01_2021}, mục 18"),
            RuleVersion(HD_06_2025_FROM, (65, 12, 24), _HD_2025, confirmed=False),
        ),
    )
)

BADGE_POSTHUMOUS_EARLY = register(
    Rule(
        code="badge.posthumous_early",
        title="Đảng viên từ trần được xét truy tặng Huy hiệu Đảng sớm, không quá 12 tháng",
        versions=(
            RuleVersion(date(2016, 9, 20), 12, _HD_2016, confirmed=False),
            RuleVersion(HD_01_2021_FROM, 12, f"{HD_01_2021}, mục 18"),
            RuleVersion(HD_06_2025_FROM, 12, _HD_2025, confirmed=False),
        ),
    )
)

BADGE_AWARD_DAYS = register(
    Rule(
        code="badge.award_days",
        title="Trao tặng Huy hiệu Đảng vào các dịp 3/2, 19/5, 2/9, 7/11 và các dịp kỷ niệm quan trọng khác của tổ chức cơ sở đảng",
        versions=(
            RuleVersion(date(2016, 9, 20), ((3, 2), (19, 5), (2, 9), (7, 11)), _HD_2016, confirmed=False),
            RuleVersion(HD_01_2021_FROM, ((3, 2), (19, 5), (2, 9), (7, 11)), f"{HD_01_2021}, mục 18"),
            RuleVersion(HD_06_2025_FROM, ((3, 2), (19, 5), (2, 9), (7, 11)), _HD_2025, confirmed=False),
        ),
    )
)


class Ground:
    """Why a badge is awarded when it is: on time, early for serious illness, or posthumously."""

    REGULAR = "regular"
    ILLNESS = "illness"
    POSTHUMOUS = "posthumous"
    LABELS = {REGULAR: "Đủ tuổi đảng", ILLNESS: "Tặng sớm do bệnh nặng", POSTHUMOUS: "Truy tặng"}


def reached_on(party_age_from: date, years: int) -> date:
    """The day a member whose party age runs from ``party_age_from`` has ``years`` years."""
    return add_months(party_age_from, 12 * years)


def next_milestone(party_age_from: date, badge_years: int | None, on: date) -> tuple[int, date] | None:
    """The next badge a member may be considered for (``BADGE_MILESTONES``): the smallest
    milestone above the last badge awarded, and the day the member reaches it (in the past
    when it is due and not yet awarded). None past the last milestone."""
    above = [years for years in BADGE_MILESTONES.at(on).value if years > (badge_years or 0)]
    if not above:
        return None
    return above[0], reached_on(party_age_from, above[0])


def party_age_years(party_age_from: date, on: date) -> int:
    """Whole years of party age on ``on`` (for a member in the Party throughout)."""
    years = on.year - party_age_from.year
    if (on.month, on.day) < (party_age_from.month, party_age_from.day):
        years -= 1
    return max(0, years)


def illness_early_months(years: int, on: date) -> int:
    limit, short, long = BADGE_EARLY_ILLNESS.value(on)
    return short if years <= limit else long


def award_days_around(day: date) -> tuple[date, date]:
    """(the standard award date before ``day``, the first standard award date on or after it)."""
    days = sorted(
        date(y, m, d) for y in (day.year - 1, day.year, day.year + 1) for d, m in BADGE_AWARD_DAYS.value(day)
    )
    following = next(d for d in days if d >= day)
    previous = max(d for d in days if d < day)
    return previous, following


def is_award_day(day: date) -> bool:
    return (day.day, day.month) in BADGE_AWARD_DAYS.value(day)


@dataclass(frozen=True)
class BadgeClaim:
    """An award to be checked: which badge, on what day, on what ground."""

    years: int
    awarded_on: date
    ground: str
    party_age_from: date | None
    already_years: int | None  # the largest badge already awarded
    in_party: bool  # probationary or full member on the award day
    died_on: date | None


def check_badge_award(claim: BadgeClaim) -> list[Violation]:
    """Violations of §6 by ``claim``; empty when the badge may be awarded."""
    on = claim.awarded_on
    milestones = BADGE_MILESTONES.at(on)
    violations: list[Violation] = []
    if claim.years not in milestones.value:
        years = ", ".join(str(y) for y in milestones.value)
        violations.append(
            Violation(
                BADGE_MILESTONES.code,
                f"Huy hiệu Đảng chỉ có các mốc {years} năm tuổi đảng.",
                milestones.ref,
                field="years",
            )
        )
        return violations
    if claim.party_age_from is None:
        violations.append(
            Violation(
                BADGE_MILESTONES.code, "Chưa có ngày quyết định kết nạp để tính tuổi đảng.", milestones.ref
            )
        )
        return violations
    if claim.already_years is not None and claim.already_years >= claim.years:
        violations.append(
            Violation(
                BADGE_MILESTONES.code,
                f"Đảng viên đã được tặng Huy hiệu {claim.already_years} năm tuổi đảng.",
                milestones.ref,
                field="years",
            )
        )
    reach = reached_on(claim.party_age_from, claim.years)
    if claim.ground == Ground.POSTHUMOUS:
        rule = BADGE_POSTHUMOUS_EARLY.at(on)
        if claim.died_on is None:
            violations.append(
                Violation(
                    BADGE_POSTHUMOUS_EARLY.code,
                    "Chỉ truy tặng cho đảng viên đã từ trần.",
                    rule.ref,
                    field="ground",
                )
            )
        elif reach > add_months(claim.died_on, rule.value):
            violations.append(
                Violation(
                    BADGE_POSTHUMOUS_EARLY.code,
                    f"Đến ngày từ trần ({claim.died_on:%d/%m/%Y}) đảng viên còn thiếu hơn {rule.value} tháng mới đủ "
                    f"{claim.years} năm tuổi đảng (đủ vào ngày {reach:%d/%m/%Y}).",
                    rule.ref,
                    field="years",
                )
            )
        return violations
    if not claim.in_party:
        violations.append(
            Violation(
                BADGE_MILESTONES.code,
                "Đảng viên không còn sinh hoạt đảng vào ngày tặng; trường hợp từ trần thì chọn truy tặng.",
                milestones.ref,
                field="ground",
            )
        )
        return violations
    if claim.ground == Ground.ILLNESS:
        rule = BADGE_EARLY_ILLNESS.at(on)
        months = illness_early_months(claim.years, on)
        if reach > add_months(on, months):
            violations.append(
                Violation(
                    BADGE_EARLY_ILLNESS.code,
                    f"Tặng sớm do bệnh nặng không quá {months} tháng: đảng viên đủ {claim.years} năm tuổi đảng vào ngày {reach:%d/%m/%Y}.",
                    rule.ref,
                    field="years",
                )
            )
    elif reach > on:
        violations.append(
            Violation(
                BADGE_MILESTONES.code,
                f"Đến ngày tặng ({on:%d/%m/%Y}) đảng viên chưa đủ {claim.years} năm tuổi đảng (đủ vào ngày {reach:%d/%m/%Y}).",
                milestones.ref,
                field="years",
            )
        )
    return violations
