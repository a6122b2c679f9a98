"""The background jobs of restructuring: a plan's preview and its apply (registered with
``jobs.registry`` by ``RestructuringConfig.ready``).

Each runs as the plan's uploader or applier, with their scope read afresh when the job starts:
someone who lost the right to restructure (or to see one of the plan's organizations) in the
meantime gets a refusal, not a run."""

from __future__ import annotations

from django.urls import reverse

from dangbo.core.formats import format_number
from dangbo.core.violations import NotInScope, RuleViolation, input_violation
from dangbo.jobs.registry import JobKind, JobOutcome, JobRun
from dangbo.restructuring.plan_uploads import (
    APPLY_JOB,
    PREVIEW_JOB,
    restructure_plan_apply,
    restructure_plan_preview,
)
from dangbo.restructuring.plans import PlanReport
from dangbo.restructuring.selectors import restructure_plan_get


def _plan(run: JobRun):
    try:
        return restructure_plan_get(actor=run.actor, plan_id=run.params["plan_id"])
    except NotInScope:
        raise RuleViolation(
            [input_violation(None, "Tài khoản không còn quyền sắp xếp các tổ chức mà phương án này nêu.")]
        ) from None


def _steps(run: JobRun):
    """``plans.plan_run``'s progress (index, total, step) as the job's."""

    def progress(index: int, total: int, step) -> None:
        run.progress(index, total, f"Thao tác {format_number(index)}/{format_number(total)}: {step.title}")

    return progress


def _outcome(plan, report: PlanReport, *, applying: bool) -> JobOutcome:
    link = reverse("restructuring:plan_page", args=[plan.pk])
    if report.problems:
        problems = format_number(len(report.problems))
        message = (
            f"Phương án bị từ chối khi áp dụng ({problems} vấn đề, xem ở trang phương án); không thay đổi gì."
            if applying
            else f"Xem trước: phương án có {problems} vấn đề (xem ở trang phương án); chưa thay đổi gì."
        )
        return JobOutcome(message=message, link=link, refused=applying)
    totals = report.totals()
    counts = (
        f"{format_number(totals['operations'])} thao tác, {format_number(totals['organizations'])} tổ chức, "
        f"{format_number(totals['members_rehomed'])} đảng viên chuyển tổ chức"
    )
    message = (
        f"Đã áp dụng phương án ({counts})." if applying else f"Xem trước hợp lệ ({counts}); chưa áp dụng."
    )
    return JobOutcome(message=message, link=link)


def run_preview(run: JobRun) -> JobOutcome:
    plan = _plan(run)
    report = restructure_plan_preview(plan=plan, actor=run.owner, progress=_steps(run))
    return _outcome(plan, report, applying=False)


def run_apply(run: JobRun) -> JobOutcome:
    plan = _plan(run)
    report = restructure_plan_apply(plan=plan, actor=run.owner, progress=_steps(run))
    return _outcome(plan, report, applying=True)


KINDS = (
    # The apply runs the plan in one transaction; a preview does so on a copy of a SQLite
    # database (plan_uploads.plan_preview_report), so it holds no lock on the real one.
    JobKind(PREVIEW_JOB, "Xem trước phương án sắp xếp tổ chức", run_preview),
    JobKind(APPLY_JOB, "Áp dụng phương án sắp xếp tổ chức", run_apply, writes_long=True),
)
