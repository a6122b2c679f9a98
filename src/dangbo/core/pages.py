"""Page helpers shared by the contexts' views."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render

from dangbo.core import spreadsheet
from dangbo.core.violations import NotInScope

T = TypeVar("T")


def page_number(request: HttpRequest) -> int:
    """The page asked for by «?trang=N» (1 when absent or not a reasonable number: a pager
    clamps what lies beyond the last page)."""
    value = request.GET.get("trang", "1")
    return int(value) if value.isdigit() and len(value) < 7 else 1


def form_page(
    request: HttpRequest, form, *, title: str, cancel_url: str, submit: str = "Lưu", subtitle: str = ""
) -> HttpResponse:
    """A form on its own page (templates/form_page.html); 400 when a submitted form has errors."""
    return render(
        request,
        "form_page.html",
        {"form": form, "title": title, "cancel_url": cancel_url, "submit": submit, "subtitle": subtitle},
        status=400 if form.is_bound and form.errors else 200,
    )


def spreadsheet_download(
    header, rows, *, file_format: str, filename: str, title: str, **xlsx_options
) -> HttpResponseBase:
    """A list as a download: CSV streamed row by row, or XLSX written in constant memory;
    both through core.spreadsheet, so every value is neutralised."""
    if file_format == "csv":
        response = StreamingHttpResponse(
            spreadsheet.csv_chunks(header, rows), content_type=spreadsheet.CSV_TYPE
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    book = spreadsheet.xlsx_file(header, rows, title=title, **xlsx_options)
    return FileResponse(book, as_attachment=True, filename=filename, content_type=spreadsheet.XLSX_TYPE)


def in_scope_or_404(lookup: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """``lookup(*args, **kwargs)``, a scoped selector; a record outside the actor's scope, or none at all,
    is the same 404 for the user (the two are never told apart)."""
    try:
        return lookup(*args, **kwargs)
    except NotInScope:
        raise Http404 from None
