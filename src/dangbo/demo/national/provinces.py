"""The 34 provinces and centrally-run cities after the 2025 reform (Nghị quyết
202/2025/QH15 of the National Assembly, 12/6/2025, in force 1/7/2025), for the national demo.

Each: its code (Quyết định 19/2025/QĐ-TTg), its name, its population in thousands (the
merged provinces' 2024 figures summed, rounded: only the shares matter, members are
spread by population) and its number of commune-level units (xã, phường, đặc khu) under
the Standing Committee's resolutions of June 2025, 3,321 in all; ``wards`` is the share of
phường among them, rounded. The commune names the demo gives are its own, not the real ones.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Province:
    code: int
    name: str  # «Thành phố Hà Nội», «Tỉnh Lào Cai»
    population: int  # thousands
    communes: int  # commune-level units after 1/7/2025
    wards: float  # share of wards (phường) among them
    minority_share: float

    @property
    def party_name(self) -> str:
        """«Đảng bộ thành phố Hà Nội», «Đảng bộ tỉnh Lào Cai»."""
        return "Đảng bộ " + self.name[0].lower() + self.name[1:]

    @property
    def short(self) -> str:
        return self.name.removeprefix("Thành phố ").removeprefix("Tỉnh ")


PROVINCES: tuple[Province, ...] = (
    Province(1, "Thành phố Hà Nội", 8720, 126, 0.4, 0.01),
    Province(4, "Tỉnh Cao Bằng", 570, 56, 0.07, 0.9),
    Province(8, "Tỉnh Tuyên Quang", 1870, 124, 0.06, 0.6),
    Province(11, "Tỉnh Điện Biên", 640, 45, 0.07, 0.8),
    Province(12, "Tỉnh Lai Châu", 480, 38, 0.05, 0.85),
    Province(14, "Tỉnh Sơn La", 1300, 75, 0.11, 0.8),
    Province(15, "Tỉnh Lào Cai", 1780, 99, 0.1, 0.55),
    Province(19, "Tỉnh Thái Nguyên", 1800, 92, 0.16, 0.3),
    Province(20, "Tỉnh Lạng Sơn", 800, 65, 0.06, 0.8),
    Province(22, "Tỉnh Quảng Ninh", 1360, 54, 0.56, 0.12),
    Province(24, "Tỉnh Bắc Ninh", 3620, 99, 0.33, 0.05),
    Province(25, "Tỉnh Phú Thọ", 4000, 148, 0.2, 0.2),
    Province(31, "Thành phố Hải Phòng", 4660, 114, 0.4, 0.01),
    Province(33, "Tỉnh Hưng Yên", 3570, 104, 0.11, 0.01),
    Province(37, "Tỉnh Ninh Bình", 4410, 129, 0.25, 0.02),
    Province(38, "Tỉnh Thanh Hóa", 3760, 166, 0.12, 0.17),
    Province(40, "Tỉnh Nghệ An", 3470, 130, 0.1, 0.15),
    Province(42, "Tỉnh Hà Tĩnh", 1330, 69, 0.13, 0.01),
    Province(44, "Tỉnh Quảng Trị", 1900, 78, 0.1, 0.06),
    Province(46, "Thành phố Huế", 1430, 40, 0.53, 0.04),
    Province(48, "Thành phố Đà Nẵng", 3070, 94, 0.25, 0.06),
    Province(51, "Tỉnh Quảng Ngãi", 2160, 96, 0.1, 0.2),
    Province(52, "Tỉnh Gia Lai", 3580, 135, 0.19, 0.3),
    Province(56, "Tỉnh Khánh Hòa", 2240, 65, 0.25, 0.1),
    Province(66, "Tỉnh Đắk Lắk", 3350, 102, 0.14, 0.3),
    Province(68, "Tỉnh Lâm Đồng", 3870, 124, 0.16, 0.2),
    Province(75, "Tỉnh Đồng Nai", 4500, 95, 0.25, 0.05),
    Province(79, "Thành phố Hồ Chí Minh", 14000, 168, 0.68, 0.02),
    Province(80, "Tỉnh Tây Ninh", 3250, 96, 0.15, 0.01),
    Province(82, "Tỉnh Đồng Tháp", 4370, 102, 0.2, 0.01),
    Province(86, "Tỉnh Vĩnh Long", 4260, 124, 0.15, 0.08),
    Province(91, "Tỉnh An Giang", 4950, 102, 0.14, 0.06),
    Province(92, "Thành phố Cần Thơ", 4200, 103, 0.31, 0.1),
    Province(96, "Tỉnh Cà Mau", 2600, 64, 0.14, 0.03),
)
