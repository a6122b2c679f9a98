"""The audit chain is keyed (issue 18, ASVS 16.4.2/16.4.3): rewriting a row and recomputing
its hash without the key is reported at that row; an anchor kept elsewhere shows a trail cut
short; the old plain chain is checked and re-signed by the migration, never accepted again."""

from __future__ import annotations

import hashlib
import hmac
import importlib
import json
import os
import stat

import pytest
from django.db import connection, transaction

from dangbo.audit import chain
from dangbo.audit.models import AuditEntry
from dangbo.audit.services import Action, audit_record, audit_seal
from dangbo.audit.verify import audit_anchor, audit_verify
from dangbo.cli import main

keyed = importlib.import_module("dangbo.audit.migrations.0003_keyed_chain")


def reloaded(entry: AuditEntry) -> AuditEntry:
    return AuditEntry.objects.get(seq=entry.seq)


def _triggers_off() -> None:
    """Set the triggers aside, as someone with the database owner's rights can."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_entry DISABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER audit_entry_no_update")
            cursor.execute("DROP TRIGGER audit_entry_no_delete")


def _rewrite_chain_from(entries: list[AuditEntry], start: int, digest) -> None:
    """The attacker's rewrite: change row ``start``'s content, then recompute its hash and
    every later link's with ``digest`` (anything but the real key)."""
    _triggers_off()
    prev = entries[start - 1].hash if start else "0" * 64
    with connection.cursor() as cursor:
        for index, entry in enumerate(entries[start:], start=start):
            if index == start:
                entry.subject_id = "da-sua"
            entry.prev_hash = prev
            entry.hash = prev = digest(entry.chained_content())
            cursor.execute(
                "UPDATE audit_entry SET subject_id = %s, prev_hash = %s, hash = %s WHERE seq = %s",
                [entry.subject_id, entry.prev_hash, entry.hash, entry.seq],
            )


def _sealed_rows(n: int) -> list[AuditEntry]:
    audit_seal()
    rows = [
        audit_record(action=Action.MEMBER_VIEWED, subject_type="member", subject_id=str(i)) for i in range(n)
    ]
    audit_seal()
    return [reloaded(r) for r in rows]


@pytest.mark.parametrize(
    "digest",
    [
        lambda data: hashlib.sha256(data).hexdigest(),  # the old, unkeyed hash
        lambda data: hmac.new(b"khoa-sai-" * 8, data, hashlib.sha256).hexdigest(),  # a wrong key
    ],
    ids=["plain-sha256", "wrong-key"],
)
def test_a_row_rewritten_with_recomputed_hashes_is_reported(db, digest, capsys):
    rows = _sealed_rows(4)
    _rewrite_chain_from(rows, 2, digest)
    report = audit_verify()
    assert not report.ok
    assert report.broken_seq == rows[2].seq and report.broken_chain_seq == rows[2].chain_seq
    assert "bị sửa" in report.reason
    assert main(["audit", "verify", "--no-seal"]) == 1
    assert f"dòng số {rows[2].seq}" in capsys.readouterr().err


def test_the_hash_is_an_hmac_under_the_audit_key(db, settings):
    [row] = _sealed_rows(1)
    assert row.hash == hmac.new(chain.audit_key(), row.chained_content(), hashlib.sha256).hexdigest()
    assert row.hash != hashlib.sha256(row.chained_content()).hexdigest()
    settings.DANGBO_AUDIT_KEY = "mot-khoa-khac-hoan-toan-" * 2  # another installation's key
    report = audit_verify()
    assert not report.ok and "khóa nhật ký" in report.reason


def test_the_key_file_is_made_once_and_private(tmp_path, settings):
    settings.DANGBO_AUDIT_KEY = ""
    settings.DANGBO_AUDIT_KEY_FILE = tmp_path / "khoa" / "audit_key"
    key = chain.audit_key()
    assert len(key) >= chain.KEY_MIN_LENGTH
    assert stat.S_IMODE(os.stat(settings.DANGBO_AUDIT_KEY_FILE).st_mode) == 0o600
    chain._cache.clear()
    assert chain.audit_key() == key  # read back, not made again


def test_a_short_key_is_refused(settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.DANGBO_AUDIT_KEY = "ngan"
    with pytest.raises(ImproperlyConfigured, match="ít nhất"):
        chain.audit_key()


# --- anchors -------------------------------------------------------------------------------------


def _delete_tail(rows: list[AuditEntry]) -> None:
    _triggers_off()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_entry WHERE seq IN (" + ",".join(str(r.seq) for r in rows) + ")")


def test_an_anchor_shows_a_trail_cut_short(db, tmp_path, capsys):
    rows = _sealed_rows(5)
    anchor_file = tmp_path / "moc.json"
    assert main(["audit", "anchor", "--output", str(anchor_file)]) == 0
    anchor = json.loads(anchor_file.read_text())
    assert anchor["count"] == anchor["chain_seq"] == rows[-1].chain_seq and anchor["hash"] == rows[-1].hash
    assert audit_verify(anchor=anchor).ok
    assert main(["audit", "verify", "--anchor", str(anchor_file)]) == 0
    capsys.readouterr()

    _delete_tail(rows[-2:])
    assert audit_verify().ok  # the shorter chain is intact: only the anchor shows the loss
    report = audit_verify(anchor=anchor)
    assert not report.ok and "bị cắt" in report.anchor_problem
    assert report.broken_chain_seq == rows[-2].chain_seq
    assert main(["audit", "verify", "--no-seal", "--anchor", str(anchor_file)]) == 1
    assert "bị cắt" in capsys.readouterr().err


def test_an_anchor_shows_a_tail_deleted_and_written_again(db):
    rows = _sealed_rows(3)
    anchor = audit_anchor()
    _delete_tail(rows[-1:])
    audit_record(action=Action.SEARCHED, data={"q": "dòng thay thế"})
    audit_seal()  # the replacement takes the deleted row's place in the chain
    report = audit_verify(anchor=anchor)
    assert not report.ok and f"mắt xích thứ {rows[-1].chain_seq} khác" in report.anchor_problem


def test_an_altered_anchor_is_refused(db):
    _sealed_rows(2)
    anchor = audit_anchor()
    forged = {**anchor, "count": anchor["count"] - 1, "chain_seq": anchor["chain_seq"] - 1}
    assert "bị sửa" in audit_verify(anchor=forged).anchor_problem
    assert "định dạng" in audit_verify(anchor={"count": 1}).anchor_problem


# --- the migration: plain chain → keyed chain ------------------------------------------------------


def _as_plain_chain(rows: list[AuditEntry]) -> None:
    """Give ``rows`` (the whole chain) the plain SHA-256 hashes of an installation before 0003."""
    _triggers_off()
    prev = "0" * 64
    with connection.cursor() as cursor:
        for entry in rows:
            entry.prev_hash = prev
            entry.hash = prev = keyed._plain_hash(entry)
            cursor.execute(
                "UPDATE audit_entry SET prev_hash = %s, hash = %s WHERE seq = %s",
                [entry.prev_hash, entry.hash, entry.seq],
            )


def _whole_chain() -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(chain_seq__isnull=False).order_by("chain_seq"))


def test_the_migration_resigns_an_intact_plain_chain(db):
    _sealed_rows(3)
    rows = _whole_chain()
    _as_plain_chain(rows)
    assert not audit_verify().ok  # a plain chain is not accepted
    with connection.cursor() as cursor:
        assert keyed.reseal(iter(_whole_chain()), cursor, batch=2) == len(rows)
    report = audit_verify()
    assert report.ok and report.checked == len(rows)


def test_the_migration_refuses_a_broken_plain_chain(db):
    _sealed_rows(3)
    rows = _whole_chain()
    _as_plain_chain(rows)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_entry SET subject_id = 'da-sua' WHERE seq = %s", [rows[-2].seq])
    with (
        pytest.raises(keyed.BrokenChain, match=f"seq={rows[-2].seq}"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        keyed.reseal(iter(_whole_chain()), cursor)
