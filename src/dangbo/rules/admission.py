"""Admission: eligibility (age at the cell's vote, RULES.md §2.1) and the procedure's rules
(certificate, sponsors, vote share, time limits; RULES.md §2.2)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from dangbo.reference.workdays import add_working_days
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
from dangbo.rules.probation import add_months

# (minimum, maximum) age in whole months at the cell's admission vote.
ADMISSION_AGE = register(
    Rule(
        code="admission.age",
        title="Tuổi đời khi chi bộ xét kết nạp: từ đủ 18 đến đủ 60 tuổi (tính theo tháng)",
        versions=(
            RuleVersion(
                CHARTER_ADOPTED,
                (18 * 12, 60 * 12),
                f"{CHARTER}, Điều 1; Quy định 29-QĐ/TW (2016), mục 1",
                confirmed=False,
            ),
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


# --- The admission procedure (RULES.md §2.2) ----------------------------------------------


def _certificate_months() -> int:
    """60 months unless the installation sets DANGBO_AWARENESS_CERTIFICATE_MONTHS (the 60 comes
    from older texts and HD 06 §5.4, known only from a secondary source)."""
    try:
        return int(os.environ.get("DANGBO_AWARENESS_CERTIFICATE_MONTHS", "60"))
    except ValueError:
        return 60


AWARENESS_CERTIFICATE = register(
    Rule(
        code="admission.awareness_certificate",
        title="Giấy chứng nhận học lớp bồi dưỡng nhận thức về Đảng còn giá trị khi chi bộ xét kết nạp",
        versions=(
            RuleVersion(
                QD_24_FROM, 60, f"{QD_24}, mục 3.2; Hướng dẫn 01-HD/TW ngày 28/9/2021", confirmed=False
            ),
            RuleVersion(
                QD_294_FROM,
                60,
                f"{QD_294}, mục 3.2; Hướng dẫn 06-HD/TW ngày 9/6/2025, mục 5.4",
                confirmed=False,
            ),
        ),
    )
)

SPONSORS = register(
    Rule(
        code="admission.sponsors",
        title=(
            "Người giới thiệu: hai đảng viên chính thức cùng công tác, học tập hoặc cư trú với người vào Đảng ít nhất "
            "12 tháng trong cùng đơn vị thuộc một tổ chức cơ sở đảng; hoặc một đảng viên chính thức và nghị quyết "
            "giới thiệu của ban chấp hành đoàn cơ sở"
        ),
        versions=(
            RuleVersion(CHARTER_ADOPTED, (2, 12), f"{CHARTER}, Điều 4"),
            RuleVersion(QD_24_FROM, (2, 12), f"{CHARTER}, Điều 4; {QD_24}, mục 3.2"),
            RuleVersion(QD_294_FROM, (2, 12), f"{CHARTER}, Điều 4; {QD_294}, mục 3.2"),
        ),
    )
)

ADMISSION_VOTE_SHARE = register(
    Rule(
        code="vote.admission_share",
        title="Chi bộ xét đề nghị kết nạp: ít nhất hai phần ba đảng viên chính thức tán thành",
        versions=(
            RuleVersion(CHARTER_ADOPTED, Fraction(2, 3), f"{CHARTER}, Điều 4", confirmed=False),
            RuleVersion(QD_24_FROM, Fraction(2, 3), f"{CHARTER}, Điều 4; {QD_24}, mục 3.4"),
            RuleVersion(
                QD_294_FROM,
                Fraction(2, 3),
                f"{CHARTER}, Điều 4; {QD_294}, mục 9.3.2 (cách tính số đảng viên)",
                confirmed=False,
            ),
        ),
    )
)

ADMISSION_DECISION_WORKING_DAYS = register(
    Rule(
        code="admission.decision_working_days",
        title=(
            "Cấp ủy có thẩm quyền quyết định kết nạp trong 60 ngày làm việc kể từ ngày chi bộ có nghị quyết; "
            "gia hạn không quá 30 ngày làm việc"
        ),
        versions=(
            RuleVersion(QD_24_FROM, (60, 30), f"{QD_24}, mục 3.4", confirmed=False),
            RuleVersion(QD_294_FROM, (60, 30), f"{QD_294}, mục 3.4", confirmed=False),
        ),
    )
)

CEREMONY_WORKING_DAYS = register(
    Rule(
        code="admission.ceremony_working_days",
        title="Chi bộ tổ chức lễ kết nạp trong 30 ngày làm việc kể từ ngày nhận quyết định; chậm hơn phải được cấp trên đồng ý",
        versions=(
            RuleVersion(QD_24_FROM, 30, f"{QD_24}, mục 3.5", confirmed=False),
            RuleVersion(QD_294_FROM, 30, f"{QD_294}, mục 3.5", confirmed=False),
        ),
    )
)


def certificate_valid_until(certificate_on: date) -> date:
    return add_months(certificate_on, _certificate_months())


def check_certificate(*, certificate_on: date, vote_on: date) -> list[Violation]:
    """The awareness-course certificate must still be valid on the cell's vote day."""
    version = AWARENESS_CERTIFICATE.at(vote_on)
    until = certificate_valid_until(certificate_on)
    if vote_on > until:
        return [
            Violation(
                AWARENESS_CERTIFICATE.code,
                f"Giấy chứng nhận học lớp bồi dưỡng nhận thức về Đảng ngày {certificate_on:%d/%m/%Y} đã hết giá trị "
                f"({_certificate_months()} tháng, đến {until:%d/%m/%Y}); người vào Đảng phải học lại trước khi chi bộ xét.",
                version.ref,
                field="vote_on",
            )
        ]
    return []


@dataclass(frozen=True)
class SponsorFacts:
    """What the system knows of one sponsor (người giới thiệu) on the day of sponsoring."""

    name: str
    is_full_member: bool
    in_same_grassroots: bool
    known_since: date | None


def check_sponsors(*, sponsors: list[SponsorFacts], youth_union_resolution: str, on: date) -> list[Violation]:
    version = SPONSORS.at(on)
    needed, months = version.value
    violations: list[Violation] = []
    for sponsor in sponsors:
        if not sponsor.is_full_member:
            violations.append(
                Violation(
                    SPONSORS.code,
                    f"{sponsor.name} không phải đảng viên chính thức vào ngày {on:%d/%m/%Y}, không được giới thiệu.",
                    version.ref,
                    field="sponsors",
                )
            )
        if not sponsor.in_same_grassroots:
            violations.append(
                Violation(
                    SPONSORS.code,
                    f"{sponsor.name} không sinh hoạt trong cùng tổ chức cơ sở đảng với chi bộ của người vào Đảng.",
                    version.ref,
                    field="sponsors",
                )
            )
        if sponsor.known_since is None or add_months(sponsor.known_since, months) > on:
            since = f"từ {sponsor.known_since:%d/%m/%Y}" if sponsor.known_since else "chưa ghi từ ngày nào"
            violations.append(
                Violation(
                    SPONSORS.code,
                    f"{sponsor.name} cùng công tác, học tập hoặc cư trú với người vào Đảng {since}, chưa đủ {months} tháng.",
                    version.ref,
                    field="sponsors",
                )
            )
    youth = bool(youth_union_resolution.strip())
    if len(sponsors) + (1 if youth else 0) != needed or not sponsors:
        violations.append(
            Violation(
                SPONSORS.code,
                f"Cần {needed} đảng viên chính thức giới thiệu, hoặc một đảng viên chính thức và nghị quyết giới thiệu "
                f"của ban chấp hành đoàn cơ sở (đang có {len(sponsors)} người{' và nghị quyết của đoàn' if youth else ''}).",
                version.ref,
                field="sponsors",
            )
        )
    if len({s.name for s in sponsors}) != len(sponsors):
        violations.append(
            Violation(SPONSORS.code, "Một người không thể giới thiệu hai lần.", version.ref, field="sponsors")
        )
    return violations


def decision_due(vote_on: date, *, holidays: set[date] | None = None) -> tuple[date, date, str]:
    """(the last day for the admission decision, the last day with the extension, the rule's ref)."""
    version = ADMISSION_DECISION_WORKING_DAYS.at(vote_on)
    days, extension = version.value
    due = add_working_days(vote_on, days, holidays=holidays)
    return due, add_working_days(due, extension, holidays=holidays), version.ref


def ceremony_due(decision_on: date, *, holidays: set[date] | None = None) -> tuple[date, str]:
    version = CEREMONY_WORKING_DAYS.at(decision_on)
    return add_working_days(decision_on, version.value, holidays=holidays), version.ref


EDUCATION = register(
    Rule(
        code="admission.education",
        title=(
            "Trình độ học vấn: tốt nghiệp trung học cơ sở trở lên; ở miền núi, biên giới, hải đảo, vùng đồng bào dân "
            "tộc thiểu số, vùng đặc biệt khó khăn, ngư dân: ít nhất hoàn thành chương trình tiểu học"
        ),
        versions=(
            RuleVersion(QD_24_FROM, "lower_secondary", f"{QD_24}, mục 1.2"),
            RuleVersion(QD_294_FROM, "lower_secondary", f"{QD_294}, mục 1.2", confirmed=False),
        ),
    )
)
_EDUCATION_ORDER = ("primary", "lower_secondary", "upper_secondary")


def check_education(*, education: str | None, on: date, exception: str = "") -> list[Violation]:
    """Lower secondary or above; primary only where an area or occupation exception is recorded
    (``exception``: which one, e.g. "xã biên giới"). Below primary is outside the system's scale."""
    version = EDUCATION.at(on)
    if education in _EDUCATION_ORDER and _EDUCATION_ORDER.index(education) >= _EDUCATION_ORDER.index(
        version.value
    ):
        return []
    if education == "primary" and exception.strip():
        return []
    if education is None:
        message = "Chưa ghi trình độ giáo dục phổ thông của người vào Đảng."
    else:
        message = (
            "Người vào Đảng chưa tốt nghiệp trung học cơ sở; chỉ kết nạp khi ở vùng hoặc nghề được ngoại lệ "
            "(miền núi, biên giới, hải đảo, vùng đồng bào dân tộc thiểu số, vùng đặc biệt khó khăn, ngư dân) — ghi rõ trường hợp."
        )
    return [Violation(EDUCATION.code, message, version.ref, field="education_exception")]
