"""Official transfers between organizations of this installation (RULES.md §2.5, QĐ 294 §6.3).

A transfer is a case before it is an event: the sending side issues the letter
(``transfer_issue``), the receiving side confirms the member's arrival
(``transfer_confirm_arrival``), which appends the ``transferred`` ledger event. Each case
records its trigger (căn cứ: a decision on a new post, retirement, discharge from the armed
forces, or a change of residence); the letter is due within 60 working days of it, the
arrival within 30 working days of the letter. A step past its limit is recorded only with a
reason from ``rules.transfers.LATE_REASONS`` and a note, and the case stays flagged (to-do
list, compliance check) until an officer records how it was handled (``transfer_close_late``).

``member_transfer`` is the transfer itself, the ledger event (which the confirmation calls);
registers entered after the fact (the demo's history, tests) call it directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction

from dangbo.audit.services import Action, audit_record
from dangbo.core import clock, paths, text
from dangbo.core.decisions import DecisionRef
from dangbo.members.models import Member, MemberEvent, MemberStatus, Position, TransferCase
from dangbo.members.services import INPUT, append_event, check_holder_org
from dangbo.orgs.models import Org
from dangbo.rules import orgs as org_rules
from dangbo.rules import transfers as transfer_rules
from dangbo.rules.base import Violation, refuse_if

Kind = MemberEvent.Kind


def _positions_outside(member: Member, destination: Org) -> list[Position]:
    """Open positions in organizations that do not contain ``destination``."""
    held = Position.objects.filter(member=member, ended_on__isnull=True).select_related("org")
    return [p for p in held if not paths.is_within(destination.path, p.org.path)]


@transaction.atomic
def member_transfer(
    *, member: Member, to_org: Org, effective_on: date, decision: DecisionRef = DecisionRef(), actor=None
) -> MemberEvent:
    """Official transfer between two cells of this installation.

    Positions held in organizations the member leaves end the same day, each by its
    own ledger event carrying the transfer's decision.
    """
    member = Member.objects.get(pk=member.pk)
    violations = check_holder_org(to_org, effective_on)
    if to_org.pk == member.org_id:
        violations.append(
            Violation("input", "Tổ chức chuyển đến trùng với nơi đang sinh hoạt.", INPUT, field="to_org")
        )
    refuse_if(violations)
    for position in _positions_outside(member, to_org):
        append_event(
            member,
            MemberEvent(
                kind=Kind.POSITION_ENDED,
                effective_on=effective_on,
                position_org=position.org,
                role=position.role,
                recorded_by=actor,
                data={"reason": "transfer"},
                **decision.fields(),
            ),
        )
    event = MemberEvent(
        kind=Kind.TRANSFERRED,
        effective_on=effective_on,
        from_org_id=member.org_id,
        to_org=to_org,
        recorded_by=actor,
        **decision.fields(),
    )
    return append_event(member, event)


@dataclass(frozen=True)
class Trigger:
    """What starts an official transfer: its kind, the decision number (if any) and its date."""

    kind: str = ""
    number: str = ""
    on: date | None = None


def _input(field: str, message: str) -> Violation:
    return Violation("input", message, INPUT, field=field)


def transfer_below_minimum(*, member: Member, on: date | None = None) -> Violation | None:
    """The warning when transferring ``member`` leaves their cell below the Charter's minimum of
    full members (art. 21; ``rules.orgs.MIN_FULL_MEMBERS``), counting the full members already
    on their way out; ``None`` otherwise. Allowed, but only once the sender has confirmed it."""
    on = on or clock.today()
    if member.status != MemberStatus.FULL:
        return None
    minimum = org_rules.MIN_FULL_MEMBERS.at(on)
    leaving = TransferCase.objects.filter(
        from_org_id=member.org_id, state=TransferCase.State.OPEN, member__status=MemberStatus.FULL
    ).exclude(member=member)
    remaining = (
        Member.objects.filter(org_id=member.org_id, status=MemberStatus.FULL).count() - 1 - leaving.count()
    )
    if remaining >= minimum.value:
        return None
    return Violation(
        org_rules.MIN_FULL_MEMBERS.code,
        f"Sau khi chuyển, {member.org.name} chỉ còn {max(remaining, 0)} đảng viên chính thức, dưới mức tối thiểu {minimum.value}; "
        "cấp ủy cấp trên cần bổ sung đảng viên hoặc hợp nhất chi bộ. Đánh dấu xác nhận nếu vẫn chuyển.",
        minimum.citation,
        field="accept_below_minimum",
        details={"remaining": max(remaining, 0), "minimum": minimum.value},
    )


@transaction.atomic
def transfer_issue(
    *,
    member: Member,
    to_org: Org,
    issued_on: date,
    decision: DecisionRef,
    trigger: Trigger,
    late_reason: str = "",
    late_note: str = "",
    accept_below_minimum: bool = False,
    actor=None,
) -> TransferCase:
    """The sending side issues the transfer letter: a case both sides see until the receiver
    confirms arrival. The member stays where they are (and counted there) until then.

    Refused without a trigger; refused when the letter comes more than 60 working days after
    the trigger unless a reason and a note are given; refused when it leaves the cell below
    three full members unless ``accept_below_minimum`` (``leaves_below_minimum`` is then set on
    the case, and the cell is listed among the things to do)."""
    member = Member.objects.select_for_update().select_related("org").get(pk=member.pk)
    violations = []
    if member.status not in (MemberStatus.PROBATIONARY, MemberStatus.FULL):
        violations.append(_input("to_org", "Chỉ chuyển sinh hoạt cho đảng viên đang sinh hoạt."))
    violations += check_holder_org(to_org, issued_on)
    if to_org.pk == member.org_id:
        violations.append(_input("to_org", "Tổ chức chuyển đến trùng với nơi đang sinh hoạt."))
    if issued_on > clock.today():
        violations.append(_input("issued_on", "Ngày giới thiệu không thể sau hôm nay."))
    if decision.on is not None and decision.on > issued_on:
        violations.append(_input("issued_on", "Ngày giới thiệu không thể trước ngày quyết định."))
    if TransferCase.objects.filter(member=member, state=TransferCase.State.OPEN).exists():
        violations.append(_input("to_org", "Đảng viên đang có một hồ sơ chuyển sinh hoạt chưa hoàn tất."))
    violations += transfer_rules.check_trigger(
        kind=trigger.kind, number=trigger.number, on=trigger.on, issued_on=issued_on
    )
    reason, note = late_reason.strip(), text.clean(late_note)[:500]
    late = False
    if trigger.on is not None and trigger.on <= issued_on:
        late, late_violations = transfer_rules.check_letter_late(
            trigger_on=trigger.on, issued_on=issued_on, reason=reason, note=note
        )
        violations += late_violations
    warning = transfer_below_minimum(member=member, on=issued_on)
    if warning is not None and not accept_below_minimum:
        violations.append(warning)
    refuse_if(violations)
    assert trigger.on is not None  # check_trigger refused a missing date
    case = TransferCase.objects.create(
        member=member,
        from_org_id=member.org_id,
        to_org=to_org,
        issued_on=issued_on,
        recorded_by=actor,
        trigger_kind=trigger.kind,
        trigger_no=text.clean(trigger.number)[:60],
        trigger_on=trigger.on,
        letter_late=late,
        letter_late_reason=reason if late else "",
        letter_late_note=note if late else "",
        leaves_below_minimum=warning is not None,
        rule_version=transfer_rules.TRANSFER_COMPLETE_WORKING_DAYS.at(trigger.on).ref,
        **decision.fields(),
    )
    data: dict[str, object] = {
        "transfer_case": str(case.pk),
        "from": member.org.code,
        "to": to_org.code,
        "issued_on": issued_on.isoformat(),
        "trigger": trigger.kind,
        "trigger_on": trigger.on.isoformat(),
    }
    if late:
        data.update(letter_late=True, late_reason=reason)
    if warning is not None:
        data.update(below_minimum=str(warning))
    audit_record(action=Action.CREATED, subject_type="member", subject_id=str(member.pk), data=data)
    return case


@transaction.atomic
def transfer_confirm_arrival(
    *, case: TransferCase, arrived_on: date, late_reason: str = "", late_note: str = "", actor=None
) -> MemberEvent:
    """The receiving side confirms the member has presented the letter: the ledger records
    the transfer on ``arrived_on`` with the case's decision, and the case closes. Past the
    30 working days to present the letter, a reason and a note are required and kept, and a
    closed record of earlier lateness is reopened: the new lateness must be handled too."""
    case = TransferCase.objects.select_for_update().select_related("member", "to_org").get(pk=case.pk)
    violations = []
    if case.state != TransferCase.State.OPEN:
        violations.append(_input("arrived_on", "Hồ sơ chuyển sinh hoạt này đã hoàn tất."))
    if arrived_on < case.issued_on:
        violations.append(
            _input("arrived_on", f"Ngày đến không thể trước ngày giới thiệu ({case.issued_on:%d/%m/%Y}).")
        )
    if arrived_on > clock.today():
        violations.append(_input("arrived_on", "Ngày đến không thể sau hôm nay."))
    reason, note = late_reason.strip(), text.clean(late_note)[:500]
    late, late_violations = transfer_rules.check_arrival_late(
        issued_on=case.issued_on, arrived_on=arrived_on, reason=reason, note=note
    )
    refuse_if(violations + late_violations)
    event = member_transfer(
        member=case.member,
        to_org=case.to_org,
        effective_on=arrived_on,
        actor=actor,
        decision=DecisionRef(number=case.decision_no, on=case.decision_on, body=case.decision_body),
    )
    case.state, case.arrived_on = TransferCase.State.COMPLETED, arrived_on
    fields = ["state", "arrived_on"]
    if late:
        case.arrival_late, case.arrival_late_reason, case.arrival_late_note = True, reason, note
        fields += ["arrival_late", "arrival_late_reason", "arrival_late_note"]
        if case.late_closed_on is not None:
            audit_record(
                action=Action.UPDATED,
                subject_type="transfer_case",
                subject_id=str(case.pk),
                data={
                    "late_reopened": True,
                    "closed_on": case.late_closed_on.isoformat(),
                    "closed_note": case.late_closed_note,
                },
            )
            case.late_closed_on, case.late_closed_note, case.late_closed_by = None, "", None
            fields += ["late_closed_on", "late_closed_note", "late_closed_by"]
    case.save(update_fields=fields)
    return event


@transaction.atomic
def transfer_close_late(*, case: TransferCase, closed_on: date, note: str, actor=None) -> TransferCase:
    """An officer records how a late transfer was reported and handled (RULES.md §2.5: "late
    cases must be reported and handled"); the case then leaves the to-do list and the
    compliance check. Only a case recorded late (letter or arrival) can be closed."""
    case = TransferCase.objects.select_for_update().get(pk=case.pk)
    note = text.clean(note)[:500]
    violations = []
    if not (case.letter_late or case.arrival_late):
        violations.append(_input("closed_on", "Hồ sơ chuyển sinh hoạt này không ghi nhận chậm hạn."))
    elif case.late_closed_on is not None:
        violations.append(
            _input(
                "closed_on", f"Việc chậm hạn của hồ sơ này đã được xử lý ngày {case.late_closed_on:%d/%m/%Y}."
            )
        )
    if closed_on > clock.today():
        violations.append(_input("closed_on", "Ngày xử lý không thể sau hôm nay."))
    if closed_on < case.issued_on:
        violations.append(
            _input("closed_on", f"Ngày xử lý không thể trước ngày giới thiệu ({case.issued_on:%d/%m/%Y}).")
        )
    if not note:
        violations.append(_input("note", "Ghi rõ kết quả xử lý (đã báo cáo, đã nhắc nhở, đã kiểm điểm...)."))
    refuse_if(violations)
    case.late_closed_on, case.late_closed_note, case.late_closed_by = closed_on, note, actor
    case.save(update_fields=["late_closed_on", "late_closed_note", "late_closed_by"])
    audit_record(
        action=Action.UPDATED,
        subject_type="transfer_case",
        subject_id=str(case.pk),
        data={"late_closed_on": closed_on.isoformat(), "note": note, "member": str(case.member_id)},
    )
    return case
