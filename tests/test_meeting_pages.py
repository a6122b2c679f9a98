"""The meeting pages through Django's test client: a secretary's start page and calendar,
scheduling with the rules' refusals shown on the form, the agenda and documents posted for
members, the attendance sheet (plain form and the script's JSON), visitors, votes on the full
denominator, minutes signed then amended, the member's own page, and scope."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from dangbo.accounts.models import AccessRole
from dangbo.accounts.scope import SYSTEM
from dangbo.accounts.services import role_grant
from dangbo.audit.models import AuditEntry
from dangbo.meetings import services
from dangbo.meetings.models import (
    Attendance,
    AttendanceStatus,
    Body,
    Meeting,
    MeetingDocument,
    MeetingKind,
    MeetingVisitor,
    MeetingVote,
    Minutes,
    MinutesAmendment,
)
from dangbo.meetings.services import MeetingDetails
from dangbo.members.models import MemberEvent
from dangbo.members.services.standing import member_standing_start
from dangbo.rules import exits as exit_rules


@pytest.fixture
def cell(tree, make_member, frozen_today, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "meetings": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "meetings"},
        },
    }
    frozen_today(date(2026, 11, 20))
    tree.members = [make_member(tree.cell_a, admitted_on=date(2016, 3, 1)) for _ in range(5)]
    tree.other = make_member(tree.cell_b, admitted_on=date(2016, 3, 1))
    return tree


def _user(name: str, role: str, org, member=None) -> User:
    user = User.objects.create_user(name, password="mat-khau-dai-du-1")
    role_grant(user=user, role=role, org=None if member else org, member=member)
    return user


@pytest.fixture
def secretary(client, cell):
    client.force_login(_user("bithu-a", AccessRole.SECRETARY, cell.cell_a))
    return client


def _meeting(org, held_on, kind=MeetingKind.REGULAR, **fields) -> Meeting:
    details = MeetingDetails(body=fields.pop("body", Body.CHI_BO), kind=kind, held_on=held_on, **fields)
    return services.meeting_schedule(actor=SYSTEM, org=org, details=details)


def test_a_secretary_starts_at_the_calendar_of_their_cell(secretary, cell):
    response = secretary.get(reverse("meetings:home"))
    assert response.status_code == 302
    assert response.url == reverse("meetings:org_meetings", args=[cell.cell_a.pk])
    page = secretary.get(response.url).content.decode()
    assert "Lịch sinh hoạt: Chi bộ thôn A" in page
    assert "Tháng 01/2026 chưa có buổi sinh hoạt thường kỳ." in page  # with the rule's citation
    assert "Điều lệ Đảng" in page and "Quý 1/2026 chưa có buổi sinh hoạt chuyên đề." in page


def test_an_officer_chooses_among_the_organizations_that_meet(client, cell):
    client.force_login(_user("canbo-xa", AccessRole.OFFICER, cell.commune))
    page = client.get(reverse("meetings:home")).content.decode()
    for name in ("Đảng bộ xã Một", "Chi bộ thôn A", "Chi bộ thôn B"):
        assert name in page
    assert "Chi bộ Cơ quan Một" not in page  # another subtree


def test_scheduling_shows_the_rules_refusal_on_the_form(secretary, cell):
    _meeting(cell.cell_a, date(2026, 11, 5))
    url = reverse("meetings:meeting_new", args=[cell.cell_a.pk])
    form = {"body": Body.CHI_BO, "kind": MeetingKind.REGULAR, "held_on": "12/11/2026", "mode": "in_person"}
    response = secretary.post(url, form)
    assert response.status_code == 400
    assert "đã có buổi sinh hoạt thường kỳ tháng 11/2026" in response.content.decode()
    online = {
        **form,
        "held_on": "05/12/2026",
        "mode": "online",
        "online_link": "https://hop.example.vn/a",
        "online_reason": "special",
        "unable_in_person": "2",
    }
    response = secretary.post(url, online)
    assert response.status_code == 400
    assert "2/5 chưa đủ" in response.content.decode() and "03-HD/TW" in response.content.decode()
    response = secretary.post(url, {**form, "held_on": "05/12/2026", "place": "Nhà văn hóa thôn A"})
    assert response.status_code == 302
    meeting = Meeting.objects.get(org=cell.cell_a, held_on=date(2026, 12, 5))
    assert meeting.place == "Nhà văn hóa thôn A" and meeting.agenda_posted_at is None


def test_the_agenda_and_documents_reach_the_members_once_posted(secretary, cell):
    client = Client()  # the member's browser beside the secretary's
    meeting = _meeting(cell.cell_a, date(2026, 12, 5))
    upload = SimpleUploadedFile("Nghi quyet 57.pdf", b"%PDF-1.4 noi dung", content_type="application/pdf")
    response = secretary.post(
        reverse("meetings:document_add", args=[meeting.pk]), {"title": "", "file": upload}
    )
    assert response.status_code == 302
    document = MeetingDocument.objects.get(meeting=meeting)
    assert document.title == "Nghi quyet 57" and document.size == 17
    bad = SimpleUploadedFile("chay.exe", b"MZ", content_type="application/octet-stream")
    response = secretary.post(reverse("meetings:document_add", args=[meeting.pk]), {"file": bad})
    assert response.status_code == 400 and "Chỉ nhận tệp" in response.content.decode()

    member = cell.members[0]
    client.force_login(_user("dangvien-1", AccessRole.MEMBER, cell.cell_a, member=member))
    page = client.get(reverse("meetings:my_meetings")).content.decode()
    assert "05/12/2026" in page and "Chi bộ chưa thông báo nội dung." in page
    assert client.get(reverse("meetings:document", args=[document.pk])).status_code == 404  # not posted yet

    response = secretary.post(
        reverse("meetings:meeting_agenda", args=[meeting.pk]),
        {"agenda": "1. Kiểm điểm công tác tháng 11.\n2. Học tập Nghị quyết 57-NQ/TW."},
    )
    assert response.status_code == 302
    page = client.get(reverse("meetings:my_meetings")).content.decode()
    assert "Học tập Nghị quyết 57-NQ/TW." in page and "Nghi quyet 57" in page
    download = client.get(reverse("meetings:document", args=[document.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4 noi dung"
    assert download["Content-Disposition"].startswith("attachment")

    other = _user("dangvien-b", AccessRole.MEMBER, cell.cell_b, member=cell.other)
    client.force_login(other)
    assert client.get(reverse("meetings:document", args=[document.pk])).status_code == 404
    assert "Nghi quyet 57" not in client.get(reverse("meetings:my_meetings")).content.decode()


def test_attendance_from_the_plain_form_and_from_the_script(secretary, cell):
    meeting = _meeting(cell.cell_a, date(2026, 11, 5))
    url = reverse("meetings:attendance", args=[meeting.pk])
    page = secretary.get(url).content.decode()
    for member in cell.members:
        assert member.full_name in page
    assert cell.other.full_name not in page
    a, b, c = cell.members[:3]
    response = secretary.post(
        url,
        {
            f"status-{a.pk}": "present",
            f"status-{b.pk}": "absent_excused",
            f"reason-{b.pk}": "illness",
            f"status-{c.pk}": "absent_unexcused",
            f"reason-{c.pk}": "illness",
        },  # a reason beside «no reason»: dropped
    )
    assert response.status_code == 302
    recorded = {x.member_id: (x.status, x.reason) for x in Attendance.objects.filter(meeting=meeting)}
    assert recorded == {
        a.pk: ("present", ""),
        b.pk: ("absent_excused", "illness"),
        c.pk: ("absent_unexcused", ""),
    }

    answer = secretary.post(url, {f"status-{c.pk}": "present"}, headers={"X-Attendance": "1"})
    assert answer.status_code == 200 and answer.json()["ok"] is True
    assert Attendance.objects.get(meeting=meeting, member=c).status == AttendanceStatus.PRESENT

    refused = secretary.post(url, {f"status-{cell.other.pk}": "present"}, headers={"X-Attendance": "1"})
    assert refused.status_code == 400
    assert cell.other.full_name in refused.json()["errors"][0]
    assert not Attendance.objects.filter(member=cell.other).exists()
    excused = secretary.post(url, {f"status-{a.pk}": "absent_excused"}, headers={"X-Attendance": "1"})
    assert excused.status_code == 400 and "phải chọn lý do" in excused.json()["errors"][0]


def test_attendance_waits_for_the_meeting_day(secretary, cell):
    meeting = _meeting(cell.cell_a, date(2026, 12, 5))
    url = reverse("meetings:attendance", args=[meeting.pk])
    assert "chưa diễn ra" in secretary.get(url).content.decode()
    response = secretary.post(url, {f"status-{cell.members[0].pk}": "present"}, headers={"X-Attendance": "1"})
    assert response.status_code == 400 and "chưa diễn ra" in response.json()["errors"][0]
    assert not Attendance.objects.exists()


def test_an_exempted_member_is_listed_with_the_exempted_reason_ready(secretary, cell):
    exempted = cell.members[4]
    member_standing_start(
        member=exempted,
        kind=MemberEvent.Kind.EXEMPTED,
        on=date(2026, 1, 5),
        ground=exit_rules.ExemptionGround.OLD_AGE_HEALTH,
    )
    meeting = _meeting(cell.cell_a, date(2026, 11, 5))
    page = secretary.get(reverse("meetings:attendance", args=[meeting.pk])).content.decode()
    row = page.split(f'data-member="{exempted.pk}"')[1].split("</fieldset>")[0]
    assert "(được miễn sinh hoạt)" in row and '<option value="exempted" selected>' in row
    # an exempted member may attend
    secretary.post(reverse("meetings:attendance", args=[meeting.pk]), {f"status-{exempted.pk}": "present"})
    assert Attendance.objects.get(meeting=meeting, member=exempted).status == AttendanceStatus.PRESENT


def test_a_vote_counts_on_the_full_roll_not_on_those_present(secretary, cell):
    meeting = _meeting(cell.cell_a, date(2026, 11, 5))
    services.attendance_record(
        actor=SYSTEM, meeting=meeting, entries={m.pk: ("present", "") for m in cell.members[:3]}
    )
    url = reverse("meetings:vote_add", args=[meeting.pk])
    # 3 of the 3 present, but 3 of the 5 members: more than half, carried
    response = secretary.post(url, {"subject": "Thông qua nghị quyết tháng 11", "approvals": "3"})
    assert response.status_code == 302
    vote = MeetingVote.objects.get(meeting=meeting)
    assert (vote.approvals, vote.denominator, vote.passed) == (3, 5, True)
    secretary.post(url, {"subject": "Đề nghị khen thưởng", "approvals": "2"})
    assert MeetingVote.objects.get(subject="Đề nghị khen thưởng").passed is False  # 2/5: not more than half
    response = secretary.post(url, {"subject": "Quá số", "approvals": "6"})
    assert response.status_code == 400 and "từ 0 đến 5" in response.content.decode()
    page = secretary.get(reverse("meetings:meeting_detail", args=[meeting.pk])).content.decode()
    assert "3/5" in page and "Không thông qua" in page


def test_minutes_are_signed_then_only_amended(secretary, cell):
    meeting = _meeting(cell.cell_a, date(2026, 11, 5))
    edit = reverse("meetings:minutes_edit", args=[meeting.pk])
    secretary.post(
        edit,
        {
            "content": "Chi bộ kiểm điểm công tác tháng 10.",
            "opinions": "",
            "resolution": "Hoàn thành thu nộp đảng phí.",
        },
    )
    assert secretary.post(reverse("meetings:minutes_sign", args=[meeting.pk])).status_code == 302
    minutes = Minutes.objects.get(meeting=meeting)
    assert minutes.is_signed
    assert secretary.get(edit).url == reverse("meetings:minutes_amend", args=[meeting.pk])  # no editing form
    response = secretary.post(edit, {"content": "Viết lại", "opinions": "", "resolution": ""})
    assert response.status_code == 302 and Minutes.objects.get(pk=minutes.pk).content.startswith(
        "Chi bộ kiểm điểm"
    )
    secretary.post(
        reverse("meetings:minutes_amend", args=[meeting.pk]),
        {"text": "Bổ sung: đồng chí Bí thư Đảng ủy xã dự.", "reason": "Biên bản ghi thiếu"},
    )
    assert MinutesAmendment.objects.get(minutes=minutes).reason == "Biên bản ghi thiếu"
    page = secretary.get(reverse("meetings:meeting_detail", args=[meeting.pk])).content.decode()
    assert "Chi bộ kiểm điểm công tác tháng 10." in page and "Bổ sung: đồng chí Bí thư Đảng ủy xã dự." in page
    refused = secretary.post(
        reverse("meetings:attendance", args=[meeting.pk]),
        {f"status-{cell.members[0].pk}": "present"},
        headers={"X-Attendance": "1"},
    )
    assert refused.status_code == 400 and "Biên bản đã ký" in refused.json()["errors"][0]


def test_a_visitor_from_above_is_recorded(secretary, cell):
    meeting = _meeting(cell.cell_a, date(2026, 11, 5))
    url = reverse("meetings:visitor_add", args=[meeting.pk])
    # the secretary's scope is the cell: nothing above it is named; the unit is typed
    assert "Đảng bộ xã Một" not in secretary.get(url).content.decode()
    response = secretary.post(
        url, {"name": "Trần Văn Bình", "position": "Bí thư Đảng ủy xã", "org": "", "org_text": "Đảng ủy xã"}
    )
    assert response.status_code == 302
    page = secretary.get(reverse("meetings:meeting_detail", args=[meeting.pk])).content.decode()
    assert "Trần Văn Bình, Bí thư Đảng ủy xã" in page
    assert secretary.post(url, {"name": "", "org_text": "x"}).status_code == 400
    officer = Client()
    officer.force_login(_user("canbo-xa", AccessRole.OFFICER, cell.commune))
    assert "Đảng bộ xã Một" in officer.get(url).content.decode()  # the commune, in the officer's scope
    officer.post(url, {"name": "Lò Thị Hoa", "position": "", "org": str(cell.commune.pk), "org_text": ""})
    assert MeetingVisitor.objects.get(name="Lò Thị Hoa").org == cell.commune


def test_the_member_sees_their_attendance(client, cell):
    member = cell.members[0]
    for day, status in ((date(2026, 9, 5), "present"), (date(2026, 10, 5), "absent_unexcused")):
        meeting = _meeting(cell.cell_a, day)
        services.attendance_record(actor=SYSTEM, meeting=meeting, entries={member.pk: (status, "")})
    client.force_login(_user("dangvien-1", AccessRole.MEMBER, cell.cell_a, member=member))
    page = client.get(reverse("meetings:my_meetings")).content.decode()
    assert "Có mặt 1/2 buổi được điểm danh; vắng không lý do 1 buổi." in page
    assert AuditEntry.objects.filter(subject_id=str(member.pk), data__history="meetings").exists()


def test_the_calendar_exports_and_nothing_leaks_to_a_sibling(secretary, cell):
    client = Client()
    meeting = _meeting(cell.cell_a, date(2026, 11, 5))
    response = secretary.get(
        reverse("meetings:org_meetings", args=[cell.cell_a.pk]) + "?nam=2026&dinh-dang=csv"
    )
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "05/11/2026,Chi bộ,Sinh hoạt thường kỳ" in body  # the date as Vietnamese write it
    client.force_login(_user("bithu-b", AccessRole.SECRETARY, cell.cell_b))
    for url in (
        reverse("meetings:org_meetings", args=[cell.cell_a.pk]),
        reverse("meetings:meeting_detail", args=[meeting.pk]),
        reverse("meetings:attendance", args=[meeting.pk]),
        reverse("meetings:minutes_edit", args=[meeting.pk]),
        reverse("meetings:meeting_new", args=[cell.cell_a.pk]),
        reverse("meetings:member_meetings", args=[cell.members[0].pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("meetings:minutes_sign", args=[meeting.pk])).status_code == 404


def test_the_minutes_and_resolution_download_as_word_and_pdf(secretary, cell):
    meeting = _meeting(cell.cell_a, date(2026, 11, 5))
    url = reverse("meetings:document_download", args=[meeting.pk, "bien-ban"])
    assert secretary.get(url).status_code == 404  # no minutes yet
    services.minutes_write(
        actor=SYSTEM,
        meeting=meeting,
        content="Chi bộ kiểm điểm công tác tháng 10.",
        resolution="1. Hoàn thành thu đảng phí.\n2. Sinh hoạt chuyên đề quý IV.",
    )
    pdf = secretary.get(url + "?dinh-dang=pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    assert pdf["Content-Disposition"].startswith('attachment; filename="bien-ban-')
    word = secretary.get(
        reverse("meetings:document_download", args=[meeting.pk, "nghi-quyet"]) + "?dinh-dang=docx"
    )
    assert word.status_code == 200 and word.content.startswith(b"PK")
    assert secretary.get(url + "?dinh-dang=exe").status_code == 404
    assert secretary.get(reverse("meetings:document_download", args=[meeting.pk, "khac"])).status_code == 404
    assert AuditEntry.objects.filter(subject_id=str(meeting.pk), action="exported").count() == 2


def test_the_secretary_sees_the_next_meeting_on_arrival(secretary, cell):
    _meeting(cell.cell_a, date(2026, 11, 20), place="Nhà văn hóa")
    _meeting(cell.cell_a, date(2026, 12, 4))
    page = secretary.get(reverse("web:home")).content.decode()
    assert "20/11/2026 — Sinh hoạt thường kỳ" in page and "04/12/2026 — Sinh hoạt thường kỳ" in page
    assert "Điểm danh" in page and "Thông báo nội dung" in page  # today's meeting; next month's agenda
