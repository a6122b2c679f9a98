"""Pages in a real browser: Debian's Chromium driven by Playwright."""

import os

import pytest
from django.contrib.auth.models import User

from dangbo.demo.generator import build_demo
from dangbo.demo.profiles import PROFILES
from dangbo.reference.loader import load_all

CHROMIUM = "/usr/bin/chromium"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"không có Chromium tại {CHROMIUM} (.ci/run cài bằng apt-get install chromium)"),
]
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop


@pytest.fixture(scope="session")
def browser_type_launch_args():
    return {
        "executable_path": CHROMIUM,
        "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
    }


def test_sign_in_and_see_the_province_overview(live_server, page, transactional_db):
    load_all()  # an earlier transactional test's flush may have emptied the code lists
    User.objects.create_superuser("quantri", password="mat-khau-thu-1")
    summary = build_demo(PROFILES["tiny"], seed=5, progress=lambda line: None)
    page.goto(live_server.url + "/")
    assert page.get_by_role("heading", name="Đăng nhập").is_visible()
    page.get_by_label("Tên đăng nhập").fill("quantri")
    page.get_by_label("Mật khẩu").fill("mat-khau-thu-1")
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_role("heading", name="Tổng quan").wait_for()
    assert page.get_by_role("heading", name="Đảng bộ tỉnh Lào Cai").is_visible()
    assert str(summary.members) in page.locator(".figures").inner_text()
    page.set_viewport_size({"width": 375, "height": 740})  # a phone
    assert page.get_by_role("button", name="Đăng xuất").is_visible()
    page.get_by_role("button", name="Đăng xuất").click()
    page.get_by_role("heading", name="Đăng nhập").wait_for()
