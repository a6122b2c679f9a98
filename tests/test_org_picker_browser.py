"""The organization pickers in a real browser (issue 23), at 1366×768 and on a 390 px phone: an
officer types a name without accents, chooses with the keyboard or a tap, and the field holds the
code; a field of several codes takes one more; the matches pass axe and do not widen the page;
without JavaScript the field is a plain code field, matched in any case."""

import pytest
from django.contrib.auth.models import User
from tests.browser import BROWSER, PASSWORD, axe_violations, sideways_scroll, sign_in

from dangbo.accounts.models import AccessRole
from dangbo.accounts.services import role_grant
from dangbo.core.kinds import OrgKind, Sector
from dangbo.orgs import services as org_services
from dangbo.reference.loader import load_all

pytestmark = BROWSER

SIZES = {"laptop": (1366, 768), "phone": (390, 800)}


@pytest.fixture
def officer(live_server, transactional_db, tree):
    load_all()  # an earlier transactional test's flush may have emptied the code lists
    ward = org_services.org_establish(
        code="KT",
        name="Đảng bộ phường Kim Tân",
        kind=OrgKind.GRASSROOTS_COMMITTEE,
        parent=tree.district,
        established_on=tree.province.created_on,
        sector=Sector.WARD,
    )
    for parent, code in ((ward, "KT-01"), (tree.commune, "X1-01")):
        org_services.org_establish(
            code=code,
            name="Chi bộ Tổ dân phố số 1",
            kind=OrgKind.CELL,
            parent=parent,
            established_on=tree.province.created_on,
            sector=Sector.RESIDENTIAL,
        )
    user = User.objects.create_user("canbo-tinh", password=PASSWORD)
    role_grant(user=user, role=AccessRole.OFFICER, org=tree.province)
    return user


def _clean(page, where: str) -> None:
    report = axe_violations(page)
    assert not report, f"{where}: {report}"
    overflow = sideways_scroll(page)
    assert overflow <= 0, f"{where}: the page scrolls sideways by {overflow}px"


@pytest.mark.parametrize("size", list(SIZES))
def test_an_officer_picks_organizations_by_name(live_server, page, tree, officer, size):
    width, height = SIZES[size]
    page.set_viewport_size({"width": width, "height": height})
    sign_in(page, live_server.url, "canbo-tinh")

    # one code: the new parent of a move, found by a name typed without accents
    page.goto(f"{live_server.url}/to-chuc/{tree.commune.pk}/chuyen-truc-thuoc/")
    field = page.get_by_role("combobox", name="Mã tổ chức cấp trên mới")
    field.press_sequentially("huyen uy ha", delay=20)
    option = page.get_by_role("option", name="Huyện ủy Hai")
    option.wait_for()
    assert "Huyện ủy Một" not in page.get_by_role("listbox").inner_text()
    assert field.get_attribute("aria-expanded") == "true"
    _clean(page, f"the move form with its matches open ({size})")
    field.press("ArrowDown")
    assert field.get_attribute("aria-activedescendant") == option.get_attribute("id")
    field.press("Enter")  # chooses; does not send the form
    assert field.input_value() == "H2" and "/chuyen-truc-thuoc/" in page.url
    assert field.get_attribute("aria-expanded") == "false"
    page.get_by_text("Đã chọn: Huyện ủy Hai · Đảng bộ tỉnh Mẫu (H2)").wait_for()

    # two cells of the same name, told apart by their commune; a tap chooses
    page.goto(f"{live_server.url}/to-chuc/{tree.cell_a.pk}/hop-nhat/")
    field = page.get_by_role("combobox", name="Mã các tổ chức được hợp nhất, sáp nhập vào tổ chức này")
    field.press_sequentially("to dan pho so 1", delay=20)
    page.get_by_role("option").nth(1).wait_for()
    texts = page.get_by_role("listbox").inner_text()
    assert "Đảng bộ xã Một" in texts and "Đảng bộ phường Kim Tân" in texts
    page.get_by_role("option", name="Đảng bộ xã Một").click()
    assert field.input_value() == "X1-01, "
    field.press_sequentially("thon b", delay=20)
    page.get_by_role("option", name="Chi bộ thôn B").click()
    assert field.input_value() == "X1-01, X1B, "
    _clean(page, f"the merge form ({size})")


def test_without_javascript_a_code_in_lower_case_still_chooses(live_server, browser, tree, officer):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1366, "height": 768})
    page = context.new_page()
    try:
        sign_in(page, live_server.url, "canbo-tinh")
        page.goto(f"{live_server.url}/to-chuc/{tree.district.pk}/chi-tieu/")
        page.get_by_label("Tổ chức", exact=True).fill("kt")
        page.get_by_role("button", name="Xem").click()
        page.get_by_role(
            "heading", name="Chỉ tiêu xây dựng tổ chức cơ sở đảng và đảng viên — Đảng bộ phường Kim Tân"
        ).wait_for()
    finally:
        context.close()
