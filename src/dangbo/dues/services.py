"""Changes to members' dues (RULES.md §7): record a basis, grant or revoke a relief, record or
reverse a payment. Each is one transaction that checks the
rules, writes its row, rewrites the member's monthly account (``dues.accounts``) and audits.

A payment is never edited: a mistaken one is reversed by a new negative entry, with its own
receipt number, pointing at it. Amounts are integer đồng.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction

from dangbo.audit.services import Action, audit_record
from dangbo.core import clock
from dangbo.core.violations import NotInScope, Violation, input_violation, refuse_if
from dangbo.dues import accounts, sums
from dangbo.dues.models import DuesBasis, DuesPayment, DuesRelief, DuesSetting, PaymentMethod
from dangbo.members.models import ACTIVE_STATUSES, Member, Placement
from dangbo.orgs.models import Org
from dangbo.rules import dues as rules
from dangbo.rules.dues import MAX_INCOME, Category, ReliefGround, ReliefKind
from dangbo.rules.probation import add_months

MAX_PAYMENT = 200_000_000  # đồng in one receipt: more is a typing error
MAX_PAYMENT_MONTHS = 24  # months one receipt may cover
HARDSHIP_GROUNDS = frozenset(
    {
        ReliefGround.POOR_HOUSEHOLD,
        ReliefGround.NEAR_POOR_HOUSEHOLD,
        ReliefGround.SERIOUS_ILLNESS,
        ReliefGround.HARDSHIP,
    }
)


def _month_text(month: date) -> str:
    return f"{month:%m/%Y}"


def _require_write(actor, member: Member) -> None:
    if not actor.can_write_member(member):
        raise NotInScope(member.pk)


def _audit(action: str, subject_type: str, subject_id, member: Member, **data) -> None:
    audit_record(
        action=action,
        subject_type=subject_type,
        subject_id=str(subject_id),
        data={"member": str(member.pk), **data},
    )


def _membership(member: Member) -> tuple[date | None, date | None]:
    """The first month the member was counted in a cell, and the month they left (None while
    they are in the Party)."""
    spans = list(
        Placement.objects.filter(member=member, counted=True, status__in=list(ACTIVE_STATUSES))
        .order_by("valid_from")
        .values_list("valid_from", "valid_to")
    )
    if not spans:
        return None, None
    first = spans[0][0].replace(day=1)
    ends = [end for _, end in spans if end is not None]
    if member.status in ACTIVE_STATUSES or len(ends) < len(spans):
        return first, None
    return first, max(ends).replace(day=1)


def _months_in_membership(member: Member, first: date, last: date, field: str) -> list[Violation]:
    joined, left = _membership(member)
    violations = []
    if joined is None:
        violations.append(
            input_violation(field, "Đảng viên chưa sinh hoạt ở chi bộ nào: chưa thể ghi đảng phí.")
        )
        return violations
    if first < joined:
        violations.append(
            Violation(
                "dues.months",
                f"Tháng {_month_text(first)} trước tháng vào Đảng ({_month_text(joined)}): "
                "đảng viên chưa phải đóng đảng phí.",
                f"{rules.QD_01_2026}, Điều 2",
                field=field,
            )
        )
    if left is not None and last > left:
        violations.append(
            Violation(
                "dues.months",
                f"Tháng {_month_text(last)} sau tháng ra khỏi danh sách đảng viên của đảng bộ "
                f"({_month_text(left)}).",
                f"{rules.QD_01_2026}, Điều 2",
                field=field,
            )
        )
    return violations


# --- the basis -----------------------------------------------------------------------------


@transaction.atomic
def dues_basis_record(
    *, actor, member: Member, category: str, income: int | None, valid_from: date, source: str
) -> DuesBasis:
    """What ``member``'s dues are measured on from the month of ``valid_from``. A later basis
    supersedes it; a correction of the same month is a new basis for that month."""
    _require_write(actor, member)
    month = valid_from.replace(day=1)
    source = " ".join((source or "").split())
    violations = []
    if category not in Category.LABELS:
        violations.append(input_violation("category", "Chọn đối tượng đóng đảng phí."))
    income = 0 if category == Category.STUDENT else income
    if category in Category.NEEDS_INCOME:
        if income is None or income <= 0:
            violations.append(
                input_violation(
                    "income", f"Nhập {Category.INCOME_LABELS[category].lower()} (đồng, số dương)."
                )
            )
        elif income > MAX_INCOME:
            violations.append(
                input_violation(
                    "income",
                    f"Số tiền {income:,} đồng một tháng không hợp lý: kiểm tra lại.".replace(",", "."),
                )
            )
    if not source:
        violations.append(
            input_violation("source", "Ghi nguồn số liệu (bảng lương, quyết định hưu, tự khai…).")
        )
    if month > clock.today().replace(day=1):
        violations.append(
            input_violation(
                "valid_from",
                f"Căn cứ đóng đảng phí áp dụng từ tháng {_month_text(month)} là tháng sau này: "
                "chỉ ghi từ tháng hiện tại trở về trước.",
            )
        )
    else:
        violations += _months_in_membership(member, month, month, "valid_from")
    refuse_if(violations)
    basis = DuesBasis.objects.create(
        member=member,
        category=category,
        income=income or 0,
        valid_from=month,
        source=source[:200],
        recorded_by_id=actor.user_id,
    )
    accounts.refresh([member.pk])
    _audit(
        Action.CREATED,
        "dues_basis",
        basis.pk,
        member,
        category=category,
        income=basis.income,
        month=month.isoformat(),
    )
    return basis


# --- reliefs -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReliefRequest:
    kind: str
    ground: str
    first_month: date
    last_month: date | None
    decision_no: str
    decision_on: date | None
    decision_body: str
    percent: int | None = None
    note: str = ""


def _relief_violations(member: Member, request: ReliefRequest) -> list[Violation]:
    version = rules.RELIEF.at(request.first_month)
    limits, citation = version.value, version.ref
    violations = []
    allowed = ReliefGround.KINDS.get(request.ground)
    if allowed is None:
        return [input_violation("ground", "Chọn lý do miễn, giảm hoặc cho chậm đóng đảng phí.")]
    if request.kind not in allowed:
        labels = ", ".join(ReliefKind.LABELS[k].lower() for k in allowed)
        violations.append(
            Violation(
                "dues.relief",
                f"Với lý do «{ReliefGround.LABELS[request.ground]}» chỉ được {labels}.",
                citation,
                field="kind",
            )
        )
    if request.kind == ReliefKind.REDUCTION and request.percent not in limits["reductions"]:
        violations.append(
            Violation(
                "dues.relief",
                f"Mức giảm đảng phí là {rules.percent_list(limits['reductions'])}.",
                citation,
                field="percent",
            )
        )
    if not request.decision_no.strip() or request.decision_on is None:
        violations.append(
            Violation(
                "dues.relief_decision",
                "Miễn, giảm, cho chậm đóng đảng phí phải có quyết định (số và ngày) của cấp có thẩm quyền.",
                citation,
                field="decision_no",
            )
        )
    elif request.decision_on > clock.today():
        violations.append(input_violation("decision_on", "Ngày quyết định là ngày sau này."))
    last = request.last_month
    if last is not None and last < request.first_month:
        violations.append(input_violation("last_month", "Tháng kết thúc trước tháng bắt đầu."))
    elif request.ground in HARDSHIP_GROUNDS or request.ground == ReliefGround.WORKING_AWAY:
        if last is None:
            violations.append(
                input_violation("last_month", "Ghi tháng kết thúc của thời gian miễn, giảm, chậm đóng.")
            )
        elif request.ground in HARDSHIP_GROUNDS:
            months = len(rules.months_between(request.first_month, last))
            if months > limits["hardship_months"]:
                violations.append(
                    Violation(
                        "dues.relief_months",
                        f"Mỗi lần xem xét miễn, giảm đảng phí tối đa {limits['hardship_months']} tháng "
                        f"(đề nghị {months} tháng).",
                        citation,
                        field="last_month",
                    )
                )
    if not violations:
        violations += _months_in_membership(member, request.first_month, request.first_month, "first_month")
    return violations


@transaction.atomic
def dues_relief_grant(*, actor, member: Member, request: ReliefRequest) -> DuesRelief:
    _require_write(actor, member)
    request = ReliefRequest(
        **{
            **request.__dict__,
            "first_month": request.first_month.replace(day=1),
            "last_month": request.last_month.replace(day=1) if request.last_month else None,
            "decision_no": " ".join(request.decision_no.split()),
            "decision_body": " ".join(request.decision_body.split()),
            "note": " ".join(request.note.split()),
        }
    )
    refuse_if(_relief_violations(member, request))
    percent = {ReliefKind.EXEMPTION: 100, ReliefKind.DEFERRAL: 0}.get(request.kind, request.percent or 0)
    relief = DuesRelief.objects.create(
        member=member,
        kind=request.kind,
        ground=request.ground,
        percent=percent,
        first_month=request.first_month,
        last_month=request.last_month,
        decision_no=request.decision_no[:60],
        decision_on=request.decision_on,
        decision_body=request.decision_body[:200],
        note=request.note[:300],
        recorded_by_id=actor.user_id,
    )
    accounts.refresh([member.pk])
    _audit(
        Action.CREATED,
        "dues_relief",
        relief.pk,
        member,
        kind=relief.kind,
        ground=relief.ground,
        percent=percent,
        first_month=relief.first_month.isoformat(),
        last_month=relief.last_month.isoformat() if relief.last_month else None,
        decision=relief.decision_no,
    )
    return relief


@transaction.atomic
def dues_relief_revoke(*, actor, relief: DuesRelief, reason: str) -> DuesRelief:
    """Take back a relief recorded in error (kept, with who and why)."""
    member = relief.member
    _require_write(actor, member)
    relief = DuesRelief.objects.select_for_update().get(pk=relief.pk)
    reason = " ".join((reason or "").split())
    violations = []
    if relief.revoked_at is not None:
        violations.append(input_violation(None, "Quyết định miễn, giảm này đã được hủy."))
    if not reason:
        violations.append(input_violation("reason", "Ghi lý do hủy."))
    refuse_if(violations)
    relief.revoked_at, relief.revoked_by_id, relief.revoke_reason = clock.now(), actor.user_id, reason[:300]
    relief.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    accounts.refresh([member.pk])
    _audit(Action.UPDATED, "dues_relief", relief.pk, member, revoked=True, reason=reason)
    return relief


# --- payments ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PaymentRequest:
    first_month: date
    last_month: date
    amount: int
    paid_on: date
    method: str = PaymentMethod.CASH
    reference: str = ""
    note: str = ""


def _collecting_org(member: Member) -> Org:
    """The cell that collects: the member's own (counted) cell, or the last one they had."""
    if member.org_id is not None:
        return member.org
    last = (
        Placement.objects.filter(member=member, counted=True)
        .order_by("-valid_from")
        .select_related("org")
        .first()
    )
    if last is None:
        raise NotInScope(member.pk)
    return last.org


def _next_receipt(org: Org, year: int) -> str:
    """The next receipt number of ``org`` in ``year`` ("2026/17"); the caller holds the org's
    row lock, so two collectors never take the same number."""
    prefix = f"{year}/"
    numbers = DuesPayment.objects.filter(org=org, receipt_no__startswith=prefix).values_list(
        "receipt_no", flat=True
    )
    last = max((int(n[len(prefix) :]) for n in numbers), default=0)
    return f"{prefix}{last + 1}"


def _payment_violations(member: Member, request: PaymentRequest) -> list[Violation]:
    violations = []
    if request.amount is None or request.amount <= 0:
        violations.append(input_violation("amount", "Số tiền phải là số đồng dương."))
    elif request.amount > MAX_PAYMENT:
        violations.append(
            input_violation(
                "amount",
                f"Số tiền {request.amount:,} đồng cho một lần nộp không hợp lý: kiểm tra lại.".replace(
                    ",", "."
                ),
            )
        )
    if request.method not in PaymentMethod.values:
        violations.append(input_violation("method", "Chọn hình thức nộp."))
    elif request.method != PaymentMethod.CASH and not request.reference:
        violations.append(input_violation("reference", "Ghi số chứng từ hoặc mã giao dịch của khoản chuyển."))
    if request.paid_on > clock.today():
        violations.append(input_violation("paid_on", "Ngày nộp là ngày sau này."))
    if request.last_month < request.first_month:
        violations.append(input_violation("last_month", "Tháng cuối trước tháng đầu."))
        return violations
    months = len(rules.months_between(request.first_month, request.last_month))
    if months > MAX_PAYMENT_MONTHS:
        violations.append(
            input_violation(
                "last_month", f"Một lần nộp ghi tối đa {MAX_PAYMENT_MONTHS} tháng (đang ghi {months})."
            )
        )
    if request.last_month > add_months(clock.today().replace(day=1), 12):
        violations.append(input_violation("last_month", "Nộp trước tối đa 12 tháng kể từ tháng hiện tại."))
    violations += _months_in_membership(member, request.first_month, request.last_month, "first_month")
    return violations


@transaction.atomic
def dues_payment_record(*, actor, member: Member, request: PaymentRequest) -> DuesPayment:
    """Record dues ``member`` paid for the months of ``request`` (an advance or a higher amount
    than due is allowed), with the receipt's number."""
    _require_write(actor, member)
    request = PaymentRequest(
        **{
            **request.__dict__,
            "first_month": request.first_month.replace(day=1),
            "last_month": request.last_month.replace(day=1),
            "reference": " ".join((request.reference or "").split()),
            "note": " ".join((request.note or "").split()),
        }
    )
    refuse_if(_payment_violations(member, request))
    org = Org.objects.select_for_update().get(pk=_collecting_org(member).pk)
    payment = DuesPayment.objects.create(
        member=member,
        org=org,
        first_month=request.first_month,
        last_month=request.last_month,
        amount=request.amount,
        paid_on=request.paid_on,
        method=request.method,
        reference=request.reference[:100],
        receipt_no=_next_receipt(org, request.paid_on.year),
        note=request.note[:300],
        recorded_by_id=actor.user_id,
    )
    sums.add_collected(org.pk, payment.paid_on, payment.amount)
    accounts.refresh([member.pk])
    _audit(
        Action.CREATED,
        "dues_payment",
        payment.pk,
        member,
        amount=payment.amount,
        months=f"{_month_text(payment.first_month)}–{_month_text(payment.last_month)}",
        receipt=payment.receipt_no,
    )
    return payment


@transaction.atomic
def dues_payment_reverse(*, actor, payment: DuesPayment, reason: str) -> DuesPayment:
    """Cancel ``payment`` by a new negative entry pointing at it (the original stays)."""
    member = payment.member
    _require_write(actor, member)
    org = Org.objects.select_for_update().get(pk=payment.org_id)
    payment = DuesPayment.objects.get(pk=payment.pk)
    reason = " ".join((reason or "").split())
    violations = []
    if payment.reverses_id is not None:
        violations.append(input_violation(None, "Đây là phiếu hủy: không hủy lại được."))
    elif DuesPayment.objects.filter(reverses=payment).exists():
        violations.append(input_violation(None, f"Phiếu thu số {payment.receipt_no} đã được hủy."))
    if not reason:
        violations.append(input_violation("reason", "Ghi lý do hủy phiếu thu."))
    refuse_if(violations)
    today = clock.today()
    reversal = DuesPayment.objects.create(
        member=member,
        org=org,
        first_month=payment.first_month,
        last_month=payment.last_month,
        amount=-payment.amount,
        paid_on=today,
        method=payment.method,
        reference=payment.reference,
        receipt_no=_next_receipt(org, today.year),
        reverses=payment,
        note=reason[:300],
        recorded_by_id=actor.user_id,
    )
    sums.add_collected(org.pk, reversal.paid_on, reversal.amount)
    accounts.refresh([member.pk])
    _audit(Action.CREATED, "dues_payment", reversal.pk, member, reverses=payment.receipt_no, reason=reason)
    return reversal


# --- the committee's own values for what the rule leaves unconfirmed -------------------------

SETTING_RANGES = {
    "rate_other": (0, 10_000),  # basis points of the income
    "rate_other_elderly": (0, 10_000),
    "student_amount": (0, 1_000_000),  # đồng a month
    "rounding": (1, 100_000),  # đồng
    "share_cell": (0, 100),  # percent
    "share_grassroots": (0, 100),
    "share_upper": (0, 100),
    "share_province": (0, 100),
}


@transaction.atomic
def dues_setting_record(*, actor, code: str, value: int, effective_from: date, source: str) -> DuesSetting:
    """Record the committee's own dated value for a figure RULES.md leaves UNCONFIRMED (the
    installation's administrators only: it applies to every member). The accounts of the months
    from ``effective_from`` follow it once rewritten (``accounts.refresh_everyone``), which the
    caller runs after this transaction."""
    if not actor.is_admin:
        raise NotInScope(code)
    source = " ".join((source or "").split())
    violations: list[Violation] = []
    if code not in SETTING_RANGES:
        violations.append(input_violation("code", f"Không có nội dung cấu hình «{code}»."))
    else:
        low, high = SETTING_RANGES[code]
        if not low <= value <= high:
            violations.append(
                input_violation("value", f"{DuesSetting.CODES[code]}: giá trị từ {low} đến {high}.")
            )
    if effective_from.day != 1:
        violations.append(input_violation("effective_from", "Cấu hình áp dụng từ ngày đầu một tháng."))
    if effective_from < rules.RATES.versions[0].effective_from:
        violations.append(
            input_violation("effective_from", "Chỉ áp dụng cho các tháng từ khi có quy định đảng phí.")
        )
    if not source:
        violations.append(input_violation("source", "Ghi văn bản làm căn cứ (số, ngày, cơ quan ban hành)."))
    refuse_if(violations)
    setting = DuesSetting.objects.create(
        code=code,
        value=value,
        effective_from=effective_from,
        source=source[:300],
        recorded_by_id=actor.user_id,
    )
    audit_record(
        action=Action.CREATED,
        subject_type="dues_setting",
        subject_id=str(setting.pk),
        data={"code": code, "value": value, "from": effective_from.isoformat(), "source": source},
    )
    return setting
