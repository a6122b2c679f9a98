"""The hamlet form and the organization page's hamlet table in a real browser: the head is
picked from the commune's members by typing part of a name, or typed as a non-member."""

import os
from datetime import date

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth.models import User

from dangbo.accounts.models import AccessRole
from dangbo.accounts.services import role_grant
from dangbo.core import clock
from dangbo.members.services.records import member_record_death
from dangbo.orgs import services as org_services
from dangbo.orgs.models import Locality
from dangbo.reference.loader import load_all

CHROMIUM = "/usr/bin/chromium"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM),
        reason=f"không có Chromium tại {CHROMIUM} (.ci/run cài bằng apt-get install chromium)",
    ),
]
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop

WCAG_21_AA = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}


@pytest.fixture(scope="session")
def browser_type_launch_args():
    return {
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
        ],
    }


def test_an_officer_picks_a_member_as_head_then_the_page_shows_when_the_head_died(
    live_server, page, transactional_db, tree, make_member
):
    load_all()  # an earlier transactional test's flush may have emptied the code lists
    head = make_member(
        tree.cell_a, family_name="Lý", middle_name="Thị", given_name="Mỷ", admitted_on=date(2016, 3, 1)
    )
    make_member(
        tree.cell_b, family_name="Lý", middle_name="Văn", given_name="Sử", admitted_on=date(2016, 3, 1)
    )
    org_services.locality_create(
        commune=tree.commune,
        kind=Locality.Kind.THON,
        name="Nậm Cang",
        code="NC",
        cell=tree.cell_a,
        head_name="Lò Văn Pấu",
    )
    officer = User.objects.create_user("canbo-xa", password="mat-khau-thu-1")
    role_grant(user=officer, role=AccessRole.OFFICER, org=tree.commune)
    page.goto(live_server.url + "/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill("canbo-xa")
    page.get_by_label("Mật khẩu").fill("mat-khau-thu-1")
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_role("heading", name="Tổng quan").wait_for()

    page.goto(f"{live_server.url}/to-chuc/{tree.commune.pk}/")
    hamlets = page.locator("section", has=page.get_by_role("heading", name="Thôn, tổ dân phố (1)"))
    assert "Lò Văn Pấu" in hamlets.inner_text() and "không" in hamlets.inner_text()
    hamlets.get_by_role("link", name="Sửa").click()
    page.get_by_role("heading", name="Sửa Thôn Nậm Cang").wait_for()
    box = page.get_by_label("Trưởng thôn, tổ trưởng là đảng viên")
    suggestions = page.locator(f"datalist#{box.get_attribute('list')} option")
    assert suggestions.count() == 2  # the commune's members
    assert any(
        value.startswith("Lý Thị Mỷ — sinh")
        for value in suggestions.evaluate_all("os => os.map(o => o.value)")
    )
    assert Axe().run(page, options=WCAG_21_AA).violations_count == 0
    box.fill("ly thi my")  # typed without accents: the one member of the commune with that name
    page.get_by_label("Hoặc: họ tên trưởng thôn, tổ trưởng không phải đảng viên").fill("")
    page.get_by_role("button", name="Lưu").click()
    page.get_by_text("Đã lưu thôn, tổ dân phố.").wait_for()
    row = page.locator("tr", has_text="Nậm Cang")
    assert "Lý Thị Mỷ" in row.inner_text() and "có" in row.inner_text()

    member_record_death(member=head, died_on=clock.today())
    page.reload()
    row = page.locator("tr", has_text="Nậm Cang")
    assert "Lý Thị Mỷ" in row.inner_text() and "từ trần" in row.inner_text()
