"""The version of an exit rule in force on a day, or the latest one when no day is given
(shared by the modules of ``rules.exits``)."""

from __future__ import annotations

from datetime import date

from dangbo.rules.base import Rule, RuleVersion


def _version(rule: Rule, on: date | None) -> RuleVersion:
    """The version in force ``on``; the latest one when no day is given."""
    if on is None:
        return max(rule.versions, key=lambda v: v.effective_from)
    return rule.at(on)
