"""Pages of the candidate register (RULES.md §2.2): the list per organization, adding a
person, and a candidate's page with the steps done and the form for the next one."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from dangbo.audit.services import Action, audit_record
from dangbo.candidates.forms import CandidateAddForm, CandidateStepForm, WithdrawForm
from dangbo.candidates.models import Candidate, CandidateStep
from dangbo.candidates.selectors import candidate_get, candidate_list, candidate_next_due, candidate_steps
from dangbo.candidates.services import candidate_add, candidate_record_step, candidate_withdraw, next_step
from dangbo.core import clock
from dangbo.core.http import ScopedRequest
from dangbo.core.kinds import CELL_KINDS
from dangbo.core.pages import form_page, in_scope_or_404, spreadsheet_download
from dangbo.core.spreadsheet import list_title
from dangbo.members import exports
from dangbo.members.forms import add_absent_exempted
from dangbo.orgs.labels import org_labels_attach
from dangbo.orgs.selectors import org_breadcrumbs, org_get
from dangbo.reference.workdays import holidays_between
from dangbo.rules.base import RuleViolation

Step = CandidateStep.Kind

EXPORT_HEADER = [
    "STT",
    "Họ và tên",
    "Ngày sinh",
    "Giới tính",
    "Chi bộ",
    "Ngày vào danh sách",
    "Bước đã xong",
    "Ngày",
    "Bước tiếp theo",
]


def _org_or_404(request, org_id):
    return in_scope_or_404(org_get, actor=request.scope, org_id=org_id)


def _holidays_for(candidates) -> set:
    """The holidays every deadline of the list can touch, loaded once (not once per row)."""
    dates = [c.stage_on for c in candidates if c.stage_on]
    if not dates:
        return set()
    return holidays_between(min(dates), max(dates) + timedelta(days=200))


@login_required
@require_GET
def candidate_list_view(request: ScopedRequest, org_id) -> HttpResponseBase:
    org = _org_or_404(request, org_id)
    state = request.GET.get("tinh-trang", Candidate.State.ACTIVE)
    if state not in Candidate.State.values:
        state = Candidate.State.ACTIVE
    candidates = list(candidate_list(actor=request.scope, org=org, state=state))
    holidays = _holidays_for(candidates)
    rows: list[dict[str, Any]] = []
    for c in candidates:
        upcoming = next_step(c)
        rows.append(
            {
                "candidate": c,
                "next": upcoming,
                "next_label": Step(upcoming).label if upcoming else "",
                "due": candidate_next_due(c, holidays=holidays),
            }
        )
    file_format = request.GET.get("dinh-dang")
    if file_format in ("csv", "xlsx"):
        if not exports.may_export_people(request.scope, org.path):
            return exports.export_refused(request, what="candidates", org=org)
        audit_record(
            action=Action.EXPORTED,
            subject_type="org",
            subject_id=str(org.pk),
            data={"list": "candidates", "state": state, "rows": len(rows), "format": file_format},
        )
        cells = (
            [
                n,
                r["candidate"].full_name,
                r["candidate"].birth_date,
                r["candidate"].get_gender_display(),
                r["candidate"].cell.name,
                r["candidate"].listed_on,
                Step(r["candidate"].stage).label if r["candidate"].stage else "",
                r["candidate"].stage_on,
                r["next_label"],
            ]
            for n, r in enumerate(rows, start=1)
        )
        return spreadsheet_download(
            EXPORT_HEADER,
            cells,
            file_format=file_format,
            filename=f"cam-tinh-dang-{org.code}-{clock.today():%Y%m%d}.{file_format}",
            title=list_title("Danh sách quần chúng cảm tình Đảng", org.name, clock.today()),
        )
    org_labels_attach(actor=request.scope, orgs=[r["candidate"].cell for r in rows])
    context = {
        "org": org,
        "rows": rows,
        "state": state,
        "states": Candidate.State.choices,
        "can_add": org.kind in CELL_KINDS
        and request.scope.can_write_path(org.path)
        and org.dissolved_on is None,
        "breadcrumbs": org_breadcrumbs(actor=request.scope, org=org),
    }
    return render(request, "candidates/candidates.html", context)


@login_required
def candidate_add_view(request: ScopedRequest, org_id) -> HttpResponse:
    org = _org_or_404(request, org_id)
    if not request.scope.can_write_path(org.path) or org.kind not in CELL_KINDS:
        raise Http404
    form = CandidateAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            candidate = candidate_add(
                identity=form.identity(),
                cell=org,
                listed_on=form.cleaned_data["listed_on"],
                note=form.cleaned_data.get("note") or "",
                actor=request.user,
            )
        except RuleViolation as error:
            form.add_violations(error, {"org": "listed_on"})
        else:
            messages.success(request, f"Đã đưa {candidate.full_name} vào danh sách cảm tình Đảng.")
            return redirect("candidates:candidate_page", candidate_id=candidate.pk)
    return form_page(
        request,
        form,
        title=f"Thêm quần chúng cảm tình Đảng — {org.name}",
        cancel_url=reverse("candidates:org_candidates", args=[org.pk]),
        subtitle="Quần chúng ưu tú được chi bộ đưa vào danh sách cảm tình Đảng để bồi dưỡng, xem xét kết nạp.",
    )


@login_required
def candidate_page_view(request: ScopedRequest, candidate_id) -> HttpResponse:
    candidate = in_scope_or_404(candidate_get, actor=request.scope, candidate_id=candidate_id)
    can_edit = request.scope.can_write_path(candidate.cell_path)
    upcoming = next_step(candidate)
    form = None
    if can_edit and upcoming:
        form = CandidateStepForm(
            request.POST if request.method == "POST" else None,
            step=upcoming,
            actor=request.scope,
            candidate=candidate,
        )
        if upcoming == Step.CELL_VOTE:
            add_absent_exempted(form, candidate.cell)
        if request.method == "POST":
            if request.POST.get("step") != upcoming:
                form.is_valid()
                form.add_error(None, "Hồ sơ vừa được người khác cập nhật; hãy xem lại bước tiếp theo.")
            elif form.is_valid():
                try:
                    candidate_record_step(
                        candidate=candidate,
                        kind=upcoming,
                        step=form.step_input(),
                        actor=request.user,
                        reader=request.scope,
                    )
                except RuleViolation as error:
                    form.add_violations(
                        error,
                        {
                            "sponsors": "sponsor1",
                            "vote_on": "done_on",
                            "birth_date": "done_on",
                            "org": "done_on",
                        },
                    )
                else:
                    messages.success(request, f"Đã ghi «{Step(upcoming).label}».")
                    candidate.refresh_from_db()
                    if candidate.member_id:
                        return redirect("members:member_profile", member_id=candidate.member_id)
                    return redirect("candidates:candidate_page", candidate_id=candidate.pk)
    elif request.method == "POST":
        raise Http404
    steps = candidate_steps(candidate)
    context = {
        "candidate": candidate,
        "steps": steps,
        "next": upcoming,
        "next_label": Step(upcoming).label if upcoming else "",
        "due": candidate_next_due(candidate, steps),
        "form": form,
        "can_edit": can_edit,
        "all_steps": [(kind, label, kind in {s.kind for s in steps}) for kind, label in Step.choices],
        "breadcrumbs": org_breadcrumbs(actor=request.scope, org=candidate.cell),
    }
    return render(
        request, "candidates/candidate.html", context, status=400 if form is not None and form.errors else 200
    )


@login_required
def candidate_withdraw_view(request: ScopedRequest, candidate_id) -> HttpResponse:
    candidate = in_scope_or_404(candidate_get, actor=request.scope, candidate_id=candidate_id, for_edit=True)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            candidate_withdraw(
                candidate=candidate,
                on=form.cleaned_data["on"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
            )
        except RuleViolation as error:
            form.add_violations(error)
        else:
            messages.success(request, "Đã ghi thôi xem xét.")
            return redirect("candidates:org_candidates", org_id=candidate.cell_id)
    return form_page(
        request,
        form,
        title=f"Thôi xem xét kết nạp: {candidate.full_name}",
        cancel_url=reverse("candidates:candidate_page", args=[candidate.pk]),
        submit="Ghi nhận",
    )
