"""Changes to the organization tree. Each is one transaction that writes an ``OrgEvent``,
closes the open ``OrgVersion`` and opens the next, and updates the current state on ``Org``.

Restructuring (move, merge, split, dissolve, change of kind) writes the tree through the
primitives of ``orgs.services.tree`` and the paths through ``orgs.sql``; this module keeps the
complete operations the pages call (establish, rename, the hamlets' own changes).
"""

from __future__ import annotations

from datetime import date

from django.db import transaction

from dangbo.audit.services import Action, audit_record, field_diff
from dangbo.core import clock, paths, projections
from dangbo.core.decisions import DecisionRef
from dangbo.core.kinds import OrgKind, Sector
from dangbo.core.lengths import length_violations
from dangbo.core.text import clean
from dangbo.core.violations import RuleViolation, Violation, refuse_if
from dangbo.core.violations import input_violation as _input_violation
from dangbo.orgs.locality_versions import open_version_start, versions_follow
from dangbo.orgs.models import Locality, LocalityVersion, Org, OrgEvent, OrgVersion
from dangbo.rules import orgs as org_rules

STALE = "Bản ghi đã được người khác sửa trong lúc anh/chị đang sửa; hãy tải lại trang để xem thay đổi rồi sửa lại."


def _new_version(org: Org, *, effective_on: date, event: OrgEvent, first: bool = False) -> OrgVersion:
    """Close the open version the day ``effective_on`` starts and open one from the org's state
    (``first``: the organization has just been created and has no version yet)."""
    open_version = None if first else OrgVersion.objects.filter(org=org, valid_to__isnull=True).first()
    if open_version is not None:
        if effective_on < open_version.valid_from:
            raise RuleViolation(
                [
                    _input_violation(
                        "effective_on",
                        f"Ngày hiệu lực {effective_on:%d/%m/%Y} sớm hơn thay đổi gần nhất của tổ chức "
                        f"({open_version.valid_from:%d/%m/%Y}).",
                    )
                ]
            )
        if effective_on == open_version.valid_from:
            open_version.delete()  # superseded the same day: the version held no day
        else:
            open_version.valid_to = effective_on
            open_version.save(update_fields=["valid_to"])
    return OrgVersion.objects.create(
        org=org,
        valid_from=effective_on,
        **org.version_state(),
        event=event,
    )


def decision_length_violations(decision: DecisionRef) -> list[Violation]:
    """The decision's number and body, as long as the event row keeps them."""
    return length_violations(OrgEvent, {k: v for k, v in decision.fields().items() if isinstance(v, str)})


@transaction.atomic
def org_establish(
    *,
    code: str,
    name: str,
    kind: str,
    parent: Org | None,
    established_on: date,
    sector: str = "",
    has_upper_rights: bool = False,
    decision: DecisionRef = DecisionRef(),
    formation_approval: str = "",
    actor=None,
) -> Org:
    """Establish an organization under ``parent`` (None only for a provincial organization).

    The organization starts empty. A cell established by a committee's decision takes its
    members with it: ``orgs.restructure.org_establish_with_members`` does that and refuses
    fewer than three full members. This function alone serves registers whose members are
    entered afterwards (the demo's history, imports, tests); the compliance check lists a
    cell left below three. ``formation_approval`` is the superior's written approval that a
    partial committee needs (RULES.md §1.3)."""
    code, name = clean(code), clean(name)
    violations: list[Violation] = []
    if not code:
        violations.append(_input_violation("code", "Chưa nhập mã tổ chức."))
    elif Org.objects.filter(code=code).exists():
        violations.append(_input_violation("code", f"Mã tổ chức «{code}» đã được dùng."))
    if not name:
        violations.append(_input_violation("name", "Chưa nhập tên tổ chức."))
    if kind not in OrgKind.values:
        violations.append(_input_violation("kind", f"Loại tổ chức không hợp lệ: «{kind}»."))
    if sector and sector not in Sector.values:
        violations.append(_input_violation("sector", f"Loại hình không hợp lệ: «{sector}»."))
    violations += length_violations(
        Org, {"code": code, "name": name, "formation_approval": formation_approval}
    )
    violations += decision_length_violations(decision)
    refuse_if(violations)
    if parent is not None:
        parent = Org.objects.select_for_update().get(pk=parent.pk)
        if parent.dissolved_on is not None:
            violations.append(_input_violation("parent", f"Tổ chức cấp trên «{parent.name}» đã giải thể."))
    violations += org_rules.check_child_kind(
        parent_kind=parent.kind if parent else None,
        child_kind=kind,
        parent_has_upper_rights=bool(parent and parent.has_upper_rights),
        on=established_on,
    )
    if has_upper_rights:
        violations += org_rules.check_upper_rights_holder(kind=kind, on=established_on)
    formation_approval = clean(formation_approval)[:200]
    violations += org_rules.check_sub_committee_approval(
        kind=kind, approval_ref=formation_approval, on=established_on
    )
    refuse_if(violations)

    if parent is None:
        number = Org.objects.filter(parent__isnull=True).count() + 1
        path = paths.segment(number)
    else:
        parent.child_seq += 1
        parent.save(update_fields=["child_seq"])
        path = paths.child_path(parent.path, parent.child_seq)
    org = Org.objects.create(
        code=code,
        created_on=established_on,
        name=name,
        kind=kind,
        sector=sector,
        has_upper_rights=has_upper_rights,
        formation_approval=formation_approval,
        parent=parent,
        path=path,
        depth=paths.depth(path),
        **Org.keys(code=code, name=name),
    )
    event = OrgEvent.objects.create(
        kind=OrgEvent.Kind.ESTABLISHED,
        org=org,
        effective_on=established_on,
        recorded_by=actor,
        data={"parent": str(parent.pk) if parent else None},
        **decision.fields(),
    )
    _new_version(org, effective_on=established_on, event=event, first=True)
    projections.tallies().org_changed(after=org)
    audit_record(
        action=Action.CREATED,
        subject_type="org",
        subject_id=str(org.pk),
        data={
            "code": code,
            "name": name,
            "kind": kind,
            "parent": parent.code if parent else None,
            "effective_on": established_on.isoformat(),
            "decision": decision.number,
        },
    )
    return org


@transaction.atomic
def org_rename(
    *,
    org: Org,
    name: str,
    effective_on: date,
    decision: DecisionRef = DecisionRef(),
    expected_version: int | None = None,
    actor=None,
) -> Org:
    """Rename from ``effective_on``. ``expected_version`` (from the form the officer loaded)
    refuses the change if someone else changed the organization meanwhile."""
    name = clean(name)
    if not name:
        raise RuleViolation([_input_violation("name", "Chưa nhập tên mới.")])
    refuse_if(length_violations(Org, {"name": name}) + decision_length_violations(decision))
    org = Org.objects.select_for_update().get(pk=org.pk)
    if expected_version is not None and org.version != expected_version:
        raise RuleViolation([_input_violation("version", STALE)])
    if name == org.name:
        raise RuleViolation([_input_violation("name", "Tên mới trùng với tên hiện tại.")])
    old_name = org.name
    org.name = name
    for field, key in Org.keys(code=org.code, name=name).items():
        setattr(org, field, key)
    org.version += 1
    org.save(update_fields=["name", "sort_key", "search_key", "version", "updated_at"])
    event = OrgEvent.objects.create(
        kind=OrgEvent.Kind.RENAMED,
        org=org,
        effective_on=effective_on,
        recorded_by=actor,
        data={"old_name": old_name, "new_name": name},
        **decision.fields(),
    )
    _new_version(org, effective_on=effective_on, event=event)
    audit_record(
        action=Action.UPDATED,
        subject_type="org",
        subject_id=str(org.pk),
        data={
            "changes": {"name": [old_name, name]},
            "effective_on": effective_on.isoformat(),
            "decision": decision.number,
        },
    )
    return org


def _check_locality(
    *, kind: str, name: str, commune: Org, cell: Org | None, head_member, head_name: str
) -> list[Violation]:
    violations: list[Violation] = length_violations(Locality, {"name": name, "head_name": head_name})
    if kind not in Locality.Kind.values:
        violations.append(_input_violation("kind", f"Loại đơn vị dân cư không hợp lệ: «{kind}»."))
    if not name:
        violations.append(_input_violation("name", "Chưa nhập tên thôn, tổ dân phố."))
    if cell is not None:
        if cell.kind not in org_rules.MEMBER_HOLDING_KINDS.value(clock.today()):
            violations.append(_input_violation("cell", f"«{cell.name}» không phải chi bộ."))
        elif not paths.is_within(cell.path, commune.path):
            violations.append(_input_violation("cell", f"Chi bộ «{cell.name}» không thuộc «{commune.name}»."))
    if head_member is not None and head_name:
        violations.append(
            _input_violation(
                "head_name",
                "Trưởng thôn là đảng viên thì chọn hồ sơ đảng viên; chỉ nhập tên khi trưởng thôn là người ngoài Đảng.",
            )
        )
    return violations


def _check_effective_on(locality: Locality | None, effective_on: date) -> list[Violation]:
    violations: list[Violation] = []
    if effective_on > clock.today():
        violations.append(_input_violation("effective_on", "Ngày hiệu lực không thể sau hôm nay."))
    started = open_version_start(locality.pk) if locality is not None else None
    if started is not None and effective_on < started:
        violations.append(
            _input_violation(
                "effective_on",
                f"Ngày hiệu lực sớm hơn lần thay đổi trước (ngày {started:%d/%m/%Y}); không thể ghi đè lịch sử.",
            )
        )
    return violations


@transaction.atomic
def locality_create(
    *,
    code: str,
    kind: str,
    name: str,
    commune: Org,
    cell: Org | None = None,
    head_name: str = "",
    head_member=None,
    established_on: date | None = None,
    decision_no: str = "",
) -> Locality:
    """Record a hamlet or residential group of a commune, the cell covering it and its head
    (a member record, or the name of a head outside the Party), and its first dated version
    from ``established_on`` (default: today)."""
    code, name, head_name = clean(code), clean(name), clean(head_name)
    established_on = established_on or clock.today()
    violations = _check_locality(
        kind=kind, name=name, commune=commune, cell=cell, head_member=head_member, head_name=head_name
    )
    if not code or Locality.objects.filter(code=code).exists():
        violations.insert(
            0, _input_violation("code", f"Mã thôn, tổ dân phố «{code}» trống hoặc đã được dùng.")
        )
    violations += _check_effective_on(None, established_on)
    violations += length_violations(Locality, {"code": code}) + length_violations(
        LocalityVersion, {"decision_no": decision_no}
    )
    refuse_if(violations)
    locality = Locality.objects.create(
        code=code,
        kind=kind,
        name=name,
        commune=commune,
        commune_path=commune.path,
        cell=cell,
        head_name=head_name,
        head_member=head_member,
    )
    versions_follow([locality.pk], effective_on=established_on, decision_no=clean(decision_no))
    audit_record(
        action=Action.CREATED,
        subject_type="locality",
        subject_id=str(locality.pk),
        data={
            "code": code,
            "name": name,
            "commune": commune.code,
            "cell": cell.code if cell else None,
            "head_member": str(head_member.pk) if head_member is not None else None,
            "head_name": head_name,
            "effective_on": established_on.isoformat(),
        },
    )
    projections.tallies().locality_changed(after=projections.tallies().locality_row(locality.pk))
    return locality


def _locality_state(locality: Locality) -> dict:
    return {
        "kind": locality.kind,
        "name": locality.name,
        "cell": locality.cell.code if locality.cell is not None else "",
        "head_member": str(locality.head_member_id or ""),
        "head_name": locality.head_name,
    }


@transaction.atomic
def locality_update(
    *,
    locality: Locality,
    expected_version: int,
    kind: str,
    name: str,
    cell: Org | None,
    head_member=None,
    head_name: str = "",
    effective_on: date | None = None,
    decision_no: str = "",
    note: str = "",
) -> Locality:
    """Change a hamlet's name, kind, covering cell and head from ``effective_on`` (default:
    today): the open version ends that day and a new one begins (a change on the day the
    open version began rewrites it). Refused if someone else saved first."""
    name, head_name = clean(name), clean(head_name)
    effective_on = effective_on or clock.today()
    violations = _check_locality(
        kind=kind,
        name=name,
        commune=locality.commune,
        cell=cell,
        head_member=head_member,
        head_name=head_name,
    )
    violations += _check_effective_on(locality, effective_on)
    violations += length_violations(LocalityVersion, {"decision_no": decision_no, "note": note})
    refuse_if(violations)
    before = _locality_state(locality)
    tallied = projections.tallies().locality_row(locality.pk)
    updated = Locality.objects.filter(pk=locality.pk, version=expected_version).update(
        kind=kind,
        name=name,
        cell=cell,
        head_name=head_name,
        head_member=head_member,
        head_unmatched_note="",
        version=expected_version + 1,
    )
    if not updated:
        raise RuleViolation([_input_violation("version", STALE)])
    versions_follow(
        [locality.pk], effective_on=effective_on, decision_no=clean(decision_no), note=clean(note)
    )
    projections.tallies().locality_changed(
        before=tallied, after=projections.tallies().locality_row(locality.pk)
    )
    locality = Locality.objects.select_related("cell", "commune", "head_member").get(pk=locality.pk)
    audit_record(
        action=Action.UPDATED,
        subject_type="locality",
        subject_id=str(locality.pk),
        data={
            "changes": field_diff(before, _locality_state(locality)),
            "effective_on": effective_on.isoformat(),
        },
    )
    return locality


@transaction.atomic
def locality_set_head(
    *, locality: Locality, head_name: str = "", head_member=None, effective_on: date | None = None
) -> Locality:
    """Record who heads a hamlet from ``effective_on`` (default: today): a member record, or
    the name of a head outside the Party."""
    head_name = "" if head_member is not None else clean(head_name)
    effective_on = effective_on or clock.today()
    if head_member is None and not head_name:
        raise RuleViolation([_input_violation("head_name", "Chưa nhập tên trưởng thôn, tổ trưởng.")])
    refuse_if(_check_effective_on(locality, effective_on))
    tallied = projections.tallies().locality_row(locality.pk)
    updated = Locality.objects.filter(pk=locality.pk, version=locality.version).update(
        head_name=head_name, head_member=head_member, head_unmatched_note="", version=locality.version + 1
    )
    if not updated:
        raise RuleViolation([_input_violation("version", STALE)])
    versions_follow([locality.pk], effective_on=effective_on)
    audit_record(
        action=Action.UPDATED,
        subject_type="locality",
        subject_id=str(locality.pk),
        data={
            "changes": {
                "head_member": [
                    str(locality.head_member_id or ""),
                    str(head_member.pk if head_member else ""),
                ],
                "head_name": [locality.head_name, head_name],
            },
            "effective_on": effective_on.isoformat(),
        },
    )
    projections.tallies().locality_changed(
        before=tallied, after=projections.tallies().locality_row(locality.pk)
    )
    return Locality.objects.get(pk=locality.pk)


@transaction.atomic
def locality_dissolve(
    *, locality: Locality, effective_on: date, decision_no: str = "", note: str = ""
) -> Locality:
    """A hamlet ceases (merged into another by the State, or abolished): its open version
    ends on ``effective_on``; it stops counting from that day."""
    violations = _check_effective_on(locality, effective_on)
    if locality.dissolved_on is not None:
        violations.append(
            _input_violation("locality", f"{locality} đã giải thể ngày {locality.dissolved_on:%d/%m/%Y}.")
        )
    refuse_if(violations)
    tallied = projections.tallies().locality_row(locality.pk)
    updated = Locality.objects.filter(pk=locality.pk, version=locality.version).update(
        dissolved_on=effective_on, version=locality.version + 1
    )
    if not updated:
        raise RuleViolation([_input_violation("version", STALE)])
    versions_follow([locality.pk], effective_on=effective_on)
    audit_record(
        action=Action.UPDATED,
        subject_type="locality",
        subject_id=str(locality.pk),
        data={"dissolved": effective_on.isoformat(), "decision": clean(decision_no), "note": clean(note)},
    )
    projections.tallies().locality_changed(
        before=tallied, after=projections.tallies().locality_row(locality.pk)
    )
    return Locality.objects.get(pk=locality.pk)
