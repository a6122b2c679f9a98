"""Every page of every role's menu, in Chromium at an office's 1366×768 and on a 390×844 phone
(issue 23): the demo's administrator, officer, leader, cell secretary and member each sign in and
open every page their menu and header offer, and, two links deep, the pages those lead to (one
of each route: the same route with another id is the same page). Each answers 200, does not
scroll sideways, shows no text under 12 px in the main content and no internal key (a snake_case
identifier such as ``as_of`` or ``transfer_case``, or an indicator's code); the header names the
user, their role and their unit. A secretary is offered no establishing, moving, merging,
splitting, dissolving or importing; a member no API keys."""

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
_LINKS = """() => [...document.querySelectorAll('main a[href]')]
  .filter(a => a.origin === location.origin && !a.hasAttribute('download') && !a.hasAttribute('data-print'))
  .map(a => a.pathname + a.search)"""
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
# files to download, not pages
_NOT_PAGES = re.compile(r"dinh-dang=|\.(csv|xlsx|docx|pdf|json)$|^/api/|/tai-lieu/|/tai-ve/")
_CODE = re.compile(r"/[a-z_]+\.[a-z0-9_]+/")  # an indicator's page: one route for every indicator
PER_ROLE = 45  # the pages beyond the menu a role's walk opens at most


def _kind(url: str) -> str:
    """A page's route: its path with ids and indicator codes blanked, and the names of its
    query's parameters."""
    path, _, query = url.partition("?")
    names = sorted(part.split("=")[0] for part in query.split("&") if part)
    return _CODE.sub("/<code>/", _UUID.sub("<id>", path)) + "?" + "&".join(names)


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


def _walk(page, base: str, username: str, menu: list[str]) -> list[str]:
    """Open the menu's pages, then one page of each route they link to, and of each route
    those link to (breadth first, at most PER_ROLE beyond the menu), at both sizes."""
    problems: list[str] = []
    kinds = {_kind(path) for path in menu}
    queue = [(path, 0) for path in menu]
    for path, depth in queue:
        for width, height in SIZES:
            page.set_viewport_size({"width": width, "height": height})
            response = page.goto(base + path)
            if page.locator("[hx-trigger]").count():  # parts loaded after the page (the overview's)
                page.wait_for_load_state("networkidle")
            if response.status != 200:
                problems.append(f"{path} {width}: answered {response.status}")
                break
            problems += _page_problems(page, path, width)
        else:
            links = page.evaluate(_LINKS)
            if username == "bithu":
                problems += [f"{path}: a link to {link}" for link in links if ORGANIZING.search(link)]
            if username == "dangvien":
                problems += [f"{path}: a link to {link}" for link in links if "/khoa-api/" in link]
            if depth < 2:
                for link in links:
                    if (
                        not _NOT_PAGES.search(link)
                        and _kind(link) not in kinds
                        and len(queue) < len(menu) + PER_ROLE
                    ):
                        kinds.add(_kind(link))
                        queue.append((link, depth + 1))
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
        if username == "dangvien" and ("Khóa API" in names or any("/khoa-api/" in h for _, h in offered)):
            problems.append("dangvien: offered API keys")
        menu = list(dict.fromkeys(href for _, href in offered))
        assert len(menu) >= 4, offered
        problems += [f"{username} {p}" for p in _walk(page, live_server.url, username, menu)]
        page.set_viewport_size({"width": 1366, "height": 768})
        page.locator("header.top").get_by_role("button", name="Đăng xuất").click()
        page.get_by_role("heading", name="Đăng nhập").wait_for()
    assert not problems, "\n".join(problems)

    # the probes find what they look for: small text, an internal key, a page wider than the phone
    sign_in(page, live_server.url, "quantri", logins["quantri"].password)
    page.set_viewport_size({"width": 390, "height": 844})
    page.evaluate("""() => {
      const small = Object.assign(document.createElement('p'), {textContent: 'Tính đến as_of'});
      small.style.fontSize = '10px';
      const wide = Object.assign(document.createElement('div'), {textContent: 'rộng'});
      wide.style.width = '900px';
      document.querySelector('main').append(small, wide);
    }""")
    found = "\n".join(_page_problems(page, "/", 390))
    assert "text p 10.0px «Tính đến as_of»" in found and "internal keys ['as_of']" in found, found
    assert re.search(r"/ 390: 9\d\dpx wide", found), found
