"""The member ledger is append-only in the database (issue 17): an event cannot be changed
on either engine, nor deleted on PostgreSQL (SQLite keeps DELETE for Django's flush, see
the migration members/0012)."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError

from dangbo.members.models import MemberEvent

TABLE = MemberEvent._meta.db_table


def refused(action) -> None:
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        action()


def _triggers() -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal", [TABLE]
            )
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [TABLE])
        return {row[0] for row in cursor.fetchall()}


def test_the_triggers_are_in_place(db):
    """A migration that rebuilds the table on SQLite drops them: this says so."""
    expected = {"member_event_no_update"}
    if connection.vendor == "postgresql":
        expected.add("member_event_no_delete")
    assert expected <= _triggers()


def test_an_event_cannot_be_changed(tree, make_member):
    member = make_member(tree.cell_a)
    event = MemberEvent.objects.filter(member=member).order_by("seq").first()
    event.effective_on = date(2001, 1, 1)
    refused(event.save)
    refused(lambda: MemberEvent.objects.filter(member=member).update(decision_no="1-QĐ/TW"))
    refused(lambda: MemberEvent.objects.filter(pk=event.pk).update(data={}))
    event.refresh_from_db()
    assert event.effective_on != date(2001, 1, 1)


@pytest.mark.postgres
def test_an_event_cannot_be_deleted(tree, make_member):
    member = make_member(tree.cell_a)
    count = MemberEvent.objects.filter(member=member).count()
    event = MemberEvent.objects.filter(member=member).first()
    refused(event.delete)
    refused(lambda: MemberEvent.objects.filter(member=member).delete())

    def raw_delete():
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLE}")

    refused(raw_delete)
    assert MemberEvent.objects.filter(member=member).count() == count


def test_events_are_still_added(tree, make_member):
    """The ledger's inserts go through (recognition after admission is a second event)."""
    member = make_member(tree.cell_a)
    assert list(MemberEvent.objects.filter(member=member).values_list("kind", flat=True)) == [
        "admitted",
        "recognized",
    ]
