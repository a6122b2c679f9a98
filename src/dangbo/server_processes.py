"""Serving with several processes: `dangbo serve --workers N` runs gunicorn (Linux and other
Unix systems; waitress, one process, stays for Windows and laptops).

gunicorn's master process binds the port and forks N workers, each serving with ``threads``
threads (the gthread worker). The background job worker (``serve --worker``) is supervised by
the master, so there is one whatever N is. Django is set up in the master before the fork: its
database connections (and a PostgreSQL pool, DANGBO_DB_POOL_SIZE) are closed first, so no worker
inherits a socket another process uses; each worker opens its own.

gunicorn does not put a trusted proxy's X-Forwarded-For in REMOTE_ADDR as waitress does:
``TrustedProxy`` does the same here (settings.DANGBO_TRUSTED_PROXY), and gunicorn's own handling
of the forwarded scheme is switched off, so there is one rule for both servers."""

from __future__ import annotations

import sys

from dangbo.server import WorkerSupervisor

# Seconds a worker may spend on one request before the master restarts it: the heaviest pages
# (a province's statistical forms) take seconds; longer work goes to the background jobs.
REQUEST_TIMEOUT = 120


class TrustedProxy:
    """WSGI middleware: from the proxy at ``trusted`` (an address, or ``*`` for any), the last
    X-Forwarded-For entry becomes REMOTE_ADDR and X-Forwarded-Proto the URL scheme; from anyone
    else, and once read, the headers are removed (waitress's trusted_proxy_count=1)."""

    def __init__(self, app, trusted: str) -> None:
        self.app = app
        self.trusted = trusted

    def __call__(self, environ, start_response):
        forwarded_for = environ.pop("HTTP_X_FORWARDED_FOR", "")
        forwarded_proto = environ.pop("HTTP_X_FORWARDED_PROTO", "")
        if self.trusted and self.trusted in ("*", environ.get("REMOTE_ADDR")):
            client = forwarded_for.split(",")[-1].strip()
            if client:
                environ["REMOTE_ADDR"] = client
            scheme = forwarded_proto.split(",")[-1].strip().lower()
            if scheme in ("http", "https"):
                environ["wsgi.url_scheme"] = scheme
        return self.app(environ, start_response)


def gunicorn_options(host: str, port: int, *, workers: int, threads: int) -> dict:
    """gunicorn's settings for `dangbo serve --workers`."""
    if workers < 1 or threads < 1:
        raise ValueError("workers and threads must be at least 1")
    return {
        "bind": [f"[{host}]:{port}" if ":" in host else f"{host}:{port}"],
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread",
        "proc_name": "dangbo",
        "timeout": REQUEST_TIMEOUT,
        "graceful_timeout": 30,
        # the forwarded headers are read by TrustedProxy only (see the module's docstring)
        "forwarded_allow_ips": "",
        "secure_scheme_headers": {},
        "errorlog": "-",
        "loglevel": "warning",
    }


def close_database_connections() -> None:
    """Close this process's connections and its connection pools before gunicorn forks."""
    from django.db import connections

    for connection in connections.all(initialized_only=True):
        connection.close()
        close_pool = getattr(connection, "close_pool", None)  # PostgreSQL's backend only
        if close_pool and connection.settings_dict.get("OPTIONS", {}).get("pool"):
            close_pool()


def serve_processes(host: str, port: int, *, workers: int, threads: int, worker: bool = False) -> int:
    from django.conf import settings
    from gunicorn.app.base import BaseApplication

    from dangbo.audit.services import audit_seal_in_background, sealer
    from dangbo.wsgi import application

    app = (
        TrustedProxy(application, settings.DANGBO_TRUSTED_PROXY)
        if settings.DANGBO_TRUSTED_PROXY
        else application
    )
    options = gunicorn_options(host, port, workers=workers, threads=threads)
    # The master forks the workers: it must hold no database connection, nor any thread that
    # opens one (SQLite's locks belong to a process; a child inheriting an open file and
    # SQLite's record of its locks corrupted the demo's database under load). Importing
    # dangbo.wsgi started the audit sealer here: it is stopped, and each worker starts its own.
    sealer.disable()
    options["post_fork"] = lambda _arbiter, _worker: audit_seal_in_background()
    supervisor = WorkerSupervisor() if worker else None
    if supervisor:
        options["when_ready"] = lambda _arbiter: supervisor.start()
        options["on_exit"] = lambda _arbiter: supervisor.stop()

    class Gunicorn(BaseApplication):
        def load_config(self) -> None:
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self):
            return app

    close_database_connections()
    print(
        f"\nMở trình duyệt tại http://{host}:{port}/  ({workers} tiến trình × {threads} luồng; Ctrl+C để dừng)",
        flush=True,
    )
    Gunicorn().run()
    return 0


def single_process_database() -> bool:
    """SQLite: serve it from one process (several threads). Several gunicorn processes writing
    the same file — each page view writes its audit row — answered «disk I/O error» and left the
    demo's database malformed under the load bench (2 processes × 4 threads, 20 users), with the
    master holding no connection; not yet explained, so not allowed."""
    from django.db import connection

    return connection.vendor == "sqlite"


def available() -> bool:
    """gunicorn runs on Unix only (it is installed there with dangbo)."""
    if sys.platform == "win32":
        return False
    try:
        import gunicorn  # noqa: F401
    except ImportError:
        return False
    return True
