"""Writing the demo's meetings in bulk (``demo.meetings``): rows are buffered per table and
written a batch at a time — on PostgreSQL with ``COPY … FROM STDIN``, on SQLite with one
prepared INSERT through ``executemany`` — inside the demo's transaction, without signals,
``save()`` or per-value field conversion (a province has millions of attendance rows).

The rows are tuples in the order of ``COLUMNS``; the values are already what the database
stores (dates and instants as ISO text, ``stamp``). ``Writer`` checks once that ``COLUMNS`` names every column of
each model, so a field added to a meetings model fails here instead of writing bad rows.

While the rows are written, the tables' plain indexes (those that enforce no constraint) are
set aside and built again at the end, in the same transaction (``indexes_set_aside``):
sorting millions of keys once costs far less than inserting each into a B-tree at a random
place; a unique index among them is checked when it is built again. The primary keys and
the unique constraints stay in place throughout.

Keys are deterministic for a seed and increase in the order rows are made (``Keys``, laid
out as a UUID version 7 whose time is a fixed instant plus a counter): each index on a key
grows at its end instead of at random places, which is most of the cost of a large load.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from django.db import connection, models

from dangbo.meetings.models import Attendance, Meeting, MeetingVisitor, Minutes, MinutesAmendment

COLUMNS: dict[type[models.Model], tuple[str, ...]] = {
    Meeting: (
        "id",
        "org_id",
        "body",
        "kind",
        "topic",
        "held_on",
        "month",
        "place",
        "mode",
        "online_link",
        "online_reason",
        "unable_in_person",
        "members_counted",
        "agenda",
        "agenda_posted_at",
        "presided_by_id",
        "recorded_by_id",
        "created_by_id",
        "created_at",
        "updated_at",
    ),
    Attendance: ("id", "meeting_id", "member_id", "status", "reason", "guest", "recorded_at"),
    MeetingVisitor: ("id", "meeting_id", "name", "position", "org_id", "org_text", "created_at"),
    Minutes: (
        "id",
        "meeting_id",
        "content",
        "opinions",
        "resolution",
        "signed_at",
        "signed_by_id",
        "created_at",
        "updated_at",
    ),
    MinutesAmendment: ("id", "minutes_id", "text", "reason", "created_by_id", "created_at"),
}
# Meetings first: the other tables point at them (the constraints are deferred anyway).
ORDER = (Meeting, Minutes, MinutesAmendment, MeetingVisitor, Attendance)

FLUSH_ROWS = 20_000


class Keys:
    """Deterministic, increasing UUIDs (version 7 layout) as 32 hex digits, which both
    databases take for a UUID column, handed out in blocks: a block's first 16 digits hold a
    fixed instant plus a counter (time and ``rand_a``), its last 16 the variant, a seeded
    random part and the key's index in the block — ``prefix + f"{base + i:016x}"`` for
    ``i`` below 65,536 (one meeting's rows take one block)."""

    def __init__(self, rng: random.Random, epoch_ms: int):
        self.rng = rng
        self.epoch_ms = epoch_ms
        self.n = 0

    def block(self) -> tuple[str, int]:
        n = self.n
        self.n = n + 1
        high = ((self.epoch_ms + (n >> 12)) << 16) | (0x7 << 12) | (n & 0xFFF)
        return f"{high:016x}", (0b10 << 62) | (self.rng.getrandbits(46) << 16)


class Writer:
    """Buffers rows of the models of ``columns`` (the meetings' by default; ``demo.dues`` passes
    its own), written in the order of ``order``, each to its model's table or to the table
    ``tables`` names for it (a staging table)."""

    def __init__(
        self,
        columns: dict[type[models.Model], tuple[str, ...]] | None = None,
        order: tuple[type[models.Model], ...] | None = None,
        tables: dict[type[models.Model], str] | None = None,
    ) -> None:
        self.columns = COLUMNS if columns is None else columns
        self.order = ORDER if order is None else order
        self.tables = tables or {}
        self.postgres = connection.vendor == "postgresql"
        self.length = 25 if self.postgres else 19  # "YYYY-MM-DD HH:MM:SS" and "+00:00"
        for model, names in self.columns.items():
            expected = {f.column for f in model._meta.concrete_fields}
            if set(names) != expected:
                raise RuntimeError(
                    f"demo.meetings: the columns of {model.__name__} changed: {sorted(expected)}"
                )
        self.buffers: dict[type[models.Model], list[tuple]] = {model: [] for model in self.order}
        self.counts: dict[type[models.Model], int] = dict.fromkeys(self.order, 0)
        self.pending = 0

    # --- values as the database stores them --------------------------------------------------

    def stamp(self, value: datetime | None) -> str | None:
        """An instant in UTC, in whole seconds, as text: as Django writes it for SQLite
        (no offset), with its offset for PostgreSQL's COPY."""
        if value is None:
            return None
        return value.isoformat(" ")[: self.length]

    # --- buffering and writing ----------------------------------------------------------------

    def add(self, model: type[models.Model], row: tuple) -> None:
        self.buffers[model].append(row)
        self.pending += 1

    def extend(self, model: type[models.Model], rows: list[tuple]) -> None:
        self.buffers[model].extend(rows)
        self.pending += len(rows)

    def maybe_flush(self) -> None:
        if self.pending >= FLUSH_ROWS:
            self.flush()

    def flush(self) -> None:
        with connection.cursor() as cursor:
            for model in self.order:
                rows = self.buffers[model]
                if not rows:
                    continue
                self._write(cursor, model, rows)
                self.counts[model] += len(rows)
                self.buffers[model] = []
        self.pending = 0

    def _write(self, cursor, model: type[models.Model], rows: list[tuple]) -> None:
        quote = connection.ops.quote_name
        table = quote(self.tables.get(model, model._meta.db_table))
        columns = ", ".join(quote(c) for c in self.columns[model])
        if self.postgres:
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(self.columns[model]))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", rows)


@contextmanager
def indexes_set_aside(models) -> Iterator[None]:
    """Drop the plain indexes of ``models``' tables, and create them again on the way out
    (inside the caller's transaction: a failure rolls both back)."""
    saved: list[str] = []
    with connection.cursor() as cursor:
        for model in models:
            for name, definition in _plain_indexes(cursor, model._meta.db_table):
                cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
                saved.append(definition)
    yield
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # PostgreSQL builds no index on a table with foreign-key checks still pending (they
            # are deferred to the commit): run them now, then defer again.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for definition in saved:
            cursor.execute(definition)
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _plain_indexes(cursor, table: str) -> list[tuple[str, str]]:
    """(name, CREATE statement) of the indexes of ``table`` that back no primary key or
    constraint: SQLite's own (``sqlite_autoindex_…``) have no statement."""
    if connection.vendor == "postgresql":
        cursor.execute(
            "SELECT i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x "
            "JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid "
            "WHERE t.relname = %s AND t.relnamespace = 'public'::regnamespace AND NOT x.indisprimary "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid) "
            "ORDER BY i.relname",
            [table],
        )
    else:
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL "
            "ORDER BY name",
            [table],
        )
    return list(cursor.fetchall())
