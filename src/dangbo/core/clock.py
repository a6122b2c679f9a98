"""The one clock of the system: today's date and the current instant.

Every "today" in the code comes from here, never from ``date.today()`` or ``datetime.now()``
(ruff's DTZ rules refuse those outside this module). Two reasons:

* **One calendar.** Party decisions are dated in Vietnam. ``today()`` is the date in
  ``settings.TIME_ZONE`` (Asia/Ho_Chi_Minh), not the server's zone: a server on UTC would
  otherwise date a decision recorded at 06:30 in Hà Nội on the day before.
* **Tests can fix the date.** Tests move the clock with time-machine (the ``frozen_today``
  fixture in ``tests/conftest.py``); the code needs no parameter for it.
"""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone


def now() -> datetime:
    """The current instant, timezone-aware (UTC inside)."""
    return timezone.now()


def today() -> date:
    """Today's date in Vietnam (``settings.TIME_ZONE``)."""
    return timezone.localdate(timezone.now())
