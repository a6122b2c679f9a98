"""The statements of ``members`` written in SQL rather than through the ORM, in one place:

- ``member_paths_rewrite``: when subtrees of the organization tree move, the organization path
  of the members under them (``Member.org_path``, part of the ledger's projection), one
  ``UPDATE … SET org_path = CASE … END`` for up to 200 subtrees
  (``core.bulk.path_prefix_cases``). Their organization and ledger are unchanged; a province's
  merge moves hundreds of thousands of members, which the ORM would read and save one by one.
  ``restructuring`` calls it after ``orgs.sql.org_paths_rewrite``.
"""

from __future__ import annotations

from django.db import connection

from dangbo.core.bulk import PATH_MOVES_PER_STATEMENT, path_prefix_cases
from dangbo.members.models import Member


def member_paths_rewrite(moves: list[tuple[str, str]]) -> None:
    """For each (old path, new path) of a moved subtree root, replace the ``old`` prefix with
    ``new`` in ``Member.org_path``."""
    quote = connection.ops.quote_name
    table, col = quote(Member._meta.db_table), quote("org_path")
    for start in range(0, len(moves), PATH_MOVES_PER_STATEMENT):
        case, where, params = path_prefix_cases(col, moves[start : start + PATH_MOVES_PER_STATEMENT])
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {table} SET {col} = {case} WHERE {where}", params)
