"""The one statement of ``restructuring`` written in SQL: moving subtrees rewrites the
materialized paths of every table that carries one (organizations, members, hamlets,
candidates) with one ``UPDATE … SET path = new || SUBSTR(path, …)`` per table for up to 200
subtrees. The ORM would read and save each row; a merge of communes moves thousands of cells
and hundreds of thousands of members. The range conditions (``path >= old AND path < old ||
'~'``) are served by the path indexes on both databases."""

from __future__ import annotations

from django.apps import apps
from django.db import connection

from dangbo.core import paths

# (app, model, column) of every materialized path that follows the tree
PATH_COLUMNS = (
    ("orgs", "Org", "path"),
    ("members", "Member", "org_path"),
    ("orgs", "Locality", "commune_path"),
    ("candidates", "Candidate", "cell_path"),
)


def subtree_paths_rewrite(moves: list[tuple[str, str]]) -> None:
    """For each (old path, new path) of a moved subtree root, replace the ``old`` prefix with
    ``new`` in every path column of ``PATH_COLUMNS``: one statement per table for up to 200
    subtrees."""
    quote = connection.ops.quote_name
    for start in range(0, len(moves), 200):
        part = moves[start : start + 200]
        for app, model, column in PATH_COLUMNS:
            table, col = quote(apps.get_model(app, model)._meta.db_table), quote(column)
            cases, where, params, where_params = [], [], [], []
            for old, new in part:
                cases.append(f"WHEN {col} >= %s AND {col} < %s THEN %s || SUBSTR({col}, {len(old) + 1})")
                params += [old, old + paths.UPPER_BOUND, new]
                where.append(f"({col} >= %s AND {col} < %s)")
                where_params += [old, old + paths.UPPER_BOUND]
            with connection.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {table} SET {col} = CASE {' '.join(cases)} ELSE {col} END WHERE {' OR '.join(where)}",
                    params + where_params,
                )
