"""Forms for organizations and localities."""

from __future__ import annotations

from typing import Any, cast
from urllib.parse import urlencode

from django import forms
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from dangbo.core import clock, paths
from dangbo.core.decisions import DecisionRef
from dangbo.core.forms import VietnameseDateField, VietnameseForm
from dangbo.core.kinds import CELL_KINDS, OrgKind, Sector
from dangbo.core.text import fold
from dangbo.orgs.models import Locality, Org
from dangbo.orgs.selectors import PickScope

PICKER_HINT = "gõ tên (có dấu hay không đều được) hoặc mã để chọn"


class OrgPickerInput(forms.TextInput):
    """A field that takes an organization's code and, with JavaScript, suggests the
    organizations of the user's scope as they type a name or a code (``orgpicker.js``, served
    by ``orgs.views.org_pick_view``). Without JavaScript it is the plain code field; codes
    typed by hand are matched without regard to case (``orgs.selectors.org_find_code``).
    ``multiple``: the field holds several codes separated by commas."""

    def __init__(
        self,
        *,
        within: PickScope = PickScope.READ,
        cells_only: bool = False,
        multiple: bool = False,
        attrs=None,
    ):
        super().__init__(attrs)
        self.within, self.cells_only, self.multiple = within, cells_only, multiple

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        query = {"pham-vi": self.within.value} | ({"loai": "chi-bo"} if self.cells_only else {})
        context["widget"]["attrs"].update(
            {
                "data-org-picker": f"{reverse('orgs:org_pick')}?{urlencode(query)}",
                "autocomplete": "off",
                "autocapitalize": "off",
                "spellcheck": "false",
            }
            | ({"data-org-picker-multi": ""} if self.multiple else {})
        )
        return context


class DecisionFields(VietnameseForm):
    decision_no = forms.CharField(label="Số quyết định", max_length=60, required=False)
    decision_on = VietnameseDateField(label="Ngày quyết định", required=False)
    decision_body = forms.CharField(label="Cơ quan ban hành", max_length=200, required=False)

    def decision(self) -> DecisionRef:
        data = self.cleaned_data
        return DecisionRef(
            number=data.get("decision_no") or "",
            on=data.get("decision_on"),
            body=data.get("decision_body") or "",
        )


class OrgEstablishForm(DecisionFields):
    code = forms.CharField(label="Mã tổ chức", max_length=40, help_text="Mã ổn định, không dùng lại")
    name = forms.CharField(label="Tên tổ chức", max_length=255)
    kind = forms.ChoiceField(
        label="Loại tổ chức", choices=[c for c in OrgKind.choices if c[0] != OrgKind.PROVINCE]
    )
    sector = forms.ChoiceField(label="Loại hình", choices=[("", "—"), *list(Sector.choices)], required=False)
    established_on = VietnameseDateField(label="Ngày thành lập")
    members = forms.CharField(
        label="Đảng viên giao về chi bộ (số thẻ hoặc số định danh, mỗi dòng một người)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Bắt buộc khi thành lập chi bộ: ít nhất 3 đảng viên chính thức đang sinh hoạt trong tổ chức này (Điều lệ Đảng, Điều 21).",
    )
    formation_approval = forms.CharField(
        label="Văn bản đồng ý của cấp ủy cấp trên trực tiếp (số, ngày)",
        max_length=200,
        required=False,
        help_text="Bắt buộc khi lập đảng bộ bộ phận; khi số đảng viên khác quy định (đảng bộ cơ sở dưới 30, chi bộ trên 30).",
    )
    field_order = [
        "code",
        "name",
        "kind",
        "sector",
        "established_on",
        "members",
        "formation_approval",
        "decision_no",
        "decision_on",
        "decision_body",
    ]

    def member_numbers(self) -> list[str]:
        """The card numbers or national IDs typed, one per line (commas and spaces also separate)."""
        raw = (self.cleaned_data.get("members") or "").replace(",", "\n").replace(";", "\n")
        return list(dict.fromkeys(n.strip() for line in raw.splitlines() for n in line.split() if n.strip()))


class OrgRenameForm(DecisionFields):
    version = forms.IntegerField(widget=forms.HiddenInput)
    name = forms.CharField(label="Tên mới", max_length=255)
    effective_on = VietnameseDateField(label="Có hiệu lực từ ngày")
    field_order = ["version", "name", "effective_on", "decision_no", "decision_on", "decision_body"]


class DatalistInput(forms.TextInput):
    """A text box with a list of suggestions the browser filters as one types (no script)."""

    def __init__(self, *args, options: list[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.options = options or []

    def render(self, name, value, attrs=None, renderer=None):
        attrs = {**(attrs or {}), "list": f"{(attrs or {}).get('id', name)}_list", "autocomplete": "off"}
        box = super().render(name, value, attrs, renderer)
        options = format_html_join("", '<option value="{}"></option>', ((o,) for o in self.options))
        return format_html('{}<datalist id="{}">{}</datalist>', box, attrs["list"], options)


# How many members the head box suggests; beyond that, typing the full name still finds one.
HEAD_SUGGESTIONS = 3000


def _head_label(member) -> str:
    born = f"sinh {member.birth_date:%d/%m/%Y}" if member.birth_date else "chưa ghi ngày sinh"
    return f"{member.full_name} — {born} — {member.org.name}"


class LocalityForm(VietnameseForm):
    code = forms.CharField(label="Mã thôn, tổ dân phố", max_length=40)
    kind = forms.ChoiceField(label="Loại", choices=Locality.Kind.choices)
    name = forms.CharField(label="Tên", max_length=200, help_text="Không kèm chữ «Thôn», «Tổ dân phố»")
    cell = forms.ChoiceField(label="Chi bộ phụ trách", required=False)
    head_member = forms.CharField(
        label="Trưởng thôn, tổ trưởng là đảng viên",
        max_length=300,
        required=False,
        help_text="Gõ họ tên để tìm trong danh sách đảng viên của xã, phường rồi chọn. Để trống nếu trưởng thôn không phải đảng viên.",
    )
    head_name = forms.CharField(
        label="Hoặc: họ tên trưởng thôn, tổ trưởng không phải đảng viên",
        max_length=120,
        required=False,
    )
    effective_on = VietnameseDateField(
        label="Có hiệu lực từ ngày", required=False, help_text="để trống: hôm nay"
    )
    decision_no = forms.CharField(label="Số quyết định, văn bản (nếu có)", max_length=60, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, commune: Org, editing: bool = False, current_head=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.cells = {
            str(org.pk): org
            for org in Org.objects.filter(
                paths.subtree_q(commune.path), kind__in=CELL_KINDS, dissolved_on__isnull=True
            ).order_by("name")
        }
        cast(forms.ChoiceField, self.fields["cell"]).choices = [("", "— chưa có chi bộ —")] + [
            (pk, org.name) for pk, org in self.cells.items()
        ]
        # The members who may head a hamlet: those of the commune (the editor's scope covers
        # it: editing a hamlet needs write access to its commune), read through the head's
        # relation so that orgs does not import members.
        self.commune = commune
        member_model = cast(Any, Locality._meta.get_field("head_member").related_model)  # members.Member
        self._members = member_model.objects.filter(
            paths.subtree_q(commune.path, "org_path"), status__in=("probationary", "full")
        )
        suggested = list(self._members.select_related("org").order_by("sort_key")[:HEAD_SUGGESTIONS])
        self.head_choices = {_head_label(m): m for m in suggested}
        if current_head is not None:
            self.head_choices.setdefault(_head_label(current_head), current_head)
        self._fold = fold
        self.fields["head_member"].widget = DatalistInput(options=list(self.head_choices))
        if editing:
            del self.fields["code"]
            self.fields["version"].required = True

    def clean_head_member(self):
        """The member record the typed text names: a suggestion chosen from the list, or a
        full name that exactly one member of the commune has."""
        typed = (self.cleaned_data.get("head_member") or "").strip()
        if not typed:
            return None
        if typed in self.head_choices:
            return self.head_choices[typed]
        name = typed.split(" — ")[0]
        found = list(self._members.filter(search_key=self._fold(name)).select_related("org")[:5])
        if len(found) == 1:
            return found[0]
        if not found:
            raise forms.ValidationError(
                f"Không tìm thấy đảng viên «{name}» trong {self.commune.name}; chọn từ danh sách gợi ý, "
                "hoặc ghi tên ở ô người không phải đảng viên."
            )
        raise forms.ValidationError(
            f"Có {len(found)} đảng viên tên «{name}»; chọn đúng người trong danh sách gợi ý (có ngày sinh, chi bộ)."
        )

    def clean(self):
        data = super().clean()
        if data.get("head_member") is not None and (data.get("head_name") or "").strip():
            self.add_error(
                "head_name",
                "Đã chọn trưởng thôn là đảng viên; để trống ô này (chỉ ghi tên khi trưởng thôn không phải đảng viên).",
            )
        return data

    def cleaned_cell(self) -> Org | None:
        return self.cells.get(self.cleaned_data.get("cell") or "")

    @staticmethod
    def initial_for(locality: Locality) -> dict:
        return {
            "kind": locality.kind,
            "name": locality.name,
            "cell": str(locality.cell_id or ""),
            "head_member": _head_label(locality.head_member) if locality.head_member_id else "",
            "head_name": locality.head_name,
            "version": locality.version,
        }


class TreeDayForm(VietnameseForm):
    """The day the tree is drawn for (empty: today)."""

    ngay = VietnameseDateField(
        label="Xem cây tổ chức vào ngày", required=False, help_text="để trống: hôm nay"
    )

    def clean_ngay(self):

        day = self.cleaned_data.get("ngay")
        if day is not None and day > clock.today():
            raise forms.ValidationError("Ngày này ở tương lai; hãy chọn hôm nay hoặc một ngày đã qua.")
        return day


# --- Restructuring ---------------------------------------------------------------------------
