"""The lifecycle endpoints: candidate register and steps, standing changes, discipline."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.contrib.auth.models import User

from dangbo.accounts.models import AccessRole
from dangbo.accounts.services import role_grant
from dangbo.candidates.models import Candidate
from dangbo.members.models import MemberStatus


@pytest.fixture
def officer_client(client, tree):
    officer = User.objects.create_user("canbo", password="mat-khau-dai-du-1")
    role_grant(user=officer, role=AccessRole.OFFICER, org=tree.commune)
    client.force_login(officer)
    return client


def _post(client, url, body):
    return client.post(url, data=json.dumps(body, default=str), content_type="application/json")


def test_candidate_created_and_a_step_out_of_order_refused(officer_client, tree):
    response = _post(
        officer_client,
        f"/api/orgs/{tree.cell_a.pk}/candidates",
        {
            "family_name": "Lý",
            "given_name": "Mai",
            "gender": "F",
            "birth_date": "2001-02-03",
            "ethnicity": "01",
            "general_education": "upper_secondary",
            "listed_on": "2025-01-06",
        },
    )
    assert response.status_code == 201, response.content
    candidate_id = response.json()["id"]
    assert response.json()["next_step"] == "course"
    response = _post(
        officer_client,
        f"/api/candidates/{candidate_id}/steps",
        {"kind": "application", "done_on": "2025-02-01"},
    )
    assert response.status_code == 422 and "bước tiếp theo" in json.dumps(response.json(), ensure_ascii=False)
    response = _post(
        officer_client,
        f"/api/candidates/{candidate_id}/steps",
        {"kind": "course", "done_on": "2025-01-10", "number": "CN-9"},
    )
    assert response.status_code == 201 and response.json()["stage"] == "course"
    listed = officer_client.get(f"/api/orgs/{tree.cell_a.pk}/candidates").json()
    assert [c["full_name"] for c in listed] == ["Lý Mai"]
    assert Candidate.objects.get().stage == "course"


def test_standing_change_and_strike_off_refusal(officer_client, tree, make_member):
    member = make_member(tree.cell_a)
    response = _post(
        officer_client,
        f"/api/members/{member.pk}/standing",
        {"action": "suspended", "effective_on": "2024-05-02"},
    )
    assert response.status_code == 201 and response.json()["kind"] == "suspended"
    response = _post(
        officer_client,
        f"/api/members/{member.pk}/standing",
        {
            "action": "struck_off",
            "effective_on": "2024-06-02",
            "ground": "returned_card",
        },
    )
    assert response.status_code == 422 and "decision_no" in response.json()["errors"]
    member.refresh_from_db()
    assert member.status == MemberStatus.FULL and member.standing == "suspended"


def test_discipline_opened_and_decided(officer_client, tree, make_member):
    members = [make_member(tree.cell_a, admitted_on=date(2010, 1, 1)) for _ in range(3)]
    url = f"/api/members/{members[0].pk}/discipline"
    assert (
        _post(
            officer_client, url, {"act_on": "2025-01-02", "summary": "Vi phạm", "opened_on": "2025-01-10"}
        ).status_code
        == 201
    )
    response = _post(
        officer_client,
        url + "/decision",
        {"form": "reprimand", "authority": "cell", "vote_on": "2025-02-01", "approvals": 2},
    )
    assert response.status_code == 201 and response.json()["kind"] == "disciplined"
    assert (
        _post(
            officer_client,
            url + "/decision",
            {"form": "reprimand", "authority": "cell", "vote_on": "2025-02-01", "approvals": 2},
        ).status_code
        == 404
    )
