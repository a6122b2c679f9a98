"""Writing to the audit trail. The only writer of ``AuditEntry``.

Appends are serialised so that each row chains to the one before: a PostgreSQL
transaction-level advisory lock, or SQLite's write lock (every transaction here begins
IMMEDIATE). A write's audit row goes in the same transaction as the write, so the trail
holds exactly the changes that were committed.
"""

from __future__ import annotations

from django.db import connection, transaction

from dangbo.audit.context import AuditContext, current, in_bulk_operation
from dangbo.audit.models import GENESIS_HASH, AuditEntry
from dangbo.core import clock

_LOCK_KEY = 0x64616E67  # "dang"


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
}


def _lock() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])


def audit_record(
    *,
    action: str,
    subject_type: str = "",
    subject_id: str = "",
    data: dict | None = None,
    context: AuditContext | None = None,
) -> AuditEntry | None:
    """Append one row. ``data`` must be JSON of strings, integers, booleans, lists, dicts.

    Inside ``audit.context.bulk_operation`` (the demo generator) nothing is written here:
    the operation records one row for itself when it ends.
    """
    if in_bulk_operation():
        return None
    ctx = context or current()
    with transaction.atomic():
        _lock()
        last = AuditEntry.objects.order_by("-seq").values_list("seq", "hash").first()
        seq, prev_hash = (last[0] + 1, last[1]) if last else (1, GENESIS_HASH)
        entry = AuditEntry(
            seq=seq,
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
            prev_hash=prev_hash,
        )
        entry.hash = entry.compute_hash()
        entry.save(force_insert=True)
    return entry


def field_diff(before: dict, after: dict) -> dict:
    """{field: [old, new]} for the fields that changed, values as text."""

    def text(value):
        return "" if value is None else str(value)

    return {
        name: [text(before.get(name)), text(after.get(name))]
        for name in after
        if text(before.get(name)) != text(after.get(name))
    }
