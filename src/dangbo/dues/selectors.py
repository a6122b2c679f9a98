"""Reads of dues, scoped to the actor's subtrees: a member's own account, the collection book of
a cell or grassroots organization for a month (sổ thu nộp đảng phí), and the summary of a
higher level (what was owed, collected, kept and remitted, by sub-organization).

The book reads the monthly accounts (``DuesMonth``) and the payments of the month, never
recomputes them; the summary reads the cells' monthly sums (``DuesCellMonth``, ``dues.sums``),
one row per cell, and its kept and remitted come from ``dues.flows`` with the shares of the
month (``dues.schedule``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from uuid import UUID

from django.db.models import Count, F, Q, Sum

from dangbo.audit.services import Action, audit_record
from dangbo.core import paths
from dangbo.core.kinds import CELL_KINDS
from dangbo.core.violations import NotInScope
from dangbo.dues.flows import Node, flow
from dangbo.dues.models import UNPAID_ROWS, DuesBasis, DuesCellMonth, DuesMonth, DuesPayment, DuesRelief
from dangbo.dues.schedule import Applied, Settings
from dangbo.members.models import ACTIVE_STATUSES, Member, Placement
from dangbo.orgs.models import Org
from dangbo.rules.dues import Category, ReliefGround, ReliefKind, Schedule, Shares
from dangbo.rules.probation import add_months

UNPAID = UNPAID_ROWS  # one definition, the partial index's condition (dues.models)


def month_range(month: date) -> tuple[date, date]:
    first = month.replace(day=1)
    return first, add_months(first, 1) - timedelta(days=1)


def _require_read(actor, org: Org) -> None:
    if not actor.can_read_path(org.path):
        raise NotInScope(org.pk)


# --- a member's own account ------------------------------------------------------------------


@dataclass
class MemberAccount:
    member: Member
    months: list[DuesMonth]
    payments: list[DuesPayment]
    reliefs: list[DuesRelief]
    bases: list[DuesBasis]

    @property
    def owed_total(self) -> int:
        return sum(m.due for m in self.months if m.owed)

    @property
    def paid_total(self) -> int:
        return sum(m.paid for m in self.months)

    @property
    def unpaid_months(self) -> list[DuesMonth]:
        return [m for m in self.months if m.unpaid]


def member_account(*, actor, member: Member) -> MemberAccount:
    """Everything recorded about ``member``'s dues, for the member themself or within the
    actor's subtrees; audited as a read of the person's history."""
    if not actor.can_read_member(member):
        raise NotInScope(member.pk)
    account = MemberAccount(
        member=member,
        months=list(DuesMonth.objects.filter(member=member).select_related("org").order_by("-month")),
        payments=list(
            DuesPayment.objects.filter(member=member)
            .select_related("org", "reverses")
            .order_by("-paid_on", "-recorded_at")
        ),
        reliefs=list(DuesRelief.objects.filter(member=member).order_by("-first_month")),
        bases=list(DuesBasis.objects.filter(member=member).order_by("-valid_from", "-recorded_at")),
    )
    audit_record(
        action=Action.MEMBER_HISTORY_VIEWED,
        subject_type="member",
        subject_id=str(member.pk),
        data={"history": "dues", "months": len(account.months), "payments": len(account.payments)},
    )
    return account


# --- the collection book of a cell or grassroots organization ----------------------------------


@dataclass
class BookLine:
    member_id: UUID
    name: str
    sort_key: bytes | str
    org_id: UUID
    category: str = ""  # "" when the member has no basis (no account for the month)
    income: int = 0
    due: int | None = None  # None: no basis recorded, the amount cannot be known
    relief_kind: str = ""
    relief_ground: str = ""
    paid: int = 0  # the payments that cover this month
    collected: int = 0  # received in this month, for whatever months
    receipts: list[str] = field(default_factory=list)
    arrears_months: int = 0  # unpaid months of the year up to this one
    arrears: int = 0  # their amount

    @property
    def category_label(self) -> str:
        return Category.SHORT.get(self.category, "Chưa có căn cứ")

    @property
    def relief_label(self) -> str:
        if not self.relief_kind:
            return ""
        ground = ReliefGround.LABELS.get(self.relief_ground, "")
        return (
            f"{ReliefKind.LABELS[self.relief_kind]}: {ground}"
            if ground
            else ReliefKind.LABELS[self.relief_kind]
        )


@dataclass
class Book:
    org: Org
    month: date
    cells: dict[UUID, Org]
    lines: list[BookLine]
    schedule: Applied[Schedule]

    @property
    def due(self) -> int:
        return sum(line.due or 0 for line in self.lines)

    @property
    def paid(self) -> int:
        return sum(line.paid for line in self.lines)

    @property
    def collected(self) -> int:
        return sum(line.collected for line in self.lines)

    @property
    def arrears(self) -> int:
        return sum(line.arrears for line in self.lines)

    @property
    def without_basis(self) -> int:
        return sum(1 for line in self.lines if line.due is None)


def org_book(*, actor, org: Org, month: date) -> Book:
    """The book of ``org``'s cells for ``month``: every member counted there at the month's
    end (and any other member whose payment covers the month there), what they owe, what
    covers the month, what was received in the month, and what is unpaid in the year so far.
    Audited as a list of people."""
    _require_read(actor, org)
    first, last = month_range(month)
    cells = {
        c.pk: c
        for c in Org.objects.filter(paths.subtree_q(org.path), kind__in=list(CELL_KINDS)).order_by("path")
    }
    cell_ids = list(cells)
    lines: dict[UUID, BookLine] = {}
    accounts = DuesMonth.objects.filter(month=first, org_id__in=cell_ids)
    rows = accounts.values_list(
        "member_id",
        "org_id",
        "category",
        "income",
        "due",
        "relief_kind",
        "relief_ground",
        "paid",
        "owed",
        "member__family_name",
        "member__middle_name",
        "member__given_name",
        "member__sort_key",
    )
    for member_id, org_id, category, income, due, kind, ground, paid, owed, *name in rows:
        lines[member_id] = BookLine(
            member_id=member_id,
            name=" ".join(part for part in name[:3] if part),
            sort_key=name[3],
            org_id=org_id,
            category=category,
            income=income,
            due=due if (category or not owed) else None,
            relief_kind=kind,
            relief_ground=ground,
            paid=paid,
        )
    with_account = set(lines)
    counted = Placement.objects.filter(
        org_id__in=cell_ids, counted=True, status__in=list(ACTIVE_STATUSES), valid_from__lte=last
    ).filter(Q(valid_to__isnull=True) | Q(valid_to__gt=last))
    for member_id, org_id in counted.values_list("member_id", "org_id"):
        lines.setdefault(member_id, BookLine(member_id=member_id, name="", sort_key="", org_id=org_id))
    payments = DuesPayment.objects.filter(org_id__in=cell_ids, paid_on__gte=first, paid_on__lte=last)
    for member_id, org_id, amount, receipt in payments.values_list(
        "member_id", "org_id", "amount", "receipt_no"
    ):
        line = lines.setdefault(member_id, BookLine(member_id=member_id, name="", sort_key="", org_id=org_id))
        line.collected += amount
        line.receipts.append(receipt)

    def arrears_of(members) -> None:
        arrears = (
            DuesMonth.objects.filter(
                UNPAID, member_id__in=members, month__gte=first.replace(month=1), month__lte=first
            )
            .values("member_id")
            .annotate(n=Count("id"), amount=Sum(F("due") - F("paid")))
            .order_by()
        )
        for row in arrears:
            lines[row["member_id"]].arrears_months, lines[row["member_id"]].arrears = row["n"], row["amount"]

    # the members with an account this month: by a subquery (a list of thousands of ids costs more
    # to plan than to run); the few others (no basis, month not opened, a payer who left) by id
    arrears_of(accounts.values("member_id"))
    others = [pk for pk in lines if pk not in with_account]
    for start in range(0, len(others), 2000):
        chunk = others[start : start + 2000]
        arrears_of(chunk)
        for member_id, family, middle, given, sort_key in Member.objects.filter(pk__in=chunk).values_list(
            "pk", "family_name", "middle_name", "given_name", "sort_key"
        ):
            line = lines[member_id]
            line.name = " ".join(part for part in (family, middle, given) if part)
            line.sort_key = sort_key
    order = {pk: n for n, pk in enumerate(cells)}
    book = Book(
        org=org,
        month=first,
        cells=cells,
        lines=sorted(lines.values(), key=lambda line: (order.get(line.org_id, 0), line.sort_key)),
        schedule=Settings().schedule(first),
    )
    audit_record(
        action=Action.LIST_VIEWED,
        subject_type="dues_book",
        subject_id=str(org.pk),
        data={"org": org.code, "month": first.isoformat(), "rows": len(book.lines)},
    )
    return book


# --- the summary of a higher level -------------------------------------------------------------


@dataclass
class SummaryRow:
    org: Org
    members: int = 0  # with an account owed this month
    due: int = 0
    paid: int = 0  # covering this month
    unpaid_members: int = 0
    collected: int = 0  # received this month
    kept: int = 0  # kept within this sub-organization
    remitted: int = 0  # passed up to the summary's organization


@dataclass
class Summary:
    org: Org
    month: date
    rows: list[SummaryRow]
    own: SummaryRow  # the organization's own collections, what it keeps and remits upwards
    shares: Applied[Shares]
    schedule: Applied[Schedule]

    @property
    def total(self) -> SummaryRow:
        total = SummaryRow(org=self.org)
        for row in [*self.rows, self.own]:
            for name in ("members", "due", "paid", "unpaid_members", "collected"):
                setattr(total, name, getattr(total, name) + getattr(row, name))
        total.kept = sum(row.kept for row in self.rows) + self.own.kept
        total.remitted = self.own.remitted
        return total


def org_summary(*, actor, org: Org, month: date) -> Summary:
    """``org``'s dues for ``month`` by direct sub-organization: members owing, due, paid for the
    month, members unpaid, collected in the month, kept within each and remitted to ``org``; and
    what ``org`` keeps and remits upwards. Counts and sums only."""
    _require_read(actor, org)
    first, _ = month_range(month)
    settings = Settings()
    shares = settings.shares(first)
    orgs = list(Org.objects.filter(paths.subtree_q(org.path)).values_list("id", "parent_id", "kind", "path"))
    nodes = {pk: Node(pk, parent, kind, paths.depth(path)) for pk, parent, kind, path in orgs}
    width = len(org.path) + paths.SEGMENT_WIDTH + 1
    children = {c.pk: c for c in Org.objects.filter(parent=org).order_by("sort_key", "path")}
    by_path = {c.path: c.pk for c in children.values()}
    top_of = {pk: by_path.get(path[:width]) for pk, _, _, path in orgs}  # None: org itself
    rows = {pk: SummaryRow(org=child) for pk, child in children.items()}
    own = SummaryRow(org=org)

    def row_of(org_id) -> SummaryRow:
        top = top_of.get(org_id)
        return rows[top] if top is not None else own

    collected: dict = {}
    cells = DuesCellMonth.objects.filter(paths.subtree_q(org.path, "org__path"), month=first).values_list(
        "org_id", "members", "due", "paid", "unpaid", "collected"
    )
    for org_id, members, due, paid, unpaid, received in cells:
        row = row_of(org_id)
        row.members += members
        row.due += due
        row.paid += paid
        row.unpaid_members += unpaid
        row.collected += received
        if received:
            collected[org_id] = received
    spread = flow(collected, nodes, shares.value)
    for org_id, kept in spread.kept.items():
        if org_id != org.pk:
            row_of(org_id).kept += kept
    for pk, row in rows.items():
        row.remitted = spread.remitted.get(pk, 0)
    own.kept, own.remitted = spread.kept.get(org.pk, 0), spread.remitted.get(org.pk, 0)
    return Summary(
        org=org,
        month=first,
        rows=list(rows.values()),
        own=own,
        shares=shares,
        schedule=settings.schedule(first),
    )


# --- one payment or relief (the receipt, the reversal and revocation pages) --------------------


def payment_get(*, actor, payment_id, for_edit: bool = False) -> DuesPayment:
    """A payment (or reversal) of a member the actor reads (their own included), or may write
    with ``for_edit``; audited as a read of the person's history (the receipt names them)."""
    payment = (
        DuesPayment.objects.select_related("member", "org", "reverses", "reversal")
        .filter(pk=payment_id)
        .first()
    )
    if payment is None:
        raise NotInScope(payment_id)
    allowed = actor.can_write_member(payment.member) if for_edit else actor.can_read_member(payment.member)
    if not allowed:
        raise NotInScope(payment_id)
    if not for_edit:
        audit_record(
            action=Action.MEMBER_HISTORY_VIEWED,
            subject_type="member",
            subject_id=str(payment.member_id),
            data={"history": "dues_receipt", "receipt": payment.receipt_no},
        )
    return payment


def relief_get(*, actor, relief_id) -> DuesRelief:
    """A relief of a member the actor may write (to revoke it)."""
    relief = DuesRelief.objects.select_related("member").filter(pk=relief_id).first()
    if relief is None or not actor.can_write_member(relief.member):
        raise NotInScope(relief_id)
    return relief


def book_receipts(book: Book) -> dict[str, tuple[UUID, bool]]:
    """The payments of the book's month by "<cell id>|<receipt number>": the payment's id and
    whether it is a reversal (to link the book to its receipts)."""
    first, last = month_range(book.month)
    return {
        f"{org_id}|{receipt}": (pk, reverses is not None)
        for org_id, receipt, pk, reverses in DuesPayment.objects.filter(
            org_id__in=list(book.cells), paid_on__gte=first, paid_on__lte=last
        ).values_list("org_id", "receipt_no", "pk", "reverses_id")
    }


def payment_proposal(*, member: Member, today: date) -> tuple[date, date, int | None]:
    """What a new payment of ``member`` most likely covers: their unpaid months (the first to
    the last) and what remains of them; with none, the first month not yet covered from this
    one on, and its amount (None when it is not known yet). The caller has checked scope."""
    unpaid = list(
        DuesMonth.objects.filter(UNPAID, member=member, month__lte=today.replace(day=1))
        .order_by("month")
        .values_list("month", "due", "paid")
    )
    if unpaid:
        first, last = unpaid[0][0], unpaid[-1][0]
        covered = DuesMonth.objects.filter(member=member, month__gte=first, month__lte=last)
        owing = sum(max(0, due - paid) for due, paid in covered.values_list("due", "paid"))
        return first, last, owing
    month = today.replace(day=1)
    row = (
        DuesMonth.objects.filter(member=member, month__gte=month, paid__lt=F("due"))
        .order_by("month")
        .values_list("month", "due", "paid")
        .first()
    )
    if row is not None:
        return row[0], row[0], row[1] - row[2]
    latest = (
        DuesMonth.objects.filter(member=member, owed=True)
        .order_by("-month")
        .values_list("month", "due")
        .first()
    )
    if latest is None or latest[0] < month:
        return month, month, latest[1] if latest and latest[1] else None
    ahead = add_months(latest[0], 1)
    return ahead, ahead, latest[1] or None


def members_with_basis(member_ids: list[UUID], month: date) -> set[UUID]:
    """Of ``member_ids``, those with a basis in force in ``month``: in a book line without an
    amount, a member whose account for the month is not opened yet (``accounts.extend``), not
    a member without a basis."""
    found: set[UUID] = set()
    for start in range(0, len(member_ids), 2000):
        found |= set(
            DuesBasis.objects.filter(member_id__in=member_ids[start : start + 2000], valid_from__lte=month)
            .values_list("member_id", flat=True)
            .distinct()
        )
    return found
