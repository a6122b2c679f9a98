"""Check the hash chain: every sealed row's hash recomputes, each links to the one before,
the chain is numbered without gaps; and say how many committed rows are not sealed yet."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import cast

from dangbo.audit.models import GENESIS_HASH, AuditEntry


@dataclass(frozen=True)
class ChainReport:
    checked: int  # sealed rows found intact, from the start of the chain
    broken_seq: int | None = None  # the row (its number, ``seq``) where the chain breaks
    broken_chain_seq: int | None = None  # and its place in the chain
    reason: str = ""
    unsealed: int = 0  # committed rows not chained yet
    oldest_unsealed_at: datetime | None = None

    @property
    def ok(self) -> bool:
        return self.broken_seq is None


def audit_verify(*, chunk_size: int = 5000) -> ChainReport:
    """Walk the chain in order. Unsealed rows are counted, not judged (a transaction that
    committed after the last seal has some); one that already carries a hash has been
    tampered with (a row enters unsealed and only the sealing gives it a hash)."""
    expected, prev_hash, checked = 1, GENESIS_HASH, 0
    sealed = AuditEntry.objects.filter(chain_seq__isnull=False).order_by("chain_seq")
    for entry in sealed.iterator(chunk_size=chunk_size):
        broken = None
        if entry.chain_seq != expected:
            broken = f"thiếu mắt xích thứ {expected} của chuỗi (gặp mắt xích thứ {entry.chain_seq})"
        elif entry.prev_hash != prev_hash:
            broken = "không nối với dòng trước (prev_hash khác)"
        elif entry.compute_hash() != entry.hash:
            broken = "nội dung đã bị sửa (hash không khớp)"
        if broken:
            return ChainReport(checked, entry.seq, entry.chain_seq, broken, *_unsealed())
        checked += 1
        expected, prev_hash = cast(int, entry.chain_seq) + 1, entry.hash  # sealed rows only
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
