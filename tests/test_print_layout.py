"""Printed lists and the member profile in the layout of a Party document (issue 23): the
print-only heading (the issuing committee under its superior | «ĐẢNG CỘNG SẢN VIỆT NAM», the place
and the date in words), the title and the signature block; the heading of the generated documents
and of the printed pages read from one place (``orgs.heading``)."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.contrib.auth.models import User

from conftest import review_members
from dangbo.accounts.scope import SYSTEM
from dangbo.candidates.services import candidate_add
from dangbo.meetings import services as meetings
from dangbo.meetings.models import Body, MeetingKind, Minutes
from dangbo.members.services.records import Identity
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


@pytest.fixture
def cell_papers(officer_client, populated):
    """A review of this year on the commune, a meeting of cell A with its minutes, and a
    candidate of cell A: what the remaining printable pages list."""
    campaign, _ = review_members(populated.commune)
    meeting = meetings.meeting_schedule(
        actor=SYSTEM,
        org=populated.cell_a,
        details=meetings.MeetingDetails(body=Body.CHI_BO, kind=MeetingKind.REGULAR, held_on=date(2026, 3, 2)),
    )
    meetings.minutes_write(actor=SYSTEM, meeting=meeting, content="Chi bộ họp thường kỳ tháng 3.")
    candidate = candidate_add(
        identity=Identity(
            family_name="Giàng",
            middle_name="A",
            given_name="Páo",
            gender="M",
            birth_date=date(1999, 1, 5),
            ethnicity="01",
            general_education="lower_secondary",
        ),
        cell=populated.cell_a,
        listed_on=date(2025, 1, 6),
    )
    return {
        "commune": populated.commune.pk,
        "cell": populated.cell_a.pk,
        "campaign": campaign.pk,
        "meeting": meeting.pk,
        "candidate": candidate.pk,
    }


COMMUNE_HEAD = ("HUYỆN ỦY MỘT", "ĐẢNG ỦY XÃ MỘT")
CELL_HEAD = ("ĐẢNG BỘ XÃ MỘT", "CHI BỘ THÔN A")


@pytest.mark.parametrize(
    ("url", "issuer", "title", "subtitle", "sign"),
    [
        ("/to-chuc/{cell}/dang-phi/?thang=2026-03", CELL_HEAD, "SỔ THU, NỘP ĐẢNG PHÍ", "Tháng 03/2026",
         ("NGƯỜI LẬP SỔ", "T/M CHI BỘ", "BÍ THƯ")),
        ("/to-chuc/{commune}/dang-phi/?thang=2026-03", COMMUNE_HEAD, "SỔ THU, NỘP ĐẢNG PHÍ", "Tháng 03/2026",
         ("NGƯỜI LẬP SỔ", "T/M ĐẢNG ỦY")),
        ("/to-chuc/{commune}/dang-phi/tong-hop/?thang=2026-03", COMMUNE_HEAD, "TỔNG HỢP THU, NỘP ĐẢNG PHÍ",
         "Tháng 03/2026", ("NGƯỜI LẬP BIỂU", "T/M ĐẢNG ỦY")),
        ("/danh-gia/dot/{campaign}/", COMMUNE_HEAD, "TIẾN ĐỘ ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG ĐẢNG VIÊN", "2026",
         ("NGƯỜI LẬP BIỂU", "T/M ĐẢNG ỦY")),
        ("/danh-gia/dot/{campaign}/chi-bo/{cell}/", CELL_HEAD, "DANH SÁCH ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG ĐẢNG VIÊN",
         "2026", ("NGƯỜI LẬP BIỂU", "T/M CHI BỘ")),
        ("/danh-gia/dot/{campaign}/quyet-dinh/{commune}/", COMMUNE_HEAD, "DANH SÁCH XẾP LOẠI CHẤT LƯỢNG ĐẢNG VIÊN",
         "2026", ("NGƯỜI LẬP BIỂU", "T/M ĐẢNG ỦY")),
        ("/danh-gia/dot/{campaign}/to-chuc/", COMMUNE_HEAD, "DANH SÁCH XẾP LOẠI CHẤT LƯỢNG TỔ CHỨC ĐẢNG", "2026",
         ("NGƯỜI LẬP BIỂU", "T/M ĐẢNG ỦY")),
        ("/to-chuc/{cell}/sinh-hoat/?nam=2026", CELL_HEAD, "DANH SÁCH CÁC BUỔI SINH HOẠT NĂM 2026", None,
         ("NGƯỜI LẬP BIỂU", "T/M CHI BỘ")),
        ("/sinh-hoat/{meeting}/", CELL_HEAD, "BIÊN BẢN SINH HOẠT", "ngày 02/03/2026", ("THƯ KÝ", "CHỦ TRÌ")),
        ("/to-chuc/{cell}/cam-tinh-dang/", CELL_HEAD, "DANH SÁCH QUẦN CHÚNG CẢM TÌNH ĐẢNG", "Đang bồi dưỡng, xem xét",
         ("NGƯỜI LẬP BIỂU", "T/M CHI BỘ")),
        ("/cam-tinh-dang/{candidate}/", CELL_HEAD, "QUÁ TRÌNH XEM XÉT KẾT NẠP ĐẢNG VIÊN", "Giàng A Páo",
         ("NGƯỜI LẬP BIỂU", "T/M CHI BỘ")),
    ],
)  # fmt: skip
def test_dues_ratings_meetings_and_candidates_print_as_party_papers(
    officer_client, cell_papers, url, issuer, title, subtitle, sign
):
    response = officer_client.get(url.format(**cell_papers))
    assert response.status_code == 200
    html = response.content.decode()
    head = _print_head(html)
    superior, own = issuer
    assert f"<span>{superior}</span>" in head and f"<strong>{own}</strong>" in head
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in head and DATE_LINE in head
    assert f'<p class="doc-title">{title}</p>' in head
    if subtitle:
        assert subtitle in re.search(r'<p class="doc-subtitle">(.*?)</p>', head).group(1)
    signature = _print_sign(html)
    positions = [signature.index(f"<strong>{line}</strong>") for line in sign]
    assert positions == sorted(positions), signature
    assert "print-only signatures" not in html  # the old, undated block is gone
    assert html.count('class="print-only doc-head"') == 1 and html.count('class="print-only doc-sign"') == 1


def test_minutes_are_signed_in_person_by_the_secretary_and_the_chair(officer_client, cell_papers):
    signature = _print_sign(officer_client.get(f"/sinh-hoat/{cell_papers['meeting']}/").content.decode())
    assert "T/M" not in signature  # the chair signs the minutes in person, not on behalf of the cell
    assert "(Ký, ghi rõ họ tên)" in signature


def test_a_meeting_without_minutes_prints_without_a_signature(officer_client, cell_papers):
    Minutes.objects.filter(meeting_id=cell_papers["meeting"]).delete()
    html = officer_client.get(f"/sinh-hoat/{cell_papers['meeting']}/").content.decode()
    assert '<p class="doc-title">SINH HOẠT THƯỜNG KỲ NGÀY 02/03/2026</p>' in _print_head(html)
    assert "doc-sign" not in html
