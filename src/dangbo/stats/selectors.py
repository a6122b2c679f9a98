"""Scoped reads of the indicators: what the pages and the API call.

The acting user's ``Scope`` decides which subtree may be reported on; a drill-down that
names people (secretaries, committee members) is written to the audit trail.
"""

from __future__ import annotations

from datetime import date

from dangbo.audit.services import Action, audit_record
from dangbo.orgs.models import Org
from dangbo.orgs.selectors import NotInScope
from dangbo.stats.drill_rows import Drill
from dangbo.stats.drilldown import DRILLS
from dangbo.stats.frames import frame_for
from dangbo.stats.indicators import BY_CODE, Context, Indicator, context_for


def report_context(
    *,
    actor,
    org: Org,
    as_of: date | None = None,
    start: date | None = None,
    end: date | None = None,
    with_children: bool = True,
) -> Context:
    """The report context for ``org``'s subtree; raises ``NotInScope`` outside the actor's
    scope and ``ReportInputError`` for bad dates."""
    if not actor.can_read_path(org.path):
        raise NotInScope(org.pk)
    return context_for(frame_for(root=org, as_of=as_of, start=start, end=end), with_children=with_children)


def indicator_get(code: str) -> Indicator:
    try:
        return BY_CODE[code]
    except KeyError:
        raise NotInScope(code) from None


def indicator_drill(*, ctx: Context, indicator: Indicator) -> Drill | None:
    if not indicator.drill:
        return None
    drill = DRILLS[indicator.drill](ctx, ctx.root)
    if drill.names_people:
        audit_record(
            action=Action.LIST_VIEWED,
            subject_type="org",
            subject_id=str(ctx.root.pk),
            data={"list": indicator.code, "rows": len(drill.rows), "as_of": ctx.frame.as_of.isoformat()},
        )
    return drill
