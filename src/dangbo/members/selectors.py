"""Reads of members. Today's figures use the projection (``org_path`` range); past dates use
``Placement`` joined to the organization versions of that date (DESIGN.md: core data)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import cast

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Max, Q, QuerySet
from django.db.models.functions import Substr

from dangbo.audit.services import Action, audit_record
from dangbo.core import clock, paths, text
from dangbo.core.models import is_uuid
from dangbo.core.pagination import CappedPaginator
from dangbo.core.roles import COMMITTEE_ROLES, Role
from dangbo.members import ledger
from dangbo.members.models import (
    ACTIVE_STATUSES,
    Candidate,
    Gender,
    Member,
    MemberEvent,
    MemberStatus,
    Placement,
    Position,
    Standing,
)
from dangbo.orgs.models import Org
from dangbo.orgs.selectors import NotInScope, org_versions_on
from dangbo.reference.models import KINH_CODE


def members_under(*, path: str) -> QuerySet[Member]:
    """Active members (probationary and full) of the subtree at ``path`` today."""
    return Member.objects.filter(paths.subtree_q(path, "org_path"), status__in=ACTIVE_STATUSES)


@dataclass(frozen=True)
class MemberFigures:
    total: int
    full: int
    probationary: int
    women: int
    ethnic_minority: int

    @property
    def women_share(self) -> float:
        return self.women / self.total if self.total else 0.0

    @property
    def ethnic_minority_share(self) -> float:
        return self.ethnic_minority / self.total if self.total else 0.0


# COUNT(status), not COUNT(id): every column these read is in the (org_path, status) INCLUDE
# (gender, ethnicity) index, so PostgreSQL counts a subtree with an index-only scan. (status
# is never null; COUNT(*) cannot take a FILTER in Django.)
_FIGURES = {
    "total": Count("status"),
    "full": Count("status", filter=Q(status=MemberStatus.FULL)),
    "probationary": Count("status", filter=Q(status=MemberStatus.PROBATIONARY)),
    "women": Count("status", filter=Q(gender=Gender.FEMALE)),
    "ethnic_minority": Count("status", filter=~Q(ethnicity_id=KINH_CODE)),
}


def member_figures(*, path: str) -> MemberFigures:
    return MemberFigures(**members_under(path=path).aggregate(**_FIGURES))


def member_figures_with_children(*, path: str) -> tuple[MemberFigures, dict[str, int]]:
    """The subtree's figures and the active members under each direct child (by the child's
    path), in one pass over the subtree instead of one for the figures and one per child: a
    province page counts its 500,000 members once."""
    child_width = len(path) + paths.SEGMENT_WIDTH + 1
    groups = (
        members_under(path=path)
        .annotate(branch=Substr("org_path", 1, child_width))
        .values("branch")
        .annotate(**_FIGURES)
        .order_by()
    )
    totals = dict.fromkeys(_FIGURES, 0)
    per_child: dict[str, int] = {}
    for group in groups:
        for name in _FIGURES:
            totals[name] += group[name]
        if group["branch"] != path:  # members of the organization itself, not of a child
            per_child[group["branch"]] = group["total"]
    return MemberFigures(**totals), per_child


def member_placements_on(*, day: date, root_path: str) -> QuerySet[Placement]:
    """Counted placements on ``day`` in organizations that were under ``root_path`` on that day."""
    org_ids = org_versions_on(day=day, root_path=root_path).values("org_id")
    return Placement.objects.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gt=day), valid_from__lte=day, counted=True, org_id__in=org_ids
    )


def member_count_on(*, day: date, root_path: str) -> int:
    return member_placements_on(day=day, root_path=root_path).count()


# --- Scoped reads of people: what the pages and the API call. Each read of a person, list,
# search or export is written to the audit trail here, so no caller can forget it. -------


@dataclass(frozen=True)
class MemberFilters:
    """Search filters, already validated (members.forms.MemberSearchForm builds them)."""

    q: str = ""
    org: Org | None = None  # an Org inside the actor's scope
    status: str = ""
    gender: str = ""
    ethnicity: str = ""
    religion: str = ""
    theory_level: str = ""
    age_min: int | None = None
    age_max: int | None = None
    as_of: date | None = None  # a past day: the members counted then, on that day's tree

    @property
    def past_day(self) -> date | None:
        return self.as_of if self.as_of is not None and self.as_of < clock.today() else None

    def as_audit(self) -> dict:
        data = {
            name: getattr(self, name)
            for name in (
                "q",
                "status",
                "gender",
                "ethnicity",
                "religion",
                "theory_level",
                "age_min",
                "age_max",
            )
        }
        data = {k: v for k, v in data.items() if v not in ("", None)}
        if self.past_day:
            data["as_of"] = self.past_day.isoformat()
        if self.org is not None:
            data["org"] = self.org.code
        return data


def _years_ago(today: date, years: int) -> date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def member_search(*, actor, filters: MemberFilters, today: date | None = None) -> QuerySet[Member]:
    """Members in the actor's scope matching ``filters``, in Vietnamese name order.

    With no status filter, members who have died are left out (as in an organization's roll).
    With a past ``as_of``: the members counted that day in the organization as it stood then
    (the tree of that day: a commune merged since still lists its members of that day),
    their status and age of that day.
    The name query is folded like the stored key, so "nguyen van duc" finds "Nguyễn Văn Đức";
    a query of 8 or 12 digits looks up the card number or the national ID instead.
    """
    today = today or clock.today()
    queryset = Member.objects.filter(actor.members_q())
    if filters.past_day:
        today = filters.past_day
        queryset = queryset.filter(pk__in=_placed_on(filters).values("member_id"))
    else:
        if filters.org is not None:
            queryset = queryset.filter(paths.subtree_q(filters.org.path, "org_path"))
        queryset = (
            queryset.filter(status=filters.status)
            if filters.status
            else queryset.filter(status__in=ACTIVE_STATUSES)
        )
    for name in ("gender", "ethnicity", "religion", "theory_level"):
        value = getattr(filters, name)
        if value:
            queryset = queryset.filter(**{f"{name}_id" if name != "gender" else name: value})
    if filters.age_min is not None:
        queryset = queryset.filter(birth_date__lte=_years_ago(today, filters.age_min))
    if filters.age_max is not None:
        queryset = queryset.filter(birth_date__gt=_years_ago(today, filters.age_max + 1))
    q = text.clean(filters.q)
    digits = q.replace(" ", "")
    if digits.isdigit() and len(digits) == 12:
        queryset = queryset.filter(national_id=digits)
    elif digits.isdigit() and len(digits) == 8:
        queryset = queryset.filter(card_number=digits)
    elif q:
        queryset = queryset.filter(search_key__contains=text.fold(q))
    return queryset.order_by("sort_key", "id")


def _placed_on(filters: MemberFilters) -> QuerySet[Placement]:
    """Counted placements on the past day of ``filters``, under its organization as of then."""
    from dangbo.orgs.selectors import org_version_on

    day = filters.past_day
    assert day is not None  # called for a search of a past day only
    root_path = None
    if filters.org is not None:
        version = org_version_on(org=filters.org, day=day)
        if version is None:
            return Placement.objects.none()
        root_path = version.path
    placements = Placement.objects.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gt=day),
        valid_from__lte=day,
        counted=True,
        org_id__in=org_versions_on(day=day, root_path=root_path).values("org_id"),
    )
    return (
        placements.filter(status=filters.status)
        if filters.status
        else placements.filter(status__in=ACTIVE_STATUSES)
    )


def _as_of_day(queryset: QuerySet[Member], filters: MemberFilters) -> QuerySet[Member]:
    """For a past day, each member's cell name and status of that day (``cell_then``, ``status_then``)."""
    from django.db.models import OuterRef, Subquery

    from dangbo.orgs.models import OrgVersion

    day = filters.past_day
    if day is None:
        return queryset
    placed = Placement.objects.filter(member=OuterRef("pk"), counted=True, valid_from__lte=day).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gt=day)
    )
    name = (
        OrgVersion.objects.filter(org_id=OuterRef("placed_org"), valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=day))
        .values("name")[:1]
    )
    return queryset.annotate(
        placed_org=Subquery(placed.values("org_id")[:1]),
        status_then=Subquery(placed.values("status")[:1]),
    ).annotate(cell_then=Subquery(name))


def member_search_page(*, actor, filters: MemberFilters, page: int = 1, per_page: int = 50):
    """One page of a search, audited with its filters and row count."""
    # Two steps: the page's ids by a walk along the name order that reads only the index
    # (member_name_order_walk carries every searched column), then those 50 rows. Asking
    # for whole rows at once would visit every row the walk passes over.
    paginator = CappedPaginator(
        member_search(actor=actor, filters=filters).values_list("pk", flat=True), per_page
    )
    page_obj = paginator.get_page(page)
    ids = list(page_obj.object_list)
    rows = _as_of_day(
        Member.objects.filter(pk__in=ids).select_related("org", "ethnicity", "theory_level"), filters
    ).in_bulk()
    page_obj.object_list = [rows[pk] for pk in ids]
    counted = (
        {"rows": paginator.count, "rows_capped": True} if paginator.capped else {"rows": paginator.count}
    )
    audit_record(
        action=Action.SEARCHED if (filters.q or filters.as_audit().keys() - {"org"}) else Action.LIST_VIEWED,
        subject_type="org" if filters.org is not None else "",
        subject_id=str(filters.org.pk) if filters.org is not None else "",
        data={"filters": filters.as_audit(), **counted, "page": page_obj.number},
    )
    return page_obj


def member_export_rows(*, actor, filters: MemberFilters, file_format: str) -> tuple[int, Iterator[Member]]:
    """The whole filtered list for export, audited (filters, format, row count)."""
    queryset = member_search(actor=actor, filters=filters)
    count = queryset.count()
    audit_record(
        action=Action.EXPORTED,
        subject_type="org" if filters.org is not None else "",
        subject_id=str(filters.org.pk) if filters.org is not None else "",
        data={"filters": filters.as_audit(), "rows": count, "format": file_format},
    )
    rows = queryset.select_related(
        "org", "ethnicity", "religion", "theory_level", "general_education", "professional_level"
    )
    return count, _as_of_day(rows, filters).iterator(chunk_size=2000)


def _member_in_scope(*, actor, member_id) -> Member:
    try:
        return (
            Member.objects.filter(actor.members_q())
            .select_related(
                "org",
                "ethnicity",
                "religion",
                "general_education",
                "professional_level",
                "theory_level",
                "residence_locality",
            )
            .get(pk=member_id)
        )
    except (Member.DoesNotExist, ValueError, TypeError, ValidationError):
        if Member.objects.filter(pk=member_id).exists() if is_uuid(member_id) else False:
            audit_record(
                action=Action.REFUSED,
                subject_type="member",
                subject_id=str(member_id),
                data={"reason": "out_of_scope"},
            )
        raise NotInScope(member_id) from None


def member_profile(*, actor, member_id) -> Member:
    """A member's record, audited as a view (a refused attempt on a real member is audited too)."""
    member = _member_in_scope(actor=actor, member_id=member_id)
    audit_record(action=Action.MEMBER_VIEWED, subject_type="member", subject_id=str(member.pk))
    return member


@dataclass(frozen=True)
class OrgChange:
    """A restructuring that moved the member's cell while they belonged to it (their own
    ledger did not change: the cell kept its identity); shown in the member's history."""

    effective_on: date
    kind_label: str
    cell_name: str
    parent_name: str
    decision_no: str
    decision_on: date | None
    decision_body: str
    is_org_change: bool = True


def member_org_changes(member: Member) -> list[OrgChange]:
    """The moves, merges and splits that placed the member's cell under another organization
    during the member's time in it, from the cell's dated versions and their events."""
    from dangbo.orgs.models import OrgEvent, OrgVersion

    kinds = [OrgEvent.Kind.MOVED, OrgEvent.Kind.MERGED, OrgEvent.Kind.SPLIT]
    changes = []
    for placement in Placement.objects.filter(member=member, counted=True):
        versions = OrgVersion.objects.filter(
            org_id=placement.org_id, valid_from__gt=placement.valid_from, event__kind__in=kinds
        )
        if placement.valid_to is not None:
            versions = versions.filter(valid_from__lt=placement.valid_to)
        for version in versions.select_related("event"):
            parent = (
                (
                    OrgVersion.objects.filter(org_id=version.parent_id, valid_from__lte=version.valid_from)
                    .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=version.valid_from))
                    .values_list("name", flat=True)
                    .first()
                )
                if version.parent_id
                else ""
            )
            event = cast(OrgEvent, version.event)  # filtered on its kind above
            changes.append(
                OrgChange(
                    effective_on=version.valid_from,
                    kind_label=event.get_kind_display(),
                    cell_name=version.name,
                    parent_name=parent or "",
                    decision_no=event.decision_no,
                    decision_on=event.decision_on,
                    decision_body=event.decision_body,
                )
            )
    return changes


def member_history(*, actor, member: Member) -> list:
    """The ledger of a member the actor may read, with the restructurings that moved their
    cell (``OrgChange``), oldest first."""
    if not actor.can_read_member(member):
        raise NotInScope(member.pk)
    events = list(
        MemberEvent.objects.filter(member=member)
        .select_related("from_org", "to_org", "position_org", "authority_org", "recorded_by")
        .order_by("effective_on", "seq")
    )
    changes = member_org_changes(member)
    if not changes:
        return events
    return sorted(events + changes, key=lambda item: (item.effective_on, getattr(item, "seq", 0)))


def member_national_id(*, actor, member_id) -> str:
    """The unmasked national ID: every reveal is audited."""
    member = _member_in_scope(actor=actor, member_id=member_id)
    audit_record(action=Action.NATIONAL_ID_REVEALED, subject_type="member", subject_id=str(member.pk))
    return member.national_id or ""


def member_list_of_org(*, actor, org, page: int = 1, per_page: int = 50):
    """The members whose organization is ``org`` itself (a cell's roll), audited as a list."""
    if not actor.can_read_path(org.path):
        raise NotInScope(org.pk)
    queryset = (
        Member.objects.filter(org=org, status__in=ACTIVE_STATUSES)
        .select_related("theory_level")
        .order_by("sort_key", "id")
    )
    page_obj = Paginator(queryset, per_page).get_page(page)
    audit_record(
        action=Action.LIST_VIEWED,
        subject_type="org",
        subject_id=str(org.pk),
        data={"list": "org_members", "rows": page_obj.paginator.count, "page": page_obj.number},
    )
    return page_obj


def member_for_edit(*, actor, member_id) -> Member:
    """A member the actor may change; a refused attempt on a real member is audited."""
    member = _member_in_scope(actor=actor, member_id=member_id)
    if not actor.can_write_member(member):
        audit_record(
            action=Action.REFUSED,
            subject_type="member",
            subject_id=str(member.pk),
            data={"reason": "read_only"},
        )
        raise NotInScope(member_id)
    return member


@dataclass(frozen=True)
class ProfileChange:
    at: datetime
    actor_name: str
    changes: list[tuple[str, str, str]]  # (field label, before, after)


def member_profile_changes(*, actor, member: Member) -> list[ProfileChange]:
    """Corrections of the member's profile fields, from the audit trail, oldest first."""
    from dangbo.audit.models import AuditEntry

    if not actor.can_read_member(member):
        raise NotInScope(member.pk)
    labels = {}
    for field in Member._meta.concrete_fields:
        labels[field.attname] = labels[field.name] = str(field.verbose_name)
    entries = AuditEntry.objects.filter(
        subject_type="member", subject_id=str(member.pk), action=Action.UPDATED
    ).order_by("seq")
    return [
        ProfileChange(
            at=entry.at,
            actor_name=entry.actor_name,
            changes=[
                (labels.get(name, name), old, new)
                for name, (old, new) in entry.data.get("changes", {}).items()
            ],
        )
        for entry in entries
    ]


# --- Party badges (RULES.md §6) -------------------------------------------------------------


@dataclass(frozen=True)
class BadgeCandidate:
    member: Member
    years: int
    reached_on: date
    ground: str


@dataclass(frozen=True)
class BadgeList:
    """Who may be awarded which badge on ``award_on``, for the organization ``org``."""

    org: Org
    award_on: date
    since: date  # the standard award date before: members who reached a badge after it are due now
    due: list[BadgeCandidate]
    early: list[BadgeCandidate]  # may be awarded early if seriously ill (not yet due)
    posthumous: list[BadgeCandidate]
    citation: str


def badge_list(*, actor, org, award_on: date, audit: bool = True) -> BadgeList:
    """The badge lists of ``org``'s subtree for the award date ``award_on``.

    Due: members in the Party who reached a milestone after the previous standard award date
    and up to ``award_on``, and have no badge of it yet. Early: those who will reach one within
    the early window for serious illness. Posthumous: members who died since the previous
    award date within 12 months of a milestone they had not been awarded.
    """
    from dangbo.rules import badges as rules

    if not actor.can_read_path(org.path):
        raise NotInScope(org.pk)
    since, _ = rules.award_days_around(award_on)
    milestones = rules.BADGE_MILESTONES.value(award_on)
    subtree = Member.objects.filter(paths.subtree_q(org.path, "org_path"), party_age_from__isnull=False)
    # Not before the deferral after discipline has run out (6, 9 or 12 months, RULES.md §6).
    active = subtree.filter(status__in=ACTIVE_STATUSES).filter(
        Q(badge_deferred_until__isnull=True) | Q(badge_deferred_until__lt=award_on)
    )
    due, early = [], []
    for years in milestones:
        not_yet = Q(badge_years__isnull=True) | Q(badge_years__lt=years)
        window_start, window_end = _years_before(since, years), _years_before(award_on, years)
        rows = active.filter(not_yet, party_age_from__gt=window_start, party_age_from__lte=window_end)
        due += [
            BadgeCandidate(
                m, years, rules.reached_on(cast(date, m.party_age_from), years), rules.Ground.REGULAR
            )
            for m in rows.select_related("org")
        ]
        months = rules.illness_early_months(years, award_on)
        early_end = _years_before(_months_after(award_on, months), years)
        rows = active.filter(not_yet, party_age_from__gt=window_end, party_age_from__lte=early_end)
        early += [
            BadgeCandidate(
                m, years, rules.reached_on(cast(date, m.party_age_from), years), rules.Ground.ILLNESS
            )
            for m in rows.select_related("org")
        ]
    posthumous = []
    grace = rules.BADGE_POSTHUMOUS_EARLY.value(award_on)
    for member in subtree.filter(
        status=MemberStatus.DIED, died_on__gt=since, died_on__lte=award_on
    ).select_related("org"):
        # both dates are set: the queries above filter on them
        party_age_from, died_on = cast(date, member.party_age_from), cast(date, member.died_on)
        reachable = [
            y for y in milestones if rules.reached_on(party_age_from, y) <= _months_after(died_on, grace)
        ]
        if reachable and max(reachable) > (member.badge_years or 0):
            years = max(reachable)
            posthumous.append(
                BadgeCandidate(
                    member, years, rules.reached_on(party_age_from, years), rules.Ground.POSTHUMOUS
                )
            )
    order = lambda c: (-c.years, c.member.sort_key)  # noqa: E731
    result = BadgeList(
        org=org,
        award_on=award_on,
        since=since,
        due=sorted(due, key=order),
        early=sorted(early, key=order),
        posthumous=sorted(posthumous, key=order),
        citation=rules.BADGE_MILESTONES.at(award_on).ref,
    )
    if audit:
        audit_record(
            action=Action.LIST_VIEWED,
            subject_type="org",
            subject_id=str(org.pk),
            data={
                "list": "badges",
                "award_on": award_on.isoformat(),
                "rows": len(result.due) + len(result.early) + len(result.posthumous),
            },
        )
    return result


def _years_before(day: date, years: int) -> date:
    from dangbo.rules.probation import add_months

    return add_months(day, -12 * years)


def _months_after(day: date, months: int) -> date:
    from dangbo.rules.probation import add_months

    return add_months(day, months)


# --- Committees and positions (RULES.md §1.3) ------------------------------------------------


def org_committee_gaps(*, actor, org, on: date | None = None) -> list:
    """What the organization's leadership lacks or exceeds today (rules.positions.committee_gaps)."""
    from dangbo.core.kinds import CELL_KINDS
    from dangbo.members.models import Position
    from dangbo.rules.positions import committee_gaps

    if not actor.can_read_path(org.path) or org.dissolved_on is not None:
        return []
    holders: dict[str, int] = {}
    for role in Position.objects.filter(org=org, ended_on__isnull=True).values_list("role", flat=True):
        holders[role] = holders.get(role, 0) + 1
    full = (
        Member.objects.filter(org=org, status=MemberStatus.FULL).count() if org.kind in CELL_KINDS else None
    )
    return committee_gaps(org_kind=org.kind, on=on or clock.today(), holders=holders, full_members=full)


def position_candidates(*, actor, org) -> QuerySet[Member]:
    """Members who may be chosen for a position in ``org``: its own members for a cell; for a
    committee, members of its subtree (found by card number or national ID on the form)."""
    if not actor.can_write_path(org.path):
        raise NotInScope(org.pk)
    return Member.objects.filter(paths.subtree_q(org.path, "org_path"), status__in=ACTIVE_STATUSES).order_by(
        "sort_key", "id"
    )


def org_position(*, actor, org, member_id, role):
    """The current position ``role`` of member ``member_id`` in ``org``, which the actor may end.
    (Position rows are rebuilt from the ledger on every event, so they are named by member
    and role, never by their own id.)"""
    from dangbo.members.models import Position

    if not actor.can_write_path(org.path) or not is_uuid(member_id) or role not in Role.values:
        raise NotInScope(member_id)
    position = (
        Position.objects.filter(org=org, member_id=member_id, role=role, ended_on__isnull=True)
        .select_related("member")
        .first()
    )
    if position is None:
        raise NotInScope(member_id)
    return position


# --- Transfers (RULES.md §2.5) ----------------------------------------------------------------


def transfer_cases(*, actor, org, state: str = "open"):
    """Transfer cases leaving or entering ``org``'s subtree: both sides see them (the
    receiving side sees the incoming member's name and where they come from)."""
    from dangbo.members.models import TransferCase

    if not actor.can_read_path(org.path):
        raise NotInScope(org.pk)
    touching = paths.subtree_q(org.path, "from_org__path") | paths.subtree_q(org.path, "to_org__path")
    return (
        TransferCase.objects.filter(touching, state=state)
        .select_related("member", "from_org", "to_org")
        .order_by("issued_on", "created_at")
    )


def transfer_case_list(*, actor, org) -> list:
    """The open cases of ``org``'s page, audited as a list of people."""
    cases = list(transfer_cases(actor=actor, org=org))
    audit_record(
        action=Action.LIST_VIEWED,
        subject_type="org",
        subject_id=str(org.pk),
        data={"list": "transfers", "rows": len(cases)},
    )
    return cases


def transfer_cases_late(*, actor, org):
    """Cases leaving or entering ``org``'s subtree recorded late (letter or arrival) whose
    handling is not yet recorded, open or completed: they stay flagged until closed."""
    from dangbo.members.models import TransferCase

    if not actor.can_read_path(org.path):
        raise NotInScope(org.pk)
    touching = paths.subtree_q(org.path, "from_org__path") | paths.subtree_q(org.path, "to_org__path")
    return (
        TransferCase.objects.filter(touching, late_closed_on__isnull=True)
        .filter(Q(letter_late=True) | Q(arrival_late=True))
        .select_related("member", "from_org", "to_org")
        .order_by("issued_on", "created_at")
    )


def transfer_case_late_list(*, actor, org) -> list:
    """The late cases of ``org``'s transfers page, audited as a list of people."""
    cases = list(transfer_cases_late(actor=actor, org=org))
    audit_record(
        action=Action.LIST_VIEWED,
        subject_type="org",
        subject_id=str(org.pk),
        data={"list": "late_transfers", "rows": len(cases)},
    )
    return cases


def transfer_case_to_confirm(*, actor, case_id, org=None):
    """An open case arriving in ``org``'s subtree (or anywhere the actor may write, without
    ``org``) that the actor may confirm."""
    from dangbo.members.models import TransferCase

    if not is_uuid(case_id) or (org is not None and not actor.can_write_path(org.path)):
        raise NotInScope(case_id)
    case = (
        TransferCase.objects.filter(pk=case_id, state=TransferCase.State.OPEN)
        .select_related("member", "from_org", "to_org")
        .first()
    )
    if (
        case is None
        or not actor.can_write_path(case.to_org.path)
        or (org is not None and not paths.is_within(case.to_org.path, org.path))
    ):
        raise NotInScope(case_id)
    return case


def transfer_case_to_close(*, actor, case_id, org=None):
    """A case recorded late and not yet handled, whose handling the actor may record: either
    side may (the letter is the sender's, the arrival the receiver's), within ``org`` if given."""
    from dangbo.members.models import TransferCase

    if not is_uuid(case_id):
        raise NotInScope(case_id)
    case = (
        TransferCase.objects.filter(pk=case_id, late_closed_on__isnull=True)
        .filter(Q(letter_late=True) | Q(arrival_late=True))
        .select_related("member", "from_org", "to_org")
        .first()
    )
    if case is None:
        raise NotInScope(case_id)
    sides = [
        o
        for o in (case.from_org, case.to_org)
        if actor.can_write_path(o.path) and (org is None or paths.is_within(o.path, org.path))
    ]
    if not sides:
        raise NotInScope(case_id)
    return case


# --- What is due (to-do) ------------------------------------------------------------------------


@dataclass(frozen=True)
class DueItem:
    kind: str  # "admission_decision" | "ceremony" | "recognition" | "badge", or one of TRANSFER_KINDS
    title: str
    org: Org
    member: Member | None
    due_on: date
    citation: str
    overdue: bool
    note: str = ""
    candidate: Candidate | None = None  # for the admission steps, before there is a member

    @property
    def person_name(self) -> str:
        person = self.member or self.candidate
        return person.full_name if person else ""

    @property
    def sort_name(self) -> str:
        person = self.member or self.candidate
        return person.sort_key if person else ""


DUE_HORIZON_DAYS = 30


def due_items(
    *, actor, org, as_of: date | None = None, horizon_days: int = DUE_HORIZON_DAYS, audit: bool = True
) -> list[DueItem]:
    """What is overdue, and what falls due in the next ``horizon_days`` days, in ``org``'s
    subtree: admission decisions and ceremonies (60 and 30 working days, RULES.md §2.2), the
    cell's review of probationary members for recognition (30 working days after
    the 12 months, §2.3), transfers on either side (§2.5: open ones by the 30 working days to
    present the letter, late ones until their handling is recorded, cells a transfer leaves
    below three full members) and the badges due at the next award date (§6). Oldest first."""
    from datetime import timedelta

    from dangbo.reference.workdays import holidays_between
    from dangbo.rules import badges as badge_rules
    from dangbo.rules.probation import PROBATION_MONTHS, add_months, recognition_review_due

    if not actor.can_read_path(org.path):
        raise NotInScope(org.pk)
    as_of = as_of or clock.today()
    until = as_of + timedelta(days=horizon_days)
    items: list[DueItem] = []
    # A review falls due after probation ends, so only ceremonies at least the probation
    # (12 months) before ``until`` can be due.
    probationary = list(
        Member.objects.filter(
            paths.subtree_q(org.path, "org_path"),
            status=MemberStatus.PROBATIONARY,
            ceremony_on__lte=add_months(until, -PROBATION_MONTHS.value(until)),
        ).select_related("org")
    )
    # ceremony_on is set on every member the filter on it returned
    earliest = min([cast(date, m.ceremony_on) for m in probationary] + [as_of - timedelta(days=366)])
    holidays = holidays_between(earliest, until + timedelta(days=200))  # once, for every deadline below
    for member in probationary:
        ends, due, ref = recognition_review_due(cast(date, member.ceremony_on), holidays=holidays)
        if due <= until:
            items.append(
                DueItem(
                    kind="recognition",
                    title="Chi bộ xét công nhận đảng viên chính thức",
                    org=member.org,
                    member=member,
                    due_on=due,
                    citation=ref,
                    overdue=due < as_of,
                    note=f"hết 12 tháng dự bị ngày {ends:%d/%m/%Y}; nếu đủ điều kiện, là đảng viên chính thức từ ngày này",
                )
            )
    items += _candidate_due_items(org, as_of=as_of, until=until, holidays=holidays)
    items += _transfer_due_items(actor, org, as_of=as_of, until=until, holidays=holidays)
    previous, award_on = badge_rules.award_days_around(as_of)
    # the last award day's list still unawarded (overdue), and the next one's within the window
    for day, overdue in ((previous, True), (award_on, False)):
        if day > until:
            continue
        badges = badge_list(actor=actor, org=org, award_on=day, audit=False)
        for c in badges.due + badges.posthumous:
            items.append(
                DueItem(
                    kind="badge",
                    title=f"Xét tặng Huy hiệu {c.years} năm tuổi đảng"
                    + (" (truy tặng)" if c.ground == badge_rules.Ground.POSTHUMOUS else ""),
                    org=c.member.org,
                    member=c.member,
                    due_on=day,
                    citation=badges.citation,
                    overdue=overdue,
                    note=f"đủ {c.years} năm tuổi đảng ngày {c.reached_on:%d/%m/%Y}"
                    + (f"; chưa ghi nhận tặng trong đợt {day:%d/%m/%Y}" if overdue else ""),
                )
            )
    items.sort(key=lambda i: (i.due_on, i.kind, i.sort_name))
    if audit:
        audit_record(
            action=Action.LIST_VIEWED,
            subject_type="org",
            subject_id=str(org.pk),
            data={"list": "todo", "as_of": as_of.isoformat(), "rows": len(items)},
        )
    return items


# due_items' kinds for transfers: open (the letter not yet presented), recorded late and not
# handled (letter, arrival), and a cell a confirmed transfer leaves below the minimum.
TRANSFER_KINDS = ("transfer", "transfer_letter_late", "transfer_arrival_late", "cell_below_minimum")


def _side(org, preferred, other):
    """The side of a transfer to list it under: ``preferred`` when it lies in ``org``'s subtree."""
    return preferred if paths.is_within(preferred.path, org.path) else other


def _late_note(case, reason: str, note: str) -> str:
    from dangbo.rules.transfers import LATE_REASONS

    label = dict(LATE_REASONS).get(reason, reason)
    return f"lý do: {label.lower()}" + (f" — {note}" if note else "")


def _transfer_due_items(actor, org, *, as_of: date, until: date, holidays) -> list[DueItem]:
    from dangbo.members.models import TransferCase
    from dangbo.rules import orgs as org_rules
    from dangbo.rules import transfers as transfer_rules

    items: list[DueItem] = []
    present = transfer_rules.TRANSFER_PRESENT_WORKING_DAYS
    for case in transfer_cases(actor=actor, org=org).filter(issued_on__lte=as_of):
        present_by = transfer_rules.arrival_due(case.issued_on, holidays=holidays)
        if present_by <= until:
            items.append(
                DueItem(
                    kind="transfer",
                    title=f"Chuyển sinh hoạt đảng: {case.from_org.name} → {case.to_org.name}",
                    org=_side(org, case.to_org, case.from_org),
                    member=case.member,
                    due_on=present_by,
                    citation=present.at(case.issued_on).ref,
                    overdue=present_by < as_of,
                    note=f"giới thiệu ngày {case.issued_on:%d/%m/%Y}; đảng viên xuất trình giấy giới thiệu, nơi đến xác nhận tiếp nhận trước {present_by:%d/%m/%Y}",
                )
            )
    for case in transfer_cases_late(actor=actor, org=org).filter(issued_on__lte=as_of):
        if case.letter_late and case.trigger_on is not None:
            due = transfer_rules.letter_due(case.trigger_on, holidays=holidays)
            items.append(
                DueItem(
                    kind="transfer_letter_late",
                    title="Giới thiệu chuyển sinh hoạt đảng chậm hạn, chưa ghi nhận xử lý",
                    org=_side(org, case.from_org, case.to_org),
                    member=case.member,
                    due_on=due,
                    overdue=True,
                    citation=transfer_rules.TRANSFER_COMPLETE_WORKING_DAYS.at(case.trigger_on).ref,
                    note=(
                        f"{case.get_trigger_kind_display().lower()} ngày {case.trigger_on:%d/%m/%Y}; giới thiệu ngày {case.issued_on:%d/%m/%Y}; "
                        + _late_note(case, case.letter_late_reason, case.letter_late_note)
                    ),
                )
            )
        if case.arrival_late and case.arrived_on is not None and case.arrived_on <= as_of:
            due = transfer_rules.arrival_due(case.issued_on, holidays=holidays)
            items.append(
                DueItem(
                    kind="transfer_arrival_late",
                    title="Đảng viên xuất trình giấy giới thiệu chậm hạn, chưa ghi nhận xử lý",
                    org=_side(org, case.to_org, case.from_org),
                    member=case.member,
                    due_on=due,
                    overdue=True,
                    citation=present.at(case.issued_on).ref,
                    note=(
                        f"giới thiệu ngày {case.issued_on:%d/%m/%Y}, đến sinh hoạt ngày {case.arrived_on:%d/%m/%Y}; "
                        + _late_note(case, case.arrival_late_reason, case.arrival_late_note)
                    ),
                )
            )
    # Cells a transfer was confirmed to leave below the minimum, while they stay below it
    # (counting the full members still on their way out); compliance check 1 reports the same
    # rule over every cell from today's counts.
    warned = (
        TransferCase.objects.filter(
            paths.subtree_q(org.path, "from_org__path"), leaves_below_minimum=True, issued_on__lte=as_of
        )
        .values_list("from_org_id")
        .annotate(last=Max("issued_on"))
        .order_by()
    )
    last_warned = dict(warned)
    if last_warned:
        full = dict(
            Member.objects.filter(org_id__in=list(last_warned), status=MemberStatus.FULL)
            .values_list("org_id")
            .annotate(n=Count("id"))
            .order_by()
        )
        leaving = dict(
            TransferCase.objects.filter(
                from_org_id__in=list(last_warned),
                state=TransferCase.State.OPEN,
                member__status=MemberStatus.FULL,
            )
            .values_list("from_org_id")
            .annotate(n=Count("id"))
            .order_by()
        )
        minimum = org_rules.MIN_FULL_MEMBERS.at(as_of)
        for cell in Org.objects.filter(pk__in=list(last_warned), dissolved_on__isnull=True).order_by("path"):
            remaining = full.get(cell.pk, 0) - leaving.get(cell.pk, 0)
            if remaining >= minimum.value:
                continue
            items.append(
                DueItem(
                    kind="cell_below_minimum",
                    title=f"Chi bộ dưới {minimum.value} đảng viên chính thức",
                    org=cell,
                    member=None,
                    due_on=last_warned[cell.pk],
                    citation=minimum.ref,
                    overdue=False,
                    note=(
                        f"{cell.name} còn {remaining} đảng viên chính thức (không kể đảng viên đang chuyển đi); "
                        "cấp ủy cấp trên cần bổ sung đảng viên hoặc hợp nhất chi bộ"
                    ),
                )
            )
    return items


def _candidate_due_items(org, *, as_of: date, until: date, holidays) -> list[DueItem]:
    from dangbo.members.candidate_selectors import candidate_next_due
    from dangbo.members.models import Candidate, CandidateStep

    waiting = Candidate.objects.filter(
        paths.subtree_q(org.path, "cell_path"),
        state=Candidate.State.ACTIVE,
        stage__in=[
            CandidateStep.Kind.CELL_VOTE,
            CandidateStep.Kind.GRASSROOTS_RESOLUTION,
            CandidateStep.Kind.DECISION,
        ],
    ).select_related("cell")
    items = []
    for candidate in waiting:
        due = candidate_next_due(candidate, holidays=holidays)
        if due is None or due.due_on > until:
            continue
        if due.step == CandidateStep.Kind.CEREMONY:
            title, kind, note = (
                "Tổ chức lễ kết nạp",
                "ceremony",
                f"quyết định kết nạp ngày {candidate.stage_on:%d/%m/%Y}",
            )
        else:
            title, kind, note = (
                "Quyết định kết nạp",
                "admission_decision",
                "chi bộ đã biểu quyết đề nghị kết nạp",
            )
        items.append(
            DueItem(
                kind=kind,
                title=title,
                org=candidate.cell,
                member=None,
                candidate=candidate,
                due_on=due.due_on,
                citation=due.rule_ref,
                overdue=due.due_on < as_of,
                note=note,
            )
        )
    return items


def members_by_numbers(*, parent, numbers: list[str]) -> tuple[list[Member], list[str]]:
    """Active members of ``parent``'s subtree named by card number (8 digits) or national ID
    (12 digits), in the order typed; and the numbers that name none of them."""
    wanted = [n.strip() for n in numbers if n.strip()]
    found = {
        key: member
        for member in Member.objects.filter(
            paths.subtree_q(parent.path, "org_path"), status__in=ACTIVE_STATUSES
        ).filter(Q(card_number__in=wanted) | Q(national_id__in=wanted))
        for key in (member.card_number, member.national_id)
        if key
    }
    members = list({found[n].pk: found[n] for n in wanted if n in found}.values())
    return members, [n for n in wanted if n not in found]


def hosted_members(*, actor, org) -> list[Member]:
    """Members hosted by ``org`` on a temporary transfer (RULES.md §2.5): listed by name at the
    host, counted at home. Like an incoming transfer, the host must know whom it hosts, so the
    names show even when the home cell lies outside the actor's scope; the records do not."""
    if not actor.can_read_path(org.path):
        raise NotInScope(org.pk)
    return list(
        Member.objects.filter(host_org=org, standing=Standing.TEMP_AWAY, status__in=ACTIVE_STATUSES)
        .select_related("org")
        .order_by("sort_key", "id")
    )


# --- votes (RULES.md §3) -------------------------------------------------------------------


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
