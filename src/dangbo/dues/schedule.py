"""The dues rule of a month as it applies here: ``rules.dues`` with the committee's own dated
values (``DuesSetting``) for what RULES.md leaves UNCONFIRMED.

Of a rule version and a setting for the same figure, the one dated later applies: a setting
recorded under QĐ 01-QĐ/TW keeps applying until a later setting, or until a later version of
the rule replaces the figure. Every figure carries whether it is confirmed and where it comes
from, so the pages can say it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from typing import Generic, TypeVar

from dangbo.dues.models import DuesSetting
from dangbo.rules import dues as rules
from dangbo.rules.dues import Category, Rate, Schedule, Shares

_RATE_CODES = {"rate_other": Category.OTHER, "rate_other_elderly": Category.OTHER_ELDERLY}
_SHARE_CODES = {
    "share_cell": "cell",
    "share_grassroots": "grassroots",
    "share_upper": "upper",
    "share_province": "province",
}


T = TypeVar("T", Schedule, Shares)


@dataclass(frozen=True)
class Applied(Generic[T]):
    """A month's schedule or shares, and the citations behind them."""

    value: T
    citation: str
    confirmed: bool
    settings: tuple[str, ...] = ()  # the committee's settings that replaced a figure
    # a short name of what applied (stored on every monthly account, so short): the rule
    # version's date, and the dates of the committee's settings that replaced a figure
    key: str = ""


class Settings:
    """The committee's settings, read once (a small table) and applied to any month."""

    def __init__(self, rows: Iterable[DuesSetting] | None = None):
        if rows is None:
            rows = DuesSetting.objects.order_by("effective_from", "recorded_at")
        self._by_code: dict[str, list[DuesSetting]] = {}
        for row in rows:
            self._by_code.setdefault(row.code, []).append(row)

    def _latest(self, code: str, month: date, after: date) -> DuesSetting | None:
        found = None
        for row in self._by_code.get(code, ()):
            if after <= row.effective_from <= month:
                found = row
        return found

    def schedule(self, month: date) -> Applied[Schedule]:
        version = rules.RATES.at(month)
        schedule: Schedule = version.value
        rates = dict(schedule.rates)
        rounding, used = schedule.rounding, []
        dates: list[date] = []
        for code, category in _RATE_CODES.items():
            row = self._latest(code, month, version.effective_from)
            if row is not None:
                rates[category] = Rate(basis_points=row.value, confirmed=False)
                dates.append(row.effective_from)
                used.append(f"{DuesSetting.CODES[code]}: {row.source} (từ {row.effective_from:%d/%m/%Y})")
        row = self._latest("student_amount", month, version.effective_from)
        if row is not None:
            rates[Category.STUDENT] = Rate(fixed=row.value, confirmed=False)
            dates.append(row.effective_from)
            used.append(f"{DuesSetting.CODES['student_amount']}: {row.source}")
        row = self._latest("rounding", month, version.effective_from)
        if row is not None:
            rounding = max(1, row.value)
            dates.append(row.effective_from)
            used.append(f"{DuesSetting.CODES['rounding']}: {row.source}")
        value = replace(schedule, rates=rates, rounding=rounding)
        confirmed = version.confirmed and not used
        return Applied(value, version.ref, confirmed, tuple(used), _key(version.effective_from, dates))

    def shares(self, month: date) -> Applied[Shares]:
        version = rules.SHARES.at(month)
        shares: Shares = version.value
        changes: dict[str, int] = {}
        used: list[str] = []
        dates: list[date] = []
        for code, field in _SHARE_CODES.items():
            row = self._latest(code, month, version.effective_from)
            if row is not None:
                changes[field] = min(100, row.value)
                dates.append(row.effective_from)
                used.append(f"{DuesSetting.CODES[code]}: {row.source} (từ {row.effective_from:%d/%m/%Y})")
        return Applied(
            replace(shares, **changes),  # type: ignore[arg-type]
            version.ref,
            version.confirmed,
            tuple(used),
            _key(version.effective_from, dates),
        )


def _key(effective_from: date, settings: list[date]) -> str:
    """ "QĐ 2026-02-01", or with the committee's settings "QĐ 2026-02-01 + CH 2026-06-01"."""
    key = f"QĐ {effective_from.isoformat()}"
    if settings:
        key += " + CH " + max(settings).isoformat()
    return key
