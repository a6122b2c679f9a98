"""Dues pages (RULES.md §7): where to start, the collection book of a cell or grassroots
organization for a month (sổ thu nộp đảng phí), the summary of a higher level (collected, kept,
remitted), a member's own page and a payment's receipt. The forms that record are in
``record_views``. Every page reads through the scoped selectors; an organization, member or
payment outside the user's scope is the same 404 as none."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render

from dangbo.audit.services import Action, audit_record
from dangbo.core import clock
from dangbo.core.http import ScopedRequest
from dangbo.core.kinds import CELL_KINDS, GRASSROOTS_KINDS
from dangbo.core.pages import in_scope_or_404, spreadsheet_download
from dangbo.documents.tables import Table, TableDoc, tables_pdf, tables_xlsx
from dangbo.dues import accounts, selectors
from dangbo.dues.forms import parse_month
from dangbo.dues.models import DuesPayment
from dangbo.members import exports
from dangbo.members.models import Member
from dangbo.orgs.labels import org_labels_attach, org_tree_sorted
from dangbo.orgs.models import Org
from dangbo.orgs.selectors import org_breadcrumbs, org_get
from dangbo.rules.dues import Category
from dangbo.rules.probation import add_months

BOOK_KINDS = CELL_KINDS | GRASSROOTS_KINDS
HOME_LIST_LIMIT = 300
FORMATS = ("xlsx", "csv", "pdf")
MONTH_CHOICES = 36  # months offered by the picker, back from this one (older: «Tháng trước»)


def month_of(request) -> date:
    """The month of ``?thang=`` (2026-11 or 11/2026), within 1930 and a year ahead; this month
    when missing or unreadable."""
    today = clock.today().replace(day=1)
    month = parse_month(request.GET.get("thang", "")[:20])
    if month is None or month > add_months(today, 12):
        return today
    return month


def _nav(month: date) -> dict:
    today = clock.today().replace(day=1)
    later = add_months(month, 1)
    choices = [add_months(today, -n) for n in range(MONTH_CHOICES)]
    if month not in choices:
        choices.append(month)
    return {
        "month": month,
        "month_choices": [(f"{m:%Y-%m}", f"Tháng {m:%m/%Y}") for m in sorted(choices, reverse=True)],
        "month_param": f"{month:%Y-%m}",
        "previous": f"{add_months(month, -1):%Y-%m}",
        "next": f"{later:%Y-%m}" if later <= today else "",
        "this_month": f"{today:%Y-%m}",
    }


def _download(doc: TableDoc, header, rows, *, file_format: str, filename: str) -> HttpResponseBase:
    """The book or summary as CSV (streamed, neutralised), XLSX (typed numbers, frozen header)
    or PDF (A4 landscape), all from the same rows."""
    if file_format == "csv":
        return spreadsheet_download(
            header, rows, file_format="csv", filename=f"{filename}.csv", title=doc.title
        )
    if file_format == "pdf":
        response = HttpResponse(tables_pdf(doc), content_type="application/pdf")
    else:
        response = HttpResponse(
            tables_xlsx(doc),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}.{file_format}"'
    return response


@login_required
def dues_home(request: ScopedRequest) -> HttpResponse:
    """Where a secretary starts: straight to their cell's book when the cell is all they write;
    otherwise the organizations that keep a book within the scope; a member goes to their own
    page."""
    scope = request.scope
    if not scope.sees_orgs:
        if scope.own_member_id:
            return redirect("dues:my_dues")
        raise Http404
    book_orgs = Org.objects.filter(scope.orgs_q(), kind__in=list(BOOK_KINDS), dissolved_on__isnull=True)
    written = list(book_orgs.filter(path__in=scope.write_paths)) if scope.write_paths else []
    if (
        len(written) == 1
        and len(scope.write_paths) == 1
        and written[0].kind in CELL_KINDS
        and not scope.is_admin
    ):
        return redirect("dues:org_book", org_id=written[0].pk)
    orgs = list(book_orgs.order_by("path")[: HOME_LIST_LIMIT + 1])
    org_labels_attach(actor=scope, orgs=orgs)
    orgs = org_tree_sorted(orgs[:HOME_LIST_LIMIT]) + orgs[HOME_LIST_LIMIT:]
    tops = (
        Org.objects.filter(parent__isnull=True)
        if scope.is_admin
        else Org.objects.filter(path__in=scope.read_paths)
    )
    roots = list(tops.filter(dissolved_on__isnull=True).order_by("path")[:20])
    return render(
        request,
        "dues/home.html",
        {
            "orgs": orgs[:HOME_LIST_LIMIT],
            "more": len(orgs) > HOME_LIST_LIMIT,
            "roots": [r for r in roots if r.kind not in CELL_KINDS],
        },
    )


# --- the collection book -------------------------------------------------------------------

BOOK_HEADER = [
    "STT",
    "Họ và tên",
    "Chi bộ",
    "Đối tượng",
    "Thu nhập làm căn cứ (đồng)",
    "Phải đóng (đồng)",
    "Miễn, giảm",
    "Đã nộp cho tháng (đồng)",
    "Thu trong tháng (đồng)",
    "Số phiếu thu",
    "Số tháng chưa nộp trong năm",
    "Số tiền chưa nộp trong năm (đồng)",
]


def _book_rows(book, unopened: set) -> list[list]:
    return [
        [
            n,
            line.name,
            book.cells[line.org_id].name if line.org_id in book.cells else "",
            "Chưa mở sổ tháng" if line.member_id in unopened else line.category_label,
            line.income if line.category else None,
            line.due,
            line.relief_label,
            line.paid,
            line.collected,
            ", ".join(line.receipts),
            line.arrears_months,
            line.arrears,
        ]
        for n, line in enumerate(book.lines, start=1)
    ]


def _unconfirmed(book) -> list[str]:
    """The categories of the book's members whose rate RULES.md leaves unconfirmed."""
    used = {line.category for line in book.lines if line.category}
    rates = book.schedule.value.rates
    return [Category.SHORT[c] for c in Category.LABELS if c in used and not rates[c].confirmed]


def _rule_note(book) -> str:
    note = f"Căn cứ: {book.schedule.citation}."
    if not book.schedule.confirmed:
        note += " Mức đóng chưa được xác nhận đầy đủ (CHƯA XÁC NHẬN)."
    if book.schedule.settings:
        note += " Theo cấu hình của cấp ủy: " + "; ".join(book.schedule.settings) + "."
    return note


@login_required
def org_book(request: ScopedRequest, org_id) -> HttpResponseBase:
    """The month's book: every member of the organization's cells, what they owe and paid,
    what was collected (with the receipts), the unpaid months of the year; totals."""
    org = in_scope_or_404(org_get, actor=request.scope, org_id=org_id)
    if org.kind not in BOOK_KINDS:
        return redirect("dues:org_summary", org_id=org.pk)
    month = month_of(request)
    book = selectors.org_book(actor=request.scope, org=org, month=month)
    # members with a basis whose account for the month is not opened yet (not "without basis")
    unopened = selectors.members_with_basis(
        [line.member_id for line in book.lines if line.due is None], month
    )
    file_format = request.GET.get("dinh-dang")
    if file_format in FORMATS:
        if not exports.may_export_people(request.scope, org.path):
            return exports.export_refused(request, what="dues_book", org=org)
        audit_record(
            action=Action.EXPORTED,
            subject_type="org",
            subject_id=str(org.pk),
            data={
                "list": "dues_book",
                "month": f"{month:%Y-%m}",
                "rows": len(book.lines),
                "format": file_format,
            },
        )
        rows = _book_rows(book, unopened)
        total = ["", "Cộng", "", "", None, book.due, "", book.paid, book.collected, "", None, book.arrears]
        title = f"Sổ thu, nộp đảng phí tháng {month:%m/%Y} — {org.name}"
        doc = TableDoc(
            title=title,
            subtitle=f"Lập ngày {clock.today():%d/%m/%Y}",
            tables=[
                Table(
                    title="Sổ thu, nộp đảng phí",
                    header=BOOK_HEADER,
                    rows=[*rows, total],
                    note=_rule_note(book),
                )
            ],
        )
        return _download(
            doc,
            BOOK_HEADER,
            [*rows, total],
            file_format=file_format,
            filename=f"dang-phi-{org.code}-{month:%Y-%m}",
        )
    receipts = selectors.book_receipts(book)
    by_cell: dict = {}
    for line in book.lines:
        by_cell.setdefault(line.org_id, []).append(line)
    groups = []
    for cell_id, cell in book.cells.items():
        lines = by_cell.get(cell_id, [])
        if lines:
            groups.append(
                {
                    "cell": cell,
                    "lines": [
                        (line, [(r, *receipts.get(f"{cell_id}|{r}", (None, False))) for r in line.receipts])
                        for line in lines
                    ],
                    "due": sum(line.due or 0 for line in lines),
                    "paid": sum(line.paid for line in lines),
                    "collected": sum(line.collected for line in lines),
                    "arrears": sum(line.arrears for line in lines),
                }
            )
    context = {
        "org": org,
        "book": book,
        "groups": groups,
        "grouped": len(book.cells) > 1,
        "unconfirmed": _unconfirmed(book),
        "unopened": unopened,
        "without_basis": sum(1 for line in book.lines if line.due is None and line.member_id not in unopened),
        "opened_through": accounts.opened_through(),
        "unpaid_members": sum(1 for line in book.lines if line.arrears_months),
        "can_write": request.scope.can_write_path(org.path),
        "may_export": exports.may_export_people(request.scope, org.path),
        "breadcrumbs": org_breadcrumbs(actor=request.scope, org=org),
        **_nav(month),
    }
    return render(request, "dues/book.html", context)


# --- the summary of a higher level -----------------------------------------------------------

SUMMARY_HEADER = [
    "STT",
    "Tổ chức",
    "Số đảng viên phải đóng",
    "Phải đóng (đồng)",
    "Đã nộp cho tháng (đồng)",
    "Số đảng viên chưa nộp",
    "Thu trong tháng (đồng)",
    "Trích giữ lại (đồng)",
    "Nộp lên (đồng)",
]


def _summary_cells(n, name, row) -> list:
    return [
        n,
        name,
        row.members,
        row.due,
        row.paid,
        row.unpaid_members,
        row.collected,
        row.kept,
        row.remitted,
    ]


def _shares_text(summary) -> str:
    shares = summary.shares.value
    text = (
        f"Tỷ lệ trích giữ lại: chi bộ trực thuộc {shares.cell}%, tổ chức cơ sở đảng {shares.grassroots}%, "
        f"cấp trên trực tiếp cơ sở {shares.upper}%, tỉnh ủy, thành ủy {shares.province}%"
    )
    text += f" — {summary.shares.citation}"
    if not summary.shares.confirmed:
        text += " (CHƯA XÁC NHẬN)"
    if summary.shares.settings:
        text += "; theo cấu hình của cấp ủy: " + "; ".join(summary.shares.settings)
    return text + "."


@login_required
def org_summary(request: ScopedRequest, org_id) -> HttpResponseBase:
    """The month's dues by direct sub-organization, and the organization's own: members owing,
    due, paid, unpaid, collected, kept and remitted. Counts and sums only."""
    org = in_scope_or_404(org_get, actor=request.scope, org_id=org_id)
    month = month_of(request)
    summary = selectors.org_summary(actor=request.scope, org=org, month=month)
    own_name = f"{org.name} (thu trực tiếp, trích giữ lại)"
    total = summary.total
    file_format = request.GET.get("dinh-dang")
    if file_format in FORMATS:
        audit_record(
            action=Action.EXPORTED,
            subject_type="org",
            subject_id=str(org.pk),
            data={
                "list": "dues_summary",
                "month": f"{month:%Y-%m}",
                "rows": len(summary.rows),
                "format": file_format,
            },
        )
        rows = [_summary_cells(n, r.org.name, r) for n, r in enumerate(summary.rows, start=1)]
        rows.append(_summary_cells("", own_name, summary.own))
        rows.append(_summary_cells("", "Tổng cộng", total))
        doc = TableDoc(
            title=f"Tổng hợp thu, nộp đảng phí tháng {month:%m/%Y} — {org.name}",
            subtitle=f"Lập ngày {clock.today():%d/%m/%Y}",
            tables=[Table(title="Tổng hợp", header=SUMMARY_HEADER, rows=rows, note=_shares_text(summary))],
        )
        return _download(
            doc,
            SUMMARY_HEADER,
            rows,
            file_format=file_format,
            filename=f"dang-phi-tong-hop-{org.code}-{month:%Y-%m}",
        )
    items = [
        {
            "row": r,
            "book": r.org.kind in CELL_KINDS,
            "has_book": r.org.kind in BOOK_KINDS,
        }
        for r in summary.rows
    ]
    context = {
        "org": org,
        "summary": summary,
        "rows": items,
        "total": total,
        "own_name": own_name,
        "has_book": org.kind in BOOK_KINDS,
        "shares_text": _shares_text(summary),
        "breadcrumbs": org_breadcrumbs(actor=request.scope, org=org),
        **_nav(month),
    }
    return render(request, "dues/summary.html", context)


# --- the member's page and the receipt ---------------------------------------------------------


@login_required
def my_dues(request: ScopedRequest) -> HttpResponse:
    """The signed-in member's own dues: what they owe, paid, their receipts."""
    if request.scope.own_member_id is None:
        raise Http404
    member = Member.objects.filter(pk=request.scope.own_member_id).select_related("org").first()
    if member is None:
        raise Http404
    return _member_page(request, member, own=True)


@login_required
def member_dues(request: ScopedRequest, member_id) -> HttpResponse:
    member = Member.objects.filter(pk=member_id).select_related("org").first()
    if member is None:  # and one outside the scope: selectors.member_account refuses it
        raise Http404
    return _member_page(request, member, own=False)


def _member_page(request, member: Member, *, own: bool) -> HttpResponse:
    account = in_scope_or_404(selectors.member_account, actor=request.scope, member=member)
    year = clock.today().year
    unpaid = sorted(account.unpaid_months, key=lambda m: m.month)
    reversed_ids = {p.reverses_id for p in account.payments if p.reverses_id}
    context = {
        "member": member,
        "own": own,
        "account": account,
        "unpaid": unpaid,
        "unpaid_total": sum(m.due - m.paid for m in unpaid),
        "unpaid_this_year": [m for m in unpaid if m.month.year == year],
        "year": year,
        "months": account.months[:24],
        "reversed_ids": reversed_ids,
        "can_write": (not own or request.scope.sees_orgs) and request.scope.can_write_member(member),
        # a member reading their own page through their profile sees no cell's book
        "sees_book": member.org is not None and request.scope.can_read_path(member.org.path),
        "categories": Category.SHORT,
    }
    return render(request, "dues/member.html", context)


@login_required
def receipt(request: ScopedRequest, payment_id) -> HttpResponse:
    """A payment's receipt (biên lai thu đảng phí), or a reversal's, to print."""
    payment = in_scope_or_404(selectors.payment_get, actor=request.scope, payment_id=payment_id)
    try:
        reversal = payment.reversal
    except DuesPayment.DoesNotExist:
        reversal = None
    context = {
        "payment": payment,
        "member": payment.member,
        "amount": abs(payment.amount),
        "reversal": reversal,
        "single": payment.first_month == payment.last_month,
        "can_write": request.scope.can_write_member(payment.member),
        "sees_book": request.scope.can_read_path(payment.org.path),
    }
    return render(request, "dues/receipt.html", context)
