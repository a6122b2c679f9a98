"""The full recount part by part, so that its memory does not grow with the province (issue 24:
3.2 GB at 500,000 members when everything was counted at once).

The organizations are cut into runs of sibling subtrees of at most ``PART_MEMBERS`` members
each (``plan_parts``); a run is a range of paths, which every table is read by. The
organizations above the runs (the province, a district too big for one run) are the "upper"
ones: few, whatever the size. One pass per run counts everything its rows add to its own
organizations (complete: nothing outside a subtree counts in it) and to the upper ones (a
share, summed over the runs); a last pass adds the upper organizations' own rows, the flows
of every member under them (a member moved between two runs must be counted once) and their
structure. What is held at a time is one run's counts and the upper organizations' counts
(compactly, ``_UpperCounts``), which are given one organization at a time.

``recount_parts`` yields each part's counts; ``tally_differences`` and ``tally_rebuild``
(``recount``) compare or write them one part at a time.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.db.models import Count

from dangbo.core import clock, paths
from dangbo.core.formats import format_number
from dangbo.members.models import ACTIVE_STATUSES, Member, Placement
from dangbo.stats.models import OrgTally
from dangbo.stats.tallies.flows import recount_flows
from dangbo.stats.tallies.keys import FLAGS, Key, _ancestor_ids
from dangbo.stats.tallies.organizations import _count_structure
from dangbo.stats.tallies.parallel import counted_runs
from dangbo.stats.tallies.recount import OrgTable, Part, count_part, org_table

PART_MEMBERS = 25_000  # members of one run of subtrees (a district of a province, a few communes)
_STEP = paths.SEGMENT_WIDTH + 1


@dataclass(frozen=True)
class Plan:
    ranges: list[tuple[str, str]]  # [lo, hi) of paths
    upper: dict  # path → id of the organizations above the runs


def plan_parts(table: OrgTable, limit: int = PART_MEMBERS) -> Plan:
    """Runs of sibling subtrees of at most ``limit`` active members; a subtree bigger than that
    is split into its children's, and its root is an upper organization."""
    own = (
        Member.objects.filter(status__in=ACTIVE_STATUSES)
        .order_by()
        .values_list("org_id")
        .annotate(n=Count("id"))
        .values_list("org_id", "n")
    )
    size: dict[str, int] = defaultdict(int)
    for org_id, n in own:
        org = table.orgs.get(org_id)
        if org is not None:
            for path in paths.ancestor_paths(org[0]):
                size[path] += n
    children: dict[str | None, list[str]] = defaultdict(list)
    for path in table.sorted_paths:  # in order: each list of children is sorted
        parent = path[:-_STEP]
        children[parent if parent in table.ids_by_path else None].append(path)
    ranges: list[tuple[str, str]] = []
    upper: dict = {}

    def split(siblings: list[str]) -> None:
        run: list[str] = []
        run_size = 0
        for path in siblings:
            n = size.get(path, 0)
            if n > limit and children.get(path):
                if run:
                    ranges.append((run[0], run[-1] + paths.UPPER_BOUND))
                    run, run_size = [], 0
                upper[path] = table.ids_by_path[path]
                split(children[path])
                continue
            if run and run_size + n > limit:
                ranges.append((run[0], run[-1] + paths.UPPER_BOUND))
                run, run_size = [], 0
            run.append(path)
            run_size += n
        if run:
            ranges.append((run[0], run[-1] + paths.UPPER_BOUND))

    split(children[None])
    return Plan(ranges, upper)


@dataclass(frozen=True)
class Counted:
    """One part's counts: of the organizations whose paths are in [lo, hi), or (``upper_ids``)
    of the upper organizations."""

    counts: dict[Key, int]
    lo: str | None = None
    hi: str | None = None
    upper_ids: tuple = ()

    def stored_rows(self) -> Iterator[tuple[Key, int]]:
        """The stored rows of the same organizations, streamed."""
        rows = OrgTally.objects.exclude(count=0)
        if self.upper_ids:
            rows = rows.filter(org_id__in=list(self.upper_ids))
        elif self.lo is not None:
            rows = rows.filter(org__path__gte=self.lo, org__path__lt=self.hi)
        for org_id, dim, value, n in rows.values_list("org_id", "dimension", "value", "count").iterator(
            chunk_size=20000
        ):
            yield (org_id, dim, value), n


class _UpperCounts:
    """The upper organizations' counts while the runs add their shares: per (organization,
    dimension), value → count, each value string interned. Held as (org, dimension, value) keys
    they were most of a national recount's peak: 57 organizations × three flows by day × some
    20,000 days, each key a tuple and its own day string (about 170 bytes; here about 60)."""

    def __init__(self) -> None:
        self._by: dict[tuple, dict[str, int]] = defaultdict(lambda: defaultdict(int))

    def add(self, items: Iterable[tuple[Key, int]]) -> None:
        for (org_id, dimension, value), n in items:
            self._by[(org_id, dimension)][sys.intern(value)] += n

    def flags_own(self) -> dict[Key, int]:
        """The counts the flags are judged on (``keys.FLAGS``), as keys."""
        wanted = {(spec.dimension, spec.value) for spec in FLAGS.values()}
        return {
            (org_id, dimension, value): n
            for (org_id, dimension), values in self._by.items()
            for value, n in values.items()
            if (dimension, value) in wanted
        }

    def pop_org(self, org_id) -> dict[Key, int]:
        """One organization's counts (not zero), removed from here."""
        out: dict[Key, int] = {}
        for pair in [pair for pair in self._by if pair[0] == org_id]:
            for value, n in self._by.pop(pair).items():
                if n:
                    out[(org_id, pair[1], value)] = n
        return out


def recount_parts(
    limit: int = PART_MEMBERS, progress: Callable[[str], object] | None = None, *, workers: int = 1
) -> Iterator[Counted]:
    """Every tally, recounted part by part (see the module docstring); the parts' counts, each
    of its own organizations, together equal ``tally_recount()``. ``progress`` is told, in
    Vietnamese, how far the recount has gone (a national recount takes minutes). With
    ``workers`` above 1 the runs are counted by that many processes (``tallies.parallel``: only
    where the recount reads nothing uncommitted)."""
    say = progress or (lambda line: None)
    today = clock.today()
    table = org_table()
    plan = plan_parts(table, limit)
    if not plan.upper and len(plan.ranges) <= 1:  # one part: everything, read without ranges
        counts = count_part(table, Part(), table.ids_by_path, today=today)
        yield Counted({key: n for key, n in counts.items() if n})
        return
    upper_ids = set(plan.upper.values())
    upper_counts = _UpperCounts()
    total, shown = len(plan.ranges), 0
    spanning: set = set()  # members placed in more than one run, or in an upper organization
    runs = (
        counted_runs(plan.ranges, plan.upper, today, workers)
        if workers > 1 and total > 1
        else (_count_run(table, plan.upper, lo, hi, today) for lo, hi in plan.ranges)
    )
    for done, ((lo, hi), (counts, spanned)) in enumerate(zip(plan.ranges, runs, strict=True), start=1):
        spanning |= spanned
        own = {key: n for key, n in counts.items() if n and key[0] not in upper_ids}
        upper_counts.add((key, n) for key, n in counts.items() if key[0] in upper_ids)
        del counts
        yield Counted(own, lo=lo, hi=hi)
        if done * 10 // total > shown:  # a line at each tenth
            shown = done * 10 // total
            say(f"  đã đếm {format_number(done)}/{format_number(total)} phần ({shown * 10}%)")
    say(
        f"  các cấp trên ({format_number(len(plan.upper))} tổ chức) và luồng vào, ra của đảng viên dưới chúng ..."
    )
    rest = Part(upper_ids=tuple(upper_ids), upper_paths=tuple(plan.upper), rest=True)
    upper_counts.add(count_part(table, rest, plan.upper, flows=False, structure=False, today=today).items())
    # the flows above the runs of the members the runs did not count there: placed in several
    # runs (a transfer between two), or in an upper organization itself
    spanning.update(
        Placement.objects.filter(org_id__in=list(upper_ids)).values_list("member_id", flat=True).distinct()
    )
    upper_counts.add(recount_flows(table.orgs, plan.upper, spanning).items())
    del spanning
    upper_orgs = {org_id: table.orgs[org_id] for org_id in upper_ids}
    structure: dict[Key, int] = defaultdict(int)
    _count_structure(
        upper_orgs,
        {org_id: _ancestor_ids(org[0], plan.upper) for org_id, org in upper_orgs.items()},
        own=upper_counts.flags_own(),
        counts=structure,
        kept=upper_ids,
        today=today,
    )
    upper_counts.add(structure.items())
    for org_id in sorted(upper_ids, key=str):  # one organization at a time: never all as keys
        yield Counted(upper_counts.pop_org(org_id), upper_ids=(org_id,))


def _count_run(table: OrgTable, upper: dict, lo: str, hi: str, today) -> tuple[dict[Key, int], set]:
    """One run's counts (its own organizations' and its shares of the upper ones') and the
    members it found placed in more than one run, counted in this process."""
    inside = table.ids_in(lo, hi)
    spanning: set = set()
    counts = count_part(
        table,
        Part(lo, hi),
        {**inside, **upper},
        flows_within=set(inside.values()),
        spanning=spanning,
        today=today,
    )
    return counts, spanning
