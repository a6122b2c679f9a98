"""The compliance checks themselves, 1 to 9 in the package docstring's order, each applying the
validator or rule the services use, and ``compliance_run``, which runs them all over a subtree
and sorts the findings."""

from __future__ import annotations

from datetime import date, timedelta
from typing import cast

from django.db.models import Max, Q

from dangbo.core import clock, paths
from dangbo.core.kinds import CELL_KINDS, GRASSROOTS_KINDS
from dangbo.core.roles import Role
from dangbo.core.violations import Violation
from dangbo.members.models import ACTIVE_STATUSES, Member, MemberStatus, Position
from dangbo.members.selectors.todo import due_items
from dangbo.orgs.models import Locality, Org
from dangbo.orgs.selectors import NotInScope
from dangbo.reference.workdays import holidays_between
from dangbo.rules import orgs as org_rules
from dangbo.rules import positions as position_rules
from dangbo.rules import probation as probation_rules
from dangbo.rules import targets as target_rules
from dangbo.rules.base import Rule
from dangbo.stats.compliance.counting import _Counts, _latest_changes, _member_counts, _position_holders
from dangbo.stats.compliance.shapes import (
    _DEADLINE_RULES,
    _FORMATION_CHECKS,
    _LATE_TRANSFER_RULES,
    _ORDER,
    CHECK_TITLES,
    Finding,
    _d,
    _system_scope,
)


def _check_formation(root: Org, live: list[Org], subtree: dict[str, _Counts], today: date) -> list[Finding]:
    """Checks 1 and 2: rules.orgs.check_formation on every cell and grassroots organization."""
    hits: list[tuple[Org, Violation]] = []
    for org in live:
        if org.kind not in CELL_KINDS | GRASSROOTS_KINDS:
            continue
        counts = subtree.get(org.path, _Counts())
        for violation in org_rules.check_formation(
            kind=org.kind,
            members=counts.members,
            full_members=counts.full,
            on=today,
            approval_ref=org.formation_approval,
        ):
            hits.append((org, violation))
    since = _latest_changes(root, list({org.pk: org for org, _ in hits}.values()), live, today)
    findings = []
    for org, violation in hits:
        check = _FORMATION_CHECKS.get(violation.rule, "org.formation_approval")
        findings.append(
            Finding(
                check=check,
                title=CHECK_TITLES[check],
                org=org,
                member=None,
                message=violation.message,
                rule=violation.rule,
                citation=violation.citation,
                since=since.get(org.pk),
            )
        )
    return findings


def _grassroots_without_secretary_check(org: Org) -> bool:
    """Whether check 3a, not check 3, reports ``org`` lacking a secretary."""
    return org.kind in GRASSROOTS_KINDS and not org.has_upper_rights


def _check_committees(root: Org, live: list[Org], own: dict[str, _Counts], today: date) -> list[Finding]:
    """Check 3: rules.positions.committee_gaps (the organization page's warnings) for every
    live organization, from one grouped query of positions."""
    holders = _position_holders(root)
    hits: list[tuple[Org, Violation]] = []
    for org in live:
        full = own.get(org.path, _Counts()).full if org.kind in CELL_KINDS else None
        org_holders = holders.get(org.pk, {})
        for gap in position_rules.committee_gaps(
            org_kind=org.kind, on=today, holders=org_holders, full_members=full
        ):
            if (
                _grassroots_without_secretary_check(org)
                and not org_holders.get(Role.SECRETARY)
                and gap.rule == position_rules.POSITION_KINDS.code
                and "bí thư" in gap.message
            ):
                continue  # check 3a reports it, with the day's positions
            hits.append((org, gap))
    since = _latest_changes(root, list({org.pk: org for org, _ in hits}.values()), live, today, own=True)
    return [
        Finding(
            check="org.committee",
            title=CHECK_TITLES["org.committee"],
            org=org,
            member=None,
            message=gap.message,
            rule=gap.rule,
            citation=gap.citation,
            since=since.get(org.pk),
        )
        for org, gap in hits
    ]


def _check_grassroots_secretaries(root: Org, live: list[Org], today: date) -> list[Finding]:
    """Check 3a: grassroots organizations (not those given upper-level rights) that have no
    secretary on ``today``, by the positions' dates; since the last secretary's position
    ended, or since the organization was established."""
    grassroots = [org for org in live if _grassroots_without_secretary_check(org) and org.created_on <= today]
    if not grassroots:
        return []
    secretaries = Position.objects.filter(paths.subtree_q(root.path, "org__path"), role=Role.SECRETARY)
    held = set(
        secretaries.filter(started_on__lte=today)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=today))
        .values_list("org_id", flat=True)
        .distinct()
    )
    missing = [org for org in grassroots if org.pk not in held]
    if not missing:
        return []
    last_ended = dict(
        secretaries.filter(ended_on__lte=today)
        .values_list("org_id")
        .annotate(last=Max("ended_on"))
        .order_by()
        .values_list("org_id", "last")
    )
    rule = position_rules.POSITION_KINDS
    version = rule.at(today)
    findings = []
    for org in missing:
        since = max(filter(None, (last_ended.get(org.pk), org.created_on)))
        findings.append(
            Finding(
                check="org.grassroots_secretary",
                title=CHECK_TITLES["org.grassroots_secretary"],
                org=org,
                member=None,
                message=f"{org.name} không có bí thư ngày {_d(today)} (từ {_d(since)}); cần bầu hoặc chỉ định bí thư.",
                rule=rule.code,
                citation=version.citation,
                since=since,
            )
        )
    return findings


def _check_probation(root: Org, today: date) -> list[Finding]:
    """Check 4: probationary members past their probation (rules.probation) without a recognition decision."""

    # Probation lasts 12 months, at least 365 days: a cheap bound before the exact end date.
    shortest = timedelta(days=365)
    rows = list(
        Member.objects.filter(
            paths.subtree_q(root.path, "org_path"),
            status=MemberStatus.PROBATIONARY,
            ceremony_on__lt=today - shortest,
        ).select_related("org")
    )
    # ceremony_on is set on every member the filter on it returned
    rows = [m for m in rows if probation_rules.probation_end(cast(date, m.ceremony_on)).on < today]
    if not rows:
        return []
    earliest = min(cast(date, m.ceremony_on) for m in rows)
    holidays = holidays_between(earliest, today + timedelta(days=100))
    findings = []
    rule = probation_rules.PROBATION_MONTHS
    for member in rows:
        ceremony_on = cast(date, member.ceremony_on)
        version = rule.at(ceremony_on)
        ends, review_due, _ = probation_rules.recognition_review_due(ceremony_on, holidays=holidays)
        late = (
            f"hạn chi bộ xét công nhận là {_d(review_due)}, đã quá {(today - review_due).days} ngày"
            if review_due < today
            else f"chi bộ cần xét công nhận chậm nhất ngày {_d(review_due)}"
        )
        findings.append(
            Finding(
                check="member.probation_ended",
                title=CHECK_TITLES["member.probation_ended"],
                org=member.org,
                member=member,
                message=(
                    f"Lễ kết nạp ngày {_d(ceremony_on)}; đã hết {version.value} tháng dự bị ngày {_d(ends)} "
                    f"({(today - ends).days} ngày trước) nhưng chưa có quyết định công nhận đảng viên chính thức; {late}."
                ),
                rule=rule.code,
                citation=version.citation,
                since=ends + timedelta(days=1),
            )
        )
    return findings


def _citation_of(rule: Rule, ref: str, today: date) -> str:
    """The citation of the rule version whose reference a deadline carries (else the one in force)."""
    for version in rule.versions:
        if version.ref == ref or version.citation == ref:
            return version.citation
    return rule.at(today).citation


def _check_deadlines(root: Org, today: date, actor) -> list[Finding]:
    """Checks 5 and 6: what members.selectors.due_items reports as overdue (recognition is
    check 4), and the transfers recorded late whose handling is not recorded."""

    # horizon 0: only what is due by today (overdue items are all before it); skips the badge lists.
    items = due_items(actor=actor, org=root, as_of=today, horizon_days=0, audit=False)
    findings = []
    for item in items:
        late_rule = _LATE_TRANSFER_RULES.get(item.kind)
        rule = _DEADLINE_RULES.get(item.kind) or late_rule
        if rule is None or not item.overdue:
            continue
        org = item.org
        if not paths.is_within(org.path, root.path) and item.member is not None:
            org = item.member.org  # an outgoing transfer: reported where the member still belongs
        who = f" — {item.person_name}" if item.person_name else ""
        check = "transfer.late" if late_rule is not None else "deadline.overdue"
        if late_rule is not None:
            message = f"{item.title}{who}: hạn {_d(item.due_on)}; {item.note}."
        else:
            message = f"{item.title}{who}: hạn {_d(item.due_on)}, đã quá {(today - item.due_on).days} ngày; {item.note}."
        findings.append(
            Finding(
                check=check,
                title=CHECK_TITLES[check],
                org=org,
                member=item.member,
                candidate=item.candidate,
                message=message,
                rule=rule.code,
                citation=_citation_of(rule, item.citation, today),
                since=item.due_on + timedelta(days=1),
            )
        )
    return findings


def _check_hamlets(root: Org, today: date) -> list[Finding]:
    """Check 7: hamlets and residential groups of the subtree's communes without a (live) cell."""
    rule = target_rules.HAMLETS_WITHOUT_CELL
    version = rule.at(today)
    rows = (
        Locality.objects.filter(paths.subtree_q(root.path, "commune_path"), dissolved_on__isnull=True)
        .filter(Q(cell__isnull=True) | Q(cell__dissolved_on__isnull=False))
        .select_related("commune", "cell")
        .order_by("commune_path", "name")
    )
    findings = []
    for locality in rows:
        if locality.cell is None:
            message, since = f"{locality} ({locality.commune.name}) chưa có chi bộ phụ trách.", None
        else:
            message = f"{locality} ({locality.commune.name}): chi bộ phụ trách «{locality.cell.name}» đã giải thể ngày {_d(cast(date, locality.cell.dissolved_on))}."
            since = locality.cell.dissolved_on
        findings.append(
            Finding(
                check="target.hamlets_without_cell",
                title=CHECK_TITLES["target.hamlets_without_cell"],
                org=locality.commune,
                member=None,
                locality=locality,
                message=f"{message} Mục tiêu: {version.value.wording} (năm {version.value.year}).",
                rule=rule.code,
                citation=version.citation,
                since=since,
            )
        )
    return findings


def _check_hamlet_heads(root: Org, today: date) -> list[Finding]:
    """Check 8: heads the migration could not match to a member record, and heads linked to
    a member who is no longer one (they no longer count as members)."""
    rule = target_rules.HAMLET_HEADS_MEMBERS
    version = rule.at(today)
    rows = (
        Locality.objects.filter(paths.subtree_q(root.path, "commune_path"), dissolved_on__isnull=True)
        .filter(
            ~Q(head_unmatched_note="")
            | (Q(head_member__isnull=False) & ~Q(head_member__status__in=list(ACTIVE_STATUSES)))
        )
        .select_related("commune", "head_member")
        .order_by("commune_path", "name")
    )
    findings = []
    for locality in rows:
        if locality.head_unmatched_note:
            message = f"{locality} ({locality.commune.name}): {locality.head_unmatched_note}"
            member = None
        else:
            member = cast(Member, locality.head_member)  # the query keeps hamlets whose head is a member
            message = (
                f"{locality} ({locality.commune.name}): trưởng thôn, tổ trưởng {member.full_name} "
                f"— {member.get_status_display().lower()}; không còn tính là đảng viên, cần ghi lại trưởng thôn."
            )
        findings.append(
            Finding(
                check="hamlet.head_record",
                title=CHECK_TITLES["hamlet.head_record"],
                org=locality.commune,
                member=member,
                locality=locality,
                message=message,
                rule=rule.code,
                citation=version.citation,
                since=None,
            )
        )
    return findings


def _check_secretaries_theory(root: Org, today: date) -> list[Finding]:
    """Check 8: grassroots secretaries and deputies below intermediate political theory."""
    rule = target_rules.SECRETARIES_THEORY
    version = rule.at(today)
    levels = target_rules.THEORY_INTERMEDIATE_OR_ABOVE
    rows = (
        Position.objects.filter(
            paths.subtree_q(root.path, "org__path"),
            ended_on__isnull=True,
            role__in=[Role.SECRETARY, Role.DEPUTY_SECRETARY],
            org__kind__in=list(GRASSROOTS_KINDS),
            org__dissolved_on__isnull=True,
            member__status__in=list(ACTIVE_STATUSES),
        )
        .filter(Q(member__theory_level__isnull=True) | ~Q(member__theory_level_id__in=list(levels)))
        .select_related("org", "member", "member__org", "member__theory_level")
    )
    findings = []
    for position in rows:
        member = position.member
        level = member.theory_level.name.lower() if member.theory_level else "chưa ghi nhận"
        findings.append(
            Finding(
                check="target.secretaries_theory",
                title=CHECK_TITLES["target.secretaries_theory"],
                org=position.org,
                member=member,
                message=(
                    f"{position.get_role_display()} {position.org.name} (từ {_d(position.started_on)}): trình độ lý luận chính trị "
                    f"{level}, chưa đạt trung cấp trở lên. Mục tiêu: {version.value.wording} (năm {version.value.year})."
                ),
                rule=rule.code,
                citation=version.citation,
                since=position.started_on if position.started_on <= today else None,
            )
        )
    return findings


def _sort_key(finding: Finding):
    person = finding.member or finding.candidate
    return (
        _ORDER[finding.check],
        finding.org.path,
        finding.locality.name if finding.locality is not None else "",
        person.sort_key if person is not None else "",
        finding.message,
    )


def compliance_run(*, root: Org, today: date | None = None, actor=None) -> list[Finding]:
    """Every check over the live data of ``root``'s subtree, sorted by check then organization.

    ``actor`` is the acting user's Scope (the root must lie in it); ``None`` means the whole
    installation, as on the command line. Nothing here is audited: the caller records the
    list it shows or exports."""
    today = today or clock.today()
    actor = actor if actor is not None else _system_scope()
    if not actor.can_read_path(root.path):
        raise NotInScope(root.pk)
    live = list(Org.objects.filter(paths.subtree_q(root.path), dissolved_on__isnull=True).order_by("path"))
    own, subtree = _member_counts(root)
    findings: list[Finding] = []
    findings += _check_formation(root, live, subtree, today)
    findings += _check_committees(root, live, own, today)
    findings += _check_grassroots_secretaries(root, live, today)
    findings += _check_probation(root, today)
    findings += _check_deadlines(root, today, actor)
    findings += _check_hamlets(root, today)
    findings += _check_secretaries_theory(root, today)
    findings += _check_hamlet_heads(root, today)
    findings.sort(key=_sort_key)
    return findings
