"""Party badges (RULES.md §6): awarded on time, early for serious illness, or posthumously."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from dangbo.core import clock
from dangbo.core.decisions import DecisionRef
from dangbo.members.models import Member, MemberEvent, MemberStatus
from dangbo.members.services import INPUT, append_event
from dangbo.rules import badges as badge_rules
from dangbo.rules import discipline as discipline_rules
from dangbo.rules.base import Violation, refuse_if

Kind = MemberEvent.Kind


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
    return append_event(member, event)
