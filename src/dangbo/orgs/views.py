"""Organization pages: the tree (children load when a branch is opened), an organization's page,
its editing forms, and restructuring (move, merge, dissolve; uploaded plans), each previewed first."""

from __future__ import annotations

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET

from dangbo.core.http import ScopedRequest
from dangbo.core.kinds import COMMUNE_LEVEL_KINDS
from dangbo.core.pages import form_page, in_scope_or_404
from dangbo.orgs.forms import (
    LocalityForm,
    OrgRenameForm,
)
from dangbo.orgs.labels import org_labels_attach
from dangbo.orgs.selectors import (
    PickScope,
    locality_get,
    org_for_edit,
    org_get,
    org_pick,
)
from dangbo.orgs.services import locality_create, locality_update, org_rename
from dangbo.rules.base import RuleViolation


def org_or_404(request: ScopedRequest, org_id):
    return in_scope_or_404(org_get, actor=request.scope, org_id=org_id)


def editable_or_404(request, org_id):
    return in_scope_or_404(org_for_edit, actor=request.scope, org_id=org_id)


@login_required
def org_rename_view(request: ScopedRequest, org_id) -> HttpResponse:
    org = editable_or_404(request, org_id)
    form = OrgRenameForm(request.POST or None, initial={"version": org.version, "name": org.name})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            org_rename(
                org=org,
                name=data["name"],
                effective_on=data["effective_on"],
                decision=form.decision(),
                expected_version=data["version"],
                actor=request.user,
            )
        except RuleViolation as error:
            form.add_violations(error)
        else:
            messages.success(request, "Đã đổi tên.")
            return redirect("members:org_page", org_id=org.pk)
    return form_page(
        request,
        form,
        title=f"Đổi tên {org.name}",
        cancel_url=reverse("members:org_page", args=[org.pk]),
        submit="Đổi tên",
        subtitle="Tên cũ vẫn được giữ trong lịch sử của tổ chức, đến ngày tên mới có hiệu lực.",
    )


@login_required
def locality_create_view(request: ScopedRequest, org_id) -> HttpResponse:
    commune = editable_or_404(request, org_id)
    if commune.kind not in COMMUNE_LEVEL_KINDS:
        raise Http404
    form = LocalityForm(request.POST or None, commune=commune)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            locality_create(
                code=data["code"],
                kind=data["kind"],
                name=data["name"],
                commune=commune,
                cell=form.cleaned_cell(),
                head_member=data["head_member"],
                head_name=data["head_name"],
                established_on=data["effective_on"],
                decision_no=data["decision_no"],
            )
        except RuleViolation as error:
            form.add_violations(error)
        else:
            messages.success(request, "Đã thêm thôn, tổ dân phố.")
            return redirect("members:org_page", org_id=commune.pk)
    return form_page(
        request,
        form,
        title=f"Thêm thôn, tổ dân phố của {commune.name}",
        cancel_url=reverse("members:org_page", args=[commune.pk]),
        submit="Thêm",
    )


@login_required
def locality_edit_view(request: ScopedRequest, locality_id) -> HttpResponse:
    locality = in_scope_or_404(locality_get, actor=request.scope, locality_id=locality_id, for_edit=True)
    head = type(locality).objects.select_related("head_member__org").get(pk=locality.pk).head_member
    form = LocalityForm(
        request.POST or None,
        commune=locality.commune,
        editing=True,
        current_head=head,
        initial=LocalityForm.initial_for(locality),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            locality_update(
                locality=locality,
                expected_version=data["version"],
                kind=data["kind"],
                name=data["name"],
                cell=form.cleaned_cell(),
                head_member=data["head_member"],
                head_name=data["head_name"],
                effective_on=data["effective_on"],
                decision_no=data["decision_no"],
            )
        except RuleViolation as error:
            form.add_violations(error)
        else:
            messages.success(request, "Đã lưu thôn, tổ dân phố.")
            return redirect("members:org_page", org_id=locality.commune_id)
    subtitle = "Thay đổi có hiệu lực từ ngày ghi dưới đây; tình trạng trước ngày đó vẫn được giữ trong lịch sử của thôn."
    if locality.head_unmatched_note:
        subtitle += f" Lưu ý: {locality.head_unmatched_note}"
    return form_page(
        request,
        form,
        title=f"Sửa {locality}",
        cancel_url=reverse("members:org_page", args=[locality.commune_id]),
        subtitle=subtitle,
    )


# --- Restructuring: move, merge into, dissolve (preview, then confirm) -----------------------


# --- Restructuring plans (CSV, XLSX) ----------------------------------------------------------


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@login_required
@require_GET
def org_pick_view(request: ScopedRequest) -> JsonResponse:
    """The organization pickers' matches (``orgpicker.js``), as JSON: the live organizations of
    the user's scope (``pham-vi``: doc, sua, quan-ly; ``loai=chi-bo``: cells only) whose code or
    name holds what was typed (``q``), accents and case aside. Nothing outside the scope."""
    query = _CONTROL.sub(" ", request.GET.get("q", ""))[:100]
    try:
        within = PickScope(request.GET.get("pham-vi", PickScope.READ))
    except ValueError:
        within = PickScope.READ
    orgs = org_pick(
        actor=request.scope, query=query, within=within, cells_only=request.GET.get("loai") == "chi-bo"
    )
    org_labels_attach(actor=request.scope, orgs=orgs)
    results = [
        {
            "code": org.code,
            "name": org.name,
            "context": org.label_context or "",
            "label": org.label,
            "kind": org.get_kind_display(),
        }
        for org in orgs
    ]
    # the names as they are (not \u escapes): what the scope tests look for is what is sent
    return JsonResponse({"results": results}, json_dumps_params={"ensure_ascii": False})
