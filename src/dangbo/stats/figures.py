"""The counts indicators are computed from, for an organization's subtree in a report frame.

Stock counts (``Stock``) on the frame's date: today's from the pre-aggregated tallies
(a few hundred rows whatever the subtree's size), a past date's from the ledger's counted
placements on that day and the organization versions of that day. Both go through
``tallies.member_keys``, so the two ways count the same thing the same way. On a past date
the identity attributes (ethnicity, education, theory level, residence) are today's: the
profile keeps no history of them.

Flow counts over a period are pre-aggregated by day (``tallies.member_flows``), read with
``tallies.tally_flows``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q

from dangbo.members.models import Placement
from dangbo.orgs.models import Org, OrgVersion
from dangbo.stats.frames import Frame
from dangbo.stats.tallies import HAMLET, member_keys, tally_read



@dataclass
class Stock:
    """dimension → value → members, for one subtree on one day."""

    dims: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return self.dims.get("total", {}).get("", 0)

    def count(self, dimension: str, value: str) -> int:
        return self.dims.get(dimension, {}).get(value, 0)

    def values(self, dimension: str) -> dict[str, int]:
        return dict(self.dims.get(dimension, {}))

    def count_in(self, dimension: str, values) -> int:
        wanted = set(values)
        return sum(n for value, n in self.dims.get(dimension, {}).items() if value in wanted)

    def count_not_in(self, dimension: str, values) -> int:
        unwanted = set(values)
        return sum(n for value, n in self.dims.get(dimension, {}).items() if value not in unwanted)

    def hamlets(self) -> set[str]:
        """Ids of hamlets in the subtree with at least one resident member."""
        return {value for value, n in self.dims.get(HAMLET, {}).items() if n > 0}


_PLACEMENT_MEMBER_FIELDS = (
    "member__gender", "member__ethnicity_id", "member__religion_id", "member__general_education_id",
    "member__professional_level_id", "member__theory_level_id", "member__occupation", "member__birth_date",
    "member__residence_locality_id",
)


def stocks(frame: Frame, orgs: list[Org]) -> dict[object, Stock]:
    """The stock of each of ``orgs`` (the root and some of its descendants) on ``frame.as_of``."""
    if frame.is_today:
        stored = tally_read([org.pk for org in orgs])
        return {org.pk: Stock({dim: dict(values) for dim, values in stored.get(org.pk, {}).items()}) for org in orgs}
    return _stocks_on(frame.as_of, frame, orgs)


def _stocks_on(day: date, frame: Frame, orgs: list[Org]) -> dict[object, Stock]:
    """A past day's stocks. When no organization has moved, merged or split since ``day``,
    today's tallies are corrected by the members whose placements changed after it (a year
    back, a tenth of a province); otherwise every counted placement of the day is counted."""
    if _tree_unchanged_since(day):
        return _stocks_by_difference(day, frame, orgs)
    return _stocks_by_recount(day, frame, orgs)


_MEMBER_FIELDS = ("gender", "ethnicity_id", "religion_id", "general_education_id", "professional_level_id",
                  "theory_level_id", "occupation", "birth_date", "residence_locality_id")


class _Accumulator:
    """Adds members' keys (tallies.member_keys, and their hamlet) to every requested
    organization whose path prefixes the member's organization's path on the day."""

    def __init__(self, wanted: dict[str, object]):
        from dangbo.orgs.models import Locality

        self.wanted = wanted
        self.lengths = sorted({len(path) for path in wanted})
        self.communes = dict(Locality.objects.values_list("id", "commune_path"))
        self.counts: dict[object, dict[str, dict[str, int]]] = {
            org_id: defaultdict(lambda: defaultdict(int)) for org_id in wanted.values()
        }

    def add(self, row: dict, sign: int) -> None:
        path = row["org_path"]
        targets = [self.wanted[path[:n]] for n in self.lengths if path[:n] in self.wanted]
        keys = member_keys(row)
        for target in targets:
            counts = self.counts[target]
            for dimension, value in keys:
                counts[dimension][value] += sign
        locality = row["residence_locality_id"]
        if locality is not None and keys:
            commune_path = self.communes.get(locality, "")
            for n in self.lengths:
                if commune_path[:n] in self.wanted:
                    self.counts[self.wanted[commune_path[:n]]][HAMLET][str(locality)] += sign

    def stocks(self, orgs: list[Org]) -> dict[object, Stock]:
        result = {}
        for org in orgs:
            dims = self.counts.get(org.pk, {})
            dims.pop("standing", None)  # not kept over time
            kept = {dim: {v: n for v, n in values.items() if n} for dim, values in dims.items()}
            result[org.pk] = Stock({dim: values for dim, values in kept.items() if values})
        return result


def _wanted_paths(day: date, frame: Frame, orgs: list[Org]) -> tuple[dict[object, str], dict[str, object]]:
    versions = dict(
        OrgVersion.objects.filter(Q(valid_to__isnull=True) | Q(valid_to__gt=day), valid_from__lte=day, org_id__in=frame.org_ids_on(day))
        .values_list("org_id", "path")
    )
    return versions, {versions[org.pk]: org.pk for org in orgs if org.pk in versions}


def _placement_rows(placements, versions: dict[object, str]):
    for org_id, status, *member in placements.values_list("org_id", "status", *_PLACEMENT_MEMBER_FIELDS).iterator(chunk_size=20000):
        if org_id in versions:
            row = dict(zip(_MEMBER_FIELDS, member))
            row.update(status=status, standing="", org_path=versions[org_id])
            yield row


def _on(day: date) -> Q:
    return (Q(valid_to__isnull=True) | Q(valid_to__gt=day)) & Q(valid_from__lte=day, counted=True)


def _stocks_by_recount(day: date, frame: Frame, orgs: list[Org]) -> dict[object, Stock]:
    versions, wanted = _wanted_paths(day, frame, orgs)
    if not wanted:
        return {org.pk: Stock() for org in orgs}
    acc = _Accumulator(wanted)
    for row in _placement_rows(Placement.objects.filter(_on(day), org_id__in=list(versions)), versions):
        acc.add(row, +1)
    return acc.stocks(orgs)


def _tree_unchanged_since(day: date) -> bool:
    """No organization has changed place in the tree after ``day`` (a rename or a new
    organization does not move anyone's path)."""
    from dangbo.orgs.models import OrgEvent

    moves = (OrgEvent.Kind.MOVED, OrgEvent.Kind.MERGED, OrgEvent.Kind.SPLIT)
    return not OrgEvent.objects.filter(effective_on__gt=day, kind__in=moves).exists()


def _stocks_by_difference(day: date, frame: Frame, orgs: list[Org]) -> dict[object, Stock]:
    from dangbo.members.models import ACTIVE_STATUSES, Member
    from dangbo.stats.tallies import DIMENSIONS

    versions, wanted = _wanted_paths(day, frame, orgs)
    if not wanted:
        return {org.pk: Stock() for org in orgs}
    acc = _Accumulator(wanted)
    stored = tally_read([org.pk for org in orgs if org.pk in versions], [*DIMENSIONS, HAMLET])
    for org_id, dims in stored.items():
        for dimension, values in dims.items():
            for value, n in values.items():
                acc.counts[org_id][dimension][value] += n
    changed = Placement.objects.filter(Q(valid_from__gt=day) | Q(valid_to__gt=day)).values("member_id")
    today = Member.objects.filter(id__in=changed, status__in=ACTIVE_STATUSES).values("status", "standing", "org_path", *_MEMBER_FIELDS)
    for row in today.iterator(chunk_size=20000):
        acc.add(row, -1)
    then = Placement.objects.filter(_on(day), member_id__in=changed, org_id__in=list(versions))
    for row in _placement_rows(then, versions):
        acc.add(row, +1)
    return acc.stocks(orgs)
