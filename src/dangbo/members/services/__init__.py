"""Services that change members. Each checks the rules in force on its effective date,
refuses with every violation found (writing nothing), and appends to the ledger.

Later workflows (candidates, recognition deadlines, discipline, exits) grow this into
a package; the shape stays: validate → ``ledger.append`` → return the event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import cast

from django.db import transaction

from dangbo.audit.services import Action, audit_record, field_diff
from dangbo.core import clock, paths, projections, text
from dangbo.core.decisions import DecisionRef
from dangbo.core.kinds import CELL_KINDS
from dangbo.core.roles import COMMITTEE_ROLES, Role
from dangbo.members import ledger
from dangbo.members.models import Gender, Member, MemberEvent, MemberStatus, Position
from dangbo.members.services.votes import cell_vote
from dangbo.orgs.models import Locality, Org
from dangbo.reference.identity import check_card_number, check_national_id, mask_national_id, normalize_digits
from dangbo.reference.models import Ethnicity, GeneralEducation, ProfessionalLevel, Religion, TheoryLevel
from dangbo.rules import admission as admission_rules
from dangbo.rules import orgs as org_rules
from dangbo.rules import positions as position_rules
from dangbo.rules.base import RuleViolation, Violation, refuse_if
from dangbo.rules.probation import probation_end

Kind = MemberEvent.Kind
INPUT = "Yêu cầu nhập liệu"


@dataclass
class Identity:
    """The identity fields of the phiếu đảng viên, as entered."""

    family_name: str
    given_name: str
    gender: str
    birth_date: date
    ethnicity: str
    middle_name: str = ""
    religion: str = "00"
    national_id: str = ""
    card_number: str = ""
    birthplace: str = ""
    hometown: str = ""
    residence: str = ""
    residence_locality: Locality | None = None
    general_education: str = ""
    professional_level: str = ""
    theory_level: str = ""
    occupation: str = ""
    workplace: str = ""


_CODE_LISTS = {
    "ethnicity": (Ethnicity, "Dân tộc"),
    "religion": (Religion, "Tôn giáo"),
    "general_education": (GeneralEducation, "Trình độ giáo dục phổ thông"),
    "professional_level": (ProfessionalLevel, "Trình độ chuyên môn"),
    "theory_level": (TheoryLevel, "Trình độ lý luận chính trị"),
}
_TEXT_FIELDS = (
    "family_name",
    "middle_name",
    "given_name",
    "birthplace",
    "hometown",
    "residence",
    "occupation",
    "workplace",
)


def _check_identity(identity: Identity, *, member: Member | None = None) -> tuple[dict, list[Violation]]:
    """Clean the identity fields; return model field values and every problem found."""
    violations: list[Violation] = []
    values: dict = {name: text.clean(getattr(identity, name)) for name in _TEXT_FIELDS}
    if not values["family_name"]:
        violations.append(Violation("input", "Chưa nhập họ.", INPUT, field="family_name"))
    if not values["given_name"]:
        violations.append(Violation("input", "Chưa nhập tên.", INPUT, field="given_name"))
    if identity.gender not in Gender.values:
        violations.append(Violation("input", "Giới tính phải là Nam hoặc Nữ.", INPUT, field="gender"))
    values["gender"] = identity.gender
    if not isinstance(identity.birth_date, date) or identity.birth_date > clock.today():
        violations.append(Violation("input", "Ngày sinh không hợp lệ.", INPUT, field="birth_date"))
    values["birth_date"] = identity.birth_date

    for name, (model, label) in _CODE_LISTS.items():
        code = (getattr(identity, name) or "").strip()
        if not code:
            if name in ("ethnicity", "religion"):
                violations.append(Violation("input", f"Chưa chọn {label.lower()}.", INPUT, field=name))
            values[f"{name}_id"] = None
            continue
        if not model._default_manager.filter(pk=code).exists():
            violations.append(
                Violation("input", f"{label} không có trong danh mục: «{code}».", INPUT, field=name)
            )
        values[f"{name}_id"] = code

    others = Member.objects.exclude(pk=member.pk) if member is not None else Member.objects.all()
    national_id = normalize_digits(identity.national_id)
    if national_id:
        for problem in check_national_id(
            national_id,
            gender=identity.gender,
            birth_date=identity.birth_date if isinstance(identity.birth_date, date) else None,
        ):
            violations.append(
                Violation("identity.national_id", problem.message, problem.citation, field=problem.field)
            )
        clash = others.filter(national_id=national_id)
        if clash.exists():
            violations.append(
                Violation(
                    "input",
                    f"Số định danh {national_id} đã có trong hồ sơ đảng viên khác.",
                    INPUT,
                    field="national_id",
                )
            )
    values["national_id"] = national_id or None

    card_number = normalize_digits(identity.card_number)
    if card_number:
        for problem in check_card_number(card_number):
            violations.append(
                Violation("identity.card_number", problem.message, problem.citation, field=problem.field)
            )
        clash = others.filter(card_number=card_number)
        if clash.exists():
            violations.append(
                Violation(
                    "input", f"Số thẻ {card_number} đã cấp cho đảng viên khác.", INPUT, field="card_number"
                )
            )
    values["card_number"] = card_number or None
    values["residence_locality"] = identity.residence_locality
    values["search_key"] = text.fold(
        text.full_name(values["family_name"], values["middle_name"], values["given_name"])
    )
    values["sort_key"] = text.name_sort_key(
        values["family_name"], values["middle_name"], values["given_name"]
    )
    return values, violations


def _check_holder_org(org: Org, on: date) -> list[Violation]:
    violations = org_rules.check_member_holder(kind=org.kind, on=on)
    if org.dissolved_on is not None and org.dissolved_on <= on:
        violations.append(Violation("input", f"«{org.name}» đã giải thể.", INPUT, field="org"))
    return violations


@transaction.atomic
def member_admit(
    *,
    identity: Identity,
    cell: Org,
    decision: DecisionRef,
    ceremony_on: date,
    vote_on: date | None = None,
    over_age_approval: str = "",
    authority: Org | None = None,
    actor=None,
) -> Member:
    """Create the member record from an admission decision (kết nạp).

    The age rule is checked on the cell's vote date (``vote_on``); where it is not
    recorded, on the decision date, which follows the vote.
    """
    values, violations = _check_identity(identity)
    if decision.on is None:
        violations.append(
            Violation("input", "Chưa nhập ngày quyết định kết nạp.", INPUT, field="decision_on")
        )
    violations += _check_holder_org(cell, decision.on or ceremony_on)
    judged_on = vote_on or decision.on
    if judged_on and isinstance(identity.birth_date, date):
        violations += admission_rules.check_admission_age(
            birth_date=identity.birth_date, vote_on=judged_on, over_age_approval=over_age_approval
        )
    if decision.on and ceremony_on < decision.on:
        violations.append(
            Violation(
                "input",
                "Ngày lễ kết nạp không thể trước ngày quyết định kết nạp.",
                INPUT,
                field="ceremony_on",
            )
        )
    refuse_if(violations)

    assert decision.on is not None and judged_on is not None  # refused above when missing
    member = Member(status=MemberStatus.PROBATIONARY, org=cell, org_path=cell.path, **values)
    member.save(force_insert=True)
    data = {"ceremony_on": ceremony_on.isoformat()}
    if vote_on:
        data["vote_on"] = vote_on.isoformat()
    if over_age_approval:
        data["over_age_approval"] = text.clean(over_age_approval)
    event = MemberEvent(
        kind=Kind.ADMITTED,
        effective_on=decision.on,
        to_org=cell,
        authority_org=authority,
        recorded_by=actor,
        rule_version=admission_rules.ADMISSION_AGE.at(judged_on).ref,
        data=data,
        **decision.fields(),
    )
    _append(member, event)
    return member


def _append(member: Member, event: MemberEvent) -> MemberEvent:
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
    from dangbo.reference.workdays import add_working_days
    from dangbo.rules import probation as probation_rules
    from dangbo.rules import votes as vote_rules

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
    return _append(member, event)


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
    violations = _check_holder_org(to_org, effective_on)
    if to_org.pk == member.org_id:
        violations.append(
            Violation("input", "Tổ chức chuyển đến trùng với nơi đang sinh hoạt.", INPUT, field="to_org")
        )
    refuse_if(violations)
    for position in _positions_outside(member, to_org):
        _append(
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
    return _append(member, event)


def _cell_full_members(org: Org) -> int:
    return Member.objects.filter(org=org, status=MemberStatus.FULL).count()


@transaction.atomic
def member_position_start(
    *,
    member: Member,
    org: Org,
    role: str,
    started_on: date,
    decision: DecisionRef = DecisionRef(),
    term: str = "",
    actor=None,
) -> MemberEvent:
    """A member takes a position (secretary, deputy, committee member, ...) in ``org``, for
    the term (nhiệm kỳ, e.g. "2025–2030") when one is given."""
    member = Member.objects.get(pk=member.pk)
    org = Org.objects.select_for_update().get(pk=org.pk)  # serialise appointments in one org
    if role not in Role.values:
        raise RuleViolation([Violation("input", f"Chức vụ không hợp lệ: «{role}».", INPUT, field="role")])
    current = Position.objects.filter(org=org, ended_on__isnull=True)
    holders: dict[str, int] = {}
    for held_role in current.values_list("role", flat=True):
        holders[held_role] = holders.get(held_role, 0) + 1
    if role == Role.GROUP_LEADER:
        holder_in_org = org.parent_id == member.org_id
    else:
        holder_in_org = member.status in (MemberStatus.PROBATIONARY, MemberStatus.FULL) and paths.is_within(
            member.org_path, org.path
        )
    violations = position_rules.check_position(
        role=role,
        org_kind=org.kind,
        on=started_on,
        holder_is_full=member.status == MemberStatus.FULL,
        holder_in_org=holder_in_org,
        current_holders=holders,
        cell_full_members=_cell_full_members(org) if org.kind in CELL_KINDS else None,
    )
    if role in COMMITTEE_ROLES and current.filter(member=member, role__in=COMMITTEE_ROLES).exists():
        violations.append(
            Violation(
                position_rules.POSITION_KINDS.code,
                "Đảng viên đã giữ một chức vụ trong cấp ủy này; kết thúc chức vụ cũ trước khi nhận chức vụ mới.",
                position_rules.POSITION_KINDS.at(started_on).citation,
                field="role",
            )
        )
    refuse_if(violations)
    event = MemberEvent(
        kind=Kind.POSITION_STARTED,
        effective_on=started_on,
        position_org=org,
        role=role,
        recorded_by=actor,
        rule_version=position_rules.POSITION_KINDS.at(started_on).ref,
        data={"term": text.clean(term)[:20]} if text.clean(term) else {},
        **decision.fields(),
    )
    return _append(member, event)


@transaction.atomic
def member_position_end(
    *, member: Member, org: Org, role: str, ended_on: date, decision: DecisionRef = DecisionRef(), actor=None
) -> MemberEvent:
    event = MemberEvent(
        kind=Kind.POSITION_ENDED,
        effective_on=ended_on,
        position_org=org,
        role=role,
        recorded_by=actor,
        **decision.fields(),
    )
    return _append(member, event)


@transaction.atomic
def member_record_death(*, member: Member, died_on: date, actor=None, note: str = "") -> MemberEvent:
    if died_on > clock.today():
        raise RuleViolation(
            [Violation("input", "Ngày từ trần không thể sau hôm nay.", INPUT, field="died_on")]
        )
    event = MemberEvent(
        kind=Kind.DIED,
        effective_on=died_on,
        recorded_by=actor,
        data={"note": text.clean(note)} if note else {},
    )
    return _append(member, event)


@transaction.atomic
def member_update_identity(
    *, member: Member, identity: Identity, expected_version: int, actor=None
) -> Member:
    """Correct profile fields. Standing (status, organization) changes only through the ledger.

    ``expected_version`` is the version the editor loaded; if someone saved in between,
    the edit is refused rather than silently overwriting theirs.
    """
    values, violations = _check_identity(identity, member=member)
    refuse_if(violations)
    before = Member.objects.filter(pk=member.pk).values(*_AUDITED_FIELDS).first() or {}
    tallied_before = {
        **Member.objects.filter(pk=member.pk).values("status", *projections.tallies().member_fields).first(),
        "positions": projections.tallies().open_positions(member.pk),
    }
    updated = Member.objects.filter(pk=member.pk, version=expected_version).update(
        version=expected_version + 1, **values
    )
    if not updated:
        raise RuleViolation(
            [
                Violation(
                    "input",
                    "Hồ sơ đã được người khác sửa trong lúc anh/chị đang sửa; hãy tải lại để xem thay đổi rồi sửa lại.",
                    INPUT,
                    field="version",
                )
            ]
        )
    after = Member.objects.filter(pk=member.pk).values(*_AUDITED_FIELDS).first()
    projections.tallies().member_changed(
        before=tallied_before,
        after={
            **Member.objects.filter(pk=member.pk)
            .values("status", *projections.tallies().member_fields)
            .first(),
            "positions": tallied_before["positions"],
        },
    )
    for state in (before, after):
        state["national_id"] = mask_national_id(state.get("national_id"))  # the trail never holds the full ID
    changes = field_diff(before, after)
    if changes:
        audit_record(
            action=Action.UPDATED, subject_type="member", subject_id=str(member.pk), data={"changes": changes}
        )
    return Member.objects.get(pk=member.pk)


# Profile fields whose changes the audit trail records (as field: [before, after]).
_AUDITED_FIELDS = (
    "family_name",
    "middle_name",
    "given_name",
    "gender",
    "birth_date",
    "national_id",
    "card_number",
    "ethnicity_id",
    "religion_id",
    "birthplace",
    "hometown",
    "residence",
    "residence_locality_id",
    "general_education_id",
    "professional_level_id",
    "theory_level_id",
    "occupation",
    "workplace",
)


@transaction.atomic
def member_award_badge(
    *,
    member: Member,
    years: int,
    awarded_on: date,
    decision: DecisionRef,
    ground: str = "regular",
    actor=None,
) -> MemberEvent:
    """Record a Party badge of ``years`` years (RULES.md §6), on time, early for serious
    illness, or posthumously; refused with the rule's citation when the member does not
    qualify on ``awarded_on``."""
    from dangbo.rules import badges as badge_rules

    member = Member.objects.get(pk=member.pk)
    violations = []
    if ground not in badge_rules.Ground.LABELS:
        violations.append(
            Violation(
                "input",
                "Chọn trường hợp tặng: đủ tuổi đảng, tặng sớm do bệnh nặng, hoặc truy tặng.",
                INPUT,
                field="ground",
            )
        )
    if decision.on is None:
        violations.append(
            Violation("input", "Chưa nhập ngày quyết định tặng Huy hiệu Đảng.", INPUT, field="decision_on")
        )
    elif decision.on > awarded_on:
        violations.append(
            Violation("input", "Ngày trao tặng không thể trước ngày quyết định.", INPUT, field="awarded_on")
        )
    if awarded_on > clock.today():
        violations.append(
            Violation(
                "input",
                "Ngày trao tặng không thể sau hôm nay; danh sách xét tặng cho đợt sau có ở trang Huy hiệu Đảng.",
                INPUT,
                field="awarded_on",
            )
        )
    refuse_if(violations)
    claim = badge_rules.BadgeClaim(
        years=years,
        awarded_on=awarded_on,
        ground=ground,
        party_age_from=member.party_age_from,
        already_years=member.badge_years,
        in_party=member.status in (MemberStatus.PROBATIONARY, MemberStatus.FULL)
        or (member.died_on is not None and awarded_on < member.died_on),
        died_on=member.died_on,
    )
    violations = badge_rules.check_badge_award(claim)
    if member.badge_deferred_until and awarded_on <= member.badge_deferred_until:
        from dangbo.rules import discipline as discipline_rules

        version = discipline_rules.BADGE_DEFERRAL_MONTHS.at(awarded_on)
        violations.append(
            Violation(
                discipline_rules.BADGE_DEFERRAL_MONTHS.code,
                f"Đảng viên bị kỷ luật: chỉ xét tặng Huy hiệu Đảng sau ngày {member.badge_deferred_until:%d/%m/%Y}.",
                version.ref,
                field="awarded_on",
            )
        )
    refuse_if(violations)
    event = MemberEvent(
        kind=Kind.BADGE_AWARDED,
        effective_on=awarded_on,
        recorded_by=actor,
        rule_version=badge_rules.BADGE_MILESTONES.at(awarded_on).ref,
        data={"years": years, "ground": ground},
        **decision.fields(),
    )
    return _append(member, event)


# Official transfers between organizations of this installation (RULES.md §2.5): services/transfers.py.
