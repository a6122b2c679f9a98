"""API of Party dues (RULES.md §7, issue 20): the collection book of an organization for a
month, the summary of what its sub-organizations owed, collected, kept and remitted, and one
member's account. Read only, through the same selectors as the command line and the pages:
outside the caller's subtrees everything answers 404, as if it did not exist; the book (a list
of people) and a member's account are audited; the summary is counts and sums only. Figures
RULES.md leaves UNCONFIRMED say so (``confirmed``) with the citation that applied.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from ninja import Field, Query, Router, Schema

from dangbo.core import clock
from dangbo.core.violations import NotInScope, RuleViolation, input_violation
from dangbo.dues.months import MONTH_HELP, BadMonth, parse_month
from dangbo.dues.selectors import member_account, org_book, org_summary
from dangbo.members.api import ErrorOut
from dangbo.members.models import Member
from dangbo.orgs.selectors import org_get
from dangbo.rules.dues import Category, ReliefGround, ReliefKind

router = Router(tags=["Đảng phí"])

PER_PAGE = 200


def _month(text: str | None) -> date:
    if not text:
        return clock.today().replace(day=1)
    try:
        return parse_month(text)
    except BadMonth as error:
        raise RuleViolation([input_violation("month", str(error))]) from None


class MonthQuery(Schema):
    month: str | None = Field(None, max_length=10, description=f"tháng ({MONTH_HELP}); mặc định: tháng này")


class BookQuery(MonthQuery):
    page: int = Field(1, ge=1, le=1_000_000)


class RuleOut(Schema):
    citation: str
    confirmed: bool = Field(
        description="false: có mức RULES.md ghi CHƯA XÁC NHẬN, hoặc cấu hình riêng của cấp ủy"
    )
    settings: list[str] = Field(description="cấu hình riêng của cấp ủy đã thay mức của quy định")


class BookLineOut(Schema):
    member_id: UUID
    full_name: str
    org_id: UUID
    org_code: str
    category: str = Field(description="'' khi chưa có căn cứ đóng đảng phí")
    category_label: str
    income: int = Field(description="thu nhập làm căn cứ (đồng)")
    due: int | None = Field(description="phải đóng cho tháng (đồng); null: chưa có căn cứ, chưa tính được")
    paid: int = Field(description="đã nộp cho tháng (đồng)")
    balance: int | None = Field(description="còn thiếu (đồng; âm: nộp cao hơn mức phải đóng)")
    relief_kind: str
    relief_ground: str
    relief: str
    collected: int = Field(description="thu trong tháng, cho bất kỳ tháng nào (đồng)")
    receipts: list[str]
    arrears_months: int = Field(description="số tháng chưa nộp trong năm, tính đến tháng này")
    arrears: int = Field(description="số tiền chưa nộp trong năm (đồng)")


class BookTotalsOut(Schema):
    members: int
    without_basis: int
    due: int
    paid: int
    balance: int
    collected: int
    arrears: int


class BookOut(Schema):
    org_id: UUID
    org_code: str
    org_name: str
    month: str
    rule: RuleOut
    totals: BookTotalsOut
    count: int
    page: int
    pages: int
    items: list[BookLineOut]


def _rule(applied) -> dict:
    return {"citation": applied.citation, "confirmed": applied.confirmed, "settings": list(applied.settings)}


@router.get(
    "/orgs/{org_id}/dues",
    response={200: BookOut, 422: ErrorOut},
    summary="Sổ thu nộp đảng phí của tổ chức trong một tháng, từng đảng viên của các chi bộ (ghi nhật ký)",
)
def dues_book(request, org_id: UUID, query: Query[BookQuery]):
    org = org_get(actor=request.scope, org_id=org_id)
    month = _month(query.month)
    book = org_book(actor=request.scope, org=org, month=month)
    count = len(book.lines)
    pages = max(1, -(-count // PER_PAGE))
    page = min(query.page, pages)
    lines = book.lines[(page - 1) * PER_PAGE : page * PER_PAGE]
    return {
        "org_id": org.pk,
        "org_code": org.code,
        "org_name": org.name,
        "month": f"{month:%Y-%m}",
        "rule": _rule(book.schedule),
        "totals": {
            "members": count,
            "without_basis": book.without_basis,
            "due": book.due,
            "paid": book.paid,
            "balance": sum(line.due - line.paid for line in book.lines if line.due is not None),
            "collected": book.collected,
            "arrears": book.arrears,
        },
        "count": count,
        "page": page,
        "pages": pages,
        "items": [
            {
                "member_id": line.member_id,
                "full_name": line.name,
                "org_id": line.org_id,
                "org_code": book.cells[line.org_id].code if line.org_id in book.cells else "",
                "category": line.category,
                "category_label": line.category_label,
                "income": line.income,
                "due": line.due,
                "paid": line.paid,
                "balance": None if line.due is None else line.due - line.paid,
                "relief_kind": line.relief_kind,
                "relief_ground": line.relief_ground,
                "relief": line.relief_label,
                "collected": line.collected,
                "receipts": line.receipts,
                "arrears_months": line.arrears_months,
                "arrears": line.arrears,
            }
            for line in lines
        ],
    }


class SummaryRowOut(Schema):
    org_id: UUID
    org_code: str
    org_name: str
    members: int = Field(description="đảng viên phải đóng trong tháng")
    due: int
    paid: int = Field(description="đã nộp cho tháng (đồng)")
    unpaid_members: int = Field(description="đảng viên chưa nộp đủ cho tháng (trừ người được cho chậm đóng)")
    collected: int = Field(description="thu trong tháng (đồng)")
    kept: int = Field(description="trích giữ lại (đồng)")
    remitted: int = Field(description="nộp lên cấp trên (đồng)")


class SharesOut(RuleOut):
    cell: int
    grassroots: int
    upper: int
    province: int


class SummaryOut(Schema):
    org_id: UUID
    org_code: str
    org_name: str
    month: str
    rule: RuleOut
    shares: SharesOut
    rows: list[SummaryRowOut]
    own: SummaryRowOut = Field(description="phần tổ chức tự thu, trích giữ lại và nộp lên cấp trên")
    total: SummaryRowOut


def _summary_row(row) -> dict:
    return {
        "org_id": row.org.pk,
        "org_code": row.org.code,
        "org_name": row.org.name,
        **{
            name: getattr(row, name)
            for name in ("members", "due", "paid", "unpaid_members", "collected", "kept", "remitted")
        },
    }


@router.get(
    "/orgs/{org_id}/dues/summary",
    response={200: SummaryOut, 422: ErrorOut},
    summary="Tổng hợp đảng phí của tổ chức trong một tháng theo tổ chức trực thuộc: phải thu, đã thu, "
    "trích giữ lại, nộp cấp trên",
)
def dues_summary(request, org_id: UUID, query: Query[MonthQuery]):
    org = org_get(actor=request.scope, org_id=org_id)
    month = _month(query.month)
    summary = org_summary(actor=request.scope, org=org, month=month)
    shares = summary.shares
    return {
        "org_id": org.pk,
        "org_code": org.code,
        "org_name": org.name,
        "month": f"{month:%Y-%m}",
        "rule": _rule(summary.schedule),
        "shares": {
            **_rule(shares),
            "cell": shares.value.cell,
            "grassroots": shares.value.grassroots,
            "upper": shares.value.upper,
            "province": shares.value.province,
        },
        "rows": [_summary_row(row) for row in summary.rows],
        "own": _summary_row(summary.own),
        "total": _summary_row(summary.total),
    }


class AccountMonthOut(Schema):
    month: str
    org_code: str
    owed: bool
    category: str
    income: int
    full: int = Field(description="mức theo quy định, trước miễn, giảm (đồng)")
    due: int
    relief_kind: str
    relief_ground: str
    paid: int
    balance: int
    unpaid: bool
    rule_version: str


class PaymentOut(Schema):
    id: UUID
    receipt_no: str
    org_code: str
    first_month: str
    last_month: str
    amount: int
    paid_on: date
    method: str
    reference: str
    reverses: str | None = Field(description="số biên lai của phiếu thu bị hủy bởi phiếu này")
    note: str


class ReliefOut(Schema):
    id: UUID
    kind: str
    kind_label: str
    ground: str
    ground_label: str
    percent: int
    first_month: str
    last_month: str | None
    decision_no: str
    decision_on: date | None
    decision_body: str
    revoked: bool


class BasisOut(Schema):
    category: str
    category_label: str
    income: int
    valid_from: str
    source: str


class AccountOut(Schema):
    member_id: UUID
    full_name: str
    owed_total: int
    paid_total: int
    unpaid_months: list[str]
    months: list[AccountMonthOut]
    payments: list[PaymentOut]
    reliefs: list[ReliefOut]
    bases: list[BasisOut]


@router.get(
    "/members/{member_id}/dues",
    response=AccountOut,
    summary="Đảng phí của một đảng viên: từng tháng, các lần nộp, miễn giảm, căn cứ đóng (ghi nhật ký)",
)
def dues_of_member(request, member_id: UUID):
    member = Member.objects.filter(pk=member_id).first()
    if member is None:
        raise NotInScope(member_id)
    account = member_account(actor=request.scope, member=member)
    return {
        "member_id": member.pk,
        "full_name": member.full_name,
        "owed_total": account.owed_total,
        "paid_total": account.paid_total,
        "unpaid_months": [f"{m.month:%Y-%m}" for m in account.unpaid_months],
        "months": [
            {
                "month": f"{m.month:%Y-%m}",
                "org_code": m.org.code,
                "owed": m.owed,
                "category": m.category,
                "income": m.income,
                "full": m.full,
                "due": m.due,
                "relief_kind": m.relief_kind,
                "relief_ground": m.relief_ground,
                "paid": m.paid,
                "balance": m.balance,
                "unpaid": m.unpaid,
                "rule_version": m.rule_version,
            }
            for m in account.months
        ],
        "payments": [
            {
                "id": p.pk,
                "receipt_no": p.receipt_no,
                "org_code": p.org.code,
                "first_month": f"{p.first_month:%Y-%m}",
                "last_month": f"{p.last_month:%Y-%m}",
                "amount": p.amount,
                "paid_on": p.paid_on,
                "method": p.method,
                "reference": p.reference,
                "reverses": p.reverses.receipt_no if p.reverses else None,
                "note": p.note,
            }
            for p in account.payments
        ],
        "reliefs": [
            {
                "id": r.pk,
                "kind": r.kind,
                "kind_label": ReliefKind.LABELS[r.kind],
                "ground": r.ground,
                "ground_label": ReliefGround.LABELS[r.ground],
                "percent": r.percent,
                "first_month": f"{r.first_month:%Y-%m}",
                "last_month": f"{r.last_month:%Y-%m}" if r.last_month else None,
                "decision_no": r.decision_no,
                "decision_on": r.decision_on,
                "decision_body": r.decision_body,
                "revoked": r.revoked_at is not None,
            }
            for r in account.reliefs
        ],
        "bases": [
            {
                "category": b.category,
                "category_label": Category.SHORT[b.category],
                "income": b.income,
                "valid_from": f"{b.valid_from:%Y-%m}",
                "source": b.source,
            }
            for b in account.bases
        ],
    }
