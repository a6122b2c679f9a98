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
    versions = dict(
        OrgVersion.objects.filter(Q(valid_to__isnull=True) | Q(valid_to__gt=day), valid_from__lte=day, org_id__in=frame.org_ids_on(day))
        .values_list("org_id", "path")
    )
    wanted = {versions[org.pk]: org.pk for org in orgs if org.pk in versions}
    result = {org.pk: Stock() for org in orgs}
    if not wanted:
        return result
    from dangbo.orgs.models import Locality

    communes = dict(Locality.objects.values_list("id", "commune_path"))
    rows = (
        Placement.objects.filter(Q(valid_to__isnull=True) | Q(valid_to__gt=day), valid_from__lte=day, counted=True)
        .filter(org_id__in=list(versions))
        .values_list("org_id", "status", *_PLACEMENT_MEMBER_FIELDS)
    )
    counts: dict[object, dict[str, dict[str, int]]] = {org_id: defaultdict(lambda: defaultdict(int)) for org_id in result}
    lengths = sorted({len(path) for path in wanted})
    for org_id, status, *member in rows:
        row = dict(zip(("gender", "ethnicity_id", "religion_id", "general_education_id", "professional_level_id",
                        "theory_level_id", "occupation", "birth_date", "residence_locality_id"), member))
        row.update(status=status, standing="", org_path=versions[org_id])
        path = versions[org_id]
        targets = [wanted[path[:n]] for n in lengths if path[:n] in wanted]
        keys = member_keys(row)
        locality = row["residence_locality_id"]
        for target in targets:
            for dimension, value in keys:
                counts[target][dimension][value] += 1
        if locality is not None:
            commune_path = communes.get(locality, "")
            for n in lengths:
                if commune_path[:n] in wanted:
                    counts[wanted[commune_path[:n]]][HAMLET][str(locality)] += 1
    for org_id, dims in counts.items():
        dims.pop("standing", None)  # not kept over time
        result[org_id] = Stock({dim: dict(values) for dim, values in dims.items()})
    return result
