"""The demo build itself (``demo.generator``): ``Builder`` composes the tree and the members,
builds the province one grassroots organization at a time, writes the members in batches
through ``ledger.bulk_write``, sets the hamlets' heads, and appoints the upper levels' leaders."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import date

from dangbo.core import paths
from dangbo.core.decisions import DecisionRef
from dangbo.core.formats import format_number
from dangbo.core.kinds import OrgKind
from dangbo.core.roles import Role
from dangbo.demo import sql
from dangbo.demo.generator.members import MembersMixin
from dangbo.demo.generator.summary import Summary, summarize
from dangbo.demo.generator.tree import CellPlan, TreeMixin, Unit
from dangbo.demo.people import PersonFactory
from dangbo.demo.profiles import Profile
from dangbo.members import ledger
from dangbo.members.models import ACTIVE_STATUSES, Member, MemberEvent, MemberStatus
from dangbo.members.services.positions import member_position_start
from dangbo.orgs import services as org_services
from dangbo.orgs.models import Locality, Org

Kind = MemberEvent.Kind

FLUSH_EVERY = 4000

GRASSROOTS_TERM_START = date(2020, 7, 1)  # congresses for the 2020–2025 term
CELL_TERM_START = date(2020, 4, 1)
UPPER_TERM_START = date(2020, 9, 1)
PROVINCE_TERM_START = date(2020, 10, 15)


class Builder(TreeMixin, MembersMixin):
    def __init__(self, profile: Profile, *, seed: int, members: int, progress: Callable[[str], None]):
        self.profile = profile
        self.seed = seed
        self.rng = random.Random(seed)
        self.target = members
        self.progress = progress
        self.people = PersonFactory(
            self.rng,
            as_of=profile.as_of,
            province_code=profile.province_code,
            women_share=profile.women_share,
        )
        self.on = profile.established_on
        self.pending: list[tuple[Member, list[MemberEvent]]] = []
        self.cell_pool: dict[str, list[Org]] = {}  # upper code -> cells built so far
        self.recent_left = round(members * profile.admissions_10y / profile.members)
        self.active_left = members
        self._head_queue: list[tuple[Locality, str, Member | None]] = []
        # names given so far in the province: grassroots organizations' (a school named after a
        # person once) and hamlets' (no two alike, so the communes merged in 2025 hold no twins)
        self.unit_names_taken: set[str] = set()
        self.hamlet_names_taken: set[str] = set()

    def _build_unit(self, unit: Unit) -> None:
        grassroots = self._grassroots(unit)
        plans = self._cells(unit, grassroots)
        unit_rows = []
        taken: set = set()
        for plan in plans:
            rows = self._members_of_cell(unit, plan)
            unit_rows.extend(rows)
            if plan.org.pk != grassroots.pk:
                cell_full = len(self._eligible(rows, CELL_TERM_START))
                self._appoint(
                    org=plan.org,
                    rows=rows,
                    roles=self._cell_roles(cell_full),
                    start=CELL_TERM_START,
                    cell_full=cell_full,
                    taken=taken,
                )
            self.cell_pool.setdefault(unit.upper.code, []).append(plan.org)
            self._heads(plan, rows)
        if grassroots.kind == OrgKind.GRASSROOTS_CELL:
            grassroots_full = len(self._eligible(unit_rows, GRASSROOTS_TERM_START))
            full: int | None = grassroots_full
            roles = self._cell_roles(grassroots_full)
        else:
            full = None
            roles = self._committee_roles(unit.members)
        self._appoint(
            org=grassroots,
            rows=unit_rows,
            roles=roles,
            start=GRASSROOTS_TERM_START,
            cell_full=full,
            taken=taken,
        )
        self.pending.extend((person.member, events) for person, events, _ in unit_rows)
        if len(self.pending) >= FLUSH_EVERY:
            self.flush()
        self._pending_heads_flush()

    def _heads(self, plan: CellPlan, rows) -> None:
        """Choose hamlet heads: nearly always a Party member living there (linked to the
        member record), sometimes a person outside the Party (a name only)."""
        for locality in plan.localities:
            residents = [
                p.member
                for p, events, _ in rows
                if p.member.residence_locality is locality and events[-1].kind != Kind.DIED
            ]
            if locality.cell_id is None or not residents or self.rng.random() < 0.03:
                gender = "M" if self.rng.random() < 0.8 else "F"
                family, middle, given = self.people.names.full_name(gender)
                self._head_queue.append((locality, f"{family} {middle} {given}".replace("  ", " "), None))
            else:
                self._head_queue.append((locality, "", self.rng.choice(residents)))

    def _pending_heads_flush(self) -> None:
        if self.pending:
            return  # heads that are members wait until their records are written
        for locality, name, member in self._head_queue:
            # heads from the hamlet's first day; a member head counts as a member only from
            # their admission (their placements), and stops on their death or exit
            org_services.locality_set_head(
                locality=Locality.objects.get(pk=locality.pk),
                head_name=name,
                head_member=member,
                effective_on=self.on,
            )
        self._head_queue = []

    def flush(self) -> None:
        if self.pending:
            ledger.bulk_write(self.pending)
            self.pending = []

    def _upper_positions(self, org: Org, start: date, sizes: tuple[int, int, int]) -> None:
        """Leaders of an upper-level committee, through the position service."""
        deputies, standing, committee = sizes
        candidates = list(
            Member.objects.filter(
                paths.subtree_q(org.path, "org_path"), status=MemberStatus.FULL, full_on__lt=start
            )
            .filter(theory_level_id__in=["intermediate", "advanced", "bachelor"])
            .order_by("sort_key")
            .values_list("pk", flat=True)[:2000]
        )
        self.rng.shuffle(candidates)
        roles = (
            [Role.SECRETARY]
            + [Role.DEPUTY_SECRETARY] * deputies
            + [Role.STANDING_COMMITTEE_MEMBER] * standing
        )
        roles += [Role.COMMITTEE_MEMBER] * committee
        for role, pk in zip(roles, candidates, strict=False):
            member = Member.objects.get(pk=pk)
            if member.events.filter(effective_on__gt=start, kind=Kind.TRANSFERRED).exists():
                continue
            member_position_start(member=member, org=org, role=role, started_on=start)

    def build(self) -> Summary:
        started = time.monotonic()
        # A larger page cache for this connection: the build writes ~2 million index
        # entries in one transaction, and the default 2 MB cache spills to the file.
        sql.sqlite_page_cache_enlarged()
        province = self._establish(
            code="LCI", name=self.profile.province_name, kind=OrgKind.PROVINCE, parent=None
        )
        units = self._plan_units(province)
        uppers = list(Org.objects.filter(parent=province).order_by("path"))
        self.progress(f"Tạo {len(units)} tổ chức cơ sở đảng và {format_number(self.target)} đảng viên ...")
        for index, upper in enumerate(uppers, start=1):
            for unit in (u for u in units if u.upper.pk == upper.pk):
                self._build_unit(unit)
            self.flush()
            self._pending_heads_flush()
            count = Member.objects.filter(
                paths.subtree_q(upper.path, "org_path"), status__in=ACTIVE_STATUSES
            ).count()
            self.progress(f"  [{index}/{len(uppers)}] {upper.name}: {format_number(count)} đảng viên")
            if upper.kind == OrgKind.UPPER or upper.has_upper_rights:
                self._upper_positions(upper, UPPER_TERM_START, (2, 5, 8))
        self._upper_positions(province, PROVINCE_TERM_START, (3, 10, 25))
        for code, _, renamed_on, basis in self.profile.renames:
            spec = next(s for s in self.profile.uppers if s.code == code)
            org_services.org_rename(
                org=Org.objects.get(code=code),
                name=spec.name,
                effective_on=renamed_on,
                decision=DecisionRef(number=basis, on=renamed_on, body="Ủy ban Thường vụ Quốc hội"),
            )
        summary = summarize(self.profile, self.seed, province)
        summary.seconds = time.monotonic() - started
        return summary
