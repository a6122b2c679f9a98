"""Files as offices keep them, built for the import tests: the member list book 7-HSĐV (title
rows, a two-row header with merged cells, a row of column numbers), flat CSVs."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

import xlsxwriter

BOOK_HEADER = [
    # (group over the column or None, the column's own header)
    (None, "STT"),
    (None, "Họ và tên"),
    (None, "Ngày sinh"),
    (None, "Giới tính, dân tộc, tôn giáo"),
    ("Ngày vào Đảng", "Dự bị"),
    ("Ngày vào Đảng", "Chính thức"),
    ("Số", "Thẻ đảng viên"),
    ("Số", "Lý lịch"),
    (None, "Số CCCD"),
    (None, "Chi bộ"),
    (None, "Thôn, tổ dân phố"),
    (None, "Ghi chú"),
]


def member_book(rows: list[list], *, title: str = "SỔ DANH SÁCH ĐẢNG VIÊN") -> bytes:
    """A 7-HSĐV-like book: title on row 1, the header on rows 3–4 (merged groups), column
    numbers on row 5, the members from row 6. ``rows`` follow ``BOOK_HEADER`` without STT;
    a ``date``/``datetime`` is written as an Excel date, a float as a number."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet("Sổ đảng viên")
    dates = book.add_format({"num_format": "dd/mm/yyyy"})
    sheet.write(0, 0, title)
    sheet.write(1, 0, "Đảng bộ xã Một")
    col = 0
    while col < len(BOOK_HEADER):
        group, header = BOOK_HEADER[col]
        if group is None:
            sheet.merge_range(2, col, 3, col, header)
            col += 1
            continue
        span = [i for i in range(col, len(BOOK_HEADER)) if BOOK_HEADER[i][0] == group]
        sheet.merge_range(2, span[0], 2, span[-1], group)
        for i in span:
            sheet.write(3, i, BOOK_HEADER[i][1])
        col = span[-1] + 1
    for col in range(len(BOOK_HEADER)):
        sheet.write_number(4, col, col + 1)
    for number, values in enumerate(rows, start=1):
        line = 4 + number
        sheet.write_number(line, 0, number)
        for col, value in enumerate(values, start=1):
            if isinstance(value, (date, datetime)):
                sheet.write_datetime(line, col, value, dates)
            elif isinstance(value, (int, float)):
                sheet.write_number(line, col, value)
            elif value not in (None, ""):
                sheet.write_string(line, col, value)
    for blank in range(5 + len(rows), 5 + len(rows) + 30):  # formatted, empty rows at the end
        sheet.write_blank(blank, 1, None, dates)
    book.close()
    return out.getvalue()


def csv_bytes(header: list[str], rows: list[list], *, encoding: str = "utf-8-sig") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)
