"""Forms of a disciplinary case (RULES.md §5): opening it, deciding, deferring, dropping."""

from __future__ import annotations

from django import forms

from dangbo.core.forms import VietnameseDateField, VietnameseForm
from dangbo.orgs.forms import DecisionFields
from dangbo.rules import discipline as rules


class DisciplineOpenForm(VietnameseForm):
    act_on = VietnameseDateField(label="Ngày vi phạm")
    summary = forms.CharField(
        label="Nội dung vi phạm", max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )
    opened_on = VietnameseDateField(label="Ngày bắt đầu xem xét")
    exempt_matter = forms.BooleanField(
        label="Vi phạm không áp dụng thời hiệu (chính trị nội bộ, quốc phòng, an ninh, đối ngoại, văn bằng không hợp pháp)",
        required=False,
    )


class DisciplineDecideForm(DecisionFields):
    form = forms.ChoiceField(label="Hình thức kỷ luật", choices=[])
    authority = forms.ChoiceField(label="Cấp biểu quyết, quyết định", choices=[])
    vote_on = VietnameseDateField(label="Ngày biểu quyết")
    approvals = forms.IntegerField(label="Số tán thành", min_value=0, max_value=10_000)
    denominator = forms.IntegerField(
        label="Tổng số ủy viên của cấp ủy",
        min_value=1,
        max_value=10_000,
        required=False,
        help_text="Khi chi bộ biểu quyết, hệ thống tự tính số đảng viên chính thức",
    )
    proposal_vote_on = VietnameseDateField(label="Ngày chi bộ biểu quyết đề nghị khai trừ", required=False)
    proposal_approvals = forms.IntegerField(
        label="Số đảng viên chính thức tán thành đề nghị khai trừ",
        min_value=0,
        max_value=10_000,
        required=False,
    )
    field_order = [
        "form",
        "authority",
        "vote_on",
        "approvals",
        "denominator",
        "proposal_vote_on",
        "proposal_approvals",
        "decision_no",
        "decision_on",
        "decision_body",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["form"].choices = [("", "— chọn —")] + [
            (f, rules.Form.label(f)) for f in rules.Form.ORDER
        ]
        self.fields["authority"].choices = [("", "— chọn —")] + [
            (code, label)
            for code, label in rules.Authority.LABELS.items()
            if code != rules.Authority.CELL_COMMITTEE
        ]


class DisciplineDeferForm(VietnameseForm):
    ground = forms.ChoiceField(
        label="Lý do chưa xem xét", choices=[], required=False, help_text="Để trống để tiếp tục xem xét"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ground"].choices = [
            ("", "— tiếp tục xem xét —"),
            *list(rules.DeferralGround.LABELS.items()),
        ]


class DisciplineDropForm(VietnameseForm):
    on = VietnameseDateField(label="Ngày")
    reason = forms.CharField(label="Lý do không kỷ luật", max_length=300)
