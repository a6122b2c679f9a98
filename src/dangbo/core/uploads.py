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
import zipfile
from pathlib import Path

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler

MAX_ENTRIES = 1000  # a workbook of a few sheets has some dozens
MAX_RATIO = 200  # unpacked / packed, for an entry larger than RATIO_FROM
RATIO_FROM = 1024 * 1024
_ROW = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s>/]")  # <row> of .xlsx
_ODS_ROW = re.compile(rb"<table:table-row[\s>/]")
# an .xlsx cell with a value (not <c r="B2" s="1"/>, a formatted empty cell): its column, its row
_CELL = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?c\s[^>]*?\br="([A-Z]{1,3})(\d{1,7})"[^>]*?(?<!/)>')
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
    ``max_cells`` (the area of an .xlsx sheet's data, first to last cell) only when given, for
    a reader that builds a sheet as one grid.
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
        return "xls"  # records are stored as they are: the size bounds what a reader builds
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
                _check_rows(book, entry, _ODS_ROW, max_rows)
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
    rows = [int(row) for _, row in cells]
    columns = [_column_number(letters) for letters in {letters for letters, _ in cells}]
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
        raise UploadRefused(
            f"Trang tính có dữ liệu trải từ dòng {found[0]} đến dòng {found[1]}, qua {found[3] - found[2] + 1} "
            f"cột: quá {_count(max_cells)} ô, quá giới hạn. Hãy xóa các ô thừa ở xa bảng (Ctrl+End cho thấy ô "
            "cuối cùng) hoặc chép bảng sang tệp mới."
        )


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


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
