"""What a restructuring operation did (``Outcome``), its preview (``Preview``), and ``dry_run``,
which runs an operation, or a whole plan, and rolls it back: a preview is counted by the code
that applies."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction

from dangbo.orgs.models import OrgEvent
from dangbo.rules.base import RuleViolation, Violation


@dataclass
class Outcome:
    """What an operation did (or, in a dry run, would do)."""

    title: str
    organizations: int = 0  # organizations placed elsewhere, established or dissolved
    members_rehomed: int = 0  # members whose own organization changed (ledger events)
    members_under: int = 0  # members whose cells moved with a subtree (ledger unchanged)
    localities: int = 0
    events: list[OrgEvent] = field(default_factory=list)


@dataclass(frozen=True)
class Preview:
    outcome: object | None
    violations: list[Violation]

    @property
    def ok(self) -> bool:
        return not self.violations


class _Rollback(Exception):
    pass


def dry_run(apply: Callable[[], object]) -> Preview:
    """Run ``apply`` in a transaction and roll it back: what it would do, or what it breaks."""
    try:
        with transaction.atomic():
            result = apply()
            raise _Rollback(result)
    except _Rollback as done:
        return Preview(done.args[0], [])
    except RuleViolation as refused:
        return Preview(None, refused.violations)
