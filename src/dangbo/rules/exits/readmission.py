"""Resignation (xin ra) and coming back (RULES.md §2.6): who may resign, how someone left
(``LeftReason``), when and whether they may be readmitted (kết nạp lại: ``check_readmission``),
and restoration after a wrongful exit (phục hồi đảng tịch)."""

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
from dangbo.rules.exits.strike_off import StrikeOffGround
from dangbo.rules.exits.versions import _version
from dangbo.rules.probation import add_months

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
