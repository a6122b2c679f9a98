"""The jobs pages: my jobs, one job's progress (polled by the page), its file."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from dangbo.core.http import ScopedRequest
from dangbo.core.pages import in_scope_or_404
from dangbo.core.pagination import CappedPaginator
from dangbo.jobs.models import JobState
from dangbo.jobs.selectors import job_get, job_with_progress, jobs_of
from dangbo.jobs.services import job_download_record


@login_required
@require_GET
def job_list_view(request: ScopedRequest) -> HttpResponse:
    page = CappedPaginator(jobs_of(actor=request.scope), 50).get_page(request.GET.get("trang"))
    jobs = [job_with_progress(job) for job in page.object_list]
    context = {"page": page, "jobs": jobs, "states": JobState, "keep_days": settings.DANGBO_JOB_KEEP_DAYS}
    return render(request, "jobs/list.html", context)


@login_required
@require_GET
def job_view(request: ScopedRequest, job_id) -> HttpResponse:
    """The job's page; polled by its status box (htmx) while it runs. When it has ended, the
    poll reloads the whole page (``HX-Refresh``), so the page that embeds the box (a plan's)
    shows the result."""
    job = in_scope_or_404(job_get, actor=request.scope, job_id=job_id)
    if request.headers.get("HX-Request"):
        response = render(request, "jobs/_status.html", {"job": job, "states": JobState})
        if job.finished:
            response["HX-Refresh"] = "true"
        return response
    return render(request, "jobs/job.html", {"job": job, "states": JobState})


@login_required
@require_GET
def job_download_view(request: ScopedRequest, job_id):
    job = in_scope_or_404(job_get, actor=request.scope, job_id=job_id)
    if job.state != JobState.DONE or not job.result:
        raise Http404
    job_download_record(job=job)
    return FileResponse(
        job.result.open("rb"), as_attachment=True, filename=job.result_name, content_type=job.result_type
    )
