"""The report parameters typed on a page: the organization reported on (another one of the
user's scope, by the picker), the day of the figures and the period of the flows."""

from __future__ import annotations

from django import forms

from dangbo.core.forms import VietnameseDateField, VietnameseForm
from dangbo.orgs.forms import PICKER_HINT, OrgPickerInput
from dangbo.orgs.models import Org
from dangbo.orgs.selectors import org_find_code

ORG_FIELD = "to-chuc"


class ReportFrameForm(VietnameseForm):
    ngay = VietnameseDateField(label="Số liệu ngày", required=False, help_text="mặc định: hôm nay")
    tu = VietnameseDateField(
        label="Biến động từ ngày", required=False, help_text="mặc định: 1/1 của năm báo cáo"
    )
    den = VietnameseDateField(label="đến ngày", required=False, help_text="mặc định: ngày báo cáo")

    def __init__(self, *args, actor=None, **kwargs):
        """With ``actor`` (the pages), the form also offers «Tổ chức»: the report's scope, any
        organization the actor reads, chosen by name or code (``chosen_org``)."""
        super().__init__(*args, **kwargs)
        self.actor = actor
        if actor is not None:
            self.fields[ORG_FIELD] = forms.CharField(
                label="Tổ chức",
                required=False,
                max_length=40,
                help_text=f"để trống: tổ chức đang xem; {PICKER_HINT}",
                widget=OrgPickerInput(),
            )
            self.order_fields([ORG_FIELD, "ngay", "tu", "den"])

    def clean(self):
        data = super().clean()
        code = (data.get(ORG_FIELD) or "").strip()
        if code:
            org = org_find_code(code)
            if org is None or not self.actor.can_read_path(org.path):
                self.add_error(ORG_FIELD, f"Không có tổ chức mã «{code}» trong phạm vi của anh/chị.")
            else:
                data["org"] = org
        return data

    def chosen_org(self) -> Org | None:
        """The organization typed in «Tổ chức», if valid and in the actor's scope."""
        return self.cleaned_data.get("org") if self.is_valid() else None

    def query(self) -> str:
        """The parameters as a query string, to carry them to the links on the page."""
        parts = []
        for name in ("ngay", "tu", "den"):
            value = self.cleaned_data.get(name) if self.is_valid() else None
            if value:
                parts.append(f"{name}={value:%d/%m/%Y}")
        return "&".join(parts)
