"""Running the application: bringing the schema up to date, serving it with waitress, and
the one background worker that small installations and the demo run beside the server.

Used by the `dangbo` command (``dangbo.cli``) after Django is set up: the imports of models
inside these functions run then (this module is imported while the parser is built)."""

from __future__ import annotations

import logging
import subprocess
import sys
import threading

import waitress


def migrate() -> None:
    """Bring the schema up to date and make sure the code lists are there.

    The code lists come from a data migration, but a `flush` (run by `demo --reset`, or by
    hand) empties them without un-applying the migration; reloading them when a table is
    empty keeps every later insert from failing on a missing ethnicity or level.
    """
    from django.core.management import call_command

    from dangbo.reference.loader import ensure_loaded

    call_command("migrate", interactive=False, verbosity=0)
    ensure_loaded()
    count_once()


def count_once() -> None:
    """A database that has members but no pre-aggregated counts (one upgraded from a version
    before them) gets them counted once, so the dashboards are right from the first page."""
    from dangbo.members.models import Member
    from dangbo.stats.models import OrgTally, TallyRun
    from dangbo.stats.tallies import tally_rebuild

    if TallyRun.objects.exists() or OrgTally.objects.exists() or not Member.objects.exists():
        return
    print("Đếm số liệu tổng hợp lần đầu ...", flush=True)
    run = tally_rebuild()
    print(f"Xong trong {run.seconds:.0f} giây ({run.rows} dòng).", flush=True)


log = logging.getLogger("dangbo.server")


def statistics_warning() -> str | None:
    """The warning (Vietnamese) for when the main tables are big and their planner statistics
    missing or stale (``core.planner_stats``), or None when they are fine."""
    from django.db import connection

    from dangbo.core.formats import format_number
    from dangbo.core.planner_stats import tables_without_statistics
    from dangbo.members.models import Member, MemberEvent, Placement, Position
    from dangbo.orgs.models import OrgVersion
    from dangbo.stats.models import OrgTally

    lacking = tables_without_statistics([Member, MemberEvent, Placement, Position, OrgVersion, OrgTally])
    if not lacking:
        return None
    unit = "trang 8 kB" if connection.vendor == "postgresql" else "dòng"
    tables = ", ".join(
        f"{t.table} ({format_number(t.size)} {unit}, "
        + ("chưa có thống kê" if t.analyzed is None else f"thống kê lấy khi còn {format_number(t.analyzed)}")
        + ")"
        for t in lacking
    )
    fix = (
        "chạy «VACUUM ANALYZE;» trong psql và bật autovacuum"
        if connection.vendor == "postgresql"
        else "chạy «sqlite3 var/dangbo.sqlite3 ANALYZE» khi không ai dùng"
    )
    return (
        f"Cảnh báo: cơ sở dữ liệu thiếu thống kê cho bộ lập kế hoạch truy vấn ở các bảng {tables}; "
        f"tìm kiếm và các trang sẽ chậm. Hãy {fix} (xem docs/operators.md)."
    )


def warn_missing_statistics() -> None:
    """Say at start (on stderr and in the log) when the planner's statistics are missing."""
    try:
        warning = statistics_warning()
    except Exception:  # a check that fails must not stop the server
        log.exception("checking the planner statistics failed")
        return
    if warning:
        print(warning, file=sys.stderr, flush=True)
        log.warning("planner statistics missing or stale: %s", warning)


# The headers a trusted reverse proxy sets (docs/operators.md, "Sau proxy TLS"): the client's
# address and the scheme it used. Host is passed through by the proxy as it came.
PROXY_HEADERS = ("x-forwarded-for", "x-forwarded-proto")


def waitress_options(host: str, port: int, *, threads: int = 8) -> dict:
    """waitress's settings. With ``DANGBO_TRUSTED_PROXY`` (the proxy's address as waitress sees
    it, or ``*`` when waitress listens on an address only the proxy can reach), waitress takes
    the client's address (REMOTE_ADDR) and scheme (``wsgi.url_scheme``) from X-Forwarded-For and
    X-Forwarded-Proto sent by that proxy, and removes those headers from any other sender: the
    audit trail and the lockout see the real client, Django sees HTTPS (no redirect loop with
    ``DANGBO_HTTPS=1``) without trusting a header a client could send."""
    from django.conf import settings

    options: dict = {"host": host, "port": port, "threads": threads, "ident": "dangbo"}
    if settings.DANGBO_TRUSTED_PROXY:
        options.update(
            trusted_proxy=settings.DANGBO_TRUSTED_PROXY,
            trusted_proxy_count=1,
            trusted_proxy_headers=set(PROXY_HEADERS),
            clear_untrusted_proxy_headers=True,
            log_untrusted_proxy_headers=True,
        )
    return options


def serve(host: str, port: int, *, threads: int = 8, worker: bool = False) -> int:
    from dangbo.wsgi import application  # sets Django up: imported only when serving

    warn_missing_statistics()
    supervisor = WorkerSupervisor() if worker else None
    if supervisor:
        supervisor.start()
    print(f"\nMở trình duyệt tại http://{host}:{port}/  (Ctrl+C để dừng)", flush=True)
    try:
        waitress.serve(application, **waitress_options(host, port, threads=threads))
    finally:
        if supervisor:
            supervisor.stop()
    return 0


class WorkerSupervisor:
    """One background worker (`dangbo worker`) beside the server, for the demo and for
    `serve --worker`: started with it, started again if it stops, stopped with it. A larger
    installation runs its workers as services of their own (docs/operators.md)."""

    RESTART_AFTER = 2.0

    def __init__(self) -> None:
        self._stopping = threading.Event()
        self._process: subprocess.Popen | None = None
        self._thread = threading.Thread(target=self._run, name="dangbo-worker-supervisor", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        command = [sys.executable, "-m", "dangbo.cli", "worker", "--no-reload", "--no-startup-delay"]
        while not self._stopping.is_set():
            self._process = subprocess.Popen(command)
            code = self._process.wait()
            if self._stopping.is_set():
                return
            print(
                f"Tiến trình xử lý nền đã dừng (mã {code}); khởi động lại sau {self.RESTART_AFTER:.0f} giây.",
                file=sys.stderr,
                flush=True,
            )
            self._stopping.wait(self.RESTART_AFTER)

    def stop(self) -> None:
        self._stopping.set()
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
