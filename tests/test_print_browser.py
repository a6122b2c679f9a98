"""Printing in a real browser (issue 23): with print media, a list and the member profile show
the Party document heading and signature block, not the menu, the web title or the cards; the
profile becomes the member sheet. Lists keep every column on paper (the phone layout hides
some, on screens only)."""

from datetime import date

import pytest
from django.contrib.auth.models import User
from tests.browser import BROWSER, sign_in

from dangbo.members.models import Member
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


def _heading_on_paper(page, title: str) -> None:
    head = page.locator(".doc-head")
    assert head.is_visible() and page.locator(".doc-sign").is_visible()
    assert head.get_by_text("ĐẢNG CỘNG SẢN VIỆT NAM").is_visible()
    assert head.get_by_text("ĐẢNG ỦY XÃ MỘT").is_visible()
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
