"""The 2025 reform mapping of the old Lào Cai communes (Nghị quyết 1673/NQ-UBTVQH15); no database."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from dangbo.core.kinds import Sector
from dangbo.demo import reform2025
from dangbo.demo.geography import LAO_CAI_CODE, province_divisions
from dangbo.demo.reform2025 import (
    LAO_CAI_2025,
    RESOLUTION_CLAUSE,
    lao_cai_reform_mapping,
    new_commune_sector,
    old_to_new,
)


def _old_communes() -> list[tuple[str, str]]:
    _, districts = province_divisions(LAO_CAI_CODE)
    return [(d.name, c.name) for d in districts for c in d.communes]


def test_every_old_commune_goes_to_exactly_one_new_unit():
    listed = Counter(old for entry in LAO_CAI_2025 for old in entry[2:])
    assert [old for old, n in listed.items() if n > 1] == []
    assert set(listed) == set(_old_communes())
    assert len(listed) == len(_old_communes()) == 152
    assert set(old_to_new()) == set(_old_communes())


def test_the_old_communes_formed_48_new_units_45_communes_and_3_wards():
    mapping = lao_cai_reform_mapping()
    assert len(LAO_CAI_2025) == len(mapping) == 48  # no new unit listed twice
    assert all(olds for olds in mapping.values())
    kinds = Counter(entry[1] for entry in LAO_CAI_2025)
    assert kinds == {"xa": 45, "phuong": 3}
    for name, kind, *_ in LAO_CAI_2025:
        assert name.startswith("Phường " if kind == "phuong" else "Xã ")
        assert new_commune_sector(name) == (Sector.WARD if kind == "phuong" else Sector.COMMUNE)


def test_new_commune_sector():
    assert new_commune_sector("Phường Lào Cai") == Sector.WARD
    assert new_commune_sector("Xã Bát Xát") == Sector.COMMUNE
    with pytest.raises(KeyError):
        new_commune_sector("Phường Yên Bái")  # a new unit, but formed from Yên Bái


def test_legal_basis():
    assert reform2025.RESOLUTION_NUMBER == "1673/NQ-UBTVQH15"
    assert date(2025, 6, 16) == reform2025.RESOLUTION_DATE
    assert date(2025, 7, 1) == reform2025.EFFECTIVE_DATE


def test_every_new_unit_has_its_clause_of_the_resolution():
    assert set(RESOLUTION_CLAUSE) == set(lao_cai_reform_mapping())
    clauses = sorted(c for c in RESOLUTION_CLAUSE.values() if c is not None)
    assert clauses == [*range(39, 82), 89, 90, 91]
    assert [n for n, c in RESOLUTION_CLAUSE.items() if c is None] == ["Xã Nậm Xé", "Xã Ngũ Chỉ Sơn"]


@pytest.mark.parametrize(
    ("new", "olds"),
    [
        # khoản 90
        (
            "Phường Lào Cai",
            {
                ("Thành phố Lào Cai", "Phường Duyên Hải"),
                ("Thành phố Lào Cai", "Phường Cốc Lếu"),
                ("Thành phố Lào Cai", "Phường Kim Tân"),
                ("Thành phố Lào Cai", "Phường Lào Cai"),
                ("Thành phố Lào Cai", "Xã Vạn Hoà"),
                ("Huyện Bảo Thắng", "Xã Bản Phiệt"),
            },
        ),
        # khoản 89: Nam Cường of the city of Lào Cai (Yên Bái had one too)
        (
            "Phường Cam Đường",
            {
                ("Thành phố Lào Cai", "Phường Nam Cường"),
                ("Thành phố Lào Cai", "Phường Xuân Tăng"),
                ("Thành phố Lào Cai", "Phường Pom Hán"),
                ("Thành phố Lào Cai", "Phường Bắc Cường"),
                ("Thành phố Lào Cai", "Phường Bắc Lệnh"),
                ("Thành phố Lào Cai", "Phường Bình Minh"),
                ("Thành phố Lào Cai", "Xã Cam Đường"),
            },
        ),
        # khoản 52
        (
            "Xã Bát Xát",
            {
                ("Huyện Bát Xát", "Thị trấn Bát Xát"),
                ("Huyện Bát Xát", "Xã Bản Vược"),
                ("Huyện Bát Xát", "Xã Bản Qua"),
                ("Huyện Bát Xát", "Xã Phìn Ngan"),
                ("Huyện Bát Xát", "Xã Quang Kim"),
            },
        ),
        # khoản 91
        (
            "Phường Sa Pa",
            {
                ("Thị xã Sa Pa", "Phường Hàm Rồng"),
                ("Thị xã Sa Pa", "Phường Ô Quý Hồ"),
                ("Thị xã Sa Pa", "Phường Sa Pả"),
                ("Thị xã Sa Pa", "Phường Cầu Mây"),
                ("Thị xã Sa Pa", "Phường Phan Si Păng"),
                ("Thị xã Sa Pa", "Phường Sa Pa"),
            },
        ),
        # khoản 73, with Xã Tà Chải, which was in Thị trấn Bắc Hà by then
        (
            "Xã Bắc Hà",
            {
                ("Huyện Bắc Hà", "Thị trấn Bắc Hà"),
                ("Huyện Bắc Hà", "Xã Tà Chải"),
                ("Huyện Bắc Hà", "Xã Na Hối"),
                ("Huyện Bắc Hà", "Xã Thải Giàng Phố"),
                ("Huyện Bắc Hà", "Xã Bản Phố"),
                ("Huyện Bắc Hà", "Xã Hoàng Thu Phố"),
                ("Huyện Bắc Hà", "Xã Nậm Mòn"),
            },
        ),
        # khoản 67 and 77: the two Thanh Bình
        ("Xã Bản Hồ", {("Thị xã Sa Pa", "Xã Thanh Bình"), ("Thị xã Sa Pa", "Xã Bản Hồ")}),
        (
            "Xã Mường Khương",
            {
                ("Huyện Mường Khương", "Thị trấn Mường Khương"),
                ("Huyện Mường Khương", "Xã Thanh Bình"),
                ("Huyện Mường Khương", "Xã Nậm Chảy"),
                ("Huyện Mường Khương", "Xã Tung Chung Phố"),
                ("Huyện Mường Khương", "Xã Nấm Lư"),
            },
        ),
        # khoản 65: across two old districts
        (
            "Xã Bảo Hà",
            {
                ("Huyện Bảo Yên", "Xã Kim Sơn"),
                ("Huyện Bảo Yên", "Xã Cam Cọn"),
                ("Huyện Văn Bàn", "Xã Tân An"),
                ("Huyện Văn Bàn", "Xã Tân Thượng"),
                ("Huyện Bảo Yên", "Xã Bảo Hà"),
            },
        ),
        # khoản 92: left as it was
        ("Xã Nậm Xé", {("Huyện Văn Bàn", "Xã Nậm Xé")}),
    ],
)
def test_spot_checks_against_the_resolution(new, olds):
    assert set(lao_cai_reform_mapping()[new]) == olds


def test_old_to_new():
    assert old_to_new()[("Thị xã Sa Pa", "Xã Tả Van")] == "Xã Tả Van"
    assert old_to_new()[("Huyện Si Ma Cai", "Xã Lùng Thẩn")] == "Xã Lùng Phình"
    assert old_to_new()[("Thành phố Lào Cai", "Xã Thống Nhất")] == "Xã Gia Phú"
