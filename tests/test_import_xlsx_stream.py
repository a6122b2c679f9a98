""".xlsx/.xlsm read in a stream (imports.xlsx_stream, issue 22): every kind of cell Excel and
xlsxwriter write comes as python-calamine gave it (shared strings with rich text, inline
strings, formulas' cached values, dates of the built-in and custom formats, the 1904 date
system, booleans, errors), rows keep their numbers when blank ones are absent, hidden sheets
come after the visible ones, merged header cells decide the groups; .xlsb is refused.

That memory stays flat is measured by bench/import_read.py, not here. No database.
"""

# cells hold dates and times without a zone, as Excel and python-calamine give them
# ruff: noqa: DTZ001

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
import xlsxwriter

from dangbo.core.uploads import UploadRefused
from dangbo.imports import reading
from dangbo.imports.reading import Column, open_table
from dangbo.imports.xlsx_stream import DATE, DURATION, XlsxBook, column_index, is_date_format

KNOWN = {"stt", "họ và tên", "khai sinh", "bí danh", "ngày sinh", "quê quán", "ghi chú"}


def score(columns: list[Column]) -> int:
    return sum(column.title.lower() in KNOWN for column in columns)


def _xlsx(build, **options) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, **options})
    build(book)
    book.close()
    return out.getvalue()


def _stream(data: bytes, sheet: int = 0) -> list[tuple[int, list[object]]]:
    book = XlsxBook(io.BytesIO(data))
    try:
        return list(book.rows(book.sheets[sheet].part, 1000, lambda: UploadRefused("x")))
    finally:
        book.close()


def _calamine(data: bytes) -> list[tuple[int, list[object]]]:
    """The same sheet read by python-calamine, as imports.reading read every workbook before."""
    _, rows, _ = next(reading._workbook_sheets(data, None, 1000))
    found = []
    for number, cells in rows:
        while cells and cells[-1] is None:
            cells = cells[:-1]
        found.append((number, cells))
    return found


def _every_kind(book) -> None:
    sheet = book.add_worksheet("Các loại ô")
    bold, red = book.add_format({"bold": True}), book.add_format({"color": "red"})
    formats = {
        code: book.add_format({"num_format": code})
        for code in (
            14,
            22,
            46,
            "dd/mm/yyyy",
            "h:mm",
            "dd/mm/yyyy hh:mm:ss",
            "[h]:mm:ss",
            '0.0 "ngày"',
            "[Red]0.00",
        )
    }
    sheet.write("A1", "Văn bản")
    sheet.write_rich_string("B1", "Nguyễn ", bold, "Văn", " ", red, "An")
    sheet.write("C1", "   ")  # spaces only: empty
    sheet.write_number("A2", 42)
    sheet.write_number("B2", 2.5)
    sheet.write_number("C2", -7)
    sheet.write_boolean("D2", True)
    sheet.write_boolean("E2", False)
    sheet.write_formula("A3", "=A2*2", None, 84)
    sheet.write_formula("B3", '=A1&" mới"', None, "Văn bản mới")
    sheet.write_formula("C3", "=1/0", None, "#DIV/0!")
    sheet.write_formula("D3", "=A2>1", None, True)
    sheet.write_formula("E3", '=""', None, "")
    sheet.write_datetime("A4", date(1980, 1, 2), formats[14])
    sheet.write_datetime("B4", datetime(2024, 5, 6, 7, 8, 9), formats[22])
    sheet.write_datetime("C4", date(2005, 3, 4), formats["dd/mm/yyyy"])
    sheet.write_datetime("D4", datetime(2005, 3, 4, 12, 30, 15, 250000), formats["dd/mm/yyyy hh:mm:ss"])
    sheet.write_number("E4", 0.75, formats["h:mm"])
    sheet.write_number("F4", 1.5, formats["[h]:mm:ss"])
    sheet.write_number("G4", 0.25, formats[46])
    sheet.write_number("H4", 3, formats['0.0 "ngày"'])  # a "d" between quotes: a number
    sheet.write_number("I4", 4, formats["[Red]0.00"])  # a "d" between brackets: a number
    sheet.write_number("A5", 59, formats[14])
    sheet.write_number("B5", 60, formats[14])  # Excel's 29 February 1900
    sheet.write_number("C5", 61, formats[14])
    sheet.write("B9", "sau ba dòng trống")
    sheet.write_number("AB12", 1)


def test_every_kind_of_cell_comes_as_python_calamine_gave_it():
    data = _xlsx(_every_kind)
    rows = _stream(data)
    assert rows == _calamine(data)
    assert rows == [
        (1, ["Văn bản", "Nguyễn Văn An"]),
        (2, [42.0, 2.5, -7.0, True, False]),
        (3, [84.0, "Văn bản mới", None, True]),
        (
            4,
            [
                date(1980, 1, 2),
                datetime(2024, 5, 6, 7, 8, 9),
                date(2005, 3, 4),
                datetime(2005, 3, 4, 12, 30, 15, 250000),
                time(18, 0),
                timedelta(days=1, hours=12),
                timedelta(hours=6),
                3.0,
                4.0,
            ],
        ),
        (5, [date(1900, 2, 28), date(1900, 2, 28), date(1900, 3, 1)]),
        (9, [None, "sau ba dòng trống"]),
        (12, [None] * 27 + [1.0]),
    ]


def test_texts_written_inline_read_as_shared_ones(tmp_path):
    """xlsxwriter in constant memory writes every text inline (<is><t>), as other tools do."""
    path = tmp_path / "inline.xlsx"
    book = xlsxwriter.Workbook(path, {"constant_memory": True})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["STT", "Họ và tên", "Ghi chú"])
    sheet.write_row(1, 0, [1, "Nguyễn Văn An", " "])
    sheet.write_rich_string(2, 1, "Trần ", book.add_format({"italic": True}), "Thị Bình")
    book.close()
    data = path.read_bytes()
    assert b't="inlineStr"' in zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml")
    assert _stream(data) == [
        (1, ["STT", "Họ và tên", "Ghi chú"]),
        (2, [1.0, "Nguyễn Văn An"]),
        (3, [None, "Trần Thị Bình"]),
    ]
    table = open_table(path, "inline.xlsx", score=score)
    assert list(table.rows) == [(2, [1.0, "Nguyễn Văn An", None]), (3, [None, "Trần Thị Bình", None])]


def test_the_1904_date_system():
    def build(book):
        sheet = book.add_worksheet()
        day = book.add_format({"num_format": "dd/mm/yyyy"})
        sheet.write_datetime("A1", date(1980, 1, 2), day)
        sheet.write_datetime("B1", datetime(2024, 5, 6, 18, 0), book.add_format({"num_format": 22}))
        sheet.write_number("C1", 0, day)

    data = _xlsx(build, date_1904=True)
    assert b"date1904" in zipfile.ZipFile(io.BytesIO(data)).read("xl/workbook.xml")
    assert _stream(data) == [(1, [date(1980, 1, 2), datetime(2024, 5, 6, 18, 0), date(1904, 1, 1)])]


def test_a_header_found_with_rows_skipping_numbers_and_hidden_sheets_after_visible_ones():
    def build(book):
        hidden = book.add_worksheet("Ẩn")
        hidden.write_row("A1", ["STT", "Họ và tên", "Ngày sinh"])
        hidden.write_row("A2", [9, "Ẩn danh", "x"])
        shown = book.add_worksheet("Danh sách")
        shown.write("A2", "DANH SÁCH")
        shown.write_row("A5", ["STT", "Họ và tên"])
        shown.write_row("A8", [1, "Nguyễn Văn An"])
        shown.write_row("A20", [2, "Trần Thị Bình"])
        shown.activate()
        hidden.hide()

    data = _xlsx(build)
    table = open_table(data, "a.xlsx", score=score)
    assert (table.sheet, table.header_row) == ("Danh sách", 5)
    assert list(table.rows) == [(8, [1.0, "Nguyễn Văn An"]), (20, [2.0, "Trần Thị Bình"])]
    hidden = open_table(data, "a.xlsx", score=score, sheet="ẩn")
    assert (hidden.sheet, list(hidden.rows)) == ("Ẩn", [(2, [9.0, "Ẩn danh", "x"])])
    assert [(sheet.name, sheet.visible) for sheet in XlsxBook(io.BytesIO(data)).sheets] == [
        ("Ẩn", False),
        ("Danh sách", True),
    ]


def test_merged_header_cells_end_a_group_where_the_merge_ends():
    """«Họ và tên» merged over B:C only: «Quê quán» under a blank D4 is no part of it (without
    the merges, a blank cell would be carried)."""

    def build(book):
        sheet = book.add_worksheet()
        sheet.merge_range("A4:A5", "STT")
        sheet.merge_range("B4:C4", "Họ và tên")
        sheet.write_row("B5", ["Khai sinh", "Bí danh", "Quê quán"])
        sheet.write_row("A6", [1, "An", None, "Nghệ An"])

    data = _xlsx(build)
    book = XlsxBook(io.BytesIO(data))
    assert book.merges(book.sheets[0].part) == {3: {0: 0, 1: 2}}
    table = open_table(data, "a.xlsx", score=score)
    assert table.columns == [
        Column(0, "STT", ""),
        Column(1, "Khai sinh", "Họ và tên"),
        Column(2, "Bí danh", "Họ và tên"),
        Column(3, "Quê quán", ""),
    ]
    assert list(table.rows) == [(6, [1.0, "An", None, "Nghệ An"])]


def _rewrite(data: bytes, part: str, change) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as old, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as new:
        for entry in old.infolist():
            content = old.read(entry)
            new.writestr(entry.filename, change(content) if entry.filename == part else content)
    return out.getvalue()


def test_the_header_is_found_without_parsing_the_rows_after_it():
    """As at the upload: a sheet damaged after its header gives its table; reading the rows
    then refuses the file in Vietnamese."""

    def build(book):
        sheet = book.add_worksheet()
        sheet.write_row("A1", ["STT", "Họ và tên"])
        for number in range(2, 100):
            sheet.write_row(number - 1, 0, [number - 1, f"Người {number}"])

    data = _rewrite(
        _xlsx(build),
        "xl/worksheets/sheet1.xml",
        lambda xml: xml.replace(b'<row r="80"', b'<row r="80"><oops'),
    )
    table = open_table(data, "a.xlsx", score=score)
    assert table.header_row == 1
    with pytest.raises(UploadRefused, match="Trang tính bị hỏng, không đọc được"):
        list(table.rows)


def test_rows_with_values_beyond_the_limit_are_refused_formatted_empty_ones_are_not(settings):
    def build(book):
        sheet = book.add_worksheet()
        sheet.write_row("A1", ["STT", "Họ và tên"])
        sheet.write_row("A2", [1, "An"])
        sheet.write_blank("A50", None, book.add_format({"bold": True}))

    settings.DANGBO_IMPORT_MAX_ROWS = 10
    assert len(list(open_table(_xlsx(build), "a.xlsx", score=score).rows)) == 1

    def more(book):
        build(book)
        book.worksheets()[0].write("B11", "Bình")

    with pytest.raises(UploadRefused, match="hơn 10 dòng"):
        list(open_table(_xlsx(more), "a.xlsx", score=score).rows)


def test_an_xlsb_is_refused_with_how_to_save_it_as_xlsx():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as book:
        book.writestr("[Content_Types].xml", "<Types/>")
        book.writestr("xl/workbook.bin", b"\x83\x01\x00")
    with pytest.raises(UploadRefused, match=r"\.xlsb.*Lưu thành.*\.xlsx"):
        open_table(out.getvalue(), "so.xlsb", score=score)


def test_a_damaged_workbook_part_is_refused():
    data = _rewrite(_xlsx(_every_kind), "xl/workbook.xml", lambda xml: xml[:50])
    with pytest.raises(UploadRefused, match="bị hỏng"):
        open_table(data, "a.xlsx", score=score)


def test_date_formats_and_column_letters():
    assert [is_date_format(code) for code in ("dd/mm/yyyy", "h:mm AM/PM", "[h]:mm:ss", "[mm]:ss")] == [
        DATE,
        DATE,
        DURATION,
        DURATION,
    ]
    assert [is_date_format(code) for code in ("0.00", '0 "ngày"', "[Red]#,##0", "General", "0_d", "@")] == [
        0
    ] * 6
    assert is_date_format("#,##0;[Red]dd/mm") == 0  # only the first section counts
    assert [column_index(letters) for letters in ("A", "Z", "AA", "AB", "XFD")] == [0, 25, 26, 27, 16383]


@pytest.mark.parametrize("as_path", [False, True])
def test_the_book_bench_row_shape_reads_as_before(tmp_path, as_path):
    """A member-book row (numbers, texts, a date, blanks) from bytes and from a path."""

    def build(book):
        sheet = book.add_worksheet("DSĐV")
        day = book.add_format({"num_format": "dd/mm/yyyy"})
        sheet.write_row("A1", ["STT", "Họ và tên", "Ngày sinh", "Quê quán"])
        sheet.write_number("A2", 1)
        sheet.write("B2", "Nguyễn Văn An")
        sheet.write_datetime("C2", date(1980, 1, 2), day)
        sheet.write("D2", "Xã An Bình & <Phú Lộc>")

    data = _xlsx(build)
    source: bytes | Path = data
    if as_path:
        source = tmp_path / "a.xlsx"
        source.write_bytes(data)
    table = open_table(source, "a.xlsx", score=score)
    assert list(table.rows) == [(2, [1.0, "Nguyễn Văn An", date(1980, 1, 2), "Xã An Bình & <Phú Lộc>"])]


def test_merged_cells_are_found_across_the_chunks_the_sheet_is_read_in(monkeypatch):
    import dangbo.imports.xlsx_stream as xlsx_stream

    def build(book):
        sheet = book.add_worksheet()
        for row in range(0, 40, 2):
            sheet.merge_range(row, 0, row, 1 + row % 5, f"Nhóm {row}")

    data = _xlsx(build)
    book = XlsxBook(io.BytesIO(data))
    expected = {row: {0: 1 + row % 5} for row in range(0, 40, 2)}
    assert book.merges(book.sheets[0].part) == expected
    for size in (7, 33, 64, 100):  # a <mergeCell ref="…"/> cut anywhere
        monkeypatch.setattr(xlsx_stream, "_CHUNK", size)
        assert book.merges(book.sheets[0].part) == expected


def test_a_large_shared_strings_table_is_kept_packed_and_reads_the_same(monkeypatch):
    """Above LIST_STRINGS the table is packed in blocks; a text cut at a block's edge, an empty
    one and one of spaces only read as from a list."""
    import dangbo.imports.xlsx_stream as xlsx_stream

    def build(book):
        sheet = book.add_worksheet()
        sheet.write_row("A1", ["STT", "Họ và tên"])
        for number in range(1, 40):
            sheet.write_row(
                number, 0, [f"Số {number}", f"Người thứ {number} ở xã Phú Lộc" if number % 7 else "  "]
            )

    data = _xlsx(build)
    as_list = _stream(data)
    monkeypatch.setattr(xlsx_stream, "LIST_STRINGS", 0)
    monkeypatch.setattr(xlsx_stream, "_BLOCK", 5)
    book = XlsxBook(io.BytesIO(data))
    strings = book.strings()
    assert isinstance(strings, xlsx_stream.SharedStrings) and len(strings.blocks) > 5
    assert _stream(data) == as_list
    assert as_list[7] == (8, ["Số 7"]) and as_list[8] == (9, ["Số 8", "Người thứ 8 ở xã Phú Lộc"])
    with pytest.raises(IndexError):
        strings[len(strings)]


def _strings_xml(items: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="http://schemas.openxmlformats.org/'
        f'spreadsheetml/2006/main" count="9" uniqueCount="9">{items}</sst>'
    ).encode()


@pytest.mark.parametrize("chunk", [1024 * 1024, 16])
def test_plain_shared_strings_are_read_without_the_parser_and_the_same(monkeypatch, chunk):
    """A table of plain texts is read by a regular expression: entities, character references,
    line ends, empty items and spaces come as lxml gives them; rich text goes to lxml."""
    import dangbo.imports.xlsx_stream as xlsx_stream

    def build(book):
        book.add_worksheet().write_row("A1", ["a", "b", "c", "d", "e", "f", "g", "h", "i"])

    items = (
        "<si><t>Nguyễn Văn An</t></si><si><t>A &amp; B &lt;c&gt; &quot;d&quot;</t></si>"
        '<si><t xml:space="preserve"> Ph&#7841;m </t></si><si><t>dòng 1\r\ndòng 2</t></si><si><t/></si>'
        "<si><t>   </t></si><si><t>&#x1EA1;</t></si><si><t>x</t></si><si><t>y</t></si>"
    )
    data = _rewrite(_xlsx(build), "xl/sharedStrings.xml", lambda _: _strings_xml(items * 100))  # 20 KB
    monkeypatch.setattr(xlsx_stream, "_CHUNK", chunk)
    book = XlsxBook(io.BytesIO(data))
    simple = book._simple_strings()
    assert simple is not None
    expected = ["Nguyễn Văn An", 'A & B <c> "d"', " Phạm ", "dòng 1\ndòng 2", None, None, "ạ", "x", "y"]
    assert [simple[index] for index in range(len(simple))] == expected * 100
    parsed = book._parsed_strings()
    assert [parsed[index] for index in range(len(parsed))] == expected * 100
    assert _stream(data) == [
        (1, ["Nguyễn Văn An", 'A & B <c> "d"', " Phạm ", "dòng 1\ndòng 2", None, None, "ạ", "x", "y"])
    ]

    rich = items.replace("<si><t>x</t></si>", "<si><r><t>x</t></r><r><rPr><b/></rPr><t>z</t></r></si>")
    data = _rewrite(data, "xl/sharedStrings.xml", lambda _: _strings_xml(items * 50 + rich))
    book = XlsxBook(io.BytesIO(data))
    assert book._simple_strings() is None
    assert book.strings()[450 + 7] == "xz"


def test_sheets_found_by_absolute_or_relative_targets_and_chart_sheets_left_out():
    """Some tools write the relationships' targets from the package's root (/xl/…)."""

    def build(book):
        book.add_worksheet("DS").write_row("A1", ["STT", "Họ và tên"])
        book.worksheets()[0].write_row("A2", [1, "An"])
        chart = book.add_chart({"type": "line"})
        chart.add_series({"values": "=DS!$A$2:$A$2"})
        book.add_chartsheet("Biểu đồ").set_chart(chart)

    data = _rewrite(
        _xlsx(build),
        "xl/_rels/workbook.xml.rels",
        lambda xml: xml.replace(b'Target="worksheets/', b'Target="/xl/worksheets/').replace(
            b'Target="sharedStrings.xml"', b'Target="../xl/./sharedStrings.xml"'
        ),
    )
    book = XlsxBook(io.BytesIO(data))
    assert [(sheet.name, sheet.part) for sheet in book.sheets] == [("DS", "xl/worksheets/sheet1.xml")]
    assert book.strings_part == "xl/sharedStrings.xml"
    assert list(open_table(data, "a.xlsx", score=score).rows) == [(2, [1.0, "An"])]
