"""Import pages: upload a file, watch it being read, map unknown columns, look at the rows
refused and the suspected duplicates, download every refusal with its reason, confirm or cancel.
Thin: the work is in ``imports.services`` and runs as background jobs (``imports.jobs``)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler, TemporaryFileUploadHandler
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST

from dangbo.audit.services import Action as AuditAction
from dangbo.audit.services import audit_record
from dangbo.core import clock
from dangbo.core.http import ScopedRequest
from dangbo.core.pages import in_scope_or_404, spreadsheet_download
from dangbo.core.spreadsheet import NUMBER, TEXT, list_title
from dangbo.core.violations import RuleViolation
from dangbo.imports import selectors, services
from dangbo.imports.forms import ImportUploadForm, MappingForm
from dangbo.imports.jobs import SUBJECT, commit_start, stage_start
from dangbo.imports.layouts import FIELDS, template_header
from dangbo.imports.models import BatchState, ImportKind, Outcome
from dangbo.jobs.models import JobState
from dangbo.jobs.selectors import latest_job_for

FIRST_ROWS = 50


class ImportUploadHandler(FileUploadHandler):
    """An import may be larger than other uploads: refuse a body beyond DANGBO_IMPORT_MAX_MB."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        limit = int(settings.DANGBO_IMPORT_MAX_MB) * 1024 * 1024
        if content_length > limit:
            raise RequestDataTooBig(f"Tệp lớn hơn {settings.DANGBO_IMPORT_MAX_MB} MB.")
        return None

    def receive_data_chunk(self, raw_data, start):
        return raw_data

    def file_complete(self, file_size):
        return None


def _may_import(request) -> bool:
    return request.scope.organizes


@csrf_exempt
def import_home_view(request: ScopedRequest) -> HttpResponse:
    """The upload form and the user's imports. The upload handlers are set before the body is
    read (so the CSRF check runs after, in ``_import_home``)."""
    if request.method == "POST":
        request.upload_handlers = [ImportUploadHandler(request), TemporaryFileUploadHandler(request)]
    return _import_home(request)


@csrf_protect
@login_required
def _import_home(request: ScopedRequest) -> HttpResponse:
    if not _may_import(request):
        return render(request, "web/no_role.html", status=403)
    posted = request.method == "POST"
    roots = selectors.writable_roots(actor=request.scope)
    form = ImportUploadForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        actor=request.scope,
        initial={"org_code": roots[0].code if roots else ""},
    )
    if posted and form.is_valid():
        upload = form.cleaned_data["data_file"]
        try:
            batch = services.import_upload(
                kind=form.cleaned_data["kind"],
                file_name=upload.name,
                data=upload.read(),
                org=form.cleaned_data["org_code"],
                actor=request.scope,
                user=request.user,
            )
        except RuleViolation as error:
            form.add_error("data_file", "; ".join(v.message for v in error.violations))
        else:
            stage_start(batch=batch, user=request.user)
            return redirect("imports:batch", batch_id=batch.pk)
    context = {
        "form": form,
        "batches": selectors.batches_of(user=request.user)[:50],
        "fields": FIELDS,
        "kinds": ImportKind,
    }
    return render(request, "imports/home.html", context, status=400 if form.is_bound and form.errors else 200)


def _batch_or_404(request, batch_id):
    return in_scope_or_404(selectors.batch_get, user=request.user, batch_id=batch_id)


@login_required
@require_GET
def batch_view(request: ScopedRequest, batch_id) -> HttpResponse:
    batch = _batch_or_404(request, batch_id)
    job = latest_job_for(actor=request.scope, subject_type=SUBJECT, subject_id=batch.pk)
    working = job is not None and not job.finished
    needs_mapping = bool(batch.reading.get("missing"))
    context = {
        "batch": batch,
        "job": job,
        "states": JobState,
        "working": working,
        "needs_mapping": needs_mapping,
        "mapping_form": MappingForm(batch=batch) if batch.state == BatchState.STAGED else None,
        "refused_rows": selectors.rows_not_accepted(batch)[:FIRST_ROWS],
        "updated_rows": selectors.rows_updated(batch)[:FIRST_ROWS],
        "duplicates": selectors.duplicates_side_by_side(batch),
        "earlier": services.earlier_import(batch),
        "may_commit": batch.state == BatchState.STAGED
        and not needs_mapping
        and not working
        and batch.counts.get("accepted"),
        "outcomes": Outcome,
        "field_labels": {f.name: f.label for f in FIELDS[batch.kind]},
    }
    return render(request, "imports/batch.html", context)


@login_required
@require_POST
def batch_map_view(request: ScopedRequest, batch_id) -> HttpResponse:
    batch = _batch_or_404(request, batch_id)
    form = MappingForm(request.POST, batch=batch)
    if form.is_valid():
        try:
            services.import_map(batch=batch, mapping=form.mapping(), user=request.user)
        except RuleViolation as error:
            for violation in error.violations:
                messages.error(request, violation.message)
        else:
            stage_start(batch=batch, user=request.user)
    return redirect("imports:batch", batch_id=batch.pk)


@login_required
@require_POST
def batch_commit_view(request: ScopedRequest, batch_id) -> HttpResponse:
    batch = _batch_or_404(request, batch_id)
    job = latest_job_for(actor=request.scope, subject_type=SUBJECT, subject_id=batch.pk)
    if batch.state != BatchState.STAGED or (job is not None and not job.finished):
        messages.error(request, "Lần nhập này không ở trạng thái chờ xác nhận.")
    else:
        commit_start(batch=batch, user=request.user)
    return redirect("imports:batch", batch_id=batch.pk)


@login_required
@require_POST
def batch_cancel_view(request: ScopedRequest, batch_id) -> HttpResponse:
    batch = _batch_or_404(request, batch_id)
    try:
        services.import_cancel(batch=batch, user=request.user)
        messages.info(request, "Đã hủy lần nhập; các dòng đã kiểm tra được xóa khỏi vùng chờ.")
    except RuleViolation as error:
        for violation in error.violations:
            messages.error(request, violation.message)
    return redirect("imports:batch", batch_id=batch.pk)


REJECTION_HEADER = ["Dòng", "Kết quả", "Cột", "Giá trị", "Lý do", "Căn cứ"]


@login_required
@require_GET
def batch_rejections_view(request: ScopedRequest, batch_id, file_format: str) -> HttpResponseBase:
    """Every row not accepted, one line per reason, as CSV or XLSX (audited: it holds people's data)."""
    if file_format not in ("csv", "xlsx"):
        raise Http404
    batch = _batch_or_404(request, batch_id)
    rows = selectors.rows_not_accepted(batch).order_by("row_number")
    labels = dict(Outcome.choices)

    def lines():
        for row in rows.iterator(chunk_size=2000):
            for reason in row.reasons or [{"column": "", "value": "", "message": "", "rule": ""}]:
                yield [
                    row.row_number,
                    labels[row.outcome],
                    reason["column"],
                    reason["value"],
                    reason["message"],
                    reason["rule"],
                ]

    audit_record(
        action=AuditAction.EXPORTED,
        subject_type="import",
        subject_id=str(batch.pk),
        data={"list": "import_rejections", "rows": rows.count(), "format": file_format},
    )
    return spreadsheet_download(
        REJECTION_HEADER,
        lines(),
        file_format=file_format,
        filename=f"nhap-du-lieu-dong-bi-tu-choi.{file_format}",
        title=list_title(f"Các dòng không được nhận — tệp {batch.file_name}", batch.org.name, clock.today()),
        widths=[(0, 1, 12), (2, 3, 24), (4, 4, 80), (5, 5, 40)],
        types=[
            NUMBER,
            TEXT,
            TEXT,
            TEXT,
            TEXT,
            TEXT,
        ],  # a value as it stood in the file: a card number keeps its zeros
    )


@login_required
@require_GET
def template_view(request: ScopedRequest, import_kind: str) -> HttpResponseBase:
    """The flat template of a kind of import (its header row), as XLSX."""
    kind = import_kind
    if kind not in ImportKind.values:
        raise Http404
    if not _may_import(request):
        return render(request, "web/no_role.html", status=403)
    return spreadsheet_download(
        template_header(kind),
        [],
        file_format="xlsx",
        filename=f"mau-nhap-{kind}.xlsx",
        title=f"Mẫu nhập dữ liệu: {ImportKind(kind).label} (giữ nguyên dòng tiêu đề, mỗi dòng một bản ghi)",
    )
