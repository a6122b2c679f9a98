"""Audit rows that could not wait for the database: the spool.

On SQLite one transaction writes at a time. While the background worker applies a
restructuring plan (one transaction, minutes on a province), a page that only reads would
wait for the write lock to record its audit row, and fail after the busy timeout. Instead,
``audit_record`` outside a transaction tries the insert with a short wait
(``core.locks.short_wait``) and, when the lock is held, writes the row here: one JSON file per
row in ``VAR_DIR/audit/spool/``, written to a temporary name, flushed to disk and renamed into
place, so a row in the spool survives a crash as a committed row would.

``spool_flush`` moves the spooled rows into the trail. It runs at the start of every seal,
under the sealing lock, so two processes never flush the same file twice; a row already in
the table (a flush that committed but died before deleting its files) is not inserted again.
Spooled rows keep their own time (``at``) and are chained when they are flushed.
"""

from __future__ import annotations

import json
import logging
import os
import uuid
from datetime import datetime
from pathlib import Path

from django.conf import settings

from dangbo.audit import chain
from dangbo.audit.models import AuditEntry

logger = logging.getLogger("dangbo.audit")

# What a spooled row keeps: the chained content but its place, its number and its time (written
# apart) and the link to the previous row (given when it is sealed).
_FIELDS = tuple(c for c in chain.CONTENT_COLUMNS if c not in ("chain_seq", "seq", "at", "prev_hash"))


def spool_dir() -> Path:
    return Path(settings.VAR_DIR) / "audit" / "spool"


def spool_write(entry) -> Path:
    """Keep ``entry`` (an unsaved ``AuditEntry``) on disk until the next flush."""
    folder = spool_dir()
    folder.mkdir(parents=True, exist_ok=True)
    record = {name: getattr(entry, name) for name in _FIELDS} | {"at": entry.at.isoformat()}
    name = f"{entry.at.strftime('%Y%m%dT%H%M%S%f')}-{uuid.uuid4().hex}.json"
    temporary = folder / f".{name}.tmp"
    with open(temporary, "w", encoding="utf-8") as handle:
        json.dump(record, handle, ensure_ascii=False)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, folder / name)
    return folder / name


def spooled_files() -> list[Path]:
    folder = spool_dir()
    if not folder.is_dir():
        return []
    return sorted(folder.glob("*.json"))


def spool_flush() -> list[Path]:
    """Insert the spooled rows (call under the sealing lock, in its transaction); return the
    files to delete once that transaction has committed."""
    files = spooled_files()
    for path in files:
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            logger.exception("audit spool: cannot read %s; left in place", path)
            continue
        fields = {name: record[name] for name in _FIELDS if name in record} | {
            "at": datetime.fromisoformat(record["at"])
        }
        if AuditEntry.objects.filter(
            at=fields["at"],
            request_id=fields["request_id"],
            action=fields["action"],
            subject_type=fields["subject_type"],
            subject_id=fields["subject_id"],
        ).exists():
            continue  # flushed before, its file not yet deleted
        AuditEntry(**fields).save(force_insert=True)
    return files


def spool_delete(files: list[Path]) -> None:
    for path in files:
        path.unlink(missing_ok=True)
