"""Votes: who counts in the denominator, and the share that carries a decision (RULES.md §3).

Approvals are counted against the full denominator, not against those present: the official
members of the organization on the day of the vote, less those temporarily transferred out,
exempted members who are absent, suspended members and members under prosecution (QĐ 294
§9.3.2). ``members.selectors.votes.vote_roll`` derives it from the ledger: the full members counted
in the cell on the vote day (one placement valid that day), less those temporarily transferred
out and the suspended (a member under prosecution or detention is recorded as suspended), and
less the exempted members the vote records as absent; ``members.services.votes`` counts every
vote against it. A grassroots committee authorized to admit decides with at least two thirds of
its own members (the committee's members on the day, from their positions).
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction

from dangbo.rules.base import Rule, RuleVersion, Violation, register
from dangbo.rules.citations import CHARTER, CHARTER_ADOPTED, QD_24, QD_24_FROM, QD_294, QD_294_FROM

RECOGNITION_VOTE_SHARE = register(
    Rule(
        code="vote.recognition_share",
        title="Chi bộ xét công nhận đảng viên chính thức: ít nhất hai phần ba đảng viên chính thức tán thành",
        versions=(
            RuleVersion(
                CHARTER_ADOPTED,
                Fraction(2, 3),
                f"{CHARTER}, Điều 5; Quy định 29-QĐ/TW (2016)",
                confirmed=False,
            ),
            RuleVersion(QD_24_FROM, Fraction(2, 3), f"{CHARTER}, Điều 5; {QD_24}"),
            RuleVersion(
                QD_294_FROM,
                Fraction(2, 3),
                f"{CHARTER}, Điều 5; {QD_294}, mục 9.3.2 (cách tính số đảng viên)",
                confirmed=False,
            ),
        ),
    )
)


PROBATION_STRIKE_OFF_VOTE_SHARE = register(
    Rule(
        code="vote.probation_strike_off_share",
        title="Chi bộ đề nghị xóa tên đảng viên dự bị không đủ tư cách: ít nhất hai phần ba đảng viên chính thức tán thành",
        versions=(
            RuleVersion(QD_24_FROM, Fraction(2, 3), f"{CHARTER}, Điều 5; {QD_24}", confirmed=False),
            RuleVersion(QD_294_FROM, Fraction(2, 3), f"{CHARTER}, Điều 5; {QD_294}", confirmed=False),
        ),
    )
)


def approvals_needed(share: Fraction, denominator: int) -> int:
    """The fewest approvals that reach ``share`` of ``denominator`` (2/3 of 10 → 7)."""
    needed = share * denominator
    return needed.numerator // needed.denominator + (1 if needed.denominator != 1 else 0)


RECOGNITION_HINT = "Nếu không đủ điều kiện, chi bộ đề nghị xóa tên theo quy định."


GRASSROOTS_ADMISSION_DECISION_SHARE = register(
    Rule(
        code="vote.grassroots_admission_decision_share",
        title="Đảng ủy cơ sở được ủy quyền quyết định kết nạp: ít nhất hai phần ba cấp ủy viên tán thành",
        versions=(
            RuleVersion(
                CHARTER_ADOPTED,
                Fraction(2, 3),
                f"{CHARTER}, Điều 4; Quy định 29-QĐ/TW (2016), mục 3",
                confirmed=False,
            ),
            RuleVersion(QD_24_FROM, Fraction(2, 3), f"{CHARTER}, Điều 4; {QD_24}, mục 3.4", confirmed=False),
            RuleVersion(
                QD_294_FROM, Fraction(2, 3), f"{CHARTER}, Điều 4; {QD_294}, mục 3.4", confirmed=False
            ),
        ),
    )
)


def check_vote(
    *,
    rule: Rule,
    on: date,
    approvals: int,
    denominator: int,
    hint: str = RECOGNITION_HINT,
    body: str = "đảng viên chính thức",
) -> list[Violation]:
    """``approvals`` against ``denominator`` (the roll of ``body`` on the day of the vote)."""
    version = rule.at(on)
    if denominator <= 0:
        return [
            Violation(
                rule.code,
                f"Không có {body} nào được tính vào ngày biểu quyết.",
                version.ref,
                field="approvals",
            )
        ]
    if approvals < 0 or approvals > denominator:
        return [
            Violation(
                rule.code,
                f"Số tán thành phải từ 0 đến {denominator} (tổng số {body} được tính).",
                version.ref,
                field="approvals",
            )
        ]
    needed = approvals_needed(version.value, denominator)
    if approvals < needed:
        return [
            Violation(
                rule.code,
                f"{approvals}/{denominator} {body} tán thành, chưa đủ {version.value.numerator}/{version.value.denominator} "
                f"(cần ít nhất {needed}). {hint}",
                version.ref,
                field="approvals",
            )
        ]
    return []


def approvals_needed_more_than(share: Fraction, denominator: int) -> int:
    """The fewest approvals strictly above ``share`` of ``denominator``.

    "Trên một nửa" is strictly more than half: more than 1/2 of 10 → 6, of 9 → 5. Compare
    ``approvals_needed``, which reaches the share ("ít nhất", "từ … trở lên"): 1/2 of 10 → 5.
    """
    needed = share * denominator
    return needed.numerator // needed.denominator + 1
