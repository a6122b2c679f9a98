"""Every number from the Charter and regulations, once, dated and cited (DESIGN.md decision 3).

Import the modules so their rules are registered; ``REGISTRY`` lists them all.
"""

from dangbo.rules import admission, badges, discipline, exits, orgs, positions, probation, targets, transfers, votes  # noqa: F401  (registration)
from dangbo.rules.base import REGISTRY, Rule, RuleVersion, RuleViolation, Violation, refuse_if

__all__ = ["REGISTRY", "Rule", "RuleVersion", "RuleViolation", "Violation", "refuse_if"]
