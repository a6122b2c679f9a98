"""Fast inserts of many new rows: ``COPY … FROM STDIN`` on PostgreSQL, one prepared INSERT
run with ``executemany`` on SQLite; the pieces of the statement by which each app rewrites its
own materialized paths when subtrees move (``path_prefix_cases``); the planner's statistics
after a bulk load.

Django's ``bulk_create`` compiles SQL with a placeholder per value for every batch,
which costs more than the database's own work when generating or importing hundreds
of thousands of rows. This writes the same columns through the same field
conversions (``get_db_prep_save``), without signals or ``save()``; callers are the
ledger's bulk writer and imports, which own the rows they write. On PostgreSQL an import
of 200,000 members must run at half the speed of a plain COPY of its rows (issue 22), which
a prepared INSERT per row cannot: the rows go through psycopg's ``cursor.copy`` instead
(``bench/bulk_copy.py`` measures both).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from operator import attrgetter
from typing import cast

from django.db import DEFAULT_DB_ALIAS, connections, models, transaction

from dangbo.core import paths

# how many moved subtrees one path-rewriting UPDATE handles (a province merge moves thousands)
PATH_MOVES_PER_STATEMENT = 200

# rows a bulk change (an import, a restructuring plan, the demo) writes from which the planner's
# statistics of its tables are refreshed once it commits (``refresh_statistics_after``)
BULK_ROWS = 1000

# COPY's format on PostgreSQL: binary, measured faster than text for the ledger's rows
# (bench/results/bulk_copy.md). Binary needs each column's type (``copy.set_types``), read
# from the catalog.
COPY_BINARY = True


def new_instances(model: type[models.Model]):
    """A maker of unsaved ``model`` instances from keyword values, without ``Model.__init__``.

    ``Model.__init__`` walks every field and sends two signals for each instance: for the
    hundreds of thousands of rows an import writes, it cost more than writing them. The maker
    sets each concrete field's attribute (its default where no value is given, a callable
    default called per instance) and a fresh ``ModelState``, which is all ``insert_many`` and
    the ledger's replay read. For rows written with ``insert_many`` only: no signals, no
    validation, no related-object caches beyond what is assigned."""
    fixed: dict[str, object] = {}
    called: list[tuple[str, object]] = []
    for field in model._meta.concrete_fields:
        if field.has_default() and callable(field.default):
            called.append((field.attname, field.default))
        else:
            fixed[field.attname] = field.get_default()
    state = models.base.ModelState

    def make(**values) -> models.Model:
        obj = model.__new__(model)
        obj._state = state()
        attributes = obj.__dict__
        attributes.update(fixed)
        for name, default in called:
            if name not in values:
                attributes[name] = default()  # type: ignore[operator]
        attributes.update(values)
        return obj

    return make


def insert_many(
    model: type[models.Model], objects: Sequence[models.Model], *, batch_size: int = 5000
) -> None:
    """Insert ``objects`` (new, with their keys set unless the key is an AutoField) as rows
    of ``model``'s table, filling auto_now fields left empty and marking them saved.

    On PostgreSQL one COPY carries all the rows (converted ``batch_size`` at a time, so the
    converted values of a whole import are never all in memory); on SQLite each batch of
    ``batch_size`` rows is one ``executemany``. A failure raises Django's database error
    (``IntegrityError`` for a duplicate) and leaves the rows to the caller's transaction.
    """
    if not objects:
        return
    # A database-generated key (AutoField) is left to the database.
    fields = [
        f for f in model._meta.concrete_fields if not (f.primary_key and isinstance(f, models.AutoField))
    ]
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            for obj in objects:
                if getattr(obj, field.attname) is None:
                    field.pre_save(obj, add=True)
    connection = connections[DEFAULT_DB_ALIAS]  # the real wrapper, not the per-access proxy
    batches = (
        _rows(objects[start : start + batch_size], fields, connection)
        for start in range(0, len(objects), batch_size)
    )
    table, columns = model._meta.db_table, [f.column for f in fields]
    if connection.vendor == "postgresql":
        _copy(connection, table, columns, (row for batch in batches for row in batch))
    else:
        quote = connection.ops.quote_name
        placeholders = ", ".join(["%s"] * len(fields))
        sql = f"INSERT INTO {quote(table)} ({', '.join(quote(c) for c in columns)}) VALUES ({placeholders})"
        with connection.cursor() as cursor:
            for rows in batches:
                cursor.executemany(sql, rows)
    for obj in objects:
        obj._state.adding = False
        obj._state.db = connection.alias


def copy_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Write ``rows``, already in the database's form (what ``get_db_prep_save`` gives), into
    ``columns`` of ``table`` with one COPY; how many rows were written. PostgreSQL only: the
    yardstick an import is measured against, and a writer for rows made without models."""
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor != "postgresql":
        raise ValueError(f"COPY needs PostgreSQL, not {connection.vendor}")
    return _copy(connection, table, list(columns), rows)


def _copy(connection, table: str, columns: list[str], rows: Iterable[Sequence]) -> int:
    quote = connection.ops.quote_name
    sql = f"COPY {quote(table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
    written = 0
    with connection.cursor() as cursor:
        # The psycopg cursor under Django's wrapper, in the same connection and transaction
        # (the wrapper does not wrap ``copy``); its errors become Django's as for any statement.
        raw = cursor.cursor
        with connection.wrap_database_errors:
            types = _column_types(raw, quote(table), columns) if COPY_BINARY else None
            with raw.copy(sql + " (FORMAT BINARY)" if COPY_BINARY else sql) as copy:
                if types is not None:
                    copy.set_types(types)
                write = copy.write_row
                for row in rows:
                    try:
                        write(row)
                    except (TypeError, ValueError, OverflowError) as error:
                        # binary COPY dumps by the column's type: "2024-01-01" for a date or
                        # "5" for an integer, which an INSERT would cast, cannot be written
                        raise TypeError(
                            f"{table}: row {written + 1} cannot be written by binary COPY "
                            f"({error}); each value must have its column's Python type: "
                            + ", ".join(f"{c}={type(v).__name__}" for c, v in zip(columns, row, strict=False))
                        ) from error
                    written += 1
    return written


def _column_types(raw_cursor, table: str, columns: list[str]) -> list[int]:
    """The type (OID) of each of ``columns`` of ``table`` (quoted), in that order, as binary
    COPY needs: psycopg then dumps each value by its column's type, not its Python type."""
    raw_cursor.execute(
        "SELECT attname, atttypid FROM pg_attribute "
        "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
        [table],
    )
    oids = {name: int(oid) for name, oid in raw_cursor.fetchall()}
    missing = [c for c in columns if c not in oids]
    if missing:
        raise ValueError(f"{table} has no column {', '.join(missing)}")
    return [oids[c] for c in columns]


def _identity(value, connection):
    return value


def _converter(field: models.Field, connection):
    """``field.get_db_prep_save`` or, for the common types, a cheaper equivalent.

    Django's per-value conversion was most of the demo's write time (4 million calls).
    The shortcuts give the same values: text, numbers and booleans go as they are,
    dates and aware datetimes through the backend's adapter (on PostgreSQL the value itself,
    which psycopg adapts), UUIDs as the backend stores them. ``_identity`` marks a value
    taken as it is, which ``_rows`` then does not call at all.
    """
    target = cast(models.ForeignKey, field).target_field if field.is_relation else field
    if type(target).get_db_prep_save is not models.Field.get_db_prep_save:
        return field.get_db_prep_save
    postgres = connection.vendor == "postgresql"
    if isinstance(target, models.UUIDField):
        if connection.features.has_native_uuid_field:
            return _identity
        return lambda value, connection: value.hex if value is not None else None
    if type(target) is models.DateField:
        if postgres:
            return _identity
        adapt = connection.ops.adapt_datefield_value
        return lambda value, connection: adapt(value)
    if type(target) is models.DateTimeField:
        # an aware datetime is what get_prep_value returns unchanged; anything else (naive,
        # a string, None) takes Django's way, warning and all
        adapt_moment = connection.ops.adapt_datetimefield_value
        to_db = field.get_db_prep_save

        def moment(value, connection):
            if type(value) is datetime and value.tzinfo is not None:
                return value if postgres else adapt_moment(value)
            return to_db(value, connection)

        return moment
    if isinstance(
        target, (models.CharField, models.TextField, models.IntegerField, models.BooleanField)
    ) and (
        type(target).get_prep_value
        in (
            models.CharField.get_prep_value,
            models.TextField.get_prep_value,
            models.IntegerField.get_prep_value,
            models.BooleanField.get_prep_value,
        )
    ):
        return _identity
    return field.get_db_prep_save


def _rows(objects: Iterable[models.Model], fields, connection) -> list[Sequence]:
    """Each object's values of ``fields``, in the database's form. The values are read with
    one ``attrgetter`` and only those that need converting are converted (on PostgreSQL,
    the JSON and a few others of a member's 45 columns)."""
    converters = [_converter(f, connection) for f in fields]
    attnames = [f.attname for f in fields]
    if len(attnames) == 1:
        only = attnames[0]

        def values(obj):
            return (getattr(obj, only),)

    else:
        values = attrgetter(*attnames)
    converted = [(i, to_db) for i, to_db in enumerate(converters) if to_db is not _identity]
    if not converted:
        return [values(obj) for obj in objects]
    rows: list[Sequence] = []
    for obj in objects:
        row = list(values(obj))
        for i, to_db in converted:
            row[i] = to_db(row[i], connection)
        rows.append(row)
    return rows


def statistics_tables(models_: Iterable[type[models.Model]]) -> list[str]:
    """The tables of ``models_``, each followed on PostgreSQL by the tables the database keeps
    from it by triggers (a model's ``TABLES_KEPT_BY_TRIGGERS``: the members' name words): a bulk
    load fills those too, and their index-only reads need the same statistics and visibility
    map."""
    postgresql = connections[DEFAULT_DB_ALIAS].vendor == "postgresql"
    tables = []
    for model in models_:
        tables.append(model._meta.db_table)
        if postgresql:
            tables += getattr(model, "TABLES_KEPT_BY_TRIGGERS", ())
    return tables


def refresh_statistics(models_: Iterable[type[models.Model]]) -> None:
    """After a bulk load, bring the planner's statistics up to date for ``models_``' tables.

    On PostgreSQL this is ``VACUUM ANALYZE``: without it the planner guesses one row for a
    freshly loaded table and the visibility map is empty, so subtree counts cannot use
    index-only scans (a province's page took 330 ms instead of 60). VACUUM cannot run in a
    transaction, so inside one (the demo's build, tests) it is a plain ``ANALYZE``, which
    samples the transaction's own new rows: the rest of the build then plans its joins on
    real row counts instead of guessing one row for a table of millions. The caller runs it
    again after the commit for the visibility map.
    """
    connection = connections[DEFAULT_DB_ALIAS]
    vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in statistics_tables(models_):
            cursor.execute(f"VACUUM ANALYZE {quote(table)}" if vacuum else f"ANALYZE {quote(table)}")
        if connection.vendor == "sqlite" and not connection.in_atomic_block:
            # The load went through the WAL: copy it into the database and give its disk back
            # (1.4 GB after the default demo), rather than waiting for a quiet moment.
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def compact_tables(models_: Iterable[type[models.Model]]) -> bool:
    """Rewrite ``models_``' tables and their indexes without the dead rows a long transaction
    left behind (PostgreSQL ``VACUUM (FULL, ANALYZE)``); returns whether it ran.

    A transaction that updates most rows of a table several times (the demo's simulated
    history) leaves a dead version of each row for every update, and nothing can reclaim them
    while it runs: after ``dangbo demo --members 500000`` the members' table held 1,467 MB of
    rows and 1,080 MB of indexes for 639,393 members, 302 MB and 300 MB once rewritten (22 s
    for the members and placements), and a search by one word read its index 53 → 22 ms
    (bench/results/load.md, 2026-12-07). A register kept over years is vacuumed between its
    changes and never gets there. The rewrite locks each table while it runs, so it is only for
    a build no one uses yet; only on PostgreSQL (SQLite reuses its free pages) and outside a
    transaction (VACUUM cannot run in one)."""
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return False
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in statistics_tables(models_):
            cursor.execute(f"VACUUM (FULL, ANALYZE) {quote(table)}")
    return True


def refresh_statistics_after(models_: Iterable[type[models.Model]], *, rows: int) -> bool:
    """The one way a bulk change refreshes the planner's statistics of the tables it filled:
    when it wrote ``rows`` >= ``BULK_ROWS``, ``refresh_statistics(models_)`` runs once the
    current transaction commits (at once outside one), so PostgreSQL vacuums as well as
    analyzes, and nothing runs if it rolls back. An ANALYZE that fails is logged, never the
    change's failure (``robust``): the change is committed by then. Returns whether it was
    scheduled."""
    if rows < BULK_ROWS:
        return False
    tables = tuple(models_)
    transaction.on_commit(lambda: refresh_statistics(tables), robust=True)
    return True


def path_prefix_cases(column: str, moves: Sequence[tuple[str, str]]) -> tuple[str, str, list]:
    """The pieces of one ``UPDATE table SET column = <case> WHERE <where>`` that replaces, for
    each (old path, new path) of a moved subtree root, the ``old`` prefix of the materialized
    path ``column`` (already quoted) with ``new``: the CASE expression, the WHERE clause and
    their parameters in that order. The range conditions (``column >= old AND column < old ||
    '~'``) are served by the path indexes on both databases. Each app that carries a path
    runs the statement on its own table (``orgs.sql``, ``members.sql``, ``candidates.sql``),
    for up to ``PATH_MOVES_PER_STATEMENT`` moves at a time; the ORM would read and save each
    row."""
    cases, where, params, where_params = [], [], [], []
    for old, new in moves:
        cases.append(f"WHEN {column} >= %s AND {column} < %s THEN %s || SUBSTR({column}, {len(old) + 1})")
        params += [old, old + paths.UPPER_BOUND, new]
        where.append(f"({column} >= %s AND {column} < %s)")
        where_params += [old, old + paths.UPPER_BOUND]
    return f"CASE {' '.join(cases)} ELSE {column} END", " OR ".join(where), params + where_params
