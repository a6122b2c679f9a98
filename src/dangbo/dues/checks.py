"""Is every member's stored monthly account (``DuesMonth``) what ``dues.accounts.recompute``
gives now? What ``dangbo check --aggregates`` reports beside the tallies, and ``--repair``
rewrites. Members are read and recomputed in batches (``accounts.BATCH``), so a province's
accounts never sit in memory at once.

An account is rewritten when something of the member changes, and every account is extended
month by month by the opening of a month (``accounts.extend``). So the months after a member's
last stored month that no opening has covered yet (after ``accounts.opened_through()``) are
*not opened*, counted apart, not differences; a month missing before them, or a stored month
that a recomputation does not give or gives otherwise, is a difference.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
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
            what = "thiếu tháng" if self.stored is None else "thừa tháng (tính lại không có)"
            return f"{self.month:%m/%Y}: {what}"
        return f"{self.month:%m/%Y}: {self.field} lưu {self.stored}, tính lại {self.recomputed}"


@dataclass
class AccountCheck:
    differences: list[AccountDifference] = field(default_factory=list)
    unopened: Counter = field(default_factory=Counter)  # month → members whose month is not opened yet


def members_with_accounts() -> list[UUID]:
    """Every member with an account or something an account is derived from, in order."""
    ids: set[UUID] = set()
    for model in (DuesMonth, DuesBasis, DuesPayment):
        ids.update(model.objects.values_list("member_id", flat=True).distinct().order_by().iterator())
    return sorted(ids)


def _compare(member_ids: list[UUID], settings: Settings, opened: date | None, check: AccountCheck) -> None:
    fresh = accounts.recompute(member_ids, settings=settings)
    stored: dict[tuple, DuesMonth] = {
        (row.member_id, row.month): row for row in DuesMonth.objects.filter(member_id__in=member_ids)
    }
    last_stored: dict[UUID, date] = {}
    for member_id, month in stored:
        last_stored[member_id] = max(month, last_stored.get(member_id, month))
    for member_id in member_ids:
        for row in fresh.get(member_id, []):
            kept = stored.pop((member_id, row.month), None)
            if kept is None:
                after_last = row.month > last_stored.get(member_id, date.min)
                if after_last and (opened is None or row.month > opened):
                    check.unopened[row.month] += 1
                else:
                    check.differences.append(AccountDifference(member_id, row.month, "row", None, True))
                continue
            for name in FIELDS:
                if getattr(kept, name) != getattr(row, name):
                    check.differences.append(
                        AccountDifference(member_id, row.month, name, getattr(kept, name), getattr(row, name))
                    )
    check.differences += [AccountDifference(m, month, "row", True, None) for m, month in stored]


def account_check(batch: int = accounts.BATCH) -> AccountCheck:
    """The stored accounts against a recomputation: the differences by member and month, and the
    months not opened yet."""
    settings, ids, opened, check = (
        Settings(),
        members_with_accounts(),
        accounts.opened_through(),
        AccountCheck(),
    )
    for start in range(0, len(ids), batch):
        _compare(ids[start : start + batch], settings, opened, check)
    check.differences.sort(key=lambda d: (str(d.member_id), d.month, d.field))
    return check


def account_differences(batch: int = accounts.BATCH) -> list[AccountDifference]:
    return account_check(batch).differences


def accounts_repair(differences: Iterable[AccountDifference]) -> int:
    """Rewrite the accounts of the members with a difference (one transaction); the rows written."""
    with transaction.atomic():
        return accounts.refresh({d.member_id for d in differences})
