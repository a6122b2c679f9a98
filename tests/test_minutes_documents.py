"""The minutes (biên bản) and the resolution (nghị quyết) of a meeting, drawn from the meeting
(meetings.documents) and rendered as Word and PDF in the Party layout (documents.minutes):
attendance with names and reasons, guests and higher-level officials, votes on the full
denominator, the signatures, amendments printed after the signed text, numbered points."""

from __future__ import annotations

import io
import re
import unicodedata
from datetime import date, datetime, time

import docx
import pytest
from pypdf import PdfReader

from dangbo.accounts.scope import SYSTEM
from dangbo.documents import minutes as layout_minutes
from dangbo.documents.data import Issuer, MeetingMinutes, MeetingResolution, OnlineMeeting, Vote
from dangbo.documents.render import filename, layout, render_docx, render_pdf
from dangbo.meetings import selectors, services
from dangbo.meetings.documents import NoDocument, minutes_document, resolution_document
from dangbo.meetings.models import AbsenceReason, AttendanceStatus, Body, MeetingKind, MeetingVote
from dangbo.meetings.services import MeetingDetails
from dangbo.members.models import MemberEvent
from dangbo.members.services.positions import member_position_start
from dangbo.members.services.standing import member_standing_start, member_temp_transfer
from dangbo.rules import exits as exit_rules
from dangbo.rules import meetings as rules

HELD_ON = date(2026, 11, 5)
NAMES = {  # key: (family, middle, given)
    "duc": ("Nguyễn", "Văn", "Đức"),
    "hang": ("Trần", "Thị", "Hằng"),
    "ngoc": ("Đặng", "Thị", "Ngọc"),
    "khanh": ("Bùi", "Văn", "Khánh"),
    "viet": ("Phạm", "Quốc", "Việt"),
    "luc": ("Hoàng", "Văn", "Lực"),
    "son": ("Lý", "Văn", "Sơn"),
}
CONTENT = "Đồng chí Bí thư đánh giá kết quả tháng 10. Chi bộ thảo luận phương hướng tháng 11."
OPINIONS = "Đồng chí Ngọc: đề nghị sớm hoàn thành thu đảng phí."
# Typed with its points numbered, one a line; the service keeps the lines (core.text.clean_lines).
RESOLUTION = (
    "1. Hoàn thành thu đảng phí năm 2026 trước ngày 15/12, giao đồng chí Hằng theo dõi.\n"
    "2. Tổ chức sinh hoạt chuyên đề quý IV về chuyển đổi số ở thôn."
)


def _full(name: str) -> str:
    return " ".join(NAMES[name])


@pytest.fixture
def meeting_setup(tree, make_member, frozen_today):
    """Cell A with seven members (one exempted), the secretary presiding, a guest hosted on a
    temporary transfer, a higher official attending, minutes signed and amended once."""
    frozen_today(date(2026, 11, 20))
    people = {
        key: make_member(
            tree.cell_a, family_name=f, middle_name=m, given_name=g, admitted_on=date(2016, 3, 1)
        )
        for key, (f, m, g) in NAMES.items()
    }
    guest = make_member(
        tree.cell_b, family_name="Vũ", middle_name="Minh", given_name="Tuấn", admitted_on=date(2016, 3, 1)
    )
    member_temp_transfer(
        member=guest,
        purpose=exit_rules.TransferPurpose.WORK,
        starts_on=date(2026, 9, 1),
        until=date(2027, 5, 1),
        host=tree.cell_a,
    )
    member_standing_start(
        member=people["son"],
        kind=MemberEvent.Kind.EXEMPTED,
        on=date(2026, 1, 5),
        ground=exit_rules.ExemptionGround.OLD_AGE_HEALTH,
    )
    member_position_start(
        member=people["duc"], org=tree.cell_a, role="secretary", started_on=date(2025, 1, 1)
    )
    member_position_start(
        member=people["hang"], org=tree.cell_a, role="deputy_secretary", started_on=date(2025, 1, 1)
    )
    meeting = services.meeting_schedule(
        actor=SYSTEM,
        org=tree.cell_a,
        details=MeetingDetails(
            body=Body.CHI_BO,
            kind=MeetingKind.REGULAR,
            held_on=HELD_ON,
            place="Nhà văn hóa thôn A",
            agenda="Đánh giá kết quả tháng 10\nPhương hướng tháng 11",
            presided_by=people["duc"],
            recorded_by=people["hang"],
        ),
    )
    present = (AttendanceStatus.PRESENT, "")
    entries = {people[k].pk: present for k in ("duc", "hang", "ngoc", "khanh")}
    entries |= {
        people["viet"].pk: (AttendanceStatus.ABSENT_EXCUSED, AbsenceReason.ILLNESS),
        people["son"].pk: (AttendanceStatus.ABSENT_EXCUSED, AbsenceReason.EXEMPTED),
        people["luc"].pk: (AttendanceStatus.ABSENT_UNEXCUSED, ""),
        guest.pk: present,
    }
    services.attendance_record(actor=SYSTEM, meeting=meeting, entries=entries)
    services.visitor_add(
        actor=SYSTEM, meeting=meeting, name="Lê Thị Hoa", position="Phó Bí thư Đảng ủy", org=tree.commune
    )
    services.meeting_vote_record(
        actor=SYSTEM,
        meeting=meeting,
        subject="Thông qua nghị quyết tháng 11",
        approvals=4,
        absent_exempted=(str(people["son"].pk),),
    )
    services.minutes_write(
        actor=SYSTEM, meeting=meeting, content=CONTENT, opinions=OPINIONS, resolution=RESOLUTION
    )
    services.minutes_sign(actor=SYSTEM, meeting=meeting)
    frozen_today(date(2026, 11, 23))
    services.minutes_amend(
        actor=SYSTEM,
        meeting=meeting,
        amendment="Bổ sung ý kiến đồng chí Khánh về đường giao thông nông thôn",
        reason="Sót ý kiến khi ghi biên bản",
    )
    return selectors.meeting_get(actor=SYSTEM, meeting_id=meeting.pk, audit=False)


def docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    lines = []
    for block in document.element.body.iterchildren():  # paragraphs and tables in document order
        if block.tag.endswith("}p"):
            lines.append("".join(t.text or "" for t in block.iter() if t.tag.endswith("}t")))
        elif block.tag.endswith("}tbl"):
            for paragraph in block.iter():
                if paragraph.tag.endswith("}p"):
                    lines.append("".join(t.text or "" for t in paragraph.iter() if t.tag.endswith("}t")))
    return unicodedata.normalize("NFC", "\n".join(lines))


def pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF-")
    pages = PdfReader(io.BytesIO(data)).pages
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", " ".join(p.extract_text() for p in pages)))


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


# --- from the meeting to the data -----------------------------------------------------------------


def test_the_minutes_document_carries_the_meeting(meeting_setup, django_assert_max_num_queries):
    with django_assert_max_num_queries(10):
        minutes = minutes_document(meeting_setup)
    assert minutes.issuer.superior_name == "ĐẢNG BỘ XÃ MỘT"
    assert minutes.issuer.name == "CHI BỘ THÔN A"
    assert minutes.issuer.place == "Một"
    assert minutes.subject == "Sinh hoạt chi bộ thường kỳ tháng 11 năm 2026"
    assert (minutes.presided_by, minutes.presided_title) == (_full("duc"), "Bí thư chi bộ")
    assert (minutes.recorded_by, minutes.recorded_title) == (_full("hang"), "Phó Bí thư chi bộ")
    assert (minutes.on_roll, minutes.present) == (7, 4)
    assert {(a.name, a.note) for a in minutes.excused} == {
        (_full("viet"), "ốm đau"),
        (_full("son"), "được miễn sinh hoạt"),
    }
    assert [a.name for a in minutes.unexcused] == [_full("luc")]
    assert [(a.name, a.note) for a in minutes.guests] == [("Vũ Minh Tuấn", "")]
    assert [(v.name, v.position, v.unit) for v in minutes.visitors] == [
        ("Lê Thị Hoa", "Phó Bí thư Đảng ủy", "Đảng bộ xã Một")
    ]
    # seven on the roll; the exempted member, absent, is left out of the denominator (RULES.md §3)
    assert minutes.votes == (Vote("Thông qua nghị quyết tháng 11", 4, 6),)
    assert minutes.signed_on == date(2026, 11, 20)
    assert [(a.made_on, a.reason) for a in minutes.amendments] == [
        (date(2026, 11, 23), "Sót ý kiến khi ghi biên bản")
    ]
    assert minutes.content == CONTENT and minutes.conclusions == RESOLUTION


def test_a_meeting_without_votes_prints_none(meeting_setup):
    MeetingVote.objects.filter(meeting=meeting_setup).delete()
    meeting = selectors.meeting_get(actor=SYSTEM, meeting_id=meeting_setup.pk, audit=False)
    assert minutes_document(meeting).votes == ()


def test_the_resolution_document_is_signed_by_the_secretary(meeting_setup):
    resolution = resolution_document(meeting_setup)
    assert resolution.issuer.signer_on_behalf == "T/M CHI BỘ"
    assert (resolution.issuer.signer_title, resolution.issuer.signer_name) == ("BÍ THƯ", _full("duc"))
    assert resolution.subject == "Sinh hoạt chi bộ tháng 11 năm 2026"
    assert resolution.number == "" and resolution.number_symbol == "-NQ/CB"
    assert (resolution.present, resolution.on_roll) == (4, 7)
    assert resolution.recipients[0] == "Đảng ủy xã Một (để báo cáo)"


# --- rendered ---------------------------------------------------------------------------------------


def test_the_minutes_as_word_and_pdf(meeting_setup):
    minutes = minutes_document(meeting_setup)
    word = docx_text(render_docx(minutes))
    pdf = pdf_text(render_pdf(minutes))
    for text in (word, flat(pdf)):
        for expected in (
            "ĐẢNG BỘ XÃ MỘT",
            "CHI BỘ THÔN A",
            "ĐẢNG CỘNG SẢN VIỆT NAM",
            "Một, ngày 05 tháng 11 năm 2026",
            "BIÊN BẢN",
            "Sinh hoạt chi bộ thường kỳ tháng 11 năm 2026",
            "Địa điểm: Nhà văn hóa thôn A.",
            f"Chủ trì: đồng chí {_full('duc')}, Bí thư chi bộ.",
            f"Thư ký: đồng chí {_full('hang')}, Phó Bí thư chi bộ.",
            "Tổng số đảng viên của chi bộ: 7 đồng chí; có mặt: 4/7 đồng chí; vắng: 3 đồng chí "
            "(có lý do: 2, không có lý do: 1).",
            f"đồng chí {_full('viet')} (ốm đau)",
            f"đồng chí {_full('son')} (được miễn sinh hoạt)",
            f"Vắng không có lý do: đồng chí {_full('luc')}.",
            "Đảng viên sinh hoạt tạm thời tại chi bộ: đồng chí Vũ Minh Tuấn.",
            "Đại biểu cấp trên dự: đồng chí Lê Thị Hoa, Phó Bí thư Đảng ủy, Đảng bộ xã Một.",
            "Chi bộ thảo luận phương hướng tháng 11.",
            OPINIONS,
            "Thông qua nghị quyết tháng 11: 4/6 đồng chí tán thành, đạt 66,66%.",
            "Biên bản đã được thông qua và ký ngày 20 tháng 11 năm 2026.",
            "THƯ KÝ",
            "CHỦ TRÌ",
            "Bổ sung, đính chính ngày 23 tháng 11 năm 2026: Bổ sung ý kiến đồng chí Khánh "
            "về đường giao thông nông thôn. Lý do: Sót ý kiến khi ghi biên bản.",
        ):
            assert expected in flat(text), expected
    # the signatures come after the signed text, and the amendment after the signatures
    for text in (word, pdf):
        signed = text.index("Biên bản đã được thông qua và ký")
        secretary = text.index("THƯ KÝ")
        amendment = text.index("Bổ sung, đính chính ngày")
        assert signed < secretary < text.index("Nguyễn Văn Đức", secretary) < amendment
        assert text.index(_full("hang"), secretary) < amendment
    assert "Nơi nhận" not in word
    # the signed text itself is as signed: the amendment is not merged into the content
    assert "Khánh về đường giao thông" not in flat(word)[: flat(word).index("THƯ KÝ")]
    assert filename(minutes, "pdf") == "bien-ban-chi-bo-thon-a-2026-11-05.pdf"


def test_the_resolution_as_word_and_pdf(meeting_setup):
    resolution = resolution_document(meeting_setup)
    word = docx_text(render_docx(resolution))
    pdf = pdf_text(render_pdf(resolution))
    for text in (flat(word), pdf):
        for expected in (
            "CHI BỘ THÔN A",
            "Số -NQ/CB",
            "Một, ngày 05 tháng 11 năm 2026",
            "NGHỊ QUYẾT",
            "Sinh hoạt chi bộ tháng 11 năm 2026",
            "- Căn cứ Điều lệ Đảng Cộng sản Việt Nam;",
            "- Chi bộ thôn A họp thường kỳ tháng 11 năm 2026 ngày 5 tháng 11 năm 2026, có mặt 4/7 đồng chí, "
            "đã thảo luận và",
            "QUYẾT NGHỊ:",
            "1. Hoàn thành thu đảng phí năm 2026 trước ngày 15/12, giao đồng chí Hằng theo dõi.",
            "2. Tổ chức sinh hoạt chuyên đề quý IV về chuyển đổi số ở thôn.",
            "Thông qua nghị quyết tháng 11: 4/6 đồng chí tán thành, đạt 66,66%.",
            "Nơi nhận:",
            "- Đảng ủy xã Một (để báo cáo),",
            "- Lưu chi bộ.",
            "T/M CHI BỘ",
            "BÍ THƯ",
            _full("duc"),
        ):
            assert expected in text, expected
    assert "1. 1." not in flat(word) and "2. 2." not in flat(word)
    assert word.index("QUYẾT NGHỊ:") < word.index("1. Hoàn thành") < word.index("2. Tổ chức")
    assert filename(resolution, "docx") == "nghi-quyet-chi-bo-thon-a-2026-11-05.docx"


def test_no_documents_before_the_minutes(tree, frozen_today):
    frozen_today(date(2026, 11, 20))
    meeting = services.meeting_schedule(
        actor=SYSTEM,
        org=tree.cell_a,
        details=MeetingDetails(body=Body.CHI_BO, kind=MeetingKind.REGULAR, held_on=HELD_ON),
    )
    loaded = selectors.meeting_get(actor=SYSTEM, meeting_id=meeting.pk, audit=False)
    with pytest.raises(NoDocument):
        minutes_document(loaded)
    services.minutes_write(actor=SYSTEM, meeting=meeting, content="Chi bộ họp")
    loaded = selectors.meeting_get(actor=SYSTEM, meeting_id=meeting.pk, audit=False)
    draft = minutes_document(loaded)
    assert draft.signed_on is None and draft.amendments == () and draft.on_roll == 0
    assert "Biên bản chưa ký (bản nháp)." in flat(docx_text(render_docx(draft)))
    with pytest.raises(NoDocument):
        resolution_document(loaded)  # no resolution text yet


def test_a_thematic_online_meeting_of_the_grassroots_committee(tree, make_member, frozen_today):
    """The committee's own meeting: "ĐẢNG ỦY XÃ …" under its superior, the committee as the roll."""
    frozen_today(date(2026, 11, 20))
    secretary = make_member(tree.cell_a, family_name="Đinh", middle_name="Công", given_name="Tráng")
    member_position_start(member=secretary, org=tree.commune, role="secretary", started_on=date(2025, 1, 1))
    meeting = services.meeting_schedule(
        actor=SYSTEM,
        org=tree.commune,
        details=MeetingDetails(body=Body.DANG_UY_CO_SO, kind=MeetingKind.EXTRAORDINARY, held_on=HELD_ON),
    )
    services.minutes_write(actor=SYSTEM, meeting=meeting, content="Họp", resolution="Thống nhất nhân sự")
    loaded = selectors.meeting_get(actor=SYSTEM, meeting_id=meeting.pk, audit=False)
    minutes = minutes_document(loaded)
    assert (minutes.issuer.superior_name, minutes.issuer.name) == ("HUYỆN ỦY MỘT", "ĐẢNG ỦY XÃ MỘT")
    assert minutes.subject == "Họp Đảng ủy bất thường ngày 5 tháng 11 năm 2026"
    assert (minutes.roll_label, minutes.on_roll) == ("đảng ủy viên", 1)
    resolution = resolution_document(loaded)
    assert resolution.number_symbol == "-NQ/ĐU" and resolution.issuer.signer_on_behalf == "T/M ĐẢNG ỦY"
    assert resolution.issuer.signer_name == "Đinh Công Tráng"
    assert "Số -NQ/ĐU" in flat(docx_text(render_docx(resolution)))


# --- the layout on plain data (no database) ---------------------------------------------------------

ISSUER = Issuer(superior_name="Đảng bộ xã Bảo Thắng", name="Chi bộ thôn Phú Hà", place="Bảo Thắng")


def test_an_online_meeting_states_the_hd03_condition():
    online = MeetingMinutes(
        issuer=ISSUER,
        held_on=HELD_ON,
        subject="Sinh hoạt chi bộ thường kỳ tháng 11 năm 2026",
        body_name="Chi bộ thôn Phú Hà",
        starts_at=time(19, 30),
        ends_at=time(21, 0),
        online=OnlineMeeting(
            mixed=True,
            reason=rules.OnlineReason.LABELS[rules.OnlineReason.DISPERSED],
            unable_in_person=12,
            members_counted=20,
            citation=rules.HD_03,
            link="https://hop.example.vn/phu-ha",
        ),
    )
    text = " ".join("".join(span.text for span in para.spans) for para in layout(online).body)
    assert "Thời gian: bắt đầu lúc 19 giờ 30 phút, ngày 5 tháng 11 năm 2026." in text
    assert "Hình thức: trực tiếp kết hợp trực tuyến, phòng họp: https://hop.example.vn/phu-ha." in text
    assert "12/20 đảng viên (không kể đảng viên được miễn, bị đình chỉ sinh hoạt)" in text
    assert "03-HD/TW" in text
    assert "Buổi sinh hoạt kết thúc lúc 21 giờ 00 cùng ngày." in text
    assert "Tổng số" not in text  # no roll given, no counts printed


def _points(text: str) -> list[str]:
    return ["".join(span.text for span in para.spans) for para in layout_minutes.resolution_points(text)]


def test_the_resolution_is_numbered_a_point_a_line():
    text = "1. Hoàn thành thu đảng phí\n\n- Giao đồng chí Hằng theo dõi\na) đôn đốc hằng tháng\n3) Sinh hoạt chuyên đề"
    assert _points(text) == [
        "1. Hoàn thành thu đảng phí",
        "- Giao đồng chí Hằng theo dõi",
        "a) đôn đốc hằng tháng",
        "2. Sinh hoạt chuyên đề",
    ]
    # one line that numbers its own points is split at each next number, and only there
    assert _points("1. Thu đảng phí trước ngày 15/12. 2. Làm đường 3.5 km. 4. Không tách. 3. Họp") == [
        "1. Thu đảng phí trước ngày 15/12.",
        "2. Làm đường 3.5 km. 4. Không tách.",
        "3. Họp",
    ]
    assert _points("Thống nhất 2. nội dung") == ["1. Thống nhất 2. nội dung"]


def test_percentages_are_cut_not_rounded():
    assert layout_minutes.percent(2, 3) == "66,66%"
    assert layout_minutes.percent(3, 3) == "100%"
    assert layout_minutes.percent(1, 2) == "50%"
    assert layout_minutes.percent(1, 8) == "12,5%"


def test_vietnamese_letters_survive_in_the_pdf():
    letters = "Ằ ẳ ẵ ặ Ấ ầ ẩ ẫ ậ Ế ề ể ễ ệ ỗ ộ ờ ở ỡ ợ ừ ử ữ ự ỳ ỷ ỹ ỵ Đ đ"
    resolution = MeetingResolution(
        issuer=ISSUER,
        held_on=HELD_ON,
        subject="Sinh hoạt chi bộ tháng 11 năm 2026",
        body_name="Chi bộ thôn Phú Hà",
        meeting_label="thường kỳ tháng 11 năm 2026",
        text=f"Ghi đủ dấu: {letters}",
    )
    assert f"1. Ghi đủ dấu: {letters}" in pdf_text(render_pdf(resolution))
    assert f"1. Ghi đủ dấu: {letters}" in docx_text(render_docx(resolution))


def test_the_file_stamp_is_the_date_of_the_meeting():
    minutes = MeetingMinutes(issuer=ISSUER, held_on=HELD_ON, subject="Họp chi ủy", body_name="Chi ủy")
    properties = docx.Document(io.BytesIO(render_docx(minutes))).core_properties
    assert properties.created.replace(tzinfo=None) == datetime(2026, 11, 5, 8, 0)  # noqa: DTZ001
    assert render_pdf(minutes) == render_pdf(minutes)  # same input, same bytes
