"""The member ledger: the pure replay of events, and the one function that writes the projection.

``replay(events)`` folds a member's events, ordered by (effective date, recording
order), into a ``State``: status, organization, dates, positions and placements.
``append(member, event)`` is the only code that changes the projection: it stores
the event, replays the member's whole ledger (a member has tens of events, not
thousands) and writes the state back in the same transaction. ``bulk_write`` does
the same for many new members at once (demo data, imports).

Structural preconditions (admitted once, transfers from where the member is, a
position ended only if held) are checked here, because a replay must never produce
an impossible state; the Party's rules (ages, thresholds, who may hold a position)
are checked by the services through ``rules/`` before they append.

The package: ``state`` (the State a replay builds), ``transitions`` (one function per kind of
event, and ``step``/``replay``), ``projection`` (``append``, ``append_many``, ``bulk_write``,
the checks that the stored projection equals the replay). Its public names are listed here.
"""

from dangbo.members.ledger.projection import (
    append,
    append_many,
    bulk_write,
    projection_matches_replay,
    stored_state,
)
from dangbo.members.ledger.state import Kind, LedgerError, PlacementSpan, PositionSpan, State
from dangbo.members.ledger.transitions import TRANSITIONS, replay, step

__all__ = [
    "TRANSITIONS",
    "Kind",
    "LedgerError",
    "PlacementSpan",
    "PositionSpan",
    "State",
    "append",
    "append_many",
    "bulk_write",
    "projection_matches_replay",
    "replay",
    "step",
    "stored_state",
]
