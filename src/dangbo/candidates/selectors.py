"""Reads of the candidate register (RULES.md §2.2), scoped to what the actor may see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db.models import Count, OuterRef, QuerySet, Subquery

from dangbo.audit.services import Action, audit_record
from dangbo.candidates.models import Candidate, CandidateStep
from dangbo.candidates.services import next_step, sponsor_reach_q
from dangbo.core import clock, paths
from dangbo.core.models import is_uuid
from dangbo.members.models import Member
from dangbo.members.selectors.todo import DueItem
from dangbo.orgs.models import Org
from dangbo.orgs.selectors import NotInScope
from dangbo.reference.identity import mask_national_id
from dangbo.rules import admission as admission_rules

Step = CandidateStep.Kind


def candidate_list(*, actor, org: Org, state: str = Candidate.State.ACTIVE) -> QuerySet[Candidate]:
    if not actor.can_read_path(org.path):
        raise NotInScope(org.pk)
    return (
        Candidate.objects.filter(paths.subtree_q(org.path, "cell_path"), state=state)
        .select_related("cell", "member")
        .order_by("sort_key", "id")
    )


def candidate_get(*, actor, candidate_id, for_edit: bool = False) -> Candidate:
    """A candidate the actor may read (or change, with ``for_edit``); refusals on real records are audited."""
    try:
        candidate = Candidate.objects.select_related("cell", "ethnicity", "religion", "member").get(
            pk=candidate_id
        )
    except (Candidate.DoesNotExist, ValueError, TypeError, ValidationError):
        raise NotInScope(candidate_id) from None
    allowed = (
        actor.can_write_path(candidate.cell_path) if for_edit else actor.can_read_path(candidate.cell_path)
    )
    if not allowed:
        if is_uuid(candidate_id):
            audit_record(
                action=Action.REFUSED,
                subject_type="candidate",
                subject_id=str(candidate.pk),
                data={"reason": "out_of_scope"},
            )
        raise NotInScope(candidate_id)
    audit_record(action=Action.MEMBER_VIEWED, subject_type="candidate", subject_id=str(candidate.pk))
    return candidate


def sponsor_find(*, actor, candidate: Candidate, number: str = "", member_id=None) -> Member | None:
    """The member named as a sponsor of ``candidate`` by card number, national ID or id, looked
    up only among those ``actor`` may read and those of the candidate's grassroots organization
    (``services.sponsor_reach_q``); None for anyone else, as for no one. Every lookup is
    audited: a found member is the row's subject (the number kept masked)."""
    number = (number or "").strip()
    reach = Member.objects.filter(sponsor_reach_q(actor, candidate.cell))
    member = None
    if member_id is not None:
        member = reach.filter(pk=member_id).first() if is_uuid(member_id) else None
        by = "id"
    elif number.isdigit():
        member = reach.filter(card_number=number).first() or reach.filter(national_id=number).first()
        by = "number"
    else:
        by = "number"
    data = {"purpose": "sponsor", "candidate": str(candidate.pk), "by": by, "found": member is not None}
    if number:
        data["number"] = mask_national_id(number)
    audit_record(
        action=Action.SEARCHED,
        subject_type="member" if member is not None else "candidate",
        subject_id=str(member.pk if member is not None else candidate.pk),
        data=data,
    )
    return member


@dataclass(frozen=True)
class StepDue:
    """The time limit on the next step, where the rules set one."""

    step: str
    due_on: date
    rule_ref: str

    @property
    def overdue(self) -> bool:
        return clock.today() > self.due_on


def candidate_steps(candidate: Candidate) -> list[CandidateStep]:
    return list(
        CandidateStep.objects.filter(candidate=candidate)
        .select_related("recorded_by")
        .order_by("done_on", "recorded_at")
    )


def candidate_next_due(
    candidate: Candidate, steps: list[CandidateStep] | None = None, *, holidays=None
) -> StepDue | None:
    """The deadline of the next step: the decision within 60 working days of the cell's vote,
    the ceremony within 30 working days of the decision (RULES.md §2.2)."""
    upcoming = next_step(candidate)
    done = {s.kind: s for s in (steps if steps is not None else candidate_steps(candidate))}
    if upcoming in (Step.GRASSROOTS_RESOLUTION, Step.DECISION) and Step.CELL_VOTE in done:
        due, _, ref = admission_rules.decision_due(done[Step.CELL_VOTE].done_on, holidays=holidays)
        return StepDue(Step.DECISION, due, ref)
    if upcoming == Step.CEREMONY and Step.DECISION in done:
        due, ref = admission_rules.ceremony_due(done[Step.DECISION].done_on, holidays=holidays)
        return StepDue(Step.CEREMONY, due, ref)
    return None


def _waiting(org) -> QuerySet[Candidate]:
    """Candidates of ``org``'s subtree waiting for the admission decision or the ceremony."""
    return Candidate.objects.filter(
        paths.subtree_q(org.path, "cell_path"),
        state=Candidate.State.ACTIVE,
        stage__in=[Step.CELL_VOTE, Step.GRASSROOTS_RESOLUTION, Step.DECISION],
    )


def _last_done(kind: str) -> Subquery:
    """The day of a candidate's last step of ``kind`` (as ``candidate_next_due`` reads it)."""
    steps = CandidateStep.objects.filter(candidate=OuterRef("pk"), kind=kind)
    return Subquery(steps.order_by("-done_on", "-recorded_at").values("done_on")[:1])


def candidate_due_counts(
    actor, org, *, as_of: date, until: date, holidays, branch_len: int
) -> dict[tuple[str, bool, str], int]:
    """``candidate_due_items`` counted by (kind, overdue, branch of the cell): the waiting
    candidates grouped by their stage and the day their deadline runs from, one deadline
    computed per group."""
    groups = (
        _waiting(org)
        .annotate(vote_on=_last_done(Step.CELL_VOTE), decision_on=_last_done(Step.DECISION))
        .values_list("stage", "vote_on", "decision_on", paths.branch("cell_path", branch_len))
        .annotate(n=Count("id"))
        .order_by()
    )
    counts: dict[tuple[str, bool, str], int] = {}
    for stage, vote_on, decision_on, branch, n in groups:
        if stage == Step.DECISION:  # the ceremony is next
            if decision_on is None:
                continue
            due, _ = admission_rules.ceremony_due(decision_on, holidays=holidays)
            kind = "ceremony"
        else:  # the grassroots resolution or the decision is next
            if vote_on is None:
                continue
            due, _, _ = admission_rules.decision_due(vote_on, holidays=holidays)
            kind = "admission_decision"
        if due <= until:
            key = (kind, due < as_of, branch)
            counts[key] = counts.get(key, 0) + n
    return counts


def candidate_due_items(actor, org, *, as_of: date, until: date, holidays) -> list[DueItem]:
    """The to-do list's admission deadlines in ``org``'s subtree (a due source, registered in
    ``CandidatesConfig.ready()`` through ``members.hooks``): the decision within 60 working
    days of the cell's vote, the ceremony within 30 of the decision (RULES.md §2.2). The to-do
    list has checked that ``actor`` may read ``org``."""
    items = []
    for candidate in _waiting(org).select_related("cell"):
        due = candidate_next_due(candidate, holidays=holidays)
        if due is None or due.due_on > until:
            continue
        if due.step == CandidateStep.Kind.CEREMONY:
            title, kind, note = (
                "Tổ chức lễ kết nạp",
                "ceremony",
                f"quyết định kết nạp ngày {candidate.stage_on:%d/%m/%Y}",
            )
        else:
            title, kind, note = (
                "Quyết định kết nạp",
                "admission_decision",
                "chi bộ đã biểu quyết đề nghị kết nạp",
            )
        items.append(
            DueItem(
                kind=kind,
                title=title,
                org=candidate.cell,
                member=None,
                candidate=candidate,
                due_on=due.due_on,
                citation=due.rule_ref,
                overdue=due.due_on < as_of,
                note=note,
            )
        )
    return items
