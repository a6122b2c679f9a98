"""One writer at a time (SQLite): answer writes at once while a long writer runs.

SQLite lets one transaction write at a time. A restructuring plan applied by the background
worker is one transaction of minutes on a province; a user who saves a form meanwhile would
wait for the lock for the busy timeout (20 s) and then get an error page. Instead, while a job
of a kind that ``writes_long`` runs, every write request (POST, PUT, PATCH, DELETE) is answered
at once with 503 and a page (or, on the API, a JSON message) saying what is running, how far it
has got and to try again shortly: nothing was changed, nothing is lost. Pages that only read go
on working (their audit rows wait in ``audit.spool`` if need be).

Only while the lock is really held: a job left "running" by a worker killed mid-way (its
transaction rolled back by SQLite) blocks nothing. A write that runs into the lock anyway (a plan applied from the command line, which has no
job) gets the same answer instead of a server error when the busy timeout runs out.

On PostgreSQL writers do not queue behind each other this way, and this middleware does nothing.
"""

from __future__ import annotations

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render

from dangbo.core import locks
from dangbo.jobs.models import Job
from dangbo.jobs.selectors import long_writer_running

RETRY_AFTER_SECONDS = 60
_SAFE = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def _message(job: Job | None) -> str:
    if job is None:
        return (
            "Cơ sở dữ liệu đang bận ghi một công việc lớn. Thao tác của đồng chí chưa được thực hiện "
            "và không có gì bị mất; vui lòng thử lại sau ít phút."
        )
    progress = f" (đã xong {job.percent}%)" if job.total else ""
    return (
        f"Hệ thống đang thực hiện «{job.title}»{progress}. Trong lúc đó chỉ xem được, chưa ghi được: "
        "thao tác của đồng chí chưa được thực hiện và không có gì bị mất; vui lòng thử lại sau ít phút."
    )


def busy_response(request, job: Job | None) -> HttpResponse:
    message = _message(job)
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse({"detail": message}, status=503)
    else:
        response = render(request, "jobs/busy.html", {"message": message, "busy_job": job}, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class SingleWriterMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in _SAFE and locks.single_writer():
            job = long_writer_running()
            # A job left "running" by a worker that was killed holds no lock: then the write goes on.
            if job is not None and locks.write_lock_held():
                return busy_response(request, job)
        return self.get_response(request)

    def process_exception(self, request, exception):
        if locks.single_writer() and locks.database_locked(exception):
            return busy_response(request, None)
        return None
