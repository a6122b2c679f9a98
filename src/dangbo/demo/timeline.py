"""The demo province brought from its profile's date to today.

``build_province`` builds the province as of the profile's date (``generator.build_demo``);
for a profile brought to today (``Profile.to_today``) it then simulates the members' history
month by month up to 30/6/2025 (``history.simulate_history``), applies the July 2025 reform
as a restructuring plan (``reform.apply_reform``, effective 1/7/2025), and simulates on the
new tree up to today. Whatever the profile, it ends with two years of the cells' meetings up
to today (``meetings.build_meetings``), the members' Party dues of the same two years
(``dues.build_dues``) and the annual reviews and quality ratings of 2023–2025
(``ratings.build_ratings``). ``reform=True`` applies the reform to any profile (``dangbo demo
--profile lao-cai-2021 --reform-2025``: the 2021 province, then the reform, no history).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from django.db import transaction

from dangbo.core import clock
from dangbo.core.formats import format_number
from dangbo.demo.dues import DuesSummary, build_dues
from dangbo.demo.generator import Summary, build_demo
from dangbo.demo.history import simulate_history
from dangbo.demo.meetings import MeetingsSummary, build_meetings
from dangbo.demo.profiles import Profile
from dangbo.demo.ratings import RatingsSummary, build_ratings
from dangbo.demo.reform import apply_reform
from dangbo.demo.reform2025 import EFFECTIVE_DATE
from dangbo.stats.tallies import tallies_deferred

if TYPE_CHECKING:
    from dangbo.restructuring.plans import PlanReport


@dataclass
class Timeline:
    built: Summary  # of the profile's date
    histories: list = field(default_factory=list)  # history.HistorySummary per simulated stretch
    reform: PlanReport | None = None
    plan_path: Path | None = None
    meetings: MeetingsSummary | None = None
    dues: DuesSummary | None = None
    ratings: RatingsSummary | None = None


def build_province(
    profile: Profile,
    *,
    seed: int,
    members: int | None = None,
    reform: bool = False,
    plan_dir: Path | None = None,
    progress=print,
) -> Timeline:
    # all or nothing (a failure leaves no half-built province behind), one recount at the end
    with transaction.atomic(), tallies_deferred():
        timeline = _stages(
            profile, seed=seed, members=members, reform=reform, plan_dir=plan_dir, progress=progress
        )
        progress("Đếm số liệu tổng hợp ...")
    return timeline


def _stages(
    profile: Profile, *, seed: int, members: int | None, reform: bool, plan_dir: Path | None, progress
) -> Timeline:
    timeline = Timeline(built=build_demo(profile, seed=seed, members=members, progress=progress))
    reform = reform or profile.to_today
    today = clock.today()
    if profile.to_today:
        end = EFFECTIVE_DATE - timedelta(days=1) if reform else today
        timeline.histories.append(
            simulate_history(
                start=profile.as_of + timedelta(days=1),
                end=end,
                seed=seed,
                progress=progress,
                in_flight=end == today,
            )
        )
    if reform:
        progress("Sắp xếp tổ chức theo Nghị quyết 1673/NQ-UBTVQH15, hiệu lực 01/07/2025 ...")
        timeline.plan_path = (plan_dir / "ke-hoach-sap-xep-2025.csv") if plan_dir else None
        timeline.reform = apply_reform(profile, plan_path=timeline.plan_path, progress=progress)
        totals = timeline.reform.totals()
        progress(
            f"  {format_number(totals['operations'])} thao tác; đảng viên trước {format_number(timeline.reform.members_before)}, "
            f"sau {format_number(timeline.reform.members_after)}."
        )
    if profile.to_today and reform and today >= EFFECTIVE_DATE:
        # the last stretch ends today with work in flight (demo.inflight): today's to-do list is not empty
        timeline.histories.append(
            simulate_history(
                start=EFFECTIVE_DATE, end=today, seed=seed + 1, progress=progress, in_flight=True
            )
        )
    # last: the cells' meetings of the two years up to today, on the tree and rolls as they came out
    timeline.meetings = build_meetings(seed=seed, progress=progress)
    # then the members' Party dues of the same two years, on the members' record as it came out
    timeline.dues = build_dues(seed=seed, progress=progress)
    # and the yearly reviews, on the members' record and discipline as the history left them
    timeline.ratings = build_ratings(seed=seed, progress=progress)
    return timeline
