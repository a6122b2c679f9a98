"""The upload form and the column mapping form of an import."""

from __future__ import annotations

from django import forms

from dangbo.core.forms import VietnameseForm
from dangbo.imports.layouts import FIELDS
from dangbo.imports.models import ImportKind
from dangbo.orgs.forms import PICKER_HINT, OrgPickerInput
from dangbo.orgs.models import Org
from dangbo.orgs.selectors import PickScope, org_find_code

ACCEPT = ".xlsx,.xls,.xlsm,.ods,.csv"


class ImportUploadForm(VietnameseForm):
    kind = forms.ChoiceField(label="Loại dữ liệu", choices=ImportKind.choices, initial=ImportKind.MEMBERS)
    org_code = forms.CharField(
        label="Thuộc tổ chức (mã)",
        max_length=40,
        help_text=f"Mọi dòng của tệp phải thuộc tổ chức này hoặc các tổ chức trực thuộc; {PICKER_HINT}.",
        widget=OrgPickerInput(within=PickScope.WRITE),
    )
    data_file = forms.FileField(
        label="Tệp (.xlsx, .xls, .ods hoặc .csv)", widget=forms.ClearableFileInput(attrs={"accept": ACCEPT})
    )

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.fields["data_file"].error_messages.update(
            required="Chưa chọn tệp.",
            empty="Tệp trống.",
            missing="Chưa chọn tệp.",
            invalid="Không đọc được tệp gửi lên.",
        )

    def clean_org_code(self) -> Org:
        code = self.cleaned_data["org_code"].strip()
        org = org_find_code(code)
        if org is None or not self.actor.can_organize_path(org.path):
            raise forms.ValidationError(f"Không có tổ chức mã «{code}» trong phạm vi anh/chị được sửa.")
        return org


class MappingForm(VietnameseForm):
    """One choice per column not recognised (or chosen before): which field it holds."""

    def __init__(self, *args, batch, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "— không nhập cột này —")] + [(f.name, f.label) for f in FIELDS[batch.kind]]
        for column in batch.reading.get("columns", []):
            if column["field"] is None or column["chosen"]:
                title = column["title"] or f"(cột {column['index'] + 1} không có tiêu đề)"
                self.fields[f"col_{column['index']}"] = forms.ChoiceField(
                    label=f"{column['group']} — {title}" if column["group"] else title,
                    choices=choices,
                    required=False,
                    initial=column["field"] or "",
                )

    def mapping(self) -> dict[str, str]:
        return {name.removeprefix("col_"): value for name, value in self.cleaned_data.items()}
