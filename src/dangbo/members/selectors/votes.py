"""Votes (RULES.md §3): who counts when a cell votes on a day, and who sits on a committee."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Q

from dangbo.core.roles import COMMITTEE_ROLES
from dangbo.members import ledger
from dangbo.members.models import MemberEvent, MemberStatus, Placement, Position, Standing


@dataclass(frozen=True)
class VoteRoll:
    """Who counts when ``org`` votes on ``on`` (QĐ 294 §9.3.2; rules.votes): the full members
    counted in the organization that day, from the ledger, and those of them left out —
    temporarily transferred out, suspended (suspension also records prosecution and detention),
    and the exempted, who are left out only when the vote records them absent."""

    full: frozenset
    temp_away: frozenset
    suspended: frozenset
    exempted: frozenset

    def denominator(self, absent_exempted=()) -> int:
        absent = self.exempted & {str(m) for m in absent_exempted}
        return len(self.full - self.temp_away - self.suspended - absent)

    def not_exempted(self, absent_exempted) -> list[str]:
        """The ids recorded as absent exempted members who were not exempted that day."""
        return sorted({str(m) for m in absent_exempted} - self.exempted)


def vote_roll(*, org, on: date) -> VoteRoll:
    """The roll of ``org``'s vote on ``on``. A member counts when one of their counted
    placements in ``org`` is valid that day with the status «full» (one placement row must
    satisfy every condition at once); their standing that day is the ledger replayed to that
    day, so an exit or a readmission in between ends a suspension as the projection does."""
    org_id = getattr(org, "pk", org)
    full = set(
        Placement.objects.filter(
            Q(valid_to__isnull=True) | Q(valid_to__gt=on),
            org_id=org_id,
            status=MemberStatus.FULL,
            counted=True,
            valid_from__lte=on,
        ).values_list("member_id", flat=True)
    )
    standing_of: dict = {}
    if full:
        events: dict = {}
        for event in MemberEvent.objects.filter(member_id__in=full, effective_on__lte=on).order_by(
            "member_id", "effective_on", "seq"
        ):
            events.setdefault(event.member_id, []).append(event)
        standing_of = {member_id: ledger.replay(evs).standing for member_id, evs in events.items()}

    def having(standing: str) -> frozenset:
        return frozenset(str(m) for m, s in standing_of.items() if s == standing)

    return VoteRoll(
        full=frozenset(str(m) for m in full),
        temp_away=having(Standing.TEMP_AWAY),
        suspended=having(Standing.SUSPENDED),
        exempted=having(Standing.EXEMPTED),
    )


def vote_denominator(*, org, on: date, absent_exempted=()) -> int:
    """The members of ``org`` who count in a vote on ``on``: every vote (admission,
    recognition, striking off a probationary member, discipline by the cell) counts its
    approvals against this number (RULES.md §3, §11 rule 8)."""
    return vote_roll(org=org, on=on).denominator(absent_exempted)


def committee_roll(*, org, on: date) -> frozenset:
    """The members of ``org``'s committee (cấp ủy) on ``on``: holders of a committee position
    there that day, from the ledger's positions (a member with two positions counts once)."""
    org_id = getattr(org, "pk", org)
    return frozenset(
        str(m)
        for m in Position.objects.filter(
            Q(ended_on__isnull=True) | Q(ended_on__gt=on),
            org_id=org_id,
            role__in=list(COMMITTEE_ROLES),
            started_on__lte=on,
        ).values_list("member_id", flat=True)
    )
