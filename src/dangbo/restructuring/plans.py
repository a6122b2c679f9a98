"""Restructuring plans: many operations from one spreadsheet, applied as one.

A plan is a CSV or XLSX file, one operation per row, applied top to bottom in one
transaction. Its columns (the first row; order free, letters case-insensitive):

==================  ======================================================================
``thao_tac``        ``thanh_lap`` (establish), ``doi_ten`` (rename), ``chuyen`` (move under
                    ``ma_dich``; consecutive rows under one decision are one move),
                    ``hop_nhat`` (merge ``ma_to_chuc`` into ``ma_dich``;
                    consecutive rows with the same ``ma_dich`` are one merge),
                    ``giai_the`` (dissolve), ``doi_loai`` (change kind to ``loai``),
                    ``giao_quyen`` / ``thu_hoi_quyen`` (upper-level rights)
``ma_to_chuc``      the organization's code (for ``thanh_lap``: the new code)
``ma_dich``         the new parent (``thanh_lap``, ``chuyen``) or the merged-into organization
``ten``             name (``thanh_lap``, ``doi_ten``)
``loai``            kind, by code or label (``grassroots_committee`` / «Đảng bộ cơ sở» ...)
``loai_hinh``       sector (``thanh_lap``), by code or label («Xã», «Phường» ...)
``ngay_hieu_luc``   effective date (dd/mm/yyyy)
``so_quyet_dinh``, ``ngay_quyet_dinh``, ``co_quan_quyet_dinh``: the decision
``van_ban_dong_y``  the superior's written approval, where the Charter asks for one
==================  ======================================================================

Splitting needs an assignment of each member, hamlet and cell, which a row cannot carry;
it is done by ``operations.org_split``.

``plan_run`` applies every row it can, collecting each row's problems, then checks the
result as a whole against the database before it (no member, hamlet or organization newly
left under a dissolved organization or in a kind that cannot hold them; as many members
after as before). Any problem, or a
preview: everything is rolled back. Otherwise the transaction commits.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.db import transaction
from openpyxl import load_workbook

from dangbo.core import clock, projections
from dangbo.core.bulk import refresh_statistics_after
from dangbo.core.decisions import DecisionRef
from dangbo.core.formats import parse_date
from dangbo.core.kinds import OrgKind, Sector
from dangbo.core.text import clean
from dangbo.core.uploads import UploadRefused, check_spreadsheet
from dangbo.members.models import ACTIVE_STATUSES, Member, MemberEvent, Placement, Position
from dangbo.orgs import services
from dangbo.orgs.models import Locality, LocalityVersion, Org, OrgVersion
from dangbo.restructuring import operations
from dangbo.rules import orgs as org_rules
from dangbo.rules.base import RuleViolation, Violation

COLUMNS = (
    "thao_tac",
    "ma_to_chuc",
    "ma_dich",
    "ten",
    "loai",
    "loai_hinh",
    "ngay_hieu_luc",
    "so_quyet_dinh",
    "ngay_quyet_dinh",
    "co_quan_quyet_dinh",
    "van_ban_dong_y",
)
OPERATIONS = {
    "thanh_lap": "Thành lập",
    "doi_ten": "Đổi tên",
    "chuyen": "Chuyển trực thuộc",
    "hop_nhat": "Hợp nhất, sáp nhập",
    "giai_the": "Giải thể",
    "doi_loai": "Đổi loại tổ chức",
    "giao_quyen": "Giao quyền cấp trên cơ sở",
    "thu_hoi_quyen": "Thu hồi quyền cấp trên cơ sở",
}
INPUT = "Kế hoạch sắp xếp"


class PlanError(Exception):
    """The file cannot be read as a plan (not a row's problem: the whole file's)."""


@dataclass
class Row:
    number: int  # the spreadsheet's row number (the header is row 1)
    values: dict[str, str]

    def __getitem__(self, column: str) -> str:
        return self.values.get(column, "")


@dataclass
class Step:
    """One operation of the plan (a merge spans several rows) and what came of it."""

    rows: list[int]
    operation: str
    title: str
    outcome: operations.Outcome | None = None
    violations: list[Violation] = field(default_factory=list)


@dataclass
class PlanReport:
    steps: list[Step]
    problems: list[tuple[str, Violation]]  # (where: "dòng 5" / "kế hoạch", what)
    members_before: int
    members_after: int
    applied: bool

    @property
    def ok(self) -> bool:
        return not self.problems

    def totals(self) -> dict[str, int]:
        outcomes = [s.outcome for s in self.steps if s.outcome]
        return {
            "operations": len(self.steps),
            "organizations": sum(o.organizations for o in outcomes),
            "members_rehomed": sum(o.members_rehomed for o in outcomes),
            "members_under": sum(o.members_under for o in outcomes),
            "localities": sum(o.localities for o in outcomes),
        }


# --- reading --------------------------------------------------------------------------------


def _key(text: str) -> str:
    """A header or an operation, folded: «Thao tác» → "thao_tac"."""
    folded = unicodedata.normalize("NFD", clean(str(text or "")).lower().replace("đ", "d"))
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return "_".join(folded.replace("-", " ").replace(",", " ").split())


def read_plan(path: str | Path) -> list[Row]:
    """The rows of a CSV (UTF-8, comma or semicolon) or XLSX plan."""
    path = Path(path)
    if not path.exists():
        raise PlanError(f"Không tìm thấy tệp «{path}».")
    return read_plan_bytes(path.read_bytes(), path.name)


def read_plan_bytes(data: bytes, filename: str) -> list[Row]:
    """The rows of a plan received as bytes (an uploaded file), its kind told by ``filename``."""
    suffix = Path(filename).suffix.lower()
    try:
        check_spreadsheet(data, filename)  # before any parser: a zip bomb, too many rows
    except UploadRefused as error:
        raise PlanError(str(error)) from error
    if suffix == ".xlsx":
        table = _xlsx_rows(io.BytesIO(data))
    elif suffix == ".csv":
        table = _csv_rows(data)
    else:
        raise PlanError("Kế hoạch phải là tệp .csv hoặc .xlsx.")
    return rows_from_table(table)


def _csv_rows(data: bytes) -> list[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise PlanError("Tệp CSV phải mã hóa UTF-8 (trong Excel: Lưu thành «CSV UTF-8»).") from error
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


def _xlsx_rows(source) -> list[list[str]]:
    try:
        book = load_workbook(source, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise PlanError(f"Không đọc được tệp Excel: {error}") from error
    sheet = book.worksheets[0]
    rows = []
    for values in sheet.iter_rows(values_only=True):
        rows.append(
            [v.strftime("%d/%m/%Y") if isinstance(v, date) else ("" if v is None else str(v)) for v in values]
        )
    book.close()
    return rows


def rows_from_table(table: list[list[str]]) -> list[Row]:
    if not table:
        raise PlanError("Tệp kế hoạch trống.")
    header = [_key(h) for h in table[0]]
    missing = [c for c in ("thao_tac", "ma_to_chuc", "ngay_hieu_luc") if c not in header]
    if missing:
        raise PlanError("Thiếu cột: " + ", ".join(missing) + ". Các cột: " + ", ".join(COLUMNS) + ".")
    rows = []
    for number, values in enumerate(table[1:], start=2):
        cells = {header[i]: clean(str(v)) for i, v in enumerate(values) if i < len(header) and header[i]}
        if any(cells.values()):
            rows.append(Row(number, cells))
    if not rows:
        raise PlanError("Kế hoạch không có dòng thao tác nào.")
    return rows


def rows_from_dicts(dicts: list[dict[str, str]]) -> list[Row]:
    """A plan built in code (``demo.reform``), numbered as its CSV would be."""
    return [
        Row(number, {c: clean(str(d.get(c, ""))) for c in COLUMNS}) for number, d in enumerate(dicts, start=2)
    ]


def write_plan_csv(rows: list[dict[str, str]], path: str | Path) -> None:
    """Write a plan (as ``reform`` builds them) for an officer to read and edit in Excel."""
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(COLUMNS))
        writer.writeheader()
        for row in rows:
            writer.writerow({c: row.get(c, "") for c in COLUMNS})


# --- applying -------------------------------------------------------------------------------


def _problem(message: str, field_name: str = "") -> Violation:
    return Violation("input", message, INPUT, field=field_name or None)


def _choice(text: str, choices) -> str | None:
    wanted = _key(text)
    for value, label in choices.choices:
        if wanted in (_key(value), _key(label)):
            return value
    return None


class _Resolver:
    """Codes to organizations, read fresh: an earlier row may have established or moved one."""

    def org(self, code: str, column: str) -> Org:
        if not code:
            raise RuleViolation([_problem(f"Chưa ghi mã tổ chức ở cột {column}.", column)])
        org = Org.objects.filter(code=code).first()
        if org is None:
            raise RuleViolation([_problem(f"Không có tổ chức mã «{code}» (cột {column}).", column)])
        return org


def _decision(row: Row) -> DecisionRef:
    on = None
    if row["ngay_quyet_dinh"]:
        try:
            on = parse_date(row["ngay_quyet_dinh"])
        except ValueError as error:
            raise RuleViolation(
                [_problem(f"Ngày quyết định «{row['ngay_quyet_dinh']}» không hợp lệ.", "ngay_quyet_dinh")]
            ) from error
    return DecisionRef(number=row["so_quyet_dinh"], on=on, body=row["co_quan_quyet_dinh"])


def _effective(row: Row) -> date:
    try:
        return parse_date(row["ngay_hieu_luc"])
    except ValueError as error:
        raise RuleViolation(
            [_problem(f"Ngày hiệu lực «{row['ngay_hieu_luc']}» không hợp lệ.", "ngay_hieu_luc")]
        ) from error


def _steps(rows: list[Row]) -> list[tuple[str, list[Row]]]:
    """Rows to operations: consecutive merge rows into the same organization, under the same
    decision and date, are one merge; consecutive moves under the same decision, one move."""
    steps: list[tuple[str, list[Row]]] = []
    for row in rows:
        operation = _key(row["thao_tac"])
        previous = steps[-1] if steps else None
        same = (
            previous
            and previous[0] == operation
            and all(
                previous[1][-1][c] == row[c]
                for c in ("ngay_hieu_luc", "so_quyet_dinh", "ngay_quyet_dinh", "co_quan_quyet_dinh")
            )
        )
        if (
            same
            and previous is not None
            and (
                operation == "chuyen"
                or (operation == "hop_nhat" and previous[1][-1]["ma_dich"] == row["ma_dich"])
            )
        ):
            previous[1].append(row)
        else:
            steps.append((operation, [row]))
    return steps


def _apply_step(operation: str, rows: list[Row], actor) -> operations.Outcome:
    find = _Resolver()
    row = rows[0]
    on, decision = _effective(row), _decision(row)
    if operation not in OPERATIONS:
        raise RuleViolation(
            [
                _problem(
                    f"Thao tác «{row['thao_tac']}» không có; dùng một trong: {', '.join(OPERATIONS)}.",
                    "thao_tac",
                )
            ]
        )
    if operation == "thanh_lap":
        kind = _choice(row["loai"], OrgKind)
        sector = _choice(row["loai_hinh"], Sector) if row["loai_hinh"] else ""
        problems = []
        if kind is None:
            problems.append(_problem(f"Loại tổ chức «{row['loai']}» không hợp lệ.", "loai"))
        if sector is None:
            problems.append(_problem(f"Loại hình «{row['loai_hinh']}» không hợp lệ.", "loai_hinh"))
        if kind is None or sector is None:
            raise RuleViolation(problems)
        parent = find.org(row["ma_dich"], "ma_dich")
        org = services.org_establish(
            code=row["ma_to_chuc"],
            name=row["ten"],
            kind=kind,
            parent=parent,
            established_on=on,
            sector=sector,
            decision=decision,
            formation_approval=row["van_ban_dong_y"],
            actor=actor,
        )
        return operations.Outcome(title=f"Thành lập «{org.name}»", organizations=1)
    org = find.org(row["ma_to_chuc"], "ma_to_chuc")
    if operation == "doi_ten":
        services.org_rename(org=org, name=row["ten"], effective_on=on, decision=decision, actor=actor)
        return operations.Outcome(title=f"Đổi tên «{org.name}» thành «{row['ten']}»")
    if operation == "chuyen":
        moves = [(find.org(r["ma_to_chuc"], "ma_to_chuc"), find.org(r["ma_dich"], "ma_dich")) for r in rows]
        return operations.org_move_many(moves=moves, effective_on=on, decision=decision, actor=actor)
    if operation == "hop_nhat":
        into = find.org(row["ma_dich"], "ma_dich")
        sources = [find.org(r["ma_to_chuc"], "ma_to_chuc") for r in rows]
        approval = next((r["van_ban_dong_y"] for r in rows if r["van_ban_dong_y"]), "")
        return operations.org_merge(
            sources=sources, into=into, effective_on=on, decision=decision, approval=approval, actor=actor
        )
    if operation == "giai_the":
        operations.org_dissolve(org=org, effective_on=on, decision=decision, actor=actor)
        return operations.Outcome(title=f"Giải thể «{org.name}»", organizations=1)
    if operation == "doi_loai":
        kind = _choice(row["loai"], OrgKind)
        if kind is None:
            raise RuleViolation([_problem(f"Loại tổ chức «{row['loai']}» không hợp lệ.", "loai")])
        return operations.org_change_kind(
            org=org,
            kind=kind,
            effective_on=on,
            decision=decision,
            approval=row["van_ban_dong_y"],
            actor=actor,
        )
    return operations.org_set_upper_rights(
        org=org, granted=operation == "giao_quyen", effective_on=on, decision=decision, actor=actor
    )


@dataclass(frozen=True)
class _Leftovers:
    """What a plan must not leave behind, as the database stands: members in a dissolved
    organization or in one that cannot hold them, organizations under a dissolved one,
    hamlets of a dissolved commune committee."""

    stranded: int
    misplaced: frozenset  # names of the organizations holding members they cannot hold
    orphans: frozenset  # (organization, its dissolved parent)
    hamlets: int

    @classmethod
    def now(cls) -> _Leftovers:
        active = Member.objects.filter(status__in=ACTIVE_STATUSES)
        holding = org_rules.MEMBER_HOLDING_KINDS.at(clock.today()).value
        return cls(
            stranded=active.filter(org__dissolved_on__isnull=False).count(),
            misplaced=frozenset(
                name
                for (name,) in active.exclude(org__kind__in=list(holding)).values_list("org__name").distinct()
            ),
            orphans=frozenset(
                Org.objects.filter(dissolved_on__isnull=True, parent__dissolved_on__isnull=False).values_list(
                    "name", "parent__name"
                )
            ),
            hamlets=Locality.objects.filter(
                dissolved_on__isnull=True, commune__dissolved_on__isnull=False
            ).count(),
        )


def _final_problems(before: _Leftovers) -> list[Violation]:
    """What the plan as a whole leaves behind that was not there ``before`` it: a breach the
    database already held (an import's, say) is the compliance pages' business, and does not
    block a plan that does not add to it (nor name organizations the plan never touched)."""
    after = _Leftovers.now()
    problems = []
    if after.stranded > before.stranded:
        problems.append(
            _problem(
                f"{after.stranded - before.stranded} đảng viên còn ở tổ chức đã giải thể (không còn tổ chức sinh hoạt)."
            )
        )
    holding = org_rules.MEMBER_HOLDING_KINDS.at(clock.today())
    for name in sorted(after.misplaced - before.misplaced)[:20]:
        problems.append(
            Violation(
                org_rules.MEMBER_HOLDING_KINDS.code,
                f"Đảng viên sinh hoạt tại «{name}», một tổ chức không phải chi bộ.",
                holding.citation,
            )
        )
    for name, parent in sorted(after.orphans - before.orphans)[:20]:
        problems.append(_problem(f"«{name}» còn trực thuộc «{parent}», tổ chức đã giải thể."))
    if after.hamlets > before.hamlets:
        problems.append(
            _problem(
                f"{after.hamlets - before.hamlets} thôn, tổ dân phố còn thuộc đảng bộ xã, phường đã giải thể."
            )
        )
    return problems


class _Rollback(Exception):
    pass


def plan_run(rows: list[Row], *, apply: bool, actor=None, progress=None) -> PlanReport:
    """Preview (``apply=False``) or apply a plan; applied only if nothing is wrong."""
    before = Member.objects.filter(status__in=ACTIVE_STATUSES).count()
    report = PlanReport(steps=[], problems=[], members_before=before, members_after=before, applied=False)
    try:
        with transaction.atomic():
            leftovers = _Leftovers.now()
            planned = _steps(rows)
            with projections.tallies().batched():
                _run_steps(planned, report, actor, progress)
            report.problems += [("kế hoạch", v) for v in _final_problems(leftovers)]
            report.members_after = Member.objects.filter(status__in=ACTIVE_STATUSES).count()
            if report.members_after != report.members_before:
                report.problems.append(
                    (
                        "kế hoạch",
                        _problem(
                            f"Số đảng viên sau sắp xếp ({report.members_after}) khác trước ({report.members_before})."
                        ),
                    )
                )
            if report.problems or not apply:
                raise _Rollback
            report.applied = True
    except _Rollback:
        pass
    return report


# the tables an applied plan changes in bulk: their planner statistics are refreshed after it
PLAN_TABLES = (Org, OrgVersion, Locality, LocalityVersion, Member, MemberEvent, Placement, Position)


def plan_refresh_statistics(report: PlanReport) -> bool:
    """After an applied plan that re-homed or changed many rows, refresh the planner's statistics
    of ``PLAN_TABLES`` once its transaction commits (``core.bulk.refresh_statistics_after``):
    a province's merge of communes rewrites the paths of hundreds of thousands of members, and
    the pages after it should not be planned on the tree before it. Returns whether scheduled."""
    if not report.applied:
        return False
    totals = report.totals()
    rows = sum(totals[k] for k in ("operations", "organizations", "members_rehomed", "localities"))
    return refresh_statistics_after(PLAN_TABLES, rows=rows)


def _run_steps(planned, report: PlanReport, actor, progress) -> None:
    for index, (operation, step_rows) in enumerate(planned, start=1):
        where = "dòng " + ", ".join(str(r.number) for r in step_rows)
        step = Step(
            rows=[r.number for r in step_rows],
            operation=operation,
            title=OPERATIONS.get(operation, step_rows[0]["thao_tac"]),
        )
        try:
            with transaction.atomic():
                step.outcome = _apply_step(operation, step_rows, actor)
                step.title = step.outcome.title
        except RuleViolation as refused:
            step.violations = refused.violations
            report.problems += [(where, v) for v in refused.violations]
        report.steps.append(step)
        if progress:
            progress(index, len(planned), step)
