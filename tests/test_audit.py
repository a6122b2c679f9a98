"""The audit trail: append-only on both databases, hash-chained, verifiable.
Rows are written unsealed and chained by the sealing step (tests/test_audit_sealing.py)."""

import pytest
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.urls import reverse

from dangbo.audit.models import AuditEntry
from dangbo.audit.services import Action, audit_record, audit_seal
from dangbo.audit.verify import audit_verify
from dangbo.cli import main


def last_seq() -> int:
    return AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


def reloaded(entry: AuditEntry) -> AuditEntry:
    return AuditEntry.objects.get(seq=entry.seq)


def test_rows_chain_and_verify(db):
    first = audit_record(action=Action.SEARCHED, data={"q": "nguyen van duc", "rows": 3})
    second = audit_record(action=Action.EXPORTED, data={"rows": 3})
    assert second.seq > first.seq and not first.sealed and first.hash == ""
    assert audit_seal() >= 2
    first, second = reloaded(first), reloaded(second)
    assert second.chain_seq == first.chain_seq + 1 and second.prev_hash == first.hash
    assert audit_verify().ok


@pytest.mark.parametrize("sealed", [False, True], ids=["unsealed", "sealed"])
@pytest.mark.parametrize("statement", ["UPDATE audit_entry SET action = 'x'", "DELETE FROM audit_entry"])
def test_update_and_delete_are_refused_by_the_database(db, statement, sealed):
    audit_record(action=Action.SEARCHED)
    if sealed:
        audit_seal()
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)


@pytest.mark.postgres
def test_truncate_is_refused_on_postgres(db):
    audit_record(action=Action.SEARCHED)
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("TRUNCATE audit_entry")


def _tamper(seq: int, sql: str) -> None:
    """Change a row behind the triggers' back, as someone with the database's owner rights might."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_entry DISABLE TRIGGER USER")
            cursor.execute(sql, [seq])
            cursor.execute("ALTER TABLE audit_entry ENABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER audit_entry_no_update")
            cursor.execute(sql, [seq])


def test_verify_reports_the_first_edited_row(db, capsys):
    rows = [
        audit_record(action=Action.MEMBER_VIEWED, subject_type="member", subject_id=str(n)) for n in range(4)
    ]
    audit_seal()
    _tamper(rows[2].seq, "UPDATE audit_entry SET subject_id = 'khac' WHERE seq = %s")
    report = audit_verify()
    assert not report.ok and report.broken_seq == rows[2].seq and "bị sửa" in report.reason
    assert report.broken_chain_seq == reloaded(rows[2]).chain_seq
    assert main(["audit", "verify"]) == 1
    assert f"dòng số {rows[2].seq}" in capsys.readouterr().err


def test_verify_command_seals_then_passes_on_an_intact_trail(db, capsys):
    entry = audit_record(action=Action.SEARCHED)
    assert main(["audit", "verify"]) == 0
    out = capsys.readouterr().out
    assert "Đã niêm phong" in out and "nguyên vẹn" in out and "chưa niêm phong" not in out
    assert reloaded(entry).sealed


def test_verify_without_sealing_reports_the_unsealed_rows(db, capsys):
    audit_seal()
    audit_record(action=Action.SEARCHED)
    audit_record(action=Action.EXPORTED)
    assert main(["audit", "verify", "--no-seal"]) == 0
    out = capsys.readouterr().out
    assert "nguyên vẹn" in out and "Còn 2 dòng chưa niêm phong" in out
    report = audit_verify()
    assert report.ok and report.unsealed == 2 and report.oldest_unsealed_at is not None


def test_seal_command(db, capsys):
    audit_seal()
    for _ in range(3):
        audit_record(action=Action.SEARCHED)
    assert main(["audit", "seal"]) == 0
    assert "Đã niêm phong 3 dòng" in capsys.readouterr().out
    assert main(["audit", "seal"]) == 0
    assert "Đã niêm phong 0 dòng" in capsys.readouterr().out
    assert not AuditEntry.objects.filter(chain_seq__isnull=True).exists()


def test_sign_in_sign_out_and_failure_are_recorded(client, db):
    User.objects.create_user("canbo", password="mat-khau-dai-du-1")
    start = last_seq()
    client.post(reverse("login"), {"username": "canbo", "password": "sai-roi"})
    client.post(reverse("login"), {"username": "canbo", "password": "mat-khau-dai-du-1"})
    client.post(reverse("logout"))
    rows = list(AuditEntry.objects.filter(seq__gt=start).order_by("seq"))
    assert [r.action for r in rows] == [Action.SIGN_IN_FAILED, Action.SIGN_IN, Action.SIGN_OUT]
    assert rows[0].data == {"username": "canbo"} and rows[0].ip == "127.0.0.1"
    assert rows[1].actor_name == "canbo" and rows[1].request_id
    assert "mat-khau" not in str(rows[0].data)  # a password is never written down


def test_repeated_failures_lock_the_account(client, db, settings):
    User.objects.create_user("canbo", password="mat-khau-dai-du-1")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "canbo", "password": "sai-roi"})
    response = client.post(reverse("login"), {"username": "canbo", "password": "mat-khau-dai-du-1"})
    assert response.status_code == 429
    assert "tạm khóa" in response.content.decode()
    assert "_auth_user_id" not in client.session
