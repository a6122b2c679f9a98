"""Member search, export, profile and the audited reveal; organization pages and the tree."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from dangbo.accounts.models import AccessRole
from dangbo.accounts.services import role_grant
from dangbo.audit.models import AuditEntry
from dangbo.audit.services import Action
from dangbo.members.services.positions import member_position_start
from dangbo.members.services.transfers import member_transfer


@pytest.fixture
def officer(client, tree):
    user = User.objects.create_user("canbo", password="mat-khau-dai-du-1")
    role_grant(user=user, role=AccessRole.OFFICER, org=tree.district)
    client.force_login(user)
    return user


def last_audit(action):
    return AuditEntry.objects.filter(action=action).order_by("-seq").first()


def test_unaccented_search_finds_the_accented_name(client, tree, officer, make_member):
    duc = make_member(tree.cell_a, family_name="Nguyễn", middle_name="Văn", given_name="Đức")
    make_member(tree.cell_b, family_name="Trần", middle_name="Thị", given_name="Hoa", gender="F")
    html = client.get("/dang-vien/", {"q": "nguyen van duc"}).content.decode()
    assert "Nguyễn Văn Đức" in html and "Trần Thị Hoa" not in html
    assert "Kết quả: 1 đảng viên" in html
    entry = last_audit(Action.SEARCHED)
    assert entry.data["filters"] == {"q": "nguyen van duc"} and entry.data["rows"] == 1
    assert entry.actor_name == "canbo" and "Huyện ủy Một" in entry.scope
    assert str(duc.pk) in client.get("/dang-vien/", {"q": "đức"}).content.decode()


def test_each_word_typed_begins_a_word_of_the_name_in_any_order(client, tree, officer, make_member):
    """«huong» is the given name Hương, not the ending of Phương or Thương; words may be left out
    or typed in another order, as an officer recalls a name."""
    make_member(tree.cell_a, family_name="Nguyễn", middle_name="Thị", given_name="Hương", gender="F")
    make_member(tree.cell_a, family_name="Trần", middle_name="Thị", given_name="Phương", gender="F")
    make_member(tree.cell_b, family_name="Lê", middle_name="Thương", given_name="Hoài", gender="F")
    make_member(tree.cell_b, family_name="Nguyễn", middle_name="Văn", given_name="Đức")

    def found(q):
        html = client.get("/dang-vien/", {"q": q}).content.decode()
        html = html[html.index("<h2>Kết quả") :]  # the hint above the form names an example
        names = ("Nguyễn Thị Hương", "Trần Thị Phương", "Lê Thương Hoài", "Nguyễn Văn Đức")
        return {name for name in names if name in html}

    assert found("huong") == {"Nguyễn Thị Hương"}
    assert found("Hương") == {"Nguyễn Thị Hương"}
    assert found("thuong") == {"Lê Thương Hoài"}
    assert found("nguyen duc") == found("duc nguyen") == {"Nguyễn Văn Đức"}
    assert found("ngu") == {"Nguyễn Thị Hương", "Nguyễn Văn Đức"}  # the start of a word, as typed
    assert found("thi") == {"Nguyễn Thị Hương", "Trần Thị Phương"}
    assert found("uong") == set()
    assert found("nguyen phuong") == set()


def test_filters_and_vietnamese_name_order(client, tree, officer, make_member):
    make_member(tree.cell_a, family_name="Lò", middle_name="Văn", given_name="Ánh", ethnicity="10")
    make_member(tree.cell_a, family_name="Nguyễn", middle_name="Thị", given_name="Anh", gender="F")
    make_member(
        tree.cell_b, family_name="Bùi", middle_name="Văn", given_name="Bình", birth_date=date(1960, 1, 1)
    )
    html = client.get("/dang-vien/").content.decode()
    # given name first: Anh before Ánh before Bình
    assert html.index("Nguyễn Thị Anh") < html.index("Lò Văn Ánh") < html.index("Bùi Văn Bình")
    assert "Lò Văn Ánh" not in client.get("/dang-vien/", {"gender": "F"}).content.decode()
    only_thai = client.get("/dang-vien/", {"ethnicity": "10"}).content.decode()
    assert "Lò Văn Ánh" in only_thai and "Nguyễn Thị Anh" not in only_thai
    older = client.get("/dang-vien/", {"age_min": 60}).content.decode()
    assert "Bùi Văn Bình" in older and "Nguyễn Thị Anh" not in older
    in_cell_b = client.get("/dang-vien/", {"org": str(tree.cell_b.pk)}).content.decode()
    assert "Bùi Văn Bình" in in_cell_b and "Lò Văn Ánh" not in in_cell_b


def test_pagination(client, tree, officer, make_member):
    for _n in range(55):
        make_member(tree.cell_a)
    first = client.get("/dang-vien/").content.decode()
    assert "Trang 1 / 2" in first and "trang=2" in first
    second = client.get("/dang-vien/", {"trang": 2}).content.decode()
    assert "Trang 2 / 2" in second and ">51<" in second
    assert client.get("/dang-vien/", {"trang": "abc"}).status_code == 200


def test_a_result_page_costs_the_same_queries_for_2_rows_as_for_50(client, tree, officer, make_member):
    """The list reads only the columns it shows, with each member's cell, ethnicity and theory
    level joined: no column it shows is read again row by row."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for n in range(2):
        make_member(tree.cell_a, family_name="Hà", middle_name="Văn", given_name=f"Ít{n}")
    for n in range(50):
        make_member(tree.cell_b, family_name="Đỗ", middle_name="Thị", given_name=f"Nhiều{n}", gender="F")
    pages = {}
    for q in ("ha van", "do thi"):
        client.get("/dang-vien/", {"q": q})  # warm: the session, the scope
        with CaptureQueriesContext(connection) as queries:
            html = client.get("/dang-vien/", {"q": q}).content.decode()
        pages[q] = (len(queries), html)
    assert pages["ha van"][0] == pages["do thi"][0]
    many = pages["do thi"][1]
    assert "Kết quả: 50 đảng viên" in many and "Đỗ Thị Nhiều0" in many
    assert "Nữ" in many and "Chi bộ thôn B" in many and "Đảng viên chính thức" in many


@pytest.mark.parametrize(
    "params, message",
    [
        ({"age_min": 60, "age_max": 30}, "phải lớn hơn hoặc bằng"),
        ({"age_min": "muoi"}, "Nhập một số nguyên"),
        ({"age_max": 500}, "không quá 130"),
        ({"ethnicity": "99"}, "không có trong danh mục"),
        ({"org": "khong-phai-uuid"}, "Giá trị không hợp lệ"),
        ({"q": "x" * 101}, "nhiều nhất 100 ký tự"),
        ({"q": "a" * 2500}, "quá dài"),
    ],
)
def test_bad_search_input_is_explained(client, tree, officer, params, message):
    response = client.get("/dang-vien/", params)
    assert response.status_code == 400 and message in response.content.decode()


def test_script_in_a_name_is_escaped(client, tree, officer, make_member):
    make_member(tree.cell_a, given_name="<script>alert(1)</script>")
    html = client.get("/dang-vien/").content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html


def test_export_csv_and_xlsx_neutralise_formulas(client, tree, officer, make_member):
    make_member(tree.cell_a, family_name="Nguyễn", given_name="Đức", workplace='=HYPERLINK("http://x","bấm")')
    make_member(tree.cell_b, family_name="Lê", given_name="Hà")
    response = client.get("/dang-vien/xuat/", {"dinh-dang": "csv", "q": "duc"})
    assert response["Content-Disposition"].startswith("attachment")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:2] == ["STT", "Họ và tên"] and len(rows) == 2
    assert rows[1][1] == "Nguyễn Văn Đức" and rows[1][rows[0].index("Nơi làm việc")].startswith("'=HYPERLINK")
    entry = last_audit(Action.EXPORTED)
    assert entry.data == {"filters": {"q": "duc"}, "rows": 1, "format": "csv"}

    response = client.get("/dang-vien/xuat/", {"dinh-dang": "xlsx"})
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book.active
    cells = [[c.value for c in row] for row in sheet.iter_rows(min_row=4)]
    assert len(cells) == 2
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)  # no formula anywhere
    assert any(str(v).startswith("'=HYPERLINK") for row in cells for v in row)
    assert client.get("/dang-vien/xuat/", {"dinh-dang": "pdfx"}).status_code == 404


def test_profile_masks_the_national_id_and_reveal_is_audited(client, tree, officer, make_member):
    member = make_member(tree.cell_a, national_id="001090012345", birth_date=date(1990, 5, 17))
    html = client.get(f"/dang-vien/{member.pk}/").content.decode()
    assert "001090012345" not in html and "•••••••••345" in html
    assert last_audit(Action.MEMBER_VIEWED).subject_id == str(member.pk)
    assert "Kết nạp" in html and "Công nhận đảng viên chính thức" in html  # the timeline
    revealed = client.post(f"/dang-vien/{member.pk}/so-dinh-danh/").content.decode()
    assert "001090012345" in revealed
    assert last_audit(Action.NATIONAL_ID_REVEALED).subject_id == str(member.pk)
    assert client.get(f"/dang-vien/{member.pk}/so-dinh-danh/").status_code == 405


def test_the_history_names_its_organizations_in_the_same_queries_however_long(
    client, tree, officer, make_member
):
    """The timeline names the cells moved between and the organization of a position (the
    history reads those names with the events, not one query per event)."""
    member = make_member(tree.cell_a, admitted_on=date(2016, 3, 1))
    url = f"/dang-vien/{member.pk}/"
    with CaptureQueriesContext(connection) as short:
        assert client.get(url).status_code == 200
    member_position_start(member=member, org=tree.cell_a, role="secretary", started_on=date(2018, 1, 2))
    member_transfer(member=member, to_org=tree.cell_b, effective_on=date(2020, 6, 1))
    member_transfer(member=member, to_org=tree.cell_a, effective_on=date(2022, 6, 1))
    with CaptureQueriesContext(connection) as long:
        html = client.get(url).content.decode()
    assert f"từ {tree.cell_a.name} đến {tree.cell_b.name}" in html
    assert f"từ {tree.cell_b.name} đến {tree.cell_a.name}" in html
    assert f"Bí thư, {tree.cell_a.name}" in html
    assert len(long.captured_queries) == len(short.captured_queries)


def test_refused_profile_of_a_real_member_is_audited(client, tree, make_member):
    outside = make_member(tree.agency)
    user = User.objects.create_user("bithu", password="mat-khau-dai-du-1")
    role_grant(user=user, role=AccessRole.SECRETARY, org=tree.cell_a)
    client.force_login(user)
    assert client.get(f"/dang-vien/{outside.pk}/").status_code == 404
    entry = last_audit(Action.REFUSED)
    assert entry.subject_id == str(outside.pk) and entry.actor_name == "bithu"


def test_org_page_shows_committee_localities_and_roll(client, tree, officer, make_member):
    from dangbo.core.decisions import DecisionRef
    from dangbo.members.services.positions import member_position_start
    from dangbo.orgs.services import locality_create

    secretary = make_member(tree.cell_a, family_name="Vàng", given_name="Sính")
    member_position_start(
        member=secretary,
        org=tree.cell_a,
        role="secretary",
        started_on=date(2020, 4, 1),
        decision=DecisionRef(),
    )
    locality_create(
        code="X1-T1", kind="thon", name="Nậm Chạy", commune=tree.commune, cell=None, head_name="Giàng Seo Phử"
    )
    cell_page = client.get(f"/to-chuc/{tree.cell_a.pk}/").content.decode()
    assert "Bí thư" in cell_page and "Vàng Văn Sính" in cell_page and "Đảng viên sinh hoạt tại" in cell_page
    commune_page = client.get(f"/to-chuc/{tree.commune.pk}/").content.decode()
    assert (
        "Thôn Nậm Chạy" in commune_page
        and "chưa có chi bộ" in commune_page
        and "Giàng Seo Phử" in commune_page
    )
    assert "Chi bộ thôn A" in commune_page  # sub-organizations
    assert "Đảng bộ tỉnh Mẫu" not in commune_page  # nothing above the officer's scope
    assert last_audit(Action.LIST_VIEWED).subject_id == str(tree.cell_a.pk)


def test_tree_lists_roots_and_loads_branches(client, tree, officer, make_member):
    make_member(tree.cell_a)
    html = client.get("/to-chuc/").content.decode()
    assert (
        "Huyện ủy Một" in html
        and "Huyện ủy Hai" not in html
        and f"/to-chuc/{tree.district.pk}/nhanh/" in html
    )
    branch = client.get(f"/to-chuc/{tree.district.pk}/nhanh/").content.decode()
    assert "Đảng bộ xã Một" in branch and "(1)" in branch and "Chi bộ Cơ quan Một" in branch


def test_home_shows_the_scope_figures(client, tree, officer, make_member):
    make_member(tree.cell_a, gender="F")
    make_member(tree.agency)
    html = client.get("/").content.decode()
    assert "Huyện ủy Một" in html and "Đảng bộ tỉnh Mẫu" not in html
    assert "<dd>2</dd>" in html and "50,0 %" in html


def test_a_members_overview_is_what_is_next_for_them(client, tree, make_member, frozen_today):
    frozen_today(date(2026, 6, 1))
    own = make_member(tree.cell_a, admitted_on=date(1996, 3, 1), birth_date=date(1970, 5, 17))
    user = User.objects.create_user("dv", password="mat-khau-dai-du-1")
    role_grant(user=user, role=AccessRole.MEMBER, member=own)
    client.force_login(user)
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200 and f"Chào đồng chí {own.full_name}" in html
    assert "Tuổi đảng: <strong>30 năm</strong>" in html
    assert "Huy hiệu tiếp theo: <strong>30 năm tuổi đảng</strong>, đã đủ tuổi đảng từ 01/03/2026" in html
    assert "Chưa có buổi sinh hoạt nào sắp tới." in html
    assert f'href="/dang-vien/{own.pk}/"' in html  # the profile is its own page
    # the header names the member, the role and the cell; no API keys, no organization pages
    assert "Đảng viên · Chi bộ thôn A" in html and "Khóa API" not in html
    assert "Sắp xếp tổ chức" not in html and "Cây tổ chức" not in html
    assert client.get("/dang-vien/").status_code == 200  # search shows only their own record
    assert client.get("/to-chuc/").status_code == 403


def test_a_cell_secretary_keeps_the_cell_but_does_not_reshape_the_tree(client, tree, make_member):
    make_member(tree.cell_a)
    user = User.objects.create_user("bithu", first_name="Hà", last_name="Lê", password="mat-khau-dai-du-1")
    role_grant(user=user, role=AccessRole.SECRETARY, org=tree.cell_a)
    client.force_login(user)
    page = client.get(f"/to-chuc/{tree.cell_a.pk}/").content.decode()
    assert "Bầu, chỉ định chức vụ" in page  # the cell's records are theirs
    for offered in ("Thành lập tổ chức trực thuộc", "Chuyển trực thuộc", "Chia tách", "Giải thể", "Hợp nhất"):
        assert offered not in page
    assert "Sắp xếp tổ chức</a>" not in page and "Nhập dữ liệu" not in page
    assert "Bí thư chi bộ · Chi bộ thôn A" in page  # the header: name, role, unit
    for url in (
        f"/to-chuc/{tree.cell_a.pk}/giai-the/",
        f"/to-chuc/{tree.cell_a.pk}/chia-tach/",
        f"/to-chuc/{tree.cell_a.pk}/thanh-lap/",
    ):
        assert client.get(url).status_code == 404, url
    assert client.get("/sap-xep-to-chuc/").status_code in (403, 404)
    assert client.get("/nhap-du-lieu/").status_code in (403, 404)


def test_the_header_names_the_officer_their_role_and_unit(client, tree, officer):
    html = client.get("/").content.decode()
    assert "<strong>canbo</strong> · Cán bộ tổ chức · Huyện ủy Một" in html
