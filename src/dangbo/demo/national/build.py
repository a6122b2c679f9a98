"""Building the national demo (``demo.national``): 34 provinces, built one after another,
each one unit (a commune committee or an upper committee) at a time.

Organizations go in by ``orgs.services.bulk.orgs_establish_bulk`` (a province at a time),
members with their ledgers (admission, recognition, positions of the 2025–2030 terms) by
``members.ledger.bulk_write`` in batches of ``FLUSH_EVERY``: nothing is simulated month by
month, and memory holds one unit's members at most (the rows of an upper committee's first
organizations until its leaders are chosen). The tallies are deferred and recounted once at
the end (``stats.tallies.tallies_deferred``).
"""

from __future__ import annotations

import itertools
import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from dangbo.core import clock
from dangbo.core.bulk import new_instances
from dangbo.core.decisions import DecisionRef
from dangbo.core.formats import format_number
from dangbo.core.kinds import OrgKind, Sector
from dangbo.demo.generator.members import MembersMixin
from dangbo.demo.national.plan import ESTABLISHED_ON, NATIONAL_MEMBERS, CellPlan, ProvincePlanner, UnitPlan
from dangbo.demo.national.provinces import PROVINCES, Province
from dangbo.demo.people import Person, PersonFactory
from dangbo.members import ledger
from dangbo.members.models import Member, MemberEvent
from dangbo.orgs.models import Org
from dangbo.orgs.services.bulk import orgs_establish_bulk

Kind = MemberEvent.Kind

FLUSH_EVERY = 5000
RECENT_SHARE = 0.35  # admitted in the last ten years
WOMEN_SHARE = 0.37
CELL_TERM_START = date(2025, 4, 1)  # congresses of the 2025–2030 term
GRASSROOTS_TERM_START = date(2025, 6, 1)
COMMUNE_TERM_START = date(2025, 7, 1)  # the new communes' committees, appointed on their first day
UPPER_TERM_START = date(2025, 8, 1)
PROVINCE_TERM_START = date(2025, 10, 1)
HELD_FOR_LEADERS = 400  # rows of an upper committee kept until its leaders are chosen

_new_event = new_instances(MemberEvent)  # without Model.__init__: millions are made

Rows = list[tuple[Person, list[MemberEvent], date]]


class _Cards:
    """Party card numbers unique across the country without remembering them: the n-th card
    is a fixed permutation of the eight-digit numbers (48271 is prime to 9·10⁷)."""

    def __init__(self, seed: int):
        self.counter = itertools.count(seed % 1000)

    def next(self) -> str:
        return str(10_000_000 + (next(self.counter) * 48_271) % 90_000_000)


class _Ids:
    """Keys in the order they are made: the province's code in the top 8 bits, a counter in
    the next 40, 74 random bits below (the version and variant bits of a UUID4 take the rest).
    Members and their events then go in at the right edge of their key indexes instead of at
    random places in indexes of millions; keys of other databases still do not collide."""

    def __init__(self, rng: random.Random, province_code: int):
        self.rng = rng
        self.top = province_code << 120
        self.counter = itertools.count(1)

    def next(self) -> uuid.UUID:
        return uuid.UUID(int=self.top | next(self.counter) << 80 | self.rng.getrandbits(80), version=4)


class _Factory(PersonFactory):
    def __init__(self, rng, *, as_of, province_code, women_share, cards: _Cards, ids: _Ids):
        super().__init__(
            rng,
            as_of=as_of,
            province_code=province_code,
            women_share=women_share,
            make_member=new_instances(Member),
        )
        self.cards = cards
        self.ids = ids

    def uuid(self) -> uuid.UUID:
        return self.ids.next()

    def _card(self) -> str:
        return self.cards.next()


@dataclass
class NationalSummary:
    provinces: int
    orgs: int
    grassroots: int
    cells: int
    members: int
    seconds: float = 0.0


class NationalBuilder(MembersMixin):
    def __init__(self, *, seed: int, members: int, progress: Callable[[str], None]):
        self.seed = seed
        self.rng = random.Random(seed)
        self.target = members
        self.progress = progress
        self.as_of = clock.today()
        self.cards = _Cards(seed)
        self.pending: list = []
        self.summary = NationalSummary(len(PROVINCES), 0, 0, 0, 0)
        self.decision = DecisionRef(number="Dữ liệu mẫu", on=ESTABLISHED_ON, body="Ban Chấp hành Trung ương")

    def build(self) -> NationalSummary:
        started = time.monotonic()
        weights = [p.population for p in PROVINCES]
        shares = [int(self.target * w / sum(weights)) for w in weights]
        shares[0] += self.target - sum(shares)
        taken = Org.objects.filter(parent__isnull=True).count()
        self.progress(
            f"Tạo {len(PROVINCES)} đảng bộ tỉnh, thành phố và {format_number(self.target)} đảng viên ..."
        )
        for index, (province, members) in enumerate(zip(PROVINCES, shares, strict=True), start=1):
            before = self.summary.members
            self._province(province, members, number=taken + index)
            self.progress(
                f"  [{index}/{len(PROVINCES)}] {province.party_name}: "
                f"{format_number(self.summary.members - before)} đảng viên "
                f"({format_number(round(time.monotonic() - started))} giây)"
            )
        self.summary.seconds = time.monotonic() - started
        return self.summary

    # -- one province -------------------------------------------------------------------

    def _province(self, province: Province, members: int, *, number: int) -> None:
        rng = random.Random(f"{self.seed}-{province.code}")  # a province is the same whatever is built before
        self.rng = rng
        self.province = province
        self.ids = _Ids(rng, province.code)
        self.people = _Factory(
            rng,
            as_of=self.as_of,
            province_code=province.code,
            women_share=WOMEN_SHARE,
            cards=self.cards,
            ids=self.ids,
        )
        planner = ProvincePlanner(
            rng, province, members=members, number=number, scale=self.target / NATIONAL_MEMBERS
        )
        root = planner.root()
        plans = planner.units(root)
        orgs = [root] + [o for plan in plans for o in plan.orgs]
        for org in orgs:
            org.created_on = ESTABLISHED_ON
        orgs_establish_bulk(orgs, established_on=ESTABLISHED_ON, decision=self.decision)
        self.summary.orgs += len(orgs)
        self.summary.grassroots += sum(
            o.kind in (OrgKind.GRASSROOTS_CELL, OrgKind.GRASSROOTS_COMMITTEE) for o in orgs
        )
        self.summary.cells += sum(o.kind in (OrgKind.GRASSROOTS_CELL, OrgKind.CELL) for o in orgs)
        self.province_roles = [root, False]  # appointed from the Party agencies' first members
        for plan in plans:
            if plan.head.kind == OrgKind.UPPER:
                self._upper(plan, root)
            else:
                self._commune(plan)
        self.flush()

    def _commune(self, plan: UnitPlan) -> None:
        rows: Rows = []
        taken: set = set()
        for cell in plan.own_cells:
            rows += self._cell(cell, taken, start=CELL_TERM_START)
        for grassroots, cells in plan.grassroots:
            rows += self._grassroots(grassroots, cells)
        self._appoint(
            org=plan.head,
            rows=rows,
            roles=self._committee_roles(len(rows)),
            start=COMMUNE_TERM_START,
            cell_full=None,
            taken=taken,
        )
        self._queue(rows)

    def _upper(self, plan: UnitPlan, root: Org) -> None:
        held: Rows = []
        appointed = False
        for grassroots, cells in plan.grassroots:
            rows = self._grassroots(grassroots, cells)
            if appointed:
                self._queue(rows)
                continue
            held += rows
            if len(held) >= HELD_FOR_LEADERS or grassroots is plan.grassroots[-1][0]:
                self._leaders(plan, root, held)
                self._queue(held)
                appointed, held = True, []
        if not appointed:
            self._leaders(plan, root, held)
            self._queue(held)

    def _leaders(self, plan: UnitPlan, root: Org, rows: Rows) -> None:
        taken: set = set()
        self._appoint(
            org=plan.head,
            rows=rows,
            roles=self._upper_roles((2, 4, 8)),
            start=UPPER_TERM_START,
            cell_full=None,
            taken=taken,
        )
        if plan.head.code.endswith("-CQD") and not self.province_roles[1]:
            self._appoint(
                org=root,
                rows=rows,
                roles=self._upper_roles((3, 10, 25)),
                start=PROVINCE_TERM_START,
                cell_full=None,
                taken=set(),
            )
            self.province_roles[1] = True

    def _upper_roles(self, sizes: tuple[int, int, int]):
        from dangbo.core.roles import Role

        deputies, standing, committee = sizes
        return (
            [Role.SECRETARY]
            + [Role.DEPUTY_SECRETARY] * deputies
            + [Role.STANDING_COMMITTEE_MEMBER] * standing
            + [Role.COMMITTEE_MEMBER] * committee
        )

    def _grassroots(self, org: Org, cells: list[CellPlan]) -> Rows:
        taken: set = set()
        if org.kind == OrgKind.GRASSROOTS_CELL:
            return self._cell(cells[0], taken, start=GRASSROOTS_TERM_START)
        rows: Rows = []
        for cell in cells:
            rows += self._cell(cell, taken, start=CELL_TERM_START)
        self._appoint(
            org=org,
            rows=rows,
            roles=self._committee_roles(len(rows)),
            start=GRASSROOTS_TERM_START,
            cell_full=None,
            taken=taken,
        )
        return rows

    def _cell(self, plan: CellPlan, taken: set, *, start: date) -> Rows:
        rows = [self._member(plan) for _ in range(plan.size)]
        full = len(self._eligible(rows, start))
        self._appoint(
            org=plan.org, rows=rows, roles=self._cell_roles(full), start=start, cell_full=full, taken=taken
        )
        return rows

    def _member(self, plan: CellPlan) -> tuple[Person, list[MemberEvent], date]:
        rng = self.rng
        person = self.people.person(
            admitted_on=self.people.admission_date(recent=rng.random() < RECENT_SHARE),
            sector="residential" if plan.sector == Sector.RESIDENTIAL else plan.sector,
            minority_share=self.province.minority_share,
            residence=plan.residence,
            hometown=plan.residence,
        )
        events = [
            _new_event(
                id=self.ids.next(),
                kind=Kind.ADMITTED,
                effective_on=person.admitted_on,
                to_org_id=plan.org.pk,
                data={"ceremony_on": person.ceremony_on.isoformat()},
                decision_no=f"{rng.randrange(1, 999)}-QĐ/ĐU",
                decision_on=person.admitted_on,
                decision_body="Đảng ủy",
                seq=1,
            )
        ]
        if person.full_on:
            events.append(
                _new_event(
                    id=self.ids.next(),
                    kind=Kind.RECOGNIZED,
                    effective_on=person.full_on,
                    decision_no=f"{rng.randrange(1, 999)}-QĐ/ĐU",
                    decision_on=person.full_on + timedelta(days=rng.randrange(5, 40)),
                    decision_body="Đảng ủy",
                    seq=2,
                )
            )
        return person, events, person.admitted_on

    def _queue(self, rows: Rows) -> None:
        self.pending.extend((person.member, events) for person, events, _ in rows)
        self.summary.members += len(rows)
        if len(self.pending) >= FLUSH_EVERY:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            ledger.bulk_write(self.pending)
            self.pending = []
