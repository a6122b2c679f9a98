"""Pages. Thin: read the request, call selectors, render."""

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from dangbo.members.selectors import member_figures
from dangbo.orgs.kinds import OrgKind
from dangbo.orgs.selectors import org_grassroots_count, org_kind_counts, org_top_level


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The installation at a glance (system administrators; scoped roles come with accounts)."""
    if not request.user.is_superuser:
        return render(request, "web/no_role.html", status=403)
    tops = []
    for root in org_top_level():
        kinds = org_kind_counts(root=root)
        tops.append(
            {
                "org": root,
                "kinds": [(OrgKind(kind).label, n) for kind, n in kinds.items() if n],
                "grassroots": org_grassroots_count(root=root),
                "direct_children": root.children.filter(dissolved_on__isnull=True).count(),
                "members": member_figures(path=root.path),
            }
        )
    return render(request, "web/home.html", {"tops": tops})


def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok", "database": connection.vendor})
