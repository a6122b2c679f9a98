"""Restructuring from the pages: move, merge, dissolve (preview, then confirm) and uploaded plans."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from tests.conftest import admit

from dangbo.accounts.models import AccessRole
from dangbo.accounts.scope import scope_for
from dangbo.accounts.services import role_grant
from dangbo.audit.models import AuditEntry
from dangbo.core.kinds import OrgKind, Sector
from dangbo.jobs.models import Job, JobState
from dangbo.members.models import Member
from dangbo.orgs import services as org_services
from dangbo.orgs.models import Locality, Org, OrgEvent
from dangbo.restructuring.models import RestructurePlan
from dangbo.restructuring.operations import org_move
from dangbo.restructuring.plans import COLUMNS, read_plan_bytes
from dangbo.restructuring.selectors import HIDDEN_PROBLEM, plan_report_for
from dangbo.stats.tallies import tally_differences

DECISION = {
    "effective_on": "01/07/2025",
    "decision_no": "15-QĐ/TU",
    "decision_on": "20/06/2025",
    "decision_body": "Tỉnh ủy",
}
PLAN_DECISION = {
    "ngay_hieu_luc": "01/07/2025",
    "so_quyet_dinh": "15-QĐ/TU",
    "ngay_quyet_dinh": "20/06/2025",
    "co_quan_quyet_dinh": "Tỉnh ủy",
}


def _user(username: str, role: str, org) -> User:
    user = User.objects.create_user(username, password="mat-khau-dai-du-1")
    role_grant(user=user, role=role, org=org)
    return user


@pytest.fixture
def province_officer(client, populated):
    user = _user("canbo-tinh", AccessRole.OFFICER, populated.province)
    client.force_login(user)
    return user


def _figure(html: str, label: str) -> str:
    match = re.search(rf"<dt>{re.escape(label)}</dt><dd>([^<]*)</dd>", html)
    assert match, f"no figure «{label}»"
    return match.group(1).strip()


def _text(html: str) -> str:
    """The page's text, tags removed (a problem reads «message (citation)» across two elements)."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _move(client, org, parent_code, step="xem-truoc", **more):
    return client.post(
        f"/to-chuc/{org.pk}/chuyen-truc-thuoc/",
        {"parent_code": parent_code, "buoc": step, **DECISION, **more},
    )


# --- the organization page -----------------------------------------------------------------------


def test_the_org_page_offers_restructuring_only_to_those_who_may_write(client, populated, province_officer):
    html = client.get(f"/to-chuc/{populated.commune.pk}/").content.decode()
    assert "Sắp xếp tổ chức" in html
    for url in (
        f"/to-chuc/{populated.commune.pk}/chuyen-truc-thuoc/",
        f"/to-chuc/{populated.commune.pk}/hop-nhat/",
        f"/to-chuc/{populated.commune.pk}/giai-the/",
        f"/to-chuc/{populated.commune.pk}/chia-tach/",
        "/sap-xep-to-chuc/",
    ):
        assert f'href="{url}"' in html
    assert (
        '<a href="/sap-xep-to-chuc/">Sắp xếp tổ chức</a>' in client.get("/").content.decode()
    )  # in the menu
    client.force_login(_user("lanhdao", AccessRole.LEADER, populated.province))
    html = client.get(f"/to-chuc/{populated.commune.pk}/").content.decode()
    assert "Sắp xếp tổ chức" not in html and "chuyen-truc-thuoc" not in html
    assert "/sap-xep-to-chuc/" not in client.get("/").content.decode()
    assert client.get(f"/to-chuc/{populated.commune.pk}/chuyen-truc-thuoc/").status_code == 404
    assert client.get(f"/to-chuc/{populated.commune.pk}/chia-tach/").status_code == 404
    assert client.get("/sap-xep-to-chuc/").status_code == 403


# --- move ------------------------------------------------------------------------------------------


def test_a_move_preview_shows_the_counts_and_changes_nothing(client, populated, province_officer):
    tree = populated
    response = _move(client, tree.commune, "H2")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Xem trước: Chuyển «Đảng bộ xã Một» về trực thuộc «Huyện ủy Hai»" in html
    assert _figure(html, "Tổ chức chuyển nơi trực thuộc hoặc thôi hoạt động") == "3"
    assert _figure(html, "Đảng viên theo chi bộ chuyển cùng nhánh") == "3"
    assert _figure(html, "Thôn, tổ dân phố") == "1"
    assert (
        "Xác nhận chuyển" in html and 'name="parent_code" value="H2"' in html
    )  # the confirm carries the same input
    assert Org.objects.get(pk=tree.commune.pk).parent_id == tree.district.pk
    assert not OrgEvent.objects.filter(kind=OrgEvent.Kind.MOVED).exists()


def test_confirming_a_move_applies_it_and_says_so(client, populated, province_officer):
    tree = populated
    response = _move(client, tree.commune, "H2", step="ap-dung")
    assert response.status_code == 302 and response["Location"] == f"/to-chuc/{tree.commune.pk}/"
    commune = Org.objects.get(pk=tree.commune.pk)
    assert commune.parent_id == tree.district2.pk and commune.path.startswith(tree.district2.path)
    event = OrgEvent.objects.get(kind=OrgEvent.Kind.MOVED, org=commune)
    assert (event.decision_no, event.decision_on, event.decision_body, event.effective_on) == (
        "15-QĐ/TU",
        date(2025, 6, 20),
        "Tỉnh ủy",
        date(2025, 7, 1),
    )
    assert event.recorded_by == province_officer
    html = client.get(response["Location"]).content.decode()
    assert "Đã áp dụng: Chuyển «Đảng bộ xã Một» về trực thuộc «Huyện ủy Hai»" in html
    assert "3 đảng viên theo chi bộ chuyển cùng nhánh" in html
    assert tally_differences() == []


def test_the_confirm_checks_again_and_refuses_what_has_become_wrong(client, populated, province_officer):
    tree = populated
    assert _move(client, tree.commune, "H2").status_code == 200  # the preview was fine
    org_move(
        org=tree.commune,
        new_parent=tree.district2,
        effective_on=date(2025, 7, 1),
        decision=org_services.DecisionRef(number="16-QĐ/TU", on=date(2025, 6, 21)),
    )  # meanwhile, someone else
    response = _move(client, tree.commune, "H2", step="ap-dung")
    html = response.content.decode()
    assert response.status_code == 400
    assert (
        "Không thể áp dụng: 1 vấn đề" in html and "«Đảng bộ xã Một» đang trực thuộc «Huyện ủy Hai»." in html
    )
    assert OrgEvent.objects.filter(kind=OrgEvent.Kind.MOVED).count() == 1


def test_a_move_the_rules_refuse_lists_every_problem_with_its_citation(client, populated, province_officer):
    tree = populated
    response = _move(client, tree.commune, "X1A", effective_on="01/01/2030")
    html = response.content.decode()
    assert response.status_code == 400
    assert "Không thể chuyển «Đảng bộ xã Một» vào chính nó hoặc một tổ chức trực thuộc nó." in html
    assert "Ngày hiệu lực không thể sau hôm nay." in html
    assert "vào chính nó hoặc một tổ chức trực thuộc nó. (Yêu cầu nhập liệu)" in _text(html)
    assert "Xác nhận chuyển" not in html
    assert Org.objects.get(pk=tree.commune.pk).parent_id == tree.district.pk


def test_bad_input_gives_vietnamese_form_errors(client, populated, province_officer):
    tree = populated
    response = _move(client, tree.commune, "KHONG-CO", decision_no="", decision_on="31/02/2025")
    html = response.content.decode()
    assert response.status_code == 400
    assert "Không có tổ chức đang hoạt động mang mã «KHONG-CO» trong phạm vi anh/chị được sửa." in html
    assert "Chưa nhập mục này." in html
    assert "Xem trước:" not in html
    response = client.post(
        f"/to-chuc/{tree.commune.pk}/hop-nhat/", {"source_codes": "X1B, NAO-DAU\nCQ1", **DECISION}
    )
    html = response.content.decode()
    assert response.status_code == 400 and "«NAO-DAU»" in html and "«X1B»" not in html
    response = client.post(f"/to-chuc/{tree.commune.pk}/hop-nhat/", {"source_codes": " , ", **DECISION})
    assert response.status_code == 400 and "Chưa nhập" in response.content.decode()
    response = client.post(
        f"/to-chuc/{tree.commune.pk}/giai-the/", {"buoc": "ap-dung"}
    )  # a confirm without its input
    assert response.status_code == 400 and response.content.decode().count("Chưa nhập mục này.") == 3


def test_every_organization_involved_must_be_in_the_write_scope(client, populated):
    tree = populated
    client.force_login(_user("canbo-huyen", AccessRole.OFFICER, tree.district))
    response = _move(client, tree.commune, "H2", step="ap-dung")
    assert response.status_code == 400
    assert (
        "Không có tổ chức đang hoạt động mang mã «H2» trong phạm vi anh/chị được sửa."
        in response.content.decode()
    )
    assert Org.objects.get(pk=tree.commune.pk).parent_id == tree.district.pk
    for url in (
        f"/to-chuc/{tree.district2.pk}/chuyen-truc-thuoc/",
        f"/to-chuc/{tree.district2.pk}/hop-nhat/",
        f"/to-chuc/{tree.province.pk}/giai-the/",
    ):
        assert (
            client.get(url).status_code == 404
            and client.post(url, {"buoc": "ap-dung", **DECISION}).status_code == 404
        )
    client.force_login(_user("canbo-huyen-hai", AccessRole.OFFICER, tree.district2))
    response = client.post(
        f"/to-chuc/{tree.district2.pk}/hop-nhat/", {"source_codes": "X1", "buoc": "ap-dung", **DECISION}
    )
    html = response.content.decode()
    assert response.status_code == 400 and "«X1»" in html and "Đảng bộ xã Một" not in html
    assert Org.objects.get(pk=tree.commune.pk).dissolved_on is None


# --- merge, dissolve -------------------------------------------------------------------------------


def test_a_merge_is_previewed_then_applied(client, populated, province_officer):
    tree = populated
    url = f"/to-chuc/{tree.cell_a.pk}/hop-nhat/"
    data = {"source_codes": "X1B", "approval": "", **DECISION}
    html = client.post(url, {**data, "buoc": "xem-truoc"}).content.decode()
    assert "Xem trước: Hợp nhất 1 tổ chức vào «Chi bộ thôn A»" in html and "Chi bộ thôn B (X1B)" in html
    assert _figure(html, "Đảng viên chuyển tổ chức") == "1"
    assert Org.objects.get(pk=tree.cell_b.pk).dissolved_on is None
    response = client.post(url, {**data, "buoc": "ap-dung"})
    assert response.status_code == 302 and response["Location"] == f"/to-chuc/{tree.cell_a.pk}/"
    assert Org.objects.get(pk=tree.cell_b.pk).dissolved_on == date(2025, 7, 1)
    assert (
        Member.objects.filter(org=tree.cell_a).count() == 3
        and not Member.objects.filter(org=tree.cell_b).exists()
    )
    assert "Đã áp dụng: Hợp nhất 1 tổ chức vào «Chi bộ thôn A» (1 tổ chức, 1 đảng viên chuyển tổ chức" in (
        client.get(response["Location"]).content.decode()
    )


def test_the_back_button_of_a_preview_returns_to_the_filled_form(client, populated, province_officer):
    html = _move(client, populated.commune, "H2", step="sua").content.decode()
    assert "Xem trước:" not in html and 'value="H2"' in html and 'value="15-QĐ/TU"' in html


def test_dissolving_is_refused_while_members_remain_and_applied_when_empty(
    client, populated, province_officer
):
    tree = populated
    response = client.post(f"/to-chuc/{tree.cell_b.pk}/giai-the/", {"buoc": "ap-dung", **DECISION})
    assert response.status_code == 400 and "«Chi bộ thôn B» còn 1 đảng viên" in response.content.decode()
    assert Org.objects.get(pk=tree.cell_b.pk).dissolved_on is None
    empty = org_services.org_establish(
        code="X1C",
        name="Chi bộ thôn C",
        kind=OrgKind.CELL,
        parent=tree.commune,
        established_on=date(2015, 1, 1),
        sector=Sector.RESIDENTIAL,
    )
    html = client.post(f"/to-chuc/{empty.pk}/giai-the/", DECISION).content.decode()
    assert "Xem trước: Giải thể «Chi bộ thôn C»" in html and Org.objects.get(pk=empty.pk).dissolved_on is None
    response = client.post(f"/to-chuc/{empty.pk}/giai-the/", {"buoc": "ap-dung", **DECISION})
    assert response.status_code == 302
    assert Org.objects.get(pk=empty.pk).dissolved_on == date(2025, 7, 1)
    assert OrgEvent.objects.filter(org=empty, kind=OrgEvent.Kind.DISSOLVED, decision_no="15-QĐ/TU").exists()
    assert (
        client.get(f"/to-chuc/{empty.pk}/giai-the/").status_code == 404
    )  # a dissolved organization is not restructured


# --- split -------------------------------------------------------------------------------------


def _new_cell(tree, code="X1C", name="Chi bộ thôn C"):
    return org_services.org_establish(
        code=code,
        name=name,
        kind=OrgKind.CELL,
        parent=tree.commune,
        established_on=date(2025, 6, 1),
        sector=Sector.RESIDENTIAL,
    )


def test_a_split_offers_the_receiving_organizations_then_moves_what_is_given_to_each(
    client, populated, province_officer
):
    tree = populated
    receiver = org_services.org_establish(
        code="X1C",
        name="Chi bộ thôn C",
        kind=OrgKind.CELL,
        parent=tree.commune,
        established_on=date(2015, 1, 1),
        sector=Sector.RESIDENTIAL,
    )
    for _ in range(2):  # with the one it receives, the three full members a cell needs
        admit(receiver)
    staying, leaving = Member.objects.filter(org=tree.cell_a).order_by("sort_key", "id")
    url = f"/to-chuc/{tree.cell_a.pk}/chia-tach/"
    html = client.get(url).content.decode()
    assert (
        f"Đảng viên: {leaving.full_name}" in html
        and f"Thôn, tổ dân phố: {Locality.objects.get(code='TA')}" in html
    )
    assert "Chi bộ thôn C" not in html  # offered once its code is typed
    form = {"target_codes": "X1C", "keep_source": "on", **DECISION, f"m_{leaving.pk}": str(receiver.pk)}
    html = client.post(url, {**form, "buoc": "xem-truoc"}).content.decode()
    assert "Xem trước: Chia tách «Chi bộ thôn A» cho 1 tổ chức" in html and "Chi bộ thôn C (X1C)" in html
    assert _figure(html, "Đảng viên chuyển tổ chức") == "1"
    assert Member.objects.get(pk=leaving.pk).org_id == tree.cell_a.pk  # a preview changes nothing
    response = client.post(url, {**form, "buoc": "ap-dung"})
    assert response.status_code == 302
    assert (
        Member.objects.get(pk=leaving.pk).org_id == receiver.pk
        and Member.objects.get(pk=staying.pk).org_id == tree.cell_a.pk
    )
    assert Org.objects.get(pk=tree.cell_a.pk).dissolved_on is None
    assert OrgEvent.objects.filter(org=tree.cell_a, kind=OrgEvent.Kind.SPLIT, decision_no="15-QĐ/TU").exists()
    assert tally_differences() == []


def test_a_split_that_leaves_something_unassigned_lists_it_and_changes_nothing(
    client, populated, province_officer
):
    tree = populated
    receiver = _new_cell(tree)
    first, second = Member.objects.filter(org=tree.cell_a).order_by("sort_key", "id")
    url = f"/to-chuc/{tree.cell_a.pk}/chia-tach/"
    response = client.post(
        url, {"target_codes": "X1C", **DECISION, f"m_{first.pk}": str(receiver.pk), "buoc": "xem-truoc"}
    )
    text = _text(response.content.decode())
    assert response.status_code == 400
    assert (
        "1 đảng viên của «Chi bộ thôn A» chưa được giao cho tổ chức nào" in text and second.full_name in text
    )
    assert "1 thôn, tổ dân phố của «Chi bộ thôn A» chưa được giao" in text
    assert Member.objects.filter(org=tree.cell_a).count() == 2


def test_a_split_refuses_receivers_outside_the_scope_and_unknown_choices(client, populated):
    tree = populated
    _new_cell(tree)
    client.force_login(_user("canbo-xa", AccessRole.OFFICER, tree.commune))
    url = f"/to-chuc/{tree.cell_a.pk}/chia-tach/"
    member = Member.objects.filter(org=tree.cell_a).first()
    response = client.post(
        url,
        {"target_codes": "X1C, CQ1", **DECISION, f"m_{member.pk}": str(tree.agency.pk), "buoc": "xem-truoc"},
    )
    text = _text(response.content.decode())
    assert response.status_code == 400
    assert "Không có tổ chức đang hoạt động mang mã «CQ1» trong phạm vi anh/chị được sửa." in text
    assert "Select a valid choice" not in text and Member.objects.get(pk=member.pk).org_id == tree.cell_a.pk
    assert client.get(f"/to-chuc/{tree.agency.pk}/chia-tach/").status_code == 404


# --- plans ---------------------------------------------------------------------------------------


def _csv(rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(COLUMNS))
    writer.writeheader()
    for row in rows:
        writer.writerow({c: row.get(c, "") for c in COLUMNS})
    return out.getvalue().encode("utf-8")


def _row(operation, code, target="", **more):
    return {"thao_tac": operation, "ma_to_chuc": code, "ma_dich": target, **PLAN_DECISION, **more}


GOOD_PLAN = [
    _row(
        "thanh_lap",
        "XM",
        "T",
        ten="Đảng bộ xã Mới",
        loai="Đảng bộ cơ sở",
        loai_hinh="Xã",
        van_ban_dong_y="CV 1-CV/TU",
    ),
    _row("hop_nhat", "X1", "XM"),
    _row("chuyen", "CQ1", "T"),
    _row("giai_the", "H1"),
]
BAD_PLAN = [
    _row("chuyen", "X1A", "X1A"),  # under itself
    _row("giai_the", "H1"),  # members and organizations still under it
]


def _upload(client, content: bytes, name: str = "phuong-an.csv"):
    return client.post(
        "/sap-xep-to-chuc/", {"plan_file": SimpleUploadedFile(name, content, content_type="text/csv")}
    )


def _apply(client, plan, sha256=None):
    return client.post(f"/sap-xep-to-chuc/{plan.pk}/ap-dung/", {"sha256": sha256 or plan.sha256})


def test_a_bad_plan_is_previewed_with_every_problem_and_applies_nothing(client, populated, province_officer):
    response = _upload(client, _csv(BAD_PLAN))
    plan = RestructurePlan.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/sap-xep-to-chuc/{plan.pk}/"
    html = client.get(response["Location"]).content.decode()
    assert "Bị từ chối: 4 vấn đề" in html
    text = _text(html)
    assert (
        "dòng 2 : Không thể chuyển «Chi bộ thôn A» vào chính nó hoặc một tổ chức trực thuộc nó. (Yêu cầu nhập liệu)"
        in text
    )
    assert "dòng 2 : Không thể lập chi bộ trực thuộc trực thuộc chi bộ trực thuộc. (Điều lệ Đảng" in text
    assert "dòng 3 : «Huyện ủy Một» còn 4 đảng viên" in text
    assert "Áp dụng phương án</button>" not in html
    response = _apply(client, plan)  # even so: applying checks again, and applies nothing
    assert response.status_code == 302
    assert "Phương án bị từ chối khi áp dụng (4 vấn đề" in client.get(response["Location"]).content.decode()
    plan.refresh_from_db()
    assert plan.applied_at is None and not plan.report["applied"]
    assert (
        Org.objects.get(code="H1").dissolved_on is None
        and not OrgEvent.objects.filter(kind=OrgEvent.Kind.MOVED).exists()
    )


def test_a_good_plan_is_previewed_then_applied_once(client, populated, province_officer):
    _upload(client, _csv(GOOD_PLAN))
    plan = RestructurePlan.objects.get()
    html = client.get(f"/sap-xep-to-chuc/{plan.pk}/").content.decode()
    assert "Xem trước hợp lệ, chưa áp dụng" in html and plan.sha256 in html
    assert _figure(html, "Thao tác") == "4" and _figure(html, "Đảng viên trước / sau") == "4 / 4"
    assert "Thành lập «Đảng bộ xã Mới»" in html and "Hợp nhất 1 tổ chức vào «Đảng bộ xã Mới»" in html
    assert "mất vài phút" in html and "data-print" in html
    assert not Org.objects.filter(code="XM").exists() and Org.objects.get(code="H1").dissolved_on is None

    response = _apply(client, plan)
    assert response.status_code == 302
    assert "Đã áp dụng phương án (4 thao tác" in client.get(response["Location"]).content.decode()
    preview_job, apply_job = Job.objects.filter(subject_id=str(plan.pk)).order_by("created_at")
    assert (preview_job.kind, apply_job.kind) == ("restructuring.plan_preview", "restructuring.plan_apply")
    assert apply_job.owner == province_officer and apply_job.state == JobState.DONE
    new = Org.objects.get(code="XM")
    assert set(Org.objects.filter(parent=new).values_list("code", flat=True)) == {"X1A", "X1B"}
    assert Org.objects.get(code="H1").dissolved_on == date(2025, 7, 1)
    assert Org.objects.get(code="CQ1").parent.code == "T"
    plan.refresh_from_db()
    assert plan.applied_at is not None and plan.applied_by == province_officer and plan.report["applied"]
    actions = list(
        AuditEntry.objects.filter(subject_type="restructure_plan", subject_id=str(plan.pk))
        .order_by("seq")
        .values_list("action", "data")
    )
    assert [a for a, _ in actions] == ["created", "updated", "updated"]
    assert actions[1][1]["previewed"] is True and actions[2][1]["applied"] is True
    assert tally_differences() == []
    trail = Client()
    trail.force_login(User.objects.create_superuser("quantri", password="mat-khau-dai-du-1"))
    assert "Kế hoạch sắp xếp tổ chức: phuong-an.csv" in _text(trail.get("/nhat-ky/").content.decode())

    events = OrgEvent.objects.count()
    response = _apply(client, plan)  # a second time
    assert "đã được áp dụng ngày" in client.get(response["Location"]).content.decode()
    assert OrgEvent.objects.count() == events

    _upload(client, _csv(GOOD_PLAN), name="lan-hai.csv")  # the same content, uploaded again
    again = RestructurePlan.objects.get(file_name="lan-hai.csv")
    response = _apply(client, again)
    assert (
        "Một phương án cùng nội dung («phuong-an.csv») đã được áp dụng"
        in client.get(response["Location"]).content.decode()
    )
    again.refresh_from_db()
    assert again.applied_at is None and OrgEvent.objects.count() == events


def test_apply_uses_the_previewed_bytes_and_wants_their_checksum(client, populated, province_officer):
    _upload(client, _csv(GOOD_PLAN))
    plan = RestructurePlan.objects.get()
    assert bytes(plan.content) == _csv(GOOD_PLAN)
    response = _apply(client, plan, sha256="0" * 64)
    assert "Trang đã cũ" in client.get(response["Location"]).content.decode()
    assert not Org.objects.filter(code="XM").exists()
    assert client.get(f"/sap-xep-to-chuc/{plan.pk}/ap-dung/").status_code == 405


def test_an_xlsx_plan_is_read(client, populated, province_officer):
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(
        ["Thao tác", "Mã tổ chức", "Mã đích", "Ngày hiệu lực", "Số quyết định", "Ngày quyết định"]
    )
    book.active.append(["Chuyển", "X1", "H2", date(2025, 7, 1), "9-QĐ/TU", date(2025, 6, 20)])
    out = io.BytesIO()
    book.save(out)
    response = client.post(
        "/sap-xep-to-chuc/", {"plan_file": SimpleUploadedFile("phuong-an.xlsx", out.getvalue())}
    )
    assert response.status_code == 302
    assert (
        "Chuyển «Đảng bộ xã Một» về trực thuộc «Huyện ủy Hai»"
        in client.get(response["Location"]).content.decode()
    )


def test_unreadable_files_and_codes_outside_the_scope_are_refused_and_nothing_is_stored(client, populated):
    tree = populated
    client.force_login(_user("canbo-huyen", AccessRole.OFFICER, tree.district))
    response = _upload(client, b"x", name="phuong-an.txt")
    assert (
        response.status_code == 400 and "Kế hoạch phải là tệp .csv hoặc .xlsx." in response.content.decode()
    )
    response = _upload(client, b"ten,loai\nA,B\n")
    assert response.status_code == 400 and "Thiếu cột: thao_tac" in response.content.decode()
    assert client.post("/sap-xep-to-chuc/", {}).status_code == 400
    response = _upload(
        client,
        _csv(
            [_row("chuyen", "X1A", "X1B"), _row("hop_nhat", "X1", "H2"), _row("doi_ten", "KHONG-CO", ten="A")]
        ),
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert (
        "Phương án nêu 2 mã tổ chức không có hoặc nằm ngoài phạm vi anh/chị được sửa: H2, KHONG-CO." in html
    )
    assert "Huyện ủy Hai" not in html
    assert not RestructurePlan.objects.exists()


def test_a_plan_is_seen_only_by_those_who_may_change_all_it_names(client, populated, province_officer):
    tree = populated
    _upload(client, _csv(GOOD_PLAN))
    plan = RestructurePlan.objects.get()
    assert "phuong-an.csv" in client.get("/sap-xep-to-chuc/").content.decode()
    for user in (
        _user("canbo-huyen-hai", AccessRole.OFFICER, tree.district2),
        _user("canbo-huyen", AccessRole.OFFICER, tree.district),
        _user("lanhdao", AccessRole.LEADER, tree.province),
    ):
        client.force_login(user)
        assert client.get(f"/sap-xep-to-chuc/{plan.pk}/").status_code == 404
        assert _apply(client, plan).status_code == 404
        assert "phuong-an.csv" not in client.get("/sap-xep-to-chuc/").content.decode()
    assert not Org.objects.filter(code="XM").exists()


def test_a_plan_that_establishes_an_organization_under_the_users_own_may_use_its_new_code(client, populated):
    tree = populated
    client.force_login(_user("canbo-huyen", AccessRole.OFFICER, tree.district))
    plan = [
        _row(
            "thanh_lap",
            "X9",
            "H1",
            ten="Đảng bộ xã Chín",
            loai="Đảng bộ cơ sở",
            loai_hinh="Xã",
            van_ban_dong_y="CV 2",
        ),
        _row("hop_nhat", "X1", "X9"),
    ]
    response = _upload(client, _csv(plan))
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 200


def test_the_template_lists_the_columns_and_reads_back_as_a_plan(client, populated, province_officer):
    response = client.get("/sap-xep-to-chuc/mau.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode("utf-8-sig")
    header, example = list(csv.reader(io.StringIO(text)))
    assert header == list(COLUMNS) and example[0] == "hop_nhat"
    rows = read_plan_bytes(response.content, "mau.csv")
    assert len(rows) == 1 and rows[0]["ngay_hieu_luc"] == "01/07/2025"
    assert 'href="/sap-xep-to-chuc/mau.csv"' in client.get("/sap-xep-to-chuc/").content.decode()


def test_a_problem_naming_an_organization_outside_the_scope_is_shown_without_its_name(populated):
    tree = populated
    officer = scope_for(_user("canbo-huyen", AccessRole.OFFICER, tree.district))
    report = {
        "problems": [
            {
                "where": "kế hoạch",
                "message": "«Chi bộ thôn A» còn trực thuộc «Huyện ủy Hai», tổ chức đã giải thể.",
                "citation": "Kế hoạch sắp xếp",
            },
            {
                "where": "dòng 2",
                "message": "Không thể chuyển «Chi bộ thôn A» vào chính nó.",
                "citation": "Yêu cầu nhập liệu",
            },
            {
                "where": "dòng 3",
                "message": "Không có tổ chức mã «KHONG-CO» (cột ma_dich).",
                "citation": "Kế hoạch sắp xếp",
            },
        ]
    }
    shown = plan_report_for(actor=officer, report=report)["problems"]
    assert shown[0]["message"] == HIDDEN_PROBLEM and "Huyện ủy Hai" not in str(shown)
    assert shown[1:] == report["problems"][1:]
    admin = scope_for(User.objects.create_superuser("quantri", password="mat-khau-dai-du-1"))
    assert plan_report_for(actor=admin, report=report) == report
