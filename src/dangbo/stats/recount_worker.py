"""A worker process of a full recount (``stats.tallies.parallel``).

Outside ``stats.tallies`` on purpose: a process started fresh imports this module to find its
functions before Django is set up, and importing the tallies' package reads models.
"""

from __future__ import annotations

import os
from datetime import date

# set by ``start``
_table = None
_upper: dict = {}
_today: date | None = None
_failed: BaseException | None = None  # a start that failed: raised by ``count``, to the parent


def start(database: dict, upper: dict, today: date) -> None:
    """The worker's start: Django set up on the parent's database, the organizations read.
    Never raises: a pool replaces a worker whose start fails, for ever; the error is given to
    the parent by the worker's first run instead."""
    global _table, _upper, _today, _failed
    try:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangbo.settings")
        import django

        django.setup()
        from django.db import connections

        connections["default"].settings_dict.update(database)
        from dangbo.stats.tallies.recount import org_table

        _table, _upper, _today = org_table(), upper, today
    except Exception as error:
        _failed = error


def count(run: tuple[str, str]) -> tuple[dict, set]:
    """One run's counts (not the zeros) and the members it found spanning runs."""
    if _failed is not None:
        raise RuntimeError(f"Tiến trình phụ đếm lại không khởi động được: {_failed!r}") from _failed
    from dangbo.stats.tallies.parts import _count_run

    counts, spanning = _count_run(_table, _upper, *run, _today)  # type: ignore[arg-type]
    return {key: n for key, n in counts.items() if n}, spanning
