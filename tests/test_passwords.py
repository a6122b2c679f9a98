"""Password rules (issue 18, ASVS 5.0 6.2): Vietnamese common passwords are refused beside
Django's list, also with digits added or diacritics and spaces; at most 128 characters."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from dangbo.accounts.passwords import LIST_PATH, is_common

PASSWORD = "mat-khau-dai-du-1"


@pytest.mark.parametrize(
    "password",
    [
        "matkhau123",
        "Mật khẩu 2024",
        "dangcongsan",
        "Đảng Cộng sản Việt Nam",
        "vietnam123456",
        "hochiminh1890",
        "Anh yêu em!!",
        "iloveyou2024",
        "quantri@123456",
        "thanhhoa1975",
        "1975hanoi",
        "nguyenvananh88",
        "0123456789",
        "02091945",
    ],
)
def test_vietnamese_common_passwords_are_refused(password):
    assert is_common(password)
    with pytest.raises(ValidationError) as refused:
        validate_password(password)
    assert any("phổ biến" in m for m in refused.value.messages)


def test_a_long_passphrase_is_accepted():
    assert not is_common("mùa xuân năm ấy trên đồi chè")
    validate_password("mùa xuân năm ấy trên đồi chè")
    validate_password("k7mq-x2pd-9hte")  # the shape of a generated password


def test_the_list_is_a_few_hundred_folded_entries_and_says_where_it_comes_from():
    lines = LIST_PATH.read_text(encoding="utf-8").splitlines()
    entries = [line for line in lines if line and not line.startswith("#")]
    assert len(entries) >= 300
    assert all(e == e.lower() and e.isascii() and e.isalnum() for e in entries)
    assert any("Compiled by hand" in line for line in lines if line.startswith("#"))


def test_maximum_length():
    validate_password("x7#" * 42 + "ab")  # 128 characters
    with pytest.raises(ValidationError) as refused:
        validate_password("x7#" * 43)  # 129
    assert "dài quá 128 ký tự" in " ".join(refused.value.messages)


def test_the_password_change_page_says_why(client, db):
    user = User.objects.create_user("canbo", password=PASSWORD)
    client.force_login(user)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "vietnam1975", "new_password2": "vietnam1975"},
    )
    assert response.status_code == 200 and "quá phổ biến" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
