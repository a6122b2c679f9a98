"""Members leaving the province and coming back, in the demo history (``demo.history``): moves
to a Party organization outside the province, receptions from outside, readmission of former
members and restoration after a wrongful exit (the rates are in ``lifecycle``'s docstring)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from dangbo.core.decisions import DecisionRef
from dangbo.core.kinds import CELL_KINDS
from dangbo.demo.history.lifecycle import _Left
from dangbo.demo.history.state import _Rec
from dangbo.members.models import MemberEvent, MemberStatus, Standing
from dangbo.rules import badges as badge_rules
from dangbo.rules import exits as exit_rules
from dangbo.rules import transfers as transfer_rules
from dangbo.rules.admission import check_admission_age
from dangbo.rules.probation import add_months, probation_end

Kind = MemberEvent.Kind

READMISSION_MONTHLY = 0.02
RESTORATION_MONTHLY = 0.004
RESTORATION_WITHIN_DAYS = 730

_OUTSIDE = (
    "Đảng bộ tỉnh Phú Thọ",
    "Đảng bộ tỉnh Tuyên Quang",
    "Đảng bộ thành phố Hà Nội",
    "Đảng bộ tỉnh Thái Nguyên",
    "Đảng bộ tỉnh Lai Châu",
    "Đảng bộ tỉnh Điện Biên",
    "Đảng bộ Quân đội",
    "Đảng bộ Công an Trung ương",
)


class DeparturesMixin:
    """Part of ``simulation._History`` (``lifecycle.LifecycleMixin`` calls it each month)."""

    if TYPE_CHECKING:
        # A mixin of one builder class: its attributes and the other mixins' methods are set
        # on that class; mypy refuses a self-type narrower than the class, so here they are `Any`.
        def __getattr__(self, name: str) -> Any: ...

    def _move_away(self, first: date, last: date, pairs, taken) -> None:
        rec, on = self._pick(first, last, taken, self._normal)
        cell = self.orgs.get(rec.org_id) if rec else None
        if cell is None or not self._may_leave(rec, on):
            return
        decided = max(on - timedelta(days=self.rng.randrange(7, 30)), rec.last_on)
        event = MemberEvent(
            kind=Kind.MOVED_AWAY,
            effective_on=on,
            from_org_id=cell.id,
            data={"to_name": self.rng.choice(_OUTSIDE)},
            rule_version=transfer_rules.TRANSFER_COMPLETE_WORKING_DAYS.at(on).ref,
            **self._decision(decided, self._superior(cell)).fields(),
        )
        self._event(pairs, taken, rec, event)
        self._gone(rec, on, taken)

    def _receive(self, first: date, last: date, new_members) -> None:
        rng = self.rng
        cell = rng.choices(self.admit_cells, cum_weights=self.admit_weights)[0] if self.admit_cells else None
        if cell is None:
            return
        on = max(self._day(first, last), cell.created_on)
        admitted_on = on - timedelta(days=rng.randrange(2 * 365, 32 * 365))
        residence, locality_id, hometown = rng.choice(cell.samples) if cell.samples else ("", None, "")
        person = self.people.person(
            admitted_on=admitted_on,
            sector="residential" if cell.sector in ("", "residential") else cell.sector,
            minority_share=(cell.minority / cell.active) if cell.active else self.minority_share,
            residence=residence,
            hometown=hometown or residence,
        )
        if on > last or person.full_on is None or person.full_on >= on:
            return
        member = person.member
        member.residence_locality_id = locality_id
        data = {
            "status": MemberStatus.FULL,
            "admitted_on": admitted_on.isoformat(),
            "ceremony_on": person.ceremony_on.isoformat(),
            "full_on": person.full_on.isoformat(),
            "from_name": rng.choice(_OUTSIDE),
        }
        reached = [
            y for y in badge_rules.BADGE_MILESTONES.value(on) if badge_rules.reached_on(admitted_on, y) <= on
        ]
        badge = max(reached) if reached and rng.random() < 0.9 else None
        if badge:
            data["badge_years"] = badge
        decision = DecisionRef(
            number=f"{rng.randrange(1, 999)}-QĐ/TU",
            on=on - timedelta(days=rng.randrange(10, 40)),
            body="Ban Tổ chức " + data["from_name"].replace("Đảng bộ ", ""),
        )
        event = MemberEvent(
            kind=Kind.TRANSFERRED_IN,
            effective_on=on,
            to_org_id=cell.id,
            data=data,
            seq=1,
            **decision.fields(),
        )
        new_members.append((member, [event]))
        rec = _Rec(member.id, cell.id, person.full_on, member.birth_date, True, False, on)
        rec.age_from, rec.badge = admitted_on, badge
        self.members[member.id] = rec
        self._add(member.id)
        self._joined(rec, cell, full=True)
        self._count(Kind.TRANSFERRED_IN, on)

    def _readmissions(self, first: date, last: date, pairs, taken) -> None:
        rng = self.rng
        months = exit_rules.READMISSION.at(last).value[0]
        for mid in sorted(
            (m for m, left in self.left.items() if add_months(left.left_on, months) < last), key=str
        ):
            left = self.left[mid]
            reason = left.ground if left.kind == MemberStatus.STRUCK_OFF else left.kind
            if (
                left.readmitted_before
                or exit_rules.left_reason_is_barred(reason)
                or rng.random() >= READMISSION_MONTHLY
            ):
                continue
            vote_on = self._day(max(first, add_months(left.left_on, months) + timedelta(days=1)), last)
            decided = vote_on + timedelta(days=rng.randrange(0, 10))
            ceremony = decided + timedelta(days=rng.randrange(5, 20))
            rec = self.members.get(mid)
            if rec is None or ceremony > last or check_admission_age(birth_date=rec.birth, vote_on=vote_on):
                continue
            consent = f"{rng.randrange(100, 999)}-CV/TU ngày {vote_on - timedelta(days=rng.randrange(20, 60)):%d/%m/%Y}"
            if exit_rules.check_readmission(left.left_on, reason, vote_on, left.readmitted_before, consent):
                continue
            cell = self.orgs.get(left.org_id)
            if cell is None or not cell.live or cell.kind not in CELL_KINDS:
                cell = rng.choices(self.admit_cells, cum_weights=self.admit_weights)[0]
            event = MemberEvent(
                kind=Kind.READMITTED,
                effective_on=decided,
                to_org_id=cell.id,
                rule_version=exit_rules.READMISSION.at(vote_on).ref,
                data={
                    "ceremony_on": ceremony.isoformat(),
                    "vote_on": vote_on.isoformat(),
                    "provincial_consent": consent,
                    "hardship": False,
                },
                **self._decision(decided, self._admitting(cell)).fields(),
            )
            del self.left[mid]
            rec.org_id, rec.full_from, rec.standing, rec.holder, rec.deferred = (
                cell.id,
                None,
                Standing.NORMAL,
                False,
                None,
            )
            if rec.age_from is not None:
                rec.age_from += decided - left.left_on  # party age: the first admission less the time out
            self._event(pairs, taken, rec, event)
            self._add(mid)
            self._joined(rec, cell, full=False)
            due = probation_end(ceremony)
            self.pending[(due.on.year, due.on.month)].append((due.on, mid, due.rule_ref))

    def _restorations(self, first: date, last: date, pairs, taken) -> None:
        rng = self.rng
        since = exit_rules.RESTORATION.versions[0].effective_from
        for mid in sorted(
            (
                m
                for m, left in self.left.items()
                if left.kind in (MemberStatus.STRUCK_OFF, MemberStatus.EXPELLED)
            ),
            key=str,
        ):
            left = self.left[mid]
            earliest = max(first, left.left_on + timedelta(days=90), since)
            if (
                earliest > last
                or (last - left.left_on).days > RESTORATION_WITHIN_DAYS
                or rng.random() >= RESTORATION_MONTHLY
            ):
                continue
            cell = self.orgs.get(left.org_id)
            rec = self.members.get(mid)
            if rec is None or cell is None or not cell.live or cell.kind not in CELL_KINDS:
                continue
            on = self._day(earliest, last)
            event = MemberEvent(
                kind=Kind.RESTORED,
                effective_on=on,
                rule_version=exit_rules.RESTORATION.at(on).ref,
                data={"note": "Hủy bỏ quyết định xử lý oan, sai; phục hồi đảng tịch (dữ liệu mẫu)"},
                **self._decision(on, self._superior(cell)).fields(),
            )
            del self.left[mid]
            rec.org_id, rec.full_from, rec.standing, rec.holder = (
                left.org_id,
                left.full_from,
                Standing.NORMAL,
                False,
            )
            self._event(pairs, taken, rec, event)
            self._add(mid)
            self._joined(rec, cell, full=rec.is_full(on))

    def _joined(self, rec, cell, *, full: bool) -> None:
        cell.active += 1
        cell.full += full
        self.by_org.setdefault(cell.id, set()).add(rec.id)

    def _left_party(self, rec, event: MemberEvent) -> None:
        """Remember a former member for readmission and restoration."""
        self.left[rec.id] = _Left(
            str(event.kind),
            (event.data or {}).get("ground", ""),
            event.effective_on,
            rec.org_id,
            rec.full_from,
            0,
        )
