"""Home and health. Thin: read the request, call selectors, render."""

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render

from dangbo.core import clock
from dangbo.core.http import ScopedRequest
from dangbo.core.pages import in_scope_or_404
from dangbo.web.overview import member_overview, scope_panels


@login_required
def home(request: ScopedRequest) -> HttpResponse:
    """The user's subtrees at a glance; a member's own overview (what is next for them)."""
    scope = request.scope
    if scope.is_empty:
        return render(request, "web/no_role.html", status=403)
    if not scope.sees_orgs:
        own = in_scope_or_404(member_overview, actor=scope)
        return render(request, "web/member_home.html", {"overview": own, "today": clock.today()})
    return render(request, "web/home.html", {"panels": scope_panels(actor=scope), "today": clock.today()})


def healthz(request: ScopedRequest) -> JsonResponse:
    """The database answers: a bare ``SELECT 1`` on the connection, the one statement of ``web``
    in SQL. It stays here rather than in a ``web/sql.py`` of one line: it reads no table (the
    ORM has no query for "the database is up"), and it is the check itself."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok", "database": connection.vendor})
