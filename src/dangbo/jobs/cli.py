"""`dangbo jobs list|purge`: background jobs from the command line, for operators.

``list`` shows the latest jobs (everyone's) with their state and progress; ``purge`` deletes
finished jobs and their files older than the keeping period (DANGBO_JOB_KEEP_DAYS, 7 days).
"""

from __future__ import annotations

import argparse


def cmd_jobs(args: argparse.Namespace) -> int:
    from dangbo.core.setup import django_setup

    django_setup()
    # After django_setup: the models cannot be imported before the settings are loaded.
    from django.utils import timezone

    from dangbo.jobs.models import Job
    from dangbo.jobs.selectors import job_with_progress
    from dangbo.jobs.services import job_purge

    if args.jobs_command == "purge":
        count = job_purge(older_than_days=args.days)
        print(f"Đã xóa {count} công việc đã xong và tệp kết quả của chúng.")
        return 0
    jobs = Job.objects.select_related("owner").order_by("-created_at")
    if args.state:
        jobs = jobs.filter(state=args.state)
    rows = list(jobs[: args.limit])
    if not rows:
        print("Không có công việc nào.")
    for job in map(job_with_progress, rows):
        progress = f" {job.done}/{job.total}" if job.total and not job.finished else ""
        created = timezone.localtime(job.created_at)
        print(
            f"{created:%d/%m/%Y %H:%M}  {job.get_state_display():<16}{progress}  {job.title}"
            f"  [{job.owner.get_username()}] {job.pk}"
            + (f"\n    {job.message}" if job.message and job.state == "failed" else "")
        )
    return 0


def add_parsers(sub) -> None:
    jobs = sub.add_parser("jobs", help="công việc chạy nền: liệt kê, xóa công việc cũ")
    jobs_sub = jobs.add_subparsers(dest="jobs_command", required=True)
    listing = jobs_sub.add_parser("list", help="các công việc gần nhất")
    listing.add_argument("--state", choices=["queued", "running", "done", "failed"])
    listing.add_argument("--limit", type=int, default=50)
    listing.set_defaults(func=cmd_jobs)
    purge = jobs_sub.add_parser("purge", help="xóa công việc đã xong quá số ngày lưu giữ, cùng tệp kết quả")
    purge.add_argument(
        "--days", type=int, default=None, help="số ngày lưu giữ (mặc định DANGBO_JOB_KEEP_DAYS)"
    )
    purge.set_defaults(func=cmd_jobs)
