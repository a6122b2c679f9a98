from datetime import date

import pytest

from conftest import identity, refused_on
from dangbo.core.decisions import DecisionRef
from dangbo.members.models import Member, MemberEvent, MemberStatus, Placement
from dangbo.members.services.recognition import member_recognize
from dangbo.members.services.records import member_admit
from dangbo.rules.base import RuleViolation


def _admit(cell, on=date(2020, 3, 1), **fields):
    return member_admit(
        identity=identity(**fields),
        cell=cell,
        decision=DecisionRef("12-QĐ/ĐU", on, "Đảng ủy xã"),
        ceremony_on=on,
    )


def _refused(cell, **kwargs):
    before = (Member.objects.count(), MemberEvent.objects.count(), Placement.objects.count())
    with pytest.raises(RuleViolation) as refused:
        _admit(cell, **kwargs)
    assert (Member.objects.count(), MemberEvent.objects.count(), Placement.objects.count()) == before
    return refused.value.violations


def test_admission_creates_a_probationary_member_in_the_cell(tree):
    member = _admit(tree.cell_a, national_id="010090001234", card_number="12345678")
    member.refresh_from_db()
    assert member.status == MemberStatus.PROBATIONARY
    assert member.org_id == tree.cell_a.pk and member.org_path == tree.cell_a.path
    assert member.admitted_on == date(2020, 3, 1)
    assert member.search_key == "nguyen van duc"
    event = member.events.get()
    assert event.kind == "admitted" and event.decision_no == "12-QĐ/ĐU"
    assert "Quy định 29-QĐ/TW" in event.rule_version  # the regulation in force in March 2020


def test_recognition_is_dated_twelve_months_after_the_ceremony(tree):
    member = _admit(tree.cell_a, on=date(2020, 3, 15))
    member_recognize(member=member, decision=DecisionRef("20-QĐ/ĐU", date(2021, 5, 2)))
    member.refresh_from_db()
    assert member.status == MemberStatus.FULL
    assert member.full_on == date(2021, 3, 15)  # the end of probation, though the decision came later


@pytest.mark.parametrize(
    "national_id",
    [
        "01009000123",  # 11 digits
        "0100900012AB",  # not digits
        "003090001234",  # 003 is no province code
        "010190001234",  # digit 4 = 1: a woman born in the 1900s
        "010085001234",  # 1985, but born 1990
    ],
)
def test_a_malformed_national_id_is_refused_with_its_citation(tree, national_id):
    violations = _refused(tree.cell_a, national_id=national_id)
    assert refused_on(violations) == [("identity.national_id", "national_id")]
    assert all("Thông tư 07/2016/TT-BCA" in v.citation for v in violations if v.field == "national_id")


@pytest.mark.parametrize("card", ["1234567", "123456789", "1234567a"])
def test_a_card_number_of_the_wrong_length_is_refused(tree, card):
    violations = _refused(tree.cell_a, card_number=card)
    assert refused_on(violations) == [("identity.card_number", "card_number")]


def test_an_applicant_under_eighteen_by_month_is_refused(tree):
    violations = _refused(tree.cell_a, birth_date=date(2002, 3, 2))  # 17 years 11 months on 1/3/2020
    assert refused_on(violations) == [("admission.age", "birth_date")]
    assert violations[0].details == {"age_months": 17 * 12 + 11}
    assert "Điều lệ Đảng" in violations[0].citation


def test_eighteen_to_the_day_is_accepted(tree):
    assert _admit(tree.cell_a, birth_date=date(2002, 3, 1)).status == MemberStatus.PROBATIONARY


def test_over_sixty_needs_the_provincial_decision(tree):
    violations = _refused(tree.cell_a, birth_date=date(1959, 1, 1))
    assert refused_on(violations) == [("admission.age", "over_age_approval")]
    member = member_admit(
        identity=identity(birth_date=date(1959, 1, 1)),
        cell=tree.cell_a,
        decision=DecisionRef("5-QĐ/ĐU", date(2020, 3, 1)),
        ceremony_on=date(2020, 3, 1),
        over_age_approval="123-QĐ/TU ngày 1/2/2020 của Ban Thường vụ Tỉnh ủy",
    )
    assert member.events.get().data["over_age_approval"].startswith("123-QĐ/TU")


def test_the_rule_version_follows_the_vote_date(tree):
    member = _admit(tree.cell_a, on=date(2025, 8, 1))
    assert "Quy định 294-QĐ/TW" in member.events.get().rule_version


def test_members_are_admitted_only_into_cells(tree):
    violations = _refused(tree.commune)
    assert refused_on(violations) == [("org.member_holding_kinds", "org")]


def test_unknown_codes_and_missing_names_are_all_reported(tree):
    violations = _refused(tree.cell_a, ethnicity="99", given_name="", theory_level="phd")
    assert refused_on(violations) == [
        ("input", "given_name"),
        ("input", "ethnicity"),
        ("input", "theory_level"),
    ]


def test_a_national_id_can_belong_to_one_member_only(tree):
    _admit(tree.cell_a, national_id="010090001234")
    violations = _refused(tree.cell_b, national_id="010 090 001 234")
    assert refused_on(violations) == [("input", "national_id")]  # already another member's
