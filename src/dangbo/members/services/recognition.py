"""Recognition as a full member at the end of probation (RULES.md §2.3, Charter art. 5)."""

from __future__ import annotations

from datetime import date
from typing import cast

from django.db import transaction

from dangbo.core import text
from dangbo.core.decisions import DecisionRef
from dangbo.members.models import Member, MemberEvent, MemberStatus
from dangbo.members.services import INPUT, append_event
from dangbo.members.services.votes import cell_vote
from dangbo.reference.workdays import add_working_days
from dangbo.rules import probation as probation_rules
from dangbo.rules import votes as vote_rules
from dangbo.rules.base import RuleViolation, Violation, refuse_if
from dangbo.rules.probation import probation_end

Kind = MemberEvent.Kind


@transaction.atomic
def member_recognize(
    *,
    member: Member,
    decision: DecisionRef,
    full_on: date | None = None,
    vote_on: date | None = None,
    approvals: int | None = None,
    absent_exempted: tuple = (),
    late_reason: str = "",
    actor=None,
) -> MemberEvent:
    """Recognition as a full member, effective at the end of the 12 months of probation
    counted from the ceremony, whatever the delays (RULES.md §2.3, Charter art. 5).

    With the cell's vote (``vote_on``, ``approvals``), the vote is checked: on or after the
    end of probation, at least two thirds of the cell's full members on that day, within 30
    working days; the decision within 30 working days of the vote. A step past its time
    limit is recorded only with ``late_reason``, and is marked late in the ledger.
    """
    member = Member.objects.get(pk=member.pk)
    if member.status != MemberStatus.PROBATIONARY:
        raise RuleViolation([Violation("ledger", "Chỉ công nhận chính thức cho đảng viên dự bị.", INPUT)])
    ceremony_on = cast(date, member.ceremony_on)  # set on every probationary member by the ledger
    due = probation_end(ceremony_on)
    violations: list[Violation] = []
    if (full_on or due.on) != due.on:
        violations.append(
            Violation(
                "probation.length",
                f"Ngày chính thức phải là ngày hết 12 tháng dự bị ({due.on:%d/%m/%Y}).",
                due.rule_ref,
                field="full_on",
            )
        )
    data: dict = {}
    late: list[str] = []
    if decision.on is None:
        violations.append(
            Violation(
                "input",
                "Chưa nhập ngày quyết định công nhận đảng viên chính thức.",
                INPUT,
                field="decision_on",
            )
        )
    if vote_on is not None:
        _, review_due, review_ref = probation_rules.recognition_review_due(ceremony_on)
        if vote_on < due.on:
            violations.append(
                Violation(
                    probation_rules.PROBATION_MONTHS.code,
                    f"Chi bộ chỉ xét công nhận chính thức sau khi hết 12 tháng dự bị ({due.on:%d/%m/%Y}).",
                    due.rule_ref,
                    field="vote_on",
                )
            )
        elif vote_on > review_due:
            late.append(f"chi bộ xét sau thời hạn {review_due:%d/%m/%Y} ({review_ref})")
        vote = cell_vote(
            org=member.org,
            on=vote_on,
            approvals=approvals,
            rule=vote_rules.RECOGNITION_VOTE_SHARE,
            absent_exempted=absent_exempted,
        )
        violations += vote.violations
        data.update(vote_on=vote_on.isoformat(), **vote.record(approvals))
        if decision.on is not None:
            if decision.on < vote_on:
                violations.append(
                    Violation(
                        "input",
                        "Ngày quyết định không thể trước ngày chi bộ biểu quyết.",
                        INPUT,
                        field="decision_on",
                    )
                )
            else:
                decision_rule = probation_rules.RECOGNITION_DECISION_WORKING_DAYS.at(vote_on)
                decision_due = add_working_days(vote_on, decision_rule.value)
                if decision.on > decision_due:
                    late.append(f"quyết định sau thời hạn {decision_due:%d/%m/%Y} ({decision_rule.ref})")
    if late:
        reason = text.clean(late_reason)
        if not reason:
            violations.append(
                Violation(
                    "deadline",
                    "Quá thời hạn: " + "; ".join(late) + ". Ghi rõ lý do chậm để lưu hồ sơ.",
                    due.rule_ref,
                    field="late_reason",
                )
            )
        data.update(late=late, late_reason=reason[:500])
    refuse_if(violations)
    event = MemberEvent(
        kind=Kind.RECOGNIZED,
        effective_on=due.on,
        recorded_by=actor,
        rule_version=due.rule_ref,
        data=data,
        **decision.fields(),
    )
    return append_event(member, event)
