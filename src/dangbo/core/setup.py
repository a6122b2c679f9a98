"""Start Django from a command-line program (the ``dangbo`` commands of every app)."""

from __future__ import annotations

import os

import django


def django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangbo.settings")
    django.setup()
