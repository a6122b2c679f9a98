"""What the demo's meetings read from the finished province (``demo.meetings``): the
organizations and their dated versions (kind, name, parent on each day), the committees'
positions with the holders' names, the members' standings over time (exempted, working away,
suspended, away on a temporary transfer) from the ledger, and — a batch of organizations at a
time, so memory does not grow with the province — the placements that make each cell's roll.

Everything is read once, in a few queries; nothing here writes.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from uuid import UUID

from django.db.models import Q

from dangbo.core import paths
from dangbo.core.kinds import CELL_KINDS, OrgKind, Sector
from dangbo.core.roles import COMMITTEE_ROLES
from dangbo.members.models import MemberEvent, Placement, Position, Standing
from dangbo.orgs.models import Org, OrgVersion

Kind = MemberEvent.Kind

MEETING_KINDS = CELL_KINDS | {OrgKind.GRASSROOTS_COMMITTEE}
COMMUNE_SECTORS = frozenset({Sector.COMMUNE, Sector.WARD, Sector.TOWNLET})

_STARTS: dict[str, str] = {
    Kind.EXEMPTED: Standing.EXEMPTED,
    Kind.WORKING_AWAY: Standing.WORKING_AWAY,
    Kind.SUSPENDED: Standing.SUSPENDED,
    Kind.TEMP_TRANSFER: Standing.TEMP_AWAY,
}
_ENDS = {Kind.STANDING_ENDED, Kind.TEMP_RETURNED}


@dataclass(frozen=True)
class Version:
    """An organization as it was from ``start`` until the day before ``end`` (None: still)."""

    start: date
    end: date | None
    kind: str
    name: str
    sector: str
    parent_id: UUID | None

    def covers(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day < self.end)


@dataclass
class OrgRec:
    id: UUID
    code: str
    path: str
    kind: str
    sector: str
    created_on: date
    dissolved_on: date | None
    versions: list[Version] = field(default_factory=list)

    def at(self, day: date) -> Version | None:
        """The version valid on ``day`` while the organization existed, or None."""
        if day < self.created_on or (self.dissolved_on is not None and day >= self.dissolved_on):
            return None
        return next((v for v in self.versions if v.covers(day)), None)


@dataclass(frozen=True)
class Holder:
    member: str  # hex key
    name: str
    role: str
    start: date
    end: date | None

    def holds(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day < self.end)


@dataclass(frozen=True)
class Seat:
    """One placement of a member at a cell: counted there (a member) or hosted (a guest)."""

    member: str  # hex key
    name: str
    start: date
    end: date | None
    counted: bool

    def on(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day < self.end)


class Standings:
    """Each member's standings over time, from the ledger: (start, end, standing) spans."""

    def __init__(self, spans: dict[str, list[tuple[date, date | None, str]]]):
        self.spans = spans

    def at(self, member: str, day: date) -> str:
        for start, end, standing in self.spans.get(member, ()):
            if start <= day and (end is None or day < end):
                return standing
        return Standing.NORMAL

    def clear(self, member: str, first: date, last: date) -> bool:
        """No standing at all from ``first`` to ``last``."""
        return not any(
            start <= last and (end is None or end > first) for start, end, _ in self.spans.get(member, ())
        )


def _name(family: str, middle: str, given: str) -> str:
    return " ".join(p for p in (family, middle, given) if p)


def load_orgs(start: date) -> dict[UUID, OrgRec]:
    """Every organization with its versions from ``start`` on (a few thousand rows)."""
    orgs = {
        row[0]: OrgRec(*row)
        for row in Org.objects.order_by("code").values_list(
            "id", "code", "path", "kind", "sector", "created_on", "dissolved_on"
        )
    }
    for org_id, valid_from, valid_to, kind, name, sector, parent_id in (
        OrgVersion.objects.filter(Q(valid_to__isnull=True) | Q(valid_to__gt=start))
        .order_by("org_id", "valid_from")
        .values_list("org_id", "valid_from", "valid_to", "kind", "name", "sector", "parent_id")
    ):
        orgs[org_id].versions.append(Version(valid_from, valid_to, kind, name, sector, parent_id))
    return orgs


def meeting_orgs(orgs: dict[UUID, OrgRec]) -> list[OrgRec]:
    """The organizations that held meetings in the window: a cell or a grassroots committee in
    some version, in the order of their codes (stable for a seed)."""
    return [o for o in orgs.values() if any(v.kind in MEETING_KINDS for v in o.versions)]


def load_holders(start: date) -> dict[UUID, list[Holder]]:
    """Committee positions held on some day from ``start`` on, by organization, with names."""
    holders: dict[UUID, list[Holder]] = defaultdict(list)
    rows = (
        Position.objects.filter(
            Q(ended_on__isnull=True) | Q(ended_on__gt=start), role__in=list(COMMITTEE_ROLES)
        )
        .order_by("org_id", "started_on", "member_id")
        .values_list(
            "org_id",
            "member_id",
            "member__family_name",
            "member__middle_name",
            "member__given_name",
            "role",
            "started_on",
            "ended_on",
        )
    )
    for org_id, member_id, family, middle, given, role, started, ended in rows:
        holders[org_id].append(Holder(member_id.hex, _name(family, middle, given), role, started, ended))
    return holders


def load_standings() -> Standings:
    """The standing spans of every member who ever had one (a few percent of members)."""
    spans: dict[str, list[tuple[date, date | None, str]]] = defaultdict(list)
    open_: dict[str, tuple[date, str]] = {}
    rows = (
        MemberEvent.objects.filter(kind__in=[*_STARTS, *_ENDS])
        .order_by("member_id", "effective_on", "seq")
        .values_list("member_id", "kind", "effective_on")
    )
    for member_id, kind, on in rows:
        key = member_id.hex
        if key in open_:
            begun, standing = open_.pop(key)
            spans[key].append((begun, on, standing))
        if kind in _STARTS:
            open_[key] = (on, _STARTS[kind])
    for key, (begun, standing) in open_.items():
        spans[key].append((begun, None, standing))
    return Standings(dict(spans))


def load_seats(org_ids: Iterable[UUID], start: date, end: date) -> dict[UUID, list[Seat]]:
    """The placements at ``org_ids`` valid on some day of [start, end], with the members' names,
    in a stable order (the member's key, then the start)."""
    seats: dict[UUID, list[Seat]] = defaultdict(list)
    rows = (
        Placement.objects.filter(
            Q(valid_to__isnull=True) | Q(valid_to__gt=start), org_id__in=list(org_ids), valid_from__lte=end
        )
        .order_by("org_id", "member_id", "valid_from")
        .values_list(
            "org_id",
            "member_id",
            "member__family_name",
            "member__middle_name",
            "member__given_name",
            "valid_from",
            "valid_to",
            "counted",
        )
    )
    for org_id, member_id, family, middle, given, valid_from, valid_to, counted in rows:
        seats[org_id].append(Seat(member_id.hex, _name(family, middle, given), valid_from, valid_to, counted))
    return seats


def drift_cells(orgs: dict[UUID, OrgRec], pick) -> set[UUID]:
    """One live cell under each live commune-level organization (a commune's or ward's
    committee, or its grassroots cell): the cell guaranteed a member who stops coming, so
    every commune's striking-off review has something in it. ``pick`` chooses from a list."""
    live = sorted((o for o in orgs.values() if o.dissolved_on is None), key=lambda o: o.path)
    cell_paths = [o.path for o in live if o.kind in CELL_KINDS]
    cells_by_path = {o.path: o for o in live if o.kind in CELL_KINDS}
    chosen: set[UUID] = set()
    for org in live:
        if org.sector not in COMMUNE_SECTORS:
            continue
        if org.kind == OrgKind.GRASSROOTS_CELL:
            chosen.add(org.id)
        elif org.kind == OrgKind.GRASSROOTS_COMMITTEE:
            low = bisect.bisect_left(cell_paths, org.path)
            high = bisect.bisect_left(cell_paths, org.path + paths.UPPER_BOUND)
            under = [cells_by_path[p] for p in cell_paths[low:high]]
            if under:
                chosen.add(pick(sorted(under, key=lambda o: o.code)).id)
    return chosen
