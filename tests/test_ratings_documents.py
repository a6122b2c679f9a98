"""The review's printed papers (issue 21): a member's self-assessment form (2A/2B/2C) as Word and
PDF in the Party layout, filled with what is recorded and dotted lines where nothing is; the
summary list of a cell or a grassroots committee as XLSX (typed numbers), PDF and Word; who may
download them (the member themself, readers of the cell; lists of people only with the right to
export them) and the audit of each download."""

from __future__ import annotations

import io
import re
import unicodedata
from datetime import date

import docx
import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from dangbo.accounts.models import AccessRole
from dangbo.accounts.scope import SYSTEM
from dangbo.accounts.services import role_grant
from dangbo.audit.models import AuditEntry
from dangbo.core.roles import Role
from dangbo.discipline import services as discipline
from dangbo.members.models import MemberEvent
from dangbo.members.services.positions import member_position_start
from dangbo.members.services.standing import member_standing_start
from dangbo.orgs.services import DecisionRef
from dangbo.ratings import services
from dangbo.ratings.models import MemberRating
from dangbo.ratings.services import CampaignRequest, Verdict
from dangbo.rules.discipline import Authority, Form
from dangbo.rules.ratings import Band, MemberForm

TODAY = date(2025, 12, 20)


@pytest.fixture
def review(tree, make_member, frozen_today):
    """Cell A: Trần Thị Hằng (self-assessed, assessed by the cell, decided), Lê Văn Bình (nothing
    recorded), Phạm Văn Sơn (exempted), Đỗ Văn Tâm (disciplined in 2025) and the secretary Vũ Minh
    Quang; cell B: one member. A 2025 campaign on the commune."""
    frozen_today(TODAY)
    people = {
        "hang": ("Trần", "Thị", "Hằng"),
        "binh": ("Lê", "Văn", "Bình"),
        "son": ("Phạm", "Văn", "Sơn"),
        "tam": ("Đỗ", "Văn", "Tâm"),
        "quang": ("Vũ", "Minh", "Quang"),
    }
    tree.m = {
        key: make_member(
            tree.cell_a, family_name=f, middle_name=m, given_name=g, admitted_on=date(2010, 3, 1)
        )
        for key, (f, m, g) in people.items()
    }
    tree.m["other"] = make_member(tree.cell_b, admitted_on=date(2012, 3, 1))
    member_standing_start(
        member=tree.m["son"],
        kind=MemberEvent.Kind.EXEMPTED,
        on=date(2025, 3, 1),
        ground="old_age_health",
        decision=DecisionRef(number="3-QĐ/ĐU", on=date(2025, 2, 25)),
    )
    case = discipline.discipline_open(
        member=tree.m["tam"], act_on=date(2025, 4, 2), summary="Vi phạm quy định", opened_on=date(2025, 5, 1)
    )
    discipline.discipline_decide(
        case=case,
        form=Form.REPRIMAND,
        authority=Authority.CELL,
        vote_on=date(2025, 6, 5),
        approvals=4,
        decision=DecisionRef(),
    )
    member_position_start(
        member=tree.m["quang"],
        org=tree.cell_a,
        role=Role.SECRETARY,
        started_on=date(2020, 10, 1),
        decision=DecisionRef(number="9-QĐ/ĐU", on=date(2020, 9, 28)),
    )
    request = CampaignRequest(
        year=2025,
        cutoff_on=date(2025, 11, 30),
        self_due_on=date(2025, 12, 5),
        cell_due_on=date(2025, 12, 10),
        decision_due_on=date(2025, 12, 31),
    )
    tree.campaign = services.campaign_open(actor=SYSTEM, org=tree.commune, request=request)
    tree.r = {key: MemberRating.objects.get(member=m, year=2025) for key, m in tree.m.items()}
    services.member_self_assess(
        actor=SYSTEM,
        rating=tree.r["hang"],
        form=MemberForm.OTHER,
        score=82,
        band=Band.GOOD,
        note="Hoàn thành các nhiệm vụ chi bộ giao",
        on=date(2025, 12, 3),
    )
    services.member_cell_assess(
        actor=SYSTEM, rating=tree.r["hang"], score=80, band=Band.GOOD, note="Gương mẫu ở khu dân cư"
    )
    services.member_cell_assess(actor=SYSTEM, rating=tree.r["tam"], score=85, band=Band.FAILED)
    services.member_ratings_decide(
        actor=SYSTEM,
        grassroots=tree.commune,
        verdicts=[Verdict(tree.r["hang"]), Verdict(tree.r["tam"])],
        decision_no="25-QĐ/ĐU",
        decided_on=date(2025, 12, 18),
    )
    return tree


def _client(name: str, role: str, org=None, member=None, **grant) -> Client:
    user = User.objects.create_user(name, password="mat-khau-dai-du-1")
    role_grant(user=user, role=role, org=org, member=member, **grant)
    client = Client()
    client.force_login(user)
    return client


def _docx_text(content: bytes) -> str:
    document = docx.Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts += [cell.text for cell in row.cells]
    return "\n".join(parts)


def _pdf_text(content: bytes) -> str:
    pages = PdfReader(io.BytesIO(content)).pages
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", " ".join(p.extract_text() for p in pages)))


def _form_url(rating, fmt: str) -> str:
    return reverse("ratings:self_form", args=[rating.pk, fmt])


def test_the_members_own_form_is_filled_with_what_is_recorded_in_word_and_pdf(review):
    own = _client("hang", AccessRole.MEMBER, member=review.m["hang"])
    response = own.get(_form_url(review.r["hang"], "docx"))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="ban-kiem-diem-2025-tran-thi-hang.docx"'
    text = _docx_text(response.content)
    for expected in (
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "ĐẢNG BỘ XÃ MỘT",
        "CHI BỘ THÔN A",
        "BẢN KIỂM ĐIỂM CÁ NHÂN",
        "Năm 2025",
        "Mẫu 2C",
        "Trần Thị Hằng",
        "Sinh hoạt tại: Chi bộ thôn A.",
        "Tự chấm điểm: 82/100 điểm",
        "Hoàn thành các nhiệm vụ chi bộ giao",
        "Chi bộ chấm điểm: 80/100 điểm",
        "Gương mẫu ở khu dân cư",
        "Quyết định số 25-QĐ/ĐU ngày 18 tháng 12 năm 2025 của Đảng ủy xã Một",
        "NGƯỜI TỰ KIỂM ĐIỂM",
        "Một, ngày 03 tháng 12 năm 2025",
        "366-QĐ/TW",
    ):
        assert expected in text, expected
    response = own.get(_form_url(review.r["hang"], "pdf"))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    text = _pdf_text(response.content)
    assert "Trần Thị Hằng" in text and "BẢN KIỂM ĐIỂM CÁ NHÂN" in text and "82/100 điểm" in text
    entries = AuditEntry.objects.filter(action="exported", subject_id=str(review.m["hang"].pk))
    assert entries.count() == 2 and entries.first().data["document"] == "self_assessment"


def test_a_form_with_nothing_recorded_has_lines_to_write_on_and_a_leaders_form_is_2a(review):
    officer = _client("canbo-xa", AccessRole.OFFICER, review.commune)
    text = _docx_text(officer.get(_form_url(review.r["binh"], "docx")).content)
    assert "Lê Văn Bình" in text and "Mẫu 2C" in text
    assert re.search(r"Tự chấm điểm: \.{10,}/100 điểm", text)
    assert re.search(r"Tự xếp loại chất lượng đảng viên: \.{10,}", text)
    assert re.search(r"Quyết định số \.{10,} ngày \.{10,}", text)
    assert re.search(r"Chức vụ đảng: \.{10,}", text)
    assert "ngày ...... tháng ...... năm" in text  # no date yet
    assert "LÀM RÕ TRÁCH NHIỆM" not in text
    text = _docx_text(officer.get(_form_url(review.r["quang"], "docx")).content)
    assert "Mẫu 2A" in text and "LÀM RÕ TRÁCH NHIỆM" in text and "Bí thư Chi bộ thôn A" in text
    text = _docx_text(officer.get(_form_url(review.r["son"], "docx")).content)
    assert "Không xếp loại kỳ này: Được miễn công tác và sinh hoạt đảng." in text


def test_a_form_is_for_the_member_and_readers_of_their_cell_only(review):
    other = _client("khac", AccessRole.MEMBER, member=review.m["other"])
    assert other.get(_form_url(review.r["hang"], "pdf")).status_code == 404
    assert other.get(_form_url(review.r["other"], "pdf")).status_code == 200
    secretary_b = _client("bithu-b", AccessRole.SECRETARY, review.cell_b)
    assert secretary_b.get(_form_url(review.r["hang"], "docx")).status_code == 404
    stranger = _client("canbo-h2", AccessRole.OFFICER, review.district2)
    assert stranger.get(_form_url(review.r["hang"], "docx")).status_code == 404
    leader = _client("lanhdao-xa", AccessRole.LEADER, review.commune)
    assert leader.get(_form_url(review.r["hang"], "docx")).status_code == 200
    for fmt in ("doc", "xlsx", "PDF"):
        assert leader.get(_form_url(review.r["hang"], fmt)).status_code == 404
    assert (
        leader.get(
            reverse("ratings:self_form", args=["6f1c7c53-0000-4000-8000-000000000000", "pdf"])
        ).status_code
        == 404
    )


def test_the_committees_summary_list_is_typed_xlsx_pdf_and_word(review):
    officer = _client("canbo-xa", AccessRole.OFFICER, review.commune)
    url = reverse("ratings:summary_list", args=[review.campaign.pk, review.commune.pk, "xlsx"])
    response = officer.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="xep-loai-dang-vien-2025-x1.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[5]][:4] == ["STT", "Họ và tên", "Chi bộ", "Mẫu"]
    rows = {row[1]: row for row in sheet.iter_rows(min_row=6, values_only=True) if row[1]}
    hang, tam, son = rows["Trần Thị Hằng"], rows["Đỗ Văn Tâm"], rows["Phạm Văn Sơn"]
    assert isinstance(hang[0], int) and isinstance(hang[4], int)
    assert (hang[4], hang[6], hang[8], hang[9]) == (82, 80, 80, "Hoàn thành tốt nhiệm vụ")
    assert hang[12] == "25-QĐ/ĐU ngày 18/12/2025"
    assert tam[9] == "Không hoàn thành nhiệm vụ" and "kỷ luật" in tam[10]
    assert son[11] == "Được miễn công tác và sinh hoạt đảng" and son[8] in (None, "")
    assert len(rows) == 6  # the two cells of the commune
    notes = " ".join(str(c) for row in sheet.iter_rows(values_only=True) for c in row if c)
    assert "Tổng số 6 đảng viên" in notes and "tối đa 0" in notes  # the cap on «excellent»
    response = officer.get(
        reverse("ratings:summary_list", args=[review.campaign.pk, review.cell_a.pk, "pdf"])
    )
    assert response.content.startswith(b"%PDF")
    text = _pdf_text(response.content)
    assert "Trần Thị Hằng" in text and "Chi bộ thôn A" in text
    response = officer.get(
        reverse("ratings:summary_list", args=[review.campaign.pk, review.cell_a.pk, "docx"])
    )
    text = _docx_text(response.content)
    assert "DANH SÁCH KẾT QUẢ XẾP LOẠI CHẤT LƯỢNG ĐẢNG VIÊN" in text and "ĐẢNG BỘ XÃ MỘT" in text
    assert "Trần Thị Hằng" in text and "Hoàn thành tốt nhiệm vụ" in text and "T/M CHI BỘ" in text
    assert "Khác" not in text.split("Trần Thị Hằng")[0][-3:]
    assert docx.Document(io.BytesIO(response.content)).tables[1].rows[0].cells[1].text == "Họ và tên"
    assert AuditEntry.objects.filter(action="exported", data__list="ratings").count() == 3


def test_a_list_of_people_needs_the_right_to_export_and_a_cell_or_grassroots_organization(review):
    campaign = review.campaign
    leader = _client("lanhdao-xa", AccessRole.LEADER, review.commune)
    url = reverse("ratings:summary_list", args=[campaign.pk, review.commune.pk, "xlsx"])
    response = leader.get(url)
    assert response.status_code == 403
    assert AuditEntry.objects.filter(action="refused", data__list="ratings").exists()
    granted = _client("lanhdao-xa-2", AccessRole.LEADER, review.commune, may_export_personal=True)
    assert granted.get(url).status_code == 200
    officer = _client("canbo-huyen", AccessRole.OFFICER, review.district)
    assert (
        officer.get(
            reverse("ratings:summary_list", args=[campaign.pk, review.district.pk, "xlsx"])
        ).status_code
        == 404
    )
    assert (
        officer.get(reverse("ratings:summary_list", args=[campaign.pk, review.agency.pk, "xlsx"])).status_code
        == 404
    )
    assert (
        officer.get(reverse("ratings:summary_list", args=[campaign.pk, review.cell_b.pk, "csv"])).status_code
        == 404
    )
    secretary_b = _client("bithu-b", AccessRole.SECRETARY, review.cell_b)
    assert (
        secretary_b.get(
            reverse("ratings:summary_list", args=[campaign.pk, review.cell_a.pk, "xlsx"])
        ).status_code
        == 404
    )
    stranger = _client("canbo-h2", AccessRole.OFFICER, review.district2)
    assert stranger.get(url).status_code == 404
