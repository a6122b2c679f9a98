"""The annual review and quality rating of members and organizations (RULES.md §4, §9, §11
rule 15): the four bands and the scores that give them, what keeps a member or an organization
below a band, the cap on «excellent» within each grassroots organization, who is not rated,
and the striking-off review after two years «not completed».

Every figure is a dated rule version: the 100-point scale exists only from QĐ 366-QĐ/TW
(30/8/2025); reviews of 2018–2024 chose a band without points (QĐ 132-QĐ/TW of 2018, then
QĐ 124-QĐ/TW of 2023), and years before 2018 used the old levels (``LegacyLevel``), which are
recorded as they stand, never converted. What RULES.md marks UNCONFIRMED (the exact list of
disqualifiers under QĐ 366, whether the 20 % cap survives, whether probationary members are
rated) is a version with ``confirmed=False``, which the pages label as such.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from dangbo.rules.base import Rule, RuleVersion, Violation, register
from dangbo.rules.citations import NQ_21

QD_366 = "Quy định 366-QĐ/TW ngày 30/8/2025 về kiểm điểm và đánh giá, xếp loại chất lượng"
QD_366_FROM = date(2025, 8, 30)
HD_43_2025 = "Hướng dẫn 43-HD/BTCTW ngày 31/10/2025"
QD_124 = "Quy định 124-QĐ/TW ngày 4/10/2023"
QD_124_FROM = date(2023, 10, 4)
QD_132 = "Quy định 132-QĐ/TW ngày 8/3/2018"
QD_132_FROM = date(2018, 3, 8)
HD_21_2019 = "Hướng dẫn 21-HD/BTCTW ngày 21/10/2019"
HD_21_2019_FROM = date(2019, 10, 21)
FIRST_BANDED_YEAR = 2018  # years before are recorded in the old levels (LegacyLevel)
FIRST_RECORDED_YEAR = 1930  # the Party's founding: no rating is older


class Band:
    """The four levels (QĐ 366 art. 11), best first."""

    EXCELLENT = "excellent"
    GOOD = "good"
    FULFILLED = "fulfilled"
    FAILED = "failed"
    ORDER = (EXCELLENT, GOOD, FULFILLED, FAILED)
    LABELS = {
        EXCELLENT: "Hoàn thành xuất sắc nhiệm vụ",
        GOOD: "Hoàn thành tốt nhiệm vụ",
        FULFILLED: "Hoàn thành nhiệm vụ",
        FAILED: "Không hoàn thành nhiệm vụ",
    }
    SHORT = {EXCELLENT: "HTXSNV", GOOD: "HTTNV", FULFILLED: "HTNV", FAILED: "KHTNV"}
    GOOD_OR_BETTER = (EXCELLENT, GOOD)

    @classmethod
    def rank(cls, band: str) -> int:
        """0 for the best band; higher is worse."""
        return cls.ORDER.index(band)


class LegacyLevel:
    """The levels of reviews before 2018, kept as recorded (members; organizations)."""

    MEMBER_EXCELLENT = "m_excellent"
    MEMBER_GOOD = "m_good"
    MEMBER_FULFILLED = "m_fulfilled"
    MEMBER_VIOLATED = "m_violated"
    ORG_EXEMPLARY = "o_exemplary"
    ORG_CLEAN_STRONG = "o_clean_strong"
    ORG_FULFILLED = "o_fulfilled"
    ORG_WEAK = "o_weak"
    MEMBER = {
        MEMBER_EXCELLENT: "Đủ tư cách, hoàn thành xuất sắc nhiệm vụ",
        MEMBER_GOOD: "Đủ tư cách, hoàn thành tốt nhiệm vụ",
        MEMBER_FULFILLED: "Đủ tư cách, hoàn thành nhiệm vụ",
        MEMBER_VIOLATED: "Vi phạm tư cách hoặc không hoàn thành nhiệm vụ",
    }
    ORG = {
        ORG_EXEMPLARY: "Trong sạch, vững mạnh tiêu biểu",
        ORG_CLEAN_STRONG: "Trong sạch, vững mạnh",
        ORG_FULFILLED: "Hoàn thành tốt nhiệm vụ",
        ORG_WEAK: "Yếu kém",
    }
    LABELS = {**MEMBER, **ORG}


class MemberForm:
    """The self-assessment forms by member type (HD 43-HD/BTCTW)."""

    LEADER = "2A"
    CIVIL_SERVANT = "2B"
    OTHER = "2C"
    LABELS = {
        LEADER: "Mẫu 2A — đảng viên giữ chức vụ lãnh đạo, quản lý",
        CIVIL_SERVANT: "Mẫu 2B — đảng viên là cán bộ, công chức, viên chức",
        OTHER: "Mẫu 2C — đảng viên khác",
    }


class Disqualifier:
    """What keeps a member at «not completed» whatever the score, and what keeps an organization
    from «excellent» or puts it at «not completed»."""

    DISCIPLINED = "disciplined"  # in the year reviewed (one violation counted once)
    DEGRADED = "degraded"
    TASKS_UNDER_HALF = "tasks_under_half"
    CIVIL_SERVANT_FAILED = "civil_servant_failed"
    ORG_DISCIPLINED = "org_disciplined"
    SUBUNIT_DISCIPLINED = "subunit_disciplined"
    LEADER_DISCIPLINED = "leader_disciplined"
    LABELS = {
        DISCIPLINED: "Bị thi hành kỷ luật trong năm",
        DEGRADED: "Suy thoái về tư tưởng chính trị, đạo đức, lối sống, «tự diễn biến», «tự chuyển hóa»",
        TASKS_UNDER_HALF: "Hoàn thành dưới 50 % chỉ tiêu, nhiệm vụ",
        CIVIL_SERVANT_FAILED: "Là cán bộ, công chức, viên chức bị xếp loại không hoàn thành nhiệm vụ",
        ORG_DISCIPLINED: "Tổ chức đảng bị thi hành kỷ luật trong năm",
        SUBUNIT_DISCIPLINED: "Có tổ chức đảng trực thuộc bị thi hành kỷ luật trong năm",
        LEADER_DISCIPLINED: "Có cấp ủy viên bị thi hành kỷ luật trong năm",
    }
    MEMBER = (DISCIPLINED, DEGRADED, TASKS_UNDER_HALF, CIVIL_SERVANT_FAILED)
    ORG = (ORG_DISCIPLINED, SUBUNIT_DISCIPLINED, LEADER_DISCIPLINED)


@dataclass(frozen=True)
class Scale:
    """How a band follows from the review of a year."""

    scored: bool  # a 100-point score is given (QĐ 366); before it, the band alone
    excellent_min: int = 90
    good_min: int = 70
    fulfilled_min: int = 50


SCALE = register(
    Rule(
        code="ratings.scale",
        title="Mức xếp loại chất lượng: từ 90 điểm HTXSNV, 70–dưới 90 HTTNV, 50–dưới 70 HTNV, dưới 50 KHTNV",
        versions=(
            RuleVersion(QD_132_FROM, Scale(scored=False), QD_132, confirmed=False),
            RuleVersion(QD_124_FROM, Scale(scored=False), QD_124),
            RuleVersion(QD_366_FROM, Scale(scored=True), f"{QD_366}, Điều 11; {HD_43_2025}"),
        ),
    )
)

# What keeps a member at «not completed» (RULES.md §4): the 2019 guidance's list; the exact list
# under QĐ 366 is UNCONFIRMED. Being disciplined in the year is read from the member's ledger.
MEMBER_DISQUALIFIERS = register(
    Rule(
        code="ratings.member_disqualifiers",
        title="Đảng viên bị kỷ luật trong năm (hoặc có trường hợp khác theo hướng dẫn) xếp loại không hoàn thành nhiệm vụ",
        versions=(
            RuleVersion(QD_132_FROM, frozenset(Disqualifier.MEMBER), f"{QD_132}; {HD_21_2019}"),
            RuleVersion(
                QD_366_FROM, frozenset(Disqualifier.MEMBER), f"{QD_366}; {HD_43_2025}", confirmed=False
            ),
        ),
    )
)

# An organization disciplined in the year is «not completed»; one with a disciplined sub-unit or
# committee member cannot be «excellent» (QĐ 366 art. 11, collectives).
ORG_DISQUALIFIERS = register(
    Rule(
        code="ratings.org_disqualifiers",
        title="Tổ chức đảng bị kỷ luật trong năm: không hoàn thành nhiệm vụ; có tổ chức trực thuộc hoặc cấp ủy viên bị kỷ luật: không xếp loại hoàn thành xuất sắc",
        versions=(
            RuleVersion(
                QD_132_FROM,
                {
                    Disqualifier.ORG_DISCIPLINED: Band.FAILED,
                    Disqualifier.SUBUNIT_DISCIPLINED: Band.GOOD,
                    Disqualifier.LEADER_DISCIPLINED: Band.GOOD,
                },
                f"{QD_132}; {HD_21_2019}",
                confirmed=False,
            ),
            RuleVersion(
                QD_366_FROM,
                {
                    Disqualifier.ORG_DISCIPLINED: Band.FAILED,
                    Disqualifier.SUBUNIT_DISCIPLINED: Band.GOOD,
                    Disqualifier.LEADER_DISCIPLINED: Band.GOOD,
                },
                f"{QD_366}, Điều 11",
            ),
        ),
    )
)

# The members rated «excellent» may be at most this percent of those rated «good», within each
# grassroots organization (None: no cap). 2019 guidance; whether QĐ 366 keeps it is UNCONFIRMED.
EXCELLENT_CAP = register(
    Rule(
        code="ratings.excellent_cap",
        title="Số đảng viên hoàn thành xuất sắc nhiệm vụ không quá 20 % số đảng viên hoàn thành tốt nhiệm vụ trong mỗi tổ chức cơ sở đảng",
        versions=(
            RuleVersion(HD_21_2019_FROM, 20, HD_21_2019),
            RuleVersion(
                QD_366_FROM, 20, f"{HD_21_2019} (QĐ 366, HD 43 giữ mức này: chưa xác nhận)", confirmed=False
            ),
        ),
    )
)


@dataclass(frozen=True)
class WhoIsRated:
    not_rated: frozenset[str]  # standings not rated (members.Standing values)
    probationary: bool  # probationary members are rated


WHO_IS_RATED = register(
    Rule(
        code="ratings.who_is_rated",
        title="Đảng viên được miễn công tác và sinh hoạt đảng, đảng viên bị đình chỉ sinh hoạt không xếp loại",
        versions=(
            RuleVersion(
                HD_21_2019_FROM,
                WhoIsRated(frozenset({"exempted", "suspended"}), True),
                HD_21_2019,
                confirmed=False,
            ),
        ),
    )
)

# Two years running «not completed» ⇒ the cell considers striking off (RULES.md §11 rule 15); the
# strike-off rule (rules.exits.strike_off.STRIKE_OFF_VIOLATION_YEARS) is the same two years.
FAILED_YEARS_REVIEW = register(
    Rule(
        code="ratings.failed_years_review",
        title="Đảng viên hai năm liền xếp loại không hoàn thành nhiệm vụ thì xem xét xóa tên",
        versions=(RuleVersion(QD_132_FROM, 2, f"Điều lệ Đảng, Điều 8; {QD_132}"),),
    )
)

GOOD_SHARE_SOURCE = f"{NQ_21}, mục III"  # > 90 % good or better every year (stats.targets)


def band_for_score(score: int, scale: Scale) -> str:
    if score >= scale.excellent_min:
        return Band.EXCELLENT
    if score >= scale.good_min:
        return Band.GOOD
    if score >= scale.fulfilled_min:
        return Band.FULFILLED
    return Band.FAILED


def year_day(year: int) -> date:
    """The day whose rules judge the review of ``year``: its last day."""
    return date(year, 12, 31)


def best_allowed(disqualifiers, *, on: date, org: bool = False, applying=None) -> str:
    """The best band ``disqualifiers`` leave (``applying``: the member disqualifiers in force,
    when a committee's setting changed the rule's list)."""
    best = Band.EXCELLENT
    if org:
        caps = ORG_DISQUALIFIERS.value(on)
        for d in disqualifiers:
            cap = caps.get(d, Band.EXCELLENT)
            if Band.rank(cap) > Band.rank(best):
                best = cap
        return best
    applying = MEMBER_DISQUALIFIERS.value(on) if applying is None else applying
    return Band.FAILED if set(disqualifiers) & set(applying) else best


def worse(a: str, b: str) -> str:
    return a if Band.rank(a) > Band.rank(b) else b


def expected_band(
    *, year: int, score: int | None, disqualifiers=(), org: bool = False, applying=None
) -> str | None:
    """The band a scored review of ``year`` must give: the score's band, lowered to what the
    disqualifiers allow; None when the scale of that year has no score."""
    on = year_day(year)
    scale: Scale = SCALE.value(on)
    if not scale.scored or score is None:
        return None
    return worse(band_for_score(score, scale), best_allowed(disqualifiers, on=on, org=org, applying=applying))


def check_band(
    *,
    year: int,
    band: str,
    score: int | None,
    disqualifiers=(),
    org: bool = False,
    field: str = "band",
    applying=None,
) -> list[Violation]:
    """Does ``band`` stand for a review of ``year`` with ``score`` and ``disqualifiers``? It must
    be one of the four; under the 100-point scale the score is required (0–100) and the band is
    the score's, lowered only by a disqualifier; no band is better than the disqualifiers allow."""
    on = year_day(year)
    scale_version = SCALE.at(on)
    scale: Scale = scale_version.value
    if band not in Band.ORDER:
        return [Violation("ratings.band", "Chọn một mức xếp loại.", scale_version.ref, field=field)]
    if score is not None and not 0 <= score <= 100:
        return [
            Violation("ratings.score", "Điểm đánh giá phải từ 0 đến 100.", scale_version.ref, field="score")
        ]
    if scale.scored and score is None:
        return [
            Violation(
                "ratings.score",
                f"Năm {year} xếp loại theo thang 100 điểm: ghi điểm đánh giá.",
                scale_version.ref,
                field="score",
            )
        ]
    best = best_allowed(disqualifiers, on=on, org=org, applying=applying)
    if Band.rank(band) < Band.rank(best):
        rule = ORG_DISQUALIFIERS if org else MEMBER_DISQUALIFIERS
        reasons = "; ".join(Disqualifier.LABELS[d] for d in disqualifiers if d in Disqualifier.LABELS)
        return [
            Violation(
                rule.code,
                f"{reasons}: không xếp cao hơn mức «{Band.LABELS[best]}».",
                rule.at(on).ref,
                field=field,
            )
        ]
    expected = expected_band(year=year, score=score, disqualifiers=disqualifiers, org=org, applying=applying)
    if expected is not None and band != expected:
        by_score = band_for_score(score or 0, scale)
        return [
            Violation(
                SCALE.code,
                f"{score} điểm là mức «{Band.LABELS[by_score]}»"
                + (
                    f", hạ xuống «{Band.LABELS[expected]}» vì trường hợp đã ghi"
                    if expected != by_score
                    else ""
                )
                + f": không xếp «{Band.LABELS[band]}».",
                scale_version.ref,
                field=field,
            )
        ]
    return []


_RULE_DEFAULT: object = object()


def check_excellent_cap(
    *, year: int, excellent: int, good: int, org_label: str, percent=_RULE_DEFAULT, citation: str = ""
) -> list[Violation]:
    """The cap on «excellent» within one grassroots organization, on the ratings decided so far
    with the one being decided counted (``percent`` and ``citation``: a committee's setting in
    place of the rule's; None: no cap)."""
    version = EXCELLENT_CAP.at(year_day(year))
    if percent is _RULE_DEFAULT:
        percent, citation = version.value, version.ref
    if percent is None or excellent * 100 <= good * percent:
        return []
    allowed = good * percent // 100
    return [
        Violation(
            EXCELLENT_CAP.code,
            f"{org_label}: {excellent} đảng viên hoàn thành xuất sắc nhiệm vụ, vượt {percent} % của {good} đảng viên "
            f"hoàn thành tốt nhiệm vụ (tối đa {allowed}).",
            citation or version.ref,
            field="band",
        )
    ]


def failed_runs(years: dict[int, str], *, on: date) -> list[tuple[int, ...]]:
    """The runs of consecutive years «not completed» long enough for a striking-off review, each
    the years named (``years``: year → band decided)."""
    need = FAILED_YEARS_REVIEW.value(on)
    failed = sorted(y for y, band in years.items() if band == Band.FAILED)
    runs: list[tuple[int, ...]] = []
    run: list[int] = []
    for y in failed:
        if run and y != run[-1] + 1:
            run = []
        run.append(y)
        if len(run) >= need:
            runs.append(tuple(run[-need:]))
    return runs
