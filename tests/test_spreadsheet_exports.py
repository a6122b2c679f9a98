"""Issue 23, list exports made for the office: XLSX cells typed (dates are Excel dates shown
dd/mm/yyyy, counts are numbers, identifiers made of digits stay text with their leading
zeros, formulas stay inert text), the header frozen and filtered, printed on A4 landscape one
page wide with the header on every page, the title naming the organization and the date; the
member list with the card number and the grassroots organization above each cell; CSV text."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.utils.timezone import localtime
from openpyxl import load_workbook

from dangbo.accounts.models import AccessRole
from dangbo.accounts.services import role_grant
from dangbo.audit.services import Action, audit_record
from dangbo.core import clock
from dangbo.core.spreadsheet import DATE, TEXT, Share, csv_chunks, list_title, xlsx_file
from dangbo.jobs.models import Job, JobState

HEADER = ["STT", "Họ và tên", "Số thẻ", "Ngày sinh", "Điểm", "Tỷ lệ", "Nơi làm việc", "Mã", "Ngày vào"]
ROWS = [
    [
        1,
        "Nguyễn Văn An",
        "01234567",
        date(1990, 5, 17),
        Decimal("84.5"),
        Share(0.835),
        '=HYPERLINK("http://x","bấm")',
        7,
        "01/03/2016",
    ],
    [2, "Lê Thị Hà", "", None, -5, None, "+1+1", 8, "chưa rõ"],
]
TYPES = [None, None, TEXT, None, None, None, None, TEXT, DATE]


def _book(rows=ROWS, **options):
    options.setdefault("title", "Danh sách — Đảng bộ xã Một — ngày 05/12/2026")
    return load_workbook(xlsx_file(HEADER, rows, types=TYPES, **options)).active


def _rows(sheet) -> list[list]:
    return [[c.value for c in row] for row in sheet.iter_rows(min_row=4)]


def test_xlsx_cells_are_typed_and_identifiers_and_formulas_stay_text():
    sheet = _book()
    assert sheet["A1"].value == "Danh sách — Đảng bộ xã Một — ngày 05/12/2026"
    assert [c.value for c in sheet[3]] == HEADER
    first, second = sheet[4], sheet[5]
    number, name, card, born, score, share, workplace, code, admitted = first
    assert number.value == 1 and isinstance(number.value, int) and number.data_type == "n"
    assert name.value == "Nguyễn Văn An" and name.data_type == "s"
    assert card.value == "01234567" and card.data_type == "s"  # the leading zero is kept
    assert isinstance(born.value, datetime) and born.value.date() == date(1990, 5, 17)
    assert born.is_date and born.number_format == "dd/mm/yyyy"
    assert score.value == 84.5 and score.data_type == "n"
    assert share.value == 0.835 and share.number_format == "0.0%"
    assert workplace.value == '\'=HYPERLINK("http://x","bấm")' and workplace.data_type == "s"
    assert code.value == "7" and code.data_type == "s"  # a column said to be text: even a number
    assert admitted.is_date and admitted.value.date() == date(2016, 3, 1)  # parsed: said to be dates
    assert second[4].value == -5 and second[6].value == "'+1+1"
    assert second[8].value == "chưa rõ" and second[8].data_type == "s"  # not a date: kept as written
    assert second[2].value is None and second[3].value is None  # nothing written for nothing
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)  # no formula anywhere


def test_xlsx_header_is_frozen_filtered_and_printed_on_every_a4_landscape_page():
    sheet = _book()
    assert sheet.freeze_panes == "A4"  # the title and the header stay in view
    assert sheet.auto_filter.ref == "A3:I5"  # the header and every row
    assert sheet.page_setup.orientation == "landscape" and int(sheet.page_setup.paperSize) == 9
    assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.page_setup.fitToHeight == 0
    assert sheet.print_title_rows == "$3:$3"
    assert sheet.oddFooter.center.text == "Trang &P/&N"
    assert sheet.column_dimensions["A"].width < sheet.column_dimensions["B"].width
    empty = _book(rows=[], subtitle="Không có dòng nào")
    assert empty.auto_filter.ref == "A3:I3" and empty["A2"].value == "Không có dòng nào"


def test_a_moment_is_written_in_the_installations_time():
    moment = datetime(2026, 12, 5, 1, 30, 15, tzinfo=UTC)
    sheet = load_workbook(xlsx_file(["Lúc"], [[moment]], title="T")).active
    assert sheet["A4"].is_date and sheet["A4"].number_format == "dd/mm/yyyy hh:mm:ss"
    assert sheet["A4"].value == localtime(moment).replace(tzinfo=None)  # 08:30:15 in Hà Nội


def test_csv_writes_the_same_rows_as_vietnamese_text():
    text = "".join(csv_chunks(HEADER, ROWS))
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert rows[0] == HEADER
    assert rows[1][:6] == ["1", "Nguyễn Văn An", "01234567", "17/05/1990", "84,5", "83,5 %"]
    assert rows[1][6].startswith("'=HYPERLINK")
    assert rows[2][3:5] == ["", "-5"]  # a negative number is no formula
    assert rows[2][6] == "'+1+1"


def test_list_title():
    assert list_title("Danh sách đảng viên", "Đảng bộ xã X", date(2026, 12, 5)) == (
        "Danh sách đảng viên — Đảng bộ xã X — ngày 05/12/2026"
    )
    assert list_title("Nhật ký truy cập", "", date(2026, 12, 5)) == "Nhật ký truy cập — ngày 05/12/2026"


# --- the member list -----------------------------------------------------------------------------


@pytest.fixture
def officer(client, tree):
    user = User.objects.create_user("canbo", password="mat-khau-dai-du-1")
    role_grant(user=user, role=AccessRole.OFFICER, org=tree.district)
    client.force_login(user)
    return user


@pytest.fixture
def listed(tree, make_member):
    """A member of a cell of the commune committee (with a card number starting with 0), and
    one of the agency's grassroots cell (the organization above is the cell itself)."""
    return (
        make_member(tree.cell_a, family_name="Trần", given_name="An", card_number="01234567"),
        make_member(tree.agency, family_name="Lê", given_name="Bình", birth_date=date(1985, 2, 3)),
    )


def _download(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _member_sheet(data: bytes):
    sheet = load_workbook(io.BytesIO(data)).active
    header = [c.value for c in sheet[3]]
    rows = {row[header.index("Họ và tên")].value: row for row in sheet.iter_rows(min_row=4)}
    return sheet, header, rows


def _check_member_sheet(sheet, header, rows):
    assert {"Số thẻ đảng viên", "Tổ chức cơ sở đảng", "Chi bộ"} <= set(header)
    an, binh = rows["Trần Văn An"], rows["Lê Văn Bình"]
    card = an[header.index("Số thẻ đảng viên")]
    assert card.value == "01234567" and card.data_type == "s"
    assert an[header.index("Chi bộ")].value == "Chi bộ thôn A"
    assert an[header.index("Tổ chức cơ sở đảng")].value == "Đảng bộ xã Một"  # the committee above
    assert binh[header.index("Tổ chức cơ sở đảng")].value == "Chi bộ Cơ quan Một"  # itself grassroots
    born = binh[header.index("Ngày sinh")]
    assert born.is_date and born.value.date() == date(1985, 2, 3) and born.number_format == "dd/mm/yyyy"
    admitted = an[header.index("Ngày vào Đảng")]
    assert admitted.is_date and admitted.value.date() == date(2016, 3, 1)
    assert {type(r[0].value) for r in rows.values()} == {int}
    assert sheet.freeze_panes == "A4" and sheet.auto_filter.ref == f"A3:{an[-1].column_letter}5"
    assert sheet.page_setup.orientation == "landscape" and sheet.print_title_rows == "$3:$3"


def test_the_member_list_xlsx_has_the_card_number_the_grassroots_organization_and_typed_dates(
    client, tree, officer, listed
):
    response = client.get("/dang-vien/xuat/", {"dinh-dang": "xlsx", "org": str(tree.district.pk)})
    sheet, header, rows = _member_sheet(_download(response))
    assert sheet["A1"].value == f"Danh sách đảng viên — Huyện ủy Một — ngày {clock.today():%d/%m/%Y}"
    _check_member_sheet(sheet, header, rows)
    # without an organization chosen: the organizations the user reads
    response = client.get("/dang-vien/xuat/", {"dinh-dang": "xlsx"})
    assert _member_sheet(_download(response))[0]["A1"].value.startswith("Danh sách đảng viên — Huyện ủy Một")


def test_the_member_list_csv_stays_text_with_the_same_columns(client, tree, officer, listed):
    response = client.get("/dang-vien/xuat/", {"dinh-dang": "csv"})
    text = _download(response).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    header = rows[0]
    an = next(r for r in rows[1:] if r[1] == "Trần Văn An")
    assert an[header.index("Số thẻ đảng viên")] == "01234567"
    assert an[header.index("Ngày sinh")] == "17/05/1990"
    assert an[header.index("Tổ chức cơ sở đảng")] == "Đảng bộ xã Một"


def test_a_long_member_list_written_by_a_job_has_the_same_layout(client, tree, officer, listed, monkeypatch):
    from dangbo.members import views

    monkeypatch.setattr(views, "EXPORT_IN_REQUEST_MAX", 1)
    response = client.post(f"/dang-vien/xuat/?org={tree.district.pk}&dinh-dang=xlsx", {"purpose": ""})
    job = Job.objects.get()
    assert response.status_code == 302 and job.state == JobState.DONE
    sheet, header, rows = _member_sheet(_download(client.get(f"/cong-viec/{job.pk}/tai-ve/")))
    assert sheet["A1"].value == f"Danh sách đảng viên — Huyện ủy Một — ngày {clock.today():%d/%m/%Y}"
    _check_member_sheet(sheet, header, rows)


# --- the other list exports ---------------------------------------------------------------------


def test_the_audit_trail_export_has_typed_numbers_and_moments(client, tree, officer, listed):
    admin = User.objects.create_superuser("quantri", password="mat-khau-dai-du-1")
    client.force_login(admin)
    audit_record(action=Action.MEMBER_VIEWED, subject_type="member", subject_id=str(listed[0].pk))
    response = client.get("/nhat-ky/xuat/", {"dinh-dang": "xlsx", "action": Action.MEMBER_VIEWED})
    sheet = load_workbook(io.BytesIO(_download(response))).active
    assert sheet["A1"].value == f"Nhật ký truy cập — ngày {clock.today():%d/%m/%Y}"
    seq, when = sheet["A4"], sheet["B4"]
    assert isinstance(seq.value, int) and when.is_date
    assert abs(when.value - clock.now().astimezone().replace(tzinfo=None)) < timedelta(days=1)
    assert sheet.freeze_panes == "A4" and sheet.auto_filter.ref == "A3:M4"


def test_an_indicator_drill_down_exports_counts_as_numbers(client, tree, officer, make_member):
    for n in range(9):
        make_member(tree.cell_a, given_name=f"Chín{n}")
    response = client.get(
        f"/to-chuc/{tree.commune.pk}/chi-tieu/orgs.cells_needing_committee/", {"dinh-dang": "xlsx"}
    )
    sheet = load_workbook(io.BytesIO(_download(response))).active
    assert sheet["A1"].value.endswith(f"— Đảng bộ xã Một — ngày {clock.today():%d/%m/%Y}")
    row = [c.value for c in sheet[4]]
    assert row[0] == 1 and row[1] == "Chi bộ thôn A" and row[3] == 9 and isinstance(row[3], int)
    assert sheet.print_title_rows == "$3:$3"


def test_compliance_findings_export_numbers_and_dates(tree, make_member):
    from dangbo.stats.compliance import compliance_run
    from dangbo.stats.compliance.reports import HEADER as COMPLIANCE_HEADER
    from dangbo.stats.compliance.reports import compliance_xlsx

    make_member(tree.cell_a)
    findings = compliance_run(root=tree.province, today=clock.today())
    sheet = load_workbook(compliance_xlsx(findings, title="Kiểm tra")).active
    since = COMPLIANCE_HEADER.index("Từ ngày")
    rows = list(sheet.iter_rows(min_row=4))
    assert rows and [r[0].value for r in rows] == list(range(1, len(rows) + 1))
    dated = [f for f in findings if f.since is not None]
    assert sum(1 for r in rows if r[since].is_date) == len(dated)
