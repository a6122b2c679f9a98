"""Who counts when a cell votes (RULES.md §3, §11 rule 8), and the grassroots committee's own
vote on an admission decision (§2.2 step 10)."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.conftest import identity, refused_on
from tests.test_ledger_replay import ACTIONS, _valid_events

from dangbo.candidates.models import CandidateStep
from dangbo.candidates.services import StepInput, candidate_add, candidate_record_step
from dangbo.core.decisions import DecisionRef
from dangbo.core.kinds import OrgKind, Sector
from dangbo.members import ledger
from dangbo.members.models import MemberEvent
from dangbo.members.selectors.votes import committee_roll, vote_denominator, vote_roll
from dangbo.members.services.positions import member_position_start
from dangbo.members.services.recognition import member_recognize
from dangbo.members.services.standing import member_standing_start, member_temp_transfer
from dangbo.members.services.transfers import member_transfer
from dangbo.orgs import services as org_services
from dangbo.reference.models import Holiday
from dangbo.rules.base import RuleViolation

Step = CandidateStep.Kind
DECISION = DecisionRef(number="1-QĐ", on=date(2024, 1, 2), body="Đảng ủy")


def test_a_member_who_left_the_cell_is_not_counted_there(tree, make_member):
    """The defect: a member once full in cell A, now in cell B, counted in A's votes."""
    stayers = [make_member(tree.cell_a) for _ in range(3)]
    leaver = make_member(tree.cell_a)
    member_transfer(member=leaver, to_org=tree.cell_b, effective_on=date(2024, 1, 1), decision=DECISION)
    assert vote_denominator(org=tree.cell_a, on=date(2023, 12, 31)) == 4
    assert vote_denominator(org=tree.cell_a, on=date(2024, 1, 1)) == 3
    assert vote_denominator(org=tree.cell_b, on=date(2024, 1, 1)) == 1
    assert len(stayers) == 3


def test_probationary_members_do_not_count(tree, make_member):
    make_member(tree.cell_a)
    make_member(tree.cell_a, full=False, admitted_on=date(2024, 3, 1))
    assert vote_denominator(org=tree.cell_a, on=date(2024, 6, 1)) == 1


def test_temporarily_away_and_suspended_are_left_out_exempted_only_when_absent(tree, make_member):
    members = [make_member(tree.cell_a) for _ in range(6)]
    away, suspended, exempted = members[0], members[1], members[2]
    member_temp_transfer(
        member=away,
        purpose="work",
        starts_on=date(2024, 2, 1),
        until=date(2024, 8, 1),
        host=tree.cell_b,
        decision=DECISION,
    )
    member_standing_start(
        member=suspended, kind=MemberEvent.Kind.SUSPENDED, on=date(2024, 2, 1), decision=DECISION
    )
    member_standing_start(
        member=exempted, kind=MemberEvent.Kind.EXEMPTED, on=date(2024, 2, 1), ground="old_age_health"
    )
    day = date(2024, 3, 1)
    roll = vote_roll(org=tree.cell_a, on=day)
    assert roll.denominator() == 4  # the exempted member counts when present
    assert roll.denominator([exempted.pk]) == 3  # and not when the vote records them absent
    assert roll.not_exempted([members[3].pk]) == [str(members[3].pk)]
    # the host does not count a temporary member either
    assert vote_denominator(org=tree.cell_b, on=day) == 0
    # before the standing began, all six count
    assert vote_denominator(org=tree.cell_a, on=date(2024, 1, 31)) == 6


def test_recognition_vote_refuses_an_absent_member_who_is_not_exempted(tree, make_member):
    full = [make_member(tree.cell_a) for _ in range(3)]
    member = make_member(tree.cell_a, full=False, admitted_on=date(2024, 1, 5))
    with pytest.raises(RuleViolation) as refused:
        member_recognize(
            member=member,
            decision=DecisionRef(number="9-QĐ", on=date(2025, 1, 20)),
            vote_on=date(2025, 1, 10),
            approvals=2,
            absent_exempted=(full[0].pk,),
        )
    assert refused_on(refused) == [("input", "absent_exempted")]  # not exempted
    event = member_recognize(
        member=member,
        decision=DecisionRef(number="9-QĐ", on=date(2025, 1, 20)),
        vote_on=date(2025, 1, 10),
        approvals=2,
    )
    assert event.data["denominator"] == 3 and event.data["approvals"] == 2


# --- the property: for random histories, the roll equals an independent count -------------

_cell_codes = itertools.count(1)


def _independent_states(events):
    """Each day's (status, org, standing) of one member, walked from their events without the
    ledger: a timeline of (from day, status, org, standing)."""
    status = org = None
    standing = ""
    before = exit_day = None
    timeline: list[tuple] = []
    for event in events:
        kind, day = event.kind, event.effective_on
        if kind in ("admitted", "readmitted"):
            status, org, standing, before = "probationary", event.to_org_id, "", None
        elif kind == "recognized":
            status = "full"
        elif kind == "transferred":
            org = event.to_org_id
        elif kind in ("died", "moved_away"):
            status, standing = kind, ""
        elif kind in ("struck_off", "resigned", "expelled"):
            before, exit_day = (status, org), day
            status, standing = kind, ""
        elif kind == "restored":
            # a wrongful exit undone: a member throughout, from the exit day
            status, org = before
            timeline = [t for t in timeline if t[0] < exit_day] + [(exit_day, status, org, "")]
            standing = ""
        elif kind == "temp_transfer":
            standing = "temp_away"
        elif kind in ("exempted", "suspended", "working_away"):
            standing = kind
        elif kind in ("temp_returned", "standing_ended"):
            standing = ""
        timeline.append((day, status, org, standing))
    return timeline


def _state_on(timeline, day):
    current = (None, None, None, "")
    for entry in timeline:
        if entry[0] <= day:
            current = entry
    return current


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(histories=st.lists(ACTIONS, min_size=1, max_size=4))
def test_the_roll_equals_an_independent_count_for_random_histories(tree, make_member, histories):
    # fresh cells for each example: the database is not rolled back between examples
    n = next(_cell_codes)
    cells = [
        org_services.org_establish(
            code=f"VP{n}{letter}",
            name=f"Chi bộ {n}{letter}",
            kind=OrgKind.CELL,
            parent=tree.commune,
            established_on=date(2009, 1, 1),
            sector=Sector.RESIDENTIAL,
        )
        for letter in "ABC"
    ]
    timelines, days = [], set()
    for actions in histories:
        events = _valid_events(actions, cells, [cells[0], tree.commune])
        member = make_member(cells[0], full=False, admitted_on=date(2010, 1, 1))
        for event in events[1:]:
            ledger.append(
                member,
                MemberEvent(
                    kind=event.kind,
                    effective_on=event.effective_on,
                    to_org_id=event.to_org_id,
                    from_org_id=event.from_org_id,
                    position_org_id=event.position_org_id,
                    role=event.role,
                    decision_on=event.decision_on,
                    data=event.data,
                ),
            )
        events[0].to_org_id = cells[0].pk
        timelines.append((str(member.pk), _independent_states(events)))
        for event in events:
            days.update({event.effective_on, event.effective_on - timedelta(days=1)})
    for day in sorted(days):
        for cell in cells:
            states = {mid: _state_on(t, day) for mid, t in timelines}
            full_here = {
                mid for mid, (_, status, org, _) in states.items() if status == "full" and org == cell.pk
            }
            voting = {mid for mid in full_here if states[mid][3] not in ("temp_away", "suspended")}
            exempted = {mid for mid in voting if states[mid][3] == "exempted"}
            roll = vote_roll(org=cell, on=day)
            assert roll.full == full_here, (day, cell.code)
            assert roll.denominator() == len(voting), (day, cell.code)
            assert roll.denominator(exempted) == len(voting - exempted), (day, cell.code)


# --- the admission decision: the grassroots committee's own vote ---------------------------


@pytest.fixture
def candidate_at_decision(tree, make_member):
    """A candidate of cell A whose procedure has reached the decision; cell A has 9 full
    members, the commune committee (a grassroots committee) three committee members."""
    Holiday.objects.all().delete()
    members = [make_member(tree.cell_a, admitted_on=date(2016, 3, 1)) for _ in range(9)]
    for n, member in enumerate(members[:2]):
        member.card_number = f"2000000{n}"
        member.save(update_fields=["card_number"])
    for member, role in zip(
        members[2:5], ("secretary", "deputy_secretary", "committee_member"), strict=False
    ):
        member_position_start(
            member=member, org=tree.commune, role=role, started_on=date(2024, 1, 1), decision=DecisionRef()
        )
    candidate = candidate_add(
        identity=identity(given_name="Hằng", middle_name="Thị", gender="F", birth_date=date(2000, 4, 10)),
        cell=tree.cell_a,
        listed_on=date(2025, 1, 6),
    )
    plan = [
        (Step.COURSE, StepInput(done_on=date(2025, 1, 10), number="CN-1")),
        (Step.APPLICATION, StepInput(done_on=date(2025, 2, 3))),
        (Step.HISTORY, StepInput(done_on=date(2025, 2, 10))),
        (Step.BACKGROUND_CHECK, StepInput(done_on=date(2025, 3, 3))),
        (
            Step.SPONSORS,
            StepInput(done_on=date(2025, 3, 10), sponsors=[(m.pk, date(2023, 1, 1)) for m in members[:2]]),
        ),
        (Step.COMMENTS, StepInput(done_on=date(2025, 3, 17))),
        (Step.CELL_VOTE, StepInput(done_on=date(2025, 3, 24), approvals=9)),
        (Step.GRASSROOTS_RESOLUTION, StepInput(done_on=date(2025, 4, 1), number="12-NQ/ĐU")),
    ]
    for kind, step in plan:
        candidate_record_step(candidate=candidate, kind=kind, step=step)
    return candidate


def test_a_unanimous_cell_vote_counts_against_the_members_of_the_day(candidate_at_decision):
    vote = CandidateStep.objects.get(candidate=candidate_at_decision, kind=Step.CELL_VOTE)
    assert vote.data["approvals"] == 9 and vote.data["denominator"] == 9


def test_the_grassroots_committee_decides_with_two_thirds_of_its_members(tree, candidate_at_decision):
    assert len(committee_roll(org=tree.commune, on=date(2025, 4, 15))) == 3
    step = StepInput(
        done_on=date(2025, 4, 15), number="45-QĐ/ĐU", decided_by="grassroots", committee_approvals=1
    )
    with pytest.raises(RuleViolation) as refused:
        candidate_record_step(candidate=candidate_at_decision, kind=Step.DECISION, step=step)
    [violation] = refused.value.violations
    assert (violation.rule, violation.field) == (
        "vote.grassroots_admission_decision_share",
        "committee_approvals",
    )
    assert "1/3" in violation.message  # the count, not the wording
    assert not CandidateStep.objects.filter(candidate=candidate_at_decision, kind=Step.DECISION).exists()
    step.committee_approvals = 2
    record = candidate_record_step(candidate=candidate_at_decision, kind=Step.DECISION, step=step)
    assert record.data["committee_approvals"] == 2 and record.data["committee_denominator"] == 3
    assert record.data["decided_by"] == "grassroots"


def test_the_decider_must_be_named(candidate_at_decision):
    with pytest.raises(RuleViolation) as refused:
        candidate_record_step(
            candidate=candidate_at_decision,
            kind=Step.DECISION,
            step=StepInput(done_on=date(2025, 4, 15), number="45"),
        )
    assert refused_on(refused) == [("input", "decided_by")]


def test_a_grassroots_cell_has_no_committee_to_decide(tree, make_member):
    members = [make_member(tree.agency) for _ in range(3)]
    member_position_start(
        member=members[0],
        org=tree.agency,
        role="secretary",
        started_on=date(2024, 1, 1),
        decision=DecisionRef(),
    )
    from dangbo.candidates.models import Candidate
    from dangbo.candidates.services import _decision_vote

    candidate = Candidate(cell=tree.agency)
    problems = _decision_vote(
        candidate, StepInput(done_on=date(2025, 1, 2), decided_by="grassroots", committee_approvals=1), {}
    )
    # the agency's cell is no grassroots committee: the superior decides
    assert refused_on(problems) == [("vote.grassroots_admission_decision_share", "decided_by")]


def test_the_superior_standing_committee_decides_without_a_counted_vote(candidate_at_decision):
    record = candidate_record_step(
        candidate=candidate_at_decision,
        kind=Step.DECISION,
        step=StepInput(
            done_on=date(2025, 4, 15), number="45-QĐ/HU", body="Ban Thường vụ Huyện ủy", decided_by="superior"
        ),
    )
    assert record.data["decided_by"] == "superior" and "committee_approvals" not in record.data
