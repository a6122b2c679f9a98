"""API keys (issue 18): a read-only key is refused on every change, the key page lets the user
choose; keys are rate-limited per key and per address; every key of a user is revoked when
their password changes, by whatever path."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from dangbo.accounts.models import AccessRole, ApiToken, TokenAccess
from dangbo.accounts.scope import SYSTEM
from dangbo.accounts.services import role_grant, user_password_reset
from dangbo.accounts.tokens import token_create
from dangbo.audit.models import AuditEntry
from dangbo.audit.services import Action

PASSWORD = "mat-khau-dai-du-1"
NEW_PASSWORD = "mot-cau-rat-dai-de-nho-7"


@pytest.fixture
def officer(tree):
    user = User.objects.create_user("canbo", password=PASSWORD)
    role_grant(user=user, role=AccessRole.OFFICER, org=tree.commune)
    return user


def bearer(key, address="192.0.2.10"):
    return {"HTTP_AUTHORIZATION": f"Bearer {key}", "REMOTE_ADDR": address}


def test_a_read_only_key_is_refused_on_every_change(client, tree, officer, make_member):
    member = make_member(tree.cell_a, national_id="001090012345")
    read = token_create(user=officer, name="đọc", days=30)[1]
    write = token_create(user=officer, name="ghi", days=30, access=TokenAccess.WRITE)[1]
    assert ApiToken.objects.get(name="đọc").access == TokenAccess.READ  # the default
    assert client.get(f"/api/members/{member.pk}", **bearer(read)).status_code == 200
    # every endpoint that changes anything (the API has POST ones only)
    described = client.get("/api/openapi.json").json()["paths"]
    unsafe = [
        (path, method)
        for path, methods in described.items()
        for method in methods
        if method in ("post", "put", "patch", "delete")
    ]
    assert len(unsafe) >= 5
    for path, method in unsafe:
        url = re.sub(r"\{\w+\}", str(member.pk), "/api" + path.removeprefix("/api"))
        response = getattr(client, method)(url, {}, content_type="application/json", **bearer(read))
        assert response.status_code == 403, url
        assert "chỉ được đọc" in response.json()["detail"]
    refused = AuditEntry.objects.filter(action=Action.REFUSED, data__reason="read_only_key")
    assert refused.count() == len(unsafe) and refused.first().actor_name == "canbo"
    response = client.post(f"/api/members/{member.pk}/national-id", **bearer(write))
    assert response.json() == {"national_id": "001090012345"}


def test_the_key_page_lets_the_user_choose_the_access(client, officer):
    client.force_login(officer)
    page = client.get(reverse("accounts:api_tokens")).content.decode()
    assert 'value="read"' in page and 'value="write"' in page and "Đọc và ghi" in page
    client.post(
        reverse("accounts:api_tokens"), {"action": "create", "name": "Ghi", "days": 30, "access": "write"}
    )
    client.post(
        reverse("accounts:api_tokens"), {"action": "create", "name": "Đọc", "days": 30, "access": "read"}
    )
    assert dict(ApiToken.objects.values_list("name", "access")) == {"Ghi": "write", "Đọc": "read"}
    page = client.get(reverse("accounts:api_tokens")).content.decode()
    assert "<td>Đọc và ghi</td>" in page and "<td>Chỉ đọc</td>" in page
    created = AuditEntry.objects.filter(action=Action.TOKEN_CREATED).order_by("seq")
    assert [row.data["access"] for row in created] == ["write", "read"]


def test_rate_limit_per_key(client, officer, settings):
    settings.DANGBO_API_RATE_PER_MINUTE = 3
    key = token_create(user=officer, name="a", days=1)[1]
    other = token_create(user=officer, name="b", days=1)[1]
    for _ in range(3):
        assert client.get("/api/orgs/", **bearer(key)).status_code == 200
    response = client.get("/api/orgs/", **bearer(key))
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60 and "quá nhiều lần" in response.json()["detail"]
    assert client.get("/api/orgs/", **bearer(other)).status_code == 200  # another key still works


def test_rate_limit_per_address(client, officer, settings):
    settings.DANGBO_API_ADDRESS_RATE_PER_MINUTE = 5
    keys = [token_create(user=officer, name=str(n), days=1)[1] for n in range(3)]
    assert client.get("/api/orgs/", **bearer("dbk_doan-bua")).status_code == 401  # guesses count too
    for n in range(4):
        assert client.get("/api/orgs/", **bearer(keys[n % 3])).status_code == 200
    assert client.get("/api/orgs/", **bearer(keys[2])).status_code == 429
    assert client.get("/api/orgs/", **bearer(keys[2], address="192.0.2.77")).status_code == 200


def _revoked_for_password(user) -> bool:
    tokens = ApiToken.objects.filter(user=user)
    rows = AuditEntry.objects.filter(action=Action.TOKEN_REVOKED, data__reason="password_changed")
    return all(t.revoked_at is not None for t in tokens) and rows.count() == tokens.count() > 0


def test_keys_are_revoked_when_the_user_changes_their_password(client, officer):
    key = token_create(user=officer, name="a", days=30, access=TokenAccess.WRITE)[1]
    token_create(user=officer, name="b", days=30)
    client.force_login(officer)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert _revoked_for_password(officer)
    assert type(client)().get("/api/orgs/", **bearer(key)).status_code == 401
    assert client.get(reverse("accounts:security")).status_code == 200  # this session stays


def test_keys_are_revoked_when_a_manager_resets_the_password(officer):
    token_create(user=officer, name="a", days=30)
    user_password_reset(actor=SYSTEM, user=officer)
    assert _revoked_for_password(officer)


def test_keys_are_revoked_by_the_command_line(officer, capsys):
    from dangbo.cli import main

    token_create(user=officer, name="a", days=30)
    assert main(["user", "password", "canbo"]) == 0
    assert "Mật khẩu mới" in capsys.readouterr().out
    assert _revoked_for_password(officer)


def test_keys_are_revoked_whatever_sets_the_password(officer):
    """Django's own paths (its ``changepassword`` command, the shell) call set_password + save."""
    token_create(user=officer, name="a", days=30)
    officer.set_password(NEW_PASSWORD)
    officer.save()
    assert _revoked_for_password(officer)


def test_a_member_is_not_offered_api_keys_on_the_security_page(client, officer, tree, make_member):
    client.force_login(officer)
    assert reverse("accounts:api_tokens") in client.get(reverse("accounts:security")).content.decode()
    member = User.objects.create_user("dangvien", password=PASSWORD)
    role_grant(user=member, role=AccessRole.MEMBER, member=make_member(tree.cell_a))
    client.force_login(member)
    page = client.get(reverse("accounts:security")).content.decode()
    assert reverse("password_change") in page and reverse("accounts:api_tokens") not in page
    assert "khóa API" not in page.split("<main", 1)[1]
