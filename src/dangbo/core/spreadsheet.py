"""Writing cells that a spreadsheet will open: text that starts like a formula is made inert.

A value such as ``=HYPERLINK(...)`` or ``+1+1`` typed into a name or address field would run
as a formula when an exported CSV is opened in Excel (CSV injection). Such values are
written with a leading apostrophe, which Excel shows as text and does not evaluate.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def neutralize(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
