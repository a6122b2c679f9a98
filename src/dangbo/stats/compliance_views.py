"""The compliance page of an organization: every check of ``stats.compliance`` over its
subtree, as a summary and a list (?kiem-tra=<check> narrows it; ?dinh-dang=xlsx|csv exports)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.views.decorators.http import require_GET

from dangbo.audit.services import Action, audit_record
from dangbo.core import clock
from dangbo.core.http import ScopedRequest
from dangbo.core.pages import in_scope_or_404, page_number, spreadsheet_download
from dangbo.core.spreadsheet import list_title
from dangbo.members import exports
from dangbo.orgs.labels import org_labels_attach
from dangbo.orgs.selectors import org_breadcrumbs, org_get
from dangbo.stats.compliance import (
    CHECK_TITLES,
    HEADER,
    WIDTHS,
    compliance_rows,
    compliance_run,
    compliance_summary,
)

PER_PAGE = 100


@login_required
@require_GET
def compliance_page(request: ScopedRequest, org_id) -> HttpResponseBase:
    org = in_scope_or_404(org_get, actor=request.scope, org_id=org_id)
    today = clock.today()
    findings = compliance_run(root=org, today=today, actor=request.scope)
    summary = compliance_summary(findings, on=today)
    check = request.GET.get("kiem-tra", "")
    if check and check not in CHECK_TITLES:
        raise Http404("Không có nội dung kiểm tra này.")
    shown = [f for f in findings if f.check == check] if check else findings
    file_format = request.GET.get("dinh-dang")
    if file_format in ("csv", "xlsx"):
        if not exports.may_export_people(request.scope, org.path):  # findings name members
            return exports.export_refused(request, what="compliance", org=org)
        audit_record(
            action=Action.EXPORTED,
            subject_type="org",
            subject_id=str(org.pk),
            data={"list": "compliance", "check": check, "rows": len(shown), "format": file_format},
        )
        return spreadsheet_download(
            HEADER,
            compliance_rows(shown),
            file_format=file_format,
            filename=f"kiem-tra-tuan-thu-{org.code}-{today:%Y%m%d}.{file_format}",
            title=list_title("Kiểm tra tuân thủ quy định", org.name, today),
            widths=WIDTHS,
        )
    page = Paginator(shown, PER_PAGE).get_page(page_number(request))
    audit_record(
        action=Action.LIST_VIEWED,
        subject_type="org",
        subject_id=str(org.pk),
        data={"list": "compliance", "check": check, "rows": len(shown), "page": page.number},
    )
    org_labels_attach(actor=request.scope, orgs=[f.org for f in page.object_list])
    context = {
        "org": org,
        "today": today,
        "breadcrumbs": org_breadcrumbs(actor=request.scope, org=org),
        "summary": summary,
        "total": len(findings),
        "check": check,
        "check_title": CHECK_TITLES.get(check, ""),
        "page": page,
        # a member arriving by transfer from outside the scope is named, not linked (as on the to-do page)
        "rows": [
            (f, f.member is not None and request.scope.can_read_member(f.member)) for f in page.object_list
        ],
        "query": f"kiem-tra={check}" if check else "",
    }
    return render(request, "stats/compliance.html", context)
