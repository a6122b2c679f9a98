"""The dues pages in a real browser: a secretary on a 390 px phone opens the month's book from
the menu, records a member's payment from their line (the unpaid months proposed) and sees the
receipt; at the office's 1366 px a payment is reversed from its receipt, and the summary of the
commune drills into a cell's book. Every page accessible (WCAG 2.1 AA)."""

from datetime import date

import pytest
from django.contrib.auth.models import User
from tests.browser import BROWSER, axe_violations, sign_in

from dangbo.accounts.models import AccessRole
from dangbo.accounts.scope import SYSTEM
from dangbo.accounts.services import role_grant
from dangbo.dues import services
from dangbo.dues.models import DuesMonth, DuesPayment
from dangbo.dues.services import PaymentRequest
from dangbo.reference.loader import load_all
from dangbo.rules.dues import Category

pytestmark = BROWSER


@pytest.fixture
def dues_cell(live_server, transactional_db, tree, make_member, frozen_today):
    load_all()  # an earlier transactional test's flush may have emptied the code lists
    frozen_today(date(2026, 11, 20))
    members = [make_member(tree.cell_a, given_name=f"Nộp{n}", admitted_on=date(2016, 3, 1)) for n in range(3)]
    for member in members[:2]:
        services.dues_basis_record(
            actor=SYSTEM,
            member=member,
            category=Category.INSURED,
            income=8_000_000,
            valid_from=date(2026, 1, 1),
            source="Bảng lương",
        )
    secretary = User.objects.create_user("bithu-a", password="mat-khau-thu-1")
    role_grant(user=secretary, role=AccessRole.SECRETARY, org=tree.cell_a)
    officer = User.objects.create_user("canbo-xa", password="mat-khau-thu-1")
    role_grant(user=officer, role=AccessRole.OFFICER, org=tree.commune)
    return members


def test_a_payment_recorded_from_the_book_on_a_phone(live_server, page, dues_cell):
    members = dues_cell
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server.url, "bithu-a")
    page.get_by_role("link", name="Đảng phí", exact=True).click()
    page.get_by_role("heading", name="Sổ thu, nộp đảng phí tháng 11/2026").wait_for()
    page.wait_for_load_state()  # the style sheet applied before measuring
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
    assert page.get_by_text("1 đảng viên chưa có căn cứ đóng đảng phí").is_visible()
    assert not axe_violations(page)

    page.get_by_role("link", name=f"Thu đảng phí: {members[0].full_name}").click()
    page.get_by_role("heading", name=f"Thu đảng phí: {members[0].full_name}").wait_for()
    page.wait_for_load_state()
    assert page.get_by_label("Nộp cho tháng").input_value() == "01/2026"
    assert page.get_by_label("Số tiền (đồng)").input_value() == "880.000"  # eleven months of 80.000
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert not axe_violations(page)
    page.get_by_label("Số tiền (đồng)").fill("-5")
    page.get_by_role("button", name="Ghi phiếu thu").click()
    page.get_by_text("Nhập số tiền bằng số đồng nguyên dương").wait_for()
    assert not DuesPayment.objects.exists()
    page.get_by_label("Số tiền (đồng)").fill("880.000")
    page.get_by_role("button", name="Ghi phiếu thu").click()

    page.get_by_role("heading", name="PHIẾU THU ĐẢNG PHÍ").wait_for()
    assert page.get_by_text("Số: 2026/1").is_visible()
    assert page.get_by_text("từ tháng 01/2026 đến tháng 11/2026").is_visible()
    assert not axe_violations(page)
    payment = DuesPayment.objects.get()
    assert payment.member_id == members[0].pk and payment.amount == 880_000
    assert not DuesMonth.objects.filter(member=members[0], owed=True, paid__lt=80_000).exists()

    page.get_by_role("link", name="Về sổ thu, nộp đảng phí").click()
    page.get_by_role("link", name="Phiếu 2026/1").wait_for()
    page.get_by_role("link", name=members[0].full_name, exact=True).click()
    page.get_by_role("heading", name=f"Đảng phí: {members[0].full_name}").wait_for()
    page.wait_for_load_state()
    assert page.get_by_text("Không còn tháng nào chưa nộp.").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert not axe_violations(page)


def test_a_reversal_and_the_summary_at_the_office(live_server, page, dues_cell, tree):
    members = dues_cell
    payment = services.dues_payment_record(
        actor=SYSTEM,
        member=members[1],
        request=PaymentRequest(
            first_month=date(2026, 11, 1),
            last_month=date(2026, 11, 1),
            amount=80_000,
            paid_on=date(2026, 11, 5),
        ),
    )
    page.set_viewport_size({"width": 1366, "height": 768})
    sign_in(page, live_server.url, "bithu-a")
    page.goto(f"{live_server.url}/dang-phi/phieu-thu/{payment.pk}/")
    page.get_by_role("link", name="Hủy phiếu thu (ghi nhầm)").click()
    page.get_by_label("Lý do hủy").fill("Ghi nhầm số tiền")
    page.get_by_role("button", name="Hủy phiếu thu").click()
    page.get_by_text("Đánh dấu ô xác nhận để hủy.").wait_for()  # not confirmed: nothing written
    assert DuesPayment.objects.count() == 1
    page.get_by_label("Tôi xác nhận hủy").check()
    page.get_by_role("button", name="Hủy phiếu thu").click()
    page.get_by_role("heading", name="PHIẾU HỦY PHIẾU THU ĐẢNG PHÍ").wait_for()
    assert not axe_violations(page)
    assert DuesPayment.objects.get(reverses=payment).amount == -80_000

    page.context.clear_cookies()
    sign_in(page, live_server.url, "canbo-xa")
    page.goto(f"{live_server.url}/to-chuc/{tree.commune.pk}/dang-phi/tong-hop/?thang=2026-11")
    page.get_by_role("heading", name="Tổng hợp thu, nộp đảng phí tháng 11/2026").wait_for()
    assert page.get_by_text("CHƯA XÁC NHẬN").first.is_visible()
    assert not axe_violations(page)
    page.set_viewport_size({"width": 390, "height": 844})  # the same summary on a phone
    page.reload()
    page.wait_for_load_state()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # one card per organization, each figure with its label instead of the column headings
    assert page.locator(".summary-table thead").is_hidden()
    assert page.locator('.summary-table td[data-label="Trích giữ lại"]').first.is_visible()
    assert not axe_violations(page)
    page.set_viewport_size({"width": 1366, "height": 768})
    page.get_by_role("link", name="Chi bộ thôn A").click()
    page.get_by_role("heading", name="Sổ thu, nộp đảng phí tháng 11/2026").wait_for()
    assert not axe_violations(page)
