"""The ledger is append-only in the database too (issue 17): triggers refuse UPDATE of a
``MemberEvent`` row on both engines, and DELETE on PostgreSQL.

* No code changes or deletes an event (``members.ledger`` only inserts; corrections are new
  events), so nothing legitimate is refused.
* Django's ``flush`` (``dangbo demo --reset`` and the tests' transactional cases) empties
  every table: on PostgreSQL by TRUNCATE, which row triggers do not see, so TRUNCATE is
  left allowed; on SQLite by ``DELETE FROM``, which a DELETE trigger would refuse, so
  SQLite has no DELETE trigger (docs/architecture.md, "The member ledger is append-only").
* On SQLite, a later migration that rebuilds this table (most field changes do) drops its
  triggers with the old table and must create them again; ``tests/test_member_event_append_only.py``
  fails if they are missing.
"""

from django.db import migrations

TABLE = "members_memberevent"
MESSAGE = "members_memberevent is append-only: the ledger is added to, never changed"

SQLITE = [
    f"CREATE TRIGGER member_event_no_update BEFORE UPDATE ON {TABLE} "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
]
SQLITE_BACK = ["DROP TRIGGER member_event_no_update"]

POSTGRES = [
    f"""CREATE FUNCTION member_event_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION '{MESSAGE}'; END $$""",
    f"CREATE TRIGGER member_event_no_update BEFORE UPDATE ON {TABLE} "
    "FOR EACH ROW EXECUTE FUNCTION member_event_refuse()",
    f"CREATE TRIGGER member_event_no_delete BEFORE DELETE ON {TABLE} "
    "FOR EACH ROW EXECUTE FUNCTION member_event_refuse()",
]
POSTGRES_BACK = [
    f"DROP TRIGGER member_event_no_delete ON {TABLE}",
    f"DROP TRIGGER member_event_no_update ON {TABLE}",
    "DROP FUNCTION member_event_refuse()",
]


def forward(apps, schema_editor):
    assert apps.get_model("members", "MemberEvent")._meta.db_table == TABLE
    statements = POSTGRES if schema_editor.connection.vendor == "postgresql" else SQLITE
    for statement in statements:
        schema_editor.execute(statement)


def backward(apps, schema_editor):
    statements = POSTGRES_BACK if schema_editor.connection.vendor == "postgresql" else SQLITE_BACK
    for statement in statements:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("members", "0011_placement_date_indexes")]
    operations = [migrations.RunPython(forward, backward)]
