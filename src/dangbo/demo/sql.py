"""The statements of ``demo`` written in SQL rather than through the ORM, in one place:

- ``sqlite_page_cache_enlarged``: a larger page cache for this connection on SQLite (a build
  writes about two million index entries in one transaction, and the default 2 MB cache spills
  to the file); nothing on PostgreSQL. A PRAGMA has no ORM form.
- ``member_cards_set``: card numbers for newly recognized members, one prepared UPDATE through
  ``executemany`` (an identity field, not the ledger's; saving each member through the ORM cost
  more than the month's other writes).
"""

from __future__ import annotations

from uuid import UUID

from django.db import connection

from dangbo.members.models import Member


def sqlite_page_cache_enlarged() -> None:
    """On SQLite, a 256 MB page cache for this connection; on PostgreSQL nothing."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -262144")


def member_cards_set(cards: list[tuple[UUID, str]]) -> None:
    """Card numbers for newly recognized members (an identity field, not the ledger's)."""
    table = connection.ops.quote_name(Member._meta.db_table)
    column = connection.ops.quote_name(Member._meta.get_field("card_number").column)
    pk = Member._meta.pk
    rows = [(card, pk.get_db_prep_save(mid, connection)) for mid, card in cards]
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET {column} = %s WHERE {connection.ops.quote_name(pk.column)} = %s", rows
        )
