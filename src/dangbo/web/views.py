"""Home and health. Thin: read the request, call selectors, render."""

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render

from dangbo.core import clock
from dangbo.core.http import ScopedRequest
from dangbo.core.pages import in_scope_or_404
from dangbo.orgs.selectors import org_get
from dangbo.web.overview import member_overview, scope_panels, targets_panel, todo_panel


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


@login_required
def home_targets(request: ScopedRequest, org_id) -> HttpResponse:
    """The overview's targets of one subtree (fetched by the page after it is shown)."""
    org = in_scope_or_404(org_get, actor=request.scope, org_id=org_id)
    panel = in_scope_or_404(targets_panel, actor=request.scope, org=org)
    return render(request, "web/_home_targets.html", {"org": org, "panel": panel})


@login_required
def home_todo(request: ScopedRequest, org_id) -> HttpResponse:
    """The overview's to-do counts of one subtree (fetched by the page after it is shown)."""
    org = in_scope_or_404(org_get, actor=request.scope, org_id=org_id)
    panel = in_scope_or_404(todo_panel, actor=request.scope, org=org)
    return render(request, "web/_home_todo.html", {"org": org, "panel": panel})


def healthz(request: ScopedRequest) -> JsonResponse:
    """The database answers: a bare ``SELECT 1`` on the connection, the one statement of ``web``
    in SQL. It stays here rather than in a ``web/sql.py`` of one line: it reads no table (the
    ORM has no query for "the database is up"), and it is the check itself."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok", "database": connection.vendor})
