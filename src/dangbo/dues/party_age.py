"""Fifty years of party age as a query (``rules.dues.party_age_exempt_from``, QĐ 01-QĐ/TW Art. 5):
which members owe nothing for a month because of it, whether or not a dues basis was ever
recorded for them — a veteran who pays nothing may never have one, and needs none."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Q

from dangbo.rules import dues as rules
from dangbo.rules.probation import add_months


def party_age_exempt_q(month: date, *, prefix: str = "") -> Q:
    """Members (through ``prefix``, e.g. "member__") exempted in ``month`` by fifty years of party
    age: their party age began by the last day of the month fifty years earlier (so the fiftieth
    year completes by ``month``), from the rule's first version on (before it, no one)."""
    if month < rules.PARTY_AGE_EXEMPTION.versions[0].effective_from:
        return Q(pk__in=[])
    earlier = add_months(month.replace(day=1), -12 * rules.PARTY_AGE_EXEMPT_YEARS)
    through = add_months(earlier, 1) - timedelta(days=1)
    return Q(**{f"{prefix}party_age_from__lte": through})
