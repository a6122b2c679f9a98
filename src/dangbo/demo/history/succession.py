"""Secretaries' succession and Party badges in the demo history (``demo.history``): 6 % of
secretaries replaced a year, vacancies filled within a month or two, and badges on the award
days (the rates are in ``lifecycle``'s docstring)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from dangbo.core.decisions import DecisionRef
from dangbo.core.kinds import CELL_KINDS, GRASSROOTS_KINDS
from dangbo.core.roles import Role
from dangbo.members.models import MemberEvent, Standing
from dangbo.rules import badges as badge_rules
from dangbo.rules import positions as position_rules

Kind = MemberEvent.Kind

SECRETARY_TURNOVER = 0.06
VACANCY_FILL_MONTHLY = 0.6
BADGE_SHARE = 0.97  # the others wait for a later award day (documents late): they leave the list


def _award_days(first: date, last: date, on: date) -> list[date]:
    days = badge_rules.BADGE_AWARD_DAYS.value(on)
    return sorted(
        d
        for year in {first.year, last.year}
        for day, month in days
        if first <= (d := date(year, month, day)) <= last
    )


class SuccessionMixin:
    """Part of ``simulation._History`` (``lifecycle.LifecycleMixin`` calls it each month)."""

    if TYPE_CHECKING:
        # A mixin of one builder class: its attributes and the other mixins' methods are set
        # on that class; mypy refuses a self-type narrower than the class, so here they are `Any`.
        def __getattr__(self, name: str) -> Any: ...

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
