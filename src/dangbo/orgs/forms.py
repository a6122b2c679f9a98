"""Forms for organizations and localities."""

from __future__ import annotations

from django import forms

from dangbo.orgs.kinds import CELL_KINDS, OrgKind, Sector
from dangbo.orgs.models import Locality, Org
from dangbo.orgs.services import DecisionRef
from dangbo.web.forms import VietnameseDateField, VietnameseForm


class DecisionFields(VietnameseForm):
    decision_no = forms.CharField(label="Số quyết định", max_length=60, required=False)
    decision_on = VietnameseDateField(label="Ngày quyết định", required=False)
    decision_body = forms.CharField(label="Cơ quan ban hành", max_length=200, required=False)

    def decision(self) -> DecisionRef:
        data = self.cleaned_data
        return DecisionRef(number=data.get("decision_no") or "", on=data.get("decision_on"), body=data.get("decision_body") or "")


class OrgEstablishForm(DecisionFields):
    code = forms.CharField(label="Mã tổ chức", max_length=40, help_text="Mã ổn định, không dùng lại")
    name = forms.CharField(label="Tên tổ chức", max_length=255)
    kind = forms.ChoiceField(label="Loại tổ chức", choices=[c for c in OrgKind.choices if c[0] != OrgKind.PROVINCE])
    sector = forms.ChoiceField(label="Loại hình", choices=[("", "—")] + list(Sector.choices), required=False)
    established_on = VietnameseDateField(label="Ngày thành lập")
    field_order = ["code", "name", "kind", "sector", "established_on", "decision_no", "decision_on", "decision_body"]


class OrgRenameForm(DecisionFields):
    version = forms.IntegerField(widget=forms.HiddenInput)
    name = forms.CharField(label="Tên mới", max_length=255)
    effective_on = VietnameseDateField(label="Có hiệu lực từ ngày")
    field_order = ["version", "name", "effective_on", "decision_no", "decision_on", "decision_body"]


class LocalityForm(VietnameseForm):
    code = forms.CharField(label="Mã thôn, tổ dân phố", max_length=40)
    kind = forms.ChoiceField(label="Loại", choices=Locality.Kind.choices)
    name = forms.CharField(label="Tên", max_length=200, help_text="Không kèm chữ «Thôn», «Tổ dân phố»")
    cell = forms.ChoiceField(label="Chi bộ phụ trách", required=False)
    head_name = forms.CharField(label="Trưởng thôn, tổ trưởng", max_length=120, required=False)
    head_is_member = forms.BooleanField(label="Trưởng thôn là đảng viên", required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, commune: Org, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        from dangbo.orgs import paths

        self.cells = {
            str(org.pk): org
            for org in Org.objects.filter(paths.subtree_q(commune.path), kind__in=CELL_KINDS, dissolved_on__isnull=True).order_by("name")
        }
        self.fields["cell"].choices = [("", "— chưa có chi bộ —")] + [(pk, org.name) for pk, org in self.cells.items()]
        if editing:
            del self.fields["code"]
            self.fields["version"].required = True

    def cleaned_cell(self) -> Org | None:
        return self.cells.get(self.cleaned_data.get("cell") or "")

    @staticmethod
    def initial_for(locality: Locality) -> dict:
        return {
            "kind": locality.kind, "name": locality.name, "cell": str(locality.cell_id or ""),
            "head_name": locality.head_name, "head_is_member": locality.head_is_member, "version": locality.version,
        }


class TreeDayForm(VietnameseForm):
    """The day the tree is drawn for (empty: today)."""

    ngay = VietnameseDateField(label="Xem cây tổ chức vào ngày", required=False, help_text="để trống: hôm nay")

    def clean_ngay(self):
        from datetime import date

        day = self.cleaned_data.get("ngay")
        if day is not None and day > date.today():
            raise forms.ValidationError("Ngày này ở tương lai; hãy chọn hôm nay hoặc một ngày đã qua.")
        return day
