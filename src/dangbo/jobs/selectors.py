"""Jobs as their owner (or an administrator) may see them."""

from __future__ import annotations

from django.db.models import QuerySet

from dangbo.core.violations import NotInScope
from dangbo.jobs import progress, registry
from dangbo.jobs.models import Job, JobState


def jobs_of(*, actor) -> QuerySet[Job]:
    """The actor's own jobs, newest first; an administrator sees everyone's."""
    jobs = Job.objects.select_related("owner").order_by("-created_at")
    return jobs if actor.is_admin else jobs.filter(owner_id=actor.user_id)


def job_get(*, actor, job_id) -> Job:
    job = jobs_of(actor=actor).filter(pk=job_id).first()
    if job is None:
        raise NotInScope
    return job_with_progress(job)


def job_with_progress(job: Job) -> Job:
    """``job`` with the progress its worker wrote outside the database (SQLite) filled in."""
    if job.state == JobState.RUNNING:
        written = progress.read(job.pk)
        if written:
            job.done = written.get("done") or 0
            job.total = written.get("total") or job.total
            job.step = written.get("step") or ""
    return job


def latest_job_for(*, actor, subject_type: str, subject_id) -> Job | None:
    """The newest job the actor may see about one subject (a plan), with its progress."""
    job = jobs_of(actor=actor).filter(subject_type=subject_type, subject_id=str(subject_id)).first()
    return job_with_progress(job) if job else None


def long_writer_running() -> Job | None:
    """A running job that holds a long write transaction (``JobKind.writes_long``), with its
    progress; None when there is none. Read outside any transaction, so it never waits."""
    job = (
        Job.objects.filter(state=JobState.RUNNING, kind__in=registry.long_writing_kinds())
        .order_by("started_at")
        .first()
    )
    return job_with_progress(job) if job else None
