"""What every browser test shares: Debian's Chromium driven by pytest-playwright (browser
downloads do not work here), skipped with the reason when it is not installed; the sign-in
form; axe-core's WCAG 2.1 AA run; the page's sideways scroll.

A browser test module starts with ``pytestmark = BROWSER``; the launch arguments reach
pytest-playwright through the ``browser_type_launch_args`` fixture of ``conftest.py``."""

from __future__ import annotations

import os

import pytest
from axe_playwright_python.sync_playwright import Axe

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = {
    "executable_path": CHROMIUM,
    "args": [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
    ],
}
BROWSER = [
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
PASSWORD = "mat-khau-thu-1"  # what the browser tests give the accounts they create


def sign_in(
    page, base_url: str, username: str, password: str = PASSWORD, *, landing: str | None = "Tổng quan"
):
    """Sign in through the form; wait for the page landed on (its heading ``landing``), unless
    ``landing`` is None (a page the test checks itself)."""
    page.goto(base_url + "/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    if landing is not None:
        page.get_by_role("heading", name=landing).wait_for()


def axe_violations(page) -> str:
    """axe-core's report of the page's WCAG 2.1 AA violations as it is now; empty when none."""
    results = Axe().run(page, options=WCAG_21_AA)
    return results.generate_report() if results.violations_count else ""


def sideways_scroll(page) -> int:
    """How many pixels the page scrolls sideways (0 or less: none)."""
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
