"""Counting a cell's vote and a committee's vote (RULES.md §3, §2.2, §11 rule 8).

Every vote a cell takes on a member — admission, recognition, striking off a probationary
member, discipline — is counted here against ``members.selectors.votes.vote_roll``; the
grassroots committee's vote on an admission decision is counted against the committee's
members on the day (``members.selectors.votes.committee_roll``). The services record what this
returns, so the denominator written on a step or an event is the one that was checked.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from dangbo.members.models import Member
from dangbo.members.selectors.votes import committee_roll, vote_roll
from dangbo.members.services import INPUT
from dangbo.rules import votes as vote_rules
from dangbo.rules.base import Rule, Violation


@dataclass(frozen=True)
class CountedVote:
    denominator: int
    violations: list[Violation] = field(default_factory=list)
    absent_exempted: tuple[str, ...] = ()

    def record(self, approvals: int | None, *, prefix: str = "") -> dict:
        """What the step or event keeps of the vote."""
        data: dict[str, object] = {f"{prefix}approvals": approvals, f"{prefix}denominator": self.denominator}
        if self.absent_exempted:
            data[f"{prefix}absent_exempted"] = list(self.absent_exempted)
        return data


def _names(ids: Iterable[str]) -> str:
    members = Member.objects.filter(pk__in=list(ids)).order_by("sort_key")
    return ", ".join(m.full_name for m in members) or ", ".join(ids)


def cell_roll_count(*, org, on: date, absent_exempted: Iterable = ()) -> CountedVote:
    """``org``'s denominator on ``on``, exempted members recorded absent left out; only
    those exempted that day may be recorded so."""
    roll = vote_roll(org=org, on=on)
    absent = tuple(sorted({str(m) for m in absent_exempted}))
    violations: list[Violation] = []
    wrong = roll.not_exempted(absent)
    if wrong:
        violations.append(
            Violation(
                "input",
                f"{_names(wrong)} không được miễn công tác và sinh hoạt đảng ở chi bộ vào ngày biểu quyết "
                f"{on:%d/%m/%Y}; chỉ đảng viên được miễn mà vắng mặt mới không tính vào tổng số.",
                INPUT,
                field="absent_exempted",
            )
        )
    return CountedVote(denominator=roll.denominator(absent), violations=violations, absent_exempted=absent)


def cell_vote(
    *,
    org,
    on: date,
    approvals: int | None,
    rule: Rule,
    absent_exempted: Iterable = (),
    hint: str | None = None,
    field_name: str = "approvals",
) -> CountedVote:
    """Count ``approvals`` of ``org``'s vote on ``on`` against its roll (``cell_roll_count``)."""
    counted = cell_roll_count(org=org, on=on, absent_exempted=absent_exempted)
    kwargs = {"hint": hint} if hint is not None else {}
    share = vote_rules.check_vote(
        rule=rule,
        on=on,
        approvals=approvals if approvals is not None else -1,
        denominator=counted.denominator,
        **kwargs,
    )
    return dataclasses.replace(
        counted, violations=counted.violations + [_on_field(v, field_name) for v in share]
    )


def committee_vote(*, org, on: date, approvals: int | None) -> CountedVote:
    """The grassroots committee's collective decision to admit: at least two thirds of the
    committee's members that day (Charter art. 4; RULES.md §2.2 step 10)."""
    rule = vote_rules.GRASSROOTS_ADMISSION_DECISION_SHARE
    members = committee_roll(org=org, on=on)
    if not members:
        return CountedVote(
            denominator=0,
            violations=[
                Violation(
                    rule.code,
                    f"{org.name} chưa có cấp ủy viên nào trong hồ sơ vào ngày {on:%d/%m/%Y}: ghi cấp ủy của đảng ủy cơ sở "
                    "trước, hoặc chọn Ban Thường vụ cấp ủy cấp trên trực tiếp quyết định.",
                    rule.at(on).ref,
                    field="committee_approvals",
                )
            ],
        )
    violations = vote_rules.check_vote(
        rule=rule,
        on=on,
        approvals=approvals if approvals is not None else -1,
        denominator=len(members),
        hint="Chưa đủ thì đảng ủy chưa quyết định kết nạp.",
        body="cấp ủy viên của đảng ủy cơ sở",
    )
    return CountedVote(
        denominator=len(members), violations=[_on_field(v, "committee_approvals") for v in violations]
    )


def _on_field(violation: Violation, name: str) -> Violation:
    return dataclasses.replace(violation, field=name)
