"""The shape of one province in the national demo (``demo.national``): its organizations as
unsaved ``Org`` rows with their paths, and how many members each cell gets.

After the 2025 reform a province has no districts: under the provincial committee sit the
commune-level committees (grassroots committees given upper-level rights, holding the
village and residential-group cells, the cells of the commune's agencies, and the schools',
health stations' and enterprises' grassroots organizations) and four upper-level committees:
the Party agencies', the People's Committee's (the agencies and enterprises), the police and
the military. Members are shared by lognormal weights, scaled so that the whole country has
about 52,000 grassroots organizations for 5.6 million members, and every cell gets at least
``MIN_CELL`` members.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date

from dangbo.core import paths
from dangbo.core.kinds import OrgKind, Sector
from dangbo.demo.national.provinces import Province
from dangbo.orgs.models import Org
from dangbo.rules.orgs import GRASSROOTS_COMMITTEE_THRESHOLD

NATIONAL_MEMBERS = 5_600_000
NATIONAL_GRASSROOTS = 52_000
COMMUNE_SHARE = 0.45  # members in the commune committees' own cells
CELL_SIZE = 20  # members of a cell, on average
MIN_CELL = 6
# The tree is drawn as it stands after the reform, as though it had always stood so: the
# national demo has no history of the old districts (the lao-cai profile has one).
ESTABLISHED_ON = date(1991, 10, 1)

# The upper-level committees of a province: code suffix, name, sector, share of the
# province's other grassroots organizations, kinds of unit they hold.
UPPERS = (
    ("CQD", "Đảng bộ các cơ quan Đảng", Sector.BLOC, 0.12, "agency"),
    ("UBND", "Đảng bộ Ủy ban nhân dân", Sector.BLOC, 0.38, "bloc"),
    ("CA", "Đảng bộ Công an", Sector.POLICE, 0.1, "police"),
    ("QS", "Đảng bộ Quân sự", Sector.MILITARY, 0.08, "military"),
)
UNDER_COMMUNES = 0.32  # the rest of the other grassroots: under the commune committees

_UNIT_NAMES = {
    "agency": (
        "Ban Tổ chức",
        "Ban Tuyên giáo và Dân vận",
        "Ủy ban Kiểm tra",
        "Văn phòng",
        "Báo",
        "Trường Chính trị",
    ),
    "bloc": (
        "Sở Tài chính",
        "Sở Xây dựng",
        "Sở Y tế",
        "Sở Giáo dục và Đào tạo",
        "Sở Nội vụ",
        "Sở Tư pháp",
        "Bệnh viện Đa khoa",
        "Trường Trung học phổ thông",
        "Công ty Điện lực",
        "Kho bạc Nhà nước",
        "Công ty Cổ phần Cấp nước",
        "Trường Cao đẳng",
        "Thuế",
        "Ngân hàng Chính sách xã hội",
    ),
    "police": ("Phòng Cảnh sát", "Phòng An ninh", "Trại tạm giam", "Phòng Tham mưu", "Đội Cảnh sát PCCC"),
    "military": (
        "Ban Chỉ huy Phòng thủ khu vực",
        "Trung đoàn",
        "Tiểu đoàn",
        "Phòng Tham mưu",
        "Phòng Chính trị",
    ),
    "commune": (
        "Trường Tiểu học",
        "Trường Trung học cơ sở",
        "Trường Mầm non",
        "Trạm Y tế",
        "Hợp tác xã",
        "Công ty",
    ),
}
_COMMUNE_AGENCIES = (
    "Cơ quan Đảng",
    "Ủy ban nhân dân",
    "Mặt trận Tổ quốc và các đoàn thể",
    "Công an",
    "Quân sự",
)
_SYLLABLES = (
    "An",
    "Bình",
    "Hòa",
    "Phú",
    "Thạnh",
    "Tân",
    "Long",
    "Hưng",
    "Thành",
    "Đông",
    "Tây",
    "Nam",
    "Bắc",
    "Trung",
    "Minh",
    "Quang",
    "Vĩnh",
    "Phước",
    "Lộc",
    "Thịnh",
    "Hải",
    "Sơn",
    "Lâm",
    "Hà",
    "Giang",
    "Xuân",
    "Thượng",
    "Hạ",
    "Đức",
    "Nghĩa",
    "Tiến",
    "Định",
    "Hiệp",
    "Mỹ",
    "Lợi",
    "Cường",
    "Yên",
)


@dataclass
class CellPlan:
    org: Org
    size: int
    sector: str  # the members' sector (what they work as)
    residence: str


@dataclass
class UnitPlan:
    """A top-level committee's share of its province (a commune committee or an upper
    committee), built and written one after another: its organizations and cells."""

    head: Org
    orgs: list[Org] = field(default_factory=list)  # the head first, parents before children
    grassroots: list[tuple[Org, list[CellPlan]]] = field(default_factory=list)
    own_cells: list[CellPlan] = field(default_factory=list)  # cells directly under the head

    @property
    def members(self) -> int:
        return sum(c.size for c in self.own_cells) + sum(
            c.size for _, cells in self.grassroots for c in cells
        )


class ProvincePlanner:
    def __init__(self, rng: random.Random, province: Province, *, members: int, number: int, scale: float):
        self.rng = rng
        self.province = province
        self.members = members
        self.number = number  # the province's root segment
        self.scale = scale  # the build's members / the national 5.6 million
        self.threshold = GRASSROOTS_COMMITTEE_THRESHOLD.value(ESTABLISHED_ON)

    def _org(self, *, code: str, name: str, kind: str, sector: str, parent: Org | None, **extra) -> Org:
        if parent is None:
            path = paths.segment(self.number)
        else:
            parent.child_seq += 1
            path = paths.child_path(parent.path, parent.child_seq)
        org = Org(
            code=code,
            name=name,
            kind=kind,
            sector=sector,
            parent=parent,
            path=path,
            depth=paths.depth(path),
            **extra,
            **Org.keys(code=code, name=name),
        )
        return org

    def root(self) -> Org:
        p = self.province
        return self._org(
            code=f"T{p.code:02d}", name=p.party_name, kind=OrgKind.PROVINCE, sector="", parent=None
        )

    def units(self, root: Org) -> list[UnitPlan]:
        p, rng = self.province, self.rng
        communes = max(1, round(p.communes * min(1.0, self.scale)))
        grassroots = max(communes + len(UPPERS), round(NATIONAL_GRASSROOTS * self.members / NATIONAL_MEMBERS))
        others = grassroots - communes
        commune_members = int(self.members * COMMUNE_SHARE)
        # the other grassroots organizations: under the uppers and under the communes
        counts = [max(1, round(others * share)) for *_, share, _ in UPPERS]
        under_communes = max(0, others - sum(counts))
        weights = [math.exp(rng.gauss(0, 0.45)) for _ in range(communes)]
        shares = _shares(commune_members, weights, minimum=MIN_CELL * 3)
        extra = _shares(under_communes, [1.0] * communes, minimum=0)
        rest = self.members - sum(shares)
        other_weights = [[math.exp(rng.gauss(0, 0.9)) for _ in range(n)] for n in counts]
        other_weights.append([math.exp(rng.gauss(0, 0.9)) for _ in range(under_communes)])
        flat = [w for ws in other_weights for w in ws]
        sizes = iter(_shares(rest, flat, minimum=MIN_CELL))
        plans = []
        names_taken: set[str] = set()
        wards = round(communes * p.wards)
        for i in range(communes):
            plans.append(
                self._commune(
                    root,
                    i,
                    is_ward=i < wards,
                    own=shares[i],
                    units=[next(sizes) for _ in range(extra[i])],
                    names_taken=names_taken,
                )
            )
        for (suffix, name, sector, _, family), n in zip(UPPERS, counts, strict=True):
            plans.append(self._upper(root, suffix, name, sector, family, [next(sizes) for _ in range(n)]))
        rng.shuffle(plans)  # the order of writing only; the paths are given
        return plans

    def _place_name(self, taken: set[str]) -> str:
        while True:
            name = " ".join(self.rng.sample(_SYLLABLES, 2))
            if name not in taken:
                taken.add(name)
                return name

    def _commune(
        self, root: Org, index: int, *, is_ward: bool, own: int, units: list[int], names_taken
    ) -> UnitPlan:
        place = self._place_name(names_taken)
        level = "phường" if is_ward else "xã"
        sector = Sector.WARD if is_ward else Sector.COMMUNE
        head = self._org(
            code=f"{root.code}-X{index + 1:03d}",
            name=f"Đảng bộ {level} {place}",
            kind=OrgKind.GRASSROOTS_COMMITTEE,
            sector=sector,
            parent=root,
            has_upper_rights=True,
        )
        plan = UnitPlan(head, [head])
        residence = f"{level.capitalize()} {place}, {self.province.name}"
        agency_members = max(MIN_CELL, int(own * 0.22))
        agencies = max(1, min(len(_COMMUNE_AGENCIES), agency_members // CELL_SIZE))
        hamlet_cells = max(1, (own - agency_members) // CELL_SIZE)
        hamlet_word = "Tổ dân phố" if is_ward else "Thôn"
        sizes = _shares(
            own - agency_members, [self.rng.uniform(0.6, 1.4) for _ in range(hamlet_cells)], minimum=MIN_CELL
        )
        sizes += _shares(agency_members, [1.0] * agencies, minimum=MIN_CELL)
        names = [f"Chi bộ {hamlet_word} {n}" for n in range(1, hamlet_cells + 1)]
        names += [f"Chi bộ {a} {level}" for a in _COMMUNE_AGENCIES[:agencies]]
        for n, (size, name) in enumerate(zip(sizes, names, strict=True), start=1):
            cell = self._org(
                code=f"{head.code}-{n:03d}",
                name=name,
                kind=OrgKind.CELL,
                sector=Sector.RESIDENTIAL if n <= hamlet_cells else Sector.AGENCY,
                parent=head,
            )
            plan.orgs.append(cell)
            plan.own_cells.append(CellPlan(cell, size, cell.sector, residence))
        for size in units:
            base = f"{self.rng.choice(_UNIT_NAMES['commune'])} {place}"
            sector = (
                Sector.PRIVATE_ENTERPRISE if base.startswith(("Công ty", "Hợp tác")) else Sector.PUBLIC_UNIT
            )
            self._grassroots(plan, head, base, sector, size, residence)
        return plan

    def _upper(
        self, root: Org, suffix: str, name: str, sector: str, family: str, sizes: list[int]
    ) -> UnitPlan:
        p = self.province
        head = self._org(
            code=f"{root.code}-{suffix}",
            name=f"{name} {'thành phố' if p.name.startswith('Thành phố') else 'tỉnh'} {p.short}",
            kind=OrgKind.UPPER,
            sector=sector,
            parent=root,
        )
        plan = UnitPlan(head, [head])
        residence = p.name
        seen: dict[str, int] = {}
        for size in sizes:
            base = self.rng.choice(_UNIT_NAMES[family])
            seen[base] = seen.get(base, 0) + 1
            label = f"{base} {p.short}" + (f" số {seen[base]}" if seen[base] > 1 else "")
            unit_sector = {"bloc": Sector.AGENCY, "agency": Sector.AGENCY}.get(family, sector)
            self._grassroots(plan, head, label, unit_sector, size, residence)
        return plan

    def _grassroots(
        self, plan: UnitPlan, parent: Org, base: str, sector: str, size: int, residence: str
    ) -> None:
        committee = size >= self.threshold
        org = self._org(
            code=f"{parent.code}-{parent.child_seq + 1:03d}",
            name=f"{'Đảng bộ' if committee else 'Chi bộ'} {base}",
            kind=OrgKind.GRASSROOTS_COMMITTEE if committee else OrgKind.GRASSROOTS_CELL,
            sector=sector,
            parent=parent,
        )
        plan.orgs.append(org)
        if not committee:
            plan.grassroots.append((org, [CellPlan(org, size, sector, residence)]))
            return
        count = max(2, size // CELL_SIZE)
        sizes = _shares(size, [self.rng.uniform(0.6, 1.4) for _ in range(count)], minimum=MIN_CELL)
        cells = []
        for n, cell_size in enumerate(sizes, start=1):
            cell = self._org(
                code=f"{org.code}-{n:02d}",
                name=f"Chi bộ {n} {base}",
                kind=OrgKind.CELL,
                sector=sector,
                parent=org,
            )
            plan.orgs.append(cell)
            cells.append(CellPlan(cell, cell_size, sector, residence))
        plan.grassroots.append((org, cells))


def _shares(total: int, weights: list[float], *, minimum: int) -> list[int]:
    """``total`` shared in proportion to ``weights``, each at least ``minimum`` (the total
    grows when it cannot hold the minimums), summing exactly to the total otherwise."""
    if not weights:
        return []
    scale = sum(weights)
    sizes = [max(minimum, int(total * w / scale)) for w in weights]
    surplus = total - sum(sizes)
    i = 0
    while surplus and i < 10 * len(sizes):  # hand out (or take back) the remainder
        j = i % len(sizes)
        step = 1 if surplus > 0 else -1
        if sizes[j] + step >= minimum:
            sizes[j] += step
            surplus -= step
        i += 1
    return sizes
