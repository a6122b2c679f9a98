"""`dangbo dues`: the collection book of an organization for a month on the command line —
per member the basis, the amount due, the month's payments, the balance and the relief; JSON
whose totals are the sums of its rows; Excel with typed numbers; audited; bad input refused
in Vietnamese with exit status 2."""

from __future__ import annotations

import json
from datetime import date

import pytest
from openpyxl import load_workbook

from dangbo.accounts.scope import SYSTEM
from dangbo.audit.models import AuditEntry
from dangbo.cli import main as dangbo
from dangbo.dues import services
from dangbo.dues.services import PaymentRequest, ReliefRequest
from dangbo.rules.dues import Category, ReliefGround, ReliefKind

TODAY = date(2026, 11, 20)
OCTOBER = date(2026, 10, 1)


@pytest.fixture
def book(tree, make_member, frozen_today):
    """Cell A: an insured member paid in full, a pensioner who paid half, a member exempted as
    a poor household, one without a basis; cell B: a student who paid ahead."""
    frozen_today(TODAY)
    admitted = date(2016, 3, 1)
    tree.insured = make_member(tree.cell_a, admitted_on=admitted, given_name="An")
    tree.pensioner = make_member(tree.cell_a, admitted_on=admitted, given_name="Bình")
    tree.poor = make_member(tree.cell_a, admitted_on=admitted, given_name="Cúc")
    tree.nobasis = make_member(tree.cell_a, admitted_on=admitted, given_name="Dũng")
    tree.student = make_member(tree.cell_b, admitted_on=date(2024, 3, 1), given_name="Giang")
    for member, category, income in (
        (tree.insured, Category.INSURED, 8_000_000),
        (tree.pensioner, Category.PENSION, 6_000_000),
        (tree.poor, Category.OTHER, 3_700_000),
        (tree.student, Category.STUDENT, None),
    ):
        services.dues_basis_record(
            actor=SYSTEM,
            member=member,
            category=category,
            income=income,
            valid_from=date(2026, 9, 1),
            source="Tự khai",
        )
    services.dues_relief_grant(
        actor=SYSTEM,
        member=tree.poor,
        request=ReliefRequest(
            kind=ReliefKind.EXEMPTION,
            ground=ReliefGround.POOR_HOUSEHOLD,
            first_month=date(2026, 9, 1),
            last_month=date(2027, 8, 1),
            decision_no="31-QĐ/ĐU",
            decision_on=date(2026, 8, 25),
            decision_body="Đảng ủy xã Một",
        ),
    )

    def pay(member, first, last, amount, paid_on, **extra):
        return services.dues_payment_record(
            actor=SYSTEM,
            member=member,
            request=PaymentRequest(
                first_month=first, last_month=last, amount=amount, paid_on=paid_on, **extra
            ),
        )

    pay(tree.insured, date(2026, 9, 1), date(2026, 9, 1), 80_000, date(2026, 9, 12))
    pay(tree.insured, OCTOBER, OCTOBER, 80_000, date(2026, 10, 8))
    pay(tree.pensioner, OCTOBER, OCTOBER, 15_000, date(2026, 10, 9), method="portal", reference="DVC123")
    pay(tree.student, date(2026, 9, 1), date(2026, 12, 1), 20_000, date(2026, 9, 5))
    return tree


def _json(capsys, *args) -> dict:
    assert dangbo(["dues", *args, "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_the_book_in_json_has_every_member_and_totals_equal_to_its_rows(book, capsys):
    report = _json(capsys, "--org", book.commune.code, "--month", "2026-10")
    assert report["month"] == "2026-10" and report["orgs"] == [{"code": "X1", "name": "Đảng bộ xã Một"}]
    rows = {r["name"].split()[-1]: r for r in report["rows"]}
    assert set(rows) == {"An", "Bình", "Cúc", "Dũng", "Giang"}
    insured, pensioner, poor, nobasis, student = (rows[n] for n in ("An", "Bình", "Cúc", "Dũng", "Giang"))
    assert (insured["category"], insured["income"], insured["due"], insured["paid"], insured["balance"]) == (
        Category.INSURED,
        8_000_000,
        80_000,
        80_000,
        0,
    )
    assert insured["collected"] == 80_000 and len(insured["receipts"]) == 1
    assert (pensioner["due"], pensioner["paid"], pensioner["balance"]) == (30_000, 15_000, 15_000)
    assert (
        pensioner["arrears_months"] == 2 and pensioner["arrears"] == 30_000 + 15_000
    )  # September and October
    assert (poor["due"], poor["balance"]) == (0, 0) and "hộ nghèo" in poor["relief"]
    assert (
        nobasis["due"] is None
        and nobasis["balance"] is None
        and nobasis["category_label"] == "Chưa có căn cứ"
    )
    assert (student["due"], student["paid"], student["org_code"]) == (5_000, 5_000, book.cell_b.code)
    assert student["collected"] == 0  # paid in September
    totals = report["totals"]
    for name in ("due", "paid", "balance", "collected", "arrears"):
        assert totals[name] == sum(r[name] or 0 for r in report["rows"]), name
    assert totals["due"] == 80_000 + 30_000 + 0 + 5_000
    assert totals["collected"] == 95_000
    assert (totals["members"], totals["without_basis"], totals["in_arrears"]) == (5, 1, 1)
    # one cell: its own members only, and the month may be written 10/2026
    cell_only = _json(capsys, "--org", book.cell_b.code, "--month", "10/2026")
    assert [r["name"].split()[-1] for r in cell_only["rows"]] == ["Giang"]
    assert AuditEntry.objects.filter(action="list_viewed", subject_type="dues_book").count() >= 2


def test_the_book_as_text_and_as_excel_with_typed_numbers(book, capsys, tmp_path):
    assert dangbo(["dues", "--org", book.cell_a.code, "--month", "2026-10"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("Sổ thu nộp đảng phí tháng 10/2026 — Chi bộ thôn A: 4 đảng viên")
    assert "Lương đóng BHXH 8.000.000 đồng: phải đóng 80.000, đã nộp 80.000, còn thiếu 0" in text
    assert "Miễn đóng đảng phí: Thuộc hộ nghèo" in text
    assert "Chưa có căn cứ: phải đóng —" in text
    assert "Cộng: phải đóng 110.000 đồng, đã nộp 95.000 đồng, còn thiếu 15.000 đồng" in text

    out = tmp_path / "dang-phi.xlsx"
    assert dangbo(["dues", "--month", "2026-10", "--format", "xlsx", "--output", str(out)]) == 0
    assert "5 đảng viên" in capsys.readouterr().out
    sheet = load_workbook(out).active
    assert sheet["A1"].value == "Sổ thu nộp đảng phí tháng 10/2026"
    header = [c.value for c in sheet[5]]
    assert header[:3] == ["Mã chi bộ", "Chi bộ", "Họ và tên"] and "Phải đóng (đồng)" in header
    due_col = header.index("Phải đóng (đồng)")
    lines = [[c.value for c in row] for row in sheet.iter_rows(min_row=6, max_row=10)]
    dues = [line[due_col] for line in lines]
    numbers = [v for v in dues if isinstance(v, int | float)]
    assert sorted(numbers) == [0, 5_000, 30_000, 80_000]  # numbers, not text
    assert [v for v in dues if v not in numbers] in ([""], [None])  # no basis: left empty
    total = [c.value for c in sheet[11]]
    assert total[1] == "Cộng" and total[due_col] == 115_000
    assert AuditEntry.objects.filter(action="exported", subject_type="dues_book").exists()


def test_bad_input_is_refused_in_vietnamese_with_status_2(book, capsys):
    assert dangbo(["dues", "--org", "KHONG-CO", "--month", "2026-10"]) == 2
    assert "Không có tổ chức mã «KHONG-CO»" in capsys.readouterr().err
    for month in ("2026-13", "2026/10", "tháng 10", "10-2026", "0/2026"):
        assert dangbo(["dues", "--month", month]) == 2
        assert "Tháng không hợp lệ" in capsys.readouterr().err
    assert dangbo(["dues", "--month", "2026-10", "--format", "xlsx"]) == 2
    assert "--output" in capsys.readouterr().err
    assert not AuditEntry.objects.filter(subject_type="dues_book").exists()


def test_open_month_opens_this_months_accounts_once(book, capsys, frozen_today):
    from dangbo.dues.accounts import opened_through
    from dangbo.dues.models import DuesMonth

    frozen_today(date(2026, 12, 2))
    december = date(2026, 12, 1)
    assert set(DuesMonth.objects.filter(month=december).values_list("member_id", flat=True)) == {
        book.student.pk
    }
    assert dangbo(["dues", "open-month"]) == 0
    assert "Đã mở sổ đảng phí tháng 12/2026 cho 3 đảng viên" in capsys.readouterr().out
    opened = set(DuesMonth.objects.filter(month=december).values_list("member_id", flat=True))
    assert opened == {
        book.student.pk,
        book.insured.pk,
        book.pensioner.pk,
        book.poor.pk,
    }  # not the one without a basis
    assert opened_through() == december
    assert dangbo(["dues", "open-month"]) == 0
    assert "cho 0 đảng viên" in capsys.readouterr().out
    report = _json(capsys, "--org", book.cell_a.code)  # the month defaults to this one
    assert report["month"] == "2026-12" and report["totals"]["due"] == 80_000 + 30_000


def test_a_committee_setting_is_recorded_listed_and_every_account_follows_it(book, capsys):
    from dangbo.dues import sums
    from dangbo.dues.checks import account_differences
    from dangbo.dues.models import DuesMonth, DuesSetting

    assert dangbo(["dues", "setting"]) == 0
    out = capsys.readouterr().out
    assert "Chưa có cấu hình riêng" in out and "CHƯA XÁC NHẬN" in out
    # bad input: an unknown code, a value out of range, not the first of a month, no source
    for args, message in (
        (
            ["--code", "rate_x", "--value", "5", "--from", "2026-10-01", "--source", "CV 1"],
            "Không có nội dung",
        ),
        (
            ["--code", "share_cell", "--value", "120", "--from", "2026-10-01", "--source", "CV 1"],
            "từ 0 đến 100",
        ),
        (
            ["--code", "student_amount", "--value", "6000", "--from", "2026-10-15", "--source", "CV 1"],
            "ngày đầu",
        ),
        (["--code", "student_amount", "--value", "6000", "--from", "2026-10-01"], "văn bản"),
        (
            ["--code", "student_amount", "--value", "sáu", "--from", "2026-10-01", "--source", "CV 1"],
            "--value",
        ),
    ):
        assert dangbo(["dues", "setting", *args]) == 2
        assert message in capsys.readouterr().err
    assert not DuesSetting.objects.exists()
    october = DuesMonth.objects.get(member=book.student, month=OCTOBER)
    assert october.due == 5_000
    source = "Công văn 12-CV/TU ngày 20/9/2026"
    args = ["--code", "student_amount", "--value", "6000", "--from", "2026-10-01", "--source", source]
    assert dangbo(["dues", "setting", *args]) == 0
    assert "Đã tính lại sổ đảng phí của 4 đảng viên" in capsys.readouterr().out
    assert DuesMonth.objects.get(member=book.student, month=date(2026, 9, 1)).due == 5_000
    october = DuesMonth.objects.get(member=book.student, month=OCTOBER)
    assert october.due == 6_000 and "+ CH 2026-10-01" in october.rule_version
    assert account_differences() == [] and sums.differences() == []
    assert dangbo(["dues", "setting"]) == 0
    assert "student_amount = 6000 từ 01/10/2026" in capsys.readouterr().out
