"""What the compliance checker checks and finds (``stats.compliance``): the declared checks in
report order (``Check``, ``CHECKS``), the rules and due-item kinds each reports, one finding
(``Finding``), and the small helpers the checks share."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from dangbo.accounts.scope import Scope
from dangbo.candidates.models import Candidate
from dangbo.members.models import Member
from dangbo.orgs.models import Locality, Org
from dangbo.rules import admission as admission_rules
from dangbo.rules import orgs as org_rules
from dangbo.rules import positions as position_rules
from dangbo.rules import probation as probation_rules
from dangbo.rules import targets as target_rules
from dangbo.rules import transfers as transfer_rules
from dangbo.rules.base import Rule

UNKNOWN_SINCE = "không xác định"


@dataclass(frozen=True)
class Check:
    code: str
    title: str
    rules: tuple[Rule, ...]  # the rules the check applies (their citations head a check without findings)


CHECKS: tuple[Check, ...] = (
    Check(
        "org.min_full_members", "Không đủ số đảng viên chính thức tối thiểu", (org_rules.MIN_FULL_MEMBERS,)
    ),
    Check(
        "org.formation_approval",
        "Loại tổ chức không tương ứng số đảng viên, chưa có văn bản đồng ý của cấp trên",
        (org_rules.GRASSROOTS_COMMITTEE_THRESHOLD,),
    ),
    Check(
        "org.committee",
        "Cấp ủy, chi ủy, bí thư chưa kiện toàn đúng quy định",
        (position_rules.POSITION_KINDS, org_rules.CELL_COMMITTEE_THRESHOLD, org_rules.CELL_COMMITTEE_MAX),
    ),
    Check(
        "org.grassroots_secretary",
        "Tổ chức cơ sở đảng không có bí thư",
        (position_rules.POSITION_KINDS,),
    ),
    Check(
        "member.probation_ended",
        "Hết thời gian dự bị, chưa có quyết định công nhận đảng viên chính thức",
        (probation_rules.PROBATION_MONTHS,),
    ),
    Check(
        "deadline.overdue",
        "Quá thời hạn giải quyết (kết nạp, lễ kết nạp, chuyển sinh hoạt đảng)",
        (
            admission_rules.ADMISSION_DECISION_WORKING_DAYS,
            admission_rules.CEREMONY_WORKING_DAYS,
            transfer_rules.TRANSFER_PRESENT_WORKING_DAYS,
        ),
    ),
    Check(
        "transfer.late",
        "Chuyển sinh hoạt đảng chậm hạn, chưa ghi nhận xử lý",
        (transfer_rules.TRANSFER_COMPLETE_WORKING_DAYS, transfer_rules.TRANSFER_PRESENT_WORKING_DAYS),
    ),
    Check(
        "target.hamlets_without_cell", "Thôn, tổ dân phố chưa có chi bộ", (target_rules.HAMLETS_WITHOUT_CELL,)
    ),
    Check(
        "target.secretaries_theory",
        "Bí thư, phó bí thư cấp cơ sở chưa có trình độ lý luận chính trị từ trung cấp trở lên",
        (target_rules.SECRETARIES_THEORY,),
    ),
    Check(
        "hamlet.head_record",
        "Trưởng thôn, tổ trưởng cần xem lại hồ sơ (chưa khớp hồ sơ đảng viên, hoặc đã từ trần, ra khỏi Đảng)",
        (target_rules.HAMLET_HEADS_MEMBERS,),
    ),
)
CHECK_TITLES = {check.code: check.title for check in CHECKS}
_ORDER = {check.code: number for number, check in enumerate(CHECKS)}

# check_formation's violations, by rule, to the check that reports them.
_FORMATION_CHECKS = {
    org_rules.MIN_FULL_MEMBERS.code: "org.min_full_members",
    org_rules.GRASSROOTS_COMMITTEE_THRESHOLD.code: "org.formation_approval",
}
# due_items' kinds reported as overdue deadlines, with the rule each deadline comes from.
# ("recognition" is check 4; badges are never overdue; a cell left below the minimum is check 1.)
_DEADLINE_RULES = {
    "admission_decision": admission_rules.ADMISSION_DECISION_WORKING_DAYS,
    "ceremony": admission_rules.CEREMONY_WORKING_DAYS,
    "transfer": transfer_rules.TRANSFER_PRESENT_WORKING_DAYS,
}
# due_items' kinds of transfers recorded late and not yet handled (check 6).
_LATE_TRANSFER_RULES = {
    "transfer_letter_late": transfer_rules.TRANSFER_COMPLETE_WORKING_DAYS,
    "transfer_arrival_late": transfer_rules.TRANSFER_PRESENT_WORKING_DAYS,
}
_CHUNK = 500  # ids per IN (...) list, well under SQLite's limit on query parameters


@dataclass(frozen=True)
class Finding:
    """One rule broken by the data as it stands."""

    check: str
    title: str
    org: Org
    member: Member | None
    message: str
    rule: str
    citation: str
    since: date | None  # since when the violation holds, as far as the records tell
    locality: Locality | None = None
    candidate: Candidate | None = None  # a person in the admission procedure (overdue decision, ceremony)

    @property
    def person_name(self) -> str:
        person = self.member or self.candidate
        return person.full_name if person is not None else ""

    @property
    def since_text(self) -> str:
        return f"{self.since:%d/%m/%Y}" if self.since else UNKNOWN_SINCE

    def as_dict(self) -> dict:
        return {
            "check": self.check,
            "title": self.title,
            "org_id": str(self.org.pk),
            "org_code": self.org.code,
            "org_name": self.org.name,
            "member_id": str(self.member.pk) if self.member is not None else None,
            "member_name": self.member.full_name if self.member is not None else None,
            "candidate_id": str(self.candidate.pk) if self.candidate is not None else None,
            "candidate_name": self.candidate.full_name if self.candidate is not None else None,
            "locality_id": str(self.locality.pk) if self.locality is not None else None,
            "locality_code": self.locality.code if self.locality is not None else None,
            "locality_name": str(self.locality) if self.locality is not None else None,
            "message": self.message,
            "rule": self.rule,
            "citation": self.citation,
            "since": self.since.isoformat() if self.since else None,
        }


def _d(day: date) -> str:
    return f"{day:%d/%m/%Y}"


def _chunks(items: list, size: int = _CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _system_scope():
    """The whole installation (the command line; ``actor=None``)."""
    return Scope(user_id=None, username="dòng lệnh", is_admin=True)
