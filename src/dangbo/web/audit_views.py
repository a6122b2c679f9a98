"""The audit trail page and its export, for system administrators.
Thin: check the role, validate the request with a form, call selectors, render."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.views.decorators.http import require_GET

from dangbo.core import clock
from dangbo.core.http import ScopedRequest
from dangbo.core.pages import page_number, spreadsheet_download
from dangbo.core.spreadsheet import list_title, scope_name
from dangbo.orgs.selectors import NotInScope
from dangbo.web.audit_forms import AuditSearchForm
from dangbo.web.audit_selectors import (
    EXPORT_HEADER,
    audit_export_cells,
    audit_export_rows,
    audit_require_admin,
    audit_search_page,
)

MAX_QUERY_STRING = 2000
FORMATS = ("xlsx", "csv")


def _refused(request: ScopedRequest, page: str) -> HttpResponse | None:
    try:
        audit_require_admin(actor=request.scope, page=page)
    except NotInScope:
        return render(request, "audit/forbidden.html", status=403)
    return None


@login_required
@require_GET
def audit_search_view(request: ScopedRequest) -> HttpResponse:
    if refused := _refused(request, "audit_search"):
        return refused
    form = AuditSearchForm(request.GET)
    result = None
    if len(request.META.get("QUERY_STRING", "")) > MAX_QUERY_STRING:
        form.is_valid()
        form.add_error(None, "Điều kiện tìm kiếm quá dài.")
    elif form.is_valid():
        result = audit_search_page(actor=request.scope, filters=form.filters(), page=page_number(request))
    query = request.GET.copy()
    query.pop("trang", None)
    context = {
        "form": form,
        "result": result,
        "page": result.page if result else None,
        "query": query.urlencode(),
    }
    template = (
        "audit/_results.html" if request.htmx and request.htmx.target == "ket-qua" else "audit/search.html"
    )
    return render(request, template, context, status=200 if result is not None else 400)


@login_required
@require_GET
def audit_export_view(request: ScopedRequest) -> HttpResponseBase:
    if refused := _refused(request, "audit_export"):
        return refused
    file_format = request.GET.get("dinh-dang", "xlsx")
    if file_format not in FORMATS or len(request.META.get("QUERY_STRING", "")) > MAX_QUERY_STRING:
        raise Http404
    form = AuditSearchForm(request.GET)
    if not form.is_valid():
        return render(request, "audit/search.html", {"form": form, "result": None, "page": None}, status=400)
    _, rows = audit_export_rows(actor=request.scope, filters=form.filters(), file_format=file_format)
    cells = (audit_export_cells(row) for row in rows)
    today = clock.today()
    return spreadsheet_download(
        EXPORT_HEADER,
        cells,
        file_format=file_format,
        filename=f"nhat-ky-truy-cap-{today:%Y%m%d}.{file_format}",
        title=list_title("Nhật ký truy cập", scope_name(request.scope), today),
        sheet_name="Nhật ký",
        widths=[(1, 1, 20), (2, 5, 18), (6, 6, 30), (8, 8, 50), (9, 10, 18)],
    )
