"""The statistical forms page in a real browser (Debian's Chromium), at the office's 1366 px and
on a 390 px phone: a form of many organizations shows its total with its rows behind a
disclosure, so the page stays short; the wide forms scroll inside their own region, never the
page; the disclosure opens on a click, and every disclosure opens for printing and closes
after; axe finds no WCAG 2.1 AA violation with the disclosures closed or open."""

from django.contrib.auth.models import User
from tests.browser import BROWSER, axe_violations, sideways_scroll, sign_in

from dangbo.demo.generator import build_demo
from dangbo.demo.profiles import PROFILES
from dangbo.reference.loader import load_all
from dangbo.stats.statforms import web

pytestmark = BROWSER


def _height(page) -> int:
    return page.evaluate("document.documentElement.scrollHeight")


def test_forms_of_many_organizations_stay_short_open_on_a_click_and_for_printing(
    live_server, page, transactional_db, monkeypatch
):
    from dangbo.orgs.models import Org

    load_all()  # an earlier transactional test's flush may have emptied the code lists
    build_demo(PROFILES["tiny"], seed=5, progress=lambda line: None)
    User.objects.create_superuser("quantri", password="mat-khau-thu-1")
    commune = (
        Org.objects.filter(children__isnull=False, parent__parent__isnull=False).order_by("path").first()
    )
    url = f"{live_server.url}/to-chuc/{commune.pk}/bieu-thong-ke/"
    sign_in(page, live_server.url, "quantri")

    for width, height in ((1366, 768), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        monkeypatch.setattr(web, "COLLAPSED_ABOVE", 1000)  # every row shown
        page.goto(url)
        full = _height(page)
        monkeypatch.setattr(web, "COLLAPSED_ABOVE", 3)  # the commune's cells count as many
        page.goto(url)
        page.get_by_role("heading", name="Kiểm tra chéo").wait_for()
        disclosures = page.locator("details.by-org")
        count = disclosures.count()
        assert count >= 2, count
        short = _height(page)
        assert short < full * 0.75, (width, short, full)  # the rows no longer lengthen the page
        assert sideways_scroll(page) <= 0  # wide forms scroll in their own region, not the page
        first = disclosures.first
        assert not first.locator("table").is_visible()
        total = page.locator(".total-only").first
        assert total.is_visible() and "Tổng cộng" in total.inner_text()
        assert not axe_violations(page)

        first.locator("summary").click()
        assert first.locator("table").is_visible()
        assert first.locator("tbody tr").count() > 3
        assert sideways_scroll(page) <= 0
        assert not axe_violations(page)
        first.locator("summary").click()

        # printing: every disclosure opens (print.js), the total is not printed twice; after
        # printing they are as the reader left them
        page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
        assert page.locator("details.by-org[open]").count() == count
        page.emulate_media(media="print")
        assert not total.is_visible() and first.locator("tbody tr").first.is_visible()
        page.emulate_media(media="screen")
        page.evaluate("window.dispatchEvent(new Event('afterprint'))")
        assert page.locator("details.by-org[open]").count() == 0
