"""Build a demo province: the tree (through the org services), hamlets and their heads, and
members with their ledgers (through ``ledger.bulk_write``), deterministic for a seed.

Memory stays bounded: members are written in batches as each grassroots organization
is finished, and nothing keeps them afterwards. The whole build is one transaction,
so an interrupted build leaves nothing half-made.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import connection, transaction

from dangbo.core import clock, paths
from dangbo.core.bulk import refresh_statistics
from dangbo.core.decisions import DecisionRef
from dangbo.core.formats import format_number
from dangbo.core.kinds import OrgKind, Sector
from dangbo.core.roles import Role
from dangbo.demo import units as unit_names
from dangbo.demo.geography import Commune, province_divisions
from dangbo.demo.people import Person, PersonFactory
from dangbo.demo.profiles import Profile, UpperSpec
from dangbo.members import ledger
from dangbo.members.models import ACTIVE_STATUSES, Member, MemberEvent, MemberStatus, Placement, Position
from dangbo.members.services.positions import member_position_start
from dangbo.orgs import services as org_services
from dangbo.orgs.locality_versions import versions_follow
from dangbo.orgs.models import Locality, LocalityVersion, Org, OrgVersion
from dangbo.rules import positions as position_rules
from dangbo.rules.orgs import GRASSROOTS_COMMITTEE_THRESHOLD
from dangbo.rules.probation import add_months
from dangbo.stats.tallies import locality_row, tally_localities_changed

Kind = MemberEvent.Kind
# The tables a demo build fills, whose planner statistics are refreshed when it is committed.
DEMO_TABLES = (Org, OrgVersion, Locality, LocalityVersion, Member, MemberEvent, Placement, Position)
FLUSH_EVERY = 4000
COMMUNE_WEIGHT = 3.7  # a commune committee holds about 3.7 times the members of another grassroots org
DEATH_SHARE = 0.05
TRANSFER_SHARE = 0.1
GRASSROOTS_TERM_START = date(2020, 7, 1)  # congresses for the 2020–2025 term
CELL_TERM_START = date(2020, 4, 1)
UPPER_TERM_START = date(2020, 9, 1)
PROVINCE_TERM_START = date(2020, 10, 15)


@dataclass
class Unit:
    """A grassroots organization to build."""

    upper: Org
    spec: UpperSpec
    base_name: str
    sector: str
    commune: Commune | None = None
    weight: float = 1.0
    members: int = 0


@dataclass
class CellPlan:
    org: Org
    size: int
    localities: list[Locality] = field(default_factory=list)
    residence: str = ""


@dataclass
class Summary:
    profile: str
    seed: int
    orgs: int
    direct_children: int
    grassroots: int
    members: int
    women_share: float
    ethnic_minority_share: float
    admissions_10y: int
    localities: int
    localities_without_cell: int
    heads_not_members: int
    seconds: float = 0.0


class Builder:
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

    # --- organizations ---------------------------------------------------------------

    def _establish(
        self, *, code: str, name: str, kind: str, parent: Org | None, sector: str = "", **extra
    ) -> Org:
        return org_services.org_establish(
            code=code,
            name=name,
            kind=kind,
            parent=parent,
            established_on=self.on,
            sector=sector,
            decision=DecisionRef(number=f"{self.rng.randrange(10, 999)}-QĐ/TU", on=self.on, body="Tỉnh ủy"),
            **extra,
        )

    def _plan_units(self, province: Org) -> list[Unit]:
        _, districts = province_divisions(self.profile.province_code)
        by_name = {d.name: d for d in districts}
        units: list[Unit] = []
        for spec in self.profile.uppers:
            old_names = {code: old for code, old, _, _ in self.profile.renames}
            upper = self._establish(
                code=spec.code,
                name=old_names.get(spec.code, spec.name),
                kind=spec.kind,
                parent=province,
                sector=spec.sector,
                has_upper_rights=spec.has_upper_rights,
            )
            if spec.district:
                communes = by_name[spec.district].communes
                if self.profile.only_communes:
                    communes = tuple(c for c in communes if c.name in self.profile.only_communes)
                for commune in communes:
                    units.append(
                        Unit(
                            upper,
                            spec,
                            unit_names.commune_party_name(commune),
                            commune.sector,
                            commune,
                            COMMUNE_WEIGHT * spec.weight,
                        )
                    )
            names = unit_names.other_units(spec, by_name.get(spec.district), self.rng)
            for base_name, sector in names:
                units.append(Unit(upper, spec, base_name, sector, None, spec.weight))
        for unit in units:
            unit.weight *= math.exp(self.rng.gauss(0, 0.35))
        total = sum(u.weight for u in units)
        for unit in units:
            unit.members = max(8, int(self.target * unit.weight / total))
        # hand out the remainder so the total is exact
        surplus = self.target - sum(u.members for u in units)
        for unit in self.rng.sample(units, k=min(len(units), abs(surplus))) if surplus else []:
            unit.members += 1 if surplus > 0 else -1
        return units

    def _grassroots(self, unit: Unit) -> Org:
        threshold = GRASSROOTS_COMMITTEE_THRESHOLD.value(self.on)
        is_committee = unit.commune is not None or unit.members >= threshold
        kind = OrgKind.GRASSROOTS_COMMITTEE if is_committee else OrgKind.GRASSROOTS_CELL
        prefix = "Đảng bộ" if is_committee else "Chi bộ"
        sector = unit.sector
        org = self._establish(
            code=f"{unit.upper.code}-{unit.upper.child_seq + 1:03d}",
            name=f"{prefix} {unit.base_name}",
            kind=kind,
            parent=unit.upper,
            sector=sector,
        )
        unit.upper.child_seq += 1
        if is_committee and unit.members < threshold:
            Org.objects.filter(pk=org.pk).update(
                formation_approval="Văn bản đồng ý của cấp ủy cấp trên (dữ liệu mẫu)"
            )
        return org

    def _cells(self, unit: Unit, grassroots: Org) -> list[CellPlan]:
        if grassroots.kind == OrgKind.GRASSROOTS_CELL:
            return [CellPlan(grassroots, unit.members, residence=self._place(unit))]
        if unit.commune is not None:
            return self._commune_cells(unit, grassroots)
        count = max(2, round(unit.members / 18))
        sizes = self._split(unit.members, count)
        plans = []
        for i, size in enumerate(sizes, start=1):
            cell = self._establish(
                code=f"{grassroots.code}-{i:02d}",
                name=f"Chi bộ {unit_names.department(self.rng, i)}",
                kind=OrgKind.CELL,
                parent=grassroots,
                sector=unit.sector,
            )
            plans.append(CellPlan(cell, size, residence=self._place(unit)))
        return plans

    def _commune_cells(self, unit: Unit, commune_org: Org) -> list[CellPlan]:
        commune = unit.commune
        hamlet_kind = (
            Locality.Kind.TO_DAN_PHO
            if commune.sector != Sector.COMMUNE
            else self.rng.choice([Locality.Kind.THON, Locality.Kind.THON, Locality.Kind.BAN])
        )
        hamlet_names = unit_names.hamlets(self.rng, commune, hamlet_kind)
        localities = [
            org_services.locality_create(
                code=f"{commune_org.code}-T{i:02d}",
                kind=hamlet_kind,
                name=name,
                commune=commune_org,
                established_on=self.on,
            )
            for i, name in enumerate(hamlet_names, start=1)
        ]
        uncovered = [loc for loc in localities if self.rng.random() < 0.025]
        covered = [loc for loc in localities if loc not in uncovered] or localities[:1]
        uncovered = [loc for loc in uncovered if loc not in covered]
        agency_names = unit_names.commune_agencies(commune)
        hamlet_members = int(unit.members * 0.72)
        hamlet_cells = max(1, min(len(covered), hamlet_members // 8))
        agency_cells = max(1, min(len(agency_names), (unit.members - hamlet_members) // 8))
        sizes = self._split(hamlet_members, hamlet_cells) + self._split(
            unit.members - hamlet_members, agency_cells
        )
        parent = commune_org
        plans: list[CellPlan] = []
        for i in range(hamlet_cells):
            group = covered[i::hamlet_cells]
            name = (
                "Chi bộ "
                + " - ".join(str(loc) for loc in group[:2])
                + (" và các thôn khác" if len(group) > 2 else "")
            )
            cell = self._establish(
                code=f"{commune_org.code}-{i + 1:02d}",
                name=name,
                kind=OrgKind.CELL,
                parent=parent,
                sector=Sector.RESIDENTIAL,
            )
            befores = [locality_row(loc.pk) for loc in group]
            Locality.objects.filter(pk__in=[loc.pk for loc in group]).update(cell=cell)
            for loc in group:
                loc.cell = cell
            # the cell covers its hamlets from the day they were recorded: their first versions say so
            versions_follow([loc.pk for loc in group], effective_on=self.on)
            tally_localities_changed(
                [(before, locality_row(loc.pk)) for loc, before in zip(group, befores, strict=False)]
            )
            # members of a cell live in its hamlets, and a few in the hamlets no cell covers
            plans.append(CellPlan(cell, sizes[i], localities=group + uncovered[i::hamlet_cells]))
        for j in range(agency_cells):
            cell = self._establish(
                code=f"{commune_org.code}-{hamlet_cells + j + 1:02d}",
                name=f"Chi bộ {agency_names[j]}",
                kind=OrgKind.CELL,
                parent=parent,
                sector=Sector.AGENCY,
            )
            plans.append(CellPlan(cell, sizes[hamlet_cells + j], residence=self._place(unit)))
        return plans

    def _split(self, total: int, parts: int) -> list[int]:
        weights = [self.rng.uniform(0.6, 1.4) for _ in range(parts)]
        scale = sum(weights)
        sizes = [max(3, int(total * w / scale)) for w in weights]
        sizes[0] += total - sum(sizes)
        if sizes[0] < 3:  # tiny totals: give every part the minimum and stop there
            return [max(3, total // parts)] * parts
        return sizes

    def _place(self, unit: Unit, locality: Locality | None = None) -> str:
        parts = [str(locality)] if locality is not None else []
        if unit.commune is not None:
            parts.append(unit.commune.name)
        parts.append(unit.spec.district or "Thành phố Lào Cai")
        return ", ".join(parts) + ", tỉnh Lào Cai"

    # --- members ---------------------------------------------------------------------

    def _events_for(
        self, person: Person, cell: Org, *, transfer_from: Org | None, dies: bool
    ) -> tuple[list[MemberEvent], date]:
        """The member's ledger, and the date from which they sit in ``cell``."""
        first_cell = transfer_from or cell
        decision = DecisionRef(
            number=f"{self.rng.randrange(1, 999)}-QĐ/ĐU", on=person.admitted_on, body="Đảng ủy"
        )
        events = [
            MemberEvent(
                kind=Kind.ADMITTED,
                effective_on=person.admitted_on,
                to_org=first_cell,
                data={"ceremony_on": person.ceremony_on.isoformat()},
                **decision.fields(),
            )
        ]
        since = person.admitted_on
        last = person.ceremony_on
        if person.full_on:
            recognized_on = person.full_on + timedelta(days=self.rng.randrange(5, 40))
            events.append(
                MemberEvent(
                    kind=Kind.RECOGNIZED,
                    effective_on=person.full_on,
                    decision_no=f"{self.rng.randrange(1, 999)}-QĐ/ĐU",
                    decision_on=recognized_on,
                    decision_body="Đảng ủy",
                )
            )
            last = person.full_on
        if transfer_from is not None:
            earliest = add_months(last, 6)
            span = (self.profile.as_of - timedelta(days=60) - earliest).days
            moved_on = earliest + timedelta(days=self.rng.randrange(max(1, span)))
            events.append(
                MemberEvent(
                    kind=Kind.TRANSFERRED,
                    effective_on=moved_on,
                    from_org=transfer_from,
                    to_org=cell,
                    decision_no=f"{self.rng.randrange(1, 999)}-QĐ/HU",
                    decision_on=moved_on - timedelta(days=20),
                    decision_body="Ban Thường vụ Huyện ủy",
                )
            )
            since = last = moved_on
        if dies:
            start = max(
                last + timedelta(days=30), self.profile.as_of.replace(year=self.profile.as_of.year - 10)
            )
            span = (self.profile.as_of - start).days
            events.append(
                MemberEvent(
                    kind=Kind.DIED, effective_on=start + timedelta(days=self.rng.randrange(max(1, span)))
                )
            )
        for i, event in enumerate(events, start=1):
            event.seq = i
        return events, since

    def _members_of_cell(self, unit: Unit, plan: CellPlan) -> list[tuple[Person, list[MemberEvent], date]]:
        rows = []
        pool = [c for c in self.cell_pool.get(unit.upper.code, []) if c.pk != plan.org.pk]
        deaths = round(plan.size * DEATH_SHARE)
        for i in range(plan.size + deaths):
            dies = i >= plan.size
            recent = not dies and self.rng.random() < self.recent_left / max(1, self.active_left)
            if not dies:
                self.active_left -= 1
                self.recent_left -= recent
            admitted_on = self.people.admission_date(recent=recent)
            if dies:
                admitted_on = date(
                    1960 + self.rng.randrange(30), 1 + self.rng.randrange(12), 1 + self.rng.randrange(28)
                )
            locality = self.rng.choice(plan.localities) if plan.localities else None
            residence = self._place(unit, locality) if locality else plan.residence
            person = self.people.person(
                admitted_on=admitted_on,
                sector=unit.sector if plan.org.sector != Sector.RESIDENTIAL else "residential",
                minority_share=unit.spec.minority_share,
                residence=residence,
                hometown=residence,
                locality=locality,
            )
            transfer_from = None
            if pool and person.full_on and not recent and self.rng.random() < TRANSFER_SHARE:
                transfer_from = self.rng.choice(pool)
            events, since = self._events_for(person, plan.org, transfer_from=transfer_from, dies=dies)
            rows.append((person, events, since))
        return rows

    # --- positions ---------------------------------------------------------------------

    def _eligible(self, rows, start: date):
        return [
            (person, events)
            for person, events, since in rows
            if person.full_on and person.full_on <= start and since < start and events[-1].kind != Kind.DIED
        ]

    def _appoint(
        self, *, org: Org, rows, roles: list[str], start: date, cell_full: int | None, taken: set
    ) -> None:
        """Add position events for ``roles`` in ``org``, checked against the position rules."""
        holders: dict[str, int] = {}
        candidates = [r for r in self._eligible(rows, start) if (r[0].member.pk, org.pk) not in taken]
        self.rng.shuffle(candidates)
        for role in roles:
            if not candidates:
                return
            person, events = candidates.pop()
            violations = position_rules.check_position(
                role=role,
                org_kind=org.kind,
                on=start,
                holder_is_full=True,
                holder_in_org=True,
                current_holders=holders,
                cell_full_members=cell_full,
            )
            if violations:
                continue
            holders[role] = holders.get(role, 0) + 1
            taken.add((person.member.pk, org.pk))
            if role in (Role.SECRETARY, Role.DEPUTY_SECRETARY) and self.rng.random() < 0.95:
                person.member.theory_level_id = self.rng.choice(["intermediate", "intermediate", "advanced"])
            events.append(
                MemberEvent(
                    kind=Kind.POSITION_STARTED,
                    effective_on=start,
                    position_org=org,
                    role=role,
                    seq=len(events) + 1,
                    rule_version=position_rules.POSITION_KINDS.at(start).ref,
                )
            )

    def _cell_roles(self, full: int) -> list[str]:
        if full >= 9:
            return [Role.SECRETARY, Role.DEPUTY_SECRETARY] + [Role.COMMITTEE_MEMBER] * self.rng.randint(1, 3)
        return [Role.SECRETARY] + ([Role.DEPUTY_SECRETARY] if full >= 5 and self.rng.random() < 0.5 else [])

    def _committee_roles(self, members: int) -> list[str]:
        committee = min(15, max(5, members // 25))
        roles = [Role.SECRETARY, Role.DEPUTY_SECRETARY]
        if members >= 150:
            roles += [Role.DEPUTY_SECRETARY] + [Role.STANDING_COMMITTEE_MEMBER] * 2
        return roles + [Role.COMMITTEE_MEMBER] * (committee - len(roles))

    # --- the build -----------------------------------------------------------------------

    def _build_unit(self, unit: Unit) -> None:
        grassroots = self._grassroots(unit)
        plans = self._cells(unit, grassroots)
        unit_rows = []
        taken: set = set()
        for plan in plans:
            rows = self._members_of_cell(unit, plan)
            unit_rows.extend(rows)
            if plan.org.pk != grassroots.pk:
                full = len(self._eligible(rows, CELL_TERM_START))
                self._appoint(
                    org=plan.org,
                    rows=rows,
                    roles=self._cell_roles(full),
                    start=CELL_TERM_START,
                    cell_full=full,
                    taken=taken,
                )
            self.cell_pool.setdefault(unit.upper.code, []).append(plan.org)
            self._heads(plan, rows)
        if grassroots.kind == OrgKind.GRASSROOTS_CELL:
            full = len(self._eligible(unit_rows, GRASSROOTS_TERM_START))
            roles = self._cell_roles(full)
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
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                # A larger page cache for this connection: the build writes ~2 million index
                # entries in one transaction, and the default 2 MB cache spills to the file.
                cursor.execute("PRAGMA cache_size = -262144")
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


def summarize(profile: Profile, seed: int, province: Org) -> Summary:
    from dangbo.members.selectors.figures import member_figures
    from dangbo.orgs.selectors import org_grassroots_count, org_kind_counts

    figures = member_figures(path=province.path)
    kinds = org_kind_counts(root=province)
    as_of = (
        clock.today() if profile.to_today else profile.as_of
    )  # a province brought to today counts back from today
    ten_years_before = date(
        as_of.year - 10, as_of.month, min(as_of.day, 28 if as_of.month == 2 else as_of.day)
    )
    grassroots = org_grassroots_count(root=province)
    localities = Locality.objects.filter(paths.subtree_q(province.path, "commune_path"))
    return Summary(
        profile=profile.name,
        seed=seed,
        orgs=sum(kinds.values()),
        direct_children=Org.objects.filter(parent=province).count(),
        grassroots=grassroots,
        members=figures.total,
        women_share=figures.women_share,
        ethnic_minority_share=figures.ethnic_minority_share,
        admissions_10y=MemberEvent.objects.filter(
            kind=Kind.ADMITTED, effective_on__gt=ten_years_before, effective_on__lte=as_of
        ).count(),
        localities=localities.count(),
        localities_without_cell=localities.filter(cell__isnull=True).count(),
        heads_not_members=localities.exclude(head_member__status__in=list(ACTIVE_STATUSES)).count(),
    )


def build_demo(profile: Profile, *, seed: int = 2021, members: int | None = None, progress=print) -> Summary:
    """Build the demo in one transaction, audited as one operation (not one row per record)."""
    from dangbo.audit.context import bulk_operation
    from dangbo.audit.services import Action, audit_record
    from dangbo.stats.tallies import tallies_deferred

    members = members or profile.members
    from dangbo.stats.tallies import deferred

    nested = deferred()  # inside demo.timeline: it recounts once at its end
    with transaction.atomic():
        with bulk_operation("demo"), tallies_deferred():
            summary = Builder(profile, seed=seed, members=members, progress=progress).build()
            if not nested:
                progress("Đếm số liệu tổng hợp ...")
        audit_record(
            action=Action.DEMO_GENERATED,
            data={"profile": profile.name, "seed": seed, "members": summary.members, "orgs": summary.orgs},
        )
    progress("Cập nhật thống kê của cơ sở dữ liệu ...")
    refresh_statistics(DEMO_TABLES)  # nothing inside a caller's transaction (dangbo demo): it refreshes after
    return summary
