"""Forms of the candidate register: adding a person, and the one step recorded next."""

from __future__ import annotations

from django import forms

from dangbo.candidates.models import CandidateStep
from dangbo.candidates.selectors import sponsor_find
from dangbo.candidates.services import DECIDED_BY, SPONSOR_NOT_FOUND, StepInput
from dangbo.core.forms import VietnameseDateField, VietnameseForm
from dangbo.members.forms import MemberProfileForm
from dangbo.members.models import Member
from dangbo.members.services.records import Identity

Step = CandidateStep.Kind


class CandidateAddForm(MemberProfileForm):
    """The person's identity (lý lịch, mẫu 2-KNĐ) and the day the cell listed them."""

    listed_on = VietnameseDateField(label="Ngày đưa vào danh sách cảm tình Đảng")
    note = forms.CharField(
        label="Ghi chú", required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["version"]
        del self.fields["card_number"]
        self.fields["general_education"].required = True

    def identity(self, member: Member | None = None) -> Identity:
        """The candidate's identity (``member``: none yet; kept for the base form's signature)."""
        data = {k: v for k, v in self.cleaned_data.items() if k not in ("listed_on", "note")}
        return Identity(**data)


# For each step, the fields asked for beyond the date, with the date's own label.
_DATE_LABELS: dict[str, str] = {
    Step.COURSE: "Ngày cấp giấy chứng nhận",
    Step.APPLICATION: "Ngày viết đơn",
    Step.HISTORY: "Ngày hoàn thành lý lịch",
    Step.BACKGROUND_CHECK: "Ngày có kết quả thẩm tra",
    Step.SPONSORS: "Ngày giới thiệu",
    Step.COMMENTS: "Ngày có đủ nhận xét",
    Step.CELL_VOTE: "Ngày chi bộ họp xét",
    Step.GRASSROOTS_RESOLUTION: "Ngày nghị quyết",
    Step.DECISION: "Ngày quyết định kết nạp",
    Step.CEREMONY: "Ngày lễ kết nạp",
}
_NUMBER_LABELS: dict[str, str] = {
    Step.COURSE: "Số giấy chứng nhận",
    Step.GRASSROOTS_RESOLUTION: "Số nghị quyết",
    Step.DECISION: "Số quyết định",
}


class CandidateStepForm(VietnameseForm):
    """The fields of one step; the view builds it for the step due next."""

    done_on = VietnameseDateField(label="Ngày")
    number = forms.CharField(max_length=60, required=False)
    body = forms.CharField(label="Cơ quan ban hành", max_length=200, required=False)
    sponsor1 = forms.CharField(
        label="Người giới thiệu thứ nhất (số thẻ đảng viên)", max_length=20, required=False
    )
    since1 = VietnameseDateField(label="Cùng công tác, học tập, cư trú từ ngày", required=False)
    sponsor2 = forms.CharField(
        label="Người giới thiệu thứ hai (số thẻ đảng viên)", max_length=20, required=False
    )
    since2 = VietnameseDateField(label="Cùng công tác, học tập, cư trú từ ngày", required=False)
    youth_union_resolution = forms.CharField(
        label="hoặc nghị quyết giới thiệu của ban chấp hành đoàn cơ sở (số, ngày)",
        max_length=120,
        required=False,
    )
    approvals = forms.IntegerField(
        label="Số đảng viên chính thức tán thành", min_value=0, max_value=10_000, required=False
    )
    decided_by = forms.ChoiceField(
        label="Cấp quyết định kết nạp",
        choices=[("", "— chọn —"), *DECIDED_BY.items()],
        required=False,
        help_text="Đảng ủy cơ sở được ủy quyền quyết định tập thể, cần ít nhất hai phần ba cấp ủy viên tán thành.",
    )
    committee_approvals = forms.IntegerField(
        label="Số cấp ủy viên đảng ủy cơ sở tán thành (khi đảng ủy cơ sở quyết định)",
        min_value=0,
        max_value=1_000,
        required=False,
    )
    over_age_approval = forms.CharField(
        label="Văn bản đồng ý của Ban Thường vụ tỉnh ủy (nếu trên 60 tuổi)",
        max_length=200,
        required=False,
    )
    education_exception = forms.CharField(
        label="Trường hợp được kết nạp khi mới hoàn thành tiểu học (nếu có)",
        max_length=200,
        required=False,
        help_text="miền núi, biên giới, hải đảo, vùng đồng bào dân tộc thiểu số, vùng đặc biệt khó khăn, ngư dân",
    )
    late_reason = forms.CharField(
        label="Lý do chậm (nếu quá thời hạn)",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    note = forms.CharField(
        label="Ghi chú", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    FIELDS: dict[str, tuple[str, ...]] = {
        Step.COURSE: ("number",),
        Step.SPONSORS: ("sponsor1", "since1", "sponsor2", "since2", "youth_union_resolution"),
        Step.CELL_VOTE: ("approvals", "over_age_approval", "education_exception"),
        Step.GRASSROOTS_RESOLUTION: ("number", "body"),
        Step.DECISION: ("decided_by", "committee_approvals", "number", "body", "late_reason"),
        Step.CEREMONY: ("late_reason",),
    }

    def __init__(self, *args, step: str, actor=None, candidate=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.step, self.actor, self.candidate = step, actor, candidate
        keep = {"done_on", "note", *self.FIELDS.get(step, ())}
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        self.fields["done_on"].label = _DATE_LABELS[step]
        if "number" in self.fields:
            self.fields["number"].label = _NUMBER_LABELS[step]
            self.fields["number"].required = True
        if "approvals" in self.fields:
            self.fields["approvals"].required = True
        if "decided_by" in self.fields:
            self.fields["decided_by"].required = True

    def _sponsor(self, number_field: str, since_field: str) -> tuple | None:
        number = (self.cleaned_data.get(number_field) or "").strip()
        if not number:
            return None
        member = sponsor_find(actor=self.actor, candidate=self.candidate, number=number)
        if member is None:
            self.add_error(number_field, SPONSOR_NOT_FOUND)
            return None
        return member.pk, self.cleaned_data.get(since_field)

    def clean(self):
        data = super().clean()
        if self.step == Step.SPONSORS:
            sponsors = [
                s for s in (self._sponsor("sponsor1", "since1"), self._sponsor("sponsor2", "since2")) if s
            ]
            data["sponsors"] = sponsors
        return data

    def step_input(self) -> StepInput:
        data = self.cleaned_data
        return StepInput(
            done_on=data["done_on"],
            number=data.get("number") or "",
            body=data.get("body") or "",
            note=data.get("note") or "",
            sponsors=data.get("sponsors") or [],
            youth_union_resolution=data.get("youth_union_resolution") or "",
            approvals=data.get("approvals"),
            over_age_approval=data.get("over_age_approval") or "",
            education_exception=data.get("education_exception") or "",
            late_reason=data.get("late_reason") or "",
            absent_exempted=list(data.get("absent_exempted") or ()),
            decided_by=data.get("decided_by") or "",
            committee_approvals=data.get("committee_approvals"),
        )


class WithdrawForm(VietnameseForm):
    on = VietnameseDateField(label="Ngày")
    reason = forms.CharField(label="Lý do thôi xem xét", max_length=300)
