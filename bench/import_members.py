"""Importing a 200,000-member book (issue 22): the whole import — the file read, every row
checked and matched, staged, then written to the register — against a plain COPY of the very
rows it wrote, side by side in one run, with the process's peak memory.

Usage (PostgreSQL; the database is created, migrated and dropped by the bench):

    .venv/bin/python bench/import_members.py [--members 200000] [--keep] [--results DIR]

Steps:
1. A fresh database ``dangbo_bench_import``: a province of 10 districts × 20 communes × 5
   cells (1,211 organizations), established through ``orgs.services``.
2. A member book as offices keep it (.xlsx; title rows, one header row, dates as text,
   national IDs and card numbers as numbers that lost their leading zeros), ``--members`` rows,
   written with xlsxwriter in constant memory.
3. The import, as ``dangbo import members`` does it: ``import_upload`` (the file's kind, limits
   and header), ``import_stage`` (read, parse, check, match against the register and the
   file, stage), ``import_commit`` (one transaction: members, ledgers, placements through COPY;
   dues accounts and tallies). Each step timed; peak RSS of the process (ru_maxrss).
4. The yardstick: every row the import wrote to the register's tables (members, events,
   placements, positions, dues and tallies tables — whatever grew), read back with COPY TO
   and written again with one plain COPY FROM per table into empty copies of those tables
   (``CREATE TABLE … (LIKE … INCLUDING ALL)``: the same columns, indexes and constraints).

Target: the whole import reaches at least half the throughput of the plain COPY, and stays
under 500 MB peak. Results are appended to bench/results/import_members.md and .json.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import random
import resource
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
DB = "dangbo_bench_import"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangbo.settings")
os.environ["DANGBO_DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{DB}"
os.environ.setdefault("DANGBO_VAR_DIR", tempfile.mkdtemp(prefix="dangbo-bench-import-"))

import psycopg  # noqa: E402


def recreate_database() -> None:
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB}")
        conn.execute(f"CREATE DATABASE {DB}")


def drop_database() -> None:
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")


def peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def build_tree():
    from dangbo.core.kinds import OrgKind, Sector
    from dangbo.orgs.services import org_establish

    on = date(2000, 1, 1)
    province = org_establish(
        code="T", name="Đảng bộ tỉnh Thử", kind=OrgKind.PROVINCE, parent=None, established_on=on
    )
    cells = []
    for d in range(10):
        district = org_establish(
            code=f"H{d}",
            name=f"Đảng bộ huyện {d}",
            kind=OrgKind.UPPER,
            parent=province,
            established_on=on,
            sector=Sector.TERRITORIAL,
        )
        for c in range(20):
            commune = org_establish(
                code=f"H{d}X{c}",
                name=f"Đảng bộ xã {d}-{c}",
                kind=OrgKind.GRASSROOTS_COMMITTEE,
                parent=district,
                established_on=on,
                sector=Sector.COMMUNE,
            )
            for k in range(5):
                cells.append(
                    org_establish(
                        code=f"H{d}X{c}C{k}",
                        name=f"Chi bộ thôn {d}-{c}-{k}",
                        kind=OrgKind.CELL,
                        parent=commune,
                        established_on=on,
                    )
                )
    return province, cells


FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý"]
MIDDLE_M = ["Văn", "Đức", "Minh", "Quang", "Hữu", "Công", "Xuân"]
MIDDLE_F = ["Thị", "Thu", "Ngọc", "Thanh", "Kim", "Mai"]
GIVEN_M = [
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Hải",
    "Hùng",
    "Khoa",
    "Long",
    "Nam",
    "Phong",
    "Quân",
    "Sơn",
    "Tuấn",
    "Việt",
]
GIVEN_F = [
    "Anh",
    "Chi",
    "Dung",
    "Giang",
    "Hà",
    "Hương",
    "Lan",
    "Linh",
    "Mai",
    "Nga",
    "Oanh",
    "Phương",
    "Thảo",
    "Yến",
]
ETHNIC = ["Kinh"] * 8 + ["Tày", "Thái", "Mường", "Mông", "Dao", "Nùng"]


def write_book(path: Path, members: int, cells, rng: random.Random) -> None:
    import xlsxwriter

    from dangbo.reference.models import BirthProvince

    provinces = sorted(BirthProvince.objects.values_list("code", flat=True))

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("Danh sách")
    sheet.write(0, 0, "DANH SÁCH ĐẢNG VIÊN")
    header = [
        "STT",
        "Họ và tên",
        "Ngày sinh",
        "Giới tính",
        "Dân tộc",
        "Tôn giáo",
        "Số CCCD",
        "Số thẻ đảng viên",
        "Quê quán",
        "Nghề nghiệp",
        "Ngày vào Đảng",
        "Ngày chính thức",
        "Chi bộ",
    ]
    for col, title in enumerate(header):
        sheet.write_string(2, col, title)
    today = date(2026, 6, 1)
    for n in range(members):
        female = rng.random() < 0.4
        born = date(1950, 1, 1) + timedelta(days=rng.randrange(0, 365 * 52))
        admitted = date(born.year + 19 + rng.randrange(0, 25), rng.randrange(1, 13), rng.randrange(1, 28))
        if admitted >= today:
            admitted = today - timedelta(days=400)
        full = (
            date(admitted.year + 1, admitted.month, admitted.day)
            if admitted < today - timedelta(days=370)
            else None
        )
        name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE_F if female else MIDDLE_M)} {rng.choice(GIVEN_F if female else GIVEN_M)}"
        century = 2 * ((born.year - 1900) // 100) + (1 if female else 0)
        national_id = f"{rng.choice(provinces)}{century}{born.year % 100:02d}{n:06d}"
        row = 3 + n
        sheet.write_number(row, 0, n + 1)
        sheet.write_string(row, 1, name)
        sheet.write_string(row, 2, born.strftime("%d/%m/%Y"))
        sheet.write_string(row, 3, "Nữ" if female else "Nam")
        sheet.write_string(row, 4, rng.choice(ETHNIC))
        sheet.write_string(row, 5, "Không")
        sheet.write_number(row, 6, float(national_id))  # the leading zero lost, as in Excel
        sheet.write_number(row, 7, float(10_000_000 + n))
        sheet.write_string(row, 8, "Lào Cai")
        sheet.write_string(row, 9, "Nông dân")
        sheet.write_string(row, 10, admitted.strftime("%d/%m/%Y"))
        sheet.write_string(row, 11, full.strftime("%d/%m/%Y") if full else "")
        sheet.write_string(row, 12, cells[n % len(cells)].code)
    book.close()


def grown_tables(before: dict[str, int]) -> dict[str, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT relname, n_live_tup FROM pg_stat_user_tables")
        now = dict(cursor.fetchall())
    skip = ("imports_", "audit_", "django_", "jobs_")
    return {t: n for t, n in now.items() if n > before.get(t, 0) and not t.startswith(skip)}


def table_counts() -> dict[str, int]:
    from django.db import connection

    counts = {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        for (table,) in cursor.fetchall():
            cursor.execute(f'SELECT count(*) FROM "{table}"')
            counts[table] = cursor.fetchone()[0]
    return counts


def plain_copy(tables: list[str]) -> tuple[float, int]:
    """Read every row of ``tables`` with COPY TO, then time one COPY FROM per table into an
    empty copy of it (same columns, indexes and constraints), in one transaction."""
    dumps = {}
    with psycopg.connect(os.environ["DANGBO_DATABASE_URL"].replace("postgres://", "postgresql://")) as conn:
        for table in tables:
            buffer = io.BytesIO()
            with conn.cursor().copy(f'COPY "{table}" TO STDOUT (FORMAT BINARY)') as copy:
                for chunk in copy:
                    buffer.write(chunk)
            dumps[table] = buffer.getvalue()
            conn.execute(f'CREATE TABLE "bench_{table}" (LIKE "{table}" INCLUDING ALL)')
        conn.commit()
        rows = 0
        started = time.perf_counter()
        with conn.transaction():
            for table in tables:
                with conn.cursor().copy(f'COPY "bench_{table}" FROM STDIN (FORMAT BINARY)') as copy:
                    copy.write(dumps[table])
        seconds = time.perf_counter() - started
        for table in tables:
            rows += conn.execute(f'SELECT count(*) FROM "bench_{table}"').fetchone()[0]
            conn.execute(f'DROP TABLE "bench_{table}"')
        conn.commit()
    return seconds, rows


def profiled(folder: Path | None, name: str, function, **kwargs):
    """``function(**kwargs)``, under cProfile when ``folder`` is given (stats in folder/name.prof)."""
    if folder is None:
        return function(**kwargs)
    import cProfile

    folder.mkdir(parents=True, exist_ok=True)
    profiler = cProfile.Profile()
    try:
        return profiler.runcall(function, **kwargs)
    finally:
        profiler.dump_stats(folder / f"{name}.prof")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=22)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--results", type=Path, default=ROOT / "bench" / "results")
    parser.add_argument("--profile", type=Path, help="write cProfile stats of staging and commit here")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    recreate_database()
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from dangbo.accounts.scope import SYSTEM
    from dangbo.imports import services
    from dangbo.members.models import Member

    started = time.perf_counter()
    province, cells = build_tree()
    tree_seconds = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "dang-vien.xlsx"
        started = time.perf_counter()
        write_book(path, args.members, cells, rng)
        book_seconds = time.perf_counter() - started
        size_mb = round(path.stat().st_size / 1024 / 1024, 1)
        data = path.read_bytes()
    print(f"tree {tree_seconds:.1f}s, book {book_seconds:.1f}s ({size_mb} MB)", flush=True)
    before = table_counts()
    rss_before = peak_mb()
    times = {}
    started = time.perf_counter()
    batch = services.import_upload(
        kind="members", file_name="dang-vien.xlsx", data=data, org=province, actor=SYSTEM, user=None
    )
    del data
    times["upload_s"] = time.perf_counter() - started
    peaks = {"after_upload_mb": peak_mb()}
    started = time.perf_counter()
    batch = profiled(args.profile, "stage", services.import_stage, batch=batch)
    times["stage_s"] = time.perf_counter() - started
    peaks["after_stage_mb"] = peak_mb()
    print(f"staged: {batch.counts} in {times['stage_s']:.1f}s", flush=True)
    started = time.perf_counter()
    written = profiled(args.profile, "commit", services.import_commit, batch=batch, user=None)
    times["commit_s"] = time.perf_counter() - started
    peaks["after_commit_mb"] = peak_mb()
    total = sum(times.values())
    print(f"written: {written}; {times}", flush=True)
    after = table_counts()
    grown = sorted(
        t
        for t, n in after.items()
        if n > before.get(t, 0) and not t.startswith(("imports_", "audit_", "django_", "jobs_"))
    )
    written_rows = {t: after[t] - before.get(t, 0) for t in grown}
    copy_seconds, copied = plain_copy(grown)
    result = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}",
        "members_in_file": args.members,
        "file_mb": size_mb,
        "counts": batch.counts,
        "written": written,
        "members_in_register": Member.objects.count(),
        "rows_written_by_table": written_rows,
        "rows_written": sum(written_rows.values()),
        **{k: round(v, 1) for k, v in times.items()},
        "import_total_s": round(total, 1),
        "import_rows_per_s": round(sum(written_rows.values()) / total),
        "plain_copy_s": round(copy_seconds, 1),
        "plain_copy_rows": copied,
        "plain_copy_rows_per_s": round(copied / copy_seconds),
        "throughput_ratio": round((sum(written_rows.values()) / total) / (copied / copy_seconds), 3),
        "peak_rss_mb": peak_mb(),
        **peaks,
        "rss_before_import_mb": rss_before,
    }
    print(json.dumps(result, ensure_ascii=False, indent=1), flush=True)
    args.results.mkdir(parents=True, exist_ok=True)
    history_file = args.results / "import_members.json"
    history = json.loads(history_file.read_text()) if history_file.exists() else []
    history.append(result)
    history_file.write_text(json.dumps(history, ensure_ascii=False, indent=1) + "\n")
    from django.db import connections

    connections.close_all()
    if not args.keep:
        drop_database()


if __name__ == "__main__":
    main()
