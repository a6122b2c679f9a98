"""Checks of identity numbers: the 12-digit citizen identity number and the party card.

Citizen identity number (số định danh cá nhân, on the CCCD card), Thông tư
07/2016/TT-BCA Điều 7 and Thông tư 59/2021/TT-BCA Điều 12:

* digits 1–3: code of the province where the birth was registered (63 codes);
* digit 4: sex and century of birth — 0/1 male/female born 1900–1999,
  2/3 born 2000–2099, 4/5 2100–2199, 6/7 2200–2299, 8/9 2300–2399;
* digits 5–6: last two digits of the year of birth;
* digits 7–12: a random serial.

Party card number (số thẻ đảng viên): 8 digits (RULES.md §8, [S101]).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from dangbo.reference.loader import read_list

NATIONAL_ID_RE = re.compile(r"^\d{12}$")
CARD_NUMBER_RE = re.compile(r"^\d{8}$")
HISTORY_NUMBER_RE = re.compile(r"^\d{6}[A-Z]{1,3}$")
HISTORY_NUMBER_CITATION = (
    "Hướng dẫn khai phiếu đảng viên (mẫu 2-HSĐV): số lý lịch gồm 6 chữ số và mã 1–3 chữ của "
    "đảng bộ tỉnh, thành phố (9 ô)"
)

NATIONAL_ID_CITATION = "Thông tư 07/2016/TT-BCA, Điều 7; Thông tư 59/2021/TT-BCA, Điều 12"
CARD_NUMBER_CITATION = "Hướng dẫn khai phiếu đảng viên (mẫu 2-HSĐV): số thẻ đảng viên gồm 8 chữ số"


@dataclass(frozen=True)
class IdentityProblem:
    field: str
    message: str
    citation: str


def birth_province_codes() -> frozenset[str]:
    return read_list("provinces_2016.csv").codes


def normalize_digits(value: str | None) -> str:
    """Strip spaces, dots and dashes people type inside numbers."""
    return re.sub(r"[\s.\-]", "", value or "")


def check_national_id(
    value: str, *, gender: str | None = None, birth_date: date | None = None
) -> list[IdentityProblem]:
    """Problems with a citizen identity number, cross-checked with sex and birth year."""
    problems: list[IdentityProblem] = []

    def problem(message: str) -> None:
        problems.append(IdentityProblem("national_id", message, NATIONAL_ID_CITATION))

    if not NATIONAL_ID_RE.match(value):
        problem(f"Số định danh cá nhân phải gồm đúng 12 chữ số (đã nhập {len(value)} ký tự: «{value}»).")
        return problems
    if value[:3] not in birth_province_codes():
        problem(f"Ba chữ số đầu «{value[:3]}» không phải mã tỉnh, thành phố nơi đăng ký khai sinh.")
    century_digit = int(value[3])
    century_start = 1900 + 100 * (century_digit // 2)
    coded_female = century_digit % 2 == 1
    coded_year = century_start + int(value[4:6])
    if gender in ("M", "F") and coded_female != (gender == "F"):
        problem("Chữ số thứ tư của số định danh không khớp với giới tính đã khai.")
    if birth_date is not None and coded_year != birth_date.year:
        problem(
            f"Chữ số thứ 4–6 của số định danh cho năm sinh {coded_year}, "
            f"không khớp với năm sinh đã khai ({birth_date.year})."
        )
    return problems


def check_card_number(value: str) -> list[IdentityProblem]:
    if CARD_NUMBER_RE.match(value):
        return []
    return [
        IdentityProblem(
            "card_number",
            f"Số thẻ đảng viên phải gồm đúng 8 chữ số (đã nhập {len(value)} ký tự: «{value}»).",
            CARD_NUMBER_CITATION,
        )
    ]


def check_history_number(value: str) -> list[IdentityProblem]:
    if HISTORY_NUMBER_RE.match(value):
        return []
    return [
        IdentityProblem(
            "history_number",
            f"Số lý lịch đảng viên phải gồm 6 chữ số và mã 1–3 chữ của đảng bộ tỉnh (đã nhập «{value}»).",
            HISTORY_NUMBER_CITATION,
        )
    ]


def national_id_prefix(gender: str, birth_date: date, province_code: str) -> str:
    """The first six digits that a person of this sex, birth year and birth province has."""
    century_digit = 2 * ((birth_date.year - 1900) // 100) + (1 if gender == "F" else 0)
    return f"{province_code}{century_digit}{birth_date.year % 100:02d}"


def mask_national_id(value: str | None) -> str:
    """Show only the last three digits: enough to tell two records apart on screen."""
    if not value:
        return ""
    return "•" * (len(value) - 3) + value[-3:]
