"""Forms of the dues pages: a member's basis, a relief and its revocation, a payment and its
reversal. Months are typed as mm/yyyy (``MonthField``); amounts are whole đồng, typed with or
without the thousands' dots (``DongField``). The services check the rules; their refusals are
put on these fields by ``VietnameseForm.add_violations`` (same field names)."""

from __future__ import annotations

import re
from datetime import date

from django import forms

from dangbo.core.forms import VietnameseDateField, VietnameseForm
from dangbo.dues.models import DuesPayment, DuesRelief, PaymentMethod
from dangbo.dues.services import PaymentRequest, ReliefRequest
from dangbo.rules.dues import Category, ReliefGround, ReliefKind

_MONTH = re.compile(r"^\s*(\d{1,2})\s*[/.-]\s*(\d{4})\s*$")
_ISO_MONTH = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")


def parse_month(text: str) -> date | None:
    """The first day of the month written «11/2026» (or «2026-11»); None if it is not one."""
    match = _MONTH.match(text or "")
    if match:
        month, year = int(match.group(1)), int(match.group(2))
    else:
        match = _ISO_MONTH.match(text or "")
        if not match:
            return None
        year, month = int(match.group(1)), int(match.group(2))
    if not (1 <= month <= 12 and 1930 <= year <= 2200):
        return None
    return date(year, month, 1)


class MonthField(forms.Field):
    """A month typed as tháng/năm, e.g. 11/2026."""

    widget = forms.TextInput

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", "tháng/năm, ví dụ 11/2026")
        super().__init__(**kwargs)
        self.widget.attrs.update(placeholder="mm/yyyy", inputmode="numeric", maxlength="7")

    def prepare_value(self, value):
        return f"{value:%m/%Y}" if hasattr(value, "strftime") else value

    def to_python(self, value):
        value = (value or "").strip()
        if not value:
            return None
        month = parse_month(value)
        if month is None:
            raise forms.ValidationError(
                f"Tháng không hợp lệ: «{value[:20]}» (nhập tháng/năm, ví dụ 11/2026)."
            )
        return month


class DongField(forms.Field):
    """A whole number of đồng; «120.000», «120 000» and «120000» are the same amount."""

    widget = forms.TextInput

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.widget.attrs.update(inputmode="numeric", maxlength="16")

    def prepare_value(self, value):
        return f"{value:,}".replace(",", ".") if isinstance(value, int) else value

    def to_python(self, value):
        text = (value or "").strip()
        if not text:
            return None
        digits = re.sub(r"[.\s ]", "", text)
        if digits.endswith(("đ", "đồng")):
            digits = digits.removesuffix("đồng").removesuffix("đ")
        if not digits.isdigit() or len(digits) > 13:
            raise forms.ValidationError("Nhập số tiền bằng số đồng nguyên dương, ví dụ 120.000.")
        return int(digits)


def _text(model, name: str, *, required: bool = False, help_text: str = "") -> forms.CharField:
    field = model._meta.get_field(name)
    return forms.CharField(
        label=field.verbose_name[:1].upper() + field.verbose_name[1:],
        max_length=field.max_length,
        required=required,
        help_text=help_text,
    )


class BasisForm(VietnameseForm):
    category = forms.ChoiceField(label="Đối tượng đóng đảng phí", choices=[("", "—"), *Category.CHOICES])
    income = DongField(
        label="Thu nhập làm căn cứ (đồng/tháng)",
        required=False,
        help_text="Tiền lương đóng BHXH, mức trợ cấp, lương hưu hoặc lương tối thiểu vùng; học sinh, sinh viên để trống",
    )
    valid_from = MonthField(label="Áp dụng từ tháng")
    source = forms.CharField(
        label="Nguồn số liệu",
        max_length=200,
        help_text="Bảng lương tháng…, quyết định nghỉ hưu…, đảng viên tự khai…",
    )


class ReliefForm(VietnameseForm):
    kind = forms.ChoiceField(label="Hình thức", choices=[("", "—"), *ReliefKind.LABELS.items()])
    ground = forms.ChoiceField(
        label="Lý do",
        choices=[("", "—"), *((g, ReliefGround.LABELS[g]) for g in ReliefGround.GRANTED)],
        help_text="Đủ 50 năm tuổi đảng thì hệ thống tự miễn theo hồ sơ, không cần ghi ở đây",
    )
    percent = forms.TypedChoiceField(
        label="Mức giảm",
        choices=[("", "—"), ("30", "30%"), ("50", "50%"), ("70", "70%")],
        coerce=int,
        empty_value=None,
        required=False,
        help_text="Chỉ ghi khi giảm mức đóng",
    )
    first_month = MonthField(label="Từ tháng")
    last_month = MonthField(
        label="Đến tháng", required=False, help_text="tháng/năm; mỗi lần xét tối đa 12 tháng"
    )
    decision_no = _text(DuesRelief, "decision_no")
    decision_on = VietnameseDateField(label="Ngày quyết định", required=False)
    decision_body = _text(DuesRelief, "decision_body")
    note = _text(DuesRelief, "note")

    def relief_request(self) -> ReliefRequest:
        data = self.cleaned_data
        return ReliefRequest(
            kind=data["kind"],
            ground=data["ground"],
            first_month=data["first_month"],
            last_month=data["last_month"],
            decision_no=data["decision_no"],
            decision_on=data["decision_on"],
            decision_body=data["decision_body"],
            percent=data["percent"],
            note=data["note"],
        )


class PaymentForm(VietnameseForm):
    first_month = MonthField(label="Nộp cho tháng")
    last_month = MonthField(label="Đến tháng", help_text="tháng/năm; nộp một tháng thì ghi giống tháng đầu")
    amount = DongField(label="Số tiền (đồng)", help_text="Được nộp trước, nộp cao hơn mức phải đóng")
    paid_on = VietnameseDateField(label="Ngày nộp")
    method = forms.ChoiceField(
        label="Hình thức nộp", choices=PaymentMethod.choices, initial=PaymentMethod.CASH
    )
    reference = _text(
        DuesPayment, "reference", help_text="Bắt buộc khi chuyển khoản hoặc nộp qua Cổng Dịch vụ công"
    )
    note = _text(DuesPayment, "note")

    def payment_request(self) -> PaymentRequest:
        data = self.cleaned_data
        return PaymentRequest(
            first_month=data["first_month"],
            last_month=data["last_month"],
            amount=data["amount"],
            paid_on=data["paid_on"],
            method=data["method"],
            reference=data["reference"],
            note=data["note"],
        )


class ReasonForm(VietnameseForm):
    """Why a payment is reversed or a relief revoked; the box confirms it is meant."""

    reason = forms.CharField(label="Lý do hủy", max_length=300)
    confirm = forms.BooleanField(
        label="Tôi xác nhận hủy (không sửa được, chỉ ghi thêm)",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["confirm"].error_messages["required"] = "Đánh dấu ô xác nhận để hủy."
