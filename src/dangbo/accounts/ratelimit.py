"""How often a program may call the API: DANGBO_API_RATE_PER_MINUTE requests a minute per key,
and DANGBO_API_ADDRESS_RATE_PER_MINUTE per client address (every call with a key, valid or
not, counts for its address). Counted per calendar minute in Django's cache (``CACHES``: the
process's memory, which waitress's threads share). Over the limit the API answers 429 with
``Retry-After`` (``api.py``)."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from dangbo.core import clock


@dataclass
class RateLimited(Exception):
    retry_after: int  # seconds until the next minute begins

    def __str__(self) -> str:
        return f"Gọi API quá nhiều lần trong một phút; xin thử lại sau {self.retry_after} giây."


def _count(bucket: str, limit: int) -> None:
    now = clock.now()
    minute = int(now.timestamp()) // 60
    key = f"dangbo:api-rate:{bucket}:{minute}"
    cache.add(key, 0, timeout=120)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=120)
        count = 1
    if count > limit:
        raise RateLimited(retry_after=max(1, 60 - int(now.timestamp()) % 60))


def check_address(address: str) -> None:
    _count(f"ip:{address}", settings.DANGBO_API_ADDRESS_RATE_PER_MINUTE)


def check_key(token_id: str) -> None:
    _count(f"key:{token_id}", settings.DANGBO_API_RATE_PER_MINUTE)
