"""Build a demo province: the tree (through the org services), hamlets and their heads, and
members with their ledgers (through ``ledger.bulk_write``), deterministic for a seed.

Memory stays bounded: members are written in batches as each grassroots organization
is finished, and nothing keeps them afterwards. The whole build is one transaction,
so an interrupted build leaves nothing half-made.

Where the code is: ``tree`` (the organizations and hamlets), ``members`` (ledgers and
positions), ``builder`` (``Builder``, the build), ``summary`` (``Summary``, ``summarize``);
this module runs the build in its transaction (``build_demo``).
"""

from __future__ import annotations

from django.db import transaction

from dangbo.audit.context import bulk_operation
from dangbo.audit.services import Action, audit_record
from dangbo.core.bulk import refresh_statistics
from dangbo.demo.generator.builder import Builder
from dangbo.demo.generator.summary import Summary, describe, summarize
from dangbo.demo.profiles import Profile
from dangbo.dues.models import DuesBasis, DuesCellMonth, DuesMonth, DuesPayment, DuesRelief
from dangbo.meetings.models import Attendance, Meeting, MeetingVisitor, Minutes, MinutesAmendment
from dangbo.members.models import Member, MemberEvent, Placement, Position
from dangbo.orgs.models import Locality, LocalityVersion, Org, OrgVersion
from dangbo.ratings.models import MemberRating, OrgRating, RatingDecision, ReviewCampaign
from dangbo.stats.models import OrgTally
from dangbo.stats.tallies import deferred, tallies_deferred

__all__ = [
    "DEMO_TABLES",
    "DUES_TABLES",
    "MEETING_TABLES",
    "RATINGS_TABLES",
    "REWRITTEN_TABLES",
    "Summary",
    "build_demo",
    "describe",
    "summarize",
]

# The tables a demo build fills, whose planner statistics are refreshed when it is committed
# (the meetings', the dues' and the ratings' are filled by demo.timeline's last stages,
# demo.meetings, demo.dues and demo.ratings).
MEETING_TABLES = (Meeting, Attendance, MeetingVisitor, Minutes, MinutesAmendment)
DUES_TABLES = (DuesBasis, DuesRelief, DuesPayment, DuesMonth, DuesCellMonth)
RATINGS_TABLES = (ReviewCampaign, OrgRating, MemberRating, RatingDecision)
DEMO_TABLES = (
    Org,
    OrgVersion,
    Locality,
    LocalityVersion,
    Member,
    MemberEvent,
    Placement,
    Position,
    *MEETING_TABLES,
    *DUES_TABLES,
    *RATINGS_TABLES,
    OrgTally,
)


# The tables whose rows the simulated history updates several times each, all in the build's one
# transaction: rewritten without their dead rows once it is committed (core.bulk.compact_tables;
# the members' table was five times its size after a 500,000-member build).
REWRITTEN_TABLES = (Member, Placement)


def build_demo(profile: Profile, *, seed: int = 2021, members: int | None = None, progress=print) -> Summary:
    """Build the demo in one transaction, audited as one operation (not one row per record)."""
    members = members or profile.members
    nested = deferred()  # inside demo.timeline: it recounts once at its end
    with transaction.atomic():
        with bulk_operation("demo"), tallies_deferred():
            summary = Builder(profile, seed=seed, members=members, progress=progress).build()
            if not nested:
                progress("Đếm số liệu tổng hợp ...")
        audit_record(
            action=Action.DEMO_GENERATED,
            data={"profile": profile.name, "seed": seed, "members": summary.members, "orgs": summary.orgs},
        )
    progress("Cập nhật thống kê của cơ sở dữ liệu ...")
    refresh_statistics(DEMO_TABLES)  # ANALYZE inside a caller's transaction; dangbo demo vacuums after
    return summary
