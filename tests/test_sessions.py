"""Sessions end DANGBO_SESSION_MAX_HOURS (10) after the sign-in however active they are, beside
the idle timeout (issue 18, ASVS 5.0 7.3.2)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth.models import User
from django.urls import reverse

from dangbo.audit.models import AuditEntry
from dangbo.audit.services import Action
from dangbo.core import clock

PASSWORD = "mat-khau-dai-du-1"


def test_an_active_session_ends_ten_hours_after_signing_in(client, db, settings, frozen_today):
    assert settings.DANGBO_SESSION_MAX_HOURS == 10
    start = datetime(2026, 11, 20, 7, 30, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    frozen_today(start)
    User.objects.create_user("canbo", password=PASSWORD)
    client.post(reverse("login"), {"username": "canbo", "password": PASSWORD})
    # a request every 50 minutes: never idle for the hour of the idle timeout
    for minutes in [*range(50, 600, 50), 599]:
        frozen_today(start + timedelta(minutes=minutes))
        assert client.get(reverse("accounts:security")).status_code == 200, minutes
    frozen_today(start + timedelta(hours=10, minutes=1))
    response = client.get(reverse("accounts:security"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert "_auth_user_id" not in client.session
    page = client.get(response.url).content.decode()
    assert "hết thời hạn tối đa" in page
    assert AuditEntry.objects.filter(action=Action.SESSION_EXPIRED).exists()


def test_the_lifetime_is_a_setting_and_counts_from_signing_in(client, db, settings, frozen_today):
    settings.DANGBO_SESSION_MAX_HOURS = 1
    frozen_today()
    user = User.objects.create_user("canbo", password=PASSWORD)
    client.force_login(user)
    frozen_today(clock.now() + timedelta(minutes=40))
    assert client.get(reverse("accounts:security")).status_code == 200
    frozen_today(clock.now() + timedelta(minutes=21))
    assert client.get(reverse("accounts:security")).status_code == 302
    # signing in again starts a new period
    client.force_login(user)
    assert client.get(reverse("accounts:security")).status_code == 200


def test_the_api_refuses_an_expired_session(client, db, settings, frozen_today):
    settings.DANGBO_SESSION_MAX_HOURS = 1
    frozen_today()
    client.force_login(User.objects.create_user("canbo", password=PASSWORD))
    assert client.get("/api/orgs/").status_code == 200
    frozen_today(clock.now() + timedelta(minutes=30))
    assert client.get("/api/orgs/").status_code == 200
    frozen_today(clock.now() + timedelta(minutes=31))
    assert client.get("/api/orgs/").status_code == 401


def test_a_manager_ends_every_session_of_an_account(db, settings, frozen_today):
    """ASVS 5.0 7.4.5: an administrator (or the officer managing the account) ends a user's open
    sessions, on every browser; the user may sign in again; the command line ends everyone's."""
    from django.test import Client

    from dangbo.cli import main as dangbo

    start = datetime(2026, 11, 20, 7, 30, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    frozen_today(start)
    User.objects.create_superuser("quantri", password=PASSWORD)
    user = User.objects.create_user("canbo", password=PASSWORD)
    office, home, admin = Client(), Client(), Client()
    for browser in (office, home):
        browser.post(reverse("login"), {"username": "canbo", "password": PASSWORD})
        assert browser.get(reverse("accounts:security")).status_code == 200
    admin.post(reverse("login"), {"username": "quantri", "password": PASSWORD})

    frozen_today(start + timedelta(minutes=5))
    url = reverse("accounts:sessions_end", args=[user.pk])
    assert "Kết thúc các phiên đăng nhập" in admin.get(url).content.decode()
    response = admin.post(url, {"confirm": "on"})
    assert response.status_code == 302
    assert AuditEntry.objects.filter(action=Action.SESSIONS_ENDED, subject_id=str(user.pk)).count() == 1

    for browser in (office, home):
        response = browser.get(reverse("accounts:security"))
        assert response.status_code == 302 and "ketthuc=1" in response.url
        assert "quản trị hoặc cán bộ quản lý tài khoản kết thúc" in browser.get(response.url).content.decode()
        assert "_auth_user_id" not in browser.session
    assert admin.get(reverse("accounts:security")).status_code == 200  # the administrator's own goes on

    frozen_today(start + timedelta(minutes=6))
    office.post(reverse("login"), {"username": "canbo", "password": PASSWORD})
    assert office.get(reverse("accounts:security")).status_code == 200  # signing in again works

    frozen_today(start + timedelta(minutes=7))
    assert dangbo(["user", "end-sessions", "--all"]) == 0
    assert admin.get(reverse("accounts:security")).status_code == 302
    assert office.get(reverse("accounts:security")).status_code == 302


# --- the idle period is renewed every few minutes, not at every request (issue 24) ---------------

DB_SESSIONS = "django.contrib.sessions.backends.db"


def counted_saves(monkeypatch, settings) -> list[str]:
    """The session keys saved from now on, by the configured session engine."""
    from importlib import import_module

    store = import_module(settings.SESSION_ENGINE).SessionStore
    saves: list[str] = []
    save = store.save

    def counting(self, *args, **kwargs):
        saves.append(self.session_key or "")
        return save(self, *args, **kwargs)

    monkeypatch.setattr(store, "save", counting)
    return saves


def test_page_views_do_not_save_the_session(client, db, settings, frozen_today, monkeypatch):
    start = datetime(2026, 11, 20, 7, 30, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    frozen_today(start)
    User.objects.create_user("canbo", password=PASSWORD)
    client.post(reverse("login"), {"username": "canbo", "password": PASSWORD})
    saves = counted_saves(monkeypatch, settings)
    for minute in range(5):  # the default hour: renewed every 5 minutes
        frozen_today(start + timedelta(minutes=minute, seconds=30))
        response = client.get(reverse("accounts:security"))
        assert response.status_code == 200 and settings.SESSION_COOKIE_NAME not in response.cookies
    assert saves == []
    frozen_today(start + timedelta(minutes=5, seconds=1))
    assert client.get(reverse("accounts:security")).status_code == 200
    assert len(saves) == 1  # renewed


def test_an_idle_session_still_ends(client, db, settings, frozen_today):
    settings.SESSION_ENGINE = DB_SESSIONS  # its expiry follows the frozen clock (files: the real one)
    start = datetime(2026, 11, 20, 7, 30, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    frozen_today(start)
    User.objects.create_user("canbo", password=PASSWORD)
    client.post(reverse("login"), {"username": "canbo", "password": PASSWORD})
    frozen_today(start + timedelta(minutes=4))  # not renewed: within the 5 minutes
    assert client.get(reverse("accounts:security")).status_code == 200
    frozen_today(start + timedelta(minutes=60, seconds=1))  # an hour after the last renewal
    response = client.get(reverse("accounts:security"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_activity_keeps_a_session_past_the_idle_period(client, db, settings, frozen_today):
    settings.SESSION_ENGINE = DB_SESSIONS
    start = datetime(2026, 11, 20, 7, 30, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    frozen_today(start)
    User.objects.create_user("canbo", password=PASSWORD)
    client.post(reverse("login"), {"username": "canbo", "password": PASSWORD})
    for minutes in range(3, 181, 3):  # three hours, a page every 3 minutes
        frozen_today(start + timedelta(minutes=minutes))
        assert client.get(reverse("accounts:security")).status_code == 200, minutes
    frozen_today(start + timedelta(minutes=180 + 54))  # idle 54 minutes: within the hour
    assert client.get(reverse("accounts:security")).status_code == 200
