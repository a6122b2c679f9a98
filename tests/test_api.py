"""The REST API: token and session authentication, scope and audit as on the pages, and a
schemathesis run over the OpenAPI description that finds no server error."""

from __future__ import annotations

from datetime import timedelta

import pytest
import schemathesis
from django.contrib.auth.models import User
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from dangbo.accounts.models import AccessRole, ApiToken, TokenAccess
from dangbo.accounts.services import role_grant
from dangbo.accounts.tokens import token_create, token_revoke
from dangbo.audit.models import AuditEntry
from dangbo.audit.services import Action
from dangbo.core import clock


@pytest.fixture
def officer(tree):
    user = User.objects.create_user("canbo", password="mat-khau-dai-du-1")
    role_grant(user=user, role=AccessRole.OFFICER, org=tree.commune)
    return user


@pytest.fixture
def key(officer):
    return token_create(user=officer, name="báo cáo", days=30)[1]


@pytest.fixture
def write_key(officer):
    """A read-write key: what a program that changes data (or reveals a national ID) needs."""
    return token_create(user=officer, name="ghi", days=30, access=TokenAccess.WRITE)[1]


def bearer(key):
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def test_token_is_stored_hashed_and_works(client, tree, officer, key, make_member):
    member = make_member(tree.cell_a, given_name="Tìmthấy")
    token = ApiToken.objects.get(user=officer)
    assert key not in (token.key_hash, token.prefix) and key.startswith(token.prefix)
    response = client.get("/api/members/", {"q": "timthay"}, **bearer(key))
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1 and body["items"][0]["id"] == str(member.pk)
    entry = AuditEntry.objects.filter(action=Action.SEARCHED).order_by("-seq").first()
    assert entry.actor_name == "canbo" and entry.data["rows"] == 1


def test_no_or_bad_or_expired_or_revoked_token_is_refused(client, tree, officer, key):
    assert client.get("/api/orgs/").status_code == 401
    assert client.get("/api/orgs/", **bearer("dbk_sai")).status_code == 401
    token = ApiToken.objects.get(user=officer)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=clock.now() - timedelta(seconds=1))
    assert client.get("/api/orgs/", **bearer(key)).status_code == 401
    ApiToken.objects.filter(pk=token.pk).update(expires_at=clock.now() + timedelta(days=1))
    assert client.get("/api/orgs/", **bearer(key)).status_code == 200
    token_revoke(token=token)
    assert client.get("/api/orgs/", **bearer(key)).status_code == 401


def test_session_authentication_for_the_browser(client, tree, officer):
    client.force_login(officer)
    roots = client.get("/api/orgs/").json()
    assert [node["org"]["code"] for node in roots] == ["X1"]


def test_scope_applies_to_the_api(client, tree, officer, key, make_member):
    outside = make_member(tree.agency)
    assert client.get(f"/api/members/{outside.pk}", **bearer(key)).status_code == 404
    assert client.get(f"/api/orgs/{tree.district.pk}", **bearer(key)).status_code == 404
    assert client.get("/api/members/", {"org": str(tree.agency.pk)}, **bearer(key)).status_code == 422
    assert AuditEntry.objects.filter(action=Action.REFUSED, subject_id=str(outside.pk)).exists()


def test_profile_history_and_audited_reveal(client, tree, officer, key, write_key, make_member):
    from datetime import date

    member = make_member(tree.cell_a, national_id="001090012345", birth_date=date(1990, 5, 17))
    profile = client.get(f"/api/members/{member.pk}", **bearer(key)).json()
    assert profile["national_id_masked"].endswith("345") and "001090012345" not in str(profile)
    history = client.get(f"/api/members/{member.pk}/history", **bearer(key)).json()
    assert [e["kind"] for e in history] == ["admitted", "recognized"]
    revealed = client.post(f"/api/members/{member.pk}/national-id", **bearer(write_key)).json()
    assert revealed == {"national_id": "001090012345"}
    assert AuditEntry.objects.filter(action=Action.NATIONAL_ID_REVEALED, subject_id=str(member.pk)).exists()


def test_bad_filters_get_vietnamese_errors(client, tree, officer, key):
    body = client.get("/api/members/", {"age_min": 70, "age_max": 20}, **bearer(key)).json()
    assert "phải lớn hơn hoặc bằng" in body["errors"]["age_max"][0]


def test_openapi_31_and_local_docs(client, db):
    assert client.get("/api/openapi.json").json()["openapi"].startswith("3.1")
    docs = client.get("/api/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in docs and "cdn" not in docs.lower()


def test_token_page_shows_the_key_once_and_revokes(client, tree, officer):
    client.force_login(officer)
    html = client.post("/khoa-api/", {"action": "create", "name": "Tổng hợp", "days": 30}).content.decode()
    token = ApiToken.objects.get(user=officer)
    assert "chỉ hiện một lần" in html and f'<code class="key">{token.prefix}' in html
    assert token.prefix + "…" in client.get("/khoa-api/").content.decode()
    assert '<code class="key">' not in client.get("/khoa-api/").content.decode()
    ApiToken.objects.filter(pk=token.pk).update(expires_at=clock.now() - timedelta(seconds=1))
    assert "đã hết hạn" in client.get("/khoa-api/").content.decode()
    client.post("/khoa-api/", {"action": "revoke", "token": str(token.pk)})
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert client.post("/khoa-api/", {"action": "create", "name": "x", "days": 999}).status_code == 200
    assert ApiToken.objects.filter(user=officer).count() == 1  # 999 days refused


@pytest.fixture
def api_schema(db, tree, make_member):
    make_member(tree.cell_a)
    make_member(tree.agency)
    # As Django's own test client does: a request must not close the test's connection (on
    # PostgreSQL that would end the transaction the test runs in).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_error_anywhere_in_the_api(case, tree):
    user = User.objects.get_or_create(username="schemathesis")[0]
    if not user.role_assignments.exists():
        role_grant(user=user, role=AccessRole.OFFICER, org=tree.district)
    key = (
        getattr(user, "_key", None)
        or token_create(user=user, name="schemathesis", days=1, access=TokenAccess.WRITE)[1]
    )
    user._key = key
    case.call_and_validate(headers={"Authorization": f"Bearer {key}"}, checks=[not_a_server_error])
