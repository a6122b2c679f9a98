"""Transfers of Party activity (chuyển sinh hoạt đảng), RULES.md §2.5."""

from __future__ import annotations

from datetime import date

from dangbo.reference.workdays import add_working_days
from dangbo.rules.base import Rule, RuleVersion, Violation, register
from dangbo.rules.citations import CHARTER_ADOPTED, QD_24, QD_24_FROM, QD_294, QD_294_FROM

TRANSFER_COMPLETE_WORKING_DAYS = register(
    Rule(
        code="transfer.complete_working_days",
        title="Giới thiệu chuyển sinh hoạt đảng chính thức trong 60 ngày làm việc kể từ căn cứ chuyển (quyết định, thay đổi nơi cư trú)",
        versions=(
            RuleVersion(CHARTER_ADOPTED, 60, "Quy định 29-QĐ/TW (2016), mục 6", confirmed=False),
            RuleVersion(QD_24_FROM, 60, f"{QD_24}, mục 6"),
            RuleVersion(QD_294_FROM, 60, f"{QD_294}, mục 6.3"),
        ),
    )
)

TRANSFER_PRESENT_WORKING_DAYS = register(
    Rule(
        code="transfer.present_working_days",
        title="Đảng viên xuất trình giấy giới thiệu sinh hoạt đảng với chi ủy nơi đến trong 30 ngày làm việc",
        versions=(
            RuleVersion(CHARTER_ADOPTED, 30, "Quy định 29-QĐ/TW (2016), mục 6", confirmed=False),
            RuleVersion(QD_24_FROM, 30, f"{QD_24}, mục 6"),
            RuleVersion(QD_294_FROM, 30, f"{QD_294}, mục 6.3"),
        ),
    )
)


# What starts an official transfer (QĐ 294 §6.3): the letter is due within 60 working days of it.
TRIGGER_KINDS: tuple[tuple[str, str], ...] = (
    ("new_post", "Quyết định chuyển công tác, nhận việc ở đơn vị mới"),
    ("retirement", "Nghỉ hưu"),
    ("discharge", "Xuất ngũ, thôi phục vụ trong lực lượng vũ trang"),
    ("residence", "Thay đổi nơi cư trú"),
)
# Triggers that come with a decision (its number is required); a change of residence has only a date.
TRIGGERS_WITH_DECISION = frozenset({"new_post", "retirement", "discharge"})

# Why a step came late: chosen from this list, with a free-text note (RULES.md §2.5: late
# cases must be reported and handled).
LATE_REASONS: tuple[tuple[str, str], ...] = (
    ("awaiting_decision", "Chờ quyết định, ý kiến của đơn vị mới"),
    ("illness", "Ốm đau, điều trị tại bệnh viện"),
    ("study", "Đi học, bồi dưỡng, tập huấn"),
    ("family", "Hoàn cảnh gia đình"),
    ("administrative", "Chậm trễ về thủ tục hành chính"),
    ("other", "Lý do khác"),
)
LATE_REASON_CODES = frozenset(code for code, _ in LATE_REASONS)
TRIGGER_KIND_CODES = frozenset(code for code, _ in TRIGGER_KINDS)
_INPUT = "Yêu cầu nhập liệu"


def letter_due(trigger_on: date, *, holidays: set[date] | None = None) -> date:
    """The last day to issue the transfer letter: 60 working days after the trigger."""
    return add_working_days(trigger_on, TRANSFER_COMPLETE_WORKING_DAYS.value(trigger_on), holidays=holidays)


def arrival_due(issued_on: date, *, holidays: set[date] | None = None) -> date:
    """The last day for the member to present the letter: 30 working days after it."""
    return add_working_days(issued_on, TRANSFER_PRESENT_WORKING_DAYS.value(issued_on), holidays=holidays)


def check_trigger(*, kind: str, number: str, on: date | None, issued_on: date | None) -> list[Violation]:
    """The trigger of an official transfer: its kind, its date, and (for a decision) its number."""
    violations: list[Violation] = []
    if kind not in TRIGGER_KIND_CODES:
        violations.append(
            Violation(
                "input",
                "Chưa chọn căn cứ chuyển sinh hoạt đảng (chuyển công tác, nghỉ hưu, xuất ngũ, thay đổi nơi cư trú).",
                _INPUT,
                field="trigger_kind",
            )
        )
    if kind in TRIGGERS_WITH_DECISION and not number.strip():
        violations.append(
            Violation(
                "input",
                "Chưa nhập số quyết định làm căn cứ chuyển sinh hoạt đảng.",
                _INPUT,
                field="trigger_no",
            )
        )
    if on is None:
        violations.append(
            Violation(
                "input",
                "Chưa nhập ngày của căn cứ chuyển sinh hoạt đảng (ngày quyết định hoặc ngày thay đổi nơi cư trú).",
                _INPUT,
                field="trigger_on",
            )
        )
    elif issued_on is not None and on > issued_on:
        violations.append(
            Violation(
                "input",
                "Ngày của căn cứ chuyển sinh hoạt không thể sau ngày giới thiệu.",
                _INPUT,
                field="trigger_on",
            )
        )
    return violations


def _check_reason(
    rule: Rule, start: date, due: date, what: str, reason: str, note: str, field: str
) -> list[Violation]:
    version = rule.at(start)
    if reason not in LATE_REASON_CODES or not note.strip():
        return [
            Violation(
                rule.code,
                f"{what} quá {version.value} ngày làm việc (hạn {due:%d/%m/%Y}); chọn lý do chậm và ghi rõ nội dung để lưu hồ sơ.",
                version.citation,
                field=field,
            )
        ]
    return []


def check_letter_late(
    *, trigger_on: date, issued_on: date, reason: str, note: str, holidays: set[date] | None = None
) -> tuple[bool, list[Violation]]:
    """(whether the letter is late, the violations if it is and no reason is given)."""
    due = letter_due(trigger_on, holidays=holidays)
    if issued_on <= due:
        return False, []
    what = (
        f"Giấy giới thiệu ngày {issued_on:%d/%m/%Y} cấp sau căn cứ chuyển sinh hoạt ({trigger_on:%d/%m/%Y})"
    )
    return True, _check_reason(
        TRANSFER_COMPLETE_WORKING_DAYS, trigger_on, due, what, reason, note, "letter_late_reason"
    )


def check_arrival_late(
    *, issued_on: date, arrived_on: date, reason: str, note: str, holidays: set[date] | None = None
) -> tuple[bool, list[Violation]]:
    """(whether the member presented the letter late, the violations if so and no reason is given)."""
    due = arrival_due(issued_on, holidays=holidays)
    if arrived_on <= due:
        return False, []
    what = f"Đảng viên xuất trình giấy giới thiệu ngày {arrived_on:%d/%m/%Y}, sau ngày giới thiệu ({issued_on:%d/%m/%Y})"
    return True, _check_reason(
        TRANSFER_PRESENT_WORKING_DAYS, issued_on, due, what, reason, note, "arrival_late_reason"
    )
