"""The words of a meeting's minutes (biên bản) and resolution (nghị quyết), in the parts of a
Party document (Hướng dẫn 36-HD/VPTW; see ``content``).

The minutes: the meeting's time and place (and, for an online meeting, how it met the
conditions of HD 03-HD/TW), who presided and who recorded, the attendance, the content, the
opinions, the conclusions, the votes on the full denominator (RULES.md §3), the closing time,
whether they are signed; the secretary ("THƯ KÝ") signs on the left, the one who presided
("CHỦ TRÌ") on the right. Amendments to signed minutes follow the signatures, each with its
date and reason: they are never merged into the signed text.

The resolution: its number left to be written, a preamble citing the Charter and the meeting,
"QUYẾT NGHỊ:", the resolution text as numbered points, the votes, and the signature of the
secretary on behalf of the body.
"""

from __future__ import annotations

import re
from datetime import time

from dangbo.documents.content import (
    CHARTER,
    Layout,
    Para,
    Signature,
    Span,
    date_line,
    long_date,
    nfc,
    number_line,
    punctuated,
)
from dangbo.documents.data import Attendee, MeetingMinutes, MeetingResolution, Vote

ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")


def _para(*spans: Span, space_before: float = 3, indent: bool = True, align: str = "justify") -> Para:
    return Para(tuple(spans), align=align, indent=indent, space_before=space_before)


def _line(text: str, *, space_before: float = 0) -> Para:
    return _para(Span(text), space_before=space_before)


def _labelled(label: str, text: str) -> Para:
    return _para(Span(f"- {label}: ", bold=True), Span(text), space_before=0)


def _lines(text: str) -> list[str]:
    """The non-empty lines of a text field, each normalised."""
    return [line for line in (nfc(raw) for raw in (text or "").splitlines()) if line]


def clock_time(moment: time) -> str:
    """ "19 giờ 30 phút"; a full hour is "19 giờ 00"."""
    return f"{moment.hour} giờ {moment.minute:02d}" + (" phút" if moment.minute else "")


def percent(part: int, whole: int) -> str:
    """ "66,66%": two decimals at most, cut rather than rounded so a share is never overstated."""
    hundredths = part * 10000 // whole
    units, rest = divmod(hundredths, 100)
    return f"{units},{rest:02d}".rstrip("0").rstrip(",") + "%"


def vote_text(vote: Vote) -> str:
    """ "18/25 đồng chí tán thành, đạt 72%" — counted on the full denominator."""
    counted = f"{vote.in_favour}/{vote.denominator} đồng chí tán thành"
    if vote.denominator > 0:
        counted += f", đạt {percent(vote.in_favour, vote.denominator)}"
    return counted


def _names(people: tuple[Attendee, ...]) -> str:
    parts = []
    for person in people:
        name, note = nfc(person.name), nfc(person.note)
        parts.append(f"đồng chí {name}" + (f" ({note})" if note else ""))
    return "; ".join(parts) + "."


class _Sections:
    """Numbered sections: "I. THỜI GIAN, ĐỊA ĐIỂM", "II. THÀNH PHẦN", ... (empty ones left out)."""

    def __init__(self) -> None:
        self.paras: list[Para] = []
        self.count = 0

    def add(self, title: str, paras: list[Para]) -> None:
        if not paras:
            return
        self.paras.append(_para(Span(f"{ROMAN[self.count]}. {title}", bold=True), space_before=9))
        self.count += 1
        self.paras += paras


def _time_and_place(doc: MeetingMinutes) -> list[Para]:
    when = long_date(doc.held_on)
    if doc.starts_at is not None:
        when = f"bắt đầu lúc {clock_time(doc.starts_at)}, {when}"
    paras = [_labelled("Thời gian", when + ".")]
    if nfc(doc.place):
        paras.append(_labelled("Địa điểm", nfc(doc.place) + "."))
    online = doc.online
    if online is not None:
        form = "trực tiếp kết hợp trực tuyến" if online.mixed else "trực tuyến"
        link = f", phòng họp: {nfc(online.link)}" if nfc(online.link) else ""
        paras.append(_labelled("Hình thức", f"{form}{link}."))
        paras.append(
            _labelled(
                "Điều kiện sinh hoạt trực tuyến",
                f"{online.unable_in_person}/{online.members_counted} đảng viên (không kể đảng viên được "
                "miễn, bị đình chỉ sinh hoạt) không thể sinh hoạt trực tiếp, trên một nửa số đảng viên; "
                f"lý do: {nfc(online.reason)} ({nfc(online.citation)}).",
            )
        )
    return paras


def _attendance(doc: MeetingMinutes) -> list[Para]:
    paras = []
    for label, name, title in (
        ("Chủ trì", doc.presided_by, doc.presided_title),
        ("Thư ký", doc.recorded_by, doc.recorded_title),
    ):
        if nfc(name):
            paras.append(
                _labelled(label, f"đồng chí {nfc(name)}" + (f", {nfc(title)}" if nfc(title) else "") + ".")
            )
    absent = len(doc.excused) + len(doc.unexcused)
    if doc.on_roll or doc.present or absent:  # left out when nothing is known of the attendance
        counts = (
            f"{doc.on_roll} đồng chí; có mặt: {doc.present}/{doc.on_roll} đồng chí; vắng: {absent} đồng chí "
            f"(có lý do: {len(doc.excused)}, không có lý do: {len(doc.unexcused)})"
        )
        unrecorded = doc.on_roll - doc.present - absent
        if unrecorded > 0:
            counts += f"; chưa ghi điểm danh: {unrecorded} đồng chí"
        paras.append(_labelled(f"Tổng số {nfc(doc.roll_label)}", counts + "."))
    if doc.excused:
        paras.append(_labelled("Vắng có lý do", _names(doc.excused)))
    if doc.unexcused:
        paras.append(_labelled("Vắng không có lý do", _names(doc.unexcused)))
    if doc.guests:
        paras.append(_labelled("Đảng viên sinh hoạt tạm thời tại chi bộ", _names(doc.guests)))
    if doc.visitors:
        visitors = []
        for visitor in doc.visitors:
            details = ", ".join(part for part in (nfc(visitor.position), nfc(visitor.unit)) if part)
            visitors.append(f"đồng chí {nfc(visitor.name)}" + (f", {details}" if details else ""))
        paras.append(_labelled("Đại biểu cấp trên dự", "; ".join(visitors) + "."))
    return paras


def _text_section(text: str, label: str = "") -> list[Para]:
    lines = _lines(text)
    if not lines:
        return []
    head = [_para(Span(f"{label}:", italic=True), space_before=0)] if label else []
    return head + [_line(line) for line in lines]


def _votes(votes: tuple[Vote, ...]) -> list[Para]:
    paras = [_line(f"- {nfc(vote.matter).rstrip(' .:')}: {vote_text(vote)}.") for vote in votes]
    if paras:
        paras.append(
            _para(
                Span(
                    "(Tỷ lệ tính trên tổng số đảng viên được biểu quyết theo quy định, không tính trên số có mặt.)",
                    italic=True,
                ),
                space_before=0,
            )
        )
    return paras


def minutes(doc: MeetingMinutes) -> Layout:
    sections = _Sections()
    sections.add("THỜI GIAN, ĐỊA ĐIỂM", _time_and_place(doc))
    sections.add("THÀNH PHẦN", _attendance(doc))
    content = _text_section(doc.agenda, "Nội dung sinh hoạt") + _text_section(doc.content, "Diễn biến")
    sections.add("NỘI DUNG", content)
    sections.add("Ý KIẾN THẢO LUẬN", _text_section(doc.opinions))
    sections.add("KẾT LUẬN, NGHỊ QUYẾT", _text_section(doc.conclusions))
    sections.add("BIỂU QUYẾT", _votes(doc.votes))
    body = list(sections.paras)
    if doc.ends_at is not None:
        body.append(
            _line(f"Buổi sinh hoạt kết thúc lúc {clock_time(doc.ends_at)} cùng ngày.", space_before=9)
        )
    if doc.signed_on is not None:
        signed = f"Biên bản đã được thông qua và ký {long_date(doc.signed_on)}."
    else:
        signed = "Biên bản chưa ký (bản nháp)."
    body.append(_para(Span(signed, italic=True), space_before=6))

    annex: list[Para] = []
    if doc.amendments:
        annex.append(
            _para(Span("BỔ SUNG, ĐÍNH CHÍNH", bold=True), align="center", indent=False, space_before=18)
        )
        annex.append(
            _para(
                Span(
                    "(Ghi sau khi biên bản đã ký; không thay thế nội dung biên bản đã ký ở trên.)",
                    italic=True,
                ),
                align="center",
                indent=False,
                space_before=0,
            )
        )
        for amendment in doc.amendments:
            annex.append(
                _para(
                    Span(f"Bổ sung, đính chính {long_date(amendment.made_on)}: ", bold=True),
                    Span(nfc(amendment.text).rstrip(".") + ". "),
                    Span("Lý do: ", italic=True),
                    Span(nfc(amendment.reason).rstrip(".") + "."),
                    space_before=6,
                )
            )

    issuer = doc.issuer
    subject = nfc(doc.subject)
    return Layout(
        title_for_metadata=f"Biên bản – {subject} – {nfc(doc.body_name)}",
        superior_name=nfc(issuer.superior_name).upper(),
        issuer_name=nfc(issuer.name).upper(),
        number_line="",
        date_line=date_line(issuer.place, doc.held_on),
        kind="BIÊN BẢN",
        subject=subject,
        body=tuple(body),
        recipients=(),
        signer_on_behalf="",
        signer_title="CHỦ TRÌ",
        signer_name=nfc(doc.presided_by),
        left_signature=Signature(on_behalf="", title="THƯ KÝ", name=nfc(doc.recorded_by)),
        annex=tuple(annex),
    )


# A line that continues the point above it rather than starting a new one: "- ", "+ ", "• ", "a) ".
_SUB_ITEM = re.compile(r"^([-–+•*]\s|[a-zđ]\)\s)")
# A number the writer typed already: "1.", "2)", "3 -".
_NUMBERED = re.compile(r"^\d{1,2}\s*[.)/-]\s*")


# An inline point number: " 2. ", " 3) " (checked against the number expected next).
_INLINE_NUMBER = re.compile(r"\s(\d{1,2})\s*[.)]\s")


def _inline_points(line: str) -> list[str]:
    """A resolution typed as numbered points on one line ("1. … 2. … 3. …", as a text stored
    with its line breaks collapsed arrives) split before each next number in sequence; any
    other line is left whole."""
    if not _NUMBERED.match(line):
        return [line]
    starts, expected = [0], 2
    for match in _INLINE_NUMBER.finditer(line):
        if int(match.group(1)) == expected:
            starts.append(match.start() + 1)
            expected += 1
    return [line[a:b].strip() for a, b in zip(starts, [*starts[1:], len(line)], strict=True)]


def resolution_points(text: str) -> list[Para]:
    """The resolution, one numbered point a line ("1. ...", "2. ..."); a line starting "-", "+",
    "•" or "a)" stays under the point above it, unnumbered. A text on one line that numbers
    its points itself ("1. … 2. …") is split at those numbers."""
    lines = _lines(text)
    if len(lines) == 1:
        lines = _inline_points(lines[0])
    paras: list[Para] = []
    number = 0
    for line in lines:
        if number and _SUB_ITEM.match(line):
            paras.append(_line(line))
            continue
        number += 1
        point = _NUMBERED.sub("", line) or line
        paras.append(_para(Span(f"{number}. ", bold=True), Span(point), space_before=6))
    return paras


def resolution(doc: MeetingResolution) -> Layout:
    issuer = doc.issuer
    body_name = nfc(doc.body_name)
    grounds = list(doc.grounds) or [f"Căn cứ {CHARTER}"]
    preamble = [_line(f"- {item}") for item in punctuated(grounds, between=";", last=";")]
    attended = ""
    if doc.present is not None and doc.on_roll:
        attended = f", có mặt {doc.present}/{doc.on_roll} đồng chí"
    met = " ".join(
        part for part in (body_name, "họp", nfc(doc.meeting_label), long_date(doc.held_on)) if part
    )
    preamble.append(_line(f"- {met}{attended}, đã thảo luận và"))
    body = [
        *preamble,
        _para(Span("QUYẾT NGHỊ:", bold=True), align="center", indent=False, space_before=9),
        *resolution_points(doc.text),
    ]
    for vote in doc.votes:
        body.append(
            _para(
                Span(f"{nfc(vote.matter).rstrip(' .:')}: {vote_text(vote)}.", italic=True),
                space_before=6,
            )
        )
    body.append(_line(f"{body_name} có trách nhiệm tổ chức thực hiện Nghị quyết này.", space_before=6))
    subject = nfc(doc.subject)
    return Layout(
        title_for_metadata=f"Nghị quyết – {subject} – {body_name}",
        superior_name=nfc(issuer.superior_name).upper(),
        issuer_name=nfc(issuer.name).upper(),
        number_line=number_line(doc.number, doc.number_symbol),
        date_line=date_line(issuer.place, doc.issued_on),
        kind="NGHỊ QUYẾT",
        subject=subject,
        body=tuple(body),
        recipients=tuple(
            punctuated(doc.recipients or ("Đảng viên trong chi bộ", "Lưu"), between=",", last=".")
        ),
        signer_on_behalf=nfc(issuer.signer_on_behalf).upper(),
        signer_title=nfc(issuer.signer_title).upper(),
        signer_name=nfc(issuer.signer_name),
    )
