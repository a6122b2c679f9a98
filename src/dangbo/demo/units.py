"""Names of the demo's agencies, schools, enterprises, cells and hamlets."""

from __future__ import annotations

import random

from dangbo.core.kinds import Sector
from dangbo.demo.geography import Commune, District
from dangbo.demo.profiles import UpperSpec
from dangbo.orgs.models import Locality

DISTRICT_UNITS = (
    ("Cơ quan Huyện ủy", Sector.AGENCY),
    ("Cơ quan Ủy ban nhân dân", Sector.AGENCY),
    ("Cơ quan Mặt trận Tổ quốc và các đoàn thể", Sector.AGENCY),
    ("Công an", Sector.POLICE),
    ("Ban Chỉ huy Quân sự", Sector.MILITARY),
    ("Trung tâm Y tế", Sector.PUBLIC_UNIT),
    ("Phòng Giáo dục và Đào tạo", Sector.AGENCY),
    ("Trường Trung học phổ thông số 1", Sector.PUBLIC_UNIT),
    ("Trường Trung học phổ thông số 2", Sector.PUBLIC_UNIT),
    ("Trường Phổ thông Dân tộc nội trú", Sector.PUBLIC_UNIT),
    ("Trung tâm Giáo dục nghề nghiệp - Giáo dục thường xuyên", Sector.PUBLIC_UNIT),
    ("Chi cục Thuế khu vực", Sector.AGENCY),
    ("Kho bạc Nhà nước", Sector.AGENCY),
    ("Bảo hiểm xã hội", Sector.AGENCY),
    ("Ngân hàng Chính sách xã hội", Sector.STATE_ENTERPRISE),
    ("Ngân hàng Nông nghiệp và Phát triển nông thôn", Sector.STATE_ENTERPRISE),
    ("Điện lực", Sector.STATE_ENTERPRISE),
    ("Viện Kiểm sát nhân dân", Sector.AGENCY),
    ("Tòa án nhân dân", Sector.AGENCY),
    ("Chi cục Thi hành án dân sự", Sector.AGENCY),
    ("Hạt Kiểm lâm", Sector.AGENCY),
    ("Trung tâm Văn hóa - Thể thao và Truyền thông", Sector.PUBLIC_UNIT),
    ("Ban Quản lý dự án đầu tư xây dựng", Sector.PUBLIC_UNIT),
    ("Công ty Cổ phần Chè", Sector.PRIVATE_ENTERPRISE),
    ("Hợp tác xã Nông nghiệp", Sector.COOPERATIVE),
    ("Bưu điện", Sector.STATE_ENTERPRISE),
    ("Viễn thông", Sector.STATE_ENTERPRISE),
)
SCHOOLS = (
    "Trường Trung học cơ sở",
    "Trường Tiểu học",
    "Trường Mầm non",
    "Trường Phổ thông Dân tộc bán trú Trung học cơ sở",
)
BLOC_UNITS = (
    "Văn phòng Tỉnh ủy",
    "Ban Tổ chức Tỉnh ủy",
    "Ban Tuyên giáo Tỉnh ủy",
    "Ủy ban Kiểm tra Tỉnh ủy",
    "Ban Dân vận Tỉnh ủy",
    "Văn phòng Ủy ban nhân dân tỉnh",
    "Văn phòng Đoàn đại biểu Quốc hội và Hội đồng nhân dân tỉnh",
    "Sở Nội vụ",
    "Sở Tài chính",
    "Sở Kế hoạch và Đầu tư",
    "Sở Tư pháp",
    "Sở Công Thương",
    "Sở Nông nghiệp và Phát triển nông thôn",
    "Sở Giao thông vận tải",
    "Sở Xây dựng",
    "Sở Tài nguyên và Môi trường",
    "Sở Thông tin và Truyền thông",
    "Sở Lao động - Thương binh và Xã hội",
    "Sở Văn hóa, Thể thao và Du lịch",
    "Sở Khoa học và Công nghệ",
    "Sở Giáo dục và Đào tạo",
    "Sở Y tế",
    "Thanh tra tỉnh",
    "Ban Dân tộc tỉnh",
    "Bệnh viện Đa khoa tỉnh",
    "Bệnh viện Sản Nhi",
    "Bệnh viện Y học cổ truyền",
    "Trường Cao đẳng Lào Cai",
    "Trường Chính trị tỉnh",
    "Đài Phát thanh và Truyền hình tỉnh",
    "Báo Lào Cai",
    "Cục Thuế tỉnh",
    "Kho bạc Nhà nước tỉnh",
    "Bảo hiểm xã hội tỉnh",
    "Cục Hải quan tỉnh",
    "Cục Thống kê tỉnh",
    "Viện Kiểm sát nhân dân tỉnh",
    "Tòa án nhân dân tỉnh",
    "Cục Thi hành án dân sự tỉnh",
    "Ngân hàng Nhà nước chi nhánh tỉnh",
    "Công ty Điện lực Lào Cai",
    "Viễn thông Lào Cai",
    "Bưu điện tỉnh",
    "Trường Trung học phổ thông Chuyên Lào Cai",
    "Ban Quản lý Khu kinh tế tỉnh",
    "Công ty Cổ phần Cấp nước Lào Cai",
)
POLICE_UNITS = (
    "Phòng An ninh chính trị nội bộ",
    "Phòng An ninh kinh tế",
    "Phòng Cảnh sát hình sự",
    "Phòng Cảnh sát giao thông",
    "Phòng Cảnh sát kinh tế",
    "Phòng Cảnh sát điều tra tội phạm về ma túy",
    "Phòng Tham mưu",
    "Phòng Tổ chức cán bộ",
    "Phòng Hậu cần",
    "Phòng Cảnh sát phòng cháy, chữa cháy và cứu nạn, cứu hộ",
    "Phòng Quản lý xuất nhập cảnh",
    "Trại tạm giam",
    "Phòng Cảnh sát quản lý hành chính về trật tự xã hội",
    "Phòng Kỹ thuật hình sự",
)
MILITARY_UNITS = (
    "Phòng Tham mưu",
    "Phòng Chính trị",
    "Phòng Hậu cần - Kỹ thuật",
    "Trung đoàn 254",
    "Tiểu đoàn Huấn luyện - Cơ động",
    "Đại đội Trinh sát",
    "Đại đội Công binh",
    "Ban Chỉ huy Quân sự thành phố Lào Cai",
    "Trường Quân sự tỉnh",
    "Kho K1",
)
BORDER_POSTS = (
    "Đồn Biên phòng A Mú Sung",
    "Đồn Biên phòng Y Tý",
    "Đồn Biên phòng Trịnh Tường",
    "Đồn Biên phòng Bản Vược",
    "Đồn Biên phòng Cửa khẩu Quốc tế Lào Cai",
    "Đồn Biên phòng Bản Phiệt",
    "Đồn Biên phòng Mường Khương",
    "Đồn Biên phòng Pha Long",
    "Đồn Biên phòng Si Ma Cai",
    "Đồn Biên phòng Bát Xát",
    "Phòng Tham mưu",
    "Phòng Chính trị",
    "Phòng Hậu cần - Kỹ thuật",
    "Hải đội Biên phòng",
    "Đại đội Huấn luyện - Cơ động",
)
APATIT_UNITS = (
    "Mỏ Cóc",
    "Mỏ Bắc Nhạc Sơn",
    "Mỏ Cam Đường",
    "Xí nghiệp Tuyển quặng",
    "Xí nghiệp Tuyển Bắc Nhạc Sơn",
    "Xí nghiệp Vận tải đường sắt",
    "Xí nghiệp Cơ khí",
    "Xí nghiệp Hóa chất",
    "Trung tâm Y tế Apatit",
    "Văn phòng Công ty",
    "Xí nghiệp Thương mại",
    "Xí nghiệp Sửa chữa ô tô",
)
DEPARTMENTS = (
    "Văn phòng",
    "Phòng Tổ chức",
    "Phòng Nghiệp vụ",
    "Phòng Kế hoạch",
    "Phòng Kỹ thuật",
    "Đội Sản xuất",
    "Tổ Chuyên môn",
    "Khoa Nội",
    "Khoa Ngoại",
    "Phân xưởng",
)
SYLLABLES = (
    "Sín",
    "Chải",
    "Lùng",
    "Phìn",
    "Ngan",
    "Tả",
    "Van",
    "Nậm",
    "Cốc",
    "Pả",
    "Hồ",
    "Mào",
    "Séo",
    "Mý",
    "Tý",
    "Sáng",
    "Cáng",
    "Lử",
    "Thền",
    "Ván",
    "Xà",
    "Na",
    "Pao",
    "Nhìu",
    "Bản",
    "Khoang",
    "Lếch",
    "Chư",
    "Mường",
    "Lầu",
    "Dền",
    "Suối",
    "Thầu",
    "San",
    "Pờ",
    "Ngải",
    "Giàng",
    "Hạ",
    "Thượng",
    "Trung",
)


def _lower_prefix(name: str) -> str:
    for prefix in ("Thị trấn ", "Phường ", "Xã "):
        if name.startswith(prefix):
            return prefix.lower() + name[len(prefix) :]
    return name


def commune_party_name(commune: Commune) -> str:
    return _lower_prefix(commune.name)


def other_units(spec: UpperSpec, district: District | None, rng: random.Random) -> list[tuple[str, str]]:
    """``spec.other_grassroots`` names (and sectors) of the non-commune grassroots organizations."""
    if spec.sector == Sector.BLOC:
        pool = [(n, Sector.AGENCY) for n in BLOC_UNITS]
    elif spec.sector == Sector.POLICE:
        pool = [(n, Sector.POLICE) for n in POLICE_UNITS]
        if district is None:
            pool += [
                (f"Công an {d}", Sector.POLICE) for d in ("huyện Bát Xát", "huyện Bảo Thắng", "huyện Văn Bàn")
            ]
    elif spec.sector == Sector.MILITARY and "Biên phòng" in spec.name:
        pool = [(n, Sector.MILITARY) for n in BORDER_POSTS]
    elif spec.sector == Sector.MILITARY:
        pool = [(n, Sector.MILITARY) for n in MILITARY_UNITS]
    elif spec.sector == Sector.STATE_ENTERPRISE:
        pool = [(n, Sector.STATE_ENTERPRISE) for n in APATIT_UNITS]
    else:
        place = district.name.split(" ", 1)[1] if district else ""
        pool = [(f"{n} {place}".strip(), s) for n, s in DISTRICT_UNITS]
        for commune in district.communes if district else ():
            for school in SCHOOLS[:3]:
                pool.append((f"{school} {commune.short_name}", Sector.PUBLIC_UNIT))
    names: list[tuple[str, str]] = []
    for i in range(spec.other_grassroots):
        name, sector = pool[i % len(pool)]
        if i >= len(pool):
            name = f"{name} (đơn vị {i // len(pool) + 1})"
        names.append((name, sector))
    return names


def department(rng: random.Random, number: int) -> str:
    return f"{DEPARTMENTS[(number - 1) % len(DEPARTMENTS)]} số {number}"


def hamlets(rng: random.Random, commune: Commune, kind: str) -> list[str]:
    if kind == Locality.Kind.TO_DAN_PHO:
        return [f"số {i}" for i in range(1, rng.randint(10, 18) + 1)]
    names: list[str] = []
    wanted = rng.randint(7, 14)
    while len(names) < wanted:
        name = f"{rng.choice(SYLLABLES)} {rng.choice(SYLLABLES)}"
        if name not in names and name.split()[0] != name.split()[1]:
            names.append(name)
    return names


def commune_agencies(commune: Commune) -> list[str]:
    level = _lower_prefix(commune.name)
    return [
        f"Cơ quan {level}",
        f"Trường Trung học cơ sở {commune.short_name}",
        f"Trường Tiểu học {commune.short_name}",
        f"Trường Mầm non {commune.short_name}",
        f"Trạm Y tế {level}",
        f"Công an {level}",
        f"Quân sự {level}",
    ]
