"""Importing members in a real browser (issue 22): an officer uploads the commune's book, reads
the refused row and its reason, confirms, and finds the members; the pages pass axe (WCAG 2.1 AA)."""

from datetime import date

from django.contrib.auth.models import User
from tests.browser import BROWSER, axe_violations, sign_in
from tests.import_files import csv_bytes

from dangbo.accounts.models import AccessRole
from dangbo.accounts.services import role_grant
from dangbo.members.models import Member
from dangbo.reference.loader import load_all

pytestmark = BROWSER


def test_an_officer_imports_the_communes_book(live_server, transactional_db, page, tree, tmp_path):
    load_all()  # an earlier transactional test's flush may have emptied the code lists
    officer = User.objects.create_user("canbo-xa", password="mat-khau-thu-1")
    role_grant(user=officer, role=AccessRole.OFFICER, org=tree.commune)
    book = tmp_path / "so-dang-vien.csv"
    book.write_bytes(
        csv_bytes(
            [
                "Họ và tên",
                "Ngày sinh",
                "Giới tính",
                "Dân tộc",
                "Tôn giáo",
                "Ngày vào Đảng",
                "Ngày chính thức",
                "Chi bộ",
            ],
            [
                ["Lê Văn Nam", "20/01/1990", "Nam", "Kinh", "Không", "01/09/2015", "01/09/2016", "X1A"],
                [
                    "Hà Thị Mai",
                    "03/03/1992",
                    "Nữ",
                    "Mường",
                    "Không",
                    "01/09/2020",
                    "01/09/2021",
                    "Chi bộ thôn B",
                ],
                ["Ngô Văn Lỗi", "03/03/1992", "Nam", "Kinh", "Không", "31/02/2020", "", "X1A"],
            ],
        )
    )
    sign_in(page, live_server.url, "canbo-xa")

    page.get_by_role("link", name="Nhập dữ liệu").click()
    page.get_by_role("heading", name="Nhập dữ liệu từ tệp").wait_for()
    assert page.get_by_label("Thuộc tổ chức (mã)").input_value() == "X1"
    assert not axe_violations(page)
    page.get_by_label("Tệp (.xlsx, .xls, .ods hoặc .csv)").set_input_files(str(book))
    page.get_by_role("button", name="Tải lên và kiểm tra").click()
    page.get_by_role("heading", name="Kết quả kiểm tra").wait_for()
    table = page.get_by_role("region", name="Các dòng không được nhận (đầu danh sách)")
    assert "31/02/2020" in table.inner_text()
    assert Member.objects.count() == 0
    assert not axe_violations(page)

    page.get_by_role("button", name="Xác nhận nhập").click()
    page.get_by_text("Đã nhập: 2 thêm mới, 0 cập nhật.").wait_for()
    assert sorted(Member.objects.values_list("given_name", flat=True)) == ["Mai", "Nam"]
    assert Member.objects.get(given_name="Nam").admitted_on == date(2015, 9, 1)
