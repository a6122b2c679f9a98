"""The hooks by which the apps of member work take part in what ``members`` does.

``members`` sits below the apps that work on members (``candidates``, ``discipline``, and later
``meetings``, ``dues``, ``ratings``) and must not import them (DESIGN.md, Shape of the code).
Where members' own code needs what one of them knows, it asks through a registry here, which
that app fills in its ``AppConfig.ready()``, as ``core.projections`` does for the tallies:

* **Deadlines** (``register_due_source``): a due source is a function
  ``(actor, org, *, as_of, until, holidays) -> list[DueItem]`` giving the deadlines of ``org``'s
  subtree that are overdue on ``as_of`` or fall due by ``until`` (``holidays`` is the calendar,
  loaded once for every source). ``members.selectors.todo.due_items`` — the to-do page, the
  ``dangbo todo`` command and the compliance checks of overdue deadlines — adds them to members'
  own (recognition, transfers, badges). ``candidates`` adds the admission decision and the
  ceremony.
* **Pending discipline** (``register_discipline_pending``): a function ``(member) -> bool``
  telling that a disciplinary matter against the member is under consideration, which bars
  resignation (RULES.md §2.6; ``members.services.standing.member_resign``). ``discipline`` adds
  its open cases.

With an app not installed its registry stays empty: no deadlines of its own, no pending matter.
Registering the same function twice keeps it once (``ready()`` may run more than once).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

DueSource = Callable[..., list[Any]]  # (actor, org, *, as_of, until, holidays) -> list[DueItem]
DisciplinePending = Callable[[Any], bool]  # (member) -> bool

_due_sources: list[DueSource] = []
_discipline_pending: list[DisciplinePending] = []


def register_due_source(source: DueSource) -> None:
    """Add ``source``'s deadlines to the to-do list (from an ``AppConfig.ready()``)."""
    if source not in _due_sources:
        _due_sources.append(source)


def due_sources() -> tuple[DueSource, ...]:
    return tuple(_due_sources)


def register_discipline_pending(check: DisciplinePending) -> None:
    """Let ``check`` tell whether a member has a disciplinary matter pending (from an
    ``AppConfig.ready()``)."""
    if check not in _discipline_pending:
        _discipline_pending.append(check)


def discipline_pending(member) -> bool:
    """True when a registered check finds a disciplinary matter pending against ``member``."""
    return any(check(member) for check in _discipline_pending)
