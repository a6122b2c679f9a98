"""SQLite has one writer at a time. These helpers let work that must not wait on a long writer
(a restructuring plan applied by the background worker holds the write lock for its whole
transaction) find out at once instead of waiting out the busy timeout (20 s, settings).

On PostgreSQL writers do not block each other's inserts, so everything here is a no-op there.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import OperationalError, connection

# How long a write that can go elsewhere (an audit row of a read, a seal) waits for the lock.
SHORT_WAIT_MS = 500


def single_writer() -> bool:
    """True when the database lets one writer at a time (SQLite)."""
    return connection.vendor == "sqlite"


def database_locked(error: BaseException) -> bool:
    """Whether ``error`` is SQLite's "database is locked" (the busy timeout ran out)."""
    return isinstance(error, OperationalError) and "locked" in str(error).lower()


def _busy_timeout_ms() -> int:
    return int(float(connection.settings_dict.get("OPTIONS", {}).get("timeout", 5)) * 1000)


@contextmanager
def short_wait(ms: int = SHORT_WAIT_MS) -> Iterator[None]:
    """Run the block with SQLite's busy timeout at ``ms`` (then back to the configured one), so a
    write that finds the lock held fails fast with "database is locked" (``database_locked``)."""
    if not single_writer():
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA busy_timeout = {int(ms)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA busy_timeout = {_busy_timeout_ms()}")


def write_lock_held() -> bool:
    """Whether another connection holds SQLite's write lock right now: a separate connection
    tries to take it without waiting and gives it back at once. False on PostgreSQL; True for an
    in-memory database, which no other connection can probe (tests)."""
    if not single_writer():
        return False
    name = str(connection.settings_dict.get("NAME", ""))
    if not name or "memory" in name:
        return True
    probe = sqlite3.connect(name, timeout=0, isolation_level=None)
    try:
        probe.execute("BEGIN IMMEDIATE")
        probe.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError as error:
        return "locked" in str(error).lower() or "busy" in str(error).lower()
    finally:
        probe.close()
