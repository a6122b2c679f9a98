"""The organization tree and an organization's page: its sub-organizations with their member counts,
its committee, hamlets and members. They read members, so they live here, above ``orgs``."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from dangbo.audit.services import Action, audit_record
from dangbo.core.http import ScopedRequest
from dangbo.core.kinds import CELL_KINDS, COMMUNE_LEVEL_KINDS, MEETING_KINDS
from dangbo.core.pages import page_number
from dangbo.members.org_selectors import org_children, org_committee, org_nodes
from dangbo.members.selectors.figures import org_member_figures
from dangbo.members.selectors.positions import org_committee_gaps
from dangbo.members.selectors.search import member_list_of_org
from dangbo.members.selectors.transfers import hosted_members
from dangbo.orgs.forms import TreeDayForm
from dangbo.orgs.selectors import org_breadcrumbs, org_history, org_localities, org_nodes_on, org_roots
from dangbo.orgs.views import org_or_404


@login_required
@require_GET
def org_tree_view(request: ScopedRequest) -> HttpResponse:
    """Today's tree, or (``?ngay=``) the tree as it stood on a past day, from the dated versions."""
    if not request.scope.sees_orgs:
        return render(request, "web/no_role.html", status=403)
    form, day = _tree_day(request)
    if form.errors:
        return render(request, "orgs/tree.html", {"form": form, "nodes": []}, status=400)
    if day is not None:
        nodes = org_nodes_on(actor=request.scope, day=day)
        return render(request, "orgs/tree.html", {"form": form, "dated_nodes": nodes, "day": day})
    return render(
        request,
        "orgs/tree.html",
        {"form": form, "nodes": org_nodes(actor=request.scope, orgs=org_roots(actor=request.scope))},
    )


def _tree_day(request: ScopedRequest):
    form = TreeDayForm(request.GET)
    day = form.cleaned_data.get("ngay") if form.is_valid() else None
    return form, day


@login_required
@require_GET
def org_children_view(request: ScopedRequest, org_id) -> HttpResponse:
    org = org_or_404(request, org_id)
    _form, day = _tree_day(request)
    if day is not None:
        return render(
            request,
            "orgs/_branch_on.html",
            {"nodes": org_nodes_on(actor=request.scope, day=day, parent=org), "day": day},
        )
    return render(request, "orgs/_branch.html", {"nodes": org_children(actor=request.scope, org=org)})


@login_required
@require_GET
def org_page_view(request: ScopedRequest, org_id) -> HttpResponse:
    org = org_or_404(request, org_id)
    audit_record(action=Action.ORG_VIEWED, subject_type="org", subject_id=str(org.pk))
    members_page = None
    if org.kind in CELL_KINDS or request.GET.get("trang"):
        members_page = member_list_of_org(actor=request.scope, org=org, page=page_number(request))
    figures = org_member_figures(org)
    context = {
        "org": org,
        "breadcrumbs": org_breadcrumbs(actor=request.scope, org=org),
        "children": org_children(actor=request.scope, org=org),
        "localities": org_localities(actor=request.scope, org=org),
        "committee": org_committee(actor=request.scope, org=org),
        "committee_gaps": org_committee_gaps(actor=request.scope, org=org),
        "figures": figures,
        "members_page": members_page,
        "can_edit": request.scope.can_write_path(org.path) and org.dissolved_on is None,
        "can_restructure": request.scope.can_organize_path(org.path) and org.dissolved_on is None,
        "holds_localities": org.kind in COMMUNE_LEVEL_KINDS,
        "hosted": hosted_members(actor=request.scope, org=org) if org.kind in CELL_KINDS else [],
        "history": org_history(actor=request.scope, org=org),
        "meeting_kinds": MEETING_KINDS,
    }
    return render(request, "orgs/page.html", context)
