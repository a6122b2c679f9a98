"""Page helpers shared by the contexts' views."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def form_page(request: HttpRequest, form, *, title: str, cancel_url: str, submit: str = "Lưu", subtitle: str = "") -> HttpResponse:
    """A form on its own page (web/form.html); 400 when a submitted form has errors."""
    return render(
        request, "web/form.html",
        {"form": form, "title": title, "cancel_url": cancel_url, "submit": submit, "subtitle": subtitle},
        status=400 if form.is_bound and form.errors else 200,
    )
