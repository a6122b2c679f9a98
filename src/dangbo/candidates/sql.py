"""The statements of ``candidates`` written in SQL rather than through the ORM, in one place:

- ``candidate_paths_rewrite``: when subtrees of the organization tree move, the path of the
  cell of the candidates under them (``Candidate.cell_path``), one ``UPDATE … SET cell_path =
  CASE … END`` for up to 200 subtrees (``core.bulk.path_prefix_cases``). ``restructuring``
  calls it after ``orgs.sql.org_paths_rewrite`` and ``members.sql.member_paths_rewrite``.
"""

from __future__ import annotations

from django.db import connection

from dangbo.candidates.models import Candidate
from dangbo.core.bulk import PATH_MOVES_PER_STATEMENT, path_prefix_cases


def candidate_paths_rewrite(moves: list[tuple[str, str]]) -> None:
    """For each (old path, new path) of a moved subtree root, replace the ``old`` prefix with
    ``new`` in ``Candidate.cell_path``."""
    quote = connection.ops.quote_name
    table, col = quote(Candidate._meta.db_table), quote("cell_path")
    for start in range(0, len(moves), PATH_MOVES_PER_STATEMENT):
        case, where, params = path_prefix_cases(col, moves[start : start + PATH_MOVES_PER_STATEMENT])
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {table} SET {col} = {case} WHERE {where}", params)
