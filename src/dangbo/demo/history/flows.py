"""The flows of the demo history that change the count (``demo.history``): admissions (with the
recognition 12 months later), recognitions of members already there, deaths, exits (struck off,
resigned, expelled as the discipline service records it) and official transfers between cells.
The rates are drawn in ``simulation._History._month``."""

from __future__ import annotations

import math
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from dangbo.core.kinds import CELL_KINDS, Sector
from dangbo.demo.history.state import _age, _Org, _Rec
from dangbo.discipline.models import DisciplineCase
from dangbo.members.models import Member, MemberEvent, MemberStatus
from dangbo.members.selectors.votes import vote_denominator
from dangbo.rules import admission as admission_rules
from dangbo.rules import discipline as discipline_rules
from dangbo.rules import exits as exit_rules
from dangbo.rules.probation import probation_end

Kind = MemberEvent.Kind

EXIT_SHARES = ((Kind.STRUCK_OFF, 0.65), (Kind.EXPELLED, 0.25), (Kind.RESIGNED, 0.10))
TRANSFER_NEARBY = 0.75  # share of transfers inside the same organization directly under the province

CARD_SHARE = 0.96  # full members with a card number, as the generator makes them

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


class FlowsMixin:
    """Part of ``simulation._History``: one method per flow, each given how many to draw."""

    if TYPE_CHECKING:
        # A mixin of one builder class: its attributes and the other mixins' methods are set
        # on that class; mypy refuses a self-type narrower than the class, so here they are `Any`.
        def __getattr__(self, name: str) -> Any: ...

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
        if full_on and decided:  # decided is None only when full_on was cleared above
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
        kinds, weights = [k for k, _ in EXIT_SHARES], [w for _, w in EXIT_SHARES]
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
        grounds, weights = [g for g, _ in _STRIKE_OFF_GROUNDS], [w for _, w in _STRIKE_OFF_GROUNDS]
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
