"""Organization pages: the tree (children load when a branch is opened), an organization's page,
its editing forms, and restructuring (move, merge, dissolve; uploaded plans), each previewed first."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from dangbo.audit.services import Action, audit_record
from dangbo.core.http import ScopedRequest
from dangbo.members.selectors import (
    hosted_members,
    member_figures_with_children,
    member_list_of_org,
    members_by_numbers,
    org_committee_gaps,
)
from dangbo.members.views import _page_number
from dangbo.orgs.forms import (
    LocalityForm,
    OrgDissolveForm,
    OrgEstablishForm,
    OrgMergeForm,
    OrgMoveForm,
    OrgRenameForm,
    OrgSplitForm,
    PlanApplyForm,
    PlanUploadForm,
)
from dangbo.orgs.kinds import CELL_KINDS, OrgKind
from dangbo.orgs.plan_uploads import restructure_plan_apply, restructure_plan_upload
from dangbo.orgs.plans import COLUMNS as PLAN_COLUMNS
from dangbo.orgs.plans import OPERATIONS
from dangbo.orgs.restructure import (
    Outcome,
    Preview,
    dry_run,
    org_dissolve,
    org_establish_with_members,
    org_merge,
    org_move_many,
    org_split,
)
from dangbo.orgs.selectors import (
    NotInScope,
    locality_get,
    may_restructure,
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
    org_split_items,
    plan_report_for,
    restructure_plan_get,
    restructure_plans_of,
)
from dangbo.orgs.services import locality_create, locality_update, org_establish, org_rename
from dangbo.rules.base import RuleViolation, Violation
from dangbo.web.forms import INPUT_CITATION
from dangbo.web.pages import form_page

# Organizations that hold hamlets and residential groups (commune level).
COMMUNE_LEVEL_KINDS = frozenset({OrgKind.GRASSROOTS_COMMITTEE, OrgKind.GRASSROOTS_CELL})


def _org_or_404(request: ScopedRequest, org_id):
    try:
        return org_get(actor=request.scope, org_id=org_id)
    except NotInScope:
        raise Http404("Không tìm thấy tổ chức này trong phạm vi của anh/chị.") from None


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


def _tree_day(request: HttpRequest):
    from dangbo.orgs.forms import TreeDayForm

    form = TreeDayForm(request.GET)
    day = form.cleaned_data.get("ngay") if form.is_valid() else None
    return form, day


@login_required
@require_GET
def org_children_view(request: ScopedRequest, org_id) -> HttpResponse:
    org = _org_or_404(request, org_id)
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
        common = {
            "code": data["code"],
            "name": data["name"],
            "kind": data["kind"],
            "parent": parent,
            "sector": data["sector"] or "",
            "established_on": data["established_on"],
            "decision": form.decision(),
            "formation_approval": data["formation_approval"],
            "actor": request.user,
        }
        try:
            if data["kind"] in CELL_KINDS:
                members, unknown = members_by_numbers(parent=parent, numbers=form.member_numbers())
                if unknown:
                    raise RuleViolation(
                        [
                            Violation(
                                "input",
                                "Không tìm thấy đảng viên đang sinh hoạt trong tổ chức này có số: "
                                + ", ".join(unknown)
                                + ".",
                                INPUT_CITATION,
                                field="members",
                            )
                        ]
                    )
                org = org_establish_with_members(members=members, **common)
            else:
                org = org_establish(**common)
        except RuleViolation as error:
            form.add_violations(error, {"parent": "kind"})
        else:
            messages.success(request, f"Đã thành lập {org.name}.")
            return redirect("org_page", org_id=org.pk)
    return form_page(
        request,
        form,
        title=f"Thành lập tổ chức trực thuộc {parent.name}",
        cancel_url=reverse("org_page", args=[parent.pk]),
        submit="Thành lập",
    )


@login_required
def org_rename_view(request: HttpRequest, org_id) -> HttpResponse:
    org = _editable_or_404(request, org_id)
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
            return redirect("org_page", org_id=org.pk)
    return form_page(
        request,
        form,
        title=f"Đổi tên {org.name}",
        cancel_url=reverse("org_page", args=[org.pk]),
        submit="Đổi tên",
        subtitle="Tên cũ vẫn được giữ trong lịch sử của tổ chức, đến ngày tên mới có hiệu lực.",
    )


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
            return redirect("org_page", org_id=commune.pk)
    return form_page(
        request,
        form,
        title=f"Thêm thôn, tổ dân phố của {commune.name}",
        cancel_url=reverse("org_page", args=[commune.pk]),
        submit="Thêm",
    )


@login_required
def locality_edit_view(request: ScopedRequest, locality_id) -> HttpResponse:
    try:
        locality = locality_get(actor=request.scope, locality_id=locality_id, for_edit=True)
    except NotInScope:
        raise Http404 from None
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
            return redirect("org_page", org_id=locality.commune_id)
    subtitle = "Thay đổi có hiệu lực từ ngày ghi dưới đây; tình trạng trước ngày đó vẫn được giữ trong lịch sử của thôn."
    if locality.head_unmatched_note:
        subtitle += f" Lưu ý: {locality.head_unmatched_note}"
    return form_page(
        request,
        form,
        title=f"Sửa {locality}",
        cancel_url=reverse("org_page", args=[locality.commune_id]),
        subtitle=subtitle,
    )


# --- Restructuring: move, merge into, dissolve (preview, then confirm) -----------------------


def _outcome_counts(outcome) -> str:
    from dangbo.core.formats import format_number as n

    counts = [
        (outcome.organizations, "tổ chức"),
        (outcome.members_rehomed, "đảng viên chuyển tổ chức"),
        (outcome.members_under, "đảng viên theo chi bộ chuyển cùng nhánh"),
        (outcome.localities, "thôn, tổ dân phố"),
    ]
    return ", ".join(f"{n(count)} {label}" for count, label in counts if count)


def _restructure_page(
    request, org, form, run, *, title: str, subtitle: str, confirm: str, involved=(), involved_label: str = ""
) -> HttpResponse:
    """The two steps of a restructuring: «Xem trước» runs ``run`` and rolls it back
    (``restructure.dry_run``); «Xác nhận» runs it for real, every check made again by the
    operation itself. ``run(data)`` applies the operation and returns its ``Outcome``."""
    preview = None
    if request.method == "POST" and form.is_valid():
        step = request.POST.get("buoc", "xem-truoc")
        if step == "ap-dung":
            try:
                outcome = run(form.cleaned_data)
            except RuleViolation as error:
                preview = Preview(None, error.violations)
            else:
                counts = _outcome_counts(outcome)
                messages.success(
                    request, f"Đã áp dụng: {outcome.title}" + (f" ({counts})." if counts else ".")
                )
                return redirect("org_page", org_id=org.pk)
        elif step != "sua":
            preview = dry_run(lambda: run(form.cleaned_data))
    context = {
        "org": org,
        "form": form,
        "title": title,
        "subtitle": subtitle,
        "confirm": confirm,
        "preview": preview,
        "involved": involved() if callable(involved) and form.is_bound and form.is_valid() else [],
        "involved_label": involved_label,
        "breadcrumbs": org_breadcrumbs(actor=request.scope, org=org),
    }
    refused = (form.is_bound and form.errors) or (preview is not None and not preview.ok)
    return render(request, "orgs/restructure.html", context, status=400 if refused else 200)


@login_required
def org_move_view(request: ScopedRequest, org_id) -> HttpResponse:
    org = _editable_or_404(request, org_id)
    form = OrgMoveForm(request.POST or None, actor=request.scope)

    def run(data):
        return org_move_many(
            moves=[(org, data["parent"])],
            effective_on=data["effective_on"],
            decision=form.decision(),
            actor=request.user,
        )

    return _restructure_page(
        request,
        org,
        form,
        run,
        title=f"Chuyển {org.name} sang trực thuộc tổ chức khác",
        confirm="Xác nhận chuyển",
        subtitle="Cả nhánh (các tổ chức trực thuộc, đảng viên, thôn, tổ dân phố) chuyển theo; đảng viên vẫn sinh hoạt ở chi bộ cũ.",
        involved=lambda: [form.cleaned_data["parent"]],
        involved_label="Trực thuộc mới",
    )


@login_required
def org_merge_view(request: ScopedRequest, org_id) -> HttpResponse:
    into = _editable_or_404(request, org_id)
    form = OrgMergeForm(request.POST or None, actor=request.scope)

    def run(data):
        return org_merge(
            sources=data["sources"],
            into=into,
            effective_on=data["effective_on"],
            decision=form.decision(),
            approval=data["approval"],
            actor=request.user,
        )

    return _restructure_page(
        request,
        into,
        form,
        run,
        title=f"Hợp nhất, sáp nhập vào {into.name}",
        confirm="Xác nhận hợp nhất",
        subtitle=(
            f"Các tổ chức trực thuộc của tổ chức được hợp nhất chuyển về {into.name} cùng đảng viên; đảng viên sinh hoạt "
            f"trực tiếp ở đó chuyển sang {into.name}; thôn, tổ dân phố chuyển theo; chức vụ ở đó kết thúc; tổ chức được "
            "hợp nhất thôi hoạt động từ ngày hiệu lực. Hợp nhất vào một tổ chức mới: thành lập tổ chức đó trước."
        ),
        involved=lambda: form.cleaned_data["sources"],
        involved_label="Tổ chức được hợp nhất",
    )


@login_required
def org_split_view(request: ScopedRequest, org_id) -> HttpResponse:
    source = _editable_or_404(request, org_id)
    form = OrgSplitForm(
        request.POST or None, actor=request.scope, items=org_split_items(actor=request.scope, org=source)
    )

    def run(data):
        return org_split(
            source=source,
            shares=data["shares"],
            effective_on=data["effective_on"],
            decision=form.decision(),
            keep_source=data["keep_source"],
            actor=request.user,
        )

    return _restructure_page(
        request,
        source,
        form,
        run,
        title=f"Chia tách {source.name}",
        confirm="Xác nhận chia tách",
        subtitle=(
            "Nhập mã các tổ chức nhận (thành lập trước), bấm «Xem trước», rồi chọn nơi nhận cho từng đảng viên, thôn, "
            "tổ dân phố và tổ chức trực thuộc. Đảng viên chuyển sang tổ chức nhận theo quyết định; tổ chức trực thuộc "
            "chuyển cùng đảng viên của nó. Không giữ lại: phải giao hết, tổ chức này thôi hoạt động từ ngày hiệu lực."
        ),
        involved=lambda: form.cleaned_data["targets"],
        involved_label="Tổ chức nhận",
    )


@login_required
def org_dissolve_view(request: ScopedRequest, org_id) -> HttpResponse:
    org = _editable_or_404(request, org_id)
    form = OrgDissolveForm(request.POST or None, actor=request.scope)

    def run(data):
        org_dissolve(org=org, effective_on=data["effective_on"], decision=form.decision(), actor=request.user)
        return Outcome(title=f"Giải thể «{org.name}»", organizations=1)

    return _restructure_page(
        request,
        org,
        form,
        run,
        title=f"Giải thể {org.name}",
        confirm="Xác nhận giải thể",
        subtitle="Chỉ giải thể được tổ chức không còn đảng viên, tổ chức trực thuộc, thôn, tổ dân phố. "
        "Chức vụ còn lại ở tổ chức kết thúc cùng ngày.",
    )


# --- Restructuring plans (CSV, XLSX) ----------------------------------------------------------


@login_required
def plan_upload_view(request: ScopedRequest) -> HttpResponse:
    """Upload a plan: it is stored and previewed (run, then rolled back), and its report shown."""
    if not may_restructure(actor=request.scope):
        return render(request, "web/no_role.html", status=403)
    posted = request.method == "POST"
    form = PlanUploadForm(
        request.POST if posted else None, request.FILES if posted else None, actor=request.scope
    )
    if posted and form.is_valid():
        plan = restructure_plan_upload(file_name=form.file_name, data=form.content, actor=request.user)
        return redirect("plan_page", plan_id=plan.pk)
    context = {
        "form": form,
        "plans": restructure_plans_of(actor=request.scope),
        "columns": PLAN_COLUMNS,
        "operations": OPERATIONS,
    }
    return render(
        request, "orgs/plan_upload.html", context, status=400 if form.is_bound and form.errors else 200
    )


@login_required
@require_GET
def plan_template_view(request: ScopedRequest) -> HttpResponse:
    """The plan's columns and one example row, as a CSV to fill in."""
    from dangbo.core.spreadsheet import csv_chunks

    if not may_restructure(actor=request.scope):
        return render(request, "web/no_role.html", status=403)
    example = {
        "thao_tac": "hop_nhat",
        "ma_to_chuc": "MA-XA-CU",
        "ma_dich": "MA-XA-MOI",
        "ngay_hieu_luc": "01/07/2025",
        "so_quyet_dinh": "15-QĐ/TU",
        "ngay_quyet_dinh": "20/06/2025",
        "co_quan_quyet_dinh": "Ban Thường vụ Tỉnh ủy",
    }
    response = HttpResponse(
        "".join(csv_chunks(PLAN_COLUMNS, [[example.get(c, "") for c in PLAN_COLUMNS]])),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="phuong-an-sap-xep-mau.csv"'
    return response


def _plan_or_404(request, plan_id):
    try:
        return restructure_plan_get(actor=request.scope, plan_id=plan_id)
    except NotInScope:
        raise Http404("Không tìm thấy phương án này trong phạm vi của anh/chị.") from None


@login_required
@require_GET
def plan_page_view(request: ScopedRequest, plan_id) -> HttpResponse:
    plan = _plan_or_404(request, plan_id)
    context = {
        "plan": plan,
        "report": plan_report_for(actor=request.scope, report=plan.report),
        "apply_form": PlanApplyForm(initial={"sha256": plan.sha256}, plan=plan),
    }
    return render(request, "orgs/plan.html", context)


@login_required
@require_POST
def plan_apply_view(request: HttpRequest, plan_id) -> HttpResponse:
    plan = _plan_or_404(request, plan_id)
    form = PlanApplyForm(request.POST, plan=plan)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("plan_page", plan_id=plan.pk)
    try:
        report = restructure_plan_apply(plan=plan, actor=request.user)
    except RuleViolation as error:
        for violation in error.violations:
            messages.error(request, violation.message)
    else:
        if report.applied:
            messages.success(request, "Đã áp dụng phương án.")
        else:
            messages.error(
                request,
                f"Phương án bị từ chối khi áp dụng ({len(report.problems)} vấn đề, xem dưới đây); không thay đổi gì.",
            )
    return redirect("plan_page", plan_id=plan.pk)
