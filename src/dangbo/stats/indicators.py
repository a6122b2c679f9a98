"""The indicator registry (DESIGN.md decision 5): one declaration per indicator.

Each ``Indicator`` names its code (a stable interface: the JSON report, the API and the
pages use it), its Vietnamese name, what it counts above and below the line, its unit, the
target it is read against (a dated, cited rule in ``rules.targets``), and its drill-down:
the rows behind the gap (which hamlets, which secretaries). ``Breakdown`` declares a
structure table (members by gender, age band, ...). Pages, exports and the command line
read ``INDICATORS`` and ``BREAKDOWNS``; nothing computes an indicator anywhere else.

Everything is evaluated through a ``Context``, which loads the counts of the root and of
its direct children once (``prepare``) so a dashboard with every child's value costs a
few grouped queries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.db.models.functions import Substr

from dangbo.core import paths
from dangbo.core.kinds import GRASSROOTS_KINDS, OrgKind, Sector
from dangbo.core.roles import COMMITTEE_ROLES
from dangbo.members.models import ACTIVE_STATUSES, MemberStatus, Placement, Position
from dangbo.orgs.locality_versions import valid_on
from dangbo.orgs.models import LocalityVersion, Org, OrgVersion
from dangbo.reference.models import KINH_CODE, NO_RELIGION_CODE
from dangbo.rules import orgs as org_rules
from dangbo.rules import targets as target_rules
from dangbo.rules.base import Rule
from dangbo.stats import figures, tallies
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
        if not self.denominator:
            return None
        share = self.numerator / self.denominator
        if self.annualize_days:
            share = share * 365 / self.annualize_days
        return share


# --- the context: counts for the root and its children, loaded once --------------------


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

    def stock(self, org: Org) -> Stock:
        """The root's stock is read whole; on today's figures the children's are read one
        dimension at a time, for all children at once, as the indicators ask for them (a
        children table needs a handful of dimensions, not every birth year)."""
        if org.pk in self._stocks:
            return self._stocks[org.pk]
        if not self.frame.is_today:
            self._stocks.update(stocks(self.frame, self.orgs if not self._stocks else [org]))
        elif org.pk == self.root.pk or all(org.pk != child.pk for child in self.children):
            self._stocks.update(stocks(self.frame, [org]))
        else:  # the first child asked for: every child's lazy stock at once
            shared = _ChildDims(self)
            for child in self.children:
                self._stocks[child.pk] = Stock(_LazyDims(shared, child.pk))
        return self._stocks[org.pk]

    def grouped(self, name: str, load: Callable[[], dict]) -> dict:
        """Per-branch figures loaded once for the root and every child: branch path → figures."""
        if name not in self._cache:
            self._cache[name] = load()
        return self._cache[name]

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
                    org_id__in=[c.pk for c in self.children],
                ).values_list("org_id", "path")
            )
        return self._cache["child_paths"]


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
    """The root's direct children on the frame's date, in path order."""
    if frame.is_today:
        return list(Org.objects.filter(parent=frame.root, dissolved_on__isnull=True).order_by("path"))
    day = frame.as_of
    root_path = frame.root_path_on(day)
    if root_path is None:
        return []
    ids = (
        OrgVersion.objects.filter(
            Q(valid_to__isnull=True) | Q(valid_to__gt=day), valid_from__lte=day, parent=frame.root
        )
        .order_by("path")
        .values_list("org_id", flat=True)
    )
    by_id = Org.objects.in_bulk(list(ids))
    return [by_id[i] for i in ids if i in by_id]


def context_for(frame: Frame, *, with_children: bool = True) -> Context:
    return Context(frame=frame, children=children_on(frame) if with_children else [])


# --- grouped loads (root and children in one query each) --------------------------------


def _sum_by_prefix(ctx: Context, rows, key_index: int = 0) -> dict[str, list[int]]:
    """Add up rows (path, n1, n2, ...) under each of the context's paths that prefix them."""
    prefixes = {p for p in [ctx.root_path, *ctx.child_paths.values()] if p}
    out: dict[str, list[int]] = {}
    for row in rows:
        path = row[key_index]
        values = [v for i, v in enumerate(row) if i != key_index]
        for prefix in prefixes:
            if path.startswith(prefix):
                acc = out.setdefault(prefix, [0] * len(values))
                for i, v in enumerate(values):
                    acc[i] += v or 0
    return out


def _branch_width(ctx: Context) -> int:
    return len(ctx.root_path) + paths.SEGMENT_WIDTH + 1


def _locality_figures(ctx: Context, org: Org) -> dict[str, int]:
    """Hamlets in the subtree on the frame's date: ``all``, ``with_cell`` (any cell),
    ``merged_cell`` (a cell that covers other hamlets too), ``own_cell`` (a cell of its
    own), ``head_member`` (the head is a member on the date). Today from the tallies; a
    past date from that day's hamlet versions and the heads' placements."""
    if ctx.frame.is_today:
        own = ctx.stock(org).values(tally_keys.LOCALITIES)
    else:
        own = _hamlet_versions(ctx).get(ctx.path_of(org) or "", {})
    figures = {key: own.get(key, 0) for key in ("all", "with_cell", tally_keys.MERGED_CELL, "head_member")}
    figures["own_cell"] = figures["with_cell"] - figures[tally_keys.MERGED_CELL]
    return figures


def hamlet_versions_on(day, root_path: str):
    """The hamlet versions valid on ``day`` whose commune was in the subtree at ``root_path``
    on that day, annotated with the commune's path on the day (``commune_path_on``), how many
    hamlets their cell covered that day (``cell_hamlets``), and whether the head was a member
    that day (``head_active``: a counted placement, probationary or full)."""
    covered = (
        LocalityVersion.objects.filter(valid_on(day), cell_id=OuterRef("cell_id"))
        .order_by()
        .values("cell_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    return (
        LocalityVersion.objects.filter(valid_on(day))
        .annotate(
            commune_path_on=Subquery(
                OrgVersion.objects.filter(valid_on(day), org_id=OuterRef("commune_id")).values("path")[:1]
            )
        )
        .filter(paths.subtree_q(root_path, "commune_path_on"))
        .annotate(
            cell_hamlets=Subquery(covered),
            head_active=Exists(
                Placement.objects.filter(
                    valid_on(day),
                    member_id=OuterRef("head_member_id"),
                    counted=True,
                    status__in=list(ACTIVE_STATUSES),
                )
            ),
        )
    )


def _hamlet_versions(ctx: Context) -> dict[str, dict[str, int]]:
    """A past date's hamlet figures per branch (root and children), from one query."""

    def load():
        rows = (
            hamlet_versions_on(ctx.frame.as_of, ctx.root_path)
            .values_list("commune_path_on", "cell_id", "cell_hamlets", "head_active")
            .order_by()
        )
        prefixes = {p for p in [ctx.root_path, *ctx.child_paths.values()] if p}
        out: dict[str, dict[str, int]] = {}
        for path, cell_id, cell_hamlets, head_active in rows.iterator(chunk_size=5000):
            for prefix in prefixes:
                if path.startswith(prefix):
                    acc = out.setdefault(prefix, {})
                    acc["all"] = acc.get("all", 0) + 1
                    if cell_id is not None:
                        acc["with_cell"] = acc.get("with_cell", 0) + 1
                        if (cell_hamlets or 0) > 1:
                            acc[tally_keys.MERGED_CELL] = acc.get(tally_keys.MERGED_CELL, 0) + 1
                    if head_active:
                        acc["head_member"] = acc.get("head_member", 0) + 1
        return out

    return ctx.grouped("hamlet_versions", load)


def _flows(ctx: Context, org: Org, kinds: tuple[str, ...]) -> dict[str, int]:
    """Flows of ``kinds`` over the period (stats.tallies.member_flows) for ``org``'s subtree:
    every kind of the root at once; for the children, the kinds asked for, for all children
    at once."""
    if org.pk == ctx.root.pk or all(org.pk != child.pk for child in ctx.children):
        counts = ctx.grouped(f"flows:{org.pk}", lambda: figures.flows(ctx.frame, [org.pk]))
    else:
        counts = ctx.grouped(
            f"child_flows:{','.join(kinds)}",
            lambda: figures.flows(ctx.frame, [c.pk for c in ctx.children], kinds=kinds),
        )
    return counts.get(org.pk, {})


def _hamlets_with_members(ctx: Context, org: Org) -> int:
    if ctx.frame.is_today:
        return ctx.stock(org).count(tally_keys.HAMLETS_WITH_MEMBERS, "")
    live = set(
        map(
            str,
            hamlet_versions_on(ctx.frame.as_of, ctx.path_of(org) or "~").values_list(
                "locality_id", flat=True
            ),
        )
    )
    return len(ctx.stock(org).hamlets() & live)


def grassroots_positions_on(*, day, path: str, roles):
    """Positions of ``roles`` held on ``day`` in the grassroots organizations of the subtree at
    ``path``, reading each organization as it was that day (its version: path, kind,
    upper-level rights); ``org__versions__path`` and ``org__versions__name`` are that day's."""
    return Position.objects.filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=day),
        started_on__lte=day,
        role__in=list(roles),
    ).filter(  # one filter() call: every condition applies to the same version row
        Q(org__versions__valid_to__isnull=True) | Q(org__versions__valid_to__gt=day),
        paths.subtree_q(path, "org__versions__path"),
        org__versions__valid_from__lte=day,
        org__versions__kind__in=list(GRASSROOTS_KINDS),
        org__versions__has_upper_rights=False,
    )


def _leaders(ctx: Context, roles, name: str) -> dict[str, list[int]]:
    """Holders of ``roles`` in grassroots organizations on the date: total, with
    intermediate theory or above — per branch. The organizations are read as they were on
    the date (their version then: path, kind, upper-level rights), so an organization moved
    into a branch later is not counted there backwards in time. (The theory level is the
    member's as recorded now: it keeps no history.)"""
    day = ctx.frame.as_of

    def load():
        rows = (
            grassroots_positions_on(day=day, path=ctx.root_path, roles=roles)
            .annotate(branch=Substr("org__versions__path", 1, _branch_width(ctx)))
            .values("branch")
            .annotate(
                total=Count("id"),
                trained=Count(
                    "id",
                    filter=Q(member__theory_level_id__in=list(target_rules.THEORY_INTERMEDIATE_OR_ABOVE)),
                ),
            )
            .values_list("branch", "total", "trained")
            .order_by()
        )
        return _sum_by_prefix(ctx, rows)

    return ctx.grouped(name, load)


def _leader_value(ctx: Context, org: Org, roles, name: str) -> Value:
    if ctx.frame.is_today:
        dimension = tally_keys.SECRETARIES if name == "secretaries" else tally_keys.COMMITTEE
        counts = ctx.stock(org).values(dimension)
        return Value(counts.get("trained", 0), counts.get("trained", 0) + counts.get("untrained", 0))
    total, trained = _leaders(ctx, roles, name).get(ctx.path_of(org) or "", [0, 0])
    return Value(trained, total)


SECRETARY_ROLES = tally_keys.SECRETARY_ROLES


def _org_versions(ctx: Context) -> dict[str, list[int]]:
    """Organizations by kind on the date, per branch: [direct children, grassroots, ...]."""
    day = ctx.frame.as_of

    def load():
        kinds = list(OrgKind.values)
        rows = (
            OrgVersion.objects.filter(
                Q(valid_to__isnull=True) | Q(valid_to__gt=day),
                paths.subtree_q(ctx.root_path),
                valid_from__lte=day,
            )
            .values_list("path", "kind", "sector", "has_upper_rights")
            .order_by()
        )
        per_prefix: dict[str, dict[str, int]] = {}
        prefixes = {p for p in [ctx.root_path, *ctx.child_paths.values()] if p}
        for path, kind, sector, upper in rows:
            for prefix in prefixes:
                if path.startswith(prefix):
                    acc = per_prefix.setdefault(prefix, dict.fromkeys(kinds, 0))
                    if path == prefix:
                        continue  # the organization itself
                    acc[kind] += 1
                    if len(path) == len(prefix) + paths.SEGMENT_WIDTH + 1:
                        acc["direct"] = acc.get("direct", 0) + 1
                    if kind in GRASSROOTS_KINDS and not upper:
                        acc["grassroots"] = acc.get("grassroots", 0) + 1
                        acc[f"sector:{sector}"] = acc.get(f"sector:{sector}", 0) + 1
        return per_prefix

    return ctx.grouped("org_versions", load)


def _org_count(ctx: Context, org: Org, key: str) -> int:
    if ctx.frame.is_today and key == "grassroots":  # one dimension, not the whole table
        return sum(ctx.stock(org).values(tally_keys.GRASSROOTS_SECTOR).values())
    return _org_counts(ctx, org).get(key, 0)


def _org_counts(ctx: Context, org: Org) -> dict[str, int]:
    """Organizations below ``org`` by kind, "direct", "grassroots" and "sector:<s>": today's
    from the tallies, a past date's from that day's organization versions."""
    if not ctx.frame.is_today:
        return _org_versions(ctx).get(ctx.path_of(org) or "", {})
    return ctx.grouped(f"org_counts:{org.pk}", lambda: _org_counts_today(ctx.stock(org)))


def _org_counts_today(stock: Stock) -> dict[str, int]:
    counts = dict(stock.values(tally_keys.ORG_KIND))
    counts["direct"] = stock.count(tally_keys.ORG_DIRECT, "")
    sectors = stock.values(tally_keys.GRASSROOTS_SECTOR)
    counts["grassroots"] = sum(sectors.values())
    counts.update({f"sector:{sector}": n for sector, n in sectors.items()})
    return counts


def _flagged(ctx: Context, org: Org, flag: str) -> int:
    """How many organizations in ``org``'s subtree (itself included) carry ``flag``
    (stats.tallies.keys.FLAGS): today from the tallies, a past date from that day's placements."""
    if ctx.frame.is_today:
        return ctx.stock(org).count(flag, "")
    spec = tally_keys.FLAGS[flag]
    counts = _orgs_with_members(
        ctx, spec.kinds, spec.dimension, spec.value, spec.rule.value(ctx.frame.as_of), flag
    )
    return counts.get(ctx.path_of(org) or "", 0)


def _orgs_with_members(
    ctx: Context, kinds, dimension: str, value: str, minimum: int, name: str
) -> dict[str, int]:
    """How many organizations of ``kinds`` have at least ``minimum`` members counted in
    (``dimension``, ``value``) on a past date, per branch (from that day's placements)."""

    def load():
        day = ctx.frame.as_of
        from dangbo.members.models import Placement

        versions = dict(
            OrgVersion.objects.filter(
                Q(valid_to__isnull=True) | Q(valid_to__gt=day),
                paths.subtree_q(ctx.root_path),
                valid_from__lte=day,
            ).values_list("org_id", "path")
        )
        kinds_of = dict(
            OrgVersion.objects.filter(
                Q(valid_to__isnull=True) | Q(valid_to__gt=day),
                paths.subtree_q(ctx.root_path),
                valid_from__lte=day,
            ).values_list("path", "kind")
        )
        placements = Placement.objects.filter(
            Q(valid_to__isnull=True) | Q(valid_to__gt=day),
            valid_from__lte=day,
            counted=True,
            org_id__in=list(versions),
        )
        if dimension == "status":
            placements = placements.filter(status=value)
        own = dict(
            placements.values_list("org_id").annotate(n=Count("id")).values_list("org_id", "n").order_by()
        )
        subtree_counts: dict[str, int] = {}
        for org_id, n in own.items():
            for ancestor in paths.ancestor_paths(versions[org_id]):
                subtree_counts[ancestor] = subtree_counts.get(ancestor, 0) + n
        rows = [(p, 1) for p, n in subtree_counts.items() if n >= minimum and kinds_of.get(p) in kinds]
        return {k: v[0] for k, v in _sum_by_prefix(ctx, rows).items()}

    return ctx.grouped(name, load)


# --- declarations -----------------------------------------------------------------------


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    unit: str
    numerator: str
    denominator: str
    compute: Callable[[Context, Org], Value]
    section: str
    target: Rule | None = None
    flow: bool = False  # counted over the period, not on a day
    drill: str = ""  # the drill-down list behind the gap (a key of stats.drilldown.DRILLS)
    note: str = ""
    basis: str = ""  # the date basis, where the default for a count on a day or over a period does not say it

    @property
    def definition(self) -> str:
        """Numerator, denominator and date basis, in Vietnamese: written beside the indicator on
        the page and in the JSON, so a reader knows what was counted."""
        parts = [f"Tử số: {self.numerator}." if self.denominator else f"Số được đếm: {self.numerator}."]
        if self.denominator:
            parts.append(f"Mẫu số: {self.denominator}.")
        parts.append(self.basis or (FLOW_BASIS if self.flow else STOCK_BASIS[self.unit]))
        return " ".join(parts)


def _share(dimension: str, values=None, *, exclude=None) -> Callable[[Context, Org], Value]:
    def compute(ctx: Context, org: Org) -> Value:
        stock = ctx.stock(org)
        n = (
            stock.count_not_in(dimension, exclude)
            if exclude is not None
            else stock.count_in(dimension, values)
        )
        return Value(n, stock.total)

    return compute


STOCK_BASIS = {
    unit: basis
    for units, basis in (
        (
            (PERCENT, MEMBERS),
            "Tính tại ngày báo cáo: đảng viên chính thức và dự bị được tính vào đảng số (không kể người sinh "
            "hoạt tạm thời), theo cây tổ chức của ngày đó.",
        ),
        (
            (ORGS,),
            "Tính tại ngày báo cáo: tổ chức đang hoạt động trong phạm vi, theo cây tổ chức của ngày đó (không kể chính "
            "tổ chức đang xem).",
        ),
        (
            (HAMLETS,),
            "Tính tại ngày báo cáo: thôn, tổ dân phố của các đảng bộ xã, phường trong phạm vi vào ngày đó.",
        ),
        ((EVENTS,), "Tính tại ngày báo cáo."),
    )
    for unit in units
}
FLOW_BASIS = (
    "Cộng các sự kiện có ngày hiệu lực từ ngày đầu đến ngày cuối kỳ (tính cả hai ngày), mỗi sự kiện đặt vào tổ chức "
    "theo cây tổ chức của ngày xảy ra."
)

SECTION_MEMBERS = "Đảng viên"
SECTION_ORGS = "Tổ chức đảng"
SECTION_HAMLETS = "Thôn, tổ dân phố"
SECTION_LEADERS = "Cấp ủy cơ sở"
SECTION_FLOWS = "Phát triển đảng viên và biến động trong kỳ"


def _flow(kinds: tuple[str, ...]) -> Callable[[Context, Org], Value]:
    def compute(ctx: Context, org: Org) -> Value:
        counts = _flows(ctx, org, kinds)
        return Value(sum(counts.get(kind, 0) for kind in kinds))

    return compute


def _totals_on(ctx: Context, day) -> dict:
    """Members counted on ``day`` under the root and under each child (org id → count).

    When no organization has changed place since ``day``, today's tallies are corrected by the
    placements that began or ended after it (a year of changes, read through the placements'
    ``valid_from`` and ``valid_to`` indexes): the dashboard's default period, 1 January to
    today, costs a few milliseconds instead of a pass over every placement. Otherwise the
    placements valid that day are counted on that day's tree (``_totals_by_recount``)."""
    if figures._tree_unchanged_since(day):
        return _totals_by_difference(ctx, day)
    return _totals_by_recount(ctx, day)


_ACTIVE = [MemberStatus.FULL, MemberStatus.PROBATIONARY]


def _totals_by_difference(ctx: Context, day) -> dict:
    orgs = {o.pk: o.path for o in ctx.orgs if o.created_on <= day}
    if not orgs:
        return {}
    today = ctx.frame.today
    stored = tallies.tally_read(list(orgs), ["total"])
    totals = {pk: stored.get(pk, {}).get("total", {}).get("", 0) for pk in orgs}
    counted = Placement.objects.filter(counted=True, status__in=_ACTIVE)
    began = counted.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gt=today), valid_from__gt=day, valid_from__lte=today
    )
    ended = counted.filter(valid_from__lte=day, valid_to__gt=day, valid_to__lte=today)
    changes: dict = {}
    for rows, sign in ((began, -1), (ended, 1)):  # counted today, not on the day; and the reverse
        for org_id, n in (
            rows.values_list("org_id").annotate(n=Count("id")).values_list("org_id", "n").order_by()
        ):
            changes[org_id] = changes.get(org_id, 0) + sign * n
    if changes:
        where = dict(Org.objects.filter(pk__in=list(changes)).values_list("pk", "path"))
        for org_id, delta in changes.items():
            path = where.get(org_id, "")
            for pk, prefix in orgs.items():
                if path.startswith(prefix):
                    totals[pk] += delta
    return totals


def _totals_by_recount(ctx: Context, day) -> dict:
    """Counted placements valid on ``day`` under each organization's version of that day."""
    wanted = dict(
        OrgVersion.objects.filter(
            Q(valid_to__isnull=True) | Q(valid_to__gt=day),
            valid_from__lte=day,
            org_id__in=[o.pk for o in ctx.orgs],
        ).values_list("org_id", "path")
    )
    root_path = wanted.get(ctx.root.pk)
    if root_path is None:
        return {}
    width = len(root_path) + paths.SEGMENT_WIDTH + 1
    rows = (
        Placement.objects.filter(
            Q(valid_to__isnull=True) | Q(valid_to__gt=day),
            valid_from__lte=day,
            counted=True,
            status__in=[MemberStatus.FULL, MemberStatus.PROBATIONARY],
        )
        .filter(  # one filter() call: the version row of the same day
            Q(org__versions__valid_to__isnull=True) | Q(org__versions__valid_to__gt=day),
            paths.subtree_q(root_path, "org__versions__path"),
            org__versions__valid_from__lte=day,
        )
        .annotate(branch=Substr("org__versions__path", 1, width))
        .values("branch")
        .annotate(n=Count("id"))
        .values_list("branch", "n")
        .order_by()
    )
    by_branch = dict(rows)
    return {
        org_id: sum(by_branch.values())
        if org_id == ctx.root.pk
        else sum(n for b, n in by_branch.items() if b.startswith(path))
        for org_id, path in wanted.items()
    }


def opening_day(frame: Frame):
    """The day whose figures open the period: the day before its first day."""
    return frame.start - timedelta(days=1)


def _admission_rate(ctx: Context, org: Org) -> Value:
    """Admissions of the period over the members at its start (the day before its first
    day), stated per year (seed 003: "tỷ lệ kết nạp hằng năm 3–4 %")."""
    opening = ctx.grouped("opening_totals", lambda: _totals_on(ctx, opening_day(ctx.frame)))
    admitted = _flows(ctx, org, ("admitted",)).get("admitted", 0)
    return Value(admitted, opening.get(org.pk, 0), annualize_days=ctx.frame.period_days)


_THEORY = target_rules.THEORY_INTERMEDIATE_OR_ABOVE
_K = OrgKind

INDICATORS: tuple[Indicator, ...] = (
    # members
    Indicator(
        "members.total",
        "Tổng số đảng viên",
        MEMBERS,
        "Đảng viên chính thức và dự bị",
        "",
        lambda ctx, org: Value(ctx.stock(org).total),
        SECTION_MEMBERS,
    ),
    Indicator(
        "members.full",
        "Đảng viên chính thức",
        MEMBERS,
        "Đảng viên chính thức",
        "",
        lambda ctx, org: Value(ctx.stock(org).count("status", MemberStatus.FULL)),
        SECTION_MEMBERS,
    ),
    Indicator(
        "members.probationary",
        "Đảng viên dự bị",
        MEMBERS,
        "Đảng viên dự bị",
        "",
        lambda ctx, org: Value(ctx.stock(org).count("status", MemberStatus.PROBATIONARY)),
        SECTION_MEMBERS,
    ),
    Indicator(
        "members.women_share",
        "Tỷ lệ đảng viên nữ",
        PERCENT,
        "Đảng viên nữ",
        "Tổng số đảng viên",
        _share("gender", ["F"]),
        SECTION_MEMBERS,
    ),
    Indicator(
        "members.ethnic_minority_share",
        "Tỷ lệ đảng viên người dân tộc thiểu số",
        PERCENT,
        "Đảng viên dân tộc thiểu số",
        "Tổng số đảng viên",
        _share("ethnicity", exclude=[KINH_CODE]),
        SECTION_MEMBERS,
    ),
    Indicator(
        "members.religious_share",
        "Tỷ lệ đảng viên có đạo",
        PERCENT,
        "Đảng viên theo một tôn giáo",
        "Tổng số đảng viên",
        _share("religion", exclude=[NO_RELIGION_CODE]),
        SECTION_MEMBERS,
    ),
    Indicator(
        "members.theory_intermediate_share",
        "Tỷ lệ đảng viên có lý luận chính trị từ trung cấp trở lên",
        PERCENT,
        "Đảng viên có trình độ lý luận chính trị trung cấp, cao cấp, cử nhân",
        "Tổng số đảng viên",
        _share("theory", _THEORY),
        SECTION_MEMBERS,
    ),
    # organizations
    Indicator(
        "orgs.direct_children",
        "Tổ chức đảng trực thuộc",
        ORGS,
        "Tổ chức đảng trực thuộc trực tiếp",
        "",
        lambda ctx, org: Value(_org_count(ctx, org, "direct")),
        SECTION_ORGS,
    ),
    Indicator(
        "orgs.grassroots",
        "Tổ chức cơ sở đảng",
        ORGS,
        "Đảng bộ cơ sở và chi bộ cơ sở (không kể đảng ủy được giao quyền cấp trên cơ sở)",
        "",
        lambda ctx, org: Value(_org_count(ctx, org, "grassroots")),
        SECTION_ORGS,
    ),
    Indicator(
        "orgs.grassroots_committees",
        "Đảng bộ cơ sở",
        ORGS,
        "Đảng bộ cơ sở",
        "",
        lambda ctx, org: Value(_org_count(ctx, org, _K.GRASSROOTS_COMMITTEE)),
        SECTION_ORGS,
    ),
    Indicator(
        "orgs.grassroots_cells",
        "Chi bộ cơ sở",
        ORGS,
        "Chi bộ cơ sở",
        "",
        lambda ctx, org: Value(_org_count(ctx, org, _K.GRASSROOTS_CELL)),
        SECTION_ORGS,
    ),
    Indicator(
        "orgs.cells",
        "Chi bộ trực thuộc đảng ủy cơ sở",
        ORGS,
        "Chi bộ trực thuộc",
        "",
        lambda ctx, org: Value(_org_count(ctx, org, _K.CELL)),
        SECTION_ORGS,
    ),
    Indicator(
        "orgs.grassroots_300",
        "Đảng bộ cơ sở có từ 300 đảng viên trở lên",
        ORGS,
        "Đảng bộ cơ sở có từ 300 đảng viên trở lên",
        "",
        lambda ctx, org: Value(_flagged(ctx, org, tally_keys.LARGE_GRASSROOTS_FLAG)),
        SECTION_ORGS,
        drill="grassroots_300",
        note=org_rules.LARGE_GRASSROOTS_COMMITTEE.title,
    ),
    Indicator(
        "orgs.cells_needing_committee",
        "Chi bộ phải bầu chi ủy (từ 9 đảng viên chính thức)",
        ORGS,
        "Chi bộ có từ 9 đảng viên chính thức trở lên",
        "",
        lambda ctx, org: Value(_flagged(ctx, org, tally_keys.CELL_COMMITTEE_FLAG)),
        SECTION_ORGS,
        drill="cells_needing_committee",
        note=org_rules.CELL_COMMITTEE_THRESHOLD.title,
    ),
    # hamlets
    Indicator(
        "hamlets.total",
        "Thôn, tổ dân phố",
        HAMLETS,
        "Thôn, bản, tổ dân phố đang có vào ngày báo cáo",
        "",
        lambda ctx, org: Value(_locality_figures(ctx, org)["all"]),
        SECTION_HAMLETS,
    ),
    Indicator(
        "hamlets.with_members_share",
        "Tỷ lệ thôn, tổ dân phố có đảng viên",
        PERCENT,
        "Thôn, tổ dân phố có đảng viên cư trú",
        "Thôn, tổ dân phố đang có vào ngày báo cáo",
        lambda ctx, org: Value(_hamlets_with_members(ctx, org), _locality_figures(ctx, org)["all"]),
        SECTION_HAMLETS,
        target=target_rules.HAMLETS_WITH_MEMBERS,
        drill="hamlets_without_members",
    ),
    Indicator(
        "hamlets.with_cell_share",
        "Tỷ lệ thôn, tổ dân phố có chi bộ riêng",
        PERCENT,
        "Thôn, tổ dân phố có chi bộ riêng (chi bộ chỉ phụ trách thôn, tổ dân phố đó; không kể thôn ghép chi bộ)",
        "Thôn, tổ dân phố đang có vào ngày báo cáo",
        lambda ctx, org: Value(_locality_figures(ctx, org)["own_cell"], _locality_figures(ctx, org)["all"]),
        SECTION_HAMLETS,
        target=target_rules.HAMLETS_WITH_CELL,
        drill="hamlets_without_own_cell",
        note="Mục tiêu năm 2030 đo trên thôn, tổ dân phố có chi bộ của riêng mình; thôn ghép chi bộ "
        "(một chi bộ phụ trách nhiều thôn) được đếm ở chỉ tiêu riêng.",
    ),
    Indicator(
        "hamlets.merged_cell",
        "Thôn, tổ dân phố ghép chi bộ",
        HAMLETS,
        "Thôn, tổ dân phố có chi bộ phụ trách nhưng chi bộ đó phụ trách cả thôn, tổ dân phố khác (thôn ghép chi bộ)",
        "",
        lambda ctx, org: Value(_locality_figures(ctx, org)[tally_keys.MERGED_CELL]),
        SECTION_HAMLETS,
        drill="hamlets_merged_cell",
    ),
    Indicator(
        "hamlets.without_cell",
        "Thôn, tổ dân phố chưa có chi bộ",
        HAMLETS,
        "Thôn, tổ dân phố không có chi bộ nào phụ trách",
        "",
        lambda ctx, org: Value(_locality_figures(ctx, org)["all"] - _locality_figures(ctx, org)["with_cell"]),
        SECTION_HAMLETS,
        target=target_rules.HAMLETS_WITHOUT_CELL,
        drill="hamlets_without_cell",
    ),
    Indicator(
        "hamlets.head_member_share",
        "Tỷ lệ trưởng thôn, tổ trưởng tổ dân phố là đảng viên",
        PERCENT,
        "Thôn, tổ dân phố có trưởng thôn, tổ trưởng là đảng viên (hồ sơ đảng viên dự bị hoặc chính thức "
        "vào ngày báo cáo; người đã từ trần, ra khỏi Đảng không được tính)",
        "Thôn, tổ dân phố đang có vào ngày báo cáo",
        lambda ctx, org: Value(
            _locality_figures(ctx, org)["head_member"], _locality_figures(ctx, org)["all"]
        ),
        SECTION_HAMLETS,
        target=target_rules.HAMLET_HEADS_MEMBERS,
        drill="hamlet_heads_not_members",
    ),
    # grassroots leaders
    Indicator(
        "secretaries.theory_intermediate_share",
        "Tỷ lệ bí thư, phó bí thư cấp ủy cơ sở có lý luận chính trị từ trung cấp trở lên",
        PERCENT,
        "Bí thư, phó bí thư có trình độ trung cấp, cao cấp, cử nhân",
        "Bí thư, phó bí thư cấp ủy cơ sở",
        lambda ctx, org: _leader_value(ctx, org, SECRETARY_ROLES, "secretaries"),
        SECTION_LEADERS,
        target=target_rules.SECRETARIES_THEORY,
        drill="secretaries_below_theory",
    ),
    Indicator(
        "committee.theory_intermediate_share",
        "Tỷ lệ cấp ủy viên cơ sở có lý luận chính trị từ trung cấp trở lên",
        PERCENT,
        "Cấp ủy viên cơ sở có trình độ trung cấp, cao cấp, cử nhân",
        "Cấp ủy viên cơ sở",
        lambda ctx, org: _leader_value(ctx, org, COMMITTEE_ROLES, "committee"),
        SECTION_LEADERS,
        target=target_rules.COMMITTEE_THEORY,
        drill="committee_below_theory",
    ),
    # flows over the period
    Indicator(
        "admissions.rate_year",
        "Tỷ lệ kết nạp đảng viên mới (quy ra năm)",
        PERCENT,
        "Đảng viên kết nạp mới trong kỳ",
        "Tổng số đảng viên (chính thức và dự bị) đầu kỳ",
        _admission_rate,
        SECTION_FLOWS,
        target=target_rules.ADMISSION_RATE,
        flow=True,
        basis="Tử số cộng các quyết định kết nạp có hiệu lực từ ngày đầu đến ngày cuối kỳ; mẫu số là đảng viên "
        "của tổ chức vào ngày trước ngày đầu kỳ, theo cây tổ chức của ngày đó; tỷ lệ quy ra năm (nhân 365 / số "
        "ngày của kỳ). Đạt khi trong khoảng 3–4 %; trên 4 % ghi là vượt khoảng mục tiêu.",
    ),
    Indicator(
        "admissions.count",
        "Kết nạp đảng viên mới",
        EVENTS,
        "Đảng viên kết nạp trong kỳ",
        "",
        _flow(("admitted",)),
        SECTION_FLOWS,
        flow=True,
    ),
    Indicator(
        "readmissions.count",
        "Kết nạp lại",
        EVENTS,
        "Kết nạp lại trong kỳ",
        "",
        _flow(("readmitted",)),
        SECTION_FLOWS,
        flow=True,
    ),
    Indicator(
        "recognitions.count",
        "Công nhận đảng viên chính thức",
        EVENTS,
        "Công nhận chính thức trong kỳ",
        "",
        _flow(("recognized",)),
        SECTION_FLOWS,
        flow=True,
    ),
    Indicator(
        "transfers_in.count",
        "Chuyển sinh hoạt đến",
        EVENTS,
        "Đảng viên chuyển đến trong kỳ: tiếp nhận từ nơi khác và chuyển chính thức từ tổ chức ngoài phạm vi",
        "",
        _flow(("transferred_in", tally_keys.TRANSFER_IN)),
        SECTION_FLOWS,
        flow=True,
    ),
    Indicator(
        "transfers_out.count",
        "Chuyển sinh hoạt đi",
        EVENTS,
        "Đảng viên chuyển ra ngoài phạm vi trong kỳ",
        "",
        _flow(("moved_away", tally_keys.TRANSFER_OUT)),
        SECTION_FLOWS,
        flow=True,
    ),
    Indicator(
        "deaths.count",
        "Đảng viên từ trần",
        EVENTS,
        "Đảng viên từ trần trong kỳ",
        "",
        _flow(("died",)),
        SECTION_FLOWS,
        flow=True,
    ),
    Indicator(
        "exits.count",
        "Ra khỏi Đảng (xóa tên, xin ra, khai trừ)",
        EVENTS,
        "Xóa tên, xin ra khỏi Đảng, khai trừ trong kỳ",
        "",
        _flow(("struck_off", "resigned", "expelled")),
        SECTION_FLOWS,
        flow=True,
    ),
    Indicator(
        "restorations.count",
        "Phục hồi đảng tịch",
        EVENTS,
        "Ra khỏi Đảng trong kỳ rồi được phục hồi (tính vào ngày ra khỏi Đảng)",
        "",
        _flow(("restored",)),
        SECTION_FLOWS,
        flow=True,
    ),
)
BY_CODE: dict[str, Indicator] = {indicator.code: indicator for indicator in INDICATORS}
SECTIONS: tuple[str, ...] = tuple(dict.fromkeys(i.section for i in INDICATORS))

if len(BY_CODE) != len(INDICATORS):  # pragma: no cover - a declaration error
    raise ValueError("indicator code declared twice")


# --- results ------------------------------------------------------------------------------

MET, NOT_MET, ABOVE, NO_TARGET, NO_DATA = "met", "not_met", "above_range", "no_target", "no_data"
STATUS_LABELS = {
    MET: "Đạt",
    NOT_MET: "Chưa đạt",
    ABOVE: "Vượt khoảng mục tiêu",
    NO_TARGET: "Theo dõi",
    NO_DATA: "Chưa có số liệu",
}


@dataclass(frozen=True)
class Result:
    indicator: Indicator
    org: Org
    value: Value
    target: target_rules.Target | None
    citation: str
    confirmed: bool

    @property
    def status(self) -> str:
        if self.value.value is None:
            return NO_DATA
        if self.target is None:
            return NO_TARGET
        if self.target.high is not None and self.value.value > self.target.high:
            return ABOVE  # a range (3–4 %): above it is shown, not hidden as «met»
        return MET if self.target.met(self.value.value) else NOT_MET

    def as_dict(self) -> dict:
        target = None
        if self.target is not None:
            target = {
                "value": self.target.value,
                "high": self.target.high,
                "year": self.target.year,
                "direction": self.target.direction,
                "source": self.citation,
                "confirmed": self.confirmed,
            }
        value = self.value.value
        return {
            "code": self.indicator.code,
            "name": self.indicator.name,
            "definition": self.indicator.definition,
            "unit": self.indicator.unit,
            "value": round(value, 6) if isinstance(value, float) else value,
            "numerator": self.value.numerator,
            "denominator": self.value.denominator,
            "target": target,
            "status": self.status,
        }


def evaluate(ctx: Context, indicator: Indicator, org: Org) -> Result:
    target, citation, confirmed = None, "", True
    if indicator.target is not None:
        version = ctx.grouped(f"target:{indicator.code}", lambda: indicator.target.at(ctx.frame.as_of))
        target, citation, confirmed = version.value, version.citation, version.confirmed
    return Result(indicator, org, indicator.compute(ctx, org), target, citation, confirmed)


def evaluate_all(ctx: Context, org: Org | None = None, indicators=INDICATORS) -> list[Result]:
    return [evaluate(ctx, indicator, org or ctx.root) for indicator in indicators]


# --- breakdowns: the structure tables ------------------------------------------------------


@dataclass(frozen=True)
class Breakdown:
    code: str
    name: str
    section: str
    categories: Callable[[Context, Org], list[tuple[str, str, int]]]  # (code, label, count)


_LABELS: dict[str, tuple[float, dict[str, str]]] = {}
LABELS_TTL_SECONDS = 60


def _labels(model) -> dict[str, str]:
    """A code list's names, kept for a minute (code lists change by a migration or an
    administrator's correction, not between two page views)."""
    import time

    key = model.__name__
    cached = _LABELS.get(key)
    if cached is None or time.monotonic() - cached[0] > LABELS_TTL_SECONDS:
        cached = (time.monotonic(), dict(model.objects.values_list("code", "name")))
        _LABELS[key] = cached
    return cached[1]


def _by(dimension: str, labels: Callable[[], dict[str, str]], none_label: str = "Chưa ghi"):
    def categories(ctx: Context, org: Org) -> list[tuple[str, str, int]]:
        names = labels()
        values = ctx.stock(org).values(dimension)
        ordered = [code for code in names if code in values] + sorted(set(values) - set(names))
        return [(code, names.get(code) or (code if code else none_label), values[code]) for code in ordered]

    return categories


# Age bands of the reports (tuổi đời, by year of birth): the dashboard and the statistical forms.
AGE_BANDS = (
    (None, 30, "Đến 30 tuổi"),
    (31, 40, "31–40"),
    (41, 50, "41–50"),
    (51, 60, "51–60"),
    (61, 70, "61–70"),
    (71, None, "Trên 70"),
)


def age_band(age: int, bands=AGE_BANDS) -> int:
    """The index of the band ``age`` falls in (the last band for anything beyond)."""
    for index, (low, high, _) in enumerate(bands):
        if (low is None or age >= low) and (high is None or age <= high):
            return index
    return len(bands) - 1


def _age_bands(ctx: Context, org: Org) -> list[tuple[str, str, int]]:
    counts = [0] * len(AGE_BANDS)
    for year, n in ctx.stock(org).values("birth_year").items():
        counts[age_band(ctx.frame.as_of.year - int(year))] += n
    return [(str(i), label, counts[i]) for i, (_, _, label) in enumerate(AGE_BANDS)]


def _minority(ctx: Context, org: Org) -> list[tuple[str, str, int]]:
    stock = ctx.stock(org)
    kinh = stock.count("ethnicity", KINH_CODE)
    return [("kinh", "Dân tộc Kinh", kinh), ("minority", "Dân tộc thiểu số", stock.total - kinh)]


def _org_kinds(ctx: Context, org: Org) -> list[tuple[str, str, int]]:
    counts = _org_counts(ctx, org)
    return [
        (kind.value, kind.label, counts.get(kind.value, 0)) for kind in OrgKind if kind != OrgKind.PROVINCE
    ]


def _org_sectors(ctx: Context, org: Org) -> list[tuple[str, str, int]]:
    counts = _org_counts(ctx, org)
    return [
        (s.value, s.label, counts.get(f"sector:{s.value}", 0))
        for s in Sector
        if counts.get(f"sector:{s.value}")
    ]


def _reference(name: str):
    def labels():
        from dangbo.reference import models as reference

        return _labels(getattr(reference, name))

    return labels


BREAKDOWNS: tuple[Breakdown, ...] = (
    Breakdown(
        "members.by_status",
        "Đảng viên theo tình trạng",
        SECTION_MEMBERS,
        _by(
            "status",
            lambda: {MemberStatus.FULL.value: "Chính thức", MemberStatus.PROBATIONARY.value: "Dự bị"},
        ),
    ),
    Breakdown(
        "members.by_gender",
        "Đảng viên theo giới tính",
        SECTION_MEMBERS,
        _by("gender", lambda: {"M": "Nam", "F": "Nữ"}),
    ),
    Breakdown(
        "members.by_age_band", "Đảng viên theo tuổi đời (tính theo năm sinh)", SECTION_MEMBERS, _age_bands
    ),
    Breakdown("members.by_minority", "Đảng viên theo dân tộc", SECTION_MEMBERS, _minority),
    Breakdown(
        "members.by_ethnicity",
        "Đảng viên theo từng dân tộc",
        SECTION_MEMBERS,
        _by("ethnicity", _reference("Ethnicity")),
    ),
    Breakdown(
        "members.by_religion",
        "Đảng viên theo tôn giáo",
        SECTION_MEMBERS,
        _by("religion", _reference("Religion")),
    ),
    Breakdown(
        "members.by_education",
        "Đảng viên theo trình độ giáo dục phổ thông",
        SECTION_MEMBERS,
        _by("education", _reference("GeneralEducation")),
    ),
    Breakdown(
        "members.by_professional",
        "Đảng viên theo trình độ chuyên môn",
        SECTION_MEMBERS,
        _by("professional", _reference("ProfessionalLevel")),
    ),
    Breakdown(
        "members.by_theory",
        "Đảng viên theo trình độ lý luận chính trị",
        SECTION_MEMBERS,
        _by("theory", _reference("TheoryLevel")),
    ),
    Breakdown(
        "members.by_occupation", "Đảng viên theo nghề nghiệp", SECTION_MEMBERS, _by("occupation", dict)
    ),
    Breakdown("orgs.by_kind", "Tổ chức đảng theo loại", SECTION_ORGS, _org_kinds),
    Breakdown("orgs.by_sector", "Tổ chức cơ sở đảng theo loại hình", SECTION_ORGS, _org_sectors),
)
BREAKDOWNS_BY_CODE = {b.code: b for b in BREAKDOWNS}


def report_dict(ctx: Context, *, children: bool = False) -> dict:
    """The JSON report: the frame, every indicator and every breakdown (and each child's
    indicators when ``children``)."""
    frame = ctx.frame
    out = {
        "org": {"code": ctx.root.code, "name": ctx.root.name},
        "as_of": frame.as_of.isoformat(),
        "period": {"from": frame.start.isoformat(), "to": frame.end.isoformat()},
        "indicators": [r.as_dict() for r in evaluate_all(ctx)],
        "breakdowns": [
            {
                "code": b.code,
                "name": b.name,
                "categories": [{"code": c, "name": n, "count": k} for c, n, k in b.categories(ctx, ctx.root)],
            }
            for b in BREAKDOWNS
        ],
    }
    if children:
        out["children"] = [
            {
                "code": child.code,
                "name": child.name,
                "indicators": [r.as_dict() for r in evaluate_all(ctx, child)],
            }
            for child in ctx.children
        ]
    return out
