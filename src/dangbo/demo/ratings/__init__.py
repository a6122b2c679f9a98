"""The demo province's annual reviews and quality ratings of 2023, 2024 and 2025 (issue 21),
drawn on the members' record as the history left it (``demo.timeline`` runs this after the
dues, in the same transaction).

For each year, one review campaign per province (its committee reviews the whole province at
once; the service would open one per subtree the same way), its list fixed on 30 November:
the members counted in a cell that day, each with their cell, their grassroots organization,
their form and — for the exempted and the suspended (``rules.ratings.WHO_IS_RATED``, read
with ``ratings.roster``'s own functions) and those who left before the decision — why they are
not rated; and the cells and grassroots organizations standing that day, each rated by its
direct superior. The tree is the one of the cut-off day (``orgs.OrgVersion``): a 2023 review
lists the cells and grassroots organizations as they stood before the July 2025 reform.

Every member rated goes through the three steps — self-assessment in the first ten days of
December, the cell's assessment and proposal, the grassroots committee's decision late in
December, one decision number per committee and year — with a ``RatingDecision`` and the
``rated`` event in their ledger (DESIGN decision 1; the event changes nothing of the member's
state, so the projection still matches a replay). What each decides is in ``plan``: members
disciplined in the year (their ledger) are «not completed» with the disqualifier, the cap on
«excellent» holds in every grassroots organization (checked with
``rules.ratings.check_excellent_cap`` before anything is written), the 2025 review has
100-point scores that give the bands, and some members fail two years running.

Years whose decisions would fall after today are left out. Memory stays bounded: members are
read and written a few grassroots organizations (about ``MEMBERS_PER_CHUNK`` members) at a
time, with the meetings' writer.
"""

from __future__ import annotations

import json
import random
import time
from collections import Counter
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from datetime import time as clock_time
from uuid import UUID

from django.db import transaction
from django.db.models import F, Q

from dangbo.audit.context import bulk_operation
from dangbo.audit.services import Action, audit_record
from dangbo.core import clock
from dangbo.core.bulk import refresh_statistics
from dangbo.core.formats import format_number
from dangbo.core.kinds import CELL_KINDS, GRASSROOTS_KINDS, OrgKind
from dangbo.core.roles import COMMITTEE_ROLES
from dangbo.demo import sql
from dangbo.demo.generator import RATINGS_TABLES
from dangbo.demo.meetings.writing import Keys, indexes_set_aside
from dangbo.demo.ratings import plan
from dangbo.demo.ratings.writing import FILLED, ratings_writer
from dangbo.members.models import ACTIVE_STATUSES, Member, MemberEvent, MemberStatus, Placement, Position
from dangbo.orgs.selectors import org_versions_on
from dangbo.ratings import roster
from dangbo.ratings.models import MemberRating, NotRated, OrgRating, Period, RatingDecision, ReviewCampaign
from dangbo.ratings.services import DISCIPLINE_KINDS, disciplined_in_year
from dangbo.rules import ratings as rules
from dangbo.rules.ratings import Band
from dangbo.stats.tallies import deferred, tallies_deferred

__all__ = ["RATED_YEARS", "RATINGS_TABLES", "RatingsSummary", "build_ratings", "cutoff_of"]

RATED_YEARS = (2023, 2024, 2025)
MEMBERS_PER_CHUNK = 1_000
Kind = MemberEvent.Kind
EXITS = (Kind.DIED, Kind.MOVED_AWAY, Kind.STRUCK_OFF, Kind.RESIGNED, Kind.EXPELLED)
YEAR = Period.YEAR.value


@dataclass
class RatingsSummary:
    years: list[int]
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def __getitem__(self, name: str) -> int:
        return self.counts.get(name, 0)


def cutoff_of(year: int) -> date:
    return date(year, 11, 30)


def build_ratings(*, seed: int, progress=print) -> RatingsSummary:
    """Write the reviews of the years in ``RATED_YEARS`` decided by today (``clock``) in one
    transaction, audited as one operation; the tallies are recounted at the end unless the
    caller recounts at its own."""
    started = time.monotonic()
    today = clock.today()
    years = [y for y in RATED_YEARS if date(y, 12, 31) <= today]
    summary = RatingsSummary(years=years)
    recount = not deferred()
    if years:
        with transaction.atomic():
            with bulk_operation("demo"), tallies_deferred() if recount else nullcontext():
                summary.counts = _build(seed=seed, years=years, progress=progress)
            audit_record(
                action=Action.DEMO_GENERATED,
                data={"ratings": f"{years[0]}..{years[-1]}", "seed": seed, **summary.counts},
            )
        refresh_statistics((*RATINGS_TABLES, MemberEvent))
    summary.seconds = time.monotonic() - started
    c = summary.counts
    good = c.get("band_excellent", 0) + c.get("band_good", 0)
    share = f"{good * 100 / c['rated']:.1f}".replace(".", ",") if c.get("rated") else "0"
    progress(
        f"  Xếp loại chất lượng các năm {', '.join(str(y) for y in years) or '(chưa đến kỳ)'}: "
        f"{format_number(c.get('rated', 0))} lượt đảng viên được xếp loại ({share} % hoàn thành tốt "
        f"nhiệm vụ trở lên), {format_number(c.get('not_rated', 0))} lượt không xếp loại, "
        f"{format_number(c.get('orgs', 0))} lượt tổ chức đảng trong {format_number(summary.seconds)} giây."
    )
    return summary


def _build(*, seed: int, years: list[int], progress) -> dict[str, int]:
    sql.sqlite_page_cache_enlarged()
    counts: Counter[str] = Counter()
    writer = ratings_writer()
    keys = Keys(random.Random(f"dangbo.demo.ratings.keys:{seed}"), _epoch_ms(date(years[0], 12, 1)))
    with indexes_set_aside(FILLED):
        for year in years:
            progress(f"Kiểm điểm, xếp loại chất lượng năm {year} ...")
            tree = _Tree(cutoff_of(year))
            for root in tree.roots():
                _Year(
                    seed=seed, year=year, tree=tree, root=root, writer=writer, keys=keys, counts=counts
                ).run()
        writer.flush()
        progress("  Lập chỉ mục ...")
    counts["events"] = writer.counts[MemberEvent]
    counts["decisions"] = writer.counts[RatingDecision]
    return dict(sorted(counts.items()))


@dataclass(frozen=True)
class _Node:
    pk: UUID
    parent_id: UUID | None
    path: str
    kind: str
    name: str


class _Tree:
    """The organizations as they stood on ``day`` (their versions valid that day)."""

    def __init__(self, day: date):
        self.day = day
        self.nodes: dict[UUID, _Node] = {}
        for pk, parent_id, path, kind, name in (
            org_versions_on(day=day)
            .order_by("path")
            .values_list("org_id", "parent_id", "path", "kind", "name")
        ):
            self.nodes[pk] = _Node(pk, parent_id, path, kind, name)
        self.by_path = {n.path: (n.pk, n.kind) for n in self.nodes.values()}
        self._grassroots: dict[UUID, UUID] = {}

    def roots(self) -> list[_Node]:
        return [n for n in self.nodes.values() if n.parent_id is None]

    def under(self, root: _Node) -> list[_Node]:
        return [n for n in self.nodes.values() if n.path.startswith(root.path)]

    def grassroots(self, cell: _Node) -> UUID:
        found = self._grassroots.get(cell.pk)
        if found is None:
            found = self._grassroots[cell.pk] = roster.grassroots_of(self.by_path, cell.path) or cell.pk
        return found


@dataclass
class _Listed:
    member_id: UUID
    cell_id: UUID
    status: str


class _Year:
    def __init__(self, *, seed, year, tree: _Tree, root: _Node, writer, keys: Keys, counts: Counter):
        self.seed, self.year, self.tree, self.root = seed, year, tree, root
        self.writer, self.keys, self.counts = writer, keys, counts
        self.cutoff = cutoff_of(year)
        self.occupations: dict[UUID, str] = {}
        on = rules.year_day(year)
        self.scale: rules.Scale = rules.SCALE.value(on)
        self.rule_version = rules.SCALE.at(on).ref
        self.cap_percent: int | None = rules.EXCELLENT_CAP.value(on)
        self.who: rules.WhoIsRated = rules.WHO_IS_RATED.value(self.cutoff)
        self.nodes = tree.under(root)
        self.cells = {n.pk: n for n in self.nodes if n.kind in CELL_KINDS}
        self.decided_on: dict[UUID, date] = {}
        self.decision_no: dict[UUID, str] = {}

    # --- the list ------------------------------------------------------------------------------

    def listed(self) -> list[_Listed]:
        """The members counted in a cell under the root on the cut-off day (as
        ``roster.members_listed`` reads them), by member."""
        found: dict[UUID, _Listed] = {}
        rows = (
            Placement.objects.filter(
                Q(valid_to__isnull=True) | Q(valid_to__gt=self.cutoff),
                org_id__in=list(self.cells),
                counted=True,
                status__in=list(ACTIVE_STATUSES),
                valid_from__lte=self.cutoff,
            )
            .order_by("member_id", "valid_from")
            .values_list("member_id", "org_id", "status")
        )
        for member_id, cell_id, status in rows:
            found.setdefault(member_id, _Listed(member_id, cell_id, status))
        return list(found.values())

    def run(self) -> None:
        listed = self.listed()
        by_grassroots: dict[UUID, list[_Listed]] = {}
        for row in listed:
            by_grassroots.setdefault(self.tree.grassroots(self.cells[row.cell_id]), []).append(row)
        campaign = self._campaign(len(listed))
        order = sorted(by_grassroots, key=lambda pk: self.tree.nodes[pk].path)
        for pk in order:
            self._committee_day(pk)
        chunk: list[UUID] = []
        size = 0
        for pk in order:
            chunk.append(pk)
            size += len(by_grassroots[pk])
            if size >= MEMBERS_PER_CHUNK:
                self._members(campaign, {g: by_grassroots[g] for g in chunk})
                chunk, size = [], 0
        if chunk:
            self._members(campaign, {g: by_grassroots[g] for g in chunk})
        self._orgs(campaign)
        self.counts[f"campaigns_{self.year}"] += 1

    def _campaign(self, members: int) -> str:
        key = self._key()
        y = self.year
        self.writer.add(
            ReviewCampaign,
            (
                key,
                self.root.pk.hex,
                y,
                YEAR,
                self.cutoff.isoformat(),
                date(y, 12, 10).isoformat(),
                date(y, 12, 20).isoformat(),
                date(y, 12, 31).isoformat(),
                self.rule_version,
                members,
                None,
                self.writer.stamp(_instant(date(y, 12, 1), 1)),
            ),
        )
        return key

    def _org_rng(self, pk: UUID, what: str) -> random.Random:
        return random.Random(f"dangbo.demo.ratings.{what}:{self.seed}:{self.year}:{pk.hex}")

    def _committee_day(self, pk: UUID) -> None:
        """The day the grassroots committee decides its members' ratings, and its number."""
        rng = self._org_rng(pk, "committee")
        self.decided_on[pk] = date(self.year, 12, rng.randint(21, 29))
        suffix = "ĐU" if self.tree.nodes[pk].kind == OrgKind.GRASSROOTS_COMMITTEE else "CB"
        self.decision_no[pk] = f"{rng.randint(100, 399)}-QĐ/{suffix}"

    def _cell_day(self, pk: UUID) -> date:
        return date(self.year, 12, self._org_rng(pk, "cell").randint(11, 19))

    # --- members ------------------------------------------------------------------------------

    def _members(self, campaign: str, groups: dict[UUID, list[_Listed]]) -> None:
        ids = [row.member_id for rows in groups.values() for row in rows]
        standing = roster.standings_on(ids, self.cutoff)
        leaders = roster.leaders_on(ids, self.cutoff)
        self.occupations = dict(Member.objects.filter(pk__in=ids).values_list("pk", "occupation"))
        disciplined = disciplined_in_year(ids, self.year)
        left: dict[UUID, date] = {}
        for member_id, on in (
            MemberEvent.objects.filter(
                member_id__in=ids,
                kind__in=EXITS,
                effective_on__gt=self.cutoff,
                effective_on__lte=date(self.year, 12, 31),
            )
            .order_by("effective_on")
            .values_list("member_id", "effective_on")
        ):
            left.setdefault(member_id, on)
        seqs = dict(Member.objects.filter(pk__in=ids).values_list("pk", "ledger_seq"))
        rated: list[UUID] = []
        for grassroots, rows in groups.items():
            decided_on = self.decided_on[grassroots]
            reviews: dict[UUID, tuple[plan.MemberReview, random.Random]] = {}
            for row in rows:
                reason = ""
                if standing.get(row.member_id, "") in self.who.not_rated:
                    reason = NotRated(standing[row.member_id]).value
                elif row.status == MemberStatus.PROBATIONARY and not self.who.probationary:
                    reason = NotRated.PROBATIONARY.value
                elif row.member_id in left and left[row.member_id] <= decided_on:
                    reason = NotRated.LEFT.value
                if reason:
                    self._not_rated(campaign, row, grassroots, leaders, reason)
                    continue
                hex_ = row.member_id.hex
                rng = random.Random(f"dangbo.demo.ratings:{self.seed}:{self.year}:{hex_}")
                review = plan.member_review(
                    rng,
                    plan.disposition(self.seed, hex_),
                    disciplined=row.member_id in disciplined,
                    scale=self.scale,
                )
                reviews[row.member_id] = (review, rng)
            self._decide(grassroots, reviews)
            for row in rows:
                if row.member_id not in reviews:
                    continue
                review = reviews[row.member_id][0]
                self._rated(campaign, row, grassroots, leaders, review, seqs[row.member_id] + 1)
                rated.append(row.member_id)
                self.writer.maybe_flush()
        if rated:
            Member.objects.filter(pk__in=rated).update(ledger_seq=F("ledger_seq") + 1)

    def _decide(self, grassroots: UUID, reviews: dict[UUID, tuple[plan.MemberReview, random.Random]]) -> None:
        """The committee's decision: the cells' proposals, «excellent» kept within the cap."""
        proposed = [m for m, (r, _) in reviews.items() if r.cell_band == Band.EXCELLENT]
        good = sum(1 for r, _ in reviews.values() if r.cell_band == Band.GOOD)
        keep = plan.allowed_excellent(self.cap_percent, len(proposed), good)
        kept = set(sorted(proposed, key=lambda m: (-reviews[m][0].priority, m.hex))[:keep])
        for member_id, (review, rng) in sorted(reviews.items(), key=lambda item: item[0].hex):
            review.decide(capped=member_id not in kept, rng=rng, scored=self.scale.scored)
        bands = Counter(r.band for r, _ in reviews.values())
        refused = rules.check_excellent_cap(
            year=self.year,
            excellent=bands[Band.EXCELLENT],
            good=bands[Band.GOOD],
            org_label=self.tree.nodes[grassroots].name,
        )
        if refused:  # the plan's arithmetic is wrong: write nothing
            raise RuntimeError(refused[0].message)
        self.counts["demoted"] += sum(1 for r, _ in reviews.values() if r.demoted)

    def _row(self, campaign: str, row: _Listed, grassroots: UUID, leaders: set, key: str) -> list:
        form = roster.form_for(
            leader=row.member_id in leaders, occupation=self.occupations.get(row.member_id, "")
        )
        return [
            key,
            None,  # self_score
            "",  # self_band
            "",  # self_note
            None,  # self_on
            None,  # self_by_id
            None,  # score
            "",  # band
            "",  # legacy_level
            "[]",  # disqualifiers
            None,  # decided_on
            "",  # decision_no
            "",  # rule_version
            campaign,
            row.member_id.hex,
            self.year,
            YEAR,
            row.cell_id.hex,
            grassroots.hex,
            form,
            "",  # not_rated
            None,  # cell_score
            "",  # cell_band
            "[]",  # cell_disqualifiers
            "",  # cell_note
            None,  # cell_on
            None,  # cell_by_id
        ]

    def _not_rated(self, campaign: str, row: _Listed, grassroots: UUID, leaders: set, reason: str) -> None:
        values = self._row(campaign, row, grassroots, leaders, self._key())
        values[20] = reason
        self.writer.add(MemberRating, tuple(values))
        self.counts["not_rated"] += 1
        self.counts[f"not_rated_{reason}"] += 1

    def _rated(
        self, campaign: str, row: _Listed, grassroots: UUID, leaders: set, review: plan.MemberReview, seq: int
    ) -> None:
        prefix, base = self.keys.block()
        rating_key, decision_key, event_key = (prefix + f"{base + i:016x}" for i in (1, 2, 3))
        decided_on, number = self.decided_on[grassroots], self.decision_no[grassroots]
        disqualifiers = json.dumps(review.disqualifiers)
        values = self._row(campaign, row, grassroots, leaders, rating_key)
        values[1:4] = [review.self_score, review.self_band, ""]
        values[4] = date(self.year, 12, review.self_day).isoformat()
        values[6:13] = [
            review.score,
            review.band,
            "",
            disqualifiers,
            decided_on.isoformat(),
            number,
            self.rule_version,
        ]
        values[21:26] = [
            review.cell_score,
            review.cell_band,
            disqualifiers,
            "",
            self._cell_day(row.cell_id).isoformat(),
        ]
        recorded = self.writer.stamp(_instant(decided_on, 3))
        self.writer.add(MemberRating, tuple(values))
        self.writer.add(
            RatingDecision,
            (
                decision_key,
                rating_key,
                None,
                review.score,
                review.band,
                "",
                disqualifiers,
                number,
                decided_on.isoformat(),
                grassroots.hex,
                None,
                "",
                self.rule_version,
                None,
                recorded,
            ),
        )
        data = {"year": self.year, "period": YEAR, "band": review.band, "score": review.score}
        self.writer.add(
            MemberEvent,
            (
                event_key,
                number,
                decided_on.isoformat(),
                _committee_name(self.tree.nodes[grassroots].name)[:255],
                row.member_id.hex,
                seq,
                Kind.RATED.value,
                decided_on.isoformat(),
                recorded,
                None,
                grassroots.hex,
                None,
                None,
                None,
                "",
                self.rule_version,
                json.dumps(data),
            ),
        )
        self.counts["rated"] += 1
        self.counts[f"band_{review.band}"] += 1
        if review.disqualifiers:
            self.counts["disciplined"] += 1

    # --- organizations ------------------------------------------------------------------------

    def _orgs(self, campaign: str) -> None:
        """The cells and grassroots organizations standing on the cut-off day (as
        ``roster.orgs_listed`` lists them), each rated by its direct superior."""
        rated = [n for n in self.nodes if n.kind in CELL_KINDS | GRASSROOTS_KINDS and n.parent_id is not None]
        led = _led_by_disciplined(self.year)
        for node in rated:
            assert node.parent_id is not None
            rng = self._org_rng(node.pk, "org")
            review = plan.org_review(rng, leader_disciplined=node.pk in led, scale=self.scale)
            parent = self.tree.nodes.get(node.parent_id)
            if node.kind in GRASSROOTS_KINDS:  # by the district's (or the province's) standing committee
                decided_on = date(self.year, 12, self._org_rng(node.parent_id, "upper").randint(26, 30))
                suffix = "TU" if parent is None or parent.parent_id is None else "HU"
                number = f"{self._org_rng(node.parent_id, 'upper').randint(400, 899)}-QĐ/{suffix}"
            else:  # a cell, by its grassroots committee, with its members
                if node.parent_id not in self.decided_on:
                    self._committee_day(node.parent_id)
                decided_on, number = self.decided_on[node.parent_id], self.decision_no[node.parent_id]
            key, decision = self._key(), self._key()
            disqualifiers = json.dumps(review.disqualifiers)
            self.writer.add(
                OrgRating,
                (
                    key,
                    review.self_score,
                    review.self_band,
                    "",
                    date(self.year, 12, rng.randint(5, 15)).isoformat(),
                    None,
                    review.score,
                    review.band,
                    "",
                    disqualifiers,
                    decided_on.isoformat(),
                    number,
                    self.rule_version,
                    campaign,
                    node.pk.hex,
                    self.year,
                    YEAR,
                    node.parent_id.hex,
                ),
            )
            self.writer.add(
                RatingDecision,
                (
                    decision,
                    None,
                    key,
                    review.score,
                    review.band,
                    "",
                    disqualifiers,
                    number,
                    decided_on.isoformat(),
                    node.parent_id.hex,
                    None,
                    "",
                    self.rule_version,
                    None,
                    self.writer.stamp(_instant(decided_on, 8)),
                ),
            )
            self.counts["orgs"] += 1
            self.counts[f"org_band_{review.band}"] += 1
            if review.disqualifiers:
                self.counts["orgs_leader_disciplined"] += 1

    def _key(self) -> str:
        prefix, base = self.keys.block()
        return prefix + f"{base:016x}"


def _led_by_disciplined(year: int) -> set[UUID]:
    """The organizations with a committee member disciplined in ``year`` (as
    ``ratings.services.leader_disciplined`` reads it, for all organizations at once)."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    disciplined = MemberEvent.objects.filter(
        kind__in=DISCIPLINE_KINDS, effective_on__gte=first, effective_on__lte=last
    ).values_list("member_id", flat=True)
    return set(
        Position.objects.filter(
            Q(ended_on__isnull=True) | Q(ended_on__gte=first),
            member_id__in=list(disciplined),
            role__in=list(COMMITTEE_ROLES),
            started_on__lte=last,
        ).values_list("org_id", flat=True)
    )


def _committee_name(name: str) -> str:
    return name.replace("Đảng bộ", "Đảng ủy", 1)


def _instant(day: date, hour_utc: int) -> datetime:
    return datetime.combine(day, clock_time(hour_utc), tzinfo=UTC)


def _epoch_ms(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp() * 1000)
