"""Real district and commune names for the demo provinces, from the `vietnam-provinces` package.

`vietnam-provinces` 0.6.0 (GPL-3.0-or-later, by Nguyễn Hồng Quân) carries the
divisions before the 2025 reform, as of 4/1/2025. For Lào Cai that is 9 districts
and 151 communes; in October 2021 there were 152. The one difference, checked
against the package's 0.5.0 release (data of 7/5/2023), is Xã Tà Chải (Bắc Hà),
merged into Thị trấn Bắc Hà after 2023; it is added back below.

`vietnam-provinces` is an optional dependency (the `[demo]` extra: `make demo`, `make test`,
`pip install -c constraints.txt ".[demo]"`): only the demo data needs it, so a production
installation goes without it. It is imported inside functions, through `vietnam_provinces_package`,
which says in Vietnamese what to install when it is missing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from types import ModuleType

from dangbo.core.kinds import Sector

LAO_CAI_CODE = 10

# Communes that existed in October 2021 but are missing from the package's 2025 data.
MISSING_IN_PACKAGE = {(LAO_CAI_CODE, "Huyện Bắc Hà"): ["Xã Tà Chải"]}


@dataclass(frozen=True)
class Commune:
    name: str  # "Xã Tả Van", "Phường Cốc Lếu", "Thị trấn Bắc Hà"

    @property
    def sector(self) -> str:
        if self.name.startswith("Phường"):
            return Sector.WARD
        if self.name.startswith("Thị trấn"):
            return Sector.TOWNLET
        return Sector.COMMUNE

    @property
    def short_name(self) -> str:
        for prefix in ("Thị trấn ", "Phường ", "Xã "):
            if self.name.startswith(prefix):
                return self.name[len(prefix) :]
        return self.name


@dataclass(frozen=True)
class District:
    name: str  # "Huyện Bát Xát", "Thành phố Lào Cai", "Thị xã Sa Pa"
    communes: tuple[Commune, ...]

    @property
    def level(self) -> str:
        """«huyện», «thị xã» or «thành phố», as a name writes it after «Ủy ban nhân dân»."""
        for level in ("Thành phố", "Thị xã", "Huyện"):
            if self.name.startswith(level + " "):
                return level.lower()
        return ""

    @property
    def short_name(self) -> str:
        """«Bát Xát», «Sa Pa», «Lào Cai»."""
        level = self.level
        return self.name[len(level) + 1 :] if level else self.name

    @property
    def place(self) -> str:
        """«huyện Bát Xát», «thị xã Sa Pa», «thành phố Lào Cai»: what qualifies its agencies' names."""
        return f"{self.level} {self.short_name}".strip()

    @property
    def committee(self) -> str:
        """Its Party committee: «Huyện ủy Bát Xát», «Thị ủy Sa Pa», «Thành ủy Lào Cai»."""
        word = {"thành phố": "Thành ủy", "thị xã": "Thị ủy"}.get(self.level, "Huyện ủy")
        return f"{word} {self.short_name}"

    @property
    def party_name(self) -> str:
        return "Đảng bộ " + self.place


MISSING_PACKAGE_MESSAGE = (
    "Dữ liệu mẫu cần gói tùy chọn vietnam-provinces (tên huyện, xã thật), chưa được cài. "
    'Cài bằng lệnh: pip install -c constraints.txt -e ".[demo]" (hoặc chạy make demo).'
)


class DemoDependencyMissing(ImportError):
    """The optional `[demo]` extra is not installed; the message says how to install it."""


def vietnam_provinces_package() -> ModuleType:
    """The optional `vietnam_provinces` module, or `DemoDependencyMissing` with a Vietnamese message."""
    try:
        import vietnam_provinces  # optional dependency: the `[demo]` extra
    except ImportError:
        raise DemoDependencyMissing(MISSING_PACKAGE_MESSAGE) from None
    return vietnam_provinces


@cache
def province_divisions(province_code: int) -> tuple[str, tuple[District, ...]]:
    vietnam_provinces = vietnam_provinces_package()
    with open(vietnam_provinces.NESTED_DIVISIONS_JSON_PATH, encoding="utf-8") as handle:
        provinces = json.load(handle)
    province = next(p for p in provinces if p["code"] == province_code)
    districts = []
    for d in province["districts"]:
        names = [w["name"] for w in d["wards"]] + MISSING_IN_PACKAGE.get((province_code, d["name"]), [])
        districts.append(District(d["name"], tuple(Commune(n) for n in names)))
    return province["name"], tuple(districts)
