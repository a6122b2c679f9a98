"""Writing the demo's dues in bulk (``demo.dues``), with the meetings' writer
(``demo.meetings.writing``: COPY on PostgreSQL, one prepared INSERT through ``executemany``
on SQLite, the plain indexes set aside meanwhile).

Receipt numbers are given the way ``dues.services`` gives them — "<year>/<n>", counted per
collecting cell and year in the order the payments were recorded. Members are written a batch
at a time, so no batch sees all of a cell's payments of a year: the payments go first to a
staging table of the transaction (``payments_staged``), and at the end one
``INSERT … SELECT … row_number()`` moves them to their table with their numbers — a sort and an
insert, where numbering rows already in place would rewrite every one of them (an UPDATE of
8 million payments on PostgreSQL leaves 8 million dead rows and new entries in every index).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, models

from dangbo.demo.meetings.writing import Writer
from dangbo.dues.models import DuesBasis, DuesMonth, DuesPayment, DuesRelief

COLUMNS: dict[type[models.Model], tuple[str, ...]] = {
    DuesBasis: (
        "id",
        "member_id",
        "category",
        "income",
        "valid_from",
        "source",
        "recorded_by_id",
        "recorded_at",
    ),
    DuesRelief: (
        "id",
        "decision_no",
        "decision_on",
        "decision_body",
        "member_id",
        "kind",
        "ground",
        "percent",
        "first_month",
        "last_month",
        "note",
        "recorded_by_id",
        "recorded_at",
        "revoked_at",
        "revoked_by_id",
        "revoke_reason",
    ),
    DuesPayment: (
        "id",
        "member_id",
        "org_id",
        "first_month",
        "last_month",
        "amount",
        "paid_on",
        "method",
        "reference",
        "receipt_no",
        "reverses_id",
        "note",
        "recorded_by_id",
        "recorded_at",
    ),
    DuesMonth: (
        "id",
        "member_id",
        "month",
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
    ),
}
ORDER = (DuesBasis, DuesRelief, DuesPayment, DuesMonth)
STAGE = "dues_payment_stage"


def dues_writer() -> Writer:
    return Writer(COLUMNS, ORDER, tables={DuesPayment: STAGE})


@contextmanager
def payments_staged() -> Iterator[None]:
    """A staging table for the payments, empty, with the payments' columns and no constraint;
    on the way out (not on an error) its rows are numbered into ``DuesPayment``'s table, and
    it is dropped."""
    quote = connection.ops.quote_name
    table, stage = quote(DuesPayment._meta.db_table), quote(STAGE)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {stage}")
        if connection.vendor == "postgresql":
            cursor.execute(f"CREATE TEMPORARY TABLE {stage} (LIKE {table} INCLUDING DEFAULTS) ON COMMIT DROP")
        else:
            cursor.execute(f"CREATE TEMPORARY TABLE {stage} AS SELECT * FROM {table} WHERE 0")
    yield
    columns = COLUMNS[DuesPayment]
    year = (
        "extract(year from paid_on)::int::text"
        if connection.vendor == "postgresql"
        else "substr(paid_on, 1, 4)"
    )
    numbered = (
        f"{year} || '/' || row_number() OVER (PARTITION BY org_id, {year} ORDER BY paid_on, recorded_at, id)"
    )
    selected = ", ".join(numbered if c == "receipt_no" else quote(c) for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(quote(c) for c in columns)}) SELECT {selected} FROM {stage}"
        )
        cursor.execute(f"DROP TABLE {stage}")
