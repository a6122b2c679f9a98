"""Each cell's dues month by month (``DuesCellMonth``): the sums of its members' accounts and of
the payments it received, which the summaries and the indicators read instead of a province's
millions of accounts.

- **The accounts' part** (members, with a basis, due, paid, paid up to the due, unpaid,
  exempted) is defined once, by the grouped query ``account_sums``. ``dues.accounts.refresh``
  reads it for the members it rewrites before and after the rewrite, and adds the difference
  (``add``): nothing is summed twice, and nothing is summed in Python.
- **The payments' part** (collected: what the cell received in the month, reversals less) is
  added by ``dues.services`` as each payment or reversal is recorded.
- **The recount** (``recount``) is the same two queries over everything: ``dangbo check
  --aggregates`` compares it with the stored rows (``differences``), ``--repair`` and the
  demo's bulk load write it (``rebuild``).
- **The arrears chains** (``arrears_chains``): for each member and cell, each unpaid month
  with the member's previous unpaid month at that cell, counted by (cell, month, previous). The
  members in arrears in months A..B are then the chains' links with A <= month <= B whose
  previous month is before A: each (member, cell) once, however many months they owe, and the
  links add up across cells. They are not stored here: ``add`` passes their change, with the
  sums', to the counts kept per subtree (``core.projections``: ``stats.tallies`` keeps both
  under every organization above the cell, which the dashboard reads).

A row whose sums have all fallen to nothing stays (a cell whose only member moved away): the
comparison reads a missing row as zeros.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from django.db import connections, router
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Least, TruncMonth

from dangbo.core import projections
from dangbo.dues.models import UNPAID_ROWS, DuesCellMonth, DuesMonth, DuesPayment
from dangbo.rules.dues import ReliefKind

ACCOUNT_FIELDS = ("members", "with_basis", "due", "paid", "paid_capped", "unpaid", "exempted")
FIELDS = (*ACCOUNT_FIELDS, "collected")
OWED = Q(owed=True)
WITH_BASIS = OWED & ~Q(category="")
EXEMPTED = OWED & Q(relief_kind=ReliefKind.EXEMPTION)

Key = tuple[UUID, date]  # (cell, first day of the month)
Values = tuple[int, ...]  # in the order of FIELDS
Link = tuple[UUID, date, date | None]  # (cell, unpaid month, the member's previous one there)


def account_sums(months: QuerySet[DuesMonth]) -> dict[Key, Values]:
    """The accounts' part of the sums of ``months`` (a queryset of ``DuesMonth``), by cell and
    month; collected is 0."""
    rows = (
        months.values("org_id", "month")
        .annotate(
            # (named apart from the fields: an annotation "paid" would shadow F("paid"))
            n_members=Count("id", filter=OWED),
            n_with_basis=Count("id", filter=WITH_BASIS),
            total_due=Sum("due", filter=OWED),
            total_paid=Sum("paid", filter=OWED),
            total_capped=Sum(Least("paid", "due"), filter=WITH_BASIS),
            n_unpaid=Count("id", filter=UNPAID_ROWS),
            n_exempted=Count("id", filter=EXEMPTED),
        )
        .order_by()
        .values_list(
            "org_id",
            "month",
            "n_members",
            "n_with_basis",
            "total_due",
            "total_paid",
            "total_capped",
            "n_unpaid",
            "n_exempted",
        )
    )
    return {(org_id, month): (*(v or 0 for v in values), 0) for org_id, month, *values in rows.iterator()}


def collected_sums(payments: QuerySet[DuesPayment]) -> dict[Key, int]:
    """What ``payments`` brought in, by cell and month received."""
    rows = (
        payments.annotate(received=TruncMonth("paid_on"))
        .values("org_id", "received")
        .annotate(amount=Sum("amount"))
        .order_by()
        .values_list("org_id", "received", "amount")
    )
    return {(org_id, _as_date(received)): amount or 0 for org_id, received, amount in rows.iterator()}


def _as_date(value) -> date:
    # TruncMonth of a DateField is a date on PostgreSQL and SQLite alike; a datetime is cut down
    return value.date() if hasattr(value, "date") and callable(value.date) else value


def of_members(member_ids: Sequence[UUID]) -> dict[Key, Values]:
    """The accounts' part of the sums of ``member_ids``' accounts as stored now."""
    return account_sums(DuesMonth.objects.filter(member_id__in=list(member_ids)))


def arrears_chains(months: QuerySet[DuesMonth]) -> dict[Link, int]:
    """The links of the arrears chains of ``months``' unpaid accounts (see the module), counted;
    read in order of member, cell and month, so memory holds the counts, not the rows."""
    rows = (
        months.filter(UNPAID_ROWS)
        .order_by("member_id", "org_id", "month")
        .values_list("member_id", "org_id", "month")
    )
    found: dict[Link, int] = {}
    holder, previous = None, None
    for member_id, org_id, month in rows.iterator(chunk_size=20000):
        if (member_id, org_id) != holder:
            holder, previous = (member_id, org_id), None
        link = (org_id, month, previous)
        found[link] = found.get(link, 0) + 1
        previous = month
    return found


def arrears_of_members(member_ids: Sequence[UUID]) -> dict[Link, int]:
    return arrears_chains(DuesMonth.objects.filter(member_id__in=list(member_ids)))


def arrears_difference(after: Mapping[Link, int], before: Mapping[Link, int]) -> dict[Link, int]:
    out = {link: after.get(link, 0) - before.get(link, 0) for link in after.keys() | before.keys()}
    return {link: n for link, n in out.items() if n}


def difference(after: Mapping[Key, Values], before: Mapping[Key, Values]) -> dict[Key, Values]:
    """``after`` less ``before``, key by key, without the keys that did not change."""
    zero = (0,) * len(FIELDS)
    out: dict[Key, Values] = {}
    for key in after.keys() | before.keys():
        delta = tuple(a - b for a, b in zip(after.get(key, zero), before.get(key, zero), strict=True))
        if any(delta):
            out[key] = delta
    return out


def add(delta: Mapping[Key, Values], arrears: Mapping[Link, int] | None = None) -> None:
    """Add each key's values to its row, creating the row when it is new: one upsert per row,
    in key order, so two writers lock shared rows in the same order; then tell the counts kept
    per subtree (``core.projections``) the change and that of the arrears chains."""
    if delta or arrears:
        projections.tallies().dues_changed(
            {key: dict(zip(FIELDS, values, strict=True)) for key, values in delta.items()}, arrears or {}
        )
    if not delta:
        return
    connection = connections[router.db_for_write(DuesCellMonth)]
    quote = connection.ops.quote_name
    table = quote(DuesCellMonth._meta.db_table)
    columns = ", ".join(quote(c) for c in ("org_id", "month", *FIELDS))
    updates = ", ".join(f"{quote(c)} = {table}.{quote(c)} + excluded.{quote(c)}" for c in FIELDS)
    sql = (
        f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * (len(FIELDS) + 2))}) "
        f"ON CONFLICT (org_id, month) DO UPDATE SET {updates}"
    )
    org_field = DuesCellMonth._meta.get_field("org").target_field
    month_field = DuesCellMonth._meta.get_field("month")
    rows = sorted(
        (
            org_field.get_db_prep_value(org_id, connection),
            month_field.get_db_prep_value(month, connection),
            *values,
        )
        for (org_id, month), values in delta.items()
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def add_collected(org_id: UUID, paid_on: date, amount: int) -> None:
    """A payment (or a reversal, negative) received by ``org_id`` on ``paid_on``."""
    add({(org_id, paid_on.replace(day=1)): (*(0 for _ in ACCOUNT_FIELDS), amount)})


def recount(months: QuerySet | None = None, payments: QuerySet | None = None) -> dict[Key, Values]:
    """Every cell's sums, from the accounts and the payments as they stand (``months`` and
    ``payments``: all of them, or the migration's historical models')."""
    found = account_sums(DuesMonth.objects.all() if months is None else months)
    zero = (0,) * len(FIELDS)
    for key, amount in collected_sums(DuesPayment.objects.all() if payments is None else payments).items():
        found[key] = (*found.get(key, zero)[: len(ACCOUNT_FIELDS)], amount)
    return found


def stored() -> dict[Key, Values]:
    return {
        (org_id, month): tuple(values)
        for org_id, month, *values in DuesCellMonth.objects.values_list("org_id", "month", *FIELDS).iterator()
    }


@dataclass(frozen=True)
class SumDifference:
    org_id: UUID
    month: date
    field: str
    stored: int
    recounted: int


def differences(recounted: Mapping[Key, Values] | None = None) -> list[SumDifference]:
    """The stored sums against a recount, field by field (a missing row reads as zeros)."""
    recounted = recount() if recounted is None else recounted
    kept = stored()
    zero = (0,) * len(FIELDS)
    found = []
    for key in sorted(kept.keys() | recounted.keys(), key=lambda k: (str(k[0]), k[1])):
        a, b = kept.get(key, zero), recounted.get(key, zero)
        for name, x, y in zip(FIELDS, a, b, strict=True):
            if x != y:
                found.append(SumDifference(key[0], key[1], name, x, y))
    return found


def rebuild(recounted: Mapping[Key, Values] | None = None, *, model=DuesCellMonth) -> int:
    """Replace every stored row by the recount (in the caller's transaction); the rows written.
    (``model``: the migration's historical one.)"""
    recounted = recount() if recounted is None else recounted
    model.objects.all().delete()
    model.objects.bulk_create(
        [
            model(org_id=org_id, month=month, **dict(zip(FIELDS, values, strict=True)))
            for (org_id, month), values in recounted.items()
        ],
        batch_size=2000,
    )
    return len(recounted)
