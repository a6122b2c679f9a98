"""Vietnamese text typed in the legacy 8-bit encodings, read back as Unicode.

Party offices kept their books in Excel long before Unicode fonts were usual. Two encodings
survive in those files:

* **TCVN3** (TCVN 5712:1993 "VN3", typed with the ABC keyboard in the ``.VnTime`` fonts): one
  byte per accented letter.
* **VNI** (VNI-Windows, typed in the ``VNI-Times`` fonts): an ASCII base letter followed by a
  byte that draws the marks, so most accented letters take two characters.

Excel stores such a cell as the characters Windows read from the bytes in code page 1252, so
"Nguyễn Văn Đức" is found in the file as ``NguyÔn V¨n §øc`` (TCVN3) or ``Nguyeãn Vaên Ñöùc``
(VNI). Every byte these encodings use lies in 0xA0–0xFF, where cp1252 and Latin-1 agree, so
the tables below are written in those characters.

Sources of the tables (checked against each other, entry by entry):

* TCVN3: GNU libiconv, ``lib/tcvn.h`` (TCVN-5712 to Unicode, rows 0xA0–0xFF), also in the
  X-TrueType server's ``TCVN/TCVNtoUCS2.c``.
* VNI: xvnkb, ``vni.h`` (Dao Hai Lam, VISC), and duydev/vietnamese-conversion,
  ``src/charsets.ts`` (Unicode ↔ VNI, TCVN3, VIQR).

**Capitals in TCVN3.** VN3 gives a code of its own to only seven capitals (Ă Â Ê Ô Ơ Ư Đ);
every accented capital (Ấ, Ờ, Ứ, …) shares the code of its small letter. Offices wrote
capitals by switching to the capitals font (``.VnTimeH``), which draws the same codes as
capitals, so the font — which the file does not keep in a form we read — is what made
"NGUYỄN" upper case. We therefore restore capitals from context: a word (or a whole string)
whose letters of known case are all capitals, at least two of them, is upper-cased; a word
with one capital only ("Hå" — Hồ) stays as written. Text typed in lower case under
``.VnTimeH`` (shown in capitals on screen) comes back in lower case: it cannot be told apart.
So does the first letter of a name typed in ``.VnTime`` whose capital has no code ("¸nh" →
"ánh", not "Ánh"): callers that know a cell holds a name may title-case it. TCVN3's ư is
U+00AD, the soft hyphen, which some tools drop ("Mêng" for "M\u00adêng", Mường): such text
reads "Mờng" and cannot be mended here.
The upper-case letters TCVN 5712 places in the control range and in 0x80–0x9F (the "VN1"
full set) are not decoded: VN3 fonts do not have them, and in cp1252 text those positions
hold ordinary punctuation (– ‘ ’ “ ” …). Neither are the VN1 capitals squeezed into 0xA0–0xFF
(À Á Â Ã Ä Å Í Ù Ú Û à ð ÿ ¯ º ¿) nor the combining tones at 0xB0–0xB4 (° ± ² ³ ´): ABC
files do not contain them, and leaving them out keeps a stray "Hà" or "37°" unconverted.

**Detection** (``detect``). Each word holding a non-ASCII character is read three ways —
as Unicode, as TCVN3, as VNI — and a reading counts when every character decodes and the
result is a well-formed Vietnamese syllable (an initial consonant, a vowel group of the
language, a final consonant, at most one tone placed on a vowel, and only the sắc or nặng
tone before a final c/ch/k/p/t). A word votes for an encoding when exactly one reading is
well formed; a word holding a Vietnamese letter outside Latin-1 (ư, ơ, đ, ạ, … or a
combining mark, i.e. NFD) votes Unicode outright, because cp1252 text cannot contain one.
The sample is legacy when one legacy encoding has at least ``MIN_LEGACY_VOTES`` votes and
``LEGACY_SHARE`` of all votes; otherwise it is Unicode. Two votes let one short name decide;
the share keeps a file that is half Unicode from being converted as a whole. Plain ASCII casts no vote, and a
French "café" in a Unicode sample reads as no syllable in any encoding, so neither makes a
sample legacy.

**Mixed files.** ``to_unicode`` leaves alone a string that is plainly Unicode already (it
holds a Vietnamese letter outside Latin-1, or its words read better as Unicode than in the
file's encoding), so a cell retyped in Unicode inside a TCVN3 file survives.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable

UNICODE, TCVN3, VNI = "unicode", "tcvn3", "vni"
ENCODINGS = (UNICODE, TCVN3, VNI)

MIN_LEGACY_VOTES = 2
LEGACY_SHARE = 0.6

# Rows: the letter without tone, then sắc, huyền, hỏi, ngã, nặng (the order of both sources).
_TONED_ROWS = """
a á à ả ã ạ
ă ắ ằ ẳ ẵ ặ
â ấ ầ ẩ ẫ ậ
e é è ẻ ẽ ẹ
ê ế ề ể ễ ệ
i í ì ỉ ĩ ị
o ó ò ỏ õ ọ
ô ố ồ ổ ỗ ộ
ơ ớ ờ ở ỡ ợ
u ú ù ủ ũ ụ
ư ứ ừ ử ữ ự
y ý ỳ ỷ ỹ ỵ
"""

# TCVN3 codes, row for row with _TONED_ROWS ("-" marks the plain ASCII letter, which keeps
# its code). libiconv tcvn.h: 0xB8 á, 0xB5 à, 0xB6 ả, 0xB7 ã, 0xB9 ạ, ... 0xAD ư (soft hyphen).
_TCVN3_ROWS = """
- ¸ µ ¶ · ¹
¨ ¾ » ¼ ½ Æ
© Ê Ç È É Ë
- Ð Ì Î Ï Ñ
ª Õ Ò Ó Ô Ö
- Ý × Ø Ü Þ
- ã ß á â ä
« è å æ ç é
¬ í ê ë ì î
- ó ï ñ ò ô
\u00ad ø õ ö ÷ ù
- ý ú û ü þ
"""

# The codes of their own: the seven capitals and đ/Đ (libiconv tcvn.h 0xA1–0xA7, 0xAE).
_TCVN3_OTHERS = {"¡": "Ă", "¢": "Â", "£": "Ê", "¤": "Ô", "¥": "Ơ", "¦": "Ư", "§": "Đ", "®": "đ"}


def _tcvn3_table() -> dict[str, str]:
    table = dict(_TCVN3_OTHERS)
    for letters, codes in zip(_TONED_ROWS.split("\n")[1:-1], _TCVN3_ROWS.split("\n")[1:-1], strict=True):
        for letter, code in zip(letters.split(" "), codes.split(" "), strict=True):
            if code != "-":
                table[code] = letter
    return table


TCVN3_TABLE: dict[str, str] = _tcvn3_table()
"""TCVN3 character (as cp1252 shows it) → Unicode letter; small letters and 7 capitals."""

# VNI, small letters, row for row with _TONED_ROWS (xvnkb vni.h; duydev charsets.ts).
_VNI_LOWER_ROWS = """
a aù aø aû aõ aï
aê aé aè aú aü aë
aâ aá aà aå aã aä
e eù eø eû eõ eï
eâ eá eà eå eã eä
i í ì æ ó ò
o où oø oû oõ oï
oâ oá oà oå oã oä
ô ôù ôø ôû ôõ ôï
u uù uø uû uõ uï
ö öù öø öû öõ öï
y yù yø yû yõ î
"""

# VNI capitals: each byte's capital, as both sources list them.
_VNI_UPPER_ROWS = """
A AÙ AØ AÛ AÕ AÏ
AÊ AÉ AÈ AÚ AÜ AË
AÂ AÁ AÀ AÅ AÃ AÄ
E EÙ EØ EÛ EÕ EÏ
EÂ EÁ EÀ EÅ EÃ EÄ
I Í Ì Æ Ó Ò
O OÙ OØ OÛ OÕ OÏ
OÂ OÁ OÀ OÅ OÃ OÄ
Ô ÔÙ ÔØ ÔÛ ÔÕ ÔÏ
U UÙ UØ UÛ UÕ UÏ
Ö ÖÙ ÖØ ÖÛ ÖÕ ÖÏ
Y YÙ YØ YÛ YÕ Î
"""


def _vni_table() -> dict[str, str]:
    table = {"ñ": "đ", "Ñ": "Đ"}
    rows = _TONED_ROWS.split("\n")[1:-1]
    for vni_rows, upper in ((_VNI_LOWER_ROWS, False), (_VNI_UPPER_ROWS, True)):
        for letters, codes in zip(rows, vni_rows.split("\n")[1:-1], strict=True):
            for letter, code in zip(letters.split(" "), codes.split(" "), strict=True):
                if not code.isascii():
                    table[code] = letter.upper() if upper else letter
    return table


VNI_TABLE: dict[str, str] = _vni_table()
"""VNI sequence (one or two characters, as cp1252 shows them) → Unicode letter."""

_VNI_PAIRS = {key: value for key, value in VNI_TABLE.items() if len(key) == 2}
_VNI_SINGLES = {key: value for key, value in VNI_TABLE.items() if len(key) == 1}

# Letters of Vietnamese outside Latin-1 (and the combining marks of NFD text): cp1252 text,
# hence TCVN3 or VNI, can never hold one.
_BEYOND_LATIN1 = re.compile(r"[ĂăĐđĨĩŨũƠơƯư\u1ea0-\u1ef9\u0300\u0301\u0303\u0309\u0323\u0302\u0306\u031b]")

# Words: split on white space, digits and punctuation; TCVN3 codes are Latin-1 symbols, so
# those must stay inside words.
_SEPARATOR = r"[\s0-9!-/:-@\[-`{-~\u2010-\u2027\u00a0]+"
_SEPARATORS = re.compile(_SEPARATOR)


def _words(text: str) -> list[str]:
    return [word for word in _SEPARATORS.split(text) if word]


# --- decoding -----------------------------------------------------------------------------


def _decode_tcvn3(text: str) -> str:
    return "".join(TCVN3_TABLE.get(ch, ch) for ch in text)


def _decode_vni(text: str) -> tuple[str, bool]:
    """``text`` read as VNI, and whether every non-ASCII character was a VNI code."""
    out: list[str] = []
    complete = True
    i = 0
    while i < len(text):
        pair = text[i : i + 2]
        letter = _VNI_PAIRS.get(pair)
        if letter is None and len(pair) == 2:
            # a capital base with a small mark byte (or the reverse), from mixed fonts or
            # edits: the base letter gives the case
            swapped = _VNI_PAIRS.get(pair[0] + pair[1].swapcase())
            if swapped is not None:
                letter = swapped.upper() if pair[0].isupper() else swapped.lower()
        if letter is not None:
            out.append(letter)
            i += 2
            continue
        single = _VNI_SINGLES.get(text[i])
        if single is None and not text[i].isascii():
            complete = False
        out.append(single or text[i])
        i += 1
    return "".join(out), complete


def _reading(word: str, encoding: str) -> str | None:
    """``word`` read in ``encoding``, or None when a character of it is no code of that encoding."""
    if encoding == UNICODE:
        return unicodedata.normalize("NFC", word)
    if encoding == TCVN3:
        if any(not ch.isascii() and ch not in TCVN3_TABLE for ch in word):
            return None
        return _decode_tcvn3(word)
    decoded, complete = _decode_vni(word)
    return decoded if complete else None


# --- the syllable check -------------------------------------------------------------------

_TONES = {"\u0301": "sac", "\u0300": "huyen", "\u0309": "hoi", "\u0303": "nga", "\u0323": "nang"}
_INITIALS = "ngh|ng|gh|gi|kh|nh|ph|th|tr|ch|qu|b|c|d|đ|g|h|k|l|m|n|p|r|s|t|v|x"
_NUCLEI = (
    "iêu|yêu|oai|oao|oay|oeo|uây|uôi|uya|uyê|uyu|ươi|ươu|"
    "ai|ao|au|ay|âu|ây|eo|êu|ia|iê|iu|oa|oă|oe|oi|ôi|ơi|oo|ua|uâ|uê|ui|uô|uơ|uy|ưa|ưi|ươ|ưu|yê|"
    "a|ă|â|e|ê|i|o|ô|ơ|u|ư|y"
)
_FINALS = "ch|c|k|m|ng|nh|n|p|t"
_SYLLABLE = re.compile(rf"^(?:{_INITIALS})?({_NUCLEI})({_FINALS})?$")
_VOWELS = set("aeiouy")
_LETTER_MARKS = "\u0302\u0306\u031b"


def is_syllable(word: str) -> bool:
    """Whether ``word`` (Unicode) is a well-formed Vietnamese syllable, by its shape only."""
    kept: list[str] = []
    tones: list[str] = []
    last_base = ""
    for ch in unicodedata.normalize("NFD", word.lower()):
        if ch in _TONES or ch in _LETTER_MARKS:
            # tones and the breve, circumflex and horn sit on a vowel
            if last_base not in _VOWELS:
                return False
            if ch in _TONES:
                tones.append(_TONES[ch])
                continue
        elif unicodedata.combining(ch):
            return False
        else:
            last_base = ch
        kept.append(ch)
    if len(tones) > 1:
        return False
    match = _SYLLABLE.match(unicodedata.normalize("NFC", "".join(kept)))
    if match is None:
        return False
    final = match.group(2)
    return not (final in {"c", "ch", "k", "p", "t"} and tones and tones[0] not in {"sac", "nang"})


# --- detection ----------------------------------------------------------------------------


def _word_vote(word: str) -> str | None:
    if word.isascii():
        return None
    if _BEYOND_LATIN1.search(word):
        return UNICODE
    readings = [enc for enc in ENCODINGS if (text := _reading(word, enc)) and is_syllable(text)]
    return readings[0] if len(readings) == 1 else None


def votes(samples: Iterable[str]) -> Counter[str]:
    """Votes per encoding of the words of ``samples`` (see the module docstring)."""
    counted: Counter[str] = Counter()
    for sample in samples:
        if not isinstance(sample, str):
            continue
        for word in _words(sample):
            vote = _word_vote(word)
            if vote is not None:
                counted[vote] += 1
    return counted


def detect(samples: Iterable[str]) -> str:
    """The encoding of a file's texts: "unicode", "tcvn3" or "vni".

    ``samples`` are texts of the file (names, places: a few hundred are plenty). A legacy
    encoding is chosen only on clear evidence: ``MIN_LEGACY_VOTES`` words that read as
    Vietnamese in that encoding alone, and ``LEGACY_SHARE`` of all decisive words.
    """
    counted = votes(samples)
    total = sum(counted.values())
    legacy = max((TCVN3, VNI), key=lambda enc: counted[enc])
    if counted[legacy] >= MIN_LEGACY_VOTES and counted[legacy] >= LEGACY_SHARE * total:
        return legacy
    return UNICODE


# --- conversion ---------------------------------------------------------------------------


def to_unicode(text: str, encoding: str) -> str:
    """``text`` (as Excel shows it, in ``encoding``) as NFC Unicode.

    A string that is plainly Unicode already is only normalised, whatever ``encoding`` says
    (a cell retyped in Unicode inside a legacy file). TCVN3 words written in capitals get
    their accented capitals back (see "Capitals in TCVN3" above).
    """
    if encoding not in ENCODINGS:
        raise ValueError(f"unknown encoding {encoding!r}; expected one of {ENCODINGS}")
    if encoding == UNICODE or not text or text.isascii() or _BEYOND_LATIN1.search(text):
        return unicodedata.normalize("NFC", text)
    counted = votes([text])
    if counted[UNICODE] > counted[encoding]:
        return unicodedata.normalize("NFC", text)
    if encoding == VNI:
        return unicodedata.normalize("NFC", _decode_vni(text)[0])
    return unicodedata.normalize("NFC", _restore_tcvn3_capitals(text))


_TCVN3_CAPITALS = frozenset("¡¢£¤¥¦§")
_SPLIT_KEEP = re.compile(f"({_SEPARATOR})")


def _case_counts(text: str) -> tuple[int, int]:
    """(capitals, small letters) among the letters whose case the TCVN3 codes keep."""
    upper = sum(1 for ch in text if (ch.isascii() and ch.isupper()) or ch in _TCVN3_CAPITALS)
    lower = sum(1 for ch in text if ch.isascii() and ch.islower())
    return upper, lower


def _restore_tcvn3_capitals(text: str) -> str:
    upper, lower = _case_counts(text)
    if upper >= 2 and lower == 0:
        return _decode_tcvn3(text).upper()
    parts = _SPLIT_KEEP.split(text)
    out = []
    for part in parts:
        decoded = _decode_tcvn3(part)
        word_upper, word_lower = _case_counts(part)
        out.append(decoded.upper() if word_upper >= 2 and word_lower == 0 else decoded)
    return "".join(out)
