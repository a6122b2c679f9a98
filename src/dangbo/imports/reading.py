"""Reading the tables of the books offices keep (issue 22): a sheet of an Excel workbook or a
CSV, its header found wherever the office put it, its rows streamed one by one.

The books are not data files: the member list book 7-HSĐV has title rows above the table
(«SỔ DANH SÁCH ĐẢNG VIÊN»), a header of two rows whose groups are merged over their
sub-columns, a row of column numbers «1 2 3 … 14» under it, formulas, blank rows in the
middle and hundreds of formatted empty rows at the end. This module only finds the table:
which row is the header (the caller's ``score`` says how many columns it recognises in each
candidate), what each column is called, and the rows under it, as the cells' values. What
the columns mean and how a cell is parsed are the importer's.

An .xlsx/.xlsm is read in a stream (``imports.xlsx_stream``: one row in memory at a time, and
when only the header is wanted, as at the upload, only the first rows are parsed); .xls and
.ods by python-calamine (Rust), which loads a sheet whole, bounded by the cell limit; .xlsb
(binary, not checked for bombs) is refused. Either way formulas come as their cached values,
dates as ``date``/``datetime``, numbers as python-calamine gives them. A CSV is decoded as its bytes
say (a BOM, else UTF-8 if valid, else cp1252, which legacy TCVN3/VNI text is then converted
from by the importer) and read in a stream. Before any parser runs, ``core.uploads`` checks
the file's kind by its content and the import limits (``import_limits``), larger than other
uploads'; rows are counted again as they are read.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from itertools import chain, pairwise
from pathlib import Path
from typing import IO

from django.conf import settings
from python_calamine import CalamineError, CalamineWorkbook, PasswordError, SheetTypeEnum, SheetVisibleEnum

from dangbo.core.uploads import HEAD, UploadRefused, check_spreadsheet
from dangbo.imports.xlsx_stream import XlsxBook

HEADER_ROWS = 30  # the header is looked for among the first 30 non-blank rows
# python-calamine builds a sheet as one grid from its first to its last cell holding a value,
# 32 bytes a cell even empty: the grid is bounded to the row limit times this many columns.
GRID_COLUMNS = 32
Cell = object  # str, float, int, bool, date, datetime, time, timedelta, or None when empty
NumberedRow = tuple[int, list[Cell]]  # (the row's number as Excel shows it, its cells)
Merges = dict[int, dict[int, int]]  # row (0-based) → first column → last column of merged cells
MergesOf = Callable[[], "Merges | None"]  # a sheet's merges, looked for only when a header needs them
_COLUMN_NUMBER = re.compile(r"\(?\s*(\d{1,3})\s*\)?\.?")
_CSV_DELIMITERS = (",", ";", "\t")
_C1 = "imports.c1"


def _c1_bytes(error: UnicodeError) -> tuple[str, int]:
    """cp1252 as browsers read it: its five undefined bytes become the C1 controls of the same
    number, so every byte decodes and none is lost for the TCVN3/VNI conversion after."""
    assert isinstance(error, UnicodeDecodeError)
    return "".join(chr(byte) for byte in error.object[error.start : error.end]), error.end


codecs.register_error(_C1, _c1_bytes)


@dataclass(frozen=True)
class Column:
    """A column of the header: ``index`` counts from column A (0), so ``row[index]`` is its
    cell; ``group`` is the merged header cell above it ("" when none)."""

    index: int
    title: str
    group: str


@dataclass
class Table:
    """A table found in a file: ``rows`` yields (row number as Excel shows it, cells), the
    cells trimmed (or padded with None) to the header's width; blank rows are left out."""

    sheet: str
    header_row: int
    columns: list[Column]
    rows: Iterator[NumberedRow]
    encoding: str  # how a CSV was decoded ("utf-8", "utf-16", "cp1252"); a workbook's kind


@dataclass(frozen=True)
class ImportLimits:
    max_mb: int  # the file as sent
    max_uncompressed_mb: int  # a zipped workbook unpacked
    max_rows: int  # rows of a sheet, lines of a CSV

    @property
    def max_cells(self) -> int:
        """The grid a sheet may span (first to last cell with a value), rows × columns."""
        return self.max_rows * GRID_COLUMNS


def import_limits() -> ImportLimits:
    """The limits of an import (settings ``DANGBO_IMPORT_*``), larger than other uploads'."""
    return ImportLimits(
        max_mb=int(settings.DANGBO_IMPORT_MAX_MB),
        max_uncompressed_mb=int(settings.DANGBO_IMPORT_MAX_UNCOMPRESSED_MB),
        max_rows=int(settings.DANGBO_IMPORT_MAX_ROWS),
    )


def _count(number: int) -> str:
    return f"{number:,}".replace(",", ".")


def open_table(
    source: bytes | Path,
    file_name: str,
    *,
    score: Callable[[list[Column]], int],
    sheet: str | None = None,
) -> Table:
    """The table of ``source`` whose header ``score`` recognises best; of the sheet named, or
    else of the first sheet where a header is found. ``UploadRefused`` (a Vietnamese message)
    for a file beyond the limits, not a spreadsheet, unreadable, or without a header."""
    limits = import_limits()
    kind = check_spreadsheet(
        source,
        file_name,
        max_rows=limits.max_rows,
        max_uncompressed_mb=limits.max_uncompressed_mb,
        max_mb=limits.max_mb,
        # the area of a sheet's cells bounds the grid python-calamine builds (.xls, .ods); an
        # .xlsx is streamed, without a grid: the scan for it (a quarter of the read) is spared
        max_cells=None if _is_xlsx(source) else limits.max_cells,
    )
    if kind is None:
        raise UploadRefused(
            "Tệp không phải bảng tính Excel hoặc CSV (.xlsx, .xls, .ods, .csv); "
            "hãy mở tệp bằng Excel và lưu lại đúng định dạng."
        )
    if kind == "xlsb":
        raise UploadRefused(
            "Tệp Excel dạng nhị phân (.xlsb) không được nhận; hãy mở tệp bằng Excel, chọn "
            "«Lưu thành» (Save As) kiểu «Sổ làm việc Excel (.xlsx)» rồi gửi lại."
        )
    sheets: Iterable[tuple[str, Iterator[NumberedRow], MergesOf]]
    if kind == "csv":
        codec, label = _csv_encoding(source)
        sheets = [(Path(file_name).stem, _csv_rows(source, codec, limits.max_rows), lambda: None)]
    elif kind in ("xlsx", "xlsm"):
        label = kind
        sheets = _xlsx_sheets(source, sheet, limits.max_rows)
    else:
        label = kind
        sheets = _workbook_sheets(source, sheet, limits.max_rows)
    tried: list[str] = []
    for name, rows, merges in sheets:
        table = _find_table(name, rows, merges, score, label)
        if isinstance(table, Table):
            return table
        tried.append(table)
    found = "; ".join(tried) or "tệp không có dữ liệu"
    raise UploadRefused(
        f"Không tìm thấy dòng tiêu đề cột trong {HEADER_ROWS} dòng đầu (hãy dùng đúng mẫu, giữ nguyên "
        f"tên các cột). Đã đọc: {found}."
    )


def _is_xlsx(source: bytes | Path) -> bool:
    """Whether ``source`` is a zip holding an .xlsx/.xlsm workbook (its directory only is read;
    a damaged or other file is for ``check_spreadsheet`` to tell)."""
    try:
        with zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source) as book:
            return "xl/workbook.xml" in book.NameToInfo
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return False


# -- the header ------------------------------------------------------------------------------


def _find_table(
    sheet: str,
    rows: Iterator[NumberedRow],
    merges_of: MergesOf,
    score: Callable[[list[Column]], int],
    encoding: str,
) -> Table | str:
    """The table of one sheet, or what its first rows hold (for the message) if no candidate
    header scores above 0."""
    found: list[Merges | None] = []

    def merges() -> Merges | None:
        if not found:
            found.append(merges_of())
        return found[0]

    head: list[NumberedRow] = []
    for row in rows:
        head.append(row)
        if len(head) > HEADER_ROWS + 1:  # the 30th row's sub-header and the number row
            break
    best: tuple[int, int, int] | None = None  # (score, two rows?, position in head)
    best_columns: list[Column] = []
    for position, (number, cells) in enumerate(head[:HEADER_ROWS]):
        candidates = [(0, _columns(cells, None, None))]
        if position + 1 < len(head) and head[position + 1][0] == number + 1:
            sheet_merges = merges()
            row_merges = sheet_merges.get(number - 1, {}) if sheet_merges is not None else None
            candidates.append((1, _columns(cells, head[position + 1][1], row_merges)))
        for double, columns in candidates:
            points = score(columns) if columns else 0
            # ties: the single row, then the earlier row (candidates come in that order)
            if points > 0 and (best is None or (points, -double) > (best[0], -best[1])):
                best, best_columns = (points, double, position), columns
    if best is None:
        return _describe(sheet, head[:HEADER_ROWS])
    _, double, position = best
    width = max(column.index for column in best_columns) + 1
    after = position + 1 + double
    rest = chain(head[after:], rows)
    first = next(rest, None)
    if first is not None and not _is_number_row(first[1][:width]):
        rest = chain([first], rest)
    return Table(
        sheet=sheet,
        header_row=head[position][0],
        columns=best_columns,
        rows=((number, _fit(cells, width)) for number, cells in rest),
        encoding=encoding,
    )


def _columns(top: list[Cell], sub: list[Cell] | None, merges: dict[int, int] | None) -> list[Column]:
    """The columns of a header row ``top``, or of ``top`` over a sub-header ``sub``.

    In two rows, a group cell of ``top`` is carried right over the columns it is merged over
    (``merges``: first column → last column of the merged cells starting on this row); when
    the file tells no merges (None: CSV, .ods, a sheet without any), over the blank cells of ``top``
    whose ``sub`` cell has a title. A column without a sub-header title is a header merged down
    over both rows: the group's text is its title and it has no group."""
    if sub is None:
        return [Column(index, text, "") for index, value in enumerate(top) if (text := _text(value))]
    columns: list[Column] = []
    group, last = "", -1
    for index in range(max(len(top), len(sub))):
        upper = _text(top[index]) if index < len(top) else ""
        title = _text(sub[index]) if index < len(sub) else ""
        if upper:
            group, last = upper, merges.get(index, index) if merges is not None else len(sub)
        elif index > last or not title:
            group, last = "", -1
        if title:
            columns.append(Column(index, title, group))
        elif group:
            columns.append(Column(index, group, ""))
            group, last = "", -1
    return columns


def _text(value: Cell) -> str:
    """A header cell's text, its spaces and line breaks folded to single spaces."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    elif isinstance(value, (date, datetime, time)):
        value = value.isoformat()
    return " ".join(str(value).split())


def _is_number_row(cells: list[Cell]) -> bool:
    """The row of column numbers printed under a header: 1, 2, 3… or (1), (2)…"""
    numbers: list[int] = []
    for value in cells:
        if value is None:
            continue
        if isinstance(value, bool):
            return False
        if isinstance(value, (int, float)) and float(value).is_integer():
            numbers.append(int(value))
        elif isinstance(value, str) and (match := _COLUMN_NUMBER.fullmatch(value.strip())):
            numbers.append(int(match[1]))
        else:
            return False
    return (
        len(numbers) >= 2 and numbers[0] == 1 and all(later > earlier for earlier, later in pairwise(numbers))
    )


def _fit(cells: list[Cell], width: int) -> list[Cell]:
    return cells[:width] if len(cells) >= width else cells + [None] * (width - len(cells))


def _describe(sheet: str, head: list[NumberedRow]) -> str:
    """The fullest of a sheet's first rows, for the user to see what was read instead."""
    fullest = sorted(head, key=lambda row: -sum(_text(value) != "" for value in row[1]))[:2]
    shown = []
    for number, cells in sorted(fullest):
        texts = [_text(value)[:30] for value in cells if _text(value)][:8]
        shown.append(f"dòng {number}: " + ", ".join(f"«{text}»" for text in texts))
    return f"trang «{sheet}» — " + ("; ".join(shown) if shown else "trống")


# -- workbooks -------------------------------------------------------------------------------


def _xlsx_sheets(
    source: bytes | Path, wanted: str | None, max_rows: int
) -> Iterator[tuple[str, Iterator[NumberedRow], MergesOf]]:
    """The sheets of an .xlsx/.xlsm to look into, each read in a stream: the one named, or the
    visible worksheets and then the hidden ones."""
    book = XlsxBook(str(source) if isinstance(source, Path) else io.BytesIO(source))
    try:
        parts = {sheet.name: sheet for sheet in book.sheets}
        names = _sheet_order([(sheet.name, sheet.visible) for sheet in book.sheets], wanted)
        for name in names:
            part = parts[name].part
            yield (
                name,
                book.rows(part, max_rows, lambda: _too_many_rows(max_rows)),
                lambda part=part: book.merges(part),  # type: ignore[misc]
            )
    finally:
        # when open_table returns, this generator is closed: the zip too, but a member already
        # opened (the rows of the table found) stays readable (zipfile counts its users)
        book.close()


def _sheet_order(sheets: list[tuple[str, bool]], wanted: str | None) -> list[str]:
    """The sheet named (any case), or the visible ones then the hidden ones."""
    if wanted is not None:
        names = [name for name, _ in sheets if name.strip().lower() == wanted.strip().lower()]
        if not names:
            listed = ", ".join(f"«{name}»" for name, _ in sheets)
            raise UploadRefused(f"Tệp không có trang tính «{wanted}»; các trang tính: {listed}.")
        return names
    return [name for name, visible in sheets if visible] + [name for name, visible in sheets if not visible]


def _too_many_rows(max_rows: int) -> UploadRefused:
    return UploadRefused(
        f"Trang tính có hơn {_count(max_rows)} dòng, quá giới hạn; hãy chia thành nhiều tệp."
    )


def _workbook_sheets(
    source: bytes | Path, wanted: str | None, max_rows: int
) -> Iterator[tuple[str, Iterator[NumberedRow], MergesOf]]:
    """The sheets of an .xls or .ods to look into, one loaded at a time by python-calamine:
    the one named, or the visible worksheets and then the hidden ones."""
    try:
        book = (
            CalamineWorkbook.from_path(str(source))
            if isinstance(source, Path)
            else CalamineWorkbook.from_filelike(io.BytesIO(source))
        )
    except PasswordError as error:
        raise UploadRefused("Tệp có mật khẩu; hãy bỏ mật khẩu rồi gửi lại.") from error
    except (CalamineError, ValueError, OSError) as error:
        raise UploadRefused(f"Tệp bảng tính bị hỏng, không đọc được ({error}).") from error
    sheets = [meta for meta in book.sheets_metadata if meta.typ == SheetTypeEnum.WorkSheet]
    names = _sheet_order([(meta.name, meta.visible == SheetVisibleEnum.Visible) for meta in sheets], wanted)
    for name in names:
        try:
            sheet = book.get_sheet_by_name(name)
        except (CalamineError, ValueError, OSError) as error:
            raise UploadRefused(f"Trang tính «{name}» bị hỏng, không đọc được ({error}).") from error
        merges = _merges(sheet.merged_cell_ranges)
        yield name, _sheet_rows(sheet.iter_rows(), sheet.start, max_rows), lambda merges=merges: merges  # type: ignore[misc]


def _merges(ranges: list[tuple[tuple[int, int], tuple[int, int]]] | None) -> Merges | None:
    """Merged cells by the row (0-based) and column of their first cell: their last column."""
    if not ranges:
        return None  # the format does not tell (.ods), or the sheet has none
    merges: Merges = {}
    for (row, column), (_, last) in ranges:
        merges.setdefault(row, {})[column] = last
    return merges


def _sheet_rows(
    rows: Iterable[Sequence[Cell]], start: tuple[int, int] | None, max_rows: int
) -> Iterator[NumberedRow]:
    """python-calamine 0.9 yields a sheet's rows from row 1 but its columns from the first used
    one: the cells are put back under their columns (A = 0), empty ones as None."""
    offset = [None] * (start[1] if start else 0)
    for index, values in enumerate(rows):
        number = index + 1
        if number > max_rows:
            raise _too_many_rows(max_rows)
        cells: list[Cell] = [
            None if value == "" or (isinstance(value, str) and not value.strip()) else value
            for value in values
        ]
        if any(value is not None for value in cells):
            yield number, offset + cells if offset else cells


# -- CSV -------------------------------------------------------------------------------------


def _csv_encoding(source: bytes | Path) -> tuple[str, str]:
    """(codec, label): a BOM says; else UTF-8 if every byte is valid UTF-8; else cp1252."""
    head = _read_head(source, 4)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", "utf-8"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", "utf-16"
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with _binary(source) as file:
            while chunk := file.read(1024 * 1024):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "cp1252", "cp1252"
    return "utf-8", "utf-8"


def _read_head(source: bytes | Path, size: int) -> bytes:
    with _binary(source) as file:
        return file.read(size)


def _binary(source: bytes | Path) -> IO[bytes]:
    return io.BytesIO(source) if isinstance(source, bytes) else open(source, "rb")


def _csv_delimiter(source: bytes | Path, codec: str) -> str:
    """The delimiter that splits the first lines most regularly: the most frequent number of
    fields (above one) and how many lines have it. Excel in Vietnamese writes ";" (the comma is
    the decimal sign), and an address in a ";" file may hold commas."""
    sample = codecs.getincrementaldecoder(codec)(errors=_C1).decode(_read_head(source, HEAD))
    if len(sample) >= HEAD // 4 and "\n" in sample:
        sample = sample[: sample.rindex("\n")]
    best, best_key = ",", (0, 0)
    for delimiter in _CSV_DELIMITERS:
        widths: dict[int, int] = {}
        try:
            for record in _take(csv.reader(io.StringIO(sample), delimiter=delimiter), 50):
                if len(record) > 1:
                    widths[len(record)] = widths.get(len(record), 0) + 1
        except csv.Error:
            continue
        if widths:
            width, lines = max(widths.items(), key=lambda item: (item[1], item[0]))
            if (lines, width) > best_key:
                best, best_key = delimiter, (lines, width)
    return best


def _take(records: Iterator[list[str]], count: int) -> Iterator[list[str]]:
    for _, record in zip(range(count), records, strict=False):
        yield record


def _csv_rows(source: bytes | Path, codec: str, max_rows: int) -> Iterator[NumberedRow]:
    """The records of a CSV read in a stream, numbered as Excel shows them (a quoted field
    over several lines is one row); empty fields as None."""
    delimiter = _csv_delimiter(source, codec)
    text = io.TextIOWrapper(_binary(source), encoding=codec, errors=_C1, newline="")
    number = 0
    try:
        for number, record in enumerate(csv.reader(text, delimiter=delimiter), start=1):
            if number > max_rows:
                raise UploadRefused(
                    f"Tệp có hơn {_count(max_rows)} dòng, quá giới hạn; hãy chia thành nhiều tệp."
                )
            cells: list[Cell] = [value if value.strip() else None for value in record]
            if any(value is not None for value in cells):
                yield number, cells
    except csv.Error as error:
        raise UploadRefused(f"Tệp CSV hỏng ở dòng {number + 1}, không đọc được ({error}).") from error
    finally:
        text.close()
