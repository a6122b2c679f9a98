"""The audit search form: validates what an administrator types, in Vietnamese."""

from __future__ import annotations

from datetime import date

from django import forms

from dangbo.audit.services import ACTION_LABELS
from dangbo.core import text
from dangbo.core.forms import VietnameseDateField, VietnameseForm
from dangbo.web.audit_selectors import AuditFilters

# The trail cannot be older than the system or far in the future; outside this a date is a typo
# (and day arithmetic near year 1 or 9999 would overflow).
FIRST_YEAR, LAST_YEAR = 2000, 2100


class AuditSearchForm(VietnameseForm):
    subject = forms.CharField(
        label="Đối tượng",
        required=False,
        max_length=100,
        strip=True,
        help_text="họ tên đảng viên (có dấu hay không dấu), tên tổ chức (có dấu) hoặc mã tổ chức, hay mã định danh (UUID)",
    )
    actor = forms.CharField(
        label="Người thực hiện",
        required=False,
        max_length=150,
        strip=True,
        help_text="tên đăng nhập, hoặc phần đầu",
    )
    action = forms.ChoiceField(label="Hành động", required=False)
    date_from = VietnameseDateField(label="Từ ngày", required=False)
    date_to = VietnameseDateField(label="Đến ngày", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [
            ("", "— tất cả —"),
            *sorted(ACTION_LABELS.items(), key=lambda item: text.collation_key(item[1])),
        ]

    def _clean_day(self, name: str) -> date | None:
        day = self.cleaned_data.get(name)
        if day is not None and not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise forms.ValidationError(f"Năm phải trong khoảng {FIRST_YEAR}–{LAST_YEAR}.")
        return day

    def clean_date_from(self):
        return self._clean_day("date_from")

    def clean_date_to(self):
        return self._clean_day("date_to")

    def clean(self):
        data = super().clean()
        low, high = data.get("date_from"), data.get("date_to")
        if low is not None and high is not None and high < low:
            self.add_error("date_to", "Ngày «đến» phải bằng hoặc sau ngày «từ».")
        return data

    def filters(self) -> AuditFilters:
        data = self.cleaned_data
        return AuditFilters(
            subject=data.get("subject") or "",
            actor=data.get("actor") or "",
            action=data.get("action") or "",
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )
