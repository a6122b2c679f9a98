"""Password hashing, bounded so that it cannot starve page requests (issue 24).

An Argon2 hash is meant to be costly: on the 2-core test machine one takes about 0.2 s of a core
and 100 MB (Django's default parameters; bench/results/hashing.md). Fifty people signing in
at once used to hash fifty passwords at once: every server thread was busy hashing for seconds
and pages waited behind them.

Every hash and every check of a password (sign-in, a change of password, a new account, a
reset, recovery codes, the Django admin) goes through the hashers here, which let at most
``DANGBO_HASH_CONCURRENCY`` hashes run at once in a process. A request that finds them all busy
waits for one, at most ``DANGBO_HASH_WAIT_SECONDS``, and at most ``WAITING_PER_SLOT`` requests
per slot wait at once; any other gets ``HashingBusy`` at once, which
``accounts.middleware.HashingBusyMiddleware`` answers with 503, a Vietnamese message and
Retry-After. So hashing holds at most ``concurrency × (1 + WAITING_PER_SLOT)`` server threads,
and pages keep the rest.

The parameters of Argon2 are chosen from the measurements in bench/results/hashing.md and
written down in docs/operators.md. A hash made with other parameters (Django's defaults, before
issue 24) still verifies, and is re-made with these at the next successful sign-in.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher, PBKDF2PasswordHasher

# Requests that may wait for a free slot, per slot; others are told at once to come back.
WAITING_PER_SLOT = 3
RETRY_AFTER_SECONDS = 5


class HashingBusy(Exception):
    """Every hashing slot is taken and the wait ran out (or too many are waiting)."""


class HashingGate:
    """At most ``slots`` holders at once; at most ``max_waiting`` waiting, each ``timeout`` s."""

    def __init__(self, slots: int, max_waiting: int, timeout: float) -> None:
        self.slots, self.max_waiting, self.timeout = slots, max_waiting, timeout
        self._free = threading.BoundedSemaphore(slots)
        self._lock = threading.Lock()
        self.waiting = 0

    @contextmanager
    def held(self) -> Iterator[None]:
        if not self._free.acquire(blocking=False):
            with self._lock:
                if self.waiting >= self.max_waiting:
                    raise HashingBusy
                self.waiting += 1
            try:
                acquired = self._free.acquire(timeout=self.timeout)
            finally:
                with self._lock:
                    self.waiting -= 1
            if not acquired:
                raise HashingBusy
        try:
            yield
        finally:
            self._free.release()


_gate_lock = threading.Lock()
_gate: HashingGate | None = None


def hashing_gate() -> HashingGate:
    """The process's gate, made from the settings (again when they change: tests override them)."""
    global _gate
    slots = max(1, int(settings.DANGBO_HASH_CONCURRENCY))
    timeout = float(settings.DANGBO_HASH_WAIT_SECONDS)
    with _gate_lock:
        if _gate is None or (_gate.slots, _gate.timeout) != (slots, timeout):
            _gate = HashingGate(slots, slots * WAITING_PER_SLOT, timeout)
        return _gate


class _Bounded:
    """Runs the hasher's ``encode`` and ``verify`` (the costly calls) through the gate."""

    def encode(self, *args, **kwargs):
        with hashing_gate().held():
            return super().encode(*args, **kwargs)

    def verify(self, *args, **kwargs):
        with hashing_gate().held():
            return super().verify(*args, **kwargs)


class BoundedArgon2PasswordHasher(_Bounded, Argon2PasswordHasher):
    """Argon2id with the parameters measured for dangbo (bench/results/hashing.md)."""

    time_cost = 2
    memory_cost = 47_104  # KiB: 46 MiB
    parallelism = 1


class BoundedPBKDF2PasswordHasher(_Bounded, PBKDF2PasswordHasher):
    """Only to check (and re-make) passwords hashed with PBKDF2 before Argon2 was the default."""
