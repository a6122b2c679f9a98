"""The review's printed papers (issue 21): a member's self-assessment form (bản kiểm điểm cá
nhân, forms 2A/2B/2C of HD 43-HD/BTCTW) as Word and PDF in the Party layout; the summary list
of a cell or a grassroots committee (members with score, band, disqualifiers, why not rated,
the decision) as XLSX, PDF and Word; the organizations' list with their bands as XLSX and PDF.

The form is a ``dangbo.documents`` layout (heading, title, body, the two signatures) drawn by
that package's Word and PDF renderers and fonts; it is filled with what is recorded — the
self-assessment, the cell's assessment, the committee's decision — and dotted lines where
nothing is, for the member to write by hand. The lists are ``documents.tables`` reports (the
XLSX writes numbers as numbers); the Word list draws the same Party heading above its table.
Plain reads: the callers have checked the scope and audit the download.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, date, datetime, time

from docx import Document as new_document
from docx.enum.section import WD_ORIENT
from docx.shared import Mm, Pt

from dangbo.core import clock
from dangbo.core.formats import format_date
from dangbo.core.kinds import GRASSROOTS_KINDS, OrgKind
from dangbo.core.roles import Role
from dangbo.core.text import fold
from dangbo.documents import page
from dangbo.documents import pdf as party_pdf
from dangbo.documents import word as party_word
from dangbo.documents.content import Layout, Para, Signature, Span, date_line, long_date, nfc
from dangbo.documents.tables import Table, TableDoc, tables_pdf, tables_xlsx
from dangbo.members.models import Position
from dangbo.orgs.heading import committee_name, lineage, place_of
from dangbo.orgs.models import Org
from dangbo.ratings.models import MemberRating, OrgRating, Period
from dangbo.rules import ratings as rules
from dangbo.rules.ratings import Band, Disqualifier, MemberForm

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF_TYPE = "application/pdf"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

DOTS = "." * 112  # a line to write on by hand
SHORT_DOTS = "." * 20

# --- the organization in the heading ------------------------------------------------------------


def _committee(org: Org) -> str:
    """A grassroots committee's body: "Đảng bộ xã X" → "Đảng ủy xã X"; a cell keeps its name."""
    name = org.name.strip()
    if org.kind == OrgKind.GRASSROOTS_COMMITTEE and name.lower().startswith("đảng bộ "):
        return committee_name(name)
    return name


def _heading(org: Org) -> tuple[str, str, str]:
    """(the superior's name, the issuing body's name, the place) for papers of ``org``."""
    orgs = lineage(org)
    parent = orgs[-2] if len(orgs) > 1 else None
    return (parent.name.upper() if parent else "", _committee(org).upper(), place_of(orgs))


def period_label(year: int, period: str) -> str:
    if period == Period.YEAR:
        return f"Năm {year}"
    return f"{Period(period).label} năm {year}"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")


# --- the member's self-assessment form -------------------------------------------------------------

_DUTIES = {
    MemberForm.LEADER: (
        "Về thực hiện chức trách, nhiệm vụ được giao: kết quả lãnh đạo, chỉ đạo, quản lý, điều hành "
        "và kết quả thực hiện nhiệm vụ của cơ quan, đơn vị, lĩnh vực được giao phụ trách"
    ),
    MemberForm.CIVIL_SERVANT: (
        "Về thực hiện chức trách, nhiệm vụ được giao: kết quả thực hiện nhiệm vụ theo vị trí việc làm, "
        "kế hoạch công tác năm"
    ),
    MemberForm.OTHER: (
        "Về thực hiện nhiệm vụ được giao: nhiệm vụ đảng viên, nhiệm vụ chi bộ phân công, nghĩa vụ công dân "
        "và trách nhiệm nơi cư trú"
    ),
}
_FORM_FOR = {
    MemberForm.LEADER: "Dùng cho đảng viên giữ chức vụ lãnh đạo, quản lý",
    MemberForm.CIVIL_SERVANT: "Dùng cho đảng viên là cán bộ, công chức, viên chức",
    MemberForm.OTHER: "Dùng cho đảng viên khác",
}
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX")


def _p(*spans: Span, indent: bool = True, align: str = "justify", space_before: float = 3) -> Para:
    return Para(tuple(spans), align=align, indent=indent, space_before=space_before)


def _field(label: str, value: str) -> Para:
    """ "Họ và tên: Nguyễn Văn Đức." or "Họ và tên: ........" when nothing is recorded."""
    value = nfc(value)
    dots = DOTS[: max(15, len(DOTS) - round(len(label) * 2.2))]  # a letter is about two dots wide
    return _p(Span(f"{label}: "), Span(value + "." if value else dots), align="left", space_before=0)


def _blank(lines: int = 3) -> list[Para]:
    return [_p(Span(DOTS), indent=False, space_before=0) for _ in range(lines)]


def _written(text: str, lines: int = 3) -> list[Para]:
    """What was recorded, a line a paragraph; the dotted lines when nothing was."""
    found = [nfc(line) for line in (text or "").splitlines() if nfc(line)]
    return [_p(Span(line), space_before=0) for line in found] if found else _blank(lines)


class _Sections:
    def __init__(self) -> None:
        self.paras: list[Para] = []
        self.count = 0

    def add(self, title: str, paras: list[Para]) -> None:
        self.paras.append(_p(Span(f"{ROMAN[self.count]}. {title}", bold=True), space_before=9))
        self.count += 1
        self.paras += paras


def _score(score: int | None, scored: bool) -> str:
    if not scored:
        return ""
    return f"{score}/100 điểm" if score is not None else f"{SHORT_DOTS}/100 điểm"


def _band(band: str) -> str:
    return Band.LABELS.get(band, "") or DOTS[:60]


def _party_titles(rating: MemberRating) -> str:
    """The member's Party positions on the campaign's cut-off (or the rating's last day)."""
    on = rating.campaign.cutoff_on if rating.campaign else rules.year_day(rating.year)
    rows = (
        Position.objects.filter(member_id=rating.member_id, started_on__lte=on)
        .exclude(ended_on__lt=on)
        .select_related("org")
        .order_by("org__path", "role")
    )
    return "; ".join(f"{Role(p.role).label} {_committee(p.org)}" for p in rows)


def self_form_layout(rating: MemberRating) -> Layout:
    """The self-assessment form of ``rating`` (loaded with its member, cell, grassroots and
    campaign) as a Party document: the form of the member's type (2C when none is set), every
    recorded step filled in, dotted lines for the rest."""
    member = rating.member
    form = rating.form or MemberForm.OTHER
    scored = rules.SCALE.value(rules.year_day(rating.year)).scored
    superior, issuer, place = _heading(rating.cell)
    citation = rating.rule_version or (rating.campaign.rule_version if rating.campaign else "")
    body: list[Para] = [
        _p(
            Span(f"(Mẫu {form}: {_FORM_FOR.get(form, '')})", italic=True),
            align="center",
            indent=False,
            space_before=0,
        ),
        _field("Họ và tên", member.full_name),
        _field("Ngày sinh", format_date(member.birth_date)),
        _field("Chức vụ đảng", _party_titles(rating)),
        _field("Chức vụ chính quyền, đoàn thể; nơi làm việc", member.workplace),
        _field("Nghề nghiệp", member.occupation),
        _field("Sinh hoạt tại", rating.cell.name),
    ]
    if rating.not_rated:
        body.append(
            _p(Span(f"Không xếp loại kỳ này: {rating.get_not_rated_display()}.", italic=True), space_before=6)
        )
    sections = _Sections()
    sections.add(
        "ƯU ĐIỂM, KẾT QUẢ ĐẠT ĐƯỢC",
        [
            _p(
                Span(
                    "1. Về tư tưởng chính trị; phẩm chất đạo đức, lối sống; ý thức tổ chức kỷ luật; "
                    "tác phong, lề lối làm việc:"
                ),
                space_before=3,
            ),
            *_blank(),
            _p(Span(f"2. {_DUTIES.get(form, _DUTIES[MemberForm.OTHER])}:"), space_before=3),
            *_blank(),
            _p(Span("3. Việc thực hiện cam kết tu dưỡng, rèn luyện, phấn đấu hằng năm:"), space_before=3),
            *_blank(2),
        ],
    )
    sections.add("HẠN CHẾ, KHUYẾT ĐIỂM VÀ NGUYÊN NHÂN", _blank())
    sections.add(
        "KẾT QUẢ KHẮC PHỤC HẠN CHẾ, KHUYẾT ĐIỂM ĐÃ ĐƯỢC CẤP CÓ THẨM QUYỀN KẾT LUẬN HOẶC CHỈ RA", _blank(2)
    )
    if form == MemberForm.LEADER:
        sections.add(
            "LÀM RÕ TRÁCH NHIỆM CỦA CÁ NHÂN ĐỐI VỚI HẠN CHẾ, KHUYẾT ĐIỂM CỦA TẬP THỂ (NẾU CÓ)", _blank(2)
        )
    sections.add("PHƯƠNG HƯỚNG, BIỆN PHÁP KHẮC PHỤC HẠN CHẾ, KHUYẾT ĐIỂM", _blank(2))
    own = []
    if scored:
        own.append(_p(Span("- Tự chấm điểm: "), Span(_score(rating.self_score, scored)), space_before=0))
    own.append(
        _p(Span("- Tự xếp loại chất lượng đảng viên: "), Span(_band(rating.self_band)), space_before=0)
    )
    if rating.self_on:
        own.append(_p(Span(f"- Ngày tự đánh giá: {format_date(rating.self_on)}."), space_before=0))
    if nfc(rating.self_note):
        own.append(_p(Span(f"- Ghi chú: {nfc(rating.self_note)}"), space_before=0))
    sections.add("TỰ ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG", own)
    body += sections.paras

    cell = [_p(Span("Nhận xét: "), Span(nfc(rating.cell_note) or ""), space_before=0)]
    if not nfc(rating.cell_note):
        cell += _blank(2)
    if scored:
        cell.append(_p(Span("- Chi bộ chấm điểm: "), Span(_score(rating.cell_score, scored)), space_before=0))
    cell.append(_p(Span("- Chi bộ đề xuất xếp loại: "), Span(_band(rating.cell_band)), space_before=0))
    if rating.cell_disqualifiers:
        labels = "; ".join(Disqualifier.LABELS.get(d, d) for d in rating.cell_disqualifiers)
        cell.append(_p(Span(f"- Trường hợp không xếp cao hơn: {labels}."), space_before=0))
    if rating.cell_on:
        cell.append(_p(Span(f"- Ngày chi bộ đánh giá: {format_date(rating.cell_on)}."), space_before=0))
    body.append(
        _p(Span("NHẬN XÉT, ĐÁNH GIÁ CỦA CHI BỘ", bold=True), align="center", indent=False, space_before=12)
    )
    body += cell

    decided = [
        _p(Span("- Xếp loại chất lượng: "), Span(_band(rating.band)), space_before=0),
    ]
    if scored:
        decided.insert(0, _p(Span("- Điểm: "), Span(_score(rating.score, scored)), space_before=0))
    if rating.decided:
        decided.append(
            _p(
                Span(f"- Quyết định số {rating.decision_no} {long_date(rating.decided_on)}"),
                Span(f" của {_committee(rating.grassroots)}." if rating.grassroots_id else "."),
                space_before=0,
            )
            if rating.decided_on
            else _p(Span(f"- Quyết định số {rating.decision_no}."), space_before=0)
        )
    else:
        decided.append(_p(Span(f"- Quyết định số {SHORT_DOTS} ngày {SHORT_DOTS}"), space_before=0))
    body.append(
        _p(
            Span("KẾT QUẢ XẾP LOẠI CỦA CẤP ỦY CÓ THẨM QUYỀN", bold=True),
            align="center",
            indent=False,
            space_before=12,
        )
    )
    body += decided
    if citation:
        body.append(_p(Span(f"Căn cứ: {citation}.", italic=True), space_before=6))

    when = rating.self_on
    dated = date_line(place, when) if when else f"{place}, ngày {'.' * 6} tháng {'.' * 6} năm {'.' * 8}"
    subject = period_label(rating.year, rating.period)
    return Layout(
        title_for_metadata=f"Bản kiểm điểm cá nhân {subject.lower()} – {nfc(member.full_name)}",
        superior_name=superior,
        issuer_name=issuer,
        number_line="",
        date_line=dated,
        kind="BẢN KIỂM ĐIỂM CÁ NHÂN",
        subject=subject,
        body=tuple(body),
        recipients=(),
        signer_on_behalf="",
        signer_title="NGƯỜI TỰ KIỂM ĐIỂM",
        signer_name=nfc(member.full_name),
        left_signature=Signature(on_behalf="T/M CHI BỘ", title="BÍ THƯ", name=""),
    )


def _stamp(day: date | None) -> datetime:
    return datetime.combine(day or clock.today(), time(8, 0), tzinfo=UTC)


def self_form(rating: MemberRating, fmt: str) -> bytes:
    """The form as ``docx`` or ``pdf``."""
    layout = self_form_layout(rating)
    stamp = _stamp(rating.self_on)
    if fmt == "docx":
        return party_word.render(layout, issued_on=stamp)
    return party_pdf.render(layout, issued_on=stamp)


def self_form_filename(rating: MemberRating, fmt: str) -> str:
    return f"ban-kiem-diem-{rating.year}-{_slug(rating.member.full_name)}.{fmt}"


# --- the summary list of a cell or a grassroots committee -----------------------------------------

SUMMARY_HEADER = [
    "STT",
    "Họ và tên",
    "Chi bộ",
    "Mẫu",
    "Tự chấm điểm",
    "Tự xếp loại",
    "Chi bộ chấm điểm",
    "Chi bộ đề xuất",
    "Điểm",
    "Xếp loại",
    "Trường hợp không xếp cao hơn",
    "Không xếp loại vì",
    "Quyết định",
]
SUMMARY_WIDTHS: list[float] = [4, 15, 12, 4, 6, 8, 6, 8, 5, 10, 13, 11, 9]


def _short(band: str) -> str:
    return Band.SHORT.get(band, "")


def summary_rows(ratings: Iterable[MemberRating]) -> list[list]:
    """One row per member, numbers as numbers (None where nothing is recorded)."""
    rows: list[list] = []
    for number, r in enumerate(ratings, start=1):
        decision = ""
        if r.decision_no:
            decision = r.decision_no + (f" ngày {format_date(r.decided_on)}" if r.decided_on else "")
        rows.append(
            [
                number,
                r.member.full_name,
                r.cell.name,
                r.form,
                r.self_score,
                _short(r.self_band),
                r.cell_score,
                _short(r.cell_band),
                r.score,
                r.band_label,
                "; ".join(r.disqualifier_labels),
                r.get_not_rated_display() if r.not_rated else "",
                decision,
            ]
        )
    return rows


def _counts_note(ratings: list[MemberRating]) -> str:
    bands = Counter(r.band for r in ratings if r.band)
    not_rated = sum(1 for r in ratings if r.not_rated)
    decided = sum(bands.values())
    parts = [f"{Band.LABELS[b]}: {bands[b]}" for b in Band.ORDER]
    text = (
        f"Tổng số {len(ratings)} đảng viên trong danh sách; không xếp loại {not_rated}; "
        f"đã quyết định xếp loại {decided} ({'; '.join(parts)})."
    )
    good = bands[Band.EXCELLENT] + bands[Band.GOOD]
    if decided:
        share = good * 1000 // decided
        text += (
            f" Hoàn thành tốt nhiệm vụ trở lên: {good}/{decided} = {share // 10},{share % 10} % "
            f"(mục tiêu trên 90 %, {rules.GOOD_SHARE_SOURCE})."
        )
    return text


def _cap_note(cap) -> str:
    if cap is None or cap.percent is None:
        return ""
    verdict = "bảo đảm" if cap.holds else "VƯỢT"
    unconfirmed = "" if cap.confirmed else " — chưa xác nhận theo QĐ 366"
    return (
        f"Tỷ lệ hoàn thành xuất sắc nhiệm vụ: {cap.excellent} đảng viên, tối đa {cap.allowed} "
        f"({cap.percent} % của {cap.good} đảng viên hoàn thành tốt nhiệm vụ): {verdict} "
        f"({cap.citation}{unconfirmed})."
    )


def summary_title(org: Org, year: int, period: str) -> str:
    return (
        f"Danh sách kết quả kiểm điểm, đánh giá, xếp loại chất lượng đảng viên "
        f"{period_label(year, period).lower()} — {org.name}"
    )


def summary_table_doc(org: Org, campaign, ratings: list[MemberRating], cap=None) -> TableDoc:
    notes = [_counts_note(ratings)]
    if cap is not None and _cap_note(cap):
        notes.append(_cap_note(cap))
    return TableDoc(
        title=summary_title(org, campaign.year, campaign.period),
        subtitle=f"Ngày chốt danh sách {format_date(campaign.cutoff_on)}; lập ngày {format_date(clock.today())}",
        tables=[
            Table(
                title="Danh sách xếp loại",
                header=SUMMARY_HEADER,
                rows=summary_rows(ratings),
                note=" ".join(notes),
                widths=SUMMARY_WIDTHS,
            )
        ],
        footer=f"Căn cứ: {campaign.rule_version}." if campaign.rule_version else "",
    )


def summary_docx(org: Org, campaign, ratings: list[MemberRating], cap=None) -> bytes:
    """The summary list as Word: the Party heading of the cell or committee, the title, the
    table, the counts (and the cap for a grassroots organization), the secretary's signature."""
    doc = summary_table_doc(org, campaign, ratings, cap)
    superior, issuer, place = _heading(org)
    document = new_document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(page.PAGE_HEIGHT_MM), Mm(page.PAGE_WIDTH_MM)
    section.left_margin, section.right_margin = Mm(page.LEFT_MM), Mm(page.RIGHT_MM)
    section.top_margin, section.bottom_margin = Mm(page.TOP_MM), Mm(page.BOTTOM_MM)
    # the same styles, heading columns and signature block as the Party documents (documents.word)
    party_word._set_up_styles(document)
    for paragraph in list(document.paragraphs):
        document.element.body.remove(paragraph._p)
    properties = document.core_properties
    properties.title, properties.author, properties.language = doc.title, issuer, "vi-VN"
    left, right = party_word._two_columns(document)
    if superior:
        party_word._add(left, superior)
    party_word._add(left, issuer, bold=True)
    party_word._add(left, "*")
    party_word._add(right, "ĐẢNG CỘNG SẢN VIỆT NAM", size=page.HEADING_PT, bold=True, underline=True)
    party_word._add(right, date_line(place, clock.today()), italic=True, space_before=14)
    party_word._add(
        document,
        "DANH SÁCH KẾT QUẢ XẾP LOẠI CHẤT LƯỢNG ĐẢNG VIÊN",
        size=page.KIND_PT,
        bold=True,
        space_before=18,
    )
    party_word._add(document, period_label(campaign.year, campaign.period), bold=True)
    party_word._add(document, doc.subtitle, italic=True, size=12)
    [table_doc] = doc.tables
    table = document.add_table(rows=1, cols=len(table_doc.header))
    table.style = "Table Grid"
    for cell, label in zip(table.rows[0].cells, table_doc.header, strict=True):
        cell.text = ""
        run = cell.paragraphs[0].add_run(label)
        run.bold, run.font.size = True, Pt(10)
    for values in table_doc.rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, values, strict=True):
            run = cell.paragraphs[0].add_run("" if value is None else str(value))
            run.font.size = Pt(10)
    for note in (table_doc.note, doc.footer):
        if note:
            party_word._add(document, note, italic=True, size=11, align="justify", space_before=6)
    party_word._add(document, space_before=6)
    left, right = party_word._two_columns(document)
    party_word._add(left, "")
    on_behalf = "T/M ĐẢNG ỦY" if org.kind == OrgKind.GRASSROOTS_COMMITTEE else "T/M CHI BỘ"
    party_word._signature(right, on_behalf, "BÍ THƯ", "")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def summary_file(org: Org, campaign, ratings: list[MemberRating], fmt: str, cap=None) -> bytes:
    if fmt == "docx":
        return summary_docx(org, campaign, ratings, cap)
    doc = summary_table_doc(org, campaign, ratings, cap)
    return tables_pdf(doc) if fmt == "pdf" else tables_xlsx(doc)


def summary_filename(org: Org, campaign, fmt: str) -> str:
    return f"xep-loai-dang-vien-{campaign.year}-{_slug(org.code)}.{fmt}"


# --- the organizations' list ------------------------------------------------------------------------

ORG_HEADER = [
    "STT",
    "Tổ chức",
    "Mã",
    "Loại",
    "Cấp xếp loại",
    "Tự chấm điểm",
    "Tự xếp loại",
    "Điểm",
    "Xếp loại",
    "Trường hợp không xếp cao hơn",
    "Quyết định",
]
ORG_WIDTHS: list[float] = [4, 20, 7, 10, 16, 6, 8, 5, 12, 16, 10]


def org_rows(ratings: Iterable[OrgRating]) -> list[list]:
    rows: list[list] = []
    for number, r in enumerate(ratings, start=1):
        decision = ""
        if r.decision_no:
            decision = r.decision_no + (f" ngày {format_date(r.decided_on)}" if r.decided_on else "")
        rows.append(
            [
                number,
                r.org.name,
                r.org.code,
                r.org.get_kind_display(),
                _committee(r.authority),
                r.self_score,
                _short(r.self_band),
                r.score,
                r.band_label,
                "; ".join(r.disqualifier_labels),
                decision,
            ]
        )
    return rows


def org_list_file(campaign, ratings: list[OrgRating], fmt: str, authority: Org | None = None) -> bytes:
    bands = Counter(r.band for r in ratings if r.band)
    grassroots = [r for r in ratings if r.org.kind in GRASSROOTS_KINDS and r.band]
    good = sum(1 for r in grassroots if r.band in Band.GOOD_OR_BETTER)
    note = f"Đã quyết định {sum(bands.values())}/{len(ratings)} tổ chức (" + "; ".join(
        f"{Band.LABELS[b]}: {bands[b]}" for b in Band.ORDER
    )
    note += ")."
    if grassroots:
        share = good * 1000 // len(grassroots)
        note += (
            f" Tổ chức cơ sở đảng hoàn thành tốt nhiệm vụ trở lên: {good}/{len(grassroots)} = "
            f"{share // 10},{share % 10} % (mục tiêu trên 90 %, {rules.GOOD_SHARE_SOURCE})."
        )
    scope = f" do {_committee(authority)} xếp loại" if authority is not None else ""
    doc = TableDoc(
        title=(
            f"Kết quả xếp loại chất lượng tổ chức đảng {period_label(campaign.year, campaign.period).lower()}"
            f" — {campaign.org.name}{scope}"
        ),
        subtitle=f"Lập ngày {format_date(clock.today())}",
        tables=[
            Table(
                title="Xếp loại tổ chức đảng",
                header=ORG_HEADER,
                rows=org_rows(ratings),
                note=note,
                widths=ORG_WIDTHS,
            )
        ],
        footer=f"Căn cứ: {campaign.rule_version}." if campaign.rule_version else "",
    )
    return tables_pdf(doc) if fmt == "pdf" else tables_xlsx(doc)


def org_list_filename(campaign, fmt: str) -> str:
    return f"xep-loai-to-chuc-{campaign.year}-{_slug(campaign.org.code)}.{fmt}"
