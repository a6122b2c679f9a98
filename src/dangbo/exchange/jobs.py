"""The package file as a background job: a province's statistical forms or its counts for
every organization take longer than a request may (``stats.jobs`` does the same for the
forms' files). Registered by ``ExchangeConfig.ready``; started by the «Gửi báo cáo» page.
The job acts as its owner (scope read again when it runs), so the export is audited as theirs."""

from __future__ import annotations

import io
from datetime import date

from django.urls import reverse

from dangbo.core.violations import NotInScope, RuleViolation, input_violation
from dangbo.exchange.services import package_export
from dangbo.jobs.registry import JobKind, JobOutcome, JobRun
from dangbo.orgs.selectors import org_get
from dangbo.stats.frames import ReportInputError

EXPORT_JOB = "exchange.package_export"


def export_params(*, org, kind: str, form: str | None, as_of, start, end) -> dict:
    iso = lambda day: day.isoformat() if day else None  # noqa: E731
    return {
        "org_id": str(org.pk),
        "kind": kind,
        "form": form,
        "as_of": iso(as_of),
        "start": iso(start),
        "end": iso(end),
    }


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def run_export(run: JobRun) -> JobOutcome:
    params = run.params
    run.progress(0, 1, "Đang tính số liệu và đóng gói")
    try:
        org = org_get(actor=run.actor, org_id=params["org_id"])
        package = package_export(
            actor=run.actor,
            org=org,
            kind=params["kind"],
            form=params.get("form"),
            as_of=_day(params["as_of"]),
            start=_day(params["start"]),
            end=_day(params["end"]),
        )
    except NotInScope:
        raise RuleViolation(
            [input_violation(None, "Tổ chức không còn trong phạm vi của tài khoản.")]
        ) from None
    except ReportInputError as error:
        raise RuleViolation([input_violation(None, str(error))]) from None
    report = package.report
    return JobOutcome(
        message=f"Đã đóng gói và ký báo cáo của {org.name}: {report.label}, {len(package.rows)} dòng. "
        "Tải tệp về và gửi lên cấp trên (thư điện tử, USB…); cấp trên nhận ở trang «Nhận báo cáo của cấp dưới».",
        link=reverse("exchange:send"),
        file_name=f"goi-bao-cao-{org.code}-{report.kind}-{report.as_of:%Y%m%d}.json",
        file=io.BytesIO(package.to_bytes()),
        content_type="application/json",
    )


KINDS = (JobKind(EXPORT_JOB, "Gói báo cáo gửi cấp trên", run_export),)
