"""The exchange in a real browser: the district's officer opens «Báo cáo giữa các cấp» from the
menu, uploads a package a commune sent up, and reads the report's page — every figure matching,
then, after a member is recorded here, the difference highlighted first. Accessible (WCAG 2.1 AA)."""

from datetime import date

import pytest
from django.contrib.auth.models import User
from tests.browser import BROWSER, axe_violations, sign_in

from dangbo.accounts.models import AccessRole
from dangbo.accounts.scope import SYSTEM
from dangbo.accounts.services import role_grant
from dangbo.exchange import keys
from dangbo.exchange.services import package_export, peer_trust
from dangbo.reference.loader import load_all

pytestmark = BROWSER


@pytest.fixture
def code_lists(transactional_db):
    """The code lists, loaded before any member is made: an earlier transactional test's flush
    may have emptied them."""
    load_all()


@pytest.fixture
def sent(live_server, code_lists, settings, tmp_path, populated, frozen_today):
    """The commune's member counts, packaged and signed; its key registered here; the district's
    officer."""
    frozen_today()
    settings.DANGBO_EXCHANGE_KEY_FILE = tmp_path / "keys" / "exchange_ed25519"
    peer_trust(actor=SYSTEM, user=None, org=populated.commune, public_key=keys.public_key_text())
    target = tmp_path / "goi-bao-cao-X1.json"
    target.write_bytes(package_export(actor=SYSTEM, org=populated.commune, kind="member_counts").to_bytes())
    officer = User.objects.create_user("canbo-huyen", password="mat-khau-thu-1")
    role_grant(user=officer, role=AccessRole.OFFICER, org=populated.district)
    return target


def test_the_officer_receives_a_package_and_reads_the_differences(
    live_server, page, sent, populated, make_member
):
    sign_in(page, live_server.url, "canbo-huyen")
    page.get_by_role("link", name="Báo cáo giữa các cấp", exact=True).click()
    page.get_by_role("heading", name="Báo cáo giữa các cấp").wait_for()
    assert not axe_violations(page)
    page.get_by_role("link", name="Nhận báo cáo của cấp dưới").click()
    page.get_by_role("heading", name="Nhận báo cáo của cấp dưới").wait_for()
    assert not axe_violations(page)
    page.get_by_label("Tệp gói báo cáo (.json)").set_input_files(str(sent))
    page.get_by_role("button", name="Nhận và đối chiếu").click()
    page.get_by_role("heading", name=f"Đối chiếu báo cáo của {populated.commune.name} (X1)").wait_for()
    page.get_by_text("Mọi số liệu gửi lên đều khớp").wait_for()
    assert not axe_violations(page)
    make_member(populated.cell_b, admitted_on=date(2016, 3, 1))
    page.reload()
    page.get_by_role("heading", name="Số liệu khác nhau (6)").wait_for()
    first = page.locator("tr.late").first
    assert "X1" in first.inner_text() and "-1" in first.inner_text()
    assert not axe_violations(page)
