"""Transfers of Party activity (chuyển sinh hoạt đảng), RULES.md §2.5."""

from __future__ import annotations

from datetime import date

from dangbo.rules.base import Rule, RuleVersion, register
from dangbo.rules.citations import CHARTER_ADOPTED, QD_24, QD_24_FROM, QD_294, QD_294_FROM

TRANSFER_COMPLETE_WORKING_DAYS = register(
    Rule(
        code="transfer.complete_working_days",
        title="Chuyển sinh hoạt đảng chính thức hoàn thành trong 60 ngày làm việc",
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


def transfer_deadlines(issued_on: date, *, holidays: set[date] | None = None) -> tuple[date, date]:
    """(the last day to present the letter, the last day to complete the transfer)."""
    from dangbo.core.workdays import add_working_days

    present = TRANSFER_PRESENT_WORKING_DAYS.value(issued_on)
    complete = TRANSFER_COMPLETE_WORKING_DAYS.value(issued_on)
    return add_working_days(issued_on, present, holidays=holidays), add_working_days(issued_on, complete, holidays=holidays)
