"""The statistical forms' files (XLSX, PDF) as background jobs: a province's forms read every
member's history of the period, and a PDF of them takes longer still. Registered with
``jobs.registry`` by ``StatsConfig.ready``; started by the forms page."""

from __future__ import annotations

import io
from datetime import date

from django.urls import reverse

from dangbo.core.spreadsheet import XLSX_TYPE
from dangbo.core.violations import NotInScope, RuleViolation, input_violation
from dangbo.jobs.registry import JobKind, JobOutcome, JobRun
from dangbo.orgs.selectors import org_get
from dangbo.stats.frames import ReportInputError
from dangbo.stats.selectors import report_context
from dangbo.stats.statforms import build_forms
from dangbo.stats.statforms.render import forms_pdf, forms_xlsx

FORMS_JOB = "stats.forms_file"
FORMATS = {"xlsx": XLSX_TYPE, "pdf": "application/pdf"}


def forms_job_params(*, org, file_format: str, as_of, start, end) -> dict:
    """The job's parameters (JSON) from the forms page's validated fields."""
    iso = lambda day: day.isoformat() if day else None  # noqa: E731
    return {
        "org_id": str(org.pk),
        "format": file_format,
        "as_of": iso(as_of),
        "start": iso(start),
        "end": iso(end),
    }


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def run_forms_file(run: JobRun) -> JobOutcome:
    params = run.params
    try:
        org = org_get(actor=run.actor, org_id=params["org_id"])
        ctx = report_context(
            actor=run.actor,
            org=org,
            as_of=_day(params["as_of"]),
            start=_day(params["start"]),
            end=_day(params["end"]),
            with_children=False,
        )
    except NotInScope:
        raise RuleViolation(
            [input_violation(None, "Tổ chức không còn trong phạm vi của tài khoản.")]
        ) from None
    except ReportInputError as error:
        raise RuleViolation([input_violation(None, str(error))]) from None
    run.progress(0, 2, "Đang tính các biểu")
    report = build_forms(ctx.frame)
    file_format = params["format"]
    run.progress(1, 2, "Đang ghi tệp " + file_format.upper())
    data = forms_xlsx(report) if file_format == "xlsx" else forms_pdf(report)
    failed = len(report.failed)
    return JobOutcome(
        message=f"Đã tạo các biểu thống kê của {org.name}, số liệu ngày {ctx.frame.as_of:%d/%m/%Y}."
        + (f" Có {failed} phép kiểm tra chéo không đạt (đánh dấu trong biểu)." if failed else ""),
        link=reverse("stats:stat_forms", args=[org.pk]),
        file_name=f"bieu-thong-ke-{org.code}-{ctx.frame.as_of:%Y%m%d}.{file_format}",
        file=io.BytesIO(data),
        content_type=FORMATS[file_format],
    )


KINDS = (JobKind(FORMS_JOB, "Biểu thống kê cơ bản", run_forms_file),)
