"""Reading an uploaded file into the staging area.

The file is read as a stream (``reading.open_table``): its header is found and each column
matched to a field (``layouts.match``, then the user's own mapping); the text encoding is
detected on the first rows (TCVN3 and VNI are converted; ``core.legacy_text``); rows are parsed
and decided in chunks (``member_rows`` / ``org_rows``) and written to ``StagedRow`` chunk by
chunk, so memory stays flat whatever the file's length. A run starts by deleting the batch's
earlier rows, so a run cut short (the worker killed) is simply run again.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from datetime import date

from django.db import transaction

from dangbo.core import bulk
from dangbo.core.legacy_text import detect, to_unicode
from dangbo.core.uploads import UploadRefused
from dangbo.imports import layouts, member_rows, org_rows
from dangbo.imports.cells import parse_text
from dangbo.imports.context import ImportContext
from dangbo.imports.models import BatchState, ImportBatch, ImportKind, Outcome, StagedRow
from dangbo.imports.reading import Table, open_table
from dangbo.imports.rows import Parsed

CHUNK = 2000
SAMPLE_ROWS = 300
Progress = Callable[[int, int | None], None]


class NeedsMapping(Exception):
    """Columns the import cannot do without were not found; the batch says which."""


def columns_read(kind: str, table: Table, mapping: dict) -> list[dict]:
    """Each column of the file: its header, and the field it stands for (the user's choice
    first); ``field`` None = not recognised, "" = left out."""
    found = []
    for column in table.columns:
        chosen = mapping.get(str(column.index))
        field = chosen if chosen is not None else layouts.match(kind, column.title, column.group)
        found.append(
            {
                "index": column.index,
                "title": column.title,
                "group": column.group,
                "field": field,
                "chosen": chosen is not None,
            }
        )
    return found


def _field_columns(columns: list[dict]) -> dict[str, int]:
    """field → column index (the first column of a field wins; later ones are reported)."""
    chosen: dict[str, int] = {}
    for column in columns:
        if column["field"] and column["field"] not in chosen:
            chosen[column["field"]] = column["index"]
    return chosen


def _header_text(column: dict) -> str:
    return (
        f"{column['group']} — {column['title']}"
        if column["group"] and column["title"] != column["group"]
        else column["title"]
    )


def stage(batch: ImportBatch, data: bytes, *, progress: Progress | None = None, today: date) -> ImportBatch:
    """Read ``data`` (the batch's file) into its staged rows. Raises ``UploadRefused`` when the
    file cannot be read, ``NeedsMapping`` when columns are missing (the batch records both)."""
    progress = progress or (lambda done, total: None)
    StagedRow.objects.filter(batch=batch).delete()
    table = open_table(data, batch.file_name, score=layouts.score(batch.kind))
    columns = columns_read(batch.kind, table, batch.mapping)
    fields = _field_columns(columns)
    ctx = ImportContext.load(batch.org, today=today, hamlets=batch.kind != ImportKind.ORGS)
    cell_known = batch.org.pk in {org.pk for org in ctx.holders.by_code.values()}
    commune_known = batch.org.pk in {org.pk for org in ctx.communes.by_code.values()}
    lacking = layouts.missing(batch.kind, set(fields), cell_known=cell_known, commune_known=commune_known)
    rows = iter(table.rows)
    sample = list(itertools.islice(rows, SAMPLE_ROWS))
    texts = [value for _, cells in sample for value in cells if isinstance(value, str)]
    texts += [c["title"] for c in columns] + [c["group"] for c in columns if c["group"]]
    ctx.encoding = detect(texts)
    for column in columns:  # shown as they read
        column["title"], column["group"] = (
            to_unicode(column["title"], ctx.encoding),
            to_unicode(column["group"], ctx.encoding),
        )
    batch.reading = {
        "sheet": table.sheet,
        "header_row": table.header_row,
        "file_encoding": table.encoding,
        "text_encoding": ctx.encoding,
        "columns": columns,
        "missing": lacking,
        # a field given by two columns: the first is read, the others are shown as left out
        "duplicated_fields": sorted(
            {c["field"] for c in columns if c["field"] and fields[c["field"]] != c["index"]}
        ),
    }
    if lacking:
        batch.state, batch.counts = BatchState.STAGED, {}
        batch.save(update_fields=["reading", "state", "counts"])
        raise NeedsMapping(lacking)
    titles = {
        field: _header_text(next(c for c in columns if c["index"] == index))
        for field, index in fields.items()
    }
    examples = _examples(batch.kind, sample, fields, ctx)
    if examples:
        batch.reading["converted_examples"] = examples
    counts = {outcome.value: 0 for outcome in Outcome} | {"create": 0, "update": 0}
    total = batch.reading.get("rows_estimate")
    done = 0
    decider = _decider(batch.kind, ctx)

    def parse(chunk) -> list[Parsed]:
        return [
            decider.parse(
                number, {f: cells[i] if i < len(cells) else None for f, i in fields.items()}, dict(titles)
            )
            for number, cells in chunk
        ]

    if decider.streams:  # members: decided chunk by chunk, memory flat
        chunks: Iterator[list[Parsed]] = (
            _decided(decider, parse(chunk)) for chunk in _chunks(itertools.chain(sample, rows))
        )
    else:  # organizations, hamlets: a row may name one established rows above, in any chunk
        everything = parse(list(itertools.chain(sample, rows)))
        decider.decide(everything)
        chunks = (everything[start : start + CHUNK] for start in range(0, len(everything), CHUNK))
    for parsed in chunks:
        with transaction.atomic():
            bulk.insert_many(
                StagedRow,
                [
                    StagedRow(
                        batch=batch,
                        row_number=row.row_number,
                        outcome=row.outcome,
                        action=row.action,
                        values=row.values,
                        reasons=row.reasons,
                        target=row.target,
                        changes=row.changes,
                    )
                    for row in parsed
                ],
            )
        for row in parsed:
            counts[row.outcome] += 1
            if row.action:
                counts[row.action] += 1
        done += len(parsed)
        progress(done, total)
    if ctx.outside_rows:
        # rows naming organizations outside the subtree: the file is refused as a whole
        StagedRow.objects.filter(batch=batch).delete()
        raise UploadRefused(outside_message(ctx.outside_rows))
    batch.counts, batch.state = counts, BatchState.STAGED
    batch.save(update_fields=["reading", "counts", "state"])
    return batch


def _decided(decider, parsed: list[Parsed]) -> list[Parsed]:
    decider.decide(parsed)
    return parsed


def outside_message(rows: list[tuple[int, str]]) -> str:
    shown = "; ".join(f"dòng {number} («{value}»)" for number, value in rows[:20])
    more = f" và {len(rows) - 20} dòng khác" if len(rows) > 20 else ""
    return (
        f"Tệp có {len(rows)} dòng ghi tổ chức không thuộc phạm vi được nhập: {shown}{more}. "
        "Không nhập tệp này; hãy tách các dòng đó ra, hoặc chọn đúng tổ chức mà dữ liệu thuộc về."
    )


def _chunks(rows: Iterator) -> Iterator[list]:
    while chunk := list(itertools.islice(rows, CHUNK)):
        yield chunk


def _examples(kind: str, sample, fields: dict[str, int], ctx: ImportContext) -> list[list[str]]:
    """A few texts as the file holds them and as converted, to show the user the conversion."""
    if ctx.encoding == "unicode":
        return []
    shown = []
    wanted = [
        i
        for f, i in fields.items()
        if f in ("full_name", "family_name", "given_name", "name", "hometown", "residence", "cell")
    ]
    for _, cells in sample:
        for index in wanted:
            raw = parse_text(cells[index]) if index < len(cells) else ""
            if raw and raw != to_unicode(raw, ctx.encoding):
                shown.append([raw, to_unicode(raw, ctx.encoding)])
        if len(shown) >= 5:
            break
    return shown[:5]


class _MemberDecider:
    streams = True

    def __init__(self, ctx: ImportContext) -> None:
        self.ctx = ctx
        self.seen: dict = {}  # keys of the rows before, across chunks

    def parse(self, number, cells, titles):
        return member_rows.parse(number, cells, titles, self.ctx)

    def decide(self, parsed):
        member_rows.decide(parsed, self.ctx, self.seen)


def _decider(kind: str, ctx: ImportContext):
    if kind == ImportKind.MEMBERS:
        return _MemberDecider(ctx)
    if kind == ImportKind.ORGS:
        return org_rows.OrgDecider(ctx)
    return org_rows.HamletDecider(ctx)


__all__ = ["NeedsMapping", "UploadRefused", "columns_read", "stage"]
