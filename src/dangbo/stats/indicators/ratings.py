"""The figures behind the section «Đánh giá, xếp loại chất lượng» (RULES.md §4, §9): members
and grassroots organizations rated «good» or better against Resolution 21's "> 90 % every year",
the members in each band, and the members on a campaign's list not rated — for the root of a
report and each of its children, read from ``ratings.models`` by grouped queries, never a
member's row.

- **Which year.** A rating counts for the year it rates, and a report reads one year: the year
  of the period's last day (or of the report's date, if earlier) when a decision rating that year
  (a member or an organization of the subtree) had been taken by the report's date, otherwise the
  year before — so from January to
  the first decisions of December a dashboard shows last year's results, and a period of a past
  year (01/01/2024–31/12/2024, reported on any day after the decisions) shows that year's. Only
  yearly reviews count (``Period.YEAR``: quarterly and term reviews are apart), from 2018 (the
  old levels of earlier years are not bands). The meeting and dues indicators count the whole
  months of the period; a rating year is never whole before its decisions, which come at its very
  end or after it, hence the year of the decisions rather than the years ending in the period.
- **Which band.** The band decided by the report's date: the stored band (the latest decision)
  unless a decision of that year was taken after the date, in which case each review's latest
  decision up to the date is read (a subquery; corrections are rare). A review undecided by then
  is «listed, not yet decided»; one whose member is not rated (``NotRated``) is counted apart.
  Neither is in the shares' denominator.
- **Which cell.** A member's review counts in the cell it lists them in (the cell on the
  campaign's cut-off date), placed by its version on the report's date (or on its own last day,
  if it ceased before) as the dues indicators place theirs (``stats.indicators.dues.placed``); a
  grassroots organization's by its own version on that date, and it is counted as grassroots by
  its kind at the end of the year rated (what it was when its superior rated it).

Two ways, one answer:

- **from the tallies** (``stats.tallies.ratings``: each review counted under the organizations
  above its cell, or above the organization rated) when the stored bands are the day's (today,
  or a past day after which no decision rating the year was taken) and no organization has
  moved, merged, split or changed kind since the year's lists were drawn (the earliest cut-off
  date of its campaigns, or the year's last day if earlier), or since the day if earlier: the
  tallies place each cell by its path today, and each organization by its kind today, which
  are then where and what the live reading finds them. A few grouped reads of the root's and
  the children's rows, whatever the size (``_from_tallies``);
- **live**, otherwise (a decision taken after the day, a tree changed since): per cell, one grouped row per
  (grassroots organization, band, reason not rated) reaches Python — a few rows per cell,
  however many members; per grassroots organization, one row.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, F, Min, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from dangbo.core import clock, paths
from dangbo.core.kinds import GRASSROOTS_KINDS
from dangbo.core.prepared import planned_each_time
from dangbo.orgs.models import Org, OrgVersion
from dangbo.orgs.selectors import org_tree_unchanged_since
from dangbo.ratings.models import MemberRating, OrgRating, Period, RatingDecision, ReviewCampaign
from dangbo.rules import ratings as rating_rules
from dangbo.rules.ratings import Band
from dangbo.stats.indicators.context import Context
from dangbo.stats.indicators.dues import CHUNK, candidate_orgs, placed, subtree_orgs
from dangbo.stats.models import OrgTally
from dangbo.stats.tallies import keys as tally_keys
from dangbo.stats.tallies import ratings as tally_ratings

YEARLY = Period.YEAR


@dataclass
class Figures:
    """A subtree's (or a cell's) members on the year's lists, and its grassroots organizations."""

    bands: Counter = field(default_factory=Counter)  # band → members decided
    not_rated: int = 0  # listed, not rated (exempted, suspended, ...)
    undecided: int = 0  # listed to be rated, no decision by the report's date
    orgs_rated: int = 0  # grassroots organizations decided
    orgs_good: int = 0  # ... «good» or better

    @property
    def rated(self) -> int:
        return sum(self.bands.values())

    @property
    def good(self) -> int:
        return sum(self.bands[b] for b in Band.GOOD_OR_BETTER)

    @property
    def not_listed_rated(self) -> int:
        """On the lists, and not rated by the report's date: not to be rated, or not yet."""
        return self.not_rated + self.undecided

    @property
    def share(self) -> float | None:
        return self.good / self.rated if self.rated else None

    def add(self, other: Figures) -> None:
        self.bands.update(other.bands)
        self.not_rated += other.not_rated
        self.undecided += other.undecided
        self.orgs_rated += other.orgs_rated
        self.orgs_good += other.orgs_good


# --- the year ------------------------------------------------------------------------------------


@planned_each_time()  # a generic plan walked the subtree's organizations (core.prepared)
def decided_by(root_path: str, day: date, year: int) -> bool:
    """Was a decision rating ``year`` taken by ``day`` for a member or an organization of the
    subtree?"""
    orgs = candidate_orgs(root_path, day)
    decisions = RatingDecision.objects.filter(decided_on__lte=day)
    return (
        decisions.filter(
            member_rating__year=year, member_rating__period=YEARLY, member_rating__cell_id__in=orgs
        ).exists()
        or decisions.filter(
            org_rating__year=year, org_rating__period=YEARLY, org_rating__org_id__in=orgs
        ).exists()
    )


def year_for(root_path: str, day: date, end: date) -> int:
    """The year a report reads (see the module's docstring)."""
    year = end.year
    return year if decided_by(root_path, day, year) else year - 1


def rating_year(ctx: Context) -> int:
    return ctx.grouped(
        "ratings:year", lambda: year_for(ctx.root_path, ctx.frame.as_of, min(ctx.frame.end, ctx.frame.as_of))
    )


def has_year(ctx: Context) -> bool:
    return rating_year(ctx) >= rating_rules.FIRST_BANDED_YEAR


# --- the band on the day --------------------------------------------------------------------------


def stored_bands_hold(year: int, day: date) -> bool:
    """No decision rating ``year`` was taken after ``day``: the stored bands are those of the day
    (a review undecided by then has no band yet)."""
    if day >= clock.today():  # no decision is dated in the future (ratings.services)
        return True
    later = RatingDecision.objects.filter(decided_on__gt=day)
    return not (
        later.filter(member_rating__year=year).exists() or later.filter(org_rating__year=year).exists()
    )


def band_on(rows: QuerySet, day: date, *, subject: str, exact: bool):
    """``rows`` (member or organization reviews) annotated with ``band_then``, the band decided
    by ``day``."""
    if exact:
        return rows.annotate(band_then=F("band"))
    latest = (
        RatingDecision.objects.filter(**{subject: OuterRef("pk")}, decided_on__lte=day)
        .order_by("-decided_on", "-recorded_at")
        .values("band")[:1]
    )
    return rows.annotate(band_then=Coalesce(Subquery(latest), Value("")))


def member_reviews(year: int, root_path: str, day: date) -> QuerySet:
    """The yearly member reviews of ``year`` in the cells that may stand under ``root_path`` on
    ``day``, with ``band_then`` (callers place the cells)."""
    rows = MemberRating.objects.filter(year=year, period=YEARLY, cell_id__in=candidate_orgs(root_path, day))
    return band_on(rows, day, subject="member_rating", exact=stored_bands_hold(year, day))


# --- members, by cell -----------------------------------------------------------------------------


@dataclass
class CellRow:
    """One cell's reviews: its path on the day, its figures, and its members' decided bands by
    grassroots organization (for the cap on «excellent»)."""

    path: str
    figures: Figures = field(default_factory=Figures)
    by_grassroots: dict = field(default_factory=lambda: defaultdict(Counter))


def _grouped(year: int, day: date, where: Q, exact: bool):
    rows = band_on(
        MemberRating.objects.filter(where, year=year, period=YEARLY),
        day,
        subject="member_rating",
        exact=exact,
    )
    return (
        rows.values("cell_id", "grassroots_id", "band_then", "not_rated").annotate(n=Count("id")).order_by()
    )


def cell_rows(year: int, root_path: str, day: date) -> dict:
    """Every cell with reviews of ``year`` under ``root_path`` (by its version on ``day``): cell
    id → ``CellRow``. One grouped query; a few for a small subtree, read by its list of cells."""
    listed, exact = subtree_orgs(root_path, day), stored_bands_hold(year, day)
    if listed is None:
        groups = list(_grouped(year, day, Q(cell_id__in=candidate_orgs(root_path, day)), exact))
    else:
        ids, groups = list(listed), []
        for start in range(0, len(ids), CHUNK):
            groups += _grouped(year, day, Q(cell_id__in=ids[start : start + CHUNK]), exact)
    where = placed({g["cell_id"] for g in groups}, day)
    found: dict = {}
    for g in groups:
        path = where.get(g["cell_id"])
        if path is None or not path.startswith(root_path):
            continue
        row = found.setdefault(g["cell_id"], CellRow(path))
        n = g["n"]
        if g["not_rated"]:
            row.figures.not_rated += n
        elif g["band_then"]:
            row.figures.bands[g["band_then"]] += n
            row.by_grassroots[g["grassroots_id"]][g["band_then"]] += n
        else:
            row.figures.undecided += n
    return found


# --- grassroots organizations ----------------------------------------------------------------------


def versions_on(org_ids, day: date) -> dict:
    """Each organization's (path, kind) on ``day``, or on its own last day if it ceased before."""
    found: dict = {}
    ids = list(org_ids)
    for start in range(0, len(ids), CHUNK):
        for org_id, path, kind in (
            OrgVersion.objects.filter(org_id__in=ids[start : start + CHUNK], valid_from__lte=day)
            .order_by("org_id", "valid_from")
            .values_list("org_id", "path", "kind")
        ):
            found[org_id] = (path, kind)
    return found


@dataclass(frozen=True)
class GrassrootsRow:
    org_id: object
    path: str
    band: str  # decided by the day; "" when not yet
    score: int | None
    decision_no: str
    decided_on: date | None


def grassroots_rows(year: int, root_path: str, day: date) -> list[GrassrootsRow]:
    """The yearly reviews of ``year`` of the grassroots organizations under ``root_path`` on
    ``day`` (grassroots by their kind at the year's end, or the day if earlier)."""
    ever_grassroots = OrgVersion.objects.filter(
        paths.subtree_q(root_path), valid_from__lte=day, kind__in=list(GRASSROOTS_KINDS)
    ).values("org_id")
    exact = stored_bands_hold(year, day)
    rows = band_on(
        OrgRating.objects.filter(year=year, period=YEARLY, org_id__in=ever_grassroots),
        day,
        subject="org_rating",
        exact=exact,
    )
    found = list(rows.values_list("pk", "org_id", "band_then", "score", "decision_no", "decided_on"))
    where = versions_on({r[1] for r in found}, day)
    then = versions_on({r[1] for r in found}, min(day, rating_rules.year_day(year)))
    found = [
        r
        for r in found
        if where.get(r[1], ("~", ""))[0].startswith(root_path)
        and then.get(r[1], ("", ""))[1] in GRASSROOTS_KINDS
    ]
    if not exact:  # the stored decision may be a correction taken after the day: the day's own
        latest: dict = {}
        ids = [r[0] for r in found]
        for start in range(0, len(ids), CHUNK):
            for decision in (
                RatingDecision.objects.filter(
                    org_rating_id__in=ids[start : start + CHUNK], decided_on__lte=day
                )
                .order_by("decided_on", "recorded_at")
                .values_list("org_rating_id", "score", "decision_no", "decided_on")
            ):
                latest[decision[0]] = decision[1:]
        found = [(pk, org_id, band, *latest.get(pk, (None, "", None))) for pk, org_id, band, *_ in found]
    return [
        GrassrootsRow(
            org_id, where[org_id][0], band, score if band else None, no if band else "", on if band else None
        )
        for _, org_id, band, score, no, on in found
    ]


# --- the figures of the root and its children ------------------------------------------------------


def figures(ctx: Context, org: Org) -> Figures:
    """The rating figures of ``org`` (the root or a child) for the report's year."""

    def load(holders: dict) -> dict:
        out: dict = defaultdict(Figures)
        if not has_year(ctx):
            return out
        year, day, root_path = rating_year(ctx), ctx.frame.as_of, ctx.root_path
        if tallies_hold(year, day, unchanged_since=ctx.frame.tree_unchanged_since):
            return _from_tallies(year, holders)
        for row in cell_rows(year, root_path, day).values():
            for holder, prefix in holders.items():
                if row.path.startswith(prefix):
                    out[holder].add(row.figures)
        for g in grassroots_rows(year, root_path, day):
            for holder, prefix in holders.items():
                if g.path.startswith(prefix) and g.band:
                    out[holder].orgs_rated += 1
                    out[holder].orgs_good += g.band in Band.GOOD_OR_BETTER
        return out

    return ctx.holders_of("ratings", org, load, Figures())


# --- from the tallies ---------------------------------------------------------------------------


def lists_drawn_on(year: int) -> date:
    """The day from which the tree must stand still for the tallies to read ``year``: the
    earliest cut-off date of its yearly campaigns (no review of the year is listed before it),
    or the year's last day (the day an organization's kind is read on) if earlier."""
    first = ReviewCampaign.objects.filter(year=year, period=YEARLY).aggregate(first=Min("cutoff_on"))["first"]
    last = rating_rules.year_day(year)
    return min(first, last) if first is not None else date(year, 1, 1)


def tallies_hold(year: int, day: date, *, unchanged_since=org_tree_unchanged_since) -> bool:
    """Do the tallies give the live figures of ``year`` on ``day``? The stored bands must be
    the day's, on a tree unchanged since the year's lists were drawn or the day, whichever is
    earlier (see the module's docstring). ``unchanged_since``: a page's frame answers it from
    the tree's last change read once (``stats.frames.Frame.tree_unchanged_since``)."""
    return unchanged_since(min(day, lists_drawn_on(year)), kinds_too=True) and stored_bands_hold(year, day)


def _from_tallies(year: int, holders: dict) -> dict:
    """The figures of the organizations of ``holders`` (id → path: the root and its children)
    from their stored counts of ``year``: one read of a few rows each."""
    out: dict = defaultdict(Figures)
    prefix = f"{year}|"
    rows = (
        OrgTally.objects.filter(
            org_id__any=list(holders),
            dimension__in=tally_keys.RATING_DIMENSIONS,
            # the year's few values, named: equal under any collation, read by the index
            value__in=[
                prefix + what for what in (*Band.ORDER, tally_ratings.NOT_RATED, tally_ratings.UNDECIDED)
            ],
        )
        .values_list("org_id", "dimension", "value", "count")
        .order_by()
    )
    for org_id, dimension, value, n in rows:
        if not n:
            continue
        figures, what = out[org_id], value[len(prefix) :]
        if dimension == tally_keys.RATING_ORGS:
            figures.orgs_rated += n
            figures.orgs_good += n if what in Band.GOOD_OR_BETTER else 0
        elif what == tally_ratings.NOT_RATED:
            figures.not_rated += n
        elif what == tally_ratings.UNDECIDED:
            figures.undecided += n
        else:
            figures.bands[what] += n
    return out
