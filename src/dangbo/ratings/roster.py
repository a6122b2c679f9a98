"""Who a campaign reviews (RULES.md §4): the members counted in a cell of the subtree on the
cut-off date, each with their cell, grassroots organization, form and — for those not rated —
why; and the cells and grassroots organizations standing that day, each with who rates it.

Read a batch of members at a time (a province's campaign lists hundreds of thousands): their
standing on the day comes from their standing events alone, not a replay of the whole ledger.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from django.db.models import Q

from dangbo.core import paths, text
from dangbo.core.kinds import CELL_KINDS, GRASSROOTS_KINDS
from dangbo.core.roles import COMMITTEE_ROLES
from dangbo.members.models import (
    ACTIVE_STATUSES,
    Member,
    MemberEvent,
    MemberStatus,
    Placement,
    Position,
    Standing,
)
from dangbo.orgs.models import Org
from dangbo.ratings.models import NotRated
from dangbo.ratings.settings import RatingRules
from dangbo.rules.ratings import WHO_IS_RATED, MemberForm, WhoIsRated

Kind = MemberEvent.Kind
BATCH = 2000

# the events that set a member's standing, and those that end it (an exit ends a suspension too)
_STARTS: dict[str, str] = {
    Kind.EXEMPTED: Standing.EXEMPTED,
    Kind.SUSPENDED: Standing.SUSPENDED,
    Kind.WORKING_AWAY: Standing.WORKING_AWAY,
}
_ENDS = (Kind.STANDING_ENDED, Kind.STRUCK_OFF, Kind.RESIGNED, Kind.EXPELLED, Kind.READMITTED, Kind.RESTORED)
# positions whose holders fill form 2A (leaders and managers): committee members of any level
LEADER_ROLES = COMMITTEE_ROLES


@dataclass(frozen=True)
class Listed:
    member_id: UUID
    cell_id: UUID
    grassroots_id: UUID
    status: str
    form: str
    not_rated: str  # NotRated value, "" when rated


def grassroots_of(orgs: dict[str, tuple[UUID, str]], path: str) -> UUID | None:
    """The grassroots organization above (or at) ``path``; ``orgs``: path → (id, kind)."""
    for ancestor in reversed([*paths.ancestor_paths(path), path]):
        found = orgs.get(ancestor)
        if found is not None and found[1] in GRASSROOTS_KINDS:
            return found[0]
    return None


def _orgs_around(root: Org) -> dict[str, tuple[UUID, str]]:
    """path → (id, kind) of the subtree and its ancestors (the grassroots may stand above it)."""
    found = {
        path: (pk, kind)
        for pk, path, kind in Org.objects.filter(paths.subtree_q(root.path)).values_list("pk", "path", "kind")
    }
    for pk, path, kind in Org.objects.filter(path__in=paths.ancestor_paths(root.path)).values_list(
        "pk", "path", "kind"
    ):
        found[path] = (pk, kind)
    return found


def standings_on(member_ids: list[UUID], day: date) -> dict[UUID, str]:
    """Each member's standing on ``day`` from their standing events (normal when none)."""
    found: dict[UUID, str] = {}
    events = (
        MemberEvent.objects.filter(
            member_id__in=member_ids, effective_on__lte=day, kind__in=[*_STARTS, *_ENDS]
        )
        .order_by("member_id", "effective_on", "seq")
        .values_list("member_id", "kind")
    )
    for member_id, kind in events:
        found[member_id] = _STARTS.get(kind, Standing.NORMAL)
    return found


def leaders_on(member_ids: list[UUID], day: date) -> set[UUID]:
    return set(
        Position.objects.filter(
            Q(ended_on__isnull=True) | Q(ended_on__gt=day),
            member_id__in=member_ids,
            role__in=list(LEADER_ROLES),
            started_on__lte=day,
        ).values_list("member_id", flat=True)
    )


# words of an occupation that make a member a civil servant or public employee (form 2B)
CIVIL_SERVANT_WORDS = ("cong chuc", "vien chuc", "can bo")


def form_for(*, leader: bool, occupation: str) -> str:
    """The self-assessment form a member most likely fills (the cell may change it): 2A for
    the members of a committee, 2B for civil servants and public employees, 2C otherwise."""
    if leader:
        return MemberForm.LEADER
    folded = text.fold(occupation)
    if any(word in folded for word in CIVIL_SERVANT_WORDS):
        return MemberForm.CIVIL_SERVANT
    return MemberForm.OTHER


def members_listed(root: Org, day: date) -> Iterator[list[Listed]]:
    """The members counted in a cell under ``root`` on ``day``, a batch at a time."""
    orgs = _orgs_around(root)
    cells = {
        pk: path for path, (pk, kind) in orgs.items() if kind in CELL_KINDS and path.startswith(root.path)
    }
    who: WhoIsRated = WHO_IS_RATED.value(day)
    probationary_rated = RatingRules().probationary_rated(day).value
    placements = (
        Placement.objects.filter(
            Q(valid_to__isnull=True) | Q(valid_to__gt=day),
            org_id__in=list(cells),
            counted=True,
            status__in=list(ACTIVE_STATUSES),
            valid_from__lte=day,
        )
        .order_by("member_id")
        .values_list("member_id", "org_id", "status")
    )
    rows = list(placements)
    for start in range(0, len(rows), BATCH):
        chunk = rows[start : start + BATCH]
        ids = [member_id for member_id, _, _ in chunk]
        standing = standings_on(ids, day)
        leaders = leaders_on(ids, day)
        occupations = dict(Member.objects.filter(pk__in=ids).values_list("pk", "occupation"))
        batch = []
        for member_id, cell_id, status in chunk:
            reason = ""
            if standing.get(member_id, "") in who.not_rated:
                reason = NotRated(standing[member_id]).value
            elif status == MemberStatus.PROBATIONARY and not probationary_rated:
                reason = NotRated.PROBATIONARY
            grassroots = grassroots_of(orgs, cells[cell_id]) or cell_id
            form = form_for(leader=member_id in leaders, occupation=occupations.get(member_id, ""))
            batch.append(Listed(member_id, cell_id, grassroots, status, form, reason))
        yield batch


@dataclass(frozen=True)
class OrgListed:
    org_id: UUID
    authority_id: UUID


def orgs_listed(root: Org, day: date) -> list[OrgListed]:
    """The cells and grassroots organizations standing under ``root`` (``root`` included) on
    ``day``, each with its direct superior, which rates it."""
    rated = CELL_KINDS | GRASSROOTS_KINDS
    rows = Org.objects.filter(paths.subtree_q(root.path), kind__in=list(rated), parent__isnull=False).filter(
        Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=day), created_on__lte=day
    )
    return [OrgListed(pk, parent_id) for pk, parent_id in rows.values_list("pk", "parent_id")]
