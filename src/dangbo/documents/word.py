"""Draw a ``content.Layout`` as a Word document (python-docx), in Times New Roman.

The heading and the closing block are two-column tables without borders, the
way offices lay these documents out in Word, so that a clerk who opens the file
finds what they would have typed and can still edit it.
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime

from docx import Document as new_document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from dangbo.documents import page
from dangbo.documents.content import PARTY_HEADING, Layout, Para

_ALIGN = {
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
}


def render(layout: Layout, *, issued_on: datetime | None = None) -> bytes:
    document = new_document()
    _set_up_page(document)
    _set_up_styles(document)
    _set_properties(document, layout, issued_on)

    body = document.element.body
    for paragraph in list(document.paragraphs):  # the template's empty first paragraph
        body.remove(paragraph._p)

    _heading(document, layout)
    _title(document, layout)
    for para in layout.body:
        _paragraph(document, para)
    _closing(document, layout)
    for para in layout.annex:
        _paragraph(document, para)

    out = io.BytesIO()
    document.save(out)
    return _without_clock(out.getvalue())


# The date every part of the file is stamped with in the archive: the earliest a ZIP holds.
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def _without_clock(data: bytes) -> bytes:
    """The same Word file with every part stamped ``_ZIP_EPOCH``: python-docx stamps each with
    the clock (to two seconds), so the same document rendered twice could differ by a byte and
    its checksum with it. The document's own dates are in its properties."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            stamped = zipfile.ZipInfo(info.filename, date_time=_ZIP_EPOCH)
            stamped.compress_type = info.compress_type
            stamped.external_attr = info.external_attr
            target.writestr(stamped, source.read(info))
    return out.getvalue()


def _set_up_page(document) -> None:
    section = document.sections[0]
    section.page_width = Mm(page.PAGE_WIDTH_MM)
    section.page_height = Mm(page.PAGE_HEIGHT_MM)
    section.top_margin = Mm(page.TOP_MM)
    section.bottom_margin = Mm(page.BOTTOM_MM)
    section.left_margin = Mm(page.LEFT_MM)
    section.right_margin = Mm(page.RIGHT_MM)
    section.header_distance = Mm(page.PAGE_NUMBER_FROM_TOP_MM)
    # No number on the first page; from the second on, centred at the top.
    section.different_first_page_header_footer = True
    number = section.header.paragraphs[0]
    number.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _page_field(number)


def _page_field(paragraph) -> None:
    def field_char(kind: str):
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        return element

    begin, instruction, end = paragraph.add_run(), paragraph.add_run(), paragraph.add_run()
    begin._r.append(field_char("begin"))
    text = OxmlElement("w:instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = " PAGE "
    instruction._r.append(text)
    end._r.append(field_char("end"))


def _set_up_styles(document) -> None:
    normal = document.styles["Normal"]
    normal.font.name = page.WORD_FONT
    normal.font.size = Pt(page.BODY_PT)
    r_pr = normal.element.get_or_add_rPr()
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        r_pr.insert(0, fonts)
    for attribute in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attribute), page.WORD_FONT)
    lang = r_pr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        r_pr.append(lang)
    lang.set(qn("w:val"), "vi-VN")
    paragraph_format = normal.paragraph_format
    paragraph_format.space_before = Pt(0)
    paragraph_format.space_after = Pt(0)
    paragraph_format.line_spacing = 1.0


def _set_properties(document, layout: Layout, issued_on: datetime | None) -> None:
    properties = document.core_properties
    properties.title = layout.title_for_metadata
    properties.subject = f"{layout.kind.capitalize()} {layout.subject}"
    properties.author = layout.issuer_name
    properties.last_modified_by = "dangbo"
    properties.language = "vi-VN"
    properties.comments = ""
    properties.keywords = ""
    if issued_on is not None:
        properties.created = issued_on
        properties.modified = issued_on
        properties.revision = 1


def _add(
    container,
    text: str = "",
    *,
    size: float = page.BODY_PT,
    bold=False,
    italic=False,
    underline=False,
    align: str = "center",
    space_before: float = 0,
):
    paragraph = container.add_paragraph()
    paragraph.alignment = _ALIGN[align]
    paragraph.paragraph_format.space_before = Pt(space_before)
    if text:
        run = paragraph.add_run(text)
        run.font.size = Pt(size)
        run.bold = bold
        run.italic = italic
        run.underline = underline
    return paragraph


def _two_columns(document):
    table = document.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _no_borders(table)
    left, right = table.rows[0].cells
    for cell, width in ((left, page.LEFT_COLUMN_MM), (right, page.RIGHT_COLUMN_MM)):
        cell.width = Mm(width)
        cell._tc.remove(cell.paragraphs[0]._p)  # start empty; _add appends paragraphs
    for column, width in zip(table.columns, (page.LEFT_COLUMN_MM, page.RIGHT_COLUMN_MM), strict=False):
        column.width = Mm(width)
    # Keep the row on one page: a signature must not be split from its title.
    tr_pr = table.rows[0]._tr.get_or_add_trPr()
    tr_pr.append(OxmlElement("w:cantSplit"))
    return left, right


def _no_borders(table) -> None:
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    tbl_pr.append(borders)


def _heading(document, layout: Layout) -> None:
    left, right = _two_columns(document)
    if layout.superior_name:
        _add(left, layout.superior_name)
    _add(left, layout.issuer_name, bold=True)
    _add(left, "*")
    if layout.number_line:
        _add(left, layout.number_line)
    _add(right, PARTY_HEADING, size=page.HEADING_PT, bold=True, underline=True)
    _add(right, layout.date_line, italic=True, space_before=14)


def _title(document, layout: Layout) -> None:
    _add(document, layout.kind, size=page.KIND_PT, bold=True, space_before=18)
    _add(document, layout.subject, bold=True)
    _add(document, "-----")


def _paragraph(document, para: Para) -> None:
    paragraph = document.add_paragraph()
    paragraph.alignment = _ALIGN[para.align]
    paragraph_format = paragraph.paragraph_format
    paragraph_format.space_before = Pt(para.space_before)
    paragraph_format.line_spacing = page.BODY_LINE_SPACING
    if para.indent:
        paragraph_format.first_line_indent = Mm(page.FIRST_LINE_INDENT_MM)
    for span in para.spans:
        run = paragraph.add_run(span.text)
        run.bold = span.bold
        run.italic = span.italic


def _closing(document, layout: Layout) -> None:
    _add(document, space_before=6)
    left, right = _two_columns(document)
    if layout.left_signature is not None:
        signature = layout.left_signature
        _signature(left, signature.on_behalf, signature.title, signature.name)
    else:
        _add(left, "Nơi nhận:", underline=True, align="left")
        for item in layout.recipients:
            _add(left, f"- {item}", size=page.RECIPIENTS_PT, align="left")
    _signature(right, layout.signer_on_behalf, layout.signer_title, layout.signer_name)


def _signature(cell, on_behalf: str, title: str, name: str) -> None:
    if on_behalf:
        _add(cell, on_behalf, bold=True)
    if title:
        _add(cell, title, bold=True)
    for _ in range(4):  # room for the signature and the seal
        _add(cell)
    _add(cell, name or " ", bold=True)
