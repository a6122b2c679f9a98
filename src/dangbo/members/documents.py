"""The Party documents of a member's history, drawn from the ledger: the admission decision,
the recognition decision and the transfer letter (dangbo.documents renders them as Word and PDF).

The issuing body is the grassroots organization above the member's cell and its parent; the
texts are a draft the committee prints, signs and stamps, so the names it cannot know (the
signer) are left to be written in Word or by hand.
"""

from __future__ import annotations

from datetime import date

from dangbo.documents import data as doc
from dangbo.members.models import Member, MemberEvent, TransferCase
from dangbo.orgs.heading import grassroots_heading
from dangbo.orgs.models import Org
from dangbo.rules.citations import (
    HD_01_2016,
    HD_01_2021,
    HD_06_2025,
    QD_24,
    QD_24_FROM,
    QD_29,
    QD_294,
    QD_294_FROM,
)
from dangbo.rules.transfers import arrival_due

Kind = MemberEvent.Kind
KINDS = {
    "quyet-dinh-ket-nap": "Quyết định kết nạp đảng viên",
    "quyet-dinh-chinh-thuc": "Quyết định công nhận đảng viên chính thức",
    "giay-gioi-thieu": "Giấy giới thiệu sinh hoạt đảng",
}


class NoDocument(Exception):
    """The member's history has nothing this document could be drawn from."""


def _grounds(on: date) -> tuple[str, ...]:
    """The Charter and the regulation and guidance in force on the document's date."""
    if on < QD_24_FROM:
        return (
            "Điều lệ Đảng Cộng sản Việt Nam",
            f"{QD_29} của Ban Chấp hành Trung ương về thi hành Điều lệ Đảng",
            f"{HD_01_2016} của Ban Bí thư về một số vấn đề cụ thể thi hành Điều lệ Đảng",
        )
    if on >= QD_294_FROM:
        return (
            "Điều lệ Đảng Cộng sản Việt Nam",
            f"{QD_294} của Ban Chấp hành Trung ương về thi hành Điều lệ Đảng",
            f"{HD_06_2025} của Ban Bí thư về một số vấn đề cụ thể thi hành Điều lệ Đảng",
        )
    return (
        "Điều lệ Đảng Cộng sản Việt Nam",
        f"{QD_24} của Ban Chấp hành Trung ương về thi hành Điều lệ Đảng",
        f"{HD_01_2021} của Ban Bí thư về một số vấn đề cụ thể thi hành Điều lệ Đảng",
    )


def _issuer(cell: Org) -> doc.Issuer:
    """The grassroots committee above ``cell`` issues; the place in the date line is that of
    the nearest territorial organization (a commune, a district, the province)."""
    head = grassroots_heading(cell)
    return doc.Issuer(
        superior_name=head.superior_name,
        name=head.issuer_name,
        place=head.place,
        signer_on_behalf=head.on_behalf,
    )


def _person(member: Member) -> doc.Person:
    return doc.Person(
        full_name=member.full_name,
        gender=member.get_gender_display(),
        birth_date=member.birth_date,
        hometown=member.hometown,
        residence=member.residence,
        ethnicity=member.ethnicity.name if member.ethnicity_id else "",
        occupation=member.occupation,
        card_number=member.card_number or "",
    )


def _last(member: Member, *kinds: str) -> MemberEvent | None:
    return (
        MemberEvent.objects.filter(member=member, kind__in=kinds)
        .select_related("to_org", "from_org")
        .order_by("-effective_on", "-seq")
        .first()
    )


def member_document(member: Member, kind: str):
    """The document ``kind`` (a key of KINDS) for ``member``, or NoDocument."""
    if kind == "quyet-dinh-ket-nap":
        event = _last(member, Kind.ADMITTED, Kind.READMITTED)
        if event is None or event.to_org is None:
            raise NoDocument("Hồ sơ không có sự kiện kết nạp.")
        issued = event.decision_on or event.effective_on
        return doc.AdmissionDecision(
            issuer=_issuer(event.to_org),
            number=event.decision_no,
            issued_on=issued,
            person=_person(member),
            cell_name=event.to_org.name,
            grounds=_grounds(issued),
        )
    if kind == "quyet-dinh-chinh-thuc":
        event = _last(member, Kind.RECOGNIZED)
        if event is None:
            raise NoDocument("Đảng viên chưa được công nhận chính thức.")
        issued = event.decision_on or event.effective_on
        admitted = _last(member, Kind.ADMITTED, Kind.READMITTED)
        cell = admitted.to_org if admitted and admitted.to_org else member.org
        admitted_on = (admitted.decision_on or admitted.effective_on) if admitted else member.admitted_on
        if admitted_on is None:
            raise NoDocument("Hồ sơ chưa có ngày vào Đảng.")
        return doc.RecognitionDecision(
            issuer=_issuer(cell),
            number=event.decision_no,
            issued_on=issued,
            person=_person(member),
            cell_name=member.org.name,
            admitted_on=admitted_on,
            full_on=event.effective_on,
            grounds=_grounds(issued),
        )
    if kind == "giay-gioi-thieu":
        case = (
            TransferCase.objects.filter(member=member)
            .select_related("from_org", "to_org")
            .order_by("-issued_on")
            .first()
        )
        moved = _last(member, Kind.MOVED_AWAY)
        if moved is not None and (case is None or moved.effective_on >= case.issued_on):
            issued, from_org, to_name, number = (
                moved.decision_on or moved.effective_on,
                moved.from_org or member.org,
                moved.data.get("to_name", ""),
                moved.decision_no,
            )
        elif case is not None:
            issued, from_org, to_name, number = (
                case.issued_on,
                case.from_org,
                case.to_org.name,
                case.decision_no,
            )
        else:
            raise NoDocument("Đảng viên không có giấy giới thiệu chuyển sinh hoạt đảng.")
        present_by = arrival_due(issued)
        if member.admitted_on is None:
            raise NoDocument("Hồ sơ chưa có ngày vào Đảng.")
        return doc.TransferLetter(
            issuer=_issuer(from_org),
            number=number,
            issued_on=issued,
            person=_person(member),
            status_label="Đảng viên chính thức" if member.full_on else "Đảng viên dự bị",
            admitted_on=member.admitted_on,
            full_on=member.full_on,
            from_org_name=from_org.name,
            to_org_name=to_name,
            present_by=present_by,
        )
    raise NoDocument("Không có loại văn bản này.")


def available_documents(member: Member) -> list[tuple[str, str]]:
    """(kind, title) of the documents the member's history can give."""
    kinds = set(MemberEvent.objects.filter(member=member).values_list("kind", flat=True))
    out = []
    if kinds & {Kind.ADMITTED, Kind.READMITTED}:
        out.append(("quyet-dinh-ket-nap", KINDS["quyet-dinh-ket-nap"]))
    if Kind.RECOGNIZED in kinds:
        out.append(("quyet-dinh-chinh-thuc", KINDS["quyet-dinh-chinh-thuc"]))
    if Kind.MOVED_AWAY in kinds or TransferCase.objects.filter(member=member).exists():
        out.append(("giay-gioi-thieu", KINDS["giay-gioi-thieu"]))
    return out
