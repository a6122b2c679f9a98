"""The audit trail page for system administrators: search by subject, actor, action and
dates; every row readable and escaped; CSV/XLSX export; nobody else gets in."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from dangbo.accounts.models import AccessRole
from dangbo.accounts.services import role_grant
from dangbo.audit.context import AuditContext
from dangbo.audit.models import AuditEntry
from dangbo.audit.services import Action, audit_record

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")


def signed_in(username: str, **grant) -> Client:
    user = User.objects.create_user(username, password="mat-khau-dai-du-1")
    if grant:
        role_grant(user=user, **grant)
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def admin(admin_user) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


@pytest.fixture
def officer(tree) -> Client:
    return signed_in("canbo", role=AccessRole.OFFICER, org=tree.district)


def last_seq() -> int:
    return AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


def rows_after(seq: int, action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(seq__gt=seq, action=action).order_by("seq"))


def record_at(moment: datetime, frozen_today, **kwargs) -> AuditEntry:
    """A row written at ``moment`` (the trail cannot be edited afterwards): the clock is moved
    there, and stays there until moved again."""
    frozen_today(moment)
    return audit_record(**kwargs)


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


def test_admin_finds_the_views_of_a_profile_by_the_unaccented_name(admin, officer, tree, make_member):
    duc = make_member(tree.cell_a, family_name="Nguyễn", middle_name="Văn", given_name="Đức")
    hoa = make_member(tree.cell_b, family_name="Trần", middle_name="Thị", given_name="Hoa", gender="F")
    assert officer.get(f"/dang-vien/{duc.pk}/").status_code == 200
    assert officer.get(f"/dang-vien/{hoa.pk}/").status_code == 200

    response = admin.get("/nhat-ky/", {"subject": "nguyen van duc", "action": Action.MEMBER_VIEWED})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Kết quả: 1 dòng nhật ký" in html
    assert f'<a href="/dang-vien/{duc.pk}/">Nguyễn Văn Đức</a>' in html
    assert (
        "Xem hồ sơ đảng viên" in html
        and "canbo" in html
        and "Cán bộ tổ chức" in html
        and "Huyện ủy Một" in html
    )
    assert str(hoa.pk) not in html and "Trần Thị Hoa" not in html

    # without the action filter: the profile view and the ledger events of his admission, nothing of hers
    html = admin.get("/nhat-ky/", {"subject": "NGUYEN van Duc"}).content.decode()
    assert (
        html.count(f'href="/dang-vien/{duc.pk}/"')
        == AuditEntry.objects.filter(subject_id=str(duc.pk)).count()
        >= 3
    )
    assert "Ghi sự kiện sinh hoạt đảng" in html and "Kết nạp" in html and str(hoa.pk) not in html

    # by the member's id too
    by_id = admin.get("/nhat-ky/", {"subject": str(hoa.pk), "action": Action.MEMBER_VIEWED}).content.decode()
    assert "Kết quả: 1 dòng nhật ký" in by_id and f'<a href="/dang-vien/{hoa.pk}/">Trần Thị Hoa</a>' in by_id
    assert str(duc.pk) not in by_id

    # the words of the name in any order; letters inside a word are not a name
    viewed = {"action": Action.MEMBER_VIEWED}
    assert (
        "Kết quả: 1 dòng nhật ký"
        in admin.get("/nhat-ky/", {"subject": "duc nguyen", **viewed}).content.decode()
    )
    assert "Kết quả: 0 dòng nhật ký" in admin.get("/nhat-ky/", {"subject": "uc", **viewed}).content.decode()


def test_an_organization_is_found_by_its_name_and_linked(admin, officer, tree):
    assert officer.get(f"/to-chuc/{tree.cell_a.pk}/").status_code == 200
    assert officer.get(f"/to-chuc/{tree.cell_b.pk}/").status_code == 200
    html = admin.get("/nhat-ky/", {"subject": "chi bộ thôn a", "action": Action.ORG_VIEWED}).content.decode()
    assert "Kết quả: 1 dòng nhật ký" in html
    # named with the commune it belongs to, its code on hover (many cells share a name)
    assert (
        f'<a href="/to-chuc/{tree.cell_a.pk}/" title="Mã X1A">Chi bộ thôn A</a>'
        '<span class="org-context"> · Đảng bộ xã Một</span>'
        in html
        and str(tree.cell_b.pk) not in html
    )
    assert (
        "Kết quả: 0 dòng nhật ký"
        in admin.get("/nhat-ky/", {"subject": "khong ai co ten nay"}).content.decode()
    )


def test_filter_by_actor_exact_or_prefix_any_case(admin, officer, tree, make_member):
    member = make_member(tree.cell_a)
    leader = signed_in("lanhdao", role=AccessRole.LEADER, org=tree.district)
    officer.get(f"/dang-vien/{member.pk}/")
    leader.get(f"/dang-vien/{member.pk}/")
    for typed in ("canbo", "CanBo", "can"):
        html = admin.get("/nhat-ky/", {"actor": typed, "action": Action.MEMBER_VIEWED}).content.decode()
        assert "Kết quả: 1 dòng nhật ký" in html and "<td>canbo</td>" in html and "lanhdao" not in html, typed
    html = admin.get("/nhat-ky/", {"actor": "lanh"}).content.decode()
    assert "<td>lanhdao</td>" in html and "<td>canbo</td>" not in html
    assert (
        "Kết quả: 0 dòng nhật ký" in admin.get("/nhat-ky/", {"actor": "anbo"}).content.decode()
    )  # not a substring search


def test_filter_by_dates_is_inclusive_in_local_time(admin, db, frozen_today):
    moments = {
        "truoc-khoang": datetime(2024, 2, 29, 23, 59, tzinfo=HANOI),
        "dau-khoang": datetime(2024, 3, 1, 0, 0, tzinfo=HANOI),
        "cuoi-khoang": datetime(2024, 3, 10, 23, 30, tzinfo=HANOI),  # 16:30 UTC on the 10th
        "sau-khoang": datetime(2024, 3, 11, 0, 10, tzinfo=HANOI),  # still the 10th in UTC
    }
    for note, moment in moments.items():
        record_at(moment, frozen_today, action=Action.SEARCHED, data={"note": note})
    frozen_today()  # the pages are read on a later day
    response = admin.get("/nhat-ky/", {"date_from": "01/03/2024", "date_to": "10/03/2024"})
    html = response.content.decode()
    assert response.status_code == 200 and "Kết quả: 2 dòng nhật ký" in html
    assert "Ghi chú: dau-khoang" in html and "Ghi chú: cuoi-khoang" in html
    assert "truoc-khoang" not in html and "sau-khoang" not in html
    assert "10/03/2024 23:30:00" in html and "01/03/2024 00:00:00" in html  # shown in local time, dd/mm/yyyy
    only_after = admin.get("/nhat-ky/", {"date_from": "11/03/2024"}).content.decode()
    assert "sau-khoang" in only_after and "cuoi-khoang" not in only_after
    only_before = admin.get("/nhat-ky/", {"date_to": "29/02/2024"}).content.decode()
    assert "truoc-khoang" in only_before and "dau-khoang" not in only_before


@pytest.mark.parametrize(
    "grant",
    [
        lambda tree, member: {"role": AccessRole.OFFICER, "org": tree.province},
        lambda tree, member: {"role": AccessRole.LEADER, "org": tree.province},
        lambda tree, member: {"role": AccessRole.MEMBER, "member": member},
        lambda tree, member: {},
    ],
    ids=["officer", "leader", "member", "no-role"],
)
def test_nobody_but_an_administrator_sees_the_trail(admin, officer, tree, make_member, grant):
    secret = make_member(tree.cell_a, family_name="Bí", middle_name="Mật", given_name="Nhấtkhông")
    officer.get(f"/dang-vien/{secret.pk}/")
    audit_record(action=Action.SEARCHED, data={"note": "dau-vet-rieng-tu"})
    own = make_member(tree.cell_b)
    client = signed_in("khach", **grant(tree, own))
    start = last_seq()
    urls = [
        "/nhat-ky/",
        "/nhat-ky/?subject=nhatkhong",
        f"/nhat-ky/?subject={secret.pk}",
        "/nhat-ky/?date_from=99/99/9999",
        "/nhat-ky/xuat/?dinh-dang=csv",
        "/nhat-ky/xuat/?dinh-dang=xlsx",
        "/nhat-ky/xuat/?dinh-dang=pdf",
    ]
    for url in urls:
        response = client.get(url)
        body = (b"".join(response.streaming_content) if response.streaming else response.content).decode()
        assert response.status_code == 403, url
        assert "Nhấtkhông" not in body and str(secret.pk) not in body and "dau-vet-rieng-tu" not in body, url
        assert "canbo" not in body and "Xem hồ sơ đảng viên" not in body, url
        assert 'href="/nhat-ky/"' not in body  # no menu link either
    refused = rows_after(start, Action.REFUSED)
    assert len(refused) == len(urls) and {r.actor_name for r in refused} == {"khach"}
    assert refused[0].data == {"reason": "not_admin", "page": "audit_search"}
    assert refused[-1].data == {"reason": "not_admin", "page": "audit_export"}
    assert not rows_after(start, Action.AUDIT_SEARCHED) and not rows_after(start, Action.EXPORTED)
    # the administrator has the menu link and sees the refusals
    html = admin.get("/nhat-ky/", {"actor": "khach", "action": Action.REFUSED}).content.decode()
    assert 'href="/nhat-ky/"' in html and f"Kết quả: {len(urls)} dòng nhật ký" in html
    assert "Lý do: không phải quản trị hệ thống" in html and "Trang: xuất nhật ký" in html


def test_the_search_itself_is_recorded(admin, admin_user, db):
    start = last_seq()
    response = admin.get(
        "/nhat-ky/", {"actor": "canbo", "date_from": "01/03/2024", "action": Action.SEARCHED}
    )
    assert response.status_code == 200
    [entry] = rows_after(start, Action.AUDIT_SEARCHED)
    assert entry.actor_name == admin_user.username and entry.actor_role == "Quản trị hệ thống"
    assert entry.data == {
        "filters": {"actor": "canbo", "action": "searched", "date_from": "2024-03-01"},
        "rows": 0,
        "page": 1,
    }
    # and it is shown readably on the next search
    html = admin.get("/nhat-ky/", {"action": Action.AUDIT_SEARCHED}).content.decode()
    assert "Tra cứu nhật ký" in html and "Điều kiện: " in html
    assert (
        "Người thực hiện: canbo" in html and "Hành động: Tìm kiếm" in html and "Từ ngày: 01/03/2024" in html
    )


def test_unfiltered_list_counts_every_row_and_pages_by_fifty(admin, db):
    for n in range(60):
        audit_record(action=Action.SEARCHED, data={"rows": n})
    total = AuditEntry.objects.count()
    html = admin.get("/nhat-ky/").content.decode()
    assert f"Kết quả: {total} dòng nhật ký" in html and f"Trang 1 / {(total + 49) // 50}" in html
    assert html.count("<tr>") == 1 + 50  # the header and fifty rows
    assert html.index("Số dòng: 59") < html.index("Số dòng: 58")  # newest first
    second = admin.get("/nhat-ky/", {"trang": 2}).content.decode()
    assert "Số dòng: 9<" in second and "Số dòng: 59<" not in second
    assert admin.get("/nhat-ky/", {"trang": "abc"}).status_code == 200


def test_subject_names_are_read_once_per_page_not_per_row(admin, admin_user, tree, make_member):
    def queries_for(members) -> int:
        for member in members:
            audit_record(action=Action.MEMBER_VIEWED, subject_type="member", subject_id=str(member.pk))
        audit_record(action=Action.ORG_VIEWED, subject_type="org", subject_id=str(tree.cell_a.pk))
        audit_record(action=Action.PASSWORD_CHANGED, subject_type="user", subject_id=str(admin_user.pk))
        with CaptureQueriesContext(connection) as queries:
            html = admin.get("/nhat-ky/", {"date_from": "01/01/2020"}).content.decode()
        assert (
            all(member.full_name in html for member in members)
            and f"Tài khoản: {admin_user.username}" in html
        )
        return len(queries)

    few = queries_for([make_member(tree.cell_a) for _ in range(2)])
    many = queries_for([make_member(tree.cell_b) for _ in range(12)])
    assert few == many


@pytest.mark.parametrize(
    "params, message",
    [
        ({"date_from": "31/02/2024"}, "Ngày không hợp lệ"),
        ({"date_to": "hom qua"}, "Ngày không hợp lệ"),
        ({"date_from": "2024-13-01"}, "Ngày không hợp lệ"),
        ({"date_from": "01/01/0001"}, "Năm phải trong khoảng 2000–2100"),
        ({"date_to": "31/12/9999"}, "Năm phải trong khoảng 2000–2100"),
        ({"date_from": "10/03/2024", "date_to": "09/03/2024"}, "Ngày «đến» phải bằng hoặc sau ngày «từ»"),
        ({"action": "xoa_het"}, "không có trong danh mục"),
        ({"subject": "x" * 101}, "nhiều nhất 100 ký tự"),
        ({"actor": "a" * 2500}, "quá dài"),
    ],
)
def test_bad_input_is_explained_in_vietnamese(admin, db, params, message):
    response = admin.get("/nhat-ky/", params)
    assert response.status_code == 400 and message in response.content.decode()
    export = admin.get("/nhat-ky/xuat/", {**params, "dinh-dang": "csv"})
    assert export.status_code in (400, 404) and not export.streaming


def test_script_and_markup_in_the_trail_are_shown_as_text(admin, tree, make_member):
    member = make_member(tree.cell_a, family_name="Lê", given_name="<b>Hà</b>")
    audit_record(
        action=Action.UPDATED,
        subject_type="member",
        subject_id=str(member.pk),
        data={
            "changes": {"workplace": ["<script>alert(1)</script>", "Ủy ban xã"], "ethnicity_id": ["01", "10"]}
        },
        context=AuditContext(
            None, '<img src=x onerror="alert(2)">', "vai trò", "phạm vi", "10.0.0.1", "req-12345678"
        ),
    )
    html = admin.get("/nhat-ky/", {"action": Action.UPDATED}).content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html and "&lt;img src=x" in html
    assert "<b>Hà</b>" not in html and "&lt;b&gt;Hà&lt;/b&gt;" in html
    assert "nơi làm việc: &lt;script&gt;alert(1)&lt;/script&gt; → Ủy ban xã" in html  # field diff, labelled
    assert "dân tộc: 01 → 10" in html and "10.0.0.1" in html and "req-12345678" in html


def test_csv_export_has_the_filtered_rows_and_neutralises_formulas(admin, officer, tree, make_member):
    target = make_member(tree.cell_a, family_name='=HYPERLINK("http://x","bấm")', given_name="Tâm")
    other = make_member(tree.cell_b, family_name="Lê", given_name="Hà")
    officer.get(f"/dang-vien/{target.pk}/")
    officer.get(f"/dang-vien/{other.pk}/")
    audit_record(
        action=Action.MEMBER_VIEWED,
        subject_type="member",
        subject_id=str(target.pk),
        context=AuditContext(None, "=cmd|' /C calc'!A0", "vai trò", "phạm vi", "", "req-abcdefgh"),
    )
    start = last_seq()
    response = admin.get(
        "/nhat-ky/xuat/", {"dinh-dang": "csv", "subject": "tam", "action": Action.MEMBER_VIEWED}
    )
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    rows = csv_rows(response)
    assert rows[0][:3] == ["Số thứ tự", "Thời điểm", "Người thực hiện"] and len(rows) == 3
    newest, older = rows[1], rows[2]
    assert newest[2] == "'=cmd|' /C calc'!A0" and older[2] == "canbo"
    assert newest[7].startswith("'=HYPERLINK") and newest[8] == str(target.pk)
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    assert str(other.pk) not in str(rows) and other.full_name not in str(rows)
    [entry] = rows_after(start, Action.EXPORTED)
    assert entry.data == {
        "list": "audit_trail",
        "filters": {"subject": "tam", "action": "member_viewed"},
        "rows": 2,
        "format": "csv",
    }


def test_xlsx_export_is_text_only_and_recorded(admin, tree, make_member):
    member = make_member(tree.cell_a)
    audit_record(
        action=Action.MEMBER_VIEWED, subject_type="member", subject_id=str(member.pk), data={"note": "=1+1"}
    )
    start = last_seq()
    response = admin.get("/nhat-ky/xuat/", {"dinh-dang": "xlsx", "action": Action.MEMBER_VIEWED})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet["A1"].value.startswith("Nhật ký truy cập")
    cells = [[c.value for c in row] for row in sheet.iter_rows(min_row=4)]
    assert len(cells) == 1 and cells[0][7] == member.full_name and cells[0][9] == "Ghi chú: =1+1"
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    assert rows_after(start, Action.EXPORTED)[0].data["format"] == "xlsx"
    assert admin.get("/nhat-ky/xuat/", {"dinh-dang": "pdf"}).status_code == 404
    assert admin.post("/nhat-ky/").status_code == 405
