"""A refused change: the violations a service finds and the exception that carries them.

A leaf value type (DESIGN.md, Shape of the code): rules, services, forms and the API all speak
it, so it lives in ``core`` and imports nothing of the project. ``rules.base`` adds the rules
themselves; input problems (a missing field, a date in the future) use ``input_violation``.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dc_field

INPUT_RULE = "input"
INPUT_CITATION = "Yêu cầu nhập liệu"


@dataclass(frozen=True)
class Violation:
    """A rule broken: what, in Vietnamese, and where the rule comes from."""

    rule: str
    message: str
    citation: str
    field: str | None = None
    details: dict = dc_field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.message} ({self.citation})"


class RuleViolation(Exception):
    """Raised by a service that refuses a change; carries every violation found."""

    def __init__(self, violations: list[Violation]):
        self.violations = list(violations)
        super().__init__("; ".join(str(v) for v in self.violations))

    @property
    def codes(self) -> list[str]:
        """The rule codes refused, in order (what tests and programs should compare)."""
        return [v.rule for v in self.violations]


class NotInScope(LookupError):
    """The record does not exist or lies outside the actor's scope (the two are not told apart)."""


def refuse_if(violations: list[Violation]) -> None:
    if violations:
        raise RuleViolation(violations)


def input_violation(field: str | None, message: str) -> Violation:
    """Bad input rather than a broken Party rule: shown on ``field`` (None: the whole form)."""
    return Violation(INPUT_RULE, message, INPUT_CITATION, field=field or None)
