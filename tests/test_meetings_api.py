"""The meetings API (issue 19): listing, reading and changing meetings with the scope, audit and
refusals of the pages — a sibling subtree gets 404 everywhere, a read-only key cannot write,
reads of people are audited, and bad input is refused in Vietnamese with its citation and
leaves nothing written."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

import pytest
from django.contrib.auth.models import User

from dangbo.accounts.models import AccessRole, TokenAccess
from dangbo.accounts.scope import SYSTEM
from dangbo.accounts.services import role_grant
from dangbo.accounts.tokens import token_create
from dangbo.audit.models import AuditEntry
from dangbo.audit.services import Action
from dangbo.meetings import services
from dangbo.meetings.models import (
    Attendance,
    Body,
    Meeting,
    MeetingKind,
    MeetingVisitor,
    Minutes,
    MinutesAmendment,
)
from dangbo.meetings.services import MeetingDetails

TODAY = date(2026, 11, 20)


@dataclass
class World:
    tree: object
    members: list
    other: object  # a member of cell B, in the officer's commune
    stranger: object  # a member outside the officer's commune
    past: Meeting  # cell A, 5/10/2026
    coming: Meeting  # cell A, 5/12/2026
    read_key: str
    write_key: str
    sibling_key: str  # a read-write key of an officer of the sibling district


def _key(user, access=TokenAccess.READ) -> str:
    return token_create(user=user, name="thử", days=30, access=access)[1]


def _officer(username, org):
    user = User.objects.create_user(username, password="mat-khau-dai-du-1")
    role_grant(user=user, role=AccessRole.OFFICER, org=org)
    return user


@pytest.fixture
def world(tree, make_member, frozen_today) -> World:
    frozen_today(TODAY)
    members = [
        make_member(tree.cell_a, given_name=f"Thành{n}", admitted_on=date(2016, 3, 1)) for n in range(4)
    ]
    other = make_member(tree.cell_b, given_name="Khácchi", admitted_on=date(2016, 3, 1))
    stranger = make_member(tree.agency, given_name="Ngoàiphạmvi", admitted_on=date(2016, 3, 1))

    def schedule(day):
        details = MeetingDetails(
            body=Body.CHI_BO, kind=MeetingKind.REGULAR, held_on=day, agenda="1. Nhiệm vụ tháng"
        )
        return services.meeting_schedule(actor=SYSTEM, org=tree.cell_a, details=details)

    officer = _officer("canbo", tree.commune)
    sibling = _officer("canbohai", tree.district2)
    return World(
        tree=tree,
        members=members,
        other=other,
        stranger=stranger,
        past=schedule(date(2026, 10, 5)),
        coming=schedule(date(2026, 12, 5)),
        read_key=_key(officer),
        write_key=_key(officer, TokenAccess.WRITE),
        sibling_key=_key(sibling, TokenAccess.WRITE),
    )


def call(client, method, url, key, body=None):
    kwargs = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    if method == "get":
        return client.get(url, **kwargs)
    return getattr(client, method)(
        url, data=json.dumps(body or {}), content_type="application/json", **kwargs
    )


def present(*members):
    return {"entries": [{"member_id": str(m.pk), "status": "present"} for m in members]}


def _messages(response, field) -> str:
    assert response.status_code == 422, response.content
    return " ".join(response.json()["errors"][field])


def _rows() -> tuple:
    return (
        Meeting.objects.count(),
        Attendance.objects.count(),
        MeetingVisitor.objects.count(),
        list(Minutes.objects.values_list("content", "signed_at")),
        MinutesAmendment.objects.count(),
    )


def test_list_one_meeting_and_a_members_attendance_read_and_audited(client, world):
    m = world.members
    entries = present(*m[:3])["entries"] + [
        {"member_id": str(m[3].pk), "status": "absent_excused", "reason": "illness"}
    ]
    saved = call(
        client, "post", f"/api/meetings/{world.past.pk}/attendance", world.write_key, {"entries": entries}
    )
    assert saved.status_code == 200
    assert saved.json() == {"recorded": 4, "present": 3, "absent_excused": 1, "absent_unexcused": 0}

    listed = call(
        client,
        "get",
        f"/api/orgs/{world.tree.commune.pk}/meetings?date_from=2026-10-01&date_to=2026-12-31",
        world.read_key,
    ).json()
    assert listed["count"] == 2 and listed["pages"] == 1
    first = listed["items"][0]
    assert first["id"] == str(world.past.pk) and first["org_code"] == world.tree.cell_a.code
    assert (first["present"], first["absent_excused"], first["absent_unexcused"]) == (3, 1, 0)
    assert "Thành0" not in json.dumps(listed, ensure_ascii=False)  # counts only
    assert AuditEntry.objects.filter(action=Action.LIST_VIEWED, subject_type="meeting_list").exists()

    one = call(client, "get", f"/api/meetings/{world.past.pk}", world.read_key).json()
    assert {a["full_name"].split()[-1] for a in one["attendance"]} == {"Thành0", "Thành1", "Thành2", "Thành3"}
    assert one["agenda"] == "1. Nhiệm vụ tháng" and one["minutes"] is None
    assert AuditEntry.objects.filter(
        action=Action.LIST_VIEWED, subject_type="meeting", subject_id=str(world.past.pk)
    ).exists()

    mine = call(client, "get", f"/api/members/{m[3].pk}/attendance?year=2026", world.read_key).json()
    assert mine["count"] == 1 and mine["items"][0]["reason"] == "illness"
    assert AuditEntry.objects.filter(action=Action.MEMBER_HISTORY_VIEWED, subject_id=str(m[3].pk)).exists()
    defaults = call(client, "get", f"/api/orgs/{world.tree.commune.pk}/meetings", world.read_key).json()
    assert (defaults["date_from"], defaults["date_to"]) == ("2026-01-01", "2026-11-20")


def test_schedule_record_visit_and_minutes_through_to_an_amendment(client, world):
    tree, key = world.tree, world.write_key
    created = call(
        client,
        "post",
        f"/api/orgs/{tree.cell_a.pk}/meetings",
        key,
        {
            "kind": "thematic",
            "held_on": "2026-11-12",
            "topic": "Chuyển đổi số",
            "place": "Nhà văn hóa thôn",
            "presided_by": str(world.members[0].pk),
        },
    )
    assert created.status_code == 201, created.content
    meeting_id = created.json()["id"]
    assert Meeting.objects.get(pk=meeting_id).created_by.username == "canbo"
    url = f"/api/meetings/{meeting_id}"
    assert call(client, "post", f"{url}/attendance", key, present(*world.members)).status_code == 200
    visitor = call(
        client,
        "post",
        f"{url}/visitors",
        key,
        {"name": "Lê Văn Cấp", "position": "Phó Bí thư Đảng ủy xã", "org_code": tree.commune.code},
    )
    assert visitor.status_code == 201 and visitor.json()["org_code"] == tree.commune.code
    written = call(client, "put", f"{url}/minutes", key, {"content": "Diễn biến", "resolution": "Nghị quyết"})
    assert written.status_code == 200 and written.json()["signed_at"] is None
    assert call(client, "post", f"{url}/minutes/sign", key).json()["signed_at"]
    amended = call(
        client, "post", f"{url}/minutes/amendments", key, {"text": "Bổ sung ý kiến", "reason": "Ghi thiếu"}
    )
    assert amended.status_code == 201 and [a["text"] for a in amended.json()["amendments"]] == [
        "Bổ sung ý kiến"
    ]
    one = call(client, "get", url, world.read_key).json()
    assert (
        one["minutes"]["content"] == "Diễn biến" and len(one["visitors"]) == 1 and len(one["attendance"]) == 4
    )


def _writes(world) -> list[tuple[str, str, dict | None]]:
    tree, past = world.tree, world.past
    return [
        ("post", f"/api/orgs/{tree.cell_a.pk}/meetings", {"kind": "extraordinary", "held_on": "2026-11-10"}),
        ("post", f"/api/meetings/{past.pk}/attendance", present(world.members[0])),
        ("post", f"/api/meetings/{past.pk}/visitors", {"name": "Lê Văn Cấp"}),
        ("put", f"/api/meetings/{past.pk}/minutes", {"content": "Diễn biến"}),
        ("post", f"/api/meetings/{past.pk}/minutes/sign", None),
        ("post", f"/api/meetings/{past.pk}/minutes/amendments", {"text": "Bổ sung", "reason": "Thiếu"}),
    ]


def _reads(world) -> list[str]:
    return [
        f"/api/orgs/{world.tree.cell_a.pk}/meetings",
        f"/api/orgs/{world.tree.commune.pk}/meetings?date_from=2026-01-01&date_to=2026-12-31",
        f"/api/meetings/{world.past.pk}",
        f"/api/members/{world.members[0].pk}/attendance",
    ]


def test_a_read_only_key_cannot_write(client, world):
    before = _rows()
    for method, url, body in _writes(world):
        response = call(client, method, url, world.read_key, body)
        assert response.status_code == 403 and "chỉ được đọc" in response.json()["detail"], url
    assert _rows() == before
    assert AuditEntry.objects.filter(action=Action.REFUSED, data__reason="read_only_key").count() == 6


def test_a_sibling_subtree_gets_404_on_every_operation(client, world):
    services.minutes_write(actor=SYSTEM, meeting=world.past, content="Diễn biến")
    before = _rows()
    for url in _reads(world):
        response = call(client, "get", url, world.sibling_key)
        assert response.status_code == 404, url
        assert response.json() == {"detail": "Không tìm thấy trong phạm vi của người gọi."}
    for method, url, body in _writes(world):
        response = call(client, method, url, world.sibling_key, body)
        assert response.status_code == 404, (url, response.content)
        assert response.json() == {"detail": "Không tìm thấy trong phạm vi của người gọi."}
    assert _rows() == before


def test_attendance_for_a_meeting_to_come_is_refused(client, world):
    before = _rows()
    response = call(
        client,
        "post",
        f"/api/meetings/{world.coming.pk}/attendance",
        world.write_key,
        present(*world.members),
    )
    assert "05/12/2026 chưa diễn ra" in _messages(response, "held_on")
    assert _rows() == before


def test_attendance_of_someone_not_on_the_roll_is_refused_whole_and_names_no_stranger(client, world):
    url = f"/api/meetings/{world.past.pk}/attendance"
    before = _rows()
    response = call(client, "post", url, world.write_key, present(world.members[0], world.other))
    message = _messages(response, "attendance")
    assert "Khácchi" in message and "05/10/2026" in message and "Điều lệ Đảng" in message
    response = call(client, "post", url, world.write_key, present(world.members[0], world.stranger))
    message = _messages(response, "attendance")
    assert "Ngoàiphạmvi" not in message and str(world.stranger.pk) in message
    twice = {"entries": present(world.members[0])["entries"] * 2}
    assert "một lần" in _messages(call(client, "post", url, world.write_key, twice), "entries")
    bad = present(world.members[0])["entries"] + [
        {"member_id": str(world.members[1].pk), "status": "absent_excused"}
    ]
    assert "phải chọn lý do" in _messages(
        call(client, "post", url, world.write_key, {"entries": bad}), "attendance"
    )
    assert _rows() == before  # nothing of the good entries either


def test_a_second_regular_meeting_in_a_month_is_refused(client, world):
    before = _rows()
    response = call(
        client,
        "post",
        f"/api/orgs/{world.tree.cell_a.pk}/meetings",
        world.write_key,
        {"kind": "regular", "held_on": "2026-10-25"},
    )
    message = _messages(response, "held_on")
    assert "tháng 10/2026" in message and "mỗi tháng một buổi" in message and "Điều lệ Đảng" in message
    assert _rows() == before


def test_signed_minutes_are_not_edited_only_amended(client, world):
    url = f"/api/meetings/{world.past.pk}"
    key = world.write_key
    assert call(client, "put", f"{url}/minutes", key, {"content": "Bản đầu"}).status_code == 200
    early = call(client, "post", f"{url}/minutes/amendments", key, {"text": "x", "reason": "y"})
    assert "chưa ký" in _messages(early, "text")
    assert call(client, "post", f"{url}/minutes/sign", key).status_code == 200
    before = _rows()
    edited = call(client, "put", f"{url}/minutes", key, {"content": "Sửa lại"})
    assert "Biên bản đã ký" in (msg := " ".join(edited.json()["errors"]["__all__"])) and "Quy ước" in msg
    assert edited.status_code == 422
    for method, path, body in (
        ("post", "attendance", present(world.members[0])),
        ("post", "visitors", {"name": "Lê Văn Cấp"}),
        ("post", "minutes/sign", None),
    ):
        response = call(client, method, f"{url}/{path}", key, body)
        assert response.status_code == 422 and "Biên bản đã ký" in json.dumps(
            response.json(), ensure_ascii=False
        )
    assert _rows() == before
    assert Minutes.objects.get(meeting=world.past).content == "Bản đầu"


def test_other_bad_input_is_refused_in_vietnamese(client, world):
    key, tree = world.write_key, world.tree
    before = _rows()
    period = call(
        client, "get", f"/api/orgs/{tree.commune.pk}/meetings?date_from=2026-12-01&date_to=2026-01-01", key
    )
    assert "trước ngày bắt đầu" in _messages(period, "date_to")
    not_above = call(
        client,
        "post",
        f"/api/meetings/{world.past.pk}/visitors",
        key,
        {"name": "A", "org_code": tree.agency.code},
    )
    message = _messages(not_above, "org_code")
    assert tree.agency.name not in message and "cấp trên" in message
    stranger = call(
        client,
        "post",
        f"/api/orgs/{tree.cell_a.pk}/meetings",
        key,
        {"kind": "regular", "held_on": "2026-11-25", "presided_by": str(world.stranger.pk)},
    )
    assert "Ngoàiphạmvi" not in _messages(stranger, "presided_by")
    thematic = call(
        client,
        "post",
        f"/api/orgs/{tree.cell_a.pk}/meetings",
        key,
        {"kind": "thematic", "held_on": "2026-11-25"},
    )
    assert "chuyên đề" in _messages(thematic, "topic")
    online = call(
        client,
        "post",
        f"/api/orgs/{tree.cell_a.pk}/meetings",
        key,
        {
            "kind": "extraordinary",
            "held_on": "2026-11-25",
            "mode": "online",
            "online_link": "https://hop",
            "online_reason": "dispersed",
            "unable_in_person": 1,
        },
    )
    assert "03-HD/TW" in _messages(online, "unable_in_person")
    year = call(client, "get", f"/api/members/{world.members[0].pk}/attendance?year=0", key)
    assert year.status_code == 422 and year.json()["errors"]["year"]
    assert _rows() == before


def test_a_member_reads_their_own_attendance_and_nothing_else(client, world):
    services.attendance_record(
        actor=SYSTEM, meeting=world.past, entries={m.pk: ("present", "") for m in world.members}
    )
    own = world.members[0]
    account = User.objects.create_user("dangvien", password="mat-khau-dai-du-1")
    role_grant(user=account, role=AccessRole.MEMBER, member=own)
    key = _key(account)
    mine = call(client, "get", f"/api/members/{own.pk}/attendance", key)
    assert mine.status_code == 200 and [r["meeting_id"] for r in mine.json()["items"]] == [str(world.past.pk)]
    for url in (
        f"/api/members/{world.members[1].pk}/attendance",
        f"/api/meetings/{world.past.pk}",
        f"/api/orgs/{world.tree.cell_a.pk}/meetings",
    ):
        assert call(client, "get", url, key).status_code == 404, url
