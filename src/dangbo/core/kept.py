"""Results computed from the register, kept in the process while the register is unchanged
(``core.data_version``): a province's dashboard is read by many officers between two changes
of its figures, and costs far more to compute than to serve again.

A kept result is served only under the version it was computed at, so it is never older than
the register: the first read after any commit computes afresh. Where there is no version
(SQLite, inside a transaction) nothing is kept and every read computes. Values are kept as
they are (not copied): callers must not change them. The least recently used go first.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

from dangbo.core.data_version import data_version

MAX_ENTRIES = 256

_T = TypeVar("_T")
_lock = threading.Lock()
_entries: OrderedDict = OrderedDict()
_version: list = [None]  # the latest version seen: entries of older ones can never be served


def kept(key: Hashable, compute: Callable[[], _T]) -> _T:
    """``compute()``, or what it returned for ``key`` at the register's present version."""
    version = data_version()
    if version is None:
        return compute()
    with _lock:
        # a thread that read the version before a commit another thread has already seen
        # neither reads nor keeps (its entries could never be served again)
        current = _version[0] is None or version >= _version[0]
        if current and _version[0] != version:
            _entries.clear()
            _version[0] = version
        if current and key in _entries:
            _entries.move_to_end(key)
            found: _T = _entries[key]
            return found
    value = compute()
    with _lock:
        if _version[0] == version:
            _entries[key] = value
            while len(_entries) > MAX_ENTRIES:
                _entries.popitem(last=False)
    return value


def forget() -> None:
    """Drop every kept result (tests)."""
    with _lock:
        _entries.clear()
        _version[0] = None
