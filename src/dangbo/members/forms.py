"""Forms: validate what people type, in Vietnamese, before a selector or service sees it."""

from __future__ import annotations

from datetime import date
from typing import cast

from django import forms

from dangbo.core import clock, text
from dangbo.core.forms import VietnameseDateField, VietnameseForm
from dangbo.core.roles import Role
from dangbo.members.exports import PURPOSE_MIN_LENGTH
from dangbo.members.models import Gender, Member, MemberStatus, Standing
from dangbo.members.selectors.search import MemberFilters
from dangbo.members.services.records import Identity
from dangbo.members.services.transfers import Trigger
from dangbo.orgs.forms import PICKER_HINT, DecisionFields, OrgPickerInput
from dangbo.orgs.models import Org
from dangbo.orgs.selectors import NotInScope, org_find_code, org_get
from dangbo.reference.identity import mask_national_id
from dangbo.reference.models import Ethnicity, GeneralEducation, ProfessionalLevel, Religion, TheoryLevel
from dangbo.rules import badges as badge_rules
from dangbo.rules import transfers as transfer_rules


def org_by_code(code: str):
    """The live organization with this code (in any case), or a Vietnamese ValidationError."""
    org = org_find_code(code, live=True)
    if org is None:
        raise forms.ValidationError("Không có tổ chức đảng nào mang mã này.")
    return org


def _choices(model) -> list[tuple[str, str]]:
    return [("", "— tất cả —"), *list(model.objects.order_by("rank", "code").values_list("code", "name"))]


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
    ngay = VietnameseDateField(label="Tính đến ngày", required=False, help_text="để trống: hôm nay")

    def __init__(self, data=None, *, actor):
        super().__init__(data)
        self.actor = actor
        self.org = None
        self.fields["status"].choices = [("", "— đang sinh hoạt —"), *list(MemberStatus.choices)]
        self.fields["gender"].choices = [("", "— tất cả —"), *list(Gender.choices)]
        self.fields["ethnicity"].choices = _choices(Ethnicity)
        self.fields["religion"].choices = _choices(Religion)
        self.fields["theory_level"].choices = _choices(TheoryLevel)
        for field in self.fields.values():
            field.error_messages.update(
                invalid_choice="Giá trị này không có trong danh mục; hãy chọn trong danh sách.",
                invalid="Nhập một số nguyên, ví dụ 30."
                if isinstance(field, forms.IntegerField)
                else "Giá trị không hợp lệ.",
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
        day = data.get("ngay")
        if day is not None and day > clock.today():
            self.add_error("ngay", "Ngày không thể sau hôm nay.")
        elif day is not None and day.year < 1930:
            self.add_error("ngay", "Ngày phải từ năm 1930 trở đi.")
        return data

    def filters(self) -> MemberFilters:
        data = self.cleaned_data
        return MemberFilters(
            q=data.get("q") or "",
            org=cast("Org | None", self.org),  # set in __init__; not the declared field of that name
            status=data.get("status") or "",
            gender=data.get("gender") or "",
            ethnicity=data.get("ethnicity") or "",
            religion=data.get("religion") or "",
            theory_level=data.get("theory_level") or "",
            age_min=data.get("age_min"),
            age_max=data.get("age_max"),
            as_of=data.get("ngay"),
        )


class MemberProfileForm(VietnameseForm):
    """The identity fields of the phiếu đảng viên. Standing (status, organization) is not here:
    it changes only through the workflows that write the ledger."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    family_name = forms.CharField(label="Họ", max_length=60)
    middle_name = forms.CharField(label="Tên đệm", max_length=80, required=False)
    given_name = forms.CharField(label="Tên", max_length=60)
    gender = forms.ChoiceField(label="Giới tính", choices=Gender.choices)
    birth_date = VietnameseDateField(label="Ngày sinh")
    national_id = forms.CharField(
        label="Số định danh cá nhân", max_length=20, required=False, help_text="12 chữ số"
    )
    card_number = forms.CharField(
        label="Số thẻ đảng viên", max_length=12, required=False, help_text="8 chữ số"
    )
    history_number = forms.CharField(
        label="Số lý lịch", max_length=14, required=False, help_text="6 chữ số và mã tỉnh, ví dụ 012345LC"
    )
    ethnicity = forms.ChoiceField(label="Dân tộc")
    religion = forms.ChoiceField(label="Tôn giáo")
    birthplace = forms.CharField(label="Nơi sinh", max_length=255, required=False)
    hometown = forms.CharField(label="Quê quán", max_length=255, required=False)
    residence = forms.CharField(label="Nơi cư trú", max_length=255, required=False)
    general_education = forms.ChoiceField(label="Giáo dục phổ thông", required=False)
    professional_level = forms.ChoiceField(label="Chuyên môn nghiệp vụ", required=False)
    theory_level = forms.ChoiceField(label="Lý luận chính trị", required=False)
    occupation = forms.CharField(label="Nghề nghiệp", max_length=120, required=False)
    workplace = forms.CharField(label="Nơi làm việc", max_length=255, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ethnicity"].choices = _choices(Ethnicity)[1:]
        self.fields["religion"].choices = _choices(Religion)[1:]
        self.fields["general_education"].choices = [("", "—"), *_choices(GeneralEducation)[1:]]
        self.fields["professional_level"].choices = [("", "—"), *_choices(ProfessionalLevel)[1:]]
        self.fields["theory_level"].choices = [("", "—"), *_choices(TheoryLevel)[1:]]

    @classmethod
    def initial_for(cls, member: Member) -> dict:
        return {
            "version": member.version,
            "family_name": member.family_name,
            "middle_name": member.middle_name,
            "given_name": member.given_name,
            "gender": member.gender,
            "birth_date": member.birth_date,
            "national_id": member.national_id or "",
            "card_number": member.card_number or "",
            "history_number": member.history_number or "",
            "ethnicity": member.ethnicity_id,
            "religion": member.religion_id,
            "birthplace": member.birthplace,
            "hometown": member.hometown,
            "residence": member.residence,
            "general_education": member.general_education_id or "",
            "professional_level": member.professional_level_id or "",
            "theory_level": member.theory_level_id or "",
            "occupation": member.occupation,
            "workplace": member.workplace,
        }

    def identity(self, member: Member) -> Identity:
        data = {name: value for name, value in self.cleaned_data.items() if name != "version"}
        return Identity(residence_locality=member.residence_locality, **data)


class ExportPurposeForm(VietnameseForm):
    """The stated purpose of a long export of people (issue 18): kept in the job and the trail."""

    purpose = forms.CharField(
        label="Mục đích sử dụng danh sách",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="ai cần danh sách, để làm việc gì; được ghi vào nhật ký cùng số dòng",
    )

    def __init__(self, *args, required: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["purpose"].required = required
        self.fields["purpose"].error_messages["required"] = (
            "Mục đích: ghi rõ ai cần danh sách và để làm việc gì (danh sách dài phải nêu mục đích)."
        )

    def clean_purpose(self):
        purpose = text.clean(self.cleaned_data.get("purpose") or "")
        if self.fields["purpose"].required and len(purpose) < PURPOSE_MIN_LENGTH:
            raise forms.ValidationError(
                f"Mục đích cần ghi rõ hơn (ít nhất {PURPOSE_MIN_LENGTH} ký tự): ai cần danh sách, để làm việc gì."
            )
        return purpose


REVEAL_TO_CHANGE = (
    "Số định danh đang được che. Để sửa, bấm «Hiện số đầy đủ» trên trang hồ sơ (lần xem được ghi "
    "nhật ký), rồi mở lại trang sửa."
)


class MemberEditForm(MemberProfileForm):
    """The profile's edit: the national ID is shown masked, and kept when left masked; changing
    it needs the audited reveal first (``revealed``: the editor revealed it in this session)."""

    def __init__(self, *args, member: Member, revealed: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.member, self.revealed = member, revealed
        if member.national_id and not revealed:
            self.fields[
                "national_id"
            ].help_text = "12 chữ số; đang che bớt — bấm «Hiện số đầy đủ» trên trang hồ sơ nếu cần sửa"

    @classmethod
    def initial_for_edit(cls, member: Member, *, revealed: bool) -> dict:
        initial = cls.initial_for(member)
        if not revealed:
            initial["national_id"] = mask_national_id(member.national_id)
        return initial

    def clean_national_id(self):
        value = (self.cleaned_data.get("national_id") or "").strip()
        stored = self.member.national_id or ""
        if not stored or value == stored:
            return value
        if value == mask_national_id(stored):
            return stored  # left as shown: unchanged
        if not self.revealed:
            raise forms.ValidationError(REVEAL_TO_CHANGE)
        return value


class BadgeAwardForm(DecisionFields):
    """Record a Party badge (RULES.md §6). The decision date is required here."""

    years = forms.TypedChoiceField(label="Huy hiệu (năm tuổi đảng)", coerce=int)
    ground = forms.ChoiceField(label="Trường hợp", choices=list(badge_rules.Ground.LABELS.items()))
    awarded_on = VietnameseDateField(label="Ngày trao tặng")
    field_order = ["years", "ground", "awarded_on", "decision_no", "decision_on", "decision_body"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["years"].choices = [
            (y, f"{y} năm") for y in badge_rules.BADGE_MILESTONES.value(clock.today())
        ]
        self.fields["decision_on"].required = True
        self.fields["decision_on"].error_messages["required"] = (
            "Chưa nhập ngày quyết định tặng Huy hiệu Đảng."
        )


class BadgeListForm(VietnameseForm):
    ngay = VietnameseDateField(
        label="Đợt trao tặng ngày",
        required=False,
        help_text="mặc định: dịp trao tặng tới (3/2, 19/5, 2/9, 7/11)",
    )

    def award_on(self) -> date:
        day = self.cleaned_data.get("ngay")
        if day is not None:
            return day
        return badge_rules.award_days_around(clock.today())[1]


class PositionStartForm(DecisionFields):
    """Elect or appoint a member to a position in an organization (RULES.md §1.3)."""

    member = forms.ChoiceField(label="Đảng viên")
    member_number = forms.CharField(label="Số thẻ đảng viên hoặc số định danh", max_length=20, required=False)
    role = forms.ChoiceField(label="Chức vụ", choices=Role.choices)
    started_on = VietnameseDateField(label="Từ ngày")
    term = forms.CharField(label="Nhiệm kỳ", max_length=20, required=False, help_text="ví dụ 2025–2030")
    field_order = [
        "member",
        "member_number",
        "role",
        "started_on",
        "term",
        "decision_no",
        "decision_on",
        "decision_body",
    ]

    def __init__(self, *args, candidates, small: bool, **kwargs):
        """``small``: the candidates are few (a cell) and offered in a list; otherwise the
        officer types a card number or national ID, looked up among ``candidates``."""
        super().__init__(*args, **kwargs)
        self.candidates = candidates
        if small:
            cast(forms.ChoiceField, self.fields["member"]).choices = [("", "— chọn —")] + [
                (str(m.pk), m.full_name) for m in candidates[:300]
            ]
            del self.fields["member_number"]
        else:
            del self.fields["member"]
            self.fields["member_number"].required = True

    def clean(self):
        data = super().clean()
        if "member" in self.fields and data.get("member"):
            data["holder"] = self.candidates.filter(pk=data["member"]).first()
        elif data.get("member_number"):
            digits = "".join(ch for ch in data["member_number"] if ch.isdigit())
            lookup = (
                {"card_number": digits}
                if len(digits) == 8
                else {"national_id": digits}
                if len(digits) == 12
                else None
            )
            data["holder"] = self.candidates.filter(**lookup).first() if lookup else None
            if data["holder"] is None:
                self.add_error("member_number", "Không tìm thấy đảng viên có số này trong tổ chức.")
        return data


class PositionEndForm(DecisionFields):
    ended_on = VietnameseDateField(label="Thôi chức vụ từ ngày")
    field_order = ["ended_on", "decision_no", "decision_on", "decision_body"]


def add_absent_exempted(
    form: forms.Form, org, *, after: str = "approvals", name: str = "absent_exempted"
) -> None:
    """Offer the cell's exempted full members as «absent» for a vote (RULES.md §3): an
    exempted member who is absent is not counted in the denominator; present and voting,
    they are. Only shown when the cell has exempted members."""
    exempted = Member.objects.filter(org=org, status=MemberStatus.FULL, standing=Standing.EXEMPTED).order_by(
        "sort_key", "id"
    )
    choices = [(str(m.pk), m.full_name) for m in exempted]
    if not choices:
        return
    form.fields[name] = forms.MultipleChoiceField(
        label="Đảng viên được miễn công tác và sinh hoạt đảng vắng mặt khi biểu quyết",
        choices=choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Người được miễn mà vắng mặt không tính vào tổng số đảng viên khi biểu quyết; có mặt và biểu quyết thì vẫn tính.",
    )
    order = list(form.fields)
    order.remove(name)
    order.insert(order.index(after) + 1 if after in order else len(order), name)
    form.order_fields(order)


class RecognitionForm(DecisionFields):
    """Recognition as a full member (RULES.md §2.3): the cell's vote and the decision."""

    vote_on = VietnameseDateField(label="Ngày chi bộ biểu quyết")
    approvals = forms.IntegerField(label="Số đảng viên chính thức tán thành", min_value=0, max_value=10_000)
    late_reason = forms.CharField(
        label="Lý do chậm (nếu quá thời hạn)",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    field_order = ["vote_on", "approvals", "decision_no", "decision_on", "decision_body", "late_reason"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision_on"].required = True
        self.fields["decision_on"].error_messages["required"] = (
            "Chưa nhập ngày quyết định công nhận đảng viên chính thức."
        )


_LATE_REASON_CHOICES = [("", "— không chậm —"), *list(transfer_rules.LATE_REASONS)]


def _late_fields(what: str) -> tuple[forms.ChoiceField, forms.CharField]:
    return (
        forms.ChoiceField(
            label=f"Lý do {what} chậm (nếu quá thời hạn)", choices=_LATE_REASON_CHOICES, required=False
        ),
        forms.CharField(
            label="Nội dung lý do chậm",
            required=False,
            max_length=500,
            widget=forms.Textarea(attrs={"rows": 2}),
            help_text="bắt buộc khi quá thời hạn, cùng với lý do chọn ở trên",
        ),
    )


class TransferIssueForm(DecisionFields):
    """The letter (RULES.md §2.5): its destination, date and decision, and its trigger."""

    to_code = forms.CharField(
        label="Mã tổ chức nơi chuyển đến",
        max_length=40,
        help_text=f"mã chi bộ nơi đến, do cấp ủy nơi đến cung cấp; trong phạm vi của mình: {PICKER_HINT}",
        widget=OrgPickerInput(cells_only=True),
    )
    trigger_kind = forms.ChoiceField(
        label="Căn cứ chuyển sinh hoạt", choices=[("", "— chọn —"), *list(transfer_rules.TRIGGER_KINDS)]
    )
    trigger_no = forms.CharField(
        label="Số quyết định làm căn cứ",
        max_length=60,
        required=False,
        help_text="quyết định chuyển công tác, nghỉ hưu, xuất ngũ; để trống khi thay đổi nơi cư trú",
    )
    trigger_on = VietnameseDateField(
        label="Ngày của căn cứ", help_text="ngày quyết định, hoặc ngày chuyển nơi cư trú"
    )
    issued_on = VietnameseDateField(label="Ngày giới thiệu chuyển")
    late_reason, late_note = _late_fields("giới thiệu")
    accept_below_minimum = forms.BooleanField(
        label="Tôi đã biết chi bộ sẽ dưới 3 đảng viên chính thức và vẫn giới thiệu chuyển",
        required=False,
    )
    field_order = [
        "to_code",
        "trigger_kind",
        "trigger_no",
        "trigger_on",
        "issued_on",
        "decision_no",
        "decision_on",
        "decision_body",
        "late_reason",
        "late_note",
        "accept_below_minimum",
    ]

    def __init__(self, *args, below_minimum=None, **kwargs):
        """``below_minimum``: the warning that the transfer leaves the cell below the minimum;
        without one, the confirmation box is not shown."""
        super().__init__(*args, **kwargs)
        self.fields["trigger_kind"].error_messages["required"] = "Chưa chọn căn cứ chuyển sinh hoạt đảng."
        self.fields["trigger_on"].error_messages["required"] = (
            "Chưa nhập ngày của căn cứ chuyển sinh hoạt đảng."
        )
        if below_minimum is None:
            del self.fields["accept_below_minimum"]
        else:
            self.fields["accept_below_minimum"].help_text = str(below_minimum)

    def clean_to_code(self):
        code = self.cleaned_data["to_code"].strip()
        self.cleaned_data["to_org"] = org_by_code(code)
        return code

    def trigger(self) -> Trigger:
        data = self.cleaned_data
        return Trigger(
            kind=data.get("trigger_kind") or "",
            number=data.get("trigger_no") or "",
            on=data.get("trigger_on"),
        )


class TransferArrivalForm(VietnameseForm):
    arrived_on = VietnameseDateField(label="Ngày đảng viên đến sinh hoạt (xuất trình giấy giới thiệu)")
    late_reason, late_note = _late_fields("xuất trình")


class TransferCloseLateForm(VietnameseForm):
    """The officers' record that a late transfer was reported and handled."""

    closed_on = VietnameseDateField(label="Ngày xử lý xong")
    note = forms.CharField(
        label="Kết quả xử lý",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="ví dụ: đã báo cáo cấp ủy cấp trên; đã nhắc nhở, kiểm điểm người chậm",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["note"].error_messages["required"] = (
            "Ghi rõ kết quả xử lý (đã báo cáo, đã nhắc nhở, đã kiểm điểm...)."
        )
