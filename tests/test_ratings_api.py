"""The ratings API (issue 21): the campaigns over an organization, a campaign's progress by
cell, a cell's sheet, a member's ratings; the cell's assessment and the committee's decision —
with the scope and audit of the pages: a sibling subtree gets 404 everywhere, a member reads
their own ratings only, reading people and every change is audited, bad input is refused in
Vietnamese, and a decision the cap on «excellent» refuses says the numbers and writes nothing."""

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
from dangbo.members.models import MemberEvent
from dangbo.members.services.standing import member_standing_start
from dangbo.orgs.services import DecisionRef
from dangbo.ratings import api as ratings_api
from dangbo.ratings import services
from dangbo.ratings.models import MemberRating, RatingDecision
from dangbo.ratings.services import CampaignRequest
from dangbo.rules.ratings import Band

TODAY = date(2025, 12, 20)


@dataclass
class World:
    tree: object
    a: list  # cell A: a[0] exempted, eleven more
    b: list  # cell B: three
    stranger: object  # in the agency, outside the commune
    key: str  # the commune's officer, read and write
    read_key: str  # the commune's officer, read only
    sibling_key: str  # an officer of the sibling district


def _key(username, org, access=TokenAccess.READ) -> str:
    user = User.objects.create_user(username, password="mat-khau-dai-du-1")
    role_grant(user=user, role=AccessRole.OFFICER, org=org)
    return token_create(user=user, name="thử", days=30, access=access)[1]


@pytest.fixture
def world(tree, make_member, frozen_today) -> World:
    frozen_today(TODAY)
    a = [make_member(tree.cell_a, admitted_on=date(2010, 3, 1)) for _ in range(12)]
    b = [make_member(tree.cell_b, admitted_on=date(2012, 3, 1), given_name=n) for n in ("Lan", "Minh", "Nga")]
    stranger = make_member(tree.agency, admitted_on=date(2012, 3, 1), given_name="Ngoàiphạmvi")
    member_standing_start(
        member=a[0],
        kind=MemberEvent.Kind.EXEMPTED,
        on=date(2025, 3, 1),
        ground="old_age_health",
        decision=DecisionRef(number="3-QĐ/ĐU", on=date(2025, 2, 25)),
    )
    request = CampaignRequest(
        year=2025,
        cutoff_on=date(2025, 11, 30),
        self_due_on=date(2025, 12, 5),
        cell_due_on=date(2025, 12, 10),
        decision_due_on=date(2025, 12, 31),
    )
    services.campaign_open(actor=SYSTEM, org=tree.commune, request=request)
    services.campaign_open(actor=SYSTEM, org=tree.agency, request=request)
    return World(
        tree=tree,
        a=a,
        b=b,
        stranger=stranger,
        key=_key("canbo", tree.commune, TokenAccess.WRITE),
        read_key=_key("canbodoc", tree.commune),
        sibling_key=_key("canbohai", tree.district2, TokenAccess.WRITE),
    )


def get(client, url, key):
    return client.get(url, HTTP_AUTHORIZATION=f"Bearer {key}")


def post(client, url, key, body):
    return client.post(
        url, json.dumps(body), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}"
    )


def _assess(client, world, member, band, score, key=None):
    return post(
        client,
        f"/api/members/{member.pk}/ratings/cell-assessment",
        key or world.key,
        {"year": 2025, "band": band, "score": score, "note": "Chi bộ nhất trí"},
    )


def _decide(client, world, members, number="30-QĐ/ĐU", key=None, org=None):
    return post(
        client,
        f"/api/orgs/{(org or world.tree.commune).pk}/ratings/decisions",
        key or world.key,
        {
            "year": 2025,
            "decision_no": number,
            "decided_on": "2025-12-19",
            "verdicts": [{"member_id": str(m.pk)} for m in members],
        },
    )


def test_campaigns_and_progress_by_cell_are_counts_over_the_organization(client, world):
    tree = world.tree
    campaigns = get(client, f"/api/orgs/{tree.cell_a.pk}/rating-campaigns", world.read_key)
    assert campaigns.status_code == 200, campaigns.content
    [campaign] = campaigns.json()  # the commune's covers the cell; the agency's is outside the commune
    assert (campaign["org_code"], campaign["year"], campaign["members"], campaign["period_label"]) == (
        "X1",
        2025,
        15,
        "Cả năm",
    )
    assert campaign["cutoff_on"] == "2025-11-30"
    _assess(client, world, world.b[0], Band.GOOD, 80)
    assert _decide(client, world, [world.b[0]]).status_code == 201
    response = get(client, f"/api/orgs/{tree.commune.pk}/ratings/progress?year=2025", world.read_key)
    assert response.status_code == 200, response.content
    progress = response.json()
    total = progress["total"]
    assert (total["listed"], total["not_rated"], total["to_rate"], total["cell_done"], total["decided"]) == (
        15,
        1,
        14,
        1,
        1,
    )
    assert total["waiting"] == 13 and total["bands"]["good"] == 1
    cells = {c["org_code"]: c for c in progress["cells"]}
    assert set(cells) == {"X1A", "X1B"}
    assert (cells["X1A"]["listed"], cells["X1A"]["not_rated"], cells["X1B"]["decided"]) == (12, 1, 1)
    assert sum(c["listed"] for c in progress["cells"]) == total["listed"]
    assert "Lan" not in response.content.decode()  # counts only: no one is named
    # the district sees the campaigns of its sub-organizations, added up
    district = get(
        client, f"/api/orgs/{tree.district.pk}/ratings/progress?year=2025", _key("huyen", tree.district)
    )
    assert district.status_code == 200 and district.json()["total"]["listed"] == 16
    assert {c["org_code"] for c in district.json()["cells"]} == {"X1A", "X1B", "CQ1"}


def test_a_cells_sheet_is_paged_and_audited_as_a_list_of_people(client, world, monkeypatch):
    monkeypatch.setattr(ratings_api, "PER_PAGE", 5)
    url = f"/api/orgs/{world.tree.cell_a.pk}/ratings/sheet?year=2025"
    first = get(client, url, world.read_key)
    assert first.status_code == 200, first.content
    sheet = first.json()
    assert (sheet["count"], sheet["pages"], len(sheet["items"]), sheet["campaign"]["org_code"]) == (
        12,
        3,
        5,
        "X1",
    )
    last = get(client, url + "&page=3", world.read_key).json()
    assert len(last["items"]) == 2
    exempted = next(
        r
        for page in (sheet, last, get(client, url + "&page=2", world.read_key).json())
        for r in page["items"]
        if r["member_id"] == str(world.a[0].pk)
    )
    assert exempted["not_rated"] == "exempted" and exempted["not_rated_label"].startswith("Được miễn")
    assert {r["cell_code"] for r in sheet["items"]} == {"X1A"} and sheet["items"][0][
        "grassroots_code"
    ] == "X1"
    assert (
        AuditEntry.objects.filter(
            action=Action.LIST_VIEWED, subject_type="rating_sheet", subject_id=str(world.tree.cell_a.pk)
        ).count()
        == 3
    )


def test_the_cell_assesses_and_the_committee_decides_and_both_are_audited(client, world):
    member = world.b[1]
    response = _assess(client, world, member, Band.GOOD, 78)
    assert response.status_code == 200, response.content
    assert (response.json()["cell_band"], response.json()["cell_score"], response.json()["band"]) == (
        "good",
        78,
        "",
    )
    decided = _decide(client, world, [member], number="31-QĐ/ĐU")
    assert decided.status_code == 201, decided.content
    body = decided.json()
    [one] = body["decided"]
    assert one["member_id"] == str(member.pk) and one["full_name"].endswith("Minh")
    assert (one["decision"]["band"], one["decision"]["score"], one["decision"]["authority_code"]) == (
        "good",
        78,
        "X1",
    )
    assert body["cap"]["good"] == 1 and body["cap"]["confirmed"] is False
    rating = MemberRating.objects.get(member=member, year=2025)
    assert (rating.band, rating.decision_no) == (Band.GOOD, "31-QĐ/ĐU")
    audited = AuditEntry.objects.filter(
        action=Action.CREATED, subject_type="member_rating", subject_id=str(rating.pk)
    )
    assert audited.count() == 1  # the cell's step (the decision is in the ledger and its own row)
    assert MemberEvent.objects.filter(member=member, kind=MemberEvent.Kind.RATED).exists()
    # the member's ratings, with the decision, audited as a read of their history
    history = get(client, f"/api/members/{member.pk}/ratings", world.read_key)
    assert history.status_code == 200
    [year] = history.json()["years"]
    assert (year["year"], year["band_label"], year["decisions"][0]["decision_no"]) == (
        2025,
        "Hoàn thành tốt nhiệm vụ",
        "31-QĐ/ĐU",
    )
    assert AuditEntry.objects.filter(
        action=Action.MEMBER_HISTORY_VIEWED, subject_id=str(member.pk), data__history="ratings"
    ).exists()
    # decided: the cell's step is closed, a second decision refused
    again = _assess(client, world, member, Band.EXCELLENT, 95)
    assert again.status_code == 422 and "điều chỉnh bằng một quyết định mới" in json.dumps(
        again.json(), ensure_ascii=False
    )


def test_a_decision_the_cap_refuses_shows_the_numbers_and_writes_nothing(client, world):
    good, best = world.a[1:11], [world.a[11], world.b[0], world.b[1]]
    for m in good:
        assert _assess(client, world, m, Band.GOOD, 80).status_code == 200
    for m in best:
        assert _assess(client, world, m, Band.EXCELLENT, 95).status_code == 200
    refused = _decide(client, world, good + best)
    assert refused.status_code == 422, refused.content
    [message] = refused.json()["errors"]["band"]
    assert "3 đảng viên" in message and "tối đa 2" in message and "20 %" in message
    assert not RatingDecision.objects.exists()
    assert not MemberRating.objects.exclude(band="").exists()
    # two of the three: allowed
    accepted = _decide(client, world, good + best[:2])
    assert accepted.status_code == 201, accepted.content
    cap = accepted.json()["cap"]
    assert (cap["excellent"], cap["good"], cap["allowed"], cap["holds"]) == (2, 10, 2, True)


def test_bad_input_is_refused_in_vietnamese(client, world):
    tree, member = world.tree, world.b[2]

    def errors(response) -> str:
        assert response.status_code == 422, response.content
        return json.dumps(response.json()["errors"], ensure_ascii=False)

    assert "0 đến 100" in errors(_assess(client, world, member, Band.GOOD, 130))
    assert "Chọn một mức xếp loại" in errors(_assess(client, world, member, "tot", 80))
    assert "75 điểm" in errors(_assess(client, world, member, Band.EXCELLENT, 75))
    assert "danh sách đánh giá cả năm năm 2024" in errors(
        post(
            client,
            f"/api/members/{member.pk}/ratings/cell-assessment",
            world.key,
            {"year": 2024, "band": "good", "score": 80},
        )
    )
    assert "Phải là một trong các giá trị" in errors(
        post(
            client,
            f"/api/members/{member.pk}/ratings/cell-assessment",
            world.key,
            {"year": 2025, "period": "q5", "band": "good", "score": 80},
        )
    )
    assert "Phải là một trong các giá trị" in errors(
        get(client, f"/api/orgs/{tree.commune.pk}/ratings/progress?year=2025&period=ca-nam", world.key)
    )
    assert "Phải lớn hơn hoặc bằng 1930" in errors(
        get(client, f"/api/orgs/{tree.cell_a.pk}/ratings/sheet?year=1200", world.key)
    )
    assert "Chưa có đợt đánh giá cả năm năm 2024" in errors(
        get(client, f"/api/orgs/{tree.cell_a.pk}/ratings/sheet?year=2024", world.key)
    )
    # a decision: nobody proposed, a member twice, a member of another organization, no number
    assert "chi bộ chưa đề xuất" in errors(_decide(client, world, [member]))
    assert "chỉ quyết định một lần" in errors(_decide(client, world, [member, member]))
    outside = errors(_decide(client, world, [world.stranger]))
    assert "Không có trong danh sách đánh giá" in outside and "Ngoàiphạmvi" not in outside
    _assess(client, world, member, Band.GOOD, 80)
    assert "Ghi số quyết định" in errors(_decide(client, world, [member], number=""))
    # a read-only key changes nothing
    assert _assess(client, world, member, Band.GOOD, 80, key=world.read_key).status_code == 403
    assert not RatingDecision.objects.exists()


def test_outside_the_callers_subtrees_everything_is_404_and_nothing_changes(client, world):
    tree, member = world.tree, world.b[0]
    for url in (
        f"/api/orgs/{tree.commune.pk}/rating-campaigns",
        f"/api/orgs/{tree.commune.pk}/ratings/progress?year=2025",
        f"/api/orgs/{tree.cell_a.pk}/ratings/sheet?year=2025",
        f"/api/members/{member.pk}/ratings",
    ):
        response = get(client, url, world.sibling_key)
        assert response.status_code == 404, url
        assert "Lan" not in response.content.decode()
    assert _assess(client, world, member, Band.GOOD, 80, key=world.sibling_key).status_code == 404
    assert _decide(client, world, [member], key=world.sibling_key).status_code == 404
    # the commune's officer: not the agency, nor above
    assert get(client, f"/api/orgs/{tree.agency.pk}/ratings/sheet?year=2025", world.key).status_code == 404
    assert get(client, f"/api/members/{world.stranger.pk}/ratings", world.key).status_code == 404
    assert _assess(client, world, world.stranger, Band.GOOD, 80).status_code == 404
    assert _decide(client, world, [world.stranger], org=tree.agency).status_code == 404
    assert (
        get(client, "/api/members/00000000-0000-0000-0000-000000000000/ratings", world.key).status_code == 404
    )
    assert MemberRating.objects.filter(member=member, year=2025).get().cell_band == ""
    assert not AuditEntry.objects.filter(subject_type="rating_sheet").exists()
    assert not AuditEntry.objects.filter(
        action=Action.MEMBER_HISTORY_VIEWED, subject_id=str(member.pk)
    ).exists()


def test_a_member_reads_their_own_ratings_and_nothing_else(client, world):
    own, other = world.b[0], world.b[1]
    user = User.objects.create_user("dangvien-lan", password="mat-khau-dai-du-1")
    role_grant(user=user, role=AccessRole.MEMBER, org=None, member=own)
    client.force_login(user)
    response = client.get(f"/api/members/{own.pk}/ratings")
    assert response.status_code == 200 and response.json()["years"][0]["year"] == 2025
    assert client.get(f"/api/members/{other.pk}/ratings").status_code == 404
    assert client.get(f"/api/orgs/{world.tree.cell_b.pk}/ratings/sheet?year=2025").status_code == 404
    assert client.get(f"/api/orgs/{world.tree.cell_b.pk}/rating-campaigns").status_code == 404
    # nor may they assess themselves in the cell's name
    assessed = client.post(
        f"/api/members/{own.pk}/ratings/cell-assessment",
        json.dumps({"year": 2025, "band": "excellent", "score": 95}),
        content_type="application/json",
    )
    assert assessed.status_code == 404
    assert MemberRating.objects.get(member=own, year=2025).cell_band == ""
