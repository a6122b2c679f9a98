"""Dates and numbers as Vietnamese readers write them: 31/12/2024, 1.234,5."""

from __future__ import annotations

from datetime import date, datetime


def format_date(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def format_datetime(value: datetime | None) -> str:
    """An instant as the installation's clock reads it (settings.TIME_ZONE): 31/12/2024 14:05."""
    from django.utils import timezone

    return timezone.localtime(value).strftime("%d/%m/%Y %H:%M") if value else ""


def parse_date(text: str) -> date:
    """Accept dd/mm/yyyy (what people type) and yyyy-mm-dd (what programs send)."""
    text = text.strip()
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, pattern).date()  # noqa: DTZ007  (a calendar date, no instant)
        except ValueError:
            continue
    raise ValueError(f"Ngày không hợp lệ: «{text}» (nhập theo dạng ngày/tháng/năm, ví dụ 31/12/2024).")


def format_number(value: float | int, decimals: int = 0) -> str:
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def format_percent(value: float, decimals: int = 1) -> str:
    return format_number(value * 100, decimals) + " %"


_DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
_SCALES = ("", "nghìn", "triệu")  # then tỷ, and the three again before it


def _three(n: int, *, leading: bool) -> list[str]:
    """A group of three digits read as Vietnamese does; ``leading``: the first group, whose
    zero hundreds and tens are not said («năm nghìn», but «một triệu không trăm linh năm nghìn»)."""
    hundreds, tens, units = n // 100, n // 10 % 10, n % 10
    words: list[str] = []
    if hundreds or not leading:
        words += [_DIGITS[hundreds], "trăm"]
    if tens == 0:
        if units and words:
            words.append("linh")
    elif tens == 1:
        words.append("mười")
    else:
        words += [_DIGITS[tens], "mươi"]
    if units:
        if units == 1 and tens >= 2:
            words.append("mốt")
        elif units == 5 and tens >= 1:
            words.append("lăm")
        else:
            words.append(_DIGITS[units])
    return words


def amount_in_words(amount: int) -> str:
    """An amount of đồng in words, as a receipt writes it («Tám mươi nghìn đồng»): groups of
    three digits read with nghìn, triệu, tỷ (and tỷ again above a thousand tỷ)."""
    if amount == 0:
        return "Không đồng"
    sign, amount = ("âm ", -amount) if amount < 0 else ("", amount)
    groups: list[int] = []
    while amount:
        groups.append(amount % 1000)
        amount //= 1000
    words: list[str] = []
    top = len(groups) - 1
    for index in range(top, -1, -1):
        group = groups[index]
        if group == 0:
            # a whole tỷ group of zeros still says «tỷ» when something of higher order was said
            if index % 3 == 0 and index and words and words[-1] != "tỷ":
                words.append("tỷ")
            continue
        words += _three(group, leading=index == top)
        scale = _SCALES[index % 3] if index % 3 else ("tỷ" if index else "")
        if scale:
            words.append(scale)
    text = sign + " ".join(words) + " đồng"
    return text[0].upper() + text[1:]
