"""One cell of an office's spreadsheet, read as the value the register holds.

The books Party offices keep in Excel carry the marks of how Excel treats what is typed:
dates as serial numbers or as text in several orders, identity numbers turned into numbers
that lost their leading zeros (or, in a CSV, into "1,23457E+11"), the same heading written
ten ways. Each function here takes what the file reader gives for one cell (``str``,
``int``, ``float``, ``bool``, ``date``/``datetime`` as python-calamine returns them, or
``None``) and returns the clean value, or raises ``CellError`` with a Vietnamese message
that names the value, for the import's list of refused rows.

An empty cell gives the empty value (``None`` for a date, ``""`` otherwise); whether the
column may be empty is the caller's rule.

Text in the legacy encodings (TCVN3, VNI) is converted before it reaches these functions
(``dangbo.core.legacy_text``).
"""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date, datetime, timedelta

from dangbo.core.text import clean, fold
from dangbo.members.models import Gender

__all__ = [
    "CellError",
    "header_key",
    "parse_date",
    "parse_digits",
    "parse_gender",
    "parse_history_number",
    "parse_text",
]


class CellError(ValueError):
    """A cell whose value cannot be taken; the message (Vietnamese) names the value."""


CellValue = str | int | float | bool | date | datetime | None


def _shown(value: object) -> str:
    """The value as the office sees it in the cell, for messages."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.strftime("%d/%m/%Y")
    return clean(str(value))


def _is_empty(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# --- dates --------------------------------------------------------------------------------

# Excel's 1900 date system counts 1 for 01/01/1900 and, copying Lotus 1-2-3, has a 29/02/1900
# (serial 60) that never was, so every serial from 61 on is one day past the plain count.
_EXCEL_DAY_ZERO = date(1899, 12, 31)
_EXCEL_FAKE_LEAP_DAY = 60


def excel_serial(day: date) -> int:
    """The serial Excel shows for ``day`` (1900 date system)."""
    serial = (day - _EXCEL_DAY_ZERO).days
    return serial + 1 if serial >= _EXCEL_FAKE_LEAP_DAY else serial


def _from_serial(serial: int, shown: str, today: date) -> date:
    last = excel_serial(today)
    if 1900 <= serial <= today.year:
        # a year typed alone: as a serial it would be a day of 1905, which no member has
        raise CellError(f"Ô ngày «{shown}» chỉ có năm; cần ghi đủ ngày/tháng/năm, ví dụ 05/03/{serial}.")
    if serial == _EXCEL_FAKE_LEAP_DAY:
        raise CellError(f"Ngày «{shown}» (29/02/1900 của Excel) không có thật.")
    if not 1 <= serial <= last:
        raise CellError(
            f"Số «{shown}» không phải là một ngày: số ngày kiểu Excel phải từ 1 (01/01/1900) "
            f"đến {last} (hôm nay)."
        )
    return _EXCEL_DAY_ZERO + timedelta(days=serial - 1 if serial > _EXCEL_FAKE_LEAP_DAY else serial)


_DMY = re.compile(r"^(\d{1,2})([/.\-])(\d{1,2})\2(\d{2}|\d{4})$")
_YMD = re.compile(r"^(\d{4})([/.\-])(\d{1,2})\2(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_MONTH_YEAR = re.compile(r"^(\d{1,2})[/.\-](\d{4})$")
_SERIAL = re.compile(r"^\d{1,6}(?:[.,]0+)?$")
_WORDS = re.compile(r"^(?:ngay\s*)?(\d{1,2})\s*thang\s*(\d{1,2})\s*(?:nam\s*)?(\d{4})$")


def _make_date(year: int, month: int, day: int, shown: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise CellError(f"Ngày «{shown}» không có thật.") from None


def _parse_date_text(text: str, today: date) -> date:
    if match := _DMY.match(text):
        day, month, year_text = int(match.group(1)), int(match.group(3)), match.group(4)
        year = int(year_text)
        if len(year_text) == 2:
            year += 1900 if year > today.year % 100 else 2000
        if month > 12 and day <= 12:
            raise CellError(
                f"Ngày «{text}» có vẻ ghi tháng trước ngày; ngày tháng phải ghi theo thứ tự "
                f"ngày/tháng/năm, ví dụ {month:02d}/{day:02d}/{year}."
            )
        return _make_date(year, month, day, text)
    if match := _YMD.match(text):
        return _make_date(int(match.group(1)), int(match.group(3)), int(match.group(4)), text)
    if _MONTH_YEAR.match(text):
        raise CellError(f"Ngày «{text}» chỉ có tháng và năm; cần ghi đủ ngày/tháng/năm.")
    if _SERIAL.match(text):
        return _from_serial(int(re.split(r"[.,]", text)[0]), text, today)
    words = re.sub(r"[,.;:]", " ", fold(text))
    if match := _WORDS.match(clean(words)):
        day, month, year = (int(match.group(i)) for i in (1, 2, 3))
        return _make_date(year, month, day, text)
    raise CellError(f"Không đọc được ngày «{text}»; hãy ghi theo thứ tự ngày/tháng/năm, ví dụ 05/03/1990.")


def parse_date(value: CellValue, *, today: date) -> date | None:
    """A date cell: a date cell of Excel, an Excel serial number, or text in Vietnamese order
    (05/03/1990, 5/3/90, 05-03-1990, 05.03.1990, "ngày 5 tháng 3 năm 1990"), or ISO 1990-03-05.

    Refused, each with its own message: month first (03/25/1990), month and year only,
    a year alone, days that do not exist, serials outside 1..today, a date after ``today``.
    Two-digit years: above today's two-digit year is 19yy, otherwise 20yy.
    """
    if _is_empty(value):
        return None
    shown = _shown(value)
    if isinstance(value, bool):
        raise CellError(f"Ô ngày chứa giá trị đúng/sai «{shown}», không phải một ngày.")
    if isinstance(value, datetime):
        result = value.date()
    elif isinstance(value, date):
        result = value
    elif isinstance(value, int | float):
        if not math.isfinite(value) or value < 0:
            raise CellError(f"Số «{shown}» không phải là một ngày.")
        # a fraction is the time of day
        result = _from_serial(int(value), shown, today)
    elif isinstance(value, str):
        result = _parse_date_text(clean(value), today)
    else:
        raise CellError(f"Không đọc được ngày «{shown}».")
    if result > today:
        raise CellError(f"Ngày «{shown}» ở sau ngày hôm nay ({today:%d/%m/%Y}).")
    return result


# --- numbers kept as digits ---------------------------------------------------------------

_SCIENTIFIC = re.compile(r"^[+-]?\d+(?:[.,]\d+)?[eE][+-]?\d+$")
_WHOLE_FLOAT_TEXT = re.compile(r"^(\d+)\.0+$")
_DIGIT_SEPARATORS = re.compile(r"[\s.\-]+")


def _scientific_error(label: str, shown: str) -> CellError:
    return CellError(
        f"{label} «{shown}» đã bị Excel đổi sang dạng số mũ và mất chữ số. Hãy định dạng cột này "
        "là Văn bản (Text) trong Excel rồi gõ lại các số."
    )


def parse_digits(value: CellValue, *, widths: tuple[int, ...], label: str) -> str:
    """A number kept as digits (CCCD/CMND, số thẻ đảng viên): leading zeros that Excel dropped
    are restored up to the smallest of ``widths`` that fits (widths (9, 12): 8 digits → 9,
    10 or 11 → 12); more digits than the largest width are refused.

    Accepts a number (12345678 or 12345678.0) or text with spaces, dots, hyphens or Excel's
    apostrophe prefix ("'001234567890", "001 234 567 890"). Refuses numbers Excel wrote in
    scientific notation ("1,23457E+11") and floats too large to be exact.
    """
    if not widths:
        raise ValueError("widths must not be empty")
    if _is_empty(value):
        return ""
    shown = _shown(value)
    if isinstance(value, bool | date):  # datetime is a date
        raise CellError(f"{label} «{shown}» không phải là một dãy chữ số.")
    if isinstance(value, float):
        if not math.isfinite(value) or value < 0:
            raise CellError(f"{label} «{shown}» không phải là một dãy chữ số.")
        if not value.is_integer():
            if value >= 1e15:
                raise _scientific_error(label, repr(value))
            raise CellError(f"{label} «{shown}» có phần thập phân; cần một dãy chữ số.")
        digits = str(int(value))
    elif isinstance(value, int):
        if value < 0:
            raise CellError(f"{label} «{shown}» không phải là một dãy chữ số.")
        digits = str(value)
    else:
        text = unicodedata.normalize("NFKC", str(value)).strip().lstrip("'’")
        if _SCIENTIFIC.match(text):
            raise _scientific_error(label, shown)
        if match := _WHOLE_FLOAT_TEXT.match(text):
            text = match.group(1)  # a number written out by a CSV export: "12345678.0"
        digits = _DIGIT_SEPARATORS.sub("", text)
        if not digits.isdigit() or not digits.isascii():
            raise CellError(f"{label} «{shown}» có ký tự không phải chữ số.")
    largest = max(widths)
    if len(digits) > largest:
        raise CellError(f"{label} «{shown}» có {len(digits)} chữ số, nhiều hơn {largest}.")
    width = min(w for w in widths if w >= len(digits))
    return digits.zfill(width)


# --- the Party history number -------------------------------------------------------------

_HISTORY_NUMBER = re.compile(r"^(\d{1,6})([A-Z]{1,3})$")


def parse_history_number(value: CellValue) -> str:
    """Số lý lịch đảng viên: six digits and the 1–3 letter code of the provincial committee,
    stored as "012345LC". Accepts "012345-LC", "012345 lc", "12345LC" (the zero Excel
    dropped is put back)."""
    if _is_empty(value):
        return ""
    shown = _shown(value)
    text = re.sub(r"[\s\-./_]+", "", fold(str(value))).upper() if isinstance(value, str) else ""
    match = _HISTORY_NUMBER.match(text)
    if match is None:
        raise CellError(
            f"Số lý lịch «{shown}» không đúng dạng: cần 6 chữ số và mã tỉnh (1–3 chữ cái), ví dụ 012345LC."
        )
    return match.group(1).zfill(6) + match.group(2)


# --- gender -------------------------------------------------------------------------------

_GENDERS = {
    "nam": Gender.MALE,
    "namgioi": Gender.MALE,
    "m": Gender.MALE,
    "male": Gender.MALE,
    "nu": Gender.FEMALE,
    "nugioi": Gender.FEMALE,
    "f": Gender.FEMALE,
    "female": Gender.FEMALE,
}


def parse_gender(value: CellValue) -> str:
    """Gender as the register codes it ("M" or "F").

    Accepted, in any case, with or without accents: Nam, Nữ (nu), Nam giới, Nữ giới, M, F,
    Male, Female.
    Refused: a mark such as "x" or "1" (it means something only with the column it sits in:
    books with one column "Nam" and one "Nữ" are for the reader to resolve), and anything else.
    """
    if _is_empty(value):
        return ""
    shown = _shown(value)
    key = re.sub(r"[^a-z]", "", fold(str(value))) if isinstance(value, str) else ""
    gender = _GENDERS.get(key)
    if gender is None:
        raise CellError(f"Giới tính «{shown}» không rõ; hãy ghi «Nam» hoặc «Nữ».")
    return str(gender.value)


# --- text and headings --------------------------------------------------------------------


def parse_text(value: CellValue) -> str:
    """Any cell as text: NFC, trimmed, inner white space collapsed; a whole float (12.0, as
    Excel gives a number typed in a text column) without its ".0"; a date as dd/mm/yyyy."""
    if value is None:
        return ""
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.strftime("%d/%m/%Y")
    return clean(str(value))


_HEADER_SPACES = re.compile(r"[/\\|_\-–—+&]+")
_HEADER_DROPPED = re.compile(r"[^\w\s]|_")


def header_key(title: str) -> str:
    """The key a column heading is matched by: folded (lower case, no accents, đ→d), line
    breaks and slashes as spaces, other punctuation dropped ("Đ.V" → "dv"), spaces collapsed.
    "Ngày vào\\nĐảng" → "ngay vao dang", "SỐ THẺ Đ.V" → "so the dv"."""
    text = _HEADER_SPACES.sub(" ", fold(title or ""))
    return clean(_HEADER_DROPPED.sub("", text))
