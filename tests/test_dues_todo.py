"""Unpaid dues on the to-do list and behind striking off (RULES.md §7, §11 rule 12): members with
unpaid months (the months and the amount named), the striking-off review at three unpaid months
of a year with the citation (a deferred month not counted), cells with members without a dues
basis; scope; a past day; the page and the command; and the striking-off form and event that
show and record the unpaid months, linking the member's dues page when it is routed."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from conftest import assert_due_counts_equal_the_list
from dangbo import cli
from dangbo.accounts.models import AccessRole
from dangbo.accounts.scope import SYSTEM, scope_for
from dangbo.accounts.services import role_grant
from dangbo.core import paths
from dangbo.core.violations import NotInScope
from dangbo.dues import services
from dangbo.dues.models import DuesRelief
from dangbo.dues.services import PaymentRequest, ReliefRequest
from dangbo.members.models import MemberEvent, MemberStatus
from dangbo.members.selectors.todo import due_items
from dangbo.members.selectors.todo_counts import todo_summary
from dangbo.members.services.standing import member_strike_off
from dangbo.members.services.transfers import member_transfer
from dangbo.orgs import services as org_services
from dangbo.rules import exits as exit_rules
from dangbo.rules.dues import Category, ReliefGround, ReliefKind
from dangbo.stats.compliance import compliance_run

TODAY = date(2026, 11, 20)
DECISION = org_services.DecisionRef(number="5-QĐ/ĐU", on=date(2026, 11, 18), body="Đảng ủy xã")


def m(month: int, year: int = 2026) -> date:
    return date(year, month, 1)


def _basis(member, income, month=date(2026, 1, 1)):
    services.dues_basis_record(
        actor=SYSTEM,
        member=member,
        category=Category.INSURED,
        income=income,
        valid_from=month,
        source="Bảng lương",
    )


def _pay(member, first, last, amount, paid_on):
    services.dues_payment_record(
        actor=SYSTEM,
        member=member,
        request=PaymentRequest(first_month=first, last_month=last, amount=amount, paid_on=paid_on),
    )


@pytest.fixture
def book(tree, make_member, frozen_today):
    """Cell A: An (80,000 a month) has not paid September and October; Cường has no basis.
    Cell B: Giang (50,000) paid nothing and is allowed to pay late from March to October.
    The agency: Hà (100,000) did not pay March, June and July; Khoa (70,000 from September
    2025) paid nothing in 2025 and everything in 2026."""
    frozen_today(TODAY)
    tree.an = make_member(tree.cell_a, given_name="An")
    tree.cuong = make_member(tree.cell_a, given_name="Cường")
    tree.giang = make_member(tree.cell_b, given_name="Giang")
    tree.ha = make_member(tree.agency, given_name="Hà")
    tree.khoa = make_member(tree.agency, given_name="Khoa")
    _basis(tree.an, 8_000_000)
    _pay(tree.an, m(1), m(8), 640_000, date(2026, 8, 5))
    _basis(tree.giang, 5_000_000)
    tree.deferral = services.dues_relief_grant(
        actor=SYSTEM,
        member=tree.giang,
        request=ReliefRequest(
            kind=ReliefKind.DEFERRAL,
            ground=ReliefGround.WORKING_AWAY,
            first_month=m(3),
            last_month=m(10),
            percent=None,
            decision_no="7-QĐ/ĐU",
            decision_on=date(2026, 2, 20),
            decision_body="Đảng ủy xã Một",
        ),
    )
    _basis(tree.ha, 10_000_000)
    _pay(tree.ha, m(1), m(2), 200_000, date(2026, 2, 10))
    _pay(tree.ha, m(4), m(5), 200_000, date(2026, 5, 10))
    _pay(tree.ha, m(8), m(10), 300_000, date(2026, 10, 10))
    _basis(tree.khoa, 7_000_000, month=m(9, 2025))
    _pay(tree.khoa, m(1), m(11), 770_000, date(2026, 11, 5))
    return tree


def _items(actor, org, kind, **kwargs):
    return [i for i in due_items(actor=actor, org=org, **kwargs) if i.kind == kind]


def test_members_with_unpaid_months_are_listed_with_the_months_and_the_amount(book):
    items = {i.member: i for i in _items(SYSTEM, book.province, "dues_arrears")}
    assert set(items) == {book.an, book.giang, book.ha, book.khoa}
    an = items[book.an]
    assert "09, 10/2026" in an.note and "160.000 đồng" in an.note
    assert an.due_on == m(10) and an.overdue and an.org == book.cell_a  # overdue since September ended
    assert "01-QĐ/TW" in an.citation
    # Giang: January and February only — the deferred months are not in arrears
    assert "01, 02/2026" in items[book.giang].note and "100.000 đồng" in items[book.giang].note
    assert "09, 10, 11, 12/2025" in items[book.khoa].note
    # November is not over: not in arrears yet
    assert all("11/2026" not in i.note for i in items.values())


def test_three_unpaid_months_of_a_year_open_a_review_with_the_months_and_the_rule(book):
    reviews = {i.member: i for i in _items(SYSTEM, book.province, "dues_strike_off_review")}
    # Giang: two unpaid months (the eight deferred ones do not count); An two
    assert set(reviews) == {book.ha, book.khoa}
    ha = reviews[book.ha]
    assert "03, 06, 07/2026" in ha.note and "quy định không nêu thời hạn" in ha.note
    assert ha.due_on == m(8)  # July, the third month, had ended
    assert ha.review and not ha.overdue
    assert "Điều 8" in ha.citation and ha.title.startswith("Chi bộ xem xét xóa tên")
    # last year's review stays for a year after it arose (November 2025 ended on 30/11)
    assert "09, 10, 11, 12/2025" in reviews[book.khoa].note and reviews[book.khoa].due_on == m(12, 2025)
    # ... and no longer (on 02/12/2026 it arose more than a year before)
    assert [
        i.member for i in _items(SYSTEM, book.agency, "dues_strike_off_review", as_of=date(2026, 12, 2))
    ] == [book.ha]


def test_a_deferral_revoked_makes_its_months_unpaid_and_opens_the_review(book):
    services.dues_relief_revoke(
        actor=SYSTEM, relief=DuesRelief.objects.get(pk=book.deferral.pk), reason="Nhập nhầm"
    )
    [review] = _items(SYSTEM, book.cell_b, "dues_strike_off_review")
    assert review.member == book.giang and "01, 02, 03, 04, 05, 06, 07, 08, 09, 10/2026" in review.note
    assert review.due_on == m(4)


def test_a_past_day_sees_the_months_over_by_then(book):
    # on 15/07/2026: Hà had March and June unpaid (July not over): arrears, no review yet
    arrears = {i.member: i for i in _items(SYSTEM, book.agency, "dues_arrears", as_of=date(2026, 7, 15))}
    assert set(arrears) == {book.ha, book.khoa} and "các tháng 03, 06/2026:" in arrears[book.ha].note
    assert "07/2026" not in arrears[book.ha].note and "200.000 đồng" in arrears[book.ha].note
    assert [
        i.member for i in _items(SYSTEM, book.agency, "dues_strike_off_review", as_of=date(2026, 7, 15))
    ] == [book.khoa]


def test_a_cell_keeping_its_book_is_asked_for_the_missing_bases(book, make_member):
    [item] = _items(SYSTEM, book.province, "dues_no_basis")
    assert item.org == book.cell_a and item.member is None and item.review
    assert (
        f"1 đảng viên chưa có căn cứ đóng (đối tượng, thu nhập làm căn cứ): {book.cuong.full_name}"
        == item.note
    )
    # a cell that has not started its dues book is not listed
    make_member(book.cell_b, given_name="Long")
    make_member(book.cell_b, given_name="Quang", admitted_on=date(1970, 5, 2), birth_date=date(1945, 1, 1))
    commune2 = org_services.org_establish(
        code="X9", name="Chi bộ mới", kind="cell", parent=book.commune, established_on=date(2026, 1, 1)
    )
    make_member(commune2, given_name="Minh")
    found = {i.org: i for i in _items(SYSTEM, book.province, "dues_no_basis")}
    assert set(found) == {book.cell_a, book.cell_b}
    assert "Long" in found[book.cell_b].note and "Giang" not in found[book.cell_b].note
    assert "Quang" not in found[book.cell_b].note  # fifty years of party age: no basis needed
    _basis(book.cuong, 6_000_000, month=m(11))
    assert book.cell_a not in {i.org for i in _items(SYSTEM, book.province, "dues_no_basis")}


def test_the_officer_above_sees_the_cells_a_sibling_sees_nothing(book):
    officer = User.objects.create_user("can-bo-xa", password="mat-khau-dai-du-1")
    role_grant(user=officer, role=AccessRole.OFFICER, org=book.commune)
    secretary = User.objects.create_user("bi-thu-b", password="mat-khau-dai-du-1")
    role_grant(user=secretary, role=AccessRole.SECRETARY, org=book.cell_b)
    assert {i.member for i in _items(scope_for(officer), book.commune, "dues_arrears")} == {
        book.an,
        book.giang,
    }
    assert [i.member for i in _items(scope_for(secretary), book.cell_b, "dues_arrears")] == [book.giang]
    with pytest.raises(NotInScope):
        due_items(actor=scope_for(secretary), org=book.cell_a)
    sibling = User.objects.create_user("can-bo-h2", password="mat-khau-dai-du-1")
    role_grant(user=sibling, role=AccessRole.OFFICER, org=book.district2)
    with pytest.raises(NotInScope):
        due_items(actor=scope_for(sibling), org=book.district)
    assert [
        i for i in due_items(actor=scope_for(sibling), org=book.district2) if i.kind.startswith("dues_")
    ] == []


def test_a_member_who_moved_brings_the_months_owed_to_the_cell_that_keeps_them_now(book, agency2):
    """Hà owes March, June and July in the agency of district 1 and moves to a cell of district 2:
    the cell she is in now lists her arrears and the review (the months of both cells), district
    1 lists her no more — nor names district 2's cell, on its list or in its counts by child."""
    cell2 = agency2
    member_transfer(member=book.ha, to_org=cell2, effective_on=date(2026, 11, 1))

    left = [i for i in due_items(actor=SYSTEM, org=book.district) if i.kind.startswith("dues_")]
    assert book.ha not in {i.member for i in left} and {i.org for i in left} <= {
        book.cell_a,
        book.cell_b,
        book.agency,
    }
    summary = todo_summary(actor=SYSTEM, org=book.district)
    assert cell2 not in {row.org for row in summary.rows}
    assert all(paths.is_within(row.org.path, book.district.path) for row in summary.rows)

    now = _items(SYSTEM, book.district2, "dues_arrears")
    assert [(i.member, i.org) for i in now] == [(book.ha, cell2)]
    assert "03, 06, 07/2026" in now[0].note
    assert [i.member for i in _items(SYSTEM, book.district2, "dues_strike_off_review")] == [book.ha]
    for org in (book.province, book.district, book.district2, cell2, book.agency):
        assert_due_counts_equal_the_list(actor=SYSTEM, org=org, as_of=TODAY)


def test_the_items_are_not_overdue_deadlines_of_the_compliance_checks(book):
    findings = compliance_run(root=book.province, today=TODAY)
    assert not [f for f in findings if f.member in (book.an, book.giang, book.ha, book.khoa)]


def test_the_to_do_page_and_command_list_them(client, book, capsys):
    user = User.objects.create_user("bi-thu-ca", password="mat-khau-dai-du-1")
    role_grant(user=user, role=AccessRole.SECRETARY, org=book.agency)
    client.force_login(user)
    html = client.get(f"/to-chuc/{book.agency.pk}/viec-can-lam/").content.decode()
    assert book.ha.full_name in html and "03, 06, 07/2026" in html and "không đóng đảng phí" in html
    assert book.an.full_name not in html
    assert cli.main(["todo", "--org", "CQ1", "--as-of", TODAY.isoformat(), "--format", "json"]) == 0
    found = [i for i in json.loads(capsys.readouterr().out)["items"] if i["kind"] == "dues_strike_off_review"]
    assert sorted((i["member"], i["review"], i["overdue"]) for i in found) == sorted(
        [(book.ha.full_name, True, False), (book.khoa.full_name, True, False)]
    )


def test_striking_off_records_the_unpaid_months_and_leaves_the_list(book):
    member_strike_off(
        member=book.ha,
        on=TODAY,
        ground=exit_rules.StrikeOffGround.MISSED_MEETINGS_OR_DUES,
        decision=DECISION,
        requests_made=3,
    )
    event = MemberEvent.objects.get(member=book.ha, kind=MemberEvent.Kind.STRUCK_OFF)
    [evidence] = event.data["evidence"]
    assert evidence == {
        "source": "dues",
        "year": 2026,
        "months": [3, 6, 7],
        "unpaid": 300_000,
        "reaches_rule": True,
    }
    assert book.ha not in {i.member for i in due_items(actor=SYSTEM, org=book.agency)}
    # another ground records no dues evidence
    member_strike_off(
        member=book.an,
        on=TODAY,
        ground=exit_rules.StrikeOffGround.RETURNED_CARD,
        decision=DECISION,
        requests_made=3,
    )
    assert "evidence" not in MemberEvent.objects.get(member=book.an, kind=MemberEvent.Kind.STRUCK_OFF).data


def test_the_striking_off_form_shows_the_months_and_links_the_dues_page(client, book):
    user = User.objects.create_user("can-bo", password="mat-khau-dai-du-1")
    role_grant(user=user, role=AccessRole.OFFICER, org=book.district)
    client.force_login(user)
    url = f"/dang-vien/{book.ha.pk}/tinh-trang/xoa-ten/"
    html = client.get(url).content.decode()
    assert "Năm 2026: không đóng đảng phí 3 tháng (03, 06, 07/2026, còn thiếu 300.000 đồng)." in html
    dues_page = reverse("dues:member_dues", kwargs={"member_id": book.ha.pk})
    assert f'href="{dues_page}"' in html and f"Sổ đảng phí của {book.ha.full_name}" in html
    # two months: the form says the rule is not reached
    html = client.get(f"/dang-vien/{book.an.pk}/tinh-trang/xoa-ten/").content.decode()
    assert "chưa đủ 3 tháng trong năm" in html and "09, 10/2026" in html
    response = client.post(
        url,
        {
            "ground": exit_rules.StrikeOffGround.MISSED_MEETINGS_OR_DUES,
            "requests_made": "3",
            "effective_on": "20/11/2026",
            "decision_no": "5-QĐ/ĐU",
            "decision_on": "18/11/2026",
            "decision_body": "Đảng ủy xã",
        },
    )
    assert response.status_code == 302
    book.ha.refresh_from_db()
    assert book.ha.status == MemberStatus.STRUCK_OFF
    event = MemberEvent.objects.get(member=book.ha, kind=MemberEvent.Kind.STRUCK_OFF)
    assert event.data["evidence"][0]["months"] == [3, 6, 7]


def test_the_overviews_counts_equal_the_list_on_every_day_around_the_reviews(book):
    # the review of November 2025 drops out on 01/12/2026 (its month ended more than a year before)
    days = [
        date(2026, 7, 15),
        TODAY,
        date(2026, 11, 30),
        date(2026, 12, 1),
        date(2026, 12, 2),
        date(2027, 1, 5),
    ]
    for day in days:
        for org in (book.province, book.commune, book.cell_a, book.agency):
            assert_due_counts_equal_the_list(actor=SYSTEM, org=org, as_of=day)
    counted = assert_due_counts_equal_the_list(actor=SYSTEM, org=book.province, as_of=TODAY)
    assert counted["dues_arrears"] == [4, 4] and counted["dues_strike_off_review"] == [2, 0]
