"""Bulk writing of new members on PostgreSQL (issue 22): the old prepared INSERT through
``executemany`` against ``core.bulk.insert_many``'s COPY, and both against a plain COPY of the
same rows (``core.bulk.copy_rows``), which an import must reach at least half of.

Usage:

    .venv/bin/python bench/bulk_copy.py [--rows 200000] [--runs 1] [--database dangbo_bench_copy]
        [--keep] [--note TEXT]

The bench creates the database (``--database``, dropped at the end unless ``--keep``),
migrates it and builds the ``tiny`` demo (one commune, 300 members) for real organizations.
It then makes ``--rows`` new members in memory (the fields of a demo member, new keys) and one
event each (an admission with JSON data), and times, for ``members_member`` and
``members_memberevent``:

- ``executemany``: the INSERT used before COPY, 5,000 rows a statement;
- ``insert_many (COPY binary)`` and ``insert_many (COPY text)``: the models' objects converted
  field by field and written through one COPY, in each of COPY's formats;
- ``copy_rows (binary)`` and ``copy_rows (text)``: rows already converted (not timed), one COPY
  — the yardstick;
- ``ledger.bulk_write``: the whole write of an import (each ledger replayed, projection,
  positions, placements, pre-aggregated counts) for the same members and events.

Each case runs in a transaction that is rolled back, after ``SET CONSTRAINTS ALL IMMEDIATE``
inside the timing, so the deferred foreign-key checks a commit would run are counted; every
case starts from the same tables. Results are appended to bench/results/bulk_copy.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
SERVER = os.environ.get("DANGBO_BENCH_POSTGRES_SERVER", "postgres://postgres@127.0.0.1:5432")
sys.path.insert(0, str(ROOT / "src"))


def _admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(
        SERVER.replace("postgres://", "postgresql://", 1) + "/postgres", autocommit=True
    ) as db:
        db.execute(sql)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000, help="members, and events (one each)")
    parser.add_argument("--runs", type=int, default=1, help="runs of each case (the best is kept)")
    parser.add_argument("--database", default="dangbo_bench_copy", help="created, and dropped after")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    parser.add_argument("--note", default="", help="written with the result")
    args = parser.parse_args()

    _admin(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')
    _admin(f'CREATE DATABASE "{args.database}"')
    try:
        os.environ["DANGBO_DATABASE_URL"] = f"{SERVER}/{args.database}"
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangbo.settings")
        import django

        django.setup()
        results = _measure(args)
    finally:
        if not args.keep:
            from django.db import connections

            connections.close_all()
            _admin(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')
    _record(args, results)


def _measure(args) -> dict:
    from django.core.management import call_command
    from django.db import connection

    from dangbo.core import bulk
    from dangbo.core.kinds import CELL_KINDS
    from dangbo.demo.generator import build_demo
    from dangbo.demo.profiles import PROFILES
    from dangbo.members import ledger
    from dangbo.members.models import Member, MemberEvent
    from dangbo.orgs.models import Org

    print(f"Chuẩn bị cơ sở dữ liệu {args.database} (migrate, demo tiny) ...", flush=True)
    call_command("migrate", verbosity=0)
    build_demo(PROFILES["tiny"], seed=7, progress=lambda line: None)
    bulk.refresh_statistics([Member, MemberEvent])
    cells = list(Org.objects.filter(kind__in=list(CELL_KINDS)).order_by("path"))
    template = Member.objects.filter(org=cells[0]).first()
    assert template is not None
    day = date(2024, 5, 19)

    def make() -> list[tuple[Member, list[MemberEvent]]]:
        """``args.rows`` new members with one admission each, as an import builds them."""
        pairs = []
        for i in range(args.rows):
            cell = cells[i % len(cells)]
            member = Member(
                **{
                    f.attname: getattr(template, f.attname)
                    for f in Member._meta.concrete_fields
                    if f.attname not in ("id", "national_id", "card_number", "created_at", "updated_at")
                }
            )
            member.id = uuid.uuid4()
            member.given_name = f"Đức {i}"
            member.org_id, member.org_path = cell.pk, cell.path
            event = MemberEvent(
                id=uuid.uuid4(),
                member=member,
                seq=1,
                kind="admitted",
                effective_on=day,
                to_org=cell,
                decision_no=f"{i}-QĐ/ĐU",
                decision_on=day,
                decision_body="Đảng ủy xã",
                data={"ceremony_on": day.isoformat(), "nguồn": "nhập từ tệp", "dòng": i},
            )
            pairs.append((member, [event]))
        return pairs

    @contextmanager
    def rolled_back():
        connection.set_autocommit(False)
        try:
            yield
        finally:
            connection.rollback()
            connection.set_autocommit(True)

    def timed(name: str, write) -> None:
        best = None
        for _ in range(args.runs):
            pairs = make()
            members = [m for m, _ in pairs]
            events = [e for _, es in pairs for e in es]
            prepared = _prepared(bulk, connection, members, events) if "copy_rows" in name else None
            with rolled_back():
                started = time.perf_counter()
                seconds = write(members, events, pairs, prepared)
                with connection.cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                total = time.perf_counter() - started
            parts = {"total": total, **(seconds or {})}
            if best is None or total < best["total"]:
                best = parts
        assert best is not None
        results[name] = best
        shown = ", ".join(f"{k} {v:.2f} s" for k, v in best.items())
        print(f"{name}: {shown}; {2 * args.rows / best['total']:,.0f} rows/s", flush=True)

    def two(write_one):
        """Time Member's rows then MemberEvent's with ``write_one(model, objects, prepared)``."""

        def write(members, events, pairs, prepared):
            started = time.perf_counter()
            write_one(Member, members, prepared and prepared[0])
            middle = time.perf_counter()
            write_one(MemberEvent, events, prepared and prepared[1])
            return {"members": middle - started, "events": time.perf_counter() - middle}

        return write

    def executemany(model, objects, prepared):
        fields = _fields(model)
        quote = connection.ops.quote_name
        sql = (
            f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
            f"VALUES ({', '.join(['%s'] * len(fields))})"
        )
        _auto_now(fields, objects)
        with connection.cursor() as cursor:
            for start in range(0, len(objects), 5000):
                cursor.executemany(sql, bulk._rows(objects[start : start + 5000], fields, connection))

    def insert_many(binary: bool):
        def write_one(model, objects, prepared):
            bulk.COPY_BINARY = binary
            bulk.insert_many(model, objects)

        return write_one

    def copy_rows(binary: bool):
        def write_one(model, objects, prepared):
            bulk.COPY_BINARY = binary
            bulk.copy_rows(model._meta.db_table, [f.column for f in _fields(model)], prepared)

        return write_one

    def bulk_write(members, events, pairs, prepared):
        bulk.COPY_BINARY = True
        ledger.bulk_write(pairs)

    results: dict = {}
    chosen = bulk.COPY_BINARY
    try:
        timed("executemany", two(executemany))
        timed("insert_many (COPY binary)", two(insert_many(True)))
        timed("insert_many (COPY text)", two(insert_many(False)))
        timed("copy_rows (binary)", two(copy_rows(True)))
        timed("copy_rows (text)", two(copy_rows(False)))
        timed("ledger.bulk_write", bulk_write)
    finally:
        bulk.COPY_BINARY = chosen
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
        cursor.execute("SHOW shared_buffers")
        buffers = cursor.fetchone()[0]
    return {"cases": results, "database": f"PostgreSQL {version}, shared_buffers={buffers}"}


def _fields(model):
    from django.db import models

    return [f for f in model._meta.concrete_fields if not (f.primary_key and isinstance(f, models.AutoField))]


def _auto_now(fields, objects) -> None:
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            for obj in objects:
                if getattr(obj, field.attname) is None:
                    field.pre_save(obj, add=True)


def _prepared(bulk, connection, members, events) -> tuple[list, list]:
    """The rows in the database's form, made before the timing (what copy_rows is given)."""
    from dangbo.members.models import Member, MemberEvent

    out = []
    for model, objects in ((Member, members), (MemberEvent, events)):
        fields = _fields(model)
        _auto_now(fields, objects)
        out.append(bulk._rows(objects, fields, connection))
    return out[0], out[1]


def _record(args, measured: dict) -> None:
    cases = measured["cases"]
    rows = 2 * args.rows
    yardstick = cases["copy_rows (binary)"]["total"]
    try:
        code = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        if subprocess.run(["git", "diff", "--quiet", "HEAD", "--", "src", "bench"], cwd=ROOT).returncode:
            code += " (then uncommitted)"
    except OSError:
        code = "?"
    lines = [
        f"## {datetime.now(UTC).isoformat(timespec='seconds')} — {args.rows:,} members + {args.rows:,} events",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"{measured['database']}; code {code}; best of {args.runs} run(s).",
        "",
        "| case | members (s) | events (s) | FK checks (s) | total (s) | rows/s | share of a plain COPY (binary) |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, parts in cases.items():
        members = f"{parts['members']:.2f}" if "members" in parts else "—"
        events = f"{parts['events']:.2f}" if "events" in parts else "—"
        checks = f"{parts['total'] - parts['members'] - parts['events']:.2f}" if "events" in parts else "—"
        lines.append(
            f"| {name} | {members} | {events} | {checks} | {parts['total']:.2f} | {rows / parts['total']:,.0f} "
            f"| {yardstick / parts['total']:.0%} |"
        )
    lines += [
        "",
        "Rows/s counts members and events (2 × members). FK checks: the deferred foreign-key "
        "checks a commit would run (``SET CONSTRAINTS ALL IMMEDIATE``), in the total. "
        "``ledger.bulk_write`` also writes a placement per member and the pre-aggregated counts, "
        "not in the row count.",
    ]
    if args.note:
        lines += ["", args.note]
    path = RESULTS / "bulk_copy.md"
    if not path.exists():
        path.write_text(
            "# Bulk writing of new members: executemany against COPY (issue 22)\n\n"
            "Command: `.venv/bin/python bench/bulk_copy.py [--rows 200000] [--runs N]` (see its "
            "docstring). Target: the import's write at least half the throughput of a plain COPY "
            "of the same rows.\n"
        )
    with path.open("a") as out:
        out.write("\n" + "\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
