"""Writing a staged import to the register, all at once.

Everything happens in one transaction, with the batch marked imported inside it: killed at any
moment, the register is exactly as before and the batch still waits for confirmation, so the
import can be started again. New members are written in bulk with their ledgers
(``members.ledger.bulk_write``: COPY on PostgreSQL), their events saying which import they came
from; members matched by a number are updated through the services an officer uses by hand
(identity corrected, recognition, transfer), each change a ledger event that names the import.
Organizations and hamlets go through their services in file order. A row that no longer holds
(the register changed since the file was checked) refuses the whole import, naming the row.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone

from dangbo.audit.services import Action as AuditAction
from dangbo.audit.services import audit_record
from dangbo.core import projections, text
from dangbo.core.bulk import new_instances, refresh_statistics_after
from dangbo.core.decisions import DecisionRef
from dangbo.core.violations import RuleViolation, input_violation
from dangbo.imports.context import ImportContext
from dangbo.imports.member_rows import CODE_FIELDS, TEXT_FIELDS
from dangbo.imports.models import Action, BatchState, ImportBatch, ImportKind, Outcome, StagedRow
from dangbo.imports.org_rows import apply_hamlets, apply_orgs
from dangbo.imports.rows import Parsed
from dangbo.members import hooks, ledger
from dangbo.members.models import Member, MemberEvent, Placement
from dangbo.members.services import append_event
from dangbo.members.services.recognition import member_recognize
from dangbo.members.services.records import Identity, member_update_identity
from dangbo.members.services.transfers import member_transfer
from dangbo.orgs.models import Locality, Org
from dangbo.rules import admission as admission_rules

CHUNK = 2000
Progress = Callable[[int, int | None], None]
CHANGED_SINCE = "Hồ sơ đã thay đổi từ lúc kiểm tra tệp (dòng {row}); hãy kiểm tra lại tệp rồi xác nhận nhập."


def commit(batch: ImportBatch, *, user, today: date, progress: Progress | None = None) -> dict:
    """Write the batch's accepted rows; return the counts written. Refuses (``RuleViolation``)
    a batch not waiting for confirmation, or a row that no longer holds."""
    progress = progress or (lambda done, total: None)
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().select_related("org").get(pk=batch.pk)
        if batch.state != BatchState.STAGED or batch.reading.get("missing"):
            raise RuleViolation([input_violation(None, "Lần nhập này không ở trạng thái chờ xác nhận.")])
        accepted = StagedRow.objects.filter(batch=batch, outcome=Outcome.ACCEPTED)
        total = accepted.count()
        source = {**batch.source(), "user": getattr(user, "username", "") or "dòng lệnh"}
        if batch.kind == ImportKind.MEMBERS:
            written = _members(
                batch, accepted, user=user, today=today, source=source, progress=progress, total=total
            )
        else:
            written = _orgs_or_hamlets(batch, accepted, user=user, today=today)
            progress(total, total)
        batch.state, batch.committed_at, batch.committed_by = BatchState.COMMITTED, timezone.now(), user
        batch.save(update_fields=["state", "committed_at", "committed_by"])
        audit_record(
            action=AuditAction.IMPORTED,
            subject_type="import",
            subject_id=str(batch.pk),
            data={"kind": batch.kind, "file": batch.file_name, "sha256": batch.sha256, **written},
        )
    if batch.kind == ImportKind.MEMBERS:
        # after the commit (VACUUM cannot run in a transaction): a register that grew by
        # thousands of rows is planned on real row counts, not the ones before the import
        refresh_statistics_after([Member, MemberEvent, Placement], rows=written.get("created", 0))
    return written


def _parsed(staged: StagedRow) -> Parsed:
    return Parsed(
        staged.row_number,
        values=staged.values,
        outcome=staged.outcome,
        action=staged.action,
        target=staged.target,
        changes=staged.changes,
    )


def _orgs_or_hamlets(batch: ImportBatch, accepted, *, user, today: date) -> dict:
    ctx = ImportContext.load(batch.org, today=today, hamlets=batch.kind == ImportKind.HAMLETS)
    rows = [_parsed(staged) for staged in accepted.order_by("row_number")]
    apply = apply_orgs if batch.kind == ImportKind.ORGS else apply_hamlets
    apply(rows, ctx, actor=user, on=today, dry=False)
    return {
        "created": sum(1 for row in rows if row.action == Action.CREATE),
        "updated": sum(1 for row in rows if row.action == Action.UPDATE),
    }


def _members(batch, accepted, *, user, today: date, source: dict, progress: Progress, total: int) -> dict:
    done = created = updated = 0
    creates = accepted.filter(action=Action.CREATE).order_by("row_number").values_list("row_number", "values")
    now = timezone.now()
    # the counts' changes are summed and applied once, at the end (never a recount of the
    # province: its cost would grow with the register, not with the file)
    with projections.tallies().spooled():
        for chunk in _pages(creates):
            pairs = [
                _new_member(number, values, user=user, source=source, now=now) for number, values in chunk
            ]
            try:
                with transaction.atomic():
                    ledger.bulk_write(pairs)
            except IntegrityError:
                # a number given to another member since the file was checked (unique constraints)
                rows = f"{chunk[0][0]}–{chunk[-1][0]}"
                raise RuleViolation([input_violation(None, CHANGED_SINCE.format(row=rows))]) from None
            hooks.ledger_changed([member.pk for member, _ in pairs])  # their dues accounts (dues)
            created += len(pairs)
            done += len(pairs)
            progress(done, total)
    updates = accepted.filter(action=Action.UPDATE).order_by("row_number")
    for page in _pages(updates, key=lambda staged: staged.row_number):
        for staged in page:
            _update_member(staged, user=user, today=today, source=source)
            updated += 1
            done += 1
        progress(done, total)
    progress(done, total)
    return {"created": created, "updated": updated}


def _pages(rows, *, key=lambda row: row[0]):
    """``rows`` (ordered by row number) a page at a time, each read after the last one's row
    number: no server-side cursor is held open across the writes (one would not survive a
    rollback of a savepoint on PostgreSQL)."""
    last = 0
    while page := list(rows.filter(row_number__gt=last)[:CHUNK]):
        yield page
        last = key(page[-1])


def _identity_values(values: dict) -> dict:
    fields = {
        "family_name": values["family_name"],
        "middle_name": values["middle_name"],
        "given_name": values["given_name"],
        "gender": values["gender"],
        "birth_date": date.fromisoformat(values["birth_date"]),
        "national_id": values["national_id"] or None,
        "card_number": values["card_number"] or None,
        "history_number": values["history_number"] or None,
        "residence_locality_id": uuid.UUID(values["hamlet"]) if values["hamlet"] else None,
        **{name: values[name] for name in TEXT_FIELDS},
        **{f"{name}_id": values[name] or None for name in CODE_FIELDS},
    }
    fields["religion_id"] = fields["religion_id"] or "00"
    full = text.full_name(fields["family_name"], fields["middle_name"], fields["given_name"])
    fields["search_key"] = text.fold(full)
    fields["sort_key"] = text.name_sort_key(
        fields["family_name"], fields["middle_name"], fields["given_name"]
    )
    return fields


_new_member_row = new_instances(Member)
_new_event_row = new_instances(MemberEvent)


def _new_member(number: int, values: dict, *, user, source: dict, now) -> tuple[Member, list[MemberEvent]]:
    admitted = date.fromisoformat(values["admitted_on"])
    cell = uuid.UUID(values["cell"])
    member = _new_member_row(
        id=uuid.uuid4(), org_id=cell, created_at=now, updated_at=now, **_identity_values(values)
    )
    origin = {"import": {**source, "row": number}}
    user_id = getattr(user, "pk", None)
    events = [
        _new_event_row(
            id=uuid.uuid4(),
            seq=1,
            kind=MemberEvent.Kind.ADMITTED,
            effective_on=admitted,
            decision_on=admitted,
            to_org_id=cell,
            recorded_by_id=user_id,
            recorded_at=now,
            rule_version=admission_rules.ADMISSION_AGE.at(admitted).ref,
            data=origin,
        )
    ]
    if values["full_on"]:
        events.append(
            _new_event_row(
                id=uuid.uuid4(),
                seq=2,
                kind=MemberEvent.Kind.RECOGNIZED,
                effective_on=date.fromisoformat(values["full_on"]),
                recorded_by_id=user_id,
                recorded_at=now,
                data=origin,
            )
        )
    return member, events


def _update_member(staged: StagedRow, *, user, today: date, source: dict) -> None:
    member = Member.objects.filter(pk=staged.target).first()
    changes = staged.changes
    if member is None:
        raise RuleViolation([input_violation(None, CHANGED_SINCE.format(row=staged.row_number))])
    current = _identity_values_of(member)
    for name, (before, _) in changes.items():
        if name in current and current[name] != before:
            raise RuleViolation([input_violation(None, CHANGED_SINCE.format(row=staged.row_number))])
    origin = {"import": {**source, "row": staged.row_number}}
    identity_changes = {name: pair for name, pair in changes.items() if name not in ("cell", "full_on")}
    if identity_changes:
        merged = {**current, **{name: after for name, (_, after) in identity_changes.items()}}
        member_update_identity(
            member=member, identity=_identity(merged), expected_version=member.version, actor=user
        )
        append_event(
            member,
            MemberEvent(
                kind=MemberEvent.Kind.CORRECTED,
                effective_on=today,
                recorded_by=user,
                data={**origin, "changes": identity_changes},
            ),
        )
    if "full_on" in changes:
        event = member_recognize(
            member=member,
            decision=DecisionRef(),
            full_on=date.fromisoformat(changes["full_on"][1]),
            actor=user,
        )
        _note_origin(event, origin)
    if "cell" in changes:
        cell = Org.objects.get(pk=changes["cell"][1])
        event = member_transfer(member=member, to_org=cell, effective_on=today, actor=user)
        _note_origin(event, origin)


def _note_origin(event: MemberEvent, origin: dict) -> None:
    """The import a service's event came from (written once, in the event's creating transaction)."""
    MemberEvent.objects.filter(pk=event.pk).update(data={**(event.data or {}), **origin})


def _identity_values_of(member: Member) -> dict:
    """The member's identity in the staged values' form (text, codes, ids, ISO dates)."""
    return {
        "family_name": member.family_name,
        "middle_name": member.middle_name,
        "given_name": member.given_name,
        "gender": member.gender,
        "birth_date": member.birth_date.isoformat(),
        "national_id": member.national_id or "",
        "card_number": member.card_number or "",
        "history_number": member.history_number or "",
        "hamlet": str(member.residence_locality_id or ""),
        **{name: getattr(member, name) for name in TEXT_FIELDS},
        **{name: getattr(member, f"{name}_id") or "" for name in CODE_FIELDS},
    }


def _identity(values: dict) -> Identity:
    hamlet = Locality.objects.filter(pk=values["hamlet"]).first() if values["hamlet"] else None
    return Identity(
        family_name=values["family_name"],
        middle_name=values["middle_name"],
        given_name=values["given_name"],
        gender=values["gender"],
        birth_date=date.fromisoformat(values["birth_date"]),
        ethnicity=values["ethnicity"],
        religion=values["religion"] or "00",
        national_id=values["national_id"],
        card_number=values["card_number"],
        history_number=values["history_number"],
        birthplace=values["birthplace"],
        hometown=values["hometown"],
        residence=values["residence"],
        residence_locality=hamlet,
        general_education=values["general_education"],
        professional_level=values["professional_level"],
        theory_level=values["theory_level"],
        occupation=values["occupation"],
        workplace=values["workplace"],
    )
