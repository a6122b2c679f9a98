"""The rating rule of a year as it applies here: ``rules.ratings`` with the committee's own dated
values (``RatingSetting``) for what RULES.md leaves UNCONFIRMED — the cap on «excellent», whether
probationary members are rated, which disqualifiers apply.

As for dues (``dues.schedule``): of a rule version and a setting, the one dated later applies;
every figure says whether it is confirmed and where it comes from, so the pages can say it. A
review of year Y is judged on 31/12/Y (``rules.ratings.year_day``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from dangbo.ratings.models import RatingSetting
from dangbo.rules import ratings as rules
from dangbo.rules.base import Rule
from dangbo.rules.ratings import Disqualifier

_DISQUALIFIER_CODES = {
    "disqualifier_degraded": Disqualifier.DEGRADED,
    "disqualifier_tasks_under_half": Disqualifier.TASKS_UNDER_HALF,
    "disqualifier_civil_servant_failed": Disqualifier.CIVIL_SERVANT_FAILED,
}


@dataclass(frozen=True)
class Applied:
    value: Any
    citation: str
    confirmed: bool


class RatingRules:
    """The committee's settings, read once (a small table) and applied to any year."""

    def __init__(self, rows: Iterable[RatingSetting] | None = None):
        if rows is None:
            rows = RatingSetting.objects.order_by("effective_from", "recorded_at")
        self._by_code: dict[str, list[RatingSetting]] = {}
        for row in rows:
            self._by_code.setdefault(row.code, []).append(row)

    def _latest(self, code: str, day: date, rule: Rule) -> RatingSetting | None:
        after = rule.at(day).effective_from
        found = None
        for row in self._by_code.get(code, ()):
            if after <= row.effective_from <= day:
                found = row
        return found

    @staticmethod
    def _cited(row: RatingSetting) -> str:
        return f"{RatingSetting.CODES[row.code]}: {row.source} (từ {row.effective_from:%d/%m/%Y})"

    def cap(self, year: int) -> Applied:
        """The cap's percent (None: no cap) for the review of ``year``."""
        day = rules.year_day(year)
        version = rules.EXCELLENT_CAP.at(day)
        row = self._latest("excellent_cap", day, rules.EXCELLENT_CAP)
        if row is None:
            return Applied(version.value, version.ref, version.confirmed)
        value = None if row.value == RatingSetting.NO_CAP else row.value
        return Applied(value, self._cited(row), False)

    def probationary_rated(self, day: date) -> Applied:
        version = rules.WHO_IS_RATED.at(day)
        row = self._latest("rate_probationary", day, rules.WHO_IS_RATED)
        if row is None:
            return Applied(version.value.probationary, version.ref, version.confirmed)
        return Applied(bool(row.value), self._cited(row), False)

    def member_disqualifiers(self, year: int) -> Applied:
        """The disqualifiers that keep a member at «not completed» in ``year`` (being
        disciplined in the year always does)."""
        day = rules.year_day(year)
        version = rules.MEMBER_DISQUALIFIERS.at(day)
        found = set(version.value)
        cited = []
        for code, disqualifier in _DISQUALIFIER_CODES.items():
            row = self._latest(code, day, rules.MEMBER_DISQUALIFIERS)
            if row is not None:
                cited.append(self._cited(row))
                if row.value:
                    found.add(disqualifier)
                else:
                    found.discard(disqualifier)
        found.add(Disqualifier.DISCIPLINED)
        if not cited:
            return Applied(frozenset(found), version.ref, version.confirmed)
        return Applied(frozenset(found), "; ".join([version.ref, *cited]), False)
