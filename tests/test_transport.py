"""Transport and headers (issue 18, ASVS 3.4, 12.2, 14.3): `dangbo serve` behind a TLS proxy
(the real client's address in the audit trail, no redirect loop, the headers believed only
from the trusted proxy); every answer's Content-Security-Policy, Permissions-Policy and
Cache-Control; the deployment checks."""

from __future__ import annotations

import http.client
import threading

import pytest
import waitress
from django.contrib.auth.models import User
from django.core.checks import run_checks
from django.core.handlers.wsgi import WSGIHandler
from django.db import connections

from dangbo import server
from dangbo.accounts.models import AccessRole
from dangbo.accounts.services import role_grant
from dangbo.accounts.tokens import token_create
from dangbo.audit.models import AuditEntry
from dangbo.audit.services import Action

CLIENT = "203.0.113.7"
PROXIED = {"X-Forwarded-For": CLIENT, "X-Forwarded-Proto": "https"}


@pytest.fixture
def token(transactional_db, tree):
    user = User.objects.create_user("canbo", password="mat-khau-dai-du-1")
    role_grant(user=user, role=AccessRole.OFFICER, org=tree.commune)
    return token_create(user=user, name="proxy", days=1)[1]


class Running:
    """waitress on a free port of 127.0.0.1 with the options `dangbo serve` gives it."""

    def __init__(self, settings, trusted_proxy: str, ssl_redirect: bool):
        settings.DANGBO_TRUSTED_PROXY = trusted_proxy
        settings.SECURE_SSL_REDIRECT = ssl_redirect
        settings.SECURE_PROXY_SSL_HEADER = None  # what DANGBO_HTTPS=1 leaves with a trusted proxy
        options = server.waitress_options("127.0.0.1", 0, threads=2)
        self.handler = WSGIHandler()  # its middleware from the settings above
        self.server = waitress.create_server(self._app, **options)
        self.port = self.server.effective_port
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _app(self, environ, start_response):
        """The application, closing its thread's database connection after each request (the
        test database is dropped at the end; a server thread must not hold it open)."""
        response = self.handler(environ, start_response)
        try:
            return list(response)
        finally:
            response.close()
            connections.close_all()

    def _run(self):
        """waitress's loop, a turn at a time, so the server stops and closes in its own thread."""
        while not self.stopping.is_set():
            self.server.asyncore.loop(timeout=0.05, map=self.server._map, count=1)
        self.server.close()

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        self.thread.join(10)

    def get(self, path: str, headers: dict) -> http.client.HTTPResponse:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=20)
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
        connection.close()
        return response


def _last_search() -> AuditEntry:
    return AuditEntry.objects.filter(action=Action.SEARCHED).order_by("-seq").first()


def test_behind_the_trusted_proxy_the_client_address_is_audited_without_a_redirect_loop(settings, token):
    auth = {"Authorization": f"Bearer {token}"}
    with Running(settings, trusted_proxy="127.0.0.1", ssl_redirect=True) as running:
        response = running.get("/api/members/?q=a", {**auth, **PROXIED})
        assert response.status == 200  # the proxy says https: no redirect
        assert _last_search().ip == CLIENT
        plain = running.get(
            "/api/members/?q=a", {**auth, "X-Forwarded-For": CLIENT, "X-Forwarded-Proto": "http"}
        )
        assert plain.status == 301 and plain.getheader("Location").startswith("https://")
        # the redirected request comes back through the proxy as https and is served
        assert running.get("/api/members/?q=a", {**auth, **PROXIED}).status == 200


def test_the_headers_of_anyone_else_are_ignored(settings, token):
    auth = {"Authorization": f"Bearer {token}"}
    with Running(settings, trusted_proxy="10.9.9.9", ssl_redirect=False) as running:
        assert running.get("/api/members/?q=a", {**auth, **PROXIED}).status == 200
        assert _last_search().ip == "127.0.0.1"  # not the address the client claimed
    with Running(settings, trusted_proxy="10.9.9.9", ssl_redirect=True) as running:
        assert running.get("/api/members/?q=a", {**auth, **PROXIED}).status == 301  # "https" not believed


def test_serve_hands_waitress_the_proxy_settings(settings, monkeypatch):
    settings.DANGBO_TRUSTED_PROXY = "127.0.0.1"
    seen = {}
    monkeypatch.setattr(waitress, "serve", lambda app, **options: seen.update(options))
    server.serve("127.0.0.1", 8123)
    assert seen["trusted_proxy"] == "127.0.0.1" and seen["clear_untrusted_proxy_headers"] is True
    assert seen["trusted_proxy_headers"] == {"x-forwarded-for", "x-forwarded-proto"}
    settings.DANGBO_TRUSTED_PROXY = ""
    assert "trusted_proxy" not in server.waitress_options("127.0.0.1", 8000)


# --- headers on every answer -----------------------------------------------------------------


def test_pages_exports_and_api_answers_are_not_stored_and_carry_the_policies(client, tree, admin_user, token):
    client.force_login(admin_user)
    answers = {
        "page": client.get(f"/to-chuc/{tree.cell_a.pk}/"),
        "export": client.get("/dang-vien/xuat/", {"dinh-dang": "csv"}),
        "audit export": client.get("/nhat-ky/xuat/"),
        "api": client.get("/api/orgs/", HTTP_AUTHORIZATION=f"Bearer {token}"),
        "sign-in page": client.get("/dang-nhap/"),
    }
    for name, response in answers.items():
        assert response.status_code == 200, name
        assert response["Cache-Control"] == "no-store", name
        csp = response["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp, name
        assert (
            "camera=()" in response["Permissions-Policy"]
            and "geolocation=()" in response["Permissions-Policy"]
        )
        assert response["Referrer-Policy"] == "same-origin", name


def test_static_files_stay_cacheable(client, db):
    response = client.get("/static/dangbo/site.css")
    assert response.status_code == 200 and response.get("Cache-Control", "") != "no-store"


def test_no_template_has_inline_script_or_style():
    """Every script is a static file: no <script> with a body, no on…= handler, no style=."""
    import re
    from pathlib import Path

    import dangbo

    found = []
    for template in Path(dangbo.__file__).parent.rglob("templates/**/*.html"):
        text = template.read_text()
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text) or re.search(r"\son[a-z]+=", text):
            found.append(str(template))
        if re.search(r"\sstyle=", text) or "<style" in text:
            found.append(str(template))
    assert not found


# --- the deployment checks -------------------------------------------------------------------


def _ids(**overrides) -> set[str]:
    return {
        message.id
        for message in run_checks(include_deployment_checks=True)
        if message.id.startswith("dangbo")
    }


def test_deployment_checks_name_an_untrusted_proxy_and_a_key_beside_the_data(settings, tmp_path):
    settings.SECURE_SSL_REDIRECT = True
    settings.DANGBO_TRUSTED_PROXY = ""
    settings.DANGBO_BEHIND_PROXY = True
    settings.DANGBO_AUDIT_KEY = ""
    settings.DANGBO_AUDIT_KEY_FILE = settings.VAR_DIR / "audit_key"
    assert {"dangbo.W001", "dangbo.W002", "dangbo.W003"} <= _ids()
    settings.DANGBO_TRUSTED_PROXY = "127.0.0.1"
    settings.DANGBO_BEHIND_PROXY = False
    settings.DANGBO_AUDIT_KEY_FILE = tmp_path / "audit_key"
    assert not _ids()
