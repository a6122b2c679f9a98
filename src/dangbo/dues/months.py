"""A month as people write it: ``2026-10`` (the API, the command line) or ``10/2026`` (as
Vietnamese forms write it), read to its first day, with the Vietnamese refusal."""

from __future__ import annotations

import re
from datetime import date

MONTH_HELP = "viết dạng YYYY-MM, ví dụ 2026-10, hoặc 10/2026"


class BadMonth(ValueError):
    """Not a month; the message says so in Vietnamese."""


def parse_month(text: str) -> date:
    """``2026-10`` or ``10/2026`` → 1/10/2026."""
    text = (text or "").strip()
    found = re.fullmatch(r"(\d{4})-(\d{1,2})", text) or re.fullmatch(r"(\d{1,2})/(\d{4})", text)
    if found:
        a, b = found.groups()
        year, month = (int(a), int(b)) if len(a) == 4 else (int(b), int(a))
        if 1 <= month <= 12 and 1900 <= year <= 2999:
            return date(year, month, 1)
    raise BadMonth(f"Tháng không hợp lệ: «{text}» ({MONTH_HELP}).")
