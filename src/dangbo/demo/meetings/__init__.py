"""The demo province's meeting history (issue 19): two years of cell life up to today, for every
cell, cell committee and grassroots committee, drawn on the province as it stands once its
history is simulated (``demo.timeline`` runs this last, in the same transaction and the same
deferred recount).

For each organization, deterministic for the seed (each has its own random source, named by
its code): the regular meeting of each month it existed, on about the same day each month —
a few cells in a hundred miss some months; a thematic meeting most quarters; its committee's
meeting a few days before; the grassroots committee's at the start of the month; attendance
of everyone on each roll that day; minutes, most signed, some amended; officials of the
committee above at some meetings; and the meetings to come — the rest of this month's, and
next month's for the cell — with their agendas posted, no attendance. See ``plan``, ``rows``
and ``texts`` for the rates and their reasons.

Memory stays bounded at any size: the placements are read a batch of organizations at a time,
and rows are written as they are made, a batch at a time (``writing``: COPY on PostgreSQL).
The application's tables are written directly, as the ledger's bulk paths do; the meetings'
pre-aggregates, if any, are rebuilt by the recount that ends ``tallies_deferred``.
"""

from __future__ import annotations

import random
import time
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction

from dangbo.audit.context import bulk_operation
from dangbo.audit.services import Action, audit_record
from dangbo.core import clock
from dangbo.core.bulk import refresh_statistics
from dangbo.core.formats import format_number
from dangbo.demo import sql
from dangbo.demo.generator import MEETING_TABLES
from dangbo.demo.meetings.loading import (
    drift_cells,
    load_holders,
    load_orgs,
    load_seats,
    load_standings,
    meeting_orgs,
)
from dangbo.demo.meetings.plan import month_starts
from dangbo.demo.meetings.rows import Context, OrgMeetings
from dangbo.demo.meetings.writing import Keys, Writer, indexes_set_aside
from dangbo.meetings.models import Meeting
from dangbo.stats.tallies import deferred, tallies_deferred

__all__ = ["MEETING_TABLES", "MeetingsSummary", "build_meetings", "window"]

MONTHS_BACK = 24
ORGS_PER_BATCH = 200


@dataclass
class MeetingsSummary:
    start: date
    end: date
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def __getitem__(self, name: str) -> int:
        return self.counts.get(name, 0)


def window(today: date) -> tuple[date, date]:
    """The first day of the month two years before today's, and the last day of next month."""
    index = today.year * 12 + today.month - 1  # months since the year 0, today's
    return _month(index - MONTHS_BACK), _month(index + 2) - timedelta(days=1)


def _month(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


def build_meetings(*, seed: int, progress=print) -> MeetingsSummary:
    """Write the meeting history up to today (``clock``) in one transaction, audited as one
    operation; the tallies are recounted at the end unless the caller recounts at its own."""
    started = time.monotonic()
    today, now = clock.today(), clock.now().astimezone(UTC).replace(microsecond=0)
    start, end = window(today)
    recount = not deferred()
    with transaction.atomic():
        with bulk_operation("demo"), tallies_deferred() if recount else nullcontext():
            summary = _build(seed=seed, today=today, now=now, start=start, end=end, progress=progress)
        audit_record(
            action=Action.DEMO_GENERATED,
            data={"meetings": f"{start.isoformat()}..{end.isoformat()}", "seed": seed, **summary.counts},
        )
    refresh_statistics(MEETING_TABLES)  # ANALYZE inside a caller's transaction; dangbo demo vacuums after
    summary.seconds = time.monotonic() - started
    c = summary.counts
    progress(
        f"  {format_number(c.get('meetings', 0))} buổi sinh hoạt, {format_number(c.get('attendance', 0))} lượt "
        f"điểm danh, {format_number(c.get('visitors', 0))} lượt cán bộ cấp trên dự, "
        f"{format_number(c.get('minutes', 0))} biên bản ({format_number(c.get('unsigned', 0))} chưa ký) "
        f"trong {format_number(summary.seconds)} giây."
    )
    return summary


def _build(*, seed: int, today: date, now: datetime, start: date, end: date, progress) -> MeetingsSummary:
    sql.sqlite_page_cache_enlarged()
    orgs = load_orgs(start)
    targets = meeting_orgs(orgs)
    progress(
        f"Tạo lịch sử sinh hoạt {start:%m/%Y}–{end:%m/%Y} của {format_number(len(targets))} chi bộ, "
        "đảng bộ cơ sở ..."
    )
    writer = Writer()
    ctx = Context(
        writer=writer,
        keys=Keys(random.Random(f"dangbo.demo.meetings.keys:{seed}"), _epoch_ms(start)),
        orgs=orgs,
        holders=load_holders(start),
        standings=load_standings(),
        drift_cells=drift_cells(orgs, random.Random(f"dangbo.demo.meetings.drift:{seed}").choice),
        months=month_starts(start, end),
        today=today,
        now=now,
        offset=now.astimezone(ZoneInfo(settings.TIME_ZONE)).utcoffset() or timedelta(0),
    )
    with indexes_set_aside(MEETING_TABLES):
        for first in range(0, len(targets), ORGS_PER_BATCH):
            batch = targets[first : first + ORGS_PER_BATCH]
            seats = load_seats([o.id for o in batch], start, end)
            for org in batch:
                rng = random.Random(f"dangbo.demo.meetings:{seed}:{org.code}")
                OrgMeetings(ctx, org, seats.get(org.id, []), rng).write()
        writer.flush()
        progress("  Lập chỉ mục ...")
    ctx.counts["meetings"] = writer.counts[Meeting]
    return MeetingsSummary(start=start, end=end, counts=dict(sorted(ctx.counts.items())))


def _epoch_ms(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp() * 1000)
