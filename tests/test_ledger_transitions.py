"""The ledger's table of transitions: one function for every kind of event, and an unknown kind refused."""

from datetime import date

import pytest

from dangbo.members import ledger
from dangbo.members.models import MemberEvent


def test_every_kind_of_event_has_its_transition():
    assert set(ledger.TRANSITIONS) == set(MemberEvent.Kind.values)


def test_an_unknown_kind_is_refused_by_name():
    event = MemberEvent(kind="no_such_kind", effective_on=date(2024, 1, 1))
    with pytest.raises(ledger.LedgerError, match="no_such_kind"):
        ledger.step(ledger.State(), event)
