"""Administration of accounts and roles (issue 16): who may grant what where, revoking,
deactivating, resetting a password (changed at the next sign-in), the audit rows, the list and
its export, the pages for each kind of user, and Django's admin no longer editing users."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import User
from openpyxl import load_workbook

from conftest import Tree
from dangbo.accounts import services
from dangbo.accounts.models import AccessRole, RoleAssignment
from dangbo.accounts.scope import scope_for
from dangbo.accounts.services import (
    AccessError,
    role_grant,
    role_revoke,
    user_create,
    user_deactivate,
    user_password_reset,
)
from dangbo.audit.models import AuditEntry
from dangbo.audit.services import Action
from dangbo.members.models import Member

PASSWORD = "mat-khau-dai-du-1"


@dataclass
class People:
    """The ``people`` fixture: ``populated``'s tree, a member of cell A and the accounts."""

    tree: Tree
    member: Member
    admin: User
    officer: User
    sibling: User
    leader: User
    secretary: User
    member_user: User


@pytest.fixture
def people(populated) -> People:
    """An administrator; an officer of district H1 and one of sibling district H2; a leader of H1;
    a secretary of cell A; a member of cell A with an account."""
    tree = populated

    def account(name, role, org=None, member=None, superuser=False):
        user = (User.objects.create_superuser if superuser else User.objects.create_user)(
            name, password=PASSWORD
        )
        if not superuser:
            role_grant(user=user, role=role, org=org, member=member)
        return user

    member = Member.objects.filter(org=tree.cell_a).order_by("sort_key").first()
    return People(
        tree=tree,
        member=member,
        admin=account("quantri", AccessRole.ADMIN, superuser=True),
        officer=account("canbo", AccessRole.OFFICER, tree.district),
        sibling=account("canbo2", AccessRole.OFFICER, tree.district2),
        leader=account("lanhdao", AccessRole.LEADER, tree.district),
        secretary=account("bithu", AccessRole.SECRETARY, tree.cell_a),
        member_user=account("dangvien", AccessRole.MEMBER, member=member),
    )


def _scope(user):
    return scope_for(User.objects.get(pk=user.pk))


def _sign_in(client, username: str, password: str) -> bool:
    """Through the sign-in page, as a person does (the lockout backend needs the request)."""
    response = client.post("/dang-nhap/", {"username": username, "password": password})
    return response.status_code == 302


def _audited(action, user) -> int:
    return AuditEntry.objects.filter(action=action, subject_type="user", subject_id=str(user.pk)).count()


# --- the service: who may grant what, where ----------------------------------------------
def test_an_officer_creates_an_account_with_a_role_inside_their_subtree(people):
    user, password = user_create(
        actor=_scope(people.officer),
        username="BiThu.XaMot",
        full_name=" Lò  Văn Sính ",
        role=AccessRole.SECRETARY,
        org=people.tree.cell_b,
    )
    assert (
        user.username == "bithu.xamot" and user.first_name == "Lò Văn Sính" and user.check_password(password)
    )
    assert user.account.must_change_password and user.account.created_by_id == people.officer.pk
    assignment = user.role_assignments.get()
    assert (assignment.role, assignment.org, assignment.granted_by) == (
        AccessRole.SECRETARY,
        people.tree.cell_b,
        people.officer,
    )
    assert _scope(user).write_paths == (people.tree.cell_b.path,)
    assert _audited(Action.USER_CREATED, user) == 1 and _audited(Action.ROLE_GRANTED, user) == 1
    entry = AuditEntry.objects.get(action=Action.USER_CREATED, subject_id=str(user.pk))
    assert entry.data["username"] == "bithu.xamot" and password not in str(entry.data)


@pytest.mark.parametrize("role", [AccessRole.OFFICER, AccessRole.LEADER])
def test_an_officer_grants_officer_and_leader_roles_within_the_subtree(people, role):
    user, _ = user_create(
        actor=_scope(people.officer),
        username="moi",
        full_name="Người Mới",
        role=role,
        org=people.tree.commune,
    )
    assert user.role_assignments.get().role == role


def test_an_officer_links_a_member_account_to_a_member_they_may_read(people, make_member):
    other = make_member(people.tree.cell_b, given_name="Hồ")
    user, _ = user_create(
        actor=_scope(people.officer),
        username="dvb",
        full_name="Đảng viên B",
        role=AccessRole.MEMBER,
        member=other,
    )
    assert _scope(user).own_member_id == other.pk
    outsider = make_member(people.tree.cell_a, given_name="Khác")
    with pytest.raises(AccessError, match="Không tìm thấy đảng viên này trong phạm vi"):
        user_create(
            actor=_scope(people.sibling),
            username="dvx",
            full_name="X",
            role=AccessRole.MEMBER,
            member=outsider,
        )


def test_granting_outside_the_subtree_is_refused_with_the_reason(people):
    with pytest.raises(AccessError, match="Tổ chức mã «X1A» nằm ngoài phạm vi bạn quản lý"):
        user_create(
            actor=_scope(people.sibling),
            username="ngoai",
            full_name="Ngoài",
            role=AccessRole.OFFICER,
            org=people.tree.cell_a,
        )
    with pytest.raises(
        AccessError, match="nằm ngoài phạm vi"
    ):  # upward: the province above the officer's district
        user_create(
            actor=_scope(people.officer),
            username="tren",
            full_name="Trên",
            role=AccessRole.LEADER,
            org=people.tree.province,
        )
    assert not User.objects.filter(username__in=["ngoai", "tren"]).exists()


def test_granting_above_ones_own_role_is_refused(people):
    with pytest.raises(AccessError, match="Chỉ quản trị hệ thống mới cấp được quyền quản trị hệ thống"):
        user_create(actor=_scope(people.officer), username="qt2", full_name="Quản trị", role=AccessRole.ADMIN)
    for user in (people.secretary, people.leader, people.member_user):
        with pytest.raises(AccessError, match="không có quyền quản lý tài khoản"):
            user_create(
                actor=_scope(user),
                username="x" + user.username,
                full_name="X",
                role=AccessRole.LEADER,
                org=people.tree.cell_a,
            )
    user, _ = user_create(
        actor=_scope(people.admin), username="qt2", full_name="Quản trị Hai", role=AccessRole.ADMIN
    )
    assert _scope(user).is_admin


def test_a_secretary_role_needs_a_cell_and_other_targets_are_checked(people):
    officer = _scope(people.officer)
    with pytest.raises(AccessError, match="chỉ gắn với một chi bộ"):
        user_create(
            actor=officer,
            username="bt",
            full_name="Bí thư",
            role=AccessRole.SECRETARY,
            org=people.tree.commune,
        )
    with pytest.raises(AccessError, match="phải gắn với đúng hồ sơ"):
        user_create(
            actor=officer, username="bt", full_name="Bí thư", role=AccessRole.MEMBER, org=people.tree.cell_a
        )
    with pytest.raises(AccessError, match="Tên đăng nhập chỉ gồm"):
        user_create(
            actor=officer,
            username="Nguyễn Văn",
            full_name="X",
            role=AccessRole.LEADER,
            org=people.tree.cell_a,
        )
    with pytest.raises(AccessError, match="«canbo2» đã có"):
        user_create(
            actor=officer, username="canbo2", full_name="X", role=AccessRole.LEADER, org=people.tree.cell_a
        )
    with pytest.raises(AccessError, match="Mật khẩu chưa đạt yêu cầu"):
        user_create(
            actor=officer,
            username="yeu",
            full_name="X",
            role=AccessRole.LEADER,
            org=people.tree.cell_a,
            password="123",
        )
    with pytest.raises(AccessError, match="đã gắn với tài khoản «dangvien»"):
        user_create(
            actor=officer, username="dv2", full_name="X", role=AccessRole.MEMBER, member=people.member
        )


def test_an_officer_manages_only_accounts_whose_every_role_is_in_their_subtree(people):
    officer, sibling = _scope(people.officer), _scope(people.sibling)
    # the secretary of cell A is the officer's; not the sibling's
    assert services.can_manage(officer, people.secretary) and not services.can_manage(
        sibling, people.secretary
    )
    role_grant(
        user=people.secretary, role=AccessRole.LEADER, org=people.tree.district2
    )  # now also holds a role in H2
    assert not services.can_manage(officer, people.secretary) and not services.can_manage(
        sibling, people.secretary
    )
    with pytest.raises(AccessError, match="có quyền ngoài phạm vi bạn quản lý"):
        user_deactivate(actor=officer, user=people.secretary)
    with pytest.raises(AccessError, match="có quyền ngoài phạm vi"):
        role_grant(actor=officer, user=people.secretary, role=AccessRole.LEADER, org=people.tree.cell_b)
    # never an administrator, never oneself
    assert not services.can_manage(officer, people.admin)
    with pytest.raises(AccessError, match="Không tự thay đổi"):
        user_password_reset(actor=officer, user=people.officer)
    assert services.can_manage(_scope(people.admin), people.secretary)


# --- revoke, deactivate, reset -----------------------------------------------------------------
def test_revoking_ends_the_role_and_is_audited(people):
    assignment = people.secretary.role_assignments.get()
    with pytest.raises(AccessError):
        role_revoke(actor=_scope(people.sibling), assignment=assignment)
    role_revoke(actor=_scope(people.officer), assignment=assignment)
    assignment.refresh_from_db()
    assert assignment.revoked_at is not None and _scope(people.secretary).is_empty
    entry = AuditEntry.objects.filter(action=Action.ROLE_REVOKED, subject_id=str(people.secretary.pk)).get()
    assert entry.data["org"] == "X1A" and entry.data["role"] == "secretary"


def test_a_deactivated_user_can_no_longer_sign_in_and_sees_nothing(people, client):
    assert _sign_in(client, "bithu", PASSWORD)
    user_deactivate(actor=_scope(people.officer), user=people.secretary)
    people.secretary.refresh_from_db()
    assert not people.secretary.is_active and people.secretary.account.deactivated_at is not None
    assert _scope(people.secretary).is_empty
    assert not RoleAssignment.objects.filter(user=people.secretary, revoked_at__isnull=True).exists()
    assert client.get("/").status_code == 302  # the open session ends
    assert not _sign_in(client, "bithu", PASSWORD)
    assert _audited(Action.USER_DEACTIVATED, people.secretary) == 1
    with pytest.raises(AccessError, match="đã bị khóa"):
        user_deactivate(actor=_scope(people.officer), user=people.secretary)


def test_a_reset_password_must_be_changed_at_the_next_sign_in(people, client):
    new = user_password_reset(actor=_scope(people.officer), user=people.leader)
    assert _audited(Action.PASSWORD_RESET, people.leader) == 1
    assert not _sign_in(client, "lanhdao", PASSWORD)
    assert _sign_in(client, "lanhdao", new)
    for url in ("/", "/dang-vien/", f"/to-chuc/{people.tree.district.pk}/", "/api/members/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == "/doi-mat-khau/", url
    page = client.get("/doi-mat-khau/")
    assert page.status_code == 200 and "Hãy đổi mật khẩu trước khi dùng phần mềm" in page.content.decode()
    response = client.post(
        "/doi-mat-khau/",
        {
            "old_password": new,
            "new_password1": "mot-mat-khau-rieng-7",
            "new_password2": "mot-mat-khau-rieng-7",
        },
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert not services.must_change_password(people.leader)
    assert _audited(Action.PASSWORD_CHANGED, people.leader) == 1


def test_a_new_account_changes_its_password_at_first_sign_in(people, client):
    _user, password = user_create(
        actor=_scope(people.admin),
        username="moi",
        full_name="Mới",
        role=AccessRole.LEADER,
        org=people.tree.commune,
    )
    assert _sign_in(client, "moi", password)
    assert client.get("/to-chuc/")["Location"] == "/doi-mat-khau/"


# --- Django's admin ---------------------------------------------------------------------------
def test_djangos_admin_no_longer_edits_users_groups_or_permissions(people, client):
    from django.contrib import admin
    from django.contrib.auth.models import Group, Permission

    for model in (User, Group, Permission):
        assert not admin.site.is_registered(model)
    client.force_login(people.admin)
    index = client.get("/quan-tri/")
    assert index.status_code == 200 and "/quan-tri/auth/" not in index.content.decode()
    for url in (
        "/quan-tri/auth/user/",
        "/quan-tri/auth/user/add/",
        f"/quan-tri/auth/user/{people.officer.pk}/change/",
        "/quan-tri/auth/group/",
    ):
        assert client.get(url).status_code == 404, url
    assert client.get("/quan-tri/axes/accessattempt/").status_code == 200  # the rest still works


# --- the pages ----------------------------------------------------------------------------------
def test_the_pages_render_for_an_administrator_and_an_officer(people, client):
    for user in (people.admin, people.officer):
        client.force_login(user)
        for url in (
            "/tai-khoan/",
            "/tai-khoan/?org=X1&role=secretary&q=bithu",
            "/tai-khoan/tao/",
            f"/tai-khoan/{people.secretary.pk}/",
            f"/tai-khoan/{people.secretary.pk}/khoa/",
            f"/tai-khoan/{people.secretary.pk}/dat-lai-mat-khau/",
        ):
            response = client.get(url)
            assert response.status_code == 200, (user.username, url)
        assert "Tài khoản</a>" in client.get("/").content.decode()  # the menu link


def test_the_pages_are_refused_to_secretaries_leaders_members_and_sibling_officers(people, client):
    urls = [
        "/tai-khoan/",
        "/tai-khoan/tao/",
        "/tai-khoan/xuat/?dinh-dang=csv",
        f"/tai-khoan/{people.secretary.pk}/",
        f"/tai-khoan/{people.secretary.pk}/khoa/",
        f"/tai-khoan/{people.secretary.pk}/dat-lai-mat-khau/",
    ]
    for user in (people.secretary, people.leader, people.member_user):
        client.force_login(user)
        assert "/tai-khoan/" not in client.get("/").content.decode()
        for url in urls:
            assert client.get(url).status_code == 403, (user.username, url)
    client.force_login(people.sibling)
    for url in urls[3:]:
        assert client.get(url).status_code == 404, url
    assert client.post(f"/tai-khoan/{people.secretary.pk}/khoa/", {"confirm": "on"}).status_code == 404
    people.secretary.refresh_from_db()
    assert people.secretary.is_active
    listing = client.get("/tai-khoan/").content.decode()
    assert "bithu" not in listing and "canbo2" in listing
    assert "Không có tổ chức mã «X1»" in client.get("/tai-khoan/?org=X1").content.decode()


def test_creating_an_account_on_the_page_shows_the_password_once(people, client):
    client.force_login(people.officer)
    response = client.post(
        "/tai-khoan/tao/", {"username": "bithub", "full_name": "Bí thư B", "role": "secretary", "org": "X1B"}
    )
    assert response.status_code == 200
    user = User.objects.get(username="bithub")
    page = response.content.decode()
    assert "chỉ hiện một lần" in page and user.role_assignments.get().org == people.tree.cell_b
    # refusals are shown on the form, in Vietnamese
    response = client.post(
        "/tai-khoan/tao/", {"username": "x", "full_name": "X", "role": "officer", "org": "H2"}
    )
    assert (
        response.status_code == 400
        and "Không có tổ chức mã «H2» trong phạm vi bạn quản lý" in response.content.decode()
    )
    response = client.post("/tai-khoan/tao/", {"username": "x", "full_name": "X", "role": "admin"})
    assert response.status_code == 400 and "Giá trị này không có trong danh mục" in response.content.decode()
    response = client.post(
        "/tai-khoan/tao/", {"username": "x", "full_name": "X", "role": "secretary", "org": "X1"}
    )
    assert response.status_code == 400 and "chỉ gắn với một chi bộ" in response.content.decode()
    response = client.post("/tai-khoan/tao/", {"username": "x", "full_name": "X", "role": "member"})
    assert response.status_code == 400 and "cần số thẻ hoặc mã hồ sơ" in response.content.decode()


def test_grant_revoke_deactivate_and_reset_on_the_account_page(people, client, make_member):
    client.force_login(people.officer)
    url = f"/tai-khoan/{people.secretary.pk}/"
    response = client.post(url + "cap-quyen/", {"role": "leader", "org": "X1"})
    assert response.status_code == 302
    assert people.secretary.role_assignments.filter(
        role="leader", org=people.tree.commune, revoked_at__isnull=True
    ).exists()
    response = client.post(url + "cap-quyen/", {"role": "leader", "org": "H2"})
    assert response.status_code == 400 and "Không có tổ chức mã «H2»" in response.content.decode()
    response = client.post(url + "cap-quyen/", {"role": "leader", "org": "X1"})
    assert response.status_code == 400 and "Tài khoản đã có vai trò này" in response.content.decode()
    granted = (
        AuditEntry.objects.filter(action=Action.ROLE_GRANTED, subject_id=str(people.secretary.pk))
        .order_by("-seq")
        .first()
    )
    assert (
        granted.actor_id == people.officer.pk and granted.data["org"] == "X1"
    )  # the page's actor is in the trail
    leader = people.secretary.role_assignments.get(role="leader")
    assert client.post(url + "thu-hoi/", {"assignment": str(leader.pk)}).status_code == 302
    leader.refresh_from_db()
    assert leader.revoked_at is not None
    assert client.post(url + "thu-hoi/", {"assignment": "khong-phai"}).status_code == 404
    # a confirmation is needed
    response = client.post(url + "dat-lai-mat-khau/", {})
    assert response.status_code == 400 and "Đánh dấu ô xác nhận" in response.content.decode()
    response = client.post(url + "dat-lai-mat-khau/", {"confirm": "on"})
    assert response.status_code == 200 and "Mật khẩu mới" in response.content.decode()
    assert services.must_change_password(people.secretary)
    assert client.post(url + "khoa/", {"confirm": "on"}).status_code == 302
    people.secretary.refresh_from_db()
    assert not people.secretary.is_active


def test_the_list_filters_by_subtree_role_and_name_and_pages(people, client):
    client.force_login(people.admin)
    page = client.get("/tai-khoan/").content.decode()
    for name in ("canbo", "canbo2", "lanhdao", "bithu", "dangvien"):
        assert f">{name}<" in page
    page = client.get("/tai-khoan/", {"org": "X1"}).content.decode()
    assert ">bithu<" in page and ">dangvien<" in page and ">canbo<" not in page and ">canbo2<" not in page
    page = client.get("/tai-khoan/", {"role": "officer"}).content.decode()
    assert ">canbo<" in page and ">canbo2<" in page and ">bithu<" not in page
    people.secretary.first_name = "Lò Văn Sính"
    people.secretary.save()
    from dangbo.accounts.models import Account

    Account.objects.create(user=people.secretary, search_key=services.search_key("bithu", "Lò Văn Sính"))
    page = client.get("/tai-khoan/", {"q": "lo van sinh"}).content.decode()
    assert ">bithu<" in page and ">canbo<" not in page
    assert ">bithu<" in client.get("/tai-khoan/", {"q": "sinh lo"}).content.decode()  # words in any order
    assert ">bithu<" not in client.get("/tai-khoan/", {"q": "inh"}).content.decode()  # not inside a word
    for n in range(50):
        role_grant(user=User.objects.create_user(f"u{n:02}"), role=AccessRole.LEADER, org=people.tree.agency)
    first = client.get("/tai-khoan/").content.decode()
    assert "Trang 1 / 2" in first and "trang=2" in first
    assert client.get("/tai-khoan/", {"trang": "2"}).status_code == 200
    assert AuditEntry.objects.filter(action=Action.LIST_VIEWED, subject_type="role_list").exists()


def test_the_list_exports_to_csv_and_xlsx_with_what_the_page_lists(people, client):
    client.force_login(people.officer)
    response = client.get("/tai-khoan/xuat/", {"dinh-dang": "csv", "org": "X1"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:5] == ["Tên đăng nhập", "Họ và tên", "Vai trò", "Mã tổ chức", "Nơi giữ vai trò"]
    assert sorted(r[0] for r in rows[1:]) == ["bithu", "dangvien"]
    secretary_row = next(r for r in rows[1:] if r[0] == "bithu")
    assert secretary_row[2:5] == ["Bí thư chi bộ", "X1A", "Chi bộ thôn A"]
    response = client.get("/tai-khoan/xuat/", {"dinh-dang": "xlsx"})
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    values = [list(row) for row in book.active.iter_rows(values_only=True)]
    assert values[0][0].startswith("Tài khoản và phân quyền")
    names = sorted(row[0] for row in values[3:])
    assert names == [
        "bithu",
        "canbo",
        "dangvien",
        "lanhdao",
    ]  # the officer's subtree: not canbo2, not quantri
    assert client.get("/tai-khoan/xuat/", {"dinh-dang": "pdf"}).status_code == 404
    assert AuditEntry.objects.filter(action=Action.EXPORTED, subject_type="role_list").count() == 2


def test_exported_values_that_look_like_formulas_are_neutralised(people, client):
    people.secretary.first_name = '=HYPERLINK("x")'
    people.secretary.save()
    client.force_login(people.admin)
    response = client.get("/tai-khoan/xuat/", {"dinh-dang": "csv", "role": "secretary"})
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "'=HYPERLINK" in body


def test_every_change_made_by_a_page_names_its_actor():
    """The services default ``actor`` to the installation (for set-up code); a page must never
    rely on that default."""
    import ast
    import inspect

    from dangbo.accounts import views

    changes = {"user_create", "role_grant", "role_revoke", "user_deactivate", "user_password_reset"}
    calls = [
        node
        for node in ast.walk(ast.parse(inspect.getsource(views)))
        if isinstance(node, ast.Call)
        and getattr(node.func, "attr", getattr(node.func, "id", None)) in changes
    ]
    assert len(calls) == 5
    for call in calls:
        actor = next((k.value for k in call.keywords if k.arg == "actor"), None)
        assert actor is not None and ast.unparse(actor) == "request.scope", ast.unparse(call)


def test_the_printed_account_list_is_dated_by_the_applications_clock(client, people, frozen_today):
    from datetime import date

    frozen_today(date(2026, 3, 5))
    client.force_login(people.officer)
    assert '<p class="print-only">In ngày 05/03/2026' in client.get("/tai-khoan/").content.decode()
