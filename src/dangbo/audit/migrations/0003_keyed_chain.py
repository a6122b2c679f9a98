"""The audit chain becomes keyed, and the client's request id gets a column of its own (issue 18).

* ``client_request_id`` (new): a well-formed X-Request-ID sent by the client, kept apart from
  ``request_id``, which the server now always makes. Covered by the hash and, on SQLite, by the
  update trigger's list of unchangeable columns (PostgreSQL's trigger compares whole rows).
* Every sealed row is checked against the plain SHA-256 chain it carries (the content of
  ``0002_sealing``) and sealed again with HMAC-SHA256 under the audit key (``audit.chain``).
  If the plain chain is already broken the migration refuses, naming the row: an operator
  must look at it before the trail is re-signed (re-signing would hide the break).
  From here on only keyed hashes verify: nothing computes or accepts a plain hash, so a row
  rewritten with a recomputed plain hash is reported.
* The rows' hashes are rewritten with the update trigger set aside (the migration runs as
  the table's owner) and put back at once, in the migration's transaction.

Going back is refused once sealed rows exist: their plain hashes are gone, and writing them
again would give back the way around the key.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC

from django.db import migrations, models

from dangbo.audit import chain

GENESIS = "0" * 64
MESSAGE = "audit_entry is append-only (only the sealing of an unsealed row is allowed)"
CONTENT = (
    "seq",
    "at",
    "actor_id",
    "actor_name",
    "actor_role",
    "scope",
    "action",
    "subject_type",
    "subject_id",
    "data",
    "ip",
    "request_id",
    "client_request_id",
)


def _sqlite_update_trigger(columns) -> str:
    sealing = " AND ".join(
        [
            "OLD.chain_seq IS NULL",
            "OLD.prev_hash = ''",
            "OLD.hash = ''",
            *(f"NEW.{column} IS OLD.{column}" for column in columns),
            "NEW.chain_seq = COALESCE((SELECT max(chain_seq) FROM audit_entry), 0) + 1",
            "NEW.prev_hash = COALESCE((SELECT hash FROM audit_entry WHERE chain_seq = NEW.chain_seq - 1), "
            f"'{GENESIS}')",
            "length(NEW.hash) = 64",
        ]
    )
    return (
        "CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_entry "
        f"WHEN NOT ({sealing}) BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
    )


ADD_COLUMN = "ALTER TABLE audit_entry ADD COLUMN client_request_id varchar(64) NOT NULL DEFAULT ''"


def _plain_hash(row) -> str:
    """The hash of ``0002_sealing`` (plain SHA-256), frozen here to check the old chain."""
    at = row.at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    fields = [
        row.chain_seq,
        at,
        row.actor_id,
        row.actor_name,
        row.actor_role,
        row.scope,
        row.action,
        row.subject_type,
        row.subject_id,
        row.data,
        row.ip,
        row.request_id,
        row.prev_hash,
    ]
    if row.seq != row.chain_seq:
        fields.append(row.seq)
    text = json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(text).hexdigest()


class BrokenChain(RuntimeError):
    pass


def reseal(entries, cursor, *, batch: int = 1000) -> int:
    """Check the plain chain of ``entries`` (sealed rows, in chain order) and write its keyed
    hashes; return how many rows were re-signed. The caller has set the update trigger aside."""
    key = chain.audit_key()
    expected, plain_prev, keyed_prev, done = 1, GENESIS, GENESIS, 0
    links = []
    for row in entries:
        if row.chain_seq != expected or row.prev_hash != plain_prev or _plain_hash(row) != row.hash:
            raise BrokenChain(
                f"audit_entry: the unkeyed chain is broken at row seq={row.seq} (chain position "
                f"{row.chain_seq}); check it with the previous version's `dangbo audit verify` "
                "before the trail is re-signed with the audit key."
            )
        plain_prev = row.hash
        row.prev_hash = keyed_prev
        keyed_prev = chain.link_hash(row, key)
        links.append((row.prev_hash, keyed_prev, row.seq))
        expected += 1
        done += 1
        if len(links) >= batch:
            cursor.executemany("UPDATE audit_entry SET prev_hash = %s, hash = %s WHERE seq = %s", links)
            links = []
    if links:
        cursor.executemany("UPDATE audit_entry SET prev_hash = %s, hash = %s WHERE seq = %s", links)
    return done


def forward(apps, schema_editor):
    AuditEntry = apps.get_model("audit", "AuditEntry")
    postgres = schema_editor.connection.vendor == "postgresql"
    schema_editor.execute(ADD_COLUMN)
    forged = AuditEntry.objects.filter(chain_seq__isnull=True).exclude(hash="", prev_hash="").first()
    if forged is not None:
        raise BrokenChain(f"audit_entry: row seq={forged.seq} is not sealed but carries a hash.")
    if postgres:
        schema_editor.execute("ALTER TABLE audit_entry DISABLE TRIGGER audit_entry_no_update")
    else:
        schema_editor.execute("DROP TRIGGER audit_entry_no_update")
    sealed = AuditEntry.objects.filter(chain_seq__isnull=False).order_by("chain_seq")
    with schema_editor.connection.cursor() as cursor:
        reseal(sealed.iterator(chunk_size=2000), cursor)
    if postgres:
        schema_editor.execute("ALTER TABLE audit_entry ENABLE TRIGGER audit_entry_no_update")
    else:
        schema_editor.execute(_sqlite_update_trigger(CONTENT))


def backward(apps, schema_editor):
    AuditEntry = apps.get_model("audit", "AuditEntry")
    if AuditEntry.objects.filter(chain_seq__isnull=False).exists():
        raise RuntimeError("audit_entry is signed with the audit key; the trail cannot go back to plain hashes.")
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER audit_entry_no_update")
        schema_editor.execute(_sqlite_update_trigger(tuple(c for c in CONTENT if c != "client_request_id")))
    schema_editor.execute("ALTER TABLE audit_entry DROP COLUMN client_request_id")


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_sealing")]
    operations = [
        # The model is unmanaged: this changes Django's idea of it only, the SQL is in forward().
        migrations.AddField(
            model_name="auditentry",
            name="client_request_id",
            field=models.CharField(default="", max_length=64),
        ),
        migrations.RunPython(forward, backward),
    ]
