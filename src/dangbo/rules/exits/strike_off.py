"""Striking a member off the list (xóa tên, RULES.md §2.3): the grounds (Charter arts. 5 and 8),
the months and requests each needs, and ``check_strike_off``."""

from __future__ import annotations

from datetime import date

from dangbo.rules.base import Rule, RuleVersion, Violation, register
from dangbo.rules.citations import (
    CHARTER,
    CHARTER_ADOPTED,
    QD_01_2026,
    QD_01_2026_FROM,
    QD_24,
    QD_24_FROM,
    QD_294,
    QD_294_FROM,
)
from dangbo.rules.probation import add_months

_HD_12_2022 = "Hướng dẫn 12-HD/BTCTW ngày 18/1/2022 (nghiệp vụ công tác đảng viên)"
_HD_12_2022_FROM = date(2022, 1, 18)


class StrikeOffGround:
    """Why a cell proposes to strike a member off the list (Charter arts. 5 and 8)."""

    MISSED_MEETINGS_OR_DUES = "missed_meetings_or_dues"
    RETURNED_CARD = "returned_card"
    LOST_WILL = "lost_will"
    STANDING_VIOLATION_TWO_YEARS = "standing_violation_two_years"
    POLITICAL_STANDARD = "political_standard"
    PROBATION_FAILED = "probation_failed"
    LABELS = {
        MISSED_MEETINGS_OR_DUES: "Bỏ sinh hoạt đảng hoặc không đóng đảng phí 3 tháng trong năm mà không có lý do chính đáng",
        RETURNED_CARD: "Tự ý trả lại thẻ đảng viên hoặc tự hủy thẻ đảng viên",
        LOST_WILL: "Giảm sút ý chí phấn đấu, không làm nhiệm vụ đảng viên, đã được chi bộ giáo dục nhưng sau 12 tháng không tiến bộ",
        STANDING_VIOLATION_TWO_YEARS: "Hai năm liền vi phạm tư cách đảng viên",
        POLITICAL_STANDARD: "Không bảo đảm tiêu chuẩn chính trị theo quy định của Bộ Chính trị",
        PROBATION_FAILED: "Đảng viên dự bị không đủ điều kiện công nhận đảng viên chính thức",
    }
    # The grounds for a member of the Party in general (Charter art. 8; QĐ 24).
    MEMBER_GROUNDS = (
        MISSED_MEETINGS_OR_DUES,
        RETURNED_CARD,
        LOST_WILL,
        STANDING_VIOLATION_TWO_YEARS,
        POLITICAL_STANDARD,
    )


# code → label of every ground, for choices and stored labels.
STRIKE_OFF_GROUNDS = dict(StrikeOffGround.LABELS)
PROBATION_FAILED = StrikeOffGround.PROBATION_FAILED

STRIKE_OFF = register(
    Rule(
        code="exit.strike_off_grounds",
        title="Chi bộ xem xét, đề nghị cấp ủy có thẩm quyền xóa tên trong danh sách đảng viên",
        versions=(
            RuleVersion(QD_24_FROM, frozenset(StrikeOffGround.MEMBER_GROUNDS), f"{CHARTER}, Điều 8; {QD_24}"),
            # RULES.md §2.6 cites a 2022 source (QĐ 24); that QĐ 294 keeps the list is not verified.
            RuleVersion(
                QD_294_FROM,
                frozenset(StrikeOffGround.MEMBER_GROUNDS),
                f"{CHARTER}, Điều 8; {QD_294}",
                confirmed=False,
            ),
        ),
    )
)

STRIKE_OFF_MISSED_MONTHS = register(
    Rule(
        code="exit.strike_off_missed_months",
        title="Bỏ sinh hoạt đảng hoặc không đóng đảng phí 3 tháng trong năm mà không có lý do chính đáng thì xem xét xóa tên",
        versions=(
            RuleVersion(CHARTER_ADOPTED, 3, f"{CHARTER}, Điều 8"),
            RuleVersion(QD_24_FROM, 3, f"{CHARTER}, Điều 8; {QD_24}"),
            RuleVersion(QD_01_2026_FROM, 3, f"{CHARTER}, Điều 8; {QD_01_2026}"),
        ),
    )
)

STRIKE_OFF_LOST_WILL_MONTHS = register(
    Rule(
        code="exit.strike_off_lost_will_months",
        title="Đảng viên giảm sút ý chí phấn đấu được chi bộ giáo dục, sau 12 tháng không tiến bộ thì xem xét xóa tên",
        versions=(
            RuleVersion(QD_24_FROM, 12, f"{CHARTER}, Điều 8; {QD_24}"),
            RuleVersion(QD_294_FROM, 12, f"{CHARTER}, Điều 8; {QD_294}", confirmed=False),
        ),
    )
)

STRIKE_OFF_VIOLATION_YEARS = register(
    Rule(
        code="exit.strike_off_violation_years",
        title="Đảng viên hai năm liền vi phạm tư cách đảng viên thì xem xét xóa tên",
        versions=(
            RuleVersion(QD_24_FROM, 2, f"{CHARTER}, Điều 8; {QD_24}"),
            RuleVersion(QD_294_FROM, 2, f"{CHARTER}, Điều 8; {QD_294}", confirmed=False),
        ),
    )
)

STRIKE_OFF_REQUESTS = register(
    Rule(
        code="exit.strike_off_requests",
        title="Đảng viên không làm bản tự kiểm điểm, không đến sinh hoạt: sau khi chi ủy yêu cầu đến lần thứ ba, chi bộ vẫn xem xét",
        # RULES.md §2.6 gives the step from a secondary source without naming the document.
        versions=(RuleVersion(_HD_12_2022_FROM, 3, _HD_12_2022, confirmed=False),),
    )
)

STRIKE_OFF_PROBATIONARY = register(
    Rule(
        code="exit.strike_off_probationary",
        title="Đảng viên dự bị không đủ điều kiện công nhận đảng viên chính thức thì xóa tên",
        versions=(
            RuleVersion(CHARTER_ADOPTED, "probationary", f"{CHARTER}, Điều 5"),
            RuleVersion(QD_294_FROM, "probationary", f"{CHARTER}, Điều 5; {QD_294}"),
        ),
    )
)


def check_strike_off(
    ground: str,
    on: date,
    requests_made: int | None = None,
    *,
    months_missed: int | None = None,
    educated_on: date | None = None,
    violation_years: int | None = None,
    probationary: bool | None = None,
) -> list[Violation]:
    """Does the cell's proposal on ``on`` to strike off a member stand?

    The fact a ground rests on is checked when given: ``months_missed`` (months in the year
    without meetings or dues), ``educated_on`` (when the cell began educating a member who lost
    will), ``violation_years`` (consecutive years in violation of member standing). Left out,
    the cell's resolution is taken to have established it.

    ``requests_made`` is None when the member made the self-criticism and came to the meeting;
    otherwise it counts the cell committee's requests, and the cell may proceed without the
    member only after the third. It does not apply to ``probation_failed``: a probationary member
    is struck off at the recognition review (Charter art. 5, votes of RULES.md §2.3). Pass
    ``probationary`` to check that ground is used for probationary members only.
    """
    if ground == StrikeOffGround.PROBATION_FAILED:
        version = STRIKE_OFF_PROBATIONARY.at(on)
        if probationary is False:
            return [
                Violation(
                    STRIKE_OFF_PROBATIONARY.code,
                    "Chỉ xóa tên vì không đủ điều kiện công nhận chính thức đối với đảng viên dự bị.",
                    version.ref,
                    field="ground",
                )
            ]
        return []

    grounds = STRIKE_OFF.at(on)
    if ground not in grounds.value:
        return [
            Violation(
                STRIKE_OFF.code, f"Không có trường hợp xóa tên «{ground}».", grounds.ref, field="ground"
            )
        ]
    violations: list[Violation] = []
    if ground == StrikeOffGround.MISSED_MEETINGS_OR_DUES:
        rule = STRIKE_OFF_MISSED_MONTHS.at(on)
        if months_missed is not None and months_missed < rule.value:
            missed = f"mới {months_missed} tháng"
            violations.append(
                Violation(
                    STRIKE_OFF_MISSED_MONTHS.code,
                    f"Xóa tên vì bỏ sinh hoạt hoặc không đóng đảng phí cần đủ {rule.value} tháng trong năm không có lý do chính đáng ({missed}).",
                    rule.ref,
                    field="months_missed",
                )
            )
    elif ground == StrikeOffGround.LOST_WILL:
        rule = STRIKE_OFF_LOST_WILL_MONTHS.at(on)
        if educated_on is not None and on < add_months(educated_on, rule.value):
            due = add_months(educated_on, rule.value)
            violations.append(
                Violation(
                    STRIKE_OFF_LOST_WILL_MONTHS.code,
                    f"Chưa đủ {rule.value} tháng kể từ ngày chi bộ giáo dục ({educated_on:%d/%m/%Y}); "
                    f"chỉ xem xét xóa tên từ ngày {due:%d/%m/%Y} nếu đảng viên không tiến bộ.",
                    rule.ref,
                    field="educated_on",
                    details={"due": due.isoformat()},
                )
            )
    elif ground == StrikeOffGround.STANDING_VIOLATION_TWO_YEARS:
        rule = STRIKE_OFF_VIOLATION_YEARS.at(on)
        if violation_years is not None and violation_years < rule.value:
            years = f"mới {violation_years} năm"
            violations.append(
                Violation(
                    STRIKE_OFF_VIOLATION_YEARS.code,
                    f"Xóa tên vì vi phạm tư cách đảng viên cần {rule.value} năm liền ({years}).",
                    rule.ref,
                    field="violation_years",
                )
            )
    if requests_made is not None:
        rule = STRIKE_OFF_REQUESTS.at(on)
        if requests_made < rule.value:
            violations.append(
                Violation(
                    STRIKE_OFF_REQUESTS.code,
                    f"Đảng viên chưa tự kiểm điểm: chi ủy mới yêu cầu {requests_made} lần; chi bộ chỉ xem xét khi đã yêu cầu "
                    f"đến lần thứ {rule.value} mà đảng viên không thực hiện.",
                    rule.ref,
                    field="requests_made",
                )
            )
    return violations
