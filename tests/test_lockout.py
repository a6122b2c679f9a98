"""Lockout after failed sign-ins (issue 18, ASVS 5.0 6.3.1): per user name and address, and per
address across user names (password spraying), with a Vietnamese page that says until when;
nobody can lock `quantri` out of the office from elsewhere."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from dangbo.audit.models import AuditEntry
from dangbo.audit.services import Action

PASSWORD = "mat-khau-dai-du-1"
OFFICE = "10.0.0.5"
ATTACKER = "203.0.113.9"


@pytest.fixture
def quantri(db):
    return User.objects.create_superuser("quantri", password=PASSWORD)


def attempt(client, username, password, address):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def test_an_attacker_elsewhere_cannot_lock_out_the_administrator(client, quantri, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "quantri", "doan-bua", ATTACKER)
    refused = attempt(client, "quantri", PASSWORD, ATTACKER)
    assert refused.status_code == 429 and "_auth_user_id" not in client.session
    office = type(client)()
    signed_in = attempt(office, "quantri", PASSWORD, OFFICE)
    assert signed_in.status_code == 302 and office.session["_auth_user_id"] == str(quantri.pk)
    assert AuditEntry.objects.filter(action=Action.SIGN_IN_LOCKED_OUT, data__username="quantri").exists()


def test_spraying_passwords_across_accounts_locks_the_address(client, quantri, settings):
    settings.DANGBO_LOCKOUT_ADDRESS_FAILURES = 8
    for n in range(7):  # one wrong password for each user name: no pair comes near its limit
        assert attempt(client, f"nguoidung{n}", "matkhau123", ATTACKER).status_code == 200
    assert attempt(client, "nguoidung7", "matkhau123", ATTACKER).status_code == 429  # the eighth
    assert attempt(client, "quantri", PASSWORD, ATTACKER).status_code == 429
    assert attempt(type(client)(), "quantri", PASSWORD, OFFICE).status_code == 302


def test_signing_in_to_ones_own_account_does_not_reset_the_address(client, quantri, settings):
    """A sprayer who owns one account cannot clear the address's count by using it."""
    settings.DANGBO_LOCKOUT_ADDRESS_FAILURES = 6
    User.objects.create_user("minh", password=PASSWORD)
    for n in range(4):
        attempt(client, f"nguoidung{n}", "matkhau123", ATTACKER)
    assert attempt(client, "minh", PASSWORD, ATTACKER).status_code == 302
    client.post(reverse("logout"))
    for n in range(4, 6):
        attempt(client, f"nguoidung{n}", "matkhau123", ATTACKER)
    assert attempt(client, "minh", PASSWORD, ATTACKER).status_code == 429


def test_the_lockout_page_says_when_to_try_again(client, quantri, settings, frozen_today):
    frozen_today(datetime(2026, 11, 20, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")))
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = attempt(client, "quantri", "doan-bua", ATTACKER)
    assert response.status_code == 429
    html = response.content.decode()
    assert "tạm khóa" in html and "09:15 ngày 20/11/2026" in html


def test_the_per_address_limit_is_configurable(settings):
    """The defaults: 5 failures of one user name from one address, 50 from one address."""
    assert settings.AXES_FAILURE_LIMIT == 5 and settings.DANGBO_LOCKOUT_ADDRESS_FAILURES == 50
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"], "ip_address"]
