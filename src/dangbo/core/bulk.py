"""Fast inserts of many new rows: one prepared INSERT run with ``executemany``.

Django's ``bulk_create`` compiles SQL with a placeholder per value for every batch,
which costs more than the database's own work when generating or importing hundreds
of thousands of rows. This writes the same columns through the same field
conversions (``get_db_prep_save``), without signals or ``save()``; callers are the
ledger's bulk writer and imports, which own the rows they write.
"""

from __future__ import annotations

from typing import Iterable, Sequence

from django.db import connection, models


def insert_many(model: type[models.Model], objects: Sequence[models.Model], *, batch_size: int = 5000) -> None:
    if not objects:
        return
    fields = [f for f in model._meta.concrete_fields]
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            for obj in objects:
                if getattr(obj, field.attname) is None:
                    field.pre_save(obj, add=True)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({placeholders})"
    with connection.cursor() as cursor:
        for start in range(0, len(objects), batch_size):
            rows = _rows(objects[start : start + batch_size], fields)
            cursor.executemany(sql, rows)
    for obj in objects:
        obj._state.adding = False
        obj._state.db = connection.alias


def _rows(objects: Iterable[models.Model], fields) -> list[tuple]:
    prep = [(f.attname, f.get_db_prep_save) for f in fields]
    return [tuple(to_db(getattr(obj, attname), connection) for attname, to_db in prep) for obj in objects]
