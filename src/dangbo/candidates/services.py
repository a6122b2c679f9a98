"""The candidate register and the admission procedure (RULES.md §2.1–2.2).

A cell keeps its candidates (quần chúng cảm tình Đảng); each step of §2.2 is recorded in
order, each no earlier than the one before and none in the future. The steps the rules
constrain are checked on their day: the certificate's validity, the sponsors, the age and
the two-thirds vote at the cell's meeting, the decision and ceremony time limits (a late
step is recorded only with its reason, and marked late). The ceremony creates the member
through ``member_admit``, so admission is checked and written once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from uuid import UUID

from django.db import transaction
from django.db.models import Q

from dangbo.audit.services import Action, audit_record
from dangbo.candidates.models import CANDIDATE_STEPS, Candidate, CandidateStep
from dangbo.core import clock, paths, text
from dangbo.core.decisions import DecisionRef
from dangbo.core.kinds import GRASSROOTS_KINDS, OrgKind
from dangbo.members.models import ACTIVE_STATUSES, Member, MemberStatus
from dangbo.members.services import INPUT, check_holder_org
from dangbo.members.services.records import NATIONAL_ID_TAKEN, Identity, check_identity, member_admit
from dangbo.members.services.votes import cell_vote, committee_vote
from dangbo.orgs.models import Org
from dangbo.rules import admission as admission_rules
from dangbo.rules import votes as vote_rules
from dangbo.rules.base import RuleViolation, Violation, refuse_if

Step = CandidateStep.Kind


def _input(name: str, message: str) -> Violation:
    return Violation("input", message, INPUT, field=name)


@transaction.atomic
def candidate_add(*, identity: Identity, cell: Org, listed_on: date, note: str = "", actor=None) -> Candidate:
    """Put a person on the cell's register of candidates."""
    values, violations = check_identity(identity)
    for name in ("card_number", "history_number"):  # a member's numbers, given at admission
        values.pop(name, None)
    violations = [v for v in violations if v.field not in ("card_number", "history_number")]
    violations += check_holder_org(cell, listed_on)
    if listed_on > clock.today():
        violations.append(_input("listed_on", "Ngày đưa vào danh sách không thể sau hôm nay."))
    if not values.get("general_education_id"):
        violations.append(
            _input("general_education", "Chọn trình độ giáo dục phổ thông (điều kiện kết nạp).")
        )
    taken = [v for v in violations if v.field == "national_id" and v.message == NATIONAL_ID_TAKEN]
    if (
        values.get("national_id")
        and not taken
        and Candidate.objects.filter(national_id=values["national_id"]).exists()
    ):
        violations.append(_input("national_id", NATIONAL_ID_TAKEN))
    refuse_if(violations)
    candidate = Candidate.objects.create(
        cell=cell,
        cell_path=cell.path,
        listed_on=listed_on,
        note=text.clean(note)[:500],
        recorded_by=actor,
        **values,
    )
    audit_record(
        action=Action.CREATED,
        subject_type="candidate",
        subject_id=str(candidate.pk),
        data={"cell": cell.code},
    )
    return candidate


def next_step(candidate: Candidate) -> str | None:
    """The step to record next, or None when the procedure is over."""
    if candidate.state != Candidate.State.ACTIVE:
        return None
    if not candidate.stage:
        return CANDIDATE_STEPS[0]
    index = CANDIDATE_STEPS.index(candidate.stage) + 1
    return CANDIDATE_STEPS[index] if index < len(CANDIDATE_STEPS) else None


@dataclass
class StepInput:
    """What an officer enters for one step; each step reads the fields it needs."""

    done_on: date
    number: str = ""  # certificate, resolution or decision number
    body: str = ""  # issuing body of a decision
    note: str = ""
    sponsors: list[tuple[UUID, date | None]] = field(default_factory=list)  # (member id, together since)
    youth_union_resolution: str = ""
    approvals: int | None = None
    absent_exempted: list = field(default_factory=list)  # exempted members absent from the cell's vote
    decided_by: str = ""  # the decision step: "grassroots" (its committee's vote) or "superior"
    committee_approvals: int | None = None  # the grassroots committee's members in favour
    over_age_approval: str = ""
    education_exception: str = ""  # the area or occupation that allows primary education
    late_reason: str = ""


def _steps(candidate: Candidate) -> dict[str, CandidateStep]:
    return {s.kind: s for s in CandidateStep.objects.filter(candidate=candidate)}


def _grassroots_path(cell: Org) -> str:
    """The path of the grassroots organization the cell belongs to (the cell itself for a grassroots cell)."""
    for path in reversed(paths.ancestor_paths(cell.path)):
        org = Org.objects.filter(path=path).only("kind").first()
        if org is not None and org.kind in GRASSROOTS_KINDS:
            return path
    return cell.path


# The one answer for a sponsor outside the actor's reach, and for a number that names no one:
# the two are never told apart (issue 18).
SPONSOR_NOT_FOUND = (
    "Không dùng được số này: người giới thiệu phải là đảng viên trong cùng tổ chức cơ sở đảng với chi bộ "
    "của người vào Đảng (hoặc trong phạm vi anh/chị được giao). Kiểm tra lại số thẻ đảng viên hoặc số định danh."
)


def sponsor_reach_q(actor, cell: Org) -> Q:
    """The members who may be named as sponsors for a candidate of ``cell`` by ``actor``: those
    the actor may read, and those of the cell's grassroots organization (the rule's own circle)."""
    return actor.members_q() | paths.subtree_q(_grassroots_path(cell), "org_path")


def _sponsor_facts(
    candidate: Candidate, step: StepInput, reader=None
) -> tuple[list[admission_rules.SponsorFacts], list[dict], list[Violation]]:
    facts, stored, violations = [], [], []
    grassroots = _grassroots_path(candidate.cell)
    members = (
        Member.objects.all()
        if reader is None
        else Member.objects.filter(sponsor_reach_q(reader, candidate.cell))
    )
    for member_id, known_since in step.sponsors:
        sponsor = members.filter(pk=member_id).first()
        if sponsor is None:
            violations.append(_input("sponsors", SPONSOR_NOT_FOUND))
            continue
        is_full = (
            sponsor.status == MemberStatus.FULL
            and sponsor.full_on is not None
            and sponsor.full_on <= step.done_on
        ) and sponsor.placements.filter(
            valid_from__lte=step.done_on, status=MemberStatus.FULL, counted=True
        ).exists()
        facts.append(
            admission_rules.SponsorFacts(
                name=sponsor.full_name,
                is_full_member=is_full,
                in_same_grassroots=sponsor.status in ACTIVE_STATUSES
                and paths.is_within(sponsor.org_path, grassroots),
                known_since=known_since,
            )
        )
        stored.append(
            {
                "member": str(sponsor.pk),
                "name": sponsor.full_name,
                "known_since": known_since.isoformat() if known_since else None,
            }
        )
    return facts, stored, violations


def _late(
    step_kind: str, due: date, ref: str, done_on: date, reason: str
) -> tuple[list[str], list[Violation]]:
    if done_on <= due:
        return [], []
    label = Step(step_kind).label.lower()
    message = f"{label} ngày {done_on:%d/%m/%Y} sau thời hạn {due:%d/%m/%Y} ({ref})"
    if not reason:
        return [message], [
            Violation(
                "deadline",
                f"Quá thời hạn: {message}. Ghi rõ lý do (văn bản gia hạn, đồng ý của cấp trên) để lưu hồ sơ.",
                ref,
                field="late_reason",
            )
        ]
    return [message], []


@transaction.atomic
def candidate_record_step(
    *, candidate: Candidate, kind: str, step: StepInput, actor=None, reader=None
) -> CandidateStep:
    """Record the next step of the procedure for ``candidate``; refuse a step out of order,
    a date before the previous step, and whatever the step's rules forbid. ``reader``: the
    acting ``Scope`` on the pages and the API, which limits the sponsors that may be named to
    ``sponsor_reach_q`` (None: set-up code, trusted)."""
    candidate = Candidate.objects.select_for_update().select_related("cell").get(pk=candidate.pk)
    expected = next_step(candidate)
    if expected is None:
        raise RuleViolation([_input("kind", "Hồ sơ này đã kết thúc; không ghi thêm bước nào.")])
    if kind != expected:
        label = Step(kind).label if kind in Step.values else kind
        raise RuleViolation(
            [
                _input(
                    "kind",
                    f"Chưa thể ghi «{label}»: bước tiếp theo theo quy trình là «{Step(expected).label}».",
                )
            ]
        )
    done = _steps(candidate)
    previous_on = candidate.stage_on or candidate.listed_on
    violations: list[Violation] = []
    on = step.done_on
    if on > clock.today():
        violations.append(_input("done_on", "Ngày thực hiện không thể sau hôm nay."))
    if on < previous_on and kind != Step.COURSE:
        violations.append(
            _input("done_on", f"Ngày thực hiện không thể trước bước trước ({previous_on:%d/%m/%Y}).")
        )
    reason = text.clean(step.late_reason)[:500]
    data: dict = {}
    late: list[str] = []
    rule_ref = ""
    number = text.clean(step.number)[:60]
    if kind == Step.COURSE:
        # The course may precede the listing; the certificate's date is what counts.
        if not number:
            violations.append(_input("number", "Ghi số giấy chứng nhận học lớp bồi dưỡng nhận thức về Đảng."))
        data["certificate_no"] = number
        rule_ref = admission_rules.AWARENESS_CERTIFICATE.at(on).ref
    elif kind == Step.SPONSORS:
        facts, stored, problems = _sponsor_facts(candidate, step, reader)
        violations += problems
        youth = text.clean(step.youth_union_resolution)[:120]
        violations += admission_rules.check_sponsors(sponsors=facts, youth_union_resolution=youth, on=on)
        data.update(sponsors=stored, youth_union_resolution=youth)
        rule_ref = admission_rules.SPONSORS.at(on).ref
    elif kind == Step.CELL_VOTE:
        vote = cell_vote(
            org=candidate.cell,
            on=on,
            approvals=step.approvals,
            rule=admission_rules.ADMISSION_VOTE_SHARE,
            absent_exempted=step.absent_exempted,
            hint="Chưa đủ số tán thành thì chi bộ chưa đề nghị kết nạp.",
        )
        violations += vote.violations
        violations += admission_rules.check_admission_age(
            birth_date=candidate.birth_date, vote_on=on, over_age_approval=step.over_age_approval
        )
        violations += admission_rules.check_education(
            education=candidate.general_education_id, on=on, exception=step.education_exception
        )
        if text.clean(step.education_exception):
            data["education_exception"] = text.clean(step.education_exception)[:200]
        course = done.get(Step.COURSE)
        if course is not None:
            violations += admission_rules.check_certificate(certificate_on=course.done_on, vote_on=on)
        data.update(vote.record(step.approvals))
        if text.clean(step.over_age_approval):
            data["over_age_approval"] = text.clean(step.over_age_approval)[:200]
        rule_ref = admission_rules.ADMISSION_VOTE_SHARE.at(on).ref
    elif kind in (Step.GRASSROOTS_RESOLUTION, Step.DECISION):
        if not number:
            violations.append(_input("number", "Ghi số văn bản (nghị quyết, quyết định)."))
        if kind == Step.DECISION:
            violations += _decision_vote(candidate, step, data)
            vote_step = done[Step.CELL_VOTE]
            due, extended, rule_ref = admission_rules.decision_due(vote_step.done_on)
            late, problems = _late(kind, due, rule_ref, on, reason)
            violations += problems
            if on > extended:
                late.append(f"quá cả thời hạn gia hạn {extended:%d/%m/%Y}")
    elif kind == Step.CEREMONY:
        decision = done[Step.DECISION]
        due, rule_ref = admission_rules.ceremony_due(decision.done_on)
        late, problems = _late(kind, due, rule_ref, on, reason)
        violations += problems
    if late:
        data.update(late=late)
    if text.clean(step.note):
        data["note"] = text.clean(step.note)[:500]
    refuse_if(violations)

    decision_ref = (
        DecisionRef(number=number, on=on, body=text.clean(step.body)[:200]) if number else DecisionRef()
    )
    if kind == Step.CEREMONY:
        decision = done[Step.DECISION]
        vote_step = done[Step.CELL_VOTE]
        member = member_admit(
            identity=_identity_of(candidate),
            cell=candidate.cell,
            decision=DecisionRef(
                number=decision.decision_no, on=decision.done_on, body=decision.decision_body
            ),
            ceremony_on=on,
            vote_on=vote_step.done_on,
            over_age_approval=(vote_step.data or {}).get("over_age_approval", ""),
            actor=actor,
        )
        candidate.member = member
        candidate.state = Candidate.State.ADMITTED
    record = CandidateStep.objects.create(
        candidate=candidate,
        kind=kind,
        done_on=on,
        data=data,
        late_reason=reason if late else "",
        rule_version=rule_ref,
        recorded_by=actor,
        **decision_ref.fields(),
    )
    candidate.stage, candidate.stage_on = kind, max(on, previous_on)
    candidate.save(update_fields=["stage", "stage_on", "state", "member"])
    audit_record(
        action=Action.UPDATED,
        subject_type="candidate",
        subject_id=str(candidate.pk),
        data={"step": kind, "done_on": on.isoformat(), "late": bool(late)},
    )
    return record


DECIDED_BY = {
    "grassroots": "Đảng ủy cơ sở (được ủy quyền quyết định kết nạp)",
    "superior": "Ban Thường vụ cấp ủy cấp trên trực tiếp",
}


def _decision_vote(candidate: Candidate, step: StepInput, data: dict) -> list[Violation]:
    """Who decided the admission; a grassroots committee decides by at least two thirds of
    its own members that day (RULES.md §2.2 step 10), which is counted and recorded here."""
    if step.decided_by not in DECIDED_BY:
        return [
            _input(
                "decided_by",
                "Chọn cấp quyết định kết nạp: đảng ủy cơ sở được ủy quyền, hoặc Ban Thường vụ cấp ủy cấp trên.",
            )
        ]
    data.update(decided_by=step.decided_by)
    if step.decided_by != "grassroots":
        return []
    grassroots = Org.objects.get(path=_grassroots_path(candidate.cell))
    if grassroots.kind != OrgKind.GRASSROOTS_COMMITTEE:
        rule = vote_rules.GRASSROOTS_ADMISSION_DECISION_SHARE
        return [
            Violation(
                rule.code,
                f"{grassroots.name} không phải đảng ủy cơ sở: Ban Thường vụ cấp ủy cấp trên trực tiếp quyết định kết nạp.",
                rule.at(step.done_on).ref,
                field="decided_by",
            )
        ]
    vote = committee_vote(org=grassroots, on=step.done_on, approvals=step.committee_approvals)
    data.update(vote.record(step.committee_approvals, prefix="committee_"), grassroots=grassroots.code)
    return vote.violations


def _identity_of(candidate: Candidate) -> Identity:
    return Identity(
        family_name=candidate.family_name,
        middle_name=candidate.middle_name,
        given_name=candidate.given_name,
        gender=candidate.gender,
        birth_date=candidate.birth_date,
        ethnicity=candidate.ethnicity_id,
        religion=candidate.religion_id,
        national_id=candidate.national_id or "",
        birthplace=candidate.birthplace,
        hometown=candidate.hometown,
        residence=candidate.residence,
        residence_locality=candidate.residence_locality,
        general_education=candidate.general_education_id or "",
        professional_level=candidate.professional_level_id or "",
        theory_level=candidate.theory_level_id or "",
        occupation=candidate.occupation,
        workplace=candidate.workplace,
    )


@transaction.atomic
def candidate_withdraw(*, candidate: Candidate, on: date, reason: str, actor=None) -> Candidate:
    """Take a candidate off the register (no longer considered)."""
    candidate = Candidate.objects.select_for_update().get(pk=candidate.pk)
    violations = []
    if candidate.state != Candidate.State.ACTIVE:
        violations.append(_input("reason", "Hồ sơ này đã kết thúc."))
    if not text.clean(reason):
        violations.append(_input("reason", "Ghi lý do thôi xem xét."))
    if on > clock.today() or on < candidate.listed_on:
        violations.append(_input("on", "Ngày không hợp lệ."))
    refuse_if(violations)
    candidate.state = Candidate.State.WITHDRAWN
    candidate.note = text.clean(f"{candidate.note} — Thôi xem xét ngày {on:%d/%m/%Y}: {reason}")[:500]
    candidate.save(update_fields=["state", "note"])
    audit_record(
        action=Action.UPDATED,
        subject_type="candidate",
        subject_id=str(candidate.pk),
        data={"withdrawn_on": on.isoformat()},
    )
    return candidate


def candidates_rehome(*, source: Org, into: Org) -> int:
    """The active candidates of ``source`` pass to ``into`` with their steps, when a
    restructuring hands all of ``source``'s hamlets to ``into`` (``restructuring.operations``,
    inside its transaction). Returns how many passed."""
    return Candidate.objects.filter(cell=source, state=Candidate.State.ACTIVE).update(
        cell=into, cell_path=into.path
    )
