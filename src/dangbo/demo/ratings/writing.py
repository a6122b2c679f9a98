"""Writing the demo's reviews in bulk (``demo.ratings``) with the meetings' writer
(``demo.meetings.writing``: COPY on PostgreSQL, one prepared INSERT through ``executemany`` on
SQLite): the campaigns, the organizations' and the members' ratings, their decisions and the
``rated`` events of the members' ledgers. Rows are tuples in the order of ``COLUMNS``, with the
values as the database stores them (dates as ISO text, instants through ``Writer.stamp``, JSON
as its text)."""

from __future__ import annotations

from django.db import models

from dangbo.demo.meetings.writing import Writer
from dangbo.members.models import MemberEvent
from dangbo.ratings.models import MemberRating, OrgRating, RatingDecision, ReviewCampaign

COLUMNS: dict[type[models.Model], tuple[str, ...]] = {
    ReviewCampaign: (
        "id",
        "org_id",
        "year",
        "period",
        "cutoff_on",
        "self_due_on",
        "cell_due_on",
        "decision_due_on",
        "rule_version",
        "members",
        "opened_by_id",
        "opened_at",
    ),
    OrgRating: (
        "id",
        "self_score",
        "self_band",
        "self_note",
        "self_on",
        "self_by_id",
        "score",
        "band",
        "legacy_level",
        "disqualifiers",
        "decided_on",
        "decision_no",
        "rule_version",
        "campaign_id",
        "org_id",
        "year",
        "period",
        "authority_id",
    ),
    MemberRating: (
        "id",
        "self_score",
        "self_band",
        "self_note",
        "self_on",
        "self_by_id",
        "score",
        "band",
        "legacy_level",
        "disqualifiers",
        "decided_on",
        "decision_no",
        "rule_version",
        "campaign_id",
        "member_id",
        "year",
        "period",
        "cell_id",
        "grassroots_id",
        "form",
        "not_rated",
        "cell_score",
        "cell_band",
        "cell_disqualifiers",
        "cell_note",
        "cell_on",
        "cell_by_id",
    ),
    RatingDecision: (
        "id",
        "member_rating_id",
        "org_rating_id",
        "score",
        "band",
        "legacy_level",
        "disqualifiers",
        "decision_no",
        "decided_on",
        "authority_id",
        "corrects_id",
        "reason",
        "rule_version",
        "recorded_by_id",
        "recorded_at",
    ),
    MemberEvent: (
        "id",
        "decision_no",
        "decision_on",
        "decision_body",
        "member_id",
        "seq",
        "kind",
        "effective_on",
        "recorded_at",
        "recorded_by_id",
        "authority_org_id",
        "from_org_id",
        "to_org_id",
        "position_org_id",
        "role",
        "rule_version",
        "data",
    ),
}
# what a row points at first (the constraints are deferred anyway)
ORDER = (ReviewCampaign, OrgRating, MemberRating, RatingDecision, MemberEvent)
# the tables filled from empty, whose plain indexes are set aside while they are written (the
# ledger's are not: the events already there are many more than the ones added)
FILLED = (OrgRating, MemberRating, RatingDecision)


def ratings_writer() -> Writer:
    return Writer(COLUMNS, ORDER)
