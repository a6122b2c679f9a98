"""Home and health. Thin: read the request, call selectors, render."""

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render

from dangbo.core import clock
from dangbo.core.http import ScopedRequest
from dangbo.core.kinds import MEETING_KINDS
from dangbo.meetings.selectors import org_upcoming
from dangbo.members.org_selectors import org_overview


@login_required
def home(request: ScopedRequest) -> HttpResponse:
    """The user's subtrees at a glance; a member goes to their own record."""
    scope = request.scope
    if scope.is_empty:
        return render(request, "web/no_role.html", status=403)
    if not scope.sees_orgs:
        return redirect("members:member_profile", member_id=scope.own_member_id)
    # with each subtree, for a cell or grassroots committee, its next meetings (None: it holds none)
    overview = [
        (top, org_upcoming(actor=scope, org=top.root)[:2] if top.root.kind in MEETING_KINDS else None)
        for top in org_overview(actor=scope)
    ]
    return render(request, "web/home.html", {"overview": overview, "today": clock.today()})


def healthz(request: ScopedRequest) -> JsonResponse:
    """The database answers: a bare ``SELECT 1`` on the connection, the one statement of ``web``
    in SQL. It stays here rather than in a ``web/sql.py`` of one line: it reads no table (the
    ORM has no query for "the database is up"), and it is the check itself."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok", "database": connection.vendor})
