"""Check the hash chain: every row's hash recomputes, and each links to the one before."""

from __future__ import annotations

from dataclasses import dataclass

from dangbo.audit.models import GENESIS_HASH, AuditEntry


@dataclass(frozen=True)
class ChainReport:
    checked: int
    broken_seq: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_seq is None


def audit_verify(*, chunk_size: int = 5000) -> ChainReport:
    expected_seq, prev_hash, checked = 1, GENESIS_HASH, 0
    for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=chunk_size):
        if entry.seq != expected_seq:
            return ChainReport(checked, entry.seq, f"thiếu dòng số {expected_seq} (gặp dòng {entry.seq})")
        if entry.prev_hash != prev_hash:
            return ChainReport(checked, entry.seq, "không nối với dòng trước (prev_hash khác)")
        if entry.compute_hash() != entry.hash:
            return ChainReport(checked, entry.seq, "nội dung đã bị sửa (hash không khớp)")
        checked += 1
        expected_seq, prev_hash = entry.seq + 1, entry.hash
    return ChainReport(checked)
