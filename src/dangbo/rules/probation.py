"""Probation: 12 months from the admission ceremony (RULES.md §2.3)."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from dangbo.reference.workdays import add_working_days
from dangbo.rules.base import Rule, RuleVersion, register
from dangbo.rules.citations import CHARTER, CHARTER_ADOPTED, QD_24, QD_24_FROM, QD_294, QD_294_FROM

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


RECOGNITION_REVIEW_WORKING_DAYS = register(
    Rule(
        code="probation.recognition_review_working_days",
        title="Chậm nhất 30 ngày làm việc sau khi hết 12 tháng dự bị, chi bộ xét công nhận đảng viên chính thức",
        versions=(
            RuleVersion(CHARTER_ADOPTED, 30, f"{CHARTER}, Điều 5; Quy định 29-QĐ/TW (2016)", confirmed=False),
            RuleVersion(QD_24_FROM, 30, f"{CHARTER}, Điều 5; {QD_24}"),
            RuleVersion(QD_294_FROM, 30, f"{CHARTER}, Điều 5; {QD_294}", confirmed=False),
        ),
    )
)

RECOGNITION_DECISION_WORKING_DAYS = register(
    Rule(
        code="probation.recognition_decision_working_days",
        title="Cấp ủy có thẩm quyền quyết định công nhận đảng viên chính thức trong 30 ngày làm việc kể từ khi nhận nghị quyết của chi bộ",
        versions=(
            RuleVersion(CHARTER_ADOPTED, 30, "Quy định 29-QĐ/TW (2016)", confirmed=False),
            RuleVersion(QD_24_FROM, 30, QD_24),
            RuleVersion(QD_294_FROM, 30, QD_294, confirmed=False),
        ),
    )
)


def recognition_review_due(ceremony_on: date, *, holidays: set[date] | None = None) -> tuple[date, date, str]:
    """(end of probation, the last day for the cell's review, the rule's reference)."""
    end = probation_end(ceremony_on)
    version = RECOGNITION_REVIEW_WORKING_DAYS.at(end.on)
    return end.on, add_working_days(end.on, version.value, holidays=holidays), version.ref
