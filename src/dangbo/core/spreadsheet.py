"""Writing cells that a spreadsheet will open: text that starts like a formula is made inert.

A value such as ``=HYPERLINK(...)`` or ``+1+1`` typed into a name or address field would run
as a formula when an exported CSV is opened in Excel (CSV injection). Such values are
written with a leading apostrophe, which Excel shows as text and does not evaluate.

``csv_chunks`` and ``xlsx_file`` write any list (a header and rows of values) that way;
every export (members, the audit trail) goes through them.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator, Sequence

import xlsxwriter

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def neutralize(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_chunks(header: Sequence[str], rows: Iterable[Sequence], *, chunk_rows: int = 500) -> Iterator[str]:
    """CSV in UTF-8 with a byte-order mark (so Excel opens Vietnamese text correctly), every
    value neutralised, yielded every ``chunk_rows`` rows so a long list streams."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow([neutralize(label) for label in header])
    for number, row in enumerate(rows, start=1):
        writer.writerow([neutralize(value) for value in row])
        if number % chunk_rows == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def csv_file(header: Sequence[str], rows: Iterable[Sequence]) -> tempfile.SpooledTemporaryFile:
    """The CSV of ``csv_chunks`` as a file (for a background job's result), in constant memory."""
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115  (returned to the caller)
    for chunk in csv_chunks(header, rows):
        out.write(chunk.encode("utf-8"))
    out.seek(0)
    return out


CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_file(
    header: Sequence[str],
    rows: Iterable[Sequence],
    *,
    title: str,
    sheet_name: str = "Danh sách",
    widths: Sequence[tuple[int, int, int]] = (),
) -> tempfile.SpooledTemporaryFile:
    """An XLSX written in constant memory: the title in A1, the header on row 3, then the rows.
    Every cell is written as text (neutralised), never a formula. ``widths`` holds
    (first column, last column, width) triples."""
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115  (returned to the caller)
    book = xlsxwriter.Workbook(
        out, {"constant_memory": True, "strings_to_formulas": False, "in_memory": False}
    )
    sheet = book.add_worksheet(sheet_name)
    bold = book.add_format({"bold": True, "text_wrap": True})
    sheet.write_string(0, 0, neutralize(title), bold)
    for col, label in enumerate(header):
        sheet.write_string(2, col, neutralize(label), bold)
    for first, last, width in widths:
        sheet.set_column(first, last, width)
    for number, row in enumerate(rows, start=1):
        for col, value in enumerate(row):
            sheet.write_string(2 + number, col, neutralize(value))
    book.close()
    out.seek(0)
    return out
