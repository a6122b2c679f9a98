"""What a caller hands over to print a document: plain values, no models.

The package never reads the database. A view (or a command) copies what it
needs from a member, an organization and a decision into these frozen
dataclasses and passes them to ``render.render_docx`` / ``render.render_pdf``.
Every text field is printed as given, except that it is NFC-normalised and
trimmed; empty optional fields are simply left out of the document.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time


@dataclass(frozen=True)
class Issuer:
    """The Party body that issues and signs the document (upper-left block and signature)."""

    superior_name: str  # "ĐẢNG BỘ TỈNH LÀO CAI" — printed in regular capitals
    name: str  # "ĐẢNG ỦY XÃ BẢO THẮNG" — printed in bold capitals
    place: str  # "Bảo Thắng", as in "Bảo Thắng, ngày 05 tháng 3 năm 2026"
    signer_title: str = "BÍ THƯ"  # "BÍ THƯ", "PHÓ BÍ THƯ", ...
    signer_on_behalf: str = "T/M ĐẢNG ỦY"  # "T/M BAN THƯỜNG VỤ", "K/T BÍ THƯ", ...
    signer_name: str = ""


@dataclass(frozen=True)
class Person:
    full_name: str
    gender: str  # "Nam" / "Nữ"
    birth_date: date
    hometown: str = ""
    residence: str = ""
    ethnicity: str = ""
    occupation: str = ""
    card_number: str = ""
    national_id: str = ""


@dataclass(frozen=True)
class AdmissionDecision:
    """Quyết định kết nạp đảng viên."""

    issuer: Issuer
    number: str  # "12-QĐ/ĐU"; "12" gets "-QĐ/ĐU" appended; "" leaves the number to be written by hand
    issued_on: date
    person: Person
    cell_name: str  # "Chi bộ thôn Phú Hà" — the cell that proposed and will hold the ceremony
    grounds: tuple[str, ...] = ()  # citations; empty means the current Charter, QĐ 294 and HD 06
    recipients: tuple[str, ...] = ()  # "Nơi nhận"; empty means "Như Điều 3", "Lưu"


@dataclass(frozen=True)
class RecognitionDecision:
    """Quyết định công nhận đảng viên chính thức."""

    issuer: Issuer
    number: str
    issued_on: date
    person: Person
    cell_name: str
    admitted_on: date  # ngày vào Đảng
    full_on: date  # official as of this date (end of the 12 months' probation)
    grounds: tuple[str, ...] = ()
    recipients: tuple[str, ...] = ()


@dataclass(frozen=True)
class TransferLetter:
    """Giấy giới thiệu sinh hoạt đảng chính thức (official transfer of a member)."""

    issuer: Issuer
    number: str  # "05-GGT/ĐU"; "5" gets "-GGT/ĐU" appended
    issued_on: date
    person: Person
    status_label: str  # "Đảng viên chính thức" / "Đảng viên dự bị" (or just "chính thức" / "dự bị")
    admitted_on: date
    full_on: date | None  # None for a probationary member
    from_org_name: str  # where the member meets now
    to_org_name: str  # where the letter is addressed; may be outside this installation
    present_by: date  # last day to present the letter to the receiving committee
    recipients: tuple[str, ...] = ()  # empty means "Như trên", "Lưu"


@dataclass(frozen=True)
class Attendee:
    """A name in the attendance of a meeting, with a note: the reason of an absence, or the
    state of a guest ("vắng có lý do: ốm đau")."""

    name: str
    note: str = ""


@dataclass(frozen=True)
class Visitor:
    """A higher-level official attending (cán bộ cấp trên dự sinh hoạt)."""

    name: str
    position: str = ""
    unit: str = ""


@dataclass(frozen=True)
class OnlineMeeting:
    """How an online or mixed meeting met the conditions of HD 03-HD/TW (RULES.md §3)."""

    mixed: bool  # in person and online together
    reason: str  # the listed reason, as worded in the guidance
    unable_in_person: int
    members_counted: int  # the members less the exempted and the suspended
    citation: str  # "Hướng dẫn 03-HD/TW ..."
    link: str = ""


@dataclass(frozen=True)
class Vote:
    """A vote taken in the meeting, counted on the full denominator (RULES.md §3): the members
    who count that day, never those present."""

    matter: str  # "Thông qua nghị quyết" — what was voted on
    in_favour: int
    denominator: int


@dataclass(frozen=True)
class Amendment:
    """A correction appended to signed minutes; printed after them, never merged into them."""

    made_on: date
    text: str
    reason: str


@dataclass(frozen=True)
class MeetingMinutes:
    """Biên bản of a meeting of a cell, a cell committee or a grassroots committee.

    ``issuer`` is the body that meets (the cell under its grassroots organization, or the
    grassroots committee under its superior); its signer fields are not used: the minutes are
    signed by the secretary of the meeting and the one who presided."""

    issuer: Issuer
    held_on: date
    subject: str  # "Sinh hoạt chi bộ thường kỳ tháng 11 năm 2026"
    body_name: str  # "Chi bộ thôn Phú Hà" — who met, in running text
    place: str = ""
    online: OnlineMeeting | None = None
    starts_at: time | None = None
    ends_at: time | None = None
    presided_by: str = ""
    presided_title: str = ""  # "Bí thư chi bộ"
    recorded_by: str = ""
    recorded_title: str = ""
    roll_label: str = "đảng viên"  # who is on the roll: "đảng viên của chi bộ", "chi ủy viên"
    on_roll: int = 0  # members on the roll that day (guests on a temporary transfer not included)
    present: int = 0  # of ``on_roll``
    excused: tuple[Attendee, ...] = ()  # absent with a reason (note = the reason)
    unexcused: tuple[Attendee, ...] = ()
    guests: tuple[Attendee, ...] = ()  # on a temporary transfer, attending here (note when absent)
    visitors: tuple[Visitor, ...] = ()
    agenda: str = ""
    content: str = ""  # diễn biến
    opinions: str = ""
    conclusions: str = ""  # kết luận, nghị quyết
    votes: tuple[Vote, ...] = ()
    signed_on: date | None = None
    amendments: tuple[Amendment, ...] = ()

    @property
    def issued_on(self) -> date:
        return self.held_on


@dataclass(frozen=True)
class MeetingResolution:
    """Nghị quyết of a meeting: its resolution text, one numbered point a line."""

    issuer: Issuer  # signer fields used: "T/M CHI BỘ", "BÍ THƯ", the secretary's name
    held_on: date
    subject: str  # "Sinh hoạt chi bộ tháng 11 năm 2026"
    body_name: str  # "Chi bộ thôn Phú Hà"
    meeting_label: str  # "thường kỳ tháng 11 năm 2026" — in "Chi bộ … họp {label} ngày …"
    text: str  # the resolution; each non-empty line becomes a numbered point (documents.minutes)
    number: str = ""  # "" leaves the number to be written by hand
    number_symbol: str = "-NQ/CB"
    dated_on: date | None = None  # the date of issue; None: the day of the meeting
    grounds: tuple[str, ...] = ()  # citations; empty means the Party Charter
    present: int | None = None  # members present of ``on_roll``, printed in the preamble
    on_roll: int | None = None
    votes: tuple[Vote, ...] = ()
    recipients: tuple[str, ...] = ()  # empty means "Đảng viên trong chi bộ", "Lưu"

    @property
    def issued_on(self) -> date:
        return self.dated_on or self.held_on


Document = AdmissionDecision | RecognitionDecision | TransferLetter | MeetingMinutes | MeetingResolution
