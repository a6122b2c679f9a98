"""The candidate register and the admission procedure (RULES.md §2.1–2.2): steps in order,
the certificate, sponsors, the two-thirds vote, the time limits, and the ceremony that
creates the member."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from tests.conftest import identity, refused_on

from dangbo.candidates.models import Candidate, CandidateStep
from dangbo.candidates.services import StepInput, candidate_add, candidate_record_step, next_step
from dangbo.members import ledger
from dangbo.members.models import MemberStatus
from dangbo.members.selectors.todo import due_items
from dangbo.reference.models import Holiday
from dangbo.rules.base import RuleViolation

Step = CandidateStep.Kind
SYSTEM = type("S", (), {"is_admin": True, "can_read_path": lambda self, p: True})()


@pytest.fixture
def cell(tree, make_member):
    """Cell A with 9 full members (two with card numbers, to sponsor) on 1/1/2025."""
    Holiday.objects.all().delete()
    members = [make_member(tree.cell_a, admitted_on=date(2016, 3, 1)) for _ in range(9)]
    for n, member in enumerate(members[:2]):
        member.card_number = f"1000000{n}"
        member.save(update_fields=["card_number"])
    tree.sponsors = members[:2]
    return tree


def _candidate(tree, **fields):
    values = {"given_name": "Hằng", "middle_name": "Thị", "gender": "F", "birth_date": date(2000, 4, 10)}
    values.update(fields)
    return candidate_add(identity=identity(**values), cell=tree.cell_a, listed_on=date(2025, 1, 6))


def _through(candidate, tree, until: str, **overrides):
    """Record every step up to and including ``until`` with valid values."""
    plan = [
        (Step.COURSE, StepInput(done_on=date(2025, 1, 10), number="CN-123")),
        (Step.APPLICATION, StepInput(done_on=date(2025, 2, 3))),
        (Step.HISTORY, StepInput(done_on=date(2025, 2, 10))),
        (Step.BACKGROUND_CHECK, StepInput(done_on=date(2025, 3, 3))),
        (
            Step.SPONSORS,
            StepInput(done_on=date(2025, 3, 10), sponsors=[(s.pk, date(2023, 1, 1)) for s in tree.sponsors]),
        ),
        (Step.COMMENTS, StepInput(done_on=date(2025, 3, 17))),
        (Step.CELL_VOTE, StepInput(done_on=date(2025, 3, 24), approvals=7)),
        (Step.GRASSROOTS_RESOLUTION, StepInput(done_on=date(2025, 4, 1), number="12-NQ/ĐU")),
        (
            Step.DECISION,
            StepInput(
                done_on=date(2025, 4, 15),
                number="45-QĐ/HU",
                body="Ban Thường vụ Huyện ủy",
                decided_by="superior",
            ),
        ),
        (Step.CEREMONY, StepInput(done_on=date(2025, 5, 5))),
    ]
    for kind, step in plan:
        step = overrides.get(kind, step)
        candidate_record_step(candidate=candidate, kind=kind, step=step)
        if kind == until:
            break
    candidate.refresh_from_db()
    return candidate


def test_the_whole_procedure_creates_a_probationary_member(cell):
    candidate = _through(_candidate(cell), cell, Step.CEREMONY)
    assert candidate.state == Candidate.State.ADMITTED and next_step(candidate) is None
    member = candidate.member
    assert member.status == MemberStatus.PROBATIONARY and member.org == cell.cell_a
    assert member.admitted_on == date(2025, 4, 15) and member.ceremony_on == date(2025, 5, 5)
    assert member.party_age_from == date(2025, 4, 15)
    admitted = member.events.get(kind="admitted")
    assert admitted.decision_no == "45-QĐ/HU" and admitted.data["vote_on"] == "2025-03-24"
    assert ledger.projection_matches_replay(member)
    vote = CandidateStep.objects.get(candidate=candidate, kind=Step.CELL_VOTE)
    assert vote.data == {"approvals": 7, "denominator": 9}


def test_a_step_out_of_order_is_refused(cell):
    candidate = _candidate(cell)
    with pytest.raises(RuleViolation) as refused:
        candidate_record_step(
            candidate=candidate, kind=Step.APPLICATION, step=StepInput(done_on=date(2025, 2, 3))
        )
    assert refused_on(refused) == [("input", "kind")]  # the next step is the course
    assert not CandidateStep.objects.exists()


def test_a_date_before_the_previous_step_is_refused(cell):
    candidate = _through(_candidate(cell), cell, Step.APPLICATION)
    with pytest.raises(RuleViolation) as refused:
        candidate_record_step(
            candidate=candidate, kind=Step.HISTORY, step=StepInput(done_on=date(2025, 1, 20))
        )
    assert refused_on(refused) == [("input", "done_on")]


def test_a_vote_below_two_thirds_is_refused_and_the_denominator_is_computed(cell):
    candidate = _through(_candidate(cell), cell, Step.COMMENTS)
    with pytest.raises(RuleViolation) as refused:
        candidate_record_step(
            candidate=candidate, kind=Step.CELL_VOTE, step=StepInput(done_on=date(2025, 3, 24), approvals=5)
        )
    assert refused.value.codes == ["vote.admission_share"]
    assert "5/9" in str(refused.value) and "cần ít nhất 6" in str(refused.value)  # the count, not the wording
    assert "Điều lệ Đảng" in refused.value.violations[0].citation
    candidate_record_step(
        candidate=candidate, kind=Step.CELL_VOTE, step=StepInput(done_on=date(2025, 3, 24), approvals=6)
    )


def test_an_expired_certificate_is_refused_at_the_vote(cell):
    candidate = _through(
        _candidate(cell),
        cell,
        Step.COMMENTS,
        **{Step.COURSE: StepInput(done_on=date(2019, 12, 1), number="CN-1")},
    )
    with pytest.raises(RuleViolation) as refused:
        candidate_record_step(
            candidate=candidate, kind=Step.CELL_VOTE, step=StepInput(done_on=date(2025, 3, 24), approvals=8)
        )
    assert refused.value.codes == ["admission.awareness_certificate"]


def test_an_applicant_under_eighteen_at_the_vote_is_refused(cell):
    candidate = _through(_candidate(cell, birth_date=date(2007, 6, 1)), cell, Step.COMMENTS)
    with pytest.raises(RuleViolation) as refused:
        candidate_record_step(
            candidate=candidate, kind=Step.CELL_VOTE, step=StepInput(done_on=date(2025, 3, 24), approvals=8)
        )
    assert refused.value.codes == ["admission.age"]


def test_sponsors_must_be_full_members_known_twelve_months(cell, make_member):
    candidate = _through(_candidate(cell), cell, Step.BACKGROUND_CHECK)
    probationary = make_member(cell.cell_a, admitted_on=date(2025, 1, 2), full=False)
    one, _ = cell.sponsors
    with pytest.raises(RuleViolation) as refused:
        candidate_record_step(
            candidate=candidate,
            kind=Step.SPONSORS,
            step=StepInput(
                done_on=date(2025, 3, 10),
                sponsors=[(one.pk, date(2024, 9, 1)), (probationary.pk, date(2023, 1, 1))],
            ),
        )
    # one known for less than 12 months, the other not a full member
    assert refused_on(refused) == [("admission.sponsors", "sponsors"), ("admission.sponsors", "sponsors")]
    # one full member and the Youth Union's resolution will do
    candidate_record_step(
        candidate=candidate,
        kind=Step.SPONSORS,
        step=StepInput(
            done_on=date(2025, 3, 10),
            sponsors=[(one.pk, date(2023, 1, 1))],
            youth_union_resolution="05-NQ/ĐTN ngày 1/3/2025",
        ),
    )


def test_a_sponsor_from_another_grassroots_organization_is_refused(cell, make_member):
    candidate = _through(_candidate(cell), cell, Step.BACKGROUND_CHECK)
    outsider = make_member(cell.agency, admitted_on=date(2016, 3, 1))
    with pytest.raises(RuleViolation) as refused:
        candidate_record_step(
            candidate=candidate,
            kind=Step.SPONSORS,
            step=StepInput(
                done_on=date(2025, 3, 10),
                sponsors=[(cell.sponsors[0].pk, date(2023, 1, 1)), (outsider.pk, date(2023, 1, 1))],
            ),
        )
    assert refused.value.codes == ["admission.sponsors"]


def test_a_late_decision_needs_a_reason_and_is_marked_late(cell):
    candidate = _through(_candidate(cell), cell, Step.GRASSROOTS_RESOLUTION)
    late = StepInput(
        done_on=date(2025, 7, 1), number="45-QĐ/HU", decided_by="superior"
    )  # 60 working days from 24/3/2025 end on 16/6/2025
    with pytest.raises(RuleViolation) as refused:
        candidate_record_step(candidate=candidate, kind=Step.DECISION, step=late)
    assert refused_on(refused) == [("deadline", "late_reason")]
    late.late_reason = "Gia hạn theo Công văn 10-CV/HU"
    record = candidate_record_step(candidate=candidate, kind=Step.DECISION, step=late)
    assert record.data["late"] and record.late_reason == "Gia hạn theo Công văn 10-CV/HU"


def test_the_todo_list_shows_the_decision_and_then_the_ceremony(cell):
    candidate = _through(_candidate(cell), cell, Step.CELL_VOTE)
    items = [
        i
        for i in due_items(actor=SYSTEM, org=cell.commune, as_of=date(2025, 6, 1), audit=False)
        if i.candidate
    ]
    assert [(i.kind, i.due_on, i.overdue) for i in items] == [
        ("admission_decision", date(2025, 6, 16), False)
    ]
    candidate_record_step(
        candidate=candidate,
        kind=Step.GRASSROOTS_RESOLUTION,
        step=StepInput(done_on=date(2025, 4, 1), number="1-NQ"),
    )
    candidate_record_step(
        candidate=candidate,
        kind=Step.DECISION,
        step=StepInput(done_on=date(2025, 4, 15), number="2-QĐ", decided_by="superior"),
    )
    items = [
        i
        for i in due_items(actor=SYSTEM, org=cell.commune, as_of=date(2025, 6, 1), audit=False)
        if i.candidate
    ]
    assert [(i.kind, i.due_on, i.overdue) for i in items] == [("ceremony", date(2025, 5, 27), True)]


def test_a_future_date_is_refused(cell, frozen_today):
    candidate = _candidate(cell)
    today = frozen_today(date(2025, 6, 1))
    with pytest.raises(RuleViolation) as refused:
        candidate_record_step(
            candidate=candidate,
            kind=Step.COURSE,
            step=StepInput(done_on=today + timedelta(days=1), number="CN"),
        )
    assert refused_on(refused) == [("input", "done_on")]


def test_a_cell_that_cannot_hold_members_is_refused(tree):
    with pytest.raises(RuleViolation) as refused:
        candidate_add(identity=identity(), cell=tree.commune, listed_on=date(2025, 1, 6))
    assert refused.value.codes == ["org.member_holding_kinds"]


def test_primary_education_needs_a_recorded_exception(cell):
    candidate = _through(_candidate(cell, general_education="primary"), cell, Step.COMMENTS)
    with pytest.raises(RuleViolation) as refused:
        candidate_record_step(
            candidate=candidate, kind=Step.CELL_VOTE, step=StepInput(done_on=date(2025, 3, 24), approvals=8)
        )
    assert refused.value.codes == ["admission.education"]
    record = candidate_record_step(
        candidate=candidate,
        kind=Step.CELL_VOTE,
        step=StepInput(done_on=date(2025, 3, 24), approvals=8, education_exception="Xã biên giới Y Tý"),
    )
    assert record.data["education_exception"] == "Xã biên giới Y Tý"


def test_a_candidate_without_education_recorded_is_refused(tree):
    with pytest.raises(RuleViolation) as refused:
        candidate_add(identity=identity(general_education=""), cell=tree.cell_a, listed_on=date(2025, 1, 6))
    assert refused_on(refused) == [("input", "general_education")]
