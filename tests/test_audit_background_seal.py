"""A page view that changes nothing writes its audit row and nothing else (issue 24): in a serving
process the trail is sealed by a thread of its own (``audit.sealer``), never by the request,
so no request waits for the sealing lock; the rows still all end up in one verifiable chain."""

from __future__ import annotations

import re
import threading
import time

import pytest
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from dangbo.accounts.models import AccessRole
from dangbo.accounts.services import role_grant
from dangbo.audit.models import AuditEntry
from dangbo.audit.services import Action, audit_record, audit_seal, sealer
from dangbo.audit.verify import audit_verify
from dangbo.reference.loader import load_all


@pytest.fixture
def background_sealer():
    """The serving process's mode, without its thread: ``sealer.run_once()`` is one round."""
    sealer.enable(start_thread=False)
    yield sealer
    sealer.disable()


@pytest.fixture
def committed(transactional_db):
    """Outside the test's transaction, as a request is served; the code lists loaded again (an
    earlier transactional test's flush may have emptied them)."""
    load_all()


@pytest.fixture
def officer(tree) -> Client:
    user = User.objects.create_user("canbo", password="mat-khau-dai-du-1")
    role_grant(user=user, role=AccessRole.OFFICER, org=tree.district)
    client = Client()
    client.force_login(user)
    return client


def writes(queries) -> list[str]:
    """The statements that write, ``executemany``'s ("3 times: UPDATE ...") included."""
    statements = [re.sub(r"^\d+ times: ", "", q["sql"].lstrip()) for q in queries]
    return [
        sql
        for sql in statements
        if sql.split(None, 1)[0].upper() in ("INSERT", "UPDATE", "DELETE", "REPLACE")
    ]


def view_profile(client, member, django_capture_on_commit_callbacks) -> list[dict]:
    """GET the member's profile (a read that audits), commit callbacks run as outside a test."""
    with (
        CaptureQueriesContext(connection) as queries,
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert client.get(f"/dang-vien/{member.pk}/").status_code == 200
    return queries.captured_queries


def test_a_page_view_inserts_its_audit_row_and_nothing_else(
    background_sealer, committed, officer, tree, make_member, django_capture_on_commit_callbacks
):
    member = make_member(tree.cell_a)
    officer.get(f"/dang-vien/{member.pk}/")  # the session's first renewal, and caches warmed
    background_sealer.pending = 0
    for _ in range(3):
        queries = view_profile(officer, member, django_capture_on_commit_callbacks)
        written = writes(queries)
        assert len(written) == 1 and "audit_entry" in written[0], written
        assert not [q for q in queries if "advisory" in q["sql"].lower()]
    viewed = AuditEntry.objects.filter(action=Action.MEMBER_VIEWED, subject_id=str(member.pk))
    assert viewed.count() == 4 and not viewed.filter(chain_seq__isnull=False).exists()
    assert background_sealer.pending == 3  # noted for the background round


def test_without_the_background_sealer_a_commit_seals_at_once(
    committed, officer, tree, make_member, django_capture_on_commit_callbacks
):
    """Commands and tests keep sealing when a transaction commits; the count above would see it."""
    member = make_member(tree.cell_a)
    officer.get(f"/dang-vien/{member.pk}/")
    written = writes(view_profile(officer, member, django_capture_on_commit_callbacks))
    assert any(sql.startswith("UPDATE") and "audit_entry" in sql for sql in written), written
    assert not AuditEntry.objects.filter(chain_seq__isnull=True).exists()


def test_the_background_round_seals_what_pages_wrote(
    background_sealer, committed, officer, tree, make_member, django_capture_on_commit_callbacks
):
    member = make_member(tree.cell_a)
    audit_seal()
    for _ in range(3):
        view_profile(officer, member, django_capture_on_commit_callbacks)
    assert audit_verify().unsealed >= 3
    assert background_sealer.run_once() >= 3
    report = audit_verify()
    assert report.ok and report.unsealed == 0
    assert background_sealer.pending == 0 and background_sealer.run_once() == 0  # nothing due


def test_a_transaction_is_noted_when_it_commits_and_never_when_it_rolls_back(
    background_sealer, transactional_db
):
    with transaction.atomic():
        for n in range(3):
            audit_record(action=Action.UPDATED, subject_type="org", subject_id=str(n))
        assert background_sealer.pending == 0
    assert background_sealer.pending == 1  # one note for the transaction
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(action=Action.UPDATED, subject_type="org", subject_id="rolled-back")
        raise RuntimeError
    assert background_sealer.pending == 1
    audit_record(action=Action.SEARCHED)  # outside a transaction: noted at once
    assert background_sealer.pending == 2


def test_the_sweep_seals_rows_no_one_noted(background_sealer, db):
    """Rows committed by a process that died before its seal: the next sweep chains them."""
    audit_seal()
    audit_record(action=Action.SEARCHED, data={"q": "Đức"})
    background_sealer.pending = 0  # as if another process had written it
    assert background_sealer.run_once() == 0
    assert audit_verify().unsealed == 1
    assert background_sealer.run_once(sweep=True) == 1
    assert audit_verify().unsealed == 0


def test_a_failed_round_keeps_the_rows_noted(background_sealer, transactional_db, monkeypatch):
    audit_record(action=Action.SEARCHED)
    monkeypatch.setattr(background_sealer, "_seal", lambda: None)  # the lock held by another seal
    assert background_sealer.run_once() is None and background_sealer.pending == 1
    monkeypatch.undo()
    assert background_sealer.run_once() >= 1 and background_sealer.pending == 0


# --- PostgreSQL: another seal holding the lock; the thread itself ---------------------------------


def _hold_the_lock(held: threading.Event, release: threading.Event) -> threading.Thread:
    def run():
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [0x64616E67])
                held.set()
                release.wait(30)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@pytest.mark.postgres
def test_a_round_does_not_wait_for_a_seal_in_progress(background_sealer, transactional_db):
    audit_seal()
    entry = audit_record(action=Action.SEARCHED)
    held, release = threading.Event(), threading.Event()
    thread = _hold_the_lock(held, release)
    try:
        assert held.wait(10)
        started = time.monotonic()
        assert background_sealer.run_once() is None
        assert time.monotonic() - started < 1
        assert background_sealer.pending == 1  # left for the next round
    finally:
        release.set()
        thread.join(30)
    assert background_sealer.run_once() == 1
    assert AuditEntry.objects.get(seq=entry.seq).sealed


@pytest.mark.postgres
def test_the_thread_seals_within_its_interval(transactional_db, settings):
    settings.DANGBO_AUDIT_SEAL_SECONDS = 0.1
    audit_seal()
    sealer.enable()
    try:
        rows = [audit_record(action=Action.SEARCHED, data={"n": n}) for n in range(5)]
        deadline = time.monotonic() + 10
        while AuditEntry.objects.filter(seq__in=[r.seq for r in rows], chain_seq__isnull=True).exists():
            assert time.monotonic() < deadline, "not sealed by the background thread"
            time.sleep(0.05)
    finally:
        sealer.disable()
    report = audit_verify()
    assert report.ok and report.unsealed == 0


def test_the_thread_stops_before_a_fork_and_its_connection_is_closed(transactional_db, settings):
    """A pre-forking server's master loads the application, which starts the thread: before each
    fork the thread is stopped and its database connection closed (a child must not inherit an
    open SQLite file and SQLite's record of its locks), then started again in the parent; a child
    starts its own on its first noted row."""
    settings.DANGBO_AUDIT_SEAL_SECONDS = 0.05
    audit_seal()
    sealer.enable()
    try:
        audit_record(action=Action.SEARCHED, data={"n": 1})
        deadline = time.monotonic() + 10
        while AuditEntry.objects.filter(chain_seq__isnull=True).exists():  # the thread has a connection
            assert time.monotonic() < deadline
            time.sleep(0.05)
        thread = sealer._thread
        assert thread is not None and thread.is_alive()
        sealer.before_fork()
        assert not thread.is_alive() and sealer._thread is None  # stopped: its finally closed the connection
        sealer.after_fork_in_parent()
        again = sealer._thread
        assert again is not None and again.is_alive() and again is not thread
        sealer.before_fork()  # the next fork, now as seen from the child
        assert not again.is_alive()
        sealer.after_fork_in_child()
        assert sealer._thread is None  # the child's own starts when it notes a row
        audit_record(action=Action.SEARCHED, data={"n": 2})
        assert sealer._thread is not None and sealer._thread.is_alive()
    finally:
        sealer.disable()
    assert audit_verify().ok


@pytest.mark.postgres
def test_a_seal_of_its_own_reads_the_unsealed_rows_by_index_scan(
    background_sealer, transactional_db, monkeypatch
):
    """The sealer's own transaction reads the unsealed rows with bitmap scans off: only an index
    scan marks the entries of rows sealed since the last VACUUM dead as it passes them (a bitmap
    scan would read every one of them at every seal, on a server whose autovacuum is off). The
    setting is the transaction's own: the connection has it back afterwards."""
    from dangbo.audit import services

    seen = []
    seal_batch = services._seal_batch

    def spying(batch_size):
        with connection.cursor() as cursor:
            cursor.execute("SHOW enable_bitmapscan")
            setting = cursor.fetchone()[0]
            cursor.execute(
                "EXPLAIN SELECT seq FROM audit_entry WHERE chain_seq IS NULL ORDER BY seq LIMIT 500"
            )
            plan = " ".join(row[0] for row in cursor.fetchall())
        seen.append((setting, "Bitmap" in plan))
        return seal_batch(batch_size)

    monkeypatch.setattr(services, "_seal_batch", spying)
    audit_record(action=Action.SEARCHED, data={"n": 1})
    assert background_sealer.run_once() >= 1
    assert seen and all(entry == ("off", False) for entry in seen)
    with connection.cursor() as cursor:
        cursor.execute("SHOW enable_bitmapscan")
        assert cursor.fetchone()[0] == "on"
    assert not AuditEntry.objects.filter(chain_seq__isnull=True).exists()
    assert audit_verify().ok
