"""Every route the application serves, for tests that walk them all (scope, bad input)."""

from __future__ import annotations

import re

from django.urls import URLPattern, URLResolver, get_resolver


def routes(resolver=None, prefix=""):
    """Route patterns such as ``dang-vien/<uuid:member_id>/``; Django's admin is left out
    (staff only, checked separately)."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            if route.startswith("quan-tri/"):
                continue
            yield from routes(pattern, route)
        elif isinstance(pattern, URLPattern):
            yield route


def fill(route: str, name: str, ids) -> list[str]:
    """The route's URL for each id given for its parameter ``name``."""
    return ["/" + re.sub(rf"<(?:uuid:)?{name}>", str(pk), route) for pk in ids]
