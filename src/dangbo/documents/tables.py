"""Reports made of tables (indicators, statistical forms), as PDF and XLSX.

A ``TableDoc`` is a title, a subtitle (organization, date, period) and a list of
``Table``s; each table has a header and rows of text, and may mark cells (a figure that
failed a cross-check) so both formats show it rather than hide it. The PDF is A4
landscape in the bundled Liberation Serif, so Vietnamese prints the same everywhere; the
XLSX has one sheet per table, every value written as neutralised text or as a number.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import xlsxwriter
from fpdf import FPDF
from fpdf.fonts import FontFace

from dangbo.core.spreadsheet import neutralize
from dangbo.documents.pdf import FAMILY, FONT_FILES, FONTS


@dataclass
class Table:
    title: str
    header: list[str]
    rows: list[list]
    marked: set[tuple[int, int]] = field(default_factory=set)  # (row, column) of flagged cells
    note: str = ""
    widths: list[float] | None = None  # relative column widths (PDF)


@dataclass
class TableDoc:
    title: str
    subtitle: str
    tables: list[Table]
    footer: str = ""


MARK = " (*)"


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, int):
        return f"{value:,}".replace(",", ".")
    return str(value)


def tables_pdf(doc: TableDoc) -> bytes:
    pdf = FPDF(orientation="landscape", unit="mm", format="A4")
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(True, margin=15)
    for style, file_name in FONT_FILES.items():
        pdf.add_font(FAMILY, style, str(FONTS / file_name))
    pdf.set_title(doc.title)
    pdf.set_creator("dangbo")
    pdf.set_lang("vi-VN")
    pdf.add_page()
    pdf.set_font(FAMILY, "B", 14)
    pdf.multi_cell(0, 7, doc.title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, "I", 11)
    pdf.multi_cell(0, 6, doc.subtitle, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    for table in doc.tables:
        pdf.set_font(FAMILY, "B", 12)
        pdf.multi_cell(0, 6, table.title, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FAMILY, "", 9)
        headings = FontFace(emphasis="BOLD", fill_color=(230, 230, 230))
        with pdf.table(
            col_widths=tuple(table.widths) if table.widths else None,
            headings_style=headings,
            line_height=4.6,
            text_align="LEFT",
            first_row_as_headings=True,
        ) as out:
            out.row([str(h) for h in table.header])
            for r, values in enumerate(table.rows):
                row = out.row()
                for c, value in enumerate(values):
                    text = _text(value) + (MARK if (r, c) in table.marked else "")
                    row.cell(
                        text,
                        style=FontFace(emphasis="BOLD", color=(180, 0, 0))
                        if (r, c) in table.marked
                        else None,
                    )
        if table.marked:
            pdf.set_font(FAMILY, "I", 9)
            pdf.multi_cell(
                0,
                5,
                "(*) Số liệu không khớp khi kiểm tra chéo; xem phần kiểm tra.",
                new_x="LMARGIN",
                new_y="NEXT",
            )
        if table.note:
            pdf.set_font(FAMILY, "I", 9)
            pdf.multi_cell(0, 5, table.note, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(4)
    if doc.footer:
        pdf.set_font(FAMILY, "I", 9)
        pdf.multi_cell(0, 5, doc.footer, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _sheet_name(title: str, used: set[str]) -> str:
    base = "".join(ch for ch in title if ch not in "[]:*?/\\")[:28].strip() or "Bảng"
    name, n = base, 2
    while name.lower() in used:
        name = f"{base[:25]} {n}"
        n += 1
    used.add(name.lower())
    return name


def tables_xlsx(doc: TableDoc) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False})
    bold = book.add_format({"bold": True, "text_wrap": True})
    head = book.add_format({"bold": True, "text_wrap": True, "bg_color": "#E6E6E6", "border": 1})
    cell = book.add_format({"border": 1})
    marked = book.add_format({"border": 1, "bold": True, "font_color": "#B40000", "bg_color": "#FDE2E2"})
    used: set[str] = set()
    for table in doc.tables:
        sheet = book.add_worksheet(_sheet_name(table.title, used))
        sheet.write_string(0, 0, neutralize(doc.title), bold)
        sheet.write_string(1, 0, neutralize(doc.subtitle))
        sheet.write_string(2, 0, neutralize(table.title), bold)
        for c, label in enumerate(table.header):
            sheet.write_string(4, c, neutralize(label), head)
        for r, values in enumerate(table.rows):
            for c, value in enumerate(values):
                style = marked if (r, c) in table.marked else cell
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    sheet.write_number(5 + r, c, value, style)
                else:
                    sheet.write_string(5 + r, c, neutralize(_text(value)), style)
        last = 5 + len(table.rows)
        if table.marked:
            sheet.write_string(last + 1, 0, "Ô tô đỏ: số liệu không khớp khi kiểm tra chéo.")
            last += 1
        if table.note:
            sheet.write_string(last + 1, 0, neutralize(table.note))
        sheet.freeze_panes(5, 0)  # the header stays in view
        sheet.set_column(0, 0, 42)
        sheet.set_column(1, max(1, len(table.header) - 1), 14)
    book.close()
    return out.getvalue()
