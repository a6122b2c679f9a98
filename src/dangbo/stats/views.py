"""Dashboard pages: a subtree's indicators, charts and breakdowns, and each indicator's drill-down."""

from __future__ import annotations

import dataclasses
import html
import io

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_POST

from dangbo.audit.services import Action, audit_record
from dangbo.core.clock import today
from dangbo.core.formats import format_number, format_percent
from dangbo.core.http import ScopedRequest
from dangbo.core.kept import kept
from dangbo.core.pages import in_scope_or_404, page_number, spreadsheet_download
from dangbo.core.spreadsheet import list_title
from dangbo.documents.tables import tables_pdf, tables_xlsx
from dangbo.jobs.services import job_start
from dangbo.members import exports
from dangbo.orgs.labels import org_labels
from dangbo.orgs.selectors import NotInScope, org_breadcrumbs, org_get, org_roots
from dangbo.stats.charts import COUNT, Bar, bar_chart
from dangbo.stats.drill_rows import Cell
from dangbo.stats.forms import ReportFrameForm
from dangbo.stats.frames import ReportInputError
from dangbo.stats.indicators import (
    BREAKDOWNS,
    INDICATORS,
    PERCENT,
    SECTIONS,
    STATUS_LABELS,
    Context,
    children_on,
    children_page,
    evaluate,
    evaluate_all,
)
from dangbo.stats.jobs import FORMATS, FORMS_JOB, forms_job_params
from dangbo.stats.reports import (
    CHILD_COLUMNS,
    fraction_text,
    frame_text,
    indicators_doc,
    target_text,
    value_text,
)
from dangbo.stats.selectors import indicator_drill, indicator_get, report_context
from dangbo.stats.statforms import build_forms
from dangbo.stats.statforms.web import form_tables


def _org_or_404(request: ScopedRequest, org_id):
    return in_scope_or_404(org_get, actor=request.scope, org_id=org_id)


def _context_or_errors(request: ScopedRequest, org, *, with_children: bool = True):
    """(form, ctx): ctx is None when the parameters are wrong (the form then says why)."""
    form = ReportFrameForm(request.GET, actor=request.scope)
    if not form.is_valid():
        return form, None
    data = form.cleaned_data
    try:
        ctx = report_context(
            actor=request.scope,
            org=org,
            as_of=data.get("ngay"),
            start=data.get("tu"),
            end=data.get("den"),
            with_children=with_children,
        )
    except ReportInputError as error:
        form.add_error(None, str(error))
        return form, None
    except NotInScope:
        raise Http404 from None
    return form, ctx


def _moved(form: ReportFrameForm, org, name: str, *args) -> HttpResponseBase | None:
    """The same page for the organization chosen in «Tổ chức» (the report's scope), with the
    day and period kept; None when none other was chosen."""
    other = form.chosen_org()
    if other is None or other.pk == org.pk:
        return None
    return redirect(reverse(name, args=[other.pk, *args]) + (f"?{form.query()}" if form.query() else ""))


def _file(data: bytes, filename: str, content_type: str) -> HttpResponseBase:
    return FileResponse(io.BytesIO(data), as_attachment=True, filename=filename, content_type=content_type)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
@require_GET
def dashboard_home_view(request: ScopedRequest) -> HttpResponse:
    if not request.scope.sees_orgs:
        return render(request, "web/no_role.html", status=403)
    root = org_roots(actor=request.scope).first()
    if root is None:
        return render(request, "web/no_role.html", status=403)
    return redirect(reverse("stats:dashboard", args=[root.pk]))


# The children's rows of a dashboard page: at 600,000 members the 258 children of the
# largest upper committee cost two thirds of its page (bench/results/national.md).
CHILDREN_PER_PAGE = 50


@login_required
@require_GET
def dashboard_view(request: ScopedRequest, org_id) -> HttpResponseBase:
    org = _org_or_404(request, org_id)
    form, ctx = _context_or_errors(request, org, with_children=False)
    if moved := _moved(form, org, "stats:dashboard"):
        return moved
    base = {"org": org, "form": form, "breadcrumbs": org_breadcrumbs(actor=request.scope, org=org)}
    if ctx is None:
        return render(request, "stats/dashboard.html", base, status=400)
    file_format = request.GET.get("dinh-dang")
    if file_format in ("xlsx", "pdf"):  # every child, where the page shows one page of them
        doc = indicators_doc(Context(frame=ctx.frame, children=children_on(ctx.frame)))
        name = f"chi-tieu-{org.code}-{ctx.frame.as_of:%Y%m%d}.{file_format}"
        if file_format == "xlsx":
            return _file(tables_xlsx(doc), name, XLSX)
        return _file(tables_pdf(doc), name, "application/pdf")
    suffix = f"?{form.query()}" if form.query() else ""
    frame = ctx.frame
    # the children's table a page at a time (the export above holds them all): a large upper
    # committee of the national profile has thousands of children, eight figures each
    children = children_page(ctx.frame, page_number(request), CHILDREN_PER_PAGE)
    ctx = Context(frame=ctx.frame, children=list(children.object_list))
    # kept while the register is unchanged (core.kept): officers of a province read its
    # dashboard over and over between two changes of its figures
    parts = kept(
        ("stats:dashboard", org.pk, suffix, children.number, frame.as_of, frame.start, frame.end, today()),
        lambda: _dashboard_parts(ctx, org, suffix),
    )
    context = {
        **base,
        **parts,
        "ctx": ctx,
        "frame_text": frame_text(ctx.frame),
        "query": form.query(),
        "page": children,
    }
    return render(request, "stats/dashboard.html", context)


@login_required
@require_GET
def structure_view(request: ScopedRequest, org_id) -> HttpResponseBase:
    """The structure of membership and organizations (the registry's breakdowns), each as a
    chart with its table beside it."""
    org = _org_or_404(request, org_id)
    form, ctx = _context_or_errors(request, org, with_children=False)
    if moved := _moved(form, org, "stats:structure"):
        return moved
    base = {"org": org, "form": form, "breadcrumbs": org_breadcrumbs(actor=request.scope, org=org)}
    if ctx is None:
        return render(request, "stats/structure.html", base, status=400)
    breakdowns = []
    for breakdown in BREAKDOWNS:
        categories = breakdown.categories(ctx, org)
        total = sum(n for _, _, n in categories)
        rows = [
            (label, format_number(n), format_percent(n / total) if total else "—", n)
            for _, label, n in categories
        ]
        chart = (
            bar_chart([Bar(label, n, text) for label, text, _, n in rows], title=breakdown.name, unit=COUNT)
            if categories
            else None
        )
        breakdowns.append((breakdown, [r[:3] for r in rows], format_number(total), chart))
    context = {
        **base,
        "ctx": ctx,
        "frame_text": frame_text(ctx.frame),
        "breakdowns": breakdowns,
        "query": form.query(),
    }
    return render(request, "stats/structure.html", context)


def _dashboard_parts(ctx, org, suffix: str) -> dict:
    """What the dashboard prints of its indicators: their sections, the progress chart and the
    children's table (``suffix``: the frame's query, kept on every address)."""
    results = evaluate_all(ctx)
    columns = [i for i in INDICATORS if i.code in CHILD_COLUMNS]
    sections = [(section, [r for r in results if r.indicator.section == section]) for section in SECTIONS]
    targeted = [r for r in results if r.target is not None and r.indicator.unit == PERCENT]
    progress = bar_chart(
        [
            Bar(
                r.indicator.name,
                r.value.value or 0,
                value_text(r),
                r.value.value is None,
                status=r.status,
                target=r.target.value if r.target is not None else None,
            )
            for r in targeted
        ],
        title="Các chỉ tiêu có mục tiêu: giá trị hiện tại và mục tiêu (thang 0–100 %)",
        unit=PERCENT,
    )
    return {
        "sections": [
            (
                name,
                [
                    {**_row(r), "url": reverse("stats:indicator", args=[org.pk, r.indicator.code]) + suffix}
                    for r in rs
                ],
            )
            for name, rs in sections
        ],
        "targeted": [_row(r) for r in targeted],
        "progress": progress,
        "columns": [(i.name, reverse("stats:indicator", args=[org.pk, i.code]) + suffix) for i in columns],
        "children": _children_rows(ctx, columns, suffix),
    }


def _children_rows(ctx, columns, suffix: str) -> str:
    """The children table's body, one row per child organization. Written here rather than in
    the template: a district has dozens of children and eight figures each, and the template
    engine spent more time on those cells than the database on the whole page."""
    rows = []
    # one address reversed, each child's made from it (a large committee has hundreds)
    template = reverse("stats:dashboard", args=[ctx.root.pk])
    for child in ctx.children:
        cells = []
        for indicator in columns:
            result = evaluate(ctx, indicator, child)
            late = " late" if result.status == "not_met" else ""
            cells.append(f'<td class="num{late}">{html.escape(value_text(result))}</td>')
        url = html.escape(template.replace(str(ctx.root.pk), str(child.pk)) + suffix)
        rows.append(
            f'<tr><th scope="row"><a href="{url}">{html.escape(child.name)}</a></th>{"".join(cells)}</tr>'
        )
    return mark_safe("".join(rows))  # every value above is escaped


def _row(result) -> dict:
    """What a page prints of a result, as flat strings (templates render them without lookups)."""
    indicator, target = result.indicator, result.target
    return {
        "result": result,
        "code": indicator.code,
        "name": indicator.name,
        "definition": indicator.definition,
        "value": value_text(result),
        "fraction": fraction_text(result),
        "target": target_text(result),
        "year": target.year if target is not None else "",
        "wording": target.wording if target is not None else "",
        "citation": result.citation + ("" if result.confirmed or target is None else " (chưa xác nhận)"),
        "status": result.status,
        "status_label": STATUS_LABELS[result.status],
    }


@login_required
@require_GET
def indicator_view(request: ScopedRequest, org_id, code: str) -> HttpResponseBase:
    org = _org_or_404(request, org_id)
    indicator = in_scope_or_404(indicator_get, code=code)
    form, ctx = _context_or_errors(request, org)
    if moved := _moved(form, org, "stats:indicator", indicator.code):
        return moved
    base = {
        "org": org,
        "indicator": indicator,
        "form": form,
        "breadcrumbs": org_breadcrumbs(actor=request.scope, org=org),
    }
    if ctx is None:
        return render(request, "stats/indicator.html", base, status=400)
    result = evaluate(ctx, indicator, org)
    children = [(child, _row(evaluate(ctx, indicator, child))) for child in ctx.children]
    drill = indicator_drill(ctx=ctx, indicator=indicator)
    file_format = request.GET.get("dinh-dang")
    if drill is not None and file_format in ("csv", "xlsx"):
        if drill.names_people and not exports.may_export_people(request.scope, org.path):
            return exports.export_refused(request, what=indicator.code, org=org)
        audit_record(
            action=Action.EXPORTED,
            subject_type="org",
            subject_id=str(org.pk),
            data={"list": indicator.code, "rows": len(drill.rows), "format": file_format},
        )
        rows = ([n] + [cell.typed for cell in row] for n, row in enumerate(drill.rows, start=1))
        return spreadsheet_download(
            ["STT", *drill.header],
            rows,
            file_format=file_format,
            filename=f"{indicator.code}-{org.code}-{ctx.frame.as_of:%Y%m%d}.{file_format}",
            title=list_title(drill.title, org.name, ctx.frame.as_of),
        )
    is_share = indicator.unit == PERCENT
    chart = (
        bar_chart(
            [
                Bar(
                    child.name,
                    row["result"].value.value or 0,
                    row["value"],
                    row["result"].value.value is None,
                    status=row["status"],
                )
                for child, row in children
            ],
            title=f"{indicator.name} theo tổ chức trực thuộc",
            unit=PERCENT if is_share else COUNT,
            target=result.target.value if result.target is not None and result.target.value > 0 else None,
            target_text=f"mục tiêu {target_text(result)}" if result.target is not None else "",
        )
        if children
        else None
    )
    context = {
        **base,
        "ctx": ctx,
        "frame_text": frame_text(ctx.frame),
        "row": _row(result),
        "children": children,
        "chart": chart,
        "drill": drill,
        "drill_rows": _labelled(request, drill.rows[:DRILL_PAGE_ROWS]) if drill else [],
        "query": form.query(),
    }
    return render(request, "stats/indicator.html", context)


# Rows shown on the page; the export holds them all.
DRILL_PAGE_ROWS = 500


def _labelled(request: ScopedRequest, rows: list[list[Cell]]) -> list[list[Cell]]:
    """The drill-down's rows with every organization labelled (what it belongs to, its code):
    many cells share a name. The name stays the row's (a past day's list names it as it was)."""
    labels = org_labels(actor=request.scope, org_ids=[cell.org_id for row in rows for cell in row])
    return [
        [
            dataclasses.replace(cell, label=dataclasses.replace(labels[cell.org_id], name=cell.text))
            if cell.org_id in labels
            else cell
            for cell in row
        ]
        for row in rows
    ]


@login_required
@require_GET
def forms_view(request: ScopedRequest, org_id) -> HttpResponseBase:
    """The basic statistical forms for a date and a period, then their cross-checks; a figure
    that fails a check is marked, never hidden. A form of many organizations shows its total,
    its rows behind a disclosure (``statforms.web``). Their XLSX and PDF are written by a
    background job (``forms_file_view``)."""
    org = _org_or_404(request, org_id)
    form, ctx = _context_or_errors(request, org, with_children=False)
    if moved := _moved(form, org, "stats:stat_forms"):
        return moved
    base = {"org": org, "form": form, "breadcrumbs": org_breadcrumbs(actor=request.scope, org=org)}
    if ctx is None:
        return render(request, "stats/forms.html", base, status=400)
    report = build_forms(ctx.frame)
    context = {
        **base,
        "ctx": ctx,
        "frame_text": frame_text(ctx.frame),
        "report": report,
        "tables": form_tables(report),
        "query": form.query(),
    }
    return render(request, "stats/forms.html", context)


@login_required
@require_POST
def forms_file_view(request: ScopedRequest, org_id) -> HttpResponseBase:
    """Start the job that writes the forms as XLSX or PDF, for the day and period on the page."""
    org = _org_or_404(request, org_id)
    file_format = request.POST.get("dinh-dang")
    form = ReportFrameForm(request.POST)
    if file_format not in FORMATS or not form.is_valid():
        return redirect(
            reverse("stats:stat_forms", args=[org.pk]) + (f"?{form.query()}" if form.is_valid() else "")
        )
    data = form.cleaned_data
    job = job_start(
        kind=FORMS_JOB,
        owner=request.user,
        params=forms_job_params(
            org=org,
            file_format=file_format,
            as_of=data.get("ngay"),
            start=data.get("tu"),
            end=data.get("den"),
        ),
        title=f"Biểu thống kê cơ bản — {org.name} ({file_format.upper()})",
        subject=("org", str(org.pk)),
    )
    return redirect("jobs:job", job_id=job.pk)
