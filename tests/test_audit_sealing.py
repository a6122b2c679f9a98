"""Audit rows are written without a lock and chained afterwards (issue 17): the sealing
step, what the database lets through (only the sealing of an unsealed row), rolled-back
rows, and writers that do not wait for each other (PostgreSQL, two connections)."""

from __future__ import annotations

import itertools
import json
import threading
import time

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError, IntegrityError

from dangbo.audit.models import GENESIS_HASH, AuditEntry
from dangbo.audit.services import Action, audit_record, audit_seal
from dangbo.audit.verify import audit_verify


def reloaded(entry: AuditEntry) -> AuditEntry:
    return AuditEntry.objects.get(seq=entry.seq)


def chain_head() -> AuditEntry | None:
    return AuditEntry.objects.filter(chain_seq__isnull=False).order_by("-chain_seq").first()


def refused(sql: str, params=()) -> None:
    with (
        pytest.raises((DatabaseError, IntegrityError), match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, params)


# --- the sealing step ------------------------------------------------------------------------


def test_rows_are_written_unsealed_and_sealed_in_order(db):
    audit_seal()
    head = chain_head()
    rows = [audit_record(action=Action.SEARCHED, data={"n": n}) for n in range(5)]
    assert all(not reloaded(r).sealed and reloaded(r).hash == "" for r in rows)
    assert audit_seal() == 5
    rows = [reloaded(r) for r in rows]
    start = head.chain_seq if head else 0
    assert [r.chain_seq for r in rows] == list(range(start + 1, start + 6))
    assert rows[0].prev_hash == (head.hash if head else GENESIS_HASH)
    assert all(later.prev_hash == earlier.hash for earlier, later in itertools.pairwise(rows))
    assert all(r.compute_hash() == r.hash for r in rows)
    assert audit_seal() == 0
    assert audit_verify().ok


def test_sealing_goes_in_batches(db):
    audit_seal()
    for n in range(25):
        audit_record(action=Action.SEARCHED, data={"n": n})
    assert audit_seal(batch_size=10) == 25
    report = audit_verify()
    assert report.ok and report.unsealed == 0


def test_a_transaction_seals_once_when_it_commits(db, django_capture_on_commit_callbacks):
    audit_seal()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        rows = [audit_record(action=Action.MEMBER_VIEWED, subject_id=str(n)) for n in range(3)]
        assert not any(reloaded(r).sealed for r in rows)
    assert len(callbacks) == 1
    assert all(reloaded(r).sealed for r in rows)


def test_rolled_back_rows_never_appear(db):
    audit_seal()
    before = chain_head()
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(action=Action.UPDATED, subject_type="org", subject_id="rolled-back")
        raise RuntimeError("the change fails")
    assert not AuditEntry.objects.filter(subject_id="rolled-back").exists()
    kept = audit_record(action=Action.UPDATED, subject_type="org", subject_id="kept")
    assert audit_seal() == 1
    assert reloaded(kept).chain_seq == (before.chain_seq if before else 0) + 1
    assert audit_verify().ok


def test_a_rows_own_number_and_place_are_covered(db):
    """The hash covers the row's place in the chain and its own number (issue 17); since the
    chain is keyed (issue 18, tests/test_audit_keyed.py) the plain hash of 0002 is gone."""
    entry = audit_record(action=Action.SEARCHED, data={"q": "Đức"})
    audit_seal()
    entry = reloaded(entry)
    content = json.loads(entry.chained_content())
    assert content[:3] == ["v2", entry.chain_seq, entry.seq]


# --- what the database lets through ------------------------------------------------------------


def _seal_sql(entry: AuditEntry, **changes) -> tuple[str, list]:
    head = chain_head()
    values = {
        "chain_seq": (head.chain_seq if head else 0) + 1,
        "prev_hash": head.hash if head else GENESIS_HASH,
        "hash": "a" * 64,
        **changes,
    }
    sets = ", ".join(f"{column} = %s" for column in values)
    return f"UPDATE audit_entry SET {sets} WHERE seq = %s", [*values.values(), entry.seq]


def test_the_database_lets_an_unsealed_row_be_sealed_as_the_next_link(db):
    audit_seal()
    entry = audit_record(action=Action.SEARCHED)
    sql, params = _seal_sql(entry)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
    assert reloaded(entry).sealed


@pytest.mark.parametrize(
    "changes",
    [
        {"action": "khac"},  # content changed while sealing
        {"subject_id": "khac"},
        {"chain_seq": 10**9},  # not the next place: a gap
        {"prev_hash": "b" * 64},  # not linked to the last row
        {"hash": ""},  # no hash
    ],
    ids=["action", "subject", "gap", "unlinked", "no-hash"],
)
def test_the_database_refuses_anything_else(db, changes):
    audit_seal()
    entry = audit_record(action=Action.SEARCHED)
    sql, params = _seal_sql(entry, **changes)
    refused(sql, params)


def test_a_sealed_row_cannot_be_sealed_again_or_unsealed(db):
    entry = audit_record(action=Action.SEARCHED)
    audit_seal()
    entry = reloaded(entry)
    sql, params = _seal_sql(entry)
    refused(sql, params)
    refused("UPDATE audit_entry SET chain_seq = NULL, prev_hash = '', hash = '' WHERE seq = %s", [entry.seq])


def test_a_row_cannot_be_inserted_already_sealed(db):
    audit_seal()
    head = chain_head()
    entry = AuditEntry(
        at=audit_record(action=Action.SEARCHED).at,
        actor_name="",
        actor_role="",
        scope="",
        action=Action.SEARCHED,
        chain_seq=(head.chain_seq if head else 0) + 2,
        prev_hash="c" * 64,
        hash="d" * 64,
    )
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        entry.save(force_insert=True)


def _tamper(sql: str, params) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_entry DISABLE TRIGGER USER")
            cursor.execute(sql, params)
            cursor.execute("ALTER TABLE audit_entry ENABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER audit_entry_no_update")
            cursor.execute(sql, params)


def test_verify_finds_a_gap_in_the_chain(db):
    rows = [audit_record(action=Action.SEARCHED, data={"n": n}) for n in range(3)]
    audit_seal()
    middle = reloaded(rows[1])
    _tamper("UPDATE audit_entry SET chain_seq = chain_seq + 1000000 WHERE seq = %s", [middle.seq])
    report = audit_verify()
    assert not report.ok and report.broken_seq == rows[2].seq and "thiếu mắt xích" in report.reason


def test_verify_finds_an_unsealed_row_that_carries_a_hash(db):
    audit_seal()
    entry = audit_record(action=Action.SEARCHED)
    _tamper("UPDATE audit_entry SET hash = %s WHERE seq = %s", ["e" * 64, entry.seq])
    report = audit_verify()
    assert not report.ok and report.broken_seq == entry.seq and "chưa niêm phong" in report.reason


def test_verify_finds_a_row_renumbered(db):
    rows = [audit_record(action=Action.SEARCHED, data={"n": n}) for n in range(2)]
    audit_seal()
    last = reloaded(rows[1])
    _tamper("UPDATE audit_entry SET seq = seq + 1000000 WHERE seq = %s", [last.seq])
    report = audit_verify()
    assert not report.ok and report.broken_seq == last.seq + 1000000 and "bị sửa" in report.reason


# --- writers do not wait for each other (PostgreSQL: real concurrent transactions) -----------


def _in_thread(target, *args):
    errors: list[BaseException] = []

    def run():
        try:
            target(*args)
        except BaseException as error:  # reported to the test
            errors.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, errors


@pytest.mark.postgres
@pytest.mark.parametrize("outcome", ["commit", "rollback"])
def test_a_long_transaction_does_not_hold_up_another_writer(transactional_db, outcome):
    """One transaction writes an audit row and stays open (a long restructuring); another
    writes its own row and commits meanwhile, without waiting; its row is sealed at once.
    The long one's row is chained after it when it commits, or never appears."""
    written, release = threading.Event(), threading.Event()

    def long_transaction():
        with transaction.atomic():
            audit_record(action=Action.UPDATED, subject_type="org", subject_id=f"long-{outcome}")
            written.set()
            assert release.wait(30)
            if outcome == "rollback":
                transaction.set_rollback(True)

    thread, errors = _in_thread(long_transaction)
    try:
        assert written.wait(10)
        started = time.monotonic()
        with transaction.atomic():
            with connection.cursor() as cursor:  # the old global lock would make this fail
                cursor.execute("SET LOCAL lock_timeout = '3s'")
            short = audit_record(action=Action.MEMBER_VIEWED, subject_type="member", subject_id="short")
        elapsed = time.monotonic() - started
        short = reloaded(short)
        assert short.sealed and elapsed < 2, elapsed
    finally:
        release.set()
        thread.join(30)
    assert not errors, errors
    long_rows = list(AuditEntry.objects.filter(subject_id=f"long-{outcome}"))
    if outcome == "commit":
        [long] = long_rows
        assert long.seq < short.seq and long.sealed and long.chain_seq > short.chain_seq  # commit order
    else:
        assert not long_rows
    report = audit_verify()
    assert report.ok and report.unsealed == 0


@pytest.mark.postgres
def test_many_concurrent_writers_make_one_verifiable_chain(transactional_db):
    audit_seal()
    start = chain_head()
    start_chain = start.chain_seq if start else 0

    def writer(n: int):
        for k in range(15):
            with transaction.atomic():
                audit_record(action=Action.SEARCHED, subject_id=f"w{n}", data={"k": k})
                audit_record(action=Action.EXPORTED, subject_id=f"w{n}", data={"k": k})

    threads = [_in_thread(writer, n) for n in range(6)]
    for thread, _ in threads:
        thread.join(60)
    assert not [error for _, errors in threads for error in errors]
    audit_seal()
    report = audit_verify()
    assert report.ok and report.unsealed == 0
    assert (
        AuditEntry.objects.filter(chain_seq__gt=start_chain, subject_id__startswith="w").count() == 6 * 15 * 2
    )
    # each writer's rows keep their order in the chain
    for n in range(6):
        mine = list(
            AuditEntry.objects.filter(subject_id=f"w{n}").order_by("chain_seq").values_list("seq", flat=True)
        )
        assert mine == sorted(mine)
