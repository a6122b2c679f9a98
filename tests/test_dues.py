"""Party dues through the rules and the services (RULES.md §7, §11 rule 12): what a member owes
for each month under the rule of that month, exemptions and reductions with their decision,
fifty years of party age, payments spread over the months they cover and reversed rather than
edited, the account following a transfer or an exit, bad input, and scope."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth.models import User

from conftest import refused_on
from dangbo.accounts.models import AccessRole
from dangbo.accounts.scope import SYSTEM, scope_for
from dangbo.accounts.services import role_grant
from dangbo.audit.models import AuditEntry
from dangbo.core.violations import NotInScope
from dangbo.dues import services, sums
from dangbo.dues.accounts import recompute
from dangbo.dues.models import DuesCellMonth, DuesMonth, DuesPayment, DuesSetting, PaymentMethod
from dangbo.dues.schedule import Settings
from dangbo.dues.services import PaymentRequest, ReliefRequest
from dangbo.members.services.records import member_record_death
from dangbo.members.services.transfers import member_transfer
from dangbo.orgs.services import DecisionRef
from dangbo.rules import dues as rules
from dangbo.rules.base import RuleViolation
from dangbo.rules.dues import Category, ReliefGround, ReliefKind

TODAY = date(2026, 11, 20)


@pytest.fixture
def cell(tree, make_member, frozen_today):
    frozen_today(TODAY)
    tree.member = make_member(tree.cell_a, admitted_on=date(2016, 3, 1))
    return tree


def _months(member) -> dict[date, DuesMonth]:
    return {row.month: row for row in DuesMonth.objects.filter(member=member)}


def _basis(member, income=8_000_000, category=Category.INSURED, month=date(2026, 1, 1), actor=SYSTEM):
    return services.dues_basis_record(
        actor=actor, member=member, category=category, income=income, valid_from=month, source="Bảng lương"
    )


def _pay(member, first, last, amount, paid_on=date(2026, 11, 10), actor=SYSTEM, **fields):
    return services.dues_payment_record(
        actor=actor,
        member=member,
        request=PaymentRequest(first_month=first, last_month=last, amount=amount, paid_on=paid_on, **fields),
    )


def _relief(member, kind, ground, first, last, percent=None, decision_no="12-QĐ/ĐU", actor=SYSTEM):
    return services.dues_relief_grant(
        actor=actor,
        member=member,
        request=ReliefRequest(
            kind=kind,
            ground=ground,
            first_month=first,
            last_month=last,
            percent=percent,
            decision_no=decision_no,
            decision_on=date(2026, 2, 20) if decision_no else None,
            decision_body="Đảng ủy xã Một",
        ),
    )


# --- the rule --------------------------------------------------------------------------------


def test_amounts_are_integer_dong_rounded_half_up():
    rate = rules.Rate(basis_points=100)
    assert rules.amount(rate, 8_123_449) == 81_234
    assert rules.amount(rate, 8_123_450) == 81_235  # half up, never banker's rounding
    assert rules.amount(rules.Rate(basis_points=50), 5_000_001) == 25_000
    assert rules.amount(rate, 8_123_450, rounding=1_000) == 81_000
    assert rules.amount(rules.Rate(fixed=5_000), 0) == 5_000
    assert rules.reduced(81_235, 30) == 56_865  # 56,864.5 → up
    assert rules.reduced(81_235, 70, rounding=1_000) == 24_000


def test_the_rule_of_the_month_applies():
    before, after = rules.RATES.at(date(2026, 1, 1)), rules.RATES.at(date(2026, 2, 1))
    assert "342-QĐ/TW" in before.ref and not before.confirmed
    assert "01-QĐ/TW" in after.ref
    assert rules.month_due(after.value, Category.STUDENT, 0) == 5_000
    assert rules.month_due(after.value, Category.PENSION, 6_000_000) == 30_000
    # the rate of members with neither insurance nor pension is UNCONFIRMED, and says so
    assert not after.value.rates[Category.OTHER].confirmed
    assert after.value.rates[Category.INSURED].confirmed
    assert rules.party_age_exempt_from(date(1976, 3, 15)) == date(2026, 3, 1)


def test_a_committee_setting_replaces_an_unconfirmed_figure_from_its_date():
    settings = Settings(
        [
            DuesSetting(code="rate_other", value=40, effective_from=date(2026, 6, 1), source="HD 1-HD/TU"),
            DuesSetting(code="share_cell", value=40, effective_from=date(2026, 6, 1), source="HD 1-HD/TU"),
        ]
    )
    may, june = settings.schedule(date(2026, 5, 1)), settings.schedule(date(2026, 6, 1))
    assert may.value.rates[Category.OTHER].basis_points == 30 and not may.settings
    assert june.value.rates[Category.OTHER].basis_points == 40 and "HD 1-HD/TU" in june.settings[0]
    assert not june.confirmed
    assert settings.shares(date(2026, 7, 1)).value.cell == 40
    assert settings.shares(date(2026, 5, 1)).value.cell == 30


def test_three_unpaid_months_of_a_year_call_for_a_review():
    months = [date(2026, 1, 1), date(2026, 4, 1), date(2025, 12, 1)]
    assert rules.unpaid_reviews(months, year=2026) == []
    months.append(date(2026, 9, 1))
    assert rules.unpaid_reviews(months, year=2026) == [date(2026, 1, 1), date(2026, 4, 1), date(2026, 9, 1)]


# --- the basis and the monthly account ---------------------------------------------------------


def test_a_basis_gives_every_month_its_due_under_the_rule_of_that_month(cell):
    member = cell.member
    _basis(member, income=8_123_450, month=date(2025, 12, 1))
    months = _months(member)
    assert sorted(months) == rules.months_between(date(2025, 12, 1), date(2026, 11, 1))
    assert (
        months[date(2025, 12, 1)].due == 81_235 and months[date(2025, 12, 1)].rule_version == "QĐ 2011-01-01"
    )
    assert months[date(2026, 2, 1)].due == 81_235 and months[date(2026, 2, 1)].rule_version == "QĐ 2026-02-01"
    assert all(row.org_id == cell.cell_a.pk and row.owed and row.paid == 0 for row in months.values())
    # a new salary from June: the months before keep the old figure
    _basis(member, income=10_000_000, month=date(2026, 6, 1))
    months = _months(member)
    assert months[date(2026, 5, 1)].due == 81_235 and months[date(2026, 6, 1)].due == 100_000
    assert AuditEntry.objects.filter(subject_type="dues_basis").count() == 2


def test_a_bad_basis_is_refused_with_nothing_written(cell):
    member = cell.member
    with pytest.raises(RuleViolation) as refused:
        _basis(member, income=-5, month=date(2026, 12, 1))
    assert refused_on(refused) == [("input", "income"), ("input", "valid_from")]
    with pytest.raises(RuleViolation) as refused:
        _basis(member, income=5_000_000_000)
    assert refused_on(refused) == [("input", "income")]
    with pytest.raises(RuleViolation) as refused:
        _basis(member, month=date(2015, 1, 1))  # before the member was admitted
    assert refused_on(refused) == [("dues.months", "valid_from")]
    with pytest.raises(RuleViolation) as refused:
        _basis(member, category="farmer")
    assert refused_on(refused) == [("input", "category")]
    assert not DuesMonth.objects.exists()


def test_students_owe_a_fixed_amount_without_an_income(cell):
    _basis(cell.member, income=None, category=Category.STUDENT, month=date(2026, 1, 1))
    months = _months(cell.member)
    assert months[date(2026, 1, 1)].due == 3_000  # QĐ 342's figure (UNCONFIRMED)
    assert months[date(2026, 2, 1)].due == 5_000


# --- reliefs -------------------------------------------------------------------------------------


def test_fifty_years_of_party_age_exempts_from_the_month_it_completes(tree, make_member, frozen_today):
    frozen_today(TODAY)
    veteran = make_member(tree.cell_a, admitted_on=date(1976, 3, 15), birth_date=date(1950, 1, 1))
    _basis(veteran, income=6_000_000, category=Category.PENSION, month=date(2026, 1, 1))
    months = _months(veteran)
    assert months[date(2026, 1, 1)].due == 30_000  # under QĐ 342
    assert months[date(2026, 2, 1)].due == 30_000  # not yet fifty years
    march = months[date(2026, 3, 1)]
    assert (march.due, march.full, march.relief_ground) == (0, 30_000, ReliefGround.PARTY_AGE)
    assert not march.unpaid


def test_an_exemption_needs_its_decision(cell):
    with pytest.raises(RuleViolation) as refused:
        _relief(
            cell.member,
            ReliefKind.EXEMPTION,
            ReliefGround.POOR_HOUSEHOLD,
            date(2026, 3, 1),
            date(2026, 8, 1),
            decision_no="",
        )
    assert refused_on(refused) == [("dues.relief_decision", "decision_no")]


def test_reductions_and_exemptions_apply_to_their_months(cell):
    member = cell.member
    _basis(member, income=8_000_000, month=date(2026, 1, 1))
    relief = _relief(
        member, ReliefKind.REDUCTION, ReliefGround.HARDSHIP, date(2026, 3, 1), date(2026, 5, 1), percent=50
    )
    _relief(member, ReliefKind.EXEMPTION, ReliefGround.SERIOUS_ILLNESS, date(2026, 5, 1), date(2026, 6, 1))
    months = _months(member)
    assert [months[date(2026, m, 1)].due for m in range(2, 8)] == [80_000, 40_000, 40_000, 0, 0, 80_000]
    assert months[date(2026, 5, 1)].relief_ground == ReliefGround.SERIOUS_ILLNESS  # the stronger one
    services.dues_relief_revoke(actor=SYSTEM, relief=relief, reason="Nhập nhầm")
    assert _months(member)[date(2026, 3, 1)].due == 80_000


def test_reliefs_follow_the_rule(cell):
    member = cell.member
    with pytest.raises(RuleViolation) as refused:
        _relief(
            member,
            ReliefKind.REDUCTION,
            ReliefGround.HARDSHIP,
            date(2026, 1, 1),
            date(2026, 12, 1),
            percent=40,
        )
    assert refused_on(refused) == [("dues.relief", "percent")]
    with pytest.raises(RuleViolation) as refused:
        _relief(member, ReliefKind.EXEMPTION, ReliefGround.HARDSHIP, date(2026, 1, 1), date(2027, 1, 1))
    assert refused_on(refused) == [("dues.relief_months", "last_month")]  # 13 months
    with pytest.raises(RuleViolation) as refused:
        _relief(
            member,
            ReliefKind.REDUCTION,
            ReliefGround.POOR_HOUSEHOLD,
            date(2026, 1, 1),
            date(2026, 6, 1),
            percent=50,
        )
    assert refused_on(refused) == [("dues.relief", "kind")]  # a poor household is exempted, not reduced


def test_a_deferral_keeps_the_due_but_not_the_arrears(cell):
    member = cell.member
    _basis(member, month=date(2026, 1, 1))
    _relief(member, ReliefKind.DEFERRAL, ReliefGround.WORKING_AWAY, date(2026, 4, 1), date(2026, 9, 1))
    months = _months(member)
    assert months[date(2026, 5, 1)].due == 80_000 and not months[date(2026, 5, 1)].unpaid
    assert months[date(2026, 3, 1)].unpaid and months[date(2026, 10, 1)].unpaid


# --- payments --------------------------------------------------------------------------------------


def test_a_payment_covers_its_months_in_order_and_the_rest_goes_to_the_last(cell):
    member = cell.member
    _basis(member, income=8_000_000, month=date(2026, 1, 1))
    first = _pay(member, date(2026, 1, 1), date(2026, 3, 1), 200_000)  # short of three months' 240,000
    months = _months(member)
    assert [months[date(2026, m, 1)].paid for m in (1, 2, 3)] == [80_000, 80_000, 40_000]
    assert months[date(2026, 3, 1)].unpaid and not months[date(2026, 2, 1)].unpaid
    # a voluntary higher payment for November: the surplus stays on the month
    _pay(member, date(2026, 11, 1), date(2026, 11, 1), 100_000)
    assert _months(member)[date(2026, 11, 1)].paid == 100_000
    # an advance: months ahead of today are added
    _pay(member, date(2026, 12, 1), date(2027, 2, 1), 240_000)
    months = _months(member)
    assert months[date(2027, 2, 1)].paid == 80_000 and months[date(2027, 2, 1)].owed
    assert first.receipt_no == "2026/1"
    assert list(DuesPayment.objects.values_list("receipt_no", flat=True)) == ["2026/1", "2026/2", "2026/3"]


def test_a_payment_is_reversed_never_edited(cell):
    member = cell.member
    _basis(member, month=date(2026, 1, 1))
    payment = _pay(member, date(2026, 1, 1), date(2026, 2, 1), 160_000)
    reversal = services.dues_payment_reverse(actor=SYSTEM, payment=payment, reason="Ghi nhầm người nộp")
    assert reversal.amount == -160_000 and reversal.reverses == payment and reversal.receipt_no == "2026/2"
    assert DuesPayment.objects.get(pk=payment.pk).amount == 160_000  # the original stays as it was
    assert _months(member)[date(2026, 1, 1)].paid == 0
    with pytest.raises(RuleViolation):
        services.dues_payment_reverse(actor=SYSTEM, payment=payment, reason="Lần nữa")
    with pytest.raises(RuleViolation):
        services.dues_payment_reverse(actor=SYSTEM, payment=reversal, reason="Hủy phiếu hủy")


def test_bad_payments_are_refused_with_nothing_written(cell):
    member = cell.member
    _basis(member, month=date(2026, 1, 1))
    for amount in (0, -50_000, 900_000_000):
        with pytest.raises(RuleViolation) as refused:
            _pay(member, date(2026, 1, 1), date(2026, 1, 1), amount)
        assert refused_on(refused) == [("input", "amount")]
    with pytest.raises(RuleViolation) as refused:
        _pay(member, date(2015, 1, 1), date(2015, 2, 1), 10_000)  # before admission
    assert refused_on(refused) == [("dues.months", "first_month")]
    with pytest.raises(RuleViolation) as refused:
        _pay(member, date(2026, 1, 1), date(2026, 1, 1), 80_000, paid_on=date(2026, 12, 1))
    assert refused_on(refused) == [("input", "paid_on")]
    with pytest.raises(RuleViolation) as refused:
        _pay(member, date(2026, 1, 1), date(2026, 1, 1), 80_000, method=PaymentMethod.TRANSFER)
    assert refused_on(refused) == [("input", "reference")]
    assert not DuesPayment.objects.exists()


def test_no_payment_after_the_member_left(cell):
    member = cell.member
    _basis(member, month=date(2026, 1, 1))
    member_record_death(member=member, died_on=date(2026, 6, 14))
    months = _months(member)
    assert max(months) == date(2026, 5, 1)  # June is not owed: not in the Party at its end
    _pay(member, date(2026, 5, 1), date(2026, 6, 1), 160_000, paid_on=date(2026, 6, 10))
    assert _months(member)[date(2026, 6, 1)].paid == 80_000  # kept on record, not owed
    with pytest.raises(RuleViolation) as refused:
        _pay(member, date(2026, 7, 1), date(2026, 7, 1), 80_000)
    assert refused_on(refused) == [("dues.months", "first_month")]


def test_the_account_follows_a_transfer(cell):
    member = cell.member
    _basis(member, month=date(2026, 1, 1))
    member_transfer(
        member=member,
        to_org=cell.cell_b,
        effective_on=date(2026, 7, 10),
        decision=DecisionRef(number="5-QĐ/ĐU"),
    )
    months = _months(member)
    assert months[date(2026, 6, 1)].org_id == cell.cell_a.pk
    assert (
        months[date(2026, 7, 1)].org_id == cell.cell_b.pk
        and months[date(2026, 11, 1)].org_id == cell.cell_b.pk
    )
    # the stored account is what a recomputation gives
    fresh = recompute([member.pk])[member.pk]
    assert [(r.month, r.org_id, r.due, r.paid) for r in fresh] == [
        (r.month, r.org_id, r.due, r.paid) for r in DuesMonth.objects.filter(member=member).order_by("month")
    ]
    # the months moved with the member in the cells' monthly sums too
    sums_by_cell = {
        (row.org_id, row.month): (row.members, row.due)
        for row in DuesCellMonth.objects.filter(month__in=[date(2026, 6, 1), date(2026, 7, 1)])
    }
    assert sums_by_cell[(cell.cell_a.pk, date(2026, 6, 1))] == (1, 80_000)
    assert sums_by_cell.get((cell.cell_a.pk, date(2026, 7, 1)), (0, 0)) == (0, 0)
    assert sums_by_cell[(cell.cell_b.pk, date(2026, 7, 1))] == (1, 80_000)
    assert sums.differences() == []


def test_only_the_members_own_committee_records_their_dues(cell):
    user = User.objects.create_user("canbo-h2", password="mat-khau-dai-du-1")
    role_grant(user=user, role=AccessRole.OFFICER, org=cell.district2)
    outsider = scope_for(user)
    with pytest.raises(NotInScope):
        _basis(cell.member, actor=outsider)
    with pytest.raises(NotInScope):
        _pay(cell.member, date(2026, 1, 1), date(2026, 1, 1), 80_000, actor=outsider)
    user = User.objects.create_user("canbo-x1", password="mat-khau-dai-du-1")
    role_grant(user=user, role=AccessRole.OFFICER, org=cell.commune)
    _basis(cell.member, actor=scope_for(user))
    assert DuesMonth.objects.filter(member=cell.member).exists()


# --- the book and the summary ----------------------------------------------------------------------


def test_the_book_lists_every_member_of_the_month_with_what_they_owe_and_paid(cell, make_member):
    from dangbo.dues.selectors import org_book

    payer, unknown = cell.member, make_member(cell.cell_b, admitted_on=date(2016, 3, 1))
    _basis(payer, income=8_000_000, month=date(2026, 1, 1))
    _pay(payer, date(2026, 1, 1), date(2026, 8, 1), 640_000, paid_on=date(2026, 8, 5))
    book = org_book(actor=SYSTEM, org=cell.commune, month=date(2026, 8, 1))
    lines = {line.member_id: line for line in book.lines}
    assert set(lines) == {payer.pk, unknown.pk}
    assert (lines[payer.pk].due, lines[payer.pk].paid, lines[payer.pk].collected) == (80_000, 80_000, 640_000)
    assert lines[payer.pk].receipts == ["2026/1"] and lines[payer.pk].arrears_months == 0
    assert lines[unknown.pk].due is None and lines[unknown.pk].category_label == "Chưa có căn cứ"
    assert (book.due, book.collected, book.without_basis) == (80_000, 640_000, 1)
    # September: nothing paid since; two unpaid months of the year by October
    october = {
        line.member_id: line
        for line in org_book(actor=SYSTEM, org=cell.cell_a, month=date(2026, 10, 1)).lines
    }
    assert (october[payer.pk].collected, october[payer.pk].arrears_months, october[payer.pk].arrears) == (
        0,
        2,
        160_000,
    )
    assert AuditEntry.objects.filter(subject_type="dues_book").count() == 2


def test_the_summary_adds_up_from_cell_to_province(cell, make_member):
    from dangbo.dues.selectors import org_summary

    agency_member = make_member(cell.agency, admitted_on=date(2016, 3, 1))
    b_member = make_member(cell.cell_b, admitted_on=date(2016, 3, 1))
    for member, income in ((cell.member, 8_000_000), (agency_member, 10_000_000), (b_member, 4_000_000)):
        _basis(member, income=income, month=date(2026, 1, 1))
    _pay(cell.member, date(2026, 3, 1), date(2026, 3, 1), 80_000, paid_on=date(2026, 3, 9))
    _pay(agency_member, date(2026, 3, 1), date(2026, 3, 1), 100_000, paid_on=date(2026, 3, 9))
    march = date(2026, 3, 1)
    province = org_summary(actor=SYSTEM, org=cell.province, month=march)
    total = province.total
    assert (total.members, total.due, total.paid, total.unpaid_members) == (3, 220_000, 180_000, 1)
    assert total.collected == 180_000 and total.kept + total.remitted == total.collected
    # shares (UNCONFIRMED defaults): the cell keeps 30 %, the commune 70 % of what reaches it, the
    # district 50 %, the province 50 % and remits the rest
    commune = org_summary(actor=SYSTEM, org=cell.commune, month=march)
    cell_a = next(row for row in commune.rows if row.org == cell.cell_a)
    assert (cell_a.collected, cell_a.kept, cell_a.remitted) == (80_000, 24_000, 56_000)
    assert (commune.own.kept, commune.own.remitted) == (39_200, 16_800)
    district = org_summary(actor=SYSTEM, org=cell.district, month=march)
    by_org = {row.org: row for row in district.rows}
    assert by_org[cell.commune].remitted == 16_800 and by_org[cell.agency].kept == 70_000
    assert district.own.kept == (16_800 + 30_000) // 2
    assert not province.shares.confirmed
    # every level's rows add up to the level above
    district_row = next(row for row in province.rows if row.org == cell.district)
    assert (
        district_row.collected == district.total.collected and district_row.remitted == district.own.remitted
    )
    assert district_row.due == district.total.due
    # a reversal is collected less in the month it is made, and the payment's month is unpaid again
    payment = DuesPayment.objects.get(member=agency_member)
    services.dues_payment_reverse(actor=SYSTEM, payment=payment, reason="Ghi nhầm người nộp")
    province = org_summary(actor=SYSTEM, org=cell.province, month=march)
    assert (province.total.paid, province.total.unpaid_members, province.total.collected) == (
        80_000,
        2,
        180_000,
    )
    november = org_summary(actor=SYSTEM, org=cell.province, month=date(2026, 11, 1))
    assert november.total.collected == -100_000
    assert sums.differences() == []


def test_a_new_month_is_opened_for_every_member_with_an_account(cell, make_member, frozen_today):
    from dangbo.dues.accounts import extend, opened_through
    from dangbo.dues.jobs import OPEN_MONTH_JOB
    from dangbo.jobs.services import job_start

    quiet = make_member(cell.cell_b, admitted_on=date(2016, 3, 1))
    _basis(cell.member, month=date(2026, 1, 1))
    _basis(quiet, income=4_000_000, month=date(2026, 1, 1))
    frozen_today(date(2026, 12, 2))
    _pay(cell.member, date(2026, 12, 1), date(2026, 12, 1), 80_000, paid_on=date(2026, 12, 2))
    assert date(2026, 12, 1) in _months(cell.member) and date(2026, 12, 1) not in _months(quiet)
    assert opened_through() is None
    opening = extend()
    assert (opening.month, opening.members) == (date(2026, 12, 1), 1)  # only the one without a row
    december = _months(quiet)[date(2026, 12, 1)]
    assert (december.due, december.paid, december.unpaid) == (40_000, 0, True)
    assert opened_through() == date(2026, 12, 1)
    assert extend().members == 0  # a second run has nothing left to do
    # the background job does the same for an administrator, and refuses anyone else
    admin = User.objects.create_superuser("quantri", password="mat-khau-dai-du-1")
    job = job_start(kind=OPEN_MONTH_JOB, owner=admin, params={})
    job.refresh_from_db()
    assert job.state == "done" and "12/2026" in job.message
    officer = User.objects.create_user("canbo-t", password="mat-khau-dai-du-1")
    role_grant(user=officer, role=AccessRole.OFFICER, org=cell.province)
    job = job_start(kind=OPEN_MONTH_JOB, owner=officer, params={})
    job.refresh_from_db()
    assert job.state == "failed" and "quản trị" in job.message
