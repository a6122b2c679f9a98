"""Recovery codes (mã khôi phục): how they look, and how one is checked against its hash.

A code is 12 characters from an alphabet without look-alikes (no 0/o, 1/l/i), printed in
three groups of four (``k7mq-x2pd-9hte``). The first group finds the row; the other eight
characters (about 40 bits) are checked against a salted hash made by Django's password hasher
(Argon2 in dangbo), so the database never holds a usable code."""

from __future__ import annotations

import secrets

from django.contrib.auth.hashers import check_password, make_password

ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
LENGTH = 12
COUNT = 10


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalise(text: str) -> str:
    """What the user typed, without spaces or dashes, in lower case; '' when it cannot be a code."""
    code = "".join(ch for ch in text.lower() if ch not in " -\t")
    return code if len(code) == LENGTH and set(code) <= set(ALPHABET) else ""


def grouped(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, LENGTH, 4))


def code_hash(code: str) -> str:
    return make_password(code[4:])


def code_matches(code: str, hashed: str) -> bool:
    return check_password(code[4:], hashed)
