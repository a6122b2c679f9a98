"""Services that change members. Each checks the rules in force on its effective date,
refuses with every violation found (writing nothing), and appends to the ledger: validate →
``append_event`` → return the event. One module per topic:

- ``records``: the identity fields, admission (the record is created), corrections, death;
- ``recognition``: recognition as a full member at the end of probation;
- ``positions``, ``badges``: positions held, Party badges;
- ``transfers``: transfers between organizations of this installation (direct, and as a case);
- ``standing``: exemption, suspension, temporary transfers, transfers to and from outside,
  striking off, resignation, readmission, restoration;
- ``votes``: counting a cell's or a committee's vote.

This module keeps what they all share. The candidate register and discipline have apps of
their own (``candidates``, ``discipline``), which call these services.
"""

from __future__ import annotations

from datetime import date

from dangbo.audit.services import Action, audit_record
from dangbo.core.violations import INPUT_CITATION
from dangbo.members import ledger
from dangbo.members.models import Member, MemberEvent
from dangbo.orgs.models import Org
from dangbo.rules import orgs as org_rules
from dangbo.rules.base import RuleViolation, Violation

INPUT = INPUT_CITATION  # the citation of an input problem ("Yêu cầu nhập liệu")


def check_holder_org(org: Org, on: date) -> list[Violation]:
    """Whether ``org`` may hold members on ``on``: its kind (a cell) and not dissolved."""
    violations = org_rules.check_member_holder(kind=org.kind, on=on)
    if org.dissolved_on is not None and org.dissolved_on <= on:
        violations.append(Violation("input", f"«{org.name}» đã giải thể.", INPUT, field="org"))
    return violations


def append_event(member: Member, event: MemberEvent) -> MemberEvent:
    """Append ``event`` to the member's ledger (``ledger.append``, which writes the projection)
    and audit it; a ledger refusal becomes a ``RuleViolation``."""
    try:
        event = ledger.append(member, event)
    except ledger.LedgerError as error:
        raise RuleViolation([Violation("ledger", str(error), "Quá trình sinh hoạt đảng")]) from error
    audit_record(
        action=Action.LEDGER_EVENT,
        subject_type="member",
        subject_id=str(member.pk),
        data={
            "kind": event.kind,
            "effective_on": event.effective_on.isoformat(),
            "decision": event.decision_no,
            "seq": event.seq,
        },
    )
    return event
