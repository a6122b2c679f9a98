"""Leaving the Party and coming back; exemption and time away (RULES.md §2.3–§2.6).

Pure rules: the grounds for striking off (xóa tên), resignation (xin ra), readmission
(kết nạp lại), who decides an exemption (miễn công tác và sinh hoạt đảng), how long a
temporary transfer may be, and which route a member working away takes. Expulsion is a
discipline form (``rules.discipline``).

Codes line up with the ledger: a member leaves as ``struck_off``, ``resigned`` or
``expelled`` (``MemberStatus``/``MemberEvent.Kind``).
"""

from __future__ import annotations

from datetime import date

from dangbo.rules.base import Rule, RuleVersion, Violation, register
from dangbo.rules.citations import (
    CHARTER,
    CHARTER_ADOPTED,
    HD_01_2021,
    HD_01_2021_FROM,
    HD_06_2025,
    HD_06_2025_FROM,
    QD_24,
    QD_24_FROM,
    QD_232,
    QD_232_FROM,
    QD_294,
    QD_294_FROM,
)
from dangbo.rules.probation import add_months

_QD_01_2026 = "Quy định 01-QĐ/TW ngày 3/2/2026 (đảng phí)"
_QD_01_2026_FROM = date(2026, 2, 3)
_HD_12_2022 = "Hướng dẫn 12-HD/BTCTW ngày 18/1/2022 (nghiệp vụ công tác đảng viên)"
_HD_12_2022_FROM = date(2022, 1, 18)


def _version(rule: Rule, on: date | None) -> RuleVersion:
    """The version in force ``on``; the latest one when no day is given."""
    if on is None:
        return max(rule.versions, key=lambda v: v.effective_from)
    return rule.at(on)


# --- striking off (xóa tên) --------------------------------------------------------------------


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
            RuleVersion(_QD_01_2026_FROM, 3, f"{CHARTER}, Điều 8; {_QD_01_2026}"),
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


# --- resignation (xin ra) ----------------------------------------------------------------------

RESIGNATION = register(
    Rule(
        code="exit.resignation",
        title="Chỉ xem xét cho ra khỏi Đảng đảng viên chưa vi phạm tư cách; có vi phạm thì xử lý kỷ luật trước",
        versions=(
            RuleVersion(
                CHARTER_ADOPTED,
                True,
                f"{CHARTER}, Điều 8; Hướng dẫn 01-HD/TW ngày 20/9/2016",
                confirmed=False,
            ),
            RuleVersion(HD_01_2021_FROM, True, f"{CHARTER}, Điều 8; {HD_01_2021}"),
            RuleVersion(HD_06_2025_FROM, True, f"{CHARTER}, Điều 8; {HD_06_2025}", confirmed=False),
        ),
    )
)


def check_resignation(has_open_discipline: bool, on: date | None = None) -> list[Violation]:
    """A member asking to leave must not have a violation pending: discipline comes first."""
    version = _version(RESIGNATION, on)
    if has_open_discipline:
        return [
            Violation(
                RESIGNATION.code,
                "Đảng viên đang có vi phạm chưa xử lý: phải xem xét, xử lý kỷ luật trước rồi mới xét cho ra khỏi Đảng.",
                version.ref,
                field="has_open_discipline",
            )
        ]
    return []


# --- readmission (kết nạp lại) -----------------------------------------------------------------


class LeftReason:
    """How, and why, someone left the Party, as readmission needs to know it.

    Pass the most specific reason: a person expelled after a corruption conviction left for
    ``corruption_conviction``. A person struck off may be given by the strike-off ground itself
    (``missed_meetings_or_dues``, ``lost_will``… of ``StrikeOffGround``), or as ``struck_off``
    with ``strike_off_ground``.
    """

    STRUCK_OFF = "struck_off"
    RESIGNED = "resigned"
    EXPELLED = "expelled"
    QUIT = "quit"
    DISUNITY = "disunity"
    CORRUPTION_CONVICTION = "corruption_conviction"
    SERIOUS_CRIME_CONVICTION = "serious_crime_conviction"
    LESS_SERIOUS_CRIME_CONVICTION = "less_serious_crime_conviction"
    LABELS = {
        STRUCK_OFF: "Bị xóa tên",
        RESIGNED: "Tự nguyện xin ra khỏi Đảng",
        EXPELLED: "Bị khai trừ",
        QUIT: "Tự bỏ sinh hoạt đảng",
        DISUNITY: "Gây mất đoàn kết nội bộ nghiêm trọng",
        CORRUPTION_CONVICTION: "Bị kết án về tội tham nhũng",
        SERIOUS_CRIME_CONVICTION: "Bị kết án về tội phạm nghiêm trọng trở lên",
        LESS_SERIOUS_CRIME_CONVICTION: "Bị kết án về tội phạm ít nghiêm trọng",
    }


# Never readmitted. ``resigned`` is barred except for extreme family hardship.
READMISSION_BARRED_REASONS = frozenset(
    {
        LeftReason.QUIT,
        LeftReason.RESIGNED,
        LeftReason.DISUNITY,
        LeftReason.CORRUPTION_CONVICTION,
        LeftReason.SERIOUS_CRIME_CONVICTION,
    }
)

# (months after leaving, months after expungement for a less serious crime, times allowed)
READMISSION = register(
    Rule(
        code="exit.readmission",
        title="Kết nạp lại: ít nhất 36 tháng sau khi ra khỏi Đảng (60 tháng sau khi được xóa án tích với tội ít nghiêm trọng), "
        "Ban Thường vụ tỉnh ủy, thành ủy đồng ý bằng văn bản, chỉ kết nạp lại một lần",
        versions=(
            RuleVersion(QD_24_FROM, (36, 60, 1), f"{CHARTER}, Điều 4; {QD_24}, mục 3.5.1"),
            # QĐ 232 (20/1/2025 – 30/6/2025) is not quoted on readmission in RULES.md's sources.
            RuleVersion(QD_232_FROM, (36, 60, 1), f"{CHARTER}, Điều 4; {QD_232}", confirmed=False),
            RuleVersion(QD_294_FROM, (36, 60, 1), f"{CHARTER}, Điều 4; {QD_294}, mục 3.5.1"),
        ),
    )
)

READMISSION_BARRED = register(
    Rule(
        code="exit.readmission_barred",
        title="Không xem xét kết nạp lại người ra khỏi Đảng vì tự bỏ sinh hoạt đảng, tự nguyện xin ra (trừ hoàn cảnh gia đình "
        "đặc biệt khó khăn), gây mất đoàn kết nội bộ nghiêm trọng, bị kết án về tội tham nhũng hoặc tội phạm nghiêm trọng trở lên",
        versions=(
            # The list is quoted from QĐ 294 §3.5.2; the same list in QĐ 24 and QĐ 232 is not verified.
            RuleVersion(QD_24_FROM, READMISSION_BARRED_REASONS, f"{QD_24}, mục 3.5.2", confirmed=False),
            RuleVersion(QD_232_FROM, READMISSION_BARRED_REASONS, QD_232, confirmed=False),
            RuleVersion(QD_294_FROM, READMISSION_BARRED_REASONS, f"{QD_294}, mục 3.5.2"),
        ),
    )
)

READMISSION_CONSENT_BODY = "Ban Thường vụ tỉnh ủy, thành ủy (hoặc tương đương)"


def _split_reason(left_reason_code: str, strike_off_ground: str | None) -> tuple[str, str | None]:
    """A strike-off ground given as the reason means ``struck_off`` on that ground."""
    if left_reason_code in StrikeOffGround.LABELS:
        return LeftReason.STRUCK_OFF, left_reason_code
    return left_reason_code, strike_off_ground


def left_reason_is_barred(
    left_reason_code: str,
    *,
    strike_off_ground: str | None = None,
    hardship: bool = False,
    on: date | None = None,
) -> bool:
    """Whether someone who left for this reason may never be readmitted.

    Striking off for missing meetings or dues 3 months is treated as quitting (tự bỏ sinh
    hoạt đảng): the ground covers both and the record cannot tell them apart.
    """
    barred = _version(READMISSION_BARRED, on).value
    left_reason_code, strike_off_ground = _split_reason(left_reason_code, strike_off_ground)
    if (
        left_reason_code == LeftReason.STRUCK_OFF
        and strike_off_ground == StrikeOffGround.MISSED_MEETINGS_OR_DUES
    ):
        return True
    if left_reason_code == LeftReason.RESIGNED and hardship:
        return False
    return left_reason_code in barred


def check_readmission(
    left_on: date,
    left_reason_code: str,
    vote_on: date,
    times_readmitted_before: int,
    provincial_consent: str,
    expunged_on: date | None = None,
    hardship: bool = False,
    *,
    strike_off_ground: str | None = None,
) -> list[Violation]:
    """Every reason the cell may not vote on ``vote_on`` to readmit a former member.

    ``provincial_consent`` is the reference (number, date) of the provincial Standing
    Committee's written consent. ``expunged_on`` is when a criminal record was expunged; for a
    less serious crime readmission waits 60 months from it. ``hardship`` is extreme family
    hardship, the one excuse for having resigned. The applicant must also meet the conditions
    of a first admission (Charter art. 1: ``rules.admission``) and serves probation again.
    Those who left for breaking the population policy follow separate Secretariat rules, not
    covered here.
    """
    rule = READMISSION.at(vote_on)
    barred_rule = READMISSION_BARRED.at(vote_on)
    months, expunged_months, times_allowed = rule.value
    left_reason_code, strike_off_ground = _split_reason(left_reason_code, strike_off_ground)
    if left_reason_code not in LeftReason.LABELS:
        return [
            Violation(
                READMISSION.code,
                f"Không rõ lý do ra khỏi Đảng «{left_reason_code}».",
                rule.ref,
                field="left_reason",
            )
        ]
    violations: list[Violation] = []
    if left_reason_is_barred(
        left_reason_code, strike_off_ground=strike_off_ground, hardship=hardship, on=vote_on
    ):
        if left_reason_code == LeftReason.STRUCK_OFF:
            why = "bị xóa tên vì bỏ sinh hoạt đảng (tự bỏ sinh hoạt đảng)"
        elif left_reason_code == LeftReason.RESIGNED:
            why = "tự nguyện xin ra khỏi Đảng mà không có hoàn cảnh gia đình đặc biệt khó khăn"
        else:
            why = LeftReason.LABELS[left_reason_code].lower()
        violations.append(
            Violation(
                READMISSION_BARRED.code,
                f"Không xem xét kết nạp lại người đã ra khỏi Đảng do {why}.",
                barred_rule.ref,
                field="left_reason",
            )
        )
    if times_readmitted_before >= times_allowed:
        violations.append(
            Violation(
                READMISSION.code,
                "Người này đã được kết nạp lại một lần; chỉ được kết nạp lại một lần duy nhất.",
                rule.ref,
                field="times_readmitted_before",
            )
        )
    if vote_on <= left_on:
        violations.append(
            Violation(
                READMISSION.code,
                "Ngày chi bộ xét kết nạp lại phải sau ngày ra khỏi Đảng.",
                rule.ref,
                field="vote_on",
            )
        )
    elif vote_on < add_months(left_on, months):
        due = add_months(left_on, months)
        violations.append(
            Violation(
                READMISSION.code,
                f"Chưa đủ {months} tháng kể từ ngày ra khỏi Đảng ({left_on:%d/%m/%Y}); chỉ xét kết nạp lại từ ngày {due:%d/%m/%Y}.",
                rule.ref,
                field="vote_on",
                details={"due": due.isoformat()},
            )
        )
    if left_reason_code == LeftReason.LESS_SERIOUS_CRIME_CONVICTION and expunged_on is None:
        violations.append(
            Violation(
                READMISSION.code,
                "Người bị kết án về tội phạm ít nghiêm trọng chỉ được xét kết nạp lại sau khi được xóa án tích.",
                rule.ref,
                field="expunged_on",
            )
        )
    if expunged_on is not None and vote_on < add_months(expunged_on, expunged_months):
        due = add_months(expunged_on, expunged_months)
        violations.append(
            Violation(
                READMISSION.code,
                f"Chưa đủ {expunged_months} tháng kể từ ngày được xóa án tích ({expunged_on:%d/%m/%Y}); "
                f"chỉ xét kết nạp lại từ ngày {due:%d/%m/%Y}.",
                rule.ref,
                field="expunged_on",
                details={"due": due.isoformat()},
            )
        )
    if not provincial_consent.strip():
        violations.append(
            Violation(
                READMISSION.code,
                f"Kết nạp lại cần văn bản đồng ý của {READMISSION_CONSENT_BODY} (ghi số, ngày văn bản).",
                rule.ref,
                field="provincial_consent",
            )
        )
    return violations


RESTORATION = register(
    Rule(
        code="exit.restoration",
        title="Đảng viên bị kỷ luật khai trừ, xóa tên oan, sai được xin lỗi và phục hồi: tuổi đảng liên tục, đóng đảng phí thời gian gián đoạn",
        versions=(
            RuleVersion(date(2023, 8, 18), "continuous_party_age", "Quy định 117-QĐ/TW ngày 18/8/2023"),
        ),
    )
)


# --- exemption (miễn công tác và sinh hoạt đảng) -----------------------------------------------


class ExemptionGround:
    OLD_AGE_HEALTH = "old_age_health"
    LONG_TREATMENT = "long_treatment"
    ABROAD_PRIVATE = "abroad_private"
    MOBILE_WORK = "mobile_work"
    AWAITING_RETIREMENT = "awaiting_retirement"
    MATERNITY = "maternity"
    LABELS = {
        OLD_AGE_HEALTH: "Tuổi cao, sức khỏe yếu, tự nguyện làm đơn",
        LONG_TREATMENT: "Ốm đau phải điều trị dài ngày",
        ABROAD_PRIVATE: "Ra nước ngoài giải quyết việc riêng",
        MOBILE_WORK: "Làm việc lưu động dưới 1 năm ở nơi không có tổ chức đảng",
        AWAITING_RETIREMENT: "Nghỉ chờ hưu",
        MATERNITY: "Nghỉ thai sản",
    }


CELL_DECIDES = "cell"
GRASSROOTS_COMMITTEE_DECIDES = "grassroots_committee"
_DECIDER_LABELS = {CELL_DECIDES: "chi bộ", GRASSROOTS_COMMITTEE_DECIDES: "đảng ủy cơ sở"}
_EXEMPTION_DECIDERS = dict.fromkeys(ExemptionGround.LABELS, GRASSROOTS_COMMITTEE_DECIDES) | {
    ExemptionGround.OLD_AGE_HEALTH: CELL_DECIDES
}

EXEMPTION_GROUNDS = dict(ExemptionGround.LABELS)

EXEMPTION = register(
    Rule(
        code="exit.exemption_decider",
        title="Miễn công tác và sinh hoạt đảng: tuổi cao, sức khỏe yếu — chi bộ quyết định; trường hợp khác — chi bộ đề nghị, đảng ủy cơ sở quyết định",
        versions=(
            RuleVersion(QD_24_FROM, _EXEMPTION_DECIDERS, f"{QD_24}, mục 7.1"),
            RuleVersion(QD_294_FROM, _EXEMPTION_DECIDERS, QD_294, confirmed=False),
        ),
    )
)


def exemption_decider(ground: str, on: date | None = None) -> str:
    """``cell`` for old age or weak health (the cell informs its superior), else
    ``grassroots_committee`` on the cell's proposal. ValueError for an unknown ground."""
    deciders = _version(EXEMPTION, on).value
    if ground not in deciders:
        raise ValueError(f"unknown exemption ground {ground!r}")
    return deciders[ground]


def check_exemption(ground: str, decided_by: str, on: date | None = None) -> list[Violation]:
    version = _version(EXEMPTION, on)
    if ground not in version.value:
        return [
            Violation(
                EXEMPTION.code,
                f"Không có trường hợp miễn công tác và sinh hoạt đảng «{ground}».",
                version.ref,
                field="ground",
            )
        ]
    decider = version.value[ground]
    if decided_by != decider:
        return [
            Violation(
                EXEMPTION.code,
                f"Miễn công tác và sinh hoạt đảng vì «{ExemptionGround.LABELS[ground].lower()}» do {_DECIDER_LABELS[decider]} quyết định.",
                version.ref,
                field="decided_by",
            )
        ]
    return []


# --- temporary transfer and working away -------------------------------------------------------


class TransferPurpose:
    WORK = "work"
    RESIDENCE = "residence"
    STUDY = "study"
    LABELS = {
        WORK: "Thay đổi nơi làm việc",
        RESIDENCE: "Thay đổi nơi cư trú",
        STUDY: "Đi học tập trung trong nước",
    }


TEMPORARY_PURPOSES = dict(TransferPurpose.LABELS)

# purpose → (minimum months, maximum months, maximum inclusive?)
_TEMPORARY_SPANS = {
    TransferPurpose.WORK: (3, 12, False),
    TransferPurpose.RESIDENCE: (3, 12, False),
    TransferPurpose.STUDY: (3, 24, True),
}

TEMPORARY_TRANSFER = register(
    Rule(
        code="exit.temporary_transfer_span",
        title="Chuyển sinh hoạt đảng tạm thời: thay đổi nơi làm việc, cư trú từ 3 tháng đến dưới 1 năm; học tập trung trong nước từ 3 tháng đến 2 năm",
        versions=(
            RuleVersion(QD_24_FROM, _TEMPORARY_SPANS, f"{QD_24}, mục 6"),
            RuleVersion(QD_294_FROM, _TEMPORARY_SPANS, f"{QD_294}, mục 6.3"),
        ),
    )
)


def check_temporary_transfer(purpose: str, start: date, end: date) -> list[Violation]:
    """Is ``start``–``end`` a span for a temporary transfer? Months count by calendar.

    A stay of work or residence of 12 months or more is an official transfer; shorter than
    3 months needs no transfer at all.
    """
    version = TEMPORARY_TRANSFER.at(start)
    if purpose not in version.value:
        return [
            Violation(
                TEMPORARY_TRANSFER.code,
                f"Không có mục đích chuyển sinh hoạt tạm thời «{purpose}».",
                version.ref,
                field="purpose",
            )
        ]
    if end <= start:
        return [
            Violation(
                TEMPORARY_TRANSFER.code, "Ngày kết thúc phải sau ngày bắt đầu.", version.ref, field="end"
            )
        ]
    minimum, maximum, inclusive = version.value[purpose]
    label = TransferPurpose.LABELS[purpose]
    if end < add_months(start, minimum):
        return [
            Violation(
                TEMPORARY_TRANSFER.code,
                f"{label} dưới {minimum} tháng ({start:%d/%m/%Y} – {end:%d/%m/%Y}) không chuyển sinh hoạt đảng tạm thời.",
                version.ref,
                field="end",
            )
        ]
    last = add_months(start, maximum)
    if end > last or (end == last and not inclusive):
        limit = f"không quá {maximum} tháng" if inclusive else f"dưới {maximum} tháng"
        more = "; từ 12 tháng trở lên thì chuyển sinh hoạt đảng chính thức" if not inclusive else ""
        return [
            Violation(
                TEMPORARY_TRANSFER.code,
                f"{label}: chuyển sinh hoạt đảng tạm thời {limit} ({start:%d/%m/%Y} – {end:%d/%m/%Y}){more}.",
                version.ref,
                field="end",
            )
        ]
    return []


class Route:
    """What a member working away does, named as the ledger events are."""

    EXEMPTION = "exempted"
    TEMPORARY_TRANSFER = "temp_transfer"
    OFFICIAL_TRANSFER = "moved_away"
    LABELS = {
        EXEMPTION: "Miễn công tác và sinh hoạt đảng",
        TEMPORARY_TRANSFER: "Chuyển sinh hoạt đảng tạm thời",
        OFFICIAL_TRANSFER: "Chuyển sinh hoạt đảng chính thức",
    }


WORKING_AWAY_MONTHS = register(
    Rule(
        code="exit.working_away_months",
        title="Đảng viên đi làm ăn xa từ 3 tháng trở lên chuyển sinh hoạt đảng tạm thời; dưới 3 tháng xin miễn sinh hoạt",
        versions=(
            RuleVersion(HD_01_2021_FROM, 3, HD_01_2021),
            RuleVersion(HD_06_2025_FROM, 3, f"{HD_06_2025}, như {HD_01_2021}", confirmed=False),
        ),
    )
)


def working_away_route(months: int, on: date | None = None) -> str:
    """The route for a member going to work away for ``months``.

    Under 3 months: exemption; from 3 months: temporary transfer — up to the work span of
    ``check_temporary_transfer`` (under 12 months); from 12 months it is an official transfer.
    """
    threshold = _version(WORKING_AWAY_MONTHS, on).value
    if months < threshold:
        return Route.EXEMPTION
    _, maximum, _ = _version(TEMPORARY_TRANSFER, on).value[TransferPurpose.WORK]
    if months >= maximum:
        return Route.OFFICIAL_TRANSFER
    return Route.TEMPORARY_TRANSFER
