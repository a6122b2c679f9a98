"""The keyed hash of the audit chain (issue 18): HMAC-SHA256 with a key kept outside the database.

Someone who can write the database (its owner, a restored backup) can rewrite a row and
recompute a plain hash, and every later link with it; without the key they cannot compute
an HMAC, so ``dangbo audit verify`` reports the first row they touched.

The key is ``DANGBO_AUDIT_KEY`` (at least 32 characters) or the file ``DANGBO_AUDIT_KEY_FILE``
(default ``VAR_DIR/audit_key``, generated once with mode 0600, as the secret key is).
Production keeps it out of the database host and its backups (docs/operators.md): whoever
holds both the database and the key can forge the chain.

``content`` is the canonical text every link's hash covers; the migration that made the
chain keyed (``audit/0003_keyed_chain``) uses it too, so both compute the same links.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import time
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

KEY_MIN_LENGTH = 32
CONTENT_VERSION = "v2"  # v1: plain SHA-256 over the same fields without the client's request id


def _read_or_create(path: Path) -> str:
    """The key in ``path``, created once (mode 0600, never overwritten: two processes starting
    together both read the one that was written first)."""
    for _ in range(50):
        try:
            text = path.read_text().strip()
        except FileNotFoundError:
            path.parent.mkdir(parents=True, exist_ok=True)
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                continue  # another process is writing it
            with os.fdopen(fd, "w") as out:
                out.write(secrets.token_urlsafe(48))
            continue
        if text:
            return text
        time.sleep(0.01)  # created by another process, not written yet
    raise ImproperlyConfigured(f"Không đọc được khóa nhật ký trong {path}.")


_cache: dict[tuple[str, str], bytes] = {}


def audit_key() -> bytes:
    """The key of the chain: ``DANGBO_AUDIT_KEY``, else the key file (created on first use)."""
    configured = getattr(settings, "DANGBO_AUDIT_KEY", "")
    path = str(settings.DANGBO_AUDIT_KEY_FILE)
    cached = _cache.get((configured, path))
    if cached is not None:
        return cached
    text = configured or _read_or_create(Path(path))
    if len(text) < KEY_MIN_LENGTH:
        raise ImproperlyConfigured(
            f"Khóa nhật ký (DANGBO_AUDIT_KEY) phải dài ít nhất {KEY_MIN_LENGTH} ký tự."
        )
    key = text.encode()
    _cache[(configured, path)] = key
    return key


def key_id(key: bytes | None = None) -> str:
    """A short name of the key (not the key): tells which key signed an anchor."""
    return hmac.new(key or audit_key(), b"dangbo audit key id", hashlib.sha256).hexdigest()[:16]


def mac(data: bytes, key: bytes | None = None) -> str:
    return hmac.new(key or audit_key(), data, hashlib.sha256).hexdigest()


def content(
    *,
    chain_seq: int | None,
    seq: int | None,
    at: datetime,
    actor_id: int | None,
    actor_name: str,
    actor_role: str,
    scope: str,
    action: str,
    subject_type: str,
    subject_id: str,
    data,
    ip: str,
    request_id: str,
    client_request_id: str,
    prev_hash: str,
) -> bytes:
    """Canonical bytes of one link: its place, its own number, every column of its content and
    the previous link's hash."""
    fields = [
        CONTENT_VERSION,
        chain_seq,
        seq,
        at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        actor_id,
        actor_name,
        actor_role,
        scope,
        action,
        subject_type,
        subject_id,
        data,
        ip,
        request_id,
        client_request_id,
        prev_hash,
    ]
    return json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


CONTENT_COLUMNS = (
    "chain_seq",
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
    "prev_hash",
)


def link_hash(row, key: bytes | None = None) -> str:
    """The keyed hash of a row (anything with the ``CONTENT_COLUMNS`` as attributes)."""
    return mac(content(**{name: getattr(row, name) for name in CONTENT_COLUMNS}), key)
