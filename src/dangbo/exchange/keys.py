"""This installation's signing key (Ed25519) and the checks of a public key sent from below.

The key signs every package this installation exports, so the level above can tell a package
really came from the office whose public key it registered. It lives in a file, not in the
database, for the reason the audit key does (``audit.chain``): whoever copies the database
(a backup, its host's owner) must not be able to sign as this office.

The file is ``DANGBO_EXCHANGE_KEY_FILE`` (default ``VAR_DIR/keys/exchange_ed25519``): the
32 bytes of the private key, base64, created on first use with mode 0600 and never
overwritten (two processes starting together both read the one written first).
``dangbo exchange key`` prints the public key and its fingerprint for the office to send up.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import time
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

_RAW = serialization.Encoding.Raw


class KeyInputError(ValueError):
    """A public key that cannot be one; the message is Vietnamese."""


def key_path() -> Path:
    configured = getattr(settings, "DANGBO_EXCHANGE_KEY_FILE", None)
    return Path(configured) if configured else Path(settings.VAR_DIR) / "keys" / "exchange_ed25519"


def _read_or_create(path: Path) -> bytes:
    for _ in range(50):
        try:
            text = path.read_text().strip()
        except FileNotFoundError:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                continue  # another process is writing it
            raw = Ed25519PrivateKey.generate().private_bytes(
                _RAW, serialization.PrivateFormat.Raw, serialization.NoEncryption()
            )
            with os.fdopen(fd, "w") as out:
                out.write(base64.b64encode(raw).decode() + "\n")
            continue
        if text:
            try:
                raw = base64.b64decode(text, validate=True)
            except binascii.Error:
                raw = b""
            if len(raw) != 32:
                raise ImproperlyConfigured(f"Tệp khóa ký gói báo cáo {path} không hợp lệ.")
            return raw
        time.sleep(0.01)  # created by another process, not written yet
    raise ImproperlyConfigured(f"Không đọc được khóa ký gói báo cáo trong {path}.")


def signing_key() -> Ed25519PrivateKey:
    """This installation's private key (the file is created on first use)."""
    return Ed25519PrivateKey.from_private_bytes(_read_or_create(key_path()))


def public_key_text(key: Ed25519PrivateKey | None = None) -> str:
    """The public key, base64 of its 32 raw bytes: what the office sends up."""
    public = (key or signing_key()).public_key().public_bytes(_RAW, serialization.PublicFormat.Raw)
    return base64.b64encode(public).decode()


def fingerprint(public_key: str) -> str:
    """A short name of a public key that two people can read to each other over the phone:
    the first 16 bytes of its SHA-256, in hex groups of four."""
    digest = hashlib.sha256(base64.b64decode(public_key)).hexdigest()[:32]
    return ":".join(digest[i : i + 4] for i in range(0, 32, 4))


def public_key_check(text: str) -> str:
    """The key in its normal form (base64 of 32 bytes), or ``KeyInputError``."""
    text = "".join((text or "").split())
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 32:
        raise KeyInputError(
            "Khóa công khai không hợp lệ: cần chuỗi base64 của 32 byte, "
            "đúng như lệnh «dangbo exchange key» ở cấp dưới in ra."
        )
    Ed25519PublicKey.from_public_bytes(raw)
    return base64.b64encode(raw).decode()


def sign(data: bytes, key: Ed25519PrivateKey | None = None) -> str:
    return base64.b64encode((key or signing_key()).sign(data)).decode()


def signature_valid(data: bytes, signature: str, public_key: str) -> bool:
    try:
        raw_signature = base64.b64decode(signature, validate=True)
        Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key)).verify(raw_signature, data)
    except (binascii.Error, ValueError, InvalidSignature):
        return False
    return True
