"""Reading the books offices keep (issue 22): the header found under title rows, in one row or
two (groups merged over sub-columns), the row of column numbers skipped, blank rows left out,
formulas as their values; CSV in the encodings and delimiters Excel writes; files that are not
spreadsheets, without a header, or beyond the import limits refused in Vietnamese.

No database: ``open_table`` reads settings only.

tests/fixtures/imports/so-dang-vien.xls was made once with xlwt 1.3.0 (installed in a venv,
not a dependency) by tests/fixtures/imports/make_so_dang_vien_xls.py.
"""

from __future__ import annotations

import io
import zipfile
from datetime import date
from pathlib import Path

import pytest
import xlsxwriter

from dangbo.core.uploads import UploadRefused, check_spreadsheet
from dangbo.imports.reading import Column, Table, import_limits, open_table

FIXTURES = Path(__file__).parent / "fixtures" / "imports"
KNOWN = {
    "stt",
    "họ và tên",
    "khai sinh",
    "bí danh",
    "ngày sinh",
    "dự bị",
    "chính thức",
    "quê quán",
    "ghi chú",
}


def score(columns: list[Column]) -> int:
    """As an importer would: how many columns it recognises by their titles."""
    return sum(column.title.lower() in KNOWN for column in columns)


def rows(table: Table) -> list[tuple[int, list[object]]]:
    return list(table.rows)


def _xlsx(build) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    build(book)
    book.close()
    return out.getvalue()


def _member_book(book) -> None:
    """The member list book 7-HSĐV, shortened: title rows, a header of two rows merged, the row
    of column numbers, formulas, blank rows in the middle and formatted empty rows at the end."""
    sheet = book.add_worksheet("DSĐV")
    bold = book.add_format({"bold": True, "border": 1})
    day = book.add_format({"num_format": "dd/mm/yyyy"})
    sheet.merge_range("A1:G1", "ĐẢNG BỘ XÃ AN BÌNH", bold)
    sheet.merge_range("A2:G2", "SỔ DANH SÁCH ĐẢNG VIÊN", bold)
    sheet.merge_range("A4:A5", "STT", bold)
    sheet.merge_range("B4:C4", "Họ và tên", bold)
    sheet.write("B5", "Khai sinh", bold)
    sheet.write("C5", "Bí danh", bold)
    sheet.merge_range("D4:D5", "Ngày\nsinh", bold)
    sheet.merge_range("E4:F4", "Ngày vào Đảng", bold)
    sheet.write("E5", "Dự bị", bold)
    sheet.write("F5", "Chính thức", bold)
    sheet.merge_range("G4:G5", "Ghi chú", bold)
    for column in range(7):
        sheet.write_number(5, column, column + 1, bold)
    sheet.write_number("A7", 1)
    sheet.write("B7", "Nguyễn Văn An")
    sheet.write_datetime("D7", date(1980, 1, 2), day)
    sheet.write_datetime("E7", date(2005, 3, 4), day)
    sheet.write_datetime("F7", date(2006, 3, 4), day)
    sheet.write("G7", "  ")  # spaces only: an empty cell
    sheet.write_formula("A9", "=A7+1", None, 2)
    sheet.write("B9", "Trần Thị Bình")
    sheet.write("C9", "Bình")
    sheet.write_formula("G9", '=C9&" (bí danh)"', None, "Bình (bí danh)")
    sheet.write_formula("A10", "=A9+1", None, 3)
    sheet.write("B10", "Lê Văn Cường")
    sheet.write_boolean("H10", True)  # beyond the header: trimmed
    for row in range(10, 2000):  # formatted, empty
        sheet.write_blank(row, 0, None, bold)
        sheet.write_blank(row, 6, None, bold)


def test_the_member_book_header_in_two_rows_under_titles_with_numbers_and_formulas():
    table = open_table(_xlsx(_member_book), "so-dang-vien.xlsx", score=score)
    assert (table.sheet, table.header_row, table.encoding) == ("DSĐV", 4, "xlsx")
    assert table.columns == [
        Column(0, "STT", ""),
        Column(1, "Khai sinh", "Họ và tên"),
        Column(2, "Bí danh", "Họ và tên"),
        Column(3, "Ngày sinh", ""),
        Column(4, "Dự bị", "Ngày vào Đảng"),
        Column(5, "Chính thức", "Ngày vào Đảng"),
        Column(6, "Ghi chú", ""),
    ]
    assert rows(table) == [
        (7, [1.0, "Nguyễn Văn An", None, date(1980, 1, 2), date(2005, 3, 4), date(2006, 3, 4), None]),
        (9, [2.0, "Trần Thị Bình", "Bình", None, None, None, "Bình (bí danh)"]),
        (10, [3.0, "Lê Văn Cường", None, None, None, None, None]),
    ]


def test_a_single_row_header_under_a_merged_title_has_no_group_and_keeps_a_first_row_of_numbers():
    def build(book):
        sheet = book.add_worksheet("Trang 1")
        sheet.merge_range("B2:D2", "DANH SÁCH")
        sheet.write_row("B3", ["STT", "Họ và tên", "Quê quán"])
        sheet.write_row("B4", [1, 2, 3])  # the first member: numbers only would be a number row
        sheet.write_row("B5", [2, "Phạm Thị Dung", "Hà Tĩnh"])

    table = open_table(_xlsx(build), "a.xlsx", score=score)
    assert table.header_row == 3
    assert table.columns == [Column(1, "STT", ""), Column(2, "Họ và tên", ""), Column(3, "Quê quán", "")]
    assert rows(table) == [(5, [None, 2.0, "Phạm Thị Dung", "Hà Tĩnh"])]

    def build_plain(book):
        sheet = book.add_worksheet()
        sheet.write_row("A1", ["STT", "Họ và tên"])
        sheet.write_row("A2", [1, "An"])

    table = open_table(_xlsx(build_plain), "a.xlsx", score=score)
    assert table.header_row == 1 and rows(table) == [(2, [1.0, "An"])]


def test_the_first_sheet_with_a_header_is_taken_or_the_one_named():
    def build(book):
        book.add_worksheet("Hướng dẫn").write("A1", "Điền danh sách ở trang sau")
        book.add_worksheet("Danh sách").write_row("A3", ["STT", "Họ và tên", "Ngày sinh"])
        book.worksheets()[1].write_row("A4", [1, "An", "02/01/1980"])

    data = _xlsx(build)
    table = open_table(data, "a.xlsx", score=score)
    assert (table.sheet, table.header_row) == ("Danh sách", 3)
    assert rows(table) == [(4, [1.0, "An", "02/01/1980"])]
    assert open_table(data, "a.xlsx", score=score, sheet="danh sách").sheet == "Danh sách"
    with pytest.raises(UploadRefused, match=r"Không tìm thấy dòng tiêu đề cột.*«Hướng dẫn».*Điền danh sách"):
        open_table(data, "a.xlsx", score=score, sheet="Hướng dẫn")
    with pytest.raises(
        UploadRefused, match=r"không có trang tính «Khác»; các trang tính: «Hướng dẫn», «Danh sách»"
    ):
        open_table(data, "a.xlsx", score=score, sheet="Khác")


def test_no_header_anywhere_says_what_was_read():
    def build(book):
        book.add_worksheet("A").write_row("A1", ["Mã", "Tên"])
        book.add_worksheet("B")

    with pytest.raises(UploadRefused) as refused:
        open_table(_xlsx(build), "a.xlsx", score=score)
    message = str(refused.value)
    assert message.startswith("Không tìm thấy dòng tiêu đề cột")
    assert "trang «A» — dòng 1: «Mã», «Tên»" in message and "trang «B» — trống" in message


def test_an_xls_read_with_its_merged_header_from_column_b():
    table = open_table(FIXTURES / "so-dang-vien.xls", "so-dang-vien.xls", score=score)
    assert (table.sheet, table.header_row, table.encoding) == ("Danh sach", 3, "xls")
    assert [(c.index, c.title, c.group) for c in table.columns] == [
        (1, "STT", ""),
        (2, "Khai sinh", "Họ và tên"),
        (3, "Bí danh", "Họ và tên"),
        (4, "Ngày sinh", ""),
        (5, "Dự bị", "Ngày vào Đảng"),
        (6, "Chính thức", "Ngày vào Đảng"),
    ]
    assert rows(table) == [  # the row "(1) (2) … (6)" skipped
        (6, [None, 1, "Nguyễn Văn An", None, date(1980, 1, 2), date(2005, 3, 4), date(2006, 3, 4)]),
        (8, [None, 2, "Trần Thị Bình", "Bình", date(1990, 12, 31), None, None]),
    ]
    # the same from bytes
    data = (FIXTURES / "so-dang-vien.xls").read_bytes()
    assert len(rows(open_table(data, "x.xls", score=score))) == 2


ODS_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
)


def _ods(table: list[list[object]], trailing: int = 0, raw: str = "") -> bytes:
    """A minimal OpenDocument spreadsheet, as LibreOffice writes its parts, with ``trailing``
    empty rows written as one repeated row (as LibreOffice does for formatted rows)."""

    def cell(value: object) -> str:
        if value is None:
            return "<table:table-cell/>"
        if isinstance(value, int):
            return (
                f'<table:table-cell office:value-type="float" office:value="{value}">'
                f"<text:p>{value}</text:p></table:table-cell>"
            )
        return f'<table:table-cell office:value-type="string"><text:p>{value}</text:p></table:table-cell>'

    body = "".join("<table:table-row>" + "".join(map(cell, row)) + "</table:table-row>" for row in table)
    if trailing:
        body += (
            f'<table:table-row table:number-rows-repeated="{trailing}">'
            '<table:table-cell table:number-columns-repeated="1024"/></table:table-row>'
        )
    body += raw
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ODS_NS} office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="DS">{body}</table:table>'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED)
        book.writestr(
            "META-INF/manifest.xml",
            '<?xml version="1.0"?><manifest:manifest '
            'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry '
            'manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
            "</manifest:manifest>",
        )
        book.writestr("content.xml", content)
    return out.getvalue()


def test_an_ods_with_a_two_row_header_carries_groups_over_blank_cells():
    data = _ods(
        [
            ["SỔ DANH SÁCH ĐẢNG VIÊN"],
            [],
            ["STT", "Họ và tên", None, "Quê quán"],
            [None, "Khai sinh", "Bí danh", None],
            [1, "An", None, "Nghệ An"],
        ],
        trailing=1_000_000,
    )
    assert check_spreadsheet(data, "a.ods") == "ods"
    table = open_table(data, "a.ods", score=score)
    assert (table.header_row, table.encoding) == (3, "ods")
    assert table.columns == [
        Column(0, "STT", ""),
        Column(1, "Khai sinh", "Họ và tên"),
        Column(2, "Bí danh", "Họ và tên"),
        Column(3, "Quê quán", ""),
    ]
    assert rows(table) == [(5, [1.0, "An", None, "Nghệ An"])]


CSV_TABLE = [
    ["SỔ DANH SÁCH ĐẢNG VIÊN", "", ""],
    ["STT", "Họ và tên", "Quê quán"],
    ["(1)", "(2)", "(3)"],
    ["1", "Nguyễn Văn An", "Thôn 1, xã An Bình"],
    ["", "", ""],
    ["2", "Trần Thị\nBình", "Xóm 2, phường 3, quận 4"],
]


def _csv(delimiter: str, table: list[list[str]] = CSV_TABLE) -> str:
    lines = []
    for row in table:
        lines.append(
            delimiter.join(f'"{cell}"' if "\n" in cell or delimiter in cell else cell for cell in row)
        )
    return "\r\n".join(lines) + "\r\n"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (b"\xef\xbb\xbf" + _csv(";").encode("utf-8"), "utf-8"),  # Excel «CSV UTF-8», Vietnamese locale
        (_csv("\t").encode("utf-16"), "utf-16"),  # Excel «Unicode text»: BOM, tabs
        (_csv(",").encode("utf-8"), "utf-8"),
    ],
)
def test_csv_in_the_encodings_and_delimiters_excel_writes(data, encoding):
    table = open_table(data, "ds.csv", score=score)
    assert (table.sheet, table.header_row, table.encoding) == ("ds", 2, encoding)
    assert table.columns == [Column(0, "STT", ""), Column(1, "Họ và tên", ""), Column(2, "Quê quán", "")]
    assert rows(table) == [
        (4, ["1", "Nguyễn Văn An", "Thôn 1, xã An Bình"]),
        (6, ["2", "Trần Thị\nBình", "Xóm 2, phường 3, quận 4"]),  # a quoted line break: one row
    ]


def test_a_legacy_csv_is_decoded_as_cp1252_byte_for_byte_for_the_conversion_after():
    # TCVN3 «Hä vµ tªn» is bytes cp1252 reads as "Hä vµ tªn"; \x81 is undefined in cp1252
    data = b"STT,H\xe4 v\xb5 t\xaan,Ghi ch\xfa\r\n1,Nguy\xc4n\x81,\r\n"
    table = open_table(data, "cu.csv", score=lambda columns: len(columns) if len(columns) == 3 else 0)
    assert table.encoding == "cp1252"
    assert [column.title for column in table.columns] == ["STT", "Hä vµ tªn", "Ghi chú"]
    assert rows(table) == [(2, ["1", "Nguy\xc4n\x81", None])]


def test_a_csv_from_a_path_is_streamed(tmp_path):
    path = tmp_path / "ds.csv"
    path.write_bytes(_csv(";").encode("utf-8"))
    table = open_table(path, path.name, score=score)
    assert table.encoding == "utf-8" and [number for number, _ in table.rows] == [4, 6]


def test_an_xlsx_from_a_path(tmp_path):
    path = tmp_path / "so.xlsx"
    path.write_bytes(_xlsx(_member_book))
    assert [number for number, _ in open_table(path, "so.xlsx", score=score).rows] == [7, 9, 10]


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\nendobj\n", "so-dang-vien.xlsx"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "anh.csv"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "anh.xls"),
        (b"STT,H\xe4 t\xean\r\n", "danh-sach.pdf"),  # text, but not named .csv
    ],
)
def test_what_is_not_a_spreadsheet_is_refused_whatever_its_name(data, name):
    with pytest.raises(UploadRefused, match="Tệp không phải bảng tính Excel hoặc CSV"):
        open_table(data, name, score=score)


def test_a_zip_that_is_not_a_workbook_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as docx:
        docx.writestr("word/document.xml", "<w:document/>")
    with pytest.raises(UploadRefused, match="không phải bảng tính"):
        open_table(out.getvalue(), "a.xlsx", score=score)


def test_import_limits_come_from_settings(settings):
    settings.DANGBO_IMPORT_MAX_MB = 7
    settings.DANGBO_IMPORT_MAX_UNCOMPRESSED_MB = 8
    settings.DANGBO_IMPORT_MAX_ROWS = 9
    limits = import_limits()
    assert (limits.max_mb, limits.max_uncompressed_mb, limits.max_rows) == (7, 8, 9)


def test_the_import_limits_not_the_upload_ones_apply(settings):
    settings.DANGBO_UPLOAD_MAX_ROWS = 3  # a plan's limit: an import has its own
    assert len(rows(open_table(_xlsx(_member_book), "a.xlsx", score=score))) == 3


def test_rows_beyond_the_limit_are_refused(settings):
    settings.DANGBO_IMPORT_MAX_ROWS = 5
    with pytest.raises(UploadRefused, match="hơn 5 dòng"):
        open_table(_xlsx(_member_book), "a.xlsx", score=score)
    with pytest.raises(UploadRefused, match="quá giới hạn 5 dòng"):
        open_table(_csv(";").encode() * 2, "a.csv", score=score)
    # an .xls is counted while it is read (no rows to count before)
    settings.DANGBO_IMPORT_MAX_ROWS = 6
    with pytest.raises(UploadRefused, match="hơn 6 dòng"):
        rows(open_table(FIXTURES / "so-dang-vien.xls", "a.xls", score=score))


def test_the_csv_rows_are_counted_as_they_are_read(settings, monkeypatch):
    """Records, not lines: counted again by the reader (a quoted field may hold line breaks)."""
    import dangbo.imports.reading as reading

    monkeypatch.setattr(reading, "check_spreadsheet", lambda *args, **kwargs: "csv")
    settings.DANGBO_IMPORT_MAX_ROWS = 5  # 6 records, 7 lines
    with pytest.raises(UploadRefused, match="hơn 5 dòng"):
        rows(open_table(_csv(";").encode(), "a.csv", score=score))
    settings.DANGBO_IMPORT_MAX_ROWS = 6
    assert len(rows(open_table(_csv(";").encode(), "a.csv", score=score))) == 2


def test_a_file_larger_than_the_import_limit_is_refused_before_reading(settings):
    settings.DANGBO_IMPORT_MAX_MB = 1
    data = _csv(";").encode() + b"3;A;B\r\n" * 200_000
    with pytest.raises(UploadRefused, match=r"Tệp lớn 1 MB, quá giới hạn 1 MB|quá giới hạn 1 MB"):
        open_table(data, "a.csv", score=score)


def test_a_workbook_unpacking_beyond_the_import_limit_is_refused(settings):
    settings.DANGBO_IMPORT_MAX_UNCOMPRESSED_MB = 0
    with pytest.raises(UploadRefused, match="khi giải nén lớn"):
        open_table(_xlsx(_member_book), "a.xlsx", score=score)


def test_check_spreadsheet_tells_the_kind_by_content_and_keeps_its_old_answers(settings):
    assert check_spreadsheet(_xlsx(_member_book), "a.bin") == "xlsx"
    assert check_spreadsheet((FIXTURES / "so-dang-vien.xls").read_bytes(), "a.xlsx") == "xls"
    assert check_spreadsheet(FIXTURES / "so-dang-vien.xls", "a.xls", max_mb=1) == "xls"
    with pytest.raises(UploadRefused, match="quá giới hạn 0 MB"):
        check_spreadsheet(FIXTURES / "so-dang-vien.xls", "a.xls", max_mb=0)
    assert check_spreadsheet(b"a;b\n", "a.csv") == "csv"
    assert check_spreadsheet(b"x", "a.txt") is None  # neither named nor made as one: the caller's
    settings.DANGBO_UPLOAD_MAX_ROWS = 2
    with pytest.raises(UploadRefused, match="quá giới hạn 2 dòng"):
        check_spreadsheet(b"a\nb\nc\n", "a.csv")
    assert check_spreadsheet(b"a\nb\nc\n", "a.csv", max_rows=3) == "csv"
    with pytest.raises(UploadRefused, match="hơn 2 dòng"):
        check_spreadsheet(_ods([["a"], ["b"], ["c"]]), "a.ods")


def test_a_workbook_of_two_cells_far_apart_is_read_in_a_stream_without_a_grid():
    """A1 and XFD1048576: 17 billion cells for python-calamine, which aborted the process. The
    .xlsx is now streamed (imports.xlsx_stream): no grid is built, the row limit refuses it;
    cells far to the right are read, then trimmed to the header's width."""

    def build(book):
        sheet = book.add_worksheet()
        sheet.write_row("A1", ["STT", "Họ và tên"])
        sheet.write("XFD1048576", "x")

    data = _xlsx(build)
    assert len(data) < 10_000
    with pytest.raises(UploadRefused, match=r"Trang tính có hơn [0-9.]+ dòng, quá giới hạn"):
        open_table(data, "a.xlsx", score=score)

    def far_right(book):
        sheet = book.add_worksheet()
        sheet.write_row("A1", ["STT", "Họ và tên"])
        sheet.write_row("A2", [1, "An"])
        sheet.write("XFD2", "x")

    assert rows(open_table(_xlsx(far_right), "a.xlsx", score=score)) == [(2, [1.0, "An"])]

    def formatted(book):  # formatted empty cells far away are no data: the file is read
        sheet = book.add_worksheet()
        sheet.write_row("A1", ["STT", "Họ và tên"])
        sheet.write_row("A2", [1, "An"])
        sheet.write_blank("XFD1048576", None, book.add_format({"bold": True}))

    assert rows(open_table(_xlsx(formatted), "a.xlsx", score=score)) == [(2, [1.0, "An"])]


def test_an_xls_of_two_cells_far_apart_is_refused_before_python_calamine_builds_its_grid():
    """tests/fixtures/imports/hai-o-xa-nhau.xls: 6 KB, cells at A1 and IV65536, 1 GB for
    python-calamine; its cell records are read first."""
    with pytest.raises(UploadRefused, match=r"từ dòng 1 đến dòng 65536, qua 256 cột"):
        open_table(FIXTURES / "hai-o-xa-nhau.xls", "a.xls", score=score)
    with pytest.raises(UploadRefused, match="bị hỏng"):
        open_table(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "a.xls", score=score)


def test_an_ods_whose_repeated_cells_make_a_huge_grid_is_refused():
    """One row of 100 cells said repeated a million times: 1 KB, 100 million cells."""
    bomb = _ods(
        [["STT", "Họ và tên"]],
        raw='<table:table-row table:number-rows-repeated="1000000"><table:table-cell '
        'table:number-columns-repeated="100" office:value-type="string"><text:p>x</text:p>'
        "</table:table-cell></table:table-row>",
    )
    assert len(bomb) < 2000
    with pytest.raises(UploadRefused, match=r"từ dòng 1 đến dòng 1000001, qua 100 cột"):
        open_table(bomb, "a.ods", score=score)
    # repeated a few times, as LibreOffice writes identical neighbours: read
    few = _ods(
        [["STT", "Họ và tên"]],
        raw='<table:table-row table:number-rows-repeated="3"><table:table-cell office:value-type="float" '
        'office:value="1"><text:p>1</text:p></table:table-cell><table:table-cell office:value-type="string">'
        "<text:p>An</text:p></table:table-cell></table:table-row>",
    )
    assert rows(open_table(few, "a.ods", score=score)) == [(n, [1.0, "An"]) for n in (2, 3, 4)]
