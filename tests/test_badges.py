"""Party age and Party badges (RULES.md §6): the rule, the service, the lists, the pages."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth.models import User

from conftest import refused_on
from dangbo.accounts.models import AccessRole
from dangbo.accounts.services import role_grant
from dangbo.core.decisions import DecisionRef
from dangbo.members import ledger
from dangbo.members.selectors.badges import badge_list
from dangbo.members.services.badges import member_award_badge
from dangbo.members.services.records import member_record_death
from dangbo.rules.badges import BadgeClaim, Ground, award_days_around, check_badge_award, party_age_years
from dangbo.rules.base import RuleViolation

ON = date(2026, 9, 2)
DECISION = DecisionRef(number="15-QĐ/ĐU", on=date(2026, 8, 20), body="Đảng ủy xã Một")


def claim(**overrides) -> BadgeClaim:
    values = {
        "years": 30,
        "awarded_on": ON,
        "ground": Ground.REGULAR,
        "party_age_from": date(1996, 6, 10),
        "already_years": None,
        "in_party": True,
        "died_on": None,
    }
    values.update(overrides)
    return BadgeClaim(**values)


def messages(violations) -> str:
    return " | ".join(str(v) for v in violations)


def test_a_member_who_has_reached_the_milestone_qualifies():
    assert check_badge_award(claim()) == []
    assert check_badge_award(claim(party_age_from=date(1996, 9, 2))) == []  # reached on the award day itself


def test_before_the_milestone_is_refused_with_the_citation():
    found = messages(check_badge_award(claim(party_age_from=date(1996, 9, 3))))
    assert "chưa đủ 30 năm tuổi đảng (đủ vào ngày 03/09/2026)" in found and "Hướng dẫn 01-HD/TW" in found


def test_only_the_listed_milestones_exist():
    assert "chỉ có các mốc 30, 40, 45" in messages(check_badge_award(claim(years=35)))


def test_serious_illness_allows_12_months_early_up_to_65_years_and_24_from_70():
    assert (
        check_badge_award(claim(ground=Ground.ILLNESS, party_age_from=date(1997, 9, 2))) == []
    )  # 12 months early
    assert "không quá 12 tháng" in messages(
        check_badge_award(claim(ground=Ground.ILLNESS, party_age_from=date(1997, 9, 3)))
    )
    assert (
        check_badge_award(claim(years=70, ground=Ground.ILLNESS, party_age_from=date(1958, 9, 2))) == []
    )  # 24 months
    assert "không quá 24 tháng" in messages(
        check_badge_award(claim(years=70, ground=Ground.ILLNESS, party_age_from=date(1958, 9, 3)))
    )


def test_posthumous_award_up_to_12_months_early_only_for_the_dead():
    dead = {"ground": Ground.POSTHUMOUS, "in_party": False, "died_on": date(2026, 3, 1)}
    assert check_badge_award(claim(party_age_from=date(1997, 3, 1), **dead)) == []
    assert "còn thiếu hơn 12 tháng" in messages(
        check_badge_award(claim(party_age_from=date(1997, 3, 2), **dead))
    )
    assert "đã từ trần" in messages(check_badge_award(claim(ground=Ground.POSTHUMOUS)))


def test_a_badge_already_awarded_is_not_awarded_again():
    assert "đã được tặng Huy hiệu 30" in messages(check_badge_award(claim(already_years=30)))
    assert check_badge_award(claim(years=40, party_age_from=date(1986, 1, 1), already_years=30)) == []


def test_award_dates_and_party_age_in_whole_years():
    assert award_days_around(date(2026, 11, 25)) == (date(2026, 11, 7), date(2027, 2, 3))
    assert award_days_around(date(2026, 9, 2)) == (date(2026, 5, 19), date(2026, 9, 2))
    assert party_age_years(date(1996, 6, 10), date(2026, 6, 9)) == 29
    assert party_age_years(date(1996, 6, 10), date(2026, 6, 10)) == 30


# --- the service and the ledger -------------------------------------------------------------


@pytest.fixture
def veteran(tree, make_member):
    return make_member(
        tree.cell_a, admitted_on=date(1990, 5, 10), birth_date=date(1962, 1, 1), given_name="Cựu"
    )


def test_award_is_written_to_the_ledger_and_the_projection(veteran, frozen_today):
    frozen_today(date(2026, 11, 20))  # after the award day of 2/9/2026
    member_award_badge(
        member=veteran,
        years=30,
        awarded_on=date(2020, 9, 2),
        decision=DecisionRef(number="1", on=date(2020, 8, 1)),
    )
    veteran.refresh_from_db()
    assert veteran.badge_years == 30 and veteran.party_age_from == date(1990, 5, 10)
    assert ledger.projection_matches_replay(veteran)
    with pytest.raises(RuleViolation) as refused:  # the 30-year badge again
        member_award_badge(
            member=veteran, years=30, awarded_on=date(2021, 2, 3), decision=DecisionRef(on=date(2021, 1, 1))
        )
    assert refused.value.codes == ["badge.milestones"]
    with pytest.raises(RuleViolation) as refused:  # 40 years before the party age reaches 40
        member_award_badge(
            member=veteran,
            years=40,
            awarded_on=date(2026, 9, 2),
            decision=DecisionRef(on=date(2025, 8, 1)),
        )
    assert refused.value.codes == ["badge.milestones"]
    veteran.refresh_from_db()
    assert veteran.badge_years == 30  # nothing half-written


def test_posthumous_award_after_death(veteran):
    member_record_death(member=veteran, died_on=date(2020, 1, 5))
    member_award_badge(
        member=veteran,
        years=30,
        awarded_on=date(2020, 2, 3),
        ground=Ground.POSTHUMOUS,
        decision=DecisionRef(on=date(2020, 1, 20)),
    )
    veteran.refresh_from_db()
    assert veteran.badge_years == 30 and ledger.projection_matches_replay(veteran)


def test_bad_input_is_refused_and_nothing_is_written(veteran):
    with pytest.raises(RuleViolation) as refused:
        member_award_badge(
            member=veteran, years=30, awarded_on=date(2020, 9, 2), ground="khac", decision=DecisionRef()
        )
    assert refused_on(refused) == [("input", "ground"), ("input", "decision_on")]
    veteran.refresh_from_db()
    assert veteran.badge_years is None


# --- the lists --------------------------------------------------------------------------------


@pytest.fixture
def cohort(tree, make_member):
    born = date(1960, 1, 1)
    people = {
        "due30": make_member(
            tree.cell_a, admitted_on=date(1996, 6, 10), birth_date=born, given_name="Đếnhạn"
        ),
        "due40": make_member(
            tree.cell_b, admitted_on=date(1986, 7, 1), birth_date=born, given_name="Bốnmươi"
        ),
        "early": make_member(tree.cell_a, admitted_on=date(1996, 10, 1), birth_date=born, given_name="Sớm"),
        "late": make_member(tree.cell_a, admitted_on=date(1998, 1, 1), birth_date=born, given_name="Chưađến"),
        "before": make_member(
            tree.cell_a, admitted_on=date(1996, 3, 1), birth_date=born, given_name="Đợttrước"
        ),
        "dead": make_member(
            tree.cell_b, admitted_on=date(1995, 12, 1), birth_date=born, given_name="Truytặng"
        ),
        "outside": make_member(
            tree.agency, admitted_on=date(1996, 6, 10), birth_date=born, given_name="Ngoài"
        ),
    }
    member_record_death(member=people["dead"], died_on=date(2025, 6, 15))
    return people


def test_lists_for_an_award_date(tree, cohort):
    from dangbo.accounts.scope import scope_for

    admin = User.objects.create_superuser("quantri", password="x-mat-khau-1")
    lists = badge_list(actor=scope_for(admin), org=tree.commune, award_on=ON)
    due = {(c.member.given_name, c.years) for c in lists.due}
    assert due == {("Đếnhạn", 30), ("Bốnmươi", 40)}
    assert {(c.member.given_name, c.years) for c in lists.early} == {("Sớm", 30)}
    assert lists.posthumous == []  # died before the previous award date (19/5/2026)
    lists = badge_list(actor=scope_for(admin), org=tree.commune, award_on=date(2025, 9, 2))
    assert [(c.member.given_name, c.years, c.ground) for c in lists.posthumous] == [
        ("Truytặng", 30, Ground.POSTHUMOUS)
    ]


def test_an_awarded_member_leaves_the_list(tree, cohort):
    from dangbo.accounts.scope import scope_for

    admin = User.objects.create_superuser("quantri", password="x-mat-khau-1")
    member_award_badge(
        member=cohort["due30"],
        years=30,
        awarded_on=date(2026, 6, 10),
        decision=DecisionRef(on=date(2026, 6, 1)),
    )
    due = {c.member.given_name for c in badge_list(actor=scope_for(admin), org=tree.commune, award_on=ON).due}
    assert due == {"Bốnmươi"}


# --- the pages ------------------------------------------------------------------------------


@pytest.fixture
def officer(tree):
    user = User.objects.create_user("canbo", password="mat-khau-dai-du-1")
    role_grant(user=user, role=AccessRole.OFFICER, org=tree.commune)
    return user


def test_badge_page_lists_exports_and_records(client, tree, cohort, officer):
    client.force_login(officer)
    html = client.get(f"/to-chuc/{tree.commune.pk}/huy-hieu/", {"ngay": "02/09/2026"}).content.decode()
    assert (
        "Đếnhạn" in html
        and "Bốnmươi" in html
        and "Sớm" in html
        and "Ngoài" not in html
        and "Chưađến" not in html
    )
    assert "Hướng dẫn 01-HD/TW" in html
    csv = b"".join(
        client.get(
            f"/to-chuc/{tree.commune.pk}/huy-hieu/", {"ngay": "02/09/2026", "dinh-dang": "csv"}
        ).streaming_content
    ).decode()
    assert "Đếnhạn" in csv and "Đến hạn" in csv and "Tặng sớm nếu bệnh nặng" in csv
    assert client.get(f"/to-chuc/{tree.commune.pk}/huy-hieu/", {"ngay": "31/02/2026"}).status_code == 400
    assert client.get(f"/to-chuc/{tree.agency.pk}/huy-hieu/").status_code == 404

    member = cohort["due30"]
    refused = client.post(
        f"/dang-vien/{member.pk}/huy-hieu/",
        {"years": 40, "ground": "regular", "awarded_on": "10/06/2026", "decision_on": "01/06/2026"},
    )
    assert refused.status_code == 400 and "chưa đủ 40 năm tuổi đảng" in refused.content.decode()
    response = client.post(
        f"/dang-vien/{member.pk}/huy-hieu/",
        {
            "years": 30,
            "ground": "regular",
            "awarded_on": "10/06/2026",
            "decision_no": "15-QĐ/ĐU",
            "decision_on": "01/06/2026",
        },
    )
    assert response.status_code == 302
    profile = client.get(f"/dang-vien/{member.pk}/").content.decode()
    assert "Tặng Huy hiệu Đảng" in profile and "30 năm tuổi đảng" in profile and "15-QĐ/ĐU" in profile


def test_a_leader_sees_the_list_but_cannot_record(client, tree, cohort):
    leader = User.objects.create_user("lanhdao", password="mat-khau-dai-du-1")
    role_grant(user=leader, role=AccessRole.LEADER, org=tree.commune)
    client.force_login(leader)
    html = client.get(f"/to-chuc/{tree.commune.pk}/huy-hieu/", {"ngay": "02/09/2026"}).content.decode()
    assert "Đếnhạn" in html and "Ghi nhận tặng" not in html
    assert client.get(f"/dang-vien/{cohort['due30'].pk}/huy-hieu/").status_code == 404


# --- command line and API ---------------------------------------------------------------------


def test_badges_command_lists_who_and_why(tree, cohort, capsys):
    import json

    from dangbo.cli import main

    assert main(["badges", "--org", "X1", "--date", "2026-09-02", "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert {(r["name"].split()[-1], r["years"]) for r in out["due"]} == {("Đếnhạn", 30), ("Bốnmươi", 40)}
    assert out["due"][0]["why"].startswith("Đủ tuổi đảng: đủ") and "Hướng dẫn" in out["citation"]
    assert [r["name"].split()[-1] for r in out["early_if_seriously_ill"]] == ["Sớm"]
    assert main(["badges", "--org", "X1", "--date", "2026-09-02"]) == 0
    text = capsys.readouterr().out
    assert "Đến hạn: 2" in text and "Đếnhạn" in text and "Căn cứ:" in text
    assert main(["badges", "--date", "2026-13-01"]) == 2
    assert main(["badges", "--org", "KHONGCO", "--date", "2026-09-02"]) == 2


def test_badges_through_the_api(client, tree, cohort, officer):
    client.force_login(officer)
    body = client.get(f"/api/orgs/{tree.commune.pk}/badges", {"award_on": "2026-09-02"}).json()
    assert {c["member_name"].split()[-1] for c in body["due"]} == {"Đếnhạn", "Bốnmươi"}
    assert client.get(f"/api/orgs/{tree.agency.pk}/badges").status_code == 404
    member = cohort["due30"]
    refused = client.post(
        f"/api/members/{member.pk}/badges",
        {"years": 40, "awarded_on": "2026-06-10", "decision_on": "2026-06-01"},
        content_type="application/json",
    )
    assert refused.status_code == 422 and "chưa đủ 40" in refused.json()["errors"]["years"][0]
    made = client.post(
        f"/api/members/{member.pk}/badges",
        {"years": 30, "awarded_on": "2026-06-10", "decision_on": "2026-06-01"},
        content_type="application/json",
    )
    assert made.status_code == 201 and made.json()["kind"] == "badge_awarded"
    member.refresh_from_db()
    assert member.badge_years == 30
