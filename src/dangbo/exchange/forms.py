"""The exchange pages' forms: which report to send up, a package to receive, a key to register."""

from __future__ import annotations

from django import forms

from dangbo.core.forms import VietnameseDateField, VietnameseForm
from dangbo.exchange.contents import FORM_CODES
from dangbo.exchange.package import KIND_LABELS
from dangbo.orgs.forms import PICKER_HINT, OrgPickerInput

REPORT_CHOICES = [
    ("member_counts", KIND_LABELS["member_counts"] + " (đối chiếu sổ danh sách đảng viên hằng quý)"),
    ("indicators", KIND_LABELS["indicators"]),
    *[(f"statform:{code}", f"{KIND_LABELS['statform']} {code}") for code in FORM_CODES],
]


def _file_messages(field: forms.Field) -> None:
    field.error_messages.update(
        required="Chưa chọn tệp.",
        empty="Tệp trống.",
        missing="Chưa chọn tệp.",
        invalid="Không đọc được tệp gửi lên; hãy chọn lại tệp.",
    )


class SendForm(VietnameseForm):
    org_code = forms.CharField(
        label="Mã tổ chức báo cáo", max_length=40, help_text=PICKER_HINT, widget=OrgPickerInput()
    )
    report = forms.ChoiceField(label="Báo cáo", choices=REPORT_CHOICES)
    ngay = VietnameseDateField(label="Số liệu ngày", required=False, help_text="mặc định: hôm nay")
    tu = VietnameseDateField(
        label="Biến động từ ngày", required=False, help_text="mặc định: 1/1 của năm báo cáo"
    )
    den = VietnameseDateField(label="đến ngày", required=False, help_text="mặc định: ngày báo cáo")

    def kind_and_form(self) -> tuple[str, str | None]:
        kind, _, form = self.cleaned_data["report"].partition(":")
        return kind, form or None


class ReceiveForm(VietnameseForm):
    package_file = forms.FileField(
        label="Tệp gói báo cáo (.json)",
        widget=forms.ClearableFileInput(attrs={"accept": ".json,application/json"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _file_messages(self.fields["package_file"])


class TrustForm(VietnameseForm):
    org_code = forms.CharField(
        label="Mã tổ chức cấp dưới", max_length=40, help_text=PICKER_HINT, widget=OrgPickerInput()
    )
    public_key = forms.CharField(
        label="Khóa công khai",
        max_length=200,
        help_text="chuỗi do lệnh «dangbo exchange key» hoặc trang «Gửi báo cáo lên cấp trên» của cấp dưới in ra",
    )
