"""Work in flight on the last day of the demo's history (``demo.history``, ``in_flight=True``):
what a real province has open on any day, so the to-do list of the day the demo is built is
not empty.

* candidates at every step of the admission procedure (``Candidate``, ``CandidateStep`` in
  order, RULES.md §2.2), about 2 % of the members in good standing: as many as half a year
  of admissions; some past the 60 working days for the decision or the 30 for the ceremony;
* official transfers on the way (open ``TransferCase``), letters of the last seven weeks, each
  with its trigger; some past the 30 working days to present the letter, one letter issued late
  after its trigger with the reason recorded (§2.5);
* disciplinary cases under consideration (open ``DisciplineCase``, §5);
* recognitions not yet decided: ``history`` leaves a probationary member unrecognized when
  the decision (5–40 days after the 12 months, sometimes 2–5 months) would come after the
  last day (§2.3);
* badges: whoever reaches a milestone after the last award day is on the next day's list (§6).

Rows are written in bulk, as the services would write them (the same fields, the rules
checked: order of steps, age and education at the vote, the two-thirds vote).
"""

from __future__ import annotations

import math
from datetime import date, timedelta

from dangbo.candidates.models import CANDIDATE_STEPS, Candidate, CandidateStep
from dangbo.core.decisions import DecisionRef
from dangbo.core.kinds import OrgKind
from dangbo.discipline.models import DisciplineCase
from dangbo.members.models import Member, Standing, TransferCase
from dangbo.members.selectors.votes import committee_roll, vote_denominator
from dangbo.rules import admission as admission_rules
from dangbo.rules import orgs as org_rules
from dangbo.rules import transfers as transfer_rules
from dangbo.rules import votes as vote_rules

CANDIDATE_SHARE = 0.02
OPEN_TRANSFER_DAYS = 50  # transfers open on the day: about seven weeks of them
OPEN_DISCIPLINE_SHARE = 0.0005
# Letters issued up to this many days before the last day: the member presents the letter
# within 30 working days (about six weeks), so most are on time and about one in six is late.
_TRANSFER_AGES = 50
_STAGE_WEIGHTS = (14, 12, 12, 12, 10, 10, 10, 8, 8)  # candidates by the last step done (course … decision)
_DISCIPLINE_MATTERS = (
    "Vi phạm quy định về sinh hoạt đảng (dữ liệu mẫu)",
    "Vi phạm trong thực hiện nhiệm vụ được giao (dữ liệu mẫu)",
    "Bị phản ánh vi phạm đạo đức, lối sống, đang xác minh (dữ liệu mẫu)",
)


def leave_in_flight(h) -> dict[str, int]:
    """Open candidates, transfer cases and discipline cases on ``h.end``; returns their counts."""
    active = h._active_count()
    candidates, steps = _candidates(h, max(len(_STAGE_WEIGHTS) * 2, round(active * CANDIDATE_SHARE)))
    Candidate.objects.bulk_create(candidates, batch_size=1000)
    CandidateStep.objects.bulk_create(steps, batch_size=2000)
    transfers = _transfers(h, max(3, round(active * 0.02 * OPEN_TRANSFER_DAYS / 365)))
    TransferCase.objects.bulk_create(transfers, batch_size=1000)
    cases = _discipline_cases(h, max(2, round(active * OPEN_DISCIPLINE_SHARE)))
    DisciplineCase.objects.bulk_create(cases, batch_size=1000)
    return {"candidates": len(candidates), "transfers": len(transfers), "discipline": len(cases)}


def _free(h, taken: set, ok=lambda rec: True, tries: int = 200):
    for _ in range(tries):
        rec = h.members[h.pool[h.rng.randrange(len(h.pool))]]
        if rec.id not in taken and rec.standing == Standing.NORMAL and not rec.holder and ok(rec):
            taken.add(rec.id)
            return rec
    return None


def _candidates(h, count: int):
    rng, end = h.rng, h.end
    Step = CandidateStep.Kind
    stages = list(CANDIDATE_STEPS[:-1])  # the ceremony makes a member: not in flight
    cells = [c for c in h.admit_cells if c.full >= 3]
    weights = h._cumulative(cells)
    candidates, steps = [], []
    names: dict = {}
    for n in range(count):
        if not cells:
            break
        # every step at least twice, then as the weights say
        stage = stages[n % len(stages)] if n < 2 * len(stages) else rng.choices(stages, _STAGE_WEIGHTS)[0]
        cell = rng.choices(cells, cum_weights=weights)[0]
        index = stages.index(stage)
        if stage == Step.CELL_VOTE:
            last = end - timedelta(
                days=rng.randrange(3, 95)
            )  # the decision is due 60 working days (~84 days) after the vote
        elif stage == Step.DECISION:
            last = end - timedelta(
                days=rng.randrange(3, 48)
            )  # the ceremony 30 working days (~42 days) after the decision
        else:
            last = end - timedelta(days=rng.randrange(0, 60))
        if n == len(stages) + stages.index(Step.CELL_VOTE):
            last = end - timedelta(days=100)  # overdue for certain, whatever the draw
        if n == len(stages) + stages.index(Step.DECISION):
            last = end - timedelta(days=55)
        days = [last]
        for _ in range(index):
            days.append(days[-1] - timedelta(days=rng.randrange(7, 35)))
        days.reverse()
        vote_on = (
            days[stages.index(Step.CELL_VOTE)]
            if index >= stages.index(Step.CELL_VOTE)
            else end + timedelta(days=60)
        )
        residence, locality_id, hometown = rng.choice(cell.samples) if cell.samples else ("", None, "")
        person = h.people.person(
            admitted_on=vote_on,
            sector="residential" if cell.sector in ("", "residential") else cell.sector,
            minority_share=(cell.minority / cell.active) if cell.active else h.minority_share,
            residence=residence,
            hometown=hometown or residence,
        )
        m = person.member
        if admission_rules.check_education(education=m.general_education_id, on=vote_on):
            m.general_education_id = "lower_secondary"
        if admission_rules.check_admission_age(birth_date=m.birth_date, vote_on=vote_on):
            continue
        candidate = Candidate(
            id=h.people.uuid(),
            cell_id=cell.id,
            cell_path=cell.path,
            listed_on=days[0] - timedelta(days=rng.randrange(10, 60)),
            state=Candidate.State.ACTIVE,
            stage=stage,
            stage_on=days[-1],
            note="Dữ liệu mẫu",
            **{
                f: getattr(m, f)
                for f in (
                    "family_name",
                    "middle_name",
                    "given_name",
                    "gender",
                    "birth_date",
                    "national_id",
                    "ethnicity_id",
                    "religion_id",
                    "birthplace",
                    "hometown",
                    "residence",
                    "general_education_id",
                    "professional_level_id",
                    "occupation",
                    "workplace",
                    "search_key",
                    "sort_key",
                )
            },
            residence_locality_id=locality_id,
        )
        done = [
            _step(h, candidate, kind, on, cell, names, vote_denominator)
            for kind, on in zip(stages[: index + 1], days, strict=False)
        ]
        if None in done:
            continue  # a step could not be done (no sponsors, no vote): the candidate is left out
        candidates.append(candidate)
        steps.extend(done)
    return candidates, steps


def _step(h, candidate, kind: str, on: date, cell, names: dict, vote_denominator):
    Step = CandidateStep.Kind
    rng = h.rng
    data: dict = {}
    rule_ref = ""
    decision = DecisionRef()
    if kind == Step.COURSE:
        data["certificate_no"] = f"{rng.randrange(1, 999)}-GCN/TTCT"
        rule_ref = admission_rules.AWARENESS_CERTIFICATE.at(on).ref
    elif kind == Step.SPONSORS:
        sponsors = [
            m
            for m in sorted(h.by_org.get(cell.id, ()), key=str)[:40]
            if h.members[m].is_full(on - timedelta(days=400))
        ][:2]
        if len(sponsors) < 2:
            return None
        data["sponsors"] = [
            {
                "member": str(m),
                "name": _name(m, names),
                "known_since": (on - timedelta(days=rng.randrange(400, 2000))).isoformat(),
            }
            for m in sponsors
        ]
        data["youth_union_resolution"] = ""
        rule_ref = admission_rules.SPONSORS.at(on).ref
    elif kind == Step.CELL_VOTE:
        denominator = vote_denominator(org=cell.id, on=on)
        needed = math.ceil(denominator * 2 / 3)
        if denominator <= 0:
            return None
        approvals = rng.randint(needed, denominator)
        if vote_rules.check_vote(
            rule=admission_rules.ADMISSION_VOTE_SHARE, on=on, approvals=approvals, denominator=denominator
        ):
            return None
        data.update(approvals=approvals, denominator=denominator)
        rule_ref = admission_rules.ADMISSION_VOTE_SHARE.at(on).ref
    elif kind == Step.GRASSROOTS_RESOLUTION:
        decision = DecisionRef(number=f"{rng.randrange(1, 999)}-NQ/ĐU", on=on, body=h._admitting(cell)[0])
    elif kind == Step.DECISION:
        decision = DecisionRef(
            number=f"{rng.randrange(1, 999)}-QĐ/{h._admitting(cell)[1]}", on=on, body=h._admitting(cell)[0]
        )
        # a grassroots committee decides by its own vote, two thirds of its members or more
        # (RULES.md §2.2); otherwise the standing committee above it
        grassroots = h._grassroots(cell)
        committee = (
            committee_roll(org=grassroots.id, on=on)
            if grassroots.kind == OrgKind.GRASSROOTS_COMMITTEE
            else frozenset()
        )
        if committee:
            size = len(committee)
            rule = vote_rules.GRASSROOTS_ADMISSION_DECISION_SHARE
            needed = vote_rules.approvals_needed(rule.value(on), size)
            data.update(
                decided_by="grassroots",
                committee_approvals=rng.randint(needed, size),
                committee_denominator=size,
            )
            rule_ref = rule.at(on).ref
        else:
            data["decided_by"] = "superior"
    return CandidateStep(
        id=h.people.uuid(),
        candidate=candidate,
        kind=kind,
        done_on=on,
        data=data,
        rule_version=rule_ref,
        **decision.fields(),
    )


def _name(member_id, names: dict) -> str:
    if member_id not in names:
        names[member_id] = Member.objects.get(pk=member_id).full_name
    return names[member_id]


def _transfers(h, count: int):
    rng, end = h.rng, h.end
    taken: set = set()
    cases = []
    leaving: dict = {}
    for n in range(count):
        issued_on = end - timedelta(
            days=95 if n == 0 else rng.randrange(0, _TRANSFER_AGES)
        )  # the first one overdue
        movable = lambda r, issued_on=issued_on: r.is_full(issued_on) and r.last_on < issued_on  # noqa: E731
        rec = None
        if n == 2:  # one leaves a cell of three full members: confirmed below the minimum (Charter art. 21)
            rec = _free(
                h,
                taken,
                lambda r, movable=movable: movable(r) and getattr(h.orgs.get(r.org_id), "full", 0) == 3,
                tries=5000,
            )
        rec = rec or _free(h, taken, movable)
        source = h.orgs.get(rec.org_id) if rec else None
        if source is None or not source.live:
            continue
        target = h._target(source, issued_on)
        if target is None:
            continue
        decided = max(issued_on - timedelta(days=rng.randrange(3, 15)), rec.last_on)
        # the trigger: a new post (or retirement, a move of residence) some weeks before the
        # letter; the second case's letter came late (after 60 working days), with its reason
        # recorded and its handling not yet — it stays in the to-do list
        trigger_kind = ("new_post", "new_post", "retirement", "residence")[n % 4] if n != 1 else "new_post"
        trigger_on = decided - timedelta(days=130 if n == 1 else rng.randrange(7, 50))
        late = transfer_rules.letter_due(trigger_on) < decided
        leaving[source.id] = leaving.get(source.id, 0) + 1
        below = source.full - leaving[source.id] < org_rules.MIN_FULL_MEMBERS.value(issued_on)
        cases.append(
            TransferCase(
                id=h.people.uuid(),
                member_id=rec.id,
                from_org_id=source.id,
                to_org_id=target.id,
                issued_on=issued_on,
                state=TransferCase.State.OPEN,
                rule_version=transfer_rules.TRANSFER_PRESENT_WORKING_DAYS.at(issued_on).ref,
                trigger_kind=trigger_kind,
                trigger_on=trigger_on,
                trigger_no="" if trigger_kind == "residence" else f"{rng.randrange(1, 400)}-QĐ/UBND",
                letter_late=late,
                letter_late_reason="awaiting_decision" if late else "",
                letter_late_note="Đơn vị mới chậm gửi quyết định tiếp nhận" if late else "",
                leaves_below_minimum=below,
                **h._decision(decided, h._transferring(source, target)).fields(),
            )
        )
    return cases


def _discipline_cases(h, count: int):
    rng, end = h.rng, h.end
    taken: set = set()
    cases = []
    for _ in range(count):
        rec = _free(h, taken, lambda r: r.full_from is not None)
        if rec is None:
            continue
        opened_on = end - timedelta(days=rng.randrange(5, 90))
        cases.append(
            DisciplineCase(
                id=h.people.uuid(),
                member_id=rec.id,
                act_on=opened_on - timedelta(days=rng.randrange(10, 200)),
                summary=rng.choice(_DISCIPLINE_MATTERS),
                opened_on=opened_on,
                state=DisciplineCase.State.OPEN,
            )
        )
    return cases
