"""Form helpers shared by the pages: Vietnamese messages, dd/mm/yyyy dates, rule violations
shown on the field they concern with the rule's citation."""

from __future__ import annotations

from django import forms

from dangbo.core.formats import format_date, parse_date
from dangbo.core.violations import INPUT_CITATION, RuleViolation

MESSAGES = {
    "required": "Chưa nhập mục này.",
    "invalid_choice": "Giá trị này không có trong danh mục; hãy chọn trong danh sách.",
    "max_length": "Nhập nhiều nhất %(limit_value)d ký tự (đang có %(show_value)d).",
    "min_value": "Nhập số từ %(limit_value)s trở lên.",
    "max_value": "Nhập số không quá %(limit_value)s.",
}


class VietnameseDateField(forms.Field):
    """A date typed as dd/mm/yyyy (also accepts yyyy-mm-dd)."""

    widget = forms.TextInput

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", "ngày/tháng/năm, ví dụ 31/12/2024")
        super().__init__(**kwargs)
        self.widget.attrs.update(placeholder="dd/mm/yyyy", inputmode="numeric", maxlength="10")

    def prepare_value(self, value):
        return format_date(value) if hasattr(value, "strftime") else value

    def to_python(self, value):
        value = (value or "").strip()
        if not value:
            return None
        if len(value) > 10:
            raise forms.ValidationError(
                "Ngày không hợp lệ (nhập theo dạng ngày/tháng/năm, ví dụ 31/12/2024)."
            )
        try:
            return parse_date(value)
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None


class VietnameseForm(forms.Form):
    """Base form: Vietnamese error messages; ``add_violations`` maps a service's refusal."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            messages = dict(MESSAGES)
            messages["invalid"] = (
                "Nhập một số nguyên." if isinstance(field, forms.IntegerField) else "Giá trị không hợp lệ."
            )
            field.error_messages.update(messages)

    def add_violations(self, error: RuleViolation, field_map: dict | None = None) -> None:
        field_map = field_map or {}
        for violation in error.violations:
            name = field_map.get(violation.field, violation.field)
            message = (
                violation.message
                if violation.citation == INPUT_CITATION
                else f"{violation.message} ({violation.citation})"
            )
            visible = name in self.fields and not self.fields[name].widget.is_hidden
            self.add_error(name if visible else None, message)
