"""Every number from the Charter and regulations, once, dated and cited (DESIGN.md decision 3).

Import the modules so their rules are registered; ``REGISTRY`` lists them all.
"""

from dangbo.rules import (  # noqa: F401  (imported so their rules register)
    admission,
    badges,
    discipline,
    exits,
    meetings,
    orgs,
    positions,
    probation,
    targets,
    transfers,
    votes,
)
from dangbo.rules.base import REGISTRY, Rule, RuleVersion, RuleViolation, Violation, refuse_if

__all__ = ["REGISTRY", "Rule", "RuleVersion", "RuleViolation", "Violation", "refuse_if"]
