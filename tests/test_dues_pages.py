"""The dues pages through Django's test client: a secretary's start page and the month's
collection book (amounts, members without a basis, the rule and its unconfirmed figures),
recording from the book (basis, relief, payment with its proposed months, reversal) with the
rules' refusals on the form, the receipt, the summary of a higher level and its drill-down,
the exports, the member's own page, and scope (a sibling cell, a leader who only reads)."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from openpyxl import load_workbook

from dangbo.accounts.models import AccessRole
from dangbo.accounts.scope import SYSTEM
from dangbo.accounts.services import role_grant
from dangbo.audit.models import AuditEntry
from dangbo.audit.services import Action
from dangbo.dues import services
from dangbo.dues.models import DuesBasis, DuesMonth, DuesPayment, DuesRelief
from dangbo.dues.services import PaymentRequest
from dangbo.rules.dues import Category

TODAY = date(2026, 11, 20)


@pytest.fixture
def cell(tree, make_member, frozen_today):
    frozen_today(TODAY)
    tree.paying = make_member(tree.cell_a, given_name="Thuận", admitted_on=date(2016, 3, 1))
    tree.retired = make_member(tree.cell_a, given_name="Hưu", admitted_on=date(2016, 3, 1))
    tree.nobasis = make_member(tree.cell_a, given_name="Chưacó", admitted_on=date(2016, 3, 1))
    tree.other = make_member(tree.cell_b, given_name="Thônbê", admitted_on=date(2016, 3, 1))
    for member, category, income in (
        (tree.paying, Category.INSURED, 8_000_000),
        (tree.retired, Category.PENSION, 6_000_000),
        (tree.other, Category.OTHER, 4_960_000),
    ):
        services.dues_basis_record(
            actor=SYSTEM,
            member=member,
            category=category,
            income=income,
            valid_from=date(2026, 1, 1),
            source="Bảng lương",
        )
    return tree


def _user(name: str, role: str, org=None, member=None) -> User:
    user = User.objects.create_user(name, password="mat-khau-dai-du-1")
    role_grant(user=user, role=role, org=org, member=member)
    return user


@pytest.fixture
def secretary(client, cell):
    client.force_login(_user("bithu-a", AccessRole.SECRETARY, cell.cell_a))
    return client


def _pay(member, first, last, amount, paid_on=date(2026, 11, 10)):
    return services.dues_payment_record(
        actor=SYSTEM,
        member=member,
        request=PaymentRequest(first_month=first, last_month=last, amount=amount, paid_on=paid_on),
    )


def _page(response) -> str:
    return response.content.decode()


# --- the start page and the book ---------------------------------------------------------------


def test_a_secretary_starts_at_the_book_of_their_cell(secretary, cell):
    response = secretary.get(reverse("dues:home"))
    assert response.status_code == 302
    assert response.url == reverse("dues:org_book", args=[cell.cell_a.pk])
    page = _page(secretary.get(response.url))
    assert "Sổ thu, nộp đảng phí tháng 11/2026" in page and "Chi bộ thôn A" in page
    assert "Đảng phí</a>" in page  # the menu item


def test_an_officer_chooses_among_the_books_of_their_scope(client, cell):
    client.force_login(_user("canbo-xa", AccessRole.OFFICER, cell.commune))
    page = _page(client.get(reverse("dues:home")))
    for org in (cell.commune, cell.cell_a, cell.cell_b):
        assert reverse("dues:org_book", args=[org.pk]) in page
    assert reverse("dues:org_summary", args=[cell.commune.pk]) in page
    assert "Chi bộ Cơ quan Một" not in page  # the agency is outside the commune
    # a district has no book of its own: its address leads to its summary
    client.force_login(_user("canbo-huyen", AccessRole.OFFICER, cell.district))
    response = client.get(reverse("dues:org_book", args=[cell.district.pk]))
    assert response.status_code == 302 and response.url == reverse(
        "dues:org_summary", args=[cell.district.pk]
    )
    client.force_login(User.objects.create_user("khach"))
    assert client.get(reverse("dues:home")).status_code == 404
    assert client.get(reverse("dues:my_dues")).status_code == 404


def test_the_book_shows_each_members_basis_due_and_unpaid_months(secretary, cell):
    _pay(cell.paying, date(2026, 1, 1), date(2026, 10, 1), 800_000)
    page = _page(secretary.get(reverse("dues:org_book", args=[cell.cell_a.pk]) + "?thang=2026-11"))
    assert "Lương đóng BHXH" in page and "8.000.000" in page and "80.000" in page
    assert "Lương hưu" in page and "30.000" in page  # 0.5 % of 6.000.000
    # paid January to October: November alone is unpaid; the pensioner owes eleven months
    assert "1 tháng, 80.000" in page and "11 tháng, 330.000" in page
    assert "1 đảng viên chưa có căn cứ đóng đảng phí" in page and "Chưacó" in page
    assert "Quy định số 01-QĐ/TW" in page or "01-QĐ/TW" in page
    assert "Thônbê" not in page  # cell B's member is in cell B's book
    # the month before: October was paid by the receipt of November 10th, not collected in October
    october = _page(secretary.get(reverse("dues:org_book", args=[cell.cell_a.pk]) + "?thang=2026-10"))
    assert "Sổ thu, nộp đảng phí tháng 10/2026" in october and "Phiếu 2026/1" not in october
    assert "Phiếu 2026/1" in page  # collected in November, with its receipt


def test_an_unconfirmed_rate_is_labelled_on_the_book(client, cell):
    client.force_login(_user("bithu-b", AccessRole.SECRETARY, cell.cell_b))
    page = _page(client.get(reverse("dues:org_book", args=[cell.cell_b.pk])))
    assert "CHƯA XÁC NHẬN" in page and "Khác (dưới tuổi nghỉ hưu)" in page
    # 0.3 % of 4.960.000 (the rate RULES.md leaves unconfirmed)
    assert "14.880" in page


def test_a_bad_month_falls_back_to_this_month(secretary, cell):
    for bad in ("2026-13", "abc", "0/0", "9999-01", "'; DROP"):
        response = secretary.get(reverse("dues:org_book", args=[cell.cell_a.pk]), {"thang": bad})
        assert response.status_code == 200 and "tháng 11/2026" in _page(response), bad


def test_a_grassroots_book_groups_members_by_cell_and_links_to_the_summary(client, cell):
    client.force_login(_user("canbo-xa", AccessRole.OFFICER, cell.commune))
    page = _page(client.get(reverse("dues:org_book", args=[cell.commune.pk])))
    assert page.index("Chi bộ thôn A</h2>") < page.index("Thuận") < page.index("Chi bộ thôn B</h2>")
    assert page.index("Chi bộ thôn B</h2>") < page.index("Thônbê")
    assert "Tổng cộng Đảng bộ xã Một" in page
    assert reverse("dues:org_summary", args=[cell.commune.pk]) in page


# --- recording -----------------------------------------------------------------------------


def test_a_payment_proposes_the_unpaid_months_and_prints_a_receipt(secretary, cell):
    book = _page(secretary.get(reverse("dues:org_book", args=[cell.cell_a.pk])))
    url = reverse("dues:payment_new", args=[cell.paying.pk])
    assert url in book
    form = _page(secretary.get(url))
    assert 'value="01/2026"' in form and 'value="11/2026"' in form and 'value="880.000"' in form
    response = secretary.post(
        url,
        {
            "first_month": "01/2026",
            "last_month": "11/2026",
            "amount": "880.000",
            "paid_on": "20/11/2026",
            "method": "cash",
        },
    )
    payment = DuesPayment.objects.get(member=cell.paying)
    assert response.status_code == 302 and response.url == reverse("dues:receipt", args=[payment.pk])
    assert payment.amount == 880_000 and payment.receipt_no == "2026/1"
    assert not DuesMonth.objects.filter(member=cell.paying, paid__lt=80_000, owed=True).exists()
    receipt = _page(secretary.get(response.url))
    assert "PHIẾU THU ĐẢNG PHÍ" in receipt and "Số: 2026/1" in receipt
    assert "từ tháng 01/2026 đến tháng 11/2026" in receipt and "880.000 đồng" in receipt
    assert "Tám trăm tám mươi nghìn đồng" in receipt  # the amount in words, as a receipt writes it
    assert "Người nộp" in receipt and "Người thu" in receipt and "Chi bộ thôn A" in receipt
    assert "Đã thu 880.000 đồng" in receipt
    book = _page(secretary.get(reverse("dues:org_book", args=[cell.cell_a.pk])))
    assert reverse("dues:receipt", args=[payment.pk]) in book


def test_a_payment_refused_by_the_rule_shows_why_on_the_form_and_writes_nothing(secretary, cell):
    url = reverse("dues:payment_new", args=[cell.paying.pk])
    before = DuesPayment.objects.count()
    cases = [
        ({"amount": "-5000"}, "Nhập số tiền bằng số đồng nguyên dương"),
        ({"amount": "0"}, "Số tiền phải là số đồng dương."),
        ({"amount": "abc"}, "Nhập số tiền bằng số đồng nguyên dương"),
        ({"amount": "999.999.999"}, "không hợp lý"),
        ({"first_month": "01/2015", "last_month": "01/2015"}, "trước tháng vào Đảng"),
        ({"first_month": "13/2026"}, "Tháng không hợp lệ"),
        ({"paid_on": "31/12/2026"}, "Ngày nộp là ngày sau này."),
        ({"method": "transfer"}, "Ghi số chứng từ hoặc mã giao dịch"),
        ({"last_month": "12/2025"}, "Tháng cuối trước tháng đầu."),
    ]
    for change, message in cases:
        data = {
            "first_month": "11/2026",
            "last_month": "11/2026",
            "amount": "80000",
            "paid_on": "20/11/2026",
            "method": "cash",
            **change,
        }
        response = secretary.post(url, data)
        assert response.status_code == 400, change
        assert message in _page(response), (change, message)
    assert DuesPayment.objects.count() == before
    response = secretary.post(
        url,
        {
            "first_month": "01/2015",
            "last_month": "01/2015",
            "amount": "1",
            "paid_on": "20/11/2026",
            "method": "cash",
        },
    )
    assert "Quy định số 01-QĐ/TW" in _page(response) or "01-QĐ/TW" in _page(response)  # the citation


def test_a_reversal_needs_a_reason_and_a_confirmation_and_prints_as_such(secretary, cell):
    payment = _pay(cell.paying, date(2026, 11, 1), date(2026, 11, 1), 80_000)
    url = reverse("dues:payment_reverse", args=[payment.pk])
    assert url in _page(secretary.get(reverse("dues:receipt", args=[payment.pk])))
    response = secretary.post(url, {"reason": "Ghi nhầm người"})
    assert response.status_code == 400 and "Đánh dấu ô xác nhận để hủy." in _page(response)
    response = secretary.post(url, {"reason": "", "confirm": "on"})
    assert response.status_code == 400 and "Chưa nhập mục này." in _page(response)
    assert DuesPayment.objects.count() == 1
    response = secretary.post(url, {"reason": "Ghi nhầm người", "confirm": "on"})
    reversal = DuesPayment.objects.get(reverses=payment)
    assert response.status_code == 302 and reversal.amount == -80_000
    page = _page(secretary.get(response.url))
    assert "PHIẾU HỦY PHIẾU THU ĐẢNG PHÍ" in page and f"hủy phiếu thu số {payment.receipt_no}" in page
    assert "Ghi nhầm người" in page
    original = _page(secretary.get(reverse("dues:receipt", args=[payment.pk])))
    assert "đã bị hủy bằng phiếu hủy số" in original and url not in original
    book = _page(secretary.get(reverse("dues:org_book", args=[cell.cell_a.pk])))
    assert f"Phiếu {reversal.receipt_no}</a> (phiếu hủy)" in book
    assert f"Phiếu {payment.receipt_no}</a> (phiếu hủy)" not in book
    # neither is reversed twice
    assert secretary.post(url, {"reason": "Lần nữa", "confirm": "on"}).status_code == 400
    assert secretary.get(reverse("dues:payment_reverse", args=[reversal.pk])).status_code == 404
    assert DuesPayment.objects.count() == 2


def test_a_basis_is_recorded_from_the_book_and_a_future_month_is_refused(secretary, cell):
    url = reverse("dues:basis_new", args=[cell.nobasis.pk]) + "?thang=2026-11"
    response = secretary.post(
        url, {"category": "insured", "income": "10.000.000", "valid_from": "12/2026", "source": "Bảng lương"}
    )
    assert response.status_code == 400 and "là tháng sau này" in _page(response)
    response = secretary.post(
        url, {"category": "insured", "income": "", "valid_from": "11/2026", "source": "x"}
    )
    assert response.status_code == 400 and "(đồng, số dương)" in _page(response)
    assert not DuesBasis.objects.filter(member=cell.nobasis).exists()
    response = secretary.post(
        url, {"category": "insured", "income": "10.000.000", "valid_from": "11/2026", "source": "Bảng lương"}
    )
    assert response.status_code == 302
    assert response.url == reverse("dues:org_book", args=[cell.cell_a.pk]) + "?thang=2026-11"
    page = _page(secretary.get(response.url))
    assert "100.000" in page and "chưa có căn cứ đóng đảng phí" not in page


def test_a_relief_needs_its_decision_and_can_be_revoked(secretary, cell):
    url = reverse("dues:relief_new", args=[cell.retired.pk])
    data = {
        "kind": "reduction",
        "ground": "hardship",
        "percent": "50",
        "first_month": "11/2026",
        "last_month": "12/2026",
        "decision_no": "",
        "decision_on": "",
        "decision_body": "Đảng ủy xã Một",
    }
    response = secretary.post(url, data)
    page = _page(response)
    assert response.status_code == 400 and "phải có quyết định" in page and "Điều 5" in page
    response = secretary.post(
        url, {**data, "percent": "40", "decision_no": "5-QĐ/ĐU", "decision_on": "10/11/2026"}
    )
    assert response.status_code == 400 and "Giá trị này không có trong danh mục" in _page(response)
    response = secretary.post(
        url, {**data, "last_month": "12/2027", "decision_no": "5-QĐ/ĐU", "decision_on": "10/11/2026"}
    )
    assert response.status_code == 400 and "tối đa 12 tháng" in _page(response)
    assert not DuesRelief.objects.exists()
    response = secretary.post(url, {**data, "decision_no": "5-QĐ/ĐU", "decision_on": "10/11/2026"})
    assert response.status_code == 302
    assert DuesMonth.objects.get(member=cell.retired, month=date(2026, 11, 1)).due == 15_000
    relief = DuesRelief.objects.get()
    member_page = _page(secretary.get(reverse("dues:member_dues", args=[cell.retired.pk])))
    revoke = reverse("dues:relief_revoke", args=[relief.pk])
    assert "Giảm mức đóng đảng phí 50%" in member_page and revoke in member_page
    assert secretary.post(revoke, {"reason": "Ghi nhầm"}).status_code == 400  # not confirmed
    assert secretary.post(revoke, {"reason": "Ghi nhầm", "confirm": "on"}).status_code == 302
    assert DuesMonth.objects.get(member=cell.retired, month=date(2026, 11, 1)).due == 30_000
    assert "Đã hủy: Ghi nhầm" in _page(secretary.get(reverse("dues:member_dues", args=[cell.retired.pk])))


# --- scope ---------------------------------------------------------------------------------


def test_a_secretary_of_another_cell_finds_nothing_of_this_one(client, cell):
    payment = _pay(cell.paying, date(2026, 11, 1), date(2026, 11, 1), 80_000)
    client.force_login(_user("bithu-b", AccessRole.SECRETARY, cell.cell_b))
    for url in (
        reverse("dues:org_book", args=[cell.cell_a.pk]),
        reverse("dues:org_summary", args=[cell.cell_a.pk]),
        reverse("dues:member_dues", args=[cell.paying.pk]),
        reverse("dues:payment_new", args=[cell.paying.pk]),
        reverse("dues:basis_new", args=[cell.paying.pk]),
        reverse("dues:relief_new", args=[cell.paying.pk]),
        reverse("dues:receipt", args=[payment.pk]),
        reverse("dues:payment_reverse", args=[payment.pk]),
    ):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"amount": "1", "reason": "x", "confirm": "on"}).status_code == 404, url
    assert DuesPayment.objects.count() == 1


def test_a_leader_reads_the_book_but_records_nothing(client, cell):
    client.force_login(_user("lanhdao", AccessRole.LEADER, cell.commune))
    page = _page(client.get(reverse("dues:org_book", args=[cell.cell_a.pk])))
    assert "Thuận" in page and reverse("dues:payment_new", args=[cell.paying.pk]) not in page
    assert "dinh-dang=xlsx" not in page  # a leader exports no list of people without the grant
    response = client.get(reverse("dues:org_book", args=[cell.cell_a.pk]), {"dinh-dang": "csv"})
    assert response.status_code == 403
    assert client.get(reverse("dues:payment_new", args=[cell.paying.pk])).status_code == 404
    assert client.post(reverse("dues:payment_new", args=[cell.paying.pk]), {"amount": "1"}).status_code == 404
    assert client.get(reverse("dues:org_summary", args=[cell.commune.pk])).status_code == 200


# --- the summary ---------------------------------------------------------------------------


def test_the_summary_shows_collected_kept_remitted_and_drills_down(client, cell):
    _pay(cell.paying, date(2026, 11, 1), date(2026, 11, 1), 100_000)
    client.force_login(_user("canbo-huyen", AccessRole.OFFICER, cell.district))
    page = _page(client.get(reverse("dues:org_summary", args=[cell.district.pk]), {"thang": "2026-11"}))
    assert "Tổng hợp thu, nộp đảng phí tháng 11/2026" in page
    assert "CHƯA XÁC NHẬN" in page and "chi bộ trực thuộc 30%" in page
    # the commune's row: 100.000 collected; the cell keeps 30.000, the commune 70 % of 70.000
    assert "100.000" in page and "79.000" in page and "21.000" in page
    assert reverse("dues:org_summary", args=[cell.commune.pk]) in page  # drill into the commune
    assert reverse("dues:org_book", args=[cell.agency.pk]) in page  # a grassroots cell: its book
    commune = _page(client.get(reverse("dues:org_summary", args=[cell.commune.pk]), {"thang": "2026-11"}))
    assert reverse("dues:org_book", args=[cell.cell_a.pk]) in commune
    assert reverse("dues:org_book", args=[cell.commune.pk]) in commune  # summary ↔ book


def test_the_summary_exports_typed_numbers_and_is_audited(client, cell):
    _pay(cell.paying, date(2026, 11, 1), date(2026, 11, 1), 100_000)
    client.force_login(_user("canbo-xa", AccessRole.OFFICER, cell.commune))
    response = client.get(
        reverse("dues:org_summary", args=[cell.commune.pk]), {"thang": "2026-11", "dinh-dang": "xlsx"}
    )
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=6)]
    cell_a = next(r for r in rows if r[1] == "Chi bộ thôn A")
    assert cell_a[6] == 100_000 and cell_a[7] == 30_000 and cell_a[8] == 70_000
    total = next(r for r in rows if r[1] == "Tổng cộng")
    assert total[6] == 100_000 and total[7] + total[8] == 100_000
    assert sheet.freeze_panes == "A6"
    assert AuditEntry.objects.filter(action=Action.EXPORTED, data__list="dues_summary").exists()


def test_the_book_exports_csv_and_xlsx_to_those_who_may_export_people(secretary, cell):
    _pay(cell.paying, date(2026, 11, 1), date(2026, 11, 1), 80_000)
    url = reverse("dues:org_book", args=[cell.cell_a.pk])
    response = secretary.get(url, {"thang": "2026-11", "dinh-dang": "csv"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "Họ và tên" in text and "Thuận" in text and "2026/1" in text and "Chưa có căn cứ" in text
    response = secretary.get(url, {"thang": "2026-11", "dinh-dang": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=6)]
    paying = next(r for r in rows if r[1] and "Thuận" in r[1])
    assert paying[4] == 8_000_000 and paying[5] == 80_000 and paying[8] == 80_000
    assert next(r for r in rows if r[1] == "Cộng")[5] == 80_000 + 30_000
    assert response["Content-Disposition"].endswith('dang-phi-X1A-2026-11.xlsx"')
    assert secretary.get(url, {"dinh-dang": "pdf"})["Content-Type"] == "application/pdf"
    assert AuditEntry.objects.filter(action=Action.EXPORTED, data__list="dues_book").count() == 3


# --- the member's own page ------------------------------------------------------------------


def test_a_member_sees_their_own_dues_and_receipts_and_no_one_elses(client, cell):
    own = _pay(cell.paying, date(2026, 1, 1), date(2026, 6, 1), 480_000)
    theirs = _pay(cell.retired, date(2026, 1, 1), date(2026, 1, 1), 30_000)
    client.force_login(_user("dangvien", AccessRole.MEMBER, member=cell.paying))
    assert client.get(reverse("dues:home")).url == reverse("dues:my_dues")
    page = _page(client.get(reverse("dues:my_dues")))
    assert "Đảng phí của tôi" in page and "Đảng phí của tôi</a>" in page
    assert reverse("dues:receipt", args=[own.pk]) in page and "480.000" in page
    assert "Tháng chưa nộp: 07/2026" in page and "400.000 đ" in page  # July to November
    assert reverse("dues:payment_new", args=[cell.paying.pk]) not in page
    assert client.get(reverse("dues:receipt", args=[own.pk])).status_code == 200
    assert client.get(reverse("dues:receipt", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("dues:member_dues", args=[cell.retired.pk])).status_code == 404
    assert client.get(reverse("dues:org_book", args=[cell.cell_a.pk])).status_code == 404
    # reached from their profile, their own page does not lead to the cell's book they may not read
    through_profile = _page(client.get(reverse("dues:member_dues", args=[cell.paying.pk])))
    assert "Sinh hoạt tại:" in through_profile
    assert reverse("dues:org_book", args=[cell.cell_a.pk]) not in through_profile
    assert client.get(reverse("dues:payment_new", args=[cell.paying.pk])).status_code == 404
    assert AuditEntry.objects.filter(
        action=Action.MEMBER_HISTORY_VIEWED, subject_id=str(cell.paying.pk), data__history="dues_receipt"
    ).exists()


def test_the_organization_page_and_the_profile_lead_to_the_dues_pages(client, cell):
    client.force_login(_user("canbo-huyen", AccessRole.OFFICER, cell.district))
    commune = _page(client.get(reverse("members:org_page", args=[cell.commune.pk])))
    assert reverse("dues:org_book", args=[cell.commune.pk]) in commune
    assert reverse("dues:org_summary", args=[cell.commune.pk]) in commune
    district = _page(client.get(reverse("members:org_page", args=[cell.district.pk])))
    assert reverse("dues:org_summary", args=[cell.district.pk]) in district
    book = reverse("dues:org_book", args=[cell.district.pk])
    assert f'href="{book}"' not in district  # no book above the grassroots level
    profile = _page(client.get(reverse("members:member_profile", args=[cell.paying.pk])))
    assert reverse("dues:member_dues", args=[cell.paying.pk]) in profile
    dues = _page(client.get(reverse("dues:member_dues", args=[cell.paying.pk])))
    assert reverse("dues:org_book", args=[cell.cell_a.pk]) in dues  # the officer reads the book


def test_a_month_not_yet_opened_is_told_apart_from_a_missing_basis(secretary, cell, frozen_today):
    from dangbo.dues import accounts

    frozen_today(date(2026, 12, 3))  # December: the accounts were last written in November
    secretary.force_login(User.objects.get(username="bithu-a"))  # the November session has expired
    url = reverse("dues:org_book", args=[cell.cell_a.pk])
    page = _page(secretary.get(url, {"thang": "2026-12"}))
    assert "Sổ đảng phí tháng 12/2026 chưa được mở cho mọi đảng viên" in page
    assert page.count("<strong>Chưa mở sổ tháng</strong>") == 2  # the two members with a basis
    assert "1 đảng viên chưa có căn cứ đóng đảng phí" in page  # the one without stays flagged
    response = secretary.get(url, {"thang": "2026-12", "dinh-dang": "csv"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert text.count("Chưa mở sổ tháng") == 2 and text.count("Chưa có căn cứ") == 1
    accounts.extend()
    page = _page(secretary.get(url, {"thang": "2026-12"}))
    assert "chưa được mở" not in page and "Chưa mở sổ tháng" not in page
    assert "80.000" in page and "30.000" in page
    assert "1 đảng viên chưa có căn cứ đóng đảng phí" in page
