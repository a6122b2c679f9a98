"""The decision behind a change: its number, date and issuing body (a shared value type)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class DecisionRef:
    """Number, date and issuing body of the decision behind a change."""

    number: str = ""
    on: date | None = None
    body: str = ""

    def fields(self) -> dict:
        return {"decision_no": self.number, "decision_on": self.on, "decision_body": self.body}
