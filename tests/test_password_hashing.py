"""Password hashing cannot starve page requests (issue 24): at most DANGBO_HASH_CONCURRENCY
hashes at once; a sign-in that cannot get a slot in time is answered 503 with Retry-After and a
Vietnamese message, not 500; pages that do not hash are not held up."""

from __future__ import annotations

import json
import threading
import time

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher, check_password, identify_hasher, make_password
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from dangbo.accounts.hashers import HashingBusy, HashingGate, hashing_gate
from dangbo.audit.models import AuditEntry

PASSWORD = "mat-khau-dai-du-1"


@pytest.fixture
def one_slot(settings):
    settings.DANGBO_HASH_CONCURRENCY = 1
    settings.DANGBO_HASH_WAIT_SECONDS = 0.3
    return hashing_gate()


@pytest.fixture
def slow_hasher(monkeypatch):
    """``slow_hasher()`` replaces Argon2's own work by a wait for ``release`` from then on (the gate
    around it is the real one); returns (started, release)."""
    started, release = threading.Event(), threading.Event()
    encode = Argon2PasswordHasher.encode

    def slow(self, password, salt):
        started.set()
        assert release.wait(10)
        return encode(self, password, salt)

    def install() -> tuple[threading.Event, threading.Event]:
        monkeypatch.setattr(Argon2PasswordHasher, "encode", slow)
        return started, release

    yield install
    release.set()


def in_thread(target) -> tuple[threading.Thread, list]:
    outcome: list = []

    def run():
        try:
            outcome.append(target())
        except BaseException as error:  # reported to the test
            outcome.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def test_passwords_are_argon2id_with_the_measured_parameters(db):
    encoded = make_password(PASSWORD)
    hasher = identify_hasher(encoded)
    assert encoded.startswith("argon2$argon2id$v=19$m=47104,t=2,p=1$")
    assert type(hasher).__name__ == "BoundedArgon2PasswordHasher"
    assert check_password(PASSWORD, encoded)


def test_a_hash_made_with_the_old_parameters_still_signs_in_and_is_remade(db):
    user = User.objects.create_user("canbo")
    user.password = Argon2PasswordHasher().encode(PASSWORD, Argon2PasswordHasher().salt())  # m=102400
    user.save()
    assert Client().post(reverse("login"), {"username": "canbo", "password": PASSWORD}).status_code == 302
    user.refresh_from_db()
    assert "m=47104,t=2,p=1" in user.password


def test_a_second_hash_waits_for_the_slot(one_slot, settings, slow_hasher):
    settings.DANGBO_HASH_WAIT_SECONDS = 5
    started, release = slow_hasher()
    first, first_out = in_thread(lambda: make_password("mot"))
    assert started.wait(5)
    second, second_out = in_thread(lambda: make_password("hai"))
    time.sleep(0.2)
    assert not second_out and hashing_gate().waiting == 1  # waiting for the slot
    release.set()
    first.join(10)
    second.join(10)
    assert all(isinstance(out, str) and out.startswith("argon2$") for out in first_out + second_out)


def test_a_sign_in_that_cannot_get_a_slot_is_answered_503(db, one_slot, slow_hasher):
    User.objects.create_user("canbo", password=PASSWORD)  # hashed before the slot is taken
    started, release = slow_hasher()
    holder, _ = in_thread(lambda: make_password("dang-bam"))
    assert started.wait(5)
    try:
        began = time.monotonic()
        response = Client().post(reverse("login"), {"username": "canbo", "password": PASSWORD})
        waited = time.monotonic() - began
        assert response.status_code == 503
        assert response["Retry-After"].isdigit()
        page = response.content.decode()
        assert "Hệ thống đang bận, vui lòng thử lại sau ít giây." in page
        assert 0.25 <= waited < 5  # waited its bounded time, then answered
        assert not AuditEntry.objects.filter(action="sign_in_failed").exists()  # not a wrong password
    finally:
        release.set()
        holder.join(10)
    response = Client().post(reverse("login"), {"username": "canbo", "password": PASSWORD})
    assert response.status_code == 302  # the slot is free again


def test_pages_are_not_held_up_while_hashing_is_saturated(db, one_slot, slow_hasher):
    user = User.objects.create_user("canbo", password=PASSWORD)
    browser = Client()
    browser.force_login(user)
    started, release = slow_hasher()
    holder, _ = in_thread(lambda: make_password("dang-bam"))
    assert started.wait(5)
    try:
        for _ in range(3):
            assert browser.get(reverse("accounts:security")).status_code == 200
        assert holder.is_alive() and hashing_gate().waiting == 0  # served while the slot is held
    finally:
        release.set()
        holder.join(10)


def test_only_a_few_may_wait_the_rest_are_told_at_once():
    gate = HashingGate(slots=1, max_waiting=2, timeout=5)
    release = threading.Event()

    def hold():
        with gate.held():
            release.wait(10)

    threads = [in_thread(hold)[0] for _ in range(3)]  # one holds, two wait
    deadline = time.monotonic() + 5
    while gate.waiting < 2:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    began = time.monotonic()
    with pytest.raises(HashingBusy), gate.held():
        pass
    assert time.monotonic() - began < 0.5  # not after the 5 s wait
    release.set()
    for thread in threads:
        thread.join(10)
    with gate.held():  # free again
        assert gate.waiting == 0


def test_the_api_answers_json_when_hashing_is_saturated(db, rf):
    from dangbo.accounts.middleware import HashingBusyMiddleware

    response = HashingBusyMiddleware(lambda r: None).process_exception(rf.get("/api/orgs/"), HashingBusy())
    assert response.status_code == 503 and response["Retry-After"]
    assert "Hệ thống đang bận" in json.loads(response.content)["detail"]
