"""Yearly reviews in the tallies: what the members' and the grassroots organizations' ratings of
a year add to the organizations above them, so today's indicators of a province read a few
rows instead of grouping its hundred thousand reviews (``stats.indicators.ratings``).

What one review adds (yearly reviews, ``Period.YEAR``, of the years from 2018: the old levels
of earlier years are not bands):

- ``rate:member``: a member's review, at its cell (``MemberRating.cell``, the cell that listed
  the member) and every organization above it, valued "YEAR|BAND" once decided, "YEAR|-not_rated"
  for a member listed not to be rated, "YEAR|-undecided" otherwise (the order of the live
  reading: not rated first, then the band);
- ``rate:org``: a decided review of a grassroots organization, "YEAR|BAND", at it and every
  organization above it — when it is grassroots by its kind (``Org.kind``) and stood by the end
  of the year rated. Its kind can change, so these counts are recounted with the tree
  (``keys.DERIVED_DIMENSIONS``: ``tally_fix_derived`` after each restructuring, which also
  keeps an emptied merged organization's own band where it stands) rather than moved.

``ratings.services`` reports each change through ``core.projections`` (``rating_counts``
before, ``ratings_changed`` after), in its transaction, with the reviews' rows locked.
``recount_ratings`` recounts everything for ``tally_recount`` and the recount by parts, so
``dangbo check --aggregates`` compares them and the end of ``tallies_deferred`` (the demo's bulk
load) rebuilds them; ``tally_ratings_rebuild`` rebuilds them alone.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import Count, Q

from dangbo.core import paths
from dangbo.core.kinds import GRASSROOTS_KINDS
from dangbo.orgs.models import Org
from dangbo.ratings.models import MemberRating, OrgRating, Period
from dangbo.rules import ratings as rating_rules
from dangbo.stats import sql
from dangbo.stats.tallies.keys import RATING_DIMENSIONS, RATING_MEMBERS, RATING_ORGS, Key
from dangbo.stats.tallies.organizations import _org_table
from dangbo.stats.tallies.store import _apply, deferred

NOT_RATED, UNDECIDED = "-not_rated", "-undecided"
CHUNK = 500  # ids per IN (...) list
HolderKey = tuple[object, str, str]  # (the cell or the organization rated, dimension, value)


def member_value(year: int, band: str, not_rated: str) -> str:
    if not_rated:
        return f"{year}|{NOT_RATED}"
    return f"{year}|{band or UNDECIDED}"


def counted_org(kind: str, created_on: date, year: int) -> bool:
    """Is an organization's review of ``year`` counted (grassroots, standing by the year's end)?"""
    return kind in GRASSROOTS_KINDS and created_on <= rating_rules.year_day(year)


def _members(where: Q) -> Counter:
    rows = (
        MemberRating.objects.filter(where, period=Period.YEAR, year__gte=rating_rules.FIRST_BANDED_YEAR)
        .values_list("cell_id", "year", "band", "not_rated")
        .annotate(n=Count("id"))
        .order_by()
    )
    found: Counter = Counter()
    for cell_id, year, band, not_rated, n in rows:  # (reasons not rated add up to one value)
        found[(cell_id, RATING_MEMBERS, member_value(year, band, not_rated))] += n
    return found


def _orgs(where: Q) -> Counter:
    rows = (
        OrgRating.objects.filter(where, period=Period.YEAR, year__gte=rating_rules.FIRST_BANDED_YEAR)
        .exclude(band="")
        .values_list("org_id", "org__kind", "org__created_on", "year", "band")
        .annotate(n=Count("id"))
        .order_by()
    )
    found: Counter = Counter()
    for org_id, kind, created_on, year, band, n in rows:
        if counted_org(kind, created_on, year):
            found[(org_id, RATING_ORGS, f"{year}|{band}")] += n
    return found


# --- following the changes of ratings.services -------------------------------------------------


@dataclass(frozen=True)
class Snapshot:
    members: Q | None
    orgs: Q | None
    keys: Counter  # HolderKey → count


def _read(members: Q | None, orgs: Q | None) -> Counter:
    found: Counter = Counter()
    if members is not None:
        found.update(_members(members))
    if orgs is not None:
        found.update(_orgs(orgs))
    return found


def rating_counts(
    *, member_ratings: Iterable = (), org_ratings: Iterable = (), campaign=None
) -> Snapshot | None:
    """What the reviews ``member_ratings`` and ``org_ratings`` (ids), or every review of
    ``campaign``, add to the counts, read before a change (``tally_ratings_changed`` after it).
    The caller holds the reviews' rows locked (or creates them)."""
    if deferred():
        return None
    members = Q(pk__in=list(member_ratings)) if member_ratings else None
    orgs = Q(pk__in=list(org_ratings)) if org_ratings else None
    if campaign is not None:
        members = (members or Q(pk__in=[])) | Q(campaign_id=campaign)
        orgs = (orgs or Q(pk__in=[])) | Q(campaign_id=campaign)
    return Snapshot(members, orgs, _read(members, orgs))


def tally_ratings_changed(before: Snapshot | None) -> None:
    if before is None or deferred():
        return
    after = _read(before.members, before.orgs)
    delta = {key: after.get(key, 0) - before.keys.get(key, 0) for key in set(after) | set(before.keys)}
    _add_above({key: n for key, n in delta.items() if n})


def _add_above(delta: dict[HolderKey, int]) -> None:
    """Add each holder's counts to it and every organization above it."""
    if not delta:
        return
    holders = list({holder for holder, _, _ in delta})
    path_of: dict = {}
    for start in range(0, len(holders), CHUNK):
        path_of.update(Org.objects.filter(pk__in=holders[start : start + CHUNK]).values_list("id", "path"))
    wanted = list({a for path in path_of.values() for a in paths.ancestor_paths(path)})
    ids_by_path: dict = {}
    for start in range(0, len(wanted), CHUNK):
        ids_by_path.update(
            Org.objects.filter(path__in=wanted[start : start + CHUNK]).values_list("path", "id")
        )
    out: dict[Key, int] = defaultdict(int)
    for (holder, dimension, value), n in delta.items():
        for ancestor in paths.ancestor_paths(path_of[holder]):
            if ancestor in ids_by_path:
                out[(ids_by_path[ancestor], dimension, value)] += n
    _apply({key: n for key, n in out.items() if n})


# --- the recount ------------------------------------------------------------------------------


def recount_ratings(
    above: Callable[[object], list],
    org_q: Callable[[str], Q] | None = None,
    *,
    members: bool = True,
    orgs: bool = True,
) -> dict[Key, int]:
    """Every review's counts from the tables, under each organization above its holder
    (``above``: org id → the ids of the organizations above it, itself included). With
    ``org_q`` (a field prefix → the condition on the organization there), only the reviews
    held by those organizations (``tallies.recount`` counts a province part by part)."""

    def where(prefix: str) -> Q:
        return org_q(prefix) if org_q is not None else Q()

    own: Counter = Counter()
    if members:
        own.update(_members(where("cell__")))
    if orgs:
        own.update(_orgs(where("org__")))
    counts: dict[Key, int] = defaultdict(int)
    for (holder, dimension, value), n in own.items():
        for ancestor in above(holder):
            counts[(ancestor, dimension, value)] += n
    return counts


def recount_org_ratings(ancestors: dict) -> dict[Key, int]:
    """The organizations' counts alone (``tally_fix_derived``; ``ancestors`` as ``_org_table``)."""
    return recount_ratings(lambda org_id: ancestors.get(org_id, [org_id]), members=False)


def tally_ratings_rebuild() -> int:
    """Replace the rating counts alone with a recount, in one transaction (after a bulk load of
    reviews into a database whose other counts are right). Returns the number of rows written."""
    _orgs_table, ancestors = _org_table()
    counts = {
        key: n for key, n in recount_ratings(lambda org_id: ancestors.get(org_id, [org_id])).items() if n
    }
    with transaction.atomic():
        sql.tally_replace_all(counts, dimensions=RATING_DIMENSIONS)
    return len(counts)
