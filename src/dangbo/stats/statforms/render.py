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


PAD_MM = 0.6  # inside each cell, on every side


class _FormTable:
    """A form's table, drawn cell by cell: the grouped headings on two rows (repeated at the
    top of every page the table runs on), one row per organization, the total row in bold and
    a figure that failed a cross-check in red with an asterisk.

    Drawn with rectangles and single text lines rather than fpdf2's ``table()``, which lays
    out every cell as a paragraph (twice: once to measure it): a province's forms have
    thousands of figures, and that layout took most of the file's time. Only the headings and
    the organizations' names wrap; the lines are measured once per text, width and style."""

    def __init__(self, pdf: FPDF, report: FormReport, form: StatForm) -> None:
        self.pdf, self.report, self.form = pdf, report, form
        number_w, label_w = 8.0, 48.0
        figure_w = min((pdf.epw - number_w - label_w) / max(len(form.columns), 1), MAX_FIGURE_MM)
        self.widths = [number_w, label_w, *([figure_w] * len(form.columns))]
        left = pdf.l_margin + (pdf.epw - sum(self.widths)) / 2  # centred, as fpdf2's tables are
        self.lefts = [left + sum(self.widths[:i]) for i in range(len(self.widths))]
        self.style = ("", (0, 0, 0))
        self._lines: dict[tuple[str, str, float], list[str]] = {}
        self.heading = self._heading_cells()

    # -- text -------------------------------------------------------------------------------

    def _set_style(self, emphasis: str, color: tuple[int, int, int] = (0, 0, 0)) -> None:
        if (emphasis, color) != self.style:
            self.pdf.set_font(FAMILY, emphasis, TABLE_PT)
            self.pdf.set_text_color(*color)
            self.style = (emphasis, color)

    def _wrap(self, text: str, width: float) -> list[str]:
        """``text`` broken into lines no wider than ``width`` (between words; a word wider than
        the column is broken between letters), in the current style."""
        key = (self.style[0], text, width)
        if key not in self._lines:
            measure = self.pdf.get_string_width
            lines: list[str] = []
            line = ""
            for word in text.split():
                while measure(word) > width and len(word) > 1:
                    cut = len(word) - 1
                    while cut > 1 and measure(word[:cut]) > width:
                        cut -= 1
                    if line:
                        lines.append(line)
                        line = ""
                    lines.append(word[:cut])
                    word = word[cut:]
                candidate = f"{line} {word}" if line else word
                if line and measure(candidate) > width:
                    lines.append(line)
                    line = word
                else:
                    line = candidate
            self._lines[key] = [*lines, line] if line or not lines else lines
        return self._lines[key]

    def _text(self, lines: list[str], x: float, y: float, w: float, h: float, align: str) -> None:
        """Lines centred vertically in the cell at (x, y, w, h), aligned L, C or R."""
        pdf = self.pdf
        top = y + (h - len(lines) * LINE_MM) / 2
        for i, line in enumerate(lines):
            if not line:
                continue
            if align == "L":
                at = x + PAD_MM
            else:
                width = pdf.get_string_width(line)
                at = x + w - PAD_MM - width if align == "R" else x + (w - width) / 2
            pdf.text(at, top + i * LINE_MM + LINE_MM / 2 + 0.3 * pdf.font_size, line)

    def _height(self, lines: int) -> float:
        return max(lines, 1) * LINE_MM + 2 * PAD_MM

    # -- the headings -----------------------------------------------------------------------

    def _heading_cells(self) -> tuple[list[tuple[int, int, int, int, str]], float, float]:
        """The heading cells (first column, columns, first row, rows, text) and the heights of
        the two heading rows (the second is 0 without groups)."""
        form = self.form
        headers = form.headers or form.columns
        starts = {a: (heading, b - a + 1) for heading, a, b in form.groups}
        grouped = {c for _, a, b in form.groups for c in range(a, b + 1)}
        rows = 2 if form.groups else 1
        cells = [(0, 1, 0, rows, "STT"), (1, 1, 0, rows, form.row_heading)]
        for c in range(len(form.columns)):
            if c in starts:
                heading, span = starts[c]
                cells.append((c + 2, span, 0, 1, heading))
                cells += [(g + 2, 1, 1, 1, headers[g]) for g in range(c, c + span)]
            elif c not in grouped:
                cells.append((c + 2, 1, 0, rows, headers[c]))
        self._set_style("B")
        heights = [0.0, 0.0]
        for first, span, row, row_span, text in cells:
            if row_span == 1:
                height = self._height(len(self._wrap(text, self._width(first, span) - 2 * PAD_MM)))
                heights[row] = max(heights[row], height)
        for first, span, _, row_span, text in cells:
            if row_span == 2:  # a heading over both rows: the second row grows if it needs room
                height = self._height(len(self._wrap(text, self._width(first, span) - 2 * PAD_MM)))
                heights[1] = max(heights[1], height - heights[0])
        if rows == 1:
            heights = [max(heights[0], self._height(1)), 0.0]
        return cells, heights[0], heights[1]

    def _width(self, first: int, span: int) -> float:
        return sum(self.widths[first : first + span])

    def _draw_heading(self) -> None:
        pdf = self.pdf
        cells, top_h, sub_h = self.heading
        y = pdf.get_y()
        self._set_style("B")
        pdf.set_fill_color(*GREY)
        for first, span, row, row_span, text in cells:
            x, w = self.lefts[first], self._width(first, span)
            cell_y = y + (top_h if row == 1 else 0)
            h = top_h + sub_h if row_span == 2 else (top_h if row == 0 else sub_h)
            pdf.rect(x, cell_y, w, h, style="DF")
            self._text(self._wrap(text, w - 2 * PAD_MM), x, cell_y, w, h, "C")
        pdf.set_y(y + top_h + sub_h)

    # -- the table --------------------------------------------------------------------------

    def draw(self) -> None:
        pdf, form = self.pdf, self.form
        pdf.set_font(FAMILY, "", TABLE_PT)
        pdf.set_line_width(0.2)
        self.style = ("", (0, 0, 0))
        self._draw_heading()
        label_w = self.widths[1] - 2 * PAD_MM
        for index, row in [*enumerate(form.rows, start=1), (0, form.total)]:
            emphasis = "" if index else "B"
            self._set_style(emphasis)
            label = row.label if index else f"{row.label} ({self.report.root_name})"
            lines = self._wrap(label, label_w)
            h = self._height(len(lines))
            if pdf.get_y() + h > pdf.page_break_trigger:
                pdf.add_page()
                self._set_style("B")  # a new page starts without a font on it
                self._draw_heading()
                self._set_style(emphasis)
            y = pdf.get_y()
            for x, w in zip(self.lefts, self.widths, strict=True):
                pdf.rect(x, y, w, h)
            self._text([str(index) if index else ""], self.lefts[0], y, self.widths[0], h, "C")
            self._text(lines, self.lefts[1], y, self.widths[1], h, "L")
            for c, value in enumerate(row.values):
                if c in row.flagged:
                    self._set_style("B", RED)
                    text = f"{format_number(value)}*"
                else:
                    self._set_style(emphasis)
                    text = format_number(value)
                self._text([text], self.lefts[c + 2], y, self.widths[c + 2], h, "R")
            pdf.set_y(y + h)
        self._set_style("")
        pdf.set_x(pdf.l_margin)


def _form_page(pdf: FPDF, report: FormReport, form: StatForm) -> None:
    _page_heading(pdf, report, form.code, form.title, form.basis)
    _FormTable(pdf, report, form).draw()
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
