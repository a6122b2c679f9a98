"""Committees and positions (RULES.md §1.3): the gaps an organization page shows, and electing or
ending a position from the web."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth.models import User

from dangbo.accounts.models import AccessRole
from dangbo.accounts.services import role_grant
from dangbo.core.kinds import OrgKind
from dangbo.core.roles import Role
from dangbo.members.models import MemberEvent, Position
from dangbo.rules.positions import committee_gaps

ON = date(2026, 1, 1)
S, D, C = Role.SECRETARY, Role.DEPUTY_SECRETARY, Role.COMMITTEE_MEMBER


def gaps(kind=OrgKind.CELL, full=5, **holders) -> str:
    found = committee_gaps(
        org_kind=kind, on=ON, holders={Role(k): v for k, v in holders.items()}, full_members=full
    )
    return " | ".join(str(v) for v in found)


def test_a_cell_without_a_secretary_is_a_gap():
    assert "chưa có bí thư" in gaps(full=5)
    assert gaps(full=5, secretary=1) == ""
    assert "chưa có bí thư" in gaps(kind=OrgKind.GRASSROOTS_COMMITTEE, full=None)


def test_nine_full_members_need_a_committee_of_at_most_seven():
    assert "phải bầu chi ủy" in gaps(full=9, secretary=1) and "Quy định 294-QĐ/TW" in gaps(
        full=9, secretary=1
    )
    assert gaps(full=9, secretary=1, deputy_secretary=1, committee_member=1) == ""
    assert "quá 7" in gaps(full=30, secretary=1, deputy_secretary=1, committee_member=6)


def test_a_smaller_cell_has_no_committee_and_one_deputy():
    assert "không bầu chi ủy" in gaps(full=8, secretary=1, committee_member=1)
    assert "chỉ có một phó bí thư" in gaps(full=8, secretary=1, deputy_secretary=2)
    assert gaps(full=8, secretary=1, deputy_secretary=1) == ""


def test_a_party_group_has_no_committee_gaps():
    assert gaps(kind=OrgKind.GROUP, full=None) == ""


# --- pages -------------------------------------------------------------------------------------


@pytest.fixture
def officer(tree):
    user = User.objects.create_user("canbo", password="mat-khau-dai-du-1")
    role_grant(user=user, role=AccessRole.OFFICER, org=tree.commune)
    return user


def test_elect_a_secretary_then_end_the_position(client, tree, officer, make_member):
    full = [make_member(tree.cell_a, given_name=f"Chínhthức{i}") for i in range(3)]
    probationary = make_member(tree.cell_a, full=False, given_name="Dựbị", admitted_on=date(2026, 1, 10))
    client.force_login(officer)
    page = client.get(f"/to-chuc/{tree.cell_a.pk}/").content.decode()
    assert "Cần kiện toàn:" in page and "chưa có bí thư" in page

    refused = client.post(
        f"/to-chuc/{tree.cell_a.pk}/chuc-vu/",
        {"member": str(probationary.pk), "role": "secretary", "started_on": "01/06/2026"},
    )
    assert (
        refused.status_code == 400
        and "Chỉ đảng viên chính thức" in refused.content.decode()
        and "Điều 5" in refused.content.decode()
    )

    response = client.post(
        f"/to-chuc/{tree.cell_a.pk}/chuc-vu/",
        {
            "member": str(full[0].pk),
            "role": "secretary",
            "started_on": "01/06/2026",
            "term": "2025–2030",
            "decision_no": "7-QĐ/ĐU",
            "decision_on": "25/05/2026",
        },
    )
    assert response.status_code == 302
    position = Position.objects.get(org=tree.cell_a, ended_on__isnull=True)
    assert position.member == full[0] and position.role == Role.SECRETARY
    event = MemberEvent.objects.get(member=full[0], kind="position_started")
    assert event.data == {"term": "2025–2030"} and event.decision_no == "7-QĐ/ĐU"
    page = client.get(f"/to-chuc/{tree.cell_a.pk}/").content.decode()
    assert "chưa có bí thư" not in page and full[0].full_name in page

    twice = client.post(
        f"/to-chuc/{tree.cell_a.pk}/chuc-vu/",
        {"member": str(full[1].pk), "role": "secretary", "started_on": "02/06/2026"},
    )
    assert twice.status_code == 400 and "đã có bí thư" in twice.content.decode()

    end_url = f"/to-chuc/{tree.cell_a.pk}/thoi-chuc-vu/?dang-vien={full[0].pk}&chuc-vu=secretary"
    assert end_url.replace("&", "&amp;") in page
    form = client.get(end_url)
    assert form.status_code == 200 and full[0].full_name in form.content.decode()
    assert (
        client.get(
            f"/to-chuc/{tree.cell_a.pk}/thoi-chuc-vu/?dang-vien={full[1].pk}&chuc-vu=secretary"
        ).status_code
        == 404
    )
    response = client.post(end_url, {"ended_on": "01/09/2026"})
    assert response.status_code == 302
    assert Position.objects.get(org=tree.cell_a, member=full[0]).ended_on == date(2026, 9, 1)
    assert "chưa có bí thư" in client.get(f"/to-chuc/{tree.cell_a.pk}/").content.decode()


def test_a_committee_member_is_found_by_card_number(client, tree, officer, make_member):
    member = make_member(tree.cell_b, card_number="12345678", given_name="Thẻđảng")
    client.force_login(officer)
    missing = client.post(
        f"/to-chuc/{tree.commune.pk}/chuc-vu/",
        {"member_number": "87654321", "role": "committee_member", "started_on": "01/06/2026"},
    )
    assert missing.status_code == 400 and "Không tìm thấy đảng viên có số này" in missing.content.decode()
    response = client.post(
        f"/to-chuc/{tree.commune.pk}/chuc-vu/",
        {"member_number": "1234 5678", "role": "committee_member", "started_on": "01/06/2026"},
    )
    assert response.status_code == 302
    assert Position.objects.get(org=tree.commune).member == member


def test_a_leader_and_another_commune_cannot_change_positions(client, tree, make_member):
    member = make_member(tree.agency)
    leader = User.objects.create_user("lanhdao", password="mat-khau-dai-du-1")
    role_grant(user=leader, role=AccessRole.LEADER, org=tree.commune)
    client.force_login(leader)
    assert client.get(f"/to-chuc/{tree.cell_a.pk}/chuc-vu/").status_code == 404
    assert "Bầu, chỉ định chức vụ" not in client.get(f"/to-chuc/{tree.cell_a.pk}/").content.decode()
    officer = User.objects.create_user("canbo2", password="mat-khau-dai-du-1")
    role_grant(user=officer, role=AccessRole.OFFICER, org=tree.commune)
    client.force_login(officer)
    response = client.post(
        f"/to-chuc/{tree.agency.pk}/chuc-vu/",
        {"member": str(member.pk), "role": "secretary", "started_on": "01/06/2026"},
    )
    assert response.status_code == 404 and not Position.objects.filter(org=tree.agency).exists()


def test_positions_through_the_api(client, tree, officer, make_member):
    member = make_member(tree.cell_a)
    client.force_login(officer)
    assert "chưa có bí thư" in client.get(f"/api/orgs/{tree.cell_a.pk}/committee-gaps").json()[0]["message"]
    made = client.post(
        f"/api/orgs/{tree.cell_a.pk}/positions",
        {"member_id": str(member.pk), "role": "secretary", "started_on": "2026-06-01"},
        content_type="application/json",
    )
    assert made.status_code == 201 and made.json()["role_label"] == "Bí thư"
    assert client.get(f"/api/orgs/{tree.cell_a.pk}/committee-gaps").json() == []
    refused = client.post(
        f"/api/orgs/{tree.cell_a.pk}/positions",
        {"member_id": str(member.pk), "role": "vua", "started_on": "2026-06-01"},
        content_type="application/json",
    )
    assert refused.status_code == 422 and "Chức vụ không hợp lệ" in refused.json()["errors"]["role"][0]
    ended = client.post(
        f"/api/orgs/{tree.cell_a.pk}/positions/end",
        {"member_id": str(member.pk), "role": "secretary", "ended_on": "2026-09-01"},
        content_type="application/json",
    )
    assert ended.status_code == 200 and Position.objects.get(member=member).ended_on == date(2026, 9, 1)
    outside = client.post(
        f"/api/orgs/{tree.agency.pk}/positions",
        {"member_id": str(member.pk), "role": "secretary", "started_on": "2026-06-01"},
        content_type="application/json",
    )
    assert outside.status_code == 404
