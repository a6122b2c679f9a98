"""Party documents (decisions and transfer letters) rendered to Word and PDF from plain data; no database."""

from __future__ import annotations

import io
import logging
import re
import subprocess
import sys
import time
import unicodedata
from dataclasses import replace
from datetime import date
from importlib import resources

import docx
import pytest
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from dangbo.documents import content
from dangbo.documents.data import AdmissionDecision, Issuer, Person, RecognitionDecision, TransferLetter
from dangbo.documents.render import filename, render_docx, render_pdf

# The Vietnamese alphabet: 12 vowels × 6 tones, plus đ, in both cases — 146 letters, of which
# 134 are outside ASCII (everything but a e i o u y without a tone, in each case).
VOWELS = "aăâeêioôơuưy"
TONES = ("", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323")  # ngang, huyền, sắc, hỏi, ngã, nặng
LOWER = [unicodedata.normalize("NFC", vowel + tone) for vowel in VOWELS for tone in TONES] + ["đ"]
LETTERS = LOWER + [letter.upper() for letter in LOWER]
NON_ASCII_LETTERS = [letter for letter in LETTERS if not letter.isascii()]

FONTS = resources.files("dangbo.documents") / "fonts"
FONT_FILES = ("LiberationSerif-Regular.ttf", "LiberationSerif-Bold.ttf", "LiberationSerif-Italic.ttf")

ISSUER = Issuer(
    superior_name="ĐẢNG BỘ TỈNH LÀO CAI",
    name="ĐẢNG ỦY XÃ BẢO THẮNG",
    place="Bảo Thắng",
    signer_on_behalf="T/M BAN THƯỜNG VỤ",
    signer_title="PHÓ BÍ THƯ",
    signer_name="Hoàng Văn Quỳnh",
)
HANG = Person(
    full_name="Nguyễn Thị Hằng",
    gender="Nữ",
    birth_date=date(1995, 2, 7),
    hometown="xã Bảo Thắng, tỉnh Lào Cai",
    residence="thôn Phú Hà, xã Bảo Thắng, tỉnh Lào Cai",
    ethnicity="Tày",
    occupation="Giáo viên",
    card_number="12345678",
)
CELL = "Chi bộ thôn Phú Hà"


def admission(**changes) -> AdmissionDecision:
    return replace(
        AdmissionDecision(
            issuer=ISSUER, number="12", issued_on=date(2026, 3, 5), person=HANG, cell_name=CELL
        ),
        **changes,
    )


def recognition(**changes) -> RecognitionDecision:
    doc = RecognitionDecision(
        issuer=ISSUER,
        number="45-QĐ/ĐU",
        issued_on=date(2027, 3, 20),
        person=HANG,
        cell_name=CELL,
        admitted_on=date(2026, 3, 10),
        full_on=date(2027, 3, 10),
    )
    return replace(doc, **changes)


def transfer(**changes) -> TransferLetter:
    doc = TransferLetter(
        issuer=ISSUER,
        number="7",
        issued_on=date(2026, 1, 8),
        person=HANG,
        status_label="Đảng viên chính thức",
        admitted_on=date(2020, 1, 1),
        full_on=date(2021, 1, 1),
        from_org_name="Chi bộ thôn Phú Hà",
        to_org_name="Đảng ủy xã Bảo Thắng",
        present_by=date(2026, 2, 20),
    )
    return replace(doc, **changes)


def docx_text(data: bytes) -> str:
    """Every paragraph of the body and of its tables, one per line."""
    document = docx.Document(io.BytesIO(data))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for cell in table._cells:
            lines += [p.text for p in cell.paragraphs]
    return "\n".join(lines)


def pdf_pages(data: bytes) -> list[str]:
    return [unicodedata.normalize("NFC", page.extract_text()) for page in PdfReader(io.BytesIO(data)).pages]


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


# --- the font ------------------------------------------------------------------------------------------------


def test_the_alphabet_under_test_has_134_non_ascii_letters():
    assert len(LETTERS) == 146
    assert len(NON_ASCII_LETTERS) == 134
    assert all(len(letter) == 1 for letter in LETTERS)  # each one precomposed code point


@pytest.mark.parametrize("font_file", FONT_FILES)
def test_each_bundled_font_has_a_glyph_for_every_vietnamese_letter(font_file):
    font = TTFont(io.BytesIO((FONTS / font_file).read_bytes()))
    cmap = font.getBestCmap()
    missing = [letter for letter in LETTERS if ord(letter) not in cmap]
    assert missing == []
    assert font["OS/2"].fsType == 0  # installable: may be embedded in documents


def test_the_font_licence_ships_with_the_fonts():
    licence = (FONTS / "LICENSE.txt").read_text(encoding="utf-8")
    assert "SIL OPEN FONT LICENSE Version 1.1" in licence
    assert "Red Hat" in licence


# --- Word ----------------------------------------------------------------------------------------------------


def test_admission_docx_has_the_parts_of_a_party_decision():
    data = render_docx(admission())
    text = docx_text(data)
    for expected in (
        "ĐẢNG BỘ TỈNH LÀO CAI",
        "ĐẢNG ỦY XÃ BẢO THẮNG",
        "Số 12-QĐ/ĐU",
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "Bảo Thắng, ngày 05 tháng 3 năm 2026",
        "QUYẾT ĐỊNH",
        "về việc kết nạp đảng viên",
        "- Căn cứ Điều lệ Đảng Cộng sản Việt Nam;",
        "Quy định số 294-QĐ/TW ngày 26/5/2025 của Ban Chấp hành Trung ương về thi hành Điều lệ Đảng;",
        "Hướng dẫn số 06-HD/TW ngày 9/6/2025 của Ban Bí thư",
        "- Xét đề nghị của Chi bộ thôn Phú Hà,",
        "BAN THƯỜNG VỤ ĐẢNG ỦY XÃ BẢO THẮNG",
        "Điều 1. Kết nạp đồng chí Nguyễn Thị Hằng vào Đảng Cộng sản Việt Nam.",
        "Giới tính: Nữ; sinh ngày 7 tháng 2 năm 1995.",
        "Dân tộc: Tày.",
        "Điều 2. Thời gian dự bị của đồng chí Nguyễn Thị Hằng là 12 tháng",
        "Điều 3.",
        "Nơi nhận:",
        "- Như Điều 3,",
        "- Lưu.",
        "T/M BAN THƯỜNG VỤ",
        "PHÓ BÍ THƯ",
        "Hoàng Văn Quỳnh",
    ):
        assert expected in text, expected
    assert "Số thẻ đảng viên" not in text  # an applicant has no card yet


def test_docx_is_a4_with_the_margins_of_hd36_in_times_new_roman():
    document = docx.Document(io.BytesIO(render_docx(admission())))
    section = document.sections[0]
    sizes = (
        section.page_width,
        section.page_height,
        section.top_margin,
        section.bottom_margin,
        section.left_margin,
        section.right_margin,
    )
    assert [round(size.mm, 1) for size in sizes] == [210, 297, 20, 20, 30, 15]  # Word stores twips
    normal = document.styles["Normal"]
    assert normal.font.name == "Times New Roman"
    assert normal.font.size.pt == 14
    fonts = normal.element.rPr.rFonts
    assert {fonts.get(f"{{{fonts.nsmap['w']}}}{key}") for key in ("ascii", "hAnsi", "cs", "eastAsia")} == {
        "Times New Roman"
    }
    # No page number on the first page; a PAGE field at the top of the others.
    assert section.different_first_page_header_footer
    assert "PAGE" in section.header._element.xml


def test_docx_heading_runs_carry_the_prescribed_emphasis():
    document = docx.Document(io.BytesIO(render_docx(admission())))
    runs = {
        run.text: run
        for table in document.tables
        for cell in table._cells
        for p in cell.paragraphs
        for run in p.runs
    }
    assert runs["ĐẢNG ỦY XÃ BẢO THẮNG"].bold
    assert not runs["ĐẢNG BỘ TỈNH LÀO CAI"].bold
    assert runs["ĐẢNG CỘNG SẢN VIỆT NAM"].bold and runs["ĐẢNG CỘNG SẢN VIỆT NAM"].underline
    assert runs["Bảo Thắng, ngày 05 tháng 3 năm 2026"].italic
    assert runs["Nơi nhận:"].underline
    assert runs["Hoàng Văn Quỳnh"].bold


def test_recognition_docx_names_both_dates():
    text = docx_text(render_docx(recognition()))
    assert "về việc công nhận đảng viên chính thức" in text
    assert (
        "Điều 1. Công nhận đồng chí Nguyễn Thị Hằng, vào Đảng ngày 10 tháng 3 năm 2026, là đảng viên chính thức "
        "của Đảng Cộng sản Việt Nam kể từ ngày 10 tháng 3 năm 2027." in text
    )
    assert "Số thẻ đảng viên: 12345678." in text
    assert "Số 45-QĐ/ĐU" in text
    assert "Bảo Thắng, ngày 20 tháng 3 năm 2027" in text


def test_transfer_letter_docx_names_both_organizations_and_the_deadline():
    text = docx_text(render_docx(transfer(to_org_name="Đảng ủy phường Cam Đường, tỉnh Lào Cai")))
    for expected in (
        "GIẤY GIỚI THIỆU SINH HOẠT ĐẢNG",
        "Số 7-GGT/ĐU",
        "Bảo Thắng, ngày 08 tháng 01 năm 2026",
        "Kính gửi: Đảng ủy phường Cam Đường, tỉnh Lào Cai",
        "Trân trọng giới thiệu đồng chí: Nguyễn Thị Hằng",
        "Là đảng viên chính thức; vào Đảng ngày 1 tháng 1 năm 2020; chính thức ngày 1 tháng 1 năm 2021.",
        "Hiện sinh hoạt tại: Chi bộ thôn Phú Hà.",
        "Được chuyển sinh hoạt đảng chính thức đến: Đảng ủy phường Cam Đường, tỉnh Lào Cai.",
        "Giấy giới thiệu có giá trị đến hết ngày 20 tháng 2 năm 2026.",
        "- Như trên,",
    ):
        assert expected in text, expected
    assert "Điều 1" not in text and "Căn cứ" not in text


# --- PDF -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("make", [admission, recognition, transfer])
def test_pdf_is_a4_and_embeds_liberation_serif(make):
    data = render_pdf(make())
    assert data.startswith(b"%PDF-")
    assert b"LiberationSerif" in data and b"LiberationSerifBold" in data and b"LiberationSerifItalic" in data
    reader = PdfReader(io.BytesIO(data))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points
    assert reader.metadata.title
    assert len(reader.pages) == 1


def test_pdf_text_reads_back_as_written():
    text = flat(pdf_pages(render_pdf(admission()))[0])
    for expected in (
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "Số 12-QĐ/ĐU",
        "Bảo Thắng, ngày 05 tháng 3 năm 2026",
        "Kết nạp đồng chí Nguyễn Thị Hằng vào Đảng Cộng sản Việt Nam.",
        "Điều 2.",
        "Điều 3.",
        "Nơi nhận:",
        "Hoàng Văn Quỳnh",
    ):
        assert expected in text, expected


def test_pdf_renders_every_vietnamese_letter_and_reads_it_back(caplog):
    sample = "Nguyễn Thị Hằng, Đảng ủy xã Bảo Thắng, trưởng thôn Lũng Phìn, ưởng, ỹ, Ỵ"
    person = replace(
        HANG,
        hometown=" ".join(LOWER),
        residence=" ".join(letter.upper() for letter in LOWER),
        occupation=sample,
    )
    with caplog.at_level(logging.WARNING):
        data = render_pdf(transfer(person=person))
    assert not [r for r in caplog.records if "missing" in r.getMessage().lower()]
    text = "".join(pdf_pages(data))
    assert set(LETTERS) <= set(text), sorted(set(LETTERS) - set(text))
    flattened = flat(text)
    for word in ("Nguyễn Thị Hằng", "Đảng ủy xã Bảo Thắng", "ưởng", "ỹ", "Ỵ", "Lũng Phìn"):
        assert word in flattened, word


def _lines_by_y(data: bytes) -> dict[float, list[tuple[float, str, float, str]]]:
    """The text of page 1 grouped by baseline: (x in mm, text, size in pt, font name) per fragment."""
    lines: dict[float, list[tuple[float, str, float, str]]] = {}

    def visit(text, cm, tm, font_dict, font_size):
        if text.strip():
            y = round(tm[5], 1)
            name = font_dict["/BaseFont"] if font_dict else ""
            lines.setdefault(y, []).append((tm[4] * 25.4 / 72, text.strip(), font_size, str(name)))

    PdfReader(io.BytesIO(data)).pages[0].extract_text(visitor_text=visit)
    return lines


def _width_mm(text: str, font_file: str, size_pt: float) -> float:
    font = TTFont(io.BytesIO((FONTS / font_file).read_bytes()))
    cmap, metrics = font.getBestCmap(), font["hmtx"].metrics
    units = sum(metrics[cmap[ord(ch)]][0] for ch in text)
    return units / font["head"].unitsPerEm * size_pt * 25.4 / 72


def test_long_issuer_name_wraps_inside_the_left_heading_column():
    long_name = "ĐẢNG ỦY CÁC CƠ QUAN ĐẢNG, MẶT TRẬN TỔ QUỐC VÀ CÁC ĐOÀN THỂ CHÍNH TRỊ - XÃ HỘI TỈNH LÀO CAI"
    data = render_pdf(admission(issuer=replace(ISSUER, name=long_name)))
    lines = _lines_by_y(data)
    title_y = max(
        y for y, fragments in lines.items() if any(text == "QUYẾT ĐỊNH" for _, text, _, _ in fragments)
    )
    bold_heading = [  # bold 14 pt text above the title, left of the Party heading
        (x, text)
        for y, fragments in sorted(lines.items(), reverse=True)
        if y > title_y
        for x, text, size, font in fragments
        if "Bold" in font and size == 14 and x < 30 + 75
    ]
    assert len(bold_heading) >= 3  # the name took several lines
    assert " ".join(text for _, text in bold_heading) == long_name
    for (
        x,
        text,
    ) in bold_heading:  # each line starts and ends inside the 75 mm column that begins at the 30 mm margin
        assert x >= 30 - 0.01
        assert x + _width_mm(text, "LiberationSerif-Bold.ttf", 14) <= 30 + 75 + 0.01


def test_long_person_name_wraps_in_the_body_of_both_formats():
    name = "Công Tằng Tôn Nữ Thị Phương Thảo Nguyễn Hoàng Bảo Ngọc Trâm Anh Huyền Trân"
    doc = recognition(person=replace(HANG, full_name=name))
    pdf_text = flat(" ".join(pdf_pages(render_pdf(doc))))
    assert f"Công nhận đồng chí {name}, vào Đảng" in pdf_text
    assert name in docx_text(render_docx(doc))
    assert filename(doc, "pdf") == (
        "quyet-dinh-cong-nhan-dang-vien-chinh-thuc-"
        "cong-tang-ton-nu-thi-phuong-thao-nguyen-hoang-bao-ngoc-tram-anh-huyen-tran.pdf"
    )


def test_an_overlong_decision_numbers_its_second_page_and_keeps_the_signature_whole():
    grounds = tuple(
        f"Căn cứ văn bản số {i}-HD/ĐU của Đảng ủy xã Bảo Thắng về một việc cần căn cứ" for i in range(1, 30)
    )
    pages = pdf_pages(render_pdf(admission(grounds=grounds)))
    assert len(pages) >= 2
    assert pages[1].lstrip().startswith("2")
    signature_pages = [i for i, page in enumerate(pages) if "T/M BAN THƯỜNG VỤ" in page]
    assert signature_pages == [i for i, page in enumerate(pages) if "Hoàng Văn Quỳnh" in page]
    assert "Nơi nhận:" in pages[signature_pages[0]]


# --- what callers may leave out ------------------------------------------------------------------------------


def test_missing_optional_fields_do_not_crash_and_leave_no_empty_labels():
    bare_person = Person(full_name="Lò Văn Ỵ", gender="M", birth_date=date(2000, 12, 31))
    bare_issuer = Issuer(superior_name="", name="Đảng ủy xã Bảo Thắng", place="")
    docs = [
        admission(issuer=bare_issuer, person=bare_person, number="", cell_name=""),
        recognition(issuer=bare_issuer, person=bare_person, number="", cell_name=""),
        transfer(issuer=bare_issuer, person=bare_person, number="", status_label="dự bị", full_on=None),
    ]
    for doc in docs:
        for text in (docx_text(render_docx(doc)), flat(" ".join(pdf_pages(render_pdf(doc))))):
            assert "Lò Văn Ỵ" in text
            assert "Giới tính: Nam; sinh ngày 31 tháng 12 năm 2000." in text
            for label in (
                "Quê quán",
                "Nơi cư trú",
                "Dân tộc",
                "Nghề nghiệp",
                "Số thẻ",
                "Số định danh",
                "Xét đề nghị",
            ):
                assert label not in text, label
            assert "ĐẢNG ỦY XÃ BẢO THẮNG" in text
            assert "Ngày " in text  # no place: the date line starts with the date itself
    letter = docx_text(render_docx(docs[2]))
    assert "Là đảng viên dự bị; vào Đảng ngày 1 tháng 1 năm 2020." in letter
    assert "chính thức ngày" not in letter
    assert re.search(r"Số\s+-GGT/ĐU", letter)  # the number is left to be written by hand
    assert re.search(r"Số\s+-QĐ/ĐU", docx_text(render_docx(docs[0])))


def test_callers_grounds_and_recipients_replace_the_defaults():
    doc = admission(
        grounds=("- Căn cứ Điều lệ Đảng Cộng sản Việt Nam;", "Căn cứ Quy chế làm việc của Đảng ủy xã"),
        recipients=("Ban Tổ chức Tỉnh ủy (để b/c)", "Chi bộ thôn Phú Hà", "Lưu Văn phòng Đảng ủy."),
    )
    text = docx_text(render_docx(doc))
    assert "294-QĐ/TW" not in text
    assert (
        "- Căn cứ Điều lệ Đảng Cộng sản Việt Nam;\n- Căn cứ Quy chế làm việc của Đảng ủy xã;\n- Xét đề nghị của Chi bộ thôn Phú Hà,"
        in text
    )
    assert "- Ban Tổ chức Tỉnh ủy (để b/c),\n- Chi bộ thôn Phú Hà,\n- Lưu Văn phòng Đảng ủy." in text


def test_the_deciding_body_follows_who_signs_on_behalf():
    assert "BAN THƯỜNG VỤ ĐẢNG ỦY XÃ BẢO THẮNG\nQUYẾT ĐỊNH" in docx_text(render_docx(admission()))
    committee = replace(ISSUER, signer_on_behalf="T/M ĐẢNG ỦY", signer_title="BÍ THƯ")
    text = docx_text(render_docx(admission(issuer=committee)))
    assert "\nĐẢNG ỦY XÃ BẢO THẮNG\nQUYẾT ĐỊNH" in text
    assert "T/M ĐẢNG ỦY\nBÍ THƯ" in text


def test_issue_dates_pad_days_below_ten_and_january_and_february():
    assert content.issue_date(date(2026, 3, 5)) == "ngày 05 tháng 3 năm 2026"
    assert content.issue_date(date(2026, 2, 12)) == "ngày 12 tháng 02 năm 2026"
    assert content.issue_date(date(2026, 11, 30)) == "ngày 30 tháng 11 năm 2026"
    assert content.long_date(date(2026, 3, 5)) == "ngày 5 tháng 3 năm 2026"


def test_file_names_are_ascii_and_say_what_the_document_is():
    assert filename(admission(), "docx") == "quyet-dinh-ket-nap-nguyen-thi-hang.docx"
    assert filename(recognition(), ".pdf") == "quyet-dinh-cong-nhan-dang-vien-chinh-thuc-nguyen-thi-hang.pdf"
    assert (
        filename(transfer(person=replace(HANG, full_name="Đặng Thị Ỵ")), "PDF")
        == "giay-gioi-thieu-sinh-hoat-dang-dang-thi-y.pdf"
    )


def test_rendering_something_else_is_refused():
    with pytest.raises(TypeError):
        render_pdf(HANG)
    with pytest.raises(TypeError):
        filename(HANG, "pdf")


def test_rendering_twice_gives_the_same_word_file(monkeypatch):
    assert render_docx(admission()) == render_docx(admission())
    # python-docx stamps the archive's parts with the clock: two renders seconds apart (found
    # by a test run that crossed a two-second boundary) give the same bytes all the same
    first = render_docx(admission())
    later = time.time() + 7
    monkeypatch.setattr(time, "time", lambda: later)
    assert render_docx(admission()) == first


def test_the_package_stands_alone():
    """It must not pull in the member or organization apps (nor Django): callers pass plain data."""
    code = (
        "import sys, dangbo.documents.render; "
        "print(sorted(m for m in sys.modules if m.startswith(('dangbo.members', 'dangbo.orgs', 'dangbo.rules', 'django'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
