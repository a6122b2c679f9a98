"""Who may hold which position in which organization (RULES.md §1.3, §2.3)."""

from __future__ import annotations

from datetime import date

from dangbo.core.kinds import CELL_KINDS, OrgKind
from dangbo.core.roles import Role
from dangbo.rules.base import Rule, RuleVersion, Violation, register
from dangbo.rules.citations import CHARTER, CHARTER_ADOPTED, QD_24, QD_24_FROM, QD_294
from dangbo.rules.orgs import CELL_COMMITTEE_MAX, CELL_COMMITTEE_THRESHOLD, CELL_DEPUTY_MAX_WITHOUT_COMMITTEE

K = OrgKind
_COMMITTEE_KINDS = frozenset(
    {K.PROVINCE, K.UPPER, K.GRASSROOTS_COMMITTEE, K.GRASSROOTS_CELL, K.SUB_COMMITTEE, K.CELL}
)

POSITION_KINDS = register(
    Rule(
        code="position.org_kinds",
        title="Chức vụ đảng theo loại tổ chức",
        versions=(
            RuleVersion(
                CHARTER_ADOPTED,
                {
                    Role.SECRETARY: _COMMITTEE_KINDS,
                    Role.DEPUTY_SECRETARY: _COMMITTEE_KINDS,
                    Role.COMMITTEE_MEMBER: _COMMITTEE_KINDS,
                    # A standing committee is elected by committees of upper and grassroots level.
                    Role.STANDING_COMMITTEE_MEMBER: frozenset({K.PROVINCE, K.UPPER, K.GRASSROOTS_COMMITTEE}),
                    Role.GROUP_LEADER: frozenset({K.GROUP}),
                },
                f"{CHARTER}, Điều 11, 12, 24; {QD_294}",
            ),
        ),
    )
)

HOLDER_MUST_BE_FULL = register(
    Rule(
        code="position.full_member_only",
        title="Đảng viên dự bị không có quyền ứng cử, bầu cử cơ quan lãnh đạo của Đảng",
        versions=(RuleVersion(CHARTER_ADOPTED, True, f"{CHARTER}, Điều 5"),),
    )
)

# Positions held by one person at a time.
SINGLE_HOLDER_ROLES = frozenset({Role.SECRETARY, Role.GROUP_LEADER})


def check_position(
    *,
    role: str,
    org_kind: str,
    on: date,
    holder_is_full: bool,
    holder_in_org: bool,
    current_holders: dict[str, int],
    cell_full_members: int | None = None,
) -> list[Violation]:
    """Violations of starting ``role`` in an organization of ``org_kind`` on ``on``.

    ``current_holders`` counts current holders by role in that organization (before
    this one); ``cell_full_members`` is needed for cells, whose committee depends on it.
    """
    violations: list[Violation] = []
    role_label = Role(role).label
    kinds = POSITION_KINDS.at(on)
    if org_kind not in kinds.value[Role(role)]:
        violations.append(
            Violation(
                POSITION_KINDS.code,
                f"Không có chức vụ «{role_label}» trong {K(org_kind).label.lower()}.",
                kinds.citation,
                field="role",
            )
        )
        return violations
    if not holder_is_full:
        full_rule = HOLDER_MUST_BE_FULL.at(on)
        violations.append(
            Violation(
                HOLDER_MUST_BE_FULL.code,
                f"Chỉ đảng viên chính thức mới được bầu giữ chức vụ «{role_label}».",
                full_rule.citation,
                field="member",
            )
        )
    if not holder_in_org:
        violations.append(
            Violation(
                POSITION_KINDS.code,
                f"Người giữ chức vụ «{role_label}» phải là đảng viên sinh hoạt trong tổ chức này.",
                kinds.citation,
                field="member",
            )
        )
    if role in SINGLE_HOLDER_ROLES and current_holders.get(role, 0) >= 1:
        violations.append(
            Violation(
                POSITION_KINDS.code,
                f"Tổ chức đã có {role_label.lower()}; cần kết thúc chức vụ của người đang giữ trước.",
                kinds.citation,
                field="role",
            )
        )
    if org_kind in CELL_KINDS and cell_full_members is not None:
        violations += _check_cell_committee(role, on, current_holders, cell_full_members)
    return violations


def _check_cell_committee(role: str, on: date, holders: dict[str, int], full_members: int) -> list[Violation]:
    threshold = CELL_COMMITTEE_THRESHOLD.at(on)
    if full_members < threshold.value:
        if role == Role.COMMITTEE_MEMBER:
            return [
                Violation(
                    CELL_COMMITTEE_THRESHOLD.code,
                    f"Chi bộ có {full_members} đảng viên chính thức (dưới {threshold.value}) không bầu chi ủy, "
                    "chỉ bầu bí thư và nếu cần một phó bí thư.",
                    threshold.citation,
                    field="role",
                )
            ]
        deputy_max = CELL_DEPUTY_MAX_WITHOUT_COMMITTEE.at(on)
        if role == Role.DEPUTY_SECRETARY and holders.get(Role.DEPUTY_SECRETARY, 0) >= deputy_max.value:
            return [
                Violation(
                    CELL_DEPUTY_MAX_WITHOUT_COMMITTEE.code,
                    f"Chi bộ dưới {threshold.value} đảng viên chính thức chỉ có một phó bí thư.",
                    deputy_max.citation,
                    field="role",
                )
            ]
        return []
    maximum = CELL_COMMITTEE_MAX.at(on)
    committee = sum(holders.get(r, 0) for r in (Role.SECRETARY, Role.DEPUTY_SECRETARY, Role.COMMITTEE_MEMBER))
    if committee + 1 > maximum.value:
        return [
            Violation(
                CELL_COMMITTEE_MAX.code,
                f"Chi ủy đã có {committee} ủy viên; không quá {maximum.value}.",
                maximum.citation,
                field="role",
            )
        ]
    return []


# The smallest committee (chi ủy) a cell can elect: a secretary and a deputy elected from it
# and at least one more member. RULES.md names no minimum; three follows from QĐ 294's
# "elect a chi ủy, then the secretary and one deputy from it". Kept as a rule so it can be
# corrected when the text is verified.
CELL_COMMITTEE_MIN = register(
    Rule(
        code="org.cell_committee_min",
        title="Chi ủy gồm bí thư, phó bí thư và ít nhất một chi ủy viên",
        versions=(RuleVersion(QD_24_FROM, 3, f"{QD_24}; {QD_294}", confirmed=False),),
    )
)


def committee_gaps(
    *, org_kind: str, on: date, holders: dict[str, int], full_members: int | None = None
) -> list[Violation]:
    """What an organization's leadership lacks or exceeds on ``on`` (shown on its page and by
    the compliance checker): no secretary; a cell of 9 or more full members without a
    committee, or with more than 7; a smaller cell with committee members or two deputies."""
    gaps: list[Violation] = []
    kinds = POSITION_KINDS.at(on)
    if org_kind not in _COMMITTEE_KINDS:
        return gaps
    if holders.get(Role.SECRETARY, 0) == 0:
        gaps.append(
            Violation(
                POSITION_KINDS.code, f"{K(org_kind).label} chưa có bí thư.", kinds.citation, field="role"
            )
        )
    if org_kind not in CELL_KINDS or full_members is None:
        return gaps
    committee = sum(holders.get(r, 0) for r in (Role.SECRETARY, Role.DEPUTY_SECRETARY, Role.COMMITTEE_MEMBER))
    threshold = CELL_COMMITTEE_THRESHOLD.at(on)
    if full_members >= threshold.value:
        maximum = CELL_COMMITTEE_MAX.at(on)
        if committee < CELL_COMMITTEE_MIN.value(on):
            gaps.append(
                Violation(
                    CELL_COMMITTEE_THRESHOLD.code,
                    f"Chi bộ có {full_members} đảng viên chính thức (từ {threshold.value} trở lên) phải bầu chi ủy, "
                    f"nhưng mới có {committee} người trong chi ủy.",
                    threshold.citation,
                    field="role",
                )
            )
        elif committee > maximum.value:
            gaps.append(
                Violation(
                    CELL_COMMITTEE_MAX.code,
                    f"Chi ủy có {committee} ủy viên, quá {maximum.value}.",
                    maximum.citation,
                    field="role",
                )
            )
    else:
        if holders.get(Role.COMMITTEE_MEMBER, 0):
            gaps.append(
                Violation(
                    CELL_COMMITTEE_THRESHOLD.code,
                    f"Chi bộ có {full_members} đảng viên chính thức (dưới {threshold.value}) không bầu chi ủy, nhưng đang ghi "
                    f"{holders[Role.COMMITTEE_MEMBER]} chi ủy viên.",
                    threshold.citation,
                    field="role",
                )
            )
        deputies = CELL_DEPUTY_MAX_WITHOUT_COMMITTEE.at(on)
        if holders.get(Role.DEPUTY_SECRETARY, 0) > deputies.value:
            gaps.append(
                Violation(
                    CELL_DEPUTY_MAX_WITHOUT_COMMITTEE.code,
                    f"Chi bộ dưới {threshold.value} đảng viên chính thức chỉ có một phó bí thư.",
                    deputies.citation,
                    field="role",
                )
            )
    return gaps
