"""Limits on uploaded spreadsheets, checked before any parser reads them (issue 18, ASVS 5.2).

An .xlsx file is a zip of XML: 638 KB on the wire can hold 188 MB of XML, which openpyxl
took 97 s and 600 MB of memory to read. ``check_spreadsheet`` looks at the zip's directory
(how many entries, how large once unpacked, how much each entry is compressed) and counts
the worksheets' rows in a stream with a cap, so such a file is refused in milliseconds with a
Vietnamese message. The sizes in a zip's directory bound what Python's ``zipfile`` (which
openpyxl uses) will unpack: it stops at the declared size, so a file cannot claim less than
it holds. A CSV is bounded by its size (the form's) and its number of lines.

Every importer calls ``check_spreadsheet`` before parsing (``restructuring.plans`` today).
``LimitedUploadHandler`` refuses a request body larger than ``DANGBO_UPLOAD_MAX_MB`` before
Django writes it to disk.

Limits (settings, from the environment): ``DANGBO_UPLOAD_MAX_MB`` (a request's body, 20),
``DANGBO_UPLOAD_MAX_UNCOMPRESSED_MB`` (an .xlsx unpacked, 50), ``DANGBO_UPLOAD_MAX_ROWS``
(rows of a sheet or lines of a CSV, 50,000).
"""

from __future__ import annotations

import io
import re
import zipfile

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler

MAX_ENTRIES = 1000  # a workbook of a few sheets has some dozens
MAX_RATIO = 200  # unpacked / packed, for an entry larger than RATIO_FROM
RATIO_FROM = 1024 * 1024
_ROW = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s>/]")
_CHUNK = 1024 * 1024


class UploadRefused(ValueError):
    """The file exceeds a limit; ``str()`` is the Vietnamese message for the user."""


def max_rows() -> int:
    return int(settings.DANGBO_UPLOAD_MAX_ROWS)


def _count(number: int) -> str:
    return f"{number:,}".replace(",", ".")


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.0f}".replace(".", ",")


def check_spreadsheet(data: bytes, filename: str) -> None:
    """Refuse (``UploadRefused``) an .xlsx or .csv beyond the limits; other kinds are the
    caller's to refuse."""
    name = filename.lower()
    if name.endswith(".xlsx"):
        check_xlsx(data)
    elif name.endswith(".csv"):
        lines = data.count(b"\n")
        if lines > max_rows():
            raise UploadRefused(f"Tệp có {_count(lines)} dòng, quá giới hạn {_count(max_rows())} dòng.")


def check_xlsx(data: bytes) -> None:
    limit = int(settings.DANGBO_UPLOAD_MAX_UNCOMPRESSED_MB) * 1024 * 1024
    try:
        book = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError) as error:
        raise UploadRefused("Tệp không phải tệp Excel (.xlsx) hợp lệ.") from error
    with book:
        entries = book.infolist()
        if len(entries) > MAX_ENTRIES:
            raise UploadRefused(
                f"Tệp Excel có quá nhiều thành phần ({len(entries)}); hãy lưu lại thành tệp mới."
            )
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
            if entry.filename.startswith("xl/worksheets/") and entry.filename.endswith(".xml"):
                _check_rows(book, entry)


def _check_rows(book: zipfile.ZipFile, entry: zipfile.ZipInfo) -> None:
    """Count a sheet's <row> elements, streaming, and stop past the limit."""
    limit, count, tail = max_rows(), 0, b""
    try:
        with book.open(entry) as sheet:
            while chunk := sheet.read(_CHUNK):
                text = tail + chunk
                count += len(_ROW.findall(text))
                # keep a short tail for a tag cut in two, and never count a tag twice
                cut = max(len(text) - 32, 0)
                last = text.rfind(b"<", cut)
                tail = text[last:] if last >= 0 and not _ROW.match(text, last) else b""
                if count > limit:
                    raise UploadRefused(
                        f"Trang tính có hơn {_count(limit)} dòng, quá giới hạn; hãy chia thành nhiều tệp."
                    )
    except (zipfile.BadZipFile, OSError, EOFError) as error:  # a damaged member (bad CRC, truncated)
        raise UploadRefused("Tệp Excel bị hỏng, không đọc được.") from error


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
