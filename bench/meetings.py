"""Cell meetings at province scale (issue 19): recording a cell's attendance, and the meeting
indicators of the province, its districts and its communes.

Usage (PostgreSQL, a generated province of 500,000 members):

    DANGBO_DATABASE_URL=postgres://postgres@127.0.0.1:5432/dangbo_bench500 \\
        .venv/bin/dangbo demo --no-serve --members 500000        # once
    DANGBO_DATABASE_URL=postgres://postgres@127.0.0.1:5432/dangbo_bench500 \\
        .venv/bin/python bench/meetings.py [--runs 150] [--requests 100] [--check-recount]

When the database holds no meeting yet, the bench first writes a synthetic history of 24 whole
months (to the month before today) for every cell, through PostgreSQL's COPY: a regular meeting
each month the cell existed (about 3 % missed), a thematic one in most quarters, attendance of
the members counted in the cell on the day (most present, some excused, a few absent without
reason, some members often), and higher-level officials at a few meetings; then it rebuilds the
meeting counts (``tally_meetings_rebuild``). The history is kept: the next run measures at once.

Then it measures, in this process (the server's time, without the network):

(a) ``meetings.services.attendance_record`` for a cell of 30 members: each run schedules an
    extraordinary meeting of a different cell (not timed), then records its 30 members (timed:
    the service, its tally update and the commit). The bench's meetings are removed at the end
    and the meeting counts rebuilt;
(b) the five meeting indicators of the registry for a root and each of its children (what the
    indicator page computes), with a fresh report context each time, for the province, its
    districts and blocs, and communes (grassroots committees) — the default period, 1 January to
    today; and the dashboard page of the province (every indicator) as the provincial leader.
It also times the meeting drill-downs and the to-do list once each, for the record.

Targets: (a) under 150 ms; (b) under 50 ms p95. Results are appended to
bench/results/meetings.md and meetings.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import time
import uuid
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangbo.settings")
os.environ.setdefault("DANGBO_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/dangbo_bench500")
os.environ.setdefault("DANGBO_REQUIRE_2FA", "0")  # the demo's leader signs in with a password alone

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402

from dangbo.accounts.scope import SYSTEM  # noqa: E402
from dangbo.core import clock  # noqa: E402
from dangbo.core.kinds import CELL_KINDS, OrgKind  # noqa: E402
from dangbo.meetings import services  # noqa: E402
from dangbo.meetings.models import (  # noqa: E402
    AbsenceReason,
    Attendance,
    AttendanceStatus,
    Body,
    Meeting,
    MeetingKind,
    MeetingVisitor,
)
from dangbo.meetings.selectors import meeting_roll  # noqa: E402
from dangbo.members.models import ACTIVE_STATUSES, Member, Placement  # noqa: E402
from dangbo.members.selectors.todo import due_items  # noqa: E402
from dangbo.orgs.models import Org  # noqa: E402
from dangbo.stats.drilldown import DRILLS  # noqa: E402
from dangbo.stats.frames import frame_for  # noqa: E402
from dangbo.stats.indicators import BY_CODE, context_for, evaluate  # noqa: E402
from dangbo.stats.tallies import tally_differences, tally_meetings_rebuild  # noqa: E402

CODES = (
    "meetings.monthly_held_share",
    "meetings.thematic_quarterly_share",
    "meetings.attendance_rate",
    "meetings.members_unexcused",
    "meetings.higher_level_visits",
)
MONTHS = 24
BENCH_PLACE = "bench/meetings.py"  # marks the meetings (a) schedules, removed at the end
EXCUSES = [
    r.value
    for r in (
        AbsenceReason.ILLNESS,
        AbsenceReason.ON_DUTY,
        AbsenceReason.WORKING_AWAY,
        AbsenceReason.EXEMPTED,
    )
]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def summary(name: str, times: list[float]) -> dict:
    row = {
        "case": name,
        "runs": len(times),
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(percentile(times, 0.95), 1),
        "max_ms": round(max(times), 1),
    }
    print(row, flush=True)
    return row


# --- the synthetic history ----------------------------------------------------------------------


def _months(today: date) -> list[date]:
    first = today.replace(day=1)
    out = []
    for back in range(MONTHS, 0, -1):
        year, month = divmod(first.year * 12 + first.month - 1 - back, 12)
        out.append(date(year, month + 1, 1))
    return out


def _copy(cursor, table: str, columns: list[str], rows) -> int:
    n = 0
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            n += 1
    return n


def build_history(rng: random.Random) -> dict:
    """Write the synthetic history (see the module docstring); returns its counts and time."""
    started = time.perf_counter()
    today = clock.today()
    months = _months(today)
    first, last = months[0], months[-1] + timedelta(days=31)
    cells = list(
        Org.objects.filter(kind__in=list(CELL_KINDS)).values_list("id", "created_on", "dissolved_on")
    )
    spans: dict = defaultdict(list)
    placements = Placement.objects.filter(counted=True, valid_from__lt=last).exclude(valid_to__lt=first)
    for org_id, member_id, valid_from, valid_to in placements.values_list(
        "org_id", "member_id", "valid_from", "valid_to"
    ).iterator(chunk_size=50000):
        spans[org_id].append((member_id, valid_from, valid_to))
    # one member in a hundred is often absent without reason (about three months in ten)
    members = Member.objects.values_list("id", flat=True).order_by("id")
    often_absent = {m for m in members.iterator(chunk_size=50000) if rng.random() < 0.01}
    now = datetime.now(UTC)
    counts = {"meetings": 0, "attendance": 0, "visitors": 0}
    meeting_rows, attendance_rows, visitor_rows = [], [], []

    def roll(org_id, day):
        return [m for m, f, t in spans.get(org_id, ()) if f <= day and (t is None or day < t)]

    def status_of(member_id) -> tuple[str, str]:
        draw = rng.random()
        unexcused = 0.3 if member_id in often_absent else 0.015
        if draw < unexcused:
            return "absent_unexcused", ""
        if draw < unexcused + 0.05:
            return "absent_excused", rng.choice(EXCUSES)
        return "present", ""

    def meeting(org_id, kind, day, topic=""):
        meeting_id = uuid.uuid4()
        meeting_rows.append(
            (
                meeting_id,
                org_id,
                "chi_bo",
                kind,
                topic,
                day,
                day.replace(day=1),
                "",
                "in_person",
                "",
                "",
                "",
                now,
                now,
            )
        )
        for member_id in roll(org_id, day):
            status, reason = status_of(member_id)
            attendance_rows.append((uuid.uuid4(), meeting_id, member_id, status, reason, False, now))
        if rng.random() < 0.03:
            for n in range(rng.choice((1, 2))):
                visitor_rows.append(
                    (
                        uuid.uuid4(),
                        meeting_id,
                        f"Cán bộ cấp trên {n + 1}",
                        "Ủy viên Ban Thường vụ",
                        "Tỉnh ủy",
                        now,
                    )
                )

    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg's own cursor: COPY

        def flush():
            counts["meetings"] += _copy(
                raw,
                Meeting._meta.db_table,
                [
                    "id",
                    "org_id",
                    "body",
                    "kind",
                    "topic",
                    "held_on",
                    "month",
                    "place",
                    "mode",
                    "online_link",
                    "online_reason",
                    "agenda",
                    "created_at",
                    "updated_at",
                ],
                meeting_rows,
            )
            counts["attendance"] += _copy(
                raw,
                Attendance._meta.db_table,
                ["id", "meeting_id", "member_id", "status", "reason", "guest", "recorded_at"],
                attendance_rows,
            )
            counts["visitors"] += _copy(
                raw,
                MeetingVisitor._meta.db_table,
                ["id", "meeting_id", "name", "position", "org_text", "created_at"],
                visitor_rows,
            )
            meeting_rows.clear()
            attendance_rows.clear()
            visitor_rows.clear()

        with transaction.atomic():
            for org_id, created_on, dissolved_on in cells:
                for month in months:
                    day = month.replace(day=rng.randint(3, 25))
                    alive = created_on <= day and (dissolved_on is None or day < dissolved_on)
                    if alive and rng.random() >= 0.03:
                        meeting(org_id, "regular", day)
                    thematic_day = month.replace(day=rng.randint(3, 25))
                    alive = created_on <= thematic_day and (
                        dissolved_on is None or thematic_day < dissolved_on
                    )
                    if alive and month.month % 3 == 2 and rng.random() < 0.85:
                        meeting(org_id, "thematic", thematic_day, "Chuyên đề học tập và làm theo Bác")
                if len(attendance_rows) > 200_000:
                    flush()
            flush()
        cursor.execute("ANALYZE meetings_meeting, meetings_attendance, meetings_meetingvisitor")
    written = time.perf_counter() - started
    print(f"history written: {counts} in {written:.0f} s", flush=True)
    started = time.perf_counter()
    rows = tally_meetings_rebuild()
    rebuilt = time.perf_counter() - started
    print(f"meeting counts rebuilt: {rows:,} rows in {rebuilt:.0f} s", flush=True)
    return {**counts, "write_seconds": round(written, 1), "rebuild_seconds": round(rebuilt, 1), "rows": rows}


# --- (a) attendance -----------------------------------------------------------------------------


def bench_attendance(rng: random.Random, runs: int) -> dict | None:
    today = clock.today()
    sized = (
        Member.objects.filter(status__in=ACTIVE_STATUSES, org__kind__in=list(CELL_KINDS))
        .values_list("org_id")
        .annotate(n=Count("id"))
        .filter(n__gte=30)
        .values_list("org_id", flat=True)
    )
    cells = list(Org.objects.filter(pk__in=list(sized), dissolved_on__isnull=True))
    rng.shuffle(cells)
    day = today - timedelta(days=1)
    times = []
    for cell in cells:
        if len(times) >= runs:
            break
        roll = sorted(meeting_roll(org=cell, body=Body.CHI_BO, on=day).members)[:30]
        if len(roll) < 30:
            continue
        details = services.MeetingDetails(
            body=Body.CHI_BO, kind=MeetingKind.EXTRAORDINARY, held_on=day, place=BENCH_PLACE
        )
        meeting = services.meeting_schedule(actor=SYSTEM, org=cell, details=details)
        entries = {}
        for i, member_id in enumerate(roll):
            draw = (i * 7 + rng.randint(0, 29)) % 30
            entries[member_id] = (
                (AttendanceStatus.ABSENT_UNEXCUSED, "")
                if draw == 0
                else (AttendanceStatus.ABSENT_EXCUSED, AbsenceReason.ILLNESS)
                if draw < 3
                else (AttendanceStatus.PRESENT, "")
            )
        started = time.perf_counter()
        services.attendance_record(actor=SYSTEM, meeting=meeting, entries=entries)
        times.append((time.perf_counter() - started) * 1000)
    if not times:
        print("no cell of 30 members: attendance not measured", flush=True)
        return None
    return summary("attendance_record, 30 members, new meeting (service + tallies + commit)", times)


def remove_bench_meetings() -> None:
    with transaction.atomic():
        bench = Meeting.objects.filter(place=BENCH_PLACE)
        Attendance.objects.filter(meeting__in=bench).delete()
        MeetingVisitor.objects.filter(meeting__in=bench).delete()
        bench.delete()
    tally_meetings_rebuild()


# --- (b) the indicators -------------------------------------------------------------------------


def indicators_once(org: Org, *, children: bool = True) -> float:
    started = time.perf_counter()
    ctx = context_for(frame_for(root=org), with_children=children)
    for code in CODES:
        for target in [org, *ctx.children]:
            evaluate(ctx, BY_CODE[code], target)
    return (time.perf_counter() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=150, help="attendance recordings")
    parser.add_argument("--requests", type=int, default=100, help="indicator evaluations per level")
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument("--check-recount", action="store_true", help="also run check --aggregates (minutes)")
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = ["*"]
    rng = random.Random(args.seed)
    history = {}
    if not Meeting.objects.exists():
        history = build_history(rng)
    cases = []
    province = Org.objects.get(parent__isnull=True)
    levels = {
        "province": [province],
        "district or bloc": list(Org.objects.filter(parent=province, dissolved_on__isnull=True)),
        "commune (grassroots committee)": list(
            Org.objects.filter(kind=OrgKind.GRASSROOTS_COMMITTEE, dissolved_on__isnull=True).order_by("?")[
                :200
            ]
        ),
    }
    for orgs in levels.values():  # warm up
        indicators_once(orgs[0])
    for name, orgs in levels.items():
        times = [indicators_once(rng.choice(orgs)) for _ in range(args.requests)]
        cases.append(summary(f"meeting indicators, {name} and its children", times))
    times = [indicators_once(province, children=False) for _ in range(args.requests)]
    cases.append(summary("meeting indicators, the province alone (what the dashboard adds)", times))
    client = Client()
    client.force_login(get_user_model().objects.get(username="lanhdao"))
    url = f"/to-chuc/{province.pk}/chi-tieu/"
    client.get(url)
    times = []
    for _ in range(max(20, args.requests // 5)):
        started = time.perf_counter()
        assert client.get(url).status_code == 200
        times.append((time.perf_counter() - started) * 1000)
    cases.append(summary("dashboard page of the province (every indicator, as the leader)", times))
    attendance = bench_attendance(rng, args.runs)
    if attendance is not None:
        cases.append(attendance)
    once = []
    commune = levels["commune (grassroots committee)"][0]
    for root in (province, commune):
        ctx = context_for(frame_for(root=root))
        for code in CODES:
            started = time.perf_counter()
            drill = DRILLS[BY_CODE[code].drill](ctx, root)
            once.append(
                {
                    "case": f"drill-down {code}, {'province' if root == province else 'a commune'}",
                    "ms": round((time.perf_counter() - started) * 1000, 1),
                    "rows": len(drill.rows),
                }
            )
            print(once[-1], flush=True)
        started = time.perf_counter()
        items = due_items(actor=SYSTEM, org=root, audit=False)
        reviews = sum(1 for i in items if i.kind == "strike_off_review")
        once.append(
            {
                "case": f"to-do list, {'province' if root == province else 'a commune'}",
                "ms": round((time.perf_counter() - started) * 1000, 1),
                "rows": len(items),
                "reviews": reviews,
            }
        )
        print(once[-1], flush=True)
    remove_bench_meetings()
    recount = {}
    if args.check_recount:
        started = time.perf_counter()
        recount = {
            "differences": len(tally_differences()),
            "seconds": round(time.perf_counter() - started, 1),
        }
        print(recount, flush=True)
    record = {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": connection.vendor,
        "members": Member.objects.filter(status__in=ACTIVE_STATUSES).count(),
        "organizations": Org.objects.count(),
        "cells": Org.objects.filter(kind__in=list(CELL_KINDS)).count(),
        "meetings": Meeting.objects.count(),
        "attendance": Attendance.objects.count(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "history": history,
        "cases": cases,
        "once": once,
        "recount": recount,
    }
    write_results(record)


def write_results(record: dict) -> None:
    RESULTS.mkdir(exist_ok=True)
    history_file = RESULTS / "meetings.json"
    past = json.loads(history_file.read_text()) if history_file.exists() else []
    past.append(record)
    history_file.write_text(json.dumps(past, ensure_ascii=False, indent=2, default=str) + "\n")
    lines = [
        f"\n## {record['at']} — {record['database']}, {record['members']:,} members, "
        f"{record['cells']:,} cells, {record['meetings']:,} meetings, {record['attendance']:,} attendance rows",
        "",
        f"Machine: {record['machine']}.",
        "",
    ]
    if record["history"]:
        h = record["history"]
        lines += [
            f"Synthetic history written: {h['meetings']:,} meetings, {h['attendance']:,} attendance rows, "
            f"{h['visitors']:,} visitors in {h['write_seconds']} s (COPY); meeting counts rebuilt "
            f"(`tally_meetings_rebuild`): {h['rows']:,} rows in {h['rebuild_seconds']} s.",
            "",
        ]
    lines += [
        "| case | runs | p50 ms | p95 ms | max ms |",
        "|---|---|---|---|---|",
        *(
            f"| {r['case']} | {r['runs']} | {r['p50_ms']} | {r['p95_ms']} | {r['max_ms']} |"
            for r in record["cases"]
        ),
        "",
        "| once | ms | rows |",
        "|---|---|---|",
        *(f"| {r['case']} | {r['ms']} | {r['rows']} |" for r in record["once"]),
        "",
    ]
    if record["recount"]:
        lines.append(
            f"`dangbo check --aggregates` (every tally, recounted): {record['recount']['differences']} "
            f"differences in {record['recount']['seconds']} s."
        )
    with (RESULTS / "meetings.md").open("a") as out:
        if out.tell() == 0:
            out.write(
                "# Cell meetings at province scale\n\nRun: `.venv/bin/python bench/meetings.py` (see its "
                "docstring). Targets: attendance of a 30-member cell under 150 ms; the meeting indicators "
                "under 50 ms p95.\n"
            )
        out.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
