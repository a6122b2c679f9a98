"""Is every member's stored monthly account (``DuesMonth``) what ``dues.accounts.recompute``
gives now? What ``dangbo check --aggregates`` reports beside the tallies, and ``--repair``
rewrites. Members are read and recomputed in batches (``accounts.BATCH``), so a province's
accounts never sit in memory at once.

A month that has begun since a member's account was last rewritten is reported as missing:
the accounts are rewritten when something of the member changes, not as months pass.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from django.db import transaction

from dangbo.dues import accounts
from dangbo.dues.models import DuesBasis, DuesMonth, DuesPayment
from dangbo.dues.schedule import Settings

FIELDS = (
    "org_id",
    "owed",
    "category",
    "income",
    "full",
    "due",
    "relief_kind",
    "relief_ground",
    "paid",
    "rule_version",
)


@dataclass(frozen=True)
class AccountDifference:
    member_id: UUID
    month: date
    field: str  # one of FIELDS, or "row" when the month is stored on one side only
    stored: object  # None: not stored
    recomputed: object  # None: not in the recomputation

    def describe(self) -> str:
        if self.field == "row":
            what = "thiếu tháng (chưa được lập)" if self.stored is None else "thừa tháng (không còn phải có)"
            return f"{self.month:%m/%Y}: {what}"
        return f"{self.month:%m/%Y}: {self.field} lưu {self.stored}, tính lại {self.recomputed}"


def members_with_accounts() -> list[UUID]:
    """Every member with an account or something an account is derived from, in order."""
    ids: set[UUID] = set()
    for model in (DuesMonth, DuesBasis, DuesPayment):
        ids.update(model.objects.values_list("member_id", flat=True).distinct().order_by().iterator())
    return sorted(ids)


def _compare(member_ids: Iterable[UUID], settings: Settings) -> list[AccountDifference]:
    chunk = list(member_ids)
    fresh = accounts.recompute(chunk, settings=settings)
    stored: dict[tuple, DuesMonth] = {
        (row.member_id, row.month): row for row in DuesMonth.objects.filter(member_id__in=chunk)
    }
    found = []
    for member_id in chunk:
        for row in fresh.get(member_id, []):
            kept = stored.pop((member_id, row.month), None)
            if kept is None:
                found.append(AccountDifference(member_id, row.month, "row", None, True))
                continue
            for name in FIELDS:
                if getattr(kept, name) != getattr(row, name):
                    found.append(
                        AccountDifference(member_id, row.month, name, getattr(kept, name), getattr(row, name))
                    )
    found += [AccountDifference(m, month, "row", True, None) for m, month in stored]
    return found


def account_differences(batch: int = accounts.BATCH) -> list[AccountDifference]:
    """Where the stored accounts differ from a recomputation, by member and month."""
    settings, ids, found = Settings(), members_with_accounts(), []
    for start in range(0, len(ids), batch):
        found += _compare(ids[start : start + batch], settings)
    return sorted(found, key=lambda d: (str(d.member_id), d.month, d.field))


def accounts_repair(differences: Iterable[AccountDifference]) -> int:
    """Rewrite the accounts of the members with a difference (one transaction); the rows written."""
    with transaction.atomic():
        return accounts.refresh({d.member_id for d in differences})
