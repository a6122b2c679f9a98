"""Forms: validate what people type, in Vietnamese, before a selector or service sees it."""

from __future__ import annotations

from django import forms

from dangbo.members.models import Gender, MemberStatus
from dangbo.members.selectors import MemberFilters
from dangbo.orgs.selectors import NotInScope, org_get
from dangbo.reference.models import Ethnicity, Religion, TheoryLevel


def _choices(model) -> list[tuple[str, str]]:
    return [("", "— tất cả —")] + list(model.objects.order_by("rank", "code").values_list("code", "name"))


class MemberSearchForm(forms.Form):
    q = forms.CharField(label="Họ tên, số thẻ hoặc số định danh", required=False, max_length=100, strip=True)
    org = forms.UUIDField(required=False, widget=forms.HiddenInput)
    status = forms.ChoiceField(label="Tình trạng", required=False)
    gender = forms.ChoiceField(label="Giới tính", required=False)
    ethnicity = forms.ChoiceField(label="Dân tộc", required=False)
    religion = forms.ChoiceField(label="Tôn giáo", required=False)
    theory_level = forms.ChoiceField(label="Lý luận chính trị", required=False)
    age_min = forms.IntegerField(label="Tuổi từ", required=False, min_value=0, max_value=130)
    age_max = forms.IntegerField(label="đến", required=False, min_value=0, max_value=130)

    def __init__(self, data=None, *, actor):
        super().__init__(data)
        self.actor = actor
        self.org = None
        self.fields["status"].choices = [("", "— đang sinh hoạt —")] + list(MemberStatus.choices)
        self.fields["gender"].choices = [("", "— tất cả —")] + list(Gender.choices)
        self.fields["ethnicity"].choices = _choices(Ethnicity)
        self.fields["religion"].choices = _choices(Religion)
        self.fields["theory_level"].choices = _choices(TheoryLevel)
        for field in self.fields.values():
            field.error_messages.update(
                invalid_choice="Giá trị này không có trong danh mục; hãy chọn trong danh sách.",
                invalid="Nhập một số nguyên, ví dụ 30." if isinstance(field, forms.IntegerField) else "Giá trị không hợp lệ.",
                max_length="Nhập nhiều nhất %(limit_value)d ký tự (đang có %(show_value)d).",
                min_value="Nhập số từ %(limit_value)s trở lên.",
                max_value="Nhập số không quá %(limit_value)s.",
            )

    def clean_org(self):
        org_id = self.cleaned_data.get("org")
        if org_id:
            try:
                self.org = org_get(actor=self.actor, org_id=org_id)
            except NotInScope:
                self.data = self.data.copy()
                self.data["org"] = ""  # do not echo an identifier from outside the scope
                raise forms.ValidationError("Không tìm thấy tổ chức này trong phạm vi của anh/chị.") from None
        return org_id

    def clean(self):
        data = super().clean()
        low, high = data.get("age_min"), data.get("age_max")
        if low is not None and high is not None and low > high:
            self.add_error("age_max", "Tuổi «đến» phải lớn hơn hoặc bằng tuổi «từ».")
        return data

    def filters(self) -> MemberFilters:
        data = self.cleaned_data
        return MemberFilters(
            q=data.get("q") or "", org=self.org, status=data.get("status") or "", gender=data.get("gender") or "",
            ethnicity=data.get("ethnicity") or "", religion=data.get("religion") or "",
            theory_level=data.get("theory_level") or "", age_min=data.get("age_min"), age_max=data.get("age_max"),
        )
