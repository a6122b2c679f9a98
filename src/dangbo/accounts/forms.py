"""Forms of the account pages. Organizations are chosen by their code and members by their
identifier or card number, resolved within what the actor manages: a page never lists other
subtrees' organizations or people."""

from __future__ import annotations

from django import forms

from dangbo.accounts.models import AccessRole
from dangbo.accounts.scope import Scope
from dangbo.accounts.selectors import NotManaged, RoleFilters, managed_member, managed_org
from dangbo.accounts.services import OFFICER_GRANTS
from dangbo.core.forms import VietnameseForm
from dangbo.core.text import clean
from dangbo.orgs.forms import OrgPickerInput
from dangbo.orgs.selectors import PickScope


def role_choices(actor: Scope, *, blank: str | None = None) -> list[tuple[str, str]]:
    roles = [r for r in AccessRole if actor.is_admin or r in OFFICER_GRANTS]
    return ([("", blank)] if blank is not None else []) + [(r.value, r.label) for r in roles]


class _ActorForm(VietnameseForm):
    def __init__(self, *args, actor: Scope, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor

    def _org(self, code: str):
        if not code:
            return None
        try:
            return managed_org(actor=self.actor, code=code)
        except NotManaged:
            raise forms.ValidationError(f"Không có tổ chức mã «{code}» trong phạm vi bạn quản lý.") from None


class RoleFilterForm(_ActorForm):
    org = forms.CharField(
        label="Mã tổ chức (cả các tổ chức trực thuộc)",
        max_length=40,
        required=False,
        widget=OrgPickerInput(within=PickScope.GRANT),
    )
    role = forms.ChoiceField(label="Vai trò", required=False)
    q = forms.CharField(label="Tên đăng nhập hoặc họ tên", max_length=100, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = role_choices(self.actor, blank="— tất cả —")

    def clean_org(self):
        return self._org(clean(self.cleaned_data["org"]))

    def filters(self) -> RoleFilters:
        data = self.cleaned_data
        return RoleFilters(org=data["org"], role=data["role"], q=clean(data["q"]))


class RoleTargetForm(_ActorForm):
    """A role and where it is held: an organization's code, or (member role) a member."""

    role = forms.ChoiceField(label="Vai trò")
    org = forms.CharField(
        label="Mã tổ chức",
        max_length=40,
        required=False,
        help_text="Cho cán bộ tổ chức, lãnh đạo, bí thư chi bộ (bí thư: mã một chi bộ). Quyền áp dụng cho cả các tổ chức trực thuộc. Gõ tên hoặc mã để chọn.",
        widget=OrgPickerInput(within=PickScope.GRANT),
    )
    member = forms.CharField(
        label="Đảng viên (số thẻ hoặc mã hồ sơ)",
        max_length=40,
        required=False,
        help_text="Chỉ cho vai trò đảng viên: tài khoản xem hồ sơ của chính mình.",
    )
    may_export_personal = forms.BooleanField(
        label="Được xuất danh sách cá nhân",
        required=False,
        help_text=(
            "Chỉ cho vai trò lãnh đạo: tải danh sách đảng viên, quần chúng (họ tên, ngày sinh, dân tộc, "
            "tôn giáo…) của tổ chức mình. Không có quyền này, lãnh đạo chỉ xem và tải báo cáo tổng hợp. "
            "Cán bộ tổ chức và bí thư chi bộ đã có quyền này theo vai trò."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = role_choices(self.actor)

    def clean_org(self):
        return self._org(clean(self.cleaned_data["org"]))

    def clean_member(self):
        key = clean(self.cleaned_data["member"])
        if not key:
            return None
        try:
            return managed_member(actor=self.actor, key=key)
        except NotManaged:
            raise forms.ValidationError("Không tìm thấy đảng viên này trong phạm vi bạn quản lý.") from None

    def clean(self):
        data = super().clean()
        role = data.get("role")
        if (
            role == AccessRole.MEMBER
            and "member" in data
            and data.get("member") is None
            and not self.has_error("member")
        ):
            self.add_error("member", "Vai trò đảng viên cần số thẻ hoặc mã hồ sơ của đảng viên.")
        if (
            role in (AccessRole.OFFICER, AccessRole.LEADER, AccessRole.SECRETARY)
            and data.get("org") is None
            and not self.has_error("org")
        ):
            self.add_error("org", "Vai trò này cần mã tổ chức.")
        if role == AccessRole.MEMBER and data.get("org"):
            self.add_error("org", "Vai trò đảng viên không gắn với tổ chức; để trống mục này.")
        if role in (
            AccessRole.OFFICER,
            AccessRole.LEADER,
            AccessRole.SECRETARY,
            AccessRole.ADMIN,
        ) and data.get("member"):
            self.add_error("member", "Chỉ vai trò đảng viên mới gắn với hồ sơ đảng viên; để trống mục này.")
        if data.get("may_export_personal") and role != AccessRole.LEADER:
            self.add_error(
                "may_export_personal", "Chỉ vai trò lãnh đạo cần cấp riêng quyền xuất danh sách cá nhân."
            )
        if role == AccessRole.ADMIN and data.get("org"):
            self.add_error("org", "Quyền quản trị hệ thống áp dụng cho toàn hệ thống; để trống mục này.")
        return data


class AccountCreateForm(RoleTargetForm):
    username = forms.CharField(
        label="Tên đăng nhập", max_length=150, help_text="Chữ không dấu, chữ số và . _ -, ví dụ nguyenvana"
    )
    full_name = forms.CharField(label="Họ và tên", max_length=150)
    password = forms.CharField(
        label="Mật khẩu ban đầu",
        required=False,
        max_length=128,
        widget=forms.PasswordInput(render_value=False),
        help_text="Để trống để phần mềm tạo một mật khẩu ngẫu nhiên. Người dùng phải đổi mật khẩu khi đăng nhập lần đầu.",
    )
    field_order = ["username", "full_name", "role", "org", "member", "may_export_personal", "password"]


class ConfirmForm(VietnameseForm):
    confirm = forms.BooleanField(label="Tôi xác nhận", required=True)

    def __init__(self, *args, label: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["confirm"].label = label
        self.fields["confirm"].error_messages["required"] = "Đánh dấu ô xác nhận để tiếp tục."
