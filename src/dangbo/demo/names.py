"""Realistic Vietnamese names for demo data, by ethnicity, from a seeded random source.

Frequencies are rough: Nguyễn, Trần, Lê, Phạm lead among the Kinh; the highland
groups of Lào Cai carry their own clan names (Mông: Giàng, Sùng, Vàng, Thào ...;
Dao: Bàn, Triệu, Chảo ...; Tày and Giáy: Hoàng, Nông, Lò ...).
"""

from __future__ import annotations

import random

KINH_FAMILY = (
    ("Nguyễn", 31),
    ("Trần", 11),
    ("Lê", 9),
    ("Phạm", 7),
    ("Hoàng", 5),
    ("Vũ", 4),
    ("Phan", 4),
    ("Đặng", 2),
    ("Bùi", 2),
    ("Đỗ", 2),
    ("Hồ", 2),
    ("Ngô", 2),
    ("Dương", 1),
    ("Lý", 1),
    ("Đào", 1),
    ("Đinh", 1),
    ("Trịnh", 1),
    ("Cao", 1),
    ("Lương", 1),
    ("Mai", 1),
    ("Tạ", 1),
    ("Chu", 1),
    ("Lưu", 1),
    ("Đoàn", 1),
    ("Văn", 1),
    ("Kiều", 1),
    ("Quách", 1),
    ("Tô", 1),
)
MINORITY_FAMILY = {
    "08": ("Giàng", "Sùng", "Vàng", "Thào", "Lý", "Hầu", "Ma", "Sền", "Lầu", "Mùa", "Cứ", "Tẩn"),  # Mông
    "09": ("Bàn", "Triệu", "Chảo", "Lý", "Đặng", "Tẩn", "Phùng", "Làn"),  # Dao
    "02": ("Hoàng", "Nông", "Lường", "Ma", "Vi", "La", "Hà", "Lục", "Đàm"),  # Tày
    "25": ("Lò", "Vàng", "Lù", "Hoàng", "Sầm"),  # Giáy
    "07": ("Nông", "Hoàng", "Vi", "Lục", "Tô", "Chu"),  # Nùng
    "03": ("Lò", "Lường", "Cầm", "Hoàng", "Vi", "Quàng"),  # Thái
    "35": ("Ly", "Chu", "Pờ", "Lỳ", "Sần"),  # Hà Nhì
    "40": ("Lý", "Vàng", "Sần", "Pờ"),  # Phù Lá
    "24": ("Hoàng", "Lò", "Nông"),  # others
}
MALE_MIDDLE = (
    "Văn",
    "Văn",
    "Văn",
    "Đức",
    "Minh",
    "Quang",
    "Hữu",
    "Ngọc",
    "Xuân",
    "Thanh",
    "Công",
    "Đình",
    "Mạnh",
    "Tiến",
    "Trọng",
)
FEMALE_MIDDLE = (
    "Thị",
    "Thị",
    "Thị",
    "Thị",
    "Ngọc",
    "Thu",
    "Thanh",
    "Minh",
    "Hồng",
    "Kim",
    "Mai",
    "Phương",
    "Bích",
    "Thúy",
)
MINORITY_MALE_MIDDLE = ("A", "Seo", "Văn", "Văn", "Chẩn", "Páo", "Văn", "Chá")
MINORITY_FEMALE_MIDDLE = ("Thị", "Thị", "Thị", "Thị", "Mỷ", "Sử", "Thị")
MALE_GIVEN = (
    "An",
    "Anh",
    "Bảo",
    "Bình",
    "Cường",
    "Chiến",
    "Công",
    "Dũng",
    "Duy",
    "Dương",
    "Đại",
    "Đạt",
    "Điệp",
    "Định",
    "Đông",
    "Đức",
    "Giang",
    "Hải",
    "Hào",
    "Hiếu",
    "Hiệp",
    "Hòa",
    "Hoàng",
    "Hùng",
    "Huy",
    "Hưng",
    "Khải",
    "Khánh",
    "Khoa",
    "Kiên",
    "Lâm",
    "Linh",
    "Lộc",
    "Long",
    "Lợi",
    "Mạnh",
    "Minh",
    "Nam",
    "Nghĩa",
    "Ngọc",
    "Nhân",
    "Phong",
    "Phúc",
    "Phương",
    "Quang",
    "Quân",
    "Quý",
    "Quyết",
    "Sơn",
    "Tài",
    "Tâm",
    "Thắng",
    "Thành",
    "Thịnh",
    "Toàn",
    "Trung",
    "Trường",
    "Tú",
    "Tuấn",
    "Tùng",
    "Văn",
    "Việt",
    "Vinh",
    "Vũ",
    "Xuân",
    "Sính",
    "Páo",
    "Chứ",
    "Sử",
    "Dìn",
    "Lử",
    "Chản",
    "Pủa",
    "Thào",
    "Dế",
)
FEMALE_GIVEN = (
    "An",
    "Anh",
    "Ánh",
    "Bích",
    "Chi",
    "Dung",
    "Duyên",
    "Giang",
    "Hà",
    "Hạnh",
    "Hằng",
    "Hiền",
    "Hoa",
    "Hòa",
    "Hồng",
    "Huệ",
    "Hương",
    "Hường",
    "Lan",
    "Liên",
    "Linh",
    "Loan",
    "Lụa",
    "Mai",
    "My",
    "Nga",
    "Ngân",
    "Ngọc",
    "Nhung",
    "Oanh",
    "Phương",
    "Quyên",
    "Quỳnh",
    "Sen",
    "Tâm",
    "Thảo",
    "Thu",
    "Thủy",
    "Thúy",
    "Trang",
    "Tuyết",
    "Uyên",
    "Vân",
    "Xuân",
    "Yến",
    "Mỷ",
    "Dín",
    "Sung",
    "Pàng",
    "Mai",
    "Chía",
    "Dua",
    "Sảo",
)


class NameGenerator:
    def __init__(self, rng: random.Random):
        self.rng = rng
        families, weights = zip(*KINH_FAMILY, strict=False)
        self._kinh_families = families
        self._kinh_weights = weights

    def family(self, ethnicity: str = "01") -> str:
        if ethnicity != "01":
            return self.rng.choice(MINORITY_FAMILY.get(ethnicity, MINORITY_FAMILY["24"]))
        return self.rng.choices(self._kinh_families, self._kinh_weights)[0]

    def full_name(self, gender: str, ethnicity: str = "01") -> tuple[str, str, str]:
        """(family, middle, given). Some people have two middle names, a few none."""
        rng = self.rng
        minority = ethnicity != "01"
        if gender == "F":
            middles: tuple[str, ...] = MINORITY_FEMALE_MIDDLE if minority else FEMALE_MIDDLE
            given = rng.choice(FEMALE_GIVEN)
        else:
            middles = MINORITY_MALE_MIDDLE if minority else MALE_MIDDLE
            given = rng.choice(MALE_GIVEN)
        roll = rng.random()
        if roll < 0.04:
            middle = ""
        elif roll < 0.18:
            middle = f"{rng.choice(middles)} {rng.choice(FEMALE_GIVEN if gender == 'F' else MALE_GIVEN)}"
        else:
            middle = rng.choice(middles)
        return self.family(ethnicity), middle, given
