"""The words of each document, arranged in the parts of a Party document.

Hướng dẫn 36-HD/VPTW (3/4/2018) on the format of Party documents fixes the
parts and where they sit: the issuing body and the number upper left, the
heading "ĐẢNG CỘNG SẢN VIỆT NAM" and the place and date upper right, the
document type and its subject centred, the body, "Nơi nhận" lower left and the
signature lower right. ``layout()`` fills those parts from a document's data;
the Word and PDF renderers only draw them, so the wording lives here once.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date

from dangbo.documents.data import AdmissionDecision, Person, RecognitionDecision, TransferLetter

CHARTER = "Điều lệ Đảng Cộng sản Việt Nam"
DEFAULT_GROUNDS = (
    f"Căn cứ {CHARTER}",
    "Căn cứ Quy định số 294-QĐ/TW ngày 26/5/2025 của Ban Chấp hành Trung ương về thi hành Điều lệ Đảng",
    "Căn cứ Hướng dẫn số 06-HD/TW ngày 9/6/2025 của Ban Bí thư về một số vấn đề cụ thể thi hành Điều lệ Đảng",
)
PARTY_HEADING = "ĐẢNG CỘNG SẢN VIỆT NAM"

# Charter art. 5: twelve months' probation from the admission ceremony (rules.probation.PROBATION_MONTHS).
# Written out here because importing dangbo.rules loads the member and organization packages, which this
# package must stay free of; if that rule ever gets a new version, change this line with it.
PROBATION_TEXT = "12 tháng"


@dataclass(frozen=True)
class Span:
    text: str
    bold: bool = False
    italic: bool = False


@dataclass(frozen=True)
class Para:
    """One paragraph of the body: runs of text, alignment, and whether the first line is indented."""

    spans: tuple[Span, ...]
    align: str = "justify"  # "justify" | "center" | "left"
    indent: bool = True
    space_before: float = 3  # points


@dataclass(frozen=True)
class Signature:
    """A signature block in the left column, in place of "Nơi nhận" (the secretary of a
    meeting's minutes signs there, the one who presided on the right)."""

    on_behalf: str
    title: str
    name: str


@dataclass(frozen=True)
class Layout:
    title_for_metadata: str
    superior_name: str
    issuer_name: str
    number_line: str  # "Số 12-QĐ/ĐU"; "" for a document without a number (minutes)
    date_line: str  # "Bảo Thắng, ngày 05 tháng 3 năm 2026"
    kind: str  # "QUYẾT ĐỊNH"
    subject: str  # "về việc kết nạp đảng viên"
    body: tuple[Para, ...]
    recipients: tuple[str, ...]  # already punctuated: "- Như Điều 3,", "- Lưu."
    signer_on_behalf: str
    signer_title: str
    signer_name: str
    left_signature: Signature | None = None  # drawn instead of the recipients
    annex: tuple[Para, ...] = ()  # after the signatures (amendments to signed minutes)


def nfc(value: str | None) -> str:
    return unicodedata.normalize("NFC", value or "").strip()


def long_date(day: date) -> str:
    """The date as written in running text: "ngày 5 tháng 3 năm 2026"."""
    return f"ngày {day.day} tháng {day.month} năm {day.year}"


def issue_date(day: date) -> str:
    """The date of issue in the heading: a day below 10 and the months 1 and 2 take a leading zero,
    so that nobody can add a digit in front ("ngày 05 tháng 3 năm 2026", "ngày 12 tháng 02 năm 2026")."""
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def number_line(number: str, symbol: str) -> str:
    """ "Số 12-QĐ/ĐU". A bare number gets the symbol; a blank one leaves room to write it by hand."""
    number = nfc(number)
    if not number:
        return f"Số        {symbol}"
    if number.isdigit():
        return f"Số {number}{symbol}"
    return f"Số {number}"


def gender_label(value: str) -> str:
    value = nfc(value)
    return {"m": "Nam", "male": "Nam", "nam": "Nam", "f": "Nữ", "female": "Nữ", "nữ": "Nữ"}.get(
        value.lower(), value
    )


def punctuated(items: tuple[str, ...] | list[str], *, between: str, last: str) -> list[str]:
    """Strip whatever ending each item had and give every item ``between`` and the last one ``last``."""
    cleaned = [nfc(item).lstrip("-–• ").rstrip(" ;,.") for item in items]
    cleaned = [item for item in cleaned if item]
    return [item + (last if i == len(cleaned) - 1 else between) for i, item in enumerate(cleaned)]


def _plain(text: str, **kwargs) -> Para:
    return Para((Span(text),), **kwargs)


def _centered_bold(text: str, space_before: float = 3) -> Para:
    return Para((Span(text, bold=True),), align="center", indent=False, space_before=space_before)


def _article(number: int, *spans: Span) -> Para:
    return Para((Span(f"Điều {number}. ", bold=True), *spans), space_before=6)


def _person_lines(person: Person, *, card: bool) -> list[Para]:
    """Details below the name; empty fields are left out rather than printed as blanks."""
    lines = [f"Giới tính: {gender_label(person.gender)}; sinh {long_date(person.birth_date)}."]
    for label, value in (
        ("Dân tộc", person.ethnicity),
        ("Quê quán", person.hometown),
        ("Nơi cư trú", person.residence),
        ("Nghề nghiệp", person.occupation),
        ("Số định danh cá nhân", person.national_id),
        ("Số thẻ đảng viên", person.card_number if card else ""),
    ):
        if nfc(value):
            lines.append(f"{label}: {nfc(value)}.")
    return [_plain(line, space_before=0) for line in lines]


def _grounds(given: tuple[str, ...], cell_name: str) -> list[Para]:
    items = list(given) or list(DEFAULT_GROUNDS)
    if nfc(cell_name) and not any(nfc(item).lstrip("-–• ").startswith("Xét") for item in items):
        items.append(f"Xét đề nghị của {nfc(cell_name)}")
    return [_plain(f"- {item}") for item in punctuated(items, between=";", last=",")]


def _deciding_body(doc: AdmissionDecision | RecognitionDecision) -> str:
    """The body that decides, named above "QUYẾT ĐỊNH": "T/M BAN THƯỜNG VỤ" of "ĐẢNG ỦY XÃ X"
    decides as "BAN THƯỜNG VỤ ĐẢNG ỦY XÃ X"; "T/M ĐẢNG ỦY" as the committee itself."""
    name = nfc(doc.issuer.name).upper()
    on_behalf = nfc(doc.issuer.signer_on_behalf).upper()
    if on_behalf.startswith("T/M "):
        collective = on_behalf[4:].strip()
        if collective and collective not in name:
            return f"{collective} {name}"
    return name


def _decision(doc: AdmissionDecision | RecognitionDecision, subject: str, articles: list[Para]) -> Layout:
    issuer = doc.issuer
    body = [
        *_grounds(doc.grounds, doc.cell_name),
        _centered_bold(_deciding_body(doc), space_before=9),
        _centered_bold("QUYẾT ĐỊNH", space_before=0),
        *articles,
    ]
    return Layout(
        title_for_metadata=f"Quyết định {subject.removeprefix('về việc ')} – {nfc(doc.person.full_name)}",
        superior_name=nfc(issuer.superior_name).upper(),
        issuer_name=nfc(issuer.name).upper(),
        number_line=number_line(doc.number, "-QĐ/ĐU"),
        date_line=date_line(issuer.place, doc.issued_on),
        kind="QUYẾT ĐỊNH",
        subject=subject,
        body=tuple(body),
        recipients=tuple(punctuated(doc.recipients or ("Như Điều 3", "Lưu"), between=",", last=".")),
        signer_on_behalf=nfc(issuer.signer_on_behalf).upper(),
        signer_title=nfc(issuer.signer_title).upper(),
        signer_name=nfc(issuer.signer_name),
    )


def date_line(place: str, day: date) -> str:
    place = nfc(place)
    return f"{place}, {issue_date(day)}" if place else issue_date(day).capitalize()


def admission(doc: AdmissionDecision) -> Layout:
    name = nfc(doc.person.full_name)
    cell = nfc(doc.cell_name) or "Chi bộ"
    articles = [
        _article(1, Span("Kết nạp đồng chí "), Span(name, bold=True), Span(" vào Đảng Cộng sản Việt Nam.")),
        *_person_lines(doc.person, card=False),
        _article(
            2,
            Span(
                f"Thời gian dự bị của đồng chí {name} là {PROBATION_TEXT}, kể từ ngày chi bộ tổ chức lễ kết nạp. "
                f"{cell} có trách nhiệm tổ chức lễ kết nạp theo quy định và phân công đảng viên chính thức "
                f"giúp đỡ đồng chí {name} tiếp tục phấn đấu, rèn luyện."
            ),
        ),
        _article(
            3,
            Span(
                f"Quyết định có hiệu lực kể từ ngày ký. {cell}, các cơ quan có liên quan "
                "và đồng chí có tên tại Điều 1 thi hành Quyết định này."
            ),
        ),
    ]
    return _decision(doc, "về việc kết nạp đảng viên", articles)


def recognition(doc: RecognitionDecision) -> Layout:
    name = nfc(doc.person.full_name)
    cell = nfc(doc.cell_name) or "Chi bộ"
    articles = [
        _article(
            1,
            Span("Công nhận đồng chí "),
            Span(name, bold=True),
            Span(
                f", vào Đảng {long_date(doc.admitted_on)}, là đảng viên chính thức "
                f"của Đảng Cộng sản Việt Nam kể từ {long_date(doc.full_on)}."
            ),
        ),
        *_person_lines(doc.person, card=True),
        _article(
            2,
            Span(
                f"{cell} công bố Quyết định này tại kỳ sinh hoạt chi bộ gần nhất, ghi vào hồ sơ đảng viên "
                f"và tiếp tục giáo dục, rèn luyện đồng chí {name}."
            ),
        ),
        _article(
            3,
            Span(
                f"Quyết định có hiệu lực kể từ ngày ký. {cell}, các cơ quan có liên quan "
                "và đồng chí có tên tại Điều 1 thi hành Quyết định này."
            ),
        ),
    ]
    return _decision(doc, "về việc công nhận đảng viên chính thức", articles)


def status_phrase(label: str) -> str:
    """ "Đảng viên chính thức" → "đảng viên chính thức"; "dự bị" → "đảng viên dự bị"."""
    label = nfc(label)
    lowered = label[:1].lower() + label[1:]
    if lowered.lower().startswith("đảng viên"):
        return lowered
    return f"đảng viên {lowered}".strip()


def transfer(doc: TransferLetter) -> Layout:
    issuer = doc.issuer
    person = doc.person
    name = nfc(person.full_name)
    to_org = nfc(doc.to_org_name)
    membership = f"Là {status_phrase(doc.status_label)}; vào Đảng {long_date(doc.admitted_on)}"
    if doc.full_on:
        membership += f"; chính thức {long_date(doc.full_on)}"
    body = [
        Para(
            (Span("Kính gửi: ", bold=False), Span(to_org, bold=True)),
            align="center",
            indent=False,
            space_before=6,
        ),
        Para(
            (Span("Trân trọng giới thiệu đồng chí: "), Span(name, bold=True)),
            space_before=9,
        ),
        *_person_lines(person, card=True),
        _plain(membership + "."),
        _plain(f"Hiện sinh hoạt tại: {nfc(doc.from_org_name)}."),
        _plain(f"Được chuyển sinh hoạt đảng chính thức đến: {to_org}."),
        _plain(
            f"Đề nghị {to_org} tiếp nhận và tổ chức cho đồng chí {name} sinh hoạt đảng theo quy định.",
            space_before=6,
        ),
        Para(
            (
                Span("Giấy giới thiệu có giá trị đến hết "),
                Span(long_date(doc.present_by), bold=True),
                Span(f". Đồng chí {name} phải xuất trình giấy này với cấp ủy nơi đến trong thời hạn trên."),
            ),
        ),
    ]
    return Layout(
        title_for_metadata=f"Giấy giới thiệu sinh hoạt đảng – {name}",
        superior_name=nfc(issuer.superior_name).upper(),
        issuer_name=nfc(issuer.name).upper(),
        number_line=number_line(doc.number, "-GGT/ĐU"),
        date_line=date_line(issuer.place, doc.issued_on),
        kind="GIẤY GIỚI THIỆU SINH HOẠT ĐẢNG",
        subject="chuyển sinh hoạt đảng chính thức",
        body=tuple(body),
        recipients=tuple(punctuated(doc.recipients or ("Như trên", "Lưu"), between=",", last=".")),
        signer_on_behalf=nfc(issuer.signer_on_behalf).upper(),
        signer_title=nfc(issuer.signer_title).upper(),
        signer_name=nfc(issuer.signer_name),
    )
