"""Counts that a new version keeps in the tallies and an older one did not (the dues, the
yearly reviews, the counted members' changes by day and the flows by year, issue 24), filled once from the tables
after ``migrate``: otherwise an upgraded database's dashboard would read nothing for them until
someone ran ``dangbo check --aggregates --repair``. Run after every migration (``StatsConfig``'s
``post_migrate``); it costs five existence checks when there is nothing to fill. Done with
today's code on the migrated schema, not inside a migration, where the code of a later version
could meet an older schema."""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction

from dangbo.dues.models import DuesCellMonth
from dangbo.members.models import MemberEvent, Placement
from dangbo.ratings.models import MemberRating, OrgRating
from dangbo.stats import sql
from dangbo.stats.models import OrgTally
from dangbo.stats.tallies.dues import tally_dues_rebuild
from dangbo.stats.tallies.keys import (
    DUES_DIMENSIONS,
    RATING_DIMENSIONS,
    STOCK_FLOW_DIMENSIONS,
    YEAR_FLOW_DIMENSIONS,
)
from dangbo.stats.tallies.parts import recount_parts
from dangbo.stats.tallies.ratings import tally_ratings_rebuild


def _families() -> list[tuple[str, tuple[str, ...], Callable[[], bool], Callable[[], int]]]:
    return [
        ("đảng phí", DUES_DIMENSIONS, lambda: DuesCellMonth.objects.exists(), tally_dues_rebuild),
        (
            "đánh giá, xếp loại",
            RATING_DIMENSIONS,
            lambda: MemberRating.objects.exists() or OrgRating.objects.exists(),
            tally_ratings_rebuild,
        ),
        (
            "biến động đảng số theo ngày",
            STOCK_FLOW_DIMENSIONS,
            lambda: Placement.objects.filter(counted=True).exists(),
            tally_stock_flows_rebuild,
        ),
        (
            "biến động đảng viên theo năm",
            tuple(YEAR_FLOW_DIMENSIONS),
            lambda: MemberEvent.objects.exists(),
            tally_year_flows_rebuild,
        ),
    ]


def tally_stock_flows_rebuild() -> int:
    """The counted members' changes by day (``keys.STOCK_FLOW_DIMENSIONS``) recounted."""
    return _rebuild(STOCK_FLOW_DIMENSIONS)


def tally_year_flows_rebuild() -> int:
    """The flows by year (``keys.YEAR_FLOW_DIMENSIONS``) recounted."""
    return _rebuild(YEAR_FLOW_DIMENSIONS)


def _rebuild(dimensions) -> int:
    """Replace the rows of ``dimensions`` alone with a recount, in one transaction; returns the
    rows written. Counted part by part as the full recount is (``tallies.parts``), so memory
    stays that of one part whatever the size: held whole, a country's changes by day would not
    fit in a gigabyte."""
    wanted = set(dimensions)
    rows = 0
    with transaction.atomic():
        sql.tally_delete_all(dimensions=tuple(sorted(wanted)))
        for part in recount_parts():
            kept = {key: n for key, n in part.counts.items() if n and key[1] in wanted}
            sql.tally_insert(kept)
            rows += len(kept)
    return rows


def fill_missing_tallies(*, say: Callable[[str], None] = lambda text: None) -> list[str]:
    """Recount each family of counts that has data in its tables and no row in the tallies; the
    names of those filled."""
    if not OrgTally.objects.exists():  # a new database, or one never counted: nothing to add to
        return []
    filled = []
    for name, dimensions, has_data, rebuild in _families():
        if has_data() and not OrgTally.objects.filter(dimension__in=dimensions).exists():
            say(f"Đếm số liệu tổng hợp sẵn về {name} (lần đầu sau khi nâng cấp) ...")
            rows = rebuild()
            say(f"  {rows} dòng.")
            filled.append(name)
    return filled
