"""Admission eligibility: age at the cell's vote (RULES.md §2.1)."""

from __future__ import annotations

from datetime import date

from dangbo.rules.base import Rule, RuleVersion, Violation, register
from dangbo.rules.citations import (
    CHARTER,
    CHARTER_ADOPTED,
    QD_24,
    QD_24_FROM,
    QD_232,
    QD_232_FROM,
    QD_294,
    QD_294_FROM,
)

# (minimum, maximum) age in whole months at the cell's admission vote.
ADMISSION_AGE = register(
    Rule(
        code="admission.age",
        title="Tuổi đời khi chi bộ xét kết nạp: từ đủ 18 đến đủ 60 tuổi (tính theo tháng)",
        versions=(
            RuleVersion(CHARTER_ADOPTED, (18 * 12, 60 * 12), f"{CHARTER}, Điều 1; Quy định 29-QĐ/TW (2016), mục 1", confirmed=False),
            RuleVersion(QD_24_FROM, (18 * 12, 60 * 12), f"{CHARTER}, Điều 1; {QD_24}, mục 1.1"),
            RuleVersion(QD_232_FROM, (18 * 12, 60 * 12), f"{CHARTER}, Điều 1; {QD_232}, mục 1"),
            RuleVersion(QD_294_FROM, (18 * 12, 60 * 12), f"{CHARTER}, Điều 1; {QD_294}, mục 1"),
        ),
    )
)

# Over 60: only with the decision of the provincial-level committee (Ban Thường vụ tỉnh ủy).
OVER_AGE_AUTHORITY = "Ban Thường vụ tỉnh ủy, thành ủy (cấp ủy trực thuộc Trung ương)"


def age_in_months(birth_date: date, on: date) -> int:
    months = (on.year - birth_date.year) * 12 + (on.month - birth_date.month)
    if on.day < birth_date.day:
        months -= 1
    return months


def _format_age(months: int) -> str:
    return f"{months // 12} tuổi {months % 12} tháng"


def check_admission_age(*, birth_date: date, vote_on: date, over_age_approval: str = "") -> list[Violation]:
    """Is the applicant between full 18 and full 60 years (by month) on the vote date?

    Above 60 is allowed only with the provincial committee's decision, given in
    ``over_age_approval`` (its number and date). Below 18 is never allowed.
    """
    version = ADMISSION_AGE.at(vote_on)
    minimum, maximum = version.value
    months = age_in_months(birth_date, vote_on)
    if months < minimum:
        return [
            Violation(
                ADMISSION_AGE.code,
                f"Người vào Đảng mới {_format_age(months)} vào ngày chi bộ xét kết nạp "
                f"({vote_on:%d/%m/%Y}); phải đủ {minimum // 12} tuổi.",
                version.citation,
                field="birth_date",
                details={"age_months": months},
            )
        ]
    if months > maximum and not over_age_approval.strip():
        return [
            Violation(
                ADMISSION_AGE.code,
                f"Người vào Đảng đã {_format_age(months)} vào ngày chi bộ xét kết nạp "
                f"({vote_on:%d/%m/%Y}), quá {maximum // 12} tuổi; chỉ được kết nạp khi có quyết định của "
                f"{OVER_AGE_AUTHORITY} (ghi số, ngày văn bản).",
                version.citation,
                field="over_age_approval",
                details={"age_months": months},
            )
        ]
    return []
