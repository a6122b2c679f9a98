"""Uploaded spreadsheets are limited before they are parsed (issue 18, ASVS 5.2.1-5.2.3): an
.xlsx that unpacks to far more than it weighs, too many rows, too large a body; the
refusals are in Vietnamese and come at once."""

from __future__ import annotations

import io
import time
import zipfile

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from dangbo.accounts.models import AccessRole
from dangbo.accounts.services import role_grant
from dangbo.core.uploads import UploadRefused, check_spreadsheet
from dangbo.restructuring.models import RestructurePlan
from dangbo.restructuring.plans import PlanError, read_plan_bytes

HEADER = ["Thao tác", "Mã tổ chức", "Mã đích", "Ngày hiệu lực", "Số quyết định", "Ngày quyết định"]
ROW = b'<row><c t="inlineStr"><is><t>Chuyen</t></is></c><c t="inlineStr"><is><t>X1</t></is></c></row>'


def _xlsx(rows: int = 2) -> bytes:
    book = Workbook()
    book.active.append(HEADER)
    for _ in range(rows - 1):
        book.active.append(["Chuyển", "X1", "H2", "01/07/2025", "9-QĐ/TU", "20/06/2025"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _bomb(xml_mb: int) -> bytes:
    """A real workbook whose first sheet is replaced by ``xml_mb`` MB of repeated cells,
    written in a stream and compressed to a few hundred KB (as in the issue: 638 KB holding
    188 MB of XML)."""
    source = zipfile.ZipFile(io.BytesIO(_xlsx()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as bomb:
        for entry in source.infolist():
            if entry.filename != "xl/worksheets/sheet1.xml":
                bomb.writestr(entry, source.read(entry))
                continue
            with bomb.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
                sheet.write(b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/')
                sheet.write(b'spreadsheetml/2006/main"><sheetData>')
                block = ROW * 1000
                for _ in range(xml_mb * 1024 * 1024 // len(block) + 1):
                    sheet.write(block)
                sheet.write(b"</sheetData></worksheet>")
    return out.getvalue()


def test_a_zip_bomb_is_refused_before_parsing_in_vietnamese():
    data = _bomb(100)
    assert len(data) < 2 * 1024 * 1024  # small on the wire
    started = time.monotonic()
    with pytest.raises(PlanError, match=r"giải nén lớn .* MB, quá giới hạn 50 MB"):
        read_plan_bytes(data, "phuong-an.xlsx")
    assert time.monotonic() - started < 2


def test_a_highly_compressed_sheet_is_refused_even_under_the_size_limit(settings):
    settings.DANGBO_UPLOAD_MAX_UNCOMPRESSED_MB = 50
    with pytest.raises(UploadRefused, match="nén bất thường"):
        check_spreadsheet(_bomb(20), "a.xlsx")


def test_too_many_rows_are_refused_in_a_sheet_and_in_a_csv(settings):
    settings.DANGBO_UPLOAD_MAX_ROWS = 50
    check_spreadsheet(_xlsx(rows=50), "a.xlsx")
    with pytest.raises(PlanError, match="hơn 50 dòng"):
        read_plan_bytes(_xlsx(rows=51), "a.xlsx")
    csv = ("thao_tac,ma_to_chuc,ngay_hieu_luc\n" + "Chuyển,X1,01/07/2025\n" * 60).encode()
    with pytest.raises(PlanError, match="quá giới hạn 50 dòng"):
        read_plan_bytes(csv, "a.csv")


def test_not_a_zip_is_said_in_vietnamese():
    with pytest.raises(PlanError, match="không phải tệp Excel"):
        read_plan_bytes(b"PK\x03\x04 hong", "a.xlsx")


@pytest.fixture
def officer(client, tree):
    user = User.objects.create_user("canbo", password="mat-khau-dai-du-1")
    role_grant(user=user, role=AccessRole.OFFICER, org=tree.province)
    client.force_login(user)
    return user


def test_the_upload_page_refuses_the_bomb_and_stores_nothing(client, officer):
    response = client.post(
        "/sap-xep-to-chuc/", {"plan_file": SimpleUploadedFile("phuong-an.xlsx", _bomb(60))}
    )
    assert response.status_code == 400
    assert "quá giới hạn 50 MB" in response.content.decode()
    assert not RestructurePlan.objects.exists()


def test_a_body_over_the_upload_limit_is_refused_before_it_is_read(client, officer, settings):
    settings.DANGBO_UPLOAD_MAX_MB = 1
    big = SimpleUploadedFile("phuong-an.csv", b"a" * (2 * 1024 * 1024))
    response = client.post("/sap-xep-to-chuc/", {"plan_file": big})
    assert response.status_code == 400
    assert not RestructurePlan.objects.exists()
