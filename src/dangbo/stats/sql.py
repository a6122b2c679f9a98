"""Every statement of ``stats`` written in SQL rather than through the ORM, in one place.

Each is here for speed, on both databases, and says why:

- ``driver_rows``: a ``values_list`` query's rows as the driver returns them, in chunks (the
  statistical forms count half a million rows; Django's per-value conversion cost more than
  the query);
- ``tally_add``: add counts to ``OrgTally`` rows, creating them, one upsert per row
  (``INSERT … ON CONFLICT DO UPDATE``, which the ORM cannot say);
- ``tally_add_under_paths``: add counts to the rows of an organization and of every one above
  it, the organizations' ids read by the same statement (recording a cell's attendance is one
  write to the counts, not a read and a write);
- ``tally_move_subtree_counts``: a moved subtree's counts added to its new ancestors and taken
  from its old ones, in one ``INSERT … SELECT … ON CONFLICT`` per 2,000 (source, target) pairs,
  whatever the subtrees' size;
- ``tally_replace_all``: every tally row replaced by a recount, through one prepared INSERT
  (building half a million model instances cost more than the database's own work);
  ``tally_replace_dimensions`` the same for some dimensions only (the meetings' after a bulk
  load of meetings);
- ``spool_*``: a scratch table of count changes (``tallies.spool``): written as bulk work
  goes (COPY on PostgreSQL), summed and added to ``OrgTally`` at its end in one
  ``INSERT … SELECT … GROUP BY … ON CONFLICT``, so the changes of a 200,000-member import
  are never all in memory.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from django.db import connections, router

from dangbo.core.bulk import copy_rows
from dangbo.orgs.models import Org
from dangbo.stats.models import OrgTally
from dangbo.stats.tallies.keys import DIMENSIONS

_FETCH_ROWS = 50_000


def driver_rows(queryset) -> Iterator[list[tuple]]:
    """The rows of a ``values_list`` query as the database driver returns them, in chunks.

    Model conversion (UUIDs from text, dates from text on SQLite) costs more than the query
    itself at 500,000 rows; the callers count the raw rows and convert only distinct values."""
    connection = connections[queryset.db]
    sql, params = queryset.query.get_compiler(queryset.db).as_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while chunk := cursor.fetchmany(_FETCH_ROWS):
            yield chunk


def _org_id_field():
    return OrgTally._meta.get_field("org").target_field


def tally_add(delta: Mapping[tuple[Any, str, str], int]) -> None:
    """Add each count to its row, creating the row when it is new (one upsert per row,
    in key order so two writers lock shared ancestor rows in the same order)."""
    connection = connections[router.db_for_write(OrgTally)]
    table = connection.ops.quote_name(OrgTally._meta.db_table)
    sql = (
        f"INSERT INTO {table} (org_id, dimension, value, count) VALUES (%s, %s, %s, %s) "
        f"ON CONFLICT (org_id, dimension, value) DO UPDATE SET count = {table}.count + excluded.count"
    )
    org_field = _org_id_field()
    rows = sorted(
        (org_field.get_db_prep_value(org_id, connection), dimension, value, n)
        for (org_id, dimension, value), n in delta.items()
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def tally_add_under_paths(org_paths: list[str], delta: Mapping[tuple[str, str], int]) -> None:
    """Add each (dimension, value) count of ``delta`` to the row of every organization whose
    path is in ``org_paths``, creating the rows: one ``INSERT … SELECT … ON CONFLICT``, in the
    order of ``tally_add`` (organization, dimension, value) so two writers lock shared rows in
    the same order."""
    if not delta or not org_paths:
        return
    connection = connections[router.db_for_write(OrgTally)]
    table = connection.ops.quote_name(OrgTally._meta.db_table)
    orgs = connection.ops.quote_name(Org._meta.db_table)
    values = ", ".join(["(%s, %s, %s)"] * len(delta))
    params: list = [x for (dimension, value), n in sorted(delta.items()) for x in (dimension, value, n)]
    params += list(org_paths)
    # SQLite reads "ON CONFLICT" after a SELECT as a join unless the SELECT has a WHERE clause (it has)
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH d(dimension, value, n) AS (VALUES {values}) "
            f"INSERT INTO {table} (org_id, dimension, value, count) "
            f"SELECT o.id, d.dimension, d.value, d.n FROM {orgs} o CROSS JOIN d "
            f"WHERE o.path IN ({', '.join(['%s'] * len(org_paths))}) "
            f"ORDER BY o.id, d.dimension, d.value "
            f"ON CONFLICT (org_id, dimension, value) DO UPDATE SET count = {table}.count + excluded.count",
            params,
        )


def tally_move_subtree_counts(mapping: list[tuple[object, object, int]], *, kept: tuple[str, ...]) -> None:
    """Add each source's counts, times the sign, to its target: in the database, one statement
    per 2,000 rows of the mapping. The dimensions ``kept`` (``tallies.keys.DERIVED_DIMENSIONS``,
    recounted instead) are left where they are."""
    if not mapping:
        return
    connection = connections[router.db_for_write(OrgTally)]
    table = connection.ops.quote_name(OrgTally._meta.db_table)
    org_field = _org_id_field()
    cast = "::uuid" if connection.vendor == "postgresql" else ""  # a VALUES column is text otherwise
    excluded = ", ".join(["%s"] * len(kept))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # a plan's moves, queued, sum a million rows: sorted in memory, not on disk
            cursor.execute("SET LOCAL work_mem = '256MB'")
        for start in range(0, len(mapping), 2000):
            part = mapping[start : start + 2000]
            values = ", ".join([f"(%s{cast}, %s{cast}, %s)"] * len(part))
            params = [
                x
                for source, target, sign in part
                for x in (
                    org_field.get_db_prep_value(source, connection),
                    org_field.get_db_prep_value(target, connection),
                    sign,
                )
            ]
            # PostgreSQL is told to read each source's rows by the index (LATERAL): joined to a
            # list of a few dozen sources it would otherwise scan the whole table; SQLite has no
            # LATERAL, and its planner loops over the small list by the index anyway.
            # Each source's rows are read once (a subtree moved from a district to the bloc adds
            # to one and takes from the other), then spread over its targets.
            rows = (
                f"(SELECT DISTINCT source FROM m) src CROSS JOIN LATERAL (SELECT org_id, dimension, value, count FROM {table} "
                f"WHERE org_id = src.source AND dimension NOT IN ({excluded})) s JOIN m ON m.source = s.org_id"
                if connection.vendor == "postgresql"
                else f"{table} s JOIN m ON s.org_id = m.source WHERE s.dimension NOT IN ({excluded})"
            )
            cursor.execute(
                f"WITH m(source, target, sign) AS (VALUES {values}) "
                f"INSERT INTO {table} (org_id, dimension, value, count) "
                f"SELECT m.target, s.dimension, s.value, SUM(s.count * m.sign) FROM {rows} "
                f"GROUP BY m.target, s.dimension, s.value "
                f"ON CONFLICT (org_id, dimension, value) DO UPDATE SET count = {table}.count + excluded.count",
                params + list(kept),
            )
        if connection.vendor == "postgresql":
            cursor.execute("RESET work_mem")


def tally_replace_all(
    counts: Mapping[tuple[Any, str, str], int], *, dimensions: tuple[str, ...] = ()
) -> None:
    """Delete every tally row (of ``dimensions``, when given) and insert ``counts`` instead; the
    caller holds the transaction."""
    tally_delete_all(dimensions=dimensions)
    tally_insert(counts)


def tally_delete_all(*, dimensions: tuple[str, ...] = ()) -> None:
    """Delete every tally row (of ``dimensions``, when given); the caller holds the transaction."""
    connection = connections[router.db_for_write(OrgTally)]
    table = connection.ops.quote_name(OrgTally._meta.db_table)
    with connection.cursor() as cursor:
        if dimensions:
            cursor.execute(
                f"DELETE FROM {table} WHERE dimension IN ({', '.join(['%s'] * len(dimensions))})",
                list(dimensions),
            )
        else:
            cursor.execute(f"DELETE FROM {table}")


def tally_insert(counts: Mapping[tuple[Any, str, str], int]) -> None:
    """Insert ``counts`` as new tally rows (none of them may be there)."""
    connection = connections[router.db_for_write(OrgTally)]
    table = connection.ops.quote_name(OrgTally._meta.db_table)
    org_field = _org_id_field()
    prepared: dict = {}

    def org_value(org_id):
        if org_id not in prepared:
            prepared[org_id] = org_field.get_db_prep_value(org_id, connection)
        return prepared[org_id]

    # Plain tuples through one prepared INSERT: building half a million model instances
    # cost more than the database's own work. Made 20,000 at a time: a province's million
    # tallies as one list of rows cost as much memory again as the counts themselves.
    pending = ((org_value(org_id), dim, value, n) for (org_id, dim, value), n in counts.items())
    if connection.vendor == "postgresql":
        # one COPY: the national recount writes tens of millions of rows, which one INSERT
        # each (even prepared, pipelined) wrote at a fraction of COPY's speed
        copy_rows(OrgTally._meta.db_table, ["org_id", "dimension", "value", "count"], pending)
        return
    with connection.cursor() as cursor:
        while rows := list(itertools.islice(pending, 20000)):
            cursor.executemany(
                f"INSERT INTO {table} (org_id, dimension, value, count) VALUES (%s, %s, %s, %s)",
                rows,
            )


def spool_create() -> str:
    """A new scratch table for count changes (temporary: this connection's only, gone with
    it); its name."""
    connection = connections[router.db_for_write(OrgTally)]
    name = f"tally_spool_{uuid.uuid4().hex[:12]}"
    org_type = "uuid" if connection.vendor == "postgresql" else "char(32)"
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE {name} (org_id {org_type} NOT NULL, dimension varchar(32) NOT NULL, "
            "value varchar(120) NOT NULL, n bigint NOT NULL)"
        )
    return name


def spool_write(name: str, delta: Mapping[tuple[Any, str, str], int]) -> None:
    """Append ``delta``'s changes to the scratch table ``name`` (no summing yet)."""
    connection = connections[router.db_for_write(OrgTally)]
    org_field = _org_id_field()
    rows = [
        (org_field.get_db_prep_value(org_id, connection), dimension, value, n)
        for (org_id, dimension, value), n in delta.items()
    ]
    if connection.vendor == "postgresql":
        copy_rows(name, ["org_id", "dimension", "value", "n"], rows)
        return
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {name} (org_id, dimension, value, n) VALUES (%s, %s, %s, %s)", rows)


def spool_apply(name: str) -> None:
    """Add the summed changes of the scratch table ``name`` to the counts, creating rows: one
    statement, in key order (as ``tally_add``: writers lock shared rows in the same order)."""
    connection = connections[router.db_for_write(OrgTally)]
    table = connection.ops.quote_name(OrgTally._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL work_mem = '64MB'")
        # SQLite reads "ON CONFLICT" after a SELECT as a join unless the SELECT has a WHERE clause
        cursor.execute(
            f"INSERT INTO {table} (org_id, dimension, value, count) "
            f"SELECT org_id, dimension, value, SUM(n) FROM {name} WHERE n <> 0 "
            "GROUP BY org_id, dimension, value HAVING SUM(n) <> 0 ORDER BY org_id, dimension, value "
            f"ON CONFLICT (org_id, dimension, value) DO UPDATE SET count = {table}.count + excluded.count"
        )
        if connection.vendor == "postgresql":
            cursor.execute("RESET work_mem")


def spool_sums(name: str, dimensions: Iterable[str]) -> dict[tuple[Any, str, str], int]:
    """The summed, non-zero changes of ``dimensions`` in the scratch table ``name``."""
    connection = connections[router.db_for_write(OrgTally)]
    org_field = _org_id_field()
    dimensions = list(dimensions)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT org_id, dimension, value, SUM(n) FROM {name} "
            f"WHERE dimension IN ({', '.join(['%s'] * len(dimensions))}) "
            "GROUP BY org_id, dimension, value HAVING SUM(n) <> 0",
            dimensions,
        )
        return {
            (org_field.to_python(org_id), dimension, value): int(n)
            for org_id, dimension, value, n in cursor.fetchall()
        }


def spool_drop(name: str) -> None:
    connection = connections[router.db_for_write(OrgTally)]
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {name}")


# The member columns a past day's stock is corrected by (``stock_changes``): dimension → column,
# as the tallies count them (``tallies.keys.DIMENSIONS``).
_STOCK_COLUMNS = {
    dimension: str(DIMENSIONS[dimension])
    for dimension in ("gender", "ethnicity", "religion", "education", "professional", "theory", "occupation")
}


# The members whose placements began or ended after a day (two parameters: the day, twice). A
# UNION of the two indexes' ranges: with "valid_from > %s OR valid_to > %s" SQLite walked every
# placement (69 ms on the default demo, against 0.2 ms).
CHANGED_SINCE = (
    "SELECT member_id FROM members_placement WHERE valid_from > %s "
    "UNION SELECT member_id FROM members_placement WHERE valid_to > %s"
)


def stock_changes(*, day, root_path: str, length: int, statuses: Iterable[str]) -> list[tuple]:
    """What turns today's stock of a subtree into ``day``'s (``stats.figures``, when no
    organization has moved since): for the members whose placements changed after ``day``,
    their rows today (sign -1: wherever they are, as a hamlet counts its residents whatever their
    cell) and their counted placements on ``day`` in the subtree at ``root_path`` (sign +1), grouped by
    the first ``length`` characters of their organization's path (of ``day``'s version) and
    by each dimension's value, in one statement. Rows (sign, path prefix, dimension, value,
    count): ``total`` (value None), ``status``, ``birth_year`` (a year), the columns of
    ``_STOCK_COLUMNS``, and ``hamlet`` (the residence's id, its prefix the commune's path).

    Grouped in the database, a province's year of changes (tens of thousands of members) comes
    back as a few thousand rows: counted in Python row by row, they took 1.9 s at 500,000
    members (issue 24)."""
    connection = connections[router.db_for_read(OrgTally)]
    vendor = connection.vendor
    length = int(length)  # written into the statement: the same expression in SELECT and GROUP BY
    year = (
        "CAST(EXTRACT(YEAR FROM m.birth_date) AS integer)"
        if vendor == "postgresql"
        else "CAST(strftime('%%Y', m.birth_date) AS integer)"
    )
    statuses = list(statuses)
    marks = ", ".join(["%s"] * len(statuses))
    columns = ", ".join(f"m.{column} AS {column}" for column in _STOCK_COLUMNS.values())
    materialized = "MATERIALIZED "
    sql = (
        f"WITH changed AS {materialized}({CHANGED_SINCE}), "
        f"now_rows AS {materialized}(SELECT substr(m.org_path, 1, {length}) AS prefix, m.status AS status, "
        f"{columns}, {year} AS birth_year, m.residence_locality_id AS locality FROM members_member m "
        f"WHERE m.id IN (SELECT member_id FROM changed) AND m.status IN ({marks})), "
        f"then_rows AS {materialized}(SELECT substr(v.path, 1, {length}) AS prefix, p.status AS status, "
        f"{columns}, {year} AS birth_year, m.residence_locality_id AS locality "
        "FROM members_placement p JOIN members_member m ON m.id = p.member_id "
        "JOIN orgs_orgversion v ON v.org_id = p.org_id AND v.valid_from <= %s "
        "AND (v.valid_to IS NULL OR v.valid_to > %s) "
        "WHERE p.counted = %s AND p.valid_from <= %s AND (p.valid_to IS NULL OR p.valid_to > %s) "
        f"AND p.status IN ({marks}) AND p.member_id IN (SELECT member_id FROM changed) "
        "AND v.path >= %s AND v.path < %s)"
    )
    params: list = [day, day, *statuses, day, day, True, day, day]
    params += [*statuses, root_path, root_path + "~"]
    selects = []
    for sign, rows in ((-1, "now_rows"), (1, "then_rows")):
        # every value as text: the columns' types differ, and UNION needs one
        selects.append(
            f"SELECT {sign}, prefix, 'total', CAST(NULL AS text), COUNT(*) FROM {rows} GROUP BY prefix"
        )
        for dimension, column in (
            ("status", "status"),
            ("birth_year", "birth_year"),
            *_STOCK_COLUMNS.items(),
        ):
            selects.append(
                f"SELECT {sign}, prefix, '{dimension}', CAST({column} AS text), COUNT(*) FROM {rows} "
                f"GROUP BY prefix, {column}"
            )
        selects.append(
            f"SELECT {sign}, substr(l.commune_path, 1, {length}), 'hamlet', CAST(r.locality AS text), COUNT(*) "
            f"FROM {rows} r "
            f"JOIN orgs_locality l ON l.id = r.locality GROUP BY substr(l.commune_path, 1, {length}), r.locality"
        )
    with connection.cursor() as cursor:
        cursor.execute(sql + " " + " UNION ALL ".join(selects), params)
        return cursor.fetchall()


def status_changes(*, day, root_path: str, statuses: Iterable[str]) -> list[tuple]:
    """``stock_changes`` for the members' status alone, by each organization's whole path:
    (sign, path, status, count) for the members whose placements changed after ``day`` — today
    (sign -1, wherever they are) and as counted on ``day`` in the subtree at ``root_path`` (sign
    +1). What a past day's per-organization counts need (the flags of cells that must elect a
    committee, large grassroots committees: ``stats.indicators.loads``) when no organization has
    changed place or kind since: a few thousand rows for a province's year of changes."""
    connection = connections[router.db_for_read(OrgTally)]
    statuses = list(statuses)
    marks = ", ".join(["%s"] * len(statuses))
    sql = (
        f"WITH changed AS MATERIALIZED ({CHANGED_SINCE}) "
        "SELECT -1, m.org_path, m.status, COUNT(*) FROM members_member m "
        f"WHERE m.id IN (SELECT member_id FROM changed) AND m.status IN ({marks}) "
        "GROUP BY m.org_path, m.status "
        "UNION ALL "
        "SELECT 1, v.path, p.status, COUNT(*) FROM members_placement p "
        "JOIN orgs_orgversion v ON v.org_id = p.org_id AND v.valid_from <= %s "
        "AND (v.valid_to IS NULL OR v.valid_to > %s) "
        "WHERE p.counted = %s AND p.valid_from <= %s AND (p.valid_to IS NULL OR p.valid_to > %s) "
        f"AND p.status IN ({marks}) AND p.member_id IN (SELECT member_id FROM changed) "
        "AND v.path >= %s AND v.path < %s "
        "GROUP BY v.path, p.status"
    )
    params = [day, day, *statuses, day, day, True, day, day, *statuses, root_path, root_path + "~"]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()
