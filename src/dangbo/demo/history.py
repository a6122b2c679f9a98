"""The demo province's history after the 2021 build: month by month from ``start`` to ``end``,
admissions, recognitions, official transfers between cells, deaths and exits, on whatever
tree exists when it runs (the 2025 restructuring is applied between two runs).

Rates, per year, of the members in good standing at the start of each month (so a build
of any size gets the same proportions):

* admissions 4 %: seed 001 (Tỉnh ủy Lào Cai, report of 2/12/2021) — Lào Cai admitted
  20,472 members in the ten years to 2021, about 2,000 a year for a little over 51,000
  members. New members go to live cells in proportion to their size; each is recognized
  as a full member 12 months after the ceremony (``rules.probation``) if that falls in
  the window. Every probationary member already there whose 12 months end in the window
  is recognized too.
* deaths 0.9 % (0.8–1 % of the stock a year), chosen by age (mortality doubling about
  every 8 years of age). Positions a member held end with them (the ledger closes them);
  secretaries are spared, since no election of a successor is simulated.
* official transfers between cells of the province 2 %, three in four inside the same
  organization directly under the province (district, bloc, police...). Members holding
  a position, away from their cell (``standing``) or with an open transfer or
  disciplinary case are not moved.
* exits 0.15 % (0.1–0.2 %) combined: struck off 65 %, expelled 25 %, resigned 10 %, of
  full members holding no position. An expulsion is recorded as the discipline service
  records it: a decided ``DisciplineCase`` and an ``expelled`` event carrying its votes.

The admission, transfer, death and exit counts are the rates above, not figures of any
report after 2021; they are rough, meant to keep the demo's flows of the right order.

The rest of the ledger's kinds (standing, temporary transfers, discipline, moves out of and
into the province, readmission, restoration, badges, secretaries' succession) come from
``demo.lifecycle``, a mixin of the same simulation; with ``in_flight`` the last run leaves
the work a real province has open on its last day (``demo.inflight``): recognitions not yet
decided, candidates, open transfers and discipline cases. The module stays one piece with
its mixin because they share one in-memory state of the province, month by month.

Fast paths only: new members (admission and, within the window, recognition) are written
with ``ledger.bulk_write`` as the generator writes them; events of existing members go
through ``ledger.append_many``, one event per member and month, the months in date order
and no member given an event that would precede one already in their ledger. A cell is not
left with fewer than three full members by a death, exit or transfer. The whole run is one
transaction with the tallies recounted once at its end.
"""

from __future__ import annotations

import math
import random
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date, timedelta
from uuid import UUID

from django.db import connection, transaction
from django.db.models import Max

from dangbo.core import paths
from dangbo.core.bulk import refresh_statistics
from dangbo.core.decisions import DecisionRef
from dangbo.core.formats import format_number
from dangbo.core.kinds import CELL_KINDS, GRASSROOTS_KINDS, OrgKind, Sector
from dangbo.core.roles import Role
from dangbo.demo.lifecycle import LifecycleMixin
from dangbo.demo.people import PersonFactory
from dangbo.discipline.models import DisciplineCase
from dangbo.members import ledger
from dangbo.members.models import (
    ACTIVE_STATUSES,
    LEFT_STATUSES,
    Member,
    MemberEvent,
    MemberStatus,
    Placement,
    Position,
    Standing,
    TransferCase,
)
from dangbo.orgs.models import Org
from dangbo.rules import admission as admission_rules
from dangbo.rules import discipline as discipline_rules
from dangbo.rules import exits as exit_rules
from dangbo.rules.probation import probation_end

Kind = MemberEvent.Kind

ADMISSION_RATE = 20_472 / 10 / 51_000  # ≈ 0.040 a year (seed 001)
DEATH_RATE = 0.009
TRANSFER_RATE = 0.02
EXIT_RATE = 0.0015
EXIT_SHARES = ((Kind.STRUCK_OFF, 0.65), (Kind.EXPELLED, 0.25), (Kind.RESIGNED, 0.10))
TRANSFER_NEARBY = 0.75  # share of transfers inside the same organization directly under the province
MIN_FULL_LEFT = 3  # a cell keeps at least this many full members (RULES.md §1: formation)
CARD_SHARE = 0.96  # full members with a card number, as the generator makes them
DAYS_PER_YEAR = 365.25
_CALL_GROUP = {
    **dict.fromkeys(
        (
            Kind.EXEMPTED,
            Kind.WORKING_AWAY,
            Kind.SUSPENDED,
            Kind.STANDING_ENDED,
            Kind.TEMP_TRANSFER,
            Kind.TEMP_RETURNED,
        ),
        "standing",
    ),
    **dict.fromkeys((Kind.POSITION_STARTED, Kind.POSITION_ENDED), "position"),
    **dict.fromkeys((Kind.STRUCK_OFF, Kind.RESIGNED, Kind.EXPELLED, Kind.MOVED_AWAY), "exit"),
    **dict.fromkeys((Kind.READMITTED, Kind.RESTORED), "return"),
}
_GOMPERTZ = 0.085  # mortality grows about e^0.085 a year of age (doubles in ~8 years)
_STRIKE_OFF_GROUNDS = (
    (exit_rules.StrikeOffGround.MISSED_MEETINGS_OR_DUES, 60),
    (exit_rules.StrikeOffGround.LOST_WILL, 25),
    (exit_rules.StrikeOffGround.STANDING_VIOLATION_TWO_YEARS, 10),
    (exit_rules.StrikeOffGround.RETURNED_CARD, 5),
)
_EXPULSION_MATTERS = (
    "Vi phạm pháp luật, bị cơ quan có thẩm quyền xử lý hình sự (dữ liệu mẫu)",
    "Vi phạm quy định về những điều đảng viên không được làm, gây hậu quả nghiêm trọng (dữ liệu mẫu)",
    "Vi phạm trong quản lý đất đai, tài chính, gây thất thoát (dữ liệu mẫu)",
    "Tham gia đánh bạc, tệ nạn xã hội, đã được giáo dục nhưng tái phạm (dữ liệu mẫu)",
)
# "Đảng bộ huyện X" → the committee "Huyện ủy X" and the suffix of its decision numbers.
_COMMITTEES = (
    ("Đảng bộ tỉnh ", "Tỉnh ủy ", "TU"),
    ("Đảng bộ thành phố ", "Thành ủy ", "ThU"),
    ("Đảng bộ thị xã ", "Thị ủy ", "TU"),
    ("Đảng bộ huyện ", "Huyện ủy ", "HU"),
    ("Đảng bộ ", "Đảng ủy ", "ĐU"),
)


@dataclass
class HistorySummary:
    """What one run did: events written per kind, and members in good standing before and after."""

    start: date
    end: date
    seed: int
    members_before: int = 0
    members_after: int = 0
    admitted: int = 0
    recognized: int = 0
    transferred: int = 0
    died: int = 0
    struck_off: int = 0
    resigned: int = 0
    expelled: int = 0
    exempted: int = 0
    suspended: int = 0
    working_away: int = 0
    standing_ended: int = 0
    temp_transfer: int = 0
    temp_returned: int = 0
    disciplined: int = 0
    moved_away: int = 0
    transferred_in: int = 0
    readmitted: int = 0
    restored: int = 0
    badge_awarded: int = 0
    position_started: int = 0
    position_ended: int = 0
    in_flight: dict = field(default_factory=dict)  # work left open on ``end`` (demo.inflight)
    positions_closed: int = 0  # positions ended by a holder's death
    overdue_probation: int = (
        0  # probationary members whose 12 months ended before ``start``: left as they are
    )
    seconds: float = 0.0

    @property
    def exits(self) -> int:
        return self.struck_off + self.resigned + self.expelled

    @property
    def joined(self) -> int:
        """Members in good standing added besides admissions: received from outside, readmitted, restored."""
        return self.transferred_in + self.readmitted + self.restored

    def by_kind(self) -> dict[str, int]:
        """Ledger events written, by ``MemberEvent.Kind`` (every kind but ``rehomed``, the reform's)."""
        return {kind.value: getattr(self, kind.value) for kind in Kind if kind != Kind.REHOMED}


@dataclass
class _Org:
    id: UUID
    name: str
    kind: str
    sector: str
    path: str
    parent_id: UUID | None
    created_on: date
    has_upper_rights: bool
    live: bool
    active: int = 0  # members in good standing sitting here now (cells)
    full: int = 0
    minority: int = 0
    samples: list = field(default_factory=list)  # (residence, locality id, hometown) of some members


class _Rec:
    """One member (in good standing, or a former member who may come back), as far as the
    simulation needs to know."""

    __slots__ = (
        "age_from",
        "badge",
        "birth",
        "deferred",
        "full_from",
        "holder",
        "host",
        "id",
        "last_on",
        "org_id",
        "standing",
    )

    def __init__(self, id, org_id, full_from, birth, normal, holder, last_on, standing=Standing.NORMAL):
        self.id, self.org_id, self.full_from, self.birth = id, org_id, full_from, birth
        self.standing = Standing.NORMAL if normal else standing
        self.holder, self.last_on = holder, last_on
        self.host = None
        self.age_from = None  # party age runs from (rules.badges)
        self.badge = None  # the largest badge awarded
        self.deferred = None  # badges deferred until (discipline)

    @property
    def normal(self) -> bool:
        return self.standing == Standing.NORMAL

    def is_full(self, on: date) -> bool:
        return self.full_from is not None and self.full_from <= on


def _months(start: date, end: date):
    day = start
    while day <= end:
        following = date(day.year + day.month // 12, day.month % 12 + 1, 1)
        yield day, min(following - timedelta(days=1), end)
        day = following


def _month_year(day: date) -> str:
    return f"{day.month}/{day.year}"


def _age(birth: date, on: date) -> float:
    return (on - birth).days / DAYS_PER_YEAR


def _above_grassroots(org: _Org) -> bool:
    return org.kind in (OrgKind.PROVINCE, OrgKind.UPPER) or org.has_upper_rights


def _committee(org: _Org) -> tuple[str, str]:
    """The committee leading ``org`` ("Huyện ủy Bát Xát") and its decision suffix ("HU")."""
    for prefix, word, suffix in _COMMITTEES:
        if org.name.startswith(prefix):
            return word + org.name[len(prefix) :], suffix
    return f"Cấp ủy {org.name}", "ĐU"


class _History(LifecycleMixin):
    def __init__(
        self, *, start: date, end: date, seed: int, progress: Callable[[str], None], in_flight: bool = False
    ):
        self.start, self.end, self.seed, self.progress = start, end, seed, progress
        self.in_flight = in_flight
        # Not Random(seed) itself: the generator drew its member ids from that very stream, and
        # the two runs (before and after the reform) take the same seed; the same words at the
        # same offsets would give the same ids. A string seed is hashed the same way everywhere.
        self.rng = random.Random(f"dangbo.demo.history:{seed}:{start.isoformat()}:{end.isoformat()}")
        self.summary = HistorySummary(start=start, end=end, seed=seed)
        self.members: dict[UUID, _Rec] = {}
        self.pool: list[UUID] = []  # members in good standing who may get an event
        self.index: dict[UUID, int] = {}
        self.by_year: dict[int, Counter] = defaultdict(Counter)  # events by the year they take effect

    # --- loading the tree and the members -------------------------------------------------

    def load(self) -> None:
        self.orgs: dict[UUID, _Org] = {}
        for row in Org.objects.order_by("path").values_list(
            "id",
            "name",
            "kind",
            "sector",
            "path",
            "parent_id",
            "created_on",
            "has_upper_rights",
            "dissolved_on",
        ):
            *values, dissolved_on = row
            self.orgs[row[0]] = _Org(*values, live=dissolved_on is None)
        self.by_path = {o.path: o for o in self.orgs.values()}
        self.cells = [o for o in self.orgs.values() if o.live and o.kind in CELL_KINDS]

        self.held = Counter(
            Position.objects.filter(ended_on__isnull=True).values_list("member_id", flat=True)
        )
        self.secretaries = set(
            Position.objects.filter(ended_on__isnull=True, role=Role.SECRETARY).values_list(
                "member_id", flat=True
            )
        )
        frozen = set(
            TransferCase.objects.filter(state=TransferCase.State.OPEN).values_list("member_id", flat=True)
        )
        frozen |= set(
            DisciplineCase.objects.filter(state=DisciplineCase.State.OPEN).values_list("member_id", flat=True)
        )
        last_on = dict(
            MemberEvent.objects.filter(member__status__in=ACTIVE_STATUSES)
            .values("member_id")
            .annotate(last=Max("effective_on"))
            .values_list("member_id", "last")
        )
        self.pending: dict[tuple[int, int], list[tuple[date, UUID, str]]] = defaultdict(list)
        women = 0
        rows = (
            Member.objects.filter(status__in=ACTIVE_STATUSES)
            .order_by("id")
            .values_list(
                "id",
                "org_id",
                "status",
                "ceremony_on",
                "birth_date",
                "standing",
                "gender",
                "ethnicity_id",
                "residence",
                "residence_locality_id",
                "hometown",
                "standing_since",
                "host_org_id",
                "party_age_from",
                "badge_years",
                "badge_deferred_until",
            )
        )
        self.by_org: dict[UUID, set] = defaultdict(set)
        standings: dict[UUID, tuple[str, date | None]] = {}
        for (
            mid,
            org_id,
            status,
            ceremony_on,
            birth,
            standing,
            gender,
            ethnicity,
            residence,
            locality_id,
            hometown,
            standing_since,
            host_org_id,
            age_from,
            badge_years,
            deferred,
        ) in rows.iterator(2000):
            self.summary.members_before += 1
            women += gender == "F"
            full_from = date.min if status == MemberStatus.FULL else None
            if status == MemberStatus.PROBATIONARY and ceremony_on:
                due = probation_end(ceremony_on)
                if due.on < self.start:
                    self.summary.overdue_probation += 1
                elif due.on <= self.end:
                    self.pending[(due.on.year, due.on.month)].append((due.on, mid, due.rule_ref))
            org = self.orgs.get(org_id)
            if org is not None:
                org.active += 1
                org.full += full_from is not None
                org.minority += ethnicity != "01"
                if len(org.samples) < 12:
                    org.samples.append((residence, locality_id, hometown))
            rec = _Rec(
                mid,
                org_id,
                full_from,
                birth,
                standing == Standing.NORMAL,
                mid in self.held,
                last_on.get(mid, date.min),
                standing,
            )
            rec.host, rec.age_from, rec.badge, rec.deferred = host_org_id, age_from, badge_years, deferred
            if standing != Standing.NORMAL:
                standings[mid] = (standing, standing_since)
            self.members[mid] = rec
            self.by_org[org_id].add(mid)
            if mid not in frozen:
                self._add(mid)
        grounds = dict(
            MemberEvent.objects.filter(
                kind=Kind.STRUCK_OFF, member__status=MemberStatus.STRUCK_OFF
            ).values_list("member_id", "data__ground")
        )
        rows_left = []
        for mid, status, left_on, org_id, full_on, birth, age_from in Member.objects.filter(
            status__in=LEFT_STATUSES
        ).values_list(
            "id",
            "status",
            "left_on",
            "org_id",
            "full_on",
            "birth_date",
            "party_age_from",
        ):
            rec = _Rec(mid, org_id, full_on, birth, True, False, left_on or date.min)
            rec.age_from = age_from
            self.members[mid] = rec
            rows_left.append((mid, status, left_on or date.min, org_id, full_on, grounds.get(mid, "")))
        self.women_share = women / max(1, self.summary.members_before)
        self.minority_share = sum(o.minority for o in self.cells) / max(1, sum(o.active for o in self.cells))

        national_ids = set(Member.objects.exclude(national_id=None).values_list("national_id", flat=True))
        cards = set(Member.objects.exclude(card_number=None).values_list("card_number", flat=True))
        prefixes = Counter(n[:3] for n in national_ids)
        province_code = int(prefixes.most_common(1)[0][0]) if prefixes else 10
        self.people = PersonFactory(
            self.rng, as_of=self.end, province_code=province_code, women_share=self.women_share
        )
        self.people._national_ids |= national_ids  # new people never take a number already given
        self.people._cards |= cards
        self._index_cells()
        self._load_lifecycle(standings, rows_left)

    def _index_cells(self) -> None:
        """Cells by weight (their size at the start) for admissions and for transfers, province-wide
        and under each organization directly under the province."""
        self.admit_cells = self.cells
        self.admit_weights = self._cumulative(self.cells)
        scopes: dict[str, list[_Org]] = defaultdict(list)
        for cell in self.cells:
            scopes[self._scope(cell)].append(cell)
        self.scopes = {key: (cells, self._cumulative(cells)) for key, cells in scopes.items()}

    @staticmethod
    def _cumulative(cells: list[_Org]) -> list[float]:
        total, weights = 0.0, []
        for cell in cells:
            total += cell.active + 1
            weights.append(total)
        return weights

    @staticmethod
    def _scope(cell: _Org) -> str:
        """The path of the organization directly under the root that contains ``cell``."""
        return cell.path[: 2 * (paths.SEGMENT_WIDTH + 1)]

    def _add(self, mid: UUID) -> None:
        self.index[mid] = len(self.pool)
        self.pool.append(mid)

    def _remove(self, mid: UUID) -> None:
        i = self.index.pop(mid)
        last = self.pool.pop()
        if last != mid:
            self.pool[i] = last
            self.index[last] = i

    # --- authorities -------------------------------------------------------------------------

    def _grassroots(self, org: _Org) -> _Org:
        node = org
        while node.kind not in GRASSROOTS_KINDS and node.parent_id in self.orgs:
            node = self.orgs[node.parent_id]
        return node

    def _admitting(self, cell: _Org) -> tuple[str, str]:
        """Who admits and recognizes members of ``cell``: its grassroots committee, or for a
        grassroots cell the standing committee above it."""
        grassroots = self._grassroots(cell)
        if grassroots.kind == OrgKind.GRASSROOTS_COMMITTEE or grassroots.parent_id not in self.orgs:
            return _committee(grassroots)
        name, suffix = _committee(self.orgs[grassroots.parent_id])
        return f"Ban Thường vụ {name}", suffix

    def _superior(self, cell: _Org) -> tuple[str, str]:
        """The standing committee above the grassroots organization (strikes off, expels)."""
        grassroots = self._grassroots(cell)
        above = (
            grassroots
            if grassroots.has_upper_rights or grassroots.parent_id not in self.orgs
            else self.orgs[grassroots.parent_id]
        )
        name, suffix = _committee(above)
        return f"Ban Thường vụ {name}", suffix

    def _transferring(self, source: _Org, target: _Org) -> tuple[str, str]:
        """The lowest committee over both cells decides the transfer."""
        common = ""
        for a, b in zip(source.path, target.path, strict=False):
            if a != b:
                break
            common += a
        org = self.by_path.get(common[: common.rfind(".") + 1]) or source
        if not _above_grassroots(org):
            org = self._grassroots(org)  # a sub-committee's transfers are its grassroots committee's
        name, suffix = _committee(org)
        return (f"Ban Thường vụ {name}" if _above_grassroots(org) else name), suffix

    def _decision(self, on: date, authority: tuple[str, str]) -> DecisionRef:
        body, suffix = authority
        return DecisionRef(number=f"{self.rng.randrange(1, 999)}-QĐ/{suffix}", on=on, body=body)

    # --- the simulation ------------------------------------------------------------------------

    def _draw(self, expected: float) -> int:
        whole = int(expected)
        return whole + (self.rng.random() < expected - whole)

    def _day(self, first: date, last: date) -> date:
        return first + timedelta(days=self.rng.randrange((last - first).days + 1))

    def _after(self, rec: _Rec, first: date, last: date) -> date | None:
        """A day of [first, last] after the member's last event, or None."""
        first = max(first, rec.last_on + timedelta(days=1))
        return self._day(first, last) if first <= last else None

    def _may_leave(self, rec: _Rec, on: date) -> bool:
        cell = self.orgs.get(rec.org_id)
        if cell is None or not cell.live:
            return True
        if cell.active <= MIN_FULL_LEFT:
            return False
        return not rec.is_full(on) or cell.full > MIN_FULL_LEFT

    def _leave(self, rec: _Rec, on: date) -> None:
        cell = self.orgs.get(rec.org_id)
        self.by_org.get(rec.org_id, set()).discard(rec.id)
        if cell is not None:
            cell.active -= 1
            cell.full -= rec.is_full(on)

    def run(self) -> HistorySummary:
        started = time.monotonic()
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA cache_size = -262144")
        self.load()
        self.progress(
            f"Mô phỏng biến động đảng viên {_month_year(self.start)}–{_month_year(self.end)} "
            f"({format_number(self.summary.members_before)} đảng viên, {len(self.cells)} chi bộ) ..."
        )
        if self.summary.overdue_probation:
            self.progress(
                f"  {format_number(self.summary.overdue_probation)} đảng viên dự bị đã hết 12 tháng trước "
                f"{self.start:%d/%m/%Y}: không ghi công nhận chính thức."
            )
        for first, last in _months(self.start, self.end):
            self._month(first, last)
            if last.month == 12 or last == self.end:
                self._report_year(last)
        if self.in_flight:
            from dangbo.demo.inflight import leave_in_flight

            self.summary.in_flight.update(leave_in_flight(self))
        self.summary.members_after = self._active_count()
        self.summary.seconds = time.monotonic() - started
        return self.summary

    def _month(self, first: date, last: date) -> None:
        active = self._active_count()
        share = ((last - first).days + 1) / DAYS_PER_YEAR
        new_members = self._admissions(first, last, self._draw(active * ADMISSION_RATE * share))
        pairs: list[tuple[Member, MemberEvent]] = []
        cases: list[DisciplineCase] = []
        cards: list[tuple[UUID, str]] = []
        self._recognitions(first, last, pairs, cards)
        taken = {member.pk for member, _ in pairs}
        self._deaths(first, last, self._draw(active * DEATH_RATE * share), pairs, taken)
        self._exits(first, last, self._draw(active * EXIT_RATE * share), pairs, taken, cases)
        self._transfers(first, last, self._draw(active * TRANSFER_RATE * share), pairs, taken)
        self._lifecycle_month(first, last, share, pairs, taken, cases, new_members)
        if new_members:
            ledger.bulk_write(new_members)
        # one call per group of kinds that change the same columns: the ledger updates only the
        # columns some event of the call changed, and each call costs its own compiled update
        # (a member has one event a month, so any grouping keeps each ledger in date order)
        by_kind: dict[str, list] = defaultdict(list)
        for member, event in pairs:
            by_kind[_CALL_GROUP.get(event.kind, event.kind)].append((member, event))
        for group in by_kind.values():
            ledger.append_many(group)
        if cases:
            DisciplineCase.objects.bulk_create(cases)
        if cards:
            _set_cards(cards)

    def _active_count(self) -> int:
        s = self.summary
        return s.members_before + s.admitted + s.joined - s.died - s.exits - s.moved_away

    # admissions ----------------------------------------------------------------------------------

    def _admissions(self, first: date, last: date, count: int) -> list[tuple[Member, list[MemberEvent]]]:
        rows = []
        for _ in range(count):
            cell = (
                self.rng.choices(self.admit_cells, cum_weights=self.admit_weights)[0]
                if self.admit_cells
                else None
            )
            if cell is None:
                break
            admitted_on = max(self._day(first, last), cell.created_on)
            if admitted_on > last:
                continue
            rows.append(self._new_member(cell, admitted_on))
            self.by_year[admitted_on.year][Kind.ADMITTED] += 1
        self.summary.admitted += len(rows)
        return rows

    def _new_member(self, cell: _Org, admitted_on: date) -> tuple[Member, list[MemberEvent]]:
        rng = self.rng
        residence, locality_id, hometown = rng.choice(cell.samples) if cell.samples else ("", None, "")
        minority = (cell.minority / cell.active) if cell.active else self.minority_share
        person = self.people.person(
            admitted_on=admitted_on,
            sector="residential" if cell.sector in ("", Sector.RESIDENTIAL) else cell.sector,
            minority_share=minority,
            residence=residence,
            hometown=hometown or residence,
        )
        member = person.member
        member.residence_locality_id = locality_id
        ceremony_on = min(
            person.ceremony_on, self.end
        )  # a decision of the last days: the ceremony not after ``end``
        assert not admission_rules.check_admission_age(birth_date=member.birth_date, vote_on=admitted_on)
        events = [
            MemberEvent(
                kind=Kind.ADMITTED,
                effective_on=admitted_on,
                to_org_id=cell.id,
                data={"ceremony_on": ceremony_on.isoformat()},
                rule_version=admission_rules.ADMISSION_AGE.at(admitted_on).ref,
                **self._decision(admitted_on, self._admitting(cell)).fields(),
            )
        ]
        full_on = person.full_on if ceremony_on == person.ceremony_on else None
        decided = self._recognition_day(full_on) if full_on else None
        if decided is None:
            full_on = None
        if full_on:
            due = probation_end(ceremony_on)
            assert due.on == full_on
            events.append(self._recognition(due.on, due.rule_ref, cell, decided))
            self.summary.recognized += 1
            self.by_year[due.on.year][Kind.RECOGNIZED] += 1
        for seq, event in enumerate(events, start=1):
            event.seq = seq
        cell.active += 1
        cell.full += full_on is not None
        rec = _Rec(member.id, cell.id, full_on, member.birth_date, True, False, events[-1].effective_on)
        rec.age_from = admitted_on
        self.members[member.id] = rec
        self.by_org[cell.id].add(member.id)
        self._add(member.id)
        return member, events

    def _recognition_day(self, full_on: date) -> date | None:
        """When the recognition is decided: 10–45 days after the 12 months (the cell reviews within
        30 working days); 1 in 20 late, 3–6 months. Not after ``end``; with work left in flight,
        None when it would come after it."""
        late = self.rng.random() < 0.05
        decided = full_on + timedelta(
            days=self.rng.randrange(90, 180) if late else self.rng.randrange(10, 45)
        )
        if decided > self.end and self.in_flight:
            self.summary.in_flight["recognition"] = self.summary.in_flight.get("recognition", 0) + 1
            return None
        return min(decided, self.end)

    def _recognition(self, full_on: date, rule_ref: str, cell: _Org, decided: date) -> MemberEvent:
        decision = self._decision(decided, self._admitting(cell))
        return MemberEvent(
            kind=Kind.RECOGNIZED, effective_on=full_on, rule_version=rule_ref, data={}, **decision.fields()
        )

    # events of members already there -------------------------------------------------------------

    def _recognitions(self, first: date, last: date, pairs, cards) -> None:
        for due, mid, rule_ref in sorted(self.pending.pop((first.year, first.month), [])):
            rec = self.members[mid]
            if mid not in self.index or rec.last_on > due or not (first <= due <= last):
                continue  # gone, or a later event already recorded: left as it is
            cell = self.orgs[rec.org_id]
            decided = self._recognition_day(due)
            if decided is None:
                continue  # not decided yet: on the to-do list of ``end``
            pairs.append((Member(pk=mid), self._recognition(due, rule_ref, cell, decided)))
            rec.full_from, rec.last_on = due, due
            cell.full += 1
            if self.rng.random() < CARD_SHARE:
                cards.append((mid, self.people._card()))
            self.summary.recognized += 1
            self.by_year[due.year][Kind.RECOGNIZED] += 1

    def _deaths(self, first: date, last: date, count: int, pairs, taken) -> None:
        done, tries = 0, 0
        while done < count and tries < 400 * count and self.pool:
            tries += 1
            mid = self.pool[self.rng.randrange(len(self.pool))]
            rec = self.members[mid]
            if mid in taken or mid in self.secretaries:
                continue  # no election of a successor is simulated: secretaries stay
            on = self._after(rec, first, last)
            if on is None or self.rng.random() > math.exp(_GOMPERTZ * (min(_age(rec.birth, on), 95) - 95)):
                continue
            if not self._may_leave(rec, on):
                continue
            pairs.append((Member(pk=mid), MemberEvent(kind=Kind.DIED, effective_on=on, data={})))
            self.summary.positions_closed += self.held.get(mid, 0)
            self._gone(rec, on, taken)
            self.summary.died += 1
            self.by_year[on.year][Kind.DIED] += 1
            done += 1

    def _gone(self, rec: _Rec, on: date, taken: set) -> None:
        self._leave(rec, on)
        self._remove(rec.id)
        rec.last_on = on
        taken.add(rec.id)

    def _exits(self, first: date, last: date, count: int, pairs, taken, cases) -> None:
        kinds, weights = zip(*EXIT_SHARES, strict=False)
        done, tries = 0, 0
        while done < count and tries < 200 * count and self.pool:
            tries += 1
            mid = self.pool[self.rng.randrange(len(self.pool))]
            rec = self.members[mid]
            if mid in taken or rec.holder or not rec.normal:
                continue
            on = self._after(rec, first, last)
            if on is None or not rec.is_full(on) or not self._may_leave(rec, on):
                continue
            cell = self.orgs.get(rec.org_id)
            if cell is None:
                continue
            kind = self.rng.choices(kinds, weights)[0]
            event = self._expulsion(rec, cell, on, cases) if kind == Kind.EXPELLED else None
            if event is None:
                kind = Kind.STRUCK_OFF if kind == Kind.EXPELLED else kind
                event = self._strike_off(cell, on) if kind == Kind.STRUCK_OFF else self._resignation(cell, on)
            pairs.append((Member(pk=mid), event))
            self._left_party(rec, event)
            self._gone(rec, on, taken)
            name = str(event.kind)
            setattr(self.summary, name, getattr(self.summary, name) + 1)
            self.by_year[on.year]["exits"] += 1
            done += 1

    def _strike_off(self, cell: _Org, on: date) -> MemberEvent:
        grounds, weights = zip(*_STRIKE_OFF_GROUNDS, strict=False)
        ground = self.rng.choices(grounds, weights)[0]
        assert not exit_rules.check_strike_off(ground, on)
        return MemberEvent(
            kind=Kind.STRUCK_OFF,
            effective_on=on,
            rule_version=exit_rules.STRIKE_OFF.at(on).ref,
            data={"ground": ground, "ground_label": exit_rules.STRIKE_OFF_GROUNDS[ground]},
            **self._decision(on, self._superior(cell)).fields(),
        )

    def _resignation(self, cell: _Org, on: date) -> MemberEvent:
        return MemberEvent(
            kind=Kind.RESIGNED,
            effective_on=on,
            rule_version=exit_rules.RESIGNATION.at(on).ref,
            data={},
            **self._decision(on, self._superior(cell)).fields(),
        )

    def _expulsion(self, rec: _Rec, cell: _Org, on: date, cases: list) -> MemberEvent | None:
        """Expulsion by the superior committee on ``on``, on the cell's proposal, as
        ``discipline_decide`` records it; None if the votes could not carry it."""
        from dangbo.members.selectors.votes import vote_denominator

        rng = self.rng
        Form, Stage = discipline_rules.Form, discipline_rules.Stage
        authority = discipline_rules.Authority.SUPERIOR_COMMITTEE
        proposal_on = on - timedelta(days=rng.randrange(10, 40))
        opened_on = proposal_on - timedelta(days=rng.randrange(15, 60))
        act_on = opened_on - timedelta(days=rng.randrange(10, 300))
        if act_on <= rec.last_on:
            return None  # the matter, and the vote, come after the member's last recorded event
        cell_count = vote_denominator(org=cell.id, on=proposal_on)
        if cell_count <= 0:
            return None
        version = discipline_rules.DISCIPLINE_VOTE.at(on).value[Form.EXPULSION]
        proposal_approvals = rng.randint(version[Stage.PROPOSE].needed(cell_count), cell_count)
        committee = rng.randint(9, 15)
        approvals = rng.randint(version[Stage.DECIDE].needed(committee), committee)
        problems = discipline_rules.check_discipline(
            form=Form.EXPULSION,
            status=MemberStatus.FULL,
            holds_position=False,
            authority=authority,
            act_on=act_on,
            vote_on=on,
            approvals=approvals,
            denominator=committee,
            decided_on=on,
        ) + discipline_rules.check_discipline_vote(
            Form.EXPULSION, proposal_on, proposal_approvals, cell_count, Stage.PROPOSE
        )
        if problems:
            return None
        decision = self._decision(on, self._superior(cell))
        rule_ref = discipline_rules.DISCIPLINE_VOTE.at(on).ref
        case = DisciplineCase(
            id=self.people.uuid(),
            member_id=rec.id,
            act_on=act_on,
            summary=rng.choice(_EXPULSION_MATTERS),
            opened_on=opened_on,
            state=DisciplineCase.State.DECIDED,
            form=Form.EXPULSION,
            authority=authority,
            decided_on=on,
            effective_on=on,
            approvals=approvals,
            denominator=committee,
            rule_version=rule_ref,
            **decision.fields(),
        )
        cases.append(case)
        data = {
            "form": Form.EXPULSION,
            "form_label": Form.label(Form.EXPULSION),
            "authority": authority,
            "vote_on": on.isoformat(),
            "approvals": approvals,
            "denominator": committee,
            "case": str(case.id),
            "proposal_vote_on": proposal_on.isoformat(),
            "proposal_approvals": proposal_approvals,
            "proposal_denominator": cell_count,
        }
        effective_on = discipline_rules.decision_effective_on(authority, on, on)
        return MemberEvent(
            kind=Kind.EXPELLED,
            effective_on=effective_on,
            rule_version=rule_ref,
            data=data,
            **decision.fields(),
        )

    def _transfers(self, first: date, last: date, count: int, pairs, taken) -> None:
        done, tries = 0, 0
        while done < count and tries < 50 * count and self.pool:
            tries += 1
            mid = self.pool[self.rng.randrange(len(self.pool))]
            rec = self.members[mid]
            if mid in taken or rec.holder or not rec.normal:
                continue
            source = self.orgs.get(rec.org_id)
            if source is None or not source.live or source.kind not in CELL_KINDS:
                continue
            on = self._after(rec, first, last)
            if on is None or not self._may_leave(rec, on):
                continue
            if _age(rec.birth, on) >= 60 and self.rng.random() < 0.7:
                continue  # the retired move less
            target = self._target(source, on)
            if target is None:
                continue
            decided = max(
                on - timedelta(days=self.rng.randrange(7, 30)), rec.last_on
            )  # never before their last event
            decision = self._decision(decided, self._transferring(source, target))
            pairs.append(
                (
                    Member(pk=mid),
                    MemberEvent(
                        kind=Kind.TRANSFERRED,
                        effective_on=on,
                        from_org_id=source.id,
                        to_org_id=target.id,
                        data={},
                        **decision.fields(),
                    ),
                )
            )
            full = rec.is_full(on)
            self._leave(rec, on)
            target.active += 1
            target.full += full
            self.by_org[target.id].add(mid)
            rec.org_id, rec.last_on = target.id, on
            taken.add(mid)
            self.summary.transferred += 1
            self.by_year[on.year][Kind.TRANSFERRED] += 1
            done += 1

    def _target(self, source: _Org, on: date) -> _Org | None:
        nearby = self.scopes.get(self._scope(source))
        cells, weights = (
            nearby
            if nearby and self.rng.random() < TRANSFER_NEARBY
            else (self.admit_cells, self.admit_weights)
        )
        for _ in range(5):
            target = self.rng.choices(cells, cum_weights=weights)[0]
            if target.id != source.id and target.created_on <= on:
                return target
        return None

    # progress -------------------------------------------------------------------------------------

    def _report_year(self, last: date) -> None:
        y = self.by_year.pop(last.year, Counter())
        self.progress(
            f"  {_month_year(last)}: kết nạp {format_number(y[Kind.ADMITTED])}, công nhận chính thức {format_number(y[Kind.RECOGNIZED])}, "
            f"chuyển sinh hoạt {format_number(y[Kind.TRANSFERRED])}, từ trần {format_number(y[Kind.DIED])}, "
            f"ra khỏi Đảng {format_number(y['exits'])}; còn {format_number(self._active_count())} đảng viên"
        )


def _set_cards(cards: list[tuple[UUID, str]]) -> None:
    """Card numbers for newly recognized members (an identity field, not the ledger's)."""
    table = connection.ops.quote_name(Member._meta.db_table)
    column = connection.ops.quote_name(Member._meta.get_field("card_number").column)
    pk = Member._meta.pk
    rows = [(card, pk.get_db_prep_save(mid, connection)) for mid, card in cards]
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET {column} = %s WHERE {connection.ops.quote_name(pk.column)} = %s", rows
        )


def simulate_history(
    *, start: date, end: date, seed: int, progress=print, in_flight: bool = False
) -> HistorySummary:
    """Simulate the members' events with effective dates in [start, end] on the tree as it is
    (live cells only), in one transaction, audited as one operation; returns the counts.

    The same seed on the same database gives the same history (``start`` and ``end`` are mixed
    into the random source, so two runs with one seed do not repeat each other). With
    ``in_flight`` (the last run, up to the day the demo is built) the run ends with work open
    on ``end`` (``demo.inflight``); otherwise everything due by ``end`` is done. The tallies
    are recounted once at the end, unless the caller is already inside ``tallies_deferred``:
    then its own recount at the end of its block covers this run too.
    """
    from dangbo.audit.context import bulk_operation
    from dangbo.audit.services import Action, audit_record
    from dangbo.stats.tallies import deferred, tallies_deferred

    if end < start:
        raise ValueError("end must not precede start")
    started = time.monotonic()
    # Inside a caller's own tallies_deferred (history, reform, history in one block) the
    # caller recounts once at its end; otherwise this run recounts once at its end.
    recount = not deferred()
    with transaction.atomic():
        with bulk_operation("demo"), tallies_deferred() if recount else nullcontext():
            summary = _History(start=start, end=end, seed=seed, progress=progress, in_flight=in_flight).run()
            if recount:
                progress("Đếm số liệu tổng hợp ...")
        audit_record(
            action=Action.DEMO_GENERATED,
            data={"history": f"{start.isoformat()}..{end.isoformat()}", "seed": seed, **summary.by_kind()},
        )
    refresh_statistics([Member, MemberEvent, Placement, Position])
    summary.seconds = time.monotonic() - started
    progress(
        f"Xong trong {summary.seconds:.0f} giây: kết nạp {format_number(summary.admitted)}, công nhận chính thức "
        f"{format_number(summary.recognized)}, chuyển sinh hoạt {format_number(summary.transferred)}, từ trần "
        f"{format_number(summary.died)}, ra khỏi Đảng {format_number(summary.exits)} (xóa tên {summary.struck_off}, "
        f"khai trừ {summary.expelled}, xin ra {summary.resigned}); {format_number(summary.members_after)} đảng viên."
    )
    return summary
