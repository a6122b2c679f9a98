"""The section «Đảng phí» of the indicator registry (issue 20): dues collected against dues due,
members in arrears, members exempted by ground — on a small tree with known payments, equal to
a recount of the accounts, over this year, another period, a past date and a tree changed
during the period; the drill-downs' rows; the pages, the JSON report and scope; and the
comparison of every stored monthly account with a recomputation (`dangbo check --aggregates`)."""

from __future__ import annotations

import random
from datetime import date

import pytest
from django.contrib.auth.models import User

from dangbo import cli
from dangbo.accounts.models import AccessRole
from dangbo.accounts.scope import SYSTEM
from dangbo.accounts.services import role_grant
from dangbo.audit.models import AuditEntry
from dangbo.core.kinds import OrgKind, Sector
from dangbo.dues import accounts, services, sums
from dangbo.dues.checks import account_check, account_differences
from dangbo.dues.models import DuesCellMonth, DuesMonth, DuesPayment, DuesRelief
from dangbo.dues.services import PaymentRequest, ReliefRequest
from dangbo.members.services.transfers import member_transfer
from dangbo.orgs import services as org_services
from dangbo.orgs.models import Org
from dangbo.restructuring.operations import org_merge, org_move
from dangbo.rules.dues import Category, ReliefGround, ReliefKind
from dangbo.stats import sql
from dangbo.stats.drilldown import DRILLS
from dangbo.stats.frames import frame_for
from dangbo.stats.indicators import BY_CODE, SECTIONS, context_for, evaluate, report_dict
from dangbo.stats.indicators import dues as dues_figures
from dangbo.stats.indicators.meetings import period_span
from dangbo.stats.models import OrgTally
from dangbo.stats.tallies import keys as k
from dangbo.stats.tallies import tally_differences
from dangbo.stats.tallies.meetings import month_first_day

TODAY = date(2026, 11, 20)
CODES = ("dues.collected_share", "dues.members_in_arrears", "dues.exempted_members")
DECISION = org_services.DecisionRef(number="12-QĐ/HU", on=date(2026, 6, 25), body="Huyện ủy")


def _basis(member, income, category=Category.INSURED, month=date(2026, 1, 1)):
    services.dues_basis_record(
        actor=SYSTEM, member=member, category=category, income=income, valid_from=month, source="Bảng lương"
    )


def _pay(member, first, last, amount, paid_on):
    services.dues_payment_record(
        actor=SYSTEM,
        member=member,
        request=PaymentRequest(first_month=first, last_month=last, amount=amount, paid_on=paid_on),
    )


def _relief(member, kind, ground, first, last):
    return services.dues_relief_grant(
        actor=SYSTEM,
        member=member,
        request=ReliefRequest(
            kind=kind,
            ground=ground,
            first_month=first,
            last_month=last,
            percent=None,
            decision_no="7-QĐ/ĐU",
            decision_on=date(2026, 2, 20),
            decision_body="Đảng ủy xã Một",
        ),
    )


def m(month: int, year: int = 2026) -> date:
    return date(year, month, 1)


@pytest.fixture
def book(tree, make_member, frozen_today):
    """Cell A: An (1 % of 8,000,000: 80,000 a month) paid January to August, not September and
    October; Bảo (party age from 15/03/1976, 0.5 % of a 6,000,000 pension: 30,000) paid January
    and February, exempted from March at fifty years of party age; Cường has no basis.
    Cell B: Dung (40,000) paid January to May, exempted as a poor household from June; Giang
    (50,000) paid nothing, allowed to pay late from March to October. The agency: Hà (100,000)
    did not pay March, June and July, and paid 50,000 more than due for October."""
    frozen_today(TODAY)
    tree.an = make_member(tree.cell_a, given_name="An")
    tree.bao = make_member(
        tree.cell_a, given_name="Bảo", admitted_on=date(1976, 3, 15), birth_date=date(1950, 1, 1)
    )
    tree.cuong = make_member(tree.cell_a, given_name="Cường")
    tree.dung = make_member(tree.cell_b, given_name="Dung")
    tree.giang = make_member(tree.cell_b, given_name="Giang")
    tree.ha = make_member(tree.agency, given_name="Hà")
    _basis(tree.an, 8_000_000)
    _pay(tree.an, m(1), m(8), 640_000, date(2026, 8, 5))
    _basis(tree.bao, 6_000_000, Category.PENSION)
    _pay(tree.bao, m(1), m(2), 60_000, date(2026, 2, 5))
    _basis(tree.dung, 4_000_000)
    _pay(tree.dung, m(1), m(5), 200_000, date(2026, 5, 6))
    _relief(tree.dung, ReliefKind.EXEMPTION, ReliefGround.POOR_HOUSEHOLD, m(6), m(12))
    _basis(tree.giang, 5_000_000)
    _relief(tree.giang, ReliefKind.DEFERRAL, ReliefGround.WORKING_AWAY, m(3), m(10))
    _basis(tree.ha, 10_000_000)
    _pay(tree.ha, m(1), m(2), 200_000, date(2026, 2, 10))
    _pay(tree.ha, m(4), m(5), 200_000, date(2026, 5, 10))
    _pay(tree.ha, m(8), m(10), 350_000, date(2026, 10, 10))
    return tree


def _ctx(root, **frame):
    return context_for(frame_for(root=root, **frame))


def _values(root, **frame) -> dict[str, tuple | int | None]:
    ctx = _ctx(root, **frame)
    out: dict[str, tuple | int | None] = {}
    for code in CODES:
        value = evaluate(ctx, BY_CODE[code], root).value
        out[code] = (value.numerator, value.denominator) if value.denominator is not None else value.numerator
    return out


def _recount(root, first: date, last: date) -> dict[str, tuple | int]:
    """The same figures counted one account row at a time (the tree unchanged: current paths)."""
    due = paid = 0
    arrears, exempted = set(), 0
    for row in DuesMonth.objects.filter(month__gte=first, month__lte=last).select_related("org"):
        if not row.org.path.startswith(root.path) or not row.owed:
            continue
        if row.category:
            due += row.due
            paid += min(row.paid, row.due)
        if row.unpaid:
            arrears.add((row.member_id, row.org_id))
        if row.month == last and row.relief_kind == ReliefKind.EXEMPTION:
            exempted += 1
    return {
        "dues.collected_share": (paid, due),
        "dues.members_in_arrears": len(arrears),
        "dues.exempted_members": exempted,
    }


def test_the_section_is_declared_with_its_definitions(db):
    assert "Đảng phí" in SECTIONS
    for code in CODES:
        indicator = BY_CODE[code]
        assert indicator.section == "Đảng phí" and indicator.drill in DRILLS and indicator.target is None
        assert "tháng" in indicator.definition
    assert "chưa có căn cứ" in BY_CODE["dues.collected_share"].definition
    assert "Điều 8" in BY_CODE["dues.members_in_arrears"].note
    assert "50 năm tuổi đảng" in BY_CODE["dues.exempted_members"].definition


def test_values_over_this_year_equal_a_recount(book):
    # January to October (November is not over)
    expected = {
        # An 800,000 due, 640,000 paid; Bảo 60,000 and 60,000 (nothing due from March); Dung
        # 200,000 and 200,000; Giang 500,000 (deferred months stay due), nothing paid; Hà
        # 1,000,000 due, 700,000 paid (the 50,000 above October's due is not counted)
        "dues.collected_share": (1_600_000, 2_560_000),
        # An (09, 10), Giang (01, 02: the deferred months are not arrears), Hà (03, 06, 07)
        "dues.members_in_arrears": 3,
        # in October: Bảo (party age) and Dung (poor household)
        "dues.exempted_members": 2,
    }
    assert _values(book.province) == expected == _recount(book.province, m(1), m(10))
    commune = _values(book.commune)
    assert commune == _recount(book.commune, m(1), m(10))
    assert commune == {
        "dues.collected_share": (900_000, 1_560_000),
        "dues.members_in_arrears": 2,
        "dues.exempted_members": 2,
    }
    assert _values(book.agency)["dues.collected_share"] == (700_000, 1_000_000)
    # the children of the report add up to the root
    ctx = _ctx(book.district)
    children = [evaluate(ctx, BY_CODE["dues.collected_share"], child).value for child in ctx.children]
    assert (
        sum(v.numerator or 0 for v in children)
        == evaluate(ctx, BY_CODE["dues.collected_share"], book.district).value.numerator
    )
    # a subtree without accounts: no share (not 0 %), nobody in arrears
    assert _values(book.district2) == {
        "dues.collected_share": (0, 0),
        "dues.members_in_arrears": 0,
        "dues.exempted_members": 0,
    }
    result = evaluate(_ctx(book.district2), BY_CODE["dues.collected_share"], book.district2)
    assert result.status == "no_data"


def test_values_over_another_period_and_on_a_past_date(book):
    first_half = {"start": date(2026, 1, 1), "end": date(2026, 6, 30)}
    values = _values(book.province, **first_half)
    assert values == _recount(book.province, m(1), m(6))
    # Hà owes March and June; Giang January and February; An had paid every month by then
    assert values == {
        "dues.collected_share": (
            480_000 + 60_000 + 200_000 + 400_000,
            480_000 + 60_000 + 200_000 + 300_000 + 600_000,
        ),
        "dues.members_in_arrears": 2,
        "dues.exempted_members": 2,  # June: Bảo and Dung
    }
    # on 15/04/2026 the period is January to March: Dung's exemption had not begun
    past = _values(book.province, as_of=date(2026, 4, 15))
    assert past == _recount(book.province, m(1), m(3))
    assert past["dues.exempted_members"] == 1 and past["dues.members_in_arrears"] == 2
    # a period without a whole month has no data
    ctx = _ctx(book.province, start=date(2026, 11, 1), end=date(2026, 11, 20))
    assert period_span(ctx.frame.start, ctx.frame.end).months is None
    for code in CODES:
        assert evaluate(ctx, BY_CODE[code], book.province).status == "no_data"


def test_a_cell_moved_during_the_period_counts_where_it_stood_on_the_report_date(book):
    commune2 = org_services.org_establish(
        code="X2",
        name="Đảng bộ xã Hai",
        kind=OrgKind.GRASSROOTS_COMMITTEE,
        parent=book.district2,
        established_on=date(2015, 1, 1),
        sector=Sector.COMMUNE,
    )
    org_move(org=book.cell_b, new_parent=commune2, effective_on=date(2026, 7, 1), decision=DECISION)
    # today cell B stands under the second district: all its months of the year go with it
    assert _values(book.district2)["dues.collected_share"] == (200_000, 700_000)
    assert _values(book.commune)["dues.collected_share"] == (700_000, 860_000)
    # on 30/06/2026 it still stood in the first commune
    assert _values(book.commune, as_of=date(2026, 6, 30))["dues.members_in_arrears"] == 1  # Giang
    assert _values(book.district2, as_of=date(2026, 6, 30))["dues.collected_share"] == (0, 0)
    # the province is the same either way
    assert _values(book.province)["dues.collected_share"] == (1_600_000, 2_560_000)


@pytest.mark.parametrize(
    "frame",
    [{}, {"start": date(2026, 1, 1), "end": date(2026, 6, 30)}, {"as_of": date(2026, 4, 15)}],
)
def test_a_small_subtree_read_by_its_list_of_cells_gives_what_the_subquery_gives(book, monkeypatch, frame):
    """A subtree small beside the whole is read organization by organization and month by month
    (the index (month, org)); a large one whole, by a subquery: the same figures and rows."""
    from dangbo.stats.indicators import dues as dues_figures

    def read(root):
        ctx = _ctx(root, **frame)
        values = {code: evaluate(ctx, BY_CODE[code], org).value for code in CODES for org in ctx.orgs}
        drills = {
            code: [[c.text for c in r] for r in DRILLS[BY_CODE[code].drill](ctx, root).rows] for code in CODES
        }
        return values, drills

    roots = (book.province, book.district, book.commune, book.cell_a)
    by_subquery = {root.pk: read(root) for root in roots}
    assert dues_figures.subtree_orgs(book.commune.path, TODAY) is None  # a tiny tree: read whole
    monkeypatch.setattr(dues_figures, "list_limit", lambda: 100)
    assert set(dues_figures.subtree_orgs(book.commune.path, TODAY) or {}) == {
        book.commune.pk,
        book.cell_a.pk,
        book.cell_b.pk,
    }
    monkeypatch.setattr(dues_figures, "CHUNK", 3)  # several chunks of organizations
    assert {root.pk: read(root) for root in roots} == by_subquery
    assert by_subquery[book.province.pk][1]["dues.members_in_arrears"]  # not empty lists


def test_random_payments_and_periods_give_what_a_recount_gives(book, monkeypatch):
    """Payments of random months and amounts (short, exact, above the due), then random periods:
    every figure equals the row-by-row recount, the arrears list has one row per member and cell
    counted, and reading a subtree by its list of organizations changes nothing."""
    import random

    from dangbo.stats.indicators import dues as dues_figures

    rng = random.Random(20)
    for member in (book.an, book.dung, book.giang, book.ha):
        for _ in range(3):
            first = m(rng.randint(1, 10))
            last = min(m(10), m(first.month + rng.randint(0, 2)))
            _pay(
                member,
                first,
                last,
                rng.choice([10_000, 50_000, 80_000, 120_000]),
                date(2026, 11, rng.randint(1, 19)),
            )
    periods = [{}]
    for _ in range(5):
        start = date(2026, rng.randint(1, 10), rng.randint(1, 28))
        end = min(TODAY, date(2026, rng.randint(start.month, 11), 28))
        periods.append({"start": start, "end": end})
    checked = 0
    for frame in periods:
        ctx = _ctx(book.province, **frame)
        span = period_span(ctx.frame.start, ctx.frame.end)
        if span.months is None:
            continue
        checked += 1
        first, last = month_first_day(span.months[0]), month_first_day(span.months[1])
        for root in (book.province, book.commune, book.cell_b, book.agency):
            values = _values(root, **frame)
            assert values == _recount(root, first, last), (frame, root.code)
            rows = DRILLS["dues_members_in_arrears"](_ctx(root, **frame), root).rows
            assert len(rows) == values["dues.members_in_arrears"]
        with monkeypatch.context() as patch:
            patch.setattr(dues_figures, "list_limit", lambda: 100)
            assert _values(book.commune, **frame) == _recount(book.commune, first, last)
    assert checked >= 4


def test_a_veteran_without_a_basis_counts_as_exempted_and_is_not_asked_for_one(
    book, make_member, monkeypatch
):
    """Fifty years of party age exempt a member whether or not a basis was recorded: one who never
    had one is counted exempted, listed by that ground, and not among those without a basis."""
    quang = make_member(
        book.cell_b, given_name="Quang", admitted_on=date(1970, 5, 2), birth_date=date(1945, 1, 1)
    )
    assert _values(book.province)["dues.exempted_members"] == 3  # Bảo, Dung and Quang in October
    # found through the accounts, or, the month opened, through the bases: the same veteran (the
    # province is read from the veterans, not by its list of organizations)
    assert dues_figures.subtree_orgs(book.province.path, date(2026, 11, 20)) is None
    for opened in (None, m(10), m(11)):
        monkeypatch.setattr(dues_figures, "opened_through", lambda opened=opened: opened)
        found = dues_figures.veterans_without_account(book.province.path, date(2026, 11, 20), m(10))
        assert list(found) == [(quang.pk, book.cell_b.pk)], opened
    monkeypatch.undo()
    assert _values(book.agency)["dues.exempted_members"] == 0
    ctx = _ctx(book.province)
    exempted = {r[0].member_id: r[2].text for r in DRILLS["dues_exempted_members"](ctx, book.province).rows}
    assert exempted[quang.pk] == "Từ đủ 50 năm tuổi đảng" and len(exempted) == 3
    collection = {r[0].text: r[5].text for r in DRILLS["dues_collection_by_cell"](ctx, book.province).rows}
    assert collection["Chi bộ thôn B"] == "" and quang.full_name not in collection["Chi bộ thôn A"]
    # January 2026 was under QĐ 342, which exempted no one for party age: then he lacked a basis
    january = {"start": date(2026, 1, 1), "end": date(2026, 1, 31)}
    assert _values(book.province, **january)["dues.exempted_members"] == 0
    rows = DRILLS["dues_collection_by_cell"](_ctx(book.province, **january), book.province).rows
    assert {r[0].text: r[5].text for r in rows}["Chi bộ thôn B"] == f"1: {quang.full_name}"
    # moved to the agency after October: still counted where he was on 31/10, both ways
    member_transfer(
        member=quang,
        to_org=book.agency,
        effective_on=date(2026, 11, 10),
        decision=org_services.DecisionRef(number="9-QĐ/ĐU"),
    )
    assert _values(book.commune)["dues.exempted_members"] == 3  # Bảo, Dung and Quang
    assert _values(book.agency)["dues.exempted_members"] == 0
    assert _values(book.province)["dues.exempted_members"] == 3
    _both_ways(book.province)


def test_drill_downs_list_the_cells_the_members_and_their_months(book):
    ctx = _ctx(book.province)
    collection = DRILLS["dues_collection_by_cell"](ctx, book.province)
    assert collection.names_people
    assert [[c.text for c in row] for row in collection.rows] == [
        ["Chi bộ thôn B", "Đảng bộ xã Một", "700.000 đồng", "200.000 đồng", "28,6 %", ""],
        ["Chi bộ Cơ quan Một", "Huyện ủy Một", "1.000.000 đồng", "700.000 đồng", "70,0 %", ""],
        [
            "Chi bộ thôn A",
            "Đảng bộ xã Một",
            "860.000 đồng",
            "700.000 đồng",
            "81,4 %",
            f"1: {book.cuong.full_name}",
        ],
    ]
    arrears = DRILLS["dues_members_in_arrears"](ctx, book.province)
    rows = {row[0].member_id: [c.text for c in row[1:]] for row in arrears.rows}
    assert rows == {
        book.an.pk: ["Chi bộ thôn A", "09/2026, 10/2026", "2", "160.000 đồng"],
        book.giang.pk: ["Chi bộ thôn B", "01/2026, 02/2026", "2", "100.000 đồng"],
        book.ha.pk: ["Chi bộ Cơ quan Một", "03/2026, 06/2026, 07/2026", "3", "300.000 đồng"],
    }
    assert len(arrears.rows) == _values(book.province)["dues.members_in_arrears"]
    exempted = DRILLS["dues_exempted_members"](ctx, book.province)
    assert [(r[0].member_id, r[2].text) for r in exempted.rows] == [
        (book.bao.pk, "Từ đủ 50 năm tuổi đảng"),
        (book.dung.pk, "Thuộc hộ nghèo"),
    ]
    assert "tháng 10/2026" in exempted.title and "thuộc hộ nghèo: 1" in exempted.title
    # the commune's lists hold its own cells only; the second district's nothing
    assert {
        r[0].member_id for r in DRILLS["dues_members_in_arrears"](_ctx(book.commune), book.commune).rows
    } == {
        book.an.pk,
        book.giang.pk,
    }
    for drill in ("dues_collection_by_cell", "dues_members_in_arrears", "dues_exempted_members"):
        assert DRILLS[drill](_ctx(book.district2), book.district2).rows == []
    # the first half of the year: An had paid every month by June
    half = _ctx(book.province, start=date(2026, 1, 1), end=date(2026, 6, 30))
    assert {r[0].member_id for r in DRILLS["dues_members_in_arrears"](half, book.province).rows} == {
        book.giang.pk,
        book.ha.pk,
    }


def test_the_pages_and_the_report_show_the_section_within_scope(client, book):
    user = User.objects.create_user("lanh-dao", password="mat-khau-dai-du-1")
    role_grant(user=user, role=AccessRole.OFFICER, org=book.district)
    client.force_login(user)
    html = client.get(f"/to-chuc/{book.district.pk}/chi-tieu/").content.decode()
    assert "Đảng phí" in html and "Tỷ lệ đảng phí đã thu so với số phải nộp" in html
    response = client.get(f"/to-chuc/{book.district.pk}/chi-tieu/dues.members_in_arrears/")
    page = response.content.decode()
    assert response.status_code == 200 and book.ha.full_name in page and "03/2026, 06/2026, 07/2026" in page
    assert AuditEntry.objects.filter(data__list="dues.members_in_arrears").exists()
    # an officer of the sibling district sees none of it
    other = User.objects.create_user("can-bo-khac", password="mat-khau-dai-du-1")
    role_grant(user=other, role=AccessRole.OFFICER, org=book.district2)
    client.force_login(other)
    assert client.get(f"/to-chuc/{book.district.pk}/chi-tieu/dues.members_in_arrears/").status_code == 404
    assert client.get(f"/to-chuc/{book.district.pk}/chi-tieu/").status_code == 404
    own = client.get(f"/to-chuc/{book.district2.pk}/chi-tieu/dues.members_in_arrears/").content.decode()
    assert book.ha.full_name not in own
    found = {i["code"]: i for i in report_dict(_ctx(book.province))["indicators"]}
    assert found["dues.collected_share"]["value"] == pytest.approx(1_600_000 / 2_560_000)
    assert found["dues.members_in_arrears"]["value"] == 3


def test_the_cells_monthly_sums_follow_every_change(book, frozen_today):
    """The sums the summaries and indicators read are, after every kind of change (payments,
    a reversal, a relief granted and revoked, a transfer, a member leaving, a month opened),
    what a recount of the accounts and payments gives; and hold the book's own figures."""
    from dangbo.members.services.transfers import member_transfer

    def cell_month(org, month):
        row = DuesCellMonth.objects.filter(org=org, month=month).first()
        return {name: getattr(row, name) if row else 0 for name in sums.FIELDS}

    # September in cell A: An owes 80,000 and paid nothing; Bảo exempted; Cường, without a basis
    # or a payment, has no account to sum
    assert cell_month(book.cell_a, m(9)) == {
        "members": 2,
        "with_basis": 2,
        "due": 80_000,
        "paid": 0,
        "paid_capped": 0,
        "unpaid": 1,
        "exempted": 1,
        "collected": 0,
    }
    assert cell_month(book.cell_a, m(8))["collected"] == 640_000  # An's payment, received in August
    # Hà paid 50,000 more than due for October: paid counts it, paid up to the due does not
    agency_october = cell_month(book.agency, m(10))
    assert (agency_october["paid"], agency_october["paid_capped"]) == (150_000, 100_000)
    assert sums.differences() == []
    _pay(book.an, m(9), m(10), 160_000, date(2026, 11, 3))
    after = cell_month(book.cell_a, m(9))
    assert (after["paid"], after["unpaid"]) == (80_000, 0)
    assert cell_month(book.cell_a, m(11))["collected"] == 160_000
    payment = DuesPayment.objects.get(member=book.an, paid_on=date(2026, 11, 3))
    services.dues_payment_reverse(actor=SYSTEM, payment=payment, reason="Nộp nhầm tháng")
    assert cell_month(book.cell_a, m(11))["collected"] == 0
    assert cell_month(book.cell_a, m(9))["unpaid"] == 1
    relief = _relief(book.an, ReliefKind.EXEMPTION, ReliefGround.SERIOUS_ILLNESS, m(9), m(10))
    assert cell_month(book.cell_a, m(9))["exempted"] == 2
    services.dues_relief_revoke(actor=SYSTEM, relief=relief, reason="Quyết định bị thu hồi")
    assert cell_month(book.cell_a, m(9))["exempted"] == 1
    member_transfer(member=book.an, to_org=book.cell_b, effective_on=date(2026, 10, 5), decision=DECISION)
    assert cell_month(book.cell_a, m(10))["members"] == 1 and cell_month(book.cell_b, m(10))["members"] == 3
    assert sums.differences() == []
    frozen_today(date(2026, 12, 3))
    accounts.extend()
    assert cell_month(book.cell_b, m(12))["members"] == 3
    assert sums.differences() == []


def test_check_aggregates_compares_every_stored_account_with_a_recomputation(book, frozen_today, capsys):
    assert account_differences() == []
    assert cli.main(["check", "--aggregates"]) == 0
    assert "Sổ đảng phí từng tháng của đảng viên khớp" in capsys.readouterr().out
    # a month written behind the services' back
    DuesMonth.objects.filter(member=book.an, month=m(9)).update(paid=80_000)
    [difference] = account_differences()
    assert (difference.member_id, difference.month, difference.field) == (book.an.pk, m(9), "paid")
    assert (difference.stored, difference.recomputed) == (80_000, 0)
    assert cli.main(["check", "--aggregates"]) == 1
    err = capsys.readouterr().err
    assert "1 sai khác trong sổ đảng phí" in err and "09/2026: paid lưu 80000, tính lại 0" in err
    assert cli.main(["check", "--aggregates", "--repair"]) == 0
    assert account_differences() == []
    # a month begun since the accounts were written is not opened yet: said, not a difference
    frozen_today(date(2026, 12, 3))
    check = account_check()
    assert check.differences == [] and check.unopened == {m(12): 5}  # every member with a basis
    assert cli.main(["check", "--aggregates"]) == 0
    assert "Sổ đảng phí tháng 12/2026 chưa mở cho 5 đảng viên" in capsys.readouterr().out
    accounts.extend()  # the month's opening
    assert account_check().unopened == {}
    # a month missing before the last opened one is a difference
    DuesMonth.objects.filter(member=book.ha, month=m(11)).delete()
    assert [(d.member_id, d.month, d.field) for d in account_differences()] == [(book.ha.pk, m(11), "row")]
    assert cli.main(["check", "--aggregates", "--repair"]) == 0
    assert account_differences() == []
    assert sums.differences() == []
    capsys.readouterr()
    # a cell's monthly sum written behind the services' back
    DuesCellMonth.objects.filter(org=book.cell_a, month=m(9)).update(due=1)
    assert [(d.org_id, d.month, d.field, d.stored, d.recounted) for d in sums.differences()] == [
        (book.cell_a.pk, m(9), "due", 1, 80_000)
    ]
    assert cli.main(["check", "--aggregates"]) == 1
    err = capsys.readouterr().err
    assert "1 số tổng hợp đảng phí" in err and "tháng 09/2026: due lưu 1, cộng lại 80000" in err
    assert cli.main(["check", "--aggregates", "--repair"]) == 0
    assert sums.differences() == []
    assert cli.main(["check", "--aggregates"]) == 0
    assert "Tổng hợp đảng phí từng chi bộ, từng tháng khớp" in capsys.readouterr().out


# --- the figures kept in the tallies (issue 24) ----------------------------------------------------
# Every change of the accounts (payments, reversals, reliefs, transfers, a merged or moved cell)
# keeps the stored subtree sums and arrears chains equal to a recount (`dangbo check
# --aggregates`); the figures read from them equal the live reading for every organization and
# period; today's dashboard reads them, not the accounts.

PERIODS = [
    (date(2026, 1, 1), date(2026, 11, 20)),
    (date(2026, 1, 1), date(2026, 6, 30)),
    (date(2026, 3, 10), date(2026, 9, 30)),
    (date(2026, 9, 1), date(2026, 10, 31)),
    (date(2025, 12, 1), date(2026, 2, 28)),
]


def _both_ways(root) -> None:
    """From the tallies and live, the same figures for ``root`` and each of its children."""
    for start, end in PERIODS:
        ctx = _ctx(root, start=start, end=end)
        span = period_span(start, end)
        holders = {root.pk: ctx.root_path, **ctx.child_paths}
        stored = dues_figures.from_tallies(holders, ctx.root_path, span, TODAY)
        read = dues_figures.live(holders, ctx.root_path, span, TODAY)
        for org_id in holders:
            assert stored[org_id] == read[org_id], (root.code, start, end, org_id)


def _all_agree(tree) -> None:
    assert tally_differences() == []
    for root in (tree.province, tree.district, tree.commune, tree.cell_a, tree.agency):
        _both_ways(root)


def test_the_book_is_kept_in_the_tallies_and_read_the_same_both_ways(book):
    _all_agree(book)
    # the province's row holds every cell's months: An's 80,000 of January among them
    january = OrgTally.objects.get(org=book.province, dimension=k.DUES_DUE, value="2026-01")
    assert january.count == 80_000 + 30_000 + 40_000 + 50_000 + 100_000
    # Hà (no payment for March, June, July) is one link per unpaid month, each with the one before
    links = set(
        OrgTally.objects.filter(org=book.agency, dimension=k.DUES_ARREARS).values_list("value", flat=True)
    )
    assert {"2026-03|0000-00", "2026-06|2026-03", "2026-07|2026-06"} <= links


def test_payments_reversals_reliefs_and_transfers_keep_them_equal(book):
    rng = random.Random(24)
    for member in (book.an, book.dung, book.giang, book.ha):
        for _ in range(3):
            first = m(rng.randint(1, 10))
            last = min(m(10), m(first.month + rng.randint(0, 2)))
            _pay(member, first, last, rng.choice([10_000, 50_000, 80_000, 120_000]), date(2026, 11, 3))
    _all_agree(book)
    payment = DuesPayment.objects.filter(member=book.ha).order_by("paid_on").first()
    services.dues_payment_reverse(actor=SYSTEM, payment=payment, reason="Ghi nhầm")
    relief = DuesRelief.objects.get(member=book.giang)
    services.dues_relief_revoke(actor=SYSTEM, relief=relief, reason="Đã về địa phương")
    _relief(book.an, ReliefKind.EXEMPTION, ReliefGround.POOR_HOUSEHOLD, m(9), m(10))
    _all_agree(book)
    member_transfer(
        member=book.an,
        to_org=book.cell_b,
        effective_on=date(2026, 7, 10),
        decision=org_services.DecisionRef(number="5-QĐ/ĐU"),
    )
    _all_agree(book)


def test_a_merged_and_a_moved_cell_keep_them_equal(book):
    org_merge(sources=[book.cell_b], into=book.cell_a, effective_on=date(2026, 8, 1), decision=DECISION)
    assert tally_differences() == []
    # the province's months are the same whatever merged under it
    assert _values(book.province)["dues.collected_share"] == (1_600_000, 2_560_000)
    _pay(book.giang, m(1), m(2), 100_000, date(2026, 11, 5))
    assert tally_differences() == []
    assert _values(book.province)["dues.collected_share"] == (1_700_000, 2_560_000)
    commune2 = org_services.org_establish(
        code="X2",
        name="Đảng bộ xã Hai",
        kind=OrgKind.GRASSROOTS_COMMITTEE,
        parent=book.district2,
        established_on=date(2015, 1, 1),
        sector=Sector.COMMUNE,
    )
    org_move(org=book.cell_a, new_parent=commune2, effective_on=date(2026, 9, 1), decision=DECISION)
    assert tally_differences() == []
    _pay(book.dung, m(6), m(6), 40_000, date(2026, 11, 6))
    assert tally_differences() == []
    assert _values(book.province)["dues.collected_share"] == (1_700_000, 2_560_000)


def test_todays_dashboard_reads_the_tallies_and_a_changed_tree_reads_live(book, monkeypatch):
    expected = _values(book.province)

    def refused(*args, **kwargs):
        raise AssertionError("read live")

    with monkeypatch.context() as patch:
        patch.setattr(dues_figures, "live", refused)
        assert _values(book.province) == expected
        assert _values(book.commune, start=date(2026, 1, 1), end=date(2026, 6, 30))
    org_move(org=book.commune, new_parent=book.district2, effective_on=date(2026, 7, 1), decision=DECISION)
    with monkeypatch.context() as patch:
        patch.setattr(dues_figures, "live", refused)
        with pytest.raises(AssertionError, match="read live"):
            _values(book.province)
    assert _values(book.province) == expected


def test_a_province_sum_above_two_billion_is_kept(book):
    """A province's month passes 2^31 đồng (about 50,000 members); the count column holds it."""
    sql.tally_add({(book.province.pk, k.DUES_DUE, "2026-01"): 3_000_000_000})
    row = OrgTally.objects.get(org=book.province, dimension=k.DUES_DUE, value="2026-01")
    assert row.count == 3_000_000_000 + 300_000


def test_an_upgraded_database_gets_its_dues_and_ratings_counted_after_migrate(book):
    """A database of a version that did not keep the dues in the tallies: after `migrate` (the
    upgrade's command) they are counted from the tables, once; a database with them is left alone."""
    from django.core.management import call_command

    from dangbo.stats.tallies.upgrade import fill_missing_tallies

    OrgTally.objects.filter(dimension__in=k.DUES_DIMENSIONS).delete()
    assert tally_differences() != []
    call_command("migrate", verbosity=0)
    assert tally_differences() == []
    assert fill_missing_tallies() == []  # nothing missing: nothing recounted


def test_an_upgraded_database_gets_the_counted_members_changes_by_day_after_migrate(book):
    """A database of a version that did not keep the counted members' changes by day (which the
    opening totals of a period read): after `migrate` they are recounted from the placements."""
    from django.core.management import call_command

    from dangbo.stats.tallies.upgrade import fill_missing_tallies

    assert OrgTally.objects.filter(dimension__in=k.STOCK_FLOW_DIMENSIONS).exists()
    OrgTally.objects.filter(dimension__in=k.STOCK_FLOW_DIMENSIONS).delete()
    assert tally_differences() != []
    call_command("migrate", verbosity=0)
    assert tally_differences() == []
    assert fill_missing_tallies() == []


def test_an_upgraded_database_gets_the_flows_by_year_after_migrate(book):
    """A database of a version that kept the flows by day only (the overview's years read them
    by year): after `migrate` they are recounted from the ledger, transfers included."""
    from django.core.management import call_command

    from dangbo.stats.tallies.upgrade import fill_missing_tallies

    assert OrgTally.objects.filter(dimension__in=k.YEAR_FLOW_DIMENSIONS).exists()
    OrgTally.objects.filter(dimension__in=k.YEAR_FLOW_DIMENSIONS).delete()
    assert tally_differences() != []
    call_command("migrate", verbosity=0)
    assert tally_differences() == []
    assert fill_missing_tallies() == []


def test_a_subtrees_veterans_are_the_same_read_by_its_organizations_or_from_the_veterans(
    book, make_member, monkeypatch
):
    """The tree unchanged, a subtree of ``VETERANS_LISTED`` organizations or more is read from
    the veterans (the faster way there), a smaller one by its organizations: the same members
    either way, and the dashboard's figure the same."""
    quang = make_member(
        book.cell_b, given_name="Quang", admitted_on=date(1970, 5, 2), birth_date=date(1945, 1, 1)
    )
    monkeypatch.setattr(dues_figures, "list_limit", lambda: 100)  # this small register read by lists
    day, month = date(2026, 11, 20), m(10)
    for root in (book.province, book.district, book.commune, book.cell_b, book.agency):
        assert dues_figures.subtree_orgs(root.path, day, limit=dues_figures.VETERANS_LISTED) is not None
        listed = sorted(dues_figures.veterans_without_account(root.path, day, month, tree_unchanged=True))
        exempted = _values(root)["dues.exempted_members"]
        monkeypatch.setattr(dues_figures, "VETERANS_LISTED", 0)
        assert dues_figures.subtree_orgs(root.path, day, limit=dues_figures.VETERANS_LISTED) is None
        large = sorted(dues_figures.veterans_without_account(root.path, day, month, tree_unchanged=True))
        assert listed == large, root.code
        assert _values(root)["dues.exempted_members"] == exempted, root.code
        assert ((quang.pk, book.cell_b.pk) in large) == book.cell_b.path.startswith(root.path), root.code
        monkeypatch.setattr(dues_figures, "VETERANS_LISTED", 200)
    assert sorted(
        dues_figures.veterans_without_account(book.commune.path, day, month, tree_unchanged=True)
    ) == [(quang.pk, book.cell_b.pk)]
    limits: list = []
    real = dues_figures.subtree_orgs
    monkeypatch.setattr(
        dues_figures, "subtree_orgs", lambda *a, **kw: limits.append(kw.get("limit")) or real(*a, **kw)
    )
    list(dues_figures.veterans_without_account(book.commune.path, day, month, tree_unchanged=True))
    list(
        dues_figures.veterans_without_account(book.commune.path, day, month)
    )  # the tree moved: every veteran
    assert limits == [dues_figures.VETERANS_LISTED, None]


def test_the_veterans_counted_by_organization_are_those_of_the_month_end_whatever_happened_since(
    book, make_member, monkeypatch
):
    """The dashboard's count of veterans without an account (``veterans_under``) takes those
    whose placements did not change since the month's end where they are today, grouped by
    branch, and reads the others one by one: a veteran who moved to the agency or died after
    31/10 is still counted in cell B for October, one who came in after it nowhere; the same
    counts as placing each veteran's cell of the month's end, for every root and child."""
    from dangbo.members.services.records import member_record_death

    day, month = date(2026, 11, 20), m(10)
    old = {"admitted_on": date(1970, 5, 2), "birth_date": date(1945, 1, 1)}
    make_member(book.cell_a, given_name="Lâm", **old)  # steady
    make_member(book.cell_b, given_name="Minh", **old)  # steady
    moved = make_member(book.cell_b, given_name="Nam", **old)
    died = make_member(book.cell_b, given_name="Oanh", **old)
    came = make_member(book.cell_a, given_name="Phúc", **old)
    member_transfer(
        member=moved,
        to_org=book.agency,
        effective_on=date(2026, 11, 10),
        decision=org_services.DecisionRef(number="10-QĐ/ĐU"),
    )
    member_record_death(member=died, died_on=date(2026, 11, 5))
    member_transfer(
        member=came,
        to_org=book.agency,
        effective_on=date(2026, 11, 12),
        decision=org_services.DecisionRef(number="11-QĐ/ĐU"),
    )
    expected = {
        book.province: 5,  # Lâm, Minh, Nam, Oanh in their cells; Phúc in cell A on 31/10
        book.commune: 5,
        book.cell_a: 2,  # Lâm, Phúc
        book.cell_b: 3,  # Minh, Nam, Oanh
        book.agency: 0,  # Nam and Phúc came after the month's end
    }
    for read_by_list in (False, True):
        monkeypatch.setattr(dues_figures, "VETERANS_LISTED", 200 if read_by_list else 0)
        for root, n in expected.items():
            holders = {root.pk: root.path}
            holders |= {child.pk: child.path for child in Org.objects.filter(parent=root, dissolved_on=None)}
            counted = dues_figures.veterans_under(holders, root.path, day, month)
            pairs = dues_figures.veterans_without_account(root.path, day, month, tree_unchanged=True)
            assert +counted == +dues_figures._counted_under(holders, pairs), (root.code, read_by_list)
            assert counted[root.pk] == n, (root.code, read_by_list)
        assert _values(book.cell_b)["dues.exempted_members"] == 4  # Dung (poor household) and three


def test_the_organizations_limit_is_counted_once_in_a_while(book, django_assert_num_queries):
    """``list_limit`` only chooses how a subtree is read: counted once, then kept in the
    process's cache (``LIMIT_KEPT`` seconds), not counted again by every dashboard."""
    from django.core.cache import cache

    cache.clear()
    with django_assert_num_queries(1):
        first = dues_figures.list_limit()
    with django_assert_num_queries(0):
        again = dues_figures.list_limit()
    assert again == first == Org.objects.count() // 10
