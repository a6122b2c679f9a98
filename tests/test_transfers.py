"""Official transfers between organizations of this installation (RULES.md §2.5): the letter, the
case both sides see, the receiver's confirmation, the deadlines."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth.models import User

from dangbo.accounts.models import AccessRole
from dangbo.accounts.services import role_grant
from dangbo.members import ledger
from dangbo.members.models import MemberEvent, TransferCase
from dangbo.members.services import transfer_confirm_arrival, transfer_issue
from dangbo.rules.transfers import transfer_deadlines
from dangbo.orgs import services as org_services
from dangbo.orgs.kinds import OrgKind, Sector
from dangbo.orgs.services import DecisionRef
from dangbo.reference.models import Holiday
from dangbo.rules.base import RuleViolation

DECISION = DecisionRef(number="25-QĐ/ĐU", on=date(2026, 3, 2), body="Đảng ủy xã Một")


@pytest.fixture
def world(tree, make_member):
    Holiday.objects.all().delete()
    commune2 = org_services.org_establish(
        code="X2", name="Đảng bộ xã Hai", kind=OrgKind.GRASSROOTS_COMMITTEE, parent=tree.district2,
        established_on=tree.province.created_on, sector=Sector.COMMUNE,
    )
    cell2 = org_services.org_establish(code="X2A", name="Chi bộ thôn Hai A", kind=OrgKind.CELL, parent=commune2, established_on=tree.province.created_on)
    member = make_member(tree.cell_a, given_name="Chuyểnđi")
    sender = User.objects.create_user("noidi", password="mat-khau-dai-du-1")
    role_grant(user=sender, role=AccessRole.OFFICER, org=tree.commune)
    receiver = User.objects.create_user("noiden", password="mat-khau-dai-du-1")
    role_grant(user=receiver, role=AccessRole.OFFICER, org=commune2)
    return tree, commune2, cell2, member, sender, receiver


def test_deadlines_are_30_and_60_working_days(world):
    tree, commune2, cell2, member, *_ = world
    case = transfer_issue(member=member, to_org=cell2, issued_on=date(2026, 3, 2), decision=DECISION)
    assert transfer_deadlines(case.issued_on) == (date(2026, 4, 13), date(2026, 5, 25))
    assert "Quy định 294-QĐ/TW" in case.rule_version


def test_the_member_stays_counted_at_home_until_the_receiver_confirms(world):
    tree, commune2, cell2, member, *_ = world
    case = transfer_issue(member=member, to_org=cell2, issued_on=date(2026, 3, 2), decision=DECISION)
    member.refresh_from_db()
    assert member.org == tree.cell_a
    transfer_confirm_arrival(case=case, arrived_on=date(2026, 3, 20))
    member.refresh_from_db()
    case.refresh_from_db()
    assert member.org == cell2 and case.state == TransferCase.State.COMPLETED
    event = MemberEvent.objects.get(member=member, kind="transferred")
    assert event.effective_on == date(2026, 3, 20) and event.decision_no == "25-QĐ/ĐU"
    assert ledger.projection_matches_replay(member)


def test_bad_transfers_are_refused(world):
    tree, commune2, cell2, member, *_ = world
    with pytest.raises(RuleViolation, match="không thể đưa đảng viên vào"):
        transfer_issue(member=member, to_org=commune2, issued_on=date(2026, 3, 2), decision=DECISION)
    with pytest.raises(RuleViolation, match="trùng với nơi đang sinh hoạt"):
        transfer_issue(member=member, to_org=tree.cell_a, issued_on=date(2026, 3, 2), decision=DECISION)
    case = transfer_issue(member=member, to_org=cell2, issued_on=date(2026, 3, 2), decision=DECISION)
    with pytest.raises(RuleViolation, match="chưa hoàn tất"):
        transfer_issue(member=member, to_org=tree.cell_b, issued_on=date(2026, 3, 3), decision=DECISION)
    with pytest.raises(RuleViolation, match="không thể trước ngày giới thiệu"):
        transfer_confirm_arrival(case=case, arrived_on=date(2026, 3, 1))
    with pytest.raises(RuleViolation, match=r"Quá thời hạn xuất trình giấy giới thiệu \(13/04/2026\)") as late:
        transfer_confirm_arrival(case=case, arrived_on=date(2026, 4, 20))
    assert "Quy định 294-QĐ/TW" in str(late.value)
    transfer_confirm_arrival(case=case, arrived_on=date(2026, 4, 20), late_reason="Đảng viên đi công tác dài ngày")
    case.refresh_from_db()
    assert case.late_reason == "Đảng viên đi công tác dài ngày"
    with pytest.raises(RuleViolation, match="đã hoàn tất"):
        transfer_confirm_arrival(case=case, arrived_on=date(2026, 4, 21))


def test_both_sides_see_the_case_and_only_the_receiver_confirms(client, world):
    tree, commune2, cell2, member, sender, receiver = world
    client.force_login(sender)
    response = client.post(f"/dang-vien/{member.pk}/chuyen-sinh-hoat/", {"to_code": "X2A", "issued_on": "02/03/2026", "decision_no": "25-QĐ/ĐU", "decision_on": "02/03/2026"})
    assert response.status_code == 302
    wrong = client.post(f"/dang-vien/{member.pk}/chuyen-sinh-hoat/", {"to_code": "KHONGCO", "issued_on": "02/03/2026"})
    assert wrong.status_code == 400 and "Không có tổ chức đảng nào mang mã này" in wrong.content.decode()
    case = TransferCase.objects.get()
    outgoing = client.get(f"/to-chuc/{tree.commune.pk}/chuyen-sinh-hoat/").content.decode()
    assert "Chuyểnđi" in outgoing and "chuyển đi" in outgoing and "Xác nhận tiếp nhận" not in outgoing
    assert client.get(f"/to-chuc/{commune2.pk}/chuyen-sinh-hoat/xac-nhan/", {"ho-so": str(case.pk)}).status_code == 404
    assert "Chuyển sinh hoạt đảng" in client.get("/viec-can-lam/", {"ngay": "20/03/2026"}).content.decode()

    client.force_login(receiver)
    incoming = client.get(f"/to-chuc/{commune2.pk}/chuyen-sinh-hoat/").content.decode()
    assert "Chuyểnđi" in incoming and "chuyển đến" in incoming and "Xác nhận tiếp nhận" in incoming
    assert "Chuyểnđi" in client.get("/viec-can-lam/", {"ngay": "20/03/2026"}).content.decode()
    assert client.get(f"/dang-vien/{member.pk}/").status_code == 404  # the record itself stays with the sender until arrival
    response = client.post(f"/to-chuc/{commune2.pk}/chuyen-sinh-hoat/xac-nhan/?ho-so={case.pk}", {"arrived_on": "20/03/2026"})
    assert response.status_code == 302
    assert client.get(f"/dang-vien/{member.pk}/").status_code == 200  # now the receiver's member
    client.force_login(sender)
    assert client.get(f"/dang-vien/{member.pk}/").status_code == 404
    assert "Chuyểnđi" not in client.get(f"/to-chuc/{tree.commune.pk}/chuyen-sinh-hoat/").content.decode()
