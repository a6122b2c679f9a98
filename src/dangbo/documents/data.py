"""What a caller hands over to print a document: plain values, no models.

The package never reads the database. A view (or a command) copies what it
needs from a member, an organization and a decision into these frozen
dataclasses and passes them to ``render.render_docx`` / ``render.render_pdf``.
Every text field is printed as given, except that it is NFC-normalised and
trimmed; empty optional fields are simply left out of the document.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


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


Document = AdmissionDecision | RecognitionDecision | TransferLetter
