"""Restructuring in a real browser: an officer moves a commune, sees the preview, confirms."""

import re
from datetime import date

import pytest
from django.contrib.auth.models import User
from tests.browser import BROWSER, axe_violations, sideways_scroll, sign_in
from tests.conftest import admit

from dangbo.accounts.models import AccessRole
from dangbo.accounts.services import role_grant
from dangbo.core.kinds import OrgKind, Sector
from dangbo.members.models import Member
from dangbo.orgs import services as org_services
from dangbo.orgs.models import Locality, Org, OrgEvent
from dangbo.reference.loader import load_all

pytestmark = BROWSER


@pytest.fixture
def populated(live_server, transactional_db, tree, make_member):
    load_all()  # an earlier transactional test's flush may have emptied the code lists
    org_services.locality_create(
        commune=tree.commune, kind=Locality.Kind.THON, name="Thôn A", code="TA", cell=tree.cell_a
    )
    for cell in (tree.cell_a, tree.cell_a, tree.cell_b):
        make_member(cell, admitted_on=date(2016, 3, 1))
    return tree


def test_an_officer_previews_then_confirms_moving_a_commune(live_server, page, populated):
    tree = populated
    officer = User.objects.create_user("canbo-tinh", password="mat-khau-thu-1")
    role_grant(user=officer, role=AccessRole.OFFICER, org=tree.province)
    sign_in(page, live_server.url, "canbo-tinh")

    page.goto(f"{live_server.url}/to-chuc/{tree.commune.pk}/")
    page.get_by_role("heading", name="Sắp xếp tổ chức").wait_for()
    page.get_by_role("link", name="Chuyển trực thuộc").click()
    page.get_by_role("heading", name="Chuyển Đảng bộ xã Một sang trực thuộc tổ chức khác").wait_for()
    page.get_by_label("Mã tổ chức cấp trên mới").fill("H2")
    page.get_by_label("Ngày hiệu lực").fill("01/07/2025")
    page.get_by_label("Số quyết định").fill("15-QĐ/TU")
    page.get_by_label("Ngày quyết định").fill("20/06/2025")
    page.get_by_label("Cơ quan ban hành").fill("Ban Thường vụ Tỉnh ủy")
    page.get_by_role("button", name="Xem trước").click()

    page.get_by_role(
        "heading", name="Xem trước: Chuyển «Đảng bộ xã Một» về trực thuộc «Huyện ủy Hai»"
    ).wait_for()
    figures = page.locator(".figures").inner_text()
    assert "Đảng viên theo chi bộ chuyển cùng nhánh\n3" in figures and "Thôn, tổ dân phố\n1" in figures
    assert Org.objects.get(pk=tree.commune.pk).parent_id == tree.district.pk  # nothing changed yet
    assert not axe_violations(page)

    page.get_by_role("button", name="Xác nhận chuyển").click()
    page.get_by_text("Đã áp dụng: Chuyển «Đảng bộ xã Một» về trực thuộc «Huyện ủy Hai»").wait_for()
    assert page.get_by_role("heading", name="Đảng bộ xã Một", exact=True).is_visible()
    assert "Huyện ủy Hai" in page.locator(".crumbs").inner_text()
    commune = Org.objects.get(pk=tree.commune.pk)
    assert commune.parent_id == tree.district2.pk
    assert (
        OrgEvent.objects.get(kind=OrgEvent.Kind.MOVED, org=commune).decision_body == "Ban Thường vụ Tỉnh ủy"
    )


def _accessible(page, label: str) -> list[str]:
    """WCAG 2.1 AA problems of the page shown, at a laptop's width and a phone's (as test_accessibility checks)."""
    problems = []
    for width, height in ((1366, 768), (375, 740)):
        page.set_viewport_size({"width": width, "height": height})
        if report := axe_violations(page):
            problems.append(f"{label} {width}: {report}")
        overflow = sideways_scroll(page)
        if overflow > 0:
            problems.append(f"{label} {width}: the page scrolls sideways by {overflow}px")
    page.set_viewport_size({"width": 1366, "height": 768})
    return problems


def test_the_restructuring_pages_are_accessible_and_a_plan_uploads_from_the_browser(
    live_server, page, populated
):
    tree = populated
    User.objects.create_superuser("quantri", password="mat-khau-thu-1")
    sign_in(page, live_server.url, "quantri")

    problems = []
    page.goto(f"{live_server.url}/to-chuc/{tree.commune.pk}/hop-nhat/")
    page.get_by_label("Mã các tổ chức được hợp nhất").fill("KHONG-CO")
    page.get_by_role("button", name="Xem trước").click()
    page.get_by_text("Không có tổ chức đang hoạt động mang mã «KHONG-CO»").wait_for()
    problems += _accessible(page, "hop-nhat (lỗi)")
    page.goto(f"{live_server.url}/to-chuc/{tree.cell_b.pk}/giai-the/")
    page.get_by_label("Ngày hiệu lực").fill("01/07/2025")
    page.get_by_label("Số quyết định").fill("3-QĐ/ĐU")
    page.get_by_label("Ngày quyết định").fill("20/06/2025")
    page.get_by_role("button", name="Xem trước").click()
    page.get_by_role("heading", name="Không thể áp dụng: 1 vấn đề").wait_for()
    problems += _accessible(page, "giai-the (vấn đề)")

    # a split: the receiver's code first, then each member and hamlet handed to it
    receiver = org_services.org_establish(
        code="X1C",
        name="Chi bộ thôn C",
        kind=OrgKind.CELL,
        parent=tree.commune,
        established_on=date(2015, 1, 1),
        sector=Sector.RESIDENTIAL,
    )
    admit(receiver)  # with the two it receives, the three full members a cell needs
    page.goto(f"{live_server.url}/to-chuc/{tree.cell_a.pk}/chia-tach/")
    page.get_by_label("Mã các tổ chức nhận").fill("X1C")
    page.get_by_label("Ngày hiệu lực").fill("01/07/2025")
    page.get_by_label("Số quyết định").fill("4-QĐ/ĐU")
    page.get_by_label("Ngày quyết định").fill("20/06/2025")
    page.get_by_role("button", name="Xem trước").click()
    page.get_by_role("heading", name=re.compile("^Không thể áp dụng")).wait_for()
    for select in page.locator("select").all():
        select.select_option(label="Chi bộ thôn C (X1C)")
    page.get_by_role("button", name="Xem trước").click()
    page.get_by_role("heading", name="Xem trước: Chia tách «Chi bộ thôn A» cho 1 tổ chức").wait_for()
    problems += _accessible(page, "chia-tach (xem trước)")
    page.get_by_role("button", name="Xác nhận chia tách").click()
    page.get_by_text("Đã áp dụng: Chia tách «Chi bộ thôn A»").wait_for()
    assert Member.objects.filter(org=receiver).count() == 3 and Org.objects.get(
        pk=tree.cell_a.pk
    ).dissolved_on == date(2025, 7, 1)

    page.goto(f"{live_server.url}/sap-xep-to-chuc/")
    problems += _accessible(page, "sap-xep-to-chuc")
    plan = (
        "thao_tac,ma_to_chuc,ma_dich,ngay_hieu_luc,so_quyet_dinh,ngay_quyet_dinh,co_quan_quyet_dinh\n"
        "chuyen,X1,H2,01/07/2025,15-QĐ/TU,20/06/2025,Tỉnh ủy\n"
    )
    page.get_by_label("Tệp phương án").set_input_files(
        files=[{"name": "phuong-an.csv", "mimeType": "text/csv", "buffer": plan.encode()}]
    )
    page.get_by_role("button", name="Tải lên và xem trước").click()
    page.get_by_text("Xem trước hợp lệ, chưa áp dụng").wait_for()
    assert "Chuyển «Đảng bộ xã Một» về trực thuộc «Huyện ủy Hai»" in page.content()
    problems += _accessible(page, "phuong-an")
    page.emulate_media(media="print")  # the report prints without the menu, the forms and the buttons
    assert (
        page.get_by_text("In ngày").is_visible()
        and page.get_by_role("heading", name="Từng thao tác (1)").is_visible()
    )
    assert (
        not page.get_by_role("button", name="Áp dụng phương án").is_visible()
        and not page.locator(".menu").is_visible()
    )
    page.emulate_media(media="screen")
    page.get_by_role("button", name="Áp dụng phương án").click()
    page.get_by_text("Đã áp dụng phương án (1 thao tác").wait_for()
    assert page.get_by_role("button", name="Áp dụng phương án").count() == 0
    assert Org.objects.get(pk=tree.commune.pk).parent_id == tree.district2.pk
    assert not problems, "\n".join(problems)
