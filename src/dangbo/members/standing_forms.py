"""Forms for standing changes and exits (RULES.md §2.4–2.6), one per action."""

from __future__ import annotations

from typing import Any

from django import forms

from dangbo.core import clock
from dangbo.core.forms import VietnameseDateField, VietnameseForm
from dangbo.members.forms import MemberProfileForm
from dangbo.members.models import MemberStatus
from dangbo.members.services.records import Identity
from dangbo.orgs.forms import PICKER_HINT, DecisionFields, OrgPickerInput
from dangbo.orgs.selectors import NotInScope, PickScope, org_writable_by_code
from dangbo.rules import exits as exit_rules
from dangbo.rules.badges import BADGE_MILESTONES

NOTE: dict[str, Any] = {
    "label": "Ghi chú",
    "required": False,
    "max_length": 500,
    "widget": forms.Textarea(attrs={"rows": 2}),
}


class DatedDecisionForm(DecisionFields):
    """An effective date, the decision behind it, and a note."""

    effective_on = VietnameseDateField(label="Ngày hiệu lực")
    note = forms.CharField(**NOTE)
    field_order = ["effective_on", "decision_no", "decision_on", "decision_body", "note"]


class DecidedForm(DatedDecisionForm):
    """As above, where the competent committee's decision is required."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("decision_no", "decision_on"):
            self.fields[name].required = True


class ExemptionForm(DatedDecisionForm):
    ground = forms.ChoiceField(label="Lý do miễn", choices=[])
    field_order = ["ground", "effective_on", "decision_no", "decision_on", "decision_body", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ground"].choices = [("", "— chọn —"), *list(exit_rules.EXEMPTION_GROUNDS.items())]


class TempTransferForm(DecisionFields):
    purpose = forms.ChoiceField(label="Lý do", choices=[])
    host_code = forms.CharField(
        label="Mã tổ chức nơi sinh hoạt tạm thời (trong hệ thống)",
        max_length=40,
        required=False,
        help_text=PICKER_HINT,
        widget=OrgPickerInput(within=PickScope.WRITE, cells_only=True),
    )
    host_name = forms.CharField(
        label="hoặc tên tổ chức đảng nơi đến (ngoài hệ thống)", max_length=255, required=False
    )
    starts_on = VietnameseDateField(label="Từ ngày")
    until = VietnameseDateField(label="Đến ngày (dự kiến trở về)")
    field_order = [
        "purpose",
        "host_code",
        "host_name",
        "starts_on",
        "until",
        "decision_no",
        "decision_on",
        "decision_body",
    ]

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.fields["purpose"].choices = [("", "— chọn —"), *list(exit_rules.TEMPORARY_PURPOSES.items())]

    def clean_host_code(self):
        code = self.cleaned_data.get("host_code", "").strip()
        self.cleaned_data["host"] = (
            writable_destination(self.actor, code, HOST_OUT_OF_REACH) if code else None
        )
        return code


class ReturnForm(VietnameseForm):
    effective_on = VietnameseDateField(label="Ngày trở về sinh hoạt")


class MoveAwayForm(DecisionFields):
    to_name = forms.CharField(label="Tổ chức đảng nơi đến (ngoài hệ thống)", max_length=255)
    effective_on = VietnameseDateField(label="Ngày chuyển đi")
    field_order = ["to_name", "effective_on", "decision_no", "decision_on", "decision_body"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision_no"].label = "Số giấy giới thiệu"
        self.fields["decision_on"].label = "Ngày giới thiệu"
        self.fields["decision_on"].required = True


class StrikeOffForm(DecidedForm):
    ground = forms.ChoiceField(label="Lý do xóa tên", choices=[])
    requests_made = forms.IntegerField(
        label="Số lần chi ủy đã yêu cầu kiểm điểm",
        required=False,
        min_value=0,
        max_value=20,
        help_text="Ghi khi đảng viên không kiểm điểm theo yêu cầu",
    )
    vote_on = VietnameseDateField(
        label="Ngày chi bộ biểu quyết đề nghị xóa tên (đảng viên dự bị)", required=False
    )
    approvals = forms.IntegerField(
        label="Số đảng viên chính thức tán thành", required=False, min_value=0, max_value=10_000
    )
    field_order = [
        "ground",
        "requests_made",
        "vote_on",
        "approvals",
        "effective_on",
        "decision_no",
        "decision_on",
        "decision_body",
        "note",
    ]

    def __init__(self, *args, member=None, **kwargs):
        super().__init__(*args, **kwargs)
        grounds = dict(exit_rules.STRIKE_OFF_GROUNDS)
        if member is not None and member.status != MemberStatus.PROBATIONARY:
            grounds.pop(exit_rules.PROBATION_FAILED, None)
            del self.fields["vote_on"], self.fields["approvals"]
        self.fields["ground"].choices = [("", "— chọn —"), *list(grounds.items())]


class DeathForm(VietnameseForm):
    effective_on = VietnameseDateField(label="Ngày từ trần")
    note = forms.CharField(**NOTE)


# A destination the actor may not write is answered like a code that names no organization
# (issue 18: no write into another subtree, and no oracle of its codes).
HOST_OUT_OF_REACH = (
    "Không có tổ chức đảng nào mang mã này trong phạm vi anh/chị được giao. Nếu nơi sinh hoạt tạm thời "
    "thuộc đơn vị khác, ghi tên tổ chức đảng nơi đến vào ô «hoặc tên tổ chức đảng nơi đến»."
)
READMISSION_OUT_OF_REACH = (
    "Không có chi bộ nào mang mã này trong phạm vi anh/chị được giao. Kết nạp lại vào chi bộ thuộc đơn vị "
    "khác do cấp ủy quản lý cả hai nơi ghi nhận (đề nghị Ban Tổ chức cấp ủy cấp trên)."
)


def writable_destination(actor, code: str, message: str):
    """The live organization with ``code`` if ``actor`` may write there, else ``message``."""
    try:
        return org_writable_by_code(actor=actor, code=code)
    except NotInScope:
        raise forms.ValidationError(message) from None


class ReadmitForm(DecisionFields):
    cell_code = forms.CharField(
        label="Mã chi bộ kết nạp lại",
        max_length=40,
        help_text=PICKER_HINT,
        widget=OrgPickerInput(within=PickScope.WRITE, cells_only=True),
    )
    vote_on = VietnameseDateField(label="Ngày chi bộ biểu quyết")
    provincial_consent = forms.CharField(
        label="Văn bản đồng ý của Ban Thường vụ tỉnh ủy",
        max_length=300,
        help_text="số, ngày văn bản",
    )
    ceremony_on = VietnameseDateField(label="Ngày lễ kết nạp lại")
    hardship = forms.BooleanField(label="Xin ra vì hoàn cảnh gia đình đặc biệt khó khăn", required=False)
    expunged_on = VietnameseDateField(label="Ngày được xóa án tích (nếu có)", required=False)
    field_order = [
        "cell_code",
        "vote_on",
        "provincial_consent",
        "decision_no",
        "decision_on",
        "decision_body",
        "ceremony_on",
        "hardship",
        "expunged_on",
    ]

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        for name in ("decision_no", "decision_on"):
            self.fields[name].required = True

    def clean_cell_code(self):
        code = self.cleaned_data["cell_code"]
        self.cleaned_data["cell"] = writable_destination(self.actor, code, READMISSION_OUT_OF_REACH)
        return code


class ReceiveForm(MemberProfileForm, DecisionFields):
    """A member arriving with a transfer letter from outside this installation: identity, and
    the history the letter carries."""

    from_name = forms.CharField(label="Tổ chức đảng nơi chuyển đi", max_length=255)
    arrived_on = VietnameseDateField(label="Ngày đến sinh hoạt (xuất trình giấy giới thiệu)")
    status = forms.ChoiceField(
        label="Tình trạng", choices=[("full", "Đảng viên chính thức"), ("probationary", "Đảng viên dự bị")]
    )
    admitted_on = VietnameseDateField(label="Ngày vào Đảng (ngày quyết định kết nạp)")
    ceremony_on = VietnameseDateField(label="Ngày lễ kết nạp", required=False)
    full_on = VietnameseDateField(label="Ngày chính thức", required=False)
    party_age_from = VietnameseDateField(
        label="Ngày tính tuổi đảng (nếu khác ngày vào Đảng)",
        required=False,
        help_text="khi có thời gian gián đoạn",
    )
    badge_years = forms.TypedChoiceField(
        label="Huy hiệu Đảng đã được tặng",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[],
    )
    HISTORY = [
        "from_name",
        "decision_no",
        "decision_on",
        "decision_body",
        "arrived_on",
        "status",
        "admitted_on",
        "ceremony_on",
        "full_on",
        "party_age_from",
        "badge_years",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)

        del self.fields["version"]
        self.fields["badge_years"].choices = [("", "— chưa —")] + [
            (y, f"{y} năm") for y in BADGE_MILESTONES.value(clock.today())
        ]
        self.fields["decision_no"].label = "Số giấy giới thiệu"
        self.fields["decision_on"].label = "Ngày giới thiệu"

    def identity(self):
        names = [n for n in self.fields if n not in self.HISTORY]
        return Identity(**{name: self.cleaned_data.get(name) for name in names})
