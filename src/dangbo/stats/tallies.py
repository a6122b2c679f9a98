"""Keeping ``OrgTally`` equal to a recount of the members.

Every change of a member's standing goes through ``members.ledger`` and every identity
correction through ``members.services``; both call ``tally_member_changed`` with the
member's row before and after, in the same transaction. The change becomes a list of
+1/−1 on (organization, attribute, value) for the member's organization and each of its
ancestors, applied with one upsert per row. ``tally_rebuild`` recounts everything (after
a restructuring, or by the operator); ``tally_differences`` compares the stored rows with
a fresh recount, which is what ``dangbo check --aggregates`` reports.

Age is kept as the year of birth, so the tallies do not go stale as people have
birthdays; age bands are read as "report year − year of birth" (tuổi đời tính theo năm
sinh), the same way for today's figures and for past dates.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db import connections, router, transaction
from django.db.models import Count
from django.db.models.functions import ExtractYear

from dangbo.core.bulk import insert_many
from dangbo.members.models import ACTIVE_STATUSES, Member
from dangbo.orgs import paths
from dangbo.orgs.models import Org
from dangbo.stats.models import OrgTally, TallyRun

# dimension → the member field it counts. "total" counts everyone once.
DIMENSIONS: dict[str, str | None] = {
    "total": None,
    "status": "status",
    "gender": "gender",
    "ethnicity": "ethnicity_id",
    "religion": "religion_id",
    "education": "general_education_id",
    "professional": "professional_level_id",
    "theory": "theory_level_id",
    "occupation": "occupation",
    "birth_year": "birth_date",
    "standing": "standing",
}
# The member fields a tally reads (what callers must pass in ``before`` and ``after``).
MEMBER_FIELDS: tuple[str, ...] = ("org_path", "residence_locality_id") + tuple(f for f in DIMENSIONS.values() if f)
# Hamlets (thôn, tổ dân phố) with resident members: counted under the hamlet's commune and
# its ancestors, whatever organization the residents belong to, with the hamlet's id as value.
HAMLET = "hamlet"
_VALUE_WIDTH = OrgTally._meta.get_field("value").max_length

Key = tuple[int | str, str, str]  # (org id, dimension, value)


def _get(row, name: str):
    return row[name] if isinstance(row, Mapping) else getattr(row, name)


def member_keys(row) -> list[tuple[str, str]]:
    """The (dimension, value) pairs an active member adds to each organization above it."""
    if row is None or _get(row, "status") not in ACTIVE_STATUSES:
        return []
    keys = []
    for dimension, field in DIMENSIONS.items():
        if field is None:
            value = ""
        elif field == "birth_date":
            value = str(_get(row, field).year)
        else:
            value = _get(row, field) or ""
        keys.append((dimension, str(value)[:_VALUE_WIDTH]))
    return keys


def _commune_paths(rows) -> dict[object, str]:
    from dangbo.orgs.models import Locality

    wanted = {_get(row, "residence_locality_id") for row in rows} - {None}
    if not wanted:
        return {}
    return dict(Locality.objects.filter(id__in=wanted).values_list("id", "commune_path"))


def _org_ids_by_path(path_set: Iterable[str]) -> dict[str, object]:
    wanted = {ancestor for path in path_set for ancestor in paths.ancestor_paths(path)}
    if not wanted:
        return {}
    return dict(Org.objects.filter(path__in=wanted).values_list("path", "id"))


def _add(delta: dict, ids: dict, communes: dict, row, sign: int) -> None:
    keys = member_keys(row)
    if not keys:
        return
    for ancestor in paths.ancestor_paths(_get(row, "org_path")):
        org_id = ids.get(ancestor)
        if org_id is None:
            continue
        for dimension, value in keys:
            delta[(org_id, dimension, value)] += sign
    locality_id = _get(row, "residence_locality_id")
    if locality_id is not None and locality_id in communes:
        for ancestor in paths.ancestor_paths(communes[locality_id]):
            if ancestor in ids:
                delta[(ids[ancestor], HAMLET, str(locality_id))] += sign


def tally_member_changed(*, before=None, after=None) -> None:
    """Apply one member's change: ``before`` and ``after`` are the member's rows (a
    ``Member`` or a mapping with ``status`` and ``MEMBER_FIELDS``), ``None`` for none."""
    tally_members_changed([(before, after)])


def tally_members_changed(pairs: Iterable[tuple[object, object]]) -> None:
    pairs = list(pairs)
    rows = [row for pair in pairs for row in pair if row is not None and member_keys(row)]
    if not rows:
        return
    communes = _commune_paths(rows)
    ids = _org_ids_by_path({_get(row, "org_path") for row in rows} | set(communes.values()))
    delta: dict[Key, int] = defaultdict(int)
    for before, after in pairs:
        _add(delta, ids, communes, before, -1)
        _add(delta, ids, communes, after, +1)
    _apply({key: n for key, n in delta.items() if n})


def _apply(delta: dict[Key, int]) -> None:
    """Add each count to its row, creating the row when it is new (one upsert per row,
    in key order so two writers lock shared ancestor rows in the same order)."""
    if not delta:
        return
    connection = connections[router.db_for_write(OrgTally)]
    table = connection.ops.quote_name(OrgTally._meta.db_table)
    sql = (
        f"INSERT INTO {table} (org_id, dimension, value, count) VALUES (%s, %s, %s, %s) "
        f"ON CONFLICT (org_id, dimension, value) DO UPDATE SET count = {table}.count + excluded.count"
    )
    org_field = OrgTally._meta.get_field("org").target_field
    rows = sorted(
        (org_field.get_db_prep_value(org_id, connection), dimension, value, n)
        for (org_id, dimension, value), n in delta.items()
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


# --- recounting ------------------------------------------------------------------------


def tally_recount() -> dict[Key, int]:
    """Every organization's subtree counts, recounted from the member table."""
    org_paths = dict(Org.objects.values_list("id", "path"))
    ids_by_path = {path: org_id for org_id, path in org_paths.items()}
    ancestors: dict[object, list] = {
        org_id: [ids_by_path[p] for p in paths.ancestor_paths(path) if p in ids_by_path] for org_id, path in org_paths.items()
    }
    active = Member.objects.filter(status__in=ACTIVE_STATUSES).order_by()
    counts: dict[Key, int] = defaultdict(int)
    for dimension, field in DIMENSIONS.items():
        if field is None:
            groups = active.values_list("org_id").annotate(n=Count("id")).values_list("org_id", "n")
            rows = ((org_id, "", n) for org_id, n in groups)
        elif field == "birth_date":
            groups = active.annotate(y=ExtractYear("birth_date")).values_list("org_id", "y").annotate(n=Count("id"))
            rows = ((org_id, str(y), n) for org_id, y, n in groups)
        else:
            groups = active.values_list("org_id", field).annotate(n=Count("id"))
            rows = ((org_id, str(v or "")[:_VALUE_WIDTH], n) for org_id, v, n in groups)
        for org_id, value, n in rows:
            for ancestor in ancestors[org_id]:
                counts[(ancestor, dimension, value)] += n
    from dangbo.orgs.models import Locality

    communes = dict(Locality.objects.values_list("id", "commune_path"))
    residents = active.filter(residence_locality__isnull=False).values_list("residence_locality_id").annotate(n=Count("id"))
    for locality_id, n in residents.values_list("residence_locality_id", "n"):
        for ancestor in paths.ancestor_paths(communes[locality_id]):
            if ancestor in ids_by_path:
                counts[(ids_by_path[ancestor], HAMLET, str(locality_id))] += n
    return dict(counts)


def tally_rebuild() -> TallyRun:
    """Replace every tally with a fresh recount (one transaction)."""
    started = time.perf_counter()
    counts = tally_recount()
    with transaction.atomic():
        OrgTally.objects.all().delete()
        insert_many(
            OrgTally,
            [OrgTally(org_id=org_id, dimension=dim, value=value, count=n) for (org_id, dim, value), n in counts.items()],
        )
        return TallyRun.objects.create(seconds=time.perf_counter() - started, rows=len(counts))


@dataclass(frozen=True)
class TallyDifference:
    org_id: object
    dimension: str
    value: str
    stored: int
    recounted: int


def tally_stored() -> dict[Key, int]:
    return {
        (org_id, dim, value): n
        for org_id, dim, value, n in OrgTally.objects.exclude(count=0).values_list("org_id", "dimension", "value", "count")
    }


def tally_differences() -> list[TallyDifference]:
    """Every (organization, attribute, value) whose stored count differs from a recount."""
    stored = tally_stored()
    recounted = tally_recount()
    return [
        TallyDifference(key[0], key[1], key[2], stored.get(key, 0), recounted.get(key, 0))
        for key in sorted(set(stored) | set(recounted), key=lambda k: (str(k[0]), k[1], k[2]))
        if stored.get(key, 0) != recounted.get(key, 0)
    ]


def tally_read(org_ids: Iterable) -> dict[object, dict[str, dict[str, int]]]:
    """The stored counts of ``org_ids``: org id → dimension → value → count."""
    result: dict[object, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    for org_id, dim, value, n in OrgTally.objects.filter(org_id__in=list(org_ids), count__gt=0).values_list(
        "org_id", "dimension", "value", "count"
    ):
        result[org_id][dim][value] = n
    return result
