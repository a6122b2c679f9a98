"""The demo province's history after the 2021 build: month by month from ``start`` to ``end``,
admissions, recognitions, official transfers between cells, deaths and exits, on whatever
tree exists when it runs (the 2025 restructuring is applied between two runs).

Rates, per year, of the members in good standing at the start of each month (so a build
of any size gets the same proportions):

* admissions 4 %: seed 001 (Tỉnh ủy Lào Cai, report of 2/12/2021) — Lào Cai admitted
  20,472 members in the ten years to 2021, about 2,000 a year for a little over 51,000
  members. New members go to live cells in proportion to their size; each is recognized
  as a full member 12 months after the ceremony (``rules.probation``) if that falls in
  the window. Every probationary member already there whose 12 months end in the window
  is recognized too.
* deaths 0.9 % (0.8–1 % of the stock a year), chosen by age (mortality doubling about
  every 8 years of age). Positions a member held end with them (the ledger closes them);
  secretaries are spared, since no election of a successor is simulated.
* official transfers between cells of the province 2 %, three in four inside the same
  organization directly under the province (district, bloc, police...). Members holding
  a position, away from their cell (``standing``) or with an open transfer or
  disciplinary case are not moved.
* exits 0.15 % (0.1–0.2 %) combined: struck off 65 %, expelled 25 %, resigned 10 %, of
  full members holding no position. An expulsion is recorded as the discipline service
  records it: a decided ``DisciplineCase`` and an ``expelled`` event carrying its votes.

The admission, transfer, death and exit counts are the rates above, not figures of any
report after 2021; they are rough, meant to keep the demo's flows of the right order.

The rest of the ledger's kinds (standing, temporary transfers, discipline, moves out of and
into the province, readmission, restoration, badges, secretaries' succession) come from
``lifecycle``, ``departures`` and ``succession``, mixins of the same simulation; with
``in_flight`` the last run leaves the work a real province has open on its last day
(``demo.inflight``): recognitions not yet decided, candidates, open transfers and discipline
cases. The mixins share one in-memory state of the province (``state``, ``loading``), month
by month; ``simulation._History`` composes them.

Fast paths only: new members (admission and, within the window, recognition) are written
with ``ledger.bulk_write`` as the generator writes them; events of existing members go
through ``ledger.append_many``, one event per member and month, the months in date order
and no member given an event that would precede one already in their ledger. A cell is not
left with fewer than three full members by a death, exit or transfer. The whole run is one
transaction with the tallies recounted once at its end.

Where the code is: ``state`` (the in-memory province, ``HistorySummary``), ``loading``
(loading it, the authorities), ``flows`` (admissions, recognitions, deaths, exits, transfers),
``lifecycle``, ``departures``, ``succession`` (the rest of a member's life), ``simulation``
(the rates and the month); ``demo.sql`` holds the two statements written in SQL.
"""

from __future__ import annotations

import time
from contextlib import nullcontext
from datetime import date

from django.db import transaction

from dangbo.audit.context import bulk_operation
from dangbo.audit.services import Action, audit_record
from dangbo.core.bulk import refresh_statistics
from dangbo.core.formats import format_number
from dangbo.demo.history.simulation import _History
from dangbo.demo.history.state import HistorySummary
from dangbo.members.models import Member, MemberEvent, Placement, Position
from dangbo.stats.tallies import deferred, tallies_deferred

__all__ = ["HistorySummary", "simulate_history"]


def simulate_history(
    *, start: date, end: date, seed: int, progress=print, in_flight: bool = False
) -> HistorySummary:
    """Simulate the members' events with effective dates in [start, end] on the tree as it is
    (live cells only), in one transaction, audited as one operation; returns the counts.

    The same seed on the same database gives the same history (``start`` and ``end`` are mixed
    into the random source, so two runs with one seed do not repeat each other). With
    ``in_flight`` (the last run, up to the day the demo is built) the run ends with work open
    on ``end`` (``demo.inflight``); otherwise everything due by ``end`` is done. The tallies
    are recounted once at the end, unless the caller is already inside ``tallies_deferred``:
    then its own recount at the end of its block covers this run too.
    """
    if end < start:
        raise ValueError("end must not precede start")
    started = time.monotonic()
    # Inside a caller's own tallies_deferred (history, reform, history in one block) the
    # caller recounts once at its end; otherwise this run recounts once at its end.
    recount = not deferred()
    with transaction.atomic():
        with bulk_operation("demo"), tallies_deferred() if recount else nullcontext():
            summary = _History(start=start, end=end, seed=seed, progress=progress, in_flight=in_flight).run()
            if recount:
                progress("Đếm số liệu tổng hợp ...")
        audit_record(
            action=Action.DEMO_GENERATED,
            data={"history": f"{start.isoformat()}..{end.isoformat()}", "seed": seed, **summary.by_kind()},
        )
    refresh_statistics([Member, MemberEvent, Placement, Position])
    summary.seconds = time.monotonic() - started
    progress(
        f"Xong trong {format_number(summary.seconds)} giây: kết nạp {format_number(summary.admitted)}, công nhận chính thức "
        f"{format_number(summary.recognized)}, chuyển sinh hoạt {format_number(summary.transferred)}, từ trần "
        f"{format_number(summary.died)}, ra khỏi Đảng {format_number(summary.exits)} (xóa tên {format_number(summary.struck_off)}, "
        f"khai trừ {format_number(summary.expelled)}, xin ra {format_number(summary.resigned)}); {format_number(summary.members_after)} đảng viên."
    )
    return summary
