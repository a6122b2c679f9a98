"""The dues API (issue 20): an organization's collection book for a month, its summary by
sub-organization, a member's account — with the scope and audit of the pages: a sibling
subtree gets 404 everywhere, reading people is audited, totals add up, the shares'
UNCONFIRMED status is said, and a bad month is refused in Vietnamese."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from django.contrib.auth.models import User

from dangbo.accounts.models import AccessRole, TokenAccess
from dangbo.accounts.scope import SYSTEM
from dangbo.accounts.services import role_grant
from dangbo.accounts.tokens import token_create
from dangbo.audit.models import AuditEntry
from dangbo.audit.services import Action
from dangbo.dues import api as dues_api
from dangbo.dues import services
from dangbo.dues.services import PaymentRequest, ReliefRequest
from dangbo.rules.dues import Category, ReliefGround, ReliefKind

TODAY = date(2026, 11, 20)
OCTOBER = date(2026, 10, 1)


@dataclass
class World:
    tree: object
    members: list  # cell A: insured paid, pensioner unpaid, exempted; cell B: one
    stranger: object  # in the agency, outside the officer's commune
    key: str  # read-only key of the commune's officer
    sibling_key: str  # an officer of the sibling district


def _key(username, org) -> str:
    user = User.objects.create_user(username, password="mat-khau-dai-du-1")
    role_grant(user=user, role=AccessRole.OFFICER, org=org)
    return token_create(user=user, name="thử", days=30, access=TokenAccess.READ)[1]


def _basis(member, category, income):
    services.dues_basis_record(
        actor=SYSTEM,
        member=member,
        category=category,
        income=income,
        valid_from=date(2026, 8, 1),
        source="Tự khai",
    )


def _pay(member, first, last, amount, paid_on, **extra):
    return services.dues_payment_record(
        actor=SYSTEM,
        member=member,
        request=PaymentRequest(first_month=first, last_month=last, amount=amount, paid_on=paid_on, **extra),
    )


@pytest.fixture
def world(tree, make_member, frozen_today) -> World:
    frozen_today(TODAY)
    admitted = date(2016, 3, 1)
    insured, pensioner, exempted = (
        make_member(tree.cell_a, admitted_on=admitted, given_name=name) for name in ("Lan", "Minh", "Nga")
    )
    other = make_member(tree.cell_b, admitted_on=admitted, given_name="Oanh")
    stranger = make_member(tree.agency, admitted_on=admitted, given_name="Ngoàiphạmvi")
    _basis(insured, Category.INSURED, 9_000_000)
    _basis(pensioner, Category.PENSION, 7_000_000)
    _basis(exempted, Category.OTHER, 3_700_000)
    _basis(other, Category.INSURED, 6_000_000)
    _basis(stranger, Category.INSURED, 5_000_000)
    services.dues_relief_grant(
        actor=SYSTEM,
        member=exempted,
        request=ReliefRequest(
            kind=ReliefKind.EXEMPTION,
            ground=ReliefGround.SERIOUS_ILLNESS,
            first_month=date(2026, 8, 1),
            last_month=date(2027, 7, 1),
            decision_no="40-QĐ/ĐU",
            decision_on=date(2026, 7, 28),
            decision_body="Đảng ủy xã Một",
        ),
    )
    _pay(insured, date(2026, 8, 1), OCTOBER, 270_000, date(2026, 10, 3), method="transfer", reference="FT001")
    wrong = _pay(other, OCTOBER, OCTOBER, 600_000, date(2026, 10, 6))
    services.dues_payment_reverse(actor=SYSTEM, payment=wrong, reason="Ghi nhầm số tiền")
    _pay(other, OCTOBER, OCTOBER, 60_000, date(2026, 10, 6))
    _pay(stranger, OCTOBER, OCTOBER, 50_000, date(2026, 10, 7))
    return World(
        tree=tree,
        members=[insured, pensioner, exempted, other],
        stranger=stranger,
        key=_key("canbo", tree.commune),
        sibling_key=_key("canbohai", tree.district2),
    )


def get(client, url, key):
    return client.get(url, HTTP_AUTHORIZATION=f"Bearer {key}")


def test_the_book_of_a_month_lists_every_member_with_totals_and_is_audited(client, world):
    tree = world.tree
    response = get(client, f"/api/orgs/{tree.commune.pk}/dues?month=2026-10", world.key)
    assert response.status_code == 200, response.content
    book = response.json()
    assert (book["org_code"], book["month"], book["count"], book["pages"]) == ("X1", "2026-10", 4, 1)
    lines = {line["full_name"].split()[-1]: line for line in book["items"]}
    assert set(lines) == {"Lan", "Minh", "Nga", "Oanh"}  # the agency's member is not under the commune
    lan, minh, nga, oanh = (lines[n] for n in ("Lan", "Minh", "Nga", "Oanh"))
    assert (lan["category"], lan["income"], lan["due"], lan["paid"], lan["balance"]) == (
        Category.INSURED,
        9_000_000,
        90_000,
        90_000,
        0,
    )
    assert lan["collected"] == 270_000 and len(lan["receipts"]) == 1  # three months paid in October
    assert (minh["due"], minh["paid"], minh["balance"], minh["arrears_months"], minh["arrears"]) == (
        35_000,
        0,
        35_000,
        3,
        105_000,
    )
    assert nga["due"] == 0 and nga["relief_kind"] == ReliefKind.EXEMPTION and "hiểm nghèo" in nga["relief"]
    # the mistaken 600,000 was received in October and reversed today (November): October's
    # collection keeps it, the month's account does not
    assert (oanh["org_code"], oanh["paid"], oanh["collected"], len(oanh["receipts"])) == (
        "X1B",
        60_000,
        660_000,
        2,
    )
    november = get(client, f"/api/orgs/{tree.cell_b.pk}/dues?month=2026-11", world.key).json()
    assert november["items"][0]["collected"] == -600_000
    totals = book["totals"]
    for name in ("due", "paid", "balance", "collected", "arrears"):
        assert totals[name] == sum(line[name] or 0 for line in book["items"]), name
    assert totals["members"] == 4 and totals["without_basis"] == 0
    assert book["rule"]["citation"].startswith("Quy định 01-QĐ/TW")
    assert AuditEntry.objects.filter(
        action=Action.LIST_VIEWED, subject_type="dues_book", subject_id=str(tree.commune.pk)
    ).exists()


def test_the_book_is_paged_and_the_totals_cover_every_page(client, world, monkeypatch):
    monkeypatch.setattr(dues_api, "PER_PAGE", 3)
    url = f"/api/orgs/{world.tree.commune.pk}/dues?month=2026-10"
    first = get(client, url, world.key).json()
    second = get(client, url + "&page=2", world.key).json()
    assert (first["pages"], len(first["items"]), len(second["items"])) == (2, 3, 1)
    assert first["totals"] == second["totals"]
    assert first["totals"]["due"] == sum(line["due"] for line in first["items"] + second["items"])


def test_the_summary_by_sub_organization_adds_up_and_says_the_shares_are_unconfirmed(client, world):
    tree = world.tree
    response = get(client, f"/api/orgs/{tree.commune.pk}/dues/summary?month=10/2026", world.key)
    assert response.status_code == 200, response.content
    summary = response.json()
    rows = {row["org_code"]: row for row in summary["rows"]}
    assert set(rows) == {"X1A", "X1B"}
    a, b = rows["X1A"], rows["X1B"]
    assert (a["members"], a["due"], a["paid"], a["unpaid_members"], a["collected"]) == (
        3,
        125_000,
        90_000,
        1,
        270_000,
    )
    assert (b["members"], b["due"], b["paid"], b["collected"]) == (1, 60_000, 60_000, 660_000)
    for row in (a, b):  # a cell keeps its share and remits the rest to the commune
        assert row["kept"] == row["collected"] * summary["shares"]["cell"] // 100
        assert row["kept"] + row["remitted"] == row["collected"]
    total = summary["total"]
    assert total["collected"] == 930_000 == total["kept"] + total["remitted"]
    assert total["due"] == a["due"] + b["due"]
    assert summary["shares"]["confirmed"] is False and summary["shares"]["cell"] == 30
    # counts and sums only: no one is named
    assert "Lan" not in response.content.decode()


def test_a_members_account_with_months_payments_reliefs_and_bases_is_audited(client, world):
    _, pensioner, exempted, other = world.members
    account = get(client, f"/api/members/{pensioner.pk}/dues", world.key).json()
    assert account["unpaid_months"] == ["2026-11", "2026-10", "2026-09", "2026-08"]
    assert account["owed_total"] == 4 * 35_000 and account["paid_total"] == 0
    assert account["bases"] == [
        {
            "category": Category.PENSION,
            "category_label": "Lương hưu",
            "income": 7_000_000,
            "valid_from": "2026-08",
            "source": "Tự khai",
        }
    ]
    reversed_ = get(client, f"/api/members/{other.pk}/dues", world.key).json()
    receipts = {p["receipt_no"]: p for p in reversed_["payments"]}
    assert len(receipts) == 3
    reversal = next(p for p in reversed_["payments"] if p["amount"] < 0)
    assert (
        reversal["amount"] == -600_000
        and reversal["reverses"] in receipts
        and reversal["note"] == "Ghi nhầm số tiền"
    )
    october = next(m for m in reversed_["months"] if m["month"] == "2026-10")
    assert (october["due"], october["paid"], october["balance"], october["unpaid"]) == (
        60_000,
        60_000,
        0,
        False,
    )
    relieved = get(client, f"/api/members/{exempted.pk}/dues", world.key).json()
    assert relieved["reliefs"][0]["decision_no"] == "40-QĐ/ĐU" and relieved["reliefs"][0]["revoked"] is False
    assert all(m["due"] == 0 for m in relieved["months"])
    assert AuditEntry.objects.filter(
        action=Action.MEMBER_HISTORY_VIEWED, subject_id=str(pensioner.pk), data__history="dues"
    ).exists()


def test_outside_the_callers_subtrees_everything_is_404(client, world):
    tree = world.tree
    insured = world.members[0]
    for url in (
        f"/api/orgs/{tree.commune.pk}/dues",
        f"/api/orgs/{tree.commune.pk}/dues/summary",
        f"/api/orgs/{tree.province.pk}/dues",
        f"/api/members/{insured.pk}/dues",
    ):
        response = get(client, url, world.sibling_key)
        assert response.status_code == 404, url
        assert "Lan" not in response.content.decode()
    assert get(client, f"/api/members/{world.stranger.pk}/dues", world.key).status_code == 404
    assert get(client, f"/api/orgs/{tree.agency.pk}/dues", world.key).status_code == 404
    assert get(client, f"/api/orgs/{tree.district.pk}/dues/summary", world.key).status_code == 404
    assert get(client, "/api/members/00000000-0000-0000-0000-000000000000/dues", world.key).status_code == 404
    assert not AuditEntry.objects.filter(
        subject_id=str(insured.pk), action=Action.MEMBER_HISTORY_VIEWED
    ).exists()


def test_a_bad_month_is_refused_in_vietnamese(client, world):
    for month in ("2026-13", "10-2026", "thang-muoi"):
        for suffix in ("dues", "dues/summary"):
            response = get(client, f"/api/orgs/{world.tree.commune.pk}/{suffix}?month={month}", world.key)
            assert response.status_code == 422, (month, suffix)
            assert "Tháng không hợp lệ" in " ".join(response.json()["errors"]["month"])
    assert not AuditEntry.objects.filter(subject_type="dues_book").exists()
    # without a month: this month
    assert get(client, f"/api/orgs/{world.tree.commune.pk}/dues", world.key).json()["month"] == "2026-11"


def test_a_member_reads_their_own_account_and_nothing_else(client, world):
    insured, pensioner, *_ = world.members
    user = User.objects.create_user("dangvien-lan", password="mat-khau-dai-du-1")
    role_grant(user=user, role=AccessRole.MEMBER, org=None, member=insured)
    client.force_login(user)
    own = client.get(f"/api/members/{insured.pk}/dues")
    assert own.status_code == 200
    assert own.json()["paid_total"] == 270_000 and own.json()["unpaid_months"] == ["2026-11"]
    assert client.get(f"/api/members/{pensioner.pk}/dues").status_code == 404
    assert client.get(f"/api/orgs/{world.tree.cell_a.pk}/dues").status_code == 404
