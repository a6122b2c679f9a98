"""Check the hash chain: every sealed row's keyed hash recomputes, each links to the one
before, the chain is numbered without gaps; and say how many committed rows are not sealed yet.

An *anchor* (``audit_anchor``) is the chain's length and last hash at one moment, signed with
the audit key; kept elsewhere (printed, mailed to the inspection committee, on another
machine), it shows later that the chain was not cut short: a chain that is shorter, or whose
anchored link differs, has lost rows, which the chain alone cannot show (deleting the last
rows leaves a shorter chain that is intact)."""

from __future__ import annotations

import hmac
import json
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from django.utils import timezone

from dangbo.audit import chain
from dangbo.audit.models import GENESIS_HASH, AuditEntry
from dangbo.core import clock

ANCHOR_FIELDS = ("version", "count", "chain_seq", "seq", "hash", "at", "key_id")


@dataclass(frozen=True)
class ChainReport:
    checked: int  # sealed rows found intact, from the start of the chain
    broken_seq: int | None = None  # the row (its number, ``seq``) where the chain breaks
    broken_chain_seq: int | None = None  # and its place in the chain
    reason: str = ""
    unsealed: int = 0  # committed rows not chained yet
    oldest_unsealed_at: datetime | None = None
    anchor_problem: str = ""  # the chain is intact but does not reach or match the anchor

    @property
    def ok(self) -> bool:
        return self.broken_seq is None and not self.anchor_problem


def audit_verify(*, chunk_size: int = 5000, anchor: dict | None = None) -> ChainReport:
    """Walk the chain in order. Unsealed rows are counted, not judged (a transaction that
    committed after the last seal has some); one that already carries a hash has been
    tampered with (a row enters unsealed and only the sealing gives it a hash).

    With an ``anchor`` (``audit_anchor``'s dict), also check that the chain still reaches
    the anchored link and that link is the one anchored."""
    if anchor is not None:
        problem = anchor_problem(anchor)
        if problem:
            return ChainReport(0, None, None, "", *_unsealed(), anchor_problem=problem)
    key = chain.audit_key()
    expected, prev_hash, checked = 1, GENESIS_HASH, 0
    anchored_hash = None
    sealed = AuditEntry.objects.filter(chain_seq__isnull=False).order_by("chain_seq")
    for entry in sealed.iterator(chunk_size=chunk_size):
        broken = None
        if entry.chain_seq != expected:
            broken = f"thiếu mắt xích thứ {expected} của chuỗi (gặp mắt xích thứ {entry.chain_seq})"
        elif entry.prev_hash != prev_hash:
            broken = "không nối với dòng trước (prev_hash khác)"
        elif entry.compute_hash(key) != entry.hash:
            broken = "nội dung đã bị sửa (hash không khớp)"
            if checked == 0:
                broken += "; nếu mọi dòng đều sai, hãy kiểm tra khóa nhật ký (DANGBO_AUDIT_KEY, DANGBO_AUDIT_KEY_FILE)"
        if broken:
            return ChainReport(checked, entry.seq, entry.chain_seq, broken, *_unsealed())
        checked += 1
        expected, prev_hash = cast(int, entry.chain_seq) + 1, entry.hash  # sealed rows only
        if anchor is not None and entry.chain_seq == anchor["chain_seq"]:
            anchored_hash = entry.hash
    if anchor is not None:
        if checked < anchor["count"]:
            return ChainReport(
                checked,
                None,
                checked + 1,
                "",
                *_unsealed(),
                anchor_problem=(
                    f"nhật ký bị cắt: mốc ngày {_when(anchor)} ghi {anchor['count']} mắt xích, "
                    f"chuỗi chỉ còn {checked}"
                ),
            )
        if anchored_hash != anchor["hash"]:
            return ChainReport(
                checked,
                None,
                anchor["chain_seq"],
                "",
                *_unsealed(),
                anchor_problem=(
                    f"mắt xích thứ {anchor['chain_seq']} khác với mốc ngày {_when(anchor)}: "
                    "các dòng sau nó đã bị xóa rồi ghi lại"
                ),
            )
    forged = (
        AuditEntry.objects.filter(chain_seq__isnull=True)
        .exclude(hash="", prev_hash="")
        .order_by("seq")
        .values_list("seq", flat=True)
        .first()
    )
    if forged is not None:
        return ChainReport(checked, forged, None, "dòng chưa niêm phong mà đã có hash", *_unsealed())
    return ChainReport(checked, None, None, "", *_unsealed())


def _unsealed() -> tuple[int, datetime | None]:
    unsealed = AuditEntry.objects.filter(chain_seq__isnull=True)
    oldest = unsealed.order_by("seq").values_list("at", flat=True).first()
    return unsealed.count(), oldest


# --- anchors -------------------------------------------------------------------------------------


def _signed_text(anchor: dict) -> bytes:
    return json.dumps([anchor.get(name) for name in ANCHOR_FIELDS], separators=(",", ":")).encode()


def audit_anchor() -> dict:
    """The chain's length and last link now, signed with the audit key (HMAC). Seal first
    (``audit_seal``) to anchor every committed row."""
    head = AuditEntry.objects.filter(chain_seq__isnull=False).order_by("-chain_seq").first()
    anchor = {
        "version": 1,
        "count": head.chain_seq if head else 0,  # the chain is numbered 1, 2, 3 ... without gaps
        "chain_seq": head.chain_seq if head else 0,
        "seq": head.seq if head else None,
        "hash": head.hash if head else GENESIS_HASH,
        "at": clock.now().isoformat(timespec="seconds"),
        "key_id": chain.key_id(),
    }
    anchor["mac"] = chain.mac(_signed_text(anchor))
    return anchor


def anchor_problem(anchor: dict) -> str:
    """Why ``anchor`` cannot be trusted ("" when it can): not an anchor, another key, altered."""
    if not isinstance(anchor, dict) or any(name not in anchor for name in (*ANCHOR_FIELDS, "mac")):
        return "tệp mốc không đúng định dạng"
    if anchor["key_id"] != chain.key_id():
        return "mốc được ký bằng một khóa nhật ký khác với khóa đang dùng"
    if not isinstance(anchor["mac"], str) or not _equal(anchor["mac"], chain.mac(_signed_text(anchor))):
        return "mốc đã bị sửa (chữ ký không khớp)"
    return ""


def _equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def _when(anchor: dict) -> str:
    try:
        return timezone.localtime(datetime.fromisoformat(anchor["at"])).strftime("%d/%m/%Y %H:%M")
    except (TypeError, ValueError, AttributeError):
        return str(anchor.get("at"))
