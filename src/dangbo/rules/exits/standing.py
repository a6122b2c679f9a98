"""Time away without leaving (RULES.md §2.4–§2.5): exemption from Party work and meetings (miễn
công tác và sinh hoạt đảng: its grounds and who decides), how long a temporary transfer may
last for each purpose, and which route a member working away takes."""

from __future__ import annotations

from datetime import date

from dangbo.rules.base import Rule, RuleVersion, Violation, register
from dangbo.rules.citations import (
    HD_01_2021,
    HD_01_2021_FROM,
    HD_06_2025,
    HD_06_2025_FROM,
    QD_24,
    QD_24_FROM,
    QD_294,
    QD_294_FROM,
)
from dangbo.rules.exits.versions import _version
from dangbo.rules.probation import add_months


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
