"""Official transfers between organizations of this installation (RULES.md §2.5): the letter and
its trigger, the case both sides see, the receiver's confirmation, the deadlines (60 working
days from the trigger to the letter, 30 from the letter to the arrival), late cases flagged
until their handling is recorded, and the warning when a cell falls below three full members."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

import pytest
from django.contrib.auth.models import User

from conftest import Tree, refused_on
from dangbo.accounts.models import AccessRole
from dangbo.accounts.scope import Scope
from dangbo.accounts.services import role_grant
from dangbo.core.decisions import DecisionRef
from dangbo.core.kinds import OrgKind, Sector
from dangbo.members import ledger
from dangbo.members.models import Member, MemberEvent, TransferCase
from dangbo.members.selectors.todo import due_items
from dangbo.members.services.transfers import (
    Trigger,
    transfer_close_late,
    transfer_confirm_arrival,
    transfer_issue,
)
from dangbo.orgs import services as org_services
from dangbo.orgs.models import Org
from dangbo.reference.models import Holiday
from dangbo.reference.workdays import add_working_days
from dangbo.rules import transfers as transfer_rules
from dangbo.rules.base import RuleViolation
from dangbo.stats.compliance import compliance_run

DECISION = DecisionRef(number="25-QĐ/ĐU", on=date(2026, 3, 2), body="Đảng ủy xã Một")
TRIGGER = Trigger(kind="new_post", number="112/QĐ-UBND", on=date(2026, 2, 23))
TRIGGER_ON = date(2026, 1, 5)
SYSTEM = Scope(user_id=None, username="kiểm thử", is_admin=True)


@dataclass
class World:
    """Two communes in two districts; a member of cell A (which keeps three full members more)
    to transfer to ``cell2``; the sending commune's officer and the receiving one's."""

    tree: Tree
    commune2: Org
    cell2: Org
    member: Member
    sender: User
    receiver: User


@pytest.fixture
def world(tree, make_member) -> World:
    Holiday.objects.all().delete()
    commune2 = org_services.org_establish(
        code="X2",
        name="Đảng bộ xã Hai",
        kind=OrgKind.GRASSROOTS_COMMITTEE,
        parent=tree.district2,
        established_on=tree.province.created_on,
        sector=Sector.COMMUNE,
    )
    cell2 = org_services.org_establish(
        code="X2A",
        name="Chi bộ thôn Hai A",
        kind=OrgKind.CELL,
        parent=commune2,
        established_on=tree.province.created_on,
    )
    member = make_member(tree.cell_a, given_name="Chuyểnđi")
    for _ in range(3):  # the sending cell keeps three full members
        make_member(tree.cell_a)
    sender = User.objects.create_user("noidi", password="mat-khau-dai-du-1")
    role_grant(user=sender, role=AccessRole.OFFICER, org=tree.commune)
    receiver = User.objects.create_user("noiden", password="mat-khau-dai-du-1")
    role_grant(user=receiver, role=AccessRole.OFFICER, org=commune2)
    return World(tree=tree, commune2=commune2, cell2=cell2, member=member, sender=sender, receiver=receiver)


def issue(member, to_org, issued_on=date(2026, 3, 2), trigger=TRIGGER, **kwargs):
    return transfer_issue(
        member=member, to_org=to_org, issued_on=issued_on, decision=DECISION, trigger=trigger, **kwargs
    )


def kinds(items, member=None):
    return [i.kind for i in items if member is None or (i.member and i.member.pk == member.pk)]


def test_deadlines_are_60_working_days_from_the_trigger_and_30_from_the_letter(world):
    cell2, member = world.cell2, world.member
    case = issue(member, cell2)
    assert transfer_rules.letter_due(TRIGGER_ON) == date(2026, 3, 30)
    assert transfer_rules.arrival_due(case.issued_on) == date(2026, 4, 13)
    assert (
        case.trigger_kind == "new_post"
        and case.trigger_no == "112/QĐ-UBND"
        and case.trigger_on == date(2026, 2, 23)
    )
    assert "Quy định 294-QĐ/TW" in case.rule_version and not case.letter_late


def test_the_trigger_is_required(world):
    cell2, member = world.cell2, world.member
    with pytest.raises(RuleViolation) as refused:
        issue(member, cell2, trigger=Trigger())
    assert refused_on(refused) == [("input", "trigger_kind"), ("input", "trigger_on")]
    with pytest.raises(RuleViolation) as refused:
        issue(member, cell2, trigger=Trigger(kind="retirement", on=date(2026, 2, 1)))
    assert refused_on(refused) == [("input", "trigger_no")]
    with pytest.raises(RuleViolation) as refused:
        issue(member, cell2, trigger=Trigger(kind="residence", on=date(2026, 3, 3)))
    assert refused_on(refused) == [("input", "trigger_on")]  # after the letter
    assert not TransferCase.objects.exists()
    case = issue(
        member, cell2, trigger=Trigger(kind="residence", on=date(2026, 2, 1))
    )  # a move has a date, no decision
    assert case.trigger_kind == "residence" and case.trigger_no == ""


def test_a_letter_61_working_days_after_the_trigger_needs_a_reason_and_a_note(world):
    cell2, member = world.cell2, world.member
    trigger = Trigger(kind="discharge", number="45/QĐ-BCH", on=TRIGGER_ON)
    on_time = add_working_days(TRIGGER_ON, 60)
    late = add_working_days(TRIGGER_ON, 61)
    with pytest.raises(RuleViolation) as refused:
        issue(member, cell2, issued_on=late, trigger=trigger)
    violation = refused.value.violations[0]
    assert (
        violation.rule == transfer_rules.TRANSFER_COMPLETE_WORKING_DAYS.code
        and violation.field == "letter_late_reason"
    )
    assert f"hạn {on_time:%d/%m/%Y}" in violation.message  # the deadline, not the wording
    assert "Quy định 294-QĐ/TW" in violation.citation
    with pytest.raises(RuleViolation) as refused:  # a reason without a note is not enough
        issue(member, cell2, issued_on=late, trigger=trigger, late_reason="illness")
    assert refused_on(refused) == [(transfer_rules.TRANSFER_COMPLETE_WORKING_DAYS.code, "letter_late_reason")]
    with pytest.raises(RuleViolation) as refused:  # nor a reason off the list
        issue(member, cell2, issued_on=late, trigger=trigger, late_reason="tired", late_note="x")
    assert refused_on(refused) == [(transfer_rules.TRANSFER_COMPLETE_WORKING_DAYS.code, "letter_late_reason")]
    assert not TransferCase.objects.exists()
    case = issue(
        member,
        cell2,
        issued_on=late,
        trigger=trigger,
        late_reason="illness",
        late_note="Điều trị nội trú ba tháng",
    )
    assert (
        case.letter_late
        and case.letter_late_reason == "illness"
        and case.letter_late_note == "Điều trị nội trú ba tháng"
    )


def test_a_letter_on_the_60th_working_day_is_on_time(world):
    cell2, member = world.cell2, world.member
    case = issue(
        member,
        cell2,
        issued_on=add_working_days(TRIGGER_ON, 60),
        trigger=Trigger(kind="discharge", number="45/QĐ-BCH", on=TRIGGER_ON),
    )
    assert not case.letter_late and case.letter_late_reason == ""


def test_the_member_stays_counted_at_home_until_the_receiver_confirms(world):
    tree, cell2, member = world.tree, world.cell2, world.member
    case = issue(member, cell2)
    member.refresh_from_db()
    assert member.org == tree.cell_a
    transfer_confirm_arrival(case=case, arrived_on=date(2026, 3, 20))
    member.refresh_from_db()
    case.refresh_from_db()
    assert member.org == cell2 and case.state == TransferCase.State.COMPLETED and not case.arrival_late
    event = MemberEvent.objects.get(member=member, kind="transferred")
    assert event.effective_on == date(2026, 3, 20) and event.decision_no == "25-QĐ/ĐU"
    assert ledger.projection_matches_replay(member)


def test_an_arrival_31_working_days_after_the_letter_needs_a_reason_and_a_note(world):
    cell2, member = world.cell2, world.member
    case = issue(member, cell2)
    late = add_working_days(case.issued_on, 31)
    with pytest.raises(RuleViolation) as refused:
        transfer_confirm_arrival(case=case, arrived_on=late)
    [violation] = refused.value.violations
    assert (violation.rule, violation.field) == (
        transfer_rules.TRANSFER_PRESENT_WORKING_DAYS.code,
        "arrival_late_reason",
    )
    assert "hạn 13/04/2026" in violation.message and "Quy định 294-QĐ/TW" in violation.citation
    with pytest.raises(RuleViolation) as refused:  # a note without a reason
        transfer_confirm_arrival(case=case, arrived_on=late, late_note="Đi công tác dài ngày")
    assert refused_on(refused) == [(transfer_rules.TRANSFER_PRESENT_WORKING_DAYS.code, "arrival_late_reason")]
    case.refresh_from_db()
    assert (
        case.state == TransferCase.State.OPEN
        and not MemberEvent.objects.filter(member=member, kind="transferred").exists()
    )
    transfer_confirm_arrival(
        case=case, arrived_on=late, late_reason="study", late_note="Học lớp trung cấp lý luận chính trị"
    )
    case.refresh_from_db()
    assert (
        case.arrival_late
        and case.arrival_late_reason == "study"
        and case.arrival_late_note == "Học lớp trung cấp lý luận chính trị"
    )
    with pytest.raises(RuleViolation) as refused:
        transfer_confirm_arrival(case=case, arrived_on=late)
    # completed already (and late)
    assert refused_on(refused) == [
        ("input", "arrived_on"),
        *[(transfer_rules.TRANSFER_PRESENT_WORKING_DAYS.code, "arrival_late_reason")],
    ]


def test_bad_transfers_are_refused(world):
    tree, commune2, cell2, member = world.tree, world.commune2, world.cell2, world.member
    with pytest.raises(RuleViolation) as refused:
        issue(member, commune2)
    assert refused_on(refused) == [("org.member_holding_kinds", "org")]
    with pytest.raises(RuleViolation) as refused:
        issue(member, tree.cell_a)
    assert refused_on(refused) == [("input", "to_org")]  # where the member is
    case = issue(member, cell2)
    with pytest.raises(RuleViolation) as refused:
        issue(member, tree.cell_b, issued_on=date(2026, 3, 3))
    assert refused_on(refused) == [("input", "to_org")]  # a transfer is open
    with pytest.raises(RuleViolation) as refused:
        transfer_confirm_arrival(case=case, arrived_on=date(2026, 3, 1))
    assert refused_on(refused) == [("input", "arrived_on")]
    with pytest.raises(RuleViolation) as refused:
        transfer_close_late(case=case, closed_on=date(2026, 3, 10), note="x")
    assert refused_on(refused) == [("input", "closed_on")]  # the case was not late


def test_an_open_transfer_past_its_deadline_is_overdue(world):
    tree, commune2, cell2, member = world.tree, world.commune2, world.cell2, world.member
    issue(member, cell2)
    [item] = [
        i
        for i in due_items(actor=SYSTEM, org=tree.commune, as_of=date(2026, 4, 13), audit=False)
        if i.kind == "transfer"
    ]
    assert (
        item.due_on == date(2026, 4, 13) and not item.overdue and item.org.pk == tree.cell_a.pk
    )  # the sender's side
    [item] = [
        i
        for i in due_items(actor=SYSTEM, org=commune2, as_of=date(2026, 4, 14), audit=False)
        if i.kind == "transfer"
    ]
    assert item.overdue and item.org.pk == cell2.pk
    [finding] = [
        f for f in compliance_run(root=commune2, today=date(2026, 4, 14)) if f.check == "deadline.overdue"
    ]
    assert (
        finding.rule == transfer_rules.TRANSFER_PRESENT_WORKING_DAYS.code
        and "hạn 13/04/2026" in finding.message
    )


def test_late_cases_stay_flagged_until_their_handling_is_recorded(world, frozen_today):
    tree, commune2, cell2, member = world.tree, world.commune2, world.cell2, world.member
    frozen_today(date(2026, 11, 20))  # the day the handling is recorded
    trigger = Trigger(kind="new_post", number="7/QĐ-SNV", on=TRIGGER_ON)
    letter_on = add_working_days(TRIGGER_ON, 61)
    case = issue(
        member,
        cell2,
        issued_on=letter_on,
        trigger=trigger,
        late_reason="awaiting_decision",
        late_note="Chờ quyết định của sở",
    )
    arrived = add_working_days(letter_on, 31)
    transfer_confirm_arrival(case=case, arrived_on=arrived, late_reason="family", late_note="Vợ sinh con")
    today = date(2026, 11, 20)
    for root in (tree.commune, commune2):  # both sides see both kinds of lateness
        assert sorted(kinds(due_items(actor=SYSTEM, org=root, as_of=today, audit=False), member)) == [
            "transfer_arrival_late",
            "transfer_letter_late",
        ]
        findings = [f for f in compliance_run(root=root, today=today) if f.check == "transfer.late"]
        assert sorted(f.rule for f in findings) == sorted(
            [
                transfer_rules.TRANSFER_COMPLETE_WORKING_DAYS.code,
                transfer_rules.TRANSFER_PRESENT_WORKING_DAYS.code,
            ]
        )
        assert all("Quy định 294-QĐ/TW" in f.citation for f in findings)
        assert any(
            "chờ quyết định, ý kiến của đơn vị mới — Chờ quyết định của sở" in f.message for f in findings
        )
    with pytest.raises(RuleViolation) as refused:
        transfer_close_late(case=case, closed_on=today, note=" ")
    assert refused_on(refused) == [("input", "note")]
    transfer_close_late(case=case, closed_on=today, note="Đã báo cáo Ban Tổ chức; đã nhắc nhở")
    for root in (tree.commune, commune2):
        assert not kinds(due_items(actor=SYSTEM, org=root, as_of=today, audit=False), member)
        assert not [f for f in compliance_run(root=root, today=today) if f.check == "transfer.late"]
    with pytest.raises(RuleViolation) as refused:
        transfer_close_late(case=case, closed_on=today, note="lần nữa")
    assert refused_on(refused) == [("input", "closed_on")]  # handled already


def test_an_open_late_letter_is_flagged_while_the_member_travels(world):
    tree, cell2, member = world.tree, world.cell2, world.member
    letter_on = add_working_days(TRIGGER_ON, 70)
    case = issue(
        member,
        cell2,
        issued_on=letter_on,
        trigger=Trigger(kind="residence", on=TRIGGER_ON),
        late_reason="other",
        late_note="Hồ sơ thất lạc",
    )
    items = due_items(actor=SYSTEM, org=tree.commune, as_of=letter_on, audit=False)
    [late] = [i for i in items if i.kind == "transfer_letter_late"]
    assert (
        late.overdue
        and late.org.pk == tree.cell_a.pk
        and late.due_on == transfer_rules.letter_due(TRIGGER_ON)
    )
    transfer_close_late(case=case, closed_on=letter_on, note="Đã kiểm điểm cán bộ văn phòng")
    assert "transfer_letter_late" not in kinds(
        due_items(actor=SYSTEM, org=tree.commune, as_of=letter_on, audit=False)
    )


# --- below three full members (Charter art. 21) -------------------------------------------------


@dataclass
class Small:
    """Cell B with exactly three full ``members``, and an officer of the commune."""

    tree: Tree
    members: list[Member]
    officer: User


@pytest.fixture
def small(tree, make_member) -> Small:
    Holiday.objects.all().delete()
    members = [make_member(tree.cell_b, given_name=f"Ítngười{n}") for n in range(3)]
    officer = User.objects.create_user("canbo", password="mat-khau-dai-du-1")
    role_grant(user=officer, role=AccessRole.OFFICER, org=tree.commune)
    return Small(tree=tree, members=members, officer=officer)


def test_a_transfer_that_leaves_a_cell_below_three_full_members_needs_confirmation(small):
    tree, members = small.tree, small.members
    with pytest.raises(RuleViolation) as refused:
        issue(members[0], tree.cell_a)
    [violation] = refused.value.violations
    assert violation.rule == "org.min_full_members" and violation.field == "accept_below_minimum"
    assert violation.details == {"remaining": 2, "minimum": 3} and "Điều 21" in violation.citation
    assert not [
        i
        for i in due_items(actor=SYSTEM, org=tree.commune, as_of=date(2026, 3, 2), audit=False)
        if i.kind == "cell_below_minimum"
    ]
    case = issue(members[0], tree.cell_a, accept_below_minimum=True)
    assert case.leaves_below_minimum
    [item] = [
        i
        for i in due_items(actor=SYSTEM, org=tree.commune, as_of=date(2026, 3, 2), audit=False)
        if i.kind == "cell_below_minimum"
    ]
    assert (
        item.org.pk == tree.cell_b.pk
        and item.title == "Chi bộ dưới 3 đảng viên chính thức"
        and "còn 2" in item.note
    )
    assert "Điều 21" in item.citation
    # a second member leaving counts the first one, still on their way
    with pytest.raises(RuleViolation) as refused:
        issue(members[1], tree.cell_a)
    assert refused_on(refused) == [("org.min_full_members", "accept_below_minimum")]
    assert refused.value.violations[0].details == {"remaining": 1, "minimum": 3}


def test_the_issue_page_shows_the_warning_and_requires_the_checkbox(client, small):
    members, officer = small.members, small.officer
    client.force_login(officer)
    url = f"/dang-vien/{members[0].pk}/chuyen-sinh-hoat/"
    page = client.get(url).content.decode()
    assert "chỉ còn 2 đảng viên chính thức" in page and 'name="accept_below_minimum"' in page
    body = {
        "to_code": "X1A",
        "trigger_kind": "new_post",
        "trigger_no": "9/QĐ",
        "trigger_on": "23/02/2026",
        "issued_on": "02/03/2026",
    }
    refused = client.post(url, body)
    assert (
        refused.status_code == 400
        and "Điều 21" in refused.content.decode()
        and not TransferCase.objects.exists()
    )
    assert client.post(url, dict(body, accept_below_minimum="on")).status_code == 302
    assert TransferCase.objects.get().leaves_below_minimum
    assert (
        "Chi bộ dưới 3 đảng viên chính thức"
        in client.get("/viec-can-lam/", {"ngay": "02/03/2026"}).content.decode()
    )


# --- pages --------------------------------------------------------------------------------------


def test_both_sides_see_the_case_and_only_the_receiver_confirms(client, world):
    tree, commune2, member, sender, receiver = (
        world.tree,
        world.commune2,
        world.member,
        world.sender,
        world.receiver,
    )
    client.force_login(sender)
    body = {
        "to_code": "X2A",
        "issued_on": "02/03/2026",
        "decision_no": "25-QĐ/ĐU",
        "decision_on": "02/03/2026",
        "trigger_kind": "new_post",
        "trigger_no": "112/QĐ-UBND",
        "trigger_on": "23/02/2026",
    }
    assert (
        'name="accept_below_minimum"'
        not in client.get(f"/dang-vien/{member.pk}/chuyen-sinh-hoat/").content.decode()
    )
    no_trigger = client.post(
        f"/dang-vien/{member.pk}/chuyen-sinh-hoat/", dict(body, trigger_kind="", trigger_on="")
    )
    assert (
        no_trigger.status_code == 400
        and "Chưa chọn căn cứ chuyển sinh hoạt đảng" in no_trigger.content.decode()
    )
    response = client.post(f"/dang-vien/{member.pk}/chuyen-sinh-hoat/", body)
    assert response.status_code == 302
    wrong = client.post(f"/dang-vien/{member.pk}/chuyen-sinh-hoat/", dict(body, to_code="KHONGCO"))
    assert wrong.status_code == 400 and "Không có tổ chức đảng nào mang mã này" in wrong.content.decode()
    case = TransferCase.objects.get()
    outgoing = client.get(f"/to-chuc/{tree.commune.pk}/chuyen-sinh-hoat/").content.decode()
    assert "Chuyểnđi" in outgoing and "chuyển đi" in outgoing and "Xác nhận tiếp nhận" not in outgoing
    assert "Quyết định chuyển công tác, nhận việc ở đơn vị mới 112/QĐ-UBND" in outgoing
    assert (
        client.get(f"/to-chuc/{commune2.pk}/chuyen-sinh-hoat/xac-nhan/", {"ho-so": str(case.pk)}).status_code
        == 404
    )
    assert "Chuyển sinh hoạt đảng" in client.get("/viec-can-lam/", {"ngay": "20/03/2026"}).content.decode()

    client.force_login(receiver)
    incoming = client.get(f"/to-chuc/{commune2.pk}/chuyen-sinh-hoat/").content.decode()
    assert "Chuyểnđi" in incoming and "chuyển đến" in incoming and "Xác nhận tiếp nhận" in incoming
    assert "Chuyểnđi" in client.get("/viec-can-lam/", {"ngay": "20/03/2026"}).content.decode()
    assert (
        client.get(f"/dang-vien/{member.pk}/").status_code == 404
    )  # the record itself stays with the sender until arrival
    response = client.post(
        f"/to-chuc/{commune2.pk}/chuyen-sinh-hoat/xac-nhan/?ho-so={case.pk}", {"arrived_on": "20/03/2026"}
    )
    assert response.status_code == 302
    assert client.get(f"/dang-vien/{member.pk}/").status_code == 200  # now the receiver's member
    client.force_login(sender)
    assert client.get(f"/dang-vien/{member.pk}/").status_code == 404
    assert "Chuyểnđi" not in client.get(f"/to-chuc/{tree.commune.pk}/chuyen-sinh-hoat/").content.decode()


def test_a_late_arrival_is_recorded_and_closed_on_the_pages(client, world):
    commune2, cell2, member, receiver = world.commune2, world.cell2, world.member, world.receiver
    case = issue(member, cell2)
    client.force_login(receiver)
    url = f"/to-chuc/{commune2.pk}/chuyen-sinh-hoat/xac-nhan/?ho-so={case.pk}"
    refused = client.post(url, {"arrived_on": "20/04/2026"})
    assert refused.status_code == 400 and "quá 30 ngày làm việc (hạn 13/04/2026)" in refused.content.decode()
    assert "Quy định 294-QĐ/TW" in refused.content.decode()
    assert (
        client.post(
            url, {"arrived_on": "20/04/2026", "late_reason": "illness", "late_note": "Nằm viện"}
        ).status_code
        == 302
    )
    listing = client.get(f"/to-chuc/{commune2.pk}/chuyen-sinh-hoat/").content.decode()
    assert "Ốm đau, điều trị tại bệnh viện — Nằm viện" in listing and "Ghi nhận đã xử lý" in listing
    assert (
        "Đảng viên xuất trình giấy giới thiệu chậm hạn"
        in client.get("/viec-can-lam/", {"ngay": "20/04/2026"}).content.decode()
    )
    close = f"/to-chuc/{commune2.pk}/chuyen-sinh-hoat/xu-ly-cham/?ho-so={case.pk}"
    empty = client.post(close, {"closed_on": "21/04/2026", "note": ""})
    assert empty.status_code == 400 and "Ghi rõ kết quả xử lý" in empty.content.decode()
    assert client.post(close, {"closed_on": "21/04/2026", "note": "Đã báo cáo Đảng ủy xã"}).status_code == 302
    case.refresh_from_db()
    assert case.late_closed_on == date(2026, 4, 21) and case.late_closed_by.username == "noiden"
    assert (
        "Không có hồ sơ chậm hạn nào chờ xử lý"
        in client.get(f"/to-chuc/{commune2.pk}/chuyen-sinh-hoat/").content.decode()
    )
    assert client.get(close).status_code == 404  # nothing left to close
    assert (
        "xuất trình giấy giới thiệu chậm hạn"
        not in client.get("/viec-can-lam/", {"ngay": "22/04/2026"}).content.decode()
    )


# --- API ----------------------------------------------------------------------------------------


def _post(client, url, body):
    return client.post(url, data=json.dumps(body, default=str), content_type="application/json")


def test_the_api_refuses_with_the_same_text_and_returns_the_warning(client, small):
    members, officer = small.members, small.officer
    client.force_login(officer)
    url = f"/api/members/{members[0].pk}/transfer"
    body = {
        "to_code": "X1A",
        "issued_on": "2026-03-02",
        "decision_no": "3-QĐ/ĐU",
        "decision_on": "2026-03-02",
    }
    refused = _post(client, url, body)
    assert refused.status_code == 422
    errors = refused.json()["errors"]
    assert (
        "Chưa chọn căn cứ chuyển sinh hoạt đảng" in errors["trigger_kind"][0]
        and "Chưa nhập ngày" in errors["trigger_on"][0]
    )
    assert (
        "dưới mức tối thiểu 3" in errors["accept_below_minimum"][0]
        and "Điều 21" in errors["accept_below_minimum"][0]
    )
    body.update(trigger_kind="retirement", trigger_no="15/QĐ-BHXH", trigger_on="2025-10-01")
    late = _post(client, url, dict(body, accept_below_minimum=True))
    assert (
        late.status_code == 422 and "quá 60 ngày làm việc" in late.json()["errors"]["letter_late_reason"][0]
    )
    assert not TransferCase.objects.exists()
    created = _post(
        client,
        url,
        dict(body, accept_below_minimum=True, late_reason="administrative", late_note="Chờ sổ bảo hiểm"),
    )
    assert created.status_code == 201
    out = created.json()
    assert out["letter_late"] and out["leaves_below_minimum"] and out["trigger_kind"] == "retirement"
    assert "chỉ còn 2 đảng viên chính thức" in out["warnings"][0]
    case_id = out["id"]
    arrival = _post(client, f"/api/transfers/{case_id}/arrival", {"arrived_on": "2026-04-20"})
    assert (
        arrival.status_code == 422
        and "quá 30 ngày làm việc" in arrival.json()["errors"]["arrival_late_reason"][0]
    )
    arrival = _post(
        client,
        f"/api/transfers/{case_id}/arrival",
        {"arrived_on": "2026-04-20", "late_reason": "other", "late_note": "Đi xa"},
    )
    assert (
        arrival.status_code == 201
        and arrival.json()["state"] == "completed"
        and arrival.json()["arrival_late"]
    )
    empty = _post(client, f"/api/transfers/{case_id}/late-handled", {"closed_on": "2026-04-21", "note": ""})
    assert empty.status_code == 422 and "Ghi rõ kết quả xử lý" in empty.json()["errors"]["note"][0]
    closed = _post(
        client, f"/api/transfers/{case_id}/late-handled", {"closed_on": "2026-04-21", "note": "Đã báo cáo"}
    )
    assert closed.status_code == 201 and closed.json()["late_closed_on"] == "2026-04-21"
    assert (
        _post(
            client, f"/api/transfers/{case_id}/late-handled", {"closed_on": "2026-04-21", "note": "x"}
        ).status_code
        == 404
    )


def test_the_api_hides_cases_outside_the_callers_scope(client, world):
    cell2, member, sender, receiver = world.cell2, world.member, world.sender, world.receiver
    case = issue(member, cell2)
    client.force_login(sender)  # the sender may not confirm the arrival
    assert _post(client, f"/api/transfers/{case.pk}/arrival", {"arrived_on": "2026-03-20"}).status_code == 404
    client.force_login(receiver)
    assert _post(client, f"/api/transfers/{case.pk}/arrival", {"arrived_on": "2026-03-20"}).status_code == 201


def test_the_commands_list_late_transfers_until_closed(world, capsys):
    from dangbo.cli import main

    cell2, member = world.cell2, world.member
    letter_on = add_working_days(TRIGGER_ON, 61)
    case = issue(
        member,
        cell2,
        issued_on=letter_on,
        trigger=Trigger(kind="residence", on=TRIGGER_ON),
        late_reason="family",
        late_note="Chuyển nhà muộn",
    )
    assert main(["todo", "--org", "X1", "--as-of", letter_on.isoformat(), "--format", "json"]) == 0
    items = json.loads(capsys.readouterr().out)["items"]
    assert [i["kind"] for i in items if i["kind"].startswith("transfer_")] == ["transfer_letter_late"]
    assert main(["check", "--org", "X1", "--format", "json"]) == 1
    findings = json.loads(capsys.readouterr().out)["findings"]
    [late] = [f for f in findings if f["check"] == "transfer.late"]
    assert "Chuyển nhà muộn" in late["message"] and "Quy định 294-QĐ/TW" in late["citation"]
    transfer_close_late(case=case, closed_on=letter_on, note="Đã nhắc nhở")
    assert main(["todo", "--org", "X1", "--as-of", letter_on.isoformat(), "--format", "json"]) == 0
    assert not [i for i in json.loads(capsys.readouterr().out)["items"] if i["kind"].startswith("transfer_")]
    main(["check", "--org", "X1", "--format", "json"])
    assert not [f for f in json.loads(capsys.readouterr().out)["findings"] if f["check"] == "transfer.late"]
