"""Probation: 12 months from the admission ceremony (RULES.md §2.3)."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from dangbo.rules.base import Rule, RuleVersion, register
from dangbo.rules.citations import CHARTER, CHARTER_ADOPTED, QD_294, QD_294_FROM

PROBATION_MONTHS = register(
    Rule(
        code="probation.months",
        title="Thời gian dự bị 12 tháng kể từ ngày chi bộ tổ chức lễ kết nạp",
        versions=(
            RuleVersion(CHARTER_ADOPTED, 12, f"{CHARTER}, Điều 5"),
            RuleVersion(QD_294_FROM, 12, f"{CHARTER}, Điều 5; {QD_294}"),
        ),
    )
)


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class ProbationEnd:
    on: date
    rule_ref: str


def probation_end(ceremony_on: date) -> ProbationEnd:
    """The day a qualifying probationary member becomes full, whatever the delays."""
    version = PROBATION_MONTHS.at(ceremony_on)
    return ProbationEnd(add_months(ceremony_on, version.value), version.ref)
