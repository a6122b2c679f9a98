"""Restructuring pages: move, merge, split, dissolve one organization; upload, preview and apply a
plan. Thin: the work is in ``restructuring.operations`` and ``restructuring.plans``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from dangbo.core.formats import format_number as n
from dangbo.core.http import ScopedRequest
from dangbo.core.kinds import CELL_KINDS
from dangbo.core.pages import form_page, in_scope_or_404
from dangbo.core.spreadsheet import csv_chunks
from dangbo.core.violations import INPUT_CITATION, Violation
from dangbo.jobs.models import JobState
from dangbo.jobs.selectors import latest_job_for
from dangbo.members.selectors.search import members_by_numbers
from dangbo.orgs.forms import OrgEstablishForm
from dangbo.orgs.selectors import org_breadcrumbs, org_for_restructure
from dangbo.orgs.services import org_establish
from dangbo.restructuring.forms import (
    OrgDissolveForm,
    OrgMergeForm,
    OrgMoveForm,
    OrgSplitForm,
    PlanApplyForm,
    PlanUploadForm,
)
from dangbo.restructuring.operations import (
    Outcome,
    Preview,
    dry_run,
    org_dissolve,
    org_establish_with_members,
    org_merge,
    org_move_many,
    org_split,
)
from dangbo.restructuring.plan_uploads import (
    SUBJECT as PLAN_SUBJECT,
)
from dangbo.restructuring.plan_uploads import (
    restructure_plan_apply_start,
    restructure_plan_upload,
)
from dangbo.restructuring.plans import COLUMNS as PLAN_COLUMNS
from dangbo.restructuring.plans import OPERATIONS
from dangbo.restructuring.selectors import (
    may_restructure,
    org_split_items,
    plan_report_for,
    restructure_plan_get,
    restructure_plans_of,
)
from dangbo.rules.base import RuleViolation


def _outcome_counts(outcome) -> str:
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
                return redirect("members:org_page", org_id=org.pk)
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
    return render(request, "restructuring/restructure.html", context, status=400 if refused else 200)


@login_required
def org_move_view(request: ScopedRequest, org_id) -> HttpResponse:
    org = in_scope_or_404(org_for_restructure, actor=request.scope, org_id=org_id)
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
    into = in_scope_or_404(org_for_restructure, actor=request.scope, org_id=org_id)
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
    source = in_scope_or_404(org_for_restructure, actor=request.scope, org_id=org_id)
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
    org = in_scope_or_404(org_for_restructure, actor=request.scope, org_id=org_id)
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
        return redirect("restructuring:plan_page", plan_id=plan.pk)
    context = {
        "form": form,
        "plans": restructure_plans_of(actor=request.scope),
        "columns": PLAN_COLUMNS,
        "operations": OPERATIONS,
    }
    return render(
        request,
        "restructuring/plan_upload.html",
        context,
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
@require_GET
def plan_template_view(request: ScopedRequest) -> HttpResponse:
    """The plan's columns and one example row, as a CSV to fill in."""
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
    return in_scope_or_404(restructure_plan_get, actor=request.scope, plan_id=plan_id)


@login_required
@require_GET
def plan_page_view(request: ScopedRequest, plan_id) -> HttpResponse:
    """The plan, its last report, and its preview or apply while it runs (a background job)."""
    plan = _plan_or_404(request, plan_id)
    job = latest_job_for(actor=request.scope, subject_type=PLAN_SUBJECT, subject_id=plan.pk)
    context = {
        "plan": plan,
        "job": job,
        "states": JobState,
        "working": job is not None and not job.finished,
        "report": plan_report_for(actor=request.scope, report=plan.report),
        "apply_form": PlanApplyForm(initial={"sha256": plan.sha256}, plan=plan),
    }
    return render(request, "restructuring/plan.html", context)


@login_required
@require_POST
def plan_apply_view(request: ScopedRequest, plan_id) -> HttpResponse:
    """Queue the plan's apply; the plan page shows its progress, then its result."""
    plan = _plan_or_404(request, plan_id)
    form = PlanApplyForm(request.POST, plan=plan)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("restructuring:plan_page", plan_id=plan.pk)
    try:
        restructure_plan_apply_start(plan=plan, actor=request.user)
    except RuleViolation as error:
        for violation in error.violations:
            messages.error(request, violation.message)
    return redirect("restructuring:plan_page", plan_id=plan.pk)


@login_required
def org_create_view(request: ScopedRequest, org_id) -> HttpResponse:
    parent = in_scope_or_404(org_for_restructure, actor=request.scope, org_id=org_id)
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
            return redirect("members:org_page", org_id=org.pk)
    return form_page(
        request,
        form,
        title=f"Thành lập tổ chức trực thuộc {parent.name}",
        cancel_url=reverse("members:org_page", args=[parent.pk]),
        submit="Thành lập",
    )
