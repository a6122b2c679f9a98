"""What falls due (the to-do list): members' own deadlines — the cell's review for recognition,
transfers on either side, badges at the next award date — and those the apps of member work
add through ``members.hooks.register_due_source`` (``candidates``: the admission decision and
the ceremony; ``meetings``: the striking-off reviews of members absent without reason, which
have no deadline and are listed as matters to consider, ``review``). The to-do page, the ``dangbo todo`` command and the compliance checks of
overdue deadlines all read ``due_items``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, cast

from django.db.models import Count, Max

from dangbo.audit.services import Action, audit_record
from dangbo.core import clock, paths
from dangbo.core.prepared import planned_each_time
from dangbo.members import hooks
from dangbo.members.models import Member, MemberStatus, TransferCase
from dangbo.members.selectors.badges import badge_due
from dangbo.members.selectors.transfers import transfer_cases, transfer_cases_late
from dangbo.orgs.models import Org
from dangbo.orgs.selectors import NotInScope
from dangbo.reference.workdays import holidays_between
from dangbo.rules import badges as badge_rules
from dangbo.rules import orgs as org_rules
from dangbo.rules import transfers as transfer_rules
from dangbo.rules.probation import PROBATION_MONTHS, add_months, recognition_review_due

# A strike-off review (absences, unpaid dues) stays on the to-do list for a year after it arose;
# the list and its counts (``todo_counts``) both read this.
REVIEW_LISTED_FOR = timedelta(days=365)


@dataclass(frozen=True)
class DueItem:
    # "admission_decision" | "ceremony" | "recognition" | "badge" | "strike_off_review" (meetings:
    # absent without reason three months of a year), or one of TRANSFER_KINDS
    kind: str
    title: str
    org: Org
    member: Member | None
    due_on: date
    citation: str
    overdue: bool
    note: str = ""
    # a person not yet a member (the admission steps: a candidates.Candidate, which members may not import)
    candidate: Any = None
    # a matter to consider, with no deadline in the rules: never overdue; ``due_on`` is the day it arose
    review: bool = False

    @property
    def person_name(self) -> str:
        person = self.member or self.candidate
        return person.full_name if person else ""

    @property
    def sort_name(self) -> str:
        person = self.member or self.candidate
        return person.sort_key if person else ""


DUE_HORIZON_DAYS = 30

# what each kind of due item (``DueItem.kind``) is called in the overview's panel and in the counts
# of a large subtree's to-do page, in this order (kinds that share a label are added up)
DUE_KIND_LABELS = {
    "admission_decision": "Quyết định kết nạp",
    "ceremony": "Lễ kết nạp",
    "recognition": "Xét công nhận đảng viên chính thức",
    "badge": "Xét tặng Huy hiệu Đảng",
    "transfer": "Chuyển sinh hoạt đảng",
    "transfer_letter_late": "Chuyển sinh hoạt: nộp giấy giới thiệu trễ hạn",
    "transfer_arrival_late": "Chuyển sinh hoạt: đến trễ hạn",
    "cell_below_minimum": "Chi bộ dưới 3 đảng viên chính thức",
    "strike_off_review": "Vắng sinh hoạt không lý do, xem xét xóa tên",
    "dues_arrears": "Nợ đảng phí",
    "dues_strike_off_review": "Không đóng đảng phí, xem xét xóa tên",
    "dues_no_basis": "Chưa có căn cứ tính đảng phí",
    "rating_cell_step": "Chi bộ đánh giá, đề xuất xếp loại đảng viên",
    "rating_decision": "Cấp ủy cơ sở quyết định xếp loại đảng viên",
}


def recognition_candidates(org, *, until: date):
    """Probationary members of ``org``'s subtree whose review for recognition may fall due by
    ``until``: a review falls due after probation ends, so only ceremonies at least the
    probation (12 months) before ``until``."""
    return Member.objects.filter(
        paths.subtree_q(org.path, "org_path"),
        status=MemberStatus.PROBATIONARY,
        ceremony_on__lte=add_months(until, -PROBATION_MONTHS.value(until)),
    )


def deadline_holidays(ceremonies: list[date], *, as_of: date, until: date) -> set[date]:
    """The holidays every deadline of a to-do list needs, loaded once (from the earliest of
    ``ceremonies``, the recognition candidates' ceremonies, or a year before ``as_of``)."""
    earliest = min([*ceremonies, as_of - timedelta(days=366)])
    return holidays_between(earliest, until + timedelta(days=200))


@planned_each_time()  # a generic plan of these aggregates is slow (core.prepared, bench/results/page_cpu.md)
def due_items(
    *, actor, org, as_of: date | None = None, horizon_days: int = DUE_HORIZON_DAYS, audit: bool = True
) -> list[DueItem]:
    """What is overdue, and what falls due in the next ``horizon_days`` days, in ``org``'s
    subtree: the cell's review of probationary members for recognition (30 working days after
    the 12 months, RULES.md §2.3), transfers on either side (§2.5: open ones by the 30 working
    days to present the letter, late ones until their handling is recorded, cells a transfer
    leaves below three full members), the badges due at the next award date (§6), and what the
    registered due sources add (``members.hooks``; ``candidates``: admission decisions and
    ceremonies, 60 and 30 working days, §2.2). Oldest first."""
    if not actor.can_read_path(org.path):
        raise NotInScope(org.pk)
    as_of = as_of or clock.today()
    until = as_of + timedelta(days=horizon_days)
    items: list[DueItem] = []
    # the organizations read apart by their ids: joined, PostgreSQL hashed the whole table of
    # organizations for a province's hundred members (Hà Nội of the national profile: 50 ms)
    probationary = list(recognition_candidates(org, until=until).prefetch_related("org"))
    # ceremony_on is set on every member the filter on it returned
    holidays = deadline_holidays([cast(date, m.ceremony_on) for m in probationary], as_of=as_of, until=until)
    deadlines: dict[date, tuple[date, date, str]] = {}  # one per ceremony day, shared by its members
    for member in probationary:
        ceremony_on = cast(date, member.ceremony_on)
        if ceremony_on not in deadlines:
            deadlines[ceremony_on] = recognition_review_due(ceremony_on, holidays=holidays)
        ends, due, ref = deadlines[ceremony_on]
        if due <= until:
            items.append(
                DueItem(
                    kind="recognition",
                    title="Chi bộ xét công nhận đảng viên chính thức",
                    org=member.org,
                    member=member,
                    due_on=due,
                    citation=ref,
                    overdue=due < as_of,
                    note=f"hết 12 tháng dự bị ngày {ends:%d/%m/%Y}; nếu đủ điều kiện, là đảng viên chính thức từ ngày này",
                )
            )
    for source in hooks.due_sources():  # the apps of member work (members.hooks)
        items += source(actor, org, as_of=as_of, until=until, holidays=holidays)
    items += _transfer_due_items(actor, org, as_of=as_of, until=until, holidays=holidays)
    previous, award_on = badge_rules.award_days_around(as_of)
    # the last award day's list still unawarded (overdue), and the next one's within the window
    for day, overdue in ((previous, True), (award_on, False)):
        if day > until:
            continue
        regular, posthumous = badge_due(org, award_on=day, listed=True)  # the scope was checked above
        citation = badge_rules.BADGE_MILESTONES.at(day).ref
        for c in regular + posthumous:
            items.append(
                DueItem(
                    kind="badge",
                    title=f"Xét tặng Huy hiệu {c.years} năm tuổi đảng"
                    + (" (truy tặng)" if c.ground == badge_rules.Ground.POSTHUMOUS else ""),
                    org=c.member.org,
                    member=c.member,
                    due_on=day,
                    citation=citation,
                    overdue=overdue,
                    note=f"đủ {c.years} năm tuổi đảng ngày {c.reached_on:%d/%m/%Y}"
                    + (f"; chưa ghi nhận tặng trong đợt {day:%d/%m/%Y}" if overdue else ""),
                )
            )
    items.sort(key=lambda i: (i.due_on, i.kind, i.sort_name))
    if audit:
        due_items_viewed(org=org, as_of=as_of, rows=len(items))
    return items


def due_items_viewed(*, org, as_of: date, rows: int) -> None:
    """The audit row of a to-do list read (it names people): every view, computed or kept."""
    audit_record(
        action=Action.LIST_VIEWED,
        subject_type="org",
        subject_id=str(org.pk),
        data={"list": "todo", "as_of": as_of.isoformat(), "rows": rows},
    )


# due_items' kinds for transfers: open (the letter not yet presented), recorded late and not
# handled (letter, arrival), and a cell a confirmed transfer leaves below the minimum.
TRANSFER_KINDS = ("transfer", "transfer_letter_late", "transfer_arrival_late", "cell_below_minimum")


def _side(org, preferred, other):
    """The side of a transfer to list it under: ``preferred`` when it lies in ``org``'s subtree."""
    return preferred if paths.is_within(preferred.path, org.path) else other


def _late_note(case, reason: str, note: str) -> str:
    label = dict(transfer_rules.LATE_REASONS).get(reason, reason)
    return f"lý do: {label.lower()}" + (f" — {note}" if note else "")


def _transfer_due_items(actor, org, *, as_of: date, until: date, holidays) -> list[DueItem]:
    items: list[DueItem] = []
    present = transfer_rules.TRANSFER_PRESENT_WORKING_DAYS
    for case in transfer_cases(actor=actor, org=org).filter(issued_on__lte=as_of):
        present_by = transfer_rules.arrival_due(case.issued_on, holidays=holidays)
        if present_by <= until:
            items.append(
                DueItem(
                    kind="transfer",
                    title=f"Chuyển sinh hoạt đảng: {case.from_org.name} → {case.to_org.name}",
                    org=_side(org, case.to_org, case.from_org),
                    member=case.member,
                    due_on=present_by,
                    citation=present.at(case.issued_on).ref,
                    overdue=present_by < as_of,
                    note=f"giới thiệu ngày {case.issued_on:%d/%m/%Y}; đảng viên xuất trình giấy giới thiệu, nơi đến xác nhận tiếp nhận trước {present_by:%d/%m/%Y}",
                )
            )
    for case in transfer_cases_late(actor=actor, org=org).filter(issued_on__lte=as_of):
        if case.letter_late and case.trigger_on is not None:
            due = transfer_rules.letter_due(case.trigger_on, holidays=holidays)
            items.append(
                DueItem(
                    kind="transfer_letter_late",
                    title="Giới thiệu chuyển sinh hoạt đảng chậm hạn, chưa ghi nhận xử lý",
                    org=_side(org, case.from_org, case.to_org),
                    member=case.member,
                    due_on=due,
                    overdue=True,
                    citation=transfer_rules.TRANSFER_COMPLETE_WORKING_DAYS.at(case.trigger_on).ref,
                    note=(
                        f"{case.get_trigger_kind_display().lower()} ngày {case.trigger_on:%d/%m/%Y}; giới thiệu ngày {case.issued_on:%d/%m/%Y}; "
                        + _late_note(case, case.letter_late_reason, case.letter_late_note)
                    ),
                )
            )
        if case.arrival_late and case.arrived_on is not None and case.arrived_on <= as_of:
            due = transfer_rules.arrival_due(case.issued_on, holidays=holidays)
            items.append(
                DueItem(
                    kind="transfer_arrival_late",
                    title="Đảng viên xuất trình giấy giới thiệu chậm hạn, chưa ghi nhận xử lý",
                    org=_side(org, case.to_org, case.from_org),
                    member=case.member,
                    due_on=due,
                    overdue=True,
                    citation=present.at(case.issued_on).ref,
                    note=(
                        f"giới thiệu ngày {case.issued_on:%d/%m/%Y}, đến sinh hoạt ngày {case.arrived_on:%d/%m/%Y}; "
                        + _late_note(case, case.arrival_late_reason, case.arrival_late_note)
                    ),
                )
            )
    return items + below_minimum_items(org, as_of=as_of)


def below_minimum_items(org, *, as_of: date) -> list[DueItem]:
    """Cells a transfer was confirmed to leave below the minimum, while they stay below it
    (counting the full members still on their way out); compliance check 1 reports the same
    rule over every cell from today's counts. Read per cell warned, not per member."""
    items: list[DueItem] = []
    warned = (
        TransferCase.objects.filter(
            paths.subtree_q(org.path, "from_org__path"), leaves_below_minimum=True, issued_on__lte=as_of
        )
        .values_list("from_org_id")
        .annotate(last=Max("issued_on"))
        .order_by()
    )
    last_warned = dict(warned)
    if last_warned:
        full = dict(
            Member.objects.filter(org_id__in=list(last_warned), status=MemberStatus.FULL)
            .values_list("org_id")
            .annotate(n=Count("id"))
            .order_by()
        )
        leaving = dict(
            TransferCase.objects.filter(
                from_org_id__in=list(last_warned),
                state=TransferCase.State.OPEN,
                member__status=MemberStatus.FULL,
            )
            .values_list("from_org_id")
            .annotate(n=Count("id"))
            .order_by()
        )
        minimum = org_rules.MIN_FULL_MEMBERS.at(as_of)
        for cell in Org.objects.filter(pk__in=list(last_warned), dissolved_on__isnull=True).order_by("path"):
            remaining = full.get(cell.pk, 0) - leaving.get(cell.pk, 0)
            if remaining >= minimum.value:
                continue
            items.append(
                DueItem(
                    kind="cell_below_minimum",
                    title=f"Chi bộ dưới {minimum.value} đảng viên chính thức",
                    org=cell,
                    member=None,
                    due_on=last_warned[cell.pk],
                    citation=minimum.ref,
                    overdue=False,
                    note=(
                        f"{cell.name} còn {remaining} đảng viên chính thức (không kể đảng viên đang chuyển đi); "
                        "cấp ủy cấp trên cần bổ sung đảng viên hoặc hợp nhất chi bộ"
                    ),
                )
            )
    return items
