"""Mẫu 3–8-TCTW: the forms of the report date. One pass over the counted placements of that
day, joined to the members and counted per (row, attribute value) (``_stock``), feeds every
form: qualifications (3), ethnicity and religion (4), occupations (5), sectors (6), age and
gender (7), and the organizations under each row (8)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import CharField
from django.db.models.functions import Cast, Substr

from dangbo.core import paths
from dangbo.core.formats import format_date
from dangbo.core.kinds import GRASSROOTS_KINDS, OrgKind, Sector
from dangbo.members.models import Gender, MemberStatus
from dangbo.orgs.models import OrgVersion
from dangbo.reference.models import (
    KINH_CODE,
    Ethnicity,
    GeneralEducation,
    ProfessionalLevel,
    Religion,
    TheoryLevel,
)
from dangbo.stats.frames import Frame
from dangbo.stats.indicators import AGE_BANDS, age_band
from dangbo.stats.sql import driver_rows
from dangbo.stats.statforms.shapes import (
    _NO_RELIGION,
    FORM_AGE_GENDER,
    FORM_ETHNICITY_RELIGION,
    FORM_OCCUPATIONS,
    FORM_QUALIFICATIONS,
    FORM_SECTORS,
    FORM_UNITS,
    TOTAL_LABEL,
    UNRECORDED,
    FormRow,
    StatForm,
    _Columns,
    _form,
)
from dangbo.stats.statforms.tree import (
    _VERSION_FIELDS,
    _by_raw_key,
    _Layout,
    _layout,
    _placements_on,
    _subtree_on,
    _valid_on,
    _Version,
)

TOP_ETHNICITIES = 6
TOP_RELIGIONS = 5
TOP_OCCUPATIONS = 10
STOCK_AGE_BANDS = AGE_BANDS  # the dashboard's bands (stats.indicators)


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

    One query over placements and members, read raw in chunks (``stats.sql.driver_rows``), each chunk
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
    org_of_raw = _by_raw_key(query.db, ((org_id, org_id) for org_id in versions))
    row_of = {raw: layout.bucket(versions[org_id].path) for raw, org_id in org_of_raw.items()}
    by_raw_org: Counter = Counter()
    # (row, value) → members; row None: an organization of the subtree under no row (check C)
    pairs: dict[str, Counter] = {dimension: Counter() for dimension in _DIMENSIONS}
    for chunk in driver_rows(query):
        columns = list(zip(*chunk, strict=False))
        by_raw_org.update(columns[0])
        rows_of_chunk = list(map(row_of.get, columns[0]))
        for i, dimension in enumerate(_DIMENSIONS, start=1):
            pairs[dimension].update(zip(rows_of_chunk, columns[i], strict=False))

    marginals_of_row: list[Marginals] = [
        {dimension: Counter() for dimension in _DIMENSIONS} for _ in range(layout.buckets)
    ]
    total: Marginals = {dimension: Counter() for dimension in _DIMENSIONS}
    for dimension, counter in pairs.items():
        for (row, value), n in counter.items():
            value = _normalized(dimension, value)
            total[dimension][value] += n
            if row is not None:
                marginals_of_row[row][dimension][value] += n
    by_org: Counter = Counter()
    row_counts = [0] * layout.buckets
    for raw, n in by_raw_org.items():
        by_org[org_of_raw.get(raw, raw)] += n
        row = row_of.get(raw)
        if row is not None:
            row_counts[row] += n
    return _Stock(
        layout,
        versions,
        [(row_counts[i], marginals) for i, marginals in enumerate(marginals_of_row)],
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


def _spread(values: list[int], counter: Counter, column_of: Callable[[Any], int]) -> None:
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

            def column_of(code, by_code: dict = by_code, indexes: list[int] = indexes) -> int:
                return by_code.get(code, indexes[-1])

            _spread(values, marginals[dimension], column_of)

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
_KIND_COLUMN: dict[str, int] = {
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


def _date_basis(frame: Frame) -> str:
    return f"Số liệu đến ngày {format_date(frame.as_of)}"
