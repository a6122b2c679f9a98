"""Issue 18, "Disclosure and writes across subtrees": what an account of one subtree could learn
of, or write into, another. Each test attacks from cell A's secretary or the commune's officer
(``tree``), aiming at the agency's cell (``tree.agency``, a sibling grassroots organization)."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.contrib.auth.models import User
from tests.conftest import identity

from dangbo.accounts.models import AccessRole
from dangbo.accounts.services import role_grant
from dangbo.audit.models import AuditEntry
from dangbo.audit.services import Action
from dangbo.candidates.models import CandidateStep
from dangbo.candidates.services import StepInput, candidate_add, candidate_record_step
from dangbo.core.decisions import DecisionRef
from dangbo.members.models import Member, MemberStatus
from dangbo.members.services.standing import member_resign
from dangbo.reference.models import Holiday

Step = CandidateStep.Kind


def _post(client, url, body):
    return client.post(url, data=json.dumps(body, default=str), content_type="application/json")


def _body(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode("utf-8", errors="replace")


def _login(client, username, role, org=None, member=None) -> User:
    user = User.objects.create_user(username, password="mat-khau-dai-du-1")
    role_grant(user=user, role=role, org=org, member=member)
    client.force_login(user)
    return user


# --- the sponsor step: no lookup of members outside the actor's reach --------------------------


@pytest.fixture
def at_sponsors(tree, make_member):
    """A candidate of cell A at the sponsors step; full members with card numbers in cell A, in
    cell B (same grassroots organization, the commune) and in the agency (another one)."""
    Holiday.objects.all().delete()
    for _ in range(3):
        make_member(tree.cell_a, admitted_on=date(2016, 3, 1))
    tree.own = make_member(tree.cell_a, admitted_on=date(2016, 3, 1), given_name="Cùngchibộ")
    tree.neighbour = make_member(tree.cell_b, admitted_on=date(2016, 3, 1), given_name="Cùngxã")
    tree.stranger = make_member(
        tree.agency, admitted_on=date(2016, 3, 1), given_name="Ngườicơquan", national_id="001090000777"
    )
    for number, member in enumerate((tree.own, tree.neighbour, tree.stranger)):
        Member.objects.filter(pk=member.pk).update(card_number=f"5000000{number}")
    candidate = candidate_add(
        identity=identity(given_name="Hằng", gender="F", birth_date=date(2000, 4, 10)),
        cell=tree.cell_a,
        listed_on=date(2025, 1, 6),
    )
    for kind, on, extra in (
        (Step.COURSE, date(2025, 1, 10), {"number": "CN-1"}),
        (Step.APPLICATION, date(2025, 2, 3), {}),
        (Step.HISTORY, date(2025, 2, 10), {}),
        (Step.BACKGROUND_CHECK, date(2025, 3, 3), {}),
    ):
        candidate_record_step(candidate=candidate, kind=kind, step=StepInput(done_on=on, **extra))
    tree.candidate = candidate
    return tree


def _sponsor_form(number1, number2="50000000"):
    return {
        "step": Step.SPONSORS,
        "done_on": "10/03/2025",
        "sponsor1": number1,
        "since1": "01/01/2023",
        "sponsor2": number2,
        "since2": "01/01/2023",
    }


def test_the_sponsor_lookup_names_no_one_outside_the_actors_reach(client, at_sponsors):
    tree = at_sponsors
    _login(client, "bithu-a", AccessRole.SECRETARY, tree.cell_a)
    url = f"/cam-tinh-dang/{tree.candidate.pk}/"
    answers = []
    for number in ("50000002", "001090000777", "59999999"):  # the agency's member; and no one
        response = client.post(url, _sponsor_form(number))
        body = _body(response)
        assert response.status_code == 400
        assert "Ngườicơquan" not in body and "không sinh hoạt trong cùng" not in body
        answers.append(response.context["form"].errors["sponsor1"])
    assert answers[0] == answers[1] == answers[2]  # one neutral message, whatever the number
    assert CandidateStep.objects.filter(candidate=tree.candidate, kind=Step.SPONSORS).count() == 0
    # the API, naming the member by id
    response = _post(
        client,
        f"/api/candidates/{tree.candidate.pk}/steps",
        {
            "kind": "sponsors",
            "done_on": "2025-03-10",
            "sponsors": [
                {"member_id": str(tree.own.pk), "known_since": "2023-01-01"},
                {"member_id": str(tree.stranger.pk), "known_since": "2023-01-01"},
            ],
        },
    )
    assert response.status_code == 422 and "Ngườicơquan" not in _body(response)
    assert "không sinh hoạt trong cùng" not in _body(response)


def test_a_sponsor_of_the_same_grassroots_organization_is_found_and_the_lookup_audited(client, at_sponsors):
    tree = at_sponsors
    _login(client, "bithu-a", AccessRole.SECRETARY, tree.cell_a)
    response = client.post(f"/cam-tinh-dang/{tree.candidate.pk}/", _sponsor_form("50000001"))
    assert response.status_code == 302, _body(response)
    step = CandidateStep.objects.get(candidate=tree.candidate, kind=Step.SPONSORS)
    assert {s["member"] for s in step.data["sponsors"]} == {str(tree.own.pk), str(tree.neighbour.pk)}
    looked_up = AuditEntry.objects.filter(action=Action.SEARCHED, subject_type="member")
    assert str(tree.neighbour.pk) in set(looked_up.values_list("subject_id", flat=True))
    entry = looked_up.get(subject_id=str(tree.neighbour.pk))
    assert entry.data["candidate"] == str(tree.candidate.pk)


def test_a_district_officer_still_hears_why_a_readable_sponsor_does_not_qualify(client, at_sponsors):
    tree = at_sponsors
    _login(client, "canbo-huyen", AccessRole.OFFICER, tree.district)
    response = client.post(f"/cam-tinh-dang/{tree.candidate.pk}/", _sponsor_form("50000002"))
    assert response.status_code == 400
    assert "không sinh hoạt trong cùng tổ chức cơ sở đảng" in _body(response)


# --- uniqueness of national ID and card number: no oracle of who is a Party member -----------


def test_a_taken_national_id_or_card_number_names_no_other_record(client, tree, make_member):
    other = make_member(tree.agency, given_name="Chủsố", national_id="001090000555")
    Member.objects.filter(pk=other.pk).update(card_number="50000055")
    mine = make_member(tree.cell_a, given_name="Củatôi")
    _login(client, "canbo-xa", AccessRole.OFFICER, tree.commune)
    form = {
        "version": mine.version,
        "family_name": "Nguyễn",
        "middle_name": "Văn",
        "given_name": "Củatôi",
        "gender": "M",
        "birth_date": "17/05/1990",
        "national_id": "001090000555",
        "card_number": "50000055",
        "ethnicity": "01",
        "religion": "00",
    }
    session = client.session
    session["revealed_national_ids"] = [str(mine.pk)]
    session.save()
    response = client.post(f"/dang-vien/{mine.pk}/sua/", form)
    errors = " ".join(
        str(e) for field in ("national_id", "card_number") for e in response.context["form"].errors[field]
    )
    assert "đảng viên khác" not in errors and "001090000555" not in errors and "50000055" not in errors
    assert "Ban Tổ chức" in errors  # whom to ask
    # a candidate with the number of a member outside the scope: the same answer
    response = _post(
        client,
        f"/api/orgs/{tree.cell_a.pk}/candidates",
        {
            "family_name": "Lý",
            "given_name": "Mai",
            "gender": "F",
            "birth_date": "1990-05-17",
            "ethnicity": "01",
            "general_education": "upper_secondary",
            "national_id": "001090000555",
            "listed_on": "2025-01-06",
        },
    )
    assert response.status_code in (201, 422)
    assert "001090000555" not in _body(response) and "đảng viên khác" not in _body(response)
    mine.refresh_from_db()
    assert mine.national_id != "001090000555" and mine.card_number != "50000055"


# --- readmission and other writes naming a destination ------------------------------------------


@pytest.fixture
def resigned(tree, make_member):
    member = make_member(tree.cell_a, given_name="Đãra")
    member_resign(
        member=member, on=date(2020, 1, 10), decision=DecisionRef(number="1-QĐ", on=date(2020, 1, 10))
    )
    member.refresh_from_db()
    return member


def test_readmission_into_a_cell_outside_the_actors_scope_is_refused(client, tree, resigned):
    _login(client, "canbo-xa", AccessRole.OFFICER, tree.commune)
    response = _post(
        client,
        f"/api/members/{resigned.pk}/standing",
        {
            "action": "readmitted",
            "effective_on": "2024-03-01",
            "vote_on": "2024-02-01",
            "decision_no": "5-QĐ",
            "decision_on": "2024-02-20",
            "org_code": tree.agency.code,
            "provincial_consent": "12-CV/TU",
            "hardship": True,
        },
    )
    assert response.status_code == 422, _body(response)
    assert "Chi bộ Cơ quan Một" not in _body(response)
    resigned.refresh_from_db()
    assert resigned.org_id == tree.cell_a.pk and resigned.status == MemberStatus.RESIGNED
    response = client.post(
        f"/dang-vien/{resigned.pk}/tinh-trang/ket-nap-lai/",
        {
            "cell_code": tree.agency.code,
            "vote_on": "01/02/2024",
            "decision_no": "5-QĐ",
            "decision_on": "20/02/2024",
            "ceremony_on": "01/03/2024",
            "provincial_consent": "12-CV/TU",
            "hardship": "on",
        },
    )
    assert response.status_code == 400
    resigned.refresh_from_db()
    assert resigned.org_id == tree.cell_a.pk and resigned.status == MemberStatus.RESIGNED


def test_a_temporary_host_outside_the_scope_is_not_written_into(client, tree, make_member):
    member = make_member(tree.cell_a, given_name="Đitạm")
    _login(client, "canbo-xa", AccessRole.OFFICER, tree.commune)
    response = _post(
        client,
        f"/api/members/{member.pk}/standing",
        {
            "action": "temp_transfer",
            "effective_on": "2025-01-02",
            "until": "2025-08-01",
            "purpose": "work",
            "org_code": tree.agency.code,
        },
    )
    assert response.status_code == 422, _body(response)
    member.refresh_from_db()
    assert member.host_org_id is None


# --- the national ID on the edit form, and in the trail of searches ------------------------------


def test_the_edit_form_shows_the_national_id_masked_and_a_change_needs_the_audited_reveal(
    client, tree, make_member
):
    member = make_member(tree.cell_a, given_name="Sửaso", national_id="001090000321")
    _login(client, "canbo-xa", AccessRole.OFFICER, tree.commune)
    page = _body(client.get(f"/dang-vien/{member.pk}/sua/"))
    assert "001090000321" not in page and "•••••••••321" in page
    form = {
        "version": member.version,
        "family_name": member.family_name,
        "middle_name": member.middle_name,
        "given_name": "Sửasố",
        "gender": "M",
        "birth_date": "17/05/1990",
        "national_id": "•••••••••321",
        "card_number": "",
        "ethnicity": "01",
        "religion": "00",
    }
    response = client.post(f"/dang-vien/{member.pk}/sua/", form)  # the masked value kept: no change
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.national_id == "001090000321" and member.given_name == "Sửasố"
    form.update(version=member.version, national_id="001090000456")
    response = client.post(f"/dang-vien/{member.pk}/sua/", form)  # a new number before any reveal
    assert response.status_code == 400 and "Hiện số đầy đủ" in _body(response)
    member.refresh_from_db()
    assert member.national_id == "001090000321"
    assert client.post(f"/dang-vien/{member.pk}/so-dinh-danh/").status_code == 200
    assert "001090000321" in _body(client.get(f"/dang-vien/{member.pk}/sua/"))  # revealed: audited
    response = client.post(f"/dang-vien/{member.pk}/sua/", form)
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.national_id == "001090000456"


def test_a_search_by_national_id_keeps_only_a_masked_value_in_the_trail(client, tree, make_member):
    make_member(tree.cell_a, national_id="001090000987")
    _login(client, "canbo-xa", AccessRole.OFFICER, tree.commune)
    client.get("/dang-vien/", {"q": "001090000987"})
    client.get("/api/members/", {"q": "001090000987"})
    client.get("/dang-vien/xuat/", {"q": "001090000987", "dinh-dang": "csv"})
    rows = AuditEntry.objects.filter(action__in=[Action.SEARCHED, Action.EXPORTED])
    assert rows.count() >= 3
    assert "001090000987" not in json.dumps(list(rows.values_list("data", flat=True)))
