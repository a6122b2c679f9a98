"""Forms of the review pages: opening a campaign, a member's self-assessment, the cell's
assessment, the grassroots committee's decision and a correction. Dates are typed dd/mm/yyyy.
The services check the rules; their refusals are put on these fields by
``VietnameseForm.add_violations`` (same field names, ``band`` and ``score`` among them)."""

from __future__ import annotations

from datetime import date, timedelta

from django import forms

from dangbo.core.forms import VietnameseDateField, VietnameseForm
from dangbo.ratings.models import Period
from dangbo.ratings.services import CampaignRequest
from dangbo.rules.ratings import FIRST_BANDED_YEAR, Band, Disqualifier, MemberForm

BAND_CHOICES = [("", "— Chọn mức —"), *Band.LABELS.items()]
SCORE_HINT = "Từ 0 đến 100; năm 2025 trở đi bắt buộc (thang 100 điểm, Quy định 366-QĐ/TW)."


def campaign_defaults(today: date) -> dict:
    """A review of the year that ends (from November on) or of the year before: the list cut on
    30/11 (or today, when earlier), a week for the self-assessments, a week for the cells and
    two for the decisions."""
    year = today.year if today.month >= 11 else today.year - 1
    cutoff = min(today, date(year, 11, 30))
    start = max(cutoff, today)
    return {
        "year": year,
        "period": Period.YEAR,
        "cutoff_on": cutoff,
        "self_due_on": start + timedelta(days=7),
        "cell_due_on": start + timedelta(days=14),
        "decision_due_on": start + timedelta(days=28),
    }


def _score_field(label: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=0,
        max_value=100,
        help_text=SCORE_HINT,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0, "max": 100}),
    )


def _disqualifiers_field() -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label="Trường hợp không xếp cao hơn «Không hoàn thành nhiệm vụ»",
        required=False,
        choices=[(d, Disqualifier.LABELS[d]) for d in Disqualifier.MEMBER],
        widget=forms.CheckboxSelectMultiple,
        help_text="Bị kỷ luật trong năm được ghi theo quá trình sinh hoạt đảng, dù không đánh dấu.",
    )


class CampaignForm(VietnameseForm):
    year = forms.IntegerField(label="Năm đánh giá", min_value=FIRST_BANDED_YEAR, max_value=2200)
    period = forms.ChoiceField(label="Kỳ đánh giá", choices=Period.choices)
    cutoff_on = VietnameseDateField(
        label="Ngày chốt danh sách",
        help_text="Đảng viên sinh hoạt tại chi bộ vào ngày này có tên trong danh sách (dd/mm/yyyy).",
    )
    self_due_on = VietnameseDateField(label="Hạn tự đánh giá")
    cell_due_on = VietnameseDateField(label="Hạn chi bộ đánh giá, đề xuất")
    decision_due_on = VietnameseDateField(label="Hạn cấp ủy quyết định xếp loại")

    def campaign_request(self) -> CampaignRequest:
        data = self.cleaned_data
        return CampaignRequest(
            year=data["year"],
            period=data["period"],
            cutoff_on=data["cutoff_on"],
            self_due_on=data["self_due_on"],
            cell_due_on=data["cell_due_on"],
            decision_due_on=data["decision_due_on"],
        )


class SelfAssessForm(VietnameseForm):
    form = forms.ChoiceField(
        label="Mẫu bản tự kiểm điểm", choices=[("", "— Chọn mẫu —"), *MemberForm.LABELS.items()]
    )
    score = _score_field("Điểm tự đánh giá")
    band = forms.ChoiceField(label="Tự xếp loại", choices=BAND_CHOICES)
    note = forms.CharField(
        label="Ghi chú", required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )


class CellAssessForm(VietnameseForm):
    score = _score_field("Điểm chi bộ đánh giá")
    band = forms.ChoiceField(label="Chi bộ đề xuất xếp loại", choices=BAND_CHOICES)
    disqualifiers = _disqualifiers_field()
    note = forms.CharField(
        label="Nhận xét của chi bộ", required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )


class DecisionForm(VietnameseForm):
    """The committee's decision on the ticked members (``ratings``: their review ids)."""

    ratings = forms.MultipleChoiceField(
        label="Đảng viên được quyết định xếp loại",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Chọn đảng viên để quyết định xếp loại."},
    )
    decision_no = forms.CharField(label="Số quyết định (hoặc thông báo kết quả)", max_length=60)
    decided_on = VietnameseDateField(label="Ngày quyết định")

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ratings"].choices = list(choices)
        self.fields["ratings"].error_messages["required"] = "Chọn đảng viên để quyết định xếp loại."


class CorrectionForm(VietnameseForm):
    band = forms.ChoiceField(label="Mức xếp loại mới", choices=BAND_CHOICES)
    score = _score_field("Điểm")
    disqualifiers = _disqualifiers_field()
    decision_no = forms.CharField(label="Số quyết định điều chỉnh", max_length=60)
    decided_on = VietnameseDateField(label="Ngày quyết định")
    reason = forms.CharField(
        label="Lý do điều chỉnh", max_length=300, widget=forms.Textarea(attrs={"rows": 3})
    )
