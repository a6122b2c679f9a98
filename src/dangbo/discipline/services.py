"""Discipline of members (RULES.md §5): a case is opened on an act, may be deferred (pregnancy,
nursing, hospital), and is decided by a vote of the competent body, or dropped.

The decision is checked once against ``rules.discipline.check_discipline`` (form allowed by
status, vote threshold, authority, limitation period, deferral) and written to the ledger:
``disciplined`` with the badge deferral for reprimand, warning and dismissal (dismissal also
ends the member's positions), ``expelled`` for expulsion, which ends membership.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction

from dangbo.audit.services import Action, audit_record
from dangbo.core import clock, text
from dangbo.core.decisions import DecisionRef
from dangbo.core.lengths import length_violations
from dangbo.discipline.models import DisciplineCase
from dangbo.members.models import ACTIVE_STATUSES, Member, MemberEvent, Position
from dangbo.members.services import INPUT, append_event
from dangbo.members.services.votes import CountedVote, cell_roll_count
from dangbo.rules import discipline as rules
from dangbo.rules.base import Violation, refuse_if

Kind = MemberEvent.Kind
Form = rules.Form


# The reason is added to the case's summary (500 characters), which keeps its beginning.
REASON_MAX_LENGTH = 300


def _input(name: str, message: str) -> Violation:
    return Violation("input", message, INPUT, field=name)


@transaction.atomic
def discipline_open(
    *, member: Member, act_on: date, summary: str, opened_on: date, exempt_matter: bool = False, actor=None
) -> DisciplineCase:
    """Open a disciplinary case on an act committed on ``act_on``."""
    member = Member.objects.select_for_update().get(pk=member.pk)
    violations = []
    summary = text.clean(summary)
    violations += length_violations(DisciplineCase, {"summary": summary})
    if member.status not in ACTIVE_STATUSES:
        violations.append(_input("summary", "Chỉ xem xét kỷ luật đảng viên đang sinh hoạt."))
    if not summary:
        violations.append(_input("summary", "Ghi nội dung vi phạm."))
    if opened_on > clock.today():
        violations.append(_input("opened_on", "Ngày bắt đầu xem xét không thể sau hôm nay."))
    if act_on > opened_on:
        violations.append(_input("act_on", "Ngày vi phạm không thể sau ngày bắt đầu xem xét."))
    if DisciplineCase.objects.filter(member=member, state=DisciplineCase.State.OPEN).exists():
        violations.append(_input("summary", "Đảng viên đang có một hồ sơ kỷ luật chưa kết thúc."))
    refuse_if(violations)
    case = DisciplineCase.objects.create(
        member=member,
        act_on=act_on,
        summary=summary,
        opened_on=opened_on,
        exempt_matter=exempt_matter,
        recorded_by=actor,
    )
    audit_record(
        action=Action.CREATED,
        subject_type="member",
        subject_id=str(member.pk),
        data={"discipline_case": str(case.pk)},
    )
    return case


@transaction.atomic
def discipline_defer(*, case: DisciplineCase, ground: str, actor=None) -> DisciplineCase:
    """Record that the case waits (QĐ 296 art. 8): pregnant, nursing a child under 12 months,
    or seriously ill in hospital. An empty ground resumes it."""
    case = DisciplineCase.objects.select_for_update().get(pk=case.pk)
    violations = []
    if case.state != DisciplineCase.State.OPEN:
        violations.append(_input("deferral", "Hồ sơ kỷ luật này đã kết thúc."))
    if ground and ground not in rules.DeferralGround.LABELS:
        violations.append(_input("deferral", "Lý do chưa xem xét không có trong danh mục."))
    refuse_if(violations)
    case.deferral = ground
    case.save(update_fields=["deferral"])
    audit_record(
        action=Action.UPDATED,
        subject_type="member",
        subject_id=str(case.member_id),
        data={"discipline_deferral": ground},
    )
    return case


@transaction.atomic
def discipline_drop(*, case: DisciplineCase, on: date, reason: str, actor=None) -> DisciplineCase:
    case = DisciplineCase.objects.select_for_update().get(pk=case.pk)
    violations = []
    if case.state != DisciplineCase.State.OPEN:
        violations.append(_input("reason", "Hồ sơ kỷ luật này đã kết thúc."))
    if not text.clean(reason):
        violations.append(_input("reason", "Ghi lý do không kỷ luật."))
    elif len(text.clean(reason)) > REASON_MAX_LENGTH:
        violations.append(_input("reason", f"Lý do dài quá {REASON_MAX_LENGTH} ký tự."))
    refuse_if(violations)
    case.state, case.decided_on = DisciplineCase.State.DROPPED, on
    case.summary = text.clean(f"{case.summary} — Không kỷ luật: {reason}")[:500]
    case.save(update_fields=["state", "decided_on", "summary"])
    audit_record(
        action=Action.UPDATED,
        subject_type="member",
        subject_id=str(case.member_id),
        data={"discipline_dropped": on.isoformat()},
    )
    return case


def _denominator(
    member: Member, authority: str, vote_on: date, entered: int | None, absent_exempted
) -> CountedVote | None:
    """The cell's is computed from the ledger (RULES.md §3); a committee's is entered."""
    if authority == rules.Authority.CELL:
        return cell_roll_count(org=member.org, on=vote_on, absent_exempted=absent_exempted)
    return None if entered is None else CountedVote(denominator=entered)


@transaction.atomic
def discipline_decide(
    *,
    case: DisciplineCase,
    form: str,
    authority: str,
    vote_on: date,
    approvals: int,
    decision: DecisionRef,
    denominator: int | None = None,
    proposal_vote_on: date | None = None,
    proposal_approvals: int | None = None,
    absent_exempted: tuple = (),
    proposal_absent_exempted: tuple = (),
    actor=None,
) -> MemberEvent:
    """Decide the case with ``form``, by ``authority``'s vote. For a cell the vote's denominator
    is computed; for a committee it is the number of its members, entered. Expulsion also needs
    the cell's proposal (two thirds of its full members)."""
    case = DisciplineCase.objects.select_for_update().select_related("member").get(pk=case.pk)
    member = Member.objects.select_for_update().get(pk=case.member_id)
    violations: list[Violation] = []
    if case.state != DisciplineCase.State.OPEN:
        refuse_if([_input("form", "Hồ sơ kỷ luật này đã kết thúc.")])
    if member.status not in ACTIVE_STATUSES:
        refuse_if([_input("form", "Đảng viên không còn sinh hoạt đảng.")])
    decided_on = decision.on or vote_on
    if decided_on > clock.today() or vote_on > clock.today():
        violations.append(_input("vote_on", "Ngày biểu quyết, ngày quyết định không thể sau hôm nay."))
    if vote_on < case.opened_on:
        violations.append(
            _input(
                "vote_on",
                f"Ngày biểu quyết không thể trước ngày bắt đầu xem xét ({case.opened_on:%d/%m/%Y}).",
            )
        )
    if authority != rules.Authority.CELL and not decision.number.strip():
        violations.append(_input("decision_no", "Ghi số quyết định kỷ luật của cấp ủy."))
    counted = _denominator(member, authority, vote_on, denominator, absent_exempted)
    if counted is None:
        violations.append(_input("denominator", "Ghi tổng số ủy viên của cấp ủy biểu quyết."))
        counted = CountedVote(denominator=0)
    violations += counted.violations
    count = counted.denominator
    holds_position = Position.objects.filter(member=member, ended_on__isnull=True).exists()
    violations += rules.check_discipline(
        form=form,
        status=member.status,
        holds_position=holds_position,
        authority=authority,
        act_on=case.act_on,
        vote_on=vote_on,
        approvals=approvals,
        denominator=count,
        decided_on=decided_on,
        exempt_matter=case.exempt_matter,
        deferral_ground=case.deferral or None,
    )
    data: dict = {
        "form": form,
        "form_label": rules.Form.label(form) if form in rules.Form.ORDER else form,
        "authority": authority,
        "vote_on": vote_on.isoformat(),
        "approvals": approvals,
        "denominator": count,
        "case": str(case.pk),
    }
    if counted.absent_exempted:
        data["absent_exempted"] = list(counted.absent_exempted)
    if form == Form.EXPULSION:
        if proposal_vote_on is None or proposal_approvals is None:
            violations.append(
                _input(
                    "proposal_approvals",
                    "Khai trừ phải có biểu quyết đề nghị của chi bộ (ngày, số tán thành).",
                )
            )
        else:
            proposal = cell_roll_count(
                org=member.org, on=proposal_vote_on, absent_exempted=proposal_absent_exempted
            )
            violations += proposal.violations
            violations += rules.check_discipline_vote(
                form, proposal_vote_on, proposal_approvals, proposal.denominator, rules.Stage.PROPOSE
            )
            data.update(
                proposal_vote_on=proposal_vote_on.isoformat(),
                **proposal.record(proposal_approvals, prefix="proposal_"),
            )
    refuse_if(violations)
    effective_on = rules.decision_effective_on(authority, vote_on, decided_on)
    decision_fields = (
        decision if decision.on else DecisionRef(number=decision.number, on=vote_on, body=decision.body)
    ).fields()
    if form == Form.DISMISSAL:
        for position in Position.objects.filter(member=member, ended_on__isnull=True).select_related("org"):
            append_event(
                member,
                MemberEvent(
                    kind=Kind.POSITION_ENDED,
                    effective_on=effective_on,
                    position_org=position.org,
                    role=position.role,
                    recorded_by=actor,
                    data={"reason": "dismissal"},
                    **decision_fields,
                ),
            )
    if form == Form.EXPULSION:
        event = MemberEvent(
            kind=Kind.EXPELLED,
            effective_on=effective_on,
            recorded_by=actor,
            rule_version=rules.DISCIPLINE_VOTE.at(vote_on).ref,
            data=data,
            **decision_fields,
        )
    else:
        data["badge_deferred_until"] = rules.badge_deferred_until(form, effective_on).isoformat()
        event = MemberEvent(
            kind=Kind.DISCIPLINED,
            effective_on=effective_on,
            recorded_by=actor,
            rule_version=rules.DISCIPLINE_VOTE.at(vote_on).ref,
            data=data,
            **decision_fields,
        )
    event = append_event(member, event)
    case.state, case.form, case.authority = DisciplineCase.State.DECIDED, form, authority
    case.decided_on, case.effective_on, case.approvals, case.denominator = (
        decided_on,
        effective_on,
        approvals,
        count,
    )
    case.rule_version = event.rule_version
    case.decision_no, case.decision_on, case.decision_body = (
        decision_fields["decision_no"],
        decision_fields["decision_on"],
        decision_fields["decision_body"],
    )
    case.save()
    return event
