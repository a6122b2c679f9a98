"""Members who stop coming to their cell's meetings for a while (``demo.meetings``): absent
without reason three to five months running, so the striking-off review of RULES.md §11
rule 13 (``meetings.selectors.unexcused_absence_reviews``) has people in it.

At a low rate in any cell (``DRIFT_SHARE`` of its members over the two years, each absent at
most meetings of their months), and certainly one in one cell of each commune
(``loading.drift_cells``): absent from every meeting of three to five months of one year,
enough for the review. Never a committee member (they preside and record), a guest, or a
member with a standing (exempted, working away...) during those months.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from dangbo.demo.meetings.loading import Holder, OrgRec, Seat
from dangbo.demo.meetings.plan import Planned
from dangbo.meetings.models import Body, MeetingKind

DRIFT_SHARE = 0.004
LIKELY = 0.85  # a drifting member's chance to miss each meeting of their months


def choose_drifters(
    ctx, org: OrgRec, seats: list[Seat], holders: list[Holder], planned: list[Planned], rng: random.Random
) -> dict[str, tuple[frozenset[date], float]]:
    """member → (the months they miss, their chance to miss each meeting in them)."""
    held = sorted(
        {
            p.day.replace(day=1)
            for p in planned
            if p.body == Body.CHI_BO and p.kind == MeetingKind.REGULAR and p.day < ctx.today
        }
    )
    counted = [s for s in seats if s.counted]
    drift: dict[str, tuple[frozenset[date], float]] = {}
    if len(held) < 3 or not counted:
        return drift
    expected = len({s.member for s in counted}) * DRIFT_SHARE
    n = int(expected) + (rng.random() < expected - int(expected))
    sure = org.id in ctx.drift_cells
    leaders = {h.member for h in holders}
    for index in range(n + sure):
        certain = sure and index == 0
        length = rng.randint(3, 5)
        for _ in range(12):
            start = rng.randrange(len(held))
            months = held[start : start + length]
            if len(months) < 3 or (certain and months[0].year != months[-1].year):
                continue
            first, last = months[0], months[-1] + timedelta(days=31)
            fits = [
                s
                for s in counted
                if s.start <= first
                and (s.end is None or s.end > last)
                and s.member not in leaders
                and s.member not in drift
                and ctx.standings.clear(s.member, first, last)
            ]
            if fits:
                drift[rng.choice(fits).member] = (frozenset(months), 1.0 if certain else LIKELY)
                ctx.count("drifting")
                break
    return drift
