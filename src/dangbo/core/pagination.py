"""Pagination that never counts a whole province.

Counting every row a broad search matches ("anh" matches one member in eight) costs more
than finding the 50 rows of a page: the count must visit each match, the page stops at 50.
``CappedPaginator`` counts at most ``cap`` rows; beyond that the page says "more than
1.000" and invites a narrower search or an export (which streams every row). Exact figures
for a whole subtree belong to the figures and statistics pages, which read counts built
for the purpose. On 500,000 members, counting 10,000 scattered matches took 90 ms on
PostgreSQL; 1,000 take a tenth of that (bench/results/pages.md).
"""

from __future__ import annotations

from typing import Any, cast

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property

COUNT_CAP = 1_000


class CappedPaginator(Paginator):
    def __init__(
        self, object_list, per_page, *, cap: int | None = None, known_count: int | None = None, **kwargs
    ):
        """``cap``: default COUNT_CAP. ``known_count``: the exact count when the caller has it
        for free (no cap then)."""
        super().__init__(object_list, per_page, **kwargs)
        cap = COUNT_CAP if cap is None else cap
        self.cap = cap if known_count is None else max(cap, known_count)
        self._known_count = known_count

    @cached_property
    def _counted(self) -> int:
        if self._known_count is not None:
            return self._known_count
        if isinstance(self.object_list, list):  # the first rows, read at most cap + 1 of them
            return len(self.object_list)
        # given a queryset: count at most cap + 1 rows
        return cast("QuerySet[Any]", self.object_list)[: self.cap + 1].count()

    @cached_property
    def count(self) -> int:
        """The number of rows, or ``cap`` when there are more (see ``capped``)."""
        return min(self._counted, self.cap)

    @property
    def capped(self) -> bool:
        """True when there are more rows than ``count`` says."""
        return self._counted > self.cap
