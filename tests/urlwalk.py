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


def _slug_values() -> dict[str, list[str]]:
    from dangbo.meetings.minutes_views import PAPERS
    from dangbo.members.documents import KINDS
    from dangbo.members.standing_views import ACTIONS
    from dangbo.stats.indicators import INDICATORS

    # every indicator with a drill-down (each draws a different list) and one without
    codes = [i.code for i in INDICATORS if i.drill] + ["members.total", "admissions.rate_year"]
    return {
        "action": list(ACTIONS),
        "kind": list(KINDS),
        "code": codes,
        "paper": list(PAPERS),
        "fmt": ["docx", "pdf", "xlsx"],  # the review's printed papers (ratings.org_urls)
        "import_kind": ["orgs", "hamlets", "members"],  # the import templates (imports.urls)
        "file_format": ["csv", "xlsx"],  # an import's refused rows
    }


def _expand(url: str) -> list[str]:
    """Every value a ``<slug:…>`` or ``<str:…>`` part of the URL can take (each page it selects)."""
    match = re.search(r"<(?:slug|str):(\w+)>", url)
    if not match:
        return [url]
    return [
        u for value in _slug_values()[match.group(1)] for u in _expand(url.replace(match.group(0), value, 1))
    ]


def fill(route: str, name: str, ids) -> list[str]:
    """The route's URL for each id given for its parameter ``name`` (and each value of its slugs)."""
    return [u for pk in ids for u in _expand("/" + re.sub(rf"<(?:uuid:|int:)?{name}>", str(pk), route))]
