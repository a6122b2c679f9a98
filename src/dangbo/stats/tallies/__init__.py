"""Keeping ``OrgTally`` equal to a recount.

What is counted, for every organization over its whole subtree:

- members (đảng số) by each attribute in ``DIMENSIONS``, and the hamlets their residents
  live in (``hamlet``: counted under the hamlet's commune, whoever the residents' cell is);
- grassroots leaders: positions of secretary and deputy (``leaders:secretary``) and of
  committee member (``leaders:committee``) in grassroots organizations, by whether the
  holder has intermediate political theory or above (value ``trained`` / ``untrained``);
- organizations below it by kind (``org_kind``), its direct children (``org_direct``) and
  grassroots organizations by sector (``grassroots_sector``; upper-rights committees are
  counted as upper committees, not here);
- hamlets (``localities``): live hamlets under their commune's organizations, those with a
  cell, those whose cell also covers other hamlets (``merged_cell``), and those whose head
  is a member today (the head's member record is probationary or full: a head who dies or
  leaves the Party stops counting the same day, through ``tally_members_changed``);
- cell meetings (``meetings``): attendance, unexcused absences and visitors by month, and the
  runs of months (quarters) in which a cell held its regular (thematic) meeting;
- Party dues (``dues``): the cells' monthly dues sums and their members' arrears chains;
- yearly reviews (``ratings``): members' reviews by band (or not rated, not yet decided) under
  the cell that listed them, grassroots organizations' by band;
- flags: cells that must elect a committee (``flag:cell_committee``) and grassroots
  committees of 300 members or more (``flag:large_grassroots``), the organization itself
  included.

Every change of a member goes through ``members.ledger`` (standing, positions) or
``members.services`` (identity); both call ``tally_members_changed`` with the member's row
before and after in the same transaction. The change becomes +1/−1 on (organization,
dimension, value) for each organization above, applied with one upsert per row; flags are
re-judged for the organizations whose counts moved. ``orgs.services`` calls
``tally_org_changed`` when an organization is established. ``tally_rebuild`` recounts
everything (after a restructuring, or by the operator); ``tally_differences`` compares
the stored rows with a recount — what ``dangbo check --aggregates`` reports.

Age is kept as the year of birth, so the tallies do not go stale as people have
birthdays; age bands are read as "report year − year of birth" (tuổi đời tính theo năm
sinh), the same way for today's figures and for past dates.

Where the code is: ``keys`` (what is counted: dimensions, flags, the keys of a row),
``store`` (the one writer, deferral, the queue of a plan), ``members``, ``flows``,
``localities``, ``organizations``, ``meetings``, ``dues``, ``ratings`` (each kind of change), ``moves`` (restructuring),
``recount`` (recount, rebuild, differences), ``spool`` (bulk changes summed at their end), ``reads`` (reading the stored counts); the SQL
they need is in ``stats.sql``. The dimension names are read from ``keys``; the functions
below are the package's public API.
"""

from __future__ import annotations

from dangbo.stats.tallies.dues import dues_rows_kept, tally_dues_changed
from dangbo.stats.tallies.flows import member_flows, tally_flows_changed
from dangbo.stats.tallies.keys import member_keys
from dangbo.stats.tallies.localities import (
    locality_row,
    tally_hamlets_moved,
    tally_localities_changed,
    tally_locality_changed,
)
from dangbo.stats.tallies.meetings import (
    meeting_counts,
    meetings_moves_seen,
    meetings_rows_kept,
    moves_seen,
    tally_attendance_changed,
    tally_meetings_changed,
    tally_meetings_rebuild,
)
from dangbo.stats.tallies.members import open_positions, tally_member_changed, tally_members_changed
from dangbo.stats.tallies.moves import restructuring_batched, tally_fix_derived, tally_subtrees_moved
from dangbo.stats.tallies.organizations import tally_org_changed, tally_org_leaders_changed
from dangbo.stats.tallies.ratings import rating_counts, tally_ratings_changed, tally_ratings_rebuild
from dangbo.stats.tallies.reads import tally_flows, tally_flows_by_year, tally_read, tally_stock_change
from dangbo.stats.tallies.recount import (
    TallyDifference,
    tallies_deferred,
    tally_differences,
    tally_rebuild,
    tally_recount,
)
from dangbo.stats.tallies.spool import tallies_spooled
from dangbo.stats.tallies.store import deferred, tally_rows_dropped

__all__ = [
    "TallyDifference",
    "deferred",
    "dues_rows_kept",
    "locality_row",
    "meeting_counts",
    "meetings_moves_seen",
    "meetings_rows_kept",
    "member_flows",
    "member_keys",
    "moves_seen",
    "open_positions",
    "rating_counts",
    "restructuring_batched",
    "tallies_deferred",
    "tallies_spooled",
    "tally_attendance_changed",
    "tally_differences",
    "tally_dues_changed",
    "tally_fix_derived",
    "tally_flows",
    "tally_flows_by_year",
    "tally_flows_changed",
    "tally_hamlets_moved",
    "tally_localities_changed",
    "tally_locality_changed",
    "tally_meetings_changed",
    "tally_meetings_rebuild",
    "tally_member_changed",
    "tally_members_changed",
    "tally_org_changed",
    "tally_org_leaders_changed",
    "tally_ratings_changed",
    "tally_ratings_rebuild",
    "tally_read",
    "tally_rebuild",
    "tally_recount",
    "tally_rows_dropped",
    "tally_stock_change",
    "tally_subtrees_moved",
]
