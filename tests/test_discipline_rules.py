"""Discipline of members (RULES.md §5, §6): the pure rules, no database."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest

from dangbo.rules.base import REGISTRY
from dangbo.rules.discipline import (
    BADGE_DEFERRAL_MONTHS,
    DISCIPLINE_AUTHORITY,
    FULL,
    LIMITATION_YEARS,
    PROBATIONARY,
    Authority,
    DeferralGround,
    Form,
    Stage,
    authority_for,
    badge_deferred_until,
    check_authority,
    check_badge_after_discipline,
    check_deferral,
    check_discipline,
    check_discipline_vote,
    check_form,
    check_limitation,
    decision_effective_on,
    forms_allowed,
    limitation_ends_on,
)
from dangbo.rules.votes import approvals_needed, approvals_needed_more_than

ON = date(2026, 3, 10)


def messages(violations) -> str:
    return " | ".join(str(v) for v in violations)


# --- forms -------------------------------------------------------------------------------------


def test_forms_are_ordered_by_severity_with_vietnamese_labels():
    assert Form.ORDER == ("reprimand", "warning", "dismissal", "expulsion")
    assert [Form.severity(f) for f in Form.ORDER] == [0, 1, 2, 3]
    assert Form.LABELS == {
        "reprimand": "Khiển trách",
        "warning": "Cảnh cáo",
        "dismissal": "Cách chức",
        "expulsion": "Khai trừ",
    }
    assert sorted(["expulsion", "reprimand", "dismissal", "warning"], key=Form.severity) == list(Form.ORDER)


def test_probationary_members_only_reprimand_or_warning():
    assert forms_allowed(PROBATIONARY, holds_position=True, on=ON) == ("reprimand", "warning")
    assert check_form("warning", PROBATIONARY, False, ON) == []
    found = messages(check_form("expulsion", PROBATIONARY, False, ON))
    assert "Không thể kỷ luật khai trừ đảng viên dự bị: chỉ áp dụng khiển trách, cảnh cáo" in found
    assert "Điều 35" in found and "Quy định 69-QĐ/TW" in found


def test_full_members_all_four_but_dismissal_only_with_a_position():
    assert forms_allowed(FULL, holds_position=True, on=ON) == Form.ORDER
    assert forms_allowed(FULL, holds_position=False, on=ON) == ("reprimand", "warning", "expulsion")
    assert check_form("dismissal", FULL, True, ON) == []
    assert check_form("expulsion", FULL, False, ON) == []
    assert "đang giữ chức vụ" in messages(check_form("dismissal", FULL, False, ON))


def test_unknown_form_or_status_is_refused():
    assert "Không có hình thức kỷ luật «giai_tan»" in messages(check_form("giai_tan", FULL, False, ON))
    assert "dự bị hoặc chính thức" in messages(check_form("warning", "died", False, ON))


def test_forms_rule_before_qd_69_cites_the_charter_only():
    [violation] = check_form("expulsion", PROBATIONARY, False, date(2020, 1, 1))
    assert "Điều 35" in violation.citation and "69-QĐ/TW" not in violation.citation


# --- votes -------------------------------------------------------------------------------------


def test_more_than_half_is_strict_and_leaves_approvals_needed_alone():
    assert approvals_needed_more_than(Fraction(1, 2), 10) == 6
    assert approvals_needed_more_than(Fraction(1, 2), 9) == 5
    assert approvals_needed_more_than(Fraction(1, 2), 4) == 3
    assert approvals_needed_more_than(Fraction(1, 2), 1) == 1
    assert approvals_needed(Fraction(1, 2), 10) == 5  # the existing "at least" helper is unchanged
    assert approvals_needed(Fraction(2, 3), 9) == 6


@pytest.mark.parametrize("form", ["reprimand", "warning", "dismissal"])
@pytest.mark.parametrize("stage", ["propose", "decide"])
def test_reprimand_warning_dismissal_need_strictly_more_than_half(form, stage):
    # Even denominator: exactly half does not carry.
    assert check_discipline_vote(form, ON, 6, 10, stage) == []
    found = messages(check_discipline_vote(form, ON, 5, 10, stage))
    assert "5/10 tán thành, chưa đủ trên 1/2" in found and "(cần ít nhất 6)" in found and "Điều 15" in found
    # Odd denominator.
    assert check_discipline_vote(form, ON, 5, 9, stage) == []
    assert check_discipline_vote(form, ON, 4, 9, stage) != []


def test_expulsion_proposal_needs_two_thirds_at_least():
    assert check_discipline_vote("expulsion", ON, 6, 9, "propose") == []  # exactly 2/3
    found = messages(check_discipline_vote("expulsion", ON, 5, 9, "propose"))
    assert "Đề nghị kỷ luật khai trừ: 5/9 tán thành, chưa đủ ít nhất 2/3" in found
    assert check_discipline_vote("expulsion", ON, 7, 10, "propose") == []
    assert check_discipline_vote("expulsion", ON, 6, 10, "propose") != []  # 6/10 < 2/3


def test_expulsion_decision_needs_more_than_half_of_the_deciding_body():
    assert check_discipline_vote("expulsion", ON, 4, 7, "decide") == []
    assert check_discipline_vote("expulsion", ON, 4, 8, "decide") != []  # exactly half
    assert check_discipline_vote("expulsion", ON, 5, 8, "decide") == []


def test_vote_input_is_checked():
    assert "không có thành viên" in messages(check_discipline_vote("warning", ON, 0, 0))
    assert "từ 0 đến 5" in messages(check_discipline_vote("warning", ON, 6, 5))
    assert "Bước biểu quyết" in messages(check_discipline_vote("warning", ON, 3, 5, "approve"))
    assert "Không có hình thức" in messages(check_discipline_vote("dissolution", ON, 3, 5))


# --- authority ---------------------------------------------------------------------------------


def test_the_cell_reprimands_and_warns_but_does_not_dismiss_or_expel():
    assert authority_for("reprimand") == {"cell", "grassroots_committee", "superior_committee"}
    assert authority_for("warning", ON) == {"cell", "grassroots_committee", "superior_committee"}
    assert authority_for("dismissal") == {"grassroots_committee", "superior_committee"}
    assert authority_for("expulsion") == {"grassroots_committee", "superior_committee"}
    assert check_authority("warning", Authority.CELL) == []
    assert check_authority("expulsion", Authority.SUPERIOR_COMMITTEE) == []
    found = messages(check_authority("dismissal", Authority.CELL, ON))
    assert "Chi bộ không có thẩm quyền kỷ luật cách chức" in found and "Quy định 296-QĐ/TW" in found


def test_the_cell_committee_has_no_disciplinary_power():
    assert "Chi ủy không có quyền thi hành kỷ luật" in messages(
        check_authority("reprimand", Authority.CELL_COMMITTEE)
    )
    assert all(Authority.CELL_COMMITTEE not in authority_for(f) for f in Form.ORDER)


def test_unknown_authority_or_form():
    assert "«province» không có thẩm quyền" in messages(check_authority("warning", "province"))
    assert "Không có hình thức" in messages(check_authority("dissolution", Authority.CELL))
    assert authority_for("dissolution") == set()


def test_authority_rests_on_a_secondary_source():
    assert all(not v.confirmed for v in DISCIPLINE_AUTHORITY.versions)


# --- effective date ----------------------------------------------------------------------------


def test_a_cell_decision_takes_effect_when_announced_others_on_the_decision_date():
    vote, decided = date(2026, 3, 10), date(2026, 3, 20)
    assert decision_effective_on(Authority.CELL, vote, decided) == vote
    assert decision_effective_on(Authority.GRASSROOTS_COMMITTEE, vote, decided) == decided
    assert decision_effective_on(Authority.SUPERIOR_COMMITTEE, vote) == vote


# --- limitation --------------------------------------------------------------------------------


def test_reprimand_level_limitation_is_five_calendar_years():
    act = date(2020, 3, 10)
    assert limitation_ends_on("reprimand", act, ON) == date(2025, 3, 10)
    assert check_limitation("reprimand", act, date(2025, 3, 10)) == []  # exactly 5 years
    found = messages(check_limitation("reprimand", act, date(2025, 3, 11)))
    assert (
        "Đã hết thời hiệu xử lý kỷ luật" in found
        and "thời hiệu 5 năm" in found
        and "hết ngày 10/03/2025" in found
    )
    assert "Quy định 69-QĐ/TW ngày 6/7/2022, Điều 4" in found


@pytest.mark.parametrize("form", ["warning", "dismissal"])
def test_warning_and_dismissal_level_limitation_is_ten_years(form):
    act = date(2015, 3, 10)
    assert check_limitation(form, act, date(2025, 3, 10)) == []
    assert "thời hiệu 10 năm" in messages(check_limitation(form, act, date(2025, 3, 11)))


def test_leap_day_acts_end_on_28_february():
    assert limitation_ends_on("reprimand", date(2020, 2, 29), ON) == date(2025, 2, 28)
    assert check_limitation("reprimand", date(2020, 2, 29), date(2025, 3, 1)) != []


def test_no_limitation_for_expulsion_level_or_exempt_matters():
    assert limitation_ends_on("expulsion", date(1990, 1, 1), ON) is None
    assert check_limitation("expulsion", date(1990, 1, 1), ON) == []
    assert check_limitation("reprimand", date(2000, 1, 1), ON, exempt_matter=True) == []


def test_a_new_violation_within_the_period_restarts_it():
    act = date(2018, 1, 1)
    assert check_limitation("reprimand", act, date(2024, 6, 1)) != []
    assert check_limitation("reprimand", act, date(2024, 6, 1), new_violation_on=date(2022, 1, 1)) == []
    # A "new" violation after the period ended cannot revive the old one.
    assert check_limitation("reprimand", act, date(2024, 6, 1), new_violation_on=date(2023, 6, 1)) != []


def test_limitation_under_qd_102_cites_it_and_an_act_after_the_decision_is_refused():
    [violation] = check_limitation("reprimand", date(2014, 1, 1), date(2020, 1, 1))
    assert "Quy định 102-QĐ/TW" in violation.citation
    assert "không thể sau ngày quyết định" in messages(check_limitation("reprimand", date(2026, 4, 1), ON))
    assert "Không có hình thức" in messages(check_limitation("dissolution", date(2026, 1, 1), ON))


# --- deferral ----------------------------------------------------------------------------------


def test_no_deferral_ground_passes():
    assert check_deferral(None) == []
    assert check_deferral("") == []


@pytest.mark.parametrize("ground", ["pregnant", "nursing", "hospital"])
def test_deferral_grounds_hold_the_matter(ground):
    [violation] = check_deferral(ground, ON)
    assert "Chưa xem xét, xử lý kỷ luật" in violation.message
    assert DeferralGround.LABELS[ground].lower() in violation.message
    assert "Quy định 296-QĐ/TW" in violation.citation and violation.details == {"ground": ground}


def test_unknown_deferral_ground():
    assert "Không có lý do hoãn" in messages(check_deferral("travel"))


# --- badge after discipline --------------------------------------------------------------------


def test_badge_waits_6_9_12_months():
    effective = date(2025, 8, 31)
    assert badge_deferred_until("reprimand", effective) == date(2026, 2, 28)
    assert badge_deferred_until("warning", effective) == date(2026, 5, 31)
    assert badge_deferred_until("dismissal", effective) == date(2026, 8, 31)
    with pytest.raises(ValueError):
        badge_deferred_until("expulsion", effective)


def test_check_badge_after_discipline():
    effective = date(2025, 9, 2)
    assert check_badge_after_discipline("warning", effective, date(2026, 6, 2)) == []
    found = messages(check_badge_after_discipline("warning", effective, date(2026, 6, 1)))
    assert "sau 9 tháng, từ ngày 02/06/2026" in found and "Quy định 294-QĐ/TW" in found
    assert "khai trừ không được tặng" in messages(
        check_badge_after_discipline("expulsion", effective, date(2027, 1, 1))
    )


def test_badge_deferral_under_294_is_unconfirmed():
    assert BADGE_DEFERRAL_MONTHS.at(date(2024, 1, 1)).confirmed
    assert not BADGE_DEFERRAL_MONTHS.at(date(2025, 7, 1)).confirmed
    assert not LIMITATION_YEARS.at(date(2023, 1, 1)).confirmed


# --- everything at once ------------------------------------------------------------------------


def case(**overrides) -> dict:
    values = {
        "form": "warning",
        "status": FULL,
        "holds_position": False,
        "authority": Authority.CELL,
        "act_on": date(2025, 10, 1),
        "vote_on": ON,
        "approvals": 4,
        "denominator": 7,
    }
    values.update(overrides)
    return values


def test_a_sound_cell_warning_passes():
    assert check_discipline(**case()) == []


def test_a_cell_proposing_expulsion_is_checked_on_the_proposal_share_not_on_authority():
    assert check_discipline(**case(form="expulsion", stage=Stage.PROPOSE, approvals=5, denominator=7)) == []
    assert "chưa đủ ít nhất 2/3" in messages(
        check_discipline(**case(form="expulsion", stage=Stage.PROPOSE, approvals=4, denominator=7))
    )


def test_every_violation_is_returned_together():
    found = check_discipline(
        **case(
            form="dismissal",
            status=PROBATIONARY,
            act_on=date(2010, 1, 1),
            approvals=3,
            denominator=7,
            deferral_ground="pregnant",
            decided_on=date(2026, 3, 1),
        )
    )
    rules = {v.rule for v in found}
    assert rules == {
        "discipline.forms_by_status",
        "discipline.deferral",
        "discipline.limitation_years",
        "discipline.vote_share",
        "discipline.authority",
    }
    assert "không thể trước ngày biểu quyết" in messages(found)


def test_an_unknown_form_stops_at_the_form():
    [violation] = check_discipline(**case(form="dissolution"))
    assert violation.rule == "discipline.forms_by_status"


def test_rules_are_registered_with_titles_and_citations():
    codes = [c for c in REGISTRY if c.startswith("discipline.")]
    assert set(codes) == {
        "discipline.forms_by_status",
        "discipline.vote_share",
        "discipline.authority",
        "discipline.effective",
        "discipline.limitation_years",
        "discipline.deferral",
        "discipline.badge_deferral_months",
    }
    for code in codes:
        rule = REGISTRY[code]
        assert rule.title and all(v.citation for v in rule.versions)
