"""Draw a ``content.Layout`` as PDF with fpdf2 and the bundled Liberation Serif.

Liberation Serif has the metrics of Times New Roman (so lines break where they
would in Word) and a glyph for every Vietnamese letter; fpdf2 embeds the subset
it uses, so the file prints the same on a machine without the font.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import cast

from fpdf import FPDF
from fpdf.enums import Align

from dangbo.documents import page
from dangbo.documents.content import PARTY_HEADING, Layout, Para

FONTS = Path(__file__).resolve().parent / "fonts"
FAMILY = "LiberationSerif"
FONT_FILES = {
    "": "LiberationSerif-Regular.ttf",
    "B": "LiberationSerif-Bold.ttf",
    "I": "LiberationSerif-Italic.ttf",
}

MM_PER_PT = 25.4 / 72
LINE = 1.2  # line height as a multiple of the font size, for the heading and the closing block


def line_height(size_pt: float, factor: float = LINE) -> float:
    return size_pt * MM_PER_PT * factor


class _PartyPage(FPDF):
    """A4 with the margins of HD 36; the page number at the top from the second page on."""

    def header(self) -> None:
        if self.page_no() > 1:
            self.set_font(FAMILY, "", page.BODY_PT)
            self.set_xy(self.l_margin, page.PAGE_NUMBER_FROM_TOP_MM - line_height(page.BODY_PT) / 2)
            self.cell(0, line_height(page.BODY_PT), str(self.page_no()), align="C")
        self.set_xy(self.l_margin, self.t_margin)


def render(layout: Layout, *, issued_on: datetime | None = None) -> bytes:
    pdf = _PartyPage(orientation="portrait", unit="mm", format="A4")
    pdf.set_margins(page.LEFT_MM, page.TOP_MM, page.RIGHT_MM)
    pdf.set_auto_page_break(True, margin=page.BOTTOM_MM)
    pdf.c_margin = 0
    for style, file_name in FONT_FILES.items():
        pdf.add_font(FAMILY, style, str(FONTS / file_name))
    pdf.set_title(layout.title_for_metadata)
    pdf.set_subject(f"{layout.kind.capitalize()} {layout.subject}")
    pdf.set_author(layout.issuer_name)
    pdf.set_creator("dangbo")
    pdf.set_lang("vi-VN")
    if issued_on is not None:
        pdf.set_creation_date(issued_on if issued_on.tzinfo else issued_on.replace(tzinfo=UTC))

    pdf.add_page()
    _heading(pdf, layout)
    _title(pdf, layout)
    _body(pdf, layout.body)
    _closing(pdf, layout)
    if layout.annex:
        _body(pdf, layout.annex)
    return bytes(pdf.output())


Line = tuple[str, str, float]  # (text, style, size in points)


def _column(
    pdf: FPDF, x: float, y: float, width: float, lines: list[Line], *, align: str = "C", draw: bool = True
) -> float:
    """Write lines one under another in a column; wrap long ones inside it. Returns the y below them."""
    for text, style, size in lines:
        pdf.set_font(FAMILY, style, size)
        height = line_height(size)
        if not text:
            y += height
            continue
        wrapped = cast(
            list[str], pdf.multi_cell(width, height, text, align=align, dry_run=True, output="LINES")
        )
        if draw:
            pdf.set_xy(x, y)
            pdf.multi_cell(width, height, text, align=align, new_x="LEFT", new_y="NEXT")
        y += height * len(wrapped)
    return y


def _heading(pdf: FPDF, layout: Layout) -> None:
    top = pdf.t_margin
    left_x = pdf.l_margin
    right_x = left_x + page.LEFT_COLUMN_MM
    left_lines: list[Line] = []
    if layout.superior_name:
        left_lines.append((layout.superior_name, "", page.BODY_PT))
    left_lines += [(layout.issuer_name, "B", page.BODY_PT), ("*", "", page.BODY_PT)]
    if layout.number_line:
        left_lines.append((layout.number_line, "", page.BODY_PT))
    left_bottom = _column(pdf, left_x, top, page.LEFT_COLUMN_MM, left_lines)

    # The Party heading has a rule under it as long as the heading itself.
    heading_bottom = _column(pdf, right_x, top, page.RIGHT_COLUMN_MM, [(PARTY_HEADING, "B", page.HEADING_PT)])
    pdf.set_font(FAMILY, "B", page.HEADING_PT)
    rule = min(pdf.get_string_width(PARTY_HEADING), page.RIGHT_COLUMN_MM)
    rule_x = right_x + (page.RIGHT_COLUMN_MM - rule) / 2
    pdf.set_line_width(0.3)
    pdf.line(rule_x, heading_bottom - 0.5, rule_x + rule, heading_bottom - 0.5)
    right_bottom = _column(
        pdf, right_x, heading_bottom + 4, page.RIGHT_COLUMN_MM, [(layout.date_line, "I", page.BODY_PT)]
    )
    pdf.set_xy(pdf.l_margin, max(left_bottom, right_bottom))


def _title(pdf: FPDF, layout: Layout) -> None:
    width = pdf.epw
    y = pdf.get_y() + 8
    y = _column(
        pdf,
        pdf.l_margin,
        y,
        width,
        [(layout.kind, "B", page.KIND_PT), (layout.subject, "B", page.BODY_PT), ("-----", "", page.BODY_PT)],
    )
    pdf.set_xy(pdf.l_margin, y)


_TEXT_ALIGN = {"justify": Align.J, "center": Align.C, "left": Align.L}


def _body(pdf: FPDF, paras: tuple[Para, ...]) -> None:
    pdf.set_font(FAMILY, "", page.BODY_PT)
    with pdf.text_columns(text_align="J", line_height=page.BODY_LINE_SPACING) as region:
        for para in paras:
            with region.paragraph(
                text_align=_TEXT_ALIGN[para.align],
                top_margin=para.space_before * MM_PER_PT,
                first_line_indent=page.FIRST_LINE_INDENT_MM if para.indent else 0,
            ) as paragraph:
                for span in para.spans:
                    pdf.set_font(
                        FAMILY, ("B" if span.bold else "") + ("I" if span.italic else ""), page.BODY_PT
                    )
                    paragraph.write(span.text)
    pdf.set_font(FAMILY, "", page.BODY_PT)


def _signature_lines(on_behalf: str, title: str, name: str) -> list[Line]:
    lines: list[Line] = [(text, "B", page.BODY_PT) for text in (on_behalf, title) if text]
    return lines + [("", "", page.BODY_PT)] * 4 + [(name, "B", page.BODY_PT)]  # room for signature and seal


def _closing(pdf: FPDF, layout: Layout) -> None:
    signed_left = layout.left_signature
    if signed_left is not None:
        left_lines = _signature_lines(signed_left.on_behalf, signed_left.title, signed_left.name)
    else:
        left_lines = [(f"- {item}", "", page.RECIPIENTS_PT) for item in layout.recipients]
    right_lines = _signature_lines(layout.signer_on_behalf, layout.signer_title, layout.signer_name)

    left_x = pdf.l_margin
    right_x = left_x + page.LEFT_COLUMN_MM
    heading = 0.0 if signed_left is not None else line_height(page.BODY_PT)
    needed = max(
        heading + _column(pdf, left_x, 0, page.LEFT_COLUMN_MM, left_lines, align="L", draw=False),
        _column(pdf, right_x, 0, page.RIGHT_COLUMN_MM, right_lines, draw=False),
    )
    top = pdf.get_y() + 6
    if top + needed > pdf.h - pdf.b_margin:  # keep the signature block whole, on the next page if need be
        pdf.add_page()
        top = pdf.get_y()

    pdf.set_auto_page_break(False)
    if signed_left is not None:
        left_bottom = _column(pdf, left_x, top, page.LEFT_COLUMN_MM, left_lines)
    else:
        pdf.set_font(FAMILY, "U", page.BODY_PT)
        pdf.set_xy(left_x, top)
        pdf.cell(page.LEFT_COLUMN_MM, heading, "Nơi nhận:", align="L")
        left_bottom = _column(pdf, left_x, top + heading, page.LEFT_COLUMN_MM, left_lines, align="L")
    right_bottom = _column(pdf, right_x, top, page.RIGHT_COLUMN_MM, right_lines)
    pdf.set_auto_page_break(True, margin=page.BOTTOM_MM)
    pdf.set_xy(pdf.l_margin, max(left_bottom, right_bottom))
