"""Creating and editing organizations and localities from their pages."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from dangbo.accounts.models import AccessRole
from dangbo.accounts.services import role_grant
from dangbo.audit.models import AuditEntry
from dangbo.audit.services import Action
from dangbo.members.models import Member
from dangbo.orgs.models import Locality, Org, OrgVersion
from dangbo.orgs.services import locality_create


@pytest.fixture
def officer(client, tree):
    user = User.objects.create_user("canbo", password="mat-khau-dai-du-1")
    role_grant(user=user, role=AccessRole.OFFICER, org=tree.commune)
    client.force_login(user)
    return user


def test_establish_a_cell_under_the_commune(client, tree, officer, make_member):
    moving = [make_member(tree.cell_a) for _ in range(3)]
    for n, member in enumerate(moving):
        member.card_number = f"3000000{n}"
        member.save(update_fields=["card_number"])
    response = client.post(
        f"/to-chuc/{tree.commune.pk}/thanh-lap/",
        {
            "code": "X1C",
            "name": "Chi bộ thôn C",
            "kind": "cell",
            "sector": "residential",
            "established_on": "01/03/2024",
            "members": "30000000\n30000001, 30000002",
            "decision_no": "12-QĐ/ĐU",
            "decision_on": "25/02/2024",
            "decision_body": "Đảng ủy xã Một",
        },
    )
    org = Org.objects.get(code="X1C")
    assert (
        response.status_code == 302 and org.parent == tree.commune and org.path.startswith(tree.commune.path)
    )
    assert {m.org_id for m in Member.objects.filter(pk__in=[m.pk for m in moving])} == {org.pk}
    assert AuditEntry.objects.filter(action=Action.CREATED, subject_id=str(org.pk)).exists()
    assert "Đã thành lập Chi bộ thôn C" in client.get(f"/to-chuc/{org.pk}/").content.decode()


def test_a_cell_of_fewer_than_three_full_members_is_refused_on_the_page(client, tree, officer, make_member):
    for n in range(2):
        member = make_member(tree.cell_a)
        member.card_number = f"3100000{n}"
        member.save(update_fields=["card_number"])
    response = client.post(
        f"/to-chuc/{tree.commune.pk}/thanh-lap/",
        {
            "code": "X1D",
            "name": "Chi bộ thôn D",
            "kind": "cell",
            "sector": "residential",
            "established_on": "01/03/2024",
            "members": "31000000 31000001 99999999",
            "decision_no": "13-QĐ/ĐU",
            "decision_on": "25/02/2024",
        },
    )
    page = response.content.decode()
    assert response.status_code == 400 and not Org.objects.filter(code="X1D").exists()
    assert "99999999" in page  # the number that names no member here
    response = client.post(
        f"/to-chuc/{tree.commune.pk}/thanh-lap/",
        {
            "code": "X1D",
            "name": "Chi bộ thôn D",
            "kind": "cell",
            "sector": "residential",
            "established_on": "01/03/2024",
            "members": "31000000 31000001",
            "decision_no": "13-QĐ/ĐU",
            "decision_on": "25/02/2024",
        },
    )
    assert response.status_code == 400 and "với 2 đảng viên chính thức" in response.content.decode()
    assert not Org.objects.filter(code="X1D").exists()


def test_a_kind_the_parent_cannot_hold_is_refused_with_the_citation(client, tree, officer):
    response = client.post(
        f"/to-chuc/{tree.commune.pk}/thanh-lap/",
        {"code": "X1Z", "name": "Đảng bộ sai loại", "kind": "upper", "established_on": "01/03/2024"},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Không thể lập đảng bộ cấp trên cơ sở trực thuộc đảng bộ cơ sở. (Điều lệ Đảng" in html
    assert not Org.objects.filter(code="X1Z").exists()


def test_rename_keeps_the_old_name_in_the_dated_versions(client, tree, officer):
    response = client.post(
        f"/to-chuc/{tree.cell_a.pk}/doi-ten/",
        {"version": tree.cell_a.version, "name": "Chi bộ thôn A mới", "effective_on": "01/01/2025"},
    )
    assert response.status_code == 302
    names = list(
        OrgVersion.objects.filter(org=tree.cell_a).order_by("valid_from").values_list("name", flat=True)
    )
    assert names == ["Chi bộ thôn A", "Chi bộ thôn A mới"]
    stale = client.post(
        f"/to-chuc/{tree.cell_a.pk}/doi-ten/",
        {"version": 1, "name": "Tên khác", "effective_on": "02/01/2025"},
    )
    assert stale.status_code == 400 and "đã được người khác sửa" in stale.content.decode()


def test_add_and_edit_a_locality(client, tree, officer):
    response = client.post(
        f"/to-chuc/{tree.commune.pk}/them-thon/",
        {
            "code": "X1-T1",
            "kind": "thon",
            "name": "Nậm Cang",
            "cell": str(tree.cell_b.pk),
            "head_name": "Lý Láo Lở",
        },
    )
    locality = Locality.objects.get(code="X1-T1")
    assert response.status_code == 302 and locality.cell == tree.cell_b and not locality.head_is_member
    page = client.get(f"/thon/{locality.pk}/sua/").content.decode()
    assert "Nậm Cang" in page
    response = client.post(
        f"/thon/{locality.pk}/sua/",
        {
            "version": locality.version,
            "kind": "ban",
            "name": "Nậm Cang",
            "cell": "",
            "head_name": "Lý Láo Lở",
        },
    )
    locality.refresh_from_db()
    assert (
        response.status_code == 302
        and locality.cell is None
        and not locality.head_is_member
        and locality.kind == "ban"
    )
    entry = AuditEntry.objects.filter(action=Action.UPDATED, subject_id=str(locality.pk)).get()
    assert entry.data["changes"]["cell"] == ["X1B", ""]


def test_a_cell_from_another_commune_is_not_offered(client, tree, officer):
    locality = locality_create(code="X1-T2", kind="thon", name="Sín Chải", commune=tree.commune)
    response = client.post(
        f"/thon/{locality.pk}/sua/",
        {
            "version": locality.version,
            "kind": "thon",
            "name": "Sín Chải",
            "cell": str(tree.agency.pk),
            "head_name": "",
        },
    )
    assert response.status_code == 400 and "không có trong danh mục" in response.content.decode()


def test_leader_and_sibling_officer_cannot_edit(client, tree, make_member):
    leader = User.objects.create_user("lanhdao", password="mat-khau-dai-du-1")
    role_grant(user=leader, role=AccessRole.LEADER, org=tree.province)
    client.force_login(leader)
    assert client.get(f"/to-chuc/{tree.commune.pk}/thanh-lap/").status_code == 404
    assert "Thành lập tổ chức trực thuộc" not in client.get(f"/to-chuc/{tree.commune.pk}/").content.decode()
    sibling = User.objects.create_user("canbo2", password="mat-khau-dai-du-1")
    role_grant(user=sibling, role=AccessRole.OFFICER, org=tree.district2)
    client.force_login(sibling)
    response = client.post(
        f"/to-chuc/{tree.cell_a.pk}/doi-ten/", {"version": 1, "name": "Chiếm", "effective_on": "01/01/2025"}
    )
    assert response.status_code == 404 and Org.objects.get(pk=tree.cell_a.pk).name == "Chi bộ thôn A"
