"""The statistical forms page (``stats:stat_forms``): the forms first, each with the grouped
headings of the PDF on two rows, then the cross-checks; a form of many organizations shows its
total and keeps its rows behind a disclosure (open when a row holds a marked figure, and for
printing); and the page's figures are the workbook's and the PDF's, figure for figure."""

from __future__ import annotations

import io
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pypdf
import pytest
from django.contrib.auth.models import User

from dangbo.accounts.models import AccessRole
from dangbo.accounts.services import role_grant
from dangbo.core.formats import format_number
from dangbo.jobs.models import Job
from dangbo.stats import views as stats_views
from dangbo.stats.frames import frame_for
from dangbo.stats.statforms import build_forms, check_forms, web
from dangbo.stats.statforms.period import CLOSING

PERIOD = {"ngay": "31/12/2024", "tu": "01/01/2024", "den": "31/12/2024"}


class _Page(HTMLParser):
    """The page's sections in order (their ids), and for each form section its tables: each a
    list of rows, each row a list of (tag, text, attributes) cells; ``details`` the
    disclosures met (their attributes and summary text) per section."""

    def __init__(self) -> None:
        super().__init__()
        self.sections: list[str] = []
        self.tables: dict[str, list[list[list[tuple[str, str, dict]]]]] = {}
        self.details: dict[str, list[tuple[dict, str]]] = {}
        self._section = ""
        self._cell: list | None = None
        self._summary: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "section" and attributes.get("id"):
            self._section = attributes["id"]
            self.sections.append(self._section)
        elif tag == "table" and "stat-form" in (attributes.get("class") or ""):
            self.tables.setdefault(self._section, []).append([])
        elif tag == "tr" and self._section in self.tables:
            self.tables[self._section][-1].append([])
        elif tag in ("td", "th") and self._section in self.tables:
            self._cell = [tag, "", attributes]
        elif tag == "details":
            self.details.setdefault(self._section, []).append((attributes, ""))
        elif tag == "summary":
            self._summary = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            tag_name, text, attributes = self._cell
            self.tables[self._section][-1][-1].append((tag_name, " ".join(text.split()), attributes))
            self._cell = None
        elif tag == "summary" and self._summary is not None:
            attributes, _ = self.details[self._section][-1]
            self.details[self._section][-1] = (attributes, " ".join("".join(self._summary).split()))
            self._summary = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell[1] += data
        if self._summary is not None:
            self._summary.append(data)


def _page(response) -> _Page:
    assert response.status_code == 200
    parser = _Page()
    parser.feed(response.content.decode())
    return parser


def _figures(table) -> list[tuple[str, list[str]]]:
    """(row name, figures as printed) for every row below the headings."""
    rows = []
    for cells in table:
        if cells and cells[0][0] == "td":  # a numbered row or the total (STT cell first)
            rows.append((cells[1][1], [text for _, text, _ in cells[2:]]))
    return rows


@pytest.fixture
def officer(tree):
    user = User.objects.create_user("canbo", password="mat-khau-dai-du-1")
    role_grant(user=user, role=AccessRole.OFFICER, org=tree.province)
    return user


@pytest.fixture
def members(tree, make_member):
    for cell in (tree.cell_a, tree.cell_a, tree.cell_b, tree.agency):
        make_member(cell, admitted_on=date(2016, 3, 1))
    make_member(tree.cell_a, admitted_on=date(2024, 5, 1), full=False)  # an admission in the period
    return tree


def test_the_forms_come_first_with_grouped_headings_then_the_checks(client, members, officer):
    client.force_login(officer)
    response = client.get(f"/to-chuc/{members.province.pk}/bieu-thong-ke/", PERIOD)
    page = _page(response)
    report = build_forms(
        frame_for(
            root=members.province, as_of=date(2024, 12, 31), start=date(2024, 1, 1), end=date(2024, 12, 31)
        )
    )
    anchors = [f"mau-{form.number}" for form in report.forms]
    assert page.sections == [*anchors, "kiem-tra-cheo"]  # every form, in order, then the checks
    html = response.content.decode()
    assert html.index('id="mau-8"') < html.index('<h2 id="kiem-tra-cheo-tieu-de">Kiểm tra chéo</h2>')
    assert 'href="#kiem-tra-cheo"' in html  # the verdict above the forms links down to the checks

    for form, anchor in zip(report.forms, anchors, strict=True):
        [table] = page.tables[anchor]  # few rows: one table, nothing collapsed
        assert anchor not in page.details
        top, *rest = table
        grouped = {c for _, a, b in form.groups for c in range(a, b + 1)}
        if form.groups:
            sub = rest[0]
            for heading, a, b in form.groups:  # a group's heading over its columns...
                assert (
                    "th",
                    heading,
                    {"scope": "colgroup", "colspan": str(b - a + 1), "class": "group"},
                ) in top
            assert [text for _, text, _ in sub] == [
                form.headers[c] for c in sorted(grouped)
            ]  # ...their names under it
            spanning = [text for _, text, attributes in top if attributes.get("rowspan") == "2"]
            assert spanning == ["STT", form.row_heading] + [
                form.headers[c] for c in range(len(form.columns)) if c not in grouped
            ]
        else:
            assert [text for _, text, _ in top] == ["STT", form.row_heading, *form.headers]
        expected = [(row.label, [format_number(v) for v in row.values]) for row in form.rows]
        expected.append(
            (f"{form.total.label} ({report.root_name})", [format_number(v) for v in form.total.values])
        )
        assert _figures(table) == expected


def test_many_rows_are_behind_a_disclosure_and_a_marked_row_opens_it(client, members, officer, monkeypatch):
    client.force_login(officer)
    url = f"/to-chuc/{members.province.pk}/bieu-thong-ke/"
    monkeypatch.setattr(web, "COLLAPSED_ABOVE", 1)  # the province's two districts count as many
    page = _page(client.get(url, PERIOD))
    movement = page.tables["mau-1"]
    total_only, full = movement
    assert [name for name, _ in _figures(total_only)] == ["Tổng cộng (Đảng bộ tỉnh Mẫu)"]
    assert [name for name, _ in _figures(full)] == [
        "Huyện ủy Một",
        "Huyện ủy Hai",
        "Tổng cộng (Đảng bộ tỉnh Mẫu)",
    ]
    [(attributes, summary)] = page.details["mau-1"]
    assert "open" not in attributes and summary == "Xem 2 dòng theo từng tổ chức đảng"
    assert _figures(total_only)[0] == _figures(full)[-1]  # the total shown above is the table's own

    real_build = stats_views.build_forms

    def corrupted(frame):
        report = real_build(frame)
        report.forms[0].rows[0].values[CLOSING] += 1  # a closing figure that no longer balances
        check_forms(report)
        return report

    monkeypatch.setattr(stats_views, "build_forms", corrupted)
    response = client.get(url, PERIOD)
    page = _page(response)
    [(attributes, summary)] = page.details["mau-1"]
    assert "open" in attributes and "có số liệu đánh dấu" in summary  # a marked figure is never hidden
    first_row = page.tables["mau-1"][1][2]  # below the two heading rows
    assert first_row[2 + CLOSING][1].endswith("(*)") and "late" in first_row[2 + CLOSING][2]["class"]
    assert "phép kiểm tra chéo không đạt" in response.content.decode()


def test_printing_opens_every_disclosure():
    static = Path(__file__).resolve().parent.parent / "src" / "dangbo" / "web" / "static" / "dangbo"
    script = (static / "print.js").read_text()
    assert "beforeprint" in script and "details.open = true" in script and "afterprint" in script
    assert "details.by-org::details-content" in (static / "site.css").read_text()


def _xlsx_rows(data: bytes, code: str) -> list[tuple[str, list[str]]]:
    sheet = openpyxl.load_workbook(io.BytesIO(data))[code]
    rows = []
    for values in sheet.iter_rows(min_row=8, values_only=True):  # below the two heading rows
        if values[1] is None or not isinstance(values[3], int):
            break
        rows.append((values[1], [format_number(v) for v in values[3:] if v is not None]))
    return rows


def _pdf_text_by_form(data: bytes) -> dict[str, str]:
    """The text of each form's pages (a form's first page names its code on its first line)."""
    texts: dict[str, str] = {}
    code = ""
    for page in pypdf.PdfReader(io.BytesIO(data)).pages:
        text = page.extract_text()
        first = text.splitlines()[0]
        if "-TCTW" in first:
            code = first[first.index("Mẫu") :].strip()
        elif "KIỂM TRA CHÉO" in text:
            code = "checks"
        texts[code] = texts.get(code, "") + "\n" + text
    return texts


def _file(client, url: str, period: dict, file_format: str) -> bytes:
    """The file the page's export button has a job write, as downloaded."""
    client.post(url + "tai-ve/", {"dinh-dang": file_format, **period})
    job = Job.objects.filter(result_name__endswith=file_format).latest("created_at")
    return b"".join(client.get(f"/cong-viec/{job.pk}/tai-ve/").streaming_content)


def test_the_page_figures_are_the_workbook_and_pdf_figures_on_a_demo_subtree(client, db, monkeypatch):
    from dangbo.demo.generator import build_demo
    from dangbo.demo.profiles import PROFILES
    from dangbo.orgs.models import Org

    build_demo(PROFILES["tiny"], seed=7, progress=lambda line: None)
    client.force_login(User.objects.create_superuser("quantri", password="mat-khau-dai-du-1"))
    monkeypatch.setattr(web, "COLLAPSED_ABOVE", 3)  # some forms collapsed, some not
    commune = (
        Org.objects.filter(children__isnull=False, parent__parent__isnull=False).order_by("path").first()
    )
    as_of = PROFILES["tiny"].as_of
    start = max(date(as_of.year - 5, 1, 1), commune.created_on)  # five years of the demo's history
    period = {"ngay": f"{as_of:%d/%m/%Y}", "tu": f"{start:%d/%m/%Y}", "den": f"{as_of:%d/%m/%Y}"}
    url = f"/to-chuc/{commune.pk}/bieu-thong-ke/"
    page = _page(client.get(url, period))
    xlsx, pdf = _file(client, url, period, "xlsx"), _file(client, url, period, "pdf")
    pdf_text = _pdf_text_by_form(pdf)
    report = build_forms(frame_for(root=commune, as_of=as_of, start=start, end=as_of))
    assert report.ok and sum(len(form.rows) for form in report.forms) > 20
    collapsed = 0
    for form in report.forms:
        tables = page.tables[f"mau-{form.number}"]
        collapsed += len(tables) == 2
        on_page = _figures(tables[-1])  # the whole table (after the total alone, when collapsed)
        assert len(on_page) == len(form.rows) + 1 and any(any(v != "0" for v in f) for _, f in on_page)
        in_workbook = _xlsx_rows(xlsx, form.code)
        assert [f for _, f in on_page] == [f for _, f in in_workbook]
        assert [n for n, _ in on_page[:-1]] == [n for n, _ in in_workbook[:-1]]
        for _, figures in on_page:  # each row's figures, in order, on the form's pages of the PDF
            assert " " + " ".join(figures) in pdf_text[form.code].replace("\n", " ")
    assert collapsed >= 2
