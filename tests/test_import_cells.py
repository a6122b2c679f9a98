"""Cells of an office's spreadsheet read as register values, or refused with a message that
names the value. No database: these are pure functions."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from dangbo.imports.cells import (
    CellError,
    excel_serial,
    header_key,
    parse_date,
    parse_digits,
    parse_gender,
    parse_history_number,
    parse_text,
)
from dangbo.members.models import Gender

TODAY = date(2026, 12, 5)


def naive(*parts: int) -> datetime:
    """A datetime without zone, as python-calamine returns a date-formatted cell."""
    return datetime(*parts)  # noqa: DTZ001


def test_cell_error_is_a_value_error():
    assert issubclass(CellError, ValueError)


# --- dates --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("", None),
        ("   ", None),
        (date(1990, 3, 5), date(1990, 3, 5)),
        (naive(1990, 3, 5, 0, 0), date(1990, 3, 5)),
        (naive(1990, 3, 5, 14, 30), date(1990, 3, 5)),
        # Excel serials (1900 date system)
        (1, date(1900, 1, 1)),
        (59, date(1900, 2, 28)),
        (61, date(1900, 3, 1)),
        (32874, date(1990, 1, 1)),
        (32874.0, date(1990, 1, 1)),
        (32874.75, date(1990, 1, 1)),  # the fraction is the time of day
        (45658, date(2025, 1, 1)),
        (46361, TODAY),
        ("32874", date(1990, 1, 1)),
        ("32874.0", date(1990, 1, 1)),
        # text in Vietnamese order
        ("05/03/1990", date(1990, 3, 5)),
        ("5/3/1990", date(1990, 3, 5)),
        (" 05/03/1990 ", date(1990, 3, 5)),
        ("05-03-1990", date(1990, 3, 5)),
        ("05.03.1990", date(1990, 3, 5)),
        ("5/3/90", date(1990, 3, 5)),
        ("5/3/27", date(1927, 3, 5)),  # 27 > 26 (this year): last century
        ("5/3/26", date(2026, 3, 5)),
        ("1/1/00", date(2000, 1, 1)),
        ("12/11/1990", date(1990, 11, 12)),  # both ≤ 12: day first, as written in Vietnam
        ("29/02/2000", date(2000, 2, 29)),
        ("1990-03-05", date(1990, 3, 5)),
        ("1990-03-05 00:00:00", date(1990, 3, 5)),
        ("1990-03-05T00:00:00", date(1990, 3, 5)),
        ("ngày 5 tháng 3 năm 1990", date(1990, 3, 5)),
        ("Ngày 05 tháng 03 năm 1990", date(1990, 3, 5)),
        ("ngay 5 thang 3 nam 1990", date(1990, 3, 5)),
        ("NGÀY 5 THÁNG 3 NĂM 1990", date(1990, 3, 5)),
        ("ngày 05 tháng 03, năm 1990", date(1990, 3, 5)),
        ("5 tháng 3 năm 1990", date(1990, 3, 5)),
        ("05/12/2026", TODAY),
    ],
)
def test_dates_are_read(value, expected):
    assert parse_date(value, today=TODAY) == expected


def test_excel_serial_is_the_inverse_of_the_reading():
    for day in (date(1900, 1, 1), date(1900, 2, 28), date(1900, 3, 1), date(1945, 9, 2), TODAY):
        assert parse_date(excel_serial(day), today=TODAY) == day
    assert excel_serial(date(1990, 1, 1)) == 32874


@pytest.mark.parametrize(
    ("value", "shown", "says"),
    [
        ("31/02/1990", "31/02/1990", "không có thật"),
        ("29/02/1990", "29/02/1990", "không có thật"),
        ("00/03/1990", "00/03/1990", "không có thật"),
        ("32/13/1990", "32/13/1990", "không có thật"),
        ("1990-02-30", "1990-02-30", "không có thật"),
        ("ngày 31 tháng 4 năm 1990", "ngày 31 tháng 4 năm 1990", "không có thật"),
        (60, "60", "29/02/1900"),
        ("03/25/1990", "03/25/1990", "ngày/tháng/năm"),
        ("12/31/1989", "12/31/1989", "ngày/tháng/năm"),
        ("03/1990", "03/1990", "chỉ có tháng và năm"),
        ("3/1990", "3/1990", "chỉ có tháng và năm"),
        ("03-1990", "03-1990", "chỉ có tháng và năm"),
        ("1990", "1990", "chỉ có năm"),
        (1990, "1990", "chỉ có năm"),
        (1990.0, "1990", "chỉ có năm"),
        (0, "0", "từ 1"),
        (46362, "46362", "từ 1"),
        (999999, "999999", "từ 1"),
        ("999999", "999999", "từ 1"),
        (-5, "-5", "không phải là một ngày"),
        (float("nan"), "nan", "không phải là một ngày"),
        ("06/12/2026", "06/12/2026", "sau ngày hôm nay"),
        ("05/03/2030", "05/03/2030", "sau ngày hôm nay"),
        (date(2027, 1, 1), "01/01/2027", "sau ngày hôm nay"),
        (naive(2026, 12, 6, 8, 0), "06/12/2026", "sau ngày hôm nay"),
        ("abc", "abc", "Không đọc được"),
        ("05/03/19900", "05/03/19900", "Không đọc được"),
        ("05/03-1990", "05/03-1990", "Không đọc được"),
        ("tháng 3 năm 1990", "tháng 3 năm 1990", "Không đọc được"),
        (True, "True", "đúng/sai"),
    ],
)
def test_bad_dates_are_refused_with_their_value(value, shown, says):
    with pytest.raises(CellError) as refused:
        parse_date(value, today=TODAY)
    message = str(refused.value)
    assert f"«{shown}»" in message
    assert says in message


def test_month_first_is_explained_with_the_vietnamese_order():
    with pytest.raises(CellError, match="theo thứ tự ngày/tháng/năm, ví dụ 25/03/1990"):
        parse_date("03/25/1990", today=TODAY)


def test_the_impossible_date_message_is_the_plain_one():
    with pytest.raises(CellError) as refused:
        parse_date("31/02/1990", today=TODAY)
    assert str(refused.value) == "Ngày «31/02/1990» không có thật."


def test_two_digit_years_follow_today():
    # on 5/12/2026, "26" is this century and "27" the last
    assert parse_date("1/1/26", today=TODAY).year == 2026
    assert parse_date("1/1/27", today=TODAY).year == 1927
    assert parse_date("1/1/27", today=date(2027, 6, 1)).year == 2027


# --- digits -------------------------------------------------------------------------------

ID = (9, 12)


@pytest.mark.parametrize(
    ("value", "widths", "expected"),
    [
        (None, ID, ""),
        ("", ID, ""),
        (123456789, ID, "123456789"),
        (12345678, ID, "012345678"),
        (12345678.0, ID, "012345678"),
        (1234567890, ID, "001234567890"),
        (12345678901, ID, "012345678901"),
        (1234567890.0, ID, "001234567890"),
        (123456789012, ID, "123456789012"),
        (123456789012.0, ID, "123456789012"),
        ("001234567890", ID, "001234567890"),
        ("'001234567890", ID, "001234567890"),
        ("’001234567890", ID, "001234567890"),
        ("001 234 567 890", ID, "001234567890"),
        ("001.234.567.890", ID, "001234567890"),
        ("001-234-567-890", ID, "001234567890"),
        ("12345678.0", ID, "012345678"),
        ("  12345678  ", ID, "012345678"),
        ("\u00a0012345678", ID, "012345678"),
        ("１２３４５６７８９", ID, "123456789"),  # full-width digits from some keyboards
        (1, ID, "000000001"),
        (1234, (8,), "00001234"),
        (12345678, (8,), "12345678"),
    ],
)
def test_digits_are_read_and_leading_zeros_restored(value, widths, expected):
    assert parse_digits(value, widths=widths, label="Số CCCD") == expected


@pytest.mark.parametrize(
    ("value", "shown", "says"),
    [
        (1234567890123, "1234567890123", "có 13 chữ số, nhiều hơn 12"),
        ("0012345678901", "0012345678901", "có 13 chữ số, nhiều hơn 12"),
        (1e16, "1e+16", "có 17 chữ số"),
        ("1,23457E+11", "1,23457E+11", "định dạng cột này là Văn bản (Text)"),
        ("1.23457E+11", "1.23457E+11", "định dạng cột này là Văn bản (Text)"),
        ("1.23457e+11", "1.23457e+11", "gõ lại các số"),
        (1e15 + 0.5, "1000000000000000.5", "định dạng cột này là Văn bản (Text)"),
        (12345.6, "12345.6", "phần thập phân"),
        ("12A45678", "12A45678", "không phải chữ số"),
        ("CCCD 001234567890", "CCCD 001234567890", "không phải chữ số"),
        ("12/34", "12/34", "không phải chữ số"),
        (-12345678, "-12345678", "không phải là một dãy chữ số"),
        (True, "True", "không phải là một dãy chữ số"),
        (date(1990, 3, 5), "05/03/1990", "không phải là một dãy chữ số"),
        (float("inf"), "inf", "không phải là một dãy chữ số"),
    ],
)
def test_bad_digits_are_refused_with_their_value(value, shown, says):
    with pytest.raises(CellError) as refused:
        parse_digits(value, widths=ID, label="Số CCCD")
    message = str(refused.value)
    assert message.startswith("Số CCCD «")
    assert f"«{shown}»" in message
    assert says in message


def test_scientific_notation_tells_the_office_what_to_do():
    with pytest.raises(CellError) as refused:
        parse_digits("1,23457E+11", widths=ID, label="Số thẻ đảng viên")
    assert str(refused.value) == (
        "Số thẻ đảng viên «1,23457E+11» đã bị Excel đổi sang dạng số mũ và mất chữ số. "
        "Hãy định dạng cột này là Văn bản (Text) trong Excel rồi gõ lại các số."
    )


def test_widths_need_not_be_sorted():
    assert parse_digits(12345678, widths=(12, 9), label="Số CCCD") == "012345678"


# --- history number -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ""),
        ("", ""),
        ("012345LC", "012345LC"),
        ("012345-LC", "012345LC"),
        ("012345 LC", "012345LC"),
        ("012345/LC", "012345LC"),
        ("012345.LC", "012345LC"),
        ("12345 LC", "012345LC"),
        ("12345LC", "012345LC"),
        ("012345lc", "012345LC"),
        ("012345-lc", "012345LC"),
        (" 012345 - LC ", "012345LC"),
        ("123456HN", "123456HN"),
        ("012345HCM", "012345HCM"),
        ("012345T", "012345T"),
        ("012345Đ", "012345D"),
    ],
)
def test_history_numbers_are_normalised(value, expected):
    assert parse_history_number(value) == expected


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("012345", "012345"),
        (12345, "12345"),
        (12345.0, "12345"),
        ("0123456LC", "0123456LC"),
        ("012345ABCD", "012345ABCD"),
        ("LC012345", "LC012345"),
        ("LC", "LC"),
        ("012 345 LC 1", "012 345 LC 1"),
        ("số 012345LC", "số 012345LC"),
        ("01234#LC", "01234#LC"),
    ],
)
def test_bad_history_numbers_are_refused_with_their_value(value, shown):
    with pytest.raises(CellError) as refused:
        parse_history_number(value)
    assert f"Số lý lịch «{shown}» không đúng dạng" in str(refused.value)


# --- gender -------------------------------------------------------------------------------


def test_the_codes_are_the_members_gender_codes():
    assert {Gender.MALE.value, Gender.FEMALE.value} == {"M", "F"}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Nam", "M"),
        ("nam", "M"),
        ("NAM", "M"),
        (" Nam ", "M"),
        ("Nam giới", "M"),
        ("M", "M"),
        ("m", "M"),
        ("Male", "M"),
        ("Nữ", "F"),
        ("nữ", "F"),
        ("NỮ", "F"),
        ("nu", "F"),
        ("Nu", "F"),
        ("Nữ.", "F"),
        ("Nữ giới", "F"),
        ("Nu\u0303", "F"),  # NFD from some keyboards
        ("F", "F"),
        ("f", "F"),
        ("Female", "F"),
        (None, ""),
        ("", ""),
    ],
)
def test_genders_are_read(value, expected):
    assert parse_gender(value) == expected


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("x", "x"),
        ("X", "X"),
        ("1", "1"),
        (1, "1"),
        (0.0, "0"),
        ("N", "N"),
        ("Nam/Nữ", "Nam/Nữ"),
        ("khác", "khác"),
    ],
)
def test_unclear_genders_are_refused_with_their_value(value, shown):
    with pytest.raises(CellError) as refused:
        parse_gender(value)
    assert str(refused.value) == f"Giới tính «{shown}» không rõ; hãy ghi «Nam» hoặc «Nữ»."


# --- text ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ""),
        ("", ""),
        ("  Nguyễn   Văn  Đức ", "Nguyễn Văn Đức"),
        ("Nguye\u0302\u0303n", "Nguyễn"),
        ("Thôn\nBản Lầu", "Thôn Bản Lầu"),
        ("\u00a0Kinh\u00a0", "Kinh"),
        (12.0, "12"),
        (12, "12"),
        (12.5, "12.5"),
        (0.0, "0"),
        (date(1990, 3, 5), "05/03/1990"),
        (naive(1990, 3, 5, 8, 0), "05/03/1990"),
    ],
)
def test_text_is_cleaned(value, expected):
    assert parse_text(value) == expected


# --- headings -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Ngày vào\nĐảng", "ngay vao dang"),
        ("SỐ THẺ Đ.V", "so the dv"),
        ("Số thẻ ĐV", "so the dv"),
        ("  Họ và tên  ", "ho va ten"),
        ("Họ và tên (khai sinh)", "ho va ten khai sinh"),
        ("Ngày, tháng, năm sinh", "ngay thang nam sinh"),
        ("Ngày/tháng/năm sinh", "ngay thang nam sinh"),
        ("Số CCCD/CMND", "so cccd cmnd"),
        ("Số lý lịch-ĐV", "so ly lich dv"),
        ("STT", "stt"),
        ("Ngày\r\nvào Đảng\r\n(chính thức)", "ngay vao dang chinh thuc"),
        ("Ngày vào Đảng:", "ngay vao dang"),
        ("Ngay vao Dang", "ngay vao dang"),
        ("Nơi ở hiện nay *", "noi o hien nay"),
        ("Dân tộc", "dan toc"),
        ("", ""),
    ],
)
def test_header_keys(title, expected):
    assert header_key(title) == expected


def test_header_keys_match_whatever_the_accents_and_case():
    assert header_key("NGÀY VÀO ĐẢNG") == header_key("Ngày vào Đảng") == header_key("ngay vao dang")
