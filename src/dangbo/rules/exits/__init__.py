"""Leaving the Party and coming back; exemption and time away (RULES.md §2.3–§2.6).

Pure rules: the grounds for striking off (xóa tên), resignation (xin ra), readmission
(kết nạp lại), who decides an exemption (miễn công tác và sinh hoạt đảng), how long a
temporary transfer may be, and which route a member working away takes. Expulsion is a
discipline form (``rules.discipline``).

Codes line up with the ledger: a member leaves as ``struck_off``, ``resigned`` or
``expelled`` (``MemberStatus``/``MemberEvent.Kind``).

Where the code is: ``strike_off``, ``readmission`` (resignation, readmission, restoration),
``standing`` (exemption, temporary transfer, working away). The names below are the
package's public API; the rules register in that order, as they did in one module.
"""

from __future__ import annotations

from dangbo.rules.exits.readmission import (
    READMISSION,
    READMISSION_BARRED,
    READMISSION_BARRED_REASONS,
    READMISSION_CONSENT_BODY,
    RESIGNATION,
    RESTORATION,
    LeftReason,
    check_readmission,
    check_resignation,
    left_reason_is_barred,
)
from dangbo.rules.exits.standing import (
    CELL_DECIDES,
    EXEMPTION,
    EXEMPTION_GROUNDS,
    GRASSROOTS_COMMITTEE_DECIDES,
    TEMPORARY_PURPOSES,
    TEMPORARY_TRANSFER,
    WORKING_AWAY_MONTHS,
    ExemptionGround,
    Route,
    TransferPurpose,
    check_exemption,
    check_temporary_transfer,
    exemption_decider,
    working_away_route,
)
from dangbo.rules.exits.strike_off import (
    PROBATION_FAILED,
    STRIKE_OFF,
    STRIKE_OFF_GROUNDS,
    STRIKE_OFF_LOST_WILL_MONTHS,
    STRIKE_OFF_MISSED_MONTHS,
    STRIKE_OFF_PROBATIONARY,
    STRIKE_OFF_REQUESTS,
    STRIKE_OFF_VIOLATION_YEARS,
    StrikeOffGround,
    check_strike_off,
)

__all__ = [
    "CELL_DECIDES",
    "EXEMPTION",
    "EXEMPTION_GROUNDS",
    "GRASSROOTS_COMMITTEE_DECIDES",
    "PROBATION_FAILED",
    "READMISSION",
    "READMISSION_BARRED",
    "READMISSION_BARRED_REASONS",
    "READMISSION_CONSENT_BODY",
    "RESIGNATION",
    "RESTORATION",
    "STRIKE_OFF",
    "STRIKE_OFF_GROUNDS",
    "STRIKE_OFF_LOST_WILL_MONTHS",
    "STRIKE_OFF_MISSED_MONTHS",
    "STRIKE_OFF_PROBATIONARY",
    "STRIKE_OFF_REQUESTS",
    "STRIKE_OFF_VIOLATION_YEARS",
    "TEMPORARY_PURPOSES",
    "TEMPORARY_TRANSFER",
    "WORKING_AWAY_MONTHS",
    "ExemptionGround",
    "LeftReason",
    "Route",
    "StrikeOffGround",
    "TransferPurpose",
    "check_exemption",
    "check_readmission",
    "check_resignation",
    "check_strike_off",
    "check_temporary_transfer",
    "exemption_decider",
    "left_reason_is_barred",
    "working_away_route",
]
