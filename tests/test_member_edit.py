"""Editing a member's profile: Vietnamese validation with citations, optimistic locking,
the change in the history and the audit, refusals for read-only and out-of-scope users."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth.models import User

from dangbo.accounts.models import AccessRole
from dangbo.accounts.services import role_grant
from dangbo.audit.models import AuditEntry
from dangbo.audit.services import Action
from dangbo.members.forms import MemberProfileForm
from dangbo.members.models import Member


@pytest.fixture
def officer(client, tree):
    user = User.objects.create_user("canbo", password="mat-khau-dai-du-1")
    role_grant(user=user, role=AccessRole.OFFICER, org=tree.commune)
    client.force_login(user)
    return user


def form_data(member, **changes):
    data = {k: ("" if v is None else v) for k, v in MemberProfileForm.initial_for(member).items()}
    data["birth_date"] = member.birth_date.strftime("%d/%m/%Y")
    data.update(changes)
    return data


def test_edit_a_field_and_see_it_in_the_history(client, tree, officer, make_member):
    member = make_member(tree.cell_a, occupation="Nông dân")
    response = client.post(f"/dang-vien/{member.pk}/sua/", form_data(member, occupation="Giáo viên"))
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.occupation == "Giáo viên" and member.version == 2
    entry = AuditEntry.objects.filter(action=Action.UPDATED, subject_id=str(member.pk)).get()
    assert (
        entry.data == {"changes": {"occupation": ["Nông dân", "Giáo viên"]}} and entry.actor_name == "canbo"
    )
    profile = client.get(f"/dang-vien/{member.pk}/").content.decode()
    assert (
        "Chỉnh sửa hồ sơ" in profile and "«Nông dân» → «Giáo viên»" in profile and "Đã lưu hồ sơ." in profile
    )


def test_a_stale_form_does_not_overwrite_anothers_edit(client, tree, officer, make_member):
    member = make_member(tree.cell_a)
    stale = form_data(member, occupation="Bản của người thứ hai")
    assert (
        client.post(
            f"/dang-vien/{member.pk}/sua/", form_data(member, occupation="Bản của người thứ nhất")
        ).status_code
        == 302
    )
    response = client.post(f"/dang-vien/{member.pk}/sua/", stale)
    assert response.status_code == 400 and "đã được người khác sửa" in response.content.decode()
    assert Member.objects.get(pk=member.pk).occupation == "Bản của người thứ nhất"


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"national_id": "12345"}, "12 chữ số"),
        ({"card_number": "123"}, "8 chữ số"),
        ({"birth_date": "31/02/1990"}, "Ngày không hợp lệ"),
        ({"given_name": ""}, "Chưa nhập mục này"),
        ({"ethnicity": "99"}, "không có trong danh mục"),
    ],
)
def test_bad_input_is_refused_in_vietnamese_and_nothing_changes(
    client, tree, officer, make_member, changes, message
):
    member = make_member(tree.cell_a, occupation="Nông dân")
    response = client.post(f"/dang-vien/{member.pk}/sua/", form_data(member, occupation="Đổi", **changes))
    assert response.status_code == 400 and message in response.content.decode()
    assert Member.objects.get(pk=member.pk).occupation == "Nông dân"


def test_national_id_violation_carries_the_citation(client, tree, officer, make_member):
    member = make_member(tree.cell_a, gender="M", birth_date=date(1990, 5, 17))
    response = client.post(f"/dang-vien/{member.pk}/sua/", form_data(member, national_id="001190012345"))
    html = response.content.decode()
    assert response.status_code == 400 and "Thông tư" in html  # the rule's source is named


def test_html_in_a_field_is_stored_as_text_and_escaped(client, tree, officer, make_member):
    member = make_member(tree.cell_a)
    client.post(f"/dang-vien/{member.pk}/sua/", form_data(member, workplace="<img src=x onerror=alert(1)>"))
    html = client.get(f"/dang-vien/{member.pk}/").content.decode()
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html


def test_leader_may_read_but_not_edit(client, tree, make_member):
    member = make_member(tree.cell_a)
    leader = User.objects.create_user("lanhdao", password="mat-khau-dai-du-1")
    role_grant(user=leader, role=AccessRole.LEADER, org=tree.district)
    client.force_login(leader)
    assert "Sửa hồ sơ" not in client.get(f"/dang-vien/{member.pk}/").content.decode()
    assert client.post(f"/dang-vien/{member.pk}/sua/", form_data(member, occupation="X")).status_code == 404
    assert AuditEntry.objects.filter(
        action=Action.REFUSED, subject_id=str(member.pk), actor_name="lanhdao"
    ).exists()
    assert Member.objects.get(pk=member.pk).version == 1


def test_form_posted_for_a_member_outside_the_scope_is_refused(client, tree, officer, make_member):
    outside = make_member(tree.agency, occupation="Cũ")
    assert (
        client.post(f"/dang-vien/{outside.pk}/sua/", form_data(outside, occupation="Mới")).status_code == 404
    )
    assert Member.objects.get(pk=outside.pk).occupation == "Cũ"
