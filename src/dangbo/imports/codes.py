"""Values offices write in words, matched to the system's codes: ethnicities, religions and
levels of education (the reference lists, by name or code, and the short forms books use:
«12/12», «THPT», «ĐH», «TC»), organization kinds and sectors, kinds of hamlet.

Each list is read once per import (``CodeLists.load``) and matched on folded text, so
«Tày», «TÀY» and «tay» are one; a value not found is refused with the list's name."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from dangbo.core.kinds import OrgKind, Sector
from dangbo.core.text import fold
from dangbo.orgs.models import Locality
from dangbo.reference.models import Ethnicity, GeneralEducation, ProfessionalLevel, Religion, TheoryLevel

_SHORT_FORMS: dict[str, dict[str, str]] = {
    "religion": {"khong": "00", "": "00", "khong co": "00", "0": "00", "k": "00"},
    "general_education": {
        "thpt": "upper_secondary",
        "cap 3": "upper_secondary",
        "cap iii": "upper_secondary",
        "bo tuc thpt": "upper_secondary",
        "thcs": "lower_secondary",
        "cap 2": "lower_secondary",
        "cap ii": "lower_secondary",
        "tieu hoc": "primary",
        "cap 1": "primary",
        "cap i": "primary",
    },
    "professional_level": {
        "dh": "bachelor",
        "dai hoc": "bachelor",
        "cu nhan": "bachelor",
        "ky su": "bachelor",
        "bac si": "bachelor",
        "cd": "college",
        "tc": "intermediate",
        "sc": "elementary",
        "ths": "master",
        "thac si": "master",
        "ts": "doctor",
        "tien si": "doctor",
        "khong": "none",
        "chua qua dao tao": "none",
    },
    "theory_level": {
        "sc": "elementary",
        "so cap": "elementary",
        "tc": "intermediate",
        "trung cap": "intermediate",
        "cc": "advanced",
        "cao cap": "advanced",
        "cn": "bachelor",
        "cu nhan": "bachelor",
        "cu nhan chinh tri": "bachelor",
        "khong": "none",
    },
}
_UNSEEN = object()
_GRADE = re.compile(r"^(\d{1,2})\s*/\s*(10|12)$")

_ORG_KINDS = {
    "dang bo tinh": OrgKind.PROVINCE,
    "dang bo thanh pho": OrgKind.PROVINCE,
    "dang bo cap tren co so": OrgKind.UPPER,
    "cap tren co so": OrgKind.UPPER,
    "dang bo huyen": OrgKind.UPPER,
    "dang bo co so": OrgKind.GRASSROOTS_COMMITTEE,
    "dbcs": OrgKind.GRASSROOTS_COMMITTEE,
    "chi bo co so": OrgKind.GRASSROOTS_CELL,
    "cbcs": OrgKind.GRASSROOTS_CELL,
    "dang bo bo phan": OrgKind.SUB_COMMITTEE,
    "chi bo truc thuoc": OrgKind.CELL,
    "chi bo": OrgKind.CELL,
    "to dang": OrgKind.GROUP,
}

_SECTORS_SHORT = {"dn nha nuoc": Sector.STATE_ENTERPRISE, "dn ngoai nha nuoc": Sector.PRIVATE_ENTERPRISE}


@dataclass
class CodeLists:
    """The reference lists of one import, folded name (and code) → code."""

    lists: dict[str, dict[str, str]] = field(default_factory=dict)
    seen: dict[tuple[str, str], str | None] = field(default_factory=dict)

    @classmethod
    def load(cls) -> CodeLists:
        lists: dict[str, dict[str, str]] = {}
        for name, model in (
            ("ethnicity", Ethnicity),
            ("religion", Religion),
            ("general_education", GeneralEducation),
            ("professional_level", ProfessionalLevel),
            ("theory_level", TheoryLevel),
        ):
            table: dict[str, str] = {}
            for code, label in model._default_manager.values_list("code", "name"):
                table[fold(label)] = code
                table[fold(code)] = code
            table.update(
                {key: value for key, value in _SHORT_FORMS.get(name, {}).items() if value in table.values()}
            )
            lists[name] = table
        return cls(lists)

    def code(self, name: str, value: str) -> str | None:
        """The code of ``value`` in list ``name``; None when it is not there. A book repeats a
        few values (Kinh, Không, 12/12) on every row: each is looked up once."""
        remembered = self.seen.get((name, value), _UNSEEN)
        if remembered is not _UNSEEN:
            return remembered  # type: ignore[return-value]
        found = self._code(name, value)
        self.seen[(name, value)] = found
        return found

    def _code(self, name: str, value: str) -> str | None:
        key = fold(value)
        if name == "ethnicity" and key.startswith("dan toc "):
            key = key.removeprefix("dan toc ")
        found = self.lists[name].get(key)
        if found is None and name == "general_education":
            grade = _GRADE.match(key)
            if grade:
                year, system = int(grade.group(1)), int(grade.group(2))
                top = system
                if year >= top:
                    found = "upper_secondary"
                elif year >= top - 3:
                    found = "lower_secondary"
                else:
                    found = "primary"
        return found


def org_kind(value: str) -> str | None:
    key = fold(value)
    if key in OrgKind.values:
        return key
    found = _ORG_KINDS.get(key)
    if found is None:
        for kind in OrgKind:
            if fold(kind.label) == key:
                return kind.value
    return found


def sector(value: str) -> str | None:
    key = fold(value)
    if not key:
        return ""
    if key in Sector.values:
        return key
    for choice in Sector:
        if fold(choice.label) == key:
            return choice.value
    return _SECTORS_SHORT.get(key)


def locality_kind(value: str, name: str) -> str | None:
    """The kind written, or the kind the name starts with («Thôn Bản Lầu» is a thôn)."""
    key = fold(value)
    for kind in Locality.Kind:
        if key in (kind.value, fold(kind.label)):
            return kind.value
    if key:
        return None
    folded = fold(name)
    for kind in sorted(Locality.Kind, key=lambda k: -len(k.label)):
        if folded.startswith(fold(kind.label) + " "):
            return kind.value
    return None
