"""Recounting every tally from the tables (``tally_recount``), replacing the stored rows with it
(``tally_rebuild``, also at the end of ``tallies_deferred``), and comparing the two
(``tally_differences``, what ``dangbo check --aggregates`` reports)."""

from __future__ import annotations

import time
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from django.db import transaction
from django.db.models import Count, Q
from django.db.models.functions import ExtractYear

from dangbo.members.models import ACTIVE_STATUSES, Member, Position
from dangbo.orgs.models import Locality, Org
from dangbo.stats import sql
from dangbo.stats.models import OrgTally, TallyRun
from dangbo.stats.tallies.dues import recount_dues
from dangbo.stats.tallies.flows import flow_member_ids, recount_flows
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
from dangbo.stats.tallies.parallel import recount_workers
from dangbo.stats.tallies.ratings import recount_ratings
from dangbo.stats.tallies.store import _DEFERRED, deferred


@contextmanager
def tallies_deferred(progress: Callable[[str], object] | None = None) -> Iterator[None]:
    """Bulk work (the demo, an import) changes thousands of members and organizations; inside
    this block the changes leave the tallies alone, and one recount at the end replaces them
    (``progress`` is told how far it has gone). Nothing is recounted if the block fails (its
    transaction is rolled back anyway)."""
    token = _DEFERRED.set(True)
    try:
        yield
    finally:
        _DEFERRED.reset(token)
    if not deferred():  # inside another such block, its end recounts
        tally_rebuild(progress)


def tally_recount() -> dict[Key, int]:
    """Every tally, recounted from the member, position, organization, meeting and rating tables, in
    memory at once (the tests' reference; ``dangbo check --aggregates`` and ``tally_rebuild``
    count part by part, ``tallies.parts``)."""
    table = org_table()
    return {key: n for key, n in count_part(table, Part(), table.ids_by_path).items() if n}


@dataclass(frozen=True)
class OrgTable:
    """Every organization: id → (path, kind, sector, upper rights, parent, live), its path → id,
    and the paths in order (for the organizations of a range of paths)."""

    orgs: dict
    ids_by_path: dict
    sorted_paths: list

    def ids_in(self, lo: str, hi: str) -> dict:
        """path → id of the organizations whose path is in [lo, hi)."""
        first, last = bisect_left(self.sorted_paths, lo), bisect_left(self.sorted_paths, hi)
        return {path: self.ids_by_path[path] for path in self.sorted_paths[first:last]}


def org_table() -> OrgTable:
    orgs, _ancestors = _org_table(ancestors=False)
    ids_by_path = {values[0]: org_id for org_id, values in orgs.items()}
    return OrgTable(orgs, ids_by_path, sorted(ids_by_path))


@dataclass(frozen=True)
class Part:
    """The rows one pass of a recount reads: every row (the default); the rows of the
    organizations whose paths lie in [``lo``, ``hi``) (a run of sibling subtrees); or, with
    ``upper_ids``/``upper_paths`` and ``rest``, the rows of those organizations themselves."""

    lo: str | None = None
    hi: str | None = None
    upper_ids: tuple = ()
    upper_paths: tuple = ()
    rest: bool = False

    def org_q(self, prefix: str) -> Q:
        """The condition on the organization at ``prefix`` (``""``: an Org row, ``"org__"``)."""
        if self.rest:
            return Q(**{f"{prefix}id__in": list(self.upper_ids)})
        if self.lo is None:
            return Q()
        return Q(**{f"{prefix}path__gte": self.lo, f"{prefix}path__lt": self.hi})

    def member_q(self, prefix: str = "") -> Q:
        if self.rest:
            return Q(**{f"{prefix}org_id__in": list(self.upper_ids)})
        if self.lo is None:
            return Q()
        return Q(**{f"{prefix}org_path__gte": self.lo, f"{prefix}org_path__lt": self.hi})

    def commune_q(self, prefix: str = "") -> Q:
        if self.rest:
            return Q(**{f"{prefix}commune_path__in": list(self.upper_paths)})
        if self.lo is None:
            return Q()
        return Q(**{f"{prefix}commune_path__gte": self.lo, f"{prefix}commune_path__lt": self.hi})

    def holds_commune(self, commune_path: str) -> bool:
        if self.rest:
            return commune_path in self.upper_paths
        return self.lo is None or self.hi is None or self.lo <= commune_path < self.hi


def count_part(
    table: OrgTable,
    part: Part,
    kept: dict,
    *,
    flows_within: set | None = None,
    spanning: set | None = None,
    structure: bool = True,
    flows: bool = True,
    today: date | None = None,
) -> dict[Key, int]:
    """The counts the rows of ``part`` add to the organizations of ``kept`` (path → id): all of
    them when both are everything (``tally_recount``). With ``flows_within`` (a run's own
    organizations), the flows of a member placed outside the run count only there, and the member
    is added to ``spanning`` (``flows.recount_flows``); ``structure`` adds the organizations of the part (by kind, flags)."""
    orgs = table.orgs
    ancestors_cache: dict = {}

    def ancestors(org_id) -> list:
        if org_id not in ancestors_cache:
            ancestors_cache[org_id] = _ancestor_ids(orgs[org_id][0], kept)
        return ancestors_cache[org_id]

    active = Member.objects.filter(part.member_q(), status__in=ACTIVE_STATUSES).order_by()
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
            for ancestor in ancestors(org_id):
                counts[(ancestor, dimension, value)] += n
    everyone = Member.objects.filter(status__in=ACTIVE_STATUSES).order_by()
    residents = (
        everyone.filter(part.commune_q("residence_locality__"), residence_locality__isnull=False)
        .values_list("residence_locality_id", "residence_locality__commune_path")
        .annotate(n=Count("id"))
    )
    for _locality_id, commune_path, n in residents.values_list(
        "residence_locality_id", "residence_locality__commune_path", "n"
    ):
        for ancestor in _ancestor_ids(commune_path, kept):
            counts[(ancestor, HAMLET, str(_locality_id))] += n
            if n:
                counts[(ancestor, HAMLETS_WITH_MEMBERS, "")] += 1
    leaders = (
        Position.objects.filter(
            part.org_q("org__"), ended_on__isnull=True, member__status__in=ACTIVE_STATUSES
        )
        .values_list("org_id", "role", "member__theory_level_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    for org_id, role, theory, n in leaders:
        _path, kind, _, upper, _, _ = orgs[org_id]
        if leads_grassroots(kind, upper):
            for dimension in leader_dimensions(role):
                for ancestor in ancestors(org_id):
                    counts[(ancestor, dimension, theory_value(theory))] += n
    live = Locality.objects.filter(dissolved_on__isnull=True)
    if part.lo is not None or part.rest:
        # every live hamlet of the part's cells too: whether a cell covers several hamlets is
        # judged on all of them, but only the part's own hamlets are counted here
        cells = live.filter(part.commune_q(), cell__isnull=False).values("cell_id")
        live = live.filter(part.commune_q() | Q(cell_id__in=cells))
    live_hamlets = list(live.values(*LOCALITY_FIELDS).iterator(chunk_size=5000))
    for row in live_hamlets:
        if part.holds_commune(row["commune_path"]):
            for value in locality_keys(row):
                for ancestor in _ancestor_ids(row["commune_path"], kept):
                    counts[(ancestor, LOCALITIES, value)] += 1
    for row in merged_hamlets(live_hamlets):
        if part.holds_commune(row["commune_path"]):
            for ancestor in _ancestor_ids(row["commune_path"], kept):
                counts[(ancestor, LOCALITIES, MERGED_CELL)] += 1
    if flows:
        members = None
        if part.lo is not None or part.rest:
            members = flow_member_ids(part)
        flows_counted = recount_flows(table.orgs, kept, members, within=flows_within, spanning=spanning)
        for key, n in flows_counted.items():
            counts[key] += n
    meeting_ancestors: dict[object, list] = {
        org_id: ancestors(org_id)
        for org_id in Org.objects.filter(part.org_q("")).values_list("id", flat=True)
    }
    for key, n in recount_meetings(
        meeting_ancestors, part.org_q if (part.lo is not None or part.rest) else None
    ).items():
        counts[key] += n
    for key, n in recount_dues(
        meeting_ancestors, part.org_q if (part.lo is not None or part.rest) else None
    ).items():
        counts[key] += n
    for key, n in recount_ratings(
        ancestors, part.org_q if (part.lo is not None or part.rest) else None
    ).items():
        counts[key] += n
    if structure:
        part_orgs = (
            orgs
            if part.lo is None or part.hi is None
            else {org_id: orgs[org_id] for org_id in table.ids_in(part.lo, part.hi).values()}
        )
        _count_structure(
            part_orgs,
            {org_id: ancestors(org_id) for org_id in part_orgs},
            own=counts,
            counts=counts,
            kept=set(kept.values()),
            today=today,
        )
    return counts


def tally_rebuild(progress: Callable[[str], object] | None = None) -> TallyRun:
    """Replace every tally with a fresh recount (one transaction), written part by part
    (``tallies.parts``)."""
    from dangbo.stats.tallies.parts import recount_parts

    started = time.perf_counter()
    rows = 0
    workers = recount_workers()  # read outside the transaction: workers when it is our own
    with transaction.atomic():
        sql.tally_delete_all()
        for part in recount_parts(progress=progress, workers=workers):
            sql.tally_insert(part.counts)
            rows += len(part.counts)
        return TallyRun.objects.create(seconds=time.perf_counter() - started, rows=rows)


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


def tally_differences(progress: Callable[[str], object] | None = None) -> list[TallyDifference]:
    """Every (organization, dimension, value) whose stored count differs from a recount,
    compared part by part (``tallies.parts``): the memory is one part's, not the province's."""
    from dangbo.stats.tallies.parts import recount_parts

    found = []
    for part in recount_parts(progress=progress, workers=recount_workers()):
        recounted = part.counts  # emptied as the stored rows are read: held once, not twice
        for key, stored in part.stored_rows():
            n = recounted.pop(key, 0)
            if n != stored:
                found.append(TallyDifference(key[0], key[1], key[2], stored, n))
        found += [TallyDifference(key[0], key[1], key[2], 0, n) for key, n in recounted.items()]
    return sorted(found, key=lambda d: (str(d.org_id), d.dimension, d.value))
