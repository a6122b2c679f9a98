"""The attendance sheet on a 390 px phone in a real browser: one tap per member, the taps kept
when the connection drops and sent when it returns, nothing lost on a reload; and the
calendar and meeting pages at the office's 1366 px, accessible (WCAG 2.1 AA)."""

from datetime import date

import pytest
from django.contrib.auth.models import User
from tests.browser import BROWSER, axe_violations, sign_in

from dangbo.accounts.models import AccessRole
from dangbo.accounts.scope import SYSTEM
from dangbo.accounts.services import role_grant
from dangbo.meetings import services
from dangbo.meetings.models import Attendance, Body, MeetingKind
from dangbo.meetings.services import MeetingDetails
from dangbo.reference.loader import load_all

pytestmark = BROWSER


@pytest.fixture
def cell_meeting(live_server, transactional_db, tree, make_member):
    load_all()  # an earlier transactional test's flush may have emptied the code lists
    members = [make_member(tree.cell_a, admitted_on=date(2016, 3, 1)) for _ in range(4)]
    meeting = services.meeting_schedule(
        actor=SYSTEM,
        org=tree.cell_a,
        details=MeetingDetails(body=Body.CHI_BO, kind=MeetingKind.REGULAR, held_on=date(2025, 3, 5)),
    )
    secretary = User.objects.create_user("bithu-a", password="mat-khau-thu-1")
    role_grant(user=secretary, role=AccessRole.SECRETARY, org=tree.cell_a)
    return meeting, members


def _row(page, member):
    return page.locator(f'fieldset[data-member="{member.pk}"]')


def test_attendance_on_a_phone_survives_a_lost_connection(live_server, page, cell_meeting):
    meeting, members = cell_meeting
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server.url, "bithu-a")
    page.goto(f"{live_server.url}/sinh-hoat/{meeting.pk}/diem-danh/")
    page.get_by_role("heading", name="Điểm danh ngày 05/03/2025").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
    assert not axe_violations(page)

    _row(page, members[0]).get_by_label("Có mặt").check()
    _row(page, members[1]).get_by_label("Vắng không lý do").check()
    excused = _row(page, members[2])
    excused.get_by_label("Vắng có lý do").check()
    excused.locator("select").select_option("illness")
    assert page.locator('[data-count="present"]').inner_text() == "1"

    page.context.set_offline(True)
    page.get_by_role("button", name="Lưu điểm danh").click()
    page.get_by_text("Mất kết nối").wait_for()
    assert not Attendance.objects.filter(meeting=meeting).exists()

    page.context.set_offline(False)  # the connection returns: the sheet is sent by itself
    page.get_by_text("Đã lưu điểm danh 3 đảng viên").wait_for(timeout=30_000)
    recorded = dict(Attendance.objects.filter(meeting=meeting).values_list("member_id", "status"))
    assert recorded == {
        members[0].pk: "present",
        members[1].pk: "absent_unexcused",
        members[2].pk: "absent_excused",
    }
    assert Attendance.objects.get(meeting=meeting, member=members[2]).reason == "illness"


def test_taps_not_yet_saved_come_back_after_a_reload(live_server, page, cell_meeting):
    meeting, members = cell_meeting
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server.url, "bithu-a")
    url = f"{live_server.url}/sinh-hoat/{meeting.pk}/diem-danh/"
    page.goto(url)
    _row(page, members[3]).get_by_label("Vắng không lý do").check()
    page.get_by_role("button", name="Những người chưa điểm danh: có mặt").click()
    assert page.locator('[data-count="present"]').inner_text() == "3"
    page.goto(url)  # closed by mistake, opened again
    page.get_by_text("Đã khôi phục điểm danh chưa lưu").wait_for()
    assert _row(page, members[3]).get_by_label("Vắng không lý do").is_checked()
    assert _row(page, members[0]).get_by_label("Có mặt").is_checked()
    page.get_by_role("button", name="Lưu điểm danh").click()
    page.get_by_text("Đã lưu điểm danh 4 đảng viên").wait_for()
    assert Attendance.objects.filter(meeting=meeting, status="present").count() == 3


def test_the_calendar_and_meeting_pages_at_the_office(live_server, page, cell_meeting, tree):
    page.set_viewport_size({"width": 1366, "height": 768})
    sign_in(page, live_server.url, "bithu-a")
    page.get_by_role("link", name="Sinh hoạt chi bộ").click()
    page.get_by_role("heading", name="Lịch sinh hoạt: Chi bộ thôn A").wait_for()
    assert not axe_violations(page)
    page.goto(f"{live_server.url}/to-chuc/{tree.cell_a.pk}/sinh-hoat/?nam=2025")
    page.get_by_role("link", name="05/03/2025").click()
    page.get_by_role("heading", name="Sinh hoạt thường kỳ ngày 05/03/2025").wait_for()
    assert not axe_violations(page)
    page.get_by_role("link", name="Ghi biên bản").click()
    page.get_by_label("Diễn biến buổi sinh hoạt").fill(
        "Chi bộ kiểm điểm công tác tháng 2.\nPhương hướng tháng 3."
    )
    page.get_by_label("Nghị quyết, kết luận").fill("1. Thu đảng phí.\n2. Sinh hoạt chuyên đề.")
    page.get_by_role("button", name="Lưu").click()
    page.get_by_role("button", name="Ký biên bản").click()
    page.get_by_text("Đã ký biên bản").wait_for()
    assert page.get_by_role("link", name="Bổ sung, đính chính biên bản").is_visible()
    assert page.get_by_role("link", name="Điểm danh").count() == 0  # signed: fixed
