"""Loading the province into the simulation's memory (the tree, the members in good standing
and the former members, the cells by weight, the pool of members who may get an event), and
who decides what: the committees whose decisions the simulated events carry."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from typing import TYPE_CHECKING, Any, cast
from uuid import UUID

from django.db.models import Max

from dangbo.core import paths
from dangbo.core.decisions import DecisionRef
from dangbo.core.kinds import CELL_KINDS, GRASSROOTS_KINDS, OrgKind
from dangbo.core.roles import Role
from dangbo.demo.history.state import _above_grassroots, _committee, _Org, _Rec
from dangbo.demo.people import PersonFactory
from dangbo.discipline.models import DisciplineCase
from dangbo.members.models import (
    ACTIVE_STATUSES,
    LEFT_STATUSES,
    Member,
    MemberEvent,
    MemberStatus,
    Position,
    Standing,
    TransferCase,
)
from dangbo.orgs.models import Org
from dangbo.rules.probation import probation_end

Kind = MemberEvent.Kind


class LoadingMixin:
    """Part of ``simulation._History``: loading its state, and the authorities of its decisions."""

    if TYPE_CHECKING:
        # A mixin of one builder class: its attributes and the other mixins' methods are set
        # on that class; mypy refuses a self-type narrower than the class, so here they are `Any`.
        def __getattr__(self, name: str) -> Any: ...

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
            self.orgs[row[0]] = _Org(*row[:-1], live=row[-1] is None)  # the last is dissolved_on
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

        # both sets of str: the None values are excluded
        national_ids = cast(
            set[str], set(Member.objects.exclude(national_id=None).values_list("national_id", flat=True))
        )
        cards = cast(
            set[str], set(Member.objects.exclude(card_number=None).values_list("card_number", flat=True))
        )
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
