"""A staged row while it is being read and decided (``Parsed``), shared by the kinds of import."""

from __future__ import annotations

from dataclasses import dataclass, field

from dangbo.core import text
from dangbo.core.violations import INPUT_CITATION
from dangbo.imports.models import Action, Outcome

NUMBER_FIELDS = ("national_id", "card_number", "history_number")


@dataclass
class Parsed:
    row_number: int
    values: dict = field(default_factory=dict)
    reasons: list[dict] = field(default_factory=list)
    present: set[str] = field(default_factory=set)  # the fields the row gives a value for
    outcome: str = Outcome.ACCEPTED
    action: str = Action.CREATE
    target: str = ""
    changes: dict = field(default_factory=dict)

    def refuse(self, column: str, value, message: str, rule: str = INPUT_CITATION) -> None:
        self.reasons.append({"column": column, "value": shown(value), "message": message, "rule": rule})

    def strong_keys(self) -> list[tuple[str, str]]:
        return [(name, self.values[name]) for name in NUMBER_FIELDS if self.values.get(name)]

    def weak_key(self) -> tuple[str, str, str] | None:
        if not self.values.get("birth_date"):
            return None
        name = text.fold(
            text.full_name(self.values["family_name"], self.values["middle_name"], self.values["given_name"])
        )
        return (name, self.values["birth_date"], self.values.get("hamlet") or "")


def shown(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
