"""The import pages through Django's test client (issue 22): upload, the staged rows and their
reasons, the mapping step, the rejections' download, confirmation, cancellation; a file that
is not a spreadsheet; another office never sees a batch; a user without a role cannot import."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from tests.import_files import csv_bytes

from dangbo.accounts.models import AccessRole
from dangbo.accounts.services import role_grant
from dangbo.audit.models import AuditEntry
from dangbo.imports.models import BatchState, ImportBatch, StagedRow
from dangbo.members.models import Member, MemberEvent

pytestmark = pytest.mark.django_db

HEADER = [
    "Họ và tên",
    "Ngày sinh",
    "Giới tính",
    "Dân tộc",
    "Tôn giáo",
    "Ngày vào Đảng",
    "Ngày chính thức",
    "Chi bộ",
]
ROWS = [
    ["Lê Văn Nam", "20/01/1990", "Nam", "Kinh", "Không", "01/09/2020", "01/09/2021", "X1A"],
    ["Hà Thị Mai", "03/03/1992", "Nữ", "Mường", "Không", "01/09/2020", "", "Chi bộ thôn B"],
    ["Ngô Văn Lỗi", "03/03/1992", "Nam", "Kinh", "Không", "ngày 40 tháng 2 năm 2020", "", "X1A"],
]


def _user(name: str, role: str, org) -> User:
    user = User.objects.create_user(name, password="mat-khau-dai-du-1")
    role_grant(user=user, role=role, org=org)
    return user


def _upload(client, data: bytes, *, name="dang-vien.csv", org="X1", kind="members"):
    return client.post(
        reverse("imports:home"),
        {"kind": kind, "org_code": org, "data_file": SimpleUploadedFile(name, data)},
    )


@pytest.fixture
def officer(client, tree, frozen_today):
    frozen_today(date(2026, 6, 1))
    client.force_login(_user("canbo-xa", AccessRole.OFFICER, tree.commune))
    return tree


def test_upload_check_confirm(client, officer):
    response = _upload(client, csv_bytes(HEADER, ROWS))
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("imports:batch", args=[batch.pk])
    page = client.get(response["Location"]).content.decode()
    batch.refresh_from_db()
    assert (
        batch.state == BatchState.STAGED and batch.counts["accepted"] == 2 and batch.counts["rejected"] == 1
    )
    assert "ngày 40 tháng 2 năm 2020" in page and "Xác nhận nhập" in page
    assert Member.objects.count() == 0  # nothing before confirmation

    download = client.get(reverse("imports:rejections", args=[batch.pk, "csv"]))
    lines = list(csv.reader(io.StringIO(b"".join(download.streaming_content).decode("utf-8-sig"))))
    assert lines[0] == ["Dòng", "Kết quả", "Cột", "Giá trị", "Lý do", "Căn cứ"]
    assert lines[1][0] == "4" and lines[1][2] == "Ngày vào Đảng"
    assert AuditEntry.objects.filter(action="exported", subject_type="import").exists()

    response = client.post(reverse("imports:commit", args=[batch.pk]))
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.state == BatchState.COMMITTED and not batch.stored_name
    assert sorted(Member.objects.values_list("given_name", flat=True)) == ["Mai", "Nam"]
    event = MemberEvent.objects.filter(kind="admitted").first()
    assert event.recorded_by.username == "canbo-xa" and event.data["import"]["user"] == "canbo-xa"
    assert "Đã nhập" in client.get(reverse("imports:batch", args=[batch.pk])).content.decode()
    # confirming again writes nothing more
    client.post(reverse("imports:commit", args=[batch.pk]))
    assert Member.objects.count() == 2


def test_an_unknown_column_is_mapped_on_the_page(client, officer):
    header = ["Họ và tên", "Sinh nhật", *HEADER[2:]]
    _upload(client, csv_bytes(header, ROWS[:1]))
    batch = ImportBatch.objects.get()
    page = client.get(reverse("imports:batch", args=[batch.pk])).content.decode()
    assert "Chưa tìm thấy cột: Ngày sinh" in page and "Sinh nhật" in page
    assert "Xác nhận nhập" not in page
    client.post(reverse("imports:map", args=[batch.pk]), {"col_1": "birth_date"})
    batch.refresh_from_db()
    assert batch.counts["accepted"] == 1 and not batch.reading["missing"]


def test_cancel_drops_the_staged_rows(client, officer):
    _upload(client, csv_bytes(HEADER, ROWS))
    batch = ImportBatch.objects.get()
    client.post(reverse("imports:cancel", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.state == BatchState.CANCELLED and not StagedRow.objects.exists() and not batch.stored_name
    client.post(reverse("imports:commit", args=[batch.pk]))
    assert Member.objects.count() == 0


def test_bad_files_are_refused_with_a_message_and_nothing_kept(client, officer, settings):
    response = _upload(client, b"\x89PNG\r\n\x1a\n not a book", name="anh.xlsx")
    assert response.status_code == 400
    assert "không phải" in response.content.decode().lower()
    response = _upload(client, csv_bytes(["Một", "Hai"], [["1", "2"]]))
    assert response.status_code == 400 and "Không tìm thấy dòng tiêu đề" in response.content.decode()
    settings.DANGBO_IMPORT_MAX_MB = 0
    response = _upload(client, csv_bytes(HEADER, ROWS))
    assert response.status_code in (400, 413)
    assert not ImportBatch.objects.exists()


def test_rows_outside_the_subtree_and_organizations_outside_the_scope(client, officer):
    response = _upload(client, csv_bytes(HEADER, ROWS), org="H2")
    assert response.status_code == 400 and "phạm vi" in response.content.decode()
    # a row naming the agency's cell, which lies outside the commune: the file is refused whole
    _upload(client, csv_bytes(HEADER, [ROWS[0], [*ROWS[1][:-1], "CQ1"]]), org="X1")
    batch = ImportBatch.objects.get()
    assert batch.state == BatchState.REFUSED and not StagedRow.objects.exists()
    assert "dòng 3 («CQ1»)" in batch.refusal
    page = client.get(reverse("imports:batch", args=[batch.pk])).content.decode()
    assert "không thuộc phạm vi" in page and "Xác nhận nhập" not in page
    assert Member.objects.count() == 0


def test_another_office_never_sees_a_batch(client, officer):
    _upload(client, csv_bytes(HEADER, ROWS))
    batch = ImportBatch.objects.get()
    client.force_login(_user("canbo-huyen-2", AccessRole.OFFICER, officer.district2))
    for name, args in (("batch", [batch.pk]), ("rejections", [batch.pk, "csv"])):
        assert client.get(reverse(f"imports:{name}", args=args)).status_code == 404
    assert client.post(reverse("imports:commit", args=[batch.pk])).status_code == 404
    assert "dang-vien.csv" not in client.get(reverse("imports:home")).content.decode()
    client.force_login(_user("lanhdao", AccessRole.LEADER, officer.commune))
    assert client.get(reverse("imports:home")).status_code == 403


def test_the_template_downloads_as_xlsx(client, officer):
    from openpyxl import load_workbook

    response = client.get(reverse("imports:template", args=["members"]))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    header = [cell.value for cell in sheet[3] if cell.value]
    assert header[:3] == ["Họ", "Tên đệm", "Tên"] and "Ngày vào Đảng" in header
    assert client.get(reverse("imports:template", args=["khac"])).status_code == 404
