"""The statistical forms as HTML tables, for the forms page (``stats:stat_forms``).

Each table has the grouped headings of the PDF and the workbook (``StatForm.groups``) on two
rows: a group's heading over its columns, a column outside any group spanning both rows. The
rows are numbered (STT) as in the PDF, the total row ends the table (``tfoot``), and a figure
that failed a cross-check is marked «(*)», never left out.

A form with more rows than ``COLLAPSED_ABOVE`` (a district, a province after the 2025
restructuring: dozens or hundreds of organizations) is shown by its total, its rows behind a
disclosure (``<details>``) that opens on a click and for printing. When one of its rows holds
a marked figure, the disclosure starts open.

The tables are written here rather than in the template: a bloc of agencies has hundreds of
organizations, eight forms of up to twenty figures each, and the template engine took longer
over those cells than the database over the forms (the same reason as
``stats.views._children_rows``). Every text is escaped.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from django.utils.safestring import SafeString, mark_safe

from dangbo.core.formats import format_number
from dangbo.stats.statforms.shapes import FormReport, FormRow, StatForm

COLLAPSED_ABOVE = 15
FLAG_TITLE = "Không khớp khi kiểm tra chéo; số liệu giữ nguyên như tính từ dữ liệu"


@dataclass
class FormTable:
    form: StatForm
    anchor: str  # the id of the form's section («mau-1»)
    table: SafeString  # headings, every row, the total
    total_only: SafeString  # headings and the total (shown above a collapsed table)
    collapsed: bool  # the rows are behind a disclosure
    opened: bool  # ... which starts open: a row holds a marked figure
    rows: int


def _colgroups(form: StatForm) -> str:
    spans = [2]  # STT and the row's name
    starts = {a: b - a + 1 for _, a, b in form.groups}
    c = 0
    while c < len(form.columns):
        span = starts.get(c, 1)
        spans.append(span)
        c += span
    return "".join(f'<colgroup span="{span}"></colgroup>' for span in spans)


def _heading(form: StatForm) -> str:
    headers = form.headers or form.columns
    starts = {a: (heading, b - a + 1) for heading, a, b in form.groups}
    grouped = {c for _, a, b in form.groups for c in range(a, b + 1)}
    rowspan = ' rowspan="2"' if form.groups else ""
    top = [
        f'<th scope="col"{rowspan} class="stt">STT</th>',
        f'<th scope="col"{rowspan} class="name">{escape(form.row_heading)}</th>',
    ]
    sub = []
    for c, header in enumerate(headers):
        if c in starts:
            heading, span = starts[c]
            top.append(f'<th scope="colgroup" colspan="{span}" class="group">{escape(heading)}</th>')
        if c in grouped:
            sub.append(f'<th scope="col" class="num" title="{escape(form.columns[c])}">{escape(header)}</th>')
        else:
            top.append(f'<th scope="col"{rowspan} class="num">{escape(header)}</th>')
    rows = f"<tr>{''.join(top)}</tr>" + (f"<tr>{''.join(sub)}</tr>" if form.groups else "")
    return f"<thead>{rows}</thead>"


def _cells(row: FormRow) -> str:
    cells = []
    for c, value in enumerate(row.values):
        if c in row.flagged:
            cells.append(
                f'<td class="num late" title="{FLAG_TITLE}">{format_number(value)} <strong>(*)</strong></td>'
            )
        else:
            cells.append(f'<td class="num">{format_number(value)}</td>')
    return "".join(cells)


def _row(number: int, row: FormRow) -> str:
    return f'<tr><td class="stt">{number}</td><th scope="row" class="name">{escape(row.label)}</th>{_cells(row)}</tr>'


def _total(report: FormReport, form: StatForm) -> str:
    label = escape(f"{form.total.label} ({report.root_name})")
    return f'<tfoot><tr class="total"><td class="stt"></td><th scope="row" class="name">{label}</th>{_cells(form.total)}</tr></tfoot>'


def _table(form: StatForm, *parts: str) -> SafeString:
    return mark_safe(f'<table class="stat-form">{_colgroups(form)}{_heading(form)}{"".join(parts)}</table>')


def form_tables(report: FormReport) -> list[FormTable]:
    """Each form of ``report`` as HTML, in the report's order."""
    tables = []
    for form in report.forms:
        body = "".join(_row(i, row) for i, row in enumerate(form.rows, start=1))
        total = _total(report, form)
        collapsed = len(form.rows) > COLLAPSED_ABOVE
        tables.append(
            FormTable(
                form=form,
                anchor=f"mau-{form.number}",
                table=_table(form, f"<tbody>{body}</tbody>", total),
                total_only=_table(form, total) if collapsed else mark_safe(""),
                collapsed=collapsed,
                opened=collapsed and any(row.flagged for row in form.rows),
                rows=len(form.rows),
            )
        )
    return tables
