"""Account administration in Chromium: an officer creates a cell secretary's account, the new
user is made to change the password at the first sign-in; every page passes axe (WCAG 2.1 AA)
at a laptop's and a phone's width."""

from django.contrib.auth.models import User
from tests.browser import BROWSER, axe_violations, sideways_scroll, sign_in

from dangbo.accounts.models import AccessRole
from dangbo.accounts.services import role_grant
from dangbo.reference.loader import load_all

pytestmark = BROWSER

SIZES = {"laptop": (1366, 768), "phone": (375, 740)}
PASSWORD = "mat-khau-thu-dai-1"


def _axe(page, label: str) -> list[str]:
    """axe and sideways scrolling on the page as it is now, at both widths."""
    problems = []
    for size, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        if report := axe_violations(page):
            problems.append(f"{label} {size}: {report}")
        overflow = sideways_scroll(page)
        if overflow > 0:
            problems.append(f"{label} {size}: the page scrolls sideways by {overflow}px")
    page.set_viewport_size({"width": 1366, "height": 768})
    return problems


def test_an_officer_creates_an_account_and_the_user_changes_the_password(
    live_server, page, tree, transactional_db
):
    from tests.conftest import admit

    load_all()
    admit(tree.cell_a)
    officer = User.objects.create_user("canbo", password=PASSWORD, first_name="Cán bộ Huyện")
    role_grant(user=officer, role=AccessRole.OFFICER, org=tree.district)
    url = live_server.url
    problems = []

    sign_in(page, url, "canbo", PASSWORD, landing=None)
    page.get_by_role("heading", name="Tổng quan").wait_for()
    page.get_by_role("link", name="Tài khoản", exact=True).click()
    page.get_by_role("heading", name="Tài khoản và phân quyền").wait_for()
    assert "canbo" in page.locator("table.list").inner_text()
    problems += _axe(page, "/tai-khoan/")
    page.goto(url + "/tai-khoan/?org=H2")
    assert page.get_by_text("Không có tổ chức mã «H2» trong phạm vi bạn quản lý.").is_visible()
    problems += _axe(page, "/tai-khoan/?org=H2")

    page.goto(url + "/tai-khoan/tao/")
    page.get_by_role("button", name="Tạo tài khoản").click()  # nothing typed: the errors, in Vietnamese
    assert page.get_by_text("Chưa nhập mục này.").first.is_visible()
    problems += _axe(page, "/tai-khoan/tao/ (errors)")
    page.get_by_label("Tên đăng nhập").fill("bithub")
    page.get_by_label("Họ và tên").fill("Lò Thị Bích")
    page.get_by_label("Vai trò").select_option(label="Bí thư chi bộ")
    page.get_by_label("Mã tổ chức").fill("X1B")
    page.get_by_role("button", name="Tạo tài khoản").click()
    page.get_by_role("heading", name="Đã tạo tài khoản bithub").wait_for()
    initial = page.locator("code.key").inner_text().strip()
    problems += _axe(page, "password shown")

    page.get_by_role("link", name="Xem tài khoản bithub").click()
    page.get_by_role("heading", name="Tài khoản bithub").wait_for()
    assert "X1B — Chi bộ thôn B" in page.locator("table.list").inner_text()
    problems += _axe(page, "account page")
    page.get_by_role("link", name="Khóa tài khoản").click()
    problems += _axe(page, "deactivate confirmation")
    page.get_by_role("link", name="Hủy").click()

    page.get_by_role("button", name="Đăng xuất").click()
    sign_in(page, url, "bithub", initial, landing=None)
    page.get_by_role("heading", name="Đổi mật khẩu").wait_for()
    assert page.get_by_text("Hãy đổi mật khẩu trước khi dùng phần mềm.").is_visible()
    problems += _axe(page, "forced password change")
    page.goto(url + "/to-chuc/")
    page.get_by_role("heading", name="Đổi mật khẩu").wait_for()  # still there, whatever the address
    page.get_by_label("Mật khẩu cũ").fill(initial)
    page.get_by_label("Mật khẩu mới", exact=True).fill("mat-khau-rieng-cua-bich")
    page.get_by_label("Xác nhận mật khẩu mới").fill("mat-khau-rieng-cua-bich")
    page.get_by_role("button", name="Đổi mật khẩu").click()
    page.goto(url + "/")
    page.get_by_role("heading", name="Tổng quan").wait_for()
    assert (
        page.get_by_role("link", name="Tài khoản", exact=True).count() == 0
    )  # a secretary manages no accounts
    assert not problems, "\n".join(problems)
