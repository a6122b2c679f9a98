"""A serving process freezes what it made while starting (core.heap)."""

from __future__ import annotations

import gc

from django.urls import get_resolver

from dangbo.core.heap import settle_startup_heap


def test_start_up_objects_are_frozen_with_every_view_loaded():
    try:
        frozen = settle_startup_heap()
        assert frozen == gc.get_freeze_count() > 1000
        assert get_resolver().url_patterns  # loaded before the freeze, with every view module
    finally:
        gc.unfreeze()
    assert gc.get_freeze_count() == 0
