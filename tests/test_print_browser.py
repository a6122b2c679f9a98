"""Printing in a real browser (issue 23): with print media, a list and the member profile show
the Party document heading and signature block, not the menu, the web title or the cards; the
profile becomes the member sheet; so do the dues book and summary, the ratings lists, the
meetings and their minutes, and the candidates. Lists keep every column on paper (the phone
layout hides some, on screens only)."""

from datetime import date

import pytest
from django.contrib.auth.models import User
from tests.browser import BROWSER, sign_in

from conftest import review_members
from dangbo.accounts.scope import SYSTEM
from dangbo.candidates.services import candidate_add
from dangbo.meetings import services as meetings
from dangbo.meetings.models import Body, MeetingKind
from dangbo.members.models import Member
from dangbo.members.services.records import Identity
from dangbo.reference.loader import load_all

pytestmark = BROWSER


@pytest.fixture
def signed_in(live_server, page, transactional_db, tree, make_member, frozen_today):
    load_all()  # an earlier transactional test's flush may have emptied the code lists
    frozen_today(date(2026, 3, 5))
    for cell in (tree.cell_a, tree.cell_a, tree.cell_b):
        make_member(cell, admitted_on=date(2016, 3, 1))
    User.objects.create_superuser("quantri", password="mat-khau-thu-1")
    page.set_viewport_size({"width": 1366, "height": 768})
    sign_in(page, live_server.url, "quantri")
    return live_server.url


def _heading_on_paper(page, title: str, issuer: str = "ĐẢNG ỦY XÃ MỘT") -> None:
    head = page.locator(".doc-head")
    assert head.is_visible() and page.locator(".doc-sign").is_visible()
    assert head.get_by_text("ĐẢNG CỘNG SẢN VIỆT NAM").is_visible()
    assert head.get_by_text(issuer, exact=True).is_visible()
    assert head.get_by_text("Một, ngày 05 tháng 3 năm 2026").is_visible()
    assert head.get_by_text(title, exact=True).is_visible()
    assert not page.locator(".menu").is_visible() and not page.locator("main h1").is_visible()
    font = page.evaluate("getComputedStyle(document.body).fontFamily")
    assert "Times New Roman" in font


def test_the_member_list_prints_with_the_party_heading(signed_in, page, tree):
    page.goto(f"{signed_in}/dang-vien/?org={tree.commune.pk}")
    assert not page.locator(".doc-head").is_visible()  # on screen: the web page as it was
    assert page.locator("main h1").is_visible()
    page.emulate_media(media="print")
    _heading_on_paper(page, "DANH SÁCH ĐẢNG VIÊN")
    assert page.locator(".doc-sign").get_by_text("NGƯỜI LẬP BIỂU").is_visible()
    page.set_viewport_size({"width": 390, "height": 844})  # printed from a phone: every column still
    assert page.get_by_role("columnheader", name="Lý luận chính trị").is_visible()
    page.emulate_media(media="screen")
    assert not page.get_by_role("columnheader", name="Lý luận chính trị").is_visible()


def test_the_profile_prints_as_the_member_sheet(signed_in, page, tree):
    member = Member.objects.filter(org=tree.cell_a).order_by("sort_key").first()
    page.goto(f"{signed_in}/dang-vien/{member.pk}/")
    assert page.get_by_role("heading", name="Sơ yếu").is_visible()
    assert not page.locator(".member-sheet").is_visible()
    page.emulate_media(media="print")
    _heading_on_paper(page, "PHIẾU ĐẢNG VIÊN")
    sheet = page.locator(".member-sheet")
    assert sheet.get_by_text(f"Họ và tên đang dùng: {member.full_name.upper()}").is_visible()
    assert sheet.get_by_role("table").is_visible() and sheet.get_by_text("Kết nạp").first.is_visible()
    assert page.locator(".doc-sign").get_by_text("XÁC NHẬN CỦA CẤP ỦY CƠ SỞ").is_visible()
    assert not page.get_by_role("heading", name="Sơ yếu").is_visible()  # the web cards stay off paper
    assert not page.get_by_text("In hồ sơ").is_visible()


@pytest.fixture
def cell_work(signed_in, tree):
    """A review of this year on the commune, a meeting of cell A with its minutes, a candidate."""
    campaign, _ = review_members(tree.commune)
    meeting = meetings.meeting_schedule(
        actor=SYSTEM,
        org=tree.cell_a,
        details=meetings.MeetingDetails(body=Body.CHI_BO, kind=MeetingKind.REGULAR, held_on=date(2026, 3, 2)),
    )
    meetings.minutes_write(actor=SYSTEM, meeting=meeting, content="Chi bộ họp thường kỳ tháng 3.")
    candidate_add(
        identity=Identity(
            family_name="Giàng",
            middle_name="A",
            given_name="Páo",
            gender="M",
            birth_date=date(1999, 1, 5),
            ethnicity="01",
            general_education="lower_secondary",
        ),
        cell=tree.cell_a,
        listed_on=date(2025, 1, 6),
    )
    return {
        "commune": tree.commune.pk,
        "cell": tree.cell_a.pk,
        "campaign": campaign.pk,
        "meeting": meeting.pk,
    }


CELL_PAPERS = [  # page, issuer, title, the left signature
    ("/to-chuc/{cell}/dang-phi/?thang=2026-03", "CHI BỘ THÔN A", "SỔ THU, NỘP ĐẢNG PHÍ", "NGƯỜI LẬP SỔ"),
    ("/to-chuc/{commune}/dang-phi/tong-hop/?thang=2026-03", "ĐẢNG ỦY XÃ MỘT", "TỔNG HỢP THU, NỘP ĐẢNG PHÍ", "NGƯỜI LẬP BIỂU"),
    ("/danh-gia/dot/{campaign}/", "ĐẢNG ỦY XÃ MỘT", "TIẾN ĐỘ ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG ĐẢNG VIÊN", "NGƯỜI LẬP BIỂU"),
    ("/danh-gia/dot/{campaign}/chi-bo/{cell}/", "CHI BỘ THÔN A", "DANH SÁCH ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG ĐẢNG VIÊN", "NGƯỜI LẬP BIỂU"),
    ("/danh-gia/dot/{campaign}/quyet-dinh/{commune}/", "ĐẢNG ỦY XÃ MỘT", "DANH SÁCH XẾP LOẠI CHẤT LƯỢNG ĐẢNG VIÊN", "NGƯỜI LẬP BIỂU"),
    ("/danh-gia/dot/{campaign}/to-chuc/", "ĐẢNG ỦY XÃ MỘT", "DANH SÁCH XẾP LOẠI CHẤT LƯỢNG TỔ CHỨC ĐẢNG", "NGƯỜI LẬP BIỂU"),
    ("/to-chuc/{cell}/sinh-hoat/?nam=2026", "CHI BỘ THÔN A", "DANH SÁCH CÁC BUỔI SINH HOẠT NĂM 2026", "NGƯỜI LẬP BIỂU"),
    ("/sinh-hoat/{meeting}/", "CHI BỘ THÔN A", "BIÊN BẢN SINH HOẠT", "THƯ KÝ"),
    ("/to-chuc/{cell}/cam-tinh-dang/", "CHI BỘ THÔN A", "DANH SÁCH QUẦN CHÚNG CẢM TÌNH ĐẢNG", "NGƯỜI LẬP BIỂU"),
]  # fmt: skip


def test_dues_ratings_meetings_and_candidates_print_as_party_papers(signed_in, cell_work, page):
    for path, issuer, title, preparer in CELL_PAPERS:
        url = signed_in + path.format(**cell_work)
        page.emulate_media(media="screen")
        assert page.goto(url).status == 200, path
        assert not page.locator(".doc-head").is_visible(), path  # on screen: the web page
        assert page.locator("main h1").is_visible(), path
        page.emulate_media(media="print")
        _heading_on_paper(page, title, issuer)
        assert page.locator(".doc-sign").get_by_text(preparer, exact=True).is_visible(), path
        assert not page.locator("main a[data-print]:visible").count(), path  # its own controls stay off
    # the dues book printed from a phone keeps its table's columns (the cards are for screens)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(signed_in + CELL_PAPERS[0][0].format(**cell_work))
    page.emulate_media(media="print")
    assert page.get_by_role("columnheader", name="Phải đóng").is_visible()
    page.emulate_media(media="screen")
    assert not page.get_by_role("columnheader", name="Phải đóng").is_visible()
