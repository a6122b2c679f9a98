"""The indicator registry (DESIGN.md decision 5): one declaration per indicator.

Each ``Indicator`` names its code (a stable interface: the JSON report, the API and the
pages use it), its Vietnamese name, what it counts above and below the line, its unit, the
target it is read against (a dated, cited rule in ``rules.targets``), and its drill-down:
the rows behind the gap (which hamlets, which secretaries). ``Breakdown`` declares a
structure table (members by gender, age band, ...). Pages, exports and the command line
read ``INDICATORS`` and ``BREAKDOWNS``; nothing computes an indicator anywhere else.

Everything is evaluated through a ``Context``, which loads the counts of the root and of
its direct children once (``prepare``) so a dashboard with every child's value costs a
few grouped queries.

Where the code is: ``context`` (``Context``, ``Value``, units), ``loads`` (the grouped loads
behind the figures), ``registry`` (``Indicator``, ``INDICATORS``), ``results`` (``Result``,
``evaluate``, ``report_dict``), ``breakdowns`` (``Breakdown``, ``BREAKDOWNS``, the age bands).
The names below are the package's public API.
"""

from __future__ import annotations

from dangbo.stats.indicators.breakdowns import (
    AGE_BANDS,
    BREAKDOWNS,
    BREAKDOWNS_BY_CODE,
    Breakdown,
    age_band,
)
from dangbo.stats.indicators.context import (
    EVENTS,
    HAMLETS,
    MEMBERS,
    ORGS,
    PERCENT,
    UNIT_LABELS,
    Context,
    Value,
    children_on,
    children_page,
    context_for,
)
from dangbo.stats.indicators.loads import (
    SECRETARY_ROLES,
    grassroots_positions_on,
    hamlet_versions_on,
)
from dangbo.stats.indicators.registry import BY_CODE, INDICATORS, SECTIONS, Indicator
from dangbo.stats.indicators.results import (
    ABOVE,
    MET,
    NO_DATA,
    NO_TARGET,
    NOT_MET,
    STATUS_LABELS,
    Result,
    evaluate,
    evaluate_all,
    report_dict,
)

__all__ = [
    "ABOVE",
    "AGE_BANDS",
    "BREAKDOWNS",
    "BREAKDOWNS_BY_CODE",
    "BY_CODE",
    "EVENTS",
    "HAMLETS",
    "INDICATORS",
    "MEMBERS",
    "MET",
    "NOT_MET",
    "NO_DATA",
    "NO_TARGET",
    "ORGS",
    "PERCENT",
    "SECRETARY_ROLES",
    "SECTIONS",
    "STATUS_LABELS",
    "UNIT_LABELS",
    "Breakdown",
    "Context",
    "Indicator",
    "Result",
    "Value",
    "age_band",
    "children_on",
    "children_page",
    "context_for",
    "evaluate",
    "evaluate_all",
    "grassroots_positions_on",
    "hamlet_versions_on",
    "report_dict",
]
