"""The review and rating pages through Django's test client (issue 21): where each user starts,
opening a campaign as a background job (the form's defaults, its refusals), a campaign's
progress by cell and its export, a cell's sheet, the self-assessment and the cell's proposal
with the rule's refusals on the form (nothing written), the grassroots committee's decision
with the cap refused with the numbers, a correction, a member's years (their own included),
and scope: a reader reads and cannot write, a secretary of another cell gets 404."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from dangbo.accounts.models import AccessRole
from dangbo.accounts.scope import SYSTEM
from dangbo.accounts.services import role_grant
from dangbo.jobs.models import Job
from dangbo.members.models import MemberEvent
from dangbo.ratings import services
from dangbo.ratings.models import MemberRating, RatingDecision, ReviewCampaign
from dangbo.ratings.services import CampaignRequest, Verdict
from dangbo.rules.ratings import Band, LegacyLevel, MemberForm

TODAY = date(2025, 12, 20)


def _user(name: str, role: str, org=None, member=None) -> User:
    user = User.objects.create_user(name, password="mat-khau-dai-du-1")
    role_grant(user=user, role=role, org=org, member=member)
    return user


def _request(year=2025) -> CampaignRequest:
    return CampaignRequest(
        year=year,
        cutoff_on=date(year, 11, 30),
        self_due_on=date(year, 12, 5),
        cell_due_on=date(year, 12, 10),
        decision_due_on=date(year, 12, 31),
    )


@pytest.fixture
def review(tree, make_member, frozen_today):
    """Cell A: eight members named Thànhviên0…7; cell B: two. A 2025 campaign on the commune."""
    frozen_today(TODAY)
    tree.a = [
        make_member(tree.cell_a, given_name=f"Thànhviên{n}", admitted_on=date(2010, 3, 1)) for n in range(8)
    ]
    tree.b = [
        make_member(tree.cell_b, given_name=f"Thônbê{n}", admitted_on=date(2010, 3, 1)) for n in range(2)
    ]
    tree.campaign = services.campaign_open(actor=SYSTEM, org=tree.commune, request=_request())
    return tree


def _rating(member) -> MemberRating:
    return MemberRating.objects.get(member=member, year=2025)


def _propose(member, band, score):
    return services.member_cell_assess(actor=SYSTEM, rating=_rating(member), band=band, score=score)


def _page(response) -> str:
    return response.content.decode()


# --- where users start, and opening a campaign ---------------------------------------------------


def test_each_user_starts_where_they_work(client, review):
    client.force_login(_user("bithu-a", AccessRole.SECRETARY, review.cell_a))
    response = client.get(reverse("ratings:home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("ratings:org_campaigns", args=[review.cell_a.pk])
    page = _page(client.get(response["Location"]))
    # the campaign opened above the cell: its part only, without the commune's name
    assert "Cả năm 2025" in page and "Đảng bộ xã Một" not in page
    assert f"?to-chuc={review.cell_a.pk}" in page
    assert reverse("ratings:cell_sheet", args=[review.campaign.pk, review.cell_a.pk]) in page
    assert "Mở đợt đánh giá" in page  # the secretary writes the cell

    member_user = _user("dv", AccessRole.MEMBER, member=review.a[0])
    client.force_login(member_user)
    assert client.get(reverse("ratings:home"))["Location"] == reverse("ratings:my_ratings")

    client.force_login(User.objects.create_user("khach", password="mat-khau-dai-du-1"))
    assert client.get(reverse("ratings:home")).status_code == 404


def test_a_campaign_is_opened_by_a_background_job_with_sensible_defaults(
    client, tree, make_member, frozen_today
):
    frozen_today(TODAY)
    for _ in range(3):
        make_member(tree.cell_a, admitted_on=date(2010, 3, 1))
    client.force_login(_user("canbo-xa", AccessRole.OFFICER, tree.commune))
    url = reverse("ratings:campaign_new", args=[tree.commune.pk])
    form = client.get(url).context["form"]
    assert form["year"].value() == 2025 and form["cutoff_on"].value() == "30/11/2025"
    assert form["self_due_on"].value() == "27/12/2025"  # a week from today
    # bad input: deadlines out of order and a date that is not one; nothing opened, no job
    data = {
        "year": "2025",
        "period": "year",
        "cutoff_on": "30/11/2025",
        "self_due_on": "10/12/2025",
        "cell_due_on": "05/12/2025",
        "decision_due_on": "31/02/2025",
    }
    response = client.post(url, data)
    assert response.status_code == 400 and "decision_due_on" in response.context["form"].errors
    data["decision_due_on"] = "31/12/2025"
    response = client.post(url, data)
    assert response.status_code == 400
    assert "Các hạn phải theo thứ tự" in _page(response)
    assert not Job.objects.exists() and not ReviewCampaign.objects.exists()
    data["self_due_on"] = "05/12/2025"
    response = client.post(url, data)
    job = Job.objects.get()
    assert response["Location"] == reverse("jobs:job", args=[job.pk])
    job.refresh_from_db()
    assert job.state == "done" and "3 đảng viên" in job.message
    campaign = ReviewCampaign.objects.get()
    assert (campaign.org, campaign.members, campaign.cell_due_on) == (tree.commune, 3, date(2025, 12, 5))
    # a second one over the same subtree and year: refused on the form
    response = client.post(url, data)
    assert response.status_code == 400 and "mỗi đảng viên chỉ được đánh giá một lần" in _page(response)
    assert Job.objects.count() == 1


def test_only_who_writes_there_may_open_a_campaign(client, review):
    client.force_login(_user("lanhdao", AccessRole.LEADER, review.commune))
    assert client.get(reverse("ratings:campaign_new", args=[review.commune.pk])).status_code == 404
    assert "Mở đợt đánh giá" not in _page(
        client.get(reverse("ratings:org_campaigns", args=[review.commune.pk]))
    )
    client.force_login(_user("bithu-b", AccessRole.SECRETARY, review.cell_b))
    assert client.get(reverse("ratings:campaign_new", args=[review.cell_a.pk])).status_code == 404


# --- progress and the cell's sheet ----------------------------------------------------------------


def test_the_progress_by_cell_and_its_export(client, review):
    _propose(review.a[0], Band.GOOD, 80)
    services.member_ratings_decide(
        actor=SYSTEM,
        grassroots=review.commune,
        verdicts=[Verdict(_rating(review.a[0]))],
        decision_no="5-QĐ/ĐU",
        decided_on=TODAY,
    )
    client.force_login(_user("lanhdao", AccessRole.LEADER, review.commune))
    url = reverse("ratings:campaign", args=[review.campaign.pk])
    response = client.get(url)
    assert response.status_code == 200
    total = response.context["total"]
    assert (total.listed, total.cell_done, total.decided, total.waiting) == (10, 1, 1, 9)
    page = _page(response)
    assert "Chi bộ thôn A" in page and "Chi bộ thôn B" in page and "31/12/2025" in page
    assert reverse("ratings:decide", args=[review.campaign.pk, review.commune.pk]) in page
    rows = list(
        csv.reader(
            io.StringIO(b"".join(client.get(url + "?dinh-dang=csv").streaming_content).decode("utf-8-sig"))
        )
    )
    assert rows[0][:3] == ["STT", "Chi bộ", "Trong danh sách"]
    by_name = {row[1]: row for row in rows[1:]}
    assert by_name["Chi bộ thôn A"][2] == "8" and by_name["Chi bộ thôn A"][9] == "1"  # one HTTNV
    assert by_name["Tổng cộng"][2] == "10"
    xlsx = client.get(url + "?dinh-dang=xlsx")
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    # a cell's secretary: the whole campaign is not theirs, their cell's part is
    client.force_login(_user("bithu-b", AccessRole.SECRETARY, review.cell_b))
    assert client.get(url).status_code == 404
    response = client.get(url + f"?to-chuc={review.cell_b.pk}")
    assert response.status_code == 200 and response.context["total"].listed == 2
    assert "Chi bộ thôn A" not in _page(response) and "Đảng bộ xã Một" not in _page(response)
    assert client.get(url + f"?to-chuc={review.cell_a.pk}").status_code == 404


def test_the_cell_sheet_shows_each_step_and_the_writer_links(client, review):
    services.member_self_assess(
        actor=SYSTEM, rating=_rating(review.a[1]), form=MemberForm.OTHER, score=84, band=Band.GOOD
    )
    _propose(review.a[1], Band.GOOD, 82)
    client.force_login(_user("bithu-a", AccessRole.SECRETARY, review.cell_a))
    url = reverse("ratings:cell_sheet", args=[review.campaign.pk, review.cell_a.pk])
    page = _page(client.get(url))
    assert review.a[1].full_name in page and "84 điểm" in page and "82 điểm" in page
    assert "Chưa tự đánh giá" in page
    assert reverse("ratings:cell_assess", args=[_rating(review.a[2]).pk]) in page
    # a reader sees the sheet without the writing links
    client.force_login(_user("lanhdao", AccessRole.LEADER, review.commune))
    page = _page(client.get(url))
    assert (
        review.a[1].full_name in page
        and reverse("ratings:cell_assess", args=[_rating(review.a[2]).pk]) not in page
    )
    # the secretary of the other cell: 404, and nothing of cell A
    client.force_login(_user("bithu-b", AccessRole.SECRETARY, review.cell_b))
    response = client.get(url)
    assert response.status_code == 404 and "Thànhviên" not in _page(response)


# --- a member's steps --------------------------------------------------------------------------


def test_the_cells_proposal_refused_by_the_rule_writes_nothing(client, review):
    client.force_login(_user("bithu-a", AccessRole.SECRETARY, review.cell_a))
    rating = _rating(review.a[3])
    url = reverse("ratings:cell_assess", args=[rating.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"score": "75", "band": Band.EXCELLENT})
    assert response.status_code == 400
    errors = response.context["form"].errors["band"]
    assert "75 điểm" in errors[0] and "366-QĐ/TW" in errors[0]
    response = client.post(url, {"score": "150", "band": Band.GOOD})
    assert response.status_code == 400 and "score" in response.context["form"].errors
    response = client.post(url, {"score": "", "band": Band.GOOD})
    assert response.status_code == 400 and "thang 100 điểm" in _page(response)
    rating.refresh_from_db()
    assert rating.cell_band == "" and rating.cell_score is None
    response = client.post(url, {"score": "75", "band": Band.GOOD, "note": "Hoàn thành tốt"})
    assert response["Location"] == reverse("ratings:cell_sheet", args=[review.campaign.pk, review.cell_a.pk])
    rating.refresh_from_db()
    assert (rating.cell_band, rating.cell_score, rating.cell_note) == (Band.GOOD, 75, "Hoàn thành tốt")


def test_scope_of_the_steps(client, review):
    rating = _rating(review.a[3])
    client.force_login(_user("bithu-b", AccessRole.SECRETARY, review.cell_b))
    for name in ("self_assess", "cell_assess", "correct"):
        assert client.get(reverse(f"ratings:{name}", args=[rating.pk])).status_code == 404
        assert (
            client.post(
                reverse(f"ratings:{name}", args=[rating.pk]), {"band": "good", "score": "80"}
            ).status_code
            == 404
        )
    client.force_login(_user("lanhdao", AccessRole.LEADER, review.commune))
    assert (
        client.post(
            reverse("ratings:cell_assess", args=[rating.pk]), {"band": "good", "score": "80"}
        ).status_code
        == 404
    )
    assert (
        client.post(
            reverse("ratings:decide", args=[review.campaign.pk, review.commune.pk]),
            {"ratings": [str(rating.pk)], "decision_no": "1", "decided_on": "20/12/2025"},
        ).status_code
        == 404
    )
    rating.refresh_from_db()
    assert not rating.cell_band and not RatingDecision.objects.exists()
    # the member: their own self-assessment, not the cell's step nor another's
    client.force_login(_user("dv", AccessRole.MEMBER, member=review.a[3]))
    assert client.get(reverse("ratings:cell_assess", args=[rating.pk])).status_code == 404
    assert client.get(reverse("ratings:self_assess", args=[_rating(review.a[4]).pk])).status_code == 404
    assert client.get(reverse("ratings:member_ratings", args=[review.a[4].pk])).status_code == 404


def test_a_member_fills_their_self_assessment_from_their_own_page(client, review):
    member = review.a[5]
    client.force_login(_user("dv", AccessRole.MEMBER, member=member))
    page = _page(client.get(reverse("ratings:my_ratings")))
    url = reverse("ratings:self_assess", args=[_rating(member).pk])
    assert "Năm 2025: chưa xếp loại" in page and url in page
    assert "Đảng bộ xã Một" not in page
    response = client.post(url, {"form": "2C", "score": "92", "band": Band.GOOD})
    assert response.status_code == 400 and "92 điểm" in _page(response)
    response = client.post(url, {"form": "2C", "score": "92", "band": Band.EXCELLENT, "note": "Tự nhận"})
    assert response["Location"] == reverse("ratings:my_ratings")
    rating = _rating(member)
    assert (rating.form, rating.self_score, rating.self_band) == ("2C", 92, Band.EXCELLENT)
    assert "92 điểm" in _page(client.get(reverse("ratings:my_ratings")))


# --- the committee's decision, the cap, corrections ------------------------------------------------


def test_the_committee_decides_the_ticked_members_and_the_cap_is_refused_with_the_numbers(client, review):
    for m in review.a[:5]:
        _propose(m, Band.GOOD, 80)
    _propose(review.a[5], Band.EXCELLENT, 95)
    _propose(review.a[6], Band.EXCELLENT, 96)
    client.force_login(_user("canbo-xa", AccessRole.OFFICER, review.commune))
    url = reverse("ratings:decide", args=[review.campaign.pk, review.commune.pk])
    response = client.get(url)
    page = _page(response)
    assert response.status_code == 200 and "chưa xác nhận" in page.lower()
    assert "Thônbê0" in page and "Chưa đề xuất" in page
    ids = [str(_rating(m).pk) for m in review.a[:7]]
    # 2 excellent against 5 good: over 20 % (at most 1); refused, nothing written
    response = client.post(url, {"ratings": ids, "decision_no": "30-QĐ/ĐU", "decided_on": "20/12/2025"})
    assert response.status_code == 400
    page = _page(response)
    assert "2 đảng viên hoàn thành xuất sắc nhiệm vụ" in page and "tối đa 1" in page
    assert not RatingDecision.objects.exists()
    assert not MemberEvent.objects.filter(kind=MemberEvent.Kind.RATED).exists()
    # a member without a proposal cannot be ticked; a decision in the future is refused
    response = client.post(
        url, {"ratings": [str(_rating(review.b[0]).pk)], "decision_no": "30", "decided_on": "20/12/2025"}
    )
    assert response.status_code == 400 and not RatingDecision.objects.exists()
    response = client.post(url, {"ratings": ids[:6], "decision_no": "30-QĐ/ĐU", "decided_on": "21/12/2025"})
    assert response.status_code == 400 and "sau hôm nay" in _page(response)
    response = client.post(url, {"ratings": ids[:6], "decision_no": "30-QĐ/ĐU", "decided_on": "20/12/2025"})
    assert response.status_code == 302
    assert RatingDecision.objects.count() == 6
    assert _rating(review.a[5]).band == Band.EXCELLENT and _rating(review.a[0]).decision_no == "30-QĐ/ĐU"
    page = _page(client.get(url))
    assert "Đã quyết định xếp loại 6 đảng viên" in page and "tối đa <strong>1</strong>" in page


def test_a_correction_is_a_new_decision_and_the_members_years_show_both(client, review):
    member = review.a[0]
    _propose(member, Band.GOOD, 80)
    services.member_ratings_decide(
        actor=SYSTEM,
        grassroots=review.commune,
        verdicts=[Verdict(_rating(member))],
        decision_no="30-QĐ/ĐU",
        decided_on=date(2025, 12, 18),
    )
    services.legacy_rating_record(
        actor=SYSTEM,
        year=2016,
        level=LegacyLevel.MEMBER_GOOD,
        decision_no="12-QĐ/ĐU",
        decided_on=date(2016, 12, 20),
        member=member,
    )
    rating = _rating(member)
    # the cell's secretary does not decide nor correct
    client.force_login(_user("bithu-a", AccessRole.SECRETARY, review.cell_a))
    assert client.get(reverse("ratings:correct", args=[rating.pk])).status_code == 404
    client.force_login(_user("canbo-xa", AccessRole.OFFICER, review.commune))
    url = reverse("ratings:correct", args=[rating.pk])
    data = {"band": Band.FULFILLED, "score": "65", "decision_no": "35-QĐ/ĐU", "decided_on": "19/12/2025"}
    response = client.post(url, data)
    assert response.status_code == 400 and "reason" in response.context["form"].errors
    response = client.post(url, {**data, "decided_on": "17/12/2025", "reason": "Sai sót"})
    assert response.status_code == 400 and "trước quyết định đã có" in _page(response)
    assert RatingDecision.objects.filter(member_rating=rating).count() == 1
    response = client.post(url, {**data, "reason": "Phát hiện chưa hoàn thành chỉ tiêu"})
    assert response["Location"] == reverse("ratings:member_ratings", args=[member.pk])
    page = _page(client.get(response["Location"]))
    assert "30-QĐ/ĐU" in page and "35-QĐ/ĐU" in page and "Phát hiện chưa hoàn thành chỉ tiêu" in page
    assert "Năm 2025: Hoàn thành nhiệm vụ" in page
    assert "Năm 2016: Đủ tư cách, hoàn thành tốt nhiệm vụ" in page  # the old level by its label
    # the profile links the member's ratings
    profile = _page(client.get(reverse("members:member_profile", args=[member.pk])))
    assert reverse("ratings:member_ratings", args=[member.pk]) in profile
