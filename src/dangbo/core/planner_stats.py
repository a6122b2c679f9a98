"""Whether the database's planner statistics of the main tables are missing or stale, for the
warning ``dangbo serve`` gives when it starts (``tables_without_statistics``).

Without statistics the planner guesses: straight after a bulk load of 500,000 members on a
server with autovacuum off, a search took 511 ms instead of 21 ms. The bulk changes refresh
them themselves (``core.bulk.refresh_statistics_after``); this catches a database loaded or
restored some other way, or one whose autovacuum never runs.

What is read costs nothing that grows with the data:
- PostgreSQL: ``pg_class`` (``reltuples`` is -1 until the first ANALYZE or VACUUM; ``relpages``
  is the size the last one saw) against the table's size on disk now (``pg_relation_size``).
  No statistics collector is involved: its counts are lost in a crash and lag a transaction.
- SQLite: ``sqlite_stat1`` (one row per index, its first number the table's rows when ANALYZE
  ran) against ``max(rowid)``, which the table's b-tree gives at once (members are never deleted,
  so it is close to the number of rows).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, connections, models

from dangbo.core.bulk import statistics_tables

# a table smaller than this is planned well enough without statistics
MIN_ROWS = 10_000
MIN_PAGES = 128  # PostgreSQL: 1 MB of 8 kB pages
# statistics taken when the table was less than 1/GROWTH of its size now are stale
GROWTH = 2


@dataclass(frozen=True)
class TableStatistics:
    table: str
    size: int  # rows (SQLite) or pages (PostgreSQL) now
    analyzed: int | None  # rows or pages when the statistics were taken; None: never

    @property
    def missing(self) -> bool:
        return self.analyzed is None


def tables_without_statistics(
    models_: Iterable[type[models.Model]], *, min_rows: int = MIN_ROWS, min_pages: int = MIN_PAGES
) -> list[TableStatistics]:
    """The tables of ``models_`` big enough to need planner statistics that have none, or whose
    statistics were taken when the table was less than half its size now."""
    connection = connections[DEFAULT_DB_ALIAS]
    tables = statistics_tables(models_)
    if connection.vendor == "postgresql":
        found = [_postgresql(connection, table) for table in tables]
        floor = min_pages
    elif connection.vendor == "sqlite":
        found = [_sqlite(connection, table) for table in tables]
        floor = min_rows
    else:
        return []
    return [
        t for t in found if t.size >= floor and (t.analyzed is None or t.size > GROWTH * t.analyzed + floor)
    ]


def _postgresql(connection, table: str) -> TableStatistics:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.reltuples, c.relpages, pg_relation_size(c.oid) / current_setting('block_size')::int "
            "FROM pg_class c WHERE c.oid = to_regclass(%s)",
            [connection.ops.quote_name(table)],
        )
        row = cursor.fetchone()
    if row is None:
        return TableStatistics(table, 0, 0)
    reltuples, relpages, pages = row
    return TableStatistics(table, int(pages), None if reltuples < 0 else int(relpages))


def _sqlite(connection, table: str) -> TableStatistics:
    quoted = connection.ops.quote_name(table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT max(rowid) FROM {quoted}")
        rows = cursor.fetchone()[0] or 0
        cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'")
        if cursor.fetchone() is None:
            return TableStatistics(table, rows, None)
        cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = %s", [table])
        stats = [r[0] for r in cursor.fetchall()]
    if not stats:
        return TableStatistics(table, rows, None)
    return TableStatistics(table, rows, max(int(stat.split()[0]) for stat in stats))
