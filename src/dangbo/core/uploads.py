"""Limits on uploaded spreadsheets, checked before any parser reads them (issue 18, ASVS 5.2).

An .xlsx file is a zip of XML: 638 KB on the wire can hold 188 MB of XML, which openpyxl
took 97 s and 600 MB of memory to read. ``check_spreadsheet`` looks at the zip's directory
(how many entries, how large once unpacked, how much each entry is compressed) and counts
the worksheets' rows in a stream with a cap, so such a file is refused in milliseconds with a
Vietnamese message. The sizes in a zip's directory bound what Python's ``zipfile`` (which
openpyxl uses) will unpack: it stops at the declared size, so a file cannot claim less than
it holds. An .ods is a zip too and gets the same checks. An .xls is an OLE file whose
records are not compressed, so its size is its bound. A CSV is bounded by its size (the
form's) and its number of lines.

The kind of a file is told by its first bytes, never by its name alone: a PDF or an image
renamed .xlsx is refused here rather than handed to a parser (issue 22).

Every importer calls ``check_spreadsheet`` before parsing (``restructuring.plans``,
``imports.reading``). An importer with larger limits than other uploads (issue 22: the member
books of a whole province) passes its own through the keyword arguments.
``LimitedUploadHandler`` refuses a request body larger than ``DANGBO_UPLOAD_MAX_MB`` before
Django writes it to disk.

Limits (settings, from the environment): ``DANGBO_UPLOAD_MAX_MB`` (a request's body, 20),
``DANGBO_UPLOAD_MAX_UNCOMPRESSED_MB`` (an .xlsx unpacked, 50), ``DANGBO_UPLOAD_MAX_ROWS``
(rows of a sheet or lines of a CSV, 50,000).
"""

from __future__ import annotations

import io
import os
import re
import struct
import zipfile
from pathlib import Path
from xml.parsers import expat

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler

MAX_ENTRIES = 1000  # a workbook of a few sheets has some dozens
MAX_RATIO = 200  # unpacked / packed, for an entry larger than RATIO_FROM
RATIO_FROM = 1024 * 1024
_ROW = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s>/]")  # <row> of .xlsx
_ODS_ROW = re.compile(rb"<table:table-row[\s>/]")
# an .xlsx cell with a value (not <c r="B2" s="1"/>, a formatted empty cell): its column, its row
# (attribute values of a cell hold no "/": r, s, t, cm, vm)
_CELL = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?c\s[^>/]*?\br="([A-Z]{1,3})(\d{1,7})"[^>/]*>')
_CHUNK = 1024 * 1024

ZIP_SIGNATURE = b"PK\x03\x04"
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
HEAD = 64 * 1024  # bytes looked at to tell a text file from a binary one
SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods", ".csv")
# Binary kinds people send by mistake; none of them is text even when its head has no NUL byte.
_BINARY_SIGNATURES = (
    b"%PDF",
    b"\x89PNG",
    b"GIF8",
    b"\xff\xd8\xff",
    b"II*\x00",
    b"MM\x00*",
    b"Rar!",
    b"7z\xbc\xaf",
)
_NOT_A_SPREADSHEET = (
    "Tệp không phải bảng tính Excel hoặc CSV (.xlsx, .xls, .ods, .csv); "
    "hãy mở tệp bằng Excel và lưu lại đúng định dạng."
)

Source = bytes | os.PathLike[str]


class UploadRefused(ValueError):
    """The file exceeds a limit; ``str()`` is the Vietnamese message for the user."""


def max_rows() -> int:
    return int(settings.DANGBO_UPLOAD_MAX_ROWS)


_upload_max_rows = max_rows  # the keyword arguments below of the same name hide it


def _count(number: int) -> str:
    return f"{number:,}".replace(",", ".")


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.0f}".replace(".", ",")


def _size(data: Source) -> int:
    return len(data) if isinstance(data, bytes) else Path(data).stat().st_size


def _head(data: Source, size: int = HEAD) -> bytes:
    if isinstance(data, bytes):
        return data[:size]
    with open(data, "rb") as file:
        return file.read(size)


def looks_like_text(head: bytes) -> bool:
    """Text in some 8-bit or UTF-8 encoding, or UTF-16 with its BOM: no NUL byte (every binary
    kind has some in its first kilobytes) and not a known binary signature."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    return b"\x00" not in head and not head.startswith(_BINARY_SIGNATURES)


def sniff_kind(data: Source, filename: str) -> str | None:
    """``"zip"`` (.xlsx, .xlsm, .xlsb, .ods), ``"xls"`` (an OLE file), ``"csv"`` (text in a
    file named .csv) or None, from the file's first bytes."""
    head = _head(data)
    if head.startswith(ZIP_SIGNATURE):
        return "zip"
    if head.startswith(OLE_SIGNATURE):
        return "xls"
    if filename.lower().endswith(".csv") and looks_like_text(head):
        return "csv"
    return None


def check_spreadsheet(
    data: Source,
    filename: str,
    *,
    max_rows: int | None = None,
    max_uncompressed_mb: int | None = None,
    max_mb: int | None = None,
    max_cells: int | None = None,
) -> str | None:
    """Refuse (``UploadRefused``) a spreadsheet beyond the limits, or a file named as one whose
    content is something else; return its kind (``"xlsx"``, ``"xlsm"``, ``"xlsb"``, ``"ods"``,
    ``"xls"``, ``"csv"``). A file neither named nor made as a spreadsheet gives None: the
    caller's to refuse in its own words.

    The limits default to the ``DANGBO_UPLOAD_*`` settings; ``max_mb`` (the file's size) is
    checked only when given, the request's body being limited already by the upload handler;
    ``max_cells`` (the area of a sheet's data, first to last cell, in .xlsx, .ods and .xls)
    only when given, for a reader that builds a sheet as one grid.
    """
    rows = max_rows if max_rows is not None else _upload_max_rows()
    unpacked_mb = (
        max_uncompressed_mb
        if max_uncompressed_mb is not None
        else int(settings.DANGBO_UPLOAD_MAX_UNCOMPRESSED_MB)
    )
    if max_mb is not None and _size(data) > max_mb * 1024 * 1024:
        raise UploadRefused(
            f"Tệp lớn {_mb(_size(data))} MB, quá giới hạn {_mb(max_mb * 1024 * 1024)} MB. "
            "Hãy chia thành nhiều tệp nhỏ hơn."
        )
    kind = sniff_kind(data, filename)
    if kind == "zip":
        return check_zip(data, max_rows=rows, max_uncompressed_mb=unpacked_mb, max_cells=max_cells)
    if kind == "xls":
        if max_cells is not None:  # records are stored as they are: the size bounds them, not the grid
            try:
                _check_xls(data if isinstance(data, bytes) else Path(data).read_bytes(), max_cells)
            except (struct.error, IndexError, ValueError) as error:
                if isinstance(error, UploadRefused):
                    raise
                raise UploadRefused("Tệp Excel (.xls) bị hỏng, không đọc được.") from error
        return "xls"
    if kind == "csv":
        lines = _lines(data)
        if lines > rows:
            raise UploadRefused(f"Tệp có {_count(lines)} dòng, quá giới hạn {_count(rows)} dòng.")
        return "csv"
    if filename.lower().endswith(SPREADSHEET_SUFFIXES):
        raise UploadRefused(_NOT_A_SPREADSHEET)
    return None


def _lines(data: Source) -> int:
    if isinstance(data, bytes):
        return data.count(b"\n")
    lines = 0
    with open(data, "rb") as file:
        while chunk := file.read(_CHUNK):
            lines += chunk.count(b"\n")
    return lines


def check_xlsx(data: Source) -> None:
    """An .xlsx within the ``DANGBO_UPLOAD_*`` limits (kept for the callers of issue 18)."""
    check_zip(data, max_rows=max_rows(), max_uncompressed_mb=int(settings.DANGBO_UPLOAD_MAX_UNCOMPRESSED_MB))


def check_zip(data: Source, *, max_rows: int, max_uncompressed_mb: int, max_cells: int | None = None) -> str:
    """A zipped workbook (.xlsx, .xlsm, .xlsb, .ods) within the limits; its kind."""
    limit = max_uncompressed_mb * 1024 * 1024
    try:
        book = zipfile.ZipFile(io.BytesIO(data) if isinstance(data, bytes) else data)
    except (zipfile.BadZipFile, ValueError) as error:
        raise UploadRefused("Tệp không phải tệp Excel (.xlsx) hợp lệ.") from error
    with book:
        entries = book.infolist()
        if len(entries) > MAX_ENTRIES:
            raise UploadRefused(
                f"Tệp Excel có quá nhiều thành phần ({len(entries)}); hãy lưu lại thành tệp mới."
            )
        kind = _zip_kind(book, {entry.filename for entry in entries})
        total = sum(entry.file_size for entry in entries)
        if total > limit:
            raise UploadRefused(
                f"Tệp Excel khi giải nén lớn {_mb(total)} MB, quá giới hạn {_mb(limit)} MB. "
                "Hãy chia thành nhiều tệp nhỏ hơn."
            )
        for entry in entries:
            if entry.file_size > RATIO_FROM and entry.file_size > MAX_RATIO * max(entry.compress_size, 1):
                raise UploadRefused(
                    "Tệp Excel bị nén bất thường (dữ liệu lặp lại rất nhiều lần); không đọc tệp này."
                )
        for entry in entries:
            if kind in ("xlsx", "xlsm") and entry.filename.startswith("xl/worksheets/"):
                if entry.filename.endswith(".xml"):
                    _check_rows(book, entry, _ROW, max_rows, max_cells)
            elif kind == "ods" and entry.filename == "content.xml":
                if max_cells is None:
                    _check_rows(book, entry, _ODS_ROW, max_rows)
                else:
                    _check_ods(book, entry, max_rows, max_cells)
        # .xlsb: binary records, counted by the reader as it goes
    return kind


def _zip_kind(book: zipfile.ZipFile, names: set[str]) -> str:
    if "xl/workbook.xml" in names:
        return "xlsm" if "xl/vbaProject.bin" in names else "xlsx"
    if "xl/workbook.bin" in names:
        return "xlsb"
    if "mimetype" in names and "content.xml" in names:
        try:
            mimetype = book.read("mimetype")[:100]
        except (zipfile.BadZipFile, OSError, EOFError) as error:
            raise UploadRefused("Tệp bảng tính bị hỏng, không đọc được.") from error
        if mimetype.strip() == b"application/vnd.oasis.opendocument.spreadsheet":
            return "ods"
    raise UploadRefused(_NOT_A_SPREADSHEET)  # a .docx, a .zip of photos…


def _check_rows(
    book: zipfile.ZipFile,
    entry: zipfile.ZipInfo,
    pattern: re.Pattern[bytes],
    limit: int,
    max_cells: int | None = None,
) -> None:
    """Count a sheet's row elements, streaming, and stop past the limit. With ``max_cells``,
    also bound the area from the first to the last cell holding a value (.xlsx): a reader
    that builds the sheet as one grid (python-calamine) would allocate it whole, and two
    cells, at A1 and at XFD1048576, make a grid of 17 billion cells from a file of 5 KB."""
    count, tail = 0, b""
    extent: list[int] = []  # first row, last row, first column, last column
    try:
        with book.open(entry) as sheet:
            while chunk := sheet.read(_CHUNK):
                text = tail + chunk
                # a tag cut in two is read whole with the next chunk (a tag is short: bounded)
                last = text.rfind(b"<")
                if last >= 0 and b">" not in text[last:] and len(text) - last < 4096:
                    text, tail = text[:last], text[last:]
                else:
                    tail = b""
                count += len(pattern.findall(text))
                if count > limit:
                    raise UploadRefused(
                        f"Trang tính có hơn {_count(limit)} dòng, quá giới hạn; hãy chia thành nhiều tệp."
                    )
                if max_cells is not None:
                    _extend(extent, _CELL.findall(text), max_cells)
    except (zipfile.BadZipFile, OSError, EOFError) as error:  # a damaged member (bad CRC, truncated)
        raise UploadRefused("Tệp Excel bị hỏng, không đọc được.") from error


def _extend(extent: list[int], cells: list[tuple[bytes, bytes]], max_cells: int) -> None:
    if not cells:
        return
    # a sheet's cells share few columns and rows: sets first
    rows = [int(row) for row in {row for _, row in cells}]
    columns = [_column_number(column) for column in {column for column, _ in cells}]
    found = [min(rows), max(rows), min(columns), max(columns)]
    if extent:
        found = [
            min(extent[0], found[0]),
            max(extent[1], found[1]),
            min(extent[2], found[2]),
            max(extent[3], found[3]),
        ]
    extent[:] = found
    if (found[1] - found[0] + 1) * (found[3] - found[2] + 1) > max_cells:
        raise _too_many_cells(found[0], found[1], found[3] - found[2] + 1, max_cells)


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def _too_many_cells(first_row: int, last_row: int, columns: int, max_cells: int) -> UploadRefused:
    return UploadRefused(
        f"Trang tính có dữ liệu trải từ dòng {first_row} đến dòng {last_row}, qua {columns} "
        f"cột: quá {_count(max_cells)} ô, quá giới hạn. Hãy xóa các ô thừa ở xa bảng (Ctrl+End cho thấy ô "
        "cuối cùng) hoặc chép bảng sang tệp mới."
    )


_ODS_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_ODS_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"


def _check_ods(book: zipfile.ZipFile, entry: zipfile.ZipInfo, max_rows: int, max_cells: int) -> None:
    """An .ods sheet's rows and grid, read with expat in a stream. A row or a cell may say it is
    repeated (``number-rows-repeated="1000000"``): 1 KB can describe a billion cells, which
    python-calamine would build; the repeats are counted, not expanded."""
    row_tag, cell_tag = f"{_ODS_TABLE} table-row", f"{_ODS_TABLE} table-cell"
    covered_tag, table_tag = f"{_ODS_TABLE} covered-table-cell", f"{_ODS_TABLE} table"
    rows_repeated, columns_repeated = (
        f"{_ODS_TABLE} number-rows-repeated",
        f"{_ODS_TABLE} number-columns-repeated",
    )
    value_type = f"{_ODS_OFFICE} value-type"
    # per table: rows so far, first and end of the rows with a value, widest row; per row: repeats, column
    state = {
        "elements": 0,
        "row": 0,
        "first": -1,
        "end": 0,
        "width": 0,
        "repeat": 1,
        "column": 0,
        "valued": 0,
    }

    def start(name: str, attributes: dict[str, str]) -> None:
        if name == table_tag:
            state.update(row=0, first=-1, end=0, width=0)
        elif name == row_tag:
            state["elements"] += 1
            if state["elements"] > max_rows:
                raise UploadRefused(
                    f"Trang tính có hơn {_count(max_rows)} dòng, quá giới hạn; hãy chia thành nhiều tệp."
                )
            state.update(repeat=_repeats(attributes.get(rows_repeated)), column=0, valued=0)
        elif name in (cell_tag, covered_tag):
            state["column"] += _repeats(attributes.get(columns_repeated))
            if value_type in attributes:
                state["valued"] = state["column"]
        elif name.startswith("urn:oasis:names:tc:opendocument:xmlns:text:1.0 ") and state["column"]:
            state["valued"] = state["column"]  # text in a cell without a type

    def end(name: str) -> None:
        if name != row_tag:
            return
        if state["valued"]:
            if state["first"] < 0:
                state["first"] = state["row"]
            state["end"] = state["row"] + state["repeat"]
            state["width"] = max(state["width"], state["valued"])
            if (state["end"] - state["first"]) * state["width"] > max_cells:
                raise _too_many_cells(state["first"] + 1, state["end"], state["width"], max_cells)
        state["row"] += state["repeat"]

    def doctype(*_: object) -> None:
        raise UploadRefused("Tệp bảng tính có khai báo DTD, không đọc tệp này.")

    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.StartDoctypeDeclHandler = doctype
    try:
        with book.open(entry) as content:
            while chunk := content.read(_CHUNK):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except expat.ExpatError as error:
        raise UploadRefused("Tệp bảng tính (.ods) bị hỏng, không đọc được.") from error
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        raise UploadRefused("Tệp bảng tính bị hỏng, không đọc được.") from error


def _repeats(value: str | None) -> int:
    return int(value) if value and value.isdigit() else 1


# BIFF records of an .xls cell with a value: LABELSST, NUMBER, RK, FORMULA, BOOLERR, LABEL,
# RSTRING; MULRK holds several (its last column at its end). BLANK and MULBLANK are formats only.
_XLS_CELLS = {0x00FD, 0x0203, 0x027E, 0x0006, 0x0205, 0x0204, 0x00D6}
_XLS_MULRK, _XLS_BOF, _XLS_EOF = 0x00BD, 0x0809, 0x000A


def _check_xls(data: bytes, max_cells: int) -> None:
    """An .xls sheet's grid, from its cell records: python-calamine builds a sheet as one grid,
    and two cells, at A1 and IV65536, make a grid of 16 million cells (1 GB) from 6 KB."""
    stream = _ole_stream(data, ("Workbook", "Book"))
    extent: list[int] = []
    position = 0
    while position + 4 <= len(stream):
        kind, length = struct.unpack_from("<HH", stream, position)
        body = position + 4
        position = body + length
        if kind in (_XLS_BOF, _XLS_EOF):
            extent = []
        elif (kind in _XLS_CELLS and length >= 4) or (kind == _XLS_MULRK and length >= 6):
            row, column = struct.unpack_from("<HH", stream, body)
            last = struct.unpack_from("<H", stream, position - 2)[0] if kind == _XLS_MULRK else column
            found = [row, row, min(column, last), max(column, last)]
            if extent:
                found = [
                    min(extent[0], row),
                    max(extent[1], row),
                    min(extent[2], found[2]),
                    max(extent[3], found[3]),
                ]
            extent = found
            columns = found[3] - found[2] + 1
            if (found[1] - found[0] + 1) * columns > max_cells:
                raise _too_many_cells(found[0] + 1, found[1] + 1, columns, max_cells)


def _ole_stream(data: bytes, names: tuple[str, ...]) -> bytes:
    """A stream of an OLE compound file (MS-CFB), enough of the format to find the workbook."""
    damaged = UploadRefused("Tệp Excel (.xls) bị hỏng, không đọc được.")
    if len(data) < 512:
        raise damaged
    sector = 1 << struct.unpack_from("<H", data, 0x1E)[0]
    mini = 1 << struct.unpack_from("<H", data, 0x20)[0]
    fats, directory, _, cutoff, mini_fat, _, difat_next, difats = struct.unpack_from("<8I", data, 0x2C)
    if sector not in (512, 4096) or mini != 64:
        raise damaged
    count = (len(data) - 1) // sector  # sectors in the file: no chain is longer

    def read(number: int) -> bytes:
        start = (number + 1) * sector
        if number >= count or start >= len(data):
            raise damaged
        return data[start : start + sector]

    fat_sectors = list(struct.unpack_from("<109I", data, 0x4C))
    for _ in range(difats):
        if difat_next >= count:
            break
        block = struct.unpack(f"<{sector // 4}I", read(difat_next))
        fat_sectors += block[:-1]
        difat_next = block[-1]
    fat: list[int] = []
    for number in fat_sectors[:fats]:
        fat += struct.unpack(f"<{sector // 4}I", read(number))

    def chain(first: int, table: list[int], limit: int) -> list[int]:
        numbers: list[int] = []
        while first < 0xFFFFFFFA:
            if len(numbers) > limit or first >= len(table):
                raise damaged
            numbers.append(first)
            first = table[first]
        return numbers

    entries = b"".join(read(number) for number in chain(directory, fat, count))
    root_start = struct.unpack_from("<I", entries, 0x74)[0]
    for offset in range(0, len(entries) - 127, 128):
        size_of_name = min(struct.unpack_from("<H", entries, offset + 0x40)[0], 64)
        name = entries[offset : offset + size_of_name].decode("utf-16-le", "replace").rstrip("\x00")
        if name not in names or entries[offset + 0x42] != 2:
            continue
        start, size = struct.unpack_from("<II", entries, offset + 0x74)
        if size >= cutoff:
            return b"".join(read(number) for number in chain(start, fat, count))[:size]
        minifat: list[int] = []
        for number in chain(mini_fat, fat, count):
            minifat += struct.unpack(f"<{sector // 4}I", read(number))
        ministream = b"".join(read(number) for number in chain(root_start, fat, count))
        pieces = [ministream[number * 64 : number * 64 + 64] for number in chain(start, minifat, count * 8)]
        return b"".join(pieces)[:size]
    raise damaged


class LimitedUploadHandler(FileUploadHandler):
    """Refuse a multipart body larger than ``DANGBO_UPLOAD_MAX_MB`` before reading it (400)."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        limit = int(settings.DANGBO_UPLOAD_MAX_MB) * 1024 * 1024
        if content_length > limit:
            raise RequestDataTooBig(f"Dữ liệu gửi lên lớn hơn {_mb(limit)} MB.")
        return None

    def receive_data_chunk(self, raw_data, start):
        return raw_data

    def file_complete(self, file_size):
        return None
