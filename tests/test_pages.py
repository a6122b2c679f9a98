"""The pages that exist so far: sign-in, the overview, health."""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from dangbo.demo.generator import build_demo
from dangbo.demo.profiles import PROFILES


@pytest.fixture
def admin_user(db):
    return User.objects.create_superuser("quantri", password="mat-khau-thu-1")


def test_overview_requires_sign_in(client, db):
    response = client.get(reverse("web:home"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_sign_in_page_is_vietnamese_and_local(client, db):
    html = client.get(reverse("login")).content.decode()
    assert 'lang="vi"' in html and "Đăng nhập" in html and "Mật khẩu" in html
    assert "http://" not in html and "https://" not in html  # nothing from another host


def test_wrong_password_says_so_in_vietnamese(client, admin_user):
    response = client.post(reverse("login"), {"username": "quantri", "password": "sai"})
    assert "không đúng" in response.content.decode()


def test_overview_shows_the_figures_of_the_tree(client, admin_user):
    summary = build_demo(PROFILES["tiny"], seed=3, progress=lambda line: None)
    client.force_login(admin_user)
    html = client.get(reverse("web:home")).content.decode()
    assert "Đảng bộ tỉnh Lào Cai" in html
    assert f"<dd>{summary.members}</dd>" in html
    assert "Đảng bộ cơ sở" in html


def test_a_user_without_a_role_sees_no_figures(client, db):
    user = User.objects.create_user("khach", password="mat-khau-thu-2")
    build_demo(PROFILES["tiny"], seed=3, progress=lambda line: None)
    client.force_login(user)
    response = client.get(reverse("web:home"))
    assert response.status_code == 403
    assert "Lào Cai" not in response.content.decode()


def test_health_reports_the_database(client, db):
    assert client.get("/healthz").json()["status"] == "ok"


def test_overview_counts_grassroots_orgs_as_the_demo_summary_does(client, admin_user):
    from dangbo.core.kinds import OrgKind
    from dangbo.orgs.models import Org
    from dangbo.orgs.services import org_establish

    summary = build_demo(PROFILES["tiny"], seed=3, progress=lambda line: None)
    province = Org.objects.get(kind=OrgKind.PROVINCE)
    # a company committee given upper-level rights is not itself counted as grassroots
    org_establish(
        code="APT",
        name="Đảng bộ Công ty",
        kind=OrgKind.GRASSROOTS_COMMITTEE,
        parent=province,
        established_on=PROFILES["tiny"].as_of,
        has_upper_rights=True,
    )
    client.force_login(admin_user)
    html = client.get(reverse("web:home")).content.decode()
    assert f"<dt>Tổ chức cơ sở đảng</dt><dd>{summary.grassroots}</dd>" in html
