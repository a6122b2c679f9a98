"""The shape of a rule: a number (or set of numbers) that holds from a date, with its citation.

Rules changed four times in 2021–2026 (RULES.md §0), so each rule keeps dated
versions. ``Rule.at(day)`` gives the version in force on that day; services store
``version.ref`` on what they write, so history is judged by the rule of its date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from dangbo.core.violations import RuleViolation, Violation, refuse_if

__all__ = ["REGISTRY", "Rule", "RuleVersion", "RuleViolation", "Violation", "refuse_if", "register"]


@dataclass(frozen=True)
class RuleVersion:
    effective_from: date
    value: Any
    citation: str
    confirmed: bool = True  # False where RULES.md marks the source UNCONFIRMED

    @property
    def ref(self) -> str:
        return f"{self.citation} (từ {self.effective_from:%d/%m/%Y})"


@dataclass(frozen=True)
class Rule:
    code: str
    title: str
    versions: tuple[RuleVersion, ...]

    def at(self, day: date) -> RuleVersion:
        """The version in force on ``day``; the earliest one for days before it."""
        in_force = [v for v in self.versions if v.effective_from <= day]
        if not in_force:
            return min(self.versions, key=lambda v: v.effective_from)
        return max(in_force, key=lambda v: v.effective_from)

    def value(self, day: date) -> Any:
        return self.at(day).value


REGISTRY: dict[str, Rule] = {}


def register(rule: Rule) -> Rule:
    if rule.code in REGISTRY:
        raise ValueError(f"rule {rule.code} declared twice")
    REGISTRY[rule.code] = rule
    return rule
