"""The context every indicator is evaluated through (``stats.indicators``): the frame, the
root's direct children, and their counts, loaded once — the root's stock whole, the children's
one dimension at a time for all children at once — so a dashboard with every child's value
costs a few grouped queries. Also the units a value is written in and ``Value`` itself."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from django.core.paginator import Page, Paginator
from django.db.models import Q

from dangbo.core.text import org_sort_key
from dangbo.orgs.models import Org, OrgVersion
from dangbo.stats import tallies
from dangbo.stats.figures import Stock, stocks
from dangbo.stats.frames import Frame
from dangbo.stats.tallies import keys as tally_keys

# Units: how a value is written.
PERCENT, MEMBERS, ORGS, HAMLETS, EVENTS = "percent", "members", "orgs", "hamlets", "events"
UNIT_LABELS = {
    PERCENT: "%",
    MEMBERS: "đảng viên",
    ORGS: "tổ chức",
    HAMLETS: "thôn, tổ dân phố",
    EVENTS: "lượt",
}


@dataclass(frozen=True)
class Value:
    numerator: int | None
    denominator: int | None = None
    annualize_days: int | None = None  # a rate over a period, stated per year

    @property
    def value(self) -> float | int | None:
        if self.denominator is None:
            return self.numerator
        if not self.denominator or self.numerator is None:
            return None
        share = self.numerator / self.denominator
        if self.annualize_days:
            share = share * 365 / self.annualize_days
        return share


@dataclass
class Context:
    frame: Frame
    children: list[Org] = field(default_factory=list)
    _stocks: dict = field(default_factory=dict)
    _cache: dict = field(default_factory=dict)

    @property
    def root(self) -> Org:
        return self.frame.root

    @property
    def orgs(self) -> list[Org]:
        return [self.root, *self.children]

    def is_child(self, org: Org) -> bool:
        """Is ``org`` one of the root's children here (a set: a district's children table asks
        thousands of times)."""
        if "child_ids" not in self._cache:
            self._cache["child_ids"] = {child.pk for child in self.children}
        return org.pk in self._cache["child_ids"]

    def stock(self, org: Org) -> Stock:
        """The root's stock is read whole; on today's figures the children's are read one
        dimension at a time, for all children at once, as the indicators ask for them (a
        children table needs a handful of dimensions, not every birth year)."""
        if org.pk in self._stocks:
            return self._stocks[org.pk]
        if not self.frame.is_today:
            self._stocks.update(stocks(self.frame, self.orgs if not self._stocks else [org]))
        elif org.pk == self.root.pk or not self.is_child(org):
            self._stocks.update(stocks(self.frame, [org]))
        else:  # the first child asked for: every child's lazy stock at once
            shared = _ChildDims(self)
            for child in self.children:
                self._stocks[child.pk] = Stock(_LazyDims(shared, child.pk))
        return self._stocks[org.pk]

    def grouped(self, name: str, load: Callable[[], _T]) -> _T:
        """Per-branch figures loaded once for the root and every child: branch path → figures."""
        if name not in self._cache:
            self._cache[name] = load()
        return self._cache[name]

    def holders_of(self, name: str, org: Org, load: Callable[[dict], dict], default: _V) -> _V:
        """``org``'s figures from a per-branch ``load(holders)`` (holders: id → path, the root's
        and its children's), read for the root alone while only the root is asked: a dashboard
        prints no child's dues, meetings or ratings, and a large upper committee's 258 children
        cost their tallies' probes and their paths' read. The first child asked loads them all
        at once (the indicator's own page, the JSON report with its children)."""
        if name not in self._cache and org.pk == self.root.pk:
            alone = f"{name}:root"
            if alone not in self._cache:
                self._cache[alone] = load({self.root.pk: self.root_path})
            return self._cache[alone].get(org.pk, default)
        if name not in self._cache:
            self._cache[name] = load({self.root.pk: self.root_path, **self.child_paths})
        return self._cache[name].get(org.pk, default)

    def branch(self, org: Org) -> str | None:
        """The path prefix that selects ``org``'s rows in a grouped load: the root's own path
        for the root (its whole subtree), the child's for a child."""
        return self.path_of(org)

    def path_of(self, org: Org) -> str | None:
        if org.pk == self.root.pk:
            return self.root_path
        return self.child_paths.get(org.pk)

    @property
    def root_path(self) -> str:
        return self.frame.root_path_on(self.frame.as_of) or self.root.path

    @property
    def child_paths(self) -> dict:
        if "child_paths" not in self._cache:
            self._cache["child_paths"] = dict(
                OrgVersion.objects.filter(
                    Q(valid_to__isnull=True) | Q(valid_to__gt=self.frame.as_of),
                    valid_from__lte=self.frame.as_of,
                    org_id__any=[c.pk for c in self.children],
                ).values_list("org_id", "path")
            )
        return self._cache["child_paths"]


_T = TypeVar("_T")
_V = TypeVar("_V")


class _ChildDims:
    """Children's tallies, loaded one dimension at a time for every child at once."""

    # Read together on first use: what the children table (stats.reports.CHILD_COLUMNS) shows.
    LIGHT = (
        "total",
        "gender",
        "ethnicity",
        tally_keys.GRASSROOTS_SECTOR,
        tally_keys.LOCALITIES,
        tally_keys.SECRETARIES,
    )

    def __init__(self, ctx: Context):
        self.ids = [c.pk for c in ctx.children]
        self.loaded: dict[str, dict] = {}

    def get(self, dimension: str, org_id) -> dict[str, int]:
        if dimension not in self.loaded:
            wanted = [
                d for d in (self.LIGHT if dimension in self.LIGHT else (dimension,)) if d not in self.loaded
            ]
            rows = tallies.tally_read(self.ids, wanted)
            for name in wanted:
                self.loaded[name] = {org_id: dict(dims.get(name, {})) for org_id, dims in rows.items()}
        return self.loaded[dimension].get(org_id, {})


class _LazyDims(dict):
    """A child's dimension → value → count, read on first use."""

    def __init__(self, shared: _ChildDims, org_id):
        super().__init__()
        self.shared, self.org_id = shared, org_id

    def get(self, dimension, default=None):
        if dimension not in self:
            self[dimension] = self.shared.get(dimension, self.org_id)
        return dict.get(self, dimension, default)


def children_on(frame: Frame) -> list[Org]:
    """The root's direct children on the frame's date, in Vietnamese order of their names
    (``Org.sort_key``; a past day's by the names of that day)."""
    if frame.is_today:
        return list(_children_today(frame))
    day = frame.as_of
    root_path = frame.root_path_on(day)
    if root_path is None:
        return []
    versions = OrgVersion.objects.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gt=day), valid_from__lte=day, parent=frame.root
    ).values_list("org_id", "name", "path")
    ids = [pk for pk, _, _ in sorted(versions, key=lambda v: (org_sort_key(v[1]), v[2]))]
    by_id = Org.objects.in_bulk(ids)
    return [by_id[i] for i in ids if i in by_id]


def _children_today(frame: Frame):
    return Org.objects.filter(parent=frame.root, dissolved_on__isnull=True).order_by("sort_key", "path")


def children_page(frame: Frame, number: int, per_page: int) -> Page:
    """Page ``number`` of the root's children (``children_on``'s order; the last page for a
    number beyond it). Today's are counted and sliced by the database rather than read whole:
    a large upper committee of the national profile has thousands."""
    rows = _children_today(frame) if frame.is_today else children_on(frame)
    return Paginator(rows, per_page).get_page(number)


def context_for(frame: Frame, *, with_children: bool = True) -> Context:
    return Context(frame=frame, children=children_on(frame) if with_children else [])
