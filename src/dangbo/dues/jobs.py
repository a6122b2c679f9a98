"""Opening a month's dues accounts for every member, as a background job (a province's half a
million accounts take minutes). Registered with ``jobs.registry`` by ``DuesConfig.ready``; the
same work runs from ``dangbo dues open-month`` (cron, on the first of each month)."""

from __future__ import annotations

from dangbo.core.formats import format_number
from dangbo.core.violations import RuleViolation, input_violation
from dangbo.dues import accounts
from dangbo.jobs.registry import JobKind, JobOutcome, JobRun

OPEN_MONTH_JOB = "dues.open_month"


def run_open_month(run: JobRun) -> JobOutcome:
    if not run.actor.is_admin:
        raise RuleViolation(
            [input_violation(None, "Chỉ quản trị hệ thống mở sổ đảng phí tháng cho toàn bộ đảng viên.")]
        )
    opening = accounts.extend(progress=lambda done, total: run.progress(done, total, "Đang mở sổ đảng phí"))
    return JobOutcome(
        message=f"Đã mở sổ đảng phí tháng {opening.month:%m/%Y} cho {format_number(opening.members)} đảng viên."
    )


KINDS = (JobKind(OPEN_MONTH_JOB, "Mở sổ đảng phí tháng", run_open_month),)
