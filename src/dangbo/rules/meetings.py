"""Meetings of a cell and of its committee (sinh hoạt chi bộ, họp cấp ủy), RULES.md §3 and
§11 rule 13.

Pure rules, on values the meetings app reads: one regular meeting a month for each body
(chi bộ, chi ủy, đảng ủy cơ sở); at least one thematic meeting a quarter, which does not count
as the month's regular meeting; online or mixed meetings only on the conditions of HD 03-HD/TW;
who may be recorded at a meeting; and the members whose unexcused absences reach the months
that call for a striking-off review (the number is ``rules.exits.STRIKE_OFF_MISSED_MONTHS``,
kept once there).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from dangbo.rules.base import Rule, RuleVersion, Violation, register
from dangbo.rules.citations import CHARTER, CHARTER_ADOPTED, QD_294, QD_294_FROM
from dangbo.rules.exits import STRIKE_OFF_MISSED_MONTHS
from dangbo.rules.votes import approvals_needed_more_than

# RULES.md §3 names the guidance (HD 03-HD/TW, a pilot of online Party meetings) through a
# provincial page of 28/2/2023 [S73] and gives no date of issue: the guidance was in force
# by then, which is the date kept here (``Rule.at`` applies it to earlier days as well).
HD_03 = "Hướng dẫn 03-HD/TW của Ban Bí thư (thí điểm sinh hoạt đảng trực tuyến)"
HD_03_FROM = date(2023, 2, 28)


class OnlineReason:
    """Why members cannot meet in person, as HD 03-HD/TW lists them (RULES.md §3)."""

    DISPERSED = "dispersed"
    SPECIAL = "special"
    CHOICES = (
        (
            DISPERSED,
            "Đảng viên làm việc phân tán, lưu động (ở nước ngoài, đơn vị nhiều tỉnh, đi làm ăn xa, "
            "lực lượng vũ trang, đi biển…)",
        ),
        (SPECIAL, "Hoàn cảnh đặc biệt (thiên tai, dịch bệnh…)"),
    )
    LABELS = dict(CHOICES)


MONTHLY_REGULAR = register(
    Rule(
        code="meeting.monthly_regular",
        title="Chi bộ, chi ủy, đảng ủy cơ sở sinh hoạt (họp) thường kỳ mỗi tháng một lần",
        versions=(
            RuleVersion(CHARTER_ADOPTED, 1, f"{CHARTER}, Điều 22, 24"),
            RuleVersion(QD_294_FROM, 1, f"{CHARTER}, Điều 22, 24; {QD_294}", confirmed=False),
        ),
    )
)

# RULES.md §3 gives the quarterly thematic meeting from a cell's own report [S71], without
# the guidance it follows: the rule is kept UNCONFIRMED, with the Charter's article on cells.
THEMATIC_QUARTERLY = register(
    Rule(
        code="meeting.thematic_quarterly",
        title="Chi bộ sinh hoạt chuyên đề ít nhất mỗi quý một lần, không thay cho sinh hoạt thường kỳ",
        versions=(
            RuleVersion(
                CHARTER_ADOPTED,
                1,
                f"{CHARTER}, Điều 24; hướng dẫn sinh hoạt chi bộ (sinh hoạt chuyên đề hằng quý)",
                confirmed=False,
            ),
        ),
    )
)

ONLINE_CONDITIONS = register(
    Rule(
        code="meeting.online_conditions",
        title="Sinh hoạt đảng trực tuyến khi trên một nửa số đảng viên (không kể đảng viên được miễn, "
        "bị đình chỉ sinh hoạt) không thể sinh hoạt trực tiếp vì lý do được hướng dẫn",
        versions=(RuleVersion(HD_03_FROM, Fraction(1, 2), HD_03, confirmed=False),),
    )
)

ATTENDANCE_ROLL = register(
    Rule(
        code="meeting.attendance_roll",
        title="Điểm danh đảng viên của chi bộ vào ngày sinh hoạt, hoặc đảng viên sinh hoạt tạm thời tại chi bộ",
        versions=(
            RuleVersion(CHARTER_ADOPTED, True, f"{CHARTER}, Điều 2, 24"),
            RuleVersion(QD_294_FROM, True, f"{CHARTER}, Điều 2, 24; {QD_294}, mục 6.3 (sinh hoạt tạm thời)"),
        ),
    )
)


# RULES.md §3: a resolution needs more than half of the members (QĐ 294 §9.3.2 for who counts).
RESOLUTION_MAJORITY = register(
    Rule(
        code="meeting.resolution_majority",
        title="Nghị quyết của chi bộ có giá trị khi trên một nửa số đảng viên được tính tán thành "
        "(tính trên tổng số đảng viên, không tính trên số có mặt)",
        versions=(
            RuleVersion(
                CHARTER_ADOPTED, Fraction(1, 2), f"{CHARTER}, Điều 10; {QD_294}, mục 9.3.2", confirmed=False
            ),
        ),
    )
)


@dataclass(frozen=True)
class VoteOutcome:
    passed: bool
    needed: int  # the fewest approvals that carry it
    ref: str


def resolution_outcome(*, on: date, approvals: int, denominator: int) -> VoteOutcome:
    """Whether ``approvals`` carry a resolution: strictly more than half of ``denominator``
    (the full roll of the day, RULES.md §3), never of those present."""
    version = RESOLUTION_MAJORITY.at(on)
    needed = approvals_needed_more_than(version.value, denominator)
    return VoteOutcome(passed=denominator > 0 and approvals >= needed, needed=needed, ref=version.ref)


def check_vote_count(*, on: date, approvals: int, denominator: int) -> list[Violation]:
    """Approvals are counted from 0 to the whole denominator."""
    if 0 <= approvals <= denominator and denominator > 0:
        return []
    version = RESOLUTION_MAJORITY.at(on)
    message = (
        "Không có đảng viên chính thức nào được tính vào ngày biểu quyết."
        if denominator <= 0
        else f"Số tán thành phải từ 0 đến {denominator} (tổng số đảng viên được tính, không phải số có mặt)."
    )
    return [Violation(RESOLUTION_MAJORITY.code, message, version.ref, field="approvals")]


def check_regular_per_month(*, held_on: date, regular_already: bool, body_label: str) -> list[Violation]:
    """A second regular meeting of the same body in the month of ``held_on`` is refused (an
    extra one is recorded as «bất thường», a thematic one as «chuyên đề»)."""
    if not regular_already:
        return []
    version = MONTHLY_REGULAR.at(held_on)
    return [
        Violation(
            MONTHLY_REGULAR.code,
            f"{body_label} đã có buổi sinh hoạt thường kỳ tháng {held_on:%m/%Y}; mỗi tháng một buổi. "
            "Buổi khác ghi là sinh hoạt bất thường hoặc chuyên đề.",
            version.ref,
            field="held_on",
        )
    ]


def check_online(
    *, on: date, mode_online: bool, reason: str, unable_in_person: int | None, members_counted: int
) -> list[Violation]:
    """Online or mixed meetings (HD 03-HD/TW): a listed reason, and more than half of the
    members counted (exempted and suspended members left out) unable to meet in person."""
    if not mode_online:
        return []
    version = ONLINE_CONDITIONS.at(on)
    found = []
    if reason not in OnlineReason.LABELS:
        found.append(
            Violation(
                ONLINE_CONDITIONS.code,
                "Sinh hoạt trực tuyến phải ghi lý do đảng viên không thể sinh hoạt trực tiếp theo hướng dẫn.",
                version.ref,
                field="online_reason",
            )
        )
    share = version.value
    unable = unable_in_person or 0
    if unable < 0 or unable > members_counted:
        found.append(
            Violation(
                ONLINE_CONDITIONS.code,
                f"Số đảng viên không thể sinh hoạt trực tiếp phải từ 0 đến {members_counted}.",
                version.ref,
                field="unable_in_person",
            )
        )
    elif members_counted == 0 or Fraction(unable, members_counted) <= share:
        found.append(
            Violation(
                ONLINE_CONDITIONS.code,
                f"Chỉ sinh hoạt trực tuyến khi trên {share.numerator}/{share.denominator} số đảng viên "
                f"(không kể đảng viên được miễn, bị đình chỉ sinh hoạt) không thể sinh hoạt trực tiếp: "
                f"{unable}/{members_counted} chưa đủ.",
                version.ref,
                field="unable_in_person",
            )
        )
    return found


def attendance_roll_violation(*, on: date, names: list[str]) -> Violation:
    """The people recorded who were neither members of the cell that day nor hosted there."""
    version = ATTENDANCE_ROLL.at(on)
    return Violation(
        ATTENDANCE_ROLL.code,
        f"Không phải đảng viên của tổ chức (hoặc sinh hoạt tạm thời tại đây) vào ngày {on:%d/%m/%Y}: "
        + ", ".join(names)
        + ".",
        version.ref,
        field="attendance",
    )


def calendar_gaps(
    *, year: int, regular_months: Iterable[int], thematic_months: Iterable[int], until: date
) -> list[Violation]:
    """The months of ``year`` ended before ``until`` without a regular meeting — a month with
    only a thematic meeting included, since it does not replace the regular one — and the
    quarters ended before ``until`` without a thematic meeting."""
    regular, thematic = set(regular_months), set(thematic_months)
    found = []
    ended = 12 if until.year > year else until.month - 1 if until.year == year else 0
    monthly = MONTHLY_REGULAR.at(date(year, 1, 1))
    for month in range(1, ended + 1):
        if month not in regular:
            extra = " (sinh hoạt chuyên đề không thay cho sinh hoạt thường kỳ)" if month in thematic else ""
            found.append(
                Violation(
                    MONTHLY_REGULAR.code,
                    f"Tháng {month:02d}/{year} chưa có buổi sinh hoạt thường kỳ{extra}.",
                    monthly.ref,
                    details={"month": month},
                )
            )
    quarterly = THEMATIC_QUARTERLY.at(date(year, 1, 1))
    for quarter in range(1, ended // 3 + 1):
        if not thematic & set(range(3 * quarter - 2, 3 * quarter + 1)):
            found.append(
                Violation(
                    THEMATIC_QUARTERLY.code,
                    f"Quý {quarter}/{year} chưa có buổi sinh hoạt chuyên đề.",
                    quarterly.ref,
                    details={"quarter": quarter},
                )
            )
    return found


@dataclass(frozen=True)
class AbsenceReview:
    """A member whose unexcused absences fall in ``months`` of the year: enough for the cell to
    consider striking them off (RULES.md §2.6, §11 rule 13)."""

    member_id: object
    months: tuple[int, ...]
    rule_ref: str


def unexcused_absence_reviews(absences: Iterable[tuple[object, date]], *, year: int) -> list[AbsenceReview]:
    """From (member, meeting day) pairs of unexcused absence, the members absent without
    reason in at least the rule's number of distinct months of ``year``."""
    months: dict[object, set[int]] = defaultdict(set)
    for member_id, day in absences:
        if day.year == year:
            months[member_id].add(day.month)
    version = STRIKE_OFF_MISSED_MONTHS.at(date(year, 12, 31))
    return [
        AbsenceReview(member_id, tuple(sorted(found)), version.ref)
        for member_id, found in months.items()
        if len(found) >= version.value
    ]
