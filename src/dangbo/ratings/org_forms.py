"""Forms of the organizations' ratings pages: an organization's self-assessment, the direct
superior's decision (a second one a correction, with its reason), and a year before 2018 in its
old level. The forms check the shape of what is typed; the scale, the disqualifiers and the
years are the services' to refuse, with their citations (``add_violations``)."""

from __future__ import annotations

from django import forms

from dangbo.core.forms import VietnameseDateField, VietnameseForm
from dangbo.rules.ratings import Band, Disqualifier, LegacyLevel

BAND_CHOICES = [("", "—"), *Band.LABELS.items()]
SCORE_HINT = "Từ 0 đến 100 điểm; bắt buộc từ năm 2025 (Quy định 366-QĐ/TW), các năm trước để trống được."


class OrgSelfAssessForm(VietnameseForm):
    score = forms.IntegerField(label="Điểm tự đánh giá", required=False, help_text=SCORE_HINT)
    band = forms.ChoiceField(label="Tự xếp loại", choices=BAND_CHOICES)
    note = forms.CharField(
        label="Ghi chú", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    on = VietnameseDateField(label="Ngày tự đánh giá", required=False, help_text="Để trống: hôm nay")


class OrgDecideForm(VietnameseForm):
    score = forms.IntegerField(label="Điểm", required=False, help_text=SCORE_HINT)
    band = forms.ChoiceField(label="Xếp loại", choices=BAND_CHOICES)
    disqualifiers = forms.MultipleChoiceField(
        label="Trường hợp không xếp cao hơn",
        choices=[(d, Disqualifier.LABELS[d]) for d in Disqualifier.ORG],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Cấp ủy viên bị kỷ luật trong năm được ghi tự động theo hồ sơ đảng viên.",
    )
    decision_no = forms.CharField(label="Số quyết định (hoặc thông báo kết quả)", max_length=60)
    decided_on = VietnameseDateField(label="Ngày quyết định")
    reason = forms.CharField(
        label="Lý do điều chỉnh",
        max_length=300,
        required=False,
        help_text="Bắt buộc khi đã có quyết định: quyết định mới điều chỉnh quyết định trước, không sửa.",
    )


class LegacyLevelForm(VietnameseForm):
    year = forms.IntegerField(label="Năm", help_text="Các năm trước 2018 (mức xếp loại cũ)")
    level = forms.ChoiceField(label="Mức xếp loại", choices=[])
    decision_no = forms.CharField(label="Số quyết định (hoặc thông báo kết quả)", max_length=60)
    decided_on = VietnameseDateField(label="Ngày quyết định")

    def __init__(self, *args, for_member: bool, **kwargs):
        super().__init__(*args, **kwargs)
        levels = LegacyLevel.MEMBER if for_member else LegacyLevel.ORG
        field = self.fields["level"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "—"), *levels.items()]
