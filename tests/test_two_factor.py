"""Two-step verification (issue 18, ASVS 5.0 6.3.3, 6.5, 6.6): required of administrators,
officers, leaders and secretaries in the production configuration, optional for members;
enrolment on the first sign-in, a code after the password, one-use recovery codes kept hashed,
throttled wrong codes, the API's sessions held to the same rule, and a manager's audited reset."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from dangbo.accounts.models import AccessRole, RecoveryCode, RecoveryCodes
from dangbo.accounts.services import role_grant, user_create, user_create_superuser
from dangbo.accounts.twofactor import PENDING_SECRET
from dangbo.audit.models import AuditEntry
from dangbo.audit.services import Action
from dangbo.core import clock
from urlwalk import _expand, routes

PASSWORD = "mat-khau-dai-du-1"
NEW_PASSWORD = "mot-cau-rat-dai-de-nho-7"


@pytest.fixture(autouse=True)
def required(settings):
    """The production default (DANGBO_REQUIRE_2FA on), which tests/conftest.py turns off."""
    settings.DANGBO_REQUIRE_2FA = True


def make_user(username, role, org=None, member=None):
    user = User.objects.create_user(username, password=PASSWORD)
    role_grant(user=user, role=role, org=org, member=member)
    return user


def code_of(device) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):0{device.digits}d}"


def sign_in(client, username, password=PASSWORD, **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def later(time_machine, seconds=60):
    """The next time step of the app's codes (a code is used only once)."""
    time_machine.move_to(clock.now() + timedelta(seconds=seconds), tick=False)


def enrol(client) -> tuple[TOTPDevice, list[str]]:
    """Enrol the signed-in user through the page; returns their device and recovery codes."""
    page = client.get(reverse("accounts:enrol"))
    assert page.status_code == 200
    pending = TOTPDevice(key=client.session[PENDING_SECRET])
    response = client.post(reverse("accounts:enrol"), {"code": code_of(pending)})
    assert response.status_code == 200, response.content.decode()
    codes = re.findall(
        r'<code class="key">([a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4})</code>', response.content.decode()
    )
    return TOTPDevice.objects.get(user__username=response.wsgi_request.user.username), codes


def test_production_default_requires_two_factor(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DANGBO_REQUIRE_2FA"}
    env["DANGBO_VAR_DIR"] = str(tmp_path)
    out = subprocess.run(
        [sys.executable, "-c", "from dangbo import settings; print(settings.DANGBO_REQUIRE_2FA)"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "True"


def _every_url() -> list[str]:
    urls = ["/quan-tri/", "/quan-tri/axes/accessattempt/"]
    for route in routes():
        url = "/" + re.sub(r"<uuid:\w+>", str(uuid.uuid4()), re.sub(r"<int:\w+>", "1", route))
        urls += _expand(url)
    return urls


@pytest.mark.parametrize("role", ["admin", "officer", "leader", "secretary", "device"])
def test_a_password_alone_reaches_no_page(client, tree, role):
    """Signed in with the right password only, every page and endpoint sends the user to the
    code page (or enrolment), and the API refuses the session."""
    if role == "admin":
        user = user_create_superuser(username="quantri", password=PASSWORD)
    elif role == "device":  # a member who enrolled: the code is asked of them too
        user = User.objects.create_user("dangvien", password=PASSWORD)
        TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    else:
        org = tree.cell_a if role == "secretary" else tree.commune
        user = make_user("nguoidung", role, org=org)
    assert sign_in(client, user.username).status_code == 302
    expected = reverse("accounts:second_factor" if role == "device" else "accounts:enrol")
    open_pages = {
        reverse("login"),
        reverse("logout"),
        reverse("accounts:second_factor"),
        reverse("accounts:enrol"),
        "/healthz",
        "/api/openapi.json",  # the API's description and its documentation page, public as for
        "/api/docs",  # a visitor who is not signed in: they hold no data
    }
    checked = 0
    for url in _every_url():
        path = url.split("?")[0]
        if path in open_pages:
            continue
        response = client.get(url)
        if path.startswith("/api/"):
            assert response.status_code in (401, 404, 405), url  # no endpoint answers the session
            continue
        assert response.status_code == 302, url
        assert response["Location"].startswith(expected), url
        checked += 1
    assert checked > 50
    # a change is refused as well: nothing is created through a POST
    response = client.post(
        reverse("accounts:create"), {"username": "moi", "full_name": "Mới", "role": "member"}
    )
    assert response.status_code == 302 and not User.objects.filter(username="moi").exists()
    assert client.get("/api/orgs/").status_code == 401


def test_first_sign_in_changes_password_then_enrols(client, tree):
    """A new officer: the forced password change first, then enrolment (QR code, secret, a
    one-time-code field), then the recovery codes once; then every page opens."""
    user, initial = user_create(
        actor=_system(), username="canbo", full_name="Cán bộ", role=AccessRole.OFFICER, org=tree.commune
    )
    sign_in(client, "canbo", initial)
    assert client.get("/").url == reverse("password_change")
    response = client.post(
        reverse("password_change"),
        {"old_password": initial, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert client.get("/").url.startswith(reverse("accounts:enrol"))
    page = client.get(reverse("accounts:enrol")).content.decode()
    assert (
        "<svg" in page and 'autocomplete="one-time-code"' in page and "<script" not in page.split("<main")[1]
    )
    secret = client.session[PENDING_SECRET]
    assert not TOTPDevice.objects.filter(user=user).exists()  # opening the page writes nothing
    wrong = client.post(reverse("accounts:enrol"), {"code": "000000"})
    assert wrong.status_code == 400 and "Mã không đúng" in wrong.content.decode()
    pending = TOTPDevice(key=secret)
    done = client.post(reverse("accounts:enrol"), {"code": code_of(pending)})
    html = done.content.decode()
    codes = re.findall(r'<code class="key">([a-z2-9-]{14})</code>', html)
    assert len(codes) == 10 and "chỉ hiện một lần" in html
    assert client.get("/").status_code == 200
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    assert device.key == secret
    # the recovery codes are kept only as salted hashes
    stored = list(RecoveryCode.objects.filter(device__user=user).values_list("lookup", "code_hash"))
    assert len(stored) == 10
    for code in codes:
        plain = code.replace("-", "")
        assert all(plain[4:] not in h and code not in h for _, h in stored)
        assert plain[:4] in {lookup for lookup, _ in stored}
    assert all(h.startswith("argon2") for _, h in stored)
    actions = list(AuditEntry.objects.filter(subject_id=str(user.pk)).values_list("action", flat=True))
    assert Action.SECOND_FACTOR_FAILED in actions and Action.SECOND_FACTOR_ENROLLED in actions


def _system():
    from dangbo.accounts.scope import SYSTEM

    return SYSTEM


def test_code_after_the_password_then_recovery_codes_once(client, tree, time_machine):
    user = make_user("canbo", AccessRole.OFFICER, org=tree.commune)
    sign_in(client, "canbo")
    device, codes = enrol(client)
    client.post(reverse("logout"))
    later(time_machine)

    response = sign_in(client, "canbo")
    assert client.get(response.url).url.startswith(reverse("accounts:second_factor"))
    page = client.get(reverse("accounts:second_factor")).content.decode()
    assert 'autocomplete="one-time-code"' in page
    before = client.session.session_key
    assert client.post(reverse("accounts:second_factor"), {"code": code_of(device)}).status_code == 302
    assert client.session.session_key != before  # a new session key once fully signed in
    assert client.get("/").status_code == 200

    client.post(reverse("logout"))
    sign_in(client, "canbo")
    assert client.post(reverse("accounts:second_factor"), {"code": codes[0].upper()}).status_code == 302
    assert client.get("/").status_code == 200
    used = (
        AuditEntry.objects.filter(action=Action.SECOND_FACTOR_VERIFIED, subject_id=str(user.pk))
        .order_by("seq")
        .last()
    )
    assert used.data == {"method": "recovery", "recovery_codes_left": 9}
    client.post(reverse("logout"))
    later(time_machine)
    sign_in(client, "canbo")
    again = client.post(reverse("accounts:second_factor"), {"code": codes[0]})
    assert again.status_code == 400  # each recovery code works once
    assert client.get("/").status_code == 302


def test_wrong_codes_slow_the_next_attempt(client, tree, time_machine):
    """django-otp's throttling: after a wrong code the next is not even checked for a while."""
    user = make_user("canbo", AccessRole.OFFICER, org=tree.commune)
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    time_machine.move_to(clock.now(), tick=False)
    sign_in(client, "canbo")
    for _ in range(3):
        client.post(reverse("accounts:second_factor"), {"code": "123456"})
    refused = client.post(reverse("accounts:second_factor"), {"code": code_of(device)})
    assert refused.status_code == 400 and "xin đợi" in refused.content.decode()
    assert AuditEntry.objects.filter(action=Action.SECOND_FACTOR_FAILED, subject_id=str(user.pk)).count() == 4
    later(time_machine, 10)
    assert client.post(reverse("accounts:second_factor"), {"code": code_of(device)}).status_code == 302


def test_members_may_enrol_and_turn_it_off(client, populated, time_machine):
    from dangbo.members.models import Member

    member = Member.objects.filter(org=populated.cell_a).first()
    make_user("dangvien", AccessRole.MEMBER, member=member)
    sign_in(client, "dangvien")
    assert client.get("/").status_code == 200  # optional for a member: their overview, not the code
    assert "Bật xác thực hai bước" in client.get(reverse("accounts:security")).content.decode()
    device, _ = enrol(client)
    page = client.get(reverse("accounts:security")).content.decode()
    assert "Còn <strong>10</strong> mã khôi phục" in page
    client.post(reverse("logout"))
    later(time_machine)
    sign_in(client, "dangvien")
    assert client.get("/").url.startswith(reverse("accounts:second_factor"))  # now the code is asked
    client.post(reverse("accounts:second_factor"), {"code": code_of(device)})
    response = client.post(reverse("accounts:security"), {"action": "disable", "confirm": "on"})
    assert response.status_code == 302 and not TOTPDevice.objects.filter(user__username="dangvien").exists()
    assert AuditEntry.objects.filter(action=Action.SECOND_FACTOR_DISABLED).exists()


def test_a_required_user_cannot_turn_it_off(client, tree):
    make_user("canbo", AccessRole.OFFICER, org=tree.commune)
    sign_in(client, "canbo")
    enrol(client)
    response = client.post(reverse("accounts:security"), {"action": "disable", "confirm": "on"}, follow=True)
    assert "bắt buộc xác thực hai bước" in response.content.decode()
    assert TOTPDevice.objects.filter(user__username="canbo").exists()


def test_the_api_holds_a_session_to_the_second_factor(client, tree, time_machine):
    user = make_user("canbo", AccessRole.OFFICER, org=tree.commune)
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    sign_in(client, "canbo")
    assert client.get("/api/orgs/").status_code == 401
    client.post(reverse("accounts:second_factor"), {"code": code_of(device)})
    assert client.get("/api/orgs/").status_code == 200


def test_an_administrator_resets_a_lost_second_factor(client, tree, settings, time_machine):
    officer = make_user("canbo", AccessRole.OFFICER, org=tree.commune)
    device = TOTPDevice.objects.create(user=officer, name="app", confirmed=True)
    RecoveryCodes.objects.create(user=officer, name="codes", confirmed=True)
    officer_client = type(client)()
    sign_in(officer_client, "canbo")
    officer_client.post(reverse("accounts:second_factor"), {"code": code_of(device)})
    assert officer_client.get("/").status_code == 200

    settings.DANGBO_REQUIRE_2FA = False  # the administrator's own sign-in is not under test here
    admin = user_create_superuser(username="quantri", password=PASSWORD)
    client.force_login(admin)
    page = client.get(reverse("accounts:account", args=[officer.pk])).content.decode()
    assert "Đặt lại xác thực hai bước" in page and "đã bật" in page
    url = reverse("accounts:second_factor_reset", args=[officer.pk])
    assert client.post(url, {}).status_code == 400  # the confirmation box is required
    assert client.post(url, {"confirm": "on"}).status_code == 302
    assert not TOTPDevice.objects.filter(user=officer).exists()
    assert not RecoveryCodes.objects.filter(user=officer).exists()
    row = AuditEntry.objects.get(action=Action.SECOND_FACTOR_RESET)
    assert row.subject_id == str(officer.pk) and row.actor_name == "quantri"

    settings.DANGBO_REQUIRE_2FA = True
    # the officer's open session must enrol again at once
    assert officer_client.get("/").url.startswith(reverse("accounts:enrol"))


def test_who_may_reset_a_second_factor(client, tree):
    """Those who may reset the account's password: an officer for accounts inside their
    subtree, never outside it, never an administrator's, never their own."""
    from dangbo.accounts.scope import scope_for
    from dangbo.accounts.services import AccessError
    from dangbo.accounts.twofactor import second_factor_reset

    officer = make_user("canbo", AccessRole.OFFICER, org=tree.district)
    inside = make_user("bithu", AccessRole.SECRETARY, org=tree.cell_a)
    outside = make_user("khac", AccessRole.OFFICER, org=tree.district2)
    admin = user_create_superuser(username="quantri", password=PASSWORD)
    for user in (inside, outside, admin, officer):
        TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    actor = scope_for(officer)
    second_factor_reset(actor=actor, user=inside)
    for user in (outside, admin, officer):
        with pytest.raises(AccessError):
            second_factor_reset(actor=actor, user=user)
    assert list(TOTPDevice.objects.values_list("user__username", flat=True).order_by("user__username")) == [
        "canbo",
        "khac",
        "quantri",
    ]
    # a secretary manages no accounts: the page is refused
    client.force_login(inside)
    assert client.get(reverse("accounts:second_factor_reset", args=[outside.pk])).status_code in (302, 403)


def test_the_command_line_resets_a_second_factor(tree, capsys):
    from dangbo.cli import main

    user = user_create_superuser(username="quantri", password=PASSWORD)
    TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    assert main(["user", "reset-2fa", "quantri"]) == 0
    assert "Đã đặt lại xác thực hai bước" in capsys.readouterr().out
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert AuditEntry.objects.filter(action=Action.SECOND_FACTOR_RESET, subject_id=str(user.pk)).exists()
