"""Work on a copy of a SQLite database, so that long work which changes nothing in the end (a
restructuring plan's preview: applied, checked, rolled back) does not hold the one write lock.

On SQLite a transaction that writes holds the database's only write lock until it ends; a
preview of a province-wide plan would stop every other user's writes for minutes
(``jobs.middleware``). ``sqlite_snapshot`` copies the database with SQLite's backup API (one
consistent read, which takes no write lock), points the default connection at the copy for
the block and deletes the copy afterwards. Nothing written in the block reaches the real
database: the block must only compute (and roll back) what it reports.

It copies only where it can: on SQLite, on a database file, outside any transaction, in a
process whose other threads do not use the database meanwhile (the background worker runs
one job at a time). Elsewhere (PostgreSQL, where a long transaction blocks nobody's inserts;
tests, which run inside a transaction) it does nothing and the block runs on the database.
"""

from __future__ import annotations

import sqlite3
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connection

from dangbo.core import locks

STALE_SECONDS = 24 * 3600  # copies left by a process that died are deleted by the next one


def _folder() -> Path:
    folder = Path(settings.VAR_DIR) / "snapshots"
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)  # a copy holds the members' personal data, as the database does
    return folder


def _delete(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _delete_stale(folder: Path) -> None:
    cutoff = time.time() - STALE_SECONDS
    for path in folder.glob("*.sqlite3"):
        if path.stat().st_mtime < cutoff:
            _delete(path)


def can_copy() -> bool:
    name = str(connection.settings_dict.get("NAME", ""))
    return locks.single_writer() and not connection.in_atomic_block and "memory" not in name


@contextmanager
def sqlite_snapshot() -> Iterator[bool]:
    """Run the block on a copy of the database when it can (see the module); yields whether it does."""
    if not can_copy():
        yield False
        return
    folder = _folder()
    _delete_stale(folder)
    copy = folder / f"{uuid.uuid4().hex}.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(copy)
    try:
        connection.connection.backup(target)
    finally:
        target.close()
    copy.chmod(0o600)
    original = connection.settings_dict["NAME"]
    connection.close()
    connection.settings_dict["NAME"] = str(copy)
    try:
        yield True
    finally:
        connection.close()
        connection.settings_dict["NAME"] = original
        _delete(copy)
