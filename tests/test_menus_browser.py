"""Every page of every role's menu, in Chromium at an office's 1366×768 and on a 390×844 phone
(issue 23): the demo's administrator, officer, leader, cell secretary and member each sign in and
open every page their menu and header offer. Each answers 200, does not scroll sideways, shows
no text under 12 px in the main content and no internal key (a snake_case identifier such as
``as_of`` or ``transfer_case``, or an indicator's code); the header names the user, their role
and their unit. A secretary is offered no establishing, moving, merging, splitting, dissolving
or importing; a member no API keys."""

from __future__ import annotations

import re

from django.contrib.auth.models import User
from tests.browser import BROWSER, sign_in

from dangbo.accounts.scope import scope_for
from dangbo.demo.accounts import demo_logins
from dangbo.demo.generator import build_demo
from dangbo.demo.profiles import PROFILES
from dangbo.reference.loader import load_all
from dangbo.stats.indicators.registry import INDICATORS

pytestmark = BROWSER

SIZES = ((1366, 768), (390, 844))
ROLES = ("quantri", "canbo", "lanhdao", "bithu", "dangvien")
INTERNAL_KEY = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
# what a secretary must not be offered: the restructuring pages and the import
ORGANIZING = re.compile(
    r"/(thanh-lap|chuyen-truc-thuoc|hop-nhat|chia-tach|giai-the|sap-xep-to-chuc|nhap-du-lieu)/"
)
ORGANIZING_WORDS = (
    "Thành lập",
    "Chuyển trực thuộc",
    "Hợp nhất",
    "Sáp nhập",
    "Chia tách",
    "Giải thể",
    "Nhập dữ liệu",
)

# the text of the main content drawn under 12 px, as the reader sees it: visible elements
# holding text (not the visually hidden ones for screen readers), SVG text at its drawn scale
_SMALL_TEXT = """() => {
  const found = [], seen = new Set();
  const walker = document.createTreeWalker(document.querySelector('main'), NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!node.textContent.trim() || seen.has(el)) continue;
    seen.add(el);
    if (!el.checkVisibility({opacityProperty: true, visibilityProperty: true})) continue;
    const box = el.getBoundingClientRect();
    if (box.width <= 1 || box.height <= 1) continue;
    let size = parseFloat(getComputedStyle(el).fontSize);
    if (el instanceof SVGGraphicsElement) size *= el.getScreenCTM().a;
    if (size < 11.95) found.push(`${el.tagName.toLowerCase()} ${size.toFixed(1)}px «${node.textContent.trim().slice(0, 50)}»`);
  }
  return found;
}"""
# the main content's visible text, without literal values shown as code (the columns of a CSV
# template the user fills in are named ma_to_chuc, thanh_lap…, and are meant to be read so)
_READ_TEXT = """() => {
  const parts = [];
  const walker = document.createTreeWalker(document.querySelector('main'), NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (el.closest('code, kbd, samp, script, style') || !el.checkVisibility({visibilityProperty: true})) continue;
    parts.push(node.textContent);
  }
  return parts.join(' ');
}"""
_OFFERED = """() => [...document.querySelectorAll('header.top a')].map(a => [a.textContent.trim(), a.pathname + a.search])"""


def _header_problems(page, user) -> list[str]:
    who = page.locator(".who").inner_text()
    scope = scope_for(user)
    role = scope.role_label
    name = user.get_full_name() or user.username
    shown = user.username if name == role else name
    parts = [part.strip() for part in who.split("·")]
    if parts != [shown, role, scope.unit_label] or not scope.unit_label:
        return [f"the header reads «{who}», not «{shown} · {role} · {scope.unit_label}»"]
    return []


def _page_problems(page, label: str, width: int) -> list[str]:
    problems = []
    wide = page.evaluate("document.documentElement.scrollWidth")
    if wide > width + 1:
        problems.append(f"{label} {width}: {wide}px wide")
    problems += [f"{label} {width}: text {small}" for small in page.evaluate(_SMALL_TEXT)]
    text = page.evaluate(_READ_TEXT)
    keys = sorted(set(INTERNAL_KEY.findall(text)))
    if keys:
        problems.append(f"{label} {width}: internal keys {keys}")
    codes = sorted(i.code for i in INDICATORS if i.code in text)
    if codes:
        problems.append(f"{label} {width}: indicator codes {codes}")
    return problems


def test_every_roles_menu_pages_read_on_a_laptop_and_a_phone(live_server, page, transactional_db):
    load_all()  # an earlier transactional test's flush may have emptied the code lists
    build_demo(PROFILES["tiny"], seed=5, progress=lambda line: None)
    logins = {login.username: login for login in demo_logins()}
    assert set(ROLES) <= set(logins)
    problems: list[str] = []
    for username in ROLES:
        user = User.objects.get(username=username)
        page.set_viewport_size({"width": 1366, "height": 768})
        sign_in(page, live_server.url, username, logins[username].password, landing=None)
        page.locator("main h1").wait_for()  # the overview; a member's greets them by name
        problems += [f"{username}: {p}" for p in _header_problems(page, user)]
        offered = page.evaluate(_OFFERED)
        names = " | ".join(name for name, _ in offered)
        if username == "bithu":
            problems += [f"bithu: offered «{word}»" for word in ORGANIZING_WORDS if word in names]
        if username == "dangvien" and (
            "Khóa API" in names or any("/khoa-api/" in href for _, href in offered)
        ):
            problems.append("dangvien: offered API keys")
        pages = list(dict.fromkeys(href for _, href in offered))
        assert len(pages) >= 4, offered
        for path in pages:
            for width, height in SIZES:
                page.set_viewport_size({"width": width, "height": height})
                response = page.goto(live_server.url + path, wait_until="networkidle")
                if response.status != 200:
                    problems.append(f"{username} {path} {width}: answered {response.status}")
                    continue
                problems += [f"{username} {p}" for p in _page_problems(page, path, width)]
                if username == "bithu":
                    links = page.evaluate(
                        "() => [...document.querySelectorAll('main a')].map(a => a.pathname)"
                    )
                    problems += [
                        f"bithu {path}: a link to {link}" for link in links if ORGANIZING.search(link)
                    ]
        page.set_viewport_size({"width": 1366, "height": 768})
        page.get_by_role("button", name="Đăng xuất").click()
        page.get_by_role("heading", name="Đăng nhập").wait_for()
    assert not problems, "\n".join(problems)
