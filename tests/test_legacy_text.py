"""TCVN3 and VNI text (as Excel shows it) back to Unicode, and telling the encodings apart."""

from __future__ import annotations

import unicodedata

import pytest

from dangbo.core.legacy_text import (
    TCVN3,
    TCVN3_TABLE,
    UNICODE,
    VNI,
    VNI_TABLE,
    detect,
    is_syllable,
    to_unicode,
    votes,
)

# Every vowel of the alphabet with every tone (none, sắc, huyền, hỏi, ngã, nặng), written out.
VOWELS = ("aáàảãạ ăắằẳẵặ âấầẩẫậ eéèẻẽẹ êếềểễệ iíìỉĩị oóòỏõọ ôốồổỗộ ơớờởỡợ uúùủũụ ưứừửữự yýỳỷỹỵ").replace(
    " ", ""
)
LETTERS = VOWELS + "đ"
ALL_LETTERS = LETTERS + LETTERS.upper()

TCVN3_OF = {letter: code for code, letter in TCVN3_TABLE.items()}
VNI_OF = {letter: code for code, letter in VNI_TABLE.items()}


def tcvn3_encode(text: str) -> str:
    """Unicode → TCVN3 as typed: a capital without a code takes its small letter's code
    (the capitals font draws it upper case)."""
    return "".join(
        ch if ch.isascii() else TCVN3_OF.get(ch) or TCVN3_OF[ch.lower()]
        for ch in unicodedata.normalize("NFC", text)
    )


def vni_encode(text: str) -> str:
    return "".join(ch if ch.isascii() else VNI_OF[ch] for ch in unicodedata.normalize("NFC", text))


# --- the tables ---------------------------------------------------------------------------


def test_the_alphabet_has_67_letters_in_each_case_and_the_vni_table_covers_them_all():
    assert len(set(LETTERS)) == 73  # 12 vowels × 6 tones + đ
    non_ascii = {ch for ch in ALL_LETTERS if not ch.isascii()}
    assert set(VNI_TABLE.values()) == non_ascii


def test_tcvn3_has_every_small_letter_and_seven_capitals():
    small = {ch for ch in LETTERS if not ch.isascii()}
    assert set(TCVN3_TABLE.values()) == small | set("ĂÂÊÔƠƯĐ")
    # one code per letter, all in the cp1252 range where cp1252 and Latin-1 agree
    assert len(TCVN3_OF) == len(TCVN3_TABLE)
    assert all(0xA0 <= ord(code) <= 0xFF for code in TCVN3_TABLE)


def test_vni_marks_are_latin1_bytes_after_an_ascii_base():
    for code in VNI_TABLE:
        assert all(0x41 <= ord(ch) <= 0xFF for ch in code)
        if len(code) == 2:
            assert code[0] in "aeouyAEOUYôöÔÖ"


@pytest.mark.parametrize("letter", [ch for ch in ALL_LETTERS if not ch.isascii()])
def test_every_letter_round_trips_through_vni(letter):
    word = "b" + letter + "n" if letter.islower() else "B" + letter + "N"
    assert to_unicode(vni_encode(word), VNI) == word


@pytest.mark.parametrize("letter", [ch for ch in ALL_LETTERS if not ch.isascii()])
def test_every_letter_round_trips_through_tcvn3(letter):
    # capitals come back from a word in capitals, as the .VnTimeH font showed them
    word = "b" + letter + "n" if letter.islower() else "B" + letter + "N"
    assert to_unicode(tcvn3_encode(word), TCVN3) == word


# --- well-known strings, written out by hand ----------------------------------------------

KNOWN = [
    # (Unicode, TCVN3 as Excel shows it, VNI as Excel shows it)
    ("Nguyễn Văn Đức", "NguyÔn V¨n §øc", "Nguyeãn Vaên Ñöùc"),
    ("Trần Thị Hương", "TrÇn ThÞ H\u00ad¬ng", "Traàn Thò Höông"),
    ("Đảng bộ xã Tân Phú", "§¶ng bé x· T©n Phó", "Ñaûng boä xaõ Taân Phuù"),
    ("Chi bộ thôn Bản Lầu", "Chi bé th«n B¶n LÇu", "Chi boä thoân Baûn Laàu"),
    ("Lào Cai", "Lµo Cai", "Laøo Cai"),
    ("Kinh", "Kinh", "Kinh"),
    ("Phật giáo", "PhËt gi¸o", "Phaät giaùo"),
    ("Hồ Chí Minh", "Hå ChÝ Minh", "Hoà Chí Minh"),
    ("Mường Khương", "M\u00adêng Kh\u00ad¬ng", "Möôøng Khöông"),
    ("Bảo Thắng", "B¶o Th¾ng", "Baûo Thaéng"),
    ("Bát Xát", "B¸t X¸t", "Baùt Xaùt"),
    ("Ủy ban nhân dân", "ñy ban nh©n d©n", "UÛy ban nhaân daân"),
    ("NGUYỄN THỊ THU HÀ", "NGUYÔN THÞ THU Hµ", "NGUYEÃN THÒ THU HAØ"),
    ("ĐẢNG CỘNG SẢN VIỆT NAM", "§¶NG CéNG S¶N VIÖT NAM", "ÑAÛNG COÄNG SAÛN VIEÄT NAM"),
]


@pytest.mark.parametrize(("unicode", "tcvn3", "vni"), KNOWN)
def test_known_strings_convert_from_tcvn3(unicode, tcvn3, vni):
    if unicode == "Ủy ban nhân dân":
        # TCVN3 has no Ủ: typed in .VnTime it is the small ủ, and comes back so
        assert to_unicode(tcvn3, TCVN3) == "ủy ban nhân dân"
    else:
        assert to_unicode(tcvn3, TCVN3) == unicode


@pytest.mark.parametrize(("unicode", "tcvn3", "vni"), KNOWN)
def test_known_strings_convert_from_vni(unicode, tcvn3, vni):
    assert to_unicode(vni, VNI) == unicode


@pytest.mark.parametrize(("unicode", "tcvn3", "vni"), KNOWN)
def test_the_test_encoders_agree_with_the_written_out_forms(unicode, tcvn3, vni):
    assert vni_encode(unicode) == vni
    assert tcvn3_encode(unicode) == tcvn3


def test_a_single_capital_word_in_tcvn3_keeps_its_small_accent():
    # one capital only ("Hồ", not "HỒ"): nothing says the word was in capitals
    assert to_unicode("Hå", TCVN3) == "Hồ"
    assert to_unicode("HÅ", TCVN3) != "HỒ"  # Å is no TCVN3 code
    assert to_unicode("Hå CHÝ MINH", TCVN3) == "HỒ CHÍ MINH"


def test_unicode_is_normalised_to_nfc():
    decomposed = unicodedata.normalize("NFD", "Nguyễn Văn Đức")
    assert to_unicode(decomposed, UNICODE) == "Nguyễn Văn Đức"
    assert unicodedata.is_normalized("NFC", to_unicode(decomposed, UNICODE))


def test_a_unicode_cell_in_a_legacy_file_is_left_alone():
    assert to_unicode("Nguyễn Văn Đức", TCVN3) == "Nguyễn Văn Đức"
    assert to_unicode("Trần Thị Hương", VNI) == "Trần Thị Hương"
    assert to_unicode(unicodedata.normalize("NFD", "Lê Hà"), TCVN3) == "Lê Hà"
    # only Latin-1 letters, but "Hà" is no TCVN3 and reads as Vietnamese in Unicode
    assert to_unicode("Lê Hà", TCVN3) == "Lê Hà"


def test_ascii_and_empty_text_are_unchanged():
    assert to_unicode("", TCVN3) == ""
    assert to_unicode("Kinh 12/3", VNI) == "Kinh 12/3"


def test_unknown_encoding_is_a_programming_error():
    with pytest.raises(ValueError, match="latin"):
        to_unicode("x", "latin")


# --- the syllable check -------------------------------------------------------------------


@pytest.mark.parametrize(
    "word",
    ["nguyễn", "Đức", "hương", "khuya", "quốc", "nghiệp", "gì", "giáo", "Đắk", "ông", "thuở", "Ê", "yêu"],
)
def test_vietnamese_syllables_are_recognised(word):
    assert is_syllable(word)


@pytest.mark.parametrize(
    "word",
    ["café", "cafộ", "Müller", "nguyeón", "vaờn", "ẹửực", "bàc", "hoáà", "ñ", "xtiêng", "strong"],
)
def test_other_words_are_not_syllables(word):
    assert not is_syllable(word)


# --- detection ----------------------------------------------------------------------------

NAMES = [
    "Nguyễn Văn Đức",
    "Trần Thị Hương",
    "Lê Thị Hoa",
    "Phạm Đình Thủy",
    "Hoàng Văn Nam",
    "Vũ Thị Lan",
    "Đỗ Mạnh Cường",
    "Bùi Thị Ngọc Ánh",
    "Lò Văn Pao",
    "Sùng A Sử",
    "Đảng bộ xã Tân Phú",
    "Chi bộ thôn Bản Lầu",
    "Lào Cai",
    "Kinh",
    "Mông",
    "Phật giáo",
    "Không",
    "Thị trấn Sa Pa",
    "Huyện Bảo Thắng",
]


def test_unicode_nfc_is_unicode():
    assert detect(NAMES) == UNICODE
    assert votes(NAMES)[TCVN3] == votes(NAMES)[VNI] == 0


def test_unicode_nfd_is_unicode():
    assert detect([unicodedata.normalize("NFD", name) for name in NAMES]) == UNICODE


def test_ascii_is_unicode():
    assert detect(["Nguyen Van Duc", "Kinh", "Lao Cai", "12/03/1990", "012345678901"]) == UNICODE
    assert detect([]) == UNICODE


def test_tcvn3_is_tcvn3():
    assert detect([tcvn3_encode(name) for name in NAMES]) == TCVN3
    assert detect([tcvn3 for _, tcvn3, _ in KNOWN]) == TCVN3


def test_vni_is_vni():
    assert detect([vni_encode(name) for name in NAMES]) == VNI
    assert detect([vni for _, _, vni in KNOWN]) == VNI


def test_one_short_legacy_name_is_enough():
    assert detect(["NguyÔn V¨n §øc"]) == TCVN3
    assert detect(["Nguyeãn Vaên Ñöùc"]) == VNI


def test_a_mostly_tcvn3_file_with_some_unicode_cells_is_tcvn3():
    sample = [tcvn3_encode(name) for name in NAMES] + NAMES[:4]
    assert detect(sample) == TCVN3


def test_a_mostly_vni_file_with_ascii_and_unicode_cells_is_vni():
    sample = [vni_encode(name) for name in NAMES] + NAMES[:3] + ["Nguyen Van A", "Kinh"] * 10
    assert detect(sample) == VNI


def test_a_unicode_file_with_a_few_legacy_cells_stays_unicode():
    sample = NAMES * 3 + [tcvn3_encode(NAMES[0]), vni_encode(NAMES[1])]
    assert detect(sample) == UNICODE


def test_a_file_half_and_half_is_not_called_legacy():
    sample = NAMES + [tcvn3_encode(name) for name in NAMES]
    assert detect(sample) == UNICODE


@pytest.mark.parametrize(
    "sample",
    [
        ["café", "crème brûlée", "Noël", "François", "Müller", "José", "Hélène", "señor", "Zoë"],
        [*NAMES, "Café Trung Nguyên", "Pháp: Hélène Dupont", "Đức: Jürgen Müller"],
        ["Café", "Lê Hà", "Tô Hoài", "Võ Thị Sáu"],
    ],
)
def test_accented_foreign_words_in_unicode_are_not_taken_for_legacy(sample):
    assert detect(sample) == UNICODE
    counted = votes(sample)
    assert counted[TCVN3] < 2
    assert counted[VNI] < 2
