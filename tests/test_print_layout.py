"""Printed lists and the member profile in the layout of a Party document (issue 23): the
print-only heading (the issuing committee under its superior | «ĐẢNG CỘNG SẢN VIỆT NAM», the place
and the date in words), the title and the signature block; the heading of the generated documents
and of the printed pages read from one place (``orgs.heading``)."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.contrib.auth.models import User

from dangbo.orgs.heading import committee_name, grassroots_heading, heading, place_name

DAY = date(2026, 3, 5)
DATE_LINE = "Một, ngày 05 tháng 3 năm 2026"


def _print_head(html: str) -> str:
    """The print-only heading of a page (the partial _document_head.html), whitespace collapsed."""
    found = re.search(r'<header class="print-only doc-head">(.*?)</header>', html, re.S)
    assert found, "no print-only heading"
    return " ".join(found.group(1).split())


def _print_sign(html: str) -> str:
    found = re.search(r'<footer class="print-only doc-sign">(.*?)</footer>', html, re.S)
    assert found, "no print-only signature block"
    return " ".join(found.group(1).split())


def test_committee_and_place_names():
    assert committee_name("Đảng bộ xã Bảo Thắng") == "Đảng ủy xã Bảo Thắng"
    assert committee_name("Đảng bộ huyện Bảo Thắng") == "Huyện ủy Bảo Thắng"
    assert committee_name("Đảng bộ tỉnh Lào Cai") == "Tỉnh ủy Lào Cai"
    assert committee_name("Đảng bộ thành phố Lào Cai") == "Thành ủy Lào Cai"
    assert committee_name("Đảng bộ Khối cơ quan tỉnh") == "Đảng ủy Khối cơ quan tỉnh"
    assert committee_name("Chi bộ thôn A") == "Chi bộ thôn A"
    assert place_name("Đảng bộ xã Bảo Thắng") == "Bảo Thắng"
    assert place_name("Đảng bộ thị trấn Phố Lu") == "Phố Lu"


def test_the_heading_of_an_organization_and_of_a_members_papers(tree):
    own = heading(tree.commune)
    assert (own.superior_name, own.issuer_name, own.place, own.on_behalf) == (
        "HUYỆN ỦY MỘT",
        "ĐẢNG ỦY XÃ MỘT",
        "Một",
        "T/M ĐẢNG ỦY",
    )
    cell = heading(tree.cell_a)
    assert (cell.superior_name, cell.issuer_name, cell.place, cell.on_behalf) == (
        "ĐẢNG BỘ XÃ MỘT",
        "CHI BỘ THÔN A",
        "Một",
        "T/M CHI BỘ",
    )
    assert (
        heading(tree.province).superior_name == "" and heading(tree.province).on_behalf == "T/M BAN THƯỜNG VỤ"
    )
    assert grassroots_heading(tree.cell_a) == own  # a member's papers: the grassroots committee's


@pytest.fixture
def officer_client(client, populated, frozen_today):
    frozen_today(DAY)
    client.force_login(User.objects.create_superuser("quantri", password="mat-khau-thu-1"))
    return client


def test_the_profile_prints_as_the_member_sheet(officer_client, populated):
    from dangbo.members.models import Member

    member = Member.objects.filter(org=populated.cell_a).order_by("sort_key").first()
    html = officer_client.get(f"/dang-vien/{member.pk}/").content.decode()
    head = _print_head(html)
    assert "HUYỆN ỦY MỘT" in head and "<strong>ĐẢNG ỦY XÃ MỘT</strong>" in head
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in head and DATE_LINE in head
    assert "PHIẾU ĐẢNG VIÊN" in head
    sheet = html[html.index('<article class="print-only member-sheet">') : html.index("</article>")]
    sheet = " ".join(sheet.split())
    labels = [
        "Họ và tên đang dùng:",
        "Giới tính:",
        "Sinh ngày:",
        "Quê quán:",
        "Nơi ở hiện nay:",
        "Dân tộc:",
        "Tôn giáo:",
        "Nghề nghiệp hiện nay:",
        "Giáo dục phổ thông:",
        "Chuyên môn, nghiệp vụ:",
        "Lý luận chính trị:",
        "Ngày vào Đảng:",
        "Ngày chính thức:",
        "Số thẻ đảng viên:",
        "Số lý lịch:",
        "Chi bộ:",
    ]
    positions = [sheet.index(label) for label in labels]
    assert positions == sorted(positions), "the fields in the sheet's order"
    assert member.full_name.upper() in sheet and "Sinh ngày: 17/05/1990" in sheet
    assert "Ngày vào Đảng: 01/03/2016" in sheet and "Chi bộ: Chi bộ thôn A" in sheet
    # the history as a table, with the admission and its decision
    assert "<caption>Quá trình sinh hoạt đảng</caption>" in sheet and "Kết nạp" in sheet
    sign = _print_sign(html)
    assert "XÁC NHẬN CỦA CẤP ỦY CƠ SỞ" in sign and "T/M ĐẢNG ỦY" in sign and "BÍ THƯ" in sign
    assert "NGƯỜI LẬP PHIẾU" in sign
    # the web view is still there, kept off paper
    assert '<div class="no-print">' in html and "<h2>Sơ yếu</h2>" in html


def test_a_list_prints_with_the_heading_title_and_signature(officer_client, populated):
    html = officer_client.get(f"/to-chuc/{populated.commune.pk}/viec-can-lam/", {"ngay": "05/03/2026"})
    html = html.content.decode()
    head = _print_head(html)
    assert "HUYỆN ỦY MỘT" in head and "ĐẢNG ỦY XÃ MỘT" in head
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in head and DATE_LINE in head
    assert "DANH SÁCH VIỆC CẦN LÀM" in head and "Tính đến ngày 05/03/2026" in head
    sign = _print_sign(html)
    assert "NGƯỜI LẬP BIỂU" in sign and "T/M ĐẢNG ỦY" in sign and "BÍ THƯ" in sign


@pytest.mark.parametrize(
    ("url", "title"),
    [
        ("/dang-vien/?org={commune}", "DANH SÁCH ĐẢNG VIÊN"),
        ("/to-chuc/{commune}/huy-hieu/", "DANH SÁCH ĐẢNG VIÊN XÉT TẶNG HUY HIỆU ĐẢNG"),
        ("/to-chuc/{commune}/kiem-tra/", "KẾT QUẢ KIỂM TRA TUÂN THỦ QUY ĐỊNH"),
        ("/to-chuc/{commune}/chuyen-sinh-hoat/", "DANH SÁCH ĐẢNG VIÊN CHUYỂN SINH HOẠT ĐẢNG"),
    ],
)
def test_every_printed_list_has_the_party_heading(officer_client, populated, url, title):
    html = officer_client.get(url.format(commune=populated.commune.pk)).content.decode()
    head = _print_head(html)
    assert "ĐẢNG ỦY XÃ MỘT" in head and DATE_LINE in head and title in head
    assert "NGƯỜI LẬP BIỂU" in _print_sign(html)


def test_a_list_over_the_whole_scope_is_headed_by_the_users_root(officer_client, populated):
    head = _print_head(officer_client.get("/viec-can-lam/").content.decode())
    assert "TỈNH ỦY MẪU" in head and "ĐẢNG CỘNG SẢN VIỆT NAM" in head
