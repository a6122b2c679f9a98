"""When the audit trail is sealed in a serving process (issue 24): by a thread of its own, never
by the request that wrote the row.

Sealing takes the one lock of the trail (``services.audit_seal``). When every request sealed
its own row after it committed, every page view waited its turn for that lock (0.28 requests
on average were waiting at 50 users) and, on SQLite, took the write lock a second time. In a
process that serves pages (``dangbo serve``, any WSGI server loading ``dangbo.wsgi``) or runs
the background worker, ``audit_record`` only notes that a row is waiting (``Sealer.note``,
after its transaction commits); this thread seals what is waiting:

- every ``DANGBO_AUDIT_SEAL_SECONDS`` (2 s) when rows are waiting, at once when
  ``PENDING_SOON`` are;
- every ``SWEEP_SECONDS`` whatever this process wrote, so that rows committed by a process that
  died before sealing them (and rows in the SQLite spool) are chained by the next one;
- when the process exits.

It never waits for the lock on PostgreSQL (``pg_try_advisory_xact_lock``) and only briefly on
SQLite: when another seal holds it, the rows stay noted and the next round takes them (the
holder may not see rows that committed after it began). Whatever happens, ``dangbo audit
seal|verify`` and the audit pages seal too. Chaining keeps every guarantee of
``services.audit_seal``; only its moment moves, by a few seconds.

Elsewhere (commands, tests, a shell) rows are sealed when their transaction commits, as before.

**Forks.** A pre-forking server (gunicorn's master loads ``dangbo.wsgi``, so the thread starts
there) must not hand the thread's open database connection to its children: SQLite's locks
belong to a process, and a child that inherits the parent's open file and SQLite's record of
its locks believes it holds locks it does not — it read pages a checkpoint was rewriting
(«database disk image is malformed», «disk I/O error», seen under load with 2 processes). So
the thread is stopped before every fork (its connection closed), started again after it in the
parent, and started afresh in the child on its first noted row (``os.register_at_fork``).
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.db import connection

logger = logging.getLogger("dangbo.audit")

PENDING_SOON = 200  # rows (transactions) waiting that wake the thread before its interval
SWEEP_SECONDS = 60.0


class Sealer:
    """The schedule of the seal in one process. ``seal()`` returns the rows sealed, or None when
    the lock was held by another seal."""

    def __init__(self, seal: Callable[[], int | None]) -> None:
        self._seal = seal
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._pid: int | None = None
        self._start_thread = True
        self.pending = 0
        self.enabled = False
        self._last_sweep = 0.0
        self._paused_for_fork = False
        self._fork_hooks = False

    def enable(self, *, start_thread: bool = True) -> None:
        """Seal in the background from now on, in this process. ``start_thread=False`` (tests):
        nothing runs by itself, ``run_once`` does one round."""
        self.enabled, self._start_thread = True, start_thread
        if start_thread:
            if not self._fork_hooks and hasattr(os, "register_at_fork"):  # (not on Windows)
                os.register_at_fork(
                    before=self.before_fork,
                    after_in_parent=self.after_fork_in_parent,
                    after_in_child=self.after_fork_in_child,
                )
                self._fork_hooks = True
            self._ensure_thread()
            if not getattr(self, "_atexit", False):
                atexit.register(self.close)
                self._atexit = True

    def disable(self) -> None:
        self.enabled = False
        self._stop.set()
        self._wake.set()
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(10)
        self._stop.clear()
        with self._lock:
            self.pending = 0

    def note(self, rows: int = 1) -> None:
        """``rows`` committed rows wait to be sealed."""
        with self._lock:
            self.pending += rows
            soon = self.pending >= PENDING_SOON
        if self._start_thread:
            self._ensure_thread()
            if soon:
                self._wake.set()

    def run_once(self, *, sweep: bool = False) -> int | None:
        """One round: seal when rows are waiting (or ``sweep``). Returns the rows sealed (0 when
        nothing was due), None when another seal held the lock; the rows then stay noted."""
        with self._lock:
            pending, self.pending = self.pending, 0
        if not pending and not sweep:
            return 0
        try:
            sealed = self._seal()
        except Exception:
            logger.exception("audit: background seal failed; the rows wait for the next one")
            sealed = None
        if sealed is None:
            with self._lock:
                self.pending += max(pending, 1)
        return sealed

    def close(self) -> None:
        """At exit: stop the thread, seal what this process left waiting."""
        if not self.enabled:
            return
        self.disable()
        try:
            self._seal()
        except Exception:
            logger.warning("audit: no seal at exit; the next seal takes the rows", exc_info=True)

    # --- forks (see the module's docstring) ----------------------------------------------------

    def before_fork(self) -> None:
        """Stop this process's thread, which closes its connection, before the process forks."""
        thread = self._thread
        if thread is None or self._pid != os.getpid() or not thread.is_alive():
            return
        if thread is threading.current_thread():  # (a fork from the thread itself: nothing to do)
            return
        self._stop.set()
        self._wake.set()
        thread.join(10)
        self._stop.clear()
        self._thread, self._paused_for_fork = None, True

    def after_fork_in_parent(self) -> None:
        if self._paused_for_fork:
            self._paused_for_fork = False
            if self.enabled and self._start_thread:
                self._ensure_thread()

    def after_fork_in_child(self) -> None:
        """The child starts its own thread on the first row it notes (``note``)."""
        self._paused_for_fork = False
        self._thread = None

    # --- the thread --------------------------------------------------------------------------

    def _ensure_thread(self) -> None:
        if self._thread is not None and self._pid == os.getpid() and self._thread.is_alive():
            return
        with self._lock:
            if self._thread is not None and self._pid == os.getpid() and self._thread.is_alive():
                return
            self._pid = os.getpid()
            self._thread = threading.Thread(target=self._run, name="dangbo-audit-sealer", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        interval = float(settings.DANGBO_AUDIT_SEAL_SECONDS)
        try:
            while not self._stop.is_set():
                now = time.monotonic()
                sweep = now - self._last_sweep >= SWEEP_SECONDS
                if sweep:
                    self._last_sweep = now
                self.run_once(sweep=sweep)
                connection.close_if_unusable_or_obsolete()  # CONN_MAX_AGE, as after a request
                self._wake.wait(interval)
                self._wake.clear()
        finally:
            connection.close()  # this thread's own connection
