"""Starting, running and purging background jobs.

``job_start`` is called in the request (inside its transaction): the job's row and the
worker's task row are written together, so a job is queued if and only if the request's work
committed. ``job_run`` is what the worker runs (through the task ``run_job``).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django_tasks import task

from dangbo.audit.context import AuditContext, acting, current
from dangbo.audit.services import Action, audit_record
from dangbo.core import clock
from dangbo.core.violations import RuleViolation
from dangbo.jobs import registry
from dangbo.jobs.models import FINISHED_STATES, Job, JobState
from dangbo.jobs.progress import Progress

log = logging.getLogger("dangbo.jobs")

SUBJECT = "job"


def job_start(*, kind: str, owner, params: dict, title: str = "", subject: tuple[str, str] = ("", "")) -> Job:
    """Queue a job of a registered ``kind`` for ``owner``. ``params`` must be JSON; the
    current audit context (the request's) goes with it, so the worker acts as the owner."""
    job_kind = registry.kind(kind)
    ctx = current()
    job = Job.objects.create(
        kind=kind,
        title=(title or job_kind.title)[:255],
        owner=owner,
        params=params,
        context={
            "actor_id": ctx.actor_id,
            "actor_name": ctx.actor_name,
            "actor_role": ctx.actor_role,
            "scope": ctx.scope,
            "ip": ctx.ip,
            "request_id": ctx.request_id,
            "client_request_id": ctx.client_request_id,
        },
        subject_type=subject[0],
        subject_id=str(subject[1]),
    )
    run_job.enqueue(str(job.pk))
    return job


def _fail(job: Job, message: str) -> None:
    job.state, job.message, job.finished_at = JobState.FAILED, message, clock.now()
    job.save(update_fields=["state", "message", "finished_at"])


def job_run(job_id: str) -> str:
    """Run a queued job to its end and record how it ended. A job already started (a task
    delivered twice) is left alone. Returns the job's final state."""
    job = Job.objects.select_related("owner").get(pk=job_id)
    claimed = Job.objects.filter(pk=job.pk, state=JobState.QUEUED).update(
        state=JobState.RUNNING, started_at=clock.now()
    )
    if not claimed:
        return job.state
    job.state = JobState.RUNNING
    progress = Progress(job.pk, Job._meta.db_table)
    try:
        job_kind = registry.kind(job.kind)
        run = registry.JobRun(
            job_id=job.pk,
            owner=job.owner,
            actor=registry.actor_for(job.owner),
            params=job.params,
            progress=progress,
        )
        with acting(AuditContext(**job.context) if job.context else current()):
            outcome = job_kind.run(run)
    except RuleViolation as refused:
        _fail(job, " ".join(v.message for v in refused.violations))
        return job.state
    except Exception:
        log.exception("job %s (%s) failed", job.pk, job.kind)
        _fail(
            job,
            f"Công việc gặp lỗi hệ thống và đã dừng. Báo quản trị viên (mã công việc {job.pk}).",
        )
        raise
    finally:
        progress.close()
    job.refresh_from_db(fields=["done", "total"])
    job.state = JobState.FAILED if outcome.refused else JobState.DONE
    job.message, job.link = outcome.message, outcome.link[:500]
    job.done = max(job.done, job.total)
    job.finished_at = clock.now()
    fields = ["state", "message", "link", "done", "finished_at"]
    if outcome.file is not None:
        job.result_name, job.result_type = outcome.file_name[:255], outcome.content_type[:120]
        job.result.save(outcome.file_name, File(outcome.file, name=outcome.file_name), save=False)
        fields += ["result", "result_name", "result_type"]
    job.save(update_fields=fields)
    return job.state


@task()
def run_job(job_id: str) -> str:
    """The one django-tasks task of the project: the worker runs every job through it."""
    return job_run(job_id)


def job_download_record(*, job: Job) -> None:
    """Audit a download of a job's file (the file may hold personal data)."""
    audit_record(
        action=Action.EXPORTED,
        subject_type=SUBJECT,
        subject_id=str(job.pk),
        data={"kind": job.kind, "file_name": job.result_name, "owner_id": job.owner_id},
    )


def job_purge(*, older_than_days: int | None = None) -> int:
    """Delete finished jobs (and their files) older than the keeping period; returns how many."""
    days = settings.DANGBO_JOB_KEEP_DAYS if older_than_days is None else older_than_days
    cutoff = clock.now() - timedelta(days=days)
    old = list(Job.objects.filter(state__in=FINISHED_STATES, finished_at__lt=cutoff))
    for job in old:
        if job.result:
            job.result.delete(save=False)
    with transaction.atomic():
        Job.objects.filter(pk__in=[j.pk for j in old]).delete()
        if old:
            audit_record(
                action=Action.UPDATED,
                subject_type=SUBJECT,
                data={"purged": len(old), "older_than_days": days},
            )
    return len(old)
