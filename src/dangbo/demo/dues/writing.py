"""Writing the demo's dues in bulk (``demo.dues``), with the meetings' writer
(``demo.meetings.writing``: COPY on PostgreSQL, one prepared INSERT through ``executemany``
on SQLite, the plain indexes set aside meanwhile).

Receipt numbers are given the way ``dues.services`` gives them — "<year>/<n>", counted per
collecting cell and year in the order the payments were recorded — once every payment is
written (``number_receipts``: one UPDATE with ``row_number()``): members are written a batch
at a time, so no batch sees all of a cell's payments of a year. Until then each payment holds
a provisional number ("~<n>", unique in the whole load), so the unique constraint on (cell,
number) stays in place throughout.
"""

from __future__ import annotations

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
PROVISIONAL = "~"


def dues_writer() -> Writer:
    return Writer(COLUMNS, ORDER)


def number_receipts() -> int:
    """Give every provisionally numbered payment its receipt number, per collecting cell and
    year of payment, in the order recorded; the rows numbered."""
    table = connection.ops.quote_name(DuesPayment._meta.db_table)
    if connection.vendor == "postgresql":
        year = "extract(year from paid_on)::int::text"
        statement = (
            f"UPDATE {table} AS p SET receipt_no = n.year || '/' || n.k FROM ("
            f"SELECT id, {year} AS year, row_number() OVER (PARTITION BY org_id, {year} "
            f"ORDER BY paid_on, recorded_at, id) AS k FROM {table} WHERE left(receipt_no, 1) = %s"
            ") AS n WHERE p.id = n.id"
        )
    else:
        year = "substr(paid_on, 1, 4)"
        statement = (
            f"UPDATE {table} SET receipt_no = n.year || '/' || n.k FROM ("
            f"SELECT id, {year} AS year, row_number() OVER (PARTITION BY org_id, {year} "
            f"ORDER BY paid_on, recorded_at, id) AS k FROM {table} WHERE substr(receipt_no, 1, 1) = %s"
            f") AS n WHERE {table}.id = n.id"
        )
    with connection.cursor() as cursor:
        cursor.execute(statement, [PROVISIONAL])
        return cursor.rowcount
