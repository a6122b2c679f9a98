"""Writing lists that a spreadsheet will open: typed cells in XLSX, text in CSV, and text that
starts like a formula made inert.

A value such as ``=HYPERLINK(...)`` or ``+1+1`` typed into a name or address field would run
as a formula when an exported CSV is opened in Excel (CSV injection). Such values are
written with a leading apostrophe, which Excel shows as text and does not evaluate; nothing
is ever written as a formula.

``csv_chunks`` and ``xlsx_file`` write any list (a header and rows of values) that way;
every list export (members, the audit trail, compliance, meetings, imports) goes through
them. Rows hold Python values: a ``date`` or ``datetime`` is a real Excel date
(dd/mm/yyyy), an ``int``, ``float`` or ``Decimal`` a number, a ``Share`` a percentage, and
a ``str`` stays text, so identifiers made of digits (national ID, card number, codes,
phone numbers) keep their leading zeros. A caller may also say what a column holds
(``types``: ``TEXT``, ``NUMBER``, ``DATE``, ``PERCENT``). The CSV writes the same values as
Vietnamese text (31/12/2024, 1,5).

The XLSX is laid out for the office (issue 23): the title (organization and date) in A1, the
header on row 3, frozen, with a filter over the list; printed on A4 landscape, fitted to the
page width, the header repeated on every page and «Trang n/m» at the foot.
"""

from __future__ import annotations

import csv
import io
import math
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

import xlsxwriter

from dangbo.core.formats import format_percent, parse_date

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")

# What a column holds (``xlsx_file(types=...)``); a column not named is told by its values.
TEXT = "text"
NUMBER = "number"
DATE = "date"
PERCENT = "percent"

HEADER_ROW = 2  # zero-based: the title in row 1, a subtitle (or nothing) in row 2, the header in row 3
DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
SECONDS_FORMAT = "dd/mm/yyyy hh:mm:ss"
A4 = 9  # Excel's paper size code


@dataclass(frozen=True)
class Share:
    """A fraction (0.835) shown as a percentage: 83,5 % in CSV, a number formatted 0.0% in XLSX."""

    value: float


def list_title(what: str, where: str = "", day: date | None = None) -> str:
    """A list's title as the office writes it: «Danh sách đảng viên — Đảng bộ xã X — ngày
    05/12/2026» (the organization and the date left out when not given)."""
    return " — ".join(part for part in (what, where, f"ngày {day:%d/%m/%Y}" if day else "") if part)


def scope_name(actor) -> str:
    """The organizations a user reads, by name, for a title («» for an administrator)."""
    return "; ".join(name for _, name in getattr(actor, "root_labels", ()))


def neutralize(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _is_number(value) -> bool:
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def _local(moment: datetime) -> datetime:
    """A datetime as the installation's clock reads it, without its time zone."""
    if moment.tzinfo is None:
        return moment
    from django.utils import timezone  # not at import: core.spreadsheet is used before setup

    return timezone.localtime(moment).replace(tzinfo=None)


def cell_text(value) -> str:
    """A value as Vietnamese text (not yet neutralised): 31/12/2024, 31/12/2024 08:30, 1,5,
    83,5 %, Có / Không; what the CSV writes, and an XLSX cell that is text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, datetime):
        return f"{_local(value):%d/%m/%Y %H:%M:%S}" if value.second else f"{_local(value):%d/%m/%Y %H:%M}"
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, Share):
        return format_percent(value.value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (float, Decimal)):
        return str(value).replace(".", ",")
    return str(value)


def _csv_cell(value) -> str:
    text = cell_text(value)
    return text if _is_number(value) else neutralize(text)  # a number («-5») is no formula


def csv_chunks(header: Sequence[str], rows: Iterable[Sequence], *, chunk_rows: int = 500) -> Iterator[str]:
    """CSV in UTF-8 with a byte-order mark (so Excel opens Vietnamese text correctly), every
    value as text and neutralised, yielded every ``chunk_rows`` rows so a long list streams."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow([neutralize(label) for label in header])
    for number, row in enumerate(rows, start=1):
        writer.writerow([_csv_cell(value) for value in row])
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


def _parsed(value: str, kind: str):
    """Text in a column said to hold dates, numbers or percentages, as that value (None when it
    is not one: the text is written as it is)."""
    text = value.strip()
    try:
        if kind == DATE:
            return parse_date(text)
        if kind == PERCENT:
            text = text.removesuffix("%").strip()
            return Share(float(Decimal(text.replace(".", "").replace(",", "."))) / 100)
        number = Decimal(text.replace(".", "").replace(",", "."))  # 1.234,5 as Vietnamese write it
        return int(number) if number == number.to_integral_value() and "," not in text else number
    except (ValueError, InvalidOperation):
        return None


class _Writer:
    """The cell formats of one workbook, and how a value is written with them."""

    def __init__(self, book) -> None:
        base = {"border": 1, "valign": "top"}
        self.text = book.add_format({**base, "text_wrap": True})
        self.date = book.add_format({**base, "num_format": DATE_FORMAT, "align": "center"})
        self.datetime = book.add_format({**base, "num_format": DATETIME_FORMAT, "align": "center"})
        self.seconds = book.add_format({**base, "num_format": SECONDS_FORMAT, "align": "center"})
        self.integer = book.add_format({**base, "num_format": "#,##0"})
        self.decimal = book.add_format({**base, "num_format": "#,##0.0##"})
        self.percent = book.add_format({**base, "num_format": "0.0%"})
        self.blank = book.add_format(base)

    def write(self, sheet, row: int, col: int, value, kind: str | None) -> None:
        if value is None or value == "":
            sheet.write_blank(row, col, None, self.blank)
        elif kind == TEXT:
            self.write_text(sheet, row, col, value)
        elif isinstance(value, str) and kind in (DATE, NUMBER, PERCENT):
            parsed = _parsed(value, kind)
            if parsed is None:
                self.write_text(sheet, row, col, value)
            else:
                self.write_typed(sheet, row, col, parsed)
        else:
            self.write_typed(sheet, row, col, value)

    def write_text(self, sheet, row: int, col: int, value) -> None:
        sheet.write_string(row, col, neutralize(cell_text(value)), self.text)

    def write_typed(self, sheet, row: int, col: int, value) -> None:
        if isinstance(value, datetime):
            sheet.write_datetime(row, col, _local(value), self.seconds if value.second else self.datetime)
        elif isinstance(value, date) and value.year >= 1900:  # Excel counts days from 1900
            sheet.write_datetime(row, col, value, self.date)
        elif isinstance(value, Share) and math.isfinite(value.value):
            sheet.write_number(row, col, value.value, self.percent)
        elif _is_number(value) and math.isfinite(value):
            whole = isinstance(value, int) or value == int(value)
            sheet.write_number(row, col, value, self.integer if whole else self.decimal)
        else:  # text, a yes or no, a date before 1900, not a number
            self.write_text(sheet, row, col, value)


def _default_width(label: str) -> int:
    """A column as wide as its header, between 8 and 30 characters (a caller's ``widths`` win)."""
    if label.strip().upper() in ("STT", "TT"):
        return 6
    return max(8, min(30, len(label) + 2))


def xlsx_file(
    header: Sequence[str],
    rows: Iterable[Sequence],
    *,
    title: str,
    sheet_name: str = "Danh sách",
    widths: Sequence[tuple[int, int, int]] = (),
    types: Sequence[str | None] = (),
    subtitle: str = "",
) -> tempfile.SpooledTemporaryFile:
    """An XLSX written in constant memory: ``title`` in A1 (``subtitle`` in A2), the header on
    row 3, then the rows, each value typed as the module says (``types[i]`` overrides column
    i: ``TEXT`` writes even a number as text). Text is neutralised; nothing is a formula.
    ``widths`` holds (first column, last column, width) triples. The header row is frozen
    and filtered, and repeated on every printed page (A4 landscape, one page wide)."""
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115  (returned to the caller)
    book = xlsxwriter.Workbook(
        out, {"constant_memory": True, "strings_to_formulas": False, "in_memory": False}
    )
    book.set_properties({"title": neutralize(title), "creator": "dangbo"})
    sheet = book.add_worksheet(sheet_name)
    heading = book.add_format({"bold": True, "font_size": 13})
    note = book.add_format({"italic": True})
    head = book.add_format(
        {
            "bold": True,
            "text_wrap": True,
            "border": 1,
            "bg_color": "#E6E6E6",
            "align": "center",
            "valign": "vcenter",
        }
    )
    writer = _Writer(book)
    columns = max(1, len(header))
    for col, label in enumerate(header):
        sheet.set_column(col, col, _default_width(str(label)))
    for first, last, width in widths:
        sheet.set_column(first, last, width)
    sheet.write_string(0, 0, neutralize(title), heading)
    if subtitle:
        sheet.write_string(1, 0, neutralize(subtitle), note)
    for col, label in enumerate(header):
        sheet.write_string(HEADER_ROW, col, neutralize(label), head)
    kinds = list(types) + [None] * (columns - len(types))
    last = HEADER_ROW
    for last, row in enumerate(rows, start=HEADER_ROW + 1):
        for col, value in enumerate(row):
            writer.write(sheet, last, col, value, kinds[col] if col < len(kinds) else None)
    sheet.freeze_panes(HEADER_ROW + 1, 0)
    sheet.autofilter(HEADER_ROW, 0, last, columns - 1)
    sheet.set_landscape()
    sheet.set_paper(A4)
    sheet.fit_to_pages(1, 0)  # one page wide, as many pages long as the list
    sheet.repeat_rows(HEADER_ROW)
    sheet.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
    sheet.set_footer("&CTrang &P/&N")
    book.close()
    out.seek(0)
    return out
