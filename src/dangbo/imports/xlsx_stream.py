"""An .xlsx/.xlsm sheet read in a stream (issue 22): a 200,000-row book must import in under
500 MB, and python-calamine 0.9 builds a sheet whole (32 bytes a cell, every text its own
string: 270–525 MB for 200,000 × 20), with no streaming API. Here the sheet's XML is parsed by
lxml's ``iterparse`` one ``<row>`` at a time, each cleared once read: memory is the shared
strings table and one row (bench/results/import_read.md).

The values are those python-calamine gives, so that ``imports.reading`` and the importers see
no difference: numbers as ``float``, texts as ``str`` (only spaces: None), booleans, errors as
None, formulas as their cached value, and a number whose style's format is a date as ``date``
(whole days), ``datetime``, ``time`` (under a day) or ``timedelta`` (formats like
``[h]:mm:ss``), in the 1900 date system (its fake 29 February 1900 read as the 28th) or 1904.

The zip was checked before by ``core.uploads.check_spreadsheet`` (entries, unpacked size,
ratio, rows); no grid is built, so the cells' area needs no bound; the parsers resolve no
entities and load no DTD.
"""

from __future__ import annotations

import html
import re
import zipfile
from array import array
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import IO, Any

from lxml import etree  # type: ignore[import-untyped]  # lxml-stubs not installed

from dangbo.core.uploads import UploadRefused

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
STRICT = "http://purl.oclc.org/ooxml/spreadsheetml/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_STRICT_REL = "http://purl.oclc.org/ooxml/officeDocument/relationships"
_PACKAGE_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_WORKSHEET = ("/worksheet",)  # the end of a worksheet relationship's type (chart sheets are not)
# Built-in number formats that are dates (python-calamine and openpyxl agree): 14–22, 45, 47;
# 46 ([h]:mm:ss) is a duration.
_BUILTIN_DATES = frozenset({14, 15, 16, 17, 18, 19, 20, 21, 22, 45, 47})
_BUILTIN_DURATIONS = frozenset({46})
# openpyxl.styles.numbers (is_date_format, is_timedelta_format), without importing openpyxl
_STRIP = re.compile(r'".*?"|\[(?!hh?\]|mm?\]|ss?\])[^\]]*\]')
_DATE_PART = re.compile(r"(?<![_\\])[dmhysDMHYS]")
_DURATION = re.compile(r"\[hh?\](:mm(:ss(\.0*)?)?)?|\[mm?\](:ss(\.0*)?)?|\[ss?\](\.0*)?", re.IGNORECASE)
_MERGE = re.compile(
    rb'<(?:[A-Za-z_][\w.-]*:)?mergeCell\s[^>]*?\bref="([A-Z]{1,3})(\d{1,7}):([A-Z]{1,3})(\d{1,7})"'
)
_CHUNK = 1024 * 1024
# cells hold local dates and times, without a zone, as python-calamine gives them
_EPOCH = datetime(1899, 12, 30)  # noqa: DTZ001
_EARLY_EPOCH = datetime(1899, 12, 31)  # noqa: DTZ001 (before 1 March 1900 Excel counts a 29 February)
_DAYS_1904 = 1462
_PARSER_OPTIONS: dict[str, Any] = {"resolve_entities": False, "no_network": True, "load_dtd": False}
DATE, DURATION = 1, 2
# Shared strings up to this many are kept as a list of str (~110 bytes each with its pointer, in
# Vietnamese): ~55 MB; more, packed (~45 bytes each): a book whose every text differs, saved by
# Excel, has millions (3.6 million for 200,000 rows × 20 columns: 520 MB as a list, 170 packed).
LIST_STRINGS = 500_000
_BLOCK = 1024  # texts joined in one str by SharedStrings
# the opening of a shared strings table in the default namespace, and a plain text item of it
_SST = re.compile(rb'<sst\s[^>]*?\bxmlns="([^"]*)"[^>]*>')
_PROLOGUE = re.compile(rb"(?:\xef\xbb\xbf)?(?:<\?xml\s[^>]*\?>)?\s*")  # no DOCTYPE: no entities of its own
_ENCODING = re.compile(rb'encoding\s*=\s*["\']([^"\']+)')
_SIMPLE_SI = re.compile(rb'<si><t(?: xml:space="preserve")?(?:/>|>([^<]*)</t>)</si>')


def column_index(letters: str) -> int:
    """Column letters to an index from 0: "A" → 0, "AB" → 27."""
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number - 1


# every column letter of a sheet (A … XFD) to its index, so the hot loop looks a cell's up
_COLUMNS: dict[str, int] = {}


def _columns() -> dict[str, int]:
    if not _COLUMNS:
        letters = [chr(65 + n) for n in range(26)]
        two = [a + b for a in letters for b in letters]
        three = [a + b for a in letters for b in two]
        for index, name in enumerate(letters + two + three[: 16384 - 26 - 676]):
            _COLUMNS[name] = index
    return _COLUMNS


def is_date_format(code: str) -> int:
    """0, ``DATE`` or ``DURATION``: how a number in a cell of this format is read."""
    first = code.split(";")[0]
    if _DURATION.search(first):
        return DURATION
    return DATE if _DATE_PART.search(_STRIP.sub("", first)) else 0


@dataclass(frozen=True)
class SheetPart:
    name: str
    part: str  # its path in the zip
    visible: bool


class XlsxBook:
    """An open .xlsx/.xlsm: its worksheets in order, its shared strings and date styles read
    once; ``rows(sheet)`` streams a sheet, ``merges(sheet)`` its merged cells."""

    def __init__(self, source: IO[bytes] | str) -> None:
        try:
            self.zip = zipfile.ZipFile(source)
            self.names = set(self.zip.namelist())
            self._read_workbook()
            self._read_styles()
            self._strings: Sequence[str | None] | None = None
        except (zipfile.BadZipFile, etree.XMLSyntaxError, KeyError, ValueError, OSError, EOFError) as error:
            raise UploadRefused(f"Tệp bảng tính bị hỏng, không đọc được ({error}).") from error

    def close(self) -> None:
        self.zip.close()

    # -- the workbook's parts --------------------------------------------------------------

    def _xml(self, part: str) -> Any:
        with self.zip.open(part) as file:
            return etree.parse(file, etree.XMLParser(**_PARSER_OPTIONS)).getroot()

    def _read_workbook(self) -> None:
        root = self._xml("xl/workbook.xml")
        self.ns = root.tag[1:].split("}")[0] if root.tag.startswith("{") else MAIN
        ns = f"{{{self.ns}}}"
        rel_ns = _STRICT_REL if self.ns == STRICT else _REL
        properties = root.find(ns + "workbookPr")
        self.date1904 = properties is not None and properties.get("date1904", "0").lower() in ("1", "true")
        targets: dict[str, tuple[str, str]] = {}
        if "xl/_rels/workbook.xml.rels" in self.names:
            for relation in self._xml("xl/_rels/workbook.xml.rels").iter(f"{{{_PACKAGE_REL}}}Relationship"):
                targets[relation.get("Id", "")] = (relation.get("Type", ""), relation.get("Target", ""))
        self.sheets: list[SheetPart] = []
        for sheet in root.iter(ns + "sheet"):
            kind, target = targets.get(sheet.get(f"{{{rel_ns}}}id", ""), ("", ""))
            if not kind.endswith(_WORKSHEET) or not target:
                continue
            part = _normalise(target)
            if part in self.names:
                self.sheets.append(
                    SheetPart(sheet.get("name", ""), part, sheet.get("state", "visible") == "visible")
                )
        self.strings_part = next(
            (_normalise(target) for kind, target in targets.values() if kind.endswith("/sharedStrings")),
            "xl/sharedStrings.xml",
        )

    def _read_styles(self) -> None:
        """The styles (the ``s`` of a cell, as its text) whose number format is a date or a
        duration."""
        self.date_styles: dict[str, int] = {}
        if "xl/styles.xml" not in self.names:
            return
        root = self._xml("xl/styles.xml")
        ns = f"{{{self.ns}}}"
        formats: dict[int, int] = dict.fromkeys(_BUILTIN_DATES, DATE)
        formats.update(dict.fromkeys(_BUILTIN_DURATIONS, DURATION))
        for custom in root.iter(ns + "numFmt"):
            number = int(custom.get("numFmtId", "-1"))
            formats[number] = is_date_format(custom.get("formatCode", ""))
        cell_styles = root.find(ns + "cellXfs")
        if cell_styles is None:
            return
        for index, style in enumerate(cell_styles.iterfind(ns + "xf")):
            kind = formats.get(int(style.get("numFmtId", "0")), 0)
            if kind:
                self.date_styles[str(index)] = kind

    def strings(self) -> Sequence[str | None]:
        """The shared strings, in a stream: a text of runs (rich text) is their texts joined,
        phonetic hints left out; one of spaces only is None, as an empty cell. Kept packed
        (``SharedStrings``); a table of up to ``LIST_STRINGS`` as a plain list, faster to read."""
        if self._strings is None:
            packed = SharedStrings()
            if self.strings_part in self.names:
                simple = self._simple_strings()
                packed = simple if simple is not None else self._parsed_strings()
            packed.close()
            self._strings = (
                [packed[index] for index in range(len(packed))] if len(packed) <= LIST_STRINGS else packed
            )
        return self._strings

    def _parsed_strings(self) -> SharedStrings:
        """The shared strings table parsed by lxml, any form."""
        packed = SharedStrings()
        ns = f"{{{self.ns}}}"
        text, run = ns + "t", ns + "r"
        pending = packed.pending
        table = None
        with self.zip.open(self.strings_part) as file:
            for _, item in etree.iterparse(file, events=("end",), tag=ns + "si", **_PARSER_OPTIONS):
                if len(item) == 1 and (first := item[0]).tag == text:
                    value = first.text or ""
                else:
                    value = _runs(item, text, run)
                pending.append(value if value.strip() else "")
                if len(pending) == _BLOCK:
                    packed.close()
                    pending = packed.pending
                item.clear(keep_tail=True)  # the tree kept empty: the element read, and those before it
                if table is None:
                    table = item.getparent()
                while item.getprevious() is not None:
                    del table[0]
        packed.close()
        return packed

    def _simple_strings(self) -> SharedStrings | None:
        """The shared strings table read by a regular expression when every item is a plain
        text (``<si><t>…</t></si>``, as Excel writes all but rich text): 1.7 s for the 3.6
        million of a book whose every text differs, lxml 11 s. None at the first item of
        another form (rich text, a prefix, spaces inside, not UTF-8): the table is then parsed."""
        packed = SharedStrings()
        with self.zip.open(self.strings_part) as file:
            head = file.read(4096)
            opening = _SST.search(head)
            if (
                opening is None
                or opening[1] not in (MAIN.encode(), STRICT.encode())
                or not _PROLOGUE.fullmatch(head, 0, opening.start())
                or (
                    (encoding := _ENCODING.search(head, 0, opening.start()))
                    and encoding[1].lower() != b"utf-8"
                )
            ):
                return None
            tail = head[opening.end() :]
            while True:
                chunk = file.read(_CHUNK)
                text = tail + chunk
                if chunk:
                    end = text.rfind(b"</si>")
                    if end < 0:
                        if len(text) > 4 * 1024 * 1024:  # no item ends (a text is 32,767 characters at most)
                            return None
                        tail = text
                        continue
                    text, tail = text[: end + 5], text[end + 5 :]
                else:
                    tail = b""
                found = _SIMPLE_SI.findall(text)
                if len(found) != text.count(b"<si"):
                    return None
                if b"\r" in text or b"&" in text:
                    values = [_xml_text(value.decode()) for value in found]
                else:
                    values = [value.decode() for value in found]
                pending = packed.pending
                for value in values:
                    pending.append(value if value.strip() else "")
                    if len(pending) == _BLOCK:
                        packed.close()
                        pending = packed.pending
                if not chunk:
                    break
        packed.close()
        return packed

    def merges(self, part: str) -> dict[int, dict[int, int]] | None:
        """Merged cells (row, column from 0) of a sheet: their last column, by the row and
        column of their first cell; None when it has none. ``<mergeCells>`` comes after the
        rows in the XML: a quick pass over the bytes finds it before the rows are read."""
        merges: dict[int, dict[int, int]] = {}
        tail = b""
        try:
            with self.zip.open(part) as file:
                while chunk := file.read(_CHUNK):
                    text = tail + chunk
                    # a tag cut in two is read whole with the next chunk; a long run after the
                    # last "<" is a text's content, no tag of interest
                    cut = text.rfind(b"<")
                    text, tail = (
                        (text[:cut], text[cut:]) if cut >= 0 and len(text) - cut < 4096 else (text, b"")
                    )
                    if b"mergeCell" in text:
                        for first, row, last, _ in _MERGE.findall(text):
                            _merge(merges, first, row, last)
                for first, row, last, _ in _MERGE.findall(tail):
                    _merge(merges, first, row, last)
        except (zipfile.BadZipFile, KeyError, OSError, EOFError) as error:  # a damaged member
            raise UploadRefused(f"Trang tính bị hỏng, không đọc được ({error}).") from error
        return merges or None

    # -- the rows --------------------------------------------------------------------------

    def rows(
        self, part: str, max_rows: int, too_many: Callable[[], UploadRefused]
    ) -> Iterator[tuple[int, list[object]]]:
        """The rows holding a value, as (number as Excel shows it, cells from column A)."""
        try:
            yield from self._rows(part, max_rows, too_many)
        except (etree.XMLSyntaxError, zipfile.BadZipFile, OSError, EOFError, ValueError, IndexError) as error:
            if isinstance(error, UploadRefused):
                raise
            raise UploadRefused(f"Trang tính bị hỏng, không đọc được ({error}).") from error

    def _rows(
        self, part: str, max_rows: int, too_many: Callable[[], UploadRefused]
    ) -> Iterator[tuple[int, list[object]]]:
        ns = f"{{{self.ns}}}"
        value_tag, inline_tag, text_tag, run_tag = ns + "v", ns + "is", ns + "t", ns + "r"
        strings = self.strings()
        date_styles = self.date_styles
        columns = _columns()
        to_date = _dates(self.date1904)
        number = 0
        sheet_data = None
        with self.zip.open(part) as file:
            for _, row in etree.iterparse(file, events=("end",), tag=ns + "row", **_PARSER_OPTIONS):
                if sheet_data is None:
                    sheet_data = row.getparent()
                mark = row.get("r")
                number = int(mark) if mark else number + 1
                cut = -len(mark) if mark else 0
                cells: list[object] = []
                filled = False
                column = -1
                for cell in row:
                    # the hot loop (4 million cells for 200,000 rows): few calls into lxml per
                    # cell; the value is the last child (<f> comes before <v>), found otherwise
                    # only when it is not
                    try:
                        last = cell[-1]
                    except IndexError:  # a formatted empty cell
                        if cell.get("r") is None:
                            column += 1
                        continue
                    reference = cell.get("r")
                    if reference is None:
                        column += 1
                    else:
                        found = columns.get(reference[:cut] if cut else reference.rstrip("0123456789"))
                        column = found if found is not None else column_index(reference.rstrip("0123456789"))
                    kind = cell.get("t")
                    value: object
                    if kind == "inlineStr":
                        if last.tag != inline_tag and (last := cell.find(inline_tag)) is None:
                            continue
                        if len(last) == 1 and (first := last[0]).tag == text_tag:
                            text = first.text or ""
                        else:
                            text = _runs(last, text_tag, run_tag)
                        if not text.strip():
                            continue
                        value = text
                    else:
                        if last.tag != value_tag and (last := cell.find(value_tag)) is None:
                            continue
                        raw = last.text
                        if raw is None:
                            continue
                        if kind is None or kind == "n":
                            style = cell.get("s")
                            if style is not None and style in date_styles:
                                value = to_date(raw, date_styles[style])
                            else:
                                value = float(raw)
                        elif kind == "s":
                            value = strings[int(raw)]
                            if value is None:
                                continue
                        elif kind == "str":
                            if not raw.strip():
                                continue
                            value = raw
                        elif kind == "b":
                            value = raw.strip() in ("1", "true")
                        elif kind == "d":
                            value = _iso_date(raw)
                        else:  # "e": an error (#DIV/0!, #N/A…), as python-calamine gives it: empty
                            continue
                    width = len(cells)
                    if column == width:
                        cells.append(value)
                    elif column > width:
                        cells.extend([None] * (column - width))
                        cells.append(value)
                    else:  # cells out of order: Excel never writes them, others might
                        cells[column] = value
                    filled = True
                row.clear(keep_tail=True)  # the tree kept empty: the element read, and those before it
                while row.getprevious() is not None:
                    del sheet_data[0]
                if filled:
                    if number > max_rows:  # formatted empty rows below do not count, as in Excel's
                        raise too_many()
                    yield number, cells


class SharedStrings(Sequence[str | None]):
    """A workbook's shared strings packed: every ``_BLOCK`` texts joined in one str, with the
    end of each in an array, so that a text costs its characters and 4 bytes instead of a str
    object and a pointer (~70 bytes more). A text of spaces only reads as None. The readers
    append to ``pending`` themselves (millions of texts: one call fewer each), "" for a text of
    spaces, and ``close()`` it every ``_BLOCK`` texts and at the end."""

    def __init__(self) -> None:
        self.blocks: list[str] = []
        self.ends = array("I")  # where each text ends in its block
        self.pending: list[str] = []

    def close(self) -> None:
        """Join the texts appended since the last block into one."""
        if self.pending:
            end = 0
            for text in self.pending:
                end += len(text)
                self.ends.append(end)
            self.blocks.append("".join(self.pending))
            self.pending = []  # a new list: the reader holding the old one takes the new one

    def __len__(self) -> int:
        return len(self.ends)

    def __getitem__(self, index):  # an int only: no slices (Sequence would have them typed)
        if index < 0:
            raise IndexError(index)
        block, position = divmod(index, _BLOCK)
        text = self.blocks[block]
        return text[self.ends[index - 1] if position else 0 : self.ends[index]] or None


def _xml_text(text: str) -> str:
    """A text as the XML parser gives it: entities and character references replaced, line
    ends normalised (a valid XML text holds no other "&"; html.unescape knows the five)."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return html.unescape(text) if "&" in text else text


def _merge(merges: dict[int, dict[int, int]], first: bytes, row: bytes, last: bytes) -> None:
    merges.setdefault(int(row) - 1, {})[column_index(first.decode())] = column_index(last.decode())


def _runs(text: Any, text_tag: str, run_tag: str) -> str:
    """A rich text (<is> or <si>): the texts of its runs joined, phonetic hints left out."""
    return "".join(
        (child.text or "") if child.tag == text_tag else (child.findtext(text_tag) or "")
        for child in text
        if child.tag == text_tag or child.tag == run_tag
    )


def _normalise(target: str) -> str:
    """A relationship's target as a path in the zip: from the package's root when it starts
    with "/", else from xl/ (where workbook.xml is)."""
    parts: list[str] = [] if target.startswith("/") else ["xl"]
    for piece in target.split("/"):
        if piece == "..":
            if parts:
                parts.pop()
        elif piece and piece != ".":
            parts.append(piece)
    return "/".join(parts)


def _dates(date1904: bool) -> Callable[[str, int], object]:
    """The reader of a dated number, as python-calamine reads it; the same serials repeat
    (dates of birth, of admission): a bounded cache of their values."""
    cache: dict[tuple[str, int], object] = {}

    def to_date(raw: str, kind: int) -> object:
        key = (raw, kind)
        found = cache.get(key)
        if found is not None:
            return found
        serial = float(raw)
        value: object
        if kind == DURATION:
            value = timedelta(milliseconds=round(serial * 86_400_000))
        else:
            if date1904:
                serial += _DAYS_1904
            if 60 <= serial < 61:  # 29 February 1900, which Excel counts and never was
                serial -= 1
            if serial < 1:
                seconds, milliseconds = divmod(round(max(serial, 0) * 86_400_000), 1000)
                minutes, second = divmod(seconds, 60)
                hour, minute = divmod(minutes, 60)
                value = time(min(hour, 23), minute, second, milliseconds * 1000)
            else:
                try:
                    moment = (_EARLY_EPOCH if serial < 61 else _EPOCH) + timedelta(
                        milliseconds=round(serial * 86_400_000)
                    )
                except OverflowError:
                    value = float(raw)
                else:
                    value = moment.date() if serial.is_integer() else moment
        if len(cache) > 100_000:
            cache.clear()
        cache[key] = value
        return value

    return to_date


def _iso_date(raw: str) -> object:
    """A cell of type ``d`` (ISO 8601, written by some tools instead of a serial)."""
    moment = datetime.fromisoformat(raw.strip().rstrip("Z"))
    if moment.time() == time() and "T" not in raw:
        return moment.date()
    return moment
