"""Pages of the exchange (issue 22): the reports received from below and their differences
(with the export and a printable page), «Gửi báo cáo lên cấp trên» (a background job writes
the signed package), «Nhận báo cáo của cấp dưới» (upload; every refusal shown in Vietnamese,
nothing stored), and the keys of the organizations below (administrators and officers above).

Every read goes through the scoped selectors; a report or key outside the user's scope is the
same 404 as none."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render

from dangbo.audit.services import Action, audit_record
from dangbo.core import clock
from dangbo.core.http import ScopedRequest
from dangbo.core.pages import in_scope_or_404, spreadsheet_download
from dangbo.core.spreadsheet import list_title
from dangbo.core.violations import NotInScope, RuleViolation
from dangbo.exchange import keys, selectors, services
from dangbo.exchange.contents import Difference
from dangbo.exchange.forms import ReceiveForm, SendForm, TrustForm
from dangbo.exchange.jobs import EXPORT_JOB, export_params
from dangbo.exchange.package import PackageRefused
from dangbo.jobs.services import job_start
from dangbo.orgs.models import Org
from dangbo.orgs.selectors import org_find_code, org_roots

LIST_LIMIT = 200
SHOWN_MATCHING = 500  # matching figures shown on the page; the export has them all
FORMATS = ("csv", "xlsx")


def _readers_only(request: ScopedRequest) -> None:
    if not request.scope.sees_orgs:
        raise Http404


def _org_in_scope(request: ScopedRequest, code: str, *, keys_of: bool = False) -> Org | None:
    """The organization of ``code`` if the user reads it (or, ``keys_of``, manages its keys);
    None otherwise — an organization outside the scope is the same as none."""
    org = org_find_code(code)
    if org is None:
        return None
    allowed = (
        selectors.may_manage_keys(actor=request.scope, org=org)
        if keys_of
        else request.scope.can_read_path(org.path)
    )
    return org if allowed else None


@login_required
def exchange_home(request: ScopedRequest) -> HttpResponse:
    """The reports received from below, newest report date first, with their differences."""
    _readers_only(request)
    reports = selectors.submitted_list(actor=request.scope)
    total = reports.count()
    context = {
        "reports": reports[:LIST_LIMIT],
        "total": total,
        "limit": LIST_LIMIT,
        "manages_keys": request.scope.manages_accounts,
    }
    return render(request, "exchange/home.html", context)


@login_required
def send(request: ScopedRequest) -> HttpResponse:
    """Pick an organization, a report and a date; a background job writes the signed package."""
    _readers_only(request)
    roots = list(org_roots(actor=request.scope)[:20])
    posted = request.method == "POST"
    form = SendForm(request.POST if posted else None, initial={"org_code": roots[0].code if roots else ""})
    if posted and form.is_valid():
        data = form.cleaned_data
        org = _org_in_scope(request, data["org_code"])
        if org is None:
            form.add_error("org_code", "Không có tổ chức mã này trong phạm vi của tài khoản.")
        else:
            kind, form_code = form.kind_and_form()
            job = job_start(
                kind=EXPORT_JOB,
                owner=request.user,
                params=export_params(
                    org=org, kind=kind, form=form_code, as_of=data["ngay"], start=data["tu"], end=data["den"]
                ),
                title=f"Gói báo cáo gửi cấp trên — {org.name}",
                subject=("org", str(org.pk)),
            )
            return redirect("jobs:job", job_id=job.pk)
    public = keys.public_key_text()
    context = {"form": form, "roots": roots, "public_key": public, "fingerprint": keys.fingerprint(public)}
    return render(
        request, "exchange/send.html", context, status=400 if form.is_bound and form.errors else 200
    )


@login_required
def receive(request: ScopedRequest) -> HttpResponse:
    """Upload a package from below: checked, stored once, or refused with the reason."""
    if not (request.scope.is_admin or request.scope.write_paths):
        raise Http404
    posted = request.method == "POST"
    form = ReceiveForm(request.POST if posted else None, request.FILES if posted else None)
    if posted and form.is_valid():
        upload = form.cleaned_data["package_file"]
        try:
            imported = services.package_import(
                actor=request.scope, user=request.user, data=services.upload_bytes(upload)
            )
        except PackageRefused as refusal:
            form.add_error("package_file", str(refusal))
        else:
            report = imported.report
            if imported.created:
                messages.success(
                    request,
                    f"Đã nhận báo cáo của {report.org.name}; "
                    + (
                        f"{report.difference_count} số liệu khác với số liệu của cấp này."
                        if report.difference_count is not None
                        else "chưa tính được số liệu của cấp này cho ngày báo cáo."
                    ),
                )
            else:
                messages.info(
                    request,
                    f"Gói báo cáo này đã được nhận ngày {report.received_at:%d/%m/%Y}; không lưu lại lần nữa.",
                )
            return redirect("exchange:report", report_id=report.pk)
    return render(
        request, "exchange/receive.html", {"form": form}, status=400 if form.is_bound and form.errors else 200
    )


def _cells(d: Difference) -> list:
    return [
        d.org_code,
        d.row_label,
        d.figure_label,
        d.submitted,
        d.local,
        d.difference,
        "Khác" if d.differs else "",
    ]


HEADER = [
    "Mã tổ chức",
    "Tổ chức / dòng",
    "Số liệu",
    "Báo cáo gửi lên",
    "Cấp này tính",
    "Chênh lệch",
    "Khác nhau",
]


@login_required
def report_page(request: ScopedRequest, report_id) -> HttpResponseBase:
    """A received report beside this installation's own figures: differences first; the list
    as CSV or Excel (``?dinh-dang=``), and printable."""
    report = in_scope_or_404(selectors.submitted_get, actor=request.scope, report_id=report_id)
    differences = services.report_compare(actor=request.scope, report=report)
    file_format = request.GET.get("dinh-dang")
    if file_format in FORMATS and differences is not None:
        audit_record(
            action=Action.EXPORTED,
            subject_type="org",
            subject_id=str(report.org_id),
            data={
                "list": "exchange_differences",
                "package_id": str(report.package_id),
                "rows": len(differences),
            },
        )
        return spreadsheet_download(
            HEADER,
            (_cells(d) for d in differences),
            file_format=file_format,
            filename=f"doi-chieu-{report.org.code}-{report.as_of:%Y%m%d}.{file_format}",
            title=list_title(
                f"Đối chiếu số liệu báo cáo gửi lên ngày {report.as_of:%d/%m/%Y} với số liệu cấp này",
                report.org.name,
                clock.today(),
            ),
        )
    differing = [d for d in differences or [] if d.differs]
    matching = [d for d in differences or [] if not d.differs]
    context = {
        "report": report,
        "manifest": report.manifest,
        "kind_label": report.kind_label,
        "computed": differences is not None,
        "differing": differing,
        "matching": matching[:SHOWN_MATCHING],
        "matching_total": len(matching),
    }
    return render(request, "exchange/report.html", context)


@login_required
def peers(request: ScopedRequest) -> HttpResponse:
    """The keys of the organizations below: register one, revoke one."""
    scope = request.scope
    if not scope.manages_accounts:
        raise Http404
    form = TrustForm(request.POST if request.method == "POST" and "revoke" not in request.POST else None)
    if request.method == "POST" and "revoke" in request.POST:
        peer = in_scope_or_404(selectors.peer_get, actor=scope, peer_id=_uuid_or_404(request.POST["revoke"]))
        services.peer_revoke(actor=scope, user=request.user, peer=peer)
        messages.success(request, f"Đã thu hồi khóa {peer.fingerprint} của {peer.org.name}.")
        return redirect("exchange:peers")
    if form.is_bound and form.is_valid():
        org = _org_in_scope(request, form.cleaned_data["org_code"], keys_of=True)
        if org is None:
            form.add_error("org_code", "Không có tổ chức mã này trong phạm vi quản lý của tài khoản.")
        else:
            try:
                peer = services.peer_trust(
                    actor=scope, user=request.user, org=org, public_key=form.cleaned_data["public_key"]
                )
            except (RuleViolation, NotInScope) as error:
                if isinstance(error, RuleViolation):
                    form.add_violations(error)
                else:
                    form.add_error("org_code", "Không có tổ chức mã này trong phạm vi quản lý của tài khoản.")
            else:
                messages.success(request, f"Đã đăng ký khóa {peer.fingerprint} cho {org.name}.")
                return redirect("exchange:peers")
    context = {"form": form, "peers": selectors.peers_list(actor=scope)}
    return render(
        request, "exchange/peers.html", context, status=400 if form.is_bound and form.errors else 200
    )


def _uuid_or_404(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise Http404 from None
