"""Restructuring forms: one operation (move, merge, split, dissolve) or a plan file to upload and confirm."""

from __future__ import annotations

import re

from django import forms

from dangbo.core.forms import VietnameseDateField, VietnameseForm
from dangbo.orgs.forms import PICKER_HINT, DecisionFields, OrgPickerInput
from dangbo.orgs.models import Org
from dangbo.orgs.selectors import NotInScope, PickScope, org_writable_by_code
from dangbo.restructuring.operations import Share
from dangbo.restructuring.plans import PlanError, read_plan_bytes
from dangbo.restructuring.selectors import plan_codes_outside_scope


class RestructureForm(DecisionFields):
    """An effective date and the decision behind a restructuring (number and date: the
    operations refuse without them); organizations are named by code, among those the
    acting user may change."""

    effective_on = VietnameseDateField(label="Ngày hiệu lực")
    field_order = ["effective_on", "decision_no", "decision_on", "decision_body"]

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        for name in ("decision_no", "decision_on"):
            self.fields[name].required = True

    def writable_org(self, code: str) -> Org:
        try:
            return org_writable_by_code(actor=self.actor, code=code, organize=True)
        except NotInScope:
            raise forms.ValidationError(OUT_OF_REACH.format(code=code)) from None

    def writable_orgs(self, text: str) -> tuple[list[str], list[Org], list[forms.ValidationError]]:
        """The codes typed in ``text`` (commas, semicolons or new lines between them, each once),
        the organizations among them the user may change, and an error for each other code."""
        codes = list(dict.fromkeys(c for c in re.split(r"[\s,;]+", text or "") if c))
        orgs: list[Org] = []
        errors = []
        for code in codes:
            try:
                org = self.writable_org(code)
            except forms.ValidationError as error:
                errors.append(error)
            else:
                if org not in orgs:  # "x1a" and "X1A" name one organization
                    orgs.append(org)
        return codes, orgs, errors


class OrgMoveForm(RestructureForm):
    parent_code = forms.CharField(
        label="Mã tổ chức cấp trên mới",
        max_length=40,
        help_text=f"mã ghi trên trang của tổ chức sẽ trực thuộc; {PICKER_HINT}",
        widget=OrgPickerInput(within=PickScope.WRITE),
    )
    field_order = ["parent_code", "effective_on", "decision_no", "decision_on", "decision_body"]

    def clean_parent_code(self):
        code = self.cleaned_data["parent_code"].strip()
        self.cleaned_data["parent"] = self.writable_org(code)
        return code


class OrgMergeForm(RestructureForm):
    source_codes = forms.CharField(
        label="Mã các tổ chức được hợp nhất, sáp nhập vào tổ chức này",
        max_length=4000,
        widget=OrgPickerInput(within=PickScope.WRITE, multiple=True),
        help_text=f"cách nhau bằng dấu phẩy; {PICKER_HINT} từng tổ chức",
    )
    approval = forms.CharField(
        label="Văn bản đồng ý của cấp trên",
        max_length=200,
        required=False,
        help_text="khi Điều lệ Đảng đòi hỏi (Điều 21); để trống nếu không cần",
    )
    field_order = ["source_codes", "effective_on", "decision_no", "decision_on", "decision_body", "approval"]

    def clean_source_codes(self):
        codes, sources, errors = self.writable_orgs(self.cleaned_data["source_codes"])
        if not codes:
            raise forms.ValidationError("Chưa nhập mã tổ chức nào.")
        if errors:
            raise forms.ValidationError(errors)
        self.cleaned_data["sources"] = sources
        return ", ".join(codes)


class OrgDissolveForm(RestructureForm):
    pass


class OrgSplitForm(RestructureForm):
    """Split an organization: the receiving organizations (established beforehand) by code, then
    for every member, hamlet and sub-organization the one that receives it. The choices of
    each item are the receiving organizations typed in the same form, so the officer types the
    codes, presses «Xem trước», and the lists offer them."""

    target_codes = forms.CharField(
        label="Mã các tổ chức nhận",
        max_length=4000,
        widget=OrgPickerInput(within=PickScope.WRITE, multiple=True),
        help_text=f"tổ chức đã thành lập trước; cách nhau bằng dấu phẩy; {PICKER_HINT} từng tổ chức",
    )
    keep_source = forms.BooleanField(
        label="Giữ lại tổ chức này (tách một phần)",
        required=False,
        help_text="không đánh dấu: phải giao hết, tổ chức này thôi hoạt động từ ngày hiệu lực",
    )
    field_order = [
        "target_codes",
        "keep_source",
        "effective_on",
        "decision_no",
        "decision_on",
        "decision_body",
    ]

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        # the receivers are read once, here: the lists below offer them, clean_target_codes reports the rest
        self.codes, targets, self.code_errors = self.writable_orgs(
            self.data.get("target_codes", "") if self.is_bound else ""
        )
        self.targets = {str(org.pk): org for org in targets}
        choices = [("", "— giữ lại, hoặc chưa giao —")] + [
            (pk, f"{org.name} ({org.code})") for pk, org in self.targets.items()
        ]
        self.assigned: dict[str, tuple[str, object]] = {}  # field name → (share attribute, item id)
        for prefix, share, label, things in (
            ("m", "members", "Đảng viên", [(m.pk, m.full_name) for m in items.members]),
            ("h", "localities", "Thôn, tổ dân phố", [(h.pk, str(h)) for h in items.hamlets]),
            ("c", "children", "Tổ chức trực thuộc", [(c.pk, c.name) for c in items.children]),
        ):
            for pk, name in things:
                self.fields[f"{prefix}_{pk}"] = forms.ChoiceField(
                    label=f"{label}: {name}", choices=choices, required=False
                )
                self.assigned[f"{prefix}_{pk}"] = (share, pk)

    def clean_target_codes(self):
        if not self.codes:
            raise forms.ValidationError("Chưa nhập mã tổ chức nhận nào.")
        if self.code_errors:
            raise forms.ValidationError(self.code_errors)
        return ", ".join(self.codes)

    def clean(self):
        data = super().clean()
        shares = {org: Share() for org in self.targets.values()}
        for name, (share, pk) in self.assigned.items():
            if data.get(name):  # a choice among the receivers (the field refuses anything else)
                getattr(shares[self.targets[data[name]]], share).append(pk)
        data["shares"] = shares
        data["targets"] = list(self.targets.values())
        return data


class PlanUploadForm(VietnameseForm):
    """A restructuring plan file: readable as a plan, naming only organizations the user may change."""

    plan_file = forms.FileField(
        label="Tệp phương án (.csv hoặc .xlsx)",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.fields["plan_file"].error_messages.update(
            required="Chưa chọn tệp.",
            empty="Tệp trống.",
            missing="Chưa chọn tệp.",
            invalid="Không đọc được tệp gửi lên; hãy chọn lại tệp.",
        )

    def clean_plan_file(self):
        upload = self.cleaned_data["plan_file"]
        if upload.size > PLAN_MAX_BYTES:
            raise forms.ValidationError(f"Tệp quá lớn (tối đa {PLAN_MAX_BYTES // (1024 * 1024)} MB).")
        data = upload.read()
        try:
            rows = read_plan_bytes(data, upload.name)
        except PlanError as error:
            raise forms.ValidationError(str(error)) from None
        except ImportError:  # the Excel reader is not installed on this server
            raise forms.ValidationError(
                "Máy chủ này chưa đọc được tệp Excel; hãy lưu phương án thành «CSV UTF-8» rồi tải lên."
            ) from None
        outside = plan_codes_outside_scope(actor=self.actor, rows=rows)
        if outside:
            raise forms.ValidationError(
                f"Phương án nêu {len(outside)} mã tổ chức không có hoặc nằm ngoài phạm vi anh/chị được sửa: "
                + ", ".join(outside[:50])
                + (" …" if len(outside) > 50 else "")
                + ". Không thể xem trước hay áp dụng phương án này."
            )
        self.file_name, self.content = upload.name, data
        return upload


class PlanApplyForm(VietnameseForm):
    """The confirmation of a previewed plan: the SHA-256 of the bytes that were previewed."""

    sha256 = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan

    def clean_sha256(self):
        if self.cleaned_data["sha256"] != self.plan.sha256:
            raise forms.ValidationError("Trang đã cũ; hãy tải lại trang phương án rồi xác nhận lại.")
        return self.cleaned_data["sha256"]


OUT_OF_REACH = "Không có tổ chức đang hoạt động mang mã «{code}» trong phạm vi anh/chị được sửa."


PLAN_MAX_BYTES = 10 * 1024 * 1024
