"""Leaving the Party, readmission, exemption and time away (RULES.md §2.3–§2.6): pure rules."""

from __future__ import annotations

from datetime import date

import pytest

from dangbo.rules.base import REGISTRY
from dangbo.rules.exits import (
    EXEMPTION_GROUNDS,
    PROBATION_FAILED,
    READMISSION,
    READMISSION_BARRED,
    READMISSION_BARRED_REASONS,
    RESTORATION,
    STRIKE_OFF,
    STRIKE_OFF_GROUNDS,
    TEMPORARY_PURPOSES,
    ExemptionGround,
    LeftReason,
    Route,
    StrikeOffGround,
    check_exemption,
    check_readmission,
    check_resignation,
    check_strike_off,
    check_temporary_transfer,
    exemption_decider,
    left_reason_is_barred,
    working_away_route,
)

ON = date(2026, 3, 10)
CONSENT = "125-CV/TU ngày 2/3/2026"


def messages(violations) -> str:
    return " | ".join(str(v) for v in violations)


# --- striking off ------------------------------------------------------------------------------


def test_grounds_have_codes_and_vietnamese_labels():
    assert set(StrikeOffGround.LABELS) == {
        "missed_meetings_or_dues",
        "returned_card",
        "lost_will",
        "standing_violation_two_years",
        "political_standard",
        "probation_failed",
    }
    assert "3 tháng trong năm" in StrikeOffGround.LABELS["missed_meetings_or_dues"]
    assert STRIKE_OFF_GROUNDS == StrikeOffGround.LABELS and PROBATION_FAILED == "probation_failed"
    assert STRIKE_OFF.at(ON).value == frozenset(StrikeOffGround.MEMBER_GROUNDS)
    assert STRIKE_OFF.at(date(2023, 1, 1)).confirmed and not STRIKE_OFF.at(ON).confirmed


def test_missed_meetings_or_dues_three_months():
    assert check_strike_off("missed_meetings_or_dues", ON, months_missed=3) == []
    found = messages(check_strike_off("missed_meetings_or_dues", ON, months_missed=2))
    assert "cần đủ 3 tháng" in found and "mới 2 tháng" in found and "Quy định 01-QĐ/TW ngày 3/2/2026" in found
    assert check_strike_off("missed_meetings_or_dues", ON) == []  # the cell's resolution established it
    [violation] = check_strike_off("missed_meetings_or_dues", date(2023, 1, 1), months_missed=1)
    assert violation.citation.startswith("Điều lệ Đảng (Đại hội XI, 2011), Điều 8; Quy định 24-QĐ/TW")


def test_lost_will_after_12_months_of_education():
    assert check_strike_off("lost_will", ON, educated_on=date(2025, 3, 10)) == []  # exactly 12 months
    found = messages(check_strike_off("lost_will", ON, educated_on=date(2025, 3, 11)))
    assert (
        "Chưa đủ 12 tháng kể từ ngày chi bộ giáo dục (11/03/2025)" in found and "từ ngày 11/03/2026" in found
    )
    assert check_strike_off("lost_will", ON) == []


def test_standing_violation_two_years_in_a_row():
    assert check_strike_off("standing_violation_two_years", ON, violation_years=2) == []
    assert "cần 2 năm liền (mới 1 năm)" in messages(
        check_strike_off("standing_violation_two_years", ON, violation_years=1)
    )
    assert check_strike_off("standing_violation_two_years", ON) == []


def test_grounds_without_a_count_pass_on_their_own():
    assert check_strike_off("returned_card", ON) == []
    assert check_strike_off("political_standard", ON) == []


def test_the_cell_proceeds_without_the_member_only_after_the_third_request():
    assert check_strike_off("returned_card", ON, requests_made=3) == []
    found = messages(check_strike_off("returned_card", ON, requests_made=2))
    assert "chi ủy mới yêu cầu 2 lần" in found and "lần thứ 3" in found
    assert check_strike_off("missed_meetings_or_dues", ON, requests_made=1, months_missed=4) != []


def test_probation_failed_is_for_probationary_members_and_skips_the_requests():
    assert check_strike_off("probation_failed", ON) == []
    assert check_strike_off("probation_failed", ON, requests_made=0, probationary=True) == []
    found = messages(check_strike_off("probation_failed", ON, probationary=False))
    assert "đối với đảng viên dự bị" in found and "Điều 5" in found


def test_unknown_ground_is_refused():
    assert "Không có trường hợp xóa tên «absent»" in messages(check_strike_off("absent", ON))


# --- resignation -------------------------------------------------------------------------------


def test_resignation_only_without_a_pending_violation():
    assert check_resignation(False, ON) == []
    found = messages(check_resignation(True, ON))
    assert "xử lý kỷ luật trước" in found and "Hướng dẫn 06-HD/TW" in found
    assert check_resignation(True) != []  # the latest version when no day is given
    assert "Hướng dẫn 01-HD/TW ngày 28/9/2021" in messages(check_resignation(True, date(2023, 1, 1)))


# --- readmission -------------------------------------------------------------------------------


def readmit(**overrides) -> list:
    values = {
        "left_on": date(2023, 3, 10),
        "left_reason_code": LeftReason.STRUCK_OFF,
        "vote_on": ON,
        "times_readmitted_before": 0,
        "provincial_consent": CONSENT,
    }
    values.update(overrides)
    return check_readmission(**values)


def test_readmission_after_exactly_36_months():
    assert readmit() == []  # left 10/03/2023, vote 10/03/2026: exactly 36 months
    found = messages(readmit(left_on=date(2023, 3, 11)))
    assert "Chưa đủ 36 tháng kể từ ngày ra khỏi Đảng (11/03/2023)" in found and "từ ngày 11/03/2026" in found
    assert "Quy định 294-QĐ/TW ngày 26/5/2025, mục 3.5.1" in found


def test_readmission_once_only():
    assert "một lần duy nhất" in messages(readmit(times_readmitted_before=1))


def test_readmission_needs_the_provincial_consent():
    assert "Ban Thường vụ tỉnh ủy, thành ủy" in messages(readmit(provincial_consent="  "))


def test_less_serious_crime_waits_60_months_after_expungement():
    ok = {"left_reason_code": LeftReason.LESS_SERIOUS_CRIME_CONVICTION, "left_on": date(2018, 1, 1)}
    assert readmit(**ok, expunged_on=date(2021, 3, 10)) == []  # exactly 60 months
    found = messages(readmit(**ok, expunged_on=date(2021, 3, 11)))
    assert "Chưa đủ 60 tháng kể từ ngày được xóa án tích (11/03/2021)" in found
    assert "sau khi được xóa án tích" in messages(readmit(**ok))


@pytest.mark.parametrize(
    "reason", ["quit", "disunity", "corruption_conviction", "serious_crime_conviction", "resigned"]
)
def test_barred_reasons_are_never_readmitted(reason):
    [violation] = readmit(left_reason_code=reason)
    assert violation.rule == "exit.readmission_barred" and "Không xem xét kết nạp lại" in violation.message
    assert "mục 3.5.2" in violation.citation


def test_resignation_for_extreme_family_hardship_may_be_readmitted():
    assert readmit(left_reason_code=LeftReason.RESIGNED, hardship=True) == []
    assert "hoàn cảnh gia đình đặc biệt khó khăn" in messages(readmit(left_reason_code=LeftReason.RESIGNED))


def test_struck_off_for_missing_meetings_counts_as_quitting():
    assert "tự bỏ sinh hoạt đảng" in messages(
        readmit(strike_off_ground=StrikeOffGround.MISSED_MEETINGS_OR_DUES)
    )
    assert readmit(strike_off_ground=StrikeOffGround.LOST_WILL) == []
    assert readmit(left_reason_code=LeftReason.EXPELLED) == []
    # The ground itself may be given as the reason, as the ledger stores it.
    assert "tự bỏ sinh hoạt đảng" in messages(readmit(left_reason_code="missed_meetings_or_dues"))
    assert readmit(left_reason_code="lost_will") == []
    assert readmit(left_reason_code="probation_failed") == []


def test_barred_set_and_helper():
    assert {
        "quit",
        "resigned",
        "disunity",
        "corruption_conviction",
        "serious_crime_conviction",
    } == READMISSION_BARRED_REASONS
    assert left_reason_is_barred("quit") and not left_reason_is_barred("resigned", hardship=True)
    assert not left_reason_is_barred("struck_off") and not left_reason_is_barred("expelled")
    assert left_reason_is_barred("missed_meetings_or_dues") and left_reason_is_barred(
        "struck_off", strike_off_ground="missed_meetings_or_dues"
    )


def test_readmission_input_errors_and_everything_together():
    assert "Không rõ lý do" in messages(readmit(left_reason_code="moved"))
    assert "phải sau ngày ra khỏi Đảng" in messages(readmit(left_on=ON))
    found = readmit(
        left_reason_code="disunity",
        left_on=date(2025, 1, 1),
        times_readmitted_before=1,
        provincial_consent="",
    )
    assert len(found) == 4


def test_readmission_versions():
    assert READMISSION.at(date(2023, 1, 1)).confirmed and READMISSION.at(ON).confirmed
    assert not READMISSION.at(date(2025, 3, 1)).confirmed  # QĐ 232 period
    assert not READMISSION_BARRED.at(date(2023, 1, 1)).confirmed and READMISSION_BARRED.at(ON).confirmed


# --- exemption ---------------------------------------------------------------------------------


def test_old_age_is_decided_by_the_cell_other_grounds_by_the_grassroots_committee():
    assert exemption_decider("old_age_health") == "cell"
    for ground in ("long_treatment", "abroad_private", "mobile_work", "awaiting_retirement", "maternity"):
        assert exemption_decider(ground, ON) == "grassroots_committee"
    assert EXEMPTION_GROUNDS == ExemptionGround.LABELS and set(TEMPORARY_PURPOSES) == {
        "work",
        "residence",
        "study",
    }
    assert set(ExemptionGround.LABELS) == {
        "old_age_health",
        "long_treatment",
        "abroad_private",
        "mobile_work",
        "awaiting_retirement",
        "maternity",
    }
    with pytest.raises(ValueError):
        exemption_decider("holiday")


def test_check_exemption():
    assert check_exemption("old_age_health", "cell", ON) == []
    assert check_exemption("maternity", "grassroots_committee", ON) == []
    found = messages(check_exemption("maternity", "cell", date(2024, 1, 1)))
    assert "do đảng ủy cơ sở quyết định" in found and "Quy định 24-QĐ/TW ngày 30/7/2021, mục 7.1" in found
    assert "Không có trường hợp miễn" in messages(check_exemption("holiday", "cell"))


# --- temporary transfer ------------------------------------------------------------------------


@pytest.mark.parametrize("purpose", ["work", "residence"])
def test_work_or_residence_from_3_months_to_under_12(purpose):
    start = date(2026, 1, 15)
    assert check_temporary_transfer(purpose, start, date(2026, 4, 15)) == []  # exactly 3 months
    assert "dưới 3 tháng" in messages(check_temporary_transfer(purpose, start, date(2026, 4, 14)))
    assert check_temporary_transfer(purpose, start, date(2027, 1, 14)) == []  # a day short of 12 months
    found = messages(check_temporary_transfer(purpose, start, date(2027, 1, 15)))  # 12 months
    assert "dưới 12 tháng" in found and "chuyển sinh hoạt đảng chính thức" in found and "mục 6.3" in found


def test_study_from_3_to_24_months_inclusive():
    start = date(2025, 9, 5)
    assert check_temporary_transfer("study", start, date(2025, 12, 5)) == []
    assert check_temporary_transfer("study", start, date(2027, 9, 5)) == []  # exactly 24 months
    assert "không quá 24 tháng" in messages(check_temporary_transfer("study", start, date(2027, 9, 6)))
    assert "dưới 3 tháng" in messages(check_temporary_transfer("study", start, date(2025, 12, 4)))


def test_temporary_transfer_input_errors():
    assert "Không có mục đích" in messages(check_temporary_transfer("holiday", ON, date(2026, 9, 1)))
    assert "phải sau ngày bắt đầu" in messages(check_temporary_transfer("work", ON, ON))
    [violation] = check_temporary_transfer("work", date(2023, 1, 1), date(2024, 6, 1))
    assert "Quy định 24-QĐ/TW" in violation.citation


# --- working away ------------------------------------------------------------------------------


def test_working_away_route():
    assert working_away_route(2) == Route.EXEMPTION == "exempted"
    assert working_away_route(3) == Route.TEMPORARY_TRANSFER == "temp_transfer"
    assert working_away_route(11, ON) == Route.TEMPORARY_TRANSFER
    assert working_away_route(12) == Route.OFFICIAL_TRANSFER


def test_rules_are_registered_with_titles_and_citations():
    codes = {c for c in REGISTRY if c.startswith("exit.")}
    assert codes == {
        "exit.strike_off_grounds",
        "exit.strike_off_missed_months",
        "exit.strike_off_lost_will_months",
        "exit.strike_off_violation_years",
        "exit.strike_off_requests",
        "exit.strike_off_probationary",
        "exit.resignation",
        "exit.readmission",
        "exit.readmission_barred",
        "exit.exemption_decider",
        "exit.temporary_transfer_span",
        "exit.working_away_months",
        "exit.restoration",
    }
    assert "117-QĐ/TW" in RESTORATION.at(ON).ref
    for code in codes:
        assert REGISTRY[code].title and all(v.citation for v in REGISTRY[code].versions)
