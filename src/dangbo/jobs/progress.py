"""A running job's progress, written where its page can read it while the job's own
transaction is still open (a plan's preview runs in one transaction and rolls it back).

PostgreSQL: a second connection of the worker, in autocommit, updates the job's row.
SQLite: one writer at a time, and the job's transaction holds the write lock, so the worker
writes a small JSON file next to the result files instead (``VAR_DIR/jobs/progress``); the
embedded database only ever runs on one machine, so the web process reads the same file.
"""

from __future__ import annotations

import json
import logging
import os
import time
from pathlib import Path

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections
from django.db.backends.base.base import BaseDatabaseWrapper

log = logging.getLogger("dangbo.jobs")

# Writes at most this often; the page polls every two seconds.
MIN_INTERVAL = 0.5


def _progress_file(job_id) -> Path:
    return Path(settings.VAR_DIR) / "jobs" / "progress" / f"{job_id}.json"


def uses_file() -> bool:
    return connection.vendor == "sqlite"


class Progress:
    """``progress(done, total, step)``: callable by a job's ``run`` as often as it likes."""

    def __init__(self, job_id, table: str) -> None:
        self.job_id = job_id
        self.table = table
        self._last = 0.0
        self._connection: BaseDatabaseWrapper | None = None

    def __call__(self, done: int, total: int | None = None, step: object = "") -> None:
        now = time.monotonic()
        if now - self._last < MIN_INTERVAL and (total is None or done < total):
            return
        self._last = now
        self.write(done, total, str(step or "")[:255])

    def write(self, done: int, total: int | None, step: str) -> None:
        if uses_file():
            path = _progress_file(self.job_id)
            path.parent.mkdir(parents=True, exist_ok=True)
            scratch = path.with_suffix(".tmp")
            scratch.write_text(json.dumps({"done": done, "total": total, "step": step}), encoding="utf-8")
            os.replace(scratch, path)
            return
        try:
            self._write_row(done, total, step)
        except DatabaseError:  # progress is for the page; it never stops the job
            log.warning("progress of job %s not written", self.job_id, exc_info=True)

    def _write_row(self, done: int, total: int | None, step: str) -> None:
        if self._connection is None:
            self._connection = connections.create_connection(DEFAULT_DB_ALIAS)
            with self._connection.cursor() as cursor:
                # never wait behind a lock on the job's row: skip this write instead
                cursor.execute("SET lock_timeout = '1s'")
        quote = self._connection.ops.quote_name
        sets, params = ["done = %s", "step = %s"], [done, step]  # type: list[str], list[int | str]
        if total is not None:
            sets.append("total = %s")
            params.append(total)
        with self._connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {quote(self.table)} SET {', '.join(sets)} WHERE id = %s", [*params, self.job_id]
            )

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
        _progress_file(self.job_id).unlink(missing_ok=True)


def read(job_id) -> dict | None:
    """The progress a running job wrote to its file (SQLite), or None."""
    if not uses_file():
        return None
    try:
        return json.loads(_progress_file(job_id).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
