"""Standing changes and exits (RULES.md §2.4–2.6): exemption, suspension, working away,
temporary transfers, transfers to and from outside this installation, striking off,
resignation, readmission and restoration.

Each service checks the rule in force on its effective date (``rules.exits``), refuses
with every violation found, and appends one ledger event that stores the rule version.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction

from dangbo.core import clock, text
from dangbo.core.decisions import DecisionRef
from dangbo.members import hooks
from dangbo.members.models import ACTIVE_STATUSES, LEFT_STATUSES, Member, MemberEvent, MemberStatus, Standing
from dangbo.members.services import INPUT, append_event, check_holder_org
from dangbo.members.services.records import Identity, check_identity
from dangbo.members.services.votes import cell_vote
from dangbo.orgs.models import Org
from dangbo.rules import admission as admission_rules
from dangbo.rules import exits as exit_rules
from dangbo.rules import transfers as transfer_rules
from dangbo.rules import votes as vote_rules
from dangbo.rules.badges import BADGE_MILESTONES
from dangbo.rules.base import Violation, refuse_if

Kind = MemberEvent.Kind


def _input(field: str, message: str) -> Violation:
    return Violation("input", message, INPUT, field=field)


def _common_checks(member: Member, on: date | None, *, active: bool = True) -> list[Violation]:
    violations: list[Violation] = []
    if on is None:
        violations.append(_input("effective_on", "Chưa nhập ngày hiệu lực."))
        return violations
    if on > clock.today():
        violations.append(_input("effective_on", "Ngày hiệu lực không thể sau hôm nay."))
    if active and member.status not in ACTIVE_STATUSES:
        violations.append(
            _input("effective_on", f"Đảng viên đang ở tình trạng «{member.get_status_display().lower()}».")
        )
    if member.status_since and on < member.status_since:
        violations.append(
            _input(
                "effective_on",
                f"Ngày hiệu lực không thể trước lần thay đổi tình trạng gần nhất ({member.status_since:%d/%m/%Y}).",
            )
        )
    return violations


def _locked(member: Member) -> Member:
    return Member.objects.select_for_update().get(pk=member.pk)


@transaction.atomic
def member_standing_start(
    *,
    member: Member,
    kind: str,
    on: date,
    ground: str = "",
    decision: DecisionRef = DecisionRef(),
    note: str = "",
    actor=None,
) -> MemberEvent:
    """Exemption (with its ground), suspension, or working away, from ``on``. The member
    stays counted at home; exemption records who decides for the ground (QĐ 24 §7.1)."""
    member = _locked(member)
    violations = _common_checks(member, on)
    data: dict = {}
    rule_ref = ""
    if kind == Kind.EXEMPTED:
        if ground not in exit_rules.EXEMPTION_GROUNDS:
            violations.append(_input("ground", "Chọn lý do miễn công tác và sinh hoạt đảng."))
        else:
            data.update(
                ground=ground,
                ground_label=exit_rules.EXEMPTION_GROUNDS[ground],
                decider=exit_rules.exemption_decider(ground),
            )
            rule_ref = exit_rules.EXEMPTION.at(on or clock.today()).ref
    elif kind not in (Kind.SUSPENDED, Kind.WORKING_AWAY):
        violations.append(_input("kind", "Chọn miễn công tác, đình chỉ sinh hoạt hoặc đi làm ăn xa."))
    if member.standing != Standing.NORMAL:
        violations.append(
            _input("kind", f"Đảng viên đang «{member.get_standing_display().lower()}»; ghi kết thúc trước.")
        )
    if text.clean(note):
        data["note"] = text.clean(note)[:500]
    refuse_if(violations)
    event = MemberEvent(
        kind=kind, effective_on=on, recorded_by=actor, rule_version=rule_ref, data=data, **decision.fields()
    )
    return append_event(member, event)


@transaction.atomic
def member_standing_end(
    *, member: Member, on: date, decision: DecisionRef = DecisionRef(), note: str = "", actor=None
) -> MemberEvent:
    member = _locked(member)
    violations = _common_checks(member, on)
    if member.standing in (Standing.NORMAL, Standing.TEMP_AWAY):
        violations.append(
            _input("effective_on", "Đảng viên không đang được miễn, bị đình chỉ hay đi làm ăn xa.")
        )
    elif member.standing_since and on and on < member.standing_since:
        violations.append(
            _input(
                "effective_on",
                f"Ngày kết thúc không thể trước ngày bắt đầu ({member.standing_since:%d/%m/%Y}).",
            )
        )
    refuse_if(violations)
    data = {"ended": member.standing}
    if text.clean(note):
        data["note"] = text.clean(note)[:500]
    event = MemberEvent(
        kind=Kind.STANDING_ENDED, effective_on=on, recorded_by=actor, data=data, **decision.fields()
    )
    return append_event(member, event)


@transaction.atomic
def member_temp_transfer(
    *,
    member: Member,
    purpose: str,
    starts_on: date,
    until: date,
    host: Org | None = None,
    host_name: str = "",
    decision: DecisionRef = DecisionRef(),
    actor=None,
) -> MemberEvent:
    """A temporary transfer (RULES.md §2.5): 3 months to under 12 for work or residence,
    3 to 24 months for full-time study. The member stays counted at home; a host inside this
    installation sees them on its page, uncounted, until the return is recorded."""
    member = _locked(member)
    violations = _common_checks(member, starts_on)
    host_name = text.clean(host_name)[:255]
    if host is None and not host_name:
        violations.append(
            _input("host", "Chọn nơi sinh hoạt tạm thời hoặc ghi tên tổ chức đảng ngoài hệ thống.")
        )
    if host is not None:
        violations += check_holder_org(host, starts_on)
        if host.pk == member.org_id:
            violations.append(_input("host", "Nơi sinh hoạt tạm thời phải khác nơi sinh hoạt chính thức."))
    if member.standing != Standing.NORMAL:
        violations.append(
            _input("host", f"Đảng viên đang «{member.get_standing_display().lower()}»; ghi kết thúc trước.")
        )
    if starts_on and until:
        violations += exit_rules.check_temporary_transfer(purpose, starts_on, until)
    refuse_if(violations)
    event = MemberEvent(
        kind=Kind.TEMP_TRANSFER,
        effective_on=starts_on,
        to_org=host,
        from_org_id=member.org_id,
        recorded_by=actor,
        rule_version=exit_rules.TEMPORARY_TRANSFER.at(starts_on).ref,
        data={
            "purpose": purpose,
            "until": until.isoformat(),
            "host_name": host_name or (host.name if host else ""),
        },
        **decision.fields(),
    )
    return append_event(member, event)


@transaction.atomic
def member_temp_return(*, member: Member, on: date, actor=None) -> MemberEvent:
    member = _locked(member)
    violations = _common_checks(member, on)
    if member.standing != Standing.TEMP_AWAY:
        violations.append(_input("effective_on", "Đảng viên không đang sinh hoạt tạm thời nơi khác."))
    elif member.standing_since and on and on < member.standing_since:
        violations.append(
            _input(
                "effective_on",
                f"Ngày trở về không thể trước ngày chuyển đi ({member.standing_since:%d/%m/%Y}).",
            )
        )
    refuse_if(violations)
    return append_event(
        member,
        MemberEvent(
            kind=Kind.TEMP_RETURNED, effective_on=on, recorded_by=actor, from_org_id=member.host_org_id
        ),
    )


@transaction.atomic
def member_move_away(
    *, member: Member, on: date, to_name: str, decision: DecisionRef, actor=None
) -> MemberEvent:
    """An official transfer to a Party organization outside this installation: the member
    leaves the count on ``on``; party age runs on (it is not a gap)."""
    member = _locked(member)
    violations = _common_checks(member, on)
    to_name = text.clean(to_name)[:255]
    if not to_name:
        violations.append(_input("to_name", "Ghi tên tổ chức đảng nơi đến."))
    if decision.on is None:
        violations.append(_input("decision_on", "Chưa nhập ngày quyết định (giấy giới thiệu)."))
    elif on and decision.on > on:
        violations.append(_input("effective_on", "Ngày chuyển đi không thể trước ngày quyết định."))
    if member.standing == Standing.TEMP_AWAY:
        violations.append(_input("to_name", "Đảng viên đang sinh hoạt tạm thời nơi khác; ghi trở về trước."))
    refuse_if(violations)
    event = MemberEvent(
        kind=Kind.MOVED_AWAY,
        effective_on=on,
        from_org_id=member.org_id,
        recorded_by=actor,
        rule_version=transfer_rules.TRANSFER_COMPLETE_WORKING_DAYS.at(on).ref,
        data={"to_name": to_name},
        **decision.fields(),
    )
    return append_event(member, event)


@transaction.atomic
def member_receive(
    *,
    identity: Identity,
    cell: Org,
    arrived_on: date,
    status: str,
    admitted_on: date,
    from_name: str,
    decision: DecisionRef,
    ceremony_on: date | None = None,
    full_on: date | None = None,
    party_age_from: date | None = None,
    badge_years: int | None = None,
    actor=None,
) -> Member:
    """A member arriving with a transfer letter from outside this installation: the record
    is created with the history the letter carries (admission, probation, party age, badge)."""
    values, violations = check_identity(identity)
    violations += check_holder_org(cell, arrived_on)
    from_name = text.clean(from_name)[:255]
    if not from_name:
        violations.append(_input("from_name", "Ghi tên tổ chức đảng nơi chuyển đi."))
    if arrived_on > clock.today():
        violations.append(_input("arrived_on", "Ngày đến sinh hoạt không thể sau hôm nay."))
    if status not in ACTIVE_STATUSES:
        violations.append(_input("status", "Chọn đảng viên chính thức hoặc dự bị."))
    if admitted_on > arrived_on:
        violations.append(_input("admitted_on", "Ngày vào Đảng không thể sau ngày đến sinh hoạt."))
    if isinstance(identity.birth_date, date) and admitted_on < identity.birth_date:
        violations.append(_input("admitted_on", "Ngày vào Đảng không thể trước ngày sinh."))
    if status == MemberStatus.FULL and full_on is None:
        violations.append(_input("full_on", "Đảng viên chính thức phải có ngày chính thức."))
    if status == MemberStatus.PROBATIONARY and full_on is not None:
        violations.append(_input("full_on", "Đảng viên dự bị chưa có ngày chính thức."))
    if full_on is not None and full_on < admitted_on:
        violations.append(_input("full_on", "Ngày chính thức không thể trước ngày vào Đảng."))
    if party_age_from is not None and party_age_from < admitted_on:
        violations.append(_input("party_age_from", "Ngày tính tuổi đảng không thể trước ngày vào Đảng."))
    milestones = BADGE_MILESTONES.at(arrived_on)
    if badge_years is not None and badge_years not in milestones.value:
        violations.append(
            Violation(
                BADGE_MILESTONES.code,
                f"Số năm Huy hiệu Đảng không đúng các mốc {', '.join(map(str, milestones.value))}.",
                milestones.ref,
                field="badge_years",
            )
        )
    refuse_if(violations)
    member = Member(status=status, org=cell, org_path=cell.path, **values)
    member.save(force_insert=True)
    data: dict[str, object] = {
        "status": status,
        "admitted_on": admitted_on.isoformat(),
        "from_name": from_name,
    }
    for key, value in (
        ("ceremony_on", ceremony_on),
        ("full_on", full_on),
        ("party_age_from", party_age_from),
    ):
        if value:
            data[key] = value.isoformat()
    if badge_years:
        data["badge_years"] = badge_years
    event = MemberEvent(
        kind=Kind.TRANSFERRED_IN,
        effective_on=arrived_on,
        to_org=cell,
        recorded_by=actor,
        data=data,
        **decision.fields(),
    )
    append_event(member, event)
    return member


@transaction.atomic
def member_strike_off(
    *,
    member: Member,
    on: date,
    ground: str,
    decision: DecisionRef,
    requests_made: int | None = None,
    note: str = "",
    vote_on: date | None = None,
    approvals: int | None = None,
    absent_exempted: tuple = (),
    actor=None,
) -> MemberEvent:
    """Striking off (xóa tên) on one of the grounds of RULES.md §2.6, or a probationary member
    not recognized (§2.3). The competent committee's decision is required; for a probationary
    member, so is the cell's proposal by two thirds of its full members (``vote_on``, ``approvals``)."""
    member = _locked(member)
    violations = _common_checks(member, on)
    vote: dict = {}
    if ground == exit_rules.PROBATION_FAILED and member.status == MemberStatus.PROBATIONARY:
        if vote_on is None or approvals is None:
            violations.append(
                _input(
                    "approvals",
                    "Ghi ngày chi bộ biểu quyết và số đảng viên chính thức tán thành đề nghị xóa tên.",
                )
            )
        else:
            counted = cell_vote(
                org=member.org,
                on=vote_on,
                approvals=approvals,
                rule=vote_rules.PROBATION_STRIKE_OFF_VOTE_SHARE,
                absent_exempted=absent_exempted,
                hint="Ba lần biểu quyết không đủ hai phần ba thì báo cáo cấp ủy cấp trên xem xét.",
            )
            violations += counted.violations
            if on and vote_on > on:
                violations.append(_input("vote_on", "Ngày chi bộ biểu quyết không thể sau ngày xóa tên."))
            vote = {"vote_on": vote_on.isoformat(), **counted.record(approvals)}
    if decision.on is None or not decision.number.strip():
        violations.append(
            _input("decision_no", "Ghi số và ngày quyết định xóa tên của cấp ủy có thẩm quyền.")
        )
    if ground == exit_rules.PROBATION_FAILED and member.status != MemberStatus.PROBATIONARY:
        violations.append(
            _input("ground", "Lý do «không đủ tư cách đảng viên chính thức» chỉ dùng cho đảng viên dự bị.")
        )
    if on:
        violations += exit_rules.check_strike_off(ground, on, requests_made)
    refuse_if(violations)
    data = {"ground": ground, "ground_label": exit_rules.STRIKE_OFF_GROUNDS.get(ground, ground), **vote}
    evidence = [e.data for e in hooks.strike_off_evidence(member, on=on) if e.ground == ground]
    if evidence:  # the records behind the ground (meetings: the months of unexcused absence)
        data["evidence"] = evidence
    if requests_made is not None:
        data["requests_made"] = requests_made
    if text.clean(note):
        data["note"] = text.clean(note)[:500]
    event = MemberEvent(
        kind=Kind.STRUCK_OFF,
        effective_on=on,
        recorded_by=actor,
        rule_version=exit_rules.STRIKE_OFF.at(on).ref,
        data=data,
        **decision.fields(),
    )
    return append_event(member, event)


@transaction.atomic
def member_resign(
    *, member: Member, on: date, decision: DecisionRef, note: str = "", actor=None
) -> MemberEvent:
    """Resignation (xin ra): only for a member with no pending discipline (RULES.md §2.6)."""
    member = _locked(member)
    violations = _common_checks(member, on)
    if decision.on is None or not decision.number.strip():
        violations.append(_input("decision_no", "Ghi số và ngày quyết định của cấp ủy có thẩm quyền."))
    if on:  # a disciplinary matter pending (the discipline app's open cases, members.hooks)
        violations += exit_rules.check_resignation(hooks.discipline_pending(member), on)
    refuse_if(violations)
    data = {"note": text.clean(note)[:500]} if text.clean(note) else {}
    event = MemberEvent(
        kind=Kind.RESIGNED,
        effective_on=on,
        recorded_by=actor,
        rule_version=exit_rules.RESIGNATION.at(on).ref,
        data=data,
        **decision.fields(),
    )
    return append_event(member, event)


def _exit_event(member: Member) -> MemberEvent | None:
    return (
        MemberEvent.objects.filter(member=member, kind__in=[Kind.STRUCK_OFF, Kind.RESIGNED, Kind.EXPELLED])
        .order_by("-effective_on", "-seq")
        .first()
    )


@transaction.atomic
def member_readmit(
    *,
    member: Member,
    cell: Org,
    decision: DecisionRef,
    ceremony_on: date,
    vote_on: date,
    provincial_consent: str,
    hardship: bool = False,
    expunged_on: date | None = None,
    actor=None,
) -> MemberEvent:
    """Readmission (kết nạp lại, RULES.md §2.6): 36 months or more after leaving, once only,
    never for the barred reasons, with the provincial Standing Committee's written consent,
    and a full probation again. Party age runs from the first admission less the time out."""
    member = _locked(member)
    violations: list[Violation] = []
    if member.status not in LEFT_STATUSES:
        violations.append(
            _input("vote_on", "Chỉ kết nạp lại người đã ra khỏi Đảng (xóa tên, xin ra, khai trừ).")
        )
    if decision.on is None or not decision.number.strip():
        violations.append(_input("decision_no", "Ghi số và ngày quyết định kết nạp lại."))
    elif ceremony_on < decision.on:
        violations.append(_input("ceremony_on", "Ngày lễ kết nạp không thể trước ngày quyết định."))
    elif decision.on < vote_on:
        violations.append(_input("decision_on", "Ngày quyết định không thể trước ngày chi bộ biểu quyết."))
    if ceremony_on > clock.today():
        violations.append(_input("ceremony_on", "Ngày lễ kết nạp không thể sau hôm nay."))
    violations += check_holder_org(cell, ceremony_on)
    exit_event = _exit_event(member)
    if member.status in LEFT_STATUSES and exit_event is not None:
        if exit_event.kind == Kind.STRUCK_OFF:
            reason = (exit_event.data or {}).get("ground", "")
        else:
            reason = exit_event.kind
        readmitted_before = MemberEvent.objects.filter(member=member, kind=Kind.READMITTED).count()
        violations += exit_rules.check_readmission(
            left_on=member.left_on or exit_event.effective_on,
            left_reason_code=reason,
            vote_on=vote_on,
            times_readmitted_before=readmitted_before,
            provincial_consent=provincial_consent,
            expunged_on=expunged_on,
            hardship=hardship,
        )
        violations += admission_rules.check_admission_age(birth_date=member.birth_date, vote_on=vote_on)
    refuse_if(violations)
    assert decision.on is not None  # refused above when missing
    event = MemberEvent(
        kind=Kind.READMITTED,
        effective_on=decision.on,
        to_org=cell,
        recorded_by=actor,
        rule_version=exit_rules.READMISSION.at(vote_on).ref,
        data={
            "ceremony_on": ceremony_on.isoformat(),
            "vote_on": vote_on.isoformat(),
            "provincial_consent": text.clean(provincial_consent)[:300],
            "hardship": hardship,
        },
        **decision.fields(),
    )
    return append_event(member, event)


@transaction.atomic
def member_restore(
    *, member: Member, on: date, decision: DecisionRef, note: str = "", actor=None
) -> MemberEvent:
    """Restoration after a wrongful exit decision (QĐ 117-QĐ/TW 2023): the member is again
    what they were, where they were, and their party age is continuous."""
    member = _locked(member)
    violations = _common_checks(member, on, active=False)
    if member.status not in LEFT_STATUSES:
        violations.append(
            _input("effective_on", "Chỉ phục hồi cho người đã bị xóa tên, khai trừ hoặc cho ra khỏi Đảng.")
        )
    if decision.on is None or not decision.number.strip():
        violations.append(
            _input("decision_no", "Ghi số và ngày quyết định hủy bỏ quyết định sai (cơ quan có thẩm quyền).")
        )
    refuse_if(violations)
    data = {"note": text.clean(note)[:500]} if text.clean(note) else {}
    event = MemberEvent(
        kind=Kind.RESTORED,
        effective_on=on,
        recorded_by=actor,
        rule_version=exit_rules.RESTORATION.at(on).ref,
        data=data,
        **decision.fields(),
    )
    return append_event(member, event)
