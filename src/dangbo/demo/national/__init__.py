"""The national demo (``dangbo demo --profile vietnam``): the 34 provinces after the 2025
reform, about 3,300 commune committees, 52,000 grassroots organizations and 5.6 million
members, written in bulk for the national benchmark (``bench/results/national.md``).

Where the code is: ``provinces`` (the 34, their populations and commune counts), ``plan``
(one province's tree and its cells' sizes), ``build`` (``NationalBuilder``: organizations and
members with their ledgers, province by province); this module runs the build in one
transaction, audited as one operation, and recounts the tallies once at its end.
"""

from __future__ import annotations

from django.db import transaction

from dangbo.audit.context import bulk_operation
from dangbo.audit.services import Action, audit_record
from dangbo.core.bulk import refresh_statistics
from dangbo.core.formats import format_number
from dangbo.demo.national.build import NationalBuilder, NationalSummary
from dangbo.demo.national.plan import NATIONAL_MEMBERS
from dangbo.members.models import Member, MemberEvent, Placement, Position
from dangbo.orgs.models import Org, OrgEvent, OrgVersion
from dangbo.stats.tallies import tallies_deferred

__all__ = ["NATIONAL_MEMBERS", "NATIONAL_PROFILE", "NationalSummary", "build_national", "describe_national"]

NATIONAL_PROFILE = "vietnam"
TITLE = "Toàn quốc: 34 đảng bộ tỉnh, thành phố sau sắp xếp năm 2025"
NATIONAL_TABLES = (Org, OrgEvent, OrgVersion, Member, MemberEvent, Placement, Position)


def build_national(*, seed: int = 2021, members: int | None = None, progress=print) -> NationalSummary:
    """Build the national demo in one transaction (the caller's, when it holds one)."""
    members = members or NATIONAL_MEMBERS
    with transaction.atomic():
        with bulk_operation("demo"), tallies_deferred(progress):
            summary = NationalBuilder(seed=seed, members=members, progress=progress).build()
            progress("Cập nhật thống kê của cơ sở dữ liệu ...")
            refresh_statistics(NATIONAL_TABLES)  # the recount plans its joins on real row counts
            progress("Đếm số liệu tổng hợp ...")
        audit_record(
            action=Action.DEMO_GENERATED,
            data={
                "profile": NATIONAL_PROFILE,
                "seed": seed,
                "members": summary.members,
                "orgs": summary.orgs,
            },
        )
    return summary


def describe_national(summary: NationalSummary) -> str:
    """The line ``dangbo demo`` ends the build with (it starts with «Xong», as the others)."""
    n = format_number
    return (
        f"Xong trong {n(round(summary.seconds))} giây: {n(summary.provinces)} đảng bộ tỉnh, thành phố, "
        f"{n(summary.orgs)} tổ chức đảng, {n(summary.grassroots)} tổ chức cơ sở đảng, "
        f"{n(summary.cells)} chi bộ, {n(summary.members)} đảng viên."
    )
