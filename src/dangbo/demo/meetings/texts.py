"""The Vietnamese words of the demo's meetings (``demo.meetings``): the place, the agenda
posted ahead, the thematic topics of each period, the minutes (what happened, who spoke, what
was resolved), the amendments appended to signed minutes, and how a visiting official is
named. A small set of templates, varied by the cell's sector, the month and the cell's own
random source, so two cells rarely read alike and one cell reads alike month to month, as a
secretary's minutes do.
"""

from __future__ import annotations

import random
from datetime import date

from dangbo.core.kinds import Sector
from dangbo.core.roles import Role

RESIDENTIAL = frozenset({Sector.RESIDENTIAL, Sector.COMMUNE, Sector.WARD, Sector.TOWNLET, ""})
ARMED = frozenset({Sector.MILITARY, Sector.POLICE})

# --- places ------------------------------------------------------------------------------------


def place(name: str, sector: str, body: str) -> str:
    """Where the body meets: the hamlet's cultural house, the office's meeting room."""
    if body == "dang_uy_co_so":
        return "Phòng họp " + committee_name(name)
    rest = name.removeprefix("Chi bộ ").strip()
    lowered = rest.lower()
    if lowered.startswith(("thôn", "bản", "tổ dân phố", "khu phố", "tiểu khu", "làng", "ấp")):
        return f"Nhà văn hóa {rest}"
    if sector in ARMED:
        return f"Hội trường {rest}"
    return f"Phòng họp {rest}"


# --- the thematic topics, by period ------------------------------------------------------------

# Each year's theme of Chỉ thị 05-CT/TW (studying and following Hồ Chí Minh), taken by every
# kind of cell; then topics that depend on the cell's sector or on the time.
HO_CHI_MINH = "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh"
COMMON_TOPICS = (
    f"{HO_CHI_MINH}: nêu gương, trách nhiệm của đảng viên",
    f"{HO_CHI_MINH} về xây dựng khối đại đoàn kết toàn dân tộc",
    "Chuyển đổi số, ứng dụng công nghệ thông tin trong sinh hoạt và công tác",
    "Phòng, chống tham nhũng, lãng phí, tiêu cực; nêu cao đạo đức, lối sống của đảng viên",
    "Bảo vệ nền tảng tư tưởng của Đảng, đấu tranh phản bác các quan điểm sai trái, thù địch",
    "Nâng cao chất lượng sinh hoạt chi bộ, phát huy dân chủ và tự phê bình, phê bình",
)
SECTOR_TOPICS = {
    "residential": (
        "Xây dựng nông thôn mới, thôn bản văn minh, sáng - xanh - sạch - đẹp",
        "Giảm nghèo bền vững, phát triển kinh tế hộ gia đình",
        "Giữ gìn bản sắc văn hóa các dân tộc, xây dựng gia đình văn hóa",
        "Phòng, chống thiên tai, sạt lở đất, lũ quét; chủ động di dời hộ dân vùng nguy cơ",
        "Công tác dân vận, phát huy vai trò của đảng viên nơi cư trú",
    ),
    "armed": (
        "Xây dựng chi bộ trong sạch, vững mạnh gắn với xây dựng đơn vị vững mạnh toàn diện",
        "Bảo vệ chủ quyền lãnh thổ, an ninh biên giới; đối ngoại biên phòng",
        "Giữ gìn an ninh chính trị, trật tự an toàn xã hội trên địa bàn",
        "Học tập, làm theo sáu điều Bác Hồ dạy",
    ),
    "work": (
        "Cải cách hành chính, nâng cao đạo đức công vụ, văn hóa công sở",
        "Thực hành tiết kiệm, chống lãng phí trong cơ quan, đơn vị",
        "Nâng cao năng suất lao động, an toàn lao động trong sản xuất",
        "Vai trò của chi bộ trong lãnh đạo thực hiện nhiệm vụ chính trị của cơ quan",
    ),
}
# Topics of their time (from, until): the 2025 restructuring and two-tier local government,
# Resolution 57-NQ/TW on science, technology and digital transformation, the 14th Congress.
DATED_TOPICS = (
    (
        date(2025, 1, 1),
        date(2025, 9, 30),
        "Sắp xếp tổ chức bộ máy tinh gọn, hoạt động hiệu năng, hiệu lực, hiệu quả",
    ),
    (
        date(2025, 7, 1),
        date(2026, 6, 30),
        "Vận hành chính quyền địa phương hai cấp; vai trò của chi bộ ở cơ sở sau sắp xếp",
    ),
    (
        date(2025, 3, 1),
        date(2026, 12, 31),
        "Nghị quyết 57-NQ/TW về đột phá phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số",
    ),
    (
        date(2026, 2, 1),
        date(2026, 12, 31),
        "Học tập, quán triệt Nghị quyết Đại hội đại biểu toàn quốc lần thứ XIV của Đảng",
    ),
)


def pick(rng: random.Random, items):
    """One of ``items``, from one draw (``random.choice`` costs several)."""
    return items[int(rng.random() * len(items))]


def _family(sector: str) -> str:
    if sector in RESIDENTIAL:
        return "residential"
    if sector in ARMED:
        return "armed"
    return "work"


def thematic_topic(rng: random.Random, sector: str, on: date) -> str:
    """A topic for a thematic meeting held on ``on``: of its time half the time when one is."""
    dated = [topic for start, end, topic in DATED_TOPICS if start <= on <= end]
    if dated and rng.random() < 0.5:
        return rng.choice(dated)
    pool = COMMON_TOPICS + SECTOR_TOPICS[_family(sector)]
    return rng.choice(pool)


# --- the agenda posted ahead ------------------------------------------------------------------

# What each month's regular meeting takes up besides the routine, by month (seasonal work).
SEASONAL = {
    1: ("Tổ chức cho nhân dân đón Tết Nguyên đán vui tươi, lành mạnh, an toàn, tiết kiệm",),
    2: ("Ra quân đầu xuân, phát động Tết trồng cây", "Kỷ niệm ngày thành lập Đảng Cộng sản Việt Nam 3/2"),
    3: ("Công tác tuyển quân, giao nhận quân", "Phòng, chống dịch bệnh cho gia súc, gia cầm"),
    4: ("Chuẩn bị sản xuất vụ mùa", "Phòng, chống cháy rừng mùa khô"),
    5: ("Kỷ niệm ngày sinh Chủ tịch Hồ Chí Minh 19/5", "Sơ kết công tác 5 tháng đầu năm"),
    6: ("Sơ kết công tác 6 tháng đầu năm", "Phòng, chống thiên tai mùa mưa lũ"),
    7: ("Kỷ niệm ngày Thương binh - Liệt sĩ 27/7", "Phòng, chống sạt lở đất, lũ quét"),
    8: ("Kỷ niệm Cách mạng Tháng Tám và Quốc khánh 2/9", "Chuẩn bị năm học mới"),
    9: ("Hỗ trợ học sinh có hoàn cảnh khó khăn", "Thu hoạch vụ mùa, chuẩn bị vụ đông"),
    10: ("Rà soát hộ nghèo, hộ cận nghèo", "Ngày hội Đại đoàn kết toàn dân tộc 18/11"),
    11: ("Chuẩn bị kiểm điểm, đánh giá, xếp loại đảng viên cuối năm", "Ngày hội Đại đoàn kết toàn dân tộc"),
    12: ("Kiểm điểm tập thể, cá nhân; đánh giá, xếp loại chất lượng đảng viên năm", "Tổng kết công tác năm"),
}
WORK_ITEMS = {
    "residential": (
        "Vận động nhân dân hiến đất, góp công làm đường giao thông nông thôn",
        "Vệ sinh môi trường, thu gom rác thải khu dân cư",
        "Bảo đảm an ninh trật tự thôn, bản",
        "Vận động thu quỹ, đóng bảo hiểm y tế hộ gia đình",
    ),
    "armed": (
        "Duy trì nghiêm chế độ sẵn sàng chiến đấu, kỷ luật quân đội",
        "Tuần tra, kiểm soát bảo vệ biên giới, phòng chống tội phạm",
        "Huấn luyện, diễn tập theo kế hoạch",
    ),
    "work": (
        "Thực hiện nhiệm vụ chuyên môn của cơ quan, đơn vị",
        "Cải cách thủ tục hành chính, giải quyết hồ sơ đúng hạn",
        "Thực hiện quy chế dân chủ ở cơ sở",
    ),
}


def _month_label(on: date) -> str:
    return f"{on.month:02d}/{on.year}"


def _previous_month(on: date) -> date:
    return date(on.year - (on.month == 1), 12 if on.month == 1 else on.month - 1, 1)


def regular_agenda(rng: random.Random, sector: str, on: date) -> str:
    before = _previous_month(on)
    items = [
        f"Đánh giá kết quả lãnh đạo thực hiện nhiệm vụ tháng {_month_label(before)}.",
        f"Phương hướng, nhiệm vụ tháng {_month_label(on)}: "
        + pick(rng, WORK_ITEMS[_family(sector)]).lower()
        + "; "
        + pick(rng, SEASONAL[on.month]).lower()
        + ".",
        "Thông tin thời sự, phổ biến văn bản mới của cấp trên.",
        f"Thu đảng phí tháng {_month_label(on)}.",
    ]
    return "\n".join(f"{n}. {item}" for n, item in enumerate(items, start=1))


def thematic_agenda(topic: str) -> str:
    return "\n".join(
        (
            f"1. Báo cáo đề dẫn chuyên đề: {topic}.",
            "2. Đảng viên thảo luận, liên hệ trách nhiệm của bản thân.",
            "3. Chi bộ kết luận, đề ra biện pháp thực hiện.",
        )
    )


def committee_agenda(body_label: str, on: date) -> str:
    return "\n".join(
        (
            f"1. {body_label} kiểm điểm việc thực hiện nghị quyết tháng {_month_label(_previous_month(on))}.",
            f"2. Chuẩn bị nội dung, chương trình sinh hoạt tháng {_month_label(on)}.",
            "3. Công tác đảng viên: phát triển đảng viên, chuyển sinh hoạt, đảng phí.",
        )
    )


# --- the minutes --------------------------------------------------------------------------------

OPINIONS = (
    "đề nghị chi bộ quan tâm hơn nữa đến việc nắm bắt tâm tư, nguyện vọng của nhân dân",
    "đề xuất phân công đảng viên phụ trách từng nhóm hộ để theo dõi, đôn đốc",
    "nêu khó khăn trong triển khai nhiệm vụ và kiến nghị cấp trên hỗ trợ kinh phí",
    "đề nghị làm rõ trách nhiệm của đảng viên chưa hoàn thành nhiệm vụ được giao",
    "bổ sung giải pháp tuyên truyền bằng tiếng dân tộc cho bà con",
    "đề nghị biểu dương các đảng viên tiêu biểu trong tháng",
    "đề xuất lồng ghép nội dung chuyên đề với nhiệm vụ chính trị của đơn vị",
    "nhắc nhở việc đóng đảng phí đúng kỳ và tham gia sinh hoạt đầy đủ",
)
COMMITTEE_OPINIONS = (
    "đề nghị chuẩn bị kỹ nội dung sinh hoạt, gửi trước tài liệu cho đảng viên",
    "báo cáo tình hình tư tưởng của đảng viên và đề xuất phân công phụ trách",
    "đề xuất danh sách quần chúng ưu tú để bồi dưỡng, phát triển đảng viên",
    "báo cáo tình hình thu, nộp đảng phí",
)
COMMITTEE_RESOLUTIONS = (
    "Thống nhất nội dung, chương trình sinh hoạt tháng; phân công chuẩn bị báo cáo.",
    "Thống nhất phân công cấp ủy viên phụ trách, dự sinh hoạt ở cơ sở.",
    "Giao văn phòng (thư ký) tổng hợp, báo cáo cấp trên đúng thời hạn.",
)
RESOLUTIONS = (
    "Tập trung lãnh đạo hoàn thành các chỉ tiêu của tháng; phân công đảng viên phụ trách cụ thể.",
    "Tiếp tục tuyên truyền, vận động nhân dân thực hiện tốt chủ trương của Đảng, pháp luật của Nhà nước.",
    "Giao chi ủy (bí thư chi bộ) đôn đốc, kiểm tra việc thực hiện và báo cáo tại kỳ sinh hoạt sau.",
    "Mỗi đảng viên xây dựng kế hoạch làm theo gắn với nhiệm vụ được giao.",
)


_LABELS = {"chi_bo": "Chi bộ", "chi_uy": "Chi ủy", "dang_uy_co_so": "Đảng ủy"}


def minutes_text(
    rng: random.Random,
    *,
    body: str,
    held_on: date,
    place: str,
    hour: tuple[int, int],
    presider: str,
    recorder: str,
    counts: tuple[int, int, int],
    voters: int,
    speakers: list[str],
    topic: str,
) -> tuple[str, str, str]:
    """(content, opinions, resolution) of the minutes of a meeting that took place: when and
    where, who presided and recorded, who came, what it took up (its agenda is kept with the
    meeting), who spoke, what it resolved and the vote, counted on the members of the body
    (``voters``: the cell's own, not its guests; RULES.md §3), never on those present."""
    present, excused, unexcused = counts
    total = present + excused + unexcused
    label = _LABELS[body]
    lines = [
        f"Thời gian: {hour[0]} giờ {hour[1]:02d}, ngày {held_on:%d/%m/%Y}. Địa điểm: {place}.",
        f"Chủ trì: đồng chí {presider}; thư ký: đồng chí {recorder}." if presider and recorder else "",
        f"Tổng số {total} đồng chí; có mặt {present}, vắng có lý do {excused}, vắng không lý do {unexcused}.",
        f"Chuyên đề: {topic}."
        if topic
        else f"{label} thảo luận các nội dung theo chương trình đã thông báo.",
    ]
    content = "\n".join(line for line in lines if line)
    picked = speakers[: 1 if body != "chi_bo" else 2]
    committee = body != "chi_bo"
    said = COMMITTEE_OPINIONS if committee else OPINIONS
    opinions = "\n".join(f"Đồng chí {name} {pick(rng, said)}." for name in picked)
    approving = min(present, voters) - (present > 0 and rng.random() < 0.1)
    resolved = pick(rng, COMMITTEE_RESOLUTIONS if committee else RESOLUTIONS)
    resolution = f"{resolved}\nBiểu quyết: {max(approving, 0)}/{voters} đồng chí tán thành."
    return content, opinions, resolution


AMENDMENTS = (
    ("Bổ sung ý kiến phát biểu chưa ghi đầy đủ trong biên bản.", "Thư ký ghi thiếu ý kiến"),
    ("Đính chính số đảng viên vắng có lý do.", "Ghi nhầm số liệu điểm danh"),
    ("Bổ sung nội dung kết luận về phân công đảng viên phụ trách.", "Kết luận của chủ trì chưa ghi"),
    ("Đính chính ngày nộp báo cáo lên cấp trên.", "Ghi nhầm ngày"),
)


def amendment(rng: random.Random) -> tuple[str, str]:
    return rng.choice(AMENDMENTS)


# --- visiting officials ---------------------------------------------------------------------------

_ROLE_WORDS: dict[str, str] = {
    Role.SECRETARY: "Bí thư",
    Role.DEPUTY_SECRETARY: "Phó Bí thư",
    Role.STANDING_COMMITTEE_MEMBER: "Ủy viên Ban Thường vụ",
}


# "Đảng bộ huyện X" → its committee "Huyện ủy X"
_COMMITTEES = (
    ("Đảng bộ tỉnh ", "Tỉnh ủy "),
    ("Đảng bộ thành phố ", "Thành ủy "),
    ("Đảng bộ thị xã ", "Thị ủy "),
    ("Đảng bộ huyện ", "Huyện ủy "),
    ("Đảng bộ ", "Đảng ủy "),
    ("Chi bộ ", "Chi ủy "),
)


def committee_name(org_name: str) -> str:
    for prefix, word in _COMMITTEES:
        if org_name.startswith(prefix):
            return word + org_name[len(prefix) :]
    return f"Cấp ủy {org_name}"


def visitor_position(role: str, org_name: str) -> str:
    """«Phó Bí thư Đảng ủy xã Tả Van», «Ủy viên Ban Chấp hành Đảng bộ xã Tả Van»."""
    if role in _ROLE_WORDS:
        return f"{_ROLE_WORDS[role]} {committee_name(org_name)}"
    return f"Ủy viên Ban Chấp hành {org_name}"
