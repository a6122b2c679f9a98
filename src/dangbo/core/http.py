"""The request a view receives, as the type checker should see it.

``audit.middleware`` adds ``scope`` (the acting user's ``accounts.scope.Scope``) and django-htmx
adds ``htmx``. ``scope`` is typed ``Any`` here: ``Scope`` lives in ``accounts``, above most of the
apps whose views read it, and ``core`` imports no app (DESIGN.md: imports point down); the
selectors take the same value as an untyped ``actor`` for the same reason.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class ScopedRequest(HttpRequest):
    """For annotations only: Django builds the real request object."""

    scope: Any
    htmx: HtmxDetails
