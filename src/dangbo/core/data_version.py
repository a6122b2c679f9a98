"""The register's version (PostgreSQL): a number that changes whenever a transaction that wrote
to any of the register's tables commits. A page may keep what it computed from the register
under that number (``core.kept``) and serve it again while the number holds.

How it is kept. Every table but those in ``UNREAD`` has a statement trigger,
``core_data_changed``, for INSERT, UPDATE, DELETE and TRUNCATE; a transaction's first such
statement adds one row to ``core_datachange``. The version is the sum of the rows' weights
with the largest id: a row becomes visible exactly when its transaction commits, so a reader
whose version read sees a commit also sees that commit's data, and a writer still at work is
seen by neither. No row is ever updated: writers take no lock of one another. Every thousandth
row folds the rows before it into one of the same weight (``DELETE … RETURNING``: exactly the
rows it removed), so the sum reads a few rows.

The triggers are put on every table after each ``migrate`` (``install``, from
``CoreConfig.ready``'s ``post_migrate``), so a table added later is covered without a
migration of its own; ``dangbo check`` reports a table without one. The change table is not a
Django model: Django's ``flush`` (the tests') leaves it, so the version never goes back.

On SQLite there is no version (a single process with a small register: nothing is kept), nor
inside a transaction: what it reads may yet be rolled back.
"""

from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections

TABLE = "core_datachange"
TRIGGER = "core_data_changed"
FOLD_EVERY = 1000
# Tables no report reads, written by sign-ins, sessions, page views, background progress and
# imports' staging: a change there changes no kept result, and they are written all day.
UNREAD_PREFIXES = ("audit_", "axes_", "otp_", "auth_", "jobs_", "imports_", "django_")
UNREAD = frozenset(
    {TABLE, "accounts_account", "accounts_apitoken", "accounts_recoverycode", "accounts_recoverycodes"}
)

_FUNCTION = f"""
CREATE OR REPLACE FUNCTION {TRIGGER}() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    new_id bigint;
BEGIN
    IF current_setting('dangbo.data_changed', true) = 'on' THEN
        RETURN NULL;
    END IF;
    PERFORM set_config('dangbo.data_changed', 'on', true);
    INSERT INTO {TABLE} (weight) VALUES (1) RETURNING id INTO new_id;
    IF new_id % {FOLD_EVERY} = 0 THEN
        WITH folded AS (DELETE FROM {TABLE} WHERE id <= new_id RETURNING weight)
        INSERT INTO {TABLE} (weight) SELECT sum(weight) FROM folded HAVING count(*) > 0;
    END IF;
    RETURN NULL;
END
$$
"""


def watched_tables(cursor, db=connection) -> list[str]:
    """The tables whose changes change the version."""
    return [
        name
        for name in db.introspection.table_names(cursor)
        if name not in UNREAD and not name.startswith(UNREAD_PREFIXES)
    ]


def unwatched_tables(db=connection) -> list[str]:
    """The tables that should bear the trigger and do not (``dangbo check``); [] on SQLite."""
    if db.vendor != "postgresql":
        return []
    with db.cursor() as cursor:
        cursor.execute("SELECT tgrelid::regclass::text FROM pg_trigger WHERE tgname = %s", [TRIGGER])
        have = {row[0].strip('"') for row in cursor.fetchall()}
        return [name for name in watched_tables(cursor, db) if name not in have]


def install(using: str = DEFAULT_DB_ALIAS, **_kwargs) -> None:
    """Create the change table and its function, and put the trigger on every watched table that
    lacks it. Idempotent: run after every ``migrate``."""
    db = connections[using]
    if db.vendor != "postgresql":
        return
    with db.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {TABLE} (id bigserial PRIMARY KEY, weight bigint NOT NULL)"
        )
        cursor.execute(_FUNCTION)
    for name in unwatched_tables(db):
        with db.cursor() as cursor:
            cursor.execute(
                f'CREATE TRIGGER {TRIGGER} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "{name}" '
                f"FOR EACH STATEMENT EXECUTE FUNCTION {TRIGGER}()"
            )


def data_version() -> tuple[int, int] | None:
    """The register's version now, or None where none is kept (SQLite, inside a transaction,
    before ``install``)."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return None
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT coalesce(sum(weight), 0), coalesce(max(id), 0) FROM {TABLE}")
            total, last = cursor.fetchone()
    except DatabaseError:
        return None
    return int(total), int(last)
