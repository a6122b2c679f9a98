"""The demo province's members (``demo.generator``): each member's ledger (admission,
recognition, a transfer between cells, a death) and the positions of the 2020–2025 terms,
checked against the position rules."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from dangbo.core.decisions import DecisionRef
from dangbo.core.kinds import Sector
from dangbo.core.roles import Role
from dangbo.demo.generator.tree import CellPlan, Unit
from dangbo.demo.people import Person
from dangbo.members.models import MemberEvent
from dangbo.orgs.models import Org
from dangbo.rules import positions as position_rules
from dangbo.rules.probation import add_months

Kind = MemberEvent.Kind

DEATH_SHARE = 0.05
TRANSFER_SHARE = 0.1


class MembersMixin:
    """Part of ``builder.Builder``: the members of a cell and the positions of an organization."""

    if TYPE_CHECKING:
        # A mixin of one builder class: its attributes and the other mixins' methods are set
        # on that class; mypy refuses a self-type narrower than the class, so here they are `Any`.
        def __getattr__(self, name: str) -> Any: ...

        active_left: int
        recent_left: int

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

    def _eligible(self, rows, start: date):
        return [
            (person, events)
            for person, events, since in rows
            if person.full_on and person.full_on <= start and since < start and events[-1].kind != Kind.DIED
        ]

    def _appoint(
        self, *, org: Org, rows, roles: Sequence[str], start: date, cell_full: int | None, taken: set
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

    def _cell_roles(self, full: int) -> list[Role]:
        if full >= 9:
            return [Role.SECRETARY, Role.DEPUTY_SECRETARY] + [Role.COMMITTEE_MEMBER] * self.rng.randint(1, 3)
        return [Role.SECRETARY] + ([Role.DEPUTY_SECRETARY] if full >= 5 and self.rng.random() < 0.5 else [])

    def _committee_roles(self, members: int) -> list[Role]:
        committee = min(15, max(5, members // 25))
        roles = [Role.SECRETARY, Role.DEPUTY_SECRETARY]
        if members >= 150:
            roles += [Role.DEPUTY_SECRETARY] + [Role.STANDING_COMMITTEE_MEMBER] * 2
        return roles + [Role.COMMITTEE_MEMBER] * (committee - len(roles))
