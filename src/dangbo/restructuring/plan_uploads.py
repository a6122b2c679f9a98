"""Restructuring plans uploaded on the plan page: stored, previewed, applied once.

The bytes stored at upload are the bytes previewed and, later, the bytes applied. Applying
re-runs every check (``plans.plan_run`` commits only when nothing is wrong, whatever the
preview said) and marks the plan applied in the same transaction, so a plan is applied at
most once; the same content is never applied twice either (a database constraint says so).
Uploads, previews and applications are audited; the operations themselves audit their own
changes (a preview's are rolled back with it).

The preview and the apply of a province's plan take minutes, so the page starts them as
background jobs (``restructure_plan_upload`` and ``restructure_plan_apply_start``; the jobs'
kinds are in ``restructuring.jobs``) and shows their progress; the command line calls
``plans.plan_run`` directly.
"""

from __future__ import annotations

import hashlib

from django.db import transaction
from django.utils import timezone

from dangbo.audit.services import Action, audit_record
from dangbo.core import clock
from dangbo.core.formats import format_date
from dangbo.core.snapshot import sqlite_snapshot
from dangbo.core.violations import INPUT_CITATION, RuleViolation, Violation
from dangbo.jobs.models import FINISHED_STATES, Job
from dangbo.jobs.services import job_start
from dangbo.restructuring.models import RestructurePlan
from dangbo.restructuring.plans import (
    OPERATIONS,
    PlanReport,
    plan_refresh_statistics,
    plan_run,
    read_plan_bytes,
)

SUBJECT = "restructure_plan"
PREVIEW_JOB = "restructuring.plan_preview"
APPLY_JOB = "restructuring.plan_apply"


def report_json(report: PlanReport) -> dict:
    """A plan report as JSON, kept with the plan: each step and its outcome, the totals, every problem."""
    steps = []
    for step in report.steps:
        outcome = step.outcome
        steps.append(
            {
                "rows": step.rows,
                "operation": step.operation,
                "operation_label": OPERATIONS.get(step.operation, step.operation),
                "title": step.title,
                "ok": outcome is not None,
                "organizations": outcome.organizations if outcome else 0,
                "members_rehomed": outcome.members_rehomed if outcome else 0,
                "members_under": outcome.members_under if outcome else 0,
                "localities": outcome.localities if outcome else 0,
            }
        )
    return {
        "ok": report.ok,
        "applied": report.applied,
        "totals": report.totals(),
        "members_before": report.members_before,
        "members_after": report.members_after,
        "steps": steps,
        "problems": [
            {"where": where, "message": v.message, "citation": v.citation} for where, v in report.problems
        ],
    }


def restructure_plan_upload(*, file_name: str, data: bytes, actor) -> RestructurePlan:
    """Store an uploaded plan and queue its preview (a background job). Raises ``PlanError``
    when the file cannot be read as a plan (nothing is stored then)."""
    rows = read_plan_bytes(data, file_name)
    with transaction.atomic():
        plan = RestructurePlan.objects.create(
            file_name=file_name[:255],
            content=data,
            sha256=hashlib.sha256(data).hexdigest(),
            uploaded_by=actor,
        )
        audit_record(
            action=Action.CREATED,
            subject_type=SUBJECT,
            subject_id=str(plan.pk),
            data={"file_name": plan.file_name, "sha256": plan.sha256, "rows": len(rows)},
        )
        job_start(
            kind=PREVIEW_JOB,
            owner=actor,
            params={"plan_id": str(plan.pk)},
            title=f"Xem trước phương án «{plan.file_name}»",
            subject=(SUBJECT, str(plan.pk)),
        )
    return plan


def plan_preview_report(*, plan: RestructurePlan, actor, progress=None) -> PlanReport:
    """Run the stored plan and roll it back. On SQLite it runs on a copy of the database
    (``core.snapshot``), so a preview holds no write lock and other users go on saving."""
    rows = read_plan_bytes(bytes(plan.content), plan.file_name)
    with sqlite_snapshot():
        return plan_run(rows, apply=False, actor=actor, progress=progress)


def restructure_plan_preview(*, plan: RestructurePlan, actor, progress=None) -> PlanReport:
    """Preview the stored plan (``plan_preview_report``) and keep the report with the plan. The
    preview's own changes, audit rows included, are rolled back; one audit row records it."""
    report = plan_preview_report(plan=plan, actor=actor, progress=progress)
    with transaction.atomic():
        plan.report, plan.reported_at = report_json(report), clock.now()
        plan.save(update_fields=["report", "reported_at"])
        audit_record(
            action=Action.UPDATED,
            subject_type=SUBJECT,
            subject_id=str(plan.pk),
            data={
                "previewed": True,
                "file_name": plan.file_name,
                "sha256": plan.sha256,
                "problems": len(report.problems),
                "totals": report.totals(),
            },
        )
    return report


def plan_job_running(plan: RestructurePlan) -> bool:
    """Whether a preview or an apply of the plan is queued or running."""
    return (
        Job.objects.filter(subject_type=SUBJECT, subject_id=str(plan.pk))
        .exclude(state__in=FINISHED_STATES)
        .exists()
    )


def _refused(message: str) -> RuleViolation:
    return RuleViolation([Violation("input", message, INPUT_CITATION)])


def _refuse_applied(plan: RestructurePlan) -> None:
    if plan.applied_at is not None:
        who = (plan.applied_by.get_full_name() or plan.applied_by.get_username()) if plan.applied_by else ""
        raise _refused(
            f"Phương án này đã được áp dụng ngày {format_date(timezone.localdate(plan.applied_at))}"
            + (f" ({who})" if who else "")
            + "; không áp dụng lần nữa."
        )
    twin = RestructurePlan.objects.filter(sha256=plan.sha256, applied_at__isnull=False).first()
    if twin is not None and twin.applied_at is not None:
        raise _refused(
            f"Một phương án cùng nội dung («{twin.file_name}») đã được áp dụng ngày "
            f"{format_date(timezone.localdate(twin.applied_at))}; không áp dụng lần nữa."
        )


def restructure_plan_apply_start(*, plan: RestructurePlan, actor) -> Job:
    """Queue the apply of ``plan`` (a background job). Refused at once (``RuleViolation``)
    when it was applied already, or while its preview or an apply is still running."""
    _refuse_applied(plan)
    if plan_job_running(plan):
        raise _refused("Phương án đang được xem trước hoặc áp dụng; chờ công việc đó xong rồi thử lại.")
    return job_start(
        kind=APPLY_JOB,
        owner=actor,
        params={"plan_id": str(plan.pk)},
        title=f"Áp dụng phương án «{plan.file_name}»",
        subject=(SUBJECT, str(plan.pk)),
    )


def restructure_plan_apply(*, plan: RestructurePlan, actor, progress=None) -> PlanReport:
    """Apply the stored bytes of ``plan``: everything, or (any problem) nothing. Refused
    (``RuleViolation``) when the plan, or a plan of the same content, was applied already."""
    with transaction.atomic():
        plan = (
            RestructurePlan.objects.select_for_update(of=("self",))
            .select_related("applied_by")
            .get(pk=plan.pk)
        )
        _refuse_applied(plan)
        report = plan_run(
            read_plan_bytes(bytes(plan.content), plan.file_name), apply=True, actor=actor, progress=progress
        )
        plan.report, plan.reported_at = report_json(report), clock.now()
        if report.applied:
            plan.applied_at, plan.applied_by = plan.reported_at, actor
            plan_refresh_statistics(report)  # when this transaction commits
        plan.save(update_fields=["report", "reported_at", "applied_at", "applied_by"])
        audit_record(
            action=Action.UPDATED,
            subject_type=SUBJECT,
            subject_id=str(plan.pk),
            data={
                "applied": report.applied,
                "file_name": plan.file_name,
                "sha256": plan.sha256,
                "problems": len(report.problems),
                "totals": report.totals(),
            },
        )
    return report
