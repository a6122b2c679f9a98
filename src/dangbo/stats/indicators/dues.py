"""The figures behind the section «Đảng phí» (RULES.md §7, §11 rule 12), for the root of a
report and each of its children, read from the members' monthly dues accounts
(``dues.models.DuesMonth``) by grouped queries — never their rows.

- **Which months.** As the meeting indicators: the whole months that end within the period (a
  month not over yet is not counted: its dues may still be paid within it).
- **Which cell.** A month counts where the member was counted on its last day (the account's
  ``org``); that cell is placed by its version on the report's date (``as_of``), or on its own
  last day if it ceased before — so the root and its children add up however the tree changed.
- **What was paid.** The accounts as they stand: a month paid late counts as paid, whenever the
  payment was recorded (the account does not keep when each month was covered); a payment above
  the month's due (voluntary) counts up to the due only, so the share never passes 100 %.
- **Members without a basis** have no amount due and are not counted; the drill-down lists them
  (but for those whom fifty years of party age exempt: they need none, and are counted exempted).

Two ways, one answer (as the meeting indicators):

- **from the tallies** (``stats.tallies.dues``), when no organization has moved, merged, split
  or changed kind since the period began (so every cell stands where the tallies sum it): the
  root's and its children's stored sums of the period's months and the links of their members'
  arrears chains — a few grouped reads of a few hundred rows at any scale. This is what a
  dashboard reads;
- **live**, otherwise: due, paid, months and exempted from the cells' monthly sums
  (``DuesCellMonth``, kept with the accounts by ``dues.sums``): one row per cell and month; the
  members in arrears, who must be counted once however many of the period's months they owe,
  from the unpaid accounts alone (a partial index holds them: a minority). Per-cell figures are
  all that reaches Python. A subtree small beside the whole is read by its list of
  organizations and months (``by_org``), which the indexes (month, org) answer probe by probe;
  a large one by a subquery.

Either way the veterans without an account (below) are read from the members: a minority.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery, Sum, UUIDField
from django.db.models.functions import Substr

from dangbo.core import paths
from dangbo.core.prepared import planned_each_time
from dangbo.dues.accounts import opened_through
from dangbo.dues.models import DuesBasis, DuesCellMonth, DuesMonth
from dangbo.dues.party_age import party_age_exempt_q
from dangbo.dues.selectors import UNPAID
from dangbo.members.models import ACTIVE_STATUSES, Member, Placement
from dangbo.orgs.models import Org, OrgVersion
from dangbo.rules.probation import add_months
from dangbo.stats.indicators.context import Context
from dangbo.stats.indicators.meetings import Span, span_of
from dangbo.stats.models import OrgTally
from dangbo.stats.tallies import keys as k
from dangbo.stats.tallies import meetings as mt

CHUNK = 500  # ids per IN (...) list, well under SQLite's limit on query parameters
LISTED = 2000  # organizations of a subtree read by their list (above: by a subquery)
# ... for the veterans when the tree has not changed since the month began, where the other way
# reads only the subtree's own veterans: at 600,000 members it was the faster from a few hundred
# organizations on (a province of 519: 47 ms by the list, 24 ms from the veterans; an upper
# committee of 77: 13 and 16 ms; a grassroots organization: 8 and 17 ms)
VETERANS_LISTED = 200
LIMIT_KEPT = 600  # seconds (list_limit)


@dataclass
class Figures:
    due: int = 0  # owed months with a basis: the amount due after reliefs
    paid: int = 0  # ... and paid for them, up to each month's due
    months: int = 0  # owed months with a basis
    arrears: int = 0  # (member, cell) pairs with an unpaid month in the period
    exempted: int = 0  # members exempted in the period's last month

    def add(self, other: Figures) -> None:
        for name in ("due", "paid", "months", "arrears", "exempted"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def months_of(span: Span) -> tuple[date, date] | None:
    """The first days of the first and the last whole month of the period."""
    if span.months is None:
        return None
    return mt.month_first_day(span.months[0]), mt.month_first_day(span.months[1])


def last_day(month: date) -> date:
    return add_months(month, 1) - timedelta(days=1)


def candidate_orgs(root_path: str, day: date):
    """A subquery of the organizations that had a version under ``root_path`` by ``day``: every
    organization that may stand in the subtree on ``day`` (``placed`` decides)."""
    return OrgVersion.objects.filter(paths.subtree_q(root_path), valid_from__lte=day).values("org_id")


def placed(org_ids, day: date) -> dict:
    """Each organization's path on ``day``, or on its own last day if it ceased before."""
    found: dict = {}
    ids = list(org_ids)
    for start in range(0, len(ids), CHUNK):
        versions = (
            OrgVersion.objects.filter(org_id__in=ids[start : start + CHUNK], valid_from__lte=day)
            .order_by("org_id", "valid_from")
            .values_list("org_id", "path")
        )
        for org_id, path in versions:
            found[org_id] = path  # the latest version that began by the day
    return found


def list_limit() -> int:
    """How many organizations a subtree may have to be read by their list. It chooses the way a
    subtree is read, never the answer: kept in the process's cache for ``LIMIT_KEPT`` seconds
    (counting up to 20,000 organizations took 4 ms of every dashboard at 600,000 members)."""
    found = cache.get("stats:dues:list_limit")
    if found is None:
        found = _list_limit()
        cache.set("stats:dues:list_limit", found, LIMIT_KEPT)
    return int(found)


def _list_limit() -> int:
    # counted up to where the answer stops changing: the country's organizations are not read
    return min(LISTED, Org.objects.order_by()[: LISTED * 10].count() // 10)


def subtree_orgs(root_path: str, day: date, *, limit: int | None = None) -> dict | None:
    """The organizations standing under ``root_path`` on ``day`` (each on its own last day if it
    ceased before): id → path; None when they are more than ``LISTED`` or a tenth of all
    organizations (a province, a large district), whose accounts are better read whole by a
    subquery than organization by organization. ``limit`` lowers that bound."""
    limit = list_limit() if limit is None else min(limit, list_limit())
    ids = list(
        candidate_orgs(root_path, day).distinct().order_by()[: limit + 1].values_list("org_id", flat=True)
    )
    if len(ids) > limit:
        return None
    return {org_id: path for org_id, path in placed(ids, day).items() if path.startswith(root_path)}


def by_org(root_path: str, day: date, months: list[date], rows_of) -> dict:
    """``rows_of(condition)`` (a grouped query of ``DuesMonth`` rows by ``org_id``) for the
    organizations under ``root_path`` on ``day`` and ``months``, merged; org id → row. A small
    subtree is read by its list of organizations and months, which the index (month, org)
    answers month by month and organization by organization; a large one by a subquery, which
    reads the months whole."""
    listed = subtree_orgs(root_path, day)
    if listed is None:
        return {
            row["org_id"]: row
            for row in rows_of(Q(org_id__in=candidate_orgs(root_path, day), month__in=months))
        }
    ids, found = list(listed), {}
    step = max(1, CHUNK // max(1, len(months)))
    for start in range(0, len(ids), step):
        for row in rows_of(Q(org_id__in=ids[start : start + step], month__in=months)):
            found[row["org_id"]] = row
    return found


@planned_each_time()  # a generic plan of the province's read took twice as long (core.prepared)
def veterans_without_account(
    root_path: str, day: date, month: date, *, tree_unchanged: bool = False
) -> list[tuple]:
    """(member, cell) of the members counted in a cell (by ``day``'s tree) on ``month``'s last
    day whom fifty years of party age exempt and who have no account with a basis for the month:
    exempted all the same (``dues.party_age``), though nothing was recorded for them.

    A small subtree is read by its cells' placements (the index (org, valid_from)); a large one
    (a province, a large district: ``subtree_orgs`` gives None) from the veterans, a minority of
    the members (the partial index of members in the Party by ``party_age_from``, and those whose
    placement ended since), each with its cell on the month's last day — rather than every
    placement of the subtree. When no organization has moved since the month
    began (``tree_unchanged``), only the veterans of the subtree today and those who left a cell
    since are read: a province's, not the country's (unless the subtree is the whole register,
    where the condition only costs: SQLite then reads the members twice); that way is then taken
    from ``VETERANS_LISTED`` organizations on."""
    listed = subtree_orgs(root_path, day, limit=VETERANS_LISTED if tree_unchanged else None)
    if listed is not None:
        return _veterans_of_cells(list(listed), month)
    veterans = Member.objects.filter(party_age_exempt_q(month))
    # counted on the month's last day: in the Party today (the index member_active_party_age),
    # or with a placement that ended since (a third of the veterans have died: not read)
    moved = Placement.objects.filter(valid_to__gt=last_day(month)).values("member_id")
    groups = [
        veterans.filter(status__in=list(ACTIVE_STATUSES)),
        veterans.exclude(status__in=list(ACTIVE_STATUSES)).filter(pk__in=moved),
    ]
    everything = not Org.objects.filter(parent__isnull=True).exclude(paths.subtree_q(root_path)).exists()
    if tree_unchanged and not everything:  # in the subtree today, or moved since the month's end
        groups[0] = groups[0].filter(paths.subtree_q(root_path, "org_path") | Q(pk__in=moved))
    found: list = []
    for group in groups:
        found += _veterans_with_cells(group, root_path, day, month)
    return found


def _held_on(closing: date) -> Q:
    """A placement counted in a cell on ``closing`` (the month's last day)."""
    held = Q(Q(valid_to__isnull=True) | Q(valid_to__gt=closing), valid_from__lte=closing, counted=True)
    return held & Q(status__in=list(ACTIVE_STATUSES))


_UNREAD = object()


def _has_account(month: date, opened=_UNREAD) -> Exists:
    """The member (``OuterRef("pk")``) has an account with a basis for ``month`` (``opened``:
    ``opened_through()`` when the caller has read it)."""
    opened = opened_through() if opened is _UNREAD else opened
    if opened is not None and opened >= month:
        # the month is open: every member in the Party then has its account, with a basis
        # exactly when a basis began by the month (dues.accounts.derive); the bases' index
        # answers without reading the accounts (a third of the time at 500,000 members)
        return Exists(DuesBasis.objects.filter(member_id=OuterRef("pk"), valid_from__lte=month))
    return Exists(DuesMonth.objects.filter(member_id=OuterRef("pk"), month=month).exclude(category=""))


def _veterans_with_cells(
    members: QuerySet, root_path: str, day: date, month: date, opened=_UNREAD
) -> list[tuple]:
    """(member, cell) of the veterans of ``members`` without an account for ``month``, each with
    the cell it was counted in on the month's last day, kept when that cell may stand under
    ``root_path`` on ``day``."""
    cell = (
        Placement.objects.filter(_held_on(last_day(month)), member_id=OuterRef("pk"))
        .order_by("-valid_from")
        .values("org_id")
    )
    return list(
        members.exclude(_has_account(month, opened))
        .annotate(cell=Subquery(cell[:1], output_field=UUIDField()))
        .filter(cell__in=candidate_orgs(root_path, day))
        .order_by()  # (the members' name order would lead SQLite to walk them all by name)
        .values_list("pk", "cell")
    )


def _veterans_of_cells(cells: list, month: date) -> list[tuple]:
    """(member, cell) of the veterans counted in ``cells`` on ``month``'s last day without an
    account for it, by the cells' placements."""
    accounts = DuesMonth.objects.filter(member_id=OuterRef("member_id"), month=month).exclude(category="")
    return list(
        Placement.objects.filter(
            _held_on(last_day(month)), party_age_exempt_q(month, prefix="member__"), org_id__any=cells
        )
        .exclude(Exists(accounts))
        .order_by()
        .values_list("member_id", "org_id")
    )


@planned_each_time()
def veterans_under(holders: dict, root_path: str, day: date, month: date) -> Counter:
    """How many veterans without an account (``veterans_without_account``) each of ``holders``
    (id → path today: the root and its children) has on ``month``'s last day, when no
    organization has moved since the month began (the tallies' way).

    A large subtree's veterans whose placements neither began nor ended after that day were
    then where they are today: they are counted by their path, grouped by child in one read of
    the partial index of members in the Party by party age, without reading a placement each
    (the largest province of the 600,000-member national profile: 94 ms before, placing 4,151
    veterans' cells one by one, bench/results/national.md). The few whose placements changed
    since (an admission, a transfer, a death) are read one by one."""
    listed = subtree_orgs(root_path, day, limit=VETERANS_LISTED)
    if listed is not None:
        return _counted_under(holders, _veterans_of_cells(list(listed), month))
    closing = last_day(month)
    opened = opened_through()  # read once for the three reads below
    placements = Placement.objects.order_by()
    began = placements.filter(valid_from__gt=closing).values_list("member_id", flat=True)
    ended = placements.filter(valid_to__gt=closing).values_list("member_id", flat=True)
    steady = (
        Member.objects.filter(
            party_age_exempt_q(month),
            paths.subtree_q(root_path, "org_path"),
            status__in=list(ACTIVE_STATUSES),
        )
        .exclude(pk__in=began)
        .exclude(pk__in=ended)
        .exclude(_has_account(month, opened))
    )
    counts: Counter = Counter()
    children = {path: holder for holder, path in holders.items() if path != root_path}
    roots = [holder for holder, path in holders.items() if path == root_path]
    lengths = {len(path) for path in children} or {len(root_path)}
    for length in sorted(lengths):
        grouped = (
            steady.annotate(branch=paths.branch("org_path", length))
            .values_list("branch")
            .annotate(n=Count("pk"))
            .order_by()
            .values_list("branch", "n")
        )
        for branch, n in grouped:
            if branch in children:
                counts[children[branch]] += n
            if length == min(lengths):  # every veteran of the subtree, once
                for holder in roots:
                    counts[holder] += n
    # those read one by one: a veteran in both sets is the same member, counted once; each set
    # asked alone (a condition «in the one or the other» walked every veteran of the country).
    # Only the changes in the subtree's organizations: a veteran counted here on the month's
    # last day held a placement here that ended since, one here today whose placement began
    # since began it here, and one whose changes all lie outside was outside on both days (the
    # steady count above excludes every change: a hashed set, cheaper there). The largest upper
    # committee of the national profile: 1,148 members of the country's changes looked up, 11 ms.
    since = _changed_since(root_path, day, closing)
    veterans = Member.objects.filter(party_age_exempt_q(month), pk__any=since)
    changed = dict(_veterans_with_cells(veterans, root_path, day, month, opened))
    counts.update(_counted_under(holders, list(changed.items())))
    return counts


def _changed_since(root_path: str, day: date, closing: date) -> list:
    """The members with a placement that began or ended after ``closing``, in an organization
    that may stand under ``root_path`` on ``day`` (``candidate_orgs``).

    The country's changes since a month's end are read first (a few thousand rows of the
    placements' change-day indexes, which carry the member and the organization), and each
    organization looked up: asked as a subquery of the subtree's organizations, PostgreSQL
    misjudged a committee's 669 organizations as one and probed the placements organization by
    organization (Công an tỉnh Ninh Bình of the national profile: 154 ms instead of a few)."""
    placement, version = Placement._meta.db_table, OrgVersion._meta.db_table
    materialized = "MATERIALIZED" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH changed AS {materialized} ("
            f" SELECT member_id, org_id FROM {placement} WHERE valid_from > %s"
            f" UNION ALL SELECT member_id, org_id FROM {placement} WHERE valid_to > %s)"
            " SELECT DISTINCT member_id FROM changed"
            f" WHERE EXISTS (SELECT 1 FROM {version} AS v WHERE v.org_id = changed.org_id"
            " AND v.path >= %s AND v.path < %s AND v.valid_from <= %s)",
            [closing, closing, root_path, root_path + paths.UPPER_BOUND, day],
        )
        return [row[0] for row in cursor.fetchall()]


def _counted_under(holders: dict, pairs: list[tuple]) -> Counter:
    """(member, cell) pairs counted under each of ``holders`` (id → path), by each cell's path."""
    by_cell = Counter(cell for _, cell in pairs)
    counts: Counter = Counter()
    if not by_cell:
        return counts
    # placed cell by cell: a province has thousands of veterans in hundreds of cells
    where = dict(Org.objects.filter(pk__any=list(by_cell)).values_list("pk", "path"))
    for cell, n in by_cell.items():
        for holder, prefix in holders.items():
            if where.get(cell, "~").startswith(prefix):
                counts[holder] += n
    return counts


def cell_figures(span: Span, root_path: str, day: date) -> dict:
    """The figures of every cell with accounts in the period under ``root_path`` (by its version
    on ``day``): cell id → (its path, Figures). One grouped query (a few for a small subtree)."""
    window = months_of(span)
    if window is None:
        return {}
    last = window[1]
    months = [mt.month_first_day(i) for i in range(span.months[0], span.months[1] + 1)] if span.months else []

    def sums_of(where: Q):
        return (
            DuesCellMonth.objects.filter(where)
            .values("org_id")
            .annotate(
                total_due=Sum("due"),
                total_paid=Sum("paid_capped"),
                n_months=Sum("with_basis"),
                n_exempted=Sum("exempted", filter=Q(month=last)),
            )
            .order_by()
        )

    def arrears_of(where: Q):
        return (
            DuesMonth.objects.filter(where, UNPAID)
            .values("org_id")
            .annotate(n_arrears=Count("member_id", distinct=True))
            .order_by()
        )

    sums: dict = {
        org_id: Figures(
            due=r["total_due"] or 0,
            paid=r["total_paid"] or 0,
            months=r["n_months"] or 0,
            exempted=r["n_exempted"] or 0,
        )
        for org_id, r in by_org(root_path, day, months, sums_of).items()
    }
    for org_id, r in by_org(root_path, day, months, arrears_of).items():
        sums.setdefault(org_id, Figures()).arrears = r["n_arrears"]
    for _, org_id in veterans_without_account(root_path, day, last):
        sums.setdefault(org_id, Figures()).exempted += 1
    where = placed(sums, day)
    return {
        org_id: (where[org_id], figures)
        for org_id, figures in sums.items()
        if org_id in where and where[org_id].startswith(root_path)
    }


def figures(ctx: Context, org: Org) -> Figures:
    """The dues figures of ``org`` (the root or a child) over the frame's period."""

    def load(holders: dict) -> dict:
        span, day = span_of(ctx), ctx.frame.as_of
        root_path = ctx.root_path
        if span.months is not None and ctx.frame.tree_unchanged_since(
            min(span.first_day, day), kinds_too=True
        ):
            return from_tallies(holders, root_path, span, day)
        return live(holders, root_path, span, day)

    return ctx.holders_of("dues", org, load, Figures())


def live(holders: dict, root_path: str, span: Span, day: date) -> dict:
    """The figures of the organizations of ``holders`` (id → path on ``day``) read from the cells'
    sums and the accounts, each cell placed by its version on ``day``."""
    out: dict = defaultdict(Figures)
    for path, cell in cell_figures(span, root_path, day).values():
        for holder, prefix in holders.items():
            if path.startswith(prefix):
                out[holder].add(cell)
    return out


def from_tallies(holders: dict, root_path: str, span: Span, day: date) -> dict:
    """The figures of the organizations of ``holders`` (id → path on ``day``: the root and its
    children) from their stored subtree sums (``stats.tallies.dues``); the tree has not changed
    since the period began, so each cell is summed where it stood on ``day``."""
    out: dict = defaultdict(Figures)
    if span.months is None:
        return out
    first, last = mt.month_text(span.months[0]), mt.month_text(span.months[1])
    stored = OrgTally.objects.filter(org_id__any=list(holders))
    names = {k.DUES_DUE: "due", k.DUES_PAID: "paid", k.DUES_MONTHS: "months"}
    sums = (
        stored.filter(dimension__in=list(names), value__gte=first, value__lte=last)
        .values_list("org_id", "dimension")
        .annotate(n=Sum("count"))
        .order_by()
    )
    for org_id, dimension, n in sums:
        setattr(out[org_id], names[dimension], n or 0)
    for org_id, n in stored.filter(dimension=k.DUES_EXEMPTED, value=last).values_list("org_id", "count"):
        out[org_id].exempted += n
    arrears = (
        stored.filter(dimension=k.DUES_ARREARS, value__gte=first, value__lte=f"{last}|~")
        .annotate(tail=Substr("value", 9, 7))
        .filter(tail__lt=first)
        .values_list("org_id")
        .annotate(n=Sum("count"))
        .order_by()
    )
    for org_id, n in arrears.values_list("org_id", "n"):
        out[org_id].arrears += n or 0
    last_month = mt.month_first_day(span.months[1])
    for holder, n in veterans_under(holders, root_path, day, last_month).items():
        out[holder].exempted += n
    return out


def has_months(ctx: Context) -> bool:
    return span_of(ctx).months is not None
