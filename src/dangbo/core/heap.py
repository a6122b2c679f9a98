"""What a serving process does with the objects it made while starting: it moves them out of
the garbage collector's reach (``gc.freeze``).

A full collection (Python's oldest generation) walks every object the collector tracks and
holds the interpreter meanwhile, so every thread of the process waits. Most of those objects
are made at start-up and live as long as the process (modules, Django's models, URL patterns,
settings). Measured on the default demo in PostgreSQL, the province's dashboard viewed twelve
times in one process: about 100 ms a view, and 171–176 ms for the view during which a full
collection ran (one in nine); with the objects frozen after the first view, none of the twelve
took over 110 ms.
A pre-forking server (gunicorn loads ``dangbo.wsgi`` before it forks) also keeps the frozen
objects' memory shared between its processes, as the collector no longer writes to them.
"""

from __future__ import annotations

import gc


def settle_startup_heap() -> int:
    """Load what the first requests would (every view, through the URL configuration), collect
    the garbage of start-up, and freeze what remains; the objects frozen."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018  (imports every view module)
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
