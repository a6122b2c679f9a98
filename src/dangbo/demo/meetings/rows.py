"""One organization's meetings as rows (``demo.meetings``): for each planned meeting, the
meeting with its agenda; for those that took place, the attendance of everyone on its roll
that day, the minutes (most signed, a few amended) and, at some, a visiting official from
the committee above; for those to come, the agenda alone.

Who is on the roll is what the application's ``meetings.selectors.meeting_roll`` reads: for
the cell, its placements that day (members counted there, and guests on a temporary
transfer); for a committee, the holders of its positions. How each came:

* in good standing: mostly present; some excused (ill, on duty, working away); a few absent
  without reason (more in a weak cell);
* exempted from Party work: excused for that reason, now and then present;
  working away: excused, sometimes present, a few without reason; suspended, or away on a
  temporary transfer: excused (they meet elsewhere, or not at all);
* a guest: mostly present;
* a member who stops coming ("drifting"): absent without reason through three to five
  months — in one cell of each commune certainly, elsewhere at a low rate — so the
  striking-off review (RULES.md §11 rule 13) has people in it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from uuid import UUID

from dangbo.core.roles import Role
from dangbo.demo.meetings import texts
from dangbo.demo.meetings.drift import choose_drifters
from dangbo.demo.meetings.loading import Holder, OrgRec, Seat, Standings
from dangbo.demo.meetings.plan import Calendar, Planned, holders_on
from dangbo.demo.meetings.writing import Keys, Writer
from dangbo.meetings.models import (
    AbsenceReason,
    Attendance,
    AttendanceStatus,
    Body,
    Meeting,
    MeetingKind,
    MeetingMode,
    MeetingVisitor,
    Minutes,
    MinutesAmendment,
)
from dangbo.members.models import Standing

PRESENT, EXCUSED, UNEXCUSED = (
    AttendanceStatus.PRESENT.value,
    AttendanceStatus.ABSENT_EXCUSED.value,
    AttendanceStatus.ABSENT_UNEXCUSED.value,
)
ILLNESS, ON_DUTY, AWAY, EXEMPTED, OTHER = (
    AbsenceReason.ILLNESS.value,
    AbsenceReason.ON_DUTY.value,
    AbsenceReason.WORKING_AWAY.value,
    AbsenceReason.EXEMPTED.value,
    AbsenceReason.OTHER.value,
)
REASONS_HAMLET = (ILLNESS,) * 7 + (ON_DUTY,) * 3 + (AWAY,) * 7 + (OTHER,) * 3
REASONS_OFFICE = (ILLNESS,) * 6 + (ON_DUTY,) * 11 + (OTHER,) * 3
IN_PERSON = MeetingMode.IN_PERSON.value
HOUR, HALF_HOUR = timedelta(hours=1), timedelta(minutes=30)

UNSIGNED = 0.03
UNSIGNED_WEAK = 0.15
AMENDED = 0.012
VISIT_NEAR = {"regular": 0.05, "thematic": 0.12}  # the committee just above
VISIT_FAR = {"regular": 0.01, "thematic": 0.03}  # the one above that
_VISITOR_WEIGHTS: dict[str, int] = {
    Role.SECRETARY: 1,
    Role.DEPUTY_SECRETARY: 2,
    Role.STANDING_COMMITTEE_MEMBER: 2,
    Role.COMMITTEE_MEMBER: 3,
}


def between(random, low: int, high: int) -> int:
    """A whole number from ``low`` to ``high`` (both included), from one draw of ``random``."""
    return low + int(random() * (high - low + 1))


@dataclass
class Context:
    """What every organization's rows share: the clock, the writer, the keys, what was read.
    Instants are in UTC, in whole seconds (``local`` turns a local time into one)."""

    writer: Writer
    keys: Keys
    orgs: dict[UUID, OrgRec]
    holders: dict[UUID, list[Holder]]
    standings: Standings
    drift_cells: set[UUID]
    months: list[date]
    today: date
    now: datetime
    offset: timedelta  # of local time from UTC (Vietnam keeps one all year)
    counts: dict[str, int] = field(default_factory=dict)

    def count(self, name: str, n: int = 1) -> None:
        self.counts[name] = self.counts.get(name, 0) + n

    def local(self, day: date, hour: int, minute: int = 0) -> datetime:
        return datetime(day.year, day.month, day.day, hour % 24, minute, tzinfo=UTC) - self.offset


class OrgMeetings:
    """The rows of one organization's meetings, written through ``ctx.writer``."""

    def __init__(self, ctx: Context, org: OrgRec, seats: list[Seat], rng: random.Random):
        self.ctx, self.org, self.seats, self.rng = ctx, org, seats, rng
        self.random = rng.random
        self.key = org.id.hex
        self.holders = ctx.holders.get(org.id, [])
        self.calendar = Calendar(
            rng, org, self.holders, months=ctx.months, today=ctx.today, topic=texts.thematic_topic
        )
        weak = self.calendar.weak
        self.present_rate = rng.uniform(0.78, 0.88) if weak else rng.uniform(0.87, 0.96)
        self.unexcused_rate = 0.02 if weak else 0.006
        self.unsigned_rate = UNSIGNED_WEAK if weak else UNSIGNED
        self.reasons = REASONS_OFFICE if self.calendar.office else REASONS_HAMLET
        self.places: dict[tuple[str, str, str], str] = {}
        self.drift: dict[str, tuple[frozenset[date], float]] = {}

    def write(self) -> None:
        planned = self.calendar.plan()
        self.ctx.count("gaps", len(self.calendar.missed))
        self.drift = choose_drifters(self.ctx, self.org, self.seats, self.holders, planned, self.rng)
        for meeting in planned:
            self._meeting(meeting)
        self.ctx.writer.maybe_flush()

    # --- one meeting ----------------------------------------------------------------------------

    def _meeting(self, p: Planned) -> None:
        ctx, random, w = self.ctx, self.random, self.ctx.writer
        day = p.day
        version = self.org.at(day)
        assert version is not None
        prefix, base = ctx.keys.block()  # this meeting's rows: its own, then 1 minutes,
        key = prefix + f"{base:016x}"  # 2 amendment, 3 and 4 visitors, 8… attendance
        held = day < ctx.today
        chi_bo = p.body == Body.CHI_BO
        committee = holders_on(self.holders, day)
        if chi_bo:
            roll = {
                s.member: (s.name, s.counted)
                for s in self.seats
                if s.start <= day and (s.end is None or day < s.end)
            }
        else:
            roll = {m: (committee[m].name, True) for m in sorted(committee)}
        month = day.replace(day=1)
        spans, drift = ctx.standings.spans, self.drift if chi_bo else {}

        def able(member: str) -> bool:  # there in person, as far as anyone knew beforehand
            return (member not in spans or ctx.standings.at(member, day) == Standing.NORMAL) and not (
                member in drift and month in drift[member][0]
            )

        leaders = [m for m in committee if m in roll and able(m)]
        presider = next((m for m in leaders if committee[m].role == Role.SECRETARY), None)
        presider = presider or next(iter(leaders), None)
        recorder = None
        if held and roll:
            members = list(roll)
            for _ in range(6):  # someone counted here, there in person, not presiding
                pick = members[int(random() * len(members))]
                if roll[pick][1] and pick != presider and able(pick):
                    recorder = pick
                    break
        spot = (version.name, version.sector, p.body)
        place = self.places.get(spot) or self.places.setdefault(spot, texts.place(*spot))
        if p.kind == MeetingKind.THEMATIC:
            agenda = texts.thematic_agenda(p.topic)
            posted = day - timedelta(days=between(random, 7, 12))
        elif chi_bo:
            agenda = texts.regular_agenda(self.rng, version.sector, day)
            posted = day.replace(day=1) - timedelta(days=between(random, 9, 13))  # about the 20th
        else:
            agenda = texts.committee_agenda(Body(p.body).label, day)
            posted = day - timedelta(days=between(random, 2, 4))
        created = min(ctx.local(posted, between(random, 8, 16), int(random() * 60)), ctx.now - HOUR)
        ended = ctx.local(day, *p.hour) + timedelta(minutes=between(random, 100, 160))
        updated = max(created, ended) if held else created
        stamp = w.stamp
        w.add(
            Meeting,
            (
                key,
                self.key,
                p.body,
                p.kind,
                p.topic,
                day.isoformat(),
                day.replace(day=1).isoformat(),
                place,
                IN_PERSON,
                "",
                "",
                None,
                None,
                agenda,
                stamp(created),  # posted when it was put on the calendar, around the 20th
                presider,
                recorder,
                None,
                stamp(created),
                stamp(updated),
            ),
        )
        ctx.count(f"{p.body}.{p.kind}")
        if not held:
            ctx.count("scheduled")
            return
        counts, voters, speakers = self._attendance(prefix, base, p, roll, (presider, recorder), ended)
        names = (roll[presider][0] if presider else "", roll[recorder][0] if recorder else "")
        self._minutes(prefix, base, p, place, names, (counts, voters), speakers, ended)
        if chi_bo:
            self._visitors(prefix, base, p, version.parent_id, ended)

    def _attendance(self, prefix, base, p: Planned, roll, leading, ended):
        ctx, random = self.ctx, self.random
        key = prefix + f"{base:016x}"
        at = ctx.writer.stamp(ended + timedelta(minutes=between(random, 5, 50)))
        month = p.day.replace(day=1)
        drift = self.drift if p.body == Body.CHI_BO else {}
        spans = ctx.standings.spans
        present_rate, unexcused_rate = self.present_rate, self.present_rate + self.unexcused_rate
        reasons = self.reasons
        rows: list[tuple] = []
        speakers: list[str] = []
        present = excused = unexcused = guests = 0
        for index, (member, (name, counted)) in enumerate(roll.items(), start=base + 8):
            if member in leading:
                status, reason = PRESENT, ""
            elif not counted:
                status, reason = self._guest()
                guests += 1
            elif member in drift and month in drift[member][0] and random() < drift[member][1]:
                status, reason = UNEXCUSED, ""
            elif member in spans:
                status, reason = self._member(ctx.standings.at(member, p.day))
            else:  # in good standing: most members, most days
                draw = random()
                if draw < present_rate:
                    status, reason = PRESENT, ""
                elif draw < unexcused_rate:
                    status, reason = UNEXCUSED, ""
                else:
                    status, reason = EXCUSED, reasons[int(random() * len(reasons))]
            rows.append((prefix + f"{index:016x}", key, member, status, reason, not counted, at))
            if status == PRESENT:
                present += 1
                if len(speakers) < 2 and member not in leading and random() < 0.25:
                    speakers.append(name)
            elif status == EXCUSED:
                excused += 1
            else:
                unexcused += 1
        ctx.writer.extend(Attendance, rows)
        ctx.count("attendance", len(rows))
        ctx.count("unexcused", unexcused)
        return (present, excused, unexcused), len(rows) - guests, speakers

    def _member(self, standing: str) -> tuple[str, str]:
        draw = self.random()
        if standing == Standing.NORMAL:
            if draw < self.present_rate:
                return PRESENT, ""
            if draw < self.present_rate + self.unexcused_rate:
                return UNEXCUSED, ""
            return EXCUSED, texts.pick(self.rng, self.reasons)
        if standing == Standing.EXEMPTED:
            return (PRESENT, "") if draw < 0.15 else (EXCUSED, EXEMPTED)
        if standing == Standing.WORKING_AWAY:
            if draw < 0.08:
                return PRESENT, ""
            return (UNEXCUSED, "") if draw < 0.12 else (EXCUSED, AWAY)
        return EXCUSED, OTHER  # suspended, or meeting at a host cell

    def _guest(self) -> tuple[str, str]:
        draw = self.random()
        if draw < 0.93:
            return PRESENT, ""
        return (UNEXCUSED, "") if draw < 0.94 else (EXCUSED, ILLNESS if draw < 0.97 else ON_DUTY)

    # --- minutes and visitors ---------------------------------------------------------------------

    def _minutes(self, prefix, base, p: Planned, place, names, tally, speakers, ended) -> None:
        ctx, random, w = self.ctx, self.random, self.ctx.writer
        content, opinions, resolution = texts.minutes_text(
            self.rng,
            body=p.body,
            held_on=p.day,
            place=place,
            hour=p.hour,
            presider=names[0],
            recorder=names[1],
            counts=tally[0],
            voters=tally[1],
            speakers=speakers,
            topic=p.topic,
        )
        written = min(ended + timedelta(hours=between(random, 1, 40)), ctx.now - HALF_HOUR)
        signed = ctx.local(
            p.day + timedelta(days=between(random, 1, 6)), between(random, 8, 16), int(random() * 60)
        )
        if signed > ctx.now or random() < self.unsigned_rate:
            signed_at = None
        else:
            signed_at = max(signed, written + timedelta(minutes=10))
        minutes_key = prefix + f"{base + 1:016x}"
        signed_stamp, written_stamp = w.stamp(signed_at), w.stamp(written)
        w.add(
            Minutes,
            (
                minutes_key,
                prefix + f"{base:016x}",
                content,
                opinions,
                resolution,
                signed_stamp,
                None,
                written_stamp,
                signed_stamp or written_stamp,
            ),
        )
        ctx.count("minutes")
        if signed_at is None:
            ctx.count("unsigned")
            return
        if random() < AMENDED:
            at = signed_at + timedelta(days=between(random, 3, 40), hours=between(random, 0, 6))
            if at < ctx.now:
                text, reason = texts.amendment(self.rng)
                w.add(
                    MinutesAmendment,
                    (prefix + f"{base + 2:016x}", minutes_key, text, reason, None, w.stamp(at)),
                )
                ctx.count("amendments")

    def _visitors(self, prefix, base, p: Planned, parent_id: UUID | None, ended) -> None:
        random = self.random
        near, far = random() < VISIT_NEAR[p.kind], random() < VISIT_FAR[p.kind]
        if not (near or far):
            return
        above = self._above(parent_id, p.day)
        wanted = [above] if near else []
        if far and above is not None:
            version = above.at(p.day)
            wanted.append(self._above(version.parent_id if version else None, p.day))
        meeting = prefix + f"{base:016x}"
        for index, org in enumerate(wanted, start=base + 3):
            if org is not None:
                self._visitor((prefix + f"{index:016x}", meeting), org, p.day, ended)

    def _above(self, org_id: UUID | None, day: date) -> OrgRec | None:
        """The organization ``org_id`` on ``day``, or the first above it with a committee then."""
        for _ in range(4):
            org = self.ctx.orgs.get(org_id) if org_id else None
            version = org.at(day) if org else None
            if org is None or version is None:
                return None
            if holders_on(self.ctx.holders.get(org.id, []), day):
                return org
            org_id = version.parent_id
        return None

    def _visitor(self, keys: tuple[str, str], org: OrgRec, day: date, ended) -> None:
        ctx, w = self.ctx, self.ctx.writer
        version = org.at(day)
        committee = list(holders_on(ctx.holders.get(org.id, []), day).values())
        if version is None or not committee:
            return
        holder = self.rng.choices(committee, weights=[_VISITOR_WEIGHTS.get(h.role, 1) for h in committee])[0]
        position = texts.visitor_position(holder.role, version.name)
        w.add(
            MeetingVisitor, (*keys, holder.name, position[:200], org.id.hex, "", w.stamp(ended - HALF_HOUR))
        )
        ctx.count("visitors")
