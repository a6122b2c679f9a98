"""The rest of a member's life in the demo's history (``demo.history``): standing (exemption,
suspension, working away, temporary transfer, and their ends), discipline short of
expulsion, transfers to and from outside the province, readmission and restoration of
former members, Party badges on the award days, and the succession of secretaries.

A mixin of ``history._History``: it reads and updates the same in-memory state (members,
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
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from uuid import UUID

from dangbo.core.decisions import DecisionRef
from dangbo.core.kinds import CELL_KINDS, GRASSROOTS_KINDS
from dangbo.core.roles import Role
from dangbo.members.models import Member, MemberEvent, MemberStatus, Standing
from dangbo.rules import badges as badge_rules
from dangbo.rules import discipline as discipline_rules
from dangbo.rules import exits as exit_rules
from dangbo.rules import positions as position_rules
from dangbo.rules import transfers as transfer_rules
from dangbo.rules.admission import check_admission_age
from dangbo.rules.probation import add_months, probation_end

Kind = MemberEvent.Kind

STANDING_RATES = ((Kind.EXEMPTED, 0.006), (Kind.WORKING_AWAY, 0.004), (Kind.SUSPENDED, 0.0005))
TEMP_TRANSFER_RATE = 0.005
DISCIPLINE_RATE = 0.003
MOVED_AWAY_RATE = 0.004
TRANSFERRED_IN_RATE = 0.004
READMISSION_MONTHLY = 0.02
RESTORATION_MONTHLY = 0.004
RESTORATION_WITHIN_DAYS = 730
SECRETARY_TURNOVER = 0.06
VACANCY_FILL_MONTHLY = 0.6
BADGE_SHARE = 0.97  # the others wait for a later award day (documents late): they leave the list

_STANDING_OF_KIND = {
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


def _award_days(first: date, last: date, on: date) -> list[date]:
    days = badge_rules.BADGE_AWARD_DAYS.value(on)
    return sorted(
        d
        for year in {first.year, last.year}
        for day, month in days
        if first <= (d := date(year, month, day)) <= last
    )


class LifecycleMixin:
    """See the module docstring. Expects ``_History``'s attributes and helpers."""

    # --- loading --------------------------------------------------------------------------

    def _load_lifecycle(self, standings: dict, rows_left) -> None:
        """The ends of standings already running (their events before ``start``), former members,
        the secretaries, and the cells of each grassroots organization."""
        from dangbo.members.models import Position

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
                ends = date.fromisoformat(until) if until else add_months(since, self.rng.randint(3, 11))
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
        from dangbo.discipline.models import DisciplineCase
        from dangbo.members.selectors.votes import vote_denominator

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
        from dangbo.demo.history import _Rec

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

    # --- secretaries ------------------------------------------------------------------------

    def _successor(self, org, on: date, taken: set):
        ids = [
            m for cell in self.cells_under.get(org.id, ()) for m in sorted(self.by_org.get(cell, ()), key=str)
        ]
        for _ in range(min(30, len(ids))):
            rec = self.members[ids[self.rng.randrange(len(ids))]]
            if (
                rec.id not in taken
                and rec.id in self.index
                and rec.is_full(on)
                and rec.standing == Standing.NORMAL
                and rec.last_on < on
                and rec.id not in self.secretaries
            ):
                return rec
        return None

    def _secretaries(self, first: date, last: date, share: float, pairs, taken) -> None:
        rng = self.rng
        ended = []
        # by the organization's path: organization ids are random, the draws must not depend on them
        held = sorted(
            ((o, m) for o, m in self.secretary_of.items() if o in self.orgs),
            key=lambda kv: self.orgs[kv[0]].path,
        )
        for _ in range(self._draw(len(held) * SECRETARY_TURNOVER * share)) if held else ():
            org_id, mid = held[rng.randrange(len(held))]
            org, rec = self.orgs.get(org_id), self.members.get(mid)
            if (
                org is None
                or not org.live
                or rec is None
                or mid in taken
                or self.secretary_of.get(org_id) != mid
            ):
                continue
            on = self._after(rec, first, last)
            if on is not None:
                ended.append((org, rec, on))
        vacant = [
            o for o in self.leading if o.id not in self.secretary_of and o.live and o.created_on <= last
        ]
        for org in vacant:
            if rng.random() < VACANCY_FILL_MONTHLY:
                ended.append((org, None, self._day(max(first, org.created_on), last)))
        done: set = set()
        for org, old, on in ended:
            if org.id in done or (
                old is not None and (old.id in taken or self.secretary_of.get(org.id) != old.id)
            ):
                continue  # drawn twice this month
            done.add(org.id)
            new = self._successor(org, on, taken)
            if new is None:
                continue
            full = org.full if org.kind in CELL_KINDS else None
            if position_rules.check_position(
                role=Role.SECRETARY,
                org_kind=org.kind,
                on=on,
                holder_is_full=True,
                holder_in_org=True,
                current_holders={},
                cell_full_members=full,
            ):
                continue
            grassroots = org.kind in GRASSROOTS_KINDS
            decision = self._decision(on, self._superior(org) if grassroots else self._admitting(org))
            if old is not None:
                self._event(
                    pairs,
                    taken,
                    old,
                    MemberEvent(
                        kind=Kind.POSITION_ENDED,
                        effective_on=on,
                        position_org_id=org.id,
                        role=Role.SECRETARY,
                        data={"reason": "thôi giữ chức vụ (nghỉ hưu, chuyển công tác)"},
                        **decision.fields(),
                    ),
                )
                self.secretaries.discard(old.id)
                self.held[old.id] -= 1
                old.holder = self.held[old.id] > 0
            self._event(
                pairs,
                taken,
                new,
                MemberEvent(
                    kind=Kind.POSITION_STARTED,
                    effective_on=on,
                    position_org_id=org.id,
                    role=Role.SECRETARY,
                    rule_version=position_rules.POSITION_KINDS.at(on).ref,
                    data={"basis": "chỉ định" if old is None and grassroots else "bầu"},
                    **decision.fields(),
                ),
            )
            self.secretary_of[org.id] = new.id
            self.secretaries.add(new.id)
            self.held[new.id] += 1
            new.holder = True

    # --- badges -------------------------------------------------------------------------------

    def _badges(self, first: date, last: date, pairs, taken) -> None:
        for day in _award_days(first, last, last):
            since, _ = badge_rules.award_days_around(day)
            milestones = sorted(badge_rules.BADGE_MILESTONES.value(day), reverse=True)
            ref = badge_rules.BADGE_MILESTONES.at(day).ref
            decision = DecisionRef(
                number=f"{self.rng.randrange(100, 999)}-QĐ/TU",
                on=day - timedelta(days=self.rng.randrange(5, 20)),
                body="Ban Thường vụ Tỉnh ủy",
            )
            near = set(milestones) | {
                y + 1 for y in milestones
            }  # whole years of party age worth a closer look
            for mid in sorted(self.pool, key=str):
                rec = self.members[mid]
                if rec.age_from is None or day.year - rec.age_from.year not in near:
                    continue
                if mid in taken or rec.last_on >= day or (rec.deferred and day <= rec.deferred):
                    continue
                years = next(
                    (y for y in milestones if since < badge_rules.reached_on(rec.age_from, y) <= day), None
                )
                if years is None or (rec.badge or 0) >= years or self.rng.random() >= BADGE_SHARE:
                    continue
                claim = badge_rules.BadgeClaim(
                    years=years,
                    awarded_on=day,
                    ground=badge_rules.Ground.REGULAR,
                    party_age_from=rec.age_from,
                    already_years=rec.badge,
                    in_party=True,
                    died_on=None,
                )
                if badge_rules.check_badge_award(claim):
                    continue
                rec.badge = years
                self._event(
                    pairs,
                    taken,
                    rec,
                    MemberEvent(
                        kind=Kind.BADGE_AWARDED,
                        effective_on=day,
                        rule_version=ref,
                        data={"years": years, "ground": badge_rules.Ground.REGULAR},
                        **decision.fields(),
                    ),
                )

    @staticmethod
    def _age(rec, on: date) -> float:
        return (on - rec.birth).days / 365.25
