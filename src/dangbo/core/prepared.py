"""Queries planned for their parameters every time, on a connection that otherwise prepares
its repeated queries (``settings.prepared_statements``).

After five runs of a prepared query PostgreSQL may keep one generic plan, made without the
parameters' values, when its estimate is no dearer than the plans made for them
(``plan_cache_mode`` auto). For the tallies' range reads — organizations ``IN (…)``, dimensions
``IN (…)``, a range of days — the generic plan of a list of 34 provinces and 12 kinds left the
dimensions out of the index condition and walked every row the organizations have: 105 ms
instead of 1 ms, and a national officer's home page went from 50 ms to 470 ms on its sixth view.
Turning generic plans off for the whole connection would cost the page's small queries their
saving (a member profile's SQL: 3 ms prepared, 11 ms planned each time); so only such reads are
run unprepared.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connections


@contextmanager
def planned_each_time(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Within the block, the connection's queries are sent unprepared (psycopg's
    ``prepare_threshold`` None), so PostgreSQL plans each for its parameters. Evaluate the
    querysets inside the block. Nothing changes on SQLite or without prepared statements."""
    wrapper = connections[using]
    if wrapper.vendor != "postgresql":
        yield
        return
    wrapper.ensure_connection()
    raw = wrapper.connection
    previous = getattr(raw, "prepare_threshold", None)
    if previous is None:  # not preparing anyway (DANGBO_DB_PREPARE=0)
        yield
        return
    raw.prepare_threshold = None
    try:
        yield
    finally:
        raw.prepare_threshold = previous
