"""A demo build killed at the worst moment (SIGKILL, after the whole province is built and
before anything commits) leaves a database `dangbo demo` builds again: the province and the
record saying it is a demo commit together. And `dangbo demo --reset` recovers a database
that holds a demo without its record (as builds before that fix could leave)."""

import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

DANGBO = [sys.executable, "-m", "dangbo.cli"]


def _run(env, *args):
    return subprocess.run([*DANGBO, *args], env=env, capture_output=True, text=True, timeout=900)


def _query(url: str, sql: str):
    if url.startswith("sqlite"):
        import sqlite3

        db = sqlite3.connect(url.removeprefix("sqlite:///"))
        try:
            with db:
                return db.execute(sql).fetchall()
        finally:
            db.close()
    import psycopg

    with psycopg.connect(url.replace("postgres://", "postgresql://", 1), autocommit=True) as db:
        cursor = db.execute(sql)
        return cursor.fetchall() if cursor.description else []


def _counts(url: str) -> tuple[int, int]:
    [(orgs,)] = _query(url, "SELECT count(*) FROM orgs_org")
    [(records,)] = _query(url, "SELECT count(*) FROM demo_demodataset")
    return orgs, records


def _kill_before_commit(env) -> str:
    process = subprocess.Popen(
        [*DANGBO, "demo", "--profile", "tiny", "--no-serve"],
        env=dict(env, DANGBO_TEST_PAUSE_AT="demo-before-commit"),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    seen = ""
    for line in process.stdout:
        seen += line
        if line.startswith("PAUSED AT demo-before-commit"):
            os.kill(process.pid, signal.SIGKILL)
            break
    process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL, seen
    return seen


def _databases(tmp_path):
    yield f"sqlite:///{tmp_path}/kill.sqlite3", None
    main = os.environ.get("DANGBO_DATABASE_URL", "")
    if main.startswith("postgres"):
        import psycopg

        name = f"dangbo_demokill_{uuid.uuid4().hex[:8]}"
        admin = main.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin.replace("postgres://", "postgresql://", 1), autocommit=True) as db:
            db.execute(f'CREATE DATABASE "{name}"')
        yield main.rsplit("/", 1)[0] + f"/{name}", (admin, name)


def test_a_build_killed_before_it_commits_leaves_nothing_and_builds_again(tmp_path):
    src = Path(__file__).resolve().parents[1] / "src"
    for url, cleanup in _databases(tmp_path):
        try:
            env = dict(
                os.environ,
                DANGBO_DATABASE_URL=url,
                DANGBO_VAR_DIR=str(tmp_path),
                PYTHONPATH=str(src) + os.pathsep + os.environ.get("PYTHONPATH", ""),
            )
            env.pop("DANGBO_TEST_PAUSE_AT", None)
            seen = _kill_before_commit(env)
            assert "Đếm số liệu tổng hợp" in seen  # the province was built in full before the kill
            assert _counts(url) == (0, 0), url.split(":")[0]
            built = _run(env, "demo", "--profile", "tiny", "--no-serve")
            assert built.returncode == 0, built.stdout + built.stderr
            assert "Xong trong" in built.stdout
            orgs, records = _counts(url)
            assert orgs > 0 and records == 1
            again = _run(env, "demo", "--profile", "tiny", "--no-serve")
            assert again.returncode == 0 and "Dùng lại dữ liệu mẫu" in again.stdout

            # A demo without its record (left by a build killed between two commits, before the fix)
            _query(url, "DELETE FROM demo_demodataset")
            refused = _run(env, "demo", "--profile", "tiny", "--no-serve")
            assert refused.returncode == 2 and "--reset" in refused.stderr
            reset = _run(env, "demo", "--profile", "tiny", "--no-serve", "--reset")
            assert reset.returncode == 0, reset.stdout + reset.stderr
            assert _counts(url)[1] == 1
        finally:
            if cleanup is not None:
                import psycopg

                admin, name = cleanup
                with psycopg.connect(admin.replace("postgres://", "postgresql://", 1), autocommit=True) as db:
                    db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_reset_leaves_real_data_alone(tmp_path):
    """A database someone has worked in (a signed-in person's change after the last demo
    build) is not a partial demo: without a demo record, --reset refuses too."""
    src = Path(__file__).resolve().parents[1] / "src"
    url = f"sqlite:///{tmp_path}/real.sqlite3"
    env = dict(
        os.environ,
        DANGBO_DATABASE_URL=url,
        DANGBO_VAR_DIR=str(tmp_path),
        PYTHONPATH=str(src) + os.pathsep + os.environ.get("PYTHONPATH", ""),
    )
    env.pop("DANGBO_TEST_PAUSE_AT", None)
    assert _run(env, "demo", "--profile", "tiny", "--no-serve").returncode == 0
    _query(url, "DELETE FROM demo_demodataset")
    script = """
import os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangbo.settings")
import django
django.setup()
from django.contrib.auth.models import User
from dangbo.audit.context import AuditContext, acting
from dangbo.audit.services import audit_record
user = User.objects.get(username="quantri")
with acting(AuditContext(actor_id=user.pk, actor_name=user.username, actor_role="quản trị", scope="", ip="", request_id="t")):
    audit_record(action="updated", subject_type="member", subject_id="x")
"""
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    reset = _run(env, "demo", "--profile", "tiny", "--no-serve", "--reset")
    assert reset.returncode == 2 and "không phải dữ liệu mẫu" in reset.stderr
