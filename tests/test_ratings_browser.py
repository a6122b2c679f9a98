"""The review pages in a real browser: a cell's secretary on a 390 px phone opens the cell's
sheet from the menu and proposes a member's band (refused first for a band the score does not
give); at the office's 1366 px the commune's officer ticks the members and decides, is refused
with the numbers when «excellent» passes the cap, and decides within it. Every page accessible
(WCAG 2.1 AA)."""

from datetime import date

import pytest
from django.contrib.auth.models import User
from tests.browser import BROWSER, axe_violations, sign_in

from dangbo.accounts.models import AccessRole
from dangbo.accounts.scope import SYSTEM
from dangbo.accounts.services import role_grant
from dangbo.ratings import services
from dangbo.ratings.models import MemberRating, RatingDecision
from dangbo.ratings.services import CampaignRequest
from dangbo.reference.loader import load_all
from dangbo.rules.ratings import Band

pytestmark = BROWSER


@pytest.fixture
def review(live_server, transactional_db, tree, make_member, frozen_today):
    """Cell A: seven members; a 2025 campaign on the commune; the cell proposed «good» for five
    and «excellent» for one; the seventh waits for the secretary."""
    load_all()  # an earlier transactional test's flush may have emptied the code lists
    frozen_today(date(2025, 12, 20))
    members = [make_member(tree.cell_a, given_name=f"Xếp{n}", admitted_on=date(2010, 3, 1)) for n in range(7)]
    services.campaign_open(
        actor=SYSTEM,
        org=tree.commune,
        request=CampaignRequest(
            year=2025,
            cutoff_on=date(2025, 11, 30),
            self_due_on=date(2025, 12, 5),
            cell_due_on=date(2025, 12, 10),
            decision_due_on=date(2025, 12, 31),
        ),
    )
    for member, band, score in [*((m, Band.GOOD, 80) for m in members[:5]), (members[5], Band.EXCELLENT, 93)]:
        services.member_cell_assess(
            actor=SYSTEM, rating=MemberRating.objects.get(member=member), band=band, score=score
        )
    secretary = User.objects.create_user("bithu-a", password="mat-khau-thu-1")
    role_grant(user=secretary, role=AccessRole.SECRETARY, org=tree.cell_a)
    officer = User.objects.create_user("canbo-xa", password="mat-khau-thu-1")
    role_grant(user=officer, role=AccessRole.OFFICER, org=tree.commune)
    return members


def _fits_the_phone(page):
    page.wait_for_load_state()  # the style sheet applied before measuring
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_a_secretary_proposes_on_a_phone_and_the_officer_decides_within_the_cap(
    live_server, page, review, tree
):
    members = review
    last = members[6]
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server.url, "bithu-a")
    page.get_by_role("link", name="Đánh giá, xếp loại", exact=True).click()
    page.get_by_role("heading", name="Đánh giá, xếp loại chất lượng").wait_for()
    _fits_the_phone(page)
    assert not axe_violations(page)
    page.get_by_role("link", name="Danh sách chi bộ").click()
    page.get_by_role("heading", name="Đánh giá, xếp loại Cả năm 2025").wait_for()
    _fits_the_phone(page)
    assert not axe_violations(page)

    page.get_by_role("link", name=f"Chi bộ đánh giá: {last.full_name}").click()
    page.get_by_role("heading", name=f"Chi bộ đánh giá, đề xuất xếp loại: {last.full_name}").wait_for()
    _fits_the_phone(page)
    assert not axe_violations(page)
    page.get_by_label("Điểm chi bộ đánh giá").fill("85")
    page.get_by_label("Chi bộ đề xuất xếp loại").select_option(Band.EXCELLENT)
    page.get_by_role("button", name="Ghi đề xuất của chi bộ").click()
    page.get_by_text("85 điểm là mức «Hoàn thành tốt nhiệm vụ»").wait_for()
    assert MemberRating.objects.get(member=last).cell_band == ""
    page.get_by_label("Điểm chi bộ đánh giá").fill("95")
    page.get_by_role("button", name="Ghi đề xuất của chi bộ").click()
    page.get_by_text(f"Đã ghi đánh giá, đề xuất của chi bộ cho đồng chí {last.full_name}").wait_for()
    _fits_the_phone(page)
    rating = MemberRating.objects.get(member=last)
    assert (rating.cell_band, rating.cell_score) == (Band.EXCELLENT, 95)

    # the commune's officer at the office: two «excellent» against five «good» pass the cap
    page.context.clear_cookies()
    page.set_viewport_size({"width": 1366, "height": 768})
    sign_in(page, live_server.url, "canbo-xa")
    campaign_id = rating.campaign_id
    page.goto(f"{live_server.url}/danh-gia/dot/{campaign_id}/quyet-dinh/{tree.commune.pk}/")
    page.get_by_role("heading", name="Quyết định xếp loại chất lượng đảng viên Cả năm 2025").wait_for()
    assert page.get_by_text("CHƯA XÁC NHẬN").first.is_visible()
    assert not axe_violations(page)
    for member in members:
        page.get_by_label(f"Quyết định xếp loại: {member.full_name}").check()
    page.get_by_label("Số quyết định (hoặc thông báo kết quả)").fill("30-QĐ/ĐU")
    page.get_by_role("button", name="Quyết định xếp loại các đảng viên đã chọn").click()
    refusal = page.get_by_role("alert").filter(has_text="tối đa 1")
    refusal.wait_for()
    assert "2 đảng viên hoàn thành xuất sắc nhiệm vụ" in refusal.inner_text()
    assert not RatingDecision.objects.exists()
    assert not axe_violations(page)
    page.get_by_label(f"Quyết định xếp loại: {last.full_name}").uncheck()
    page.get_by_role("button", name="Quyết định xếp loại các đảng viên đã chọn").click()
    page.get_by_text("Đã quyết định xếp loại 6 đảng viên (30-QĐ/ĐU)").wait_for()
    assert RatingDecision.objects.count() == 6
    assert MemberRating.objects.get(member=members[5]).band == Band.EXCELLENT
    assert not MemberRating.objects.get(member=last).band
