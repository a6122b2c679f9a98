"""How the API reports a service's refusal: 422 with every violation, by field."""

from __future__ import annotations

from dangbo.core.violations import RuleViolation


def refusal(error: RuleViolation) -> tuple[int, dict]:
    """(422, {"detail", "errors": {field: [message (citation), ...]}}) for ``ninja.Status``."""
    errors: dict[str, list[str]] = {}
    for violation in error.violations:
        errors.setdefault(violation.field or "__all__", []).append(str(violation))
    return 422, {"detail": "Không ghi nhận được.", "errors": errors}
