"""The member record (phiếu đảng viên): its identity fields, checked once for members and
candidates (``check_identity``); the record created by an admission decision
(``member_admit``), corrected (``member_update_identity``, audited field by field) and
closed by death (``member_record_death``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from django.db import transaction

from dangbo.audit.services import Action, audit_record, field_diff
from dangbo.core import clock, projections, text
from dangbo.core.decisions import DecisionRef
from dangbo.members.models import Gender, Member, MemberEvent, MemberStatus
from dangbo.members.services import INPUT, append_event, check_holder_org
from dangbo.orgs.models import Locality, Org
from dangbo.reference.identity import (
    check_card_number,
    check_history_number,
    check_national_id,
    mask_national_id,
    normalize_digits,
)
from dangbo.reference.models import Ethnicity, GeneralEducation, ProfessionalLevel, Religion, TheoryLevel
from dangbo.rules import admission as admission_rules
from dangbo.rules.base import RuleViolation, Violation, refuse_if

Kind = MemberEvent.Kind


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
    history_number: str = ""
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


# A number already on another record: refused with a message that names no record and says
# whom to ask, so the form is no oracle of who is a Party member or a candidate (issue 18).
NUMBER_TAKEN = (
    "{label} này đã có trong hệ thống nên không ghi được. Kiểm tra lại số đã nhập; nếu số đúng, "
    "đề nghị Ban Tổ chức cấp ủy cấp trên (hoặc người quản trị hệ thống) đối chiếu và xử lý hồ sơ trùng."
)
NATIONAL_ID_TAKEN = NUMBER_TAKEN.format(label="Số định danh cá nhân")
CARD_NUMBER_TAKEN = NUMBER_TAKEN.format(label="Số thẻ đảng viên")
HISTORY_NUMBER_TAKEN = NUMBER_TAKEN.format(label="Số lý lịch đảng viên")


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


def check_identity(identity: Identity, *, member: Member | None = None) -> tuple[dict, list[Violation]]:
    """Clean the identity fields; return model field values and every problem found."""
    violations: list[Violation] = []
    others = Member.objects.exclude(pk=member.pk) if member is not None else Member.objects.all()
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
            violations.append(Violation("input", NATIONAL_ID_TAKEN, INPUT, field="national_id"))
    values["national_id"] = national_id or None

    card_number = normalize_digits(identity.card_number)
    if card_number:
        for problem in check_card_number(card_number):
            violations.append(
                Violation("identity.card_number", problem.message, problem.citation, field=problem.field)
            )
        clash = others.filter(card_number=card_number)
        if clash.exists():
            violations.append(Violation("input", CARD_NUMBER_TAKEN, INPUT, field="card_number"))
    values["card_number"] = card_number or None

    history_number = re.sub(r"[\s.\-/]", "", identity.history_number or "").upper()
    if history_number:
        for problem in check_history_number(history_number):
            violations.append(
                Violation("identity.history_number", problem.message, problem.citation, field=problem.field)
            )
        if others.filter(history_number=history_number).exists():
            violations.append(Violation("input", HISTORY_NUMBER_TAKEN, INPUT, field="history_number"))
    values["history_number"] = history_number or None
    values["residence_locality"] = identity.residence_locality
    values["search_key"] = text.fold(
        text.full_name(values["family_name"], values["middle_name"], values["given_name"])
    )
    values["sort_key"] = text.name_sort_key(
        values["family_name"], values["middle_name"], values["given_name"]
    )
    return values, violations


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
    values, violations = check_identity(identity)
    if decision.on is None:
        violations.append(
            Violation("input", "Chưa nhập ngày quyết định kết nạp.", INPUT, field="decision_on")
        )
    violations += check_holder_org(cell, decision.on or ceremony_on)
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
    append_event(member, event)
    return member


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
    return append_event(member, event)


@transaction.atomic
def member_update_identity(
    *, member: Member, identity: Identity, expected_version: int, actor=None
) -> Member:
    """Correct profile fields. Standing (status, organization) changes only through the ledger.

    ``expected_version`` is the version the editor loaded; if someone saved in between,
    the edit is refused rather than silently overwriting theirs.
    """
    values, violations = check_identity(identity, member=member)
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
    "history_number",
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
