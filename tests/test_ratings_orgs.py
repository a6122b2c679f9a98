"""The organizations' ratings pages (issue 21) through Django's test client: a campaign's
organizations with who rates each and the filter by that committee, an organization's
self-assessment, the direct superior's decision and its correction with a reason, refusals
shown with their message and citation, years before 2018 in their old levels, the
organizations' list as XLSX and PDF, and scope (readers read, writers write, the superior
decides, everyone else gets 404)."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from dangbo.accounts.models import AccessRole
from dangbo.accounts.scope import SYSTEM
from dangbo.accounts.services import role_grant
from dangbo.audit.models import AuditEntry
from dangbo.ratings import services
from dangbo.ratings.models import MemberRating, OrgRating, RatingDecision
from dangbo.ratings.services import CampaignRequest
from dangbo.rules.ratings import Band, Disqualifier, LegacyLevel

TODAY = date(2025, 12, 20)


@pytest.fixture
def review(tree, make_member, frozen_today):
    """Cells A and B of the commune with members; a 2025 campaign opened on the commune."""
    frozen_today(TODAY)
    tree.a = [make_member(tree.cell_a, admitted_on=date(2010, 3, 1)) for _ in range(3)]
    tree.b = [make_member(tree.cell_b, admitted_on=date(2012, 3, 1)) for _ in range(2)]
    request = CampaignRequest(
        year=2025,
        cutoff_on=date(2025, 11, 30),
        self_due_on=date(2025, 12, 5),
        cell_due_on=date(2025, 12, 10),
        decision_due_on=date(2025, 12, 31),
    )
    tree.campaign = services.campaign_open(actor=SYSTEM, org=tree.commune, request=request)
    tree.rating = {o.org_id: o for o in OrgRating.objects.filter(campaign=tree.campaign)}
    return tree


def _client(name: str, role: str, org=None, member=None, **grant) -> Client:
    user = User.objects.create_user(name, password="mat-khau-dai-du-1")
    role_grant(user=user, role=role, org=org, member=member, **grant)
    client = Client()
    client.force_login(user)
    return client


def _decide_form(**overrides) -> dict:
    values = {"band": Band.GOOD, "score": "80", "decision_no": "40-QĐ/ĐU", "decided_on": "18/12/2025"}
    values.update(overrides)
    return values


def test_the_campaigns_organizations_show_who_rates_each_and_filter_by_that_committee(review):
    officer = _client("canbo-xa", AccessRole.OFFICER, review.commune)
    cell_a, commune = review.rating[review.cell_a.pk], review.rating[review.commune.pk]
    services.org_self_assess(actor=SYSTEM, rating=cell_a, band=Band.GOOD, score=85)
    url = reverse("ratings:org_ratings", args=[review.campaign.pk])
    page = officer.get(url).content.decode()
    assert "Chi bộ thôn A" in page and "Chi bộ thôn B" in page and "Huyện ủy Một" in page
    assert "Hoàn thành tốt nhiệm vụ (85 điểm)" in page  # the self-assessment
    # the commune's officer decides its cells, not the commune itself (its superior does)
    assert reverse("ratings:org_decide", args=[cell_a.pk]) in page
    assert reverse("ratings:org_decide", args=[commune.pk]) not in page
    assert reverse("ratings:summary_list", args=[review.campaign.pk, review.cell_a.pk, "xlsx"]) in page
    # those the commune rates: the two cells, not the commune
    page = officer.get(url, {"authority": str(review.commune.pk)}).content.decode()
    assert "Đã quyết định 0/2 tổ chức." in page
    assert reverse("ratings:org_self_assess", args=[commune.pk]) not in page
    # a bad or foreign filter is a 404, never a list
    assert officer.get(url, {"authority": "khong-phai-ma"}).status_code == 404
    assert officer.get(url, {"authority": str(review.district2.pk)}).status_code == 404


def test_readers_read_writers_write_the_superior_decides_others_get_404(review):
    cell_a, commune = review.rating[review.cell_a.pk], review.rating[review.commune.pk]
    campaign_url = reverse("ratings:org_ratings", args=[review.campaign.pk])
    stranger = _client("canbo-h2", AccessRole.OFFICER, review.district2)
    for url in (
        campaign_url,
        reverse("ratings:org_self_assess", args=[cell_a.pk]),
        reverse("ratings:org_decide", args=[cell_a.pk]),
        reverse("ratings:org_list", args=[review.campaign.pk, "xlsx"]),
    ):
        assert stranger.get(url).status_code == 404, url
    leader = _client("lanhdao-xa", AccessRole.LEADER, review.commune)
    assert leader.get(campaign_url).status_code == 200
    assert leader.get(reverse("ratings:org_self_assess", args=[cell_a.pk])).status_code == 404
    assert leader.post(reverse("ratings:org_decide", args=[cell_a.pk]), _decide_form()).status_code == 404
    secretary = _client("bithu-a", AccessRole.SECRETARY, review.cell_a)
    assert secretary.get(campaign_url).status_code == 404  # the campaign is the commune's
    assert secretary.get(reverse("ratings:org_self_assess", args=[cell_a.pk])).status_code == 200
    assert secretary.get(reverse("ratings:org_decide", args=[cell_a.pk])).status_code == 404
    assert (
        secretary.get(
            reverse("ratings:org_self_assess", args=[review.rating[review.cell_b.pk].pk])
        ).status_code
        == 404
    )
    officer = _client("canbo-xa", AccessRole.OFFICER, review.commune)
    assert officer.get(reverse("ratings:org_decide", args=[commune.pk])).status_code == 404
    district = _client("canbo-huyen", AccessRole.OFFICER, review.district)
    response = district.post(
        reverse("ratings:org_decide", args=[commune.pk]), _decide_form(decision_no="7-QĐ/HU")
    )
    assert response.status_code == 302
    assert OrgRating.objects.get(pk=commune.pk).band == Band.GOOD
    assert not RatingDecision.objects.exclude(org_rating=commune).exists()


def test_a_self_assessment_refuses_bad_input_with_the_rule_and_records_a_good_one(review):
    secretary = _client("bithu-a", AccessRole.SECRETARY, review.cell_a)
    rating = review.rating[review.cell_a.pk]
    url = reverse("ratings:org_self_assess", args=[rating.pk])
    response = secretary.post(url, {"band": Band.GOOD, "score": "150"})
    assert response.status_code == 400 and "Điểm đánh giá phải từ 0 đến 100." in response.content.decode()
    response = secretary.post(url, {"band": Band.EXCELLENT, "score": "75"})
    page = response.content.decode()
    assert response.status_code == 400 and "75 điểm" in page and "366-QĐ/TW" in page
    response = secretary.post(url, {"band": Band.GOOD, "score": "mười"})
    assert response.status_code == 400 and "Nhập một số nguyên." in response.content.decode()
    response = secretary.post(url, {"band": "tot", "score": "80"})
    assert response.status_code == 400
    response = secretary.post(url, {"band": Band.GOOD, "score": "", "on": "05/12/2025"})
    assert response.status_code == 400 and "thang 100 điểm" in response.content.decode()
    assert OrgRating.objects.get(pk=rating.pk).self_band == ""
    response = secretary.post(
        url, {"band": Band.GOOD, "score": "82", "note": "Chi bộ hoàn thành tốt", "on": "05/12/2025"}
    )
    assert response.status_code == 302
    rating.refresh_from_db()
    assert (rating.self_band, rating.self_score, rating.self_on) == (Band.GOOD, 82, date(2025, 12, 5))


def test_the_superior_decides_then_corrects_with_a_reason_and_both_decisions_stay(review):
    officer = _client("canbo-xa", AccessRole.OFFICER, review.commune)
    rating = review.rating[review.cell_b.pk]
    url = reverse("ratings:org_decide", args=[rating.pk])
    assert "Quyết định xếp loại" in officer.get(url).content.decode()
    # refusals: a band above what a disqualifier allows, with its citation; an impossible date
    response = officer.post(
        url, _decide_form(band=Band.EXCELLENT, score="95", disqualifiers=[Disqualifier.SUBUNIT_DISCIPLINED])
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "không xếp cao hơn mức «Hoàn thành tốt nhiệm vụ»" in page and "Điều 11" in page
    assert officer.post(url, _decide_form(decided_on="32/13/2025")).status_code == 400
    assert officer.post(url, _decide_form(decided_on="21/12/2025")).status_code == 400  # after today
    assert not RatingDecision.objects.filter(org_rating=rating).exists()
    assert officer.post(url, _decide_form()).status_code == 302
    # a second decision is a correction: without a reason it is refused
    page = officer.get(url).content.decode()
    assert "Điều chỉnh xếp loại" in page and "40-QĐ/ĐU" in page
    response = officer.post(url, _decide_form(band=Band.FULFILLED, score="65", decision_no="41-QĐ/ĐU"))
    assert response.status_code == 400 and "ghi lý do điều chỉnh" in response.content.decode()
    response = officer.post(
        url,
        _decide_form(
            band=Band.FULFILLED,
            score="65",
            decision_no="41-QĐ/ĐU",
            decided_on="19/12/2025",
            reason="Phúc tra",
        ),
    )
    assert response.status_code == 302
    first, second = RatingDecision.objects.filter(org_rating=rating).order_by("decided_on")
    assert (first.band, second.band, second.corrects_id, second.reason) == (
        Band.GOOD,
        Band.FULFILLED,
        first.pk,
        "Phúc tra",
    )
    rating.refresh_from_db()
    assert (rating.band, rating.decision_no) == (Band.FULFILLED, "41-QĐ/ĐU")
    page = officer.get(url).content.decode()
    assert "lý do: Phúc tra" in page
    # the self-assessment is closed once decided
    assert (
        reverse("ratings:org_self_assess", args=[rating.pk])
        not in officer.get(reverse("ratings:org_ratings", args=[review.campaign.pk])).content.decode()
    )


def test_years_before_2018_are_recorded_in_their_old_levels(review):
    officer = _client("canbo-xa", AccessRole.OFFICER, review.commune)
    member = review.a[0]
    url = reverse("ratings:legacy_member_new", args=[member.pk])
    form = {
        "year": "2015",
        "level": LegacyLevel.MEMBER_GOOD,
        "decision_no": "5-TB/ĐU",
        "decided_on": "28/12/2015",
    }
    response = officer.post(url, {**form, "year": "2019", "decided_on": "28/12/2019"})
    assert response.status_code == 400 and "trước 2018" in response.content.decode()
    response = officer.post(url, {**form, "level": LegacyLevel.ORG_CLEAN_STRONG})  # an organization's level
    assert response.status_code == 400
    response = officer.post(url, {**form, "year": "2008", "decided_on": "28/12/2008"})
    assert response.status_code == 400 and "chưa vào Đảng" in response.content.decode()
    assert officer.post(url, form).status_code == 302
    rating = MemberRating.objects.get(member=member, year=2015)
    assert rating.legacy_level == LegacyLevel.MEMBER_GOOD and rating.band == ""
    page = officer.get(url).content.decode()
    assert "Năm 2015: Đủ tư cách, hoàn thành tốt nhiệm vụ" in page
    response = officer.post(url, form)
    assert response.status_code == 400 and "Đã ghi xếp loại năm 2015" in response.content.decode()
    # an organization
    org_url = reverse("ratings:legacy_org_new", args=[review.cell_a.pk])
    org_form = {
        "year": "2016",
        "level": LegacyLevel.ORG_CLEAN_STRONG,
        "decision_no": "6-TB/ĐU",
        "decided_on": "28/12/2016",
    }
    assert officer.post(org_url, {**org_form, "level": LegacyLevel.MEMBER_GOOD}).status_code == 400
    assert officer.post(org_url, org_form).status_code == 302
    assert OrgRating.objects.get(org=review.cell_a, year=2016).band_label == "Trong sạch, vững mạnh"
    # a pre-2018 rating is not decided again on today's scale
    old = OrgRating.objects.get(org=review.cell_a, year=2016)
    assert officer.get(reverse("ratings:org_decide", args=[old.pk])).status_code == 302
    # scope: a reader does not write, another subtree does not see
    leader = _client("lanhdao-xa", AccessRole.LEADER, review.commune)
    assert leader.post(url, {**form, "year": "2016"}).status_code == 404
    assert leader.get(org_url).status_code == 404
    stranger = _client("canbo-h2", AccessRole.OFFICER, review.district2)
    assert stranger.get(url).status_code == 404 and stranger.get(org_url).status_code == 404
    assert not MemberRating.objects.filter(member=member, year=2016).exists()


def test_the_organizations_list_downloads_as_typed_xlsx_and_pdf_and_is_audited(review):
    from openpyxl import load_workbook
    from pypdf import PdfReader

    cell_a = review.rating[review.cell_a.pk]
    services.org_self_assess(actor=SYSTEM, rating=cell_a, band=Band.GOOD, score=85)
    services.org_rating_decide(
        actor=SYSTEM, rating=cell_a, band=Band.GOOD, score=84, decision_no="40-QĐ/ĐU", decided_on=TODAY
    )
    leader = _client("lanhdao-xa", AccessRole.LEADER, review.commune)  # no person is named: readers may
    response = leader.get(reverse("ratings:org_list", args=[review.campaign.pk, "xlsx"]))
    assert response.status_code == 200 and response["Content-Disposition"].endswith('.xlsx"')
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = {row[1]: row for row in sheet.iter_rows(min_row=6, values_only=True) if row[1]}
    row = rows["Chi bộ thôn A"]
    assert isinstance(row[0], int) and row[0] == 2  # the commune comes first, by path
    assert (row[5], row[7], row[8]) == (85, 84, "Hoàn thành tốt nhiệm vụ")
    assert isinstance(row[7], (int, float)) and row[10].startswith("40-QĐ/ĐU ngày 20/12/2025")
    assert rows["Chi bộ thôn B"][7] in (None, "")
    response = leader.get(
        reverse("ratings:org_list", args=[review.campaign.pk, "pdf"]), {"authority": str(review.commune.pk)}
    )
    assert response.content.startswith(b"%PDF")
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "Chi bộ thôn A" in text and "Huyện ủy Một" not in text.split("Xếp loại tổ chức đảng")[-1]
    assert leader.get(reverse("ratings:org_list", args=[review.campaign.pk, "csv"])).status_code == 404
    assert AuditEntry.objects.filter(action="exported", subject_id=str(review.campaign.pk)).count() == 2
