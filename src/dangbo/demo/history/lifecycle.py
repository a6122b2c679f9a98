"""The rest of a member's life in the demo's history (``demo.history``): standing (exemption,
suspension, working away, temporary transfer, and their ends), discipline short of
expulsion, transfers to and from outside the province, readmission and restoration of
former members, Party badges on the award days, and the succession of secretaries.

A mixin of ``simulation._History``: it reads and updates the same in-memory state (members,
cells, the pool of members who may get an event this month) and follows the same
discipline — one event per member and month, never before the member's last event, each
checked by the rule the service would apply (``rules/``), written through the ledger's bulk
paths by the month's writer.

Rates, per year of the members in good standing (rough, to keep each flow of the right order;
no report after 2021 gives them):

* exemption 0.6 % (old age and health from 65, otherwise long treatment, a private stay
  abroad, mobile work, awaiting retirement); for old age it is usually for good, otherwise it
  ends after 3–12 months;
* working away 0.4 %, under 3 months (RULES.md §2.4: from 3 months it is a temporary transfer);
* suspension 0.05 %, for 2–6 months;
* temporary transfer 0.5 % to another cell of the province, for 3–11 months (study up to 18),
  counted at home and listed uncounted at the host (§2.5), then the return;
* discipline by the cell (reprimand, warning) 0.3 %, with its decided case;
* moved to a Party organization outside the province 0.4 %, received from outside 0.4 %;
* readmission: each month 2 % of the former members who may be readmitted (36 months after
  leaving, once only, never after the barred exits: quitting, resignation, §2.6);
* restoration after a wrongful exit: each month 0.4 % of those struck off or expelled in the
  last two years (QĐ 117-QĐ/TW, from 18/8/2023);
* badges: on 3/2, 19/5, 2/9 and 7/11, nearly every member who reached 30, 40, 45, 50… years
  of party age since the previous award day and is not deferred by discipline (§6);
* secretaries: 6 % a year replaced (the old one's position ends, the successor's starts the
  same day); an organization left without one elects one within a month or two.

Here: standing, temporary transfers and discipline, and the month that draws every rate;
moves out and in, readmission and restoration are in ``departures``, secretaries and badges
in ``succession``, each rate beside the code that applies it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any
from uuid import UUID

from dangbo.core.decisions import DecisionRef
from dangbo.core.kinds import CELL_KINDS, GRASSROOTS_KINDS
from dangbo.core.roles import Role
from dangbo.discipline.models import DisciplineCase
from dangbo.members.models import Member, MemberEvent, MemberStatus, Position, Standing
from dangbo.members.selectors.votes import vote_denominator
from dangbo.rules import discipline as discipline_rules
from dangbo.rules import exits as exit_rules
from dangbo.rules.probation import add_months

Kind = MemberEvent.Kind

STANDING_RATES = ((Kind.EXEMPTED, 0.006), (Kind.WORKING_AWAY, 0.004), (Kind.SUSPENDED, 0.0005))
TEMP_TRANSFER_RATE = 0.005
DISCIPLINE_RATE = 0.003
MOVED_AWAY_RATE = 0.004
TRANSFERRED_IN_RATE = 0.004

_STANDING_OF_KIND: dict[str, str] = {
    Kind.EXEMPTED: Standing.EXEMPTED,
    Kind.WORKING_AWAY: Standing.WORKING_AWAY,
    Kind.SUSPENDED: Standing.SUSPENDED,
}
_EXEMPTION_OTHERS = (
    exit_rules.ExemptionGround.LONG_TREATMENT,
    exit_rules.ExemptionGround.ABROAD_PRIVATE,
    exit_rules.ExemptionGround.MOBILE_WORK,
    exit_rules.ExemptionGround.AWAITING_RETIREMENT,
)


_DISCIPLINE_MATTERS = (
    "Vi phạm quy định về sinh hoạt đảng, không thực hiện nhiệm vụ được giao (dữ liệu mẫu)",
    "Vi phạm đạo đức, lối sống, ảnh hưởng uy tín đảng viên (dữ liệu mẫu)",
    "Vi phạm quy định về đóng đảng phí (dữ liệu mẫu)",
    "Vi phạm chính sách dân số và kế hoạch hóa gia đình (dữ liệu mẫu)",
)


@dataclass
class _Left:
    """A former member (struck off, resigned, expelled), as readmission and restoration need them."""

    kind: str
    ground: str
    left_on: date
    org_id: UUID  # where they were (restoration puts them back there)
    full_from: date | None
    readmitted_before: int


class LifecycleMixin:
    """See the module docstring. Expects ``_History``'s attributes and helpers."""

    if TYPE_CHECKING:
        # `_History` (a subclass) holds the state and helpers this mixin uses; mypy accepts no
        # self-type narrower than the class, so to it they are `Any` here.
        def __getattr__(self, name: str) -> Any: ...

    # --- loading --------------------------------------------------------------------------

    def _load_lifecycle(self, standings: dict, rows_left) -> None:
        """The ends of standings already running (their events before ``start``), former members,
        the secretaries, and the cells of each grassroots organization."""
        self.ends: dict[tuple[int, int], list[tuple[date, UUID]]] = {}
        temp_until = {
            event.member_id: event.data.get("until")
            for event in MemberEvent.objects.filter(
                member_id__in=[m for m, (s, _) in standings.items() if s == Standing.TEMP_AWAY],
                kind=Kind.TEMP_TRANSFER,
            ).order_by("effective_on", "seq")
        }
        for mid, (standing, since) in sorted(standings.items(), key=lambda kv: str(kv[0])):
            since = since or self.start
            if standing == Standing.TEMP_AWAY:
                until = temp_until.get(mid)
                ends: date | None = (
                    date.fromisoformat(until) if until else add_months(since, self.rng.randint(3, 11))
                )
            elif standing == Standing.EXEMPTED:
                ends = add_months(since, self.rng.randint(3, 12)) if self.rng.random() < 0.3 else None
            else:
                ends = since + timedelta(days=self.rng.randrange(30, 85))
            if ends is not None:
                self._schedule_end(max(ends, self.start), mid)
        self.left: dict[UUID, _Left] = {}
        readmitted = set(MemberEvent.objects.filter(kind=Kind.READMITTED).values_list("member_id", flat=True))
        for mid, status, left_on, org_id, full_on, ground in rows_left:
            self.left[mid] = _Left(status, ground or "", left_on, org_id, full_on, int(mid in readmitted))
        self.secretary_of: dict[UUID, UUID] = dict(
            Position.objects.filter(ended_on__isnull=True, role=Role.SECRETARY).values_list(
                "org_id", "member_id"
            )
        )
        self.cells_under: dict[UUID, list] = {}
        for cell in self.cells:
            node = cell
            while node is not None:
                if node.kind in GRASSROOTS_KINDS or node.kind in CELL_KINDS:
                    self.cells_under.setdefault(node.id, []).append(cell.id)
                node = self.orgs.get(node.parent_id)
        self.leading = [
            o
            for o in self.orgs.values()
            if o.live and (o.kind in CELL_KINDS or o.kind in GRASSROOTS_KINDS) and not o.has_upper_rights
        ]

    def _schedule_end(self, on: date, mid: UUID) -> None:
        self.ends.setdefault((on.year, on.month), []).append((on, mid))

    # --- helpers ----------------------------------------------------------------------------

    def _pick(self, first: date, last: date, taken: set, ok, tries: int = 60):
        for _ in range(tries):
            if not self.pool:
                return None, None
            rec = self.members[self.pool[self.rng.randrange(len(self.pool))]]
            if rec.id in taken or not ok(rec):
                continue
            on = self._after(rec, first, last)
            if on is not None:
                return rec, on
        return None, None

    def _normal(self, rec) -> bool:
        return rec.standing == Standing.NORMAL and not rec.holder

    def _count(self, kind: str, on: date, n: int = 1) -> None:
        setattr(self.summary, kind, getattr(self.summary, kind) + n)
        self.by_year[on.year][kind] += n

    def _event(self, pairs, taken, rec, event: MemberEvent) -> None:
        pairs.append((Member(pk=rec.id), event))
        taken.add(rec.id)
        rec.last_on = event.effective_on
        self._count(str(event.kind), event.effective_on)

    # --- the month ----------------------------------------------------------------------------

    def _lifecycle_month(
        self, first: date, last: date, share: float, pairs, taken, cases, new_members
    ) -> None:
        active = self._active_count()
        self._standing_ends(first, last, pairs, taken)
        for kind, rate in STANDING_RATES:
            for _ in range(self._draw(active * rate * share)):
                self._standing_start(kind, first, last, pairs, taken)
        for _ in range(self._draw(active * TEMP_TRANSFER_RATE * share)):
            self._temp_transfer(first, last, pairs, taken)
        for _ in range(self._draw(active * DISCIPLINE_RATE * share)):
            self._discipline(first, last, pairs, taken, cases)
        for _ in range(self._draw(active * MOVED_AWAY_RATE * share)):
            self._move_away(first, last, pairs, taken)
        for _ in range(self._draw(active * TRANSFERRED_IN_RATE * share)):
            self._receive(first, last, new_members)
        self._readmissions(first, last, pairs, taken)
        self._restorations(first, last, pairs, taken)
        self._secretaries(first, last, share, pairs, taken)
        self._badges(first, last, pairs, taken)

    def _standing_ends(self, first: date, last: date, pairs, taken) -> None:
        for on, mid in sorted(self.ends.pop((first.year, first.month), []), key=lambda e: (e[0], str(e[1]))):
            rec = self.members.get(mid)
            if rec is None or mid not in self.index or rec.standing == Standing.NORMAL:
                continue  # gone, or already back
            on = max(on, rec.last_on + timedelta(days=1), first)
            if mid in taken or on > last:
                following = last + timedelta(days=1)
                self._schedule_end(max(on, following), mid)  # next month
                continue
            if rec.standing == Standing.TEMP_AWAY:
                event = MemberEvent(kind=Kind.TEMP_RETURNED, effective_on=on, from_org_id=rec.host, data={})
                rec.host = None
            else:
                event = MemberEvent(kind=Kind.STANDING_ENDED, effective_on=on, data={"ended": rec.standing})
            rec.standing = Standing.NORMAL
            self._event(pairs, taken, rec, event)

    def _standing_start(self, kind: str, first: date, last: date, pairs, taken) -> None:
        rec, on = self._pick(first, last, taken, self._normal)
        if rec is None:
            return
        rng = self.rng
        data: dict = {}
        rule_ref = ""
        ends = None
        decision = DecisionRef()
        cell = self.orgs.get(rec.org_id)
        if kind == Kind.EXEMPTED:
            old = self._age(rec, on) >= 65
            ground = exit_rules.ExemptionGround.OLD_AGE_HEALTH if old else rng.choice(_EXEMPTION_OTHERS)
            data = {
                "ground": ground,
                "ground_label": exit_rules.EXEMPTION_GROUNDS[ground],
                "decider": exit_rules.exemption_decider(ground, on),
            }
            rule_ref = exit_rules.EXEMPTION.at(on).ref
            if not old or rng.random() < 0.15:
                ends = add_months(on, rng.randint(3, 12))
        elif kind == Kind.WORKING_AWAY:
            ends = on + timedelta(days=rng.randrange(30, 85))  # under 3 months
        else:
            ends = add_months(on, rng.randint(2, 6))
            if cell is not None:
                decision = self._decision(on, self._superior(cell))
            data = {"note": "Đình chỉ sinh hoạt đảng trong thời gian xem xét, xử lý vi phạm (dữ liệu mẫu)"}
        rec.standing = _STANDING_OF_KIND[kind]
        self._event(
            pairs,
            taken,
            rec,
            MemberEvent(kind=kind, effective_on=on, rule_version=rule_ref, data=data, **decision.fields()),
        )
        if ends is not None:
            self._schedule_end(ends, rec.id)

    def _temp_transfer(self, first: date, last: date, pairs, taken) -> None:
        rec, on = self._pick(first, last, taken, self._normal)
        source = self.orgs.get(rec.org_id) if rec else None
        if source is None or not source.live:
            return
        target = self._target(source, on)
        if target is None:
            return
        purpose = self.rng.choices(list(exit_rules.TEMPORARY_PURPOSES), (45, 45, 10))[0]
        months = self.rng.randint(3, 18 if purpose == exit_rules.TransferPurpose.STUDY else 11)
        until = add_months(on, months)
        if exit_rules.check_temporary_transfer(purpose, on, until):
            return
        rec.standing, rec.host = Standing.TEMP_AWAY, target.id
        self._event(
            pairs,
            taken,
            rec,
            MemberEvent(
                kind=Kind.TEMP_TRANSFER,
                effective_on=on,
                from_org_id=source.id,
                to_org_id=target.id,
                rule_version=exit_rules.TEMPORARY_TRANSFER.at(on).ref,
                data={"purpose": purpose, "until": until.isoformat(), "host_name": target.name},
                **self._decision(on, self._transferring(source, target)).fields(),
            ),
        )
        self._schedule_end(until, rec.id)

    def _discipline(self, first: date, last: date, pairs, taken, cases) -> None:
        rng = self.rng
        rec, on = self._pick(first, last, taken, self._normal)
        cell = self.orgs.get(rec.org_id) if rec else None
        if cell is None or not cell.live:
            return
        Form, Authority = discipline_rules.Form, discipline_rules.Authority
        form = rng.choices((Form.REPRIMAND, Form.WARNING), (70, 30))[0]
        opened_on = on - timedelta(days=rng.randrange(10, 45))
        act_on = opened_on - timedelta(days=rng.randrange(10, 300))
        denominator = vote_denominator(org=cell.id, on=on)
        if denominator <= 0:
            return
        needed = (
            discipline_rules.DISCIPLINE_VOTE.at(on)
            .value[form][discipline_rules.Stage.DECIDE]
            .needed(denominator)
        )
        if needed > denominator:
            return
        approvals = rng.randint(needed, denominator)
        status = MemberStatus.FULL if rec.is_full(on) else MemberStatus.PROBATIONARY
        if discipline_rules.check_discipline(
            form=form,
            status=status,
            holds_position=False,
            authority=Authority.CELL,
            act_on=act_on,
            vote_on=on,
            approvals=approvals,
            denominator=denominator,
            decided_on=on,
        ):
            return
        rule_ref = discipline_rules.DISCIPLINE_VOTE.at(on).ref
        decision = DecisionRef(number=f"{rng.randrange(1, 99)}-QĐ/CB", on=on, body=cell.name)
        effective_on = discipline_rules.decision_effective_on(Authority.CELL, on, on)
        deferred = discipline_rules.badge_deferred_until(form, effective_on)
        case = DisciplineCase(
            id=self.people.uuid(),
            member_id=rec.id,
            act_on=act_on,
            summary=rng.choice(_DISCIPLINE_MATTERS),
            opened_on=opened_on,
            state=DisciplineCase.State.DECIDED,
            form=form,
            authority=Authority.CELL,
            decided_on=on,
            effective_on=effective_on,
            approvals=approvals,
            denominator=denominator,
            rule_version=rule_ref,
            **decision.fields(),
        )
        cases.append(case)
        rec.deferred = deferred
        self._event(
            pairs,
            taken,
            rec,
            MemberEvent(
                kind=Kind.DISCIPLINED,
                effective_on=effective_on,
                rule_version=rule_ref,
                data={
                    "form": form,
                    "form_label": Form.label(form),
                    "authority": Authority.CELL,
                    "vote_on": on.isoformat(),
                    "approvals": approvals,
                    "denominator": denominator,
                    "case": str(case.id),
                    "badge_deferred_until": deferred.isoformat(),
                },
                **decision.fields(),
            ),
        )

    @staticmethod
    def _age(rec, on: date) -> float:
        return (on - rec.birth).days / 365.25
