"""What the columns of an office's book mean: for each kind of import, its fields, the headers
by which offices name them, and the flat template the system exports.

Headers are matched by ``cells.header_key`` (no accents, no case, no punctuation), so «NGÀY VÀO
ĐẢNG», «Ngày vào Đảng» and «ngay vao dang» are one header. The aliases cover the books offices
keep: the member list book 7-HSĐV (RULES.md §8: its 14 columns, several of them grouped under a
merged header, e.g. «Ngày vào Đảng» over «Dự bị» and «Chính thức»), the fields of the member
sheet 2-HSĐV (số lý lịch, số thẻ, …), and exports of the national member database. A column
under a merged group header is tried as «group title» first, then as its own title, then as the
group. A header that matches no field is shown on the upload page, where the user says which
field it is (``ImportBatch.mapping``), or that it is to be left out.
"""

from __future__ import annotations

from dataclasses import dataclass

from dangbo.core.legacy_text import ENCODINGS, to_unicode
from dangbo.imports.cells import header_key
from dangbo.imports.models import ImportKind


@dataclass(frozen=True)
class Field:
    name: str
    label: str  # the header of the flat template
    aliases: tuple[str, ...] = ()
    required: bool = False  # a column the import cannot do without
    help: str = ""  # what the template's reader should write there

    def header_keys(self) -> set[str]:
        return {header_key(self.label), *(header_key(alias) for alias in self.aliases)}


MEMBER_FIELDS = (
    Field(
        "full_name",
        "Họ và tên",
        (
            "Họ tên",
            "Họ và tên đảng viên",
            "Họ tên đảng viên",
            "Họ và tên khai sinh",
            "Họ và tên khai sinh đảng viên",
        ),
        help="Họ, tên đệm và tên trong một ô; hoặc dùng ba cột Họ, Tên đệm, Tên.",
    ),
    Field("family_name", "Họ"),
    Field("middle_name", "Tên đệm", ("Đệm", "Chữ đệm")),
    Field("given_name", "Tên", ("Tên gọi",)),
    Field("family_middle", "Họ và tên đệm", ("Họ đệm", "Họ và đệm")),
    Field(
        "birth_date",
        "Ngày sinh",
        ("Ngày tháng năm sinh", "Ngày, tháng, năm sinh", "Sinh ngày", "Năm sinh"),
        required=True,
        help="ngày/tháng/năm, ví dụ 05/03/1980",
    ),
    Field("gender", "Giới tính", ("Nam/Nữ", "Nam, nữ", "Giới"), help="Nam hoặc Nữ"),
    # lists that write the birth date under «Nam» or «Nữ» (a group «Ngày sinh» over two columns)
    Field(
        "birth_date_male",
        "Ngày sinh (Nam)",
        (
            "Ngày sinh Nam",
            "Năm sinh Nam",
            "Ngày tháng năm sinh Nam",
            "Ngày, tháng, năm sinh Nam",
            "Sinh ngày Nam",
        ),
    ),
    Field(
        "birth_date_female",
        "Ngày sinh (Nữ)",
        ("Ngày sinh Nữ", "Năm sinh Nữ", "Ngày tháng năm sinh Nữ", "Ngày, tháng, năm sinh Nữ", "Sinh ngày Nữ"),
    ),
    Field("ethnicity", "Dân tộc", help="tên dân tộc theo danh mục 54 dân tộc, ví dụ Kinh, Tày"),
    Field("religion", "Tôn giáo", help="Không, hoặc tên tôn giáo"),
    Field(
        "gender_ethnicity_religion",
        "Giới tính, dân tộc, tôn giáo",
        ("Giới tính dân tộc tôn giáo", "Nam nữ, dân tộc, tôn giáo"),
        help="ba giá trị cách nhau bởi dấu phẩy, gạch ngang hoặc xuống dòng",
    ),
    Field(
        "national_id",
        "Số định danh cá nhân",
        (
            "Số định danh",
            "Số CCCD",
            "CCCD",
            "Số căn cước",
            "Số căn cước công dân",
            "Số CMND",
            "CMND",
            "Số CMND/CCCD",
            "Số CCCD/CMND",
            "Số chứng minh nhân dân",
        ),
    ),
    Field(
        "card_number",
        "Số thẻ đảng viên",
        ("Số thẻ", "Số thẻ ĐV", "Thẻ đảng viên", "Số thẻ đảng", "Số, thẻ đảng viên", "Số Thẻ đảng viên"),
    ),
    Field("history_number", "Số lý lịch", ("Số lý lịch đảng viên", "Số LL", "Số LLĐV", "Lý lịch")),
    Field("birthplace", "Nơi sinh"),
    Field("hometown", "Quê quán", ("Quê",)),
    Field(
        "residence",
        "Nơi cư trú",
        ("Nơi ở hiện nay", "Chỗ ở hiện nay", "Địa chỉ", "Nơi thường trú", "Thường trú", "Nơi ở"),
    ),
    Field(
        "hamlet",
        "Thôn, tổ dân phố",
        (
            "Thôn",
            "Tổ dân phố",
            "Thôn/Tổ dân phố",
            "Thôn, bản",
            "Thôn, xóm",
            "Bản",
            "Ấp",
            "Khu phố",
            "Thôn, tổ",
        ),
        help="tên thôn, tổ dân phố nơi cư trú, như trong danh mục của xã",
    ),
    Field(
        "general_education",
        "Giáo dục phổ thông",
        (
            "Trình độ văn hóa",
            "Văn hóa",
            "Trình độ giáo dục phổ thông",
            "GDPT",
            "Học vấn",
            "Giáo dục phổ thông (lớp)",
        ),
        help="ví dụ 12/12, 9/12, Trung học phổ thông",
    ),
    Field(
        "education_combined",
        "Trình độ (giáo dục phổ thông, chuyên môn, lý luận chính trị, ngoại ngữ)",
        (
            "Trình độ giáo dục phổ thông, chuyên môn, lý luận chính trị, ngoại ngữ",
            "Giáo dục phổ thông, chuyên môn nghiệp vụ, lý luận chính trị, ngoại ngữ",
            "Trình độ văn hóa, chuyên môn, lý luận chính trị, ngoại ngữ",
            "Trình độ văn hóa, chuyên môn, lý luận, ngoại ngữ",
            "Trình độ GDPT, CM, LLCT, NN",
            "Văn hóa, chuyên môn, lý luận, ngoại ngữ",
        ),
        help="một ô như sổ 7-HSĐV: «12/12, Đại học, Trung cấp, Anh B» theo đúng thứ tự đó",
    ),
    Field(
        "professional_level",
        "Chuyên môn nghiệp vụ",
        (
            "Chuyên môn",
            "Trình độ chuyên môn",
            "Trình độ chuyên môn nghiệp vụ",
            "Giáo dục nghề nghiệp, đại học",
        ),
    ),
    Field(
        "theory_level",
        "Lý luận chính trị",
        ("Trình độ lý luận chính trị", "LLCT", "Lý luận", "Chính trị", "Trình độ LLCT"),
    ),
    Field("occupation", "Nghề nghiệp", ("Nghề nghiệp hiện nay", "Nghề nghiệp bản thân")),
    Field(
        "workplace",
        "Nơi làm việc",
        (
            "Đơn vị công tác",
            "Cơ quan, đơn vị",
            "Chức vụ, đơn vị công tác",
            "Cơ quan công tác",
            "Nơi công tác",
        ),
    ),
    Field(
        "admitted_on",
        "Ngày vào Đảng",
        (
            "Ngày kết nạp",
            "Ngày kết nạp vào Đảng",
            "Vào Đảng",
            "Ngày vào Đảng dự bị",
            "Ngày vào Đảng Dự bị",
            "Ngày vào Đảng, ngày kết nạp",
            "Ngày vào Đảng và ngày chính thức Ngày vào Đảng",
            "Ngày vào Đảng và ngày chính thức Dự bị",
            "Ngày vào Đảng, ngày chính thức Ngày vào Đảng",
            "Ngày vào Đảng, ngày chính thức Dự bị",
            "Ngày vào Đảng Ngày kết nạp",
            "Dự bị",
        ),
        required=True,
        help="ngày của quyết định kết nạp",
    ),
    Field(
        "full_on",
        "Ngày chính thức",
        (
            "Ngày công nhận chính thức",
            "Ngày vào Đảng chính thức",
            "Chính thức",
            "Ngày vào Đảng và ngày chính thức Chính thức",
            "Ngày vào Đảng và ngày chính thức Ngày chính thức",
            "Ngày vào Đảng, ngày chính thức Chính thức",
            "Ngày vào Đảng, ngày chính thức Ngày chính thức",
            "Ngày chuyển chính thức",
        ),
        help="để trống với đảng viên dự bị",
    ),
    Field(
        "cell",
        "Chi bộ",
        (
            "Chi bộ sinh hoạt",
            "Tên chi bộ",
            "Mã chi bộ",
            "Sinh hoạt tại chi bộ",
            "Tổ chức đảng",
            "Nơi sinh hoạt đảng",
        ),
        help="mã hoặc tên chi bộ; để trống khi nhập cho một chi bộ",
    ),
)

ORG_FIELDS = (
    Field("code", "Mã tổ chức", ("Mã", "Mã đơn vị", "Mã TCĐ", "Mã tổ chức đảng"), required=True),
    Field("name", "Tên tổ chức", ("Tên", "Tên tổ chức đảng", "Tên đơn vị", "Tổ chức đảng"), required=True),
    Field(
        "kind",
        "Loại tổ chức",
        ("Loại", "Loại hình tổ chức", "Cấp"),
        required=True,
        help="Đảng bộ cơ sở, Chi bộ cơ sở, Đảng bộ bộ phận, Chi bộ trực thuộc, Đảng bộ cấp trên cơ sở",
    ),
    Field(
        "parent",
        "Mã tổ chức cấp trên",
        ("Cấp trên", "Trực thuộc", "Tổ chức cấp trên", "Mã cấp trên", "Thuộc"),
        help="mã (hoặc tên) của tổ chức cấp trên trực tiếp; trong phạm vi đã chọn hoặc ở dòng trên",
    ),
    Field("established_on", "Ngày thành lập", ("Thành lập", "Ngày thành lập tổ chức"), required=True),
    Field(
        "sector", "Loại hình", ("Loại hình cơ sở", "Khối"), help="Xã, Phường, Cơ quan, Doanh nghiệp nhà nước…"
    ),
    Field("decision_no", "Số quyết định thành lập", ("Quyết định thành lập", "Số quyết định")),
)

HAMLET_FIELDS = (
    Field("code", "Mã thôn, tổ dân phố", ("Mã", "Mã thôn", "Mã tổ dân phố")),
    Field(
        "name",
        "Tên thôn, tổ dân phố",
        ("Tên", "Thôn, tổ dân phố", "Tên thôn", "Thôn", "Tổ dân phố", "Thôn, bản"),
        required=True,
    ),
    Field(
        "kind",
        "Loại",
        ("Loại thôn", "Loại địa bàn"),
        help="Thôn, Bản, Ấp, Làng, Buôn, Tổ dân phố, Khu phố, Tiểu khu; để trống khi tên đã nói (Thôn …)",
    ),
    Field(
        "commune",
        "Đảng bộ xã, phường",
        ("Xã, phường", "Mã xã", "Đảng bộ xã", "Xã", "Phường", "Đảng bộ"),
        help="mã hoặc tên; để trống khi nhập cho một xã",
    ),
    Field("cell", "Chi bộ", ("Chi bộ thôn", "Mã chi bộ", "Chi bộ phụ trách")),
    Field("head_name", "Trưởng thôn, tổ trưởng", ("Trưởng thôn", "Tổ trưởng", "Trưởng thôn/Tổ trưởng")),
)

FIELDS: dict[str, tuple[Field, ...]] = {
    ImportKind.MEMBERS: MEMBER_FIELDS,
    ImportKind.ORGS: ORG_FIELDS,
    ImportKind.HAMLETS: HAMLET_FIELDS,
}

# Headers that are known and left out: the row number, notes, and the columns of the 7-HSĐV
# book about what happened after the member's record was opened (transfers, death, leaving),
# which an import of the members in the Party today does not need.
IGNORED = frozenset(
    header_key(title)
    for title in (
        "STT",
        "TT",
        "Số TT",
        "Số thứ tự",
        "Ghi chú",
        "Số huy hiệu",
        "Huy hiệu",
        "Quân đội, công an, nghỉ hưu",
        "Chuyển đi",
        "Chuyển đến",
        "Ngoại ngữ",
        "Ảnh",
    )
)


def field_names(kind: str) -> set[str]:
    return {field.name for field in FIELDS[kind]}


def _index(kind: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for field in FIELDS[kind]:
        for key in field.header_keys():
            found.setdefault(key, field.name)
    return found


_INDEX = {kind: _index(kind) for kind in FIELDS}


def match(kind: str, title: str, group: str = "") -> str | None:
    """The field a column stands for, or None; ``""`` for a known column that is left out.
    A header typed in a legacy font (TCVN3, VNI) is matched as it reads once converted: the
    header is found before the file's encoding is known."""
    index = _INDEX[kind]
    candidates = [f"{group} {title}", title, group] if group else [title]
    for encoding in ENCODINGS:
        for candidate in candidates:
            key = header_key(to_unicode(candidate, encoding))
            if not key:
                continue
            if key in index:
                return index[key]
            if key in IGNORED:
                return ""
    return None


def score(kind: str):
    """The header finder's score for ``kind``: how many columns match a field."""

    def _score(columns) -> int:
        return len({match(kind, c.title, c.group) for c in columns} - {None, ""})

    return _score


# Fields that together give the name: one of these sets must be mapped.
NAME_SETS = ({"full_name"}, {"family_name", "given_name"}, {"family_middle", "given_name"})


def missing(
    kind: str, mapped: set[str], *, cell_known: bool = False, commune_known: bool = False
) -> list[str]:
    """The labels of fields the mapped columns lack (empty when the import can go on)."""
    fields = {field.name: field for field in FIELDS[kind]}
    by_sex = {"birth_date_male", "birth_date_female"} <= mapped  # the date under «Nam» or «Nữ»
    lacking = [
        field.label
        for field in FIELDS[kind]
        if field.required and field.name not in mapped and not (field.name == "birth_date" and by_sex)
    ]
    if kind == ImportKind.MEMBERS:
        if not any(names <= mapped for names in NAME_SETS):
            lacking.insert(0, "Họ và tên (hoặc Họ, Tên đệm, Tên)")
        combined = "gender_ethnicity_religion" in mapped
        for name in ("gender", "ethnicity", "religion"):
            if name not in mapped and not combined and not (name == "gender" and by_sex):
                lacking.append(fields[name].label)
        if "cell" not in mapped and not cell_known:
            lacking.append(fields["cell"].label)
    if kind == ImportKind.HAMLETS and "commune" not in mapped and not commune_known:
        lacking.append(fields["commune"].label)
    return lacking


def template_header(kind: str) -> list[str]:
    """The flat template's header row (``dangbo import template``, the page's download)."""
    skip = (
        {
            "full_name",
            "gender_ethnicity_religion",
            "family_middle",
            "birth_date_male",
            "birth_date_female",
            "education_combined",
        }
        if kind == ImportKind.MEMBERS
        else set()
    )
    return [field.label for field in FIELDS[kind] if field.name not in skip]
