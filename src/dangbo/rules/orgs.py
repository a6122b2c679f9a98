"""Organization rules: which kinds sit under which, where members belong, formation thresholds.

RULES.md §1.2 (levels) and §1.3 (Charter arts. 21, 24; QĐ 294).
"""

from __future__ import annotations

from datetime import date

from dangbo.core.kinds import CELL_KINDS, GRASSROOTS_KINDS, OrgKind
from dangbo.rules.base import Rule, RuleVersion, Violation, register
from dangbo.rules.citations import CHARTER, CHARTER_ADOPTED, QD_24, QD_24_FROM, QD_294, QD_294_FROM

K = OrgKind

# §1.2: the levels of the system, top to bottom.
CHILD_KINDS = register(
    Rule(
        code="org.child_kinds",
        title="Cấp tổ chức được lập trực thuộc từng loại tổ chức đảng",
        versions=(
            RuleVersion(
                CHARTER_ADOPTED,
                {
                    K.PROVINCE: frozenset({K.UPPER, K.GRASSROOTS_COMMITTEE, K.GRASSROOTS_CELL}),
                    K.UPPER: frozenset({K.GRASSROOTS_COMMITTEE, K.GRASSROOTS_CELL}),
                    K.GRASSROOTS_COMMITTEE: frozenset({K.SUB_COMMITTEE, K.CELL}),
                    K.SUB_COMMITTEE: frozenset({K.CELL}),
                    K.GRASSROOTS_CELL: frozenset({K.GROUP}),
                    K.CELL: frozenset({K.GROUP}),
                    K.GROUP: frozenset(),
                },
                f"{CHARTER}, Điều 11, 21, 24; {QD_294}",
            ),
        ),
    )
)

# A grassroots committee given upper-level rights may hold grassroots organizations (QĐ 29 §19, [S40]).
UPPER_RIGHTS_CHILD_KINDS = register(
    Rule(
        code="org.upper_rights_children",
        title="Đảng ủy cơ sở được giao quyền cấp trên cơ sở lập tổ chức cơ sở đảng trực thuộc",
        versions=(
            RuleVersion(
                CHARTER_ADOPTED,
                frozenset({K.GRASSROOTS_COMMITTEE, K.GRASSROOTS_CELL, K.SUB_COMMITTEE, K.CELL}),
                "Quy định 29-QĐ/TW (2016), mục 19 (tiếp tục trong QĐ 294: chưa xác nhận)",
                confirmed=False,
            ),
        ),
    )
)

# Only a grassroots committee is given upper-level rights (QĐ 29 §19, [S40]).
UPPER_RIGHTS_HOLDER_KINDS = register(
    Rule(
        code="org.upper_rights_holder",
        title="Chỉ đảng bộ cơ sở được giao quyền cấp trên cơ sở",
        versions=(
            RuleVersion(
                CHARTER_ADOPTED,
                frozenset({K.GRASSROOTS_COMMITTEE}),
                "Quy định 29-QĐ/TW (2016), mục 19 (tiếp tục trong QĐ 294: chưa xác nhận)",
                confirmed=False,
            ),
        ),
    )
)

# The changes of kind the Charter provides for (art. 21): a grassroots cell that reaches 30
# members becomes a grassroots committee, and the reverse; a cell under a committee that grows
# becomes a sub-committee (art. 21.3), and the reverse. Each keeps the organization's identity.
KIND_CHANGES = register(
    Rule(
        code="org.kind_changes",
        title="Chuyển chi bộ cơ sở thành đảng bộ cơ sở, chi bộ trực thuộc thành đảng bộ bộ phận và ngược lại",
        versions=(
            RuleVersion(
                CHARTER_ADOPTED,
                frozenset(
                    {
                        (K.GRASSROOTS_CELL, K.GRASSROOTS_COMMITTEE),
                        (K.GRASSROOTS_COMMITTEE, K.GRASSROOTS_CELL),
                        (K.CELL, K.SUB_COMMITTEE),
                        (K.SUB_COMMITTEE, K.CELL),
                    }
                ),
                f"{CHARTER}, Điều 21; {QD_294}",
            ),
        ),
    )
)

# Members hold their membership in a cell: a grassroots cell or a cell under a committee.
MEMBER_HOLDING_KINDS = register(
    Rule(
        code="org.member_holding_kinds",
        title="Đảng viên sinh hoạt tại chi bộ",
        versions=(RuleVersion(CHARTER_ADOPTED, CELL_KINDS, f"{CHARTER}, Điều 21, 24"),),
    )
)

MIN_FULL_MEMBERS = register(
    Rule(
        code="org.min_full_members",
        title="Tổ chức cơ sở đảng, chi bộ có ít nhất 3 đảng viên chính thức",
        versions=(RuleVersion(CHARTER_ADOPTED, 3, f"{CHARTER}, Điều 21"),),
    )
)

GRASSROOTS_COMMITTEE_THRESHOLD = register(
    Rule(
        code="org.grassroots_committee_threshold",
        title="Tổ chức cơ sở đảng có từ 30 đảng viên trở lên lập đảng bộ cơ sở",
        versions=(RuleVersion(CHARTER_ADOPTED, 30, f"{CHARTER}, Điều 21"),),
    )
)

CELL_COMMITTEE_THRESHOLD = register(
    Rule(
        code="org.cell_committee_threshold",
        title="Chi bộ có từ 9 đảng viên chính thức trở lên bầu chi ủy",
        versions=(
            RuleVersion(CHARTER_ADOPTED, 9, f"{CHARTER}, Điều 24; {QD_24}", confirmed=False),
            RuleVersion(QD_24_FROM, 9, f"{CHARTER}, Điều 24; {QD_24}"),
            RuleVersion(QD_294_FROM, 9, f"{CHARTER}, Điều 24; {QD_294}"),
        ),
    )
)

# RULES.md §10: a grassroots committee of 300 members or more has a full-time deputy chair
# of its inspection committee (2020–2025 term); what it means after 2025 is unconfirmed.
LARGE_GRASSROOTS_COMMITTEE = register(
    Rule(
        code="org.large_grassroots_committee",
        title="Đảng bộ cơ sở có từ 300 đảng viên trở lên (phó chủ nhiệm ủy ban kiểm tra chuyên trách)",
        versions=(
            RuleVersion(date(2020, 2, 14), 300, "Hướng dẫn 08-HD/UBKTTW ngày 14/2/2020"),
            RuleVersion(
                date(2025, 6, 6),
                300,
                "Hướng dẫn 08-HD/UBKTTW ngày 14/2/2020 (nhiệm kỳ 2025–2030 với đảng bộ cơ quan, doanh nghiệp: chưa xác nhận)",
                confirmed=False,
            ),
        ),
    )
)

CELL_COMMITTEE_MAX = register(
    Rule(
        code="org.cell_committee_max",
        title="Chi ủy có không quá 7 ủy viên",
        versions=(
            RuleVersion(CHARTER_ADOPTED, 7, f"{QD_24}", confirmed=False),
            RuleVersion(QD_294_FROM, 7, f"{QD_294}"),
        ),
    )
)

# Without a committee a cell elects a secretary and at most one deputy.
CELL_DEPUTY_MAX_WITHOUT_COMMITTEE = register(
    Rule(
        code="org.cell_deputy_max_without_committee",
        title="Chi bộ dưới 9 đảng viên chính thức bầu bí thư, nếu cần một phó bí thư",
        versions=(
            RuleVersion(CHARTER_ADOPTED, 1, f"{CHARTER}, Điều 24; {QD_24}", confirmed=False),
            RuleVersion(QD_294_FROM, 1, f"{CHARTER}, Điều 24; {QD_294}"),
        ),
    )
)


def check_child_kind(
    *, parent_kind: str | None, child_kind: str, parent_has_upper_rights: bool = False, on: date
) -> list[Violation]:
    """May an organization of ``child_kind`` be placed under one of ``parent_kind``?"""
    if parent_kind is None:
        if child_kind == K.PROVINCE:
            return []
        return [
            Violation(
                CHILD_KINDS.code,
                f"{K(child_kind).label} phải trực thuộc một tổ chức đảng cấp trên.",
                CHILD_KINDS.at(on).citation,
                field="parent",
            )
        ]
    allowed = set(CHILD_KINDS.value(on)[K(parent_kind)])
    citation = CHILD_KINDS.at(on).citation
    if parent_has_upper_rights and parent_kind == K.GRASSROOTS_COMMITTEE:
        allowed |= UPPER_RIGHTS_CHILD_KINDS.value(on)
        citation = f"{citation}; {UPPER_RIGHTS_CHILD_KINDS.at(on).citation}"
    if child_kind in allowed:
        return []
    return [
        Violation(
            CHILD_KINDS.code,
            f"Không thể lập {K(child_kind).label.lower()} trực thuộc {K(parent_kind).label.lower()}.",
            citation,
            field="kind",
        )
    ]


def check_upper_rights_holder(*, kind: str, on: date, field: str = "has_upper_rights") -> list[Violation]:
    version = UPPER_RIGHTS_HOLDER_KINDS.at(on)
    if kind in version.value:
        return []
    return [
        Violation(
            UPPER_RIGHTS_HOLDER_KINDS.code,
            "Chỉ đảng bộ cơ sở mới được giao quyền cấp trên cơ sở.",
            version.citation,
            field=field,
        )
    ]


def check_kind_change(*, old_kind: str, new_kind: str, on: date) -> list[Violation]:
    version = KIND_CHANGES.at(on)
    if (old_kind, new_kind) in version.value:
        return []
    new_label = K(new_kind).label.lower() if new_kind in K.values else new_kind
    return [
        Violation(
            KIND_CHANGES.code,
            f"Không thể đổi {K(old_kind).label.lower()} thành {new_label}.",
            version.citation,
            field="kind",
        )
    ]


def check_member_holder(*, kind: str, on: date) -> list[Violation]:
    version = MEMBER_HOLDING_KINDS.at(on)
    if kind in version.value:
        return []
    return [
        Violation(
            MEMBER_HOLDING_KINDS.code,
            f"Đảng viên phải sinh hoạt tại chi bộ; không thể đưa đảng viên vào {K(kind).label.lower()}.",
            version.citation,
            field="org",
        )
    ]


def check_formation(
    *, kind: str, members: int, full_members: int, on: date, approval_ref: str = ""
) -> list[Violation]:
    """Formation thresholds of §1.3 for a grassroots organization or cell with these counts.

    ``members`` counts full and probationary members (đảng số); ``approval_ref`` is the
    written approval of the direct superior that the Charter allows for the exceptions.
    """
    violations: list[Violation] = []
    if kind not in GRASSROOTS_KINDS | CELL_KINDS:
        return violations
    minimum = MIN_FULL_MEMBERS.at(on)
    if full_members < minimum.value:
        violations.append(
            Violation(
                MIN_FULL_MEMBERS.code,
                f"{K(kind).label} chỉ có {full_members} đảng viên chính thức, "
                f"dưới mức tối thiểu {minimum.value}; cấp ủy cấp trên cần bổ sung đảng viên hoặc hợp nhất.",
                minimum.citation,
                details={"full_members": full_members, "minimum": minimum.value},
            )
        )
    threshold = GRASSROOTS_COMMITTEE_THRESHOLD.at(on)
    if approval_ref:
        return violations
    if kind == K.GRASSROOTS_CELL and members >= threshold.value:
        violations.append(
            Violation(
                GRASSROOTS_COMMITTEE_THRESHOLD.code,
                f"Chi bộ cơ sở có {members} đảng viên (từ {threshold.value} trở lên) phải lập đảng bộ cơ sở, "
                "trừ khi có văn bản đồng ý của cấp ủy cấp trên trực tiếp.",
                threshold.citation,
                details={"members": members, "threshold": threshold.value},
            )
        )
    if kind == K.GRASSROOTS_COMMITTEE and members < threshold.value:
        violations.append(
            Violation(
                GRASSROOTS_COMMITTEE_THRESHOLD.code,
                f"Đảng bộ cơ sở chỉ có {members} đảng viên (dưới {threshold.value}) "
                "cần văn bản đồng ý của cấp ủy cấp trên trực tiếp.",
                threshold.citation,
                details={"members": members, "threshold": threshold.value},
            )
        )
    if kind == K.CELL and members > threshold.value:
        violations.append(
            Violation(
                GRASSROOTS_COMMITTEE_THRESHOLD.code,
                f"Chi bộ trực thuộc có {members} đảng viên (trên {threshold.value}) "
                "cần văn bản đồng ý của cấp ủy cấp trên trực tiếp.",
                threshold.citation,
                details={"members": members, "threshold": threshold.value},
            )
        )
    return violations


SUB_COMMITTEE_APPROVAL = register(
    Rule(
        code="org.sub_committee_approval",
        title="Lập đảng bộ bộ phận trong đảng bộ cơ sở cần văn bản đồng ý của cấp ủy cấp trên trực tiếp",
        versions=(
            RuleVersion(CHARTER_ADOPTED, True, f"{CHARTER}, Điều 21, 24"),
            RuleVersion(QD_294_FROM, True, f"{CHARTER}, Điều 21, 24; {QD_294}", confirmed=False),
        ),
    )
)


def check_sub_committee_approval(
    *, kind: str, approval_ref: str, on: date, field: str = "approval"
) -> list[Violation]:
    """A partial committee (đảng bộ bộ phận) is an exception like the others of §1.3: it is
    established, or a cell turned into one, only with the direct superior's written approval."""
    if kind != K.SUB_COMMITTEE or approval_ref.strip():
        return []
    version = SUB_COMMITTEE_APPROVAL.at(on)
    return [
        Violation(
            SUB_COMMITTEE_APPROVAL.code,
            "Lập đảng bộ bộ phận cần văn bản đồng ý của cấp ủy cấp trên trực tiếp: ghi số, ngày văn bản.",
            version.ref,
            field=field,
        )
    ]


def check_new_cell(
    *, kind: str, full_members: int, on: date, name: str = "", field: str = "members"
) -> list[Violation]:
    """A cell or grassroots cell is established, or split off, only with at least 3 full
    members (Charter art. 21): refused, with the count, below that."""
    if kind not in CELL_KINDS:
        return []
    minimum = MIN_FULL_MEMBERS.at(on)
    if full_members >= minimum.value:
        return []
    who = f"«{name}»" if name else K(kind).label
    return [
        Violation(
            MIN_FULL_MEMBERS.code,
            f"Không thể thành lập {who} với {full_members} đảng viên chính thức: chi bộ phải có ít nhất {minimum.value} "
            "đảng viên chính thức; cấp ủy cấp trên phân công thêm đảng viên hoặc giao các đảng viên về một chi bộ phù hợp.",
            minimum.ref,
            field=field,
            details={"full_members": full_members, "minimum": minimum.value},
        )
    ]


def cell_needs_committee(*, full_members: int, on: date) -> bool:
    return full_members >= CELL_COMMITTEE_THRESHOLD.value(on)
