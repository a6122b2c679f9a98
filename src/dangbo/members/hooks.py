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
  ceremony. A source may come with a **counter**, the same arguments and ``branch_len``,
  returning ``{(kind, overdue, branch): number}`` of the items it would give, counted by SQL
  aggregates over the subtree rather than item by item, where ``branch`` is the first
  ``branch_len`` characters of the path of the organization the item is listed under
  (``core.paths.branch``: the subtree as one, or by child): ``members.selectors.todo_counts.due_counts`` (the overview's
  to-do panel) uses it, and counts the items of a source that has none.
* **Evidence for striking off** (``register_strike_off_evidence``): a function ``(member, *, on)
  -> list[StrikeOffEvidence]`` giving the facts the records hold behind a ground of striking off
  (RULES.md §2.6), for the year of ``on`` and the one before: ``meetings`` adds the months of
  unexcused absence from the cell's meetings, with the meetings. The striking-off page shows
  them beside the form and ``members.services.standing.member_strike_off`` records them in the
  event's data.
* **Ledger listeners** (``register_ledger_listener``): a function ``(member_ids)`` called in the
  transaction that appended events to those members' ledgers (``members.ledger.append_many``),
  after their projection is written: ``dues`` rewrites their monthly dues accounts, which
  follow the member's cell and membership. Bulk creation of new members (the demo, imports)
  does not call it: those members have no accounts yet.
* **Pending discipline** (``register_discipline_pending``): a function ``(member) -> bool``
  telling that a disciplinary matter against the member is under consideration, which bars
  resignation (RULES.md §2.6; ``members.services.standing.member_resign``). ``discipline`` adds
  its open cases.

With an app not installed its registry stays empty: no deadlines of its own, no pending matter.
Registering the same function twice keeps it once (``ready()`` may run more than once).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

DueSource = Callable[..., list[Any]]  # (actor, org, *, as_of, until, holidays) -> list[DueItem]
DueCounter = Callable[
    ..., dict[tuple[str, bool, str], int]
]  # same, branch_len -> {(kind, overdue, branch): n}
DisciplinePending = Callable[[Any], bool]  # (member) -> bool


@dataclass(frozen=True)
class EvidenceLink:
    """A record behind the evidence: its label and the page that shows it, by URL name (the
    app's page, which members does not import; no link while no such page is routed)."""

    label: str
    url_name: str = ""
    url_kwargs: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class StrikeOffEvidence:
    ground: str  # the ground it bears on (rules.exits.StrikeOffGround)
    summary: str  # what it shows, in Vietnamese
    citation: str  # the rule it is measured against
    data: dict  # what the striking-off event records (JSON)
    links: tuple[EvidenceLink, ...] = ()


StrikeOffEvidenceSource = Callable[..., list[StrikeOffEvidence]]  # (member, *, on) -> list

_due_sources: list[DueSource] = []
_due_counters: dict[DueSource, DueCounter] = {}
_discipline_pending: list[DisciplinePending] = []
_strike_off_evidence: list[StrikeOffEvidenceSource] = []
LedgerListener = Callable[[list[Any]], None]  # (member_ids) -> None
_ledger_listeners: list[LedgerListener] = []


def register_ledger_listener(listener: LedgerListener) -> None:
    """Call ``listener`` with the members whose ledger changed (from an ``AppConfig.ready()``)."""
    if listener not in _ledger_listeners:
        _ledger_listeners.append(listener)


def ledger_changed(member_ids: list[Any]) -> None:
    """Tell the listeners that ``member_ids``' ledgers changed (``members.ledger``)."""
    for listener in _ledger_listeners:
        listener(member_ids)


def register_due_source(source: DueSource, *, counter: DueCounter | None = None) -> None:
    """Add ``source``'s deadlines to the to-do list (from an ``AppConfig.ready()``), and
    ``counter``, which counts them by kind and lateness without listing them."""
    if source not in _due_sources:
        _due_sources.append(source)
    if counter is not None:
        _due_counters[source] = counter


def due_sources() -> tuple[DueSource, ...]:
    return tuple(_due_sources)


def due_counter(source: DueSource) -> DueCounter | None:
    """The counter registered with ``source`` (None: count its items)."""
    return _due_counters.get(source)


def register_discipline_pending(check: DisciplinePending) -> None:
    """Let ``check`` tell whether a member has a disciplinary matter pending (from an
    ``AppConfig.ready()``)."""
    if check not in _discipline_pending:
        _discipline_pending.append(check)


def discipline_pending(member) -> bool:
    """True when a registered check finds a disciplinary matter pending against ``member``."""
    return any(check(member) for check in _discipline_pending)


def register_strike_off_evidence(source: StrikeOffEvidenceSource) -> None:
    """Let ``source`` give the facts behind a ground of striking off (from an
    ``AppConfig.ready()``)."""
    if source not in _strike_off_evidence:
        _strike_off_evidence.append(source)


def strike_off_evidence(member, *, on) -> list[StrikeOffEvidence]:
    """What the registered sources hold behind striking ``member`` off on ``on`` (unscoped: the
    caller has checked that the actor may change the member)."""
    return [item for source in _strike_off_evidence for item in source(member, on=on)]
