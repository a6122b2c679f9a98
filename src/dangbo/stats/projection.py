"""``stats.tallies`` as the counts the ledger and the tree report to (``core.projections``);
registered in ``StatsConfig.ready()``."""

from __future__ import annotations

from dangbo.core.projections import TallyProjection
from dangbo.stats import tallies as t
from dangbo.stats.tallies.keys import LOCALITY_FIELDS, MEMBER_FIELDS


class StatsTallies(TallyProjection):
    member_fields = MEMBER_FIELDS
    locality_fields = LOCALITY_FIELDS

    def deferred(self):
        return t.deferred()

    def batched(self):
        return t.restructuring_batched()

    def spooled(self):
        return t.tallies_spooled()

    def open_positions(self, member_id):
        return t.open_positions(member_id)

    def member_flows(self, events, placements):
        return t.member_flows(events, placements)

    def members_changed(self, pairs):
        t.tally_members_changed(pairs)

    def flows_changed(self, pairs):
        t.tally_flows_changed(pairs)

    def org_changed(self, *, before=None, after=None):
        t.tally_org_changed(before=before, after=after)

    def org_leaders_changed(self, *, before, after):
        t.tally_org_leaders_changed(before=before, after=after)

    def locality_row(self, locality_id):
        return t.locality_row(locality_id)

    def localities_changed(self, pairs):
        t.tally_localities_changed(pairs)

    def subtrees_moved(self, moves):
        moves = [(org_id, list(before), list(after)) for org_id, before, after in moves]
        t.meetings_moves_seen(moves)
        t.tally_subtrees_moved(moves)

    def hamlets_moved(self, locality_ids, *, old, new, at):
        t.tally_hamlets_moved(locality_ids, old=old, new=new, at=at)

    def rows_dropped(self, org_ids):
        org_ids = list(org_ids)
        t.tally_rows_dropped(org_ids)
        t.dues_rows_kept(org_ids, t.moves_seen())  # after the drop: its own accounts stay with it
        t.meetings_rows_kept(org_ids)  # after the drop: an emptied source's own meetings stay with it

    def fix_derived(self):
        return t.tally_fix_derived()

    def meeting_counts(self, org_id, months):
        return t.meeting_counts(org_id, months)

    def meetings_changed(self, before):
        t.tally_meetings_changed(before)

    def attendance_changed(self, meeting, *, before, after):
        t.tally_attendance_changed(meeting, before=before, after=after)

    def dues_changed(self, sums, arrears):
        t.tally_dues_changed(sums, arrears)

    def rating_counts(self, *, member_ratings=(), org_ratings=(), campaign=None):
        return t.rating_counts(member_ratings=member_ratings, org_ratings=org_ratings, campaign=campaign)

    def ratings_changed(self, before):
        t.tally_ratings_changed(before)

    def counts(self, org_ids, dimensions):
        return t.tally_read(org_ids, dimensions)
