"""An import killed while it writes (SIGKILL: no clean-up runs) leaves the register exactly as
it was, and the same file then imports in full: the accepted rows are written in one
transaction, with the batch marked imported inside it.

`dangbo import members` runs in a separate process on its own database (a SQLite file; on the
PostgreSQL leg, also a scratch PostgreSQL database), killed as soon as it reports its first
chunk of members written. The staging area (``imports_*``) and the audit trail may differ (the
file was read and checked); every other table must not."""

import csv
import hashlib
import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

from tests.test_restructure_kill import _cell_codes, _databases

DANGBO = [sys.executable, "-m", "dangbo.cli"]
ROWS = 5000  # three chunks of 2,000 in the commit


def _register_fingerprint(url: str) -> str:
    """Every table but the staging area, the audit trail, the jobs (and SQLite's counters of
    keys, which the staged rows moved), as a digest."""
    skip = ("imports_", "audit_", "jobs_", "django_tasks", "sqlite_sequence")
    digest = hashlib.sha256()
    if url.startswith("sqlite"):
        import sqlite3

        with sqlite3.connect(url.removeprefix("sqlite:///")) as db:
            tables = [
                t for (t,) in db.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")
            ]
            for table in tables:
                if table.startswith(skip):
                    continue
                digest.update(table.encode())
                for row in db.execute(f'SELECT * FROM "{table}" ORDER BY 1'):
                    digest.update(repr(row).encode())
        return digest.hexdigest()
    import psycopg

    with psycopg.connect(url.replace("postgres://", "postgresql://", 1)) as db:
        tables = [
            t for (t,) in db.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
        ]
        for table in tables:
            if table.startswith(skip):
                continue
            (value,) = db.execute(
                f"SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM \"{table}\" t"
            ).fetchone()
            digest.update(f"{table}:{value}".encode())
    return digest.hexdigest()


def _book(path: Path, cell: str) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(
            [
                "Họ và tên",
                "Ngày sinh",
                "Giới tính",
                "Dân tộc",
                "Tôn giáo",
                "Ngày vào Đảng",
                "Ngày chính thức",
                "Chi bộ",
            ]
        )
        for n in range(ROWS):
            writer.writerow(
                [
                    f"Nguyễn Văn Nhập{n}",
                    f"{1 + n % 28:02d}/05/1980",
                    "Nam",
                    "Kinh",
                    "Không",
                    "01/03/2010",
                    "01/03/2011",
                    cell,
                ]
            )


def _kill_while_writing(env, book: Path) -> str:
    process = subprocess.Popen(
        [*DANGBO, "import", "members", str(book)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    seen = ""
    assert process.stderr is not None
    for line in process.stderr:  # progress: "Đang kiểm tra: …", then "Đang ghi: 2.000 dòng / 5.000"
        seen += line
        if "Đang ghi" in line:
            os.kill(process.pid, signal.SIGKILL)
            break
    process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL, seen
    return seen


def test_an_import_killed_while_writing_leaves_the_register_as_before(tmp_path):
    src = Path(__file__).resolve().parents[1] / "src"
    for url, _fingerprint, cleanup in _databases(tmp_path):
        try:
            env = dict(
                os.environ,
                DANGBO_DATABASE_URL=url,
                DANGBO_VAR_DIR=str(tmp_path / uuid.uuid4().hex[:6]),
                PYTHONPATH=str(src) + os.pathsep + os.environ.get("PYTHONPATH", ""),
            )
            built = subprocess.run(
                [*DANGBO, "demo", "--profile", "tiny", "--no-serve"],
                env=env,
                capture_output=True,
                text=True,
                timeout=600,
            )
            assert built.returncode == 0, built.stderr
            book = tmp_path / "so-dang-vien.csv"
            _book(book, _cell_codes(url)[0])
            before = _register_fingerprint(url)
            progress = _kill_while_writing(env, book)
            assert f"/ {ROWS:,}".replace(",", ".") in progress
            assert _register_fingerprint(url) == before, url.split(":")[0]
            again = subprocess.run(
                [*DANGBO, "import", "members", str(book)],
                env=env,
                capture_output=True,
                text=True,
                timeout=600,
            )
            assert again.returncode == 0, again.stdout + again.stderr
            assert f"Đã nhập: {ROWS:,} thêm mới".replace(",", ".") in again.stdout
            assert _register_fingerprint(url) != before
        finally:
            if cleanup is not None:
                import psycopg

                admin, name = cleanup
                with psycopg.connect(admin.replace("postgres://", "postgresql://", 1), autocommit=True) as db:
                    db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
