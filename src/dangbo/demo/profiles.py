"""Demo profiles: which province, as of when, and the figures it is calibrated to.

``lao-cai-2021`` follows seed 001 (Tỉnh ủy Lào Cai, report of 2/12/2021 on the
situation in October 2021): 14 organizations directly under the provincial
committee — 9 district-level committees, the agencies-and-enterprises bloc, the
provincial police, the provincial military, the border guard, and the Apatit
company, a grassroots committee with upper-level rights; 615 grassroots
organizations; more than 51,000 members, nearly 40 % women, more than 40 % ethnic
minorities; 20,472 members admitted in the ten years before. How the 615 are shared
among the fourteen is the demo's own: each gets no more than the names ``units`` has for
its kind (a test holds every profile to it).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from dangbo.core.kinds import OrgKind, Sector


@dataclass(frozen=True)
class UpperSpec:
    """An organization directly under the provincial committee."""

    code: str
    name: str
    sector: str
    other_grassroots: int  # grassroots organizations besides the communes
    minority_share: float
    district: str | None = None  # the district whose communes it holds
    kind: str = OrgKind.UPPER
    has_upper_rights: bool = False
    weight: float = 1.0  # members relative to its number of grassroots organizations


@dataclass(frozen=True)
class Profile:
    name: str
    title: str
    province_code: int
    province_name: str
    as_of: date
    members: int
    admissions_10y: int  # admissions in the ten years before ``as_of`` at ``members``
    women_share: float
    uppers: tuple[UpperSpec, ...]
    only_communes: tuple[str, ...] = ()  # keep just these communes (small profiles)
    established_on: date = date(1991, 10, 1)
    renames: tuple[tuple[str, str, date, str], ...] = field(default=())
    # Brought to today (demo.timeline): simulated history from ``as_of`` to today, with the
    # July 2025 reform applied on its day.
    to_today: bool = False


_T = Sector.TERRITORIAL

LAO_CAI_2021 = Profile(
    name="lao-cai-2021",
    title="Đảng bộ tỉnh Lào Cai, tháng 10/2021",
    province_code=10,
    province_name="Đảng bộ tỉnh Lào Cai",
    as_of=date(2021, 10, 31),
    members=51_000,
    admissions_10y=20_472,
    women_share=0.395,
    uppers=(
        UpperSpec(
            "LCI-TP", "Đảng bộ thành phố Lào Cai", _T, 59, 0.13, district="Thành phố Lào Cai", weight=1.2
        ),
        UpperSpec("LCI-BX", "Đảng bộ huyện Bát Xát", _T, 28, 0.6, district="Huyện Bát Xát"),
        UpperSpec("LCI-MK", "Đảng bộ huyện Mường Khương", _T, 24, 0.66, district="Huyện Mường Khương"),
        UpperSpec("LCI-SMC", "Đảng bộ huyện Si Ma Cai", _T, 21, 0.72, district="Huyện Si Ma Cai"),
        UpperSpec("LCI-BH", "Đảng bộ huyện Bắc Hà", _T, 25, 0.67, district="Huyện Bắc Hà"),
        UpperSpec("LCI-BT", "Đảng bộ huyện Bảo Thắng", _T, 33, 0.25, district="Huyện Bảo Thắng"),
        UpperSpec("LCI-BY", "Đảng bộ huyện Bảo Yên", _T, 28, 0.42, district="Huyện Bảo Yên"),
        UpperSpec("LCI-SP", "Đảng bộ thị xã Sa Pa", _T, 28, 0.55, district="Thị xã Sa Pa"),
        UpperSpec("LCI-VB", "Đảng bộ huyện Văn Bàn", _T, 30, 0.5, district="Huyện Văn Bàn"),
        UpperSpec("LCI-KCQ", "Đảng bộ Khối Cơ quan - Doanh nghiệp tỉnh", Sector.BLOC, 105, 0.18, weight=1.1),
        UpperSpec("LCI-CA", "Đảng bộ Công an tỉnh", Sector.POLICE, 28, 0.25, weight=2.2),
        UpperSpec("LCI-QS", "Đảng bộ Quân sự tỉnh", Sector.MILITARY, 18, 0.29, weight=1.6),
        UpperSpec("LCI-BP", "Đảng bộ Bộ đội Biên phòng tỉnh", Sector.MILITARY, 24, 0.34, weight=1.5),
        UpperSpec(
            "LCI-APT",
            "Đảng bộ Công ty TNHH MTV Apatit Việt Nam",
            Sector.STATE_ENTERPRISE,
            12,
            0.15,
            kind=OrgKind.GRASSROOTS_COMMITTEE,
            has_upper_rights=True,
            weight=3.0,
        ),
    ),
    # Sa Pa became a town (thị xã) by NQ 767/NQ-UBTVQH14, in force 1/1/2020.
    renames=(("LCI-SP", "Đảng bộ huyện Sa Pa", date(2020, 1, 1), "Nghị quyết 767/NQ-UBTVQH14"),),
)

TINY = Profile(
    name="tiny",
    title="Một xã mẫu (Tả Van, Sa Pa, Lào Cai)",
    province_code=10,
    province_name="Đảng bộ tỉnh Lào Cai",
    as_of=date(2021, 10, 31),
    members=300,
    admissions_10y=120,
    women_share=0.4,
    uppers=(UpperSpec("LCI-SP", "Đảng bộ thị xã Sa Pa", _T, 0, 0.55, district="Thị xã Sa Pa"),),
    only_communes=("Xã Tả Van",),
)

# The province as it stands today: the 2021 province, its members' admissions, recognitions,
# transfers, deaths and exits simulated month by month since, and the July 2025 reform.
LAO_CAI = replace(
    LAO_CAI_2021,
    name="lao-cai",
    title="Đảng bộ tỉnh Lào Cai hôm nay (sau sắp xếp tháng 7/2025)",
    to_today=True,
)

PROFILES = {p.name: p for p in (LAO_CAI, LAO_CAI_2021, TINY)}
DEFAULT_PROFILE = LAO_CAI.name

# Shares of each minority among a district's minority members (Lào Cai: Mông, Tày, Dao lead).
MINORITY_MIX = (
    ("08", 0.34),
    ("02", 0.2),
    ("09", 0.17),
    ("25", 0.07),
    ("07", 0.07),
    ("03", 0.05),
    ("35", 0.04),
    ("40", 0.03),
    ("38", 0.01),
    ("49", 0.01),
    ("24", 0.01),
)
