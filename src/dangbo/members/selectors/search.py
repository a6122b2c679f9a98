"""Finding members: the search (today, or on a past day's tree), its page and its export, an
organization's own roll, and members named by card number or national ID. Each read of
people is audited here, so no caller can forget it."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from itertools import islice

from django.core.paginator import Paginator
from django.db.models import OuterRef, Q, QuerySet, Subquery

from dangbo.audit.services import Action, audit_record
from dangbo.core import clock, pagination, paths, text
from dangbo.core.kinds import GRASSROOTS_KINDS
from dangbo.core.pagination import CappedPaginator
from dangbo.core.words import query_words, word_starts_q
from dangbo.members.models import ACTIVE_STATUSES, Member, Placement
from dangbo.members.selectors import one_word
from dangbo.orgs.models import Org, OrgVersion
from dangbo.orgs.selectors import NotInScope, org_version_on, org_versions_on
from dangbo.reference.identity import mask_national_id


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
        if data.get("q"):
            data["q"] = masked_query(data["q"])
        if self.past_day:
            data["as_of"] = self.past_day.isoformat()
        if self.org is not None:
            data["org"] = self.org.code
        return data


def masked_query(q: str) -> str:
    """A query as the audit trail keeps it: a national ID or card number (the digits of one)
    masked to its last three digits, a name as typed (issue 18)."""
    digits = text.clean(q).replace(" ", "")
    return mask_national_id(digits) if digits.isdigit() and len(digits) >= 8 else q


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
    The name query is folded like the stored key and each of its words must begin a word of the
    name, in any order (``core.words``): "nguyen van duc" and "nguyen duc" find "Nguyễn Văn Đức",
    "huong" finds "Hương" but not "Phương";
    a query of 8 or 12 digits looks up the card number or the national ID instead.
    """
    return _named(_unnamed_search(actor=actor, filters=filters, today=today), filters.q)


def _named(queryset: QuerySet[Member], query: str) -> QuerySet[Member]:
    """``queryset`` narrowed by the name or number query of a search."""
    number = _number(query)
    if number is not None:
        return queryset.filter(**{number[0]: number[1]})
    q = text.clean(query)
    return queryset.filter(word_starts_q("search_key", query_words(q))) if q else queryset


def _unnamed_search(*, actor, filters: MemberFilters, today: date | None = None) -> QuerySet[Member]:
    """``member_search`` without its name or number query."""
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
    return queryset.order_by("sort_key", "id")


def _number(query: str) -> tuple[str, str] | None:
    """(field, digits) of a query read as a national ID (12 digits) or a card number (8)."""
    digits = text.clean(query).replace(" ", "")
    if digits.isdigit() and len(digits) in (8, 12):
        return ("national_id" if len(digits) == 12 else "card_number", digits)
    return None


def _placed_on(filters: MemberFilters) -> QuerySet[Placement]:
    """Counted placements on the past day of ``filters``, under its organization as of then."""
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


# The member fields the result list shows (members/_results.html), with the cell's label.
RESULT_FIELDS = (
    "id",
    "family_name",
    "middle_name",
    "given_name",
    "gender",
    "birth_date",
    "status",
    "org__id",
    "org__code",
    "org__name",
    "org__path",
    "org__kind",
    "ethnicity__name",
    "theory_level__name",
)


def member_search_page(*, actor, filters: MemberFilters, page: int = 1, per_page: int = 50):
    """One page of a search, audited with its filters and row count."""
    # Two steps: the page's ids by a walk along the name order that reads only the index
    # (member_name_order_walk carries every searched column), then those 50 rows. Asking
    # for whole rows at once would visit every row the walk passes over.
    # The walk reads the first COUNT_CAP + 1 ids at once: they give the count (or "more than")
    # and the page, in one pass where a count and a page would make two (a rare name's
    # search reads every key either way, a common name's stops early).
    # A one-word search over a large register is read in two parts instead (one_word: a
    # given name late in the alphabet would make the walk read most of the register).
    unnamed = _unnamed_search(actor=actor, filters=filters)
    ids_in_order = _named(unnamed, filters.q).values_list("pk", flat=True)
    cap = pagination.COUNT_CAP
    if page * per_page <= cap:
        first = None
        if filters.past_day is None and _number(filters.q) is None:
            first = one_word.first_ids(unnamed, filters.q, cap + 1)
        paginator = CappedPaginator(list(ids_in_order[: cap + 1]) if first is None else first, per_page)
    else:
        paginator = CappedPaginator(ids_in_order, per_page)
    page_obj = paginator.get_page(page)
    ids = list(page_obj.object_list)
    rows = _as_of_day(
        Member.objects.filter(pk__in=ids)
        .select_related("org", "ethnicity", "theory_level")
        .only(*RESULT_FIELDS),  # what the list shows: a whole row's dates cost more to read than the page
        filters,
    ).in_bulk()
    page_obj.object_list = [rows[pk] for pk in ids]
    if filters.past_day is None:
        for row in page_obj.object_list:  # the template asks; a missing attribute costs a dir() each
            row.status_then = row.cell_then = None
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


def member_search_exceeds(*, actor, filters: MemberFilters, limit: int) -> int | None:
    """The number of members the search finds when it is more than ``limit``, else None
    (counting at most ``limit + 1`` rows to tell; then the exact count)."""
    queryset = member_search(actor=actor, filters=filters)
    if queryset[: limit + 1].count() <= limit:
        return None
    return queryset.count()


def member_export_rows(
    *, actor, filters: MemberFilters, file_format: str, purpose: str = ""
) -> tuple[int, Iterator[Member]]:
    """The whole filtered list for export, audited (filters, format, row count, and the stated
    purpose of a long list)."""
    queryset = member_search(actor=actor, filters=filters)
    count = queryset.count()
    data = {"filters": filters.as_audit(), "rows": count, "format": file_format}
    if purpose:
        data["purpose"] = purpose
    audit_record(
        action=Action.EXPORTED,
        subject_type="org" if filters.org is not None else "",
        subject_id=str(filters.org.pk) if filters.org is not None else "",
        data=data,
    )
    rows = queryset.select_related(
        "org", "ethnicity", "religion", "theory_level", "general_education", "professional_level"
    )
    return count, _with_grassroots(_as_of_day(rows, filters).iterator(chunk_size=2000), filters.past_day)


def _nearest_grassroots(path: str, names: dict[str, str | None]) -> str:
    """The name of the grassroots organization at or above ``path`` (``names``: path → name of a
    grassroots organization, None for another kind), "" when there is none."""
    for ancestor in reversed(paths.ancestor_paths(path)):
        if name := names.get(ancestor):
            return name
    return ""


def _placed_org(member: Member) -> uuid.UUID | None:
    """The organization of a past day's placement (``_as_of_day``; SQLite gives it as text)."""
    value = getattr(member, "placed_org", None)
    return value if value is None or isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def _with_grassroots(members: Iterator[Member], day: date | None, chunk: int = 2000) -> Iterator[Member]:
    """Each member with ``grassroots_name``: the grassroots organization (đảng bộ cơ sở, chi bộ
    cơ sở) above their cell, or their organization itself when it is one; on a past ``day``, as
    the tree stood then (``placed_org``, from ``_as_of_day``). A chunk of rows at a time, one
    or two queries each; what was found is kept for the next chunks."""
    names: dict[str, str | None] = {}  # path → grassroots name, None for another kind
    placed: dict[object, str] = {}  # on a past day: organization id → its path that day
    versions = org_versions_on(day=day or clock.today())
    grassroots: QuerySet = (versions if day is not None else Org.objects).filter(kind__in=GRASSROOTS_KINDS)
    while batch := list(islice(members, chunk)):
        if day is not None:
            wanted_ids = {_placed_org(m) for m in batch} - placed.keys() - {None}
            placed.update(versions.filter(org_id__in=wanted_ids).values_list("org_id", "path"))
        own = {m.pk: placed.get(_placed_org(m), "") if day is not None else m.org_path for m in batch}
        wanted = {a for path in own.values() if path for a in paths.ancestor_paths(path)} - names.keys()
        if wanted:
            names.update(dict.fromkeys(wanted))
            names.update(grassroots.filter(path__in=wanted).values_list("path", "name"))
        for member in batch:
            setattr(member, "grassroots_name", _nearest_grassroots(own[member.pk], names))  # noqa: B010
            yield member


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
