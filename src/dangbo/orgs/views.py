"""Organization pages: the tree (children load when a branch is opened) and an organization's page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from dangbo.audit.services import Action, audit_record
from dangbo.members.selectors import hosted_members, member_figures_with_children, member_list_of_org, org_committee_gaps
from dangbo.members.views import _page_number
from dangbo.orgs.forms import LocalityForm, OrgEstablishForm, OrgRenameForm
from dangbo.orgs.kinds import CELL_KINDS, OrgKind
from dangbo.orgs.selectors import (
    NotInScope,
    org_breadcrumbs,
    org_children,
    org_committee,
    org_for_edit,
    org_get,
    org_history,
    org_localities,
    org_nodes,
    org_nodes_on,
    org_roots,
    locality_get,
)
from dangbo.orgs.services import locality_create, locality_update, org_establish, org_rename
from dangbo.rules.base import RuleViolation
from dangbo.web.pages import form_page

# Organizations that hold hamlets and residential groups (commune level).
COMMUNE_LEVEL_KINDS = frozenset({OrgKind.GRASSROOTS_COMMITTEE, OrgKind.GRASSROOTS_CELL})


def _org_or_404(request: HttpRequest, org_id):
    try:
        return org_get(actor=request.scope, org_id=org_id)
    except NotInScope:
        raise Http404("Không tìm thấy tổ chức này trong phạm vi của anh/chị.") from None


@login_required
@require_GET
def org_tree_view(request: HttpRequest) -> HttpResponse:
    """Today's tree, or (``?ngay=``) the tree as it stood on a past day, from the dated versions."""
    if not request.scope.sees_orgs:
        return render(request, "web/no_role.html", status=403)
    form, day = _tree_day(request)
    if form.errors:
        return render(request, "orgs/tree.html", {"form": form, "nodes": []}, status=400)
    if day is not None:
        nodes = org_nodes_on(actor=request.scope, day=day)
        return render(request, "orgs/tree.html", {"form": form, "dated_nodes": nodes, "day": day})
    return render(request, "orgs/tree.html", {"form": form, "nodes": org_nodes(actor=request.scope, orgs=org_roots(actor=request.scope))})


def _tree_day(request: HttpRequest):
    from dangbo.orgs.forms import TreeDayForm

    form = TreeDayForm(request.GET)
    day = form.cleaned_data.get("ngay") if form.is_valid() else None
    return form, day


@login_required
@require_GET
def org_children_view(request: HttpRequest, org_id) -> HttpResponse:
    org = _org_or_404(request, org_id)
    form, day = _tree_day(request)
    if day is not None:
        return render(request, "orgs/_branch_on.html", {"nodes": org_nodes_on(actor=request.scope, day=day, parent=org), "day": day})
    return render(request, "orgs/_branch.html", {"nodes": org_children(actor=request.scope, org=org)})


@login_required
@require_GET
def org_page_view(request: HttpRequest, org_id) -> HttpResponse:
    org = _org_or_404(request, org_id)
    audit_record(action=Action.ORG_VIEWED, subject_type="org", subject_id=str(org.pk))
    members_page = None
    if org.kind in CELL_KINDS or request.GET.get("trang"):
        members_page = member_list_of_org(actor=request.scope, org=org, page=_page_number(request))
    figures, child_counts = member_figures_with_children(path=org.path)
    context = {
        "org": org,
        "breadcrumbs": org_breadcrumbs(actor=request.scope, org=org),
        "children": org_children(actor=request.scope, org=org, member_counts=child_counts),
        "localities": org_localities(actor=request.scope, org=org),
        "committee": org_committee(actor=request.scope, org=org),
        "committee_gaps": org_committee_gaps(actor=request.scope, org=org),
        "figures": figures,
        "members_page": members_page,
        "can_edit": request.scope.can_write_path(org.path) and org.dissolved_on is None,
        "holds_localities": org.kind in COMMUNE_LEVEL_KINDS,
        "hosted": hosted_members(actor=request.scope, org=org) if org.kind in CELL_KINDS else [],
        "history": org_history(actor=request.scope, org=org),
    }
    return render(request, "orgs/page.html", context)


def _editable_or_404(request, org_id):
    try:
        return org_for_edit(actor=request.scope, org_id=org_id)
    except NotInScope:
        raise Http404 from None


@login_required
def org_create_view(request: HttpRequest, org_id) -> HttpResponse:
    parent = _editable_or_404(request, org_id)
    form = OrgEstablishForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            org = org_establish(
                code=data["code"], name=data["name"], kind=data["kind"], parent=parent, sector=data["sector"] or "",
                established_on=data["established_on"], decision=form.decision(), actor=request.user,
            )
        except RuleViolation as error:
            form.add_violations(error, {"parent": "kind"})
        else:
            messages.success(request, f"Đã thành lập {org.name}.")
            return redirect("org_page", org_id=org.pk)
    return form_page(request, form, title=f"Thành lập tổ chức trực thuộc {parent.name}", cancel_url=reverse("org_page", args=[parent.pk]), submit="Thành lập")


@login_required
def org_rename_view(request: HttpRequest, org_id) -> HttpResponse:
    org = _editable_or_404(request, org_id)
    form = OrgRenameForm(request.POST or None, initial={"version": org.version, "name": org.name})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            org_rename(
                org=org, name=data["name"], effective_on=data["effective_on"], decision=form.decision(),
                expected_version=data["version"], actor=request.user,
            )
        except RuleViolation as error:
            form.add_violations(error)
        else:
            messages.success(request, "Đã đổi tên.")
            return redirect("org_page", org_id=org.pk)
    return form_page(request, form, title=f"Đổi tên {org.name}", cancel_url=reverse("org_page", args=[org.pk]), submit="Đổi tên",
                      subtitle="Tên cũ vẫn được giữ trong lịch sử của tổ chức, đến ngày tên mới có hiệu lực.")


@login_required
def locality_create_view(request: HttpRequest, org_id) -> HttpResponse:
    commune = _editable_or_404(request, org_id)
    if commune.kind not in COMMUNE_LEVEL_KINDS:
        raise Http404
    form = LocalityForm(request.POST or None, commune=commune)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            locality_create(
                code=data["code"], kind=data["kind"], name=data["name"], commune=commune, cell=form.cleaned_cell(),
                head_name=data["head_name"], head_is_member=data["head_is_member"],
            )
        except RuleViolation as error:
            form.add_violations(error)
        else:
            messages.success(request, "Đã thêm thôn, tổ dân phố.")
            return redirect("org_page", org_id=commune.pk)
    return form_page(request, form, title=f"Thêm thôn, tổ dân phố của {commune.name}", cancel_url=reverse("org_page", args=[commune.pk]), submit="Thêm")


@login_required
def locality_edit_view(request: HttpRequest, locality_id) -> HttpResponse:
    try:
        locality = locality_get(actor=request.scope, locality_id=locality_id, for_edit=True)
    except NotInScope:
        raise Http404 from None
    form = LocalityForm(request.POST or None, commune=locality.commune, editing=True, initial=LocalityForm.initial_for(locality))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            locality_update(
                locality=locality, expected_version=data["version"], kind=data["kind"], name=data["name"],
                cell=form.cleaned_cell(), head_name=data["head_name"], head_is_member=data["head_is_member"],
            )
        except RuleViolation as error:
            form.add_violations(error)
        else:
            messages.success(request, "Đã lưu thôn, tổ dân phố.")
            return redirect("org_page", org_id=locality.commune_id)
    return form_page(request, form, title=f"Sửa {locality}", cancel_url=reverse("org_page", args=[locality.commune_id]))
