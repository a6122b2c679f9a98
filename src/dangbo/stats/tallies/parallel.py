"""The runs of a full recount (``tallies.parts``) counted by worker processes, on PostgreSQL.

A run is counted by Python (the members' flows, the grouped counts spread over the organizations
above) while the database waits, and the database answers while Python waits: one process keeps
about one of the machine's cores busy. Workers count the next runs while the process that asked
writes or compares the last one (``recount.tally_rebuild``, ``recount.tally_differences``), each
with a connection of its own.

A worker sees only what is committed, so this is used only where the recount reads nothing the
asking transaction has changed: ``tally_differences`` outside a transaction, and
``tally_rebuild`` when it is its own transaction (it deletes the counts, which no run reads).
The recount at the end of bulk work (``tallies_deferred``: the demo's build, inside its
transaction) reads members that are not committed yet: it counts in its own process.

The workers are started fresh (``spawn``, not ``fork``: a forked child would share the parent's
database socket), are given the parent's database settings (the tests' database has its own
name) and its day (the flags are judged on the day's rules, and tests move the day), and each
reads the organizations once (``stats.recount_worker``). ``DANGBO_RECOUNT_WORKERS`` sets how
many (default: the machine's cores, at most 4; 1 counts in the asking process).
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
from collections import deque
from collections.abc import Iterator
from datetime import date

from django.conf import settings
from django.db import connection

from dangbo.stats import recount_worker

MAX_DEFAULT_WORKERS = 4


def recount_workers() -> int:
    """How many processes count the runs: 1 where workers cannot be used."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return 1
    configured = getattr(settings, "DANGBO_RECOUNT_WORKERS", None)
    if configured is not None:
        return max(1, int(configured))
    return max(1, min(MAX_DEFAULT_WORKERS, os.cpu_count() or 1))


def _database_settings() -> dict:
    database = dict(connection.settings_dict)
    options = dict(database.get("OPTIONS") or {})
    options.pop("pool", None)  # a worker holds one connection
    database["OPTIONS"] = options
    return database


def counted_runs(
    ranges: list[tuple[str, str]], upper: dict, today: date, workers: int
) -> Iterator[tuple[dict, set]]:
    """Each run's counts (own and the upper organizations' shares) and the members it found
    spanning runs, in the order of ``ranges``, counted by ``workers`` processes."""
    context = multiprocessing.get_context("spawn")
    with context.Pool(
        processes=min(workers, len(ranges)),
        initializer=recount_worker.start,
        initargs=(_database_settings(), upper, today),
    ) as pool:
        # at most two runs asked of each worker at a time: a run's counts are
        # held until they are written, so the parent's memory stays a few runs' whatever the
        # number of runs (``Pool.imap`` would queue every finished run)
        pending: deque = deque()
        runs = iter(ranges)
        for run in itertools.islice(runs, 2 * workers):
            pending.append(pool.apply_async(recount_worker.count, (run,)))
        while pending:
            counted = pending.popleft().get()
            for run in itertools.islice(runs, 1):
                pending.append(pool.apply_async(recount_worker.count, (run,)))
            yield counted
