"""The basic statistical forms of the Central Organization Commission (biểu thống kê cơ bản,
Ban Tổ chức Trung ương), computed from the member ledger and the dated organization versions,
with the cross-checks that a committee runs before it files them.

Source, and what is reconstructed
---------------------------------
HD 11-HD/BTCTW (13/12/2021) sets the basic statistics of Party-building work: numbers,
structure and quality of organizations and members (RULES.md §0, §8 [S26]). Its form list and
layouts are not in our sources (RULES.md §8 and §12: "form list: UNCONFIRMED"). The forms below
are **reconstructed from public descriptions** of that guidance and of its predecessor (HD
12-HD/BTCTW, 17/5/2012, Part II "lập biểu thống kê cơ bản"), not copied from the official
forms: the codes "Mẫu n-TCTW", the column sets, the age bands and the order are dangbo's. Check
them against the official forms before a report is filed upwards.

    Mẫu 1-TCTW  Tăng, giảm đảng viên (period): đầu kỳ; tăng: kết nạp mới, kết nạp lại, phục hồi
                đảng tịch, chuyển đến, cộng; giảm: từ trần, xóa tên, xin ra khỏi Đảng, khai trừ,
                chuyển đi, cộng; cuối kỳ.
    Mẫu 2-TCTW  Kết nạp đảng viên (period): tổng số, trong đó kết nạp lại, nữ, dân tộc thiểu số,
                có tôn giáo; tuổi khi kết nạp 18–30, 31–40, 41–50, trên 50; giáo dục phổ thông.
                (Đoàn viên thanh niên is not recorded in dangbo, so it is left out.)
    Mẫu 3-TCTW  Đảng viên theo trình độ (date): giáo dục phổ thông, chuyên môn nghiệp vụ, lý luận
                chính trị, each level of the code lists plus "chưa ghi".
    Mẫu 4-TCTW  Đảng viên theo dân tộc, tôn giáo (date): Kinh, dân tộc thiểu số and the largest
                minorities of the report; không theo tôn giáo, có tôn giáo and the largest religions.
    Mẫu 5-TCTW  Đảng viên theo nghề nghiệp (date): the most frequent occupations, others, unrecorded.
    Mẫu 6-TCTW  Tổ chức cơ sở đảng và đảng viên theo loại hình (date): one row per sector (loại
                hình) of the grassroots organization: đảng bộ cơ sở, chi bộ cơ sở, cộng, đảng bộ bộ
                phận, chi bộ trực thuộc, đảng viên.
    Mẫu 7-TCTW  Đảng viên theo tuổi đời, giới tính (date): nam, nữ; ≤30, 31–40, 41–50, 51–60,
                61–70, trên 70.
    Mẫu 8-TCTW  Tổ chức đảng trực thuộc và đảng viên (date): the organizations under each row, by
                kind, and the members, of whom probationary.

Every form except 6 has one row per direct child of the root and a total row for the root; a
row "sinh hoạt trực tiếp" is added when the root itself holds members (or events).

How the figures are drawn (the choices, and why)
-----------------------------------------------
* **Stock** (members on a day) is the counted ``Placement`` rows valid that day
  (``valid_from <= d < valid_to``, or open), in the organizations of the root's subtree as it
  stood that day (``Frame.org_ids_on``) — exactly ``members.selectors.figures.member_placements_on``. A
  temporary host does not count (its placement is not counted). The stock forms draw on
  ``frame.as_of``. **Identity attributes (gender, ethnicity, religion, education, occupation,
  birth date) are today's values** from the member row: the profile keeps no history of them.
* **Form 1 uses one tree for the whole period: the tree on ``frame.end``.** Its rows are the
  root's children on that day; an organization is placed by its version on ``frame.end``, or,
  if it ended during the period (dissolved, merged), by its last version. The opening figure is
  therefore restated on the end-of-period tree: an organization moved between rows during the
  period counts in its new row from the start, so a restructuring is not shown as members moving.
  (Placing each event by the tree of its own date would break the opening + in − out = closing
  identity whenever an organization moves.) Form 2 uses the same tree.
* **Where an event happened.** Admissions, readmissions and receptions from outside carry their
  cell (``to_org``); an official transfer carries both ends. Death, striking off, resignation,
  expulsion and moving away are placed in the organization the member belonged to just before the
  event — by the ledger's own rule, the ``to_org`` of the last admission, readmission, reception or
  transfer before it in ledger order (``members.ledger.step``); that is the organization of the
  counted placement the event closed, and it stays right when a transfer and an exit fall on the
  same day. Where no such event exists the event's ``from_org``, then the member's organization,
  is used.
* **Transfers.** A row counts a transfer in when the destination is in its subtree and the origin
  is not (and out, the other way round), plus receptions from outside (``transferred_in``) and
  moves to outside (``moved_away``). The total row counts only transfers across the root's edge,
  so check C compares transfers between the rows and the total by their net (in − out).
* **Restoration (phục hồi đảng tịch) is counted in the period of the exit it annuls**, beside that
  exit. The ledger restores with retroactive effect: the placement reopens from the exit day and
  party age is continuous (``ledger.step``, RESTORED), so in the placements the member never left.
  A period holding the exit shows "xóa tên 1, phục hồi 1" once the restoration is recorded; a
  period holding only the restoration decision does not count it again, because its opening
  figure already includes the member. Counting it on the decision date would break the identity.
* **Ages.** Stock forms: tuổi đời by year of birth, report year − birth year, as ``stats.tallies``
  does. Form 2: full years on the admission (decision) date.
* **Data-dependent columns.** The minorities, religions and occupations that get their own column
  are the most frequent in the root's total (ties by code or name); the rest are in "khác".
* **Mẫu 6 and 8 count organizations** on ``frame.as_of``: Mẫu 6 by the sector of the grassroots
  organization that holds them (the root included when it is one), Mẫu 8 under each row (the
  root itself not counted). A group (tổ đảng) and the levels above grassroots are not counted.

Cost: a fixed number of queries whatever the size. The stock is one pass over the counted
placements joined to the members, read raw in chunks and counted per (row, attribute value) in C
(``collections.Counter``); increases and transfers are counted per organization in the database;
only the period's decreases and restorations are read one by one. About 12 s for 500,000
members on SQLite on a busy two-core machine (bench figure, not a test), most of it SQLite's join.

Cross-checks (``check_forms``), run with every report and returned with it
--------------------------------------------------------------------------
A  Mẫu 1: đầu kỳ + tổng tăng − tổng giảm = cuối kỳ, in every row and the total.
B  each form's member total on its date equals the count of counted placements that day
   (Mẫu 1's closing against ``frame.end``; the stock forms against ``frame.as_of``), so the forms
   agree with each other.
C  the total row equals the sum of the rows (children and the root's own members).
D  within a row, components add up to their whole (tăng = the increase columns, Kinh + thiểu
   số = tổng, …) and a "trong đó" column never exceeds its whole.
E  Mẫu 2's admissions equal Mẫu 1's kết nạp mới + kết nạp lại, row by row.
A failed check marks every figure it involves (``FormRow.flagged``); the figures themselves are
never changed or hidden.
"""

from __future__ import annotations

import bisect
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import connections
from django.db.models import CharField, Count, Q
from django.db.models.functions import Cast, Substr

from dangbo.core import paths
from dangbo.core.formats import format_date, format_number
from dangbo.core.kinds import GRASSROOTS_KINDS, OrgKind, Sector
from dangbo.members.models import Gender, MemberEvent, MemberStatus, Placement
from dangbo.orgs.models import OrgVersion
from dangbo.reference.models import (
    KINH_CODE,
    NO_RELIGION_CODE,
    Ethnicity,
    GeneralEducation,
    ProfessionalLevel,
    Religion,
    TheoryLevel,
)
from dangbo.stats.frames import Frame
from dangbo.stats.indicators import AGE_BANDS, age_band

Kind = MemberEvent.Kind
_ORG_ID_FIELD = Placement._meta.get_field("org").target_field

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

# Mẫu 1-TCTW columns.
OPENING, ADMITTED, READMITTED, RESTORED, TRANSFER_IN, INCREASE = 0, 1, 2, 3, 4, 5
DIED, STRUCK_OFF, RESIGNED, EXPELLED, TRANSFER_OUT, DECREASE, CLOSING = 6, 7, 8, 9, 10, 11, 12
INCREASE_PARTS = (ADMITTED, READMITTED, RESTORED, TRANSFER_IN)
DECREASE_PARTS = (DIED, STRUCK_OFF, RESIGNED, EXPELLED, TRANSFER_OUT)

TOP_ETHNICITIES = 6
TOP_RELIGIONS = 5
TOP_OCCUPATIONS = 10
STOCK_AGE_BANDS = AGE_BANDS  # the dashboard's bands (stats.indicators)
ADMISSION_AGE_BANDS = ((None, 30, "18–30 tuổi"), (31, 40, "31–40"), (41, 50, "41–50"), (51, None, "Trên 50"))

TOTAL_LABEL = "Tổng cộng"
UNRECORDED = "Chưa ghi"


# --- the shapes a report is made of ------------------------------------------------------


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


# --- the tree a form is drawn on ----------------------------------------------------------


def _valid_on(day: date) -> Q:
    return (Q(valid_to__isnull=True) | Q(valid_to__gt=day)) & Q(valid_from__lte=day)


def _placements_on(day: date):
    return Placement.objects.filter(_valid_on(day), counted=True)


_FETCH_ROWS = 50_000


def _raw_chunks(queryset):
    """The rows of a ``values_list`` query as the database driver returns them, in chunks.

    Model conversion (UUIDs from text, dates from text on SQLite) costs more than the query
    itself at 500,000 rows; the callers count the raw rows and convert only distinct values."""
    connection = connections[queryset.db]
    sql, params = queryset.query.get_compiler(queryset.db).as_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while chunk := cursor.fetchmany(_FETCH_ROWS):
            yield chunk


def _raw_key(alias: str, org_id):
    """An organization id as the driver returns it (text on SQLite, a UUID on PostgreSQL)."""
    return _ORG_ID_FIELD.get_db_prep_value(org_id, connections[alias])


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


@dataclass
class _Version:
    org_id: object
    code: str
    path: str
    name: str
    kind: str
    sector: str


_VERSION_FIELDS = ("org_id", "org__code", "path", "name", "kind", "sector")


@dataclass
class _Layout:
    """The rows of a form: the root's direct children on one day, then the root's own members."""

    root_path: str | None
    root_name: str
    root_code: str
    children: list[_Version]

    def __post_init__(self) -> None:
        self.index = {child.path: i for i, child in enumerate(self.children)}
        self.direct = len(self.children)

    @property
    def buckets(self) -> int:
        return len(self.children) + 1

    def bucket(self, path: str) -> int | None:
        """The row of an organization at ``path``: a child's index, ``direct``, or None (outside,
        or under the root but under no child, which check C then reports)."""
        if self.root_path is None or not path.startswith(self.root_path):
            return None
        if path == self.root_path:
            return self.direct
        return self.index.get(path[: len(self.root_path) + paths.SEGMENT_WIDTH + 1])

    def rows(self, tables: list[list[int]], *, keep_direct: bool) -> list[FormRow]:
        rows = [FormRow(child.name, child.code, tables[i]) for i, child in enumerate(self.children)]
        if keep_direct:
            rows.append(
                FormRow(
                    f"Sinh hoạt trực tiếp tại {self.root_name}",
                    self.root_code,
                    tables[self.direct],
                    direct=True,
                )
            )
        return rows


def _layout(frame: Frame, versions: dict[object, _Version]) -> _Layout:
    root = versions.get(frame.root.pk)
    if root is None:
        return _Layout(None, frame.root.name, frame.root.code, [])
    child_len = len(root.path) + paths.SEGMENT_WIDTH + 1
    children = sorted(
        (v for v in versions.values() if len(v.path) == child_len and v.path.startswith(root.path)),
        key=lambda v: v.path,
    )
    return _Layout(root.path, root.name, root.code, children)


def _subtree_on(frame: Frame, day: date) -> dict[object, _Version]:
    root_path = frame.root_path_on(day)
    if root_path is None:
        return {}
    rows = (
        OrgVersion.objects.filter(_valid_on(day))
        .filter(paths.subtree_q(root_path))
        .values_list(*_VERSION_FIELDS)
    )
    return {row[0]: _Version(*row) for row in rows}


# --- Mẫu 1 and 2: the period ----------------------------------------------------------------


@dataclass
class _PeriodTree:
    layout: _Layout
    bucket: dict[object, int | None]  # org id → row (None: under the root but under no row)
    org_ids: object  # a subquery: every organization that may belong to the root in the period


def _period_tree(frame: Frame) -> _PeriodTree:
    """The tree on ``frame.end``, with the organizations that ended during the period placed by
    their last version (the module docstring says why)."""
    start, end = frame.start, frame.end
    before = start - timedelta(days=1)
    overlapping = (Q(valid_to__isnull=True) | Q(valid_to__gt=before)) & Q(valid_from__lte=end)
    root_paths = set(OrgVersion.objects.filter(overlapping, org=frame.root).values_list("path", flat=True))
    if not root_paths:
        empty = _Layout(None, frame.root.name, frame.root.code, [])
        return _PeriodTree(empty, {}, OrgVersion.objects.none().values("org_id"))
    in_tree = Q()
    for root_path in root_paths:
        in_tree |= paths.subtree_q(root_path)
    candidates = OrgVersion.objects.filter(overlapping).filter(in_tree)
    by_org: dict[object, list[tuple]] = defaultdict(list)
    for org_id, code, path, name, kind, sector, valid_from, valid_to in candidates.values_list(
        *_VERSION_FIELDS, "valid_from", "valid_to"
    ):
        by_org[org_id].append((valid_from, valid_to, _Version(org_id, code, path, name, kind, sector)))

    def version_on(org_id, day: date) -> _Version | None:
        for valid_from, valid_to, version in by_org.get(org_id, ()):
            if valid_from <= day and (valid_to is None or valid_to > day):
                return version
        return None

    at_end = {org_id: v for org_id in by_org if (v := version_on(org_id, end)) is not None}
    layout = _layout(frame, at_end)
    places: dict[date, tuple[str | None, dict[str, int]]] = {end: (layout.root_path, layout.index)}

    def place_on(day: date) -> tuple[str | None, dict[str, int]]:
        """The root's path on ``day`` and the paths of the end-of-period rows on that day."""
        if day not in places:
            root = version_on(frame.root.pk, day)
            index = {
                v.path: i
                for i, child in enumerate(layout.children)
                if (v := version_on(child.org_id, day)) is not None
            }
            places[day] = (root.path if root else None, index)
        return places[day]

    bucket: dict[object, int | None] = {}
    for org_id, versions in by_org.items():
        if org_id in at_end:
            day, version = end, at_end[org_id]
        else:
            valid_from, valid_to, version = max(versions, key=lambda item: item[0])
            day = valid_to - timedelta(days=1)
        root_path, index = place_on(day)
        if root_path is None or not version.path.startswith(root_path):
            continue  # outside the root on its last day in the period
        if version.path == root_path:
            bucket[org_id] = layout.direct
        else:
            bucket[org_id] = index.get(version.path[: len(root_path) + paths.SEGMENT_WIDTH + 1])
    return _PeriodTree(layout, bucket, candidates.values("org_id"))


_HOME_KINDS = (Kind.ADMITTED, Kind.READMITTED, Kind.TRANSFERRED_IN, Kind.TRANSFERRED)
_EXIT_KINDS = (Kind.STRUCK_OFF, Kind.RESIGNED, Kind.EXPELLED)
_DECREASE_COLUMN = {
    Kind.DIED: DIED,
    Kind.STRUCK_OFF: STRUCK_OFF,
    Kind.RESIGNED: RESIGNED,
    Kind.EXPELLED: EXPELLED,
    Kind.MOVED_AWAY: TRANSFER_OUT,
}
_INCREASE_COLUMN = {Kind.ADMITTED: ADMITTED, Kind.READMITTED: READMITTED, Kind.TRANSFERRED_IN: TRANSFER_IN}


class _Homes:
    """Where each member belonged before an event, replaying the ledger's rule: the ``to_org``
    of the last admission, readmission, reception or transfer before it (in ledger order)."""

    def __init__(self, rows: Iterable[tuple]) -> None:
        by_member: dict[object, list[tuple]] = defaultdict(list)
        for member_id, effective_on, seq, to_org_id in rows:
            by_member[member_id].append(((effective_on, seq), to_org_id))
        self.keys = {m: [k for k, _ in sorted(items)] for m, items in by_member.items()}
        self.orgs = {m: [o for _, o in sorted(items)] for m, items in by_member.items()}

    def before(self, member_id, effective_on: date, seq: int):
        keys = self.keys.get(member_id)
        if not keys:
            return None
        i = bisect.bisect_left(keys, (effective_on, seq))
        return self.orgs[member_id][i - 1] if i else None


def _movement(frame: Frame, tree: _PeriodTree) -> StatForm:
    start, end = frame.start, frame.end
    layout, bucket, org_ids = tree.layout, tree.bucket, tree.org_ids
    cols = _Columns()
    cols.add("Đầu kỳ")
    cols.group(
        "Tăng trong kỳ", ["Kết nạp mới", "Kết nạp lại", "Phục hồi đảng tịch", "Chuyển đến", "Cộng tăng"]
    )
    cols.group(
        "Giảm trong kỳ", ["Từ trần", "Xóa tên", "Xin ra khỏi Đảng", "Khai trừ", "Chuyển đi", "Cộng giảm"]
    )
    cols.add("Cuối kỳ")
    tables = [[0] * cols.width for _ in range(layout.buckets)]
    total = [0] * cols.width

    def add(org_id, column: int, n: int = 1) -> None:
        """Count in the organization's row and in the total, if it is in the root's tree."""
        if org_id not in bucket:
            return
        row = bucket[org_id]
        if row is not None:
            tables[row][column] += n
        total[column] += n

    before = start - timedelta(days=1)
    for column, day in ((OPENING, before), (CLOSING, end)):
        counts = (
            _placements_on(day)
            .filter(org_id__in=org_ids)
            .values_list("org_id")
            .annotate(n=Count("id"))
            .order_by()
        )
        for org_id, n in counts:
            add(org_id, column, n)

    in_period = MemberEvent.objects.filter(effective_on__gte=start, effective_on__lte=end)
    # Increases and transfers carry their organizations: counted per organization in the database.
    for kind, org_id, n in (
        in_period.filter(kind__in=tuple(_INCREASE_COLUMN), to_org_id__in=org_ids)
        .values_list("kind", "to_org_id")
        .annotate(n=Count("id"))
        .order_by()
    ):
        add(org_id, _INCREASE_COLUMN[kind], n)
    for from_org_id, to_org_id, n in (
        in_period.filter(Q(to_org_id__in=org_ids) | Q(from_org_id__in=org_ids), kind=Kind.TRANSFERRED)
        .values_list("from_org_id", "to_org_id")
        .annotate(n=Count("id"))
        .order_by()
    ):
        row_from = bucket.get(from_org_id, "outside")
        row_to = bucket.get(to_org_id, "outside")
        if row_to != row_from:
            if to_org_id in bucket and row_to is not None:
                tables[row_to][TRANSFER_IN] += n
            if from_org_id in bucket and row_from is not None:
                tables[row_from][TRANSFER_OUT] += n
        if to_org_id in bucket and from_org_id not in bucket:
            total[TRANSFER_IN] += n
        elif from_org_id in bucket and to_org_id not in bucket:
            total[TRANSFER_OUT] += n

    # Decreases are placed where the member was just before (module docstring): one by one.
    leaving = in_period.filter(kind__in=tuple(_DECREASE_COLUMN))
    touched = Placement.objects.filter(
        counted=True, org_id__in=org_ids, valid_to__gte=start, valid_to__lte=end
    ).values("member_id")
    decreases = list(
        leaving.filter(
            Q(from_org_id__in=org_ids) | Q(member_id__in=touched) | Q(member__org_id__in=org_ids)
        ).values_list("member_id", "seq", "kind", "effective_on", "from_org_id", "member__org_id")
    )
    restorations = list(
        MemberEvent.objects.filter(kind=Kind.RESTORED, effective_on__gte=start).values_list(
            "member_id", "effective_on", "seq"
        )
    )
    restored_members = list({member_id for member_id, _, _ in restorations})
    homes = _Homes(
        MemberEvent.objects.filter(kind__in=_HOME_KINDS, effective_on__lte=end)
        .filter(Q(member_id__in=leaving.values("member_id")) | Q(member_id__in=restored_members))
        .values_list("member_id", "effective_on", "seq", "to_org_id")
    )
    exit_orgs: dict[tuple, object] = {}
    for member_id, seq, kind, effective_on, from_org_id, member_org_id in decreases:
        home = homes.before(member_id, effective_on, seq) or from_org_id or member_org_id
        add(home, _DECREASE_COLUMN[kind])
        if kind in _EXIT_KINDS:
            exit_orgs[(member_id, effective_on, seq)] = home

    # A restoration counts beside the exit it annuls (module docstring).
    if restorations:
        exits: dict[object, list[tuple]] = defaultdict(list)
        for member_id, effective_on, seq in MemberEvent.objects.filter(
            member_id__in=restored_members, kind__in=_EXIT_KINDS
        ).values_list("member_id", "effective_on", "seq"):
            exits[member_id].append((effective_on, seq))
        for member_id, effective_on, seq in restorations:
            earlier = [key for key in exits.get(member_id, ()) if key < (effective_on, seq)]
            if not earlier:
                continue
            exit_on, exit_seq = max(earlier)
            if start <= exit_on <= end:
                home = exit_orgs.get((member_id, exit_on, exit_seq))
                if home is None:
                    home = homes.before(member_id, exit_on, exit_seq)
                add(home, RESTORED)

    for values in [*tables, total]:
        values[INCREASE] = sum(values[c] for c in INCREASE_PARTS)
        values[DECREASE] = sum(values[c] for c in DECREASE_PARTS)

    keep_direct = any(tables[layout.direct]) if layout.root_path else False
    return _form(
        FORM_MOVEMENT,
        "Tăng, giảm đảng viên",
        cols,
        layout.rows(tables, keep_direct=keep_direct),
        FormRow(TOTAL_LABEL, layout.root_code, total),
        basis=_period_basis(frame),
        members_column=CLOSING,
        members_on=end,
        parts=[(INCREASE, INCREASE_PARTS), (DECREASE, DECREASE_PARTS)],
        net_pairs=[(TRANSFER_IN, TRANSFER_OUT), (INCREASE, DECREASE)],
        notes=[
            f"Đầu kỳ: đảng viên được tính trong đảng số ngày {format_date(before)}; cuối kỳ: ngày {format_date(end)}.",
            f"Các dòng theo tổ chức đảng như ngày {format_date(end)}; tổ chức giải thể, sáp nhập trong kỳ được tính vào "
            "đơn vị chứa nó lúc còn hoạt động. Đầu kỳ được tính lại theo cơ cấu tổ chức cuối kỳ.",
            "Chuyển đến, chuyển đi ở dòng tổng cộng chỉ tính chuyển qua ranh giới của đảng bộ; chuyển giữa các đơn vị "
            "trực thuộc chỉ có ở các dòng.",
            "Phục hồi đảng tịch có hiệu lực từ ngày ra khỏi Đảng nên được tính vào kỳ có quyết định xóa tên, khai trừ "
            "hoặc cho ra khỏi Đảng bị hủy bỏ.",
        ],
    )


def _full_years(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _admissions(frame: Frame, tree: _PeriodTree) -> StatForm:
    layout, bucket = tree.layout, tree.bucket
    education = list(GeneralEducation.objects.values_list("code", "name"))
    cols = _Columns()
    c_total = cols.add("Tổng số kết nạp")
    c_readmitted, c_women, c_minority, c_religious = cols.group(
        "Trong đó", ["Kết nạp lại", "Nữ", "Dân tộc thiểu số", "Có tôn giáo"]
    )
    c_ages = cols.group("Tuổi khi kết nạp", [label for _, _, label in ADMISSION_AGE_BANDS])
    c_education = cols.group("Giáo dục phổ thông", [name for _, name in education] + [UNRECORDED])
    education_col = {code: c_education[i] for i, (code, _) in enumerate(education)}
    tables = [[0] * cols.width for _ in range(layout.buckets)]
    total = [0] * cols.width
    query = (
        MemberEvent.objects.filter(
            kind__in=(Kind.ADMITTED, Kind.READMITTED),
            effective_on__gte=frame.start,
            effective_on__lte=frame.end,
            to_org_id__in=tree.org_ids,
        )
        .values_list(
            "kind",
            "to_org_id",
            "effective_on",
            "member__gender",
            "member__ethnicity_id",
            "member__religion_id",
            "member__birth_date",
            "member__general_education_id",
        )
        .order_by()
    )
    counts: Counter = Counter()
    for chunk in _raw_chunks(query):
        counts.update(chunk)
    bucket_raw = {_raw_key(query.db, org_id): row for org_id, row in bucket.items()}
    for (kind, org_raw, on, gender, ethnicity, religion, born, school), n in counts.items():
        if org_raw not in bucket_raw:
            continue
        columns = [
            c_total,
            c_ages[age_band(_full_years(_as_date(born), _as_date(on)), ADMISSION_AGE_BANDS)],
            education_col.get(school, c_education[-1]),
        ]
        if kind == Kind.READMITTED:
            columns.append(c_readmitted)
        if gender == Gender.FEMALE:
            columns.append(c_women)
        if ethnicity != KINH_CODE:
            columns.append(c_minority)
        if religion not in _NO_RELIGION:
            columns.append(c_religious)
        row = bucket_raw[org_raw]
        for column in columns:
            if row is not None:
                tables[row][column] += n
            total[column] += n
    keep_direct = any(tables[layout.direct]) if layout.root_path else False
    return _form(
        FORM_ADMISSIONS,
        "Kết nạp đảng viên",
        cols,
        layout.rows(tables, keep_direct=keep_direct),
        FormRow(TOTAL_LABEL, layout.root_code, total),
        basis=_period_basis(frame),
        parts=[(c_total, tuple(c_ages)), (c_total, tuple(c_education))],
        within=[(c, c_total) for c in (c_readmitted, c_women, c_minority, c_religious)],
        notes=[
            "Gồm kết nạp mới và kết nạp lại, theo ngày quyết định, tại chi bộ kết nạp.",
            "Tuổi tính đủ năm vào ngày quyết định kết nạp. Dân tộc, tôn giáo, trình độ theo hồ sơ hiện nay.",
            "Đoàn viên thanh niên: hệ thống chưa quản lý nên không thống kê.",
        ],
    )


# --- Mẫu 3–8: the report date --------------------------------------------------------------

# The member attributes the stock forms break the members down by. Each form needs only the
# members per value of one attribute at a time (a marginal), never a cross-tabulation, so the
# counts are kept per (organization, attribute, value), as ``stats.tallies`` keeps them.
_DIMENSIONS = {
    "status": "status",
    "gender": "member__gender",
    "ethnicity": "member__ethnicity_id",
    "religion": "member__religion_id",
    "education": "member__general_education_id",
    "professional": "member__professional_level_id",
    "theory": "member__theory_level_id",
    "occupation": "member__occupation",
    "birth_year": "birth_year",
}
NO_GRASSROOTS = None  # sector key of organizations outside any grassroots organization

Marginals = dict[str, Counter]  # attribute → value → members


@dataclass
class _Stock:
    layout: _Layout
    versions: dict[object, _Version]
    rows: list[tuple[int, Marginals]]  # per row of the layout: members, and members by attribute value
    total: tuple[int, Marginals]  # every counted placement in the subtree
    by_org: Counter  # org id → members
    sector_of: dict[object, str | None]  # org id → sector of its grassroots organization


def _grassroots_sectors(
    versions: dict[object, _Version], ancestors: list[_Version]
) -> dict[object, str | None]:
    by_path = {v.path: v for v in ancestors}
    by_path.update({v.path: v for v in versions.values()})
    sectors: dict[object, str | None] = {}
    for org_id, version in versions.items():
        sector = NO_GRASSROOTS
        for path in reversed(paths.ancestor_paths(version.path)):
            holder = by_path.get(path)
            if holder is not None and holder.kind in GRASSROOTS_KINDS:
                sector = holder.sector or ""
                break
        sectors[org_id] = sector
    return sectors


def _normalized(dimension: str, value):
    if dimension == "occupation":
        return (value or "").strip()
    if dimension == "birth_year":
        return int(value) if value else None
    return value


def _stock(frame: Frame) -> _Stock:
    """The counted placements on ``frame.as_of``, counted per row and attribute value.

    One query over placements and members, read raw in chunks (``_raw_chunks``), each chunk
    counted in C by ``Counter`` over (row, value) pairs; the few hundred distinct pairs are
    then added up per row in Python."""
    day = frame.as_of
    versions = _subtree_on(frame, day)
    layout = _layout(frame, versions)
    ancestors: list[_Version] = []
    if layout.root_path:
        above = paths.ancestor_paths(layout.root_path)[:-1]
        ancestors = [
            _Version(*row)
            for row in OrgVersion.objects.filter(_valid_on(day), path__in=above).values_list(*_VERSION_FIELDS)
        ]
    query = (
        _placements_on(day)
        .filter(org_id__in=frame.org_ids_on(day))
        # the year as text, by built-in string functions on both databases (ExtractYear is a
        # Python function call per row on SQLite)
        .annotate(birth_year=Substr(Cast("member__birth_date", CharField()), 1, 4))
        .values_list("org_id", *_DIMENSIONS.values())
        .order_by()
    )
    org_of_raw = {_raw_key(query.db, org_id): org_id for org_id in versions}
    row_of = {raw: layout.bucket(versions[org_id].path) for raw, org_id in org_of_raw.items()}
    by_raw_org: Counter = Counter()
    # (row, value) → members; row None: an organization of the subtree under no row (check C)
    pairs = {dimension: Counter() for dimension in _DIMENSIONS}
    for chunk in _raw_chunks(query):
        columns = list(zip(*chunk, strict=False))
        by_raw_org.update(columns[0])
        rows_of_chunk = [row_of.get(raw) for raw in columns[0]]
        for i, dimension in enumerate(_DIMENSIONS, start=1):
            pairs[dimension].update(zip(rows_of_chunk, columns[i], strict=False))

    rows = [{dimension: Counter() for dimension in _DIMENSIONS} for _ in range(layout.buckets)]
    total: Marginals = {dimension: Counter() for dimension in _DIMENSIONS}
    for dimension, counter in pairs.items():
        for (row, value), n in counter.items():
            value = _normalized(dimension, value)
            total[dimension][value] += n
            if row is not None:
                rows[row][dimension][value] += n
    by_org: Counter = Counter()
    row_counts = [0] * layout.buckets
    for raw, n in by_raw_org.items():
        by_org[org_of_raw.get(raw, raw)] += n
        row = row_of.get(raw)
        if row is not None:
            row_counts[row] += n
    rows = [(row_counts[i], marginals) for i, marginals in enumerate(rows)]
    return _Stock(
        layout,
        versions,
        rows,
        (sum(by_raw_org.values()), total),
        by_org,
        _grassroots_sectors(versions, ancestors),
    )


Fill = Callable[[list[int], int, Marginals], None]


def _stock_form(
    frame: Frame, stock: _Stock, code: str, title: str, cols: _Columns, fill: Fill, **extra
) -> StatForm:
    """Rows of member counts; ``fill(values, members, marginals)`` writes one row's figures."""

    def table(members: int, marginals: Marginals) -> list[int]:
        values = [0] * cols.width
        fill(values, members, marginals)
        return values

    layout = stock.layout
    tables = [table(*row) for row in stock.rows]
    keep_direct = bool(stock.rows[layout.direct][0]) if layout.root_path else False
    return _form(
        code,
        title,
        cols,
        layout.rows(tables, keep_direct=keep_direct),
        FormRow(TOTAL_LABEL, layout.root_code, table(*stock.total)),
        basis=_date_basis(frame),
        members_on=frame.as_of,
        **extra,
    )


def _reference(model) -> list[tuple[str, str]]:
    return list(model.objects.order_by("rank", "code").values_list("code", "name"))


def _levels(cols: _Columns, heading: str, items: list[tuple[str, str]]) -> tuple[list[int], dict[str, int]]:
    indexes = cols.group(heading, [name for _, name in items] + [UNRECORDED])
    return indexes, {code: indexes[i] for i, (code, _) in enumerate(items)}


def _spread(values: list[int], counter: Counter, column_of: Callable[[object], int]) -> None:
    for value, n in counter.items():
        values[column_of(value)] += n


def _qualifications(frame: Frame, stock: _Stock) -> StatForm:
    cols = _Columns()
    c_total = cols.add("Tổng số đảng viên")
    groups = [
        ("education", *_levels(cols, "Giáo dục phổ thông", _reference(GeneralEducation))),
        ("professional", *_levels(cols, "Chuyên môn nghiệp vụ", _reference(ProfessionalLevel))),
        ("theory", *_levels(cols, "Lý luận chính trị", _reference(TheoryLevel))),
    ]

    def fill(values: list[int], members: int, marginals: Marginals) -> None:
        values[c_total] = members
        for dimension, indexes, by_code in groups:
            _spread(
                values,
                marginals[dimension],
                lambda code, by_code=by_code, indexes=indexes: by_code.get(code, indexes[-1]),
            )

    return _stock_form(
        frame,
        stock,
        FORM_QUALIFICATIONS,
        "Đảng viên theo trình độ",
        cols,
        fill,
        members_column=c_total,
        parts=[(c_total, tuple(indexes)) for _, indexes, _ in groups],
        notes=[
            "Trình độ theo hồ sơ đảng viên hiện nay. Cử nhân chính trị tính ngang cao cấp lý luận chính trị."
        ],
    )


def _top(counter: Counter, n: int, exclude: Iterable = ()) -> list:
    skip = set(exclude)
    ranked = sorted(
        ((count, value) for value, count in counter.items() if value not in skip and count > 0),
        key=lambda item: (-item[0], str(item[1])),
    )
    return [value for _, value in ranked[:n]]


_NO_RELIGION = (NO_RELIGION_CODE, None, "")


def _ethnicity_religion(frame: Frame, stock: _Stock) -> StatForm:
    _, totals = stock.total
    names_e = dict(Ethnicity.objects.values_list("code", "name"))
    names_r = dict(Religion.objects.values_list("code", "name"))
    top_e = _top(totals["ethnicity"], TOP_ETHNICITIES, exclude=(KINH_CODE,))
    top_r = _top(totals["religion"], TOP_RELIGIONS, exclude=_NO_RELIGION)
    cols = _Columns()
    c_total = cols.add("Tổng số đảng viên")
    c_kinh, c_minority = cols.group("Dân tộc", [names_e.get(KINH_CODE, "Kinh"), "Dân tộc thiểu số"])
    c_top_e = cols.group(
        "Trong đó dân tộc thiểu số", [names_e.get(code, code) for code in top_e] + ["Dân tộc khác"]
    )
    c_none, c_religious = cols.group("Tôn giáo", ["Không theo tôn giáo", "Có tôn giáo"])
    c_top_r = cols.group(
        "Trong đó có tôn giáo", [names_r.get(code, code) for code in top_r] + ["Tôn giáo khác"]
    )
    e_col = {code: c_top_e[i] for i, code in enumerate(top_e)}
    r_col = {code: c_top_r[i] for i, code in enumerate(top_r)}

    def fill(values: list[int], members: int, marginals: Marginals) -> None:
        values[c_total] = members
        for code, n in marginals["ethnicity"].items():
            if code == KINH_CODE:
                values[c_kinh] += n
            else:
                values[c_minority] += n
                values[e_col.get(code, c_top_e[-1])] += n
        for code, n in marginals["religion"].items():
            if code in _NO_RELIGION:
                values[c_none] += n
            else:
                values[c_religious] += n
                values[r_col.get(code, c_top_r[-1])] += n

    return _stock_form(
        frame,
        stock,
        FORM_ETHNICITY_RELIGION,
        "Đảng viên theo dân tộc, tôn giáo",
        cols,
        fill,
        members_column=c_total,
        parts=[
            (c_total, (c_kinh, c_minority)),
            (c_minority, tuple(c_top_e)),
            (c_total, (c_none, c_religious)),
            (c_religious, tuple(c_top_r)),
        ],
        notes=[
            f"Các dân tộc thiểu số, tôn giáo có cột riêng là những nhóm đông nhất của toàn đảng bộ "
            f"(tối đa {TOP_ETHNICITIES} dân tộc, {TOP_RELIGIONS} tôn giáo); các nhóm còn lại ở cột «khác».",
            "Dân tộc, tôn giáo theo hồ sơ đảng viên hiện nay.",
        ],
    )


def _occupations(frame: Frame, stock: _Stock) -> StatForm:
    top = _top(stock.total[1]["occupation"], TOP_OCCUPATIONS, exclude=("",))
    cols = _Columns()
    c_total = cols.add("Tổng số đảng viên")
    c_jobs = cols.group("Nghề nghiệp", [*top, "Nghề nghiệp khác", UNRECORDED])
    job_col = {name: c_jobs[i] for i, name in enumerate(top)}

    def fill(values: list[int], members: int, marginals: Marginals) -> None:
        values[c_total] = members
        _spread(
            values, marginals["occupation"], lambda job: job_col.get(job, c_jobs[-2]) if job else c_jobs[-1]
        )

    return _stock_form(
        frame,
        stock,
        FORM_OCCUPATIONS,
        "Đảng viên theo nghề nghiệp",
        cols,
        fill,
        members_column=c_total,
        parts=[(c_total, tuple(c_jobs))],
        notes=[
            f"Nghề nghiệp ghi trong hồ sơ (nguyên văn); {TOP_OCCUPATIONS} nghề đông nhất của toàn đảng bộ có cột riêng."
        ],
    )


def _age_gender(frame: Frame, stock: _Stock) -> StatForm:
    year = frame.as_of.year
    cols = _Columns()
    c_total = cols.add("Tổng số đảng viên")
    c_men, c_women = cols.group("Giới tính", ["Nam", "Nữ"])
    c_ages = cols.group("Tuổi đời", [label for _, _, label in STOCK_AGE_BANDS])

    def fill(values: list[int], members: int, marginals: Marginals) -> None:
        values[c_total] = members
        _spread(values, marginals["gender"], lambda gender: c_women if gender == Gender.FEMALE else c_men)
        _spread(values, marginals["birth_year"], lambda born: c_ages[age_band(year - born, STOCK_AGE_BANDS)])

    return _stock_form(
        frame,
        stock,
        FORM_AGE_GENDER,
        "Đảng viên theo tuổi đời, giới tính",
        cols,
        fill,
        members_column=c_total,
        parts=[(c_total, (c_men, c_women)), (c_total, tuple(c_ages))],
        notes=[f"Tuổi đời tính theo năm sinh: {year} trừ năm sinh."],
    )


_ORG_COLUMNS = (
    "Đảng bộ cơ sở",
    "Chi bộ cơ sở",
    "Cộng tổ chức cơ sở đảng",
    "Đảng bộ bộ phận",
    "Chi bộ trực thuộc",
)
_KIND_COLUMN = {
    OrgKind.GRASSROOTS_COMMITTEE: 0,
    OrgKind.GRASSROOTS_CELL: 1,
    OrgKind.SUB_COMMITTEE: 3,
    OrgKind.CELL: 4,
}


def _org_columns(cols: _Columns) -> list[int]:
    return cols.group("Tổ chức đảng", _ORG_COLUMNS)


def _count_org(values: list[int], org_cols: list[int], kind: str) -> None:
    column = _KIND_COLUMN.get(kind)
    if column is None:
        return
    values[org_cols[column]] += 1
    if kind in GRASSROOTS_KINDS:
        values[org_cols[2]] += 1


def _units(frame: Frame, stock: _Stock) -> StatForm:
    layout = stock.layout
    cols = _Columns()
    org_cols = _org_columns(cols)
    c_members, c_probationary = cols.group("Đảng viên", ["Tổng số", "Trong đó dự bị"])

    def fill(values: list[int], members: int, marginals: Marginals) -> None:
        values[c_members] = members
        values[c_probationary] = marginals["status"][MemberStatus.PROBATIONARY]

    form = _stock_form(
        frame,
        stock,
        FORM_UNITS,
        "Tổ chức đảng trực thuộc và đảng viên",
        cols,
        fill,
        members_column=c_members,
        parts=[(org_cols[2], (org_cols[0], org_cols[1]))],
        within=[(c_probationary, c_members)],
        notes=[
            "Đếm các tổ chức đảng dưới mỗi đơn vị trực thuộc (kể cả chính đơn vị), không đếm đảng bộ "
            f"{layout.root_name}."
        ],
    )
    rows_by_bucket = {i: row for i, row in enumerate(form.rows) if not row.direct}
    for org_id, version in stock.versions.items():
        if org_id == frame.root.pk:
            continue
        row = layout.bucket(version.path)
        if row is not None and row in rows_by_bucket:
            _count_org(rows_by_bucket[row].values, org_cols, version.kind)
        _count_org(form.total.values, org_cols, version.kind)
    return form


def _sector_label(sector: str | None) -> str:
    if sector is NO_GRASSROOTS:
        return "Không thuộc tổ chức cơ sở đảng"
    if sector == "":
        return "Chưa ghi loại hình"
    try:
        return Sector(sector).label
    except ValueError:
        return sector


def _sectors(frame: Frame, stock: _Stock) -> StatForm:
    cols = _Columns()
    org_cols = _org_columns(cols)
    c_members = cols.add("Đảng viên")
    width = cols.width
    tables: dict[str | None, list[int]] = defaultdict(lambda: [0] * width)
    total = [0] * width
    for org_id, version in stock.versions.items():
        if version.kind in _KIND_COLUMN:
            _count_org(tables[stock.sector_of[org_id]], org_cols, version.kind)
            _count_org(total, org_cols, version.kind)
    for org_id, n in stock.by_org.items():
        tables[stock.sector_of.get(org_id, NO_GRASSROOTS)][c_members] += n
    total[c_members] = stock.total[0]
    order = {value: i for i, value in enumerate(Sector.values)}
    keys = sorted(
        (k for k, v in tables.items() if any(v)),
        key=lambda k: (
            (2, "") if k is NO_GRASSROOTS else (1, "") if k == "" else (0, order.get(k, len(order)), k)
        ),
    )
    rows = [FormRow(_sector_label(k), "", tables[k]) for k in keys]
    return StatForm(
        code=FORM_SECTORS,
        title="Tổ chức cơ sở đảng và đảng viên theo loại hình",
        columns=cols.names,
        rows=rows,
        total=FormRow(TOTAL_LABEL, stock.layout.root_code, total),
        headers=cols.short,
        groups=cols.groups,
        basis=_date_basis(frame),
        row_heading="Loại hình",
        members_column=c_members,
        members_on=frame.as_of,
        parts=[(org_cols[2], (org_cols[0], org_cols[1]))],
        notes=[
            "Loại hình của tổ chức cơ sở đảng; đảng bộ bộ phận, chi bộ trực thuộc và đảng viên tính theo loại hình "
            "của tổ chức cơ sở đảng chứa nó."
        ],
    )


def _period_basis(frame: Frame) -> str:
    return f"Kỳ báo cáo từ ngày {format_date(frame.start)} đến ngày {format_date(frame.end)}"


def _date_basis(frame: Frame) -> str:
    return f"Số liệu đến ngày {format_date(frame.as_of)}"


# --- building and checking -------------------------------------------------------------------


def build_forms(frame: Frame) -> FormReport:
    """Every form for ``frame``, with the cross-checks run (``report.checks``)."""
    tree = _period_tree(frame)
    stock = _stock(frame)
    forms = [
        _movement(frame, tree),
        _admissions(frame, tree),
        _qualifications(frame, stock),
        _ethnicity_religion(frame, stock),
        _occupations(frame, stock),
        _sectors(frame, stock),
        _age_gender(frame, stock),
        _units(frame, stock),
    ]
    counts = {}
    for day in sorted({frame.as_of, frame.end}):
        counts[day] = _placements_on(day).filter(org_id__in=frame.org_ids_on(day)).count()
    root_name = stock.layout.root_name if stock.layout.root_path else frame.root.name
    report = FormReport(frame=frame, forms=forms, checks=[], root_name=root_name, placement_counts=counts)
    check_forms(report)
    return report


def _n(value: int) -> str:
    return format_number(value)


class _Checker:
    def __init__(self, code: str, description: str) -> None:
        self.check = Check(code, description, True, "")
        self.problems: list[str] = []
        self.compared = 0

    def fail(self, form: StatForm, cells: Iterable[tuple[int, int]], problem: str) -> None:
        self.check.ok = False
        self.problems.append(problem)
        for row, column in cells:
            form.row_at(row).flagged.add(column)
            if (form.code, row, column) not in self.check.cells:
                self.check.cells.append((form.code, row, column))

    def done(self, passed: str) -> Check:
        self.check.detail = "; ".join(self.problems) if self.problems else passed
        return self.check


def _row_name(form: StatForm, index: int) -> str:
    return TOTAL_LABEL if index == -1 else form.rows[index].label


def _all_rows(form: StatForm) -> list[int]:
    return [*range(len(form.rows)), -1]


def _check_balance(form: StatForm) -> Check:
    checker = _Checker(
        "A-1", f"{form.code}: đầu kỳ + tổng tăng − tổng giảm = cuối kỳ, ở từng dòng và dòng tổng cộng"
    )
    for index in _all_rows(form):
        v = form.row_at(index).values
        expected = v[OPENING] + v[INCREASE] - v[DECREASE]
        if expected != v[CLOSING]:
            checker.fail(
                form,
                [(index, c) for c in (OPENING, INCREASE, DECREASE, CLOSING)],
                f"{_row_name(form, index)}: {_n(v[OPENING])} + {_n(v[INCREASE])} − {_n(v[DECREASE])} = "
                f"{_n(expected)}, nhưng cuối kỳ là {_n(v[CLOSING])}",
            )
    return checker.done(f"Khớp ở cả {len(form.rows) + 1} dòng.")


def _check_members(report: FormReport, form: StatForm) -> Check | None:
    if form.members_column is None or form.members_on is None:
        return None
    day = form.members_on
    expected = report.placement_counts.get(day)
    what = "cuối kỳ" if form.code == FORM_MOVEMENT else "tổng số đảng viên"
    checker = _Checker(
        f"B-{form.number}",
        f"{form.code}: {what} của dòng tổng cộng bằng số đảng viên trong đảng số "
        f"ngày {format_date(day)} (đếm riêng từ quá trình sinh hoạt đảng)",
    )
    value = form.total.values[form.members_column]
    if expected is None or value != expected:
        checker.fail(
            form,
            [(-1, form.members_column)],
            f"mẫu ghi {_n(value)}, đếm riêng được {'không có số' if expected is None else _n(expected)}",
        )
    return checker.done(f"Khớp: {_n(value)} đảng viên.")


def _check_sums(form: StatForm) -> Check:
    net = {c for pair in form.net_pairs for c in pair}
    description = f"{form.code}: dòng tổng cộng bằng tổng các dòng"
    if form.net_pairs:
        description += (
            " ("
            + ", ".join(f"«{form.headers[a]}» − «{form.headers[b]}»" for a, b in form.net_pairs)
            + " so theo số thuần, vì chuyển giữa các dòng không làm tăng, giảm toàn đảng bộ)"
        )
    checker = _Checker(f"C-{form.number}", description)
    rows = range(len(form.rows))
    for column in range(len(form.columns)):
        if column in net:
            continue
        summed = sum(form.rows[i].values[column] for i in rows)
        if summed != form.total.values[column]:
            checker.fail(
                form,
                [(i, column) for i in [*rows, -1]],
                f"cột «{form.columns[column]}»: các dòng cộng lại {_n(summed)}, dòng tổng cộng {_n(form.total.values[column])}",
            )
    for a, b in form.net_pairs:
        summed = sum(form.rows[i].values[a] - form.rows[i].values[b] for i in rows)
        total = form.total.values[a] - form.total.values[b]
        if summed != total:
            checker.fail(
                form,
                [(i, c) for i in [*rows, -1] for c in (a, b)],
                f"«{form.columns[a]}» − «{form.columns[b]}»: các dòng {_n(summed)}, dòng tổng cộng {_n(total)}",
            )
    return checker.done(f"Khớp ở cả {len(form.columns)} cột.")


def _parts_text(form: StatForm) -> str:
    def name(column: int) -> str:
        return f"«{(form.headers or form.columns)[column]}»"

    wholes = []
    for whole, parts in form.parts:
        group = next(
            (heading for heading, a, b in form.groups if a <= parts[0] <= b and parts[-1] <= b), None
        )
        wholes.append(
            f"{name(whole)} = "
            + (f"các cột nhóm «{group}»" if group and len(parts) > 2 else " + ".join(name(c) for c in parts))
        )
    return "; ".join(wholes)


def _check_parts(form: StatForm) -> Check | None:
    if not form.parts and not form.within:
        return None
    description = f"{form.code}: " + "; ".join(
        ([f"các cột thành phần cộng lại bằng cột tổng ({_parts_text(form)})"] if form.parts else [])
        + (["cột «trong đó» không lớn hơn cột tổng"] if form.within else [])
    )
    checker = _Checker(f"D-{form.number}", description)
    for index in _all_rows(form):
        v = form.row_at(index).values
        for whole, parts in form.parts:
            summed = sum(v[c] for c in parts)
            if summed != v[whole]:
                checker.fail(
                    form,
                    [(index, c) for c in (whole, *parts)],
                    f"{_row_name(form, index)}: «{form.columns[whole]}» {_n(v[whole])}, các cột thành phần cộng "
                    f"{_n(summed)}",
                )
        for part, whole in form.within:
            if v[part] > v[whole]:
                checker.fail(
                    form,
                    [(index, part), (index, whole)],
                    f"{_row_name(form, index)}: «{form.columns[part]}» {_n(v[part])} lớn hơn "
                    f"«{form.columns[whole]}» {_n(v[whole])}",
                )
    return checker.done("Khớp ở mọi dòng.")


def _check_admissions(movement: StatForm, admissions: StatForm) -> Check:
    checker = _Checker(
        "E-2",
        f"{admissions.code} khớp {movement.code}: số kết nạp (mới và lại) ở từng dòng bằng "
        "kết nạp mới + kết nạp lại",
    )
    by_key = {(row.org_code, row.direct): i for i, row in enumerate(movement.rows)}
    pairs = [(-1, -1)]
    for i, row in enumerate(admissions.rows):
        j = by_key.get((row.org_code, row.direct))
        if j is None and any(row.values):
            checker.fail(
                admissions, [(i, 0)], f"{row.label}: có ở {admissions.code} nhưng không có ở {movement.code}"
            )
        elif j is not None:
            pairs.append((i, j))
    for i, j in pairs:
        admitted = admissions.row_at(i).values[0]
        v = movement.row_at(j).values
        if admitted != v[ADMITTED] + v[READMITTED]:
            checker.fail(
                admissions,
                [(i, 0)],
                f"{_row_name(admissions, i)}: {admissions.code} ghi {_n(admitted)}, "
                f"{movement.code} ghi {_n(v[ADMITTED])} + {_n(v[READMITTED])}",
            )
            for column in (ADMITTED, READMITTED):
                movement.row_at(j).flagged.add(column)
                checker.check.cells.append((movement.code, j, column))
    return checker.done(f"Khớp ở cả {len(pairs)} dòng.")


def check_forms(report: FormReport) -> list[Check]:
    """Run every cross-check on the report's figures as they stand, replacing ``report.checks``
    and the flags. Figures are only read: a failed check marks them, never mends them."""
    for form in report.forms:
        for row in [*form.rows, form.total]:
            row.flagged.clear()
    forms = {form.code: form for form in report.forms}
    checks: list[Check] = []
    if FORM_MOVEMENT in forms:
        checks.append(_check_balance(forms[FORM_MOVEMENT]))
    for form in report.forms:
        check = _check_members(report, form)
        if check is not None:
            checks.append(check)
    checks += [_check_sums(form) for form in report.forms]
    for form in report.forms:
        check = _check_parts(form)
        if check is not None:
            checks.append(check)
    if FORM_MOVEMENT in forms and FORM_ADMISSIONS in forms:
        checks.append(_check_admissions(forms[FORM_MOVEMENT], forms[FORM_ADMISSIONS]))
    report.checks = checks
    return checks
