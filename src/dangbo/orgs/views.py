"""Organization pages: the tree (children load when a branch is opened) and an organization's page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from dangbo.audit.services import Action, audit_record
from dangbo.members.selectors import member_figures, member_list_of_org
from dangbo.members.views import _page_number
from dangbo.orgs.kinds import CELL_KINDS
from dangbo.orgs.selectors import (
    NotInScope,
    org_breadcrumbs,
    org_children,
    org_committee,
    org_get,
    org_localities,
    org_nodes,
    org_roots,
)


def _org_or_404(request: HttpRequest, org_id):
    try:
        return org_get(actor=request.scope, org_id=org_id)
    except NotInScope:
        raise Http404("Không tìm thấy tổ chức này trong phạm vi của anh/chị.") from None


@login_required
@require_GET
def org_tree_view(request: HttpRequest) -> HttpResponse:
    if not request.scope.sees_orgs:
        return render(request, "web/no_role.html", status=403)
    return render(request, "orgs/tree.html", {"nodes": org_nodes(actor=request.scope, orgs=org_roots(actor=request.scope))})


@login_required
@require_GET
def org_children_view(request: HttpRequest, org_id) -> HttpResponse:
    org = _org_or_404(request, org_id)
    return render(request, "orgs/_branch.html", {"nodes": org_children(actor=request.scope, org=org)})


@login_required
@require_GET
def org_page_view(request: HttpRequest, org_id) -> HttpResponse:
    org = _org_or_404(request, org_id)
    audit_record(action=Action.ORG_VIEWED, subject_type="org", subject_id=str(org.pk))
    members_page = None
    if org.kind in CELL_KINDS or request.GET.get("trang"):
        members_page = member_list_of_org(actor=request.scope, org=org, page=_page_number(request))
    context = {
        "org": org,
        "breadcrumbs": org_breadcrumbs(actor=request.scope, org=org),
        "children": org_children(actor=request.scope, org=org),
        "localities": org_localities(actor=request.scope, org=org),
        "committee": org_committee(actor=request.scope, org=org),
        "figures": member_figures(path=org.path),
        "members_page": members_page,
        "can_edit": request.scope.can_write_path(org.path),
    }
    return render(request, "orgs/page.html", context)
