"""Names of the demo's agencies, schools, enterprises, cells and hamlets."""

from __future__ import annotations

import random
from dataclasses import dataclass

from dangbo.core.kinds import Sector
from dangbo.demo.geography import Commune, District
from dangbo.demo.profiles import UpperSpec
from dangbo.orgs.models import Locality

_A, _P, _S, _E, _C = (
    Sector.AGENCY,
    Sector.PUBLIC_UNIT,
    Sector.STATE_ENTERPRISE,
    Sector.PRIVATE_ENTERPRISE,
    Sector.COOPERATIVE,
)

# A district's organizations besides its communes, most common first (a district takes as many as
# its profile says), named as the province names them: «{place}» is «huyện Bát Xát», «thị xã Sa
# Pa», «thành phố Lào Cai»; «{short}» is «Bát Xát»; «{committee}» is «Huyện ủy Bát Xát», «Thị ủy
# Sa Pa», «Thành ủy Lào Cai». Courts, procuracies and the like exist at district level and above,
# never at a commune's.
DISTRICT_UNITS = (
    ("Cơ quan {committee}", _A),
    ("Cơ quan Ủy ban nhân dân {place}", _A),
    ("Cơ quan Mặt trận Tổ quốc và các đoàn thể {place}", _A),
    ("Công an {place}", Sector.POLICE),
    ("Ban Chỉ huy Quân sự {place}", Sector.MILITARY),
    ("Trung tâm Y tế {place}", _P),
    ("Phòng Giáo dục và Đào tạo {place}", _A),
    ("Trường THPT số 1 {short}", _P),
    ("Trường THPT số 2 {short}", _P),
    ("Trường Phổ thông Dân tộc nội trú THCS và THPT {place}", _P),
    ("Trung tâm Giáo dục nghề nghiệp - Giáo dục thường xuyên {place}", _P),
    ("Chi cục Thuế {place}", _A),
    ("Kho bạc Nhà nước {place}", _A),
    ("Bảo hiểm xã hội {place}", _A),
    ("Phòng Giao dịch Ngân hàng Chính sách xã hội {place}", _S),
    ("Ngân hàng Nông nghiệp và Phát triển nông thôn chi nhánh {place}", _S),
    ("Điện lực {short}", _S),
    ("Viện Kiểm sát nhân dân {place}", _A),
    ("Tòa án nhân dân {place}", _A),
    ("Chi cục Thi hành án dân sự {place}", _A),
    ("Hạt Kiểm lâm {place}", _A),
    ("Trung tâm Văn hóa - Thể thao và Truyền thông {place}", _P),
    ("Ban Quản lý dự án đầu tư xây dựng {place}", _P),
    ("Trung tâm Dịch vụ nông nghiệp {place}", _P),
    ("Chi cục Thống kê {place}", _A),
    ("Bưu điện {place}", _S),
    ("Trung tâm Viễn thông {short}", _S),
    ("Hợp tác xã Nông nghiệp dịch vụ tổng hợp {short}", _C),
    ("Trường THPT số 3 {short}", _P),
    ("Ban Quản lý rừng phòng hộ {place}", _P),
    ("Trung tâm Phát triển quỹ đất {place}", _P),
)
# Schools named after people and flowers, as a town's are; each used once in the province, after
# a district's own list (the city's many schools). The schools named after a commune belong to
# that commune's committee (``commune_agencies``).
NAMED_SCHOOLS = tuple(
    f"Trường {name}"
    for trio in zip(
        (
            "THCS Kim Đồng",
            "THCS Lê Quý Đôn",
            "THCS Ngô Văn Sở",
            "THCS Lê Hồng Phong",
            "THCS Nguyễn Du",
            "THCS Chu Văn An",
            "THCS Hoàng Hoa Thám",
            "THCS Lý Tự Trọng",
            "THCS Nguyễn Trãi",
            "THCS Lê Văn Tám",
            "THCS Trần Hưng Đạo",
            "THCS Lê Lợi",
            "THCS Nguyễn Bỉnh Khiêm",
            "THCS Hoàng Văn Thụ",
        ),
        (
            "Tiểu học Nguyễn Văn Trỗi",
            "Tiểu học Trần Quốc Toản",
            "Tiểu học Võ Thị Sáu",
            "Tiểu học Bế Văn Đàn",
            "Tiểu học Tô Hiệu",
            "Tiểu học Nguyễn Viết Xuân",
            "Tiểu học Lý Thường Kiệt",
            "Tiểu học Ngô Quyền",
            "Tiểu học Trần Phú",
            "Tiểu học Quang Trung",
            "Tiểu học Đinh Bộ Lĩnh",
            "Tiểu học Phan Chu Trinh",
            "Tiểu học Lê Ngọc Hân",
            "Tiểu học Nguyễn Huệ",
        ),
        (
            "Mầm non Hoa Sen",
            "Mầm non Hoa Hồng",
            "Mầm non Hoa Mai",
            "Mầm non Hoa Ban",
            "Mầm non Họa Mi",
            "Mầm non Sơn Ca",
            "Mầm non Hướng Dương",
            "Mầm non Vành Khuyên",
            "Mầm non Tuổi Thơ",
            "Mầm non Sao Mai",
            "Mầm non Hoa Đào",
            "Mầm non Hoa Phượng",
            "Mầm non Măng Non",
            "Mầm non Thủy Tiên",
        ),
        strict=True,
    )
    for name in trio
)
# The provincial agencies-and-enterprises bloc: the Party's and the Front's provincial organs, the
# provincial government's departments and units, the central bodies in the province, and the
# enterprises, as a province names their Party organizations («Chi bộ Cơ quan Ủy ban Kiểm tra
# Tỉnh ủy», «Đảng bộ Bệnh viện Đa khoa tỉnh», «Đảng bộ Công ty cổ phần Cấp nước Lào Cai»).
BLOC_UNITS = (
    ("Văn phòng Tỉnh ủy", _A),
    ("Cơ quan Ban Tổ chức Tỉnh ủy", _A),
    ("Cơ quan Ủy ban Kiểm tra Tỉnh ủy", _A),
    ("Cơ quan Ban Tuyên giáo Tỉnh ủy", _A),
    ("Cơ quan Ban Dân vận Tỉnh ủy", _A),
    ("Cơ quan Ban Nội chính Tỉnh ủy", _A),
    ("Báo Lào Cai", _P),
    ("Trường Chính trị tỉnh", _P),
    ("Cơ quan Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh", _A),
    ("Cơ quan Tỉnh đoàn", _A),
    ("Cơ quan Hội Liên hiệp Phụ nữ tỉnh", _A),
    ("Cơ quan Hội Nông dân tỉnh", _A),
    ("Cơ quan Hội Cựu chiến binh tỉnh", _A),
    ("Cơ quan Liên đoàn Lao động tỉnh", _A),
    ("Văn phòng Đoàn đại biểu Quốc hội và Hội đồng nhân dân tỉnh", _A),
    ("Văn phòng Ủy ban nhân dân tỉnh", _A),
    ("Sở Nội vụ", _A),
    ("Sở Tài chính", _A),
    ("Sở Kế hoạch và Đầu tư", _A),
    ("Sở Tư pháp", _A),
    ("Sở Công Thương", _A),
    ("Sở Nông nghiệp và Phát triển nông thôn", _A),
    ("Sở Giao thông vận tải", _A),
    ("Sở Xây dựng", _A),
    ("Sở Tài nguyên và Môi trường", _A),
    ("Sở Thông tin và Truyền thông", _A),
    ("Sở Lao động - Thương binh và Xã hội", _A),
    ("Sở Văn hóa và Thể thao", _A),
    ("Sở Du lịch", _A),
    ("Sở Khoa học và Công nghệ", _A),
    ("Sở Giáo dục và Đào tạo", _A),
    ("Sở Y tế", _A),
    ("Sở Ngoại vụ", _A),
    ("Thanh tra tỉnh", _A),
    ("Ban Dân tộc tỉnh", _A),
    ("Ban Quản lý Khu kinh tế tỉnh", _A),
    ("Đài Phát thanh và Truyền hình tỉnh", _P),
    ("Viện Kiểm sát nhân dân tỉnh", _A),
    ("Tòa án nhân dân tỉnh", _A),
    ("Cục Thi hành án dân sự tỉnh", _A),
    ("Cục Thuế tỉnh", _A),
    ("Kho bạc Nhà nước tỉnh", _A),
    ("Bảo hiểm xã hội tỉnh", _A),
    ("Cục Hải quan tỉnh", _A),
    ("Cục Thống kê tỉnh", _A),
    ("Cục Quản lý thị trường tỉnh", _A),
    ("Ngân hàng Nhà nước chi nhánh tỉnh Lào Cai", _A),
    ("Bệnh viện Đa khoa tỉnh", _P),
    ("Bệnh viện Sản Nhi", _P),
    ("Bệnh viện Y học cổ truyền", _P),
    ("Bệnh viện Nội tiết", _P),
    ("Bệnh viện Phục hồi chức năng", _P),
    ("Trung tâm Kiểm soát bệnh tật tỉnh", _P),
    ("Trường Cao đẳng Lào Cai", _P),
    ("Trường THPT Chuyên Lào Cai", _P),
    ("Trường Phổ thông Dân tộc nội trú tỉnh", _P),
    ("Vườn quốc gia Hoàng Liên", _P),
    ("Chi cục Kiểm lâm tỉnh", _A),
    ("Ban Quản lý dự án đầu tư xây dựng công trình dân dụng và công nghiệp tỉnh", _P),
    ("Ban Quản lý dự án đầu tư xây dựng công trình giao thông tỉnh", _P),
    ("Ban Quản lý dự án đầu tư xây dựng công trình nông nghiệp và phát triển nông thôn tỉnh", _P),
    ("Trung tâm Phục vụ hành chính công tỉnh", _P),
    ("Quỹ Đầu tư phát triển tỉnh", _P),
    ("Liên minh Hợp tác xã tỉnh", _A),
    ("Bảo tàng tỉnh", _P),
    ("Thư viện tỉnh", _P),
    ("Trung tâm Công nghệ thông tin và Truyền thông tỉnh", _P),
    ("Văn phòng Đăng ký đất đai tỉnh", _P),
    ("Trung tâm Khuyến nông tỉnh", _P),
    ("Trung tâm Dịch vụ việc làm tỉnh", _P),
    ("Trung tâm Bảo trợ xã hội tỉnh", _P),
    ("Cơ sở cai nghiện ma túy tỉnh", _P),
    ("Trung tâm Kiểm nghiệm thuốc, mỹ phẩm, thực phẩm tỉnh", _P),
    ("Trung tâm Quan trắc tài nguyên và môi trường tỉnh", _P),
    ("Công ty Điện lực Lào Cai", _S),
    ("Viễn thông Lào Cai", _S),
    ("Bưu điện tỉnh Lào Cai", _S),
    ("Chi nhánh Viettel Lào Cai", _S),
    ("Công ty cổ phần Cấp nước Lào Cai", _E),
    ("Công ty Xăng dầu Lào Cai", _S),
    ("Công ty TNHH MTV Xổ số kiến thiết Lào Cai", _S),
    ("Ngân hàng Nông nghiệp và Phát triển nông thôn chi nhánh tỉnh Lào Cai", _S),
    ("Ngân hàng Chính sách xã hội chi nhánh tỉnh Lào Cai", _S),
    ("Ngân hàng TMCP Công Thương Việt Nam chi nhánh Lào Cai", _S),
    ("Ngân hàng TMCP Đầu tư và Phát triển Việt Nam chi nhánh Lào Cai", _S),
    ("Ngân hàng TMCP Ngoại thương Việt Nam chi nhánh Lào Cai", _S),
    ("Công ty Bảo Việt Lào Cai", _S),
    ("Công ty cổ phần DAP số 2 - Vinachem", _S),
    ("Công ty TNHH MTV Mỏ tuyển đồng Sin Quyền - Vimico", _S),
    ("Chi nhánh Luyện đồng Lào Cai - Vimico", _S),
    ("Công ty TNHH Khoáng sản và Luyện kim Việt - Trung", _S),
    ("Công ty cổ phần Môi trường đô thị Lào Cai", _E),
    ("Công ty cổ phần Quản lý đường bộ Lào Cai", _E),
    ("Công ty cổ phần Xe khách Lào Cai", _E),
    ("Công ty cổ phần Sách và Thiết bị trường học Lào Cai", _E),
    ("Công ty cổ phần Thủy điện Bắc Hà", _E),
    ("Công ty TNHH MTV Lâm nghiệp Văn Bàn", _S),
    ("Công ty TNHH MTV Lâm nghiệp Bảo Yên", _S),
    ("Công ty cổ phần Chè Phong Hải", _E),
    ("Công ty cổ phần Du lịch Sa Pa", _E),
    ("Công ty cổ phần Tư vấn xây dựng Lào Cai", _E),
    ("Công ty cổ phần Vận tải và Dịch vụ đường sắt Lào Cai", _E),
    ("Công ty TNHH MTV Khai thác công trình thủy lợi Lào Cai", _S),
    ("Công ty cổ phần Phát triển hạ tầng Khu kinh tế Lào Cai", _E),
    ("Hợp tác xã Dịch vụ nông nghiệp Sa Pa", _C),
)
# The provincial police's departments (its district police are the districts' own).
POLICE_UNITS = (
    "Phòng Tham mưu",
    "Phòng Tổ chức cán bộ",
    "Phòng Công tác đảng và công tác chính trị",
    "Phòng Hậu cần",
    "Phòng An ninh chính trị nội bộ",
    "Phòng An ninh kinh tế",
    "Phòng An ninh đối ngoại",
    "Phòng An ninh điều tra",
    "Phòng An ninh mạng và phòng, chống tội phạm sử dụng công nghệ cao",
    "Phòng Quản lý xuất nhập cảnh",
    "Phòng Cảnh sát hình sự",
    "Phòng Cảnh sát kinh tế",
    "Phòng Cảnh sát điều tra tội phạm về ma túy",
    "Phòng Cảnh sát giao thông",
    "Phòng Cảnh sát quản lý hành chính về trật tự xã hội",
    "Phòng Cảnh sát phòng cháy, chữa cháy và cứu nạn, cứu hộ",
    "Phòng Cảnh sát cơ động",
    "Phòng Cảnh sát môi trường",
    "Phòng Cảnh sát thi hành án hình sự và hỗ trợ tư pháp",
    "Phòng Cảnh sát quản lý trại tạm giam",
    "Phòng Kỹ thuật hình sự",
    "Phòng Kỹ thuật nghiệp vụ",
    "Phòng Hồ sơ nghiệp vụ",
    "Văn phòng Cơ quan Cảnh sát điều tra",
    "Thanh tra Công an tỉnh",
    "Trại tạm giam",
    "Phòng Tài chính",
    "Phòng Cảnh sát điều tra tội phạm về trật tự xã hội",
    "Trung tâm Chỉ huy",
)
# The provincial military command's units (its district commands are the districts' own).
MILITARY_UNITS = (
    "Phòng Tham mưu",
    "Phòng Chính trị",
    "Phòng Hậu cần",
    "Phòng Kỹ thuật",
    "Trung đoàn 254",
    "Tiểu đoàn Huấn luyện - Cơ động",
    "Đại đội Trinh sát",
    "Đại đội Công binh",
    "Đại đội Thông tin",
    "Đại đội Pháo phòng không",
    "Đại đội Vận tải",
    "Trường Quân sự tỉnh",
    "Kho K1",
    "Kho K2",
    "Bệnh xá Quân y",
    "Trạm Sửa chữa tổng hợp",
    "Nhà khách Quân sự tỉnh",
    "Ban Chỉ huy Quân sự Khu kinh tế cửa khẩu Lào Cai",
)
# The provincial border guard: its posts along the border with China, and its command's units.
BORDER_POSTS = (
    "Đồn Biên phòng A Mú Sung",
    "Đồn Biên phòng Y Tý",
    "Đồn Biên phòng Trịnh Tường",
    "Đồn Biên phòng Bản Vược",
    "Đồn Biên phòng Quang Kim",
    "Đồn Biên phòng Cửa khẩu Quốc tế Lào Cai",
    "Đồn Biên phòng Bản Phiệt",
    "Đồn Biên phòng Bản Lầu",
    "Đồn Biên phòng Mường Khương",
    "Đồn Biên phòng Pha Long",
    "Đồn Biên phòng Tả Gia Khâu",
    "Đồn Biên phòng Si Ma Cai",
    "Đồn Biên phòng Nàn Sán",
    "Đồn Biên phòng Nậm Chảy",
    "Đồn Biên phòng Cửa khẩu Quốc tế đường sắt Lào Cai",
    "Phòng Tham mưu",
    "Phòng Chính trị",
    "Phòng Hậu cần - Kỹ thuật",
    "Phòng Phòng chống ma túy và tội phạm",
    "Phòng Trinh sát",
    "Đội Đặc nhiệm phòng chống ma túy và tội phạm",
    "Tiểu đoàn Huấn luyện - Cơ động",
    "Bệnh xá Biên phòng",
    "Đội Kiểm soát phòng chống ma túy và tội phạm",
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


# The cells of a grassroots committee other than a commune's: its departments, named as the
# kind of organization names them (a hospital's wards, a school's teaching groups, a post's
# teams), then numbered units where such units are numbered (a police department's «Đội 3», a
# mine's «Công trường 2»). The first entry that fits the committee is taken: words of its name
# (any, or none given) and its sector (any of ``sectors``, or none given).
@dataclass(frozen=True)
class _Cells:
    keys: tuple[str, ...]
    named: tuple[str, ...]
    numbered: str  # «Đội {n}»
    sectors: tuple[str, ...] = ()

    def fits(self, unit_name: str, sector: str) -> bool:
        return (not self.sectors or sector in self.sectors) and (
            not self.keys or any(key in unit_name for key in self.keys)
        )


_ARMED = (Sector.POLICE, Sector.MILITARY)
DEPARTMENTS = (
    _Cells(
        ("Cơ quan Huyện ủy", "Cơ quan Thị ủy", "Cơ quan Thành ủy"),
        (
            "Văn phòng",
            "Ban Tổ chức",
            "Ủy ban Kiểm tra",
            "Ban Tuyên giáo",
            "Ban Dân vận",
            "Trung tâm Chính trị",
        ),
        "Tổ công tác {n}",
    ),
    _Cells(
        ("Cơ quan Ủy ban nhân dân",),
        (
            "Văn phòng Hội đồng nhân dân và Ủy ban nhân dân",
            "Phòng Nội vụ",
            "Phòng Tài chính - Kế hoạch",
            "Phòng Tài nguyên và Môi trường",
            "Phòng Kinh tế - Hạ tầng",
            "Phòng Nông nghiệp và Phát triển nông thôn",
            "Phòng Lao động - Thương binh và Xã hội",
            "Phòng Văn hóa và Thông tin",
            "Phòng Tư pháp",
            "Thanh tra",
            "Phòng Dân tộc",
            "Phòng Y tế",
        ),
        "Tổ công tác {n}",
    ),
    _Cells(
        ("Cơ quan Mặt trận",),
        (
            "Ủy ban Mặt trận Tổ quốc",
            "Đoàn Thanh niên",
            "Hội Liên hiệp Phụ nữ",
            "Hội Nông dân",
            "Hội Cựu chiến binh",
        ),
        "Tổ công tác {n}",
    ),
    _Cells(
        ("Bệnh viện", "Trung tâm Y tế"),
        (
            "Khoa Khám bệnh",
            "Khoa Nội tổng hợp",
            "Khoa Ngoại tổng hợp",
            "Khoa Sản",
            "Khoa Nhi",
            "Khoa Hồi sức tích cực - Chống độc",
            "Khoa Cấp cứu",
            "Khoa Xét nghiệm",
            "Khoa Chẩn đoán hình ảnh",
            "Khoa Dược",
            "Khoa Truyền nhiễm",
            "Khoa Gây mê hồi sức",
            "Khoa Y học cổ truyền",
            "Khoa Liên chuyên khoa",
            "Phòng Kế hoạch tổng hợp",
            "Phòng Tổ chức cán bộ",
            "Phòng Điều dưỡng",
            "Phòng Tài chính - Kế toán",
        ),
        "Trạm Y tế số {n}",
    ),
    _Cells(("Trường Quân sự",), ("Khoa Quân sự", "Khoa Chính trị", "Phòng Đào tạo"), "Đại đội {n}"),
    _Cells(
        ("Trường Chính trị",),
        (
            "Khoa Lý luận cơ sở",
            "Khoa Xây dựng Đảng",
            "Khoa Nhà nước và Pháp luật",
            "Khoa Dân vận",
            "Phòng Đào tạo",
        ),
        "Tổ bộ môn {n}",
    ),
    _Cells(
        ("Trường Cao đẳng",),
        (
            "Khoa Sư phạm",
            "Khoa Y Dược",
            "Khoa Nông Lâm",
            "Khoa Kinh tế",
            "Khoa Kỹ thuật - Công nghệ",
            "Khoa Văn hóa - Du lịch",
            "Phòng Đào tạo",
            "Phòng Tổ chức - Hành chính",
            "Phòng Công tác học sinh, sinh viên",
        ),
        "Tổ bộ môn {n}",
    ),
    _Cells(
        ("Trường Mầm non",),
        ("Tổ Nhà trẻ", "Tổ Mẫu giáo bé", "Tổ Mẫu giáo nhỡ", "Tổ Mẫu giáo lớn", "Tổ Văn phòng"),
        "Tổ chuyên môn {n}",
    ),
    _Cells(("Trường Tiểu học",), ("Tổ Văn phòng",), "Tổ khối {n}"),
    _Cells(
        ("Trường", "Trung tâm Giáo dục"),
        (
            "Tổ Toán - Tin",
            "Tổ Ngữ văn",
            "Tổ Ngoại ngữ",
            "Tổ Khoa học tự nhiên",
            "Tổ Khoa học xã hội",
            "Tổ Giáo dục thể chất - Quốc phòng",
            "Tổ Văn phòng",
        ),
        "Tổ chuyên môn {n}",
    ),
    _Cells(
        ("Tòa án",),
        (
            "Văn phòng",
            "Tòa Hình sự",
            "Tòa Dân sự",
            "Tòa Hành chính",
            "Tòa Kinh tế",
            "Tòa Gia đình và người chưa thành niên",
        ),
        "Tổ công tác {n}",
    ),
    _Cells(
        ("Đồn Biên phòng",),
        (
            "Đội Tham mưu - Hành chính",
            "Đội Vũ trang",
            "Đội Trinh sát",
            "Đội Vận động quần chúng",
            "Đội Phòng chống ma túy và tội phạm",
            "Đội Kiểm soát hành chính",
        ),
        "Trạm Kiểm soát Biên phòng số {n}",
    ),
    _Cells(("Trung đoàn",), ("Cơ quan Trung đoàn",), "Tiểu đoàn {n}"),
    _Cells(("Tiểu đoàn",), ("Cơ quan Tiểu đoàn",), "Đại đội {n}"),
    _Cells(
        ("Công an huyện", "Công an thị xã", "Công an thành phố"),
        (
            "Đội Tham mưu - Tổng hợp",
            "Đội An ninh",
            "Đội Cảnh sát hình sự",
            "Đội Cảnh sát điều tra tội phạm về ma túy",
            "Đội Cảnh sát kinh tế",
            "Đội Cảnh sát giao thông - Trật tự",
            "Đội Cảnh sát quản lý hành chính về trật tự xã hội",
            "Đội Cảnh sát thi hành án hình sự và hỗ trợ tư pháp",
            "Nhà tạm giữ",
        ),
        "Đội công tác số {n}",
    ),
    _Cells(("Ban Chỉ huy Quân sự",), ("Cơ quan Ban Chỉ huy",), "Trung đội {n}"),
    _Cells(
        ("Phòng Tham mưu",),
        (
            "Ban Tác chiến",
            "Ban Quân lực",
            "Ban Quân huấn",
            "Ban Dân quân tự vệ",
            "Ban Thông tin",
            "Ban Cơ yếu",
        ),
        "Ban Nghiệp vụ {n}",
        sectors=(Sector.MILITARY,),
    ),
    _Cells(
        ("Phòng Chính trị",),
        (
            "Ban Tổ chức",
            "Ban Cán bộ",
            "Ban Tuyên huấn",
            "Ban Chính sách",
            "Ban Dân vận",
            "Ban Bảo vệ an ninh",
        ),
        "Ban Nghiệp vụ {n}",
        sectors=(Sector.MILITARY,),
    ),
    _Cells(
        ("Phòng Hậu cần", "Phòng Kỹ thuật"),
        ("Ban Quân nhu", "Ban Quân y", "Ban Doanh trại", "Ban Xe máy", "Ban Quân khí", "Ban Vận tải"),
        "Ban Nghiệp vụ {n}",
        sectors=(Sector.MILITARY,),
    ),
    _Cells((), ("Đội Tổng hợp",), "Đội {n}", sectors=(Sector.POLICE,)),
    _Cells((), ("Ban Tổng hợp",), "Đại đội {n}", sectors=(Sector.MILITARY,)),
    _Cells(
        ("Mỏ",),
        ("Phòng Kỹ thuật", "Phòng Kế hoạch - Vật tư", "Phân xưởng Cơ điện", "Phân xưởng Vận tải"),
        "Công trường {n}",
    ),
    _Cells(
        ("Xí nghiệp",),
        ("Phòng Kỹ thuật", "Phòng Kế hoạch - Vật tư", "Phân xưởng Sửa chữa", "Phân xưởng Cơ điện"),
        "Phân xưởng Sản xuất số {n}",
    ),
    _Cells(
        ("Ngân hàng",),
        ("Phòng Kế hoạch - Kinh doanh", "Phòng Kế toán - Ngân quỹ", "Phòng Tổng hợp", "Phòng Khách hàng"),
        "Phòng Giao dịch số {n}",
    ),
    _Cells(
        ("Văn phòng",),  # an office's own departments: not a «Chi bộ Văn phòng» of the office
        (
            "Phòng Tổng hợp",
            "Phòng Hành chính - Tổ chức",
            "Phòng Quản trị - Tài vụ",
            "Phòng Công nghệ thông tin",
        ),
        "Phòng Nghiệp vụ {n}",
    ),
    _Cells(
        (),
        (
            "Văn phòng",
            "Phòng Tổ chức - Hành chính",
            "Phòng Kế hoạch - Kỹ thuật",
            "Phòng Tài chính - Kế toán",
            "Phòng Kinh doanh",
            "Phòng Dịch vụ khách hàng",
        ),
        "Đội Sản xuất số {n}",
        sectors=(Sector.STATE_ENTERPRISE, Sector.PRIVATE_ENTERPRISE, Sector.COOPERATIVE),
    ),
    _Cells(("Tỉnh ủy",), ("Văn phòng", "Phòng Tổng hợp"), "Phòng Nghiệp vụ {n}"),  # its Ban's, Committee's
    _Cells(
        (),  # any other: an agency, a public unit
        (
            "Văn phòng",
            "Phòng Tổ chức - Hành chính",
            "Phòng Kế hoạch - Tài chính",
            "Phòng Tổng hợp",
            "Thanh tra",
            "Phòng Pháp chế",
            "Phòng Quản lý",
            "Phòng Kiểm tra",
        ),
        "Phòng Nghiệp vụ {n}",
    ),
)


def departments(unit_name: str, sector: str, count: int) -> list[str]:
    """``count`` names of the cells of the grassroots committee ``unit_name`` (without «Chi bộ»),
    all different: its named departments, then its numbered ones."""
    cells = next(cells for cells in DEPARTMENTS if cells.fits(unit_name, sector))
    names = list(cells.named[:count])
    names += [cells.numbered.format(n=n) for n in range(1, count - len(names) + 1)]
    return names


# Syllables of the province's hamlet names («Sín Chải», «Lùng Phìn», «Nậm Cang»); those in
# SECOND_ONLY only end a name («Phìn Thượng», never «Thượng Phìn»).
SYLLABLES = (
    "Sín", "Chải", "Lùng", "Phìn", "Ngan", "Tả", "Van", "Nậm", "Cốc", "Pả", "Hồ", "Mào", "Séo",
    "Mý", "Tý", "Sáng", "Cáng", "Lử", "Thền", "Ván", "Xà", "Na", "Pao", "Nhìu", "Bản", "Khoang",
    "Lếch", "Chư", "Mường", "Lầu", "Dền", "Suối", "Thầu", "San", "Pờ", "Ngải", "Giàng", "Lao",
    "Sa", "Lũng", "Khâu", "Tòng", "Sành", "Pín", "Ngài", "Xín", "Mán", "Thàng", "Quẩn", "Lìn",
    "Chồ", "Cang", "Cọ", "Pạc", "Khe", "Ná", "Vai", "Tủng", "Sảng", "Chản", "Hán", "Làng",
    "Thượng", "Hạ", "Trung", "Mới", "Cũ",
)  # fmt: skip
SECOND_ONLY = frozenset({"Thượng", "Hạ", "Trung", "Mới", "Cũ"})


def _lower_prefix(name: str) -> str:
    for prefix in ("Thị trấn ", "Phường ", "Xã "):
        if name.startswith(prefix):
            return prefix.lower() + name[len(prefix) :]
    return name


def commune_party_name(commune: Commune) -> str:
    return _lower_prefix(commune.name)


def other_units(spec: UpperSpec, district: District | None, taken: set[str]) -> list[tuple[str, str]]:
    """``spec.other_grassroots`` names (and sectors) of the non-commune grassroots organizations,
    all different; ``taken``: the names the province already uses, so that a school named after a
    person is given once (the names given are added to it)."""
    pool: list[tuple[str, str]]
    if spec.sector == Sector.BLOC:
        pool = list(BLOC_UNITS)
    elif spec.sector == Sector.POLICE:
        pool = [(n, Sector.POLICE) for n in POLICE_UNITS]
    elif spec.sector == Sector.MILITARY and "Biên phòng" in spec.name:
        pool = [(n, Sector.MILITARY) for n in BORDER_POSTS]
    elif spec.sector == Sector.MILITARY:
        pool = [(n, Sector.MILITARY) for n in MILITARY_UNITS]
    elif spec.sector == Sector.STATE_ENTERPRISE:
        pool = [(n, Sector.STATE_ENTERPRISE) for n in APATIT_UNITS]
    elif district is not None:
        words = {"place": district.place, "short": district.short_name, "committee": district.committee}
        pool = [(template.format(**words), sector) for template, sector in DISTRICT_UNITS]
        pool += [(school, Sector.PUBLIC_UNIT) for school in NAMED_SCHOOLS if school not in taken]
    else:
        pool = []
    if len(pool) < spec.other_grassroots:
        raise ValueError(
            f"{spec.name}: {spec.other_grassroots} tổ chức cơ sở ngoài xã, phường nhưng chỉ có {len(pool)} tên."
        )
    names = pool[: spec.other_grassroots]
    taken.update(name for name, _ in names)
    return names


def hamlets(rng: random.Random, commune: Commune, kind: str, taken: set[str]) -> list[str]:
    """The names of a commune's hamlets of ``kind``: numbered residential groups in a ward or
    townlet («số 1» ...), elsewhere two syllables, never the kind's own word first («Bản Bản
    ...»), and never a name ``taken`` in the province (the names given are added to it), so the
    communes merged in 2025 hold no two hamlets of one name."""
    if kind == Locality.Kind.TO_DAN_PHO:
        return [f"số {i}" for i in range(1, rng.randint(10, 18) + 1)]
    kind_word = Locality.Kind(kind).label.split()[0]
    names: list[str] = []
    wanted = rng.randint(7, 14)
    for _attempt in range(100 * wanted):
        first, second = rng.choice(SYLLABLES), rng.choice(SYLLABLES)
        name = f"{first} {second}"
        if first in (second, kind_word) or first in SECOND_ONLY or name in taken or name in names:
            continue
        names.append(name)
        if len(names) == wanted:
            break
    else:
        raise ValueError(f"{commune.name}: hết tên thôn, bản chưa dùng.")
    taken.update(names)
    return names


def commune_agencies(commune: Commune) -> list[str]:
    level = _lower_prefix(commune.name)
    return [
        f"Cơ quan {level}",
        f"Trường THCS {commune.short_name}",
        f"Trường Tiểu học {commune.short_name}",
        f"Trường Mầm non {commune.short_name}",
        f"Trạm Y tế {level}",
        f"Công an {level}",
        f"Quân sự {level}",
    ]
