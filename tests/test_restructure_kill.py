"""A restructuring killed halfway (SIGKILL: no clean-up runs) leaves the database exactly as
it was: the plan is one transaction, and the database drops what was not committed.

The plan runs in a separate `dangbo restructure apply` process on its own database (a
SQLite file; on the PostgreSQL leg, also a scratch PostgreSQL database), killed as soon as
it reports its first steps done."""

import hashlib
import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

from dangbo.restructuring.plans import write_plan_csv

DECISION = {
    "ngay_hieu_luc": "01/07/2025",
    "so_quyet_dinh": "7-QĐ/TU",
    "ngay_quyet_dinh": "20/06/2025",
    "co_quan_quyet_dinh": "Tỉnh ủy",
}
DANGBO = [sys.executable, "-m", "dangbo.cli"]


def _run(env, *args, **kwargs):
    return subprocess.run([*DANGBO, *args], env=env, capture_output=True, text=True, timeout=600, **kwargs)


def _sqlite_fingerprint(url: str) -> str:
    import sqlite3

    digest = hashlib.sha256()
    with sqlite3.connect(url.removeprefix("sqlite:///")) as db:
        tables = [t for (t,) in db.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        for table in tables:
            digest.update(table.encode())
            for row in db.execute(f'SELECT * FROM "{table}" ORDER BY 1'):
                digest.update(repr(row).encode())
    return digest.hexdigest()


def _postgres_fingerprint(url: str) -> str:
    import psycopg

    digest = hashlib.sha256()
    with psycopg.connect(url.replace("postgres://", "postgresql://", 1)) as db:
        tables = [
            t for (t,) in db.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
        ]
        for table in tables:
            (value,) = db.execute(
                f"SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM \"{table}\" t"
            ).fetchone()
            digest.update(f"{table}:{value}".encode())
    return digest.hexdigest()


def _cell_codes(url: str) -> list[str]:
    sql = "SELECT code FROM orgs_org WHERE kind = 'cell' ORDER BY path"
    if url.startswith("sqlite"):
        import sqlite3

        with sqlite3.connect(url.removeprefix("sqlite:///")) as db:
            return [code for (code,) in db.execute(sql)]
    import psycopg

    with psycopg.connect(url.replace("postgres://", "postgresql://", 1)) as db:
        return [code for (code,) in db.execute(sql)]


def _plan(path: Path, cells: list[str]) -> int:
    """A new commune, then every cell of the tiny demo moved under it and renamed: many steps."""
    rows = [
        {
            "thao_tac": "thanh_lap",
            "ma_to_chuc": "XM1",
            "ma_dich": "LCI",
            "ten": "Đảng bộ xã Mới Một",
            "loai": "Đảng bộ cơ sở",
            "loai_hinh": "Xã",
            "van_ban_dong_y": "CV 1",
            **DECISION,
        },
    ]
    # a decision per move, so that each is its own step (consecutive moves under one decision are one)
    rows += [
        {
            "thao_tac": "chuyen",
            "ma_to_chuc": code,
            "ma_dich": "XM1",
            **DECISION,
            "so_quyet_dinh": f"{i}-QĐ/TU",
        }
        for i, code in enumerate(cells, 10)
    ]
    rows += [
        {"thao_tac": "doi_ten", "ma_to_chuc": code, "ten": f"Chi bộ số {i}", **DECISION}
        for i, code in enumerate(cells, 1)
    ]
    rows += [
        {"thao_tac": "doi_ten", "ma_to_chuc": "XM1", "ten": f"Đảng bộ xã Mới ({i})", **DECISION}
        for i in range(6)
    ]
    write_plan_csv(rows, path)
    return len(rows)


def _kill_halfway(env, plan: Path) -> str:
    process = subprocess.Popen(
        [*DANGBO, "restructure", "apply", str(plan)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    seen = ""
    for line in process.stderr:  # progress lines: "  ... 2/23 thao tác"
        seen += line
        if "thao tác" in line:
            os.kill(process.pid, signal.SIGKILL)
            break
    process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL, seen
    return seen


def _databases(tmp_path):
    yield f"sqlite:///{tmp_path}/kill.sqlite3", _sqlite_fingerprint, None
    main = os.environ.get("DANGBO_DATABASE_URL", "")
    if main.startswith("postgres"):
        import psycopg

        name = f"dangbo_kill_{uuid.uuid4().hex[:8]}"
        admin = main.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin.replace("postgres://", "postgresql://", 1), autocommit=True) as db:
            db.execute(f'CREATE DATABASE "{name}"')
        yield main.rsplit("/", 1)[0] + f"/{name}", _postgres_fingerprint, (admin, name)


def test_a_plan_killed_halfway_leaves_the_database_exactly_as_before(tmp_path):
    src = Path(__file__).resolve().parents[1] / "src"
    for url, fingerprint, cleanup in _databases(tmp_path):
        try:
            env = dict(
                os.environ,
                DANGBO_DATABASE_URL=url,
                DANGBO_VAR_DIR=str(tmp_path),
                PYTHONPATH=str(src) + os.pathsep + os.environ.get("PYTHONPATH", ""),
            )
            built = _run(env, "demo", "--profile", "tiny", "--no-serve")
            assert built.returncode == 0, built.stderr
            plan = tmp_path / "ke-hoach.csv"
            steps = _plan(plan, _cell_codes(url))
            assert steps >= 20  # the command reports progress from 20 steps on
            before = fingerprint(url)
            progress = _kill_halfway(env, plan)
            assert f"/{steps} thao tác" in progress
            assert fingerprint(url) == before, url.split(":")[0]
            # and the same plan, not interrupted, applies (the kill left nothing locked or half-done)
            applied = _run(env, "restructure", "apply", str(plan))
            assert applied.returncode == 0, applied.stdout + applied.stderr
            assert "Đã áp dụng kế hoạch" in applied.stdout
            assert fingerprint(url) != before
        finally:
            if cleanup is not None:
                import psycopg

                admin, name = cleanup
                with psycopg.connect(admin.replace("postgres://", "postgresql://", 1), autocommit=True) as db:
                    db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
