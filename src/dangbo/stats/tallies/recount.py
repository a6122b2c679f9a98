"""Recounting every tally from the tables (``tally_recount``), replacing the stored rows with it
(``tally_rebuild``, also at the end of ``tallies_deferred``), and comparing the two
(``tally_differences``, what ``dangbo check --aggregates`` reports)."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from uuid import UUID

from django.db import transaction
from django.db.models import Count
from django.db.models.functions import ExtractYear

from dangbo.members.models import ACTIVE_STATUSES, Member, Position
from dangbo.orgs.models import Locality
from dangbo.stats import sql
from dangbo.stats.models import OrgTally, TallyRun
from dangbo.stats.tallies.flows import _recount_flows
from dangbo.stats.tallies.keys import (
    _VALUE_WIDTH,
    DIMENSIONS,
    HAMLET,
    HAMLETS_WITH_MEMBERS,
    LOCALITIES,
    LOCALITY_FIELDS,
    MERGED_CELL,
    Key,
    _ancestor_ids,
    leader_dimensions,
    leads_grassroots,
    locality_keys,
    merged_hamlets,
    theory_value,
)
from dangbo.stats.tallies.meetings import recount_meetings
from dangbo.stats.tallies.organizations import _count_structure, _org_table
from dangbo.stats.tallies.store import _DEFERRED, deferred


@contextmanager
def tallies_deferred() -> Iterator[None]:
    """Bulk work (the demo, an import) changes thousands of members and organizations; inside
    this block the changes leave the tallies alone, and one recount at the end replaces them.
    Nothing is recounted if the block fails (its transaction is rolled back anyway)."""
    token = _DEFERRED.set(True)
    try:
        yield
    finally:
        _DEFERRED.reset(token)
    if not deferred():  # inside another such block, its end recounts
        tally_rebuild()


def tally_recount() -> dict[Key, int]:
    """Every tally, recounted from the member, position, organization and meeting tables."""
    orgs, ancestors = _org_table()
    ids_by_path = {values[0]: org_id for org_id, values in orgs.items()}
    active = Member.objects.filter(status__in=ACTIVE_STATUSES).order_by()
    counts: dict[Key, int] = defaultdict(int)
    for dimension, field in DIMENSIONS.items():
        if field is None:
            groups = active.values_list("org_id").annotate(n=Count("id")).values_list("org_id", "n")
            rows = ((org_id, "", n) for org_id, n in groups)
        elif field == "birth_date":
            by_year = (
                active.annotate(y=ExtractYear("birth_date"))
                .values_list("org_id", "y")
                .annotate(n=Count("id"))
            )
            rows = ((org_id, str(y), n) for org_id, y, n in by_year)
        else:
            by_value = active.values_list("org_id", field).annotate(n=Count("id"))
            rows = ((org_id, str(v or "")[:_VALUE_WIDTH], n) for org_id, v, n in by_value)
        for org_id, value, n in rows:
            for ancestor in ancestors[org_id]:
                counts[(ancestor, dimension, value)] += n
    communes = dict(Locality.objects.values_list("id", "commune_path"))
    residents = (
        active.filter(residence_locality__isnull=False)
        .values_list("residence_locality_id")
        .annotate(n=Count("id"))
    )
    for locality_id, n in residents.values_list("residence_locality_id", "n"):
        for ancestor in _ancestor_ids(communes[locality_id], ids_by_path):
            counts[(ancestor, HAMLET, str(locality_id))] += n
            if n:
                counts[(ancestor, HAMLETS_WITH_MEMBERS, "")] += 1
    leaders = (
        Position.objects.filter(ended_on__isnull=True, member__status__in=ACTIVE_STATUSES)
        .values_list("org_id", "role", "member__theory_level_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    for org_id, role, theory, n in leaders:
        _path, kind, _, upper, _, _ = orgs[org_id]
        if leads_grassroots(kind, upper):
            for dimension in leader_dimensions(role):
                for ancestor in ancestors[org_id]:
                    counts[(ancestor, dimension, theory_value(theory))] += n
    live_hamlets = list(
        Locality.objects.filter(dissolved_on__isnull=True).values(*LOCALITY_FIELDS).iterator(chunk_size=5000)
    )
    for row in live_hamlets:
        for value in locality_keys(row):
            for ancestor in _ancestor_ids(row["commune_path"], ids_by_path):
                counts[(ancestor, LOCALITIES, value)] += 1
    for row in merged_hamlets(live_hamlets):
        for ancestor in _ancestor_ids(row["commune_path"], ids_by_path):
            counts[(ancestor, LOCALITIES, MERGED_CELL)] += 1
    for key, n in _recount_flows().items():
        counts[key] += n
    for key, n in recount_meetings(ancestors).items():
        counts[key] += n
    _count_structure(orgs, ancestors, own=counts, counts=counts)
    return {key: n for key, n in counts.items() if n}


def tally_rebuild() -> TallyRun:
    """Replace every tally with a fresh recount (one transaction)."""
    started = time.perf_counter()
    counts = tally_recount()
    with transaction.atomic():
        sql.tally_replace_all(counts)
        return TallyRun.objects.create(seconds=time.perf_counter() - started, rows=len(counts))


@dataclass(frozen=True)
class TallyDifference:
    org_id: UUID
    dimension: str
    value: str
    stored: int
    recounted: int


def tally_stored() -> dict[Key, int]:
    return {
        (org_id, dim, value): n
        for org_id, dim, value, n in OrgTally.objects.exclude(count=0).values_list(
            "org_id", "dimension", "value", "count"
        )
    }


def tally_differences() -> list[TallyDifference]:
    """Every (organization, dimension, value) whose stored count differs from a recount."""
    stored = tally_stored()
    recounted = tally_recount()
    return [
        TallyDifference(key[0], key[1], key[2], stored.get(key, 0), recounted.get(key, 0))
        for key in sorted(set(stored) | set(recounted), key=lambda k: (str(k[0]), k[1], k[2]))
        if stored.get(key, 0) != recounted.get(key, 0)
    ]
