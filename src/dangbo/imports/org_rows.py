"""Rows of organizations and of hamlets: read, then tried through the same services that
establish an organization or record a hamlet by hand, in a transaction that is rolled back at
staging and committed on confirmation — so a row is refused for exactly the reasons the form
would refuse it (``rules.orgs``: which kind may sit under which; codes taken; …).

These files are small (a province has some thousands of organizations and hamlets), so their
rows are decided all together, in file order: a row may name as its superior an organization
established by a row above it.
"""

from __future__ import annotations

import re
from datetime import date

from django.db import transaction

from dangbo.core import text
from dangbo.core.decisions import DecisionRef
from dangbo.core.kinds import CELL_KINDS, COMMUNE_LEVEL_KINDS
from dangbo.core.legacy_text import to_unicode
from dangbo.core.violations import RuleViolation, Violation, input_violation
from dangbo.imports import codes
from dangbo.imports.cells import CellError, parse_date, parse_text
from dangbo.imports.context import ImportContext
from dangbo.imports.models import Action, Outcome
from dangbo.imports.rows import Parsed
from dangbo.orgs.models import Locality, Org
from dangbo.orgs.services import locality_create, locality_update, org_establish, org_rename


def _text(cells: dict, name: str, ctx: ImportContext) -> str:
    return to_unicode(parse_text(cells.get(name)), ctx.encoding)


class OrgDecider:
    streams = False

    def __init__(self, ctx: ImportContext, actor=None) -> None:
        self.ctx, self.actor = ctx, actor

    def parse(self, number: int, cells: dict, titles: dict) -> Parsed:
        row = Parsed(number)
        row.values["titles"] = titles
        for name in ("code", "name", "parent", "decision_no"):
            row.values[name] = _text(cells, name, self.ctx)
        for name in ("code", "name"):
            if not row.values[name]:
                row.refuse(
                    titles.get(name, name),
                    "",
                    "Chưa có " + ("mã tổ chức." if name == "code" else "tên tổ chức."),
                )
        raw_kind = _text(cells, "kind", self.ctx)
        kind = codes.org_kind(raw_kind)
        if kind is None:
            row.refuse(
                titles.get("kind", "kind"),
                raw_kind,
                f"Loại tổ chức «{raw_kind}» không rõ (Đảng bộ cơ sở, Chi bộ cơ sở, Đảng bộ bộ phận, Chi bộ trực thuộc…).",
            )
        row.values["kind"] = kind or ""
        raw_sector = _text(cells, "sector", self.ctx)
        sector = codes.sector(raw_sector)
        if sector is None:
            row.refuse(
                titles.get("sector", "sector"),
                raw_sector,
                f"Loại hình «{raw_sector}» không có trong danh mục.",
            )
        row.values["sector"] = sector or ""
        try:
            day = parse_date(cells.get("established_on"), today=self.ctx.today)
        except CellError as error:
            row.refuse(titles.get("established_on", ""), cells.get("established_on"), str(error))
            day = None
        if day is None and not row.reasons:
            row.refuse(titles.get("established_on", ""), "", "Chưa có ngày thành lập.")
        row.values["established_on"] = day.isoformat() if day else ""
        if row.reasons:
            row.outcome, row.action = Outcome.REJECTED, ""
        return row

    def decide(self, parsed: list[Parsed]) -> None:
        with transaction.atomic():
            apply_orgs(parsed, self.ctx, actor=None, on=self.ctx.today, dry=True)
            transaction.set_rollback(True)


class RowRefused(Exception):
    """The row's own reasons (already on the row) refuse it."""


def _refuse(row: Parsed, column: str, value, message: str, citation: str | None = None) -> RowRefused:
    if citation:
        row.refuse(column, value, message, citation)
    else:
        row.refuse(column, value, message)
    row.outcome, row.action = Outcome.REJECTED, ""
    return RowRefused()


def _run(rows: list[Parsed], apply, *, dry: bool) -> None:
    """``apply(row)`` for each row not refused, each in a savepoint; at staging (``dry``) a
    refusal becomes the row's reasons, on commit it refuses the whole import, naming the row."""
    for row in rows:
        if row.outcome == Outcome.REJECTED:
            continue
        titles = row.values.get("titles", {})
        try:
            with transaction.atomic():
                apply(row)
        except RowRefused:
            if not dry:
                raise RuleViolation(_row_violations(row)) from None
        except RuleViolation as error:
            for violation in error.violations:
                _refuse(
                    row,
                    titles.get(violation.field or "", violation.field or ""),
                    "",
                    violation.message,
                    violation.citation,
                )
            if not dry:
                raise RuleViolation(_row_violations(row)) from None


def _row_violations(row: Parsed) -> list[Violation]:
    return [
        input_violation(None, f"Dòng {row.row_number}, cột «{reason['column']}»: {reason['message']}")
        for reason in row.reasons
    ]


def apply_orgs(rows: list[Parsed], ctx: ImportContext, *, actor, on: date, dry: bool) -> None:
    """Establish or rename each row's organization, in file order."""
    made: dict[str, Org] = {}
    _run(rows, lambda row: _apply_org(row, ctx, made, actor=actor, on=on), dry=dry)


def _apply_org(row: Parsed, ctx: ImportContext, made: dict, *, actor, on: date) -> None:
    values, titles = row.values, row.values.get("titles", {})
    parent: Org | None = ctx.root
    if values["parent"]:
        parent = made.get(text.fold(values["parent"]))
        if parent is None:
            parent, why = ctx.locate(ctx.orgs, values["parent"], row.row_number)
            if parent is None:
                raise _refuse(row, titles.get("parent", "parent"), values["parent"], why)
    assert parent is not None
    existing = Org.objects.filter(code=values["code"]).first()
    if existing is not None:
        if not existing.path.startswith(ctx.root.path):
            raise _refuse(
                row,
                titles.get("code", "code"),
                values["code"],
                f"Mã tổ chức «{values['code']}» đã được dùng.",
            )
        row.target = str(existing.pk)
        different = []
        if existing.kind != values["kind"]:
            different.append("loại tổ chức")
        if existing.parent_id != parent.pk:
            different.append("tổ chức cấp trên")
        if different:
            raise _refuse(
                row,
                titles.get("code", "code"),
                values["code"],
                f"Tổ chức «{values['code']}» đã có, khác {' và '.join(different)}; "
                "thay đổi này làm bằng chức năng sắp xếp tổ chức.",
            )
        made[text.fold(existing.code)] = existing
        if text.clean(existing.name) == values["name"]:
            row.outcome, row.action = Outcome.UNCHANGED, ""
            return
        row.changes = {"name": [existing.name, values["name"]]}
        row.outcome, row.action = Outcome.ACCEPTED, Action.UPDATE
        org_rename(org=existing, name=values["name"], effective_on=on, actor=actor)
        return
    org = org_establish(
        code=values["code"],
        name=values["name"],
        kind=values["kind"],
        parent=parent,
        established_on=date.fromisoformat(values["established_on"]),
        sector=values["sector"],
        decision=DecisionRef(number=values["decision_no"]),
        actor=actor,
    )
    made[text.fold(org.code)] = org
    made[text.fold(org.name)] = org
    ctx.orgs.add(org)
    if org.kind in CELL_KINDS:
        ctx.holders.add(org)
    if org.kind in COMMUNE_LEVEL_KINDS:
        ctx.communes.add(org)
    row.target = str(org.pk)
    row.outcome, row.action = Outcome.ACCEPTED, Action.CREATE


class HamletDecider:
    streams = False

    def __init__(self, ctx: ImportContext, actor=None) -> None:
        self.ctx, self.actor = ctx, actor

    def parse(self, number: int, cells: dict, titles: dict) -> Parsed:
        row = Parsed(number)
        row.values["titles"] = titles
        for name in ("code", "name", "commune", "cell", "head_name"):
            row.values[name] = _text(cells, name, self.ctx)
        if not row.values["name"]:
            _refuse(row, titles.get("name", "name"), "", "Chưa có tên thôn, tổ dân phố.")
        raw_kind = _text(cells, "kind", self.ctx)
        kind = codes.locality_kind(raw_kind, row.values["name"])
        if kind is None:
            _refuse(
                row,
                titles.get("kind", "Loại"),
                raw_kind or row.values["name"],
                "Không rõ là thôn, bản, ấp, làng, buôn, tổ dân phố, khu phố hay tiểu khu; hãy ghi cột Loại.",
            )
        row.values["kind"] = kind or ""
        return row

    def decide(self, parsed: list[Parsed]) -> None:
        with transaction.atomic():
            apply_hamlets(parsed, self.ctx, actor=None, on=self.ctx.today, dry=True)
            transaction.set_rollback(True)


def apply_hamlets(rows: list[Parsed], ctx: ImportContext, *, actor, on: date, dry: bool) -> None:
    """Record or update each row's hamlet, in file order."""
    _run(rows, lambda row: _apply_hamlet(row, ctx, on=on), dry=dry)


def _apply_hamlet(row: Parsed, ctx: ImportContext, *, on: date) -> None:
    values, titles = row.values, row.values.get("titles", {})
    if values["commune"]:
        commune, why = ctx.locate(ctx.communes, values["commune"], row.row_number)
        if commune is None:
            raise _refuse(row, titles.get("commune", "commune"), values["commune"], why)
    elif ctx.root.pk in {org.pk for org in ctx.communes.by_code.values()}:
        commune = ctx.root
    else:
        raise _refuse(row, titles.get("commune", "commune"), "", "Chưa ghi đảng bộ xã, phường của thôn.")
    cell = None
    if values["cell"]:
        cell, why = ctx.locate(ctx.holders, values["cell"], row.row_number)
        if cell is None:
            raise _refuse(row, titles.get("cell", "cell"), values["cell"], why)
    existing = None
    if values["code"]:
        existing = Locality.objects.filter(code=values["code"]).select_related("commune").first()
        if existing is not None and existing.commune_id != commune.pk:
            raise _refuse(
                row,
                titles.get("code", "code"),
                values["code"],
                f"Mã «{values['code']}» đã dùng cho thôn, tổ dân phố của xã khác.",
            )
    if existing is None:
        key = text.fold(values["name"])
        existing = next(
            (
                loc
                for loc in Locality.objects.filter(commune=commune, dissolved_on__isnull=True)
                if text.fold(loc.name) == key
            ),
            None,
        )
    if existing is not None:
        row.target = str(existing.pk)
        wanted = {
            "name": values["name"],
            "kind": values["kind"],
            "cell": str(cell.pk) if cell else str(existing.cell_id or ""),
            "head_name": values["head_name"] or existing.head_name,
        }
        current = {
            "name": existing.name,
            "kind": existing.kind,
            "cell": str(existing.cell_id or ""),
            "head_name": existing.head_name,
        }
        row.changes = {k: [current[k], wanted[k]] for k in wanted if current[k] != wanted[k]}
        if not row.changes:
            row.outcome, row.action = Outcome.UNCHANGED, ""
            return
        row.outcome, row.action = Outcome.ACCEPTED, Action.UPDATE
        locality_update(
            locality=existing,
            expected_version=existing.version,
            kind=values["kind"],
            name=values["name"],
            cell=cell if cell else existing.cell,
            head_member=existing.head_member,
            head_name=wanted["head_name"],
            effective_on=on,
        )
        return
    code = values["code"] or _new_code(commune, values["name"])
    locality = locality_create(
        code=code,
        kind=values["kind"],
        name=values["name"],
        commune=commune,
        cell=cell,
        head_name=values["head_name"],
        established_on=on,
    )
    ctx.add_hamlet(locality)
    row.target = str(locality.pk)
    row.outcome, row.action = Outcome.ACCEPTED, Action.CREATE


def _new_code(commune: Org, name: str) -> str:
    """A code for a hamlet the file gives none: the commune's code and the folded name."""
    slug = re.sub(r"[^a-z0-9]+", "-", text.fold(name)).strip("-")[:24]
    code, number = f"{commune.code}-{slug}"[:40], 1
    while Locality.objects.filter(code=code).exists():
        number += 1
        code = f"{commune.code}-{slug}"[: 40 - len(str(number)) - 1] + f"-{number}"
    return code
