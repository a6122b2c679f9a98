"""Dates and numbers as Vietnamese readers write them: 31/12/2024, 1.234,5."""

from __future__ import annotations

from datetime import date, datetime


def format_date(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


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
