"""The statements of ``orgs`` written in SQL rather than through the ORM, in one place:

- ``org_paths_rewrite``: when subtrees move, the materialized paths of the organizations under
  them (``Org.path``) and of the hamlets of the communes among them (``Locality.commune_path``),
  one ``UPDATE … SET path = CASE … END`` per table for up to 200 subtrees
  (``core.bulk.path_prefix_cases``). The ORM would read and save each row; a merge of communes
  moves thousands of cells. Members and candidates rewrite their own paths (``members.sql``,
  ``candidates.sql``); ``restructuring`` calls the three in turn.
"""

from __future__ import annotations

from django.db import connection

from dangbo.core.bulk import PATH_MOVES_PER_STATEMENT, path_prefix_cases
from dangbo.orgs.models import Locality, Org


def org_paths_rewrite(moves: list[tuple[str, str]]) -> None:
    """For each (old path, new path) of a moved subtree root, replace the ``old`` prefix with
    ``new`` in ``Org.path`` and ``Locality.commune_path``."""
    quote = connection.ops.quote_name
    for start in range(0, len(moves), PATH_MOVES_PER_STATEMENT):
        part = moves[start : start + PATH_MOVES_PER_STATEMENT]
        for model, column in ((Org, "path"), (Locality, "commune_path")):
            table, col = quote(model._meta.db_table), quote(column)
            case, where, params = path_prefix_cases(col, part)
            with connection.cursor() as cursor:
                cursor.execute(f"UPDATE {table} SET {col} = {case} WHERE {where}", params)
