"""`dangbo serve --workers N` (gunicorn, server_processes) and the PostgreSQL connection pool
(DANGBO_DB_POOL_SIZE, settings.postgres_pool): argument handling and settings, without serving."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from dangbo import cli, server, server_processes
from dangbo import settings as dangbo_settings


@pytest.fixture
def calls(monkeypatch):
    """Record what `dangbo serve` would have started, instead of starting it."""
    seen: list[tuple[str, tuple, dict]] = []
    monkeypatch.setattr(server, "serve", lambda *a, **k: seen.append(("waitress", a, k)) or 0)
    monkeypatch.setattr(
        server_processes, "serve_processes", lambda *a, **k: seen.append(("gunicorn", a, k)) or 0
    )
    return seen


def test_serve_without_workers_stays_on_waitress(calls):
    assert cli.main(["serve", "--no-migrate", "--port", "8123"]) == 0
    assert calls == [("waitress", ("127.0.0.1", 8123), {"threads": 8, "worker": False})]


def test_serve_with_workers_runs_gunicorn_with_the_threads_per_process(calls, monkeypatch):
    monkeypatch.setattr(server_processes, "single_process_database", lambda: False)  # PostgreSQL
    assert cli.main(["serve", "--no-migrate", "--workers", "3", "--threads", "4", "--worker"]) == 0
    assert calls == [("gunicorn", ("127.0.0.1", 8000), {"workers": 3, "threads": 4, "worker": True})]


@pytest.mark.parametrize("bad", ["0", "-2", "two"])
def test_workers_and_threads_must_be_positive_whole_numbers(calls, bad, capsys):
    for option in ("--workers", "--threads"):
        with pytest.raises(SystemExit) as stopped:
            cli.main(["serve", "--no-migrate", option, bad])
        assert stopped.value.code == 2
    assert calls == []
    assert "phải từ 1 trở lên" in capsys.readouterr().err or bad == "two"


def test_several_processes_are_refused_on_sqlite(calls, monkeypatch, capsys):
    """Several processes writing one SQLite file broke it under load: one process, or PostgreSQL."""
    monkeypatch.setattr(server_processes, "single_process_database", lambda: True)
    assert cli.main(["serve", "--no-migrate", "--workers", "2"]) == 2
    assert calls == []
    assert "cần PostgreSQL" in capsys.readouterr().err
    assert cli.main(["serve", "--no-migrate", "--workers", "1"]) == 0  # one process: allowed
    assert calls == [("gunicorn", ("127.0.0.1", 8000), {"workers": 1, "threads": 8, "worker": False})]


def test_workers_are_refused_where_gunicorn_cannot_run(calls, monkeypatch, capsys):
    monkeypatch.setattr(server_processes.sys, "platform", "win32")
    assert cli.main(["serve", "--no-migrate", "--workers", "2"]) == 2
    assert calls == []
    assert "gunicorn" in capsys.readouterr().err


def test_gunicorn_options():
    options = server_processes.gunicorn_options("0.0.0.0", 8000, workers=3, threads=4)
    assert options["bind"] == ["0.0.0.0:8000"]
    assert (options["workers"], options["threads"], options["worker_class"]) == (3, 4, "gthread")
    # gunicorn trusts no forwarded header itself: TrustedProxy is the one rule
    assert options["forwarded_allow_ips"] == "" and options["secure_scheme_headers"] == {}
    assert server_processes.gunicorn_options("::1", 80, workers=1, threads=1)["bind"] == ["[::1]:80"]
    with pytest.raises(ValueError):
        server_processes.gunicorn_options("127.0.0.1", 80, workers=0, threads=1)


class FakeSupervisor:
    started = stopped = 0

    def start(self):
        FakeSupervisor.started += 1

    def stop(self):
        FakeSupervisor.stopped += 1


def test_the_master_runs_the_one_job_worker_and_forks_without_open_connections(monkeypatch, settings):
    from gunicorn.app.base import BaseApplication

    settings.DANGBO_TRUSTED_PROXY = "10.0.0.1"
    ran: dict = {}
    steps: list[str] = []

    def run(app):
        steps.append("run")
        ran["cfg"], ran["app"] = app.cfg, app.load()

    monkeypatch.setattr(BaseApplication, "run", run)
    monkeypatch.setattr(server_processes, "close_database_connections", lambda: steps.append("close"))
    monkeypatch.setattr(server_processes, "WorkerSupervisor", FakeSupervisor)
    FakeSupervisor.started = FakeSupervisor.stopped = 0
    assert server_processes.serve_processes("127.0.0.1", 8001, workers=3, threads=2, worker=True) == 0
    cfg = ran["cfg"]
    assert (cfg.workers, cfg.threads, cfg.bind) == (3, 2, ["127.0.0.1:8001"])
    assert FakeSupervisor.started == 0  # not before the port is bound and the workers forked
    cfg.when_ready(None)  # gunicorn calls it once, in the master
    cfg.on_exit(None)
    assert (FakeSupervisor.started, FakeSupervisor.stopped) == (1, 1)
    assert isinstance(ran["app"], server_processes.TrustedProxy)
    assert steps == ["close", "run"]  # no worker inherits the master's database connection
    # nor a thread that opens one: the audit sealer runs in each worker, not in the master
    from dangbo.audit.services import sealer

    assert not sealer.enabled
    settings.DANGBO_AUDIT_SEAL_SECONDS = 2
    try:
        cfg.post_fork(None, None)  # gunicorn calls it in each worker after the fork
        assert sealer.enabled
    finally:
        sealer.disable()


def _environ(remote: str, **headers) -> dict:
    return {"REMOTE_ADDR": remote, "wsgi.url_scheme": "http", **headers}


def _seen(trusted: str, environ: dict) -> dict:
    seen = {}
    server_processes.TrustedProxy(lambda env, start: seen.update(env) or [], trusted)(environ, None)
    return seen


def test_the_trusted_proxy_gives_the_client_address_and_scheme():
    env = _seen(
        "10.0.0.1",
        _environ("10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 192.168.1.20", HTTP_X_FORWARDED_PROTO="https"),
    )
    assert (env["REMOTE_ADDR"], env["wsgi.url_scheme"]) == ("192.168.1.20", "https")
    assert "HTTP_X_FORWARDED_FOR" not in env and "HTTP_X_FORWARDED_PROTO" not in env
    assert (
        _seen("*", _environ("10.9.9.9", HTTP_X_FORWARDED_FOR="192.168.1.21"))["REMOTE_ADDR"] == "192.168.1.21"
    )


def test_anyone_elses_forwarded_headers_are_dropped():
    env = _seen(
        "10.0.0.1",
        _environ("192.168.1.50", HTTP_X_FORWARDED_FOR="1.2.3.4", HTTP_X_FORWARDED_PROTO="https"),
    )
    assert (env["REMOTE_ADDR"], env["wsgi.url_scheme"]) == ("192.168.1.50", "http")
    assert "HTTP_X_FORWARDED_FOR" not in env and "HTTP_X_FORWARDED_PROTO" not in env
    # a scheme other than http/https is not taken
    assert _seen("*", _environ("10.0.0.1", HTTP_X_FORWARDED_PROTO="javascript"))["wsgi.url_scheme"] == "http"


@pytest.mark.parametrize(
    ("size", "pool"),
    [
        ("", None),
        ("0", None),
        ("1", {"min_size": 1, "max_size": 1, "timeout": 10}),
        (" 12 ", {"min_size": 2, "max_size": 12, "timeout": 10}),
    ],
)
def test_pool_size(size, pool):
    assert dangbo_settings.postgres_pool(size) == pool


@pytest.mark.parametrize("size", ["-1", "many", "2.5"])
def test_a_wrong_pool_size_stops_the_start(size):
    with pytest.raises(ImproperlyConfigured, match="DANGBO_DB_POOL_SIZE"):
        dangbo_settings.postgres_pool(size)


def test_the_pool_replaces_persistent_connections_on_postgresql_only(monkeypatch):
    monkeypatch.setenv("DANGBO_DATABASE_URL", "postgres://u@db.example:5432/dangbo")
    monkeypatch.delenv("DANGBO_DB_POOL_SIZE", raising=False)
    plain = dangbo_settings._database()
    assert plain["CONN_MAX_AGE"] == 60 and "pool" not in plain.get("OPTIONS", {})
    monkeypatch.setenv("DANGBO_DB_POOL_SIZE", "6")
    pooled = dangbo_settings._database()
    assert pooled["CONN_MAX_AGE"] == 0  # Django refuses a pool beside persistent connections
    assert pooled["OPTIONS"]["pool"]["max_size"] == 6
    monkeypatch.setenv("DANGBO_DATABASE_URL", "sqlite:////tmp/x/dangbo.sqlite3")
    assert "pool" not in dangbo_settings._database()["OPTIONS"]


@pytest.mark.parametrize(
    ("given", "options"),
    [
        ("", {"server_side_binding": True, "prepare_threshold": 5}),
        (" 3 ", {"server_side_binding": True, "prepare_threshold": 3}),
        ("0", {}),
    ],
)
def test_prepared_statements(given, options):
    assert dangbo_settings.prepared_statements(given) == options


@pytest.mark.parametrize("given", ["-1", "often", "2.5"])
def test_a_wrong_prepare_threshold_stops_the_start(given):
    with pytest.raises(ImproperlyConfigured, match="DANGBO_DB_PREPARE"):
        dangbo_settings.prepared_statements(given)


def test_prepared_statements_on_postgresql_only_and_turned_off_by_zero(monkeypatch):
    monkeypatch.setenv("DANGBO_DATABASE_URL", "postgres://u@db.example:5432/dangbo")
    monkeypatch.delenv("DANGBO_DB_PREPARE", raising=False)
    options = dangbo_settings._database()["OPTIONS"]
    assert options["server_side_binding"] is True and options["prepare_threshold"] == 5
    assert options["options"].startswith("-c jit=off")
    monkeypatch.setenv("DANGBO_DB_PREPARE", "0")
    options = dangbo_settings._database()["OPTIONS"]
    assert "server_side_binding" not in options and "prepare_threshold" not in options
    monkeypatch.setenv("DANGBO_DATABASE_URL", "sqlite:////tmp/x/dangbo.sqlite3")
    monkeypatch.delenv("DANGBO_DB_PREPARE", raising=False)
    assert "server_side_binding" not in dangbo_settings._database()["OPTIONS"]


@pytest.mark.postgres
def test_a_pooled_connection_answers(settings, db):
    """The pool's settings as given to Django work with the installed psycopg_pool."""
    from django.db import connections
    from django.db.backends.postgresql.base import DatabaseWrapper

    config = {**connections["default"].settings_dict, "CONN_MAX_AGE": 0}
    config["OPTIONS"] = {**config.get("OPTIONS", {}), "pool": dangbo_settings.postgres_pool("2")}
    wrapper = DatabaseWrapper(config, alias="pooled_test")
    try:
        with wrapper.cursor() as cursor:
            cursor.execute("SELECT 1")
            assert cursor.fetchone() == (1,)
        assert wrapper.pool is not None and wrapper.pool.max_size == 2
    finally:
        wrapper.close()
        wrapper.close_pool()


@pytest.mark.postgres
def test_a_query_run_often_is_prepared_on_its_connection(db):
    """With the default settings a page's repeated queries are prepared after a few runs
    (``settings.prepared_statements``): PostgreSQL then lists them for the connection."""
    from django.contrib.auth.models import User
    from django.db import connection

    for _ in range(7):
        list(User.objects.filter(username="ai-do").values_list("id", flat=True))
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any('FROM "auth_user"' in statement and "$1" in statement for statement in prepared), prepared


@pytest.mark.postgres
def test_the_tallies_range_reads_are_planned_for_their_parameters(db):
    """A generic plan of the flows' read walks every row of the organizations (core.prepared):
    run as often as a busy page runs it, it is still not prepared, while the connection goes on
    preparing other repeated queries, and returns to its threshold afterwards."""
    from datetime import date

    from django.contrib.auth.models import User
    from django.db import connection

    from dangbo.core.prepared import planned_each_time
    from dangbo.orgs.models import Org
    from dangbo.stats.tallies import tally_flows

    for _ in range(8):
        tally_flows(list(Org.objects.values_list("pk", flat=True)[:3]), date(2026, 1, 1), date(2026, 12, 31))
        list(User.objects.filter(username="ai-do").values_list("id", flat=True))
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert not any('"stats_orgtally"' in statement for statement in prepared), prepared
    assert any('FROM "auth_user"' in statement for statement in prepared), prepared
    threshold = connection.connection.prepare_threshold
    with planned_each_time():
        assert connection.connection.prepare_threshold is None
    assert connection.connection.prepare_threshold == threshold == 5
