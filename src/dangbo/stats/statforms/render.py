"""The basic statistical forms (``stats.statforms``) as an XLSX workbook and as a PDF.

Both show every figure as computed, the cross-checks with «Đạt» or «KHÔNG ĐẠT», and mark the
figures of a failed check: in the workbook a red cell with a note naming the checks, in the
PDF an asterisk and a note under the table. Nothing is corrected or left out.

XLSX: one sheet per form (named by its code) and a sheet «Kiểm tra chéo»; figures are numbers,
every text is neutralised (``core.spreadsheet.neutralize``) and nothing is written as a formula.
PDF: A4 landscape with the bundled Liberation Serif (``documents/fonts``), which has every
Vietnamese letter; fpdf2 embeds the subset used.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime

import xlsxwriter
from fpdf import FPDF
from fpdf.fonts import FontFace

from dangbo.core.formats import format_date, format_number
from dangbo.core.spreadsheet import neutralize
from dangbo.documents.pdf import FAMILY, FONT_FILES, FONTS
from dangbo.stats.statforms.shapes import Check, FormReport, StatForm

PASSED = "Đạt"
FAILED = "KHÔNG ĐẠT"
CHECKS_TITLE = "Kiểm tra chéo"
FLAG_NOTE = (
    "(*) Số liệu không khớp khi kiểm tra chéo (xem mục «Kiểm tra chéo»). "
    "Số liệu được giữ nguyên như tính từ dữ liệu, không sửa, không bỏ."
)
XLSX_FLAG_NOTE = (
    "Ô nền đỏ: số liệu không khớp khi kiểm tra chéo (xem trang «Kiểm tra chéo»). "
    "Số liệu được giữ nguyên như tính từ dữ liệu, không sửa, không bỏ."
)


def _heading_lines(report: FormReport) -> tuple[str, str]:
    frame = report.frame
    dates = (
        f"Ngày báo cáo {format_date(frame.as_of)}; kỳ báo cáo từ {format_date(frame.start)} "
        f"đến {format_date(frame.end)}"
    )
    return report.root_name, dates


def _failed_by_cell(report: FormReport) -> dict[tuple[str, int, int], list[str]]:
    cells: dict[tuple[str, int, int], list[str]] = {}
    for check in report.checks:
        if not check.ok:
            for cell in check.cells:
                cells.setdefault(cell, []).append(check.code)
    return cells


def _flagged(form: StatForm) -> bool:
    return any(row.flagged for row in [*form.rows, form.total])


# --- XLSX ------------------------------------------------------------------------------------


def forms_xlsx(report: FormReport) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(
        out,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    book.set_properties(
        {
            "title": neutralize(f"Thống kê cơ bản — {report.root_name}"),
            "author": "dangbo",
            "comments": neutralize(report.source),
        }
    )
    styles = {
        "org": book.add_format({"bold": True}),
        "code": book.add_format({"bold": True, "align": "right"}),
        "title": book.add_format({"bold": True, "font_size": 14, "align": "center"}),
        "basis": book.add_format({"italic": True, "align": "center"}),
        "head": book.add_format(
            {
                "bold": True,
                "text_wrap": True,
                "align": "center",
                "valign": "vcenter",
                "border": 1,
                "bg_color": "#EDEDED",
            }
        ),
        "text": book.add_format({"border": 1, "text_wrap": True, "valign": "top"}),
        "text_bold": book.add_format({"border": 1, "bold": True, "text_wrap": True, "valign": "top"}),
        "num": book.add_format({"border": 1, "num_format": "#,##0"}),
        "num_bold": book.add_format({"border": 1, "bold": True, "num_format": "#,##0"}),
        "flag": book.add_format(
            {"border": 1, "num_format": "#,##0", "bold": True, "bg_color": "#FFC7CE", "font_color": "#9C0006"}
        ),
        "note": book.add_format({"italic": True}),
        "failed": book.add_format(
            {"border": 1, "bold": True, "font_color": "#9C0006", "bg_color": "#FFC7CE", "valign": "top"}
        ),
        "passed": book.add_format({"border": 1, "font_color": "#006100", "valign": "top"}),
    }
    failed_cells = _failed_by_cell(report)
    for form in report.forms:
        _form_sheet(book, styles, report, form, failed_cells)
    _checks_sheet(book, styles, report)
    book.close()
    return out.getvalue()


def _text(sheet, row: int, col: int, value, style=None) -> None:
    sheet.write_string(row, col, neutralize(value), style)


def _form_sheet(book, styles, report: FormReport, form: StatForm, failed_cells) -> None:
    sheet = book.add_worksheet(form.code)
    first = 3  # first figure column: A STT, B organization, C code
    last = first + len(form.columns) - 1
    org_line, dates_line = _heading_lines(report)
    _text(sheet, 0, 0, org_line, styles["org"])
    _text(sheet, 0, last, form.code, styles["code"])
    sheet.merge_range(1, 0, 1, last, "", styles["title"])
    _text(sheet, 1, 0, form.title.upper(), styles["title"])
    sheet.merge_range(2, 0, 2, last, "", styles["basis"])
    _text(sheet, 2, 0, form.basis, styles["basis"])
    _text(sheet, 3, 0, dates_line, styles["note"])

    top, sub = 5, 6
    grouped = {c for _, a, b in form.groups for c in range(a, b + 1)}
    for col, label in ((0, "STT"), (1, form.row_heading), (2, "Mã")):
        sheet.merge_range(top, col, sub, col, "", styles["head"])
        _text(sheet, top, col, label, styles["head"])
    for heading, a, b in form.groups:
        if a == b:
            _text(sheet, top, first + a, heading, styles["head"])
        else:
            sheet.merge_range(top, first + a, top, first + b, "", styles["head"])
            _text(sheet, top, first + a, heading, styles["head"])
    for c, short in enumerate(form.headers or form.columns):
        if c in grouped:
            _text(sheet, sub, first + c, short, styles["head"])
        else:
            sheet.merge_range(top, first + c, sub, first + c, "", styles["head"])
            _text(sheet, top, first + c, short, styles["head"])
    sheet.set_row(sub, 45)

    line = sub + 1
    for index, row in [*enumerate(form.rows), (-1, form.total)]:
        is_total = index == -1
        text_style = styles["text_bold"] if is_total else styles["text"]
        if is_total:
            _text(sheet, line, 0, "", text_style)
        else:
            sheet.write_number(line, 0, index + 1, text_style)
        _text(sheet, line, 1, row.label, text_style)
        _text(sheet, line, 2, row.org_code, text_style)
        for c, value in enumerate(row.values):
            if c in row.flagged:
                sheet.write_number(line, first + c, value, styles["flag"])
                codes = failed_cells.get((form.code, index, c), [])
                sheet.write_comment(
                    line,
                    first + c,
                    neutralize(
                        "Không khớp kiểm tra chéo"
                        + (": " + ", ".join(codes) if codes else "")
                        + ". Số liệu giữ nguyên như tính từ dữ liệu."
                    ),
                )
            else:
                sheet.write_number(line, first + c, value, styles["num_bold"] if is_total else styles["num"])
        line += 1

    line += 1
    if _flagged(form):
        _text(sheet, line, 0, XLSX_FLAG_NOTE, styles["failed"])
        line += 1
    for note in form.notes:
        _text(sheet, line, 0, f"Ghi chú: {note}", styles["note"])
        line += 1
    _text(sheet, line, 0, f"Nguồn: {report.source}.", styles["note"])

    sheet.set_column(0, 0, 5)
    sheet.set_column(1, 1, 36)
    sheet.set_column(2, 2, 9)
    sheet.set_column(first, last, 11)
    sheet.freeze_panes(sub + 1, first)
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(top, sub)


def _checks_sheet(book, styles, report: FormReport) -> None:
    sheet = book.add_worksheet(CHECKS_TITLE)
    org_line, dates_line = _heading_lines(report)
    _text(sheet, 0, 0, org_line, styles["org"])
    sheet.merge_range(1, 0, 1, 3, "", styles["title"])
    _text(sheet, 1, 0, CHECKS_TITLE.upper(), styles["title"])
    sheet.merge_range(2, 0, 2, 3, "", styles["basis"])
    _text(sheet, 2, 0, dates_line, styles["basis"])
    failed = len(report.failed)
    summary = (
        f"Tất cả {len(report.checks)} phép kiểm tra đều đạt."
        if not failed
        else f"{failed}/{len(report.checks)} phép kiểm tra KHÔNG ĐẠT; các số liệu liên quan được tô đỏ ở từng mẫu."
    )
    _text(sheet, 3, 0, summary, styles["org"] if not failed else styles["failed"])
    for col, label in enumerate(("Mã", "Nội dung kiểm tra", "Kết quả", "Chi tiết")):
        _text(sheet, 5, col, label, styles["head"])
    for line, check in enumerate(report.checks, start=6):
        _text(sheet, line, 0, check.code, styles["text"])
        _text(sheet, line, 1, check.description, styles["text"])
        _text(
            sheet, line, 2, PASSED if check.ok else FAILED, styles["passed"] if check.ok else styles["failed"]
        )
        _text(sheet, line, 3, check.detail, styles["text"])
    sheet.set_column(0, 0, 7)
    sheet.set_column(1, 1, 70)
    sheet.set_column(2, 2, 12)
    sheet.set_column(3, 3, 80)
    sheet.freeze_panes(6, 0)
    sheet.set_landscape()
    sheet.set_paper(9)


# --- PDF -------------------------------------------------------------------------------------

MARGIN_MM = 10
BODY_PT = 10
TABLE_PT = 7.5
LINE_MM = 3.6
MAX_FIGURE_MM = 24
RED = (156, 0, 6)
GREY = (237, 237, 237)


class _FormsPDF(FPDF):
    footer_text = ""

    def footer(self) -> None:
        self.set_y(-8)
        self.set_font(FAMILY, "I", 8)
        self.cell(0, 4, f"{self.footer_text} — trang {self.page_no()}", align="C")


def forms_pdf(report: FormReport, *, created: datetime | None = None) -> bytes:
    pdf = _FormsPDF(orientation="landscape", unit="mm", format="A4")
    pdf.set_margins(MARGIN_MM, MARGIN_MM, MARGIN_MM)
    pdf.set_auto_page_break(True, margin=MARGIN_MM + 4)
    for style, file_name in FONT_FILES.items():
        pdf.add_font(FAMILY, style, str(FONTS / file_name))
    pdf.add_font(FAMILY, "BI", str(FONTS / FONT_FILES["B"]))  # no bold italic bundled: bold stands in
    org_line, dates_line = _heading_lines(report)
    pdf.footer_text = f"{org_line} — thống kê cơ bản, {dates_line.lower()}"
    pdf.set_title(f"Thống kê cơ bản — {org_line}")
    pdf.set_author(org_line)
    pdf.set_subject(report.source)
    pdf.set_creator("dangbo")
    pdf.set_lang("vi-VN")
    if created is not None:
        pdf.set_creation_date(created if created.tzinfo else created.replace(tzinfo=UTC))
    for form in report.forms:
        _form_page(pdf, report, form)
    _checks_page(pdf, report)
    return bytes(pdf.output())


def _page_heading(pdf: FPDF, report: FormReport, code: str, title: str, basis: str) -> None:
    pdf.add_page()
    pdf.set_font(FAMILY, "B", BODY_PT)
    pdf.cell(pdf.epw / 2, 5, report.root_name)
    pdf.cell(pdf.epw / 2, 5, code, align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font(FAMILY, "B", 13)
    pdf.multi_cell(pdf.epw, 6, title.upper(), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, "I", BODY_PT)
    pdf.multi_cell(pdf.epw, 5, basis, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)


def _form_page(pdf: FPDF, report: FormReport, form: StatForm) -> None:
    _page_heading(pdf, report, form.code, form.title, form.basis)
    number_w, label_w = 8.0, 48.0
    figure_w = min((pdf.epw - number_w - label_w) / max(len(form.columns), 1), MAX_FIGURE_MM)
    widths = (number_w, label_w, *([figure_w] * len(form.columns)))
    grouped = {c for _, a, b in form.groups for c in range(a, b + 1)}
    starts = {a: (heading, b - a + 1) for heading, a, b in form.groups}
    headers = form.headers or form.columns
    two_rows = bool(form.groups)
    heading_style = FontFace(emphasis="BOLD", fill_color=GREY)
    flag_style = FontFace(emphasis="BOLD", color=RED)
    total_style = FontFace(emphasis="BOLD")
    pdf.set_font(FAMILY, "", TABLE_PT)
    with pdf.table(
        col_widths=widths,
        width=min(sum(widths), pdf.epw),
        text_align="CENTER",
        line_height=LINE_MM,
        num_heading_rows=2 if two_rows else 1,
        headings_style=heading_style,
        first_row_as_headings=True,
        repeat_headings=1,
        padding=0.6,
    ) as table:
        top = table.row()
        span = 2 if two_rows else 1
        top.cell("STT", rowspan=span)
        top.cell(form.row_heading, rowspan=span)
        for c in range(len(form.columns)):
            if c in starts:
                heading, width = starts[c]
                top.cell(heading, colspan=width)
            elif c not in grouped:
                top.cell(headers[c], rowspan=span)
        if two_rows:
            sub = table.row()
            for c in range(len(form.columns)):
                if c in grouped:
                    sub.cell(headers[c])
        for index, row in [*enumerate(form.rows, start=1), (0, form.total)]:
            style = total_style if index == 0 else None
            line = table.row()
            line.cell(str(index) if index else "", style=style)
            line.cell(row.label if index else f"{row.label} ({report.root_name})", align="LEFT", style=style)
            for c, value in enumerate(row.values):
                if c in row.flagged:
                    line.cell(f"{format_number(value)}*", align="RIGHT", style=flag_style)
                else:
                    line.cell(format_number(value), align="RIGHT", style=style)
    pdf.ln(2)
    pdf.set_font(FAMILY, "", 8)
    if _flagged(form):
        pdf.set_text_color(*RED)
        pdf.set_font(FAMILY, "B", 8)
        pdf.multi_cell(pdf.epw, 4, FLAG_NOTE, new_x="LMARGIN", new_y="NEXT")
        failed = [check for check in report.failed if any(cell[0] == form.code for cell in check.cells)]
        pdf.set_font(FAMILY, "", 8)
        for check in failed:
            pdf.multi_cell(
                pdf.epw,
                4,
                f"{check.code} — {check.description}: {check.detail}",
                new_x="LMARGIN",
                new_y="NEXT",
            )
        pdf.set_text_color(0, 0, 0)
    pdf.set_font(FAMILY, "I", 8)
    for note in form.notes:
        pdf.multi_cell(pdf.epw, 4, f"Ghi chú: {note}", new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(pdf.epw, 4, f"Nguồn: {report.source}.", new_x="LMARGIN", new_y="NEXT")


def _checks_page(pdf: FPDF, report: FormReport) -> None:
    _, dates_line = _heading_lines(report)
    _page_heading(pdf, report, "", CHECKS_TITLE, dates_line)
    failed = len(report.failed)
    pdf.set_font(FAMILY, "B", BODY_PT)
    if failed:
        pdf.set_text_color(*RED)
        summary = f"{failed}/{len(report.checks)} phép kiểm tra KHÔNG ĐẠT; số liệu liên quan được đánh dấu (*) ở từng mẫu."
        pdf.multi_cell(pdf.epw, 5, summary, new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0, 0, 0)
    else:
        pdf.multi_cell(
            pdf.epw, 5, f"Tất cả {len(report.checks)} phép kiểm tra đều đạt.", new_x="LMARGIN", new_y="NEXT"
        )
    pdf.ln(2)
    pdf.set_font(FAMILY, "", 8.5)
    with pdf.table(
        col_widths=(12, 105, 22, 138),
        width=pdf.epw,
        text_align="LEFT",
        line_height=4,
        headings_style=FontFace(emphasis="BOLD", fill_color=GREY),
        padding=0.8,
    ) as table:
        head = table.row()
        for label in ("Mã", "Nội dung kiểm tra", "Kết quả", "Chi tiết"):
            head.cell(label)
        for check in report.checks:
            _check_row(table.row(), check)


def _check_row(row, check: Check) -> None:
    row.cell(check.code)
    row.cell(check.description)
    if check.ok:
        row.cell(PASSED, align="CENTER")
    else:
        row.cell(FAILED, align="CENTER", style=FontFace(emphasis="BOLD", color=RED))
    row.cell(check.detail)
