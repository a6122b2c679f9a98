"""Every statement of ``stats`` written in SQL rather than through the ORM, in one place.

Each is here for speed, on both databases, and says why:

- ``driver_rows``: a ``values_list`` query's rows as the driver returns them, in chunks (the
  statistical forms count half a million rows; Django's per-value conversion cost more than
  the query);
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db import connections

_FETCH_ROWS = 50_000


def driver_rows(queryset) -> Iterator[list[tuple]]:
    """The rows of a ``values_list`` query as the database driver returns them, in chunks.

    Model conversion (UUIDs from text, dates from text on SQLite) costs more than the query
    itself at 500,000 rows; the callers count the raw rows and convert only distinct values."""
    connection = connections[queryset.db]
    sql, params = queryset.query.get_compiler(queryset.db).as_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while chunk := cursor.fetchmany(_FETCH_ROWS):
            yield chunk
