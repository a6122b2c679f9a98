"""The hamlet form and the organization page's hamlet table in a real browser: the head is
picked from the commune's members by typing part of a name, or typed as a non-member."""

from datetime import date

from django.contrib.auth.models import User
from tests.browser import BROWSER, axe_violations, sign_in

from dangbo.accounts.models import AccessRole
from dangbo.accounts.services import role_grant
from dangbo.core import clock
from dangbo.members.services.records import member_record_death
from dangbo.orgs import services as org_services
from dangbo.orgs.models import Locality
from dangbo.reference.loader import load_all

pytestmark = BROWSER


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
    sign_in(page, live_server.url, "canbo-xa")

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
    assert not axe_violations(page)
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
