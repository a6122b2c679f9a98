"""The shapes a statistical form is made of (``stats.statforms``): the form codes, a row
(``FormRow``), a form (``StatForm``), a cross-check's result (``Check``), the report that holds
them (``FormReport``), and the column builder the forms share (``_Columns``, ``_form``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from dangbo.reference.models import NO_RELIGION_CODE
from dangbo.stats.frames import Frame

SOURCE = (
    "HD 11-HD/BTCTW (13/12/2021), biểu mẫu thống kê cơ bản — nội dung do dangbo dựng lại từ mô tả công khai"
)

FORM_MOVEMENT = "Mẫu 1-TCTW"
FORM_ADMISSIONS = "Mẫu 2-TCTW"
FORM_QUALIFICATIONS = "Mẫu 3-TCTW"
FORM_ETHNICITY_RELIGION = "Mẫu 4-TCTW"
FORM_OCCUPATIONS = "Mẫu 5-TCTW"
FORM_SECTORS = "Mẫu 6-TCTW"
FORM_AGE_GENDER = "Mẫu 7-TCTW"
FORM_UNITS = "Mẫu 8-TCTW"

TOTAL_LABEL = "Tổng cộng"
UNRECORDED = "Chưa ghi"

_NO_RELIGION = (NO_RELIGION_CODE, None, "")


@dataclass
class FormRow:
    label: str
    org_code: str
    values: list[int]
    flagged: set[int] = field(default_factory=set)
    direct: bool = False  # the members (or events) of the root itself, not of a child


@dataclass
class StatForm:
    code: str
    title: str
    columns: list[str]  # full, unambiguous names ("Tăng: kết nạp mới")
    rows: list[FormRow]
    total: FormRow
    headers: list[str] = field(default_factory=list)  # short headings, shown under ``groups``
    groups: list[tuple[str, int, int]] = field(default_factory=list)  # (heading, first, last column)
    basis: str = ""  # the date or the period, as printed under the title
    row_heading: str = "Tổ chức đảng"
    notes: list[str] = field(default_factory=list)
    members_column: int | None = None  # counts the members on ``members_on`` (check B)
    members_on: date | None = None
    parts: list[tuple[int, tuple[int, ...]]] = field(default_factory=list)  # whole = sum of parts (check D)
    within: list[tuple[int, int]] = field(default_factory=list)  # (part, whole): part <= whole (check D)
    net_pairs: list[tuple[int, int]] = field(default_factory=list)  # compared by difference in check C

    def row_at(self, index: int) -> FormRow:
        """``index`` -1 is the total row."""
        return self.total if index == -1 else self.rows[index]

    @property
    def number(self) -> str:
        return self.code.split()[-1].split("-")[0]


@dataclass
class Check:
    code: str
    description: str
    ok: bool
    detail: str
    cells: list[tuple[str, int, int]] = field(default_factory=list)  # (form code, row index or -1, column)


@dataclass
class FormReport:
    frame: Frame
    forms: list[StatForm]
    checks: list[Check]
    root_name: str = ""
    # Counted placements in the root's subtree on a day, counted on their own (check B).
    placement_counts: dict[date, int] = field(default_factory=dict)
    source: str = SOURCE

    def form(self, code: str) -> StatForm:
        for form in self.forms:
            if form.code == code:
                return form
        raise KeyError(code)

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)

    @property
    def failed(self) -> list[Check]:
        return [check for check in self.checks if not check.ok]


class _Columns:
    def __init__(self) -> None:
        self.names: list[str] = []
        self.short: list[str] = []
        self.groups: list[tuple[str, int, int]] = []

    def add(self, name: str) -> int:
        self.names.append(name)
        self.short.append(name)
        return len(self.names) - 1

    def group(self, heading: str, names: Iterable[str]) -> list[int]:
        first = len(self.names)
        for name in names:
            self.names.append(f"{heading}: {name}")
            self.short.append(name)
        indexes = list(range(first, len(self.names)))
        if indexes:
            self.groups.append((heading, first, indexes[-1]))
        return indexes

    @property
    def width(self) -> int:
        return len(self.names)


def _form(code: str, title: str, cols: _Columns, rows: list[FormRow], total: FormRow, **extra) -> StatForm:
    return StatForm(
        code=code,
        title=title,
        columns=cols.names,
        rows=rows,
        total=total,
        headers=cols.short,
        groups=cols.groups,
        **extra,
    )
