"""The demo province's tree (``demo.generator``): the grassroots organizations to build and how
many members each gets (``Unit``), the organizations established through the org services, and
each cell's plan (``CellPlan``): its size and, in a commune, the hamlets it covers."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from dangbo.core.decisions import DecisionRef
from dangbo.core.kinds import OrgKind, Sector
from dangbo.demo import units as unit_names
from dangbo.demo.geography import Commune, province_divisions
from dangbo.demo.profiles import UpperSpec
from dangbo.orgs import services as org_services
from dangbo.orgs.locality_versions import versions_follow
from dangbo.orgs.models import Locality, Org
from dangbo.rules.orgs import GRASSROOTS_COMMITTEE_THRESHOLD
from dangbo.stats.tallies import locality_row, tally_localities_changed

COMMUNE_WEIGHT = 3.7  # a commune committee holds about 3.7 times the members of another grassroots org


@dataclass
class Unit:
    """A grassroots organization to build."""

    upper: Org
    spec: UpperSpec
    base_name: str
    sector: str
    commune: Commune | None = None
    weight: float = 1.0
    members: int = 0


@dataclass
class CellPlan:
    org: Org
    size: int
    localities: list[Locality] = field(default_factory=list)
    residence: str = ""


class TreeMixin:
    """Part of ``builder.Builder``: establishing the province's organizations and hamlets."""

    if TYPE_CHECKING:
        # A mixin of one builder class: its attributes and the other mixins' methods are set
        # on that class; mypy refuses a self-type narrower than the class, so here they are `Any`.
        def __getattr__(self, name: str) -> Any: ...

    def _establish(
        self, *, code: str, name: str, kind: str, parent: Org | None, sector: str = "", **extra
    ) -> Org:
        return org_services.org_establish(
            code=code,
            name=name,
            kind=kind,
            parent=parent,
            established_on=self.on,
            sector=sector,
            decision=DecisionRef(number=f"{self.rng.randrange(10, 999)}-QĐ/TU", on=self.on, body="Tỉnh ủy"),
            **extra,
        )

    def _plan_units(self, province: Org) -> list[Unit]:
        _, districts = province_divisions(self.profile.province_code)
        by_name = {d.name: d for d in districts}
        units: list[Unit] = []
        for spec in self.profile.uppers:
            old_names = {code: old for code, old, _, _ in self.profile.renames}
            upper = self._establish(
                code=spec.code,
                name=old_names.get(spec.code, spec.name),
                kind=spec.kind,
                parent=province,
                sector=spec.sector,
                has_upper_rights=spec.has_upper_rights,
            )
            if spec.district:
                communes = by_name[spec.district].communes
                if self.profile.only_communes:
                    communes = tuple(c for c in communes if c.name in self.profile.only_communes)
                for commune in communes:
                    units.append(
                        Unit(
                            upper,
                            spec,
                            unit_names.commune_party_name(commune),
                            commune.sector,
                            commune,
                            COMMUNE_WEIGHT * spec.weight,
                        )
                    )
            names = unit_names.other_units(spec, by_name.get(spec.district or ""), self.unit_names_taken)
            for base_name, sector in names:
                units.append(Unit(upper, spec, base_name, sector, None, spec.weight))
        for unit in units:
            unit.weight *= math.exp(self.rng.gauss(0, 0.35))
        total = sum(u.weight for u in units)
        for unit in units:
            unit.members = max(8, int(self.target * unit.weight / total))
        # hand out the remainder so the total is exact
        surplus = self.target - sum(u.members for u in units)
        for unit in self.rng.sample(units, k=min(len(units), abs(surplus))) if surplus else []:
            unit.members += 1 if surplus > 0 else -1
        return units

    def _grassroots(self, unit: Unit) -> Org:
        threshold = GRASSROOTS_COMMITTEE_THRESHOLD.value(self.on)
        is_committee = unit.commune is not None or unit.members >= threshold
        kind = OrgKind.GRASSROOTS_COMMITTEE if is_committee else OrgKind.GRASSROOTS_CELL
        prefix = "Đảng bộ" if is_committee else "Chi bộ"
        sector = unit.sector
        org = self._establish(
            code=f"{unit.upper.code}-{unit.upper.child_seq + 1:03d}",
            name=f"{prefix} {unit.base_name}",
            kind=kind,
            parent=unit.upper,
            sector=sector,
        )
        unit.upper.child_seq += 1
        if is_committee and unit.members < threshold:
            Org.objects.filter(pk=org.pk).update(
                formation_approval="Văn bản đồng ý của cấp ủy cấp trên (dữ liệu mẫu)"
            )
        return org

    def _cells(self, unit: Unit, grassroots: Org) -> list[CellPlan]:
        if grassroots.kind == OrgKind.GRASSROOTS_CELL:
            return [CellPlan(grassroots, unit.members, residence=self._place(unit))]
        if unit.commune is not None:
            return self._commune_cells(unit, grassroots)
        count = max(2, round(unit.members / 18))
        sizes = self._split(unit.members, count)
        names = unit_names.departments(unit.base_name, unit.sector, count)
        plans = []
        for i, (size, name) in enumerate(zip(sizes, names, strict=True), start=1):
            cell = self._establish(
                code=f"{grassroots.code}-{i:02d}",
                name=f"Chi bộ {name}",
                kind=OrgKind.CELL,
                parent=grassroots,
                sector=unit.sector,
            )
            plans.append(CellPlan(cell, size, residence=self._place(unit)))
        return plans

    def _commune_cells(self, unit: Unit, commune_org: Org) -> list[CellPlan]:
        commune = unit.commune
        assert commune is not None  # a commune's unit
        hamlet_kind = (
            Locality.Kind.TO_DAN_PHO
            if commune.sector != Sector.COMMUNE
            else self.rng.choice([Locality.Kind.THON, Locality.Kind.THON, Locality.Kind.BAN])
        )
        hamlet_names = unit_names.hamlets(self.rng, commune, hamlet_kind, self.hamlet_names_taken)
        localities = [
            org_services.locality_create(
                code=f"{commune_org.code}-T{i:02d}",
                kind=hamlet_kind,
                name=name,
                commune=commune_org,
                established_on=self.on,
            )
            for i, name in enumerate(hamlet_names, start=1)
        ]
        uncovered = [loc for loc in localities if self.rng.random() < 0.025]
        covered = [loc for loc in localities if loc not in uncovered] or localities[:1]
        uncovered = [loc for loc in uncovered if loc not in covered]
        agency_names = unit_names.commune_agencies(commune)
        hamlet_members = int(unit.members * 0.72)
        hamlet_cells = max(1, min(len(covered), hamlet_members // 8))
        agency_cells = max(1, min(len(agency_names), (unit.members - hamlet_members) // 8))
        sizes = self._split(hamlet_members, hamlet_cells) + self._split(
            unit.members - hamlet_members, agency_cells
        )
        parent = commune_org
        plans: list[CellPlan] = []
        others = f" và các {Locality.Kind(hamlet_kind).label.lower()} khác"  # «và các bản khác»
        for i in range(hamlet_cells):
            # neighbouring hamlets share a cell: «Chi bộ Tổ dân phố số 3 - Tổ dân phố số 4»
            group = covered[len(covered) * i // hamlet_cells : len(covered) * (i + 1) // hamlet_cells]
            name = "Chi bộ " + " - ".join(str(loc) for loc in group[:2]) + (others if len(group) > 2 else "")
            cell = self._establish(
                code=f"{commune_org.code}-{i + 1:02d}",
                name=name,
                kind=OrgKind.CELL,
                parent=parent,
                sector=Sector.RESIDENTIAL,
            )
            befores = [locality_row(loc.pk) for loc in group]
            Locality.objects.filter(pk__in=[loc.pk for loc in group]).update(cell=cell)
            for loc in group:
                loc.cell = cell
            # the cell covers its hamlets from the day they were recorded: their first versions say so
            versions_follow([loc.pk for loc in group], effective_on=self.on)
            tally_localities_changed(
                [(before, locality_row(loc.pk)) for loc, before in zip(group, befores, strict=False)]
            )
            # members of a cell live in its hamlets, and a few in the hamlets no cell covers
            plans.append(CellPlan(cell, sizes[i], localities=group + uncovered[i::hamlet_cells]))
        for j in range(agency_cells):
            cell = self._establish(
                code=f"{commune_org.code}-{hamlet_cells + j + 1:02d}",
                name=f"Chi bộ {agency_names[j]}",
                kind=OrgKind.CELL,
                parent=parent,
                sector=Sector.AGENCY,
            )
            plans.append(CellPlan(cell, sizes[hamlet_cells + j], residence=self._place(unit)))
        return plans

    def _split(self, total: int, parts: int) -> list[int]:
        weights = [self.rng.uniform(0.6, 1.4) for _ in range(parts)]
        scale = sum(weights)
        sizes = [max(3, int(total * w / scale)) for w in weights]
        sizes[0] += total - sum(sizes)
        if sizes[0] < 3:  # tiny totals: give every part the minimum and stop there
            return [max(3, total // parts)] * parts
        return sizes

    def _place(self, unit: Unit, locality: Locality | None = None) -> str:
        parts = [str(locality)] if locality is not None else []
        if unit.commune is not None:
            parts.append(unit.commune.name)
        parts.append(unit.spec.district or "Thành phố Lào Cai")
        return ", ".join(parts) + ", tỉnh Lào Cai"
