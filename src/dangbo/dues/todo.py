"""Unpaid dues and striking off (RULES.md §7, §11 rule 12): the dues' part of the to-do list and
of the striking-off page, registered through ``members.hooks`` in ``DuesConfig.ready()``.

- ``dues_due_items`` (a due source) gives, for the members active in the subtree today (in a
  cell of it now), from their months in whatever cell they were then — a member who moved
  brings the months they owe to the cell that keeps them now, the one that can consider
  striking them off, and the cell they left lists them no more:
  * ``dues_arrears``: a member with months unpaid (owed, something due, not covered, not
    deferred: ``DuesMonth.unpaid``) among the months of the year of the list's day and the
    year before that are over by that day — the months and the amount named; overdue from the
    end of the first of them;
  * ``dues_strike_off_review``: three unpaid months in one of those years
    (``rules.dues.unpaid_reviews``; a deferred or exempted month is not unpaid), a matter for
    the cell to consider with the months and the citation, dated by the end of the month that
    made the third, listed for a year — as ``meetings.todo`` does for absences;
  * ``dues_no_basis``: a cell that keeps its dues book (some member owes the month with a
    basis recorded) and has members counted in it with no dues basis: one item per cell, the members
    named, so the secretary records their basis (not those whom fifty years of party age
    exempt: they need none). A cell that has not started its book is not
    listed (an office starts its book when it starts using the system).
- ``strike_off_evidence`` (the striking-off hook): a member's unpaid months of the year of the
  striking off and the year before, for the ground «bỏ sinh hoạt đảng hoặc không đóng đảng phí
  3 tháng trong năm», linking the member's dues page (``dues:member_dues``) when it is routed;
  the striking-off event records them.

On a past day the months are those over by then, paid as the accounts stand now (an account does
not keep when a month was covered). Every read is of the unpaid months only (grouped by member in Python), or grouped per cell:
a province's list does not read its millions of paid months.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date

from django.db.models import Count, Exists, F, OuterRef, Q

from dangbo.core import paths
from dangbo.core.formats import format_number
from dangbo.dues.models import DuesBasis, DuesCellMonth, DuesMonth
from dangbo.dues.party_age import party_age_exempt_q
from dangbo.dues.selectors import UNPAID
from dangbo.members.hooks import EvidenceLink, StrikeOffEvidence
from dangbo.members.models import ACTIVE_STATUSES, Member, Placement
from dangbo.members.selectors.todo import REVIEW_LISTED_FOR, DueItem
from dangbo.orgs.models import Org
from dangbo.rules import dues as rules
from dangbo.rules import exits as exit_rules
from dangbo.rules.probation import add_months

ARREARS_KIND = "dues_arrears"
REVIEW_KIND = "dues_strike_off_review"
NO_BASIS_KIND = "dues_no_basis"
MEMBER_PAGE = "dues:member_dues"  # the member's dues page (URL name), linked when routed
ARREARS_TITLE = "Đảng viên chưa nộp đủ đảng phí"
REVIEW_TITLE = "Chi bộ xem xét xóa tên: không đóng đảng phí 3 tháng trong năm"
NO_BASIS_TITLE = "Ghi căn cứ đóng đảng phí cho đảng viên chưa có"
NAMES_IN_NOTE = 15
CHUNK = 500


def last_month_over(day: date) -> date:
    """The first day of the last month that is over on ``day``."""
    return add_months(day.replace(day=1), -1)


def _money(amount: int) -> str:
    return f"{format_number(amount)} đồng"


def months_text(months: list[date]) -> str:
    """ "02, 03, 05/2026; 11, 12/2025" — the months grouped by year, oldest year last."""
    by_year: dict[int, list[int]] = defaultdict(list)
    for month in sorted(months):
        by_year[month.year].append(month.month)
    return "; ".join(
        ", ".join(f"{m:02d}" for m in by_year[year]) + f"/{year}" for year in sorted(by_year, reverse=True)
    )


def _unpaid(*, first: date, last: date, subtree: str | None = None, member=None):
    rows = DuesMonth.objects.filter(UNPAID, month__gte=first, month__lte=last)
    if subtree is not None:  # the members in the subtree now, with their months in any cell
        rows = rows.filter(
            paths.subtree_q(subtree, "member__org_path"), member__status__in=list(ACTIVE_STATUSES)
        )
    if member is not None:
        rows = rows.filter(member=member)
    return rows.annotate(short=F("due") - F("paid")).order_by("member_id", "month")


def unpaid_months(*, first: date, last: date, subtree: str | None = None, member=None):
    """(member id, month, amount short) of the unpaid months from ``first`` to ``last`` of the
    members active in ``subtree`` now (or of one ``member``), oldest first."""
    return _unpaid(first=first, last=last, subtree=subtree, member=member).values_list(
        "member_id", "month", "short"
    )


# What an item shows of a member, read with the unpaid months (the rest loads on use, as .only()).
_MEMBER_FIELDS = ("id", "family_name", "middle_name", "given_name", "sort_key", "org_id")


def dues_due_items(actor, org, *, as_of: date, until: date, holidays) -> list[DueItem]:
    """The dues items of ``org``'s subtree on ``as_of`` (a due source; ``due_items`` has checked
    that ``actor`` may read ``org``). One query for the unpaid months with their members' names
    (through the partial index of unpaid months), one for their cells."""
    by_member: dict = defaultdict(list)
    members: dict = {}
    rows = _unpaid(
        first=date(as_of.year - 1, 1, 1), last=last_month_over(as_of), subtree=org.path
    ).values_list("month", "short", *(f"member__{name}" for name in _MEMBER_FIELDS))
    for month, short, *member in rows:
        by_member[member[0]].append((month, short))
        if member[0] not in members:
            members[member[0]] = Member.from_db(rows.db, list(_MEMBER_FIELDS), member)
    cells = Org.objects.in_bulk(list({member.org_id for member in members.values()}))
    items = []
    for member_id, found in by_member.items():
        member = members[member_id]
        member.org = cells[member.org_id]
        months = [month for month, _ in found]
        items.append(
            DueItem(
                kind=ARREARS_KIND,
                title=ARREARS_TITLE,
                org=member.org,
                member=member,
                due_on=add_months(months[0], 1),
                citation=rules.RATES.at(months[-1]).ref,
                overdue=True,
                note=f"chưa nộp đủ các tháng {months_text(months)}: còn thiếu {_money(sum(s for _, s in found))}",
            )
        )
        items += _reviews(member, months, as_of=as_of)
    return items + _no_basis_items(org, as_of=as_of)


def _reviews(member: Member, months: list[date], *, as_of: date) -> list[DueItem]:
    found = []
    for year in (as_of.year - 1, as_of.year):
        review = rules.unpaid_reviews(months, year=year)
        if not review:
            continue
        rule = exit_rules.STRIKE_OFF_MISSED_MONTHS.at(date(year, 12, 31))
        arose = add_months(review[rule.value - 1], 1)  # the day after the third month ended
        if arose < as_of - REVIEW_LISTED_FOR:
            continue
        found.append(
            DueItem(
                kind=REVIEW_KIND,
                title=REVIEW_TITLE,
                org=member.org,
                member=member,
                due_on=arose,
                citation=rule.ref,
                overdue=False,
                review=True,
                note=(
                    f"không đóng đảng phí các tháng {months_text(review)}, không có quyết định miễn, giảm hay cho "
                    "chậm đóng; quy định không nêu thời hạn xem xét: chi bộ xem xét, nếu không có lý do chính đáng "
                    "thì đề nghị xóa tên"
                ),
            )
        )
    return found


def _no_basis(org: Org, *, as_of: date):
    """The placements counted today in the cells of ``org``'s subtree that keep their dues
    book this month (some account of the month owed with a basis: the cell's sums), of members
    with no dues basis (and not exempted by party age)."""
    month = as_of.replace(day=1)
    keeping = DuesCellMonth.objects.filter(  # one row per cell and month (``dues.sums``)
        paths.subtree_q(org.path, "org__path"), month=month, with_basis__gt=0
    ).values("org_id")
    based = DuesBasis.objects.filter(member_id=OuterRef("member_id"), valid_from__lte=month)
    missing = (
        Placement.objects.filter(
            Q(valid_to__isnull=True) | Q(valid_to__gt=as_of),
            org_id__in=keeping,
            counted=True,
            status__in=list(ACTIVE_STATUSES),
            valid_from__lte=as_of,
        )
        .exclude(Exists(based))
        .exclude(party_age_exempt_q(month, prefix="member__"))  # fifty years of party age: none needed
    )
    return missing


def _no_basis_items(org: Org, *, as_of: date) -> list[DueItem]:
    month = as_of.replace(day=1)
    missing = _no_basis(org, as_of=as_of).values_list(
        "org_id", "member__family_name", "member__middle_name", "member__given_name", "member__sort_key"
    )
    by_cell: dict = defaultdict(list)
    for cell_id, family, middle, given, sort_key in missing:
        by_cell[cell_id].append((sort_key, " ".join(p for p in (family, middle, given) if p)))
    cells = Org.objects.in_bulk(list(by_cell))
    items = []
    for cell_id, people in by_cell.items():
        people.sort()
        names = ", ".join(name for _, name in people[:NAMES_IN_NOTE])
        if len(people) > NAMES_IN_NOTE:
            names += f" và {len(people) - NAMES_IN_NOTE} người khác"
        items.append(
            DueItem(
                kind=NO_BASIS_KIND,
                title=NO_BASIS_TITLE,
                org=cells[cell_id],
                member=None,
                due_on=month,
                citation=rules.RATES.at(month).ref,
                overdue=False,
                review=True,
                note=f"{len(people)} đảng viên chưa có căn cứ đóng (đối tượng, thu nhập làm căn cứ): {names}",
            )
        )
    return items


def dues_due_counts(
    actor, org, *, as_of: date, until: date, holidays, branch_len: int
) -> dict[tuple[str, bool, str], int]:
    """``dues_due_items`` counted by (kind, overdue, branch) in one pass over the unpaid
    months, grouped by member in the database: the members with unpaid months and, per year,
    those with the rule's number of unpaid months whose review arose within the year before
    ``as_of``, in the branch of the member's cell; and the cells with members lacking a
    basis."""
    last = last_month_over(as_of)
    arisen_since = as_of - REVIEW_LISTED_FOR
    per_member: dict = {}  # what each member's unpaid months make, by year
    needs: dict[int, int] = {}
    for year in (as_of.year - 1, as_of.year):
        if date(year, 1, 1) > last:
            continue
        needed = exit_rules.STRIKE_OFF_MISSED_MONTHS.at(date(year, 12, 31)).value
        # a review arises the day after its ``needed``-th month ends: one whose months before
        # ``recent`` already make the number arose more than a year ago
        recent = next(
            (date(year, m, 1) for m in range(1, 13) if add_months(date(year, m, 1), 1) >= arisen_since),
            date(year + 1, 1, 1),
        )
        in_year = Q(month__gte=date(year, 1, 1), month__lte=date(year, 12, 1))
        # a member has one account a month (``dues_month_once``): rows are months, and counting
        # them needs no sort by month, nor (on PostgreSQL) the rows: the index dues_month_unpaid has them
        per_member[f"months_{year}"] = Count("month", filter=in_year)
        per_member[f"early_{year}"] = Count("month", filter=in_year & Q(month__lt=recent))
        needs[year] = needed
    members = (
        _unpaid(first=date(as_of.year - 1, 1, 1), last=last, subtree=org.path)
        .order_by()
        .values("member_id", branch=paths.branch("member__org_path", branch_len))
        .annotate(**per_member)
        .values_list("branch", *per_member)
    )
    counts: Counter = Counter()
    for branch, *made in members:  # one row per member in arrears: tens of thousands at most
        counts[ARREARS_KIND, True, branch] += 1
        by_year = dict(zip(per_member, made, strict=True))
        for year, needed in needs.items():
            if by_year[f"months_{year}"] >= needed and by_year[f"early_{year}"] < needed:
                counts[REVIEW_KIND, False, branch] += 1
    cells = (
        _no_basis(org, as_of=as_of)
        .order_by()
        .values_list(paths.branch("org__path", branch_len))
        .annotate(n=Count("org_id", distinct=True))
    )
    counts.update({(NO_BASIS_KIND, False, branch): n for branch, n in cells})
    return {key: n for key, n in counts.items() if n}


def strike_off_evidence(member, *, on: date) -> list[StrikeOffEvidence]:
    """``member``'s unpaid months in the year of ``on`` and the year before (the months over by
    ``on``), one item per year with such months, saying whether they reach the rule's months."""
    found = []
    last = last_month_over(on)
    for year in (on.year - 1, on.year):
        if date(year, 1, 1) > last:
            continue
        rows = list(unpaid_months(first=date(year, 1, 1), last=min(last, date(year, 12, 1)), member=member))
        if not rows:
            continue
        months = [month for _, month, _ in rows]
        rule = exit_rules.STRIKE_OFF_MISSED_MONTHS.at(date(year, 12, 31))
        reaches = bool(rules.unpaid_reviews(months, year=year))
        short = sum(s for _, _, s in rows)
        summary = (
            f"Năm {year}: không đóng đảng phí {len(months)} tháng ({months_text(months)}, còn thiếu {_money(short)})"
            + ("" if reaches else f"; chưa đủ {rule.value} tháng trong năm")
            + "."
        )
        found.append(
            StrikeOffEvidence(
                ground=exit_rules.StrikeOffGround.MISSED_MEETINGS_OR_DUES,
                summary=summary,
                citation=rule.ref,
                data={
                    "source": "dues",
                    "year": year,
                    "months": [m.month for m in months],
                    "unpaid": short,
                    "reaches_rule": reaches,
                },
                links=(
                    EvidenceLink(
                        f"Sổ đảng phí của {member.full_name}", MEMBER_PAGE, (("member_id", str(member.pk)),)
                    ),
                ),
            )
        )
    return found
