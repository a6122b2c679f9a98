"""The demo's Party dues (demo.dues, issue 20) on the small profile, built as ``dangbo demo``
builds it (``demo.timeline.build_province``) on a fixed day: a basis for every member counted
in the window; stored monthly accounts equal to what ``dues.accounts`` recomputes from the
facts; payments that the services would have taken, numbered as they number them; members
in arrears, three months behind in a year, relieved by a decision, exempted by party age;
the same seed, the same dues."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date

import pytest

from dangbo.accounts.scope import SYSTEM
from dangbo.core.kinds import CELL_KINDS
from dangbo.demo.dues import build_dues, plan
from dangbo.demo.meetings import window
from dangbo.demo.profiles import PROFILES
from dangbo.demo.timeline import build_province
from dangbo.dues import accounts, sums
from dangbo.dues.models import (
    DuesBasis,
    DuesCellMonth,
    DuesMonth,
    DuesOpening,
    DuesPayment,
    DuesRelief,
    PaymentMethod,
)
from dangbo.dues.selectors import org_book, org_summary
from dangbo.dues.services import (
    MAX_PAYMENT,
    MAX_PAYMENT_MONTHS,
    PaymentRequest,
    ReliefRequest,
    _payment_violations,
    _relief_violations,
)
from dangbo.members.models import ACTIVE_STATUSES, Member, Placement
from dangbo.orgs.models import Org
from dangbo.rules import dues as rules
from dangbo.rules.dues import Category, ReliefGround, ReliefKind
from dangbo.rules.probation import add_months

TODAY = date(2026, 11, 20)
EXITED = ("died", "struck_off", "resigned", "expelled", "moved_away")
FIELDS = (
    "month",
    "org_id",
    "owed",
    "category",
    "income",
    "full",
    "due",
    "relief_kind",
    "relief_ground",
    "paid",
    "rule_version",
)


def quiet(line):
    pass


@pytest.fixture
def built(db, frozen_today):
    frozen_today(TODAY)
    timeline = build_province(PROFILES["tiny"], seed=5, progress=quiet)
    assert timeline.dues is not None
    return timeline.dues


def _stored() -> dict:
    found = defaultdict(list)
    for row in DuesMonth.objects.order_by("member_id", "month"):
        found[row.member_id].append(tuple(getattr(row, f) for f in FIELDS))
    return found


def _every_member_counted_in_the_window_has_a_basis_from_its_start(built):
    start, _ = window(TODAY)
    assert built.start == start == date(2024, 11, 1)
    counted = set(
        Placement.objects.filter(counted=True, status__in=list(ACTIVE_STATUSES), valid_from__lte=TODAY)
        .exclude(valid_to__lte=start)
        .values_list("member_id", flat=True)
    )
    with_basis = set(DuesBasis.objects.values_list("member_id", flat=True))
    assert counted and with_basis == counted
    assert built["members"] == len(counted)
    firsts = DuesBasis.objects.order_by("member_id", "valid_from")
    first_of = {}
    for basis in firsts:
        first_of.setdefault(basis.member_id, basis.valid_from)
        assert basis.valid_from.day == 1 and basis.valid_from <= TODAY
        assert basis.source
        if basis.category in Category.NEEDS_INCOME:
            assert 1_000_000 <= basis.income <= 40_000_000, basis.income
        else:
            assert basis.income == 0
    assert all(first >= start for first in first_of.values())
    categories = Counter(DuesBasis.objects.values_list("category", flat=True))
    # a commune: farmers and traders pay as other members, the retired on their pension
    assert categories[Category.OTHER] > categories[Category.PENSION] > 0
    # the regional minimum wage of 1/1/2026 is a new basis for every other member
    raised = DuesBasis.objects.filter(
        valid_from=date(2026, 1, 1), category__in=[Category.OTHER, Category.OTHER_ELDERLY]
    )
    assert raised.exists() and set(raised.values_list("income", flat=True)) <= {4_140_000, 3_700_000}


def _the_stored_accounts_equal_a_recomputation_for_every_member(built):
    stored = _stored()
    ids = list(DuesBasis.objects.values_list("member_id", flat=True).distinct())
    recomputed = accounts.recompute(ids)
    assert set(stored) == set(ids)
    assert sum(len(rows) for rows in stored.values()) == built["months"] == DuesMonth.objects.count()
    for member_id, rows in recomputed.items():
        expected = [tuple(getattr(row, f) for f in FIELDS) for row in rows]
        assert stored[member_id] == expected, member_id
    # and refresh, as a service would, rewrites them unchanged
    some = ids[:40]
    before = {pk: stored[pk] for pk in some}
    accounts.refresh(some)
    after = _stored()
    assert {pk: after[pk] for pk in some} == before
    # the cells' monthly sums were written with them, and the refresh left them equal to a recount
    assert DuesCellMonth.objects.filter(collected__gt=0).exists()
    assert sums.differences() == []


def _payments_are_what_the_services_would_have_taken(built):
    payments = list(DuesPayment.objects.select_related("member").order_by("paid_on"))
    assert len(payments) == built["payments"] > 1_000
    members = {}
    for payment in payments:
        assert 0 < payment.amount <= MAX_PAYMENT
        assert payment.paid_on < TODAY
        months = rules.months_between(payment.first_month, payment.last_month)
        assert (
            payment.first_month.day == payment.last_month.day == 1 and 1 <= len(months) <= MAX_PAYMENT_MONTHS
        )
        assert payment.last_month <= add_months(TODAY.replace(day=1), 12)
        assert (payment.method == PaymentMethod.CASH) == (payment.reference == "")
        member = members.setdefault(payment.member_id, payment.member)
        request = PaymentRequest(
            first_month=payment.first_month,
            last_month=payment.last_month,
            amount=payment.amount,
            paid_on=payment.paid_on,
            method=payment.method,
            reference=payment.reference,
        )
        assert _payment_violations(member, request) == [], (payment.receipt_no, payment.first_month)
    methods = Counter(p.method for p in payments)
    assert (
        methods[PaymentMethod.CASH] > methods[PaymentMethod.PORTAL] > 0
        and methods[PaymentMethod.TRANSFER] > 0
    )


def _receipts_are_numbered_per_cell_and_year_in_the_order_recorded(built):
    by_cell_year = defaultdict(list)
    for org_id, receipt, paid_on in DuesPayment.objects.order_by("paid_on", "recorded_at", "id").values_list(
        "org_id", "receipt_no", "paid_on"
    ):
        year, number = receipt.split("/")
        assert int(year) == paid_on.year
        by_cell_year[(org_id, paid_on.year)].append(int(number))
    assert by_cell_year
    for numbers in by_cell_year.values():
        assert numbers == list(range(1, len(numbers) + 1))
    cells = set(Org.objects.filter(kind__in=list(CELL_KINDS)).values_list("id", flat=True))
    assert {org_id for org_id, _ in by_cell_year} <= cells


def _most_months_are_paid_some_late_a_few_three_months_behind(built):
    past = DuesMonth.objects.filter(owed=True, due__gt=0, month__lt=TODAY.replace(day=1))
    months = list(past.values_list("member_id", "month", "due", "paid", "relief_kind"))
    paid = sum(1 for *_, due, got, _ in months if got >= due)
    assert 0.9 <= paid / len(months) < 1
    in_arrears = {m for m, month, due, got, kind in months if got < due and kind != ReliefKind.DEFERRAL}
    assert len(in_arrears) >= 5
    # paid late: a payment made in a later month than the last month it covers
    late = DuesPayment.objects.filter(paid_on__gte=date(2025, 1, 1)).values_list("paid_on", "last_month")
    assert sum(1 for paid_on, last in late if paid_on.replace(day=1) > last) > 50
    reviews = {}
    for member_id in in_arrears:
        unpaid = [
            r.month
            for r in DuesMonth.objects.filter(member_id=member_id)
            if r.unpaid and r.month < TODAY.replace(day=1)
        ]
        for year in (2025, 2026):
            found = rules.unpaid_reviews(unpaid, year=year)
            if found:
                reviews[(member_id, year)] = found
    assert len(reviews) >= 3
    assert all(len(months) >= 3 for months in reviews.values())
    assert built["behind"] >= 3


def _reliefs_have_their_decision_and_the_accounts_follow_them(built):
    reliefs = list(DuesRelief.objects.select_related("member"))
    assert len(reliefs) == built["reliefs"] >= 3
    grounds = Counter(r.ground for r in reliefs)
    assert grounds[ReliefGround.POOR_HOUSEHOLD] + grounds[ReliefGround.NEAR_POOR_HOUSEHOLD] > 0
    for relief in reliefs:
        assert relief.decision_no.endswith("-QĐ/ĐU") and relief.decision_on < relief.first_month
        assert relief.decision_body.startswith(("Đảng ủy", "Chi bộ"))
        request = ReliefRequest(
            kind=relief.kind,
            ground=relief.ground,
            first_month=relief.first_month,
            last_month=relief.last_month,
            decision_no=relief.decision_no,
            decision_on=relief.decision_on,
            decision_body=relief.decision_body,
            percent=relief.percent if relief.kind == ReliefKind.REDUCTION else None,
        )
        assert _relief_violations(relief.member, request) == []
        months = DuesMonth.objects.filter(
            member=relief.member, owed=True, month__gte=relief.first_month, month__lte=relief.last_month
        )
        assert months.exists()
        for month in months:
            if month.relief_ground == ReliefGround.PARTY_AGE:
                continue
            assert month.relief_kind == relief.kind
            if relief.kind == ReliefKind.EXEMPTION:
                assert month.due == 0
            elif relief.kind == ReliefKind.REDUCTION:
                assert month.due == rules.reduced(month.full, relief.percent)
            else:
                assert month.due == month.full and not month.unpaid


def _fifty_years_of_party_age_exempts_from_its_month(built):
    exempt = DuesMonth.objects.filter(relief_ground=ReliefGround.PARTY_AGE)
    members = set(exempt.values_list("member_id", flat=True))
    assert members and built["party_age_exempt"] >= 1
    for member in Member.objects.filter(pk__in=members):
        first = max(rules.party_age_exempt_from(member.party_age_from), rules.QD_01_2026_FROM)
        rows = DuesMonth.objects.filter(member=member, owed=True)
        assert all((r.due == 0) == (r.month >= first) or r.relief_kind for r in rows)
        assert not rows.filter(month__gte=first, due__gt=0).exists()
        assert not DuesPayment.objects.filter(member=member, first_month__gte=first).exists()


def _every_month_of_the_window_is_open(built):
    assert accounts.opened_through() == TODAY.replace(day=1)
    opened = dict(DuesOpening.objects.values_list("month", "members"))
    assert sorted(opened) == rules.months_between(built.start, TODAY)
    for month, members in opened.items():
        assert members == DuesMonth.objects.filter(month=month).count() > 0
    assert accounts.members_to_open(TODAY.replace(day=1)) == []  # nothing left for the monthly opening


def _the_book_and_the_summary_read_the_demo(built):
    province = Org.objects.get(parent__isnull=True)
    month = date(2026, 10, 1)
    summary = org_summary(actor=SYSTEM, org=province, month=month)
    stored = DuesMonth.objects.filter(month=month, owed=True)
    assert summary.total.members == stored.count() > 0
    assert summary.total.due == sum(stored.values_list("due", flat=True))
    assert summary.total.collected == sum(
        DuesPayment.objects.filter(paid_on__year=2026, paid_on__month=10).values_list("amount", flat=True)
    )
    assert summary.total.kept + summary.total.remitted == summary.total.collected
    cell = Org.objects.filter(kind__in=list(CELL_KINDS)).order_by("code").first()
    book = org_book(actor=SYSTEM, org=cell, month=month)
    assert book.lines and book.without_basis == 0
    assert book.due == sum(stored.filter(org=cell).values_list("due", flat=True))


# One province per test (a build takes a minute on PostgreSQL): each test checks several things.


def test_the_facts_accounts_and_receipts_are_what_the_services_would_have_written(built):
    _every_member_counted_in_the_window_has_a_basis_from_its_start(built)
    _the_stored_accounts_equal_a_recomputation_for_every_member(built)
    _payments_are_what_the_services_would_have_taken(built)
    _receipts_are_numbered_per_cell_and_year_in_the_order_recorded(built)
    _every_month_of_the_window_is_open(built)


def test_arrears_reliefs_and_party_age_exemptions_are_there_and_the_books_read_them(built):
    _most_months_are_paid_some_late_a_few_three_months_behind(built)
    _reliefs_have_their_decision_and_the_accounts_follow_them(built)
    _fifty_years_of_party_age_exempts_from_its_month(built)
    _the_book_and_the_summary_read_the_demo(built)


def test_plan_bases_follow_occupation_and_age():
    import random

    start, end = date(2024, 11, 1), date(2026, 11, 1)
    officer = plan.Member(date(1985, 3, 2), "M", "Cán bộ, công chức", ward=True, active=True)
    found = plan.bases(officer, random.Random(1), start, end)
    assert found[0].category == Category.INSURED and 4_000_000 < found[0].income < 25_000_000
    retiring = plan.Member(date(1964, 6, 10), "M", "Sĩ quan công an", ward=False, active=True)
    found = plan.bases(retiring, random.Random(2), start, end)
    assert [b.category for b in found][-1] == Category.PENSION and found[-1].valid_from == date(2025, 7, 1)
    farmer = plan.Member(date(1990, 1, 1), "F", "Nông dân", ward=False, active=True)
    found = plan.bases(farmer, random.Random(3), start, end)
    assert [(b.valid_from, b.category, b.income) for b in found] == [
        (start, Category.OTHER, 3_450_000),
        (date(2026, 1, 1), Category.OTHER, 3_700_000),
    ]
    student = plan.Member(date(2004, 9, 1), "F", "Lao động tự do", ward=True, active=True)
    kinds = {plan.bases(student, random.Random(seed), start, end)[0].category for seed in range(20)}
    assert Category.STUDENT in kinds


def _snapshot():
    return (
        sorted(
            DuesPayment.objects.values_list(
                "id", "member_id", "first_month", "last_month", "amount", "paid_on", "receipt_no"
            )
        ),
        sorted(DuesBasis.objects.values_list("id", "member_id", "category", "income", "valid_from")),
        sorted(DuesRelief.objects.values_list("member_id", "kind", "ground", "first_month")),
        sorted(DuesMonth.objects.values_list("id", "member_id", "month", "due", "paid")),
    )


def _rebuild_dues(seed: int):
    for model in (DuesMonth, DuesPayment, DuesRelief, DuesBasis, DuesOpening):
        model.objects.all().delete()
    build_dues(seed=seed, progress=quiet)
    return _snapshot()


def test_the_same_seed_gives_the_same_dues(built):
    first = _snapshot()
    assert first[0] and first[3]
    assert _rebuild_dues(5) == first
    assert _rebuild_dues(6)[0] != first[0]  # another seed, other payments


def test_after_a_simulated_history_members_who_came_moved_or_left_are_accounted_right(db, frozen_today):
    """The default demo's members have a history in the window (admissions, transfers, exits,
    deaths): their books start when they come, follow them from cell to cell, stop when they
    leave, and still equal a recomputation; no payment or basis falls outside their membership."""
    from datetime import timedelta

    from dangbo.demo.generator import build_demo
    from dangbo.demo.history import simulate_history

    frozen_today(TODAY)
    build_demo(PROFILES["tiny"], seed=7, progress=quiet)
    simulate_history(
        start=PROFILES["tiny"].as_of + timedelta(days=1), end=TODAY, seed=7, progress=quiet, in_flight=False
    )
    built = build_dues(seed=7, progress=quiet)
    start, _ = window(TODAY)
    came = Member.objects.filter(placements__valid_from__gt=start, placements__counted=True).distinct()
    ended: dict = {}
    for member_id, valid_to in Placement.objects.filter(
        counted=True, status__in=list(ACTIVE_STATUSES), valid_to__gt=start, member__status__in=EXITED
    ).values_list("member_id", "valid_to"):
        ended[member_id] = max(valid_to, ended.get(member_id, valid_to))
    assert came.exists() and ended
    _every_member_counted_in_the_window_has_a_basis_from_its_start(built)
    _the_stored_accounts_equal_a_recomputation_for_every_member(built)
    _payments_are_what_the_services_would_have_taken(built)
    _receipts_are_numbered_per_cell_and_year_in_the_order_recorded(built)
    for member_id, end in ended.items():
        last = end.replace(day=1)
        assert not DuesBasis.objects.filter(member_id=member_id, valid_from__gt=last).exists()
        assert not DuesMonth.objects.filter(member_id=member_id, owed=True, month__gte=last).exists()
        assert not DuesPayment.objects.filter(member_id=member_id, last_month__gt=last).exists()
