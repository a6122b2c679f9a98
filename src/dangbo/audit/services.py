"""Writing to the audit trail. The only writer of ``AuditEntry``.

A row is written in the caller's transaction, so the trail holds exactly what was
committed (a rolled-back change leaves no row), and without any lock: the database numbers
it (``seq``). Nothing here waits for another transaction, however long it runs.

Chaining happens afterwards, in ``audit_seal``: in a short transaction of its own, under
the one lock of the trail (a PostgreSQL transaction-level advisory lock; SQLite's write
lock, every transaction here beginning IMMEDIATE), it takes the committed rows not yet
sealed, in the order they were written, and gives each the next place in the chain
(``chain_seq``), the previous link's hash and its own. In a process that serves pages or
runs the worker, a thread seals every few seconds (``audit.sealer``: a request never waits
for the lock); elsewhere ``audit_record`` arranges for the seal to run when the caller's
transaction commits. ``dangbo audit seal``, ``dangbo audit verify`` and the audit pages run
it too, so a row left unsealed (a process that died between its commit and the seal) is
sealed by the next of these. Rows are chained in the order their
transactions committed, as far as sealing can see it: a row committed after another row
was sealed always comes after it in the chain; rows that became visible to the same seal
are chained in the order they were written.
"""

from __future__ import annotations

import logging
from typing import cast

from django.conf import settings
from django.db import connection, transaction

from dangbo.audit import chain
from dangbo.audit.context import AuditContext, current, in_bulk_operation
from dangbo.audit.models import GENESIS_HASH, AuditEntry
from dangbo.audit.sealer import Sealer
from dangbo.audit.spool import spool_delete, spool_flush, spool_write
from dangbo.core import clock, locks

_LOCK_KEY = 0x64616E67  # "dang"
SEAL_BATCH = 1000

logger = logging.getLogger("dangbo.audit")


class Action:
    """The actions recorded (stable strings; the audit page names them in Vietnamese)."""

    SIGN_IN = "sign_in"
    SIGN_OUT = "sign_out"
    SIGN_IN_FAILED = "sign_in_failed"
    PASSWORD_CHANGED = "password_changed"
    MEMBER_VIEWED = "member_viewed"
    MEMBER_HISTORY_VIEWED = "member_history_viewed"
    NATIONAL_ID_REVEALED = "national_id_revealed"
    LIST_VIEWED = "list_viewed"
    SEARCHED = "searched"
    EXPORTED = "exported"
    ORG_VIEWED = "org_viewed"
    CREATED = "created"
    UPDATED = "updated"
    REFUSED = "refused"
    ROLE_GRANTED = "role_granted"
    ROLE_REVOKED = "role_revoked"
    USER_CREATED = "user_created"
    USER_DEACTIVATED = "user_deactivated"
    PASSWORD_RESET = "password_reset"
    TOKEN_CREATED = "token_created"
    TOKEN_REVOKED = "token_revoked"
    AUDIT_SEARCHED = "audit_searched"
    LEDGER_EVENT = "ledger_event"
    DEMO_GENERATED = "demo_generated"
    IMPORT_STAGED = "import_staged"
    IMPORTED = "imported"
    SECOND_FACTOR_ENROLLED = "second_factor_enrolled"
    SECOND_FACTOR_VERIFIED = "second_factor_verified"
    SECOND_FACTOR_FAILED = "second_factor_failed"
    SECOND_FACTOR_RESET = "second_factor_reset"
    SECOND_FACTOR_DISABLED = "second_factor_disabled"
    RECOVERY_CODES_CREATED = "recovery_codes_created"
    SIGN_IN_LOCKED_OUT = "sign_in_locked_out"
    SESSION_EXPIRED = "session_expired"
    ACCOUNT_CHANGED_DIRECTLY = "account_changed_directly"
    SESSIONS_ENDED = "sessions_ended"


ACTION_LABELS = {
    Action.SIGN_IN: "Đăng nhập",
    Action.SIGN_OUT: "Đăng xuất",
    Action.SIGN_IN_FAILED: "Đăng nhập không thành công",
    Action.PASSWORD_CHANGED: "Đổi mật khẩu",
    Action.MEMBER_VIEWED: "Xem hồ sơ đảng viên",
    Action.MEMBER_HISTORY_VIEWED: "Xem quá trình sinh hoạt đảng",
    Action.NATIONAL_ID_REVEALED: "Xem số định danh cá nhân",
    Action.LIST_VIEWED: "Xem danh sách",
    Action.SEARCHED: "Tìm kiếm",
    Action.EXPORTED: "Xuất danh sách",
    Action.ORG_VIEWED: "Xem tổ chức đảng",
    Action.CREATED: "Tạo mới",
    Action.UPDATED: "Sửa",
    Action.REFUSED: "Bị từ chối truy cập",
    Action.ROLE_GRANTED: "Phân quyền",
    Action.ROLE_REVOKED: "Thu hồi quyền",
    Action.USER_CREATED: "Tạo tài khoản",
    Action.USER_DEACTIVATED: "Khóa tài khoản",
    Action.PASSWORD_RESET: "Đặt lại mật khẩu",
    Action.TOKEN_CREATED: "Tạo khóa API",
    Action.TOKEN_REVOKED: "Thu hồi khóa API",
    Action.AUDIT_SEARCHED: "Tra cứu nhật ký",
    Action.LEDGER_EVENT: "Ghi sự kiện sinh hoạt đảng",
    Action.DEMO_GENERATED: "Tạo dữ liệu mẫu",
    Action.IMPORT_STAGED: "Tải tệp nhập dữ liệu",
    Action.IMPORTED: "Nhập dữ liệu từ tệp",
    Action.SECOND_FACTOR_ENROLLED: "Đăng ký xác thực hai bước",
    Action.SECOND_FACTOR_VERIFIED: "Xác thực hai bước",
    Action.SECOND_FACTOR_FAILED: "Nhập sai mã xác thực",
    Action.SECOND_FACTOR_RESET: "Đặt lại xác thực hai bước",
    Action.SECOND_FACTOR_DISABLED: "Tắt xác thực hai bước",
    Action.RECOVERY_CODES_CREATED: "Tạo mã khôi phục",
    Action.SIGN_IN_LOCKED_OUT: "Tạm khóa đăng nhập",
    Action.SESSION_EXPIRED: "Hết thời hạn phiên đăng nhập",
    Action.ACCOUNT_CHANGED_DIRECTLY: "Thay đổi tài khoản ngoài chức năng quản lý",
    Action.SESSIONS_ENDED: "Kết thúc các phiên đăng nhập",
}


def _lock(*, own_transaction: bool, wait: bool = True) -> bool:
    """Take the sealing lock (only the sealing takes it); False when ``wait`` is off and another
    seal holds it. On SQLite the transaction's write lock, taken at BEGIN IMMEDIATE, already
    serialises it.

    On PostgreSQL, when the seal runs in a transaction of its own, its commit does not wait
    for the WAL to reach the disk (``synchronous_commit`` off, for that transaction only):
    the rows it chains are already durable, and a seal lost in a server crash is the end of
    the WAL, so those rows are simply unsealed again and the next seal chains them.

    In that transaction the unsealed rows are also read by a plain index scan, never a bitmap
    scan (``enable_bitmapscan`` off): the partial index ``audit_entry_unsealed`` keeps an entry
    for every row sealed since the table was last vacuumed, and only an index scan marks those
    entries dead as it passes them, so the next seal skips them. A bitmap scan reads them all,
    every time: 30 ms a seal after 123,000 page views on a server whose autovacuum was off
    (bench/results/load.md, 2026-12-07), the sealer's read growing with every page viewed."""
    if connection.vendor != "postgresql":
        return True
    function = "pg_advisory_xact_lock" if wait else "pg_try_advisory_xact_lock"
    sql = f"SELECT {function}(%s)::text"  # pg_advisory_xact_lock returns void: ""
    if own_transaction:
        sql += ", set_config('synchronous_commit', 'off', true), set_config('enable_bitmapscan', 'off', true)"
    with connection.cursor() as cursor:
        cursor.execute(sql, [_LOCK_KEY])
        return cursor.fetchone()[0] != "false"


def audit_record(
    *,
    action: str,
    subject_type: str = "",
    subject_id: str = "",
    data: dict | None = None,
    context: AuditContext | None = None,
) -> AuditEntry | None:
    """Write one unsealed row. ``data`` must be JSON of strings, integers, booleans, lists, dicts.

    The row is sealed after the surrounding transaction commits (at once outside one).
    Inside ``audit.context.bulk_operation`` (the demo generator) nothing is written here:
    the operation records one row for itself when it ends.
    """
    if in_bulk_operation():
        return None
    ctx = context or current()
    entry = AuditEntry(
        at=clock.now(),
        actor_id=ctx.actor_id,
        actor_name=ctx.actor_name[:150],
        actor_role=ctx.actor_role[:200],
        scope=ctx.scope,
        action=action,
        subject_type=subject_type,
        subject_id=str(subject_id)[:64],
        data=data or {},
        ip=ctx.ip,
        request_id=ctx.request_id[:64],
        client_request_id=ctx.client_request_id[:64],
    )
    if locks.single_writer() and not connection.in_atomic_block:
        # A read's row, outside any transaction: on SQLite it must not wait for a long writer
        # (the worker applying a plan); if the lock is held it goes to the spool (audit.spool).
        try:
            with locks.short_wait():
                entry.save(force_insert=True)
        except Exception as error:
            if not locks.database_locked(error):
                raise
            spool_write(entry)
            if sealer.enabled:
                sealer.note()  # the seal flushes the spool
            return entry
    else:
        entry.save(force_insert=True)
    _seal_after_commit()
    return entry


def audit_seal_if_free(*, wait: bool = True) -> int | None:
    """``audit_seal``, except that on SQLite it waits only briefly for the write lock (a long
    writer holding it, the worker applying a plan, seals what is waiting when it commits, and
    so does the next seal), and on PostgreSQL, without ``wait``, not at all for the sealing lock
    (the background sealer, which tries again). Returns how many rows were sealed, None when
    the lock was held."""
    try:
        with locks.short_wait():
            return audit_seal(wait=wait)
    except Exception as error:
        if not locks.database_locked(error):
            raise
        logger.info("audit: database busy, rows left for the next seal")
        return None


# In a process that serves pages or runs the worker, the seal's own thread (audit.sealer).
sealer = Sealer(seal=lambda: audit_seal_if_free(wait=False))


def audit_seal_in_background() -> None:
    """From now on this process seals in a thread of its own, not after each commit (called by
    ``dangbo.wsgi`` and ``dangbo worker``). ``DANGBO_AUDIT_SEAL_SECONDS=0`` keeps the seal after
    each commit (as before issue 24; for comparison)."""
    if settings.DANGBO_AUDIT_SEAL_SECONDS > 0:
        sealer.enable()


def _seal_committed() -> None:
    audit_seal_if_free()


def _note_committed() -> None:
    sealer.note()


def _seal_after_commit() -> None:
    """Seal when the current transaction commits (or, with the background sealer, tell it a row
    waits): once per transaction, however many rows it writes. A failed seal does not fail the
    caller (its change is committed and its rows are safe); it is logged, and the next seal
    takes the rows."""
    callback = _note_committed if sealer.enabled else _seal_committed
    if connection.in_atomic_block and any(entry[1] is callback for entry in connection.run_on_commit):
        return
    if sealer.enabled and not connection.in_atomic_block:
        sealer.note()  # no transaction to wait for: no on_commit bookkeeping either
        return
    transaction.on_commit(callback, robust=True)


def audit_seal(*, batch_size: int = SEAL_BATCH, wait: bool = True) -> int | None:
    """Chain every committed row not yet sealed; return how many were sealed.

    Each batch is one short transaction under the sealing lock. Call it outside a
    transaction: inside one, the lock is held until that transaction ends. Without ``wait``
    (PostgreSQL), return None at once when another seal holds the lock, and stop where the
    lock is taken between batches.
    """
    total = 0
    own_transaction = not connection.in_atomic_block
    with transaction.atomic():
        if not _lock(own_transaction=own_transaction, wait=wait):
            return None
        spooled = spool_flush()  # rows that could not wait for the lock (audit.spool), first
    if spooled:
        transaction.on_commit(lambda: spool_delete(spooled))  # at once outside a transaction
    while True:
        with transaction.atomic():
            if not _lock(own_transaction=own_transaction, wait=wait):
                break
            sealed = _seal_batch(batch_size)
        total += sealed
        if sealed < batch_size:
            break
    if total:
        logger.debug("audit: sealed %d rows", total)
    return total


def _seal_batch(batch_size: int) -> int:
    head = (
        AuditEntry.objects.filter(chain_seq__isnull=False)
        .order_by("-chain_seq")
        .values_list("chain_seq", "hash")
        .first()
    )
    chain_seq, prev_hash = cast(tuple[int, str], head) if head else (0, GENESIS_HASH)  # sealed: numbered
    rows = list(AuditEntry.objects.filter(chain_seq__isnull=True).order_by("seq")[:batch_size])
    links = []
    key = chain.audit_key()
    for entry in rows:
        chain_seq += 1
        entry.chain_seq, entry.prev_hash = chain_seq, prev_hash
        entry.hash = prev_hash = entry.compute_hash(key)
        links.append((entry.chain_seq, entry.prev_hash, entry.hash, entry.seq))
    if links:
        with connection.cursor() as cursor:
            cursor.executemany(
                "UPDATE audit_entry SET chain_seq = %s, prev_hash = %s, hash = %s "
                "WHERE seq = %s AND chain_seq IS NULL",
                links,
            )
            if cursor.rowcount != len(links):  # cannot happen under the lock; never fork the chain
                raise RuntimeError(f"audit seal: {cursor.rowcount} rows sealed of {len(links)}")
    return len(links)


def field_diff(before: dict, after: dict) -> dict:
    """{field: [old, new]} for the fields that changed, values as text."""

    def text(value):
        return "" if value is None else str(value)

    return {
        name: [text(before.get(name)), text(after.get(name))]
        for name in after
        if text(before.get(name)) != text(after.get(name))
    }
