"""Vietnamese text: normalisation, folding for search, and the name sort key.

Everything that compares, searches or orders Vietnamese text goes through here
(DESIGN.md decision 6), so the rules live in one place:

* ``clean`` — NFC, trimmed, inner whitespace collapsed: what is stored.
* ``fold`` — lower case, no diacritics, đ→d: the search key. Old and new tone
  placement ("hòa"/"hoà") fold to the same text because tones are dropped.
* ``collation_key`` — a string of ASCII digits whose byte order is the order of
  ICU's Vietnamese collation (CLDR ``vi``: ă after a, â after ă, đ after d, ...;
  tones as secondary differences ordered ngang < huyền < hỏi < ngã < sắc < nặng).
  The PostgreSQL test suite checks it against the ``vi-x-icu`` collation.
* ``name_sort_key`` — given name first, then family and middle names, as
  Vietnamese lists are ordered.
* ``org_sort_key`` — an organization's name in Vietnamese order, its numbers by
  value ("Chi bộ Tổ dân phố số 2" before "số 10"), as officers list them.

Keys are made of digits only, so they sort the same under any database
collation; the columns that hold them still use a binary collation
(``core.fields.BinaryCharField``).
"""

from __future__ import annotations

import re
import unicodedata

_WS = re.compile(r"\s+")

# Primary order of base letters (CLDR vi tailoring; f, j, w, z keep their Latin places).
_LETTERS = [
    "a",
    "ă",
    "â",
    "b",
    "c",
    "d",
    "đ",
    "e",
    "ê",
    "f",
    "g",
    "h",
    "i",
    "j",
    "k",
    "l",
    "m",
    "n",
    "o",
    "ô",
    "ơ",
    "p",
    "q",
    "r",
    "s",
    "t",
    "u",
    "ư",
    "v",
    "w",
    "x",
    "y",
    "z",
]
_LETTER_CODE = {letter: f"{20 + i:02d}" for i, letter in enumerate(_LETTERS)}
_DIGIT_CODE = {str(d): f"{5 + d:02d}" for d in range(10)}
_SPACE, _HYPHEN, _APOSTROPHE, _OTHER = "01", "02", "03", "04"

# Combining marks that make a new letter (primary difference) ...
_LETTER_MARKS = {"\u0306": "breve", "\u0302": "circumflex", "\u031b": "horn"}
_WITH_MARK: dict[tuple[str, str | None], str] = {
    ("a", "breve"): "ă",
    ("a", "circumflex"): "â",
    ("e", "circumflex"): "ê",
    ("o", "circumflex"): "ô",
    ("o", "horn"): "ơ",
    ("u", "horn"): "ư",
}
# ... and the five tone marks (secondary difference), in collation order.
_TONE_CODE = {"\u0300": "2", "\u0309": "3", "\u0303": "4", "\u0301": "5", "\u0323": "6"}
_NO_TONE = "1"

_TONE_MARKS = "".join(_TONE_CODE)


def clean(value: str | None) -> str:
    """NFC, trimmed, inner whitespace collapsed. The form in which text is stored."""
    if not value:
        return ""
    return _WS.sub(" ", unicodedata.normalize("NFC", value)).strip()


def clean_lines(value: str | None) -> str:
    """``clean`` line by line, for long texts (an agenda, minutes, a resolution): the lines are
    kept — they are the points of the text — runs of blank lines become one, and line endings
    become ``\n``."""
    if not value:
        return ""
    lines = [clean(line) for line in unicodedata.normalize("NFC", value).splitlines()]
    text = "\n".join(lines).strip("\n")
    return re.sub(r"\n{3,}", "\n\n", text)


def fold(value: str | None) -> str:
    """Lower case without diacritics, đ→d: "Nguyễn Văn Đức" → "nguyen van duc"."""
    text = clean(value).lower().replace("đ", "d")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _split_letters(text: str):
    """Yield (base letter, tone mark or '') for each character of lower-case NFD text."""
    decomposed = unicodedata.normalize("NFD", text)
    base: str | None = None
    mark: str | None = None
    tone = ""
    for ch in decomposed:
        if unicodedata.combining(ch):
            if ch in _LETTER_MARKS:
                mark = _LETTER_MARKS[ch]
            elif ch in _TONE_CODE:
                tone = ch
            continue
        if base is not None:
            yield _WITH_MARK.get((base, mark), base), tone
        base, mark, tone = ch, None, ""
    if base is not None:
        yield _WITH_MARK.get((base, mark), base), tone


# Syllables "oa", "oe", "uy" without a final consonant take the tone on the first
# vowel in the traditional placement (hòa, khỏe, thúy) and on the second in the
# new one (hoà, khoẻ, thuý). The sort key uses the traditional placement for both.
_NEW_PLACEMENT = re.compile(r"(?<![qQ])([oOuU])([aAeEyY])([" + _TONE_MARKS + r"])(?![a-zA-Zđ\u0300-\u036f])")


def canonical_tone_placement(value: str) -> str:
    decomposed = unicodedata.normalize("NFD", value)
    moved = _NEW_PLACEMENT.sub(
        lambda m: m.group(1) + m.group(3) + m.group(2) if _pair_ok(m) else m.group(0),
        decomposed,
    )
    return unicodedata.normalize("NFC", moved)


def _pair_ok(match: re.Match) -> bool:
    first, second = match.group(1).lower(), match.group(2).lower()
    return (first, second) in {("o", "a"), ("o", "e"), ("u", "y")}


def collation_key(value: str | None) -> str:
    """Digits whose byte order follows ICU's Vietnamese collation (primary, then tones)."""
    text = canonical_tone_placement(clean(value).lower())
    primary: list[str] = []
    secondary: list[str] = []
    for letter, tone in _split_letters(text):
        if letter in _LETTER_CODE:
            primary.append(_LETTER_CODE[letter])
        elif letter in _DIGIT_CODE:
            primary.append(_DIGIT_CODE[letter])
        elif letter == " ":
            primary.append(_SPACE)
        elif letter == "-":
            primary.append(_HYPHEN)
        elif letter in "'’":
            primary.append(_APOSTROPHE)
        else:
            primary.append(_OTHER)
        secondary.append(_TONE_CODE.get(tone, _NO_TONE))
    # "00" ends the primary part (lower than any code), "0" the secondary part.
    return "".join(primary) + "00" + "".join(secondary) + "0"


def name_sort_key(family_name: str, middle_name: str, given_name: str) -> str:
    """Order by given name, then family and middle names, in Vietnamese order."""
    rest = " ".join(part for part in (clean(family_name), clean(middle_name)) if part)
    return collation_key(given_name) + collation_key(rest)


MAX_PREFIXES = 36


def _folded_codes() -> dict[str, list[str]]:
    """The codes of the letters a folded character stands for (``fold`` drops the marks that
    ``collation_key`` reads as other letters: ă, â, đ, ê, ô, ơ, ư), and of the digits and
    joiners a name may hold."""
    codes: dict[str, list[str]] = {}
    for letter, code in _LETTER_CODE.items():
        codes.setdefault(fold(letter), []).append(code)
    codes.update({digit: [code] for digit, code in _DIGIT_CODE.items()})
    codes.update({"-": [_HYPHEN], "'": [_APOSTROPHE], "’": [_APOSTROPHE]})
    return codes


_FOLDED_CODES = _folded_codes()


def given_name_prefixes(word: str) -> list[str] | None:
    """The beginnings of ``name_sort_key`` of every name whose given name begins with the
    folded ``word`` ("yen" → the keys of «Yên», «Yến», «Yểng» ...): one for each way of writing
    the word's letters back (a → a, ă, â; d → d, đ; e → e, ê; o → o, ô, ơ; u → u, ư), so the
    names are a few contiguous ranges of the name order, each ``[prefix, prefix + ":")``.
    None when the word holds a character the key spells another way, or has too many
    readings to be worth reading as ranges (``MAX_PREFIXES``)."""
    prefixes = [""]
    for char in word:
        codes = _FOLDED_CODES.get(char)
        if codes is None or len(prefixes) * len(codes) > MAX_PREFIXES:
            return None
        prefixes = [prefix + code for prefix in prefixes for code in codes]
    return prefixes if word else None


_NUMBER = re.compile(r"\d+")
# Numbers in names are compared on this many digits (longer ones as they are).
_NUMBER_WIDTH = 6


def org_sort_key(name: str | None) -> str:
    """An organization's name in Vietnamese order (``collation_key``), with every number
    compared by its value: "số 2" before "số 10", where ICU (and ``collation_key``) would put
    "số 10" first. The key is at most about 800 digits (``Org.sort_key``)."""
    padded = _NUMBER.sub(lambda m: m.group(0).rjust(_NUMBER_WIDTH, "0"), clean(name))
    return collation_key(padded[:255])


def full_name(family_name: str, middle_name: str, given_name: str) -> str:
    return " ".join(part for part in (clean(family_name), clean(middle_name), clean(given_name)) if part)
