"""Password rules beside Django's (settings.AUTH_PASSWORD_VALIDATORS), with Vietnamese messages:

- ``VietnameseCommonPasswordValidator``: the passwords guessed first against Vietnamese users
  (``common_passwords_vi.txt``, its header says where the entries come from), compared folded
  (no case, no diacritics, no spaces or symbols) and also with digits before or after them;
- ``MaximumLengthValidator``: at most 128 characters (ASVS 5.0 6.2.9 asks that 64 be allowed);
- ``RevokeApiKeysOnChange``: not a rule but Django's hook called after every change of a
  password, by whatever path (the user's own page, an administrator's reset, the command line,
  Django's ``changepassword``): the user's API keys are revoked, audited.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from django.core.exceptions import ValidationError

from dangbo.accounts.tokens import tokens_revoke_all
from dangbo.core.text import fold

LIST_PATH = Path(__file__).resolve().parent / "common_passwords_vi.txt"
_DIGITS = "0123456789"


@cache
def _common() -> frozenset[str]:
    with LIST_PATH.open(encoding="utf-8") as lines:
        return frozenset(s for line in lines if (s := line.strip()) and not s.startswith("#"))


def _folded(password: str) -> str:
    return "".join(ch for ch in fold(password) if ch.isalnum())


def is_common(password: str) -> bool:
    folded = _folded(password)
    if not folded:
        return False
    common = _common()
    core = folded.strip(_DIGITS)
    return folded in common or (len(core) >= 2 and core in common)


class VietnameseCommonPasswordValidator:
    def validate(self, password: str, user=None) -> None:
        if is_common(password):
            raise ValidationError(
                "Mật khẩu này quá phổ biến (có trong danh sách mật khẩu hay bị đoán của người Việt); "
                "hãy chọn mật khẩu khác.",
                code="password_too_common_vi",
            )

    def get_help_text(self) -> str:
        return "Mật khẩu không được là từ, tên hay cụm từ quen thuộc (kể cả khi thêm chữ số)."


class MaximumLengthValidator:
    def __init__(self, max_length: int = 128):
        self.max_length = max_length

    def validate(self, password: str, user=None) -> None:
        if len(password) > self.max_length:
            raise ValidationError(f"Mật khẩu dài quá {self.max_length} ký tự.", code="password_too_long")

    def get_help_text(self) -> str:
        return f"Mật khẩu dài tối đa {self.max_length} ký tự."


class RevokeApiKeysOnChange:
    """Accepts every password; revokes the user's API keys when their password changes."""

    def validate(self, password: str, user=None) -> None:
        return None

    def password_changed(self, password: str, user=None) -> None:
        if user is not None and user.pk is not None:
            tokens_revoke_all(user=user, reason="password_changed")

    def get_help_text(self) -> str:
        return "Khi đổi mật khẩu, mọi khóa API của tài khoản bị thu hồi."
