"""The compliance checker: the rules of ``rules/`` run over the data as it stands (DESIGN.md
decision 3; RULES.md §1.3, §2.3, §9, §11).

Each check reuses the validator or the rule the services use, so a number lives only in
``rules/``; each finding names the rule it breaks and that rule's citation in force.

The checks, in the order they are reported:

1. ``org.min_full_members`` — a cell or grassroots organization with fewer full members
   than the Charter's minimum (``rules.orgs.check_formation``);
2. ``org.formation_approval`` — a grassroots cell that has reached the size of a grassroots
   committee, a grassroots committee below it, or a cell above it, without the superior's
   written approval (``check_formation``);
3. ``org.committee`` — what an organization's leadership lacks or exceeds: no secretary, a
   cell big enough to elect a committee without one, too large a committee, ...
   (``rules.positions.committee_gaps``, the function the organization page shows);
3a. ``org.grassroots_secretary`` — a grassroots organization (grassroots committee or
   grassroots cell; not one given upper-level rights) with no secretary on the day, by the
   positions' dates (``rules.positions.POSITION_KINDS``): the leaders' indicators leave it
   out. Check 3 then leaves the same gap to it;
4. ``member.probation_ended`` — probationary members whose 12 months (``rules.probation``)
   are over and who have no recognition decision;
5. ``deadline.overdue`` — other deadlines past (admission decision, ceremony, an open
   transfer whose letter was not presented in time), from ``members.selectors.todo.due_items``;
6. ``transfer.late`` — transfers recorded late (the letter more than 60 working days after
   its trigger, the arrival more than 30 after the letter) whose handling no officer has
   recorded yet, from the same ``due_items``;
7. ``target.hamlets_without_cell`` — hamlets and residential groups without a cell;
8. ``target.secretaries_theory`` — grassroots secretaries and deputies below intermediate
   political theory;
9. ``hamlet.head_record`` — hamlet heads whose record needs a look: ticked "is a member"
   before heads were linked to member records and not matched by the migration
   (``Locality.head_unmatched_note``), or linked to a member who has since died or left.

Everything is read with a few grouped queries over the root's subtree (members by
organization path and status, positions by organization and role), never one query per
organization, so a province of 500,000 members is checked in seconds.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Max, Q

from dangbo.core import clock, paths
from dangbo.core.kinds import CELL_KINDS, GRASSROOTS_KINDS
from dangbo.core.roles import Role
from dangbo.members.models import ACTIVE_STATUSES, Member, MemberStatus, Placement, Position
from dangbo.orgs.models import Locality, Org, OrgVersion
from dangbo.rules import REGISTRY
from dangbo.rules import admission as admission_rules
from dangbo.rules import orgs as org_rules
from dangbo.rules import positions as position_rules
from dangbo.rules import probation as probation_rules
from dangbo.rules import targets as target_rules
from dangbo.rules import transfers as transfer_rules
from dangbo.rules.base import Rule

UNKNOWN_SINCE = "không xác định"


@dataclass(frozen=True)
class Check:
    code: str
    title: str
    rules: tuple[Rule, ...]  # the rules the check applies (their citations head a check without findings)


CHECKS: tuple[Check, ...] = (
    Check(
        "org.min_full_members", "Không đủ số đảng viên chính thức tối thiểu", (org_rules.MIN_FULL_MEMBERS,)
    ),
    Check(
        "org.formation_approval",
        "Loại tổ chức không tương ứng số đảng viên, chưa có văn bản đồng ý của cấp trên",
        (org_rules.GRASSROOTS_COMMITTEE_THRESHOLD,),
    ),
    Check(
        "org.committee",
        "Cấp ủy, chi ủy, bí thư chưa kiện toàn đúng quy định",
        (position_rules.POSITION_KINDS, org_rules.CELL_COMMITTEE_THRESHOLD, org_rules.CELL_COMMITTEE_MAX),
    ),
    Check(
        "org.grassroots_secretary",
        "Tổ chức cơ sở đảng không có bí thư",
        (position_rules.POSITION_KINDS,),
    ),
    Check(
        "member.probation_ended",
        "Hết thời gian dự bị, chưa có quyết định công nhận đảng viên chính thức",
        (probation_rules.PROBATION_MONTHS,),
    ),
    Check(
        "deadline.overdue",
        "Quá thời hạn giải quyết (kết nạp, lễ kết nạp, chuyển sinh hoạt đảng)",
        (
            admission_rules.ADMISSION_DECISION_WORKING_DAYS,
            admission_rules.CEREMONY_WORKING_DAYS,
            transfer_rules.TRANSFER_PRESENT_WORKING_DAYS,
        ),
    ),
    Check(
        "transfer.late",
        "Chuyển sinh hoạt đảng chậm hạn, chưa ghi nhận xử lý",
        (transfer_rules.TRANSFER_COMPLETE_WORKING_DAYS, transfer_rules.TRANSFER_PRESENT_WORKING_DAYS),
    ),
    Check(
        "target.hamlets_without_cell", "Thôn, tổ dân phố chưa có chi bộ", (target_rules.HAMLETS_WITHOUT_CELL,)
    ),
    Check(
        "target.secretaries_theory",
        "Bí thư, phó bí thư cấp cơ sở chưa có trình độ lý luận chính trị từ trung cấp trở lên",
        (target_rules.SECRETARIES_THEORY,),
    ),
    Check(
        "hamlet.head_record",
        "Trưởng thôn, tổ trưởng cần xem lại hồ sơ (chưa khớp hồ sơ đảng viên, hoặc đã từ trần, ra khỏi Đảng)",
        (target_rules.HAMLET_HEADS_MEMBERS,),
    ),
)
CHECK_TITLES = {check.code: check.title for check in CHECKS}
_ORDER = {check.code: number for number, check in enumerate(CHECKS)}

# check_formation's violations, by rule, to the check that reports them.
_FORMATION_CHECKS = {
    org_rules.MIN_FULL_MEMBERS.code: "org.min_full_members",
    org_rules.GRASSROOTS_COMMITTEE_THRESHOLD.code: "org.formation_approval",
}
# due_items' kinds reported as overdue deadlines, with the rule each deadline comes from.
# ("recognition" is check 4; badges are never overdue; a cell left below the minimum is check 1.)
_DEADLINE_RULES = {
    "admission_decision": admission_rules.ADMISSION_DECISION_WORKING_DAYS,
    "ceremony": admission_rules.CEREMONY_WORKING_DAYS,
    "transfer": transfer_rules.TRANSFER_PRESENT_WORKING_DAYS,
}
# due_items' kinds of transfers recorded late and not yet handled (check 6).
_LATE_TRANSFER_RULES = {
    "transfer_letter_late": transfer_rules.TRANSFER_COMPLETE_WORKING_DAYS,
    "transfer_arrival_late": transfer_rules.TRANSFER_PRESENT_WORKING_DAYS,
}
_CHUNK = 500  # ids per IN (...) list, well under SQLite's limit on query parameters


@dataclass(frozen=True)
class Finding:
    """One rule broken by the data as it stands."""

    check: str
    title: str
    org: Org
    member: Member | None
    message: str
    rule: str
    citation: str
    since: date | None  # since when the violation holds, as far as the records tell
    locality: Locality | None = None
    candidate: object | None = None  # a person in the admission procedure (overdue decision, ceremony)

    @property
    def person_name(self) -> str:
        person = self.member or self.candidate
        return person.full_name if person is not None else ""

    @property
    def since_text(self) -> str:
        return f"{self.since:%d/%m/%Y}" if self.since else UNKNOWN_SINCE

    def as_dict(self) -> dict:
        return {
            "check": self.check,
            "title": self.title,
            "org_id": str(self.org.pk),
            "org_code": self.org.code,
            "org_name": self.org.name,
            "member_id": str(self.member.pk) if self.member is not None else None,
            "member_name": self.member.full_name if self.member is not None else None,
            "candidate_id": str(self.candidate.pk) if self.candidate is not None else None,
            "candidate_name": self.candidate.full_name if self.candidate is not None else None,
            "locality_id": str(self.locality.pk) if self.locality is not None else None,
            "locality_code": self.locality.code if self.locality is not None else None,
            "locality_name": str(self.locality) if self.locality is not None else None,
            "message": self.message,
            "rule": self.rule,
            "citation": self.citation,
            "since": self.since.isoformat() if self.since else None,
        }


def _d(day: date) -> str:
    return f"{day:%d/%m/%Y}"


def _chunks(items: list, size: int = _CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _system_scope():
    """The whole installation (the command line; ``actor=None``)."""
    from dangbo.accounts.scope import Scope

    return Scope(user_id=None, username="dòng lệnh", is_admin=True)


# --- counting -------------------------------------------------------------------------------


@dataclass
class _Counts:
    members: int = 0  # probationary and full (đảng số)
    full: int = 0


def _member_counts(root: Org) -> tuple[dict[str, _Counts], dict[str, _Counts]]:
    """Active members by organization path: (of the organization itself, of its whole subtree).

    One grouped query on (org_path, status), which the ``member_path_status_figures``
    index answers by itself on PostgreSQL; the subtree figures are rolled up in Python."""
    own: dict[str, _Counts] = defaultdict(_Counts)
    subtree: dict[str, _Counts] = defaultdict(_Counts)
    groups = (
        Member.objects.filter(paths.subtree_q(root.path, "org_path"), status__in=ACTIVE_STATUSES)
        .values_list("org_path", "status")
        .annotate(n=Count("status"))
        .order_by()
    )
    for org_path, status, n in groups:
        full = n if status == MemberStatus.FULL else 0
        own[org_path].members += n
        own[org_path].full += full
        for ancestor in paths.ancestor_paths(org_path):
            if ancestor.startswith(root.path):
                subtree[ancestor].members += n
                subtree[ancestor].full += full
    return own, subtree


def _position_holders(root: Org) -> dict[object, dict[str, int]]:
    """Current positions by organization and role (one grouped query)."""
    holders: dict[object, dict[str, int]] = defaultdict(dict)
    rows = (
        Position.objects.filter(paths.subtree_q(root.path, "org__path"), ended_on__isnull=True)
        .values_list("org_id", "role")
        .annotate(n=Count("id"))
        .order_by()
    )
    for org_id, role, n in rows:
        holders[org_id][role] = n
    return holders


def _latest_changes(
    root: Org, flagged: list[Org], live: list[Org], today: date, *, own: bool = False
) -> dict[object, date]:
    """For each flagged organization, the last day (up to ``today``) its situation changed:
    a member joining or leaving a cell of its subtree or changing status (the counted
    placements), a version of an organization of its subtree starting or ending
    (establishment, kind change, move, merge). With ``own``, only the organization itself
    counts (its own members and versions), and its positions starting or ending too: what a
    committee's composition depends on. The violation holds at least since that day."""
    if not flagged:
        return {}
    by_path = {org.path: org.pk for org in flagged}

    def flagged_above(path: str) -> list:
        if own:
            return [by_path[path]] if path in by_path else []
        return [by_path[p] for p in paths.ancestor_paths(path) if p in by_path]

    latest: dict[object, date] = {}

    def bump(org_ids, day: date | None) -> None:
        if day is None or day > today:
            return
        for org_id in org_ids:
            if org_id not in latest or day > latest[org_id]:
                latest[org_id] = day

    related = {org.pk: flagged_above(org.path) for org in live}
    related = {org_id: above for org_id, above in related.items() if above}
    not_future = {
        "a": Max("valid_from", filter=Q(valid_from__lte=today)),
        "b": Max("valid_to", filter=Q(valid_to__lte=today)),
    }
    for chunk in _chunks(list(related)):
        rows = (
            Placement.objects.filter(org_id__in=chunk, counted=True)
            .values_list("org_id")
            .annotate(**not_future)
            .order_by()
        )
        for org_id, started, ended in rows.values_list("org_id", "a", "b"):
            bump(related[org_id], started)
            bump(related[org_id], ended)
    # Versions by the path they had, so an organization moved out of the subtree counts too.
    versions = (
        OrgVersion.objects.filter(paths.subtree_q(root.path))
        .values_list("path")
        .annotate(**not_future)
        .order_by()
    )
    for path, started, ended in versions.values_list("path", "a", "b"):
        above = flagged_above(path)
        if above:
            bump(above, started)
            bump(above, ended)
    if own:
        position_dates = {
            "a": Max("started_on", filter=Q(started_on__lte=today)),
            "b": Max("ended_on", filter=Q(ended_on__lte=today)),
        }
        for chunk in _chunks([org.pk for org in flagged]):
            rows = (
                Position.objects.filter(org_id__in=chunk)
                .values_list("org_id")
                .annotate(**position_dates)
                .order_by()
            )
            for org_id, started, ended in rows.values_list("org_id", "a", "b"):
                bump([org_id], started)
                bump([org_id], ended)
    for org in flagged:  # nothing changed since it was established
        latest.setdefault(org.pk, org.created_on if org.created_on <= today else None)
    return latest


# --- the checks -------------------------------------------------------------------------------


def _check_formation(root: Org, live: list[Org], subtree: dict[str, _Counts], today: date) -> list[Finding]:
    """Checks 1 and 2: rules.orgs.check_formation on every cell and grassroots organization."""
    hits: list[tuple[Org, object]] = []
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
    hits: list[tuple[Org, object]] = []
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
    from dangbo.reference.workdays import holidays_between

    # Probation lasts 12 months, at least 365 days: a cheap bound before the exact end date.
    shortest = timedelta(days=365)
    rows = list(
        Member.objects.filter(
            paths.subtree_q(root.path, "org_path"),
            status=MemberStatus.PROBATIONARY,
            ceremony_on__lt=today - shortest,
        ).select_related("org")
    )
    rows = [m for m in rows if probation_rules.probation_end(m.ceremony_on).on < today]
    if not rows:
        return []
    earliest = min(m.ceremony_on for m in rows)
    holidays = holidays_between(earliest, today + timedelta(days=100))
    findings = []
    rule = probation_rules.PROBATION_MONTHS
    for member in rows:
        version = rule.at(member.ceremony_on)
        ends, review_due, _ = probation_rules.recognition_review_due(member.ceremony_on, holidays=holidays)
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
                    f"Lễ kết nạp ngày {_d(member.ceremony_on)}; đã hết {version.value} tháng dự bị ngày {_d(ends)} "
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
    """Checks 5 and 6: what members.selectors.todo.due_items reports as overdue (recognition is
    check 4), and the transfers recorded late whose handling is not recorded."""
    from dangbo.members.selectors.todo import due_items

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
            message = f"{locality} ({locality.commune.name}): chi bộ phụ trách «{locality.cell.name}» đã giải thể ngày {_d(locality.cell.dissolved_on)}."
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
            member = locality.head_member
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
    from dangbo.orgs.selectors import NotInScope

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


# --- reports ----------------------------------------------------------------------------------


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


def compliance_summary(
    findings: Iterable[Finding], *, on: date | None = None
) -> list[tuple[str, str, int, str]]:
    """(check code, title, number of findings, citations) for every check, in check order; a
    check without findings cites the rules it applies, as in force on ``on`` (today)."""
    on = on or clock.today()
    by_check: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        by_check[finding.check].append(finding)
    summary = []
    for check in CHECKS:
        found = by_check.get(check.code, [])
        citations = _unique(f.citation for f in found) or _unique(
            rule.at(on).citation for rule in check.rules
        )
        summary.append((check.code, check.title, len(found), "; ".join(citations)))
    return summary


HEADER = [
    "STT",
    "Kiểm tra",
    "Tổ chức",
    "Mã tổ chức",
    "Đảng viên",
    "Nội dung",
    "Quy định",
    "Căn cứ",
    "Từ ngày",
]
WIDTHS = (
    (0, 0, 6),
    (1, 1, 30),
    (2, 2, 30),
    (3, 3, 12),
    (4, 4, 24),
    (5, 5, 70),
    (6, 6, 40),
    (7, 7, 40),
    (8, 8, 14),
)


def _rule_title(code: str) -> str:
    rule = REGISTRY.get(code)
    return rule.title if rule is not None else code


def compliance_rows(findings: Iterable[Finding]) -> Iterator[list[str]]:
    """The findings as spreadsheet rows under ``HEADER`` (for web.pages.spreadsheet_download)."""
    for number, f in enumerate(findings, start=1):
        person = f.person_name
        if f.candidate is not None and f.member is None:
            person += " (người vào Đảng)"
        org_name = f"{f.org.name} — {f.locality}" if f.locality is not None else f.org.name
        yield [
            str(number),
            f.title,
            org_name,
            f.org.code,
            person,
            f.message,
            _rule_title(f.rule),
            f.citation,
            f.since_text,
        ]


def compliance_xlsx(findings: Iterable[Finding], *, title: str):
    """The findings as an XLSX workbook (a file object, read from the start)."""
    from dangbo.core.spreadsheet import xlsx_file

    return xlsx_file(
        HEADER, compliance_rows(findings), title=title, sheet_name="Kiểm tra tuân thủ", widths=WIDTHS
    )


def compliance_text(findings: Iterable[Finding], *, title: str = "", on: date | None = None) -> str:
    """A plain-text report: the count of each check, then one line per finding."""
    findings = list(findings)
    lines = [title or "Kiểm tra tuân thủ quy định"]
    lines.append(f"Tổng số: {len(findings)} vấn đề cần xử lý." if findings else "Không phát hiện vấn đề nào.")
    lines.append("")
    lines.append("Tổng hợp theo nội dung kiểm tra:")
    for number, (_, check_title, count, citation) in enumerate(compliance_summary(findings, on=on), start=1):
        lines.append(f"  {number}. {check_title}: {count}. Căn cứ: {citation}")
    current = None
    for f in findings:
        if f.check != current:
            current = f.check
            lines += ["", f"{CHECK_TITLES[f.check]}:"]
        where = f"{f.org.name} ({f.org.code})"
        if f.locality is not None:
            where += f", {f.locality}"
        who = f" — {f.person_name}" if f.person_name else ""
        lines.append(f"  - {where}{who}: {f.message} Từ ngày: {f.since_text}. Căn cứ: {f.citation}")
    return "\n".join(lines) + "\n"
