"""The figures the indicators read beyond a stock: each loaded once per context for the root
and its children together (one grouped query, added up per branch by path prefix) — hamlets,
flows, grassroots leaders, organizations by kind, flagged organizations, and the members at the
opening of a period. Today's figures come from the tallies; a past date's from that day's
versions and placements."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.db.models.functions import Substr

from dangbo.core import paths
from dangbo.core.kinds import GRASSROOTS_KINDS, OrgKind
from dangbo.members.models import ACTIVE_STATUSES, MemberStatus, Placement, Position
from dangbo.orgs.locality_versions import valid_on
from dangbo.orgs.models import LocalityVersion, Org, OrgVersion
from dangbo.rules import targets as target_rules
from dangbo.stats import figures, sql, tallies
from dangbo.stats.figures import Stock
from dangbo.stats.frames import Frame
from dangbo.stats.indicators.context import Context, Value
from dangbo.stats.models import OrgTally
from dangbo.stats.tallies import keys as tally_keys


def _sum_by_prefix(ctx: Context, rows, key_index: int = 0) -> dict[str, list[int]]:
    """Add up rows (path, n1, n2, ...) under each of the context's paths that prefix them."""
    prefixes = {p for p in [ctx.root_path, *ctx.child_paths.values()] if p}
    lengths = sorted({len(p) for p in prefixes})  # a path's prefixes are its first characters
    out: dict[str, list[int]] = {}
    for row in rows:
        path = row[key_index]
        values = [v for i, v in enumerate(row) if i != key_index]
        for length in lengths:
            prefix = path[:length]
            if prefix in prefixes and len(path) >= length:
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
    at once. Recounted from the ledger (a period the tree changed in), every kind of the root
    and the children at once: the recount reads the period's events whatever is asked."""
    if (org.pk == ctx.root.pk or ctx.is_child(org)) and ctx.grouped(
        "flows_from_ledger", lambda: figures.flows_read_from_ledger(ctx.frame)
    ):
        counts = ctx.grouped(
            "flows:root_and_children",
            lambda: figures.flows(ctx.frame, [ctx.root.pk, *(c.pk for c in ctx.children)]),
        )
    elif org.pk == ctx.root.pk or not ctx.is_child(org):
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


def _org_versions(ctx: Context) -> dict[str, dict[str, int]]:
    """Organizations by kind on the date, per branch: kind, "direct", "grassroots", "sector:<s>" → count."""
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
    (``dimension``, ``value``) on a past date, per branch: from today's tallies corrected by the
    members whose placements changed since when no organization has changed place or kind since
    (``_member_counts_by_difference``), otherwise from that day's placements."""

    def load():
        day = ctx.frame.as_of

        on_day = OrgVersion.objects.filter(
            Q(valid_to__isnull=True) | Q(valid_to__gt=day),
            paths.subtree_q(ctx.root_path),
            valid_from__lte=day,
        )
        if ctx.frame.tree_unchanged_since(day, kinds_too=True):
            changes = ctx.grouped(  # the same few thousand rows for every flag
                "status_changes",
                lambda: sql.status_changes(day=day, root_path=ctx.root_path, statuses=ACTIVE_STATUSES),
            )
            counts = _member_counts_by_difference(
                changes, on_day.filter(kind__in=list(kinds)), dimension, value
            )
            rows = [(p, 1) for p, n in counts.items() if n >= minimum]
            return {k: v[0] for k, v in _sum_by_prefix(ctx, rows).items()}
        versions, kinds_of = {}, {}
        for org_id, path, kind in on_day.values_list("org_id", "path", "kind"):  # one read, not two
            versions[org_id], kinds_of[path] = path, kind
        placements = Placement.objects.filter(
            Q(valid_to__isnull=True) | Q(valid_to__gt=day),
            valid_from__lte=day,
            counted=True,
            org_id__in=on_day.values("org_id"),  # a subquery, not thousands of parameters
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


def _member_counts_by_difference(changes, versions, dimension: str, value: str) -> dict[str, int]:
    """Members counted in (``dimension``, ``value``: "status" and a status, or "total") on a
    past day under each organization of ``versions`` (that day's versions; path → count), on a
    tree unchanged since: each one's tally today, less the members whose placements changed
    after the day as they are today, plus the same members as they were placed on the day
    (``changes``: ``stats.sql.status_changes`` of the day). A few thousand rows, not every
    placement of the day."""
    ids = dict(versions.values_list("org_id", "path"))
    counts = dict.fromkeys(ids.values(), 0)
    stored = OrgTally.objects.filter(org_id__in=versions.values("org_id"), dimension=dimension, value=value)
    for org_id, n in stored.values_list("org_id", "count"):
        counts[ids[org_id]] += n
    for sign, path, status, n in changes:
        if dimension == "status" and status != value:
            continue
        for ancestor in paths.ancestor_paths(path):
            if ancestor in counts:
                counts[ancestor] += sign * n
    return counts


def _totals_on(ctx: Context, day) -> dict:
    """Members counted on ``day`` under the root and under each child (org id → count).

    When no organization has changed place since ``day``, today's tallies are corrected by the
    changes of the counted members kept by day since (``_totals_by_difference``): the
    dashboard's default period, 1 January to today, costs a few milliseconds at any size
    instead of a pass over every placement. Otherwise the placements valid that day are
    counted on that day's tree (``_totals_by_recount``)."""
    if ctx.frame.tree_unchanged_since(day):
        return _totals_by_difference(ctx, day)
    return _totals_by_recount(ctx, day)


def _totals_by_difference(ctx: Context, day) -> dict:
    """Today's tallies less the counted members' changes kept by day since ``day``
    (``tallies.tally_stock_change``): a few rows per organization, whatever the subtree's size
    (reading the placements that changed since, a province's dashboard scanned the whole
    country's year of changes: 2.3 s at 5.6 million members)."""
    orgs = [o.pk for o in ctx.orgs if o.created_on <= day]
    if not orgs:
        return {}
    stored = tallies.tally_read(orgs, ["total"])
    change = tallies.tally_stock_change(orgs, day, ctx.frame.today)
    return {pk: stored.get(pk, {}).get("total", {}).get("", 0) - change.get(pk, 0) for pk in orgs}


def _totals_by_recount(ctx: Context, day) -> dict:
    """Counted placements valid on ``day`` under each organization's version of that day."""
    wanted = dict(
        OrgVersion.objects.filter(
            Q(valid_to__isnull=True) | Q(valid_to__gt=day),
            valid_from__lte=day,
            org_id__any=[o.pk for o in ctx.orgs],
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
