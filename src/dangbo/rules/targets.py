"""Targets the indicators are measured against (RULES.md §9; seeds 000 and 003).

A target is a rule like any other: a value in force from a date, with its citation. The
indicator registry (``stats.indicators``) names the target each indicator is read against.

"Phấn đấu cơ bản" (to reach "basically") is read as 90 % or more; no source fixes it, so
those targets are marked unconfirmed and a committee may read them more strictly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from dangbo.rules.base import Rule, RuleVersion, register
from dangbo.rules.citations import DE_AN_TCCSD, NQ_21, NQ_21_FROM

# The programme was discussed in 2019 (seed 000); its targets are for 2025 and 2030.
DE_AN_FROM = date(2019, 1, 1)


@dataclass(frozen=True)
class Target:
    """Reach ``value`` (a share 0..1, or a count) by the end of ``year``.

    ``direction`` is "at_least", "above" (strictly more: "> 90 %") or "at_most"; ``high`` is the
    top of a range (3–4 %)."""

    value: float
    year: int
    direction: str = "at_least"
    high: float | None = None
    wording: str = ""

    def met(self, value: float) -> bool:
        if self.direction == "above":
            return value > self.value
        return value >= self.value if self.direction == "at_least" else value <= self.value


def _target(code: str, title: str, *versions: RuleVersion) -> Rule:
    return register(Rule(code=f"target.{code}", title=title, versions=versions))


HAMLETS_WITH_MEMBERS = _target(
    "hamlets_with_members",
    "100 % thôn, tổ dân phố có đảng viên (năm 2025)",
    RuleVersion(
        DE_AN_FROM, Target(1.0, 2025, wording="phấn đấu 100 % thôn, bản có đảng viên"), f"{DE_AN_TCCSD}"
    ),
    RuleVersion(
        NQ_21_FROM, Target(1.0, 2025, wording="100 % thôn, tổ dân phố có đảng viên"), f"{NQ_21}, mục III"
    ),
)
# Measured on hamlets with a cell of their own (stats.indicators ``hamlets.with_cell_share``):
# a cell that covers several hamlets (thôn ghép chi bộ) is the interim arrangement the target
# is meant to end, so those hamlets are counted apart (``hamlets.merged_cell``).
HAMLETS_WITH_CELL = _target(
    "hamlets_with_cell",
    "100 % thôn, tổ dân phố có chi bộ riêng (năm 2030)",
    RuleVersion(
        DE_AN_FROM,
        Target(1.0, 2030, wording="không còn thôn, bản, tổ dân phố không có chi bộ"),
        f"{DE_AN_TCCSD}",
    ),
    RuleVersion(
        NQ_21_FROM, Target(1.0, 2030, wording="100 % thôn, tổ dân phố có chi bộ"), f"{NQ_21}, mục III"
    ),
)
HAMLETS_WITHOUT_CELL = _target(
    "hamlets_without_cell",
    "Không còn thôn, tổ dân phố chưa có chi bộ (năm 2030)",
    RuleVersion(
        DE_AN_FROM,
        Target(0, 2030, direction="at_most", wording="không còn thôn, bản, tổ dân phố không có chi bộ"),
        f"{DE_AN_TCCSD}",
    ),
    RuleVersion(
        NQ_21_FROM,
        Target(0, 2030, direction="at_most", wording="100 % thôn, tổ dân phố có chi bộ"),
        f"{NQ_21}, mục III",
    ),
)
HAMLET_HEADS_MEMBERS = _target(
    "hamlet_heads_members",
    "Trưởng thôn, tổ trưởng tổ dân phố là đảng viên (cơ bản năm 2025, toàn bộ năm 2030)",
    RuleVersion(
        DE_AN_FROM,
        Target(1.0, 2030, wording="2025: phấn đấu cơ bản; 2030: trưởng thôn, tổ trưởng dân phố là đảng viên"),
        f"{DE_AN_TCCSD}",
    ),
)
SECRETARIES_THEORY = _target(
    "secretaries_theory",
    "Bí thư, phó bí thư cấp ủy cơ sở có trình độ lý luận chính trị từ trung cấp trở lên (cơ bản năm 2025)",
    RuleVersion(
        DE_AN_FROM,
        Target(0.9, 2025, wording="phấn đấu cơ bản (đọc là từ 90 % trở lên)"),
        f"{DE_AN_TCCSD}",
        confirmed=False,
    ),
)
COMMITTEE_THEORY = _target(
    "committee_theory",
    "Cấp ủy viên cơ sở có trình độ lý luận chính trị từ trung cấp trở lên (cơ bản năm 2030)",
    RuleVersion(
        DE_AN_FROM,
        Target(0.9, 2030, wording="cơ bản đội ngũ cấp ủy viên cơ sở (đọc là từ 90 % trở lên)"),
        f"{DE_AN_TCCSD}",
        confirmed=False,
    ),
)
ADMISSION_RATE = _target(
    "admission_rate",
    "Kết nạp đảng viên mới hằng năm bằng 3–4 % tổng số đảng viên",
    RuleVersion(
        NQ_21_FROM,
        Target(0.03, 2025, high=0.04, wording="bình quân hằng năm 3–4 % tổng số đảng viên (2020–2025)"),
        f"{NQ_21}, mục III",
    ),
    RuleVersion(
        date(2026, 1, 1),
        Target(0.03, 2030, high=0.04, wording="3–4 % mỗi năm (giai đoạn 2025–2030, chưa xác nhận)"),
        f"{NQ_21}, mục III",
        confirmed=False,
    ),
)
# Resolution 21-NQ/TW: "trên 90 % tổ chức cơ sở đảng và đảng viên được xếp loại hoàn thành tốt
# nhiệm vụ trở lên hằng năm", for 2025 and again for 2030 (RULES.md §9). Read on each year's
# ratings (stats.indicators.ratings), members and grassroots organizations alike.
_GOOD_RATED_2025 = "trên 90 % {} được xếp loại hoàn thành tốt nhiệm vụ trở lên hằng năm (đến năm 2025)"
_GOOD_RATED_2030 = "trên 90 % {} được xếp loại hoàn thành tốt nhiệm vụ trở lên hằng năm (đến năm 2030)"
MEMBERS_RATED_GOOD = _target(
    "members_rated_good",
    "Trên 90 % đảng viên được xếp loại hoàn thành tốt nhiệm vụ trở lên hằng năm",
    RuleVersion(
        NQ_21_FROM,
        Target(0.9, 2025, direction="above", wording=_GOOD_RATED_2025.format("đảng viên")),
        f"{NQ_21}, mục III",
    ),
    RuleVersion(
        date(2026, 1, 1),
        Target(0.9, 2030, direction="above", wording=_GOOD_RATED_2030.format("đảng viên")),
        f"{NQ_21}, mục III",
    ),
)
GRASSROOTS_RATED_GOOD = _target(
    "grassroots_rated_good",
    "Trên 90 % tổ chức cơ sở đảng được xếp loại hoàn thành tốt nhiệm vụ trở lên hằng năm",
    RuleVersion(
        NQ_21_FROM,
        Target(0.9, 2025, direction="above", wording=_GOOD_RATED_2025.format("tổ chức cơ sở đảng")),
        f"{NQ_21}, mục III",
    ),
    RuleVersion(
        date(2026, 1, 1),
        Target(0.9, 2030, direction="above", wording=_GOOD_RATED_2030.format("tổ chức cơ sở đảng")),
        f"{NQ_21}, mục III",
    ),
)

# Theory levels counted as "from intermediate up" (reference data: theory_levels.csv ranks ≥ 2).
THEORY_INTERMEDIATE_OR_ABOVE = frozenset({"intermediate", "advanced", "bachelor"})
