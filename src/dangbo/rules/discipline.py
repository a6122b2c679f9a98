"""Party discipline of members (kỷ luật đảng viên), RULES.md §5 and §6.

Pure rules: forms by status, vote shares, who decides, limitation periods, deferral, when a
decision takes effect and how long a badge waits after it. ``check_discipline`` runs them all
for one proposed decision so that a service can refuse with every violation at once.

Striking off (xóa tên) is not a discipline form; it lives in ``rules.exits``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from dangbo.rules.base import Rule, RuleVersion, Violation, register
from dangbo.rules.citations import (
    CHARTER,
    CHARTER_ADOPTED,
    QD_24,
    QD_24_FROM,
    QD_69,
    QD_69_FROM,
    QD_102,
    QD_102_FROM,
    QD_294,
    QD_294_FROM,
    QD_296,
    QD_296_FROM,
)
from dangbo.rules.probation import add_months
from dangbo.rules.votes import approvals_needed, approvals_needed_more_than


class Form:
    """Discipline forms for a member, mildest first (Charter art. 35)."""

    REPRIMAND = "reprimand"
    WARNING = "warning"
    DISMISSAL = "dismissal"
    EXPULSION = "expulsion"
    ORDER = (REPRIMAND, WARNING, DISMISSAL, EXPULSION)
    CHOICES = (
        (REPRIMAND, "Khiển trách"),
        (WARNING, "Cảnh cáo"),
        (DISMISSAL, "Cách chức"),
        (EXPULSION, "Khai trừ"),
    )
    LABELS = dict(CHOICES)

    @classmethod
    def severity(cls, form: str) -> int:
        """0 for a reprimand up to 3 for expulsion; ValueError for an unknown code."""
        return cls.ORDER.index(form)

    @classmethod
    def label(cls, form: str) -> str:
        return cls.LABELS.get(form, form)


# Member statuses, as ``members.models.MemberStatus`` spells them (no import: rules stay pure).
PROBATIONARY = "probationary"
FULL = "full"
_STATUS_LABELS = {PROBATIONARY: "đảng viên dự bị", FULL: "đảng viên chính thức"}


class Authority:
    """Bodies that may take a disciplinary decision about a member of a cell."""

    CELL = "cell"  # chi bộ (also a chi bộ cơ sở)
    CELL_COMMITTEE = "cell_committee"  # chi ủy: named so it can be refused by name
    GRASSROOTS_COMMITTEE = "grassroots_committee"  # đảng ủy cơ sở (or its standing committee)
    SUPERIOR_COMMITTEE = "superior_committee"  # cấp ủy cấp trên cơ sở trở lên, ban thường vụ
    LABELS = {
        CELL: "Chi bộ",
        CELL_COMMITTEE: "Chi ủy",
        GRASSROOTS_COMMITTEE: "Đảng ủy cơ sở (ban thường vụ đảng ủy cơ sở)",
        SUPERIOR_COMMITTEE: "Cấp ủy cấp trên cơ sở trở lên (ban thường vụ cấp ủy)",
    }


class Stage:
    """The two votes of a disciplinary matter: the body that proposes, the body that decides."""

    PROPOSE = "propose"
    DECIDE = "decide"
    LABELS = {PROPOSE: "đề nghị", DECIDE: "quyết định"}


class DeferralGround:
    """Why a member's matter is not handled yet (chưa xem xét, xử lý kỷ luật)."""

    PREGNANT = "pregnant"
    NURSING = "nursing"
    HOSPITAL = "hospital"
    LABELS = {
        PREGNANT: "Đang mang thai",
        NURSING: "Đang nuôi con dưới 12 tháng tuổi",
        HOSPITAL: "Đang ốm nặng điều trị nội trú tại bệnh viện",
    }


@dataclass(frozen=True)
class Threshold:
    """A vote share: ``strict`` means "trên" (more than), otherwise "ít nhất" (at least)."""

    share: Fraction
    strict: bool

    def needed(self, denominator: int) -> int:
        if self.strict:
            return approvals_needed_more_than(self.share, denominator)
        return approvals_needed(self.share, denominator)

    @property
    def words(self) -> str:
        fraction = f"{self.share.numerator}/{self.share.denominator}"
        return f"trên {fraction}" if self.strict else f"ít nhất {fraction}"


_MORE_THAN_HALF = Threshold(Fraction(1, 2), strict=True)
_TWO_THIRDS = Threshold(Fraction(2, 3), strict=False)


# --- forms by status ---------------------------------------------------------------------------

FORMS_BY_STATUS = register(
    Rule(
        code="discipline.forms_by_status",
        title="Hình thức kỷ luật đảng viên: dự bị — khiển trách, cảnh cáo; chính thức — khiển trách, cảnh cáo, cách chức (nếu có chức vụ), khai trừ",
        versions=(
            RuleVersion(
                CHARTER_ADOPTED,
                {PROBATIONARY: (Form.REPRIMAND, Form.WARNING), FULL: Form.ORDER},
                f"{CHARTER}, Điều 35",
            ),
            RuleVersion(
                QD_69_FROM,
                {PROBATIONARY: (Form.REPRIMAND, Form.WARNING), FULL: Form.ORDER},
                f"{CHARTER}, Điều 35; {QD_69}",
            ),
        ),
    )
)


def forms_allowed(status: str, holds_position: bool, on: date) -> tuple[str, ...]:
    """The forms that may be applied to a member of ``status``, mildest first.

    Dismissal (cách chức) removes a member from a Party post, so it exists only for a member
    who holds one.
    """
    forms = FORMS_BY_STATUS.value(on).get(status, ())
    return tuple(f for f in forms if f != Form.DISMISSAL or holds_position)


def check_form(form: str, status: str, holds_position: bool, on: date) -> list[Violation]:
    version = FORMS_BY_STATUS.at(on)
    if form not in Form.ORDER:
        return [
            Violation(
                FORMS_BY_STATUS.code, f"Không có hình thức kỷ luật «{form}».", version.ref, field="form"
            )
        ]
    if status not in version.value:
        return [
            Violation(
                FORMS_BY_STATUS.code,
                "Chỉ thi hành kỷ luật đối với đảng viên dự bị hoặc chính thức đang sinh hoạt đảng.",
                version.ref,
                field="status",
            )
        ]
    if form not in version.value[status]:
        allowed = ", ".join(Form.label(f).lower() for f in version.value[status])
        return [
            Violation(
                FORMS_BY_STATUS.code,
                f"Không thể kỷ luật {Form.label(form).lower()} {_STATUS_LABELS[status]}: chỉ áp dụng {allowed}.",
                version.ref,
                field="form",
            )
        ]
    if form == Form.DISMISSAL and not holds_position:
        return [
            Violation(
                FORMS_BY_STATUS.code,
                "Chỉ kỷ luật cách chức đảng viên đang giữ chức vụ trong Đảng.",
                version.ref,
                field="form",
            )
        ]
    return []


# --- votes -------------------------------------------------------------------------------------

DISCIPLINE_VOTE = register(
    Rule(
        code="discipline.vote_share",
        title="Biểu quyết kỷ luật đảng viên: khiển trách, cảnh cáo, cách chức — trên 1/2; khai trừ — ít nhất 2/3 đề nghị, trên 1/2 quyết định",
        versions=(
            RuleVersion(
                QD_69_FROM,
                {
                    Form.REPRIMAND: {Stage.PROPOSE: _MORE_THAN_HALF, Stage.DECIDE: _MORE_THAN_HALF},
                    Form.WARNING: {Stage.PROPOSE: _MORE_THAN_HALF, Stage.DECIDE: _MORE_THAN_HALF},
                    Form.DISMISSAL: {Stage.PROPOSE: _MORE_THAN_HALF, Stage.DECIDE: _MORE_THAN_HALF},
                    Form.EXPULSION: {Stage.PROPOSE: _TWO_THIRDS, Stage.DECIDE: _MORE_THAN_HALF},
                },
                f"{QD_69}, Điều 15",
            ),
        ),
    )
)


def check_discipline_vote(
    form: str, on: date, approvals: int, denominator: int, stage: str = Stage.PROPOSE
) -> list[Violation]:
    """Do ``approvals`` carry ``form`` at ``stage``?

    ``denominator`` is the whole voting body — the cell's full members (RULES.md §3 exclusions
    applied by the caller) or the committee's members — never only those present.
    """
    version = DISCIPLINE_VOTE.at(on)
    if form not in version.value:
        return [
            Violation(
                DISCIPLINE_VOTE.code, f"Không có hình thức kỷ luật «{form}».", version.ref, field="form"
            )
        ]
    if stage not in Stage.LABELS:
        return [
            Violation(
                DISCIPLINE_VOTE.code,
                f"Bước biểu quyết «{stage}» không hợp lệ (đề nghị hoặc quyết định).",
                version.ref,
                field="stage",
            )
        ]
    if denominator <= 0:
        return [
            Violation(
                DISCIPLINE_VOTE.code,
                "Tổ chức biểu quyết không có thành viên nào có quyền biểu quyết.",
                version.ref,
                field="denominator",
            )
        ]
    if approvals < 0 or approvals > denominator:
        return [
            Violation(
                DISCIPLINE_VOTE.code,
                f"Số tán thành phải từ 0 đến {denominator}.",
                version.ref,
                field="approvals",
            )
        ]
    threshold = version.value[form][stage]
    needed = threshold.needed(denominator)
    if approvals < needed:
        return [
            Violation(
                DISCIPLINE_VOTE.code,
                f"{Stage.LABELS[stage].capitalize()} kỷ luật {Form.label(form).lower()}: {approvals}/{denominator} tán thành, "
                f"chưa đủ {threshold.words} số đảng viên chính thức (hoặc cấp ủy viên) (cần ít nhất {needed}).",
                version.ref,
                field="approvals",
                details={"needed": needed},
            )
        ]
    return []


# --- who decides -------------------------------------------------------------------------------

_ALL_COMMITTEES = frozenset({Authority.GRASSROOTS_COMMITTEE, Authority.SUPERIOR_COMMITTEE})
_AUTHORITIES = {
    Form.REPRIMAND: frozenset({Authority.CELL}) | _ALL_COMMITTEES,
    Form.WARNING: frozenset({Authority.CELL}) | _ALL_COMMITTEES,
    Form.DISMISSAL: _ALL_COMMITTEES,
    Form.EXPULSION: _ALL_COMMITTEES,
}

DISCIPLINE_AUTHORITY = register(
    Rule(
        code="discipline.authority",
        title="Thẩm quyền kỷ luật đảng viên: chi bộ khiển trách, cảnh cáo; chi ủy không có quyền; cách chức, khai trừ do cấp ủy cấp trên quyết định",
        versions=(
            # The Charter article is where the power is set; not re-read against the text.
            RuleVersion(CHARTER_ADOPTED, _AUTHORITIES, f"{CHARTER}, Điều 36", confirmed=False),
            # QĐ 296 is known only from a secondary source (RULES.md §5, [S39]).
            RuleVersion(QD_296_FROM, _AUTHORITIES, f"{CHARTER}, Điều 36; {QD_296}", confirmed=False),
        ),
    )
)


def authority_for(form: str, on: date | None = None) -> set[str]:
    """Authority codes that may decide ``form`` (the version in force ``on``; the latest if None).

    The cell may reprimand or warn its own members (for ethics, lifestyle, Party activity and
    member duties, not for tasks given by higher bodies — the caller judges the matter); the
    cell committee has no disciplinary power; dismissal and expulsion are for the grassroots
    committee or higher (a grassroots committee expels only when it is authorized to admit).
    """
    return set(_version(DISCIPLINE_AUTHORITY, on).value.get(form, ()))


def check_authority(form: str, authority: str, on: date | None = None) -> list[Violation]:
    version = _version(DISCIPLINE_AUTHORITY, on)
    allowed = version.value.get(form)
    if allowed is None:
        return [
            Violation(
                DISCIPLINE_AUTHORITY.code, f"Không có hình thức kỷ luật «{form}».", version.ref, field="form"
            )
        ]
    if authority == Authority.CELL_COMMITTEE:
        return [
            Violation(
                DISCIPLINE_AUTHORITY.code,
                "Chi ủy không có quyền thi hành kỷ luật; chi bộ hoặc cấp ủy cấp trên quyết định.",
                version.ref,
                field="authority",
            )
        ]
    if authority not in allowed:
        names = "; ".join(Authority.LABELS[a] for a in sorted(allowed, key=list(Authority.LABELS).index))
        who = Authority.LABELS.get(authority, f"«{authority}»")
        return [
            Violation(
                DISCIPLINE_AUTHORITY.code,
                f"{who} không có thẩm quyền kỷ luật {Form.label(form).lower()} đảng viên; thẩm quyền thuộc: {names}.",
                version.ref,
                field="authority",
            )
        ]
    return []


# --- when the decision takes effect -------------------------------------------------------------

DISCIPLINE_EFFECTIVE = register(
    Rule(
        code="discipline.effective",
        title="Quyết định kỷ luật của chi bộ có hiệu lực ngay sau khi công bố; các cấp khác từ ngày quyết định",
        versions=(RuleVersion(QD_296_FROM, frozenset({Authority.CELL}), QD_296, confirmed=False),),
    )
)


def decision_effective_on(authority: str, vote_on: date, decided_on: date | None = None) -> date:
    """The day a disciplinary decision takes effect.

    A cell's decision needs no approval from above: it takes effect when the result of the
    vote is announced at the meeting, i.e. on ``vote_on``. Any other body's decision takes
    effect on the date of its decision (``decided_on``; the vote date if none is given).
    """
    if authority in DISCIPLINE_EFFECTIVE.value(vote_on):
        return vote_on
    return decided_on or vote_on


# --- limitation periods ------------------------------------------------------------------------

# Matters without a limitation period whatever the form (QĐ 102 art. 3; QĐ 69 art. 4).
EXEMPT_MATTERS = (
    "Vi phạm đến mức phải kỷ luật bằng hình thức khai trừ",
    "Vi phạm về chính trị nội bộ",
    "Vi phạm về an ninh, quốc phòng, đối ngoại xâm hại đến lợi ích quốc gia",
    "Sử dụng văn bằng, chứng chỉ, chứng nhận không hợp pháp",
)

_LIMITATION_YEARS = {Form.REPRIMAND: 5, Form.WARNING: 10, Form.DISMISSAL: 10, Form.EXPULSION: None}

LIMITATION_YEARS = register(
    Rule(
        code="discipline.limitation_years",
        title="Thời hiệu xử lý kỷ luật đảng viên: 5 năm (mức khiển trách), 10 năm (mức cảnh cáo, cách chức); không áp dụng với mức khai trừ và một số vi phạm",
        versions=(
            RuleVersion(QD_102_FROM, _LIMITATION_YEARS, f"{QD_102}, Điều 3"),
            # "kept in QĐ 69 art. 4" comes from a secondary source (RULES.md §5).
            RuleVersion(QD_69_FROM, _LIMITATION_YEARS, f"{QD_69}, Điều 4", confirmed=False),
        ),
    )
)


def limitation_ends_on(form: str, act_on: date, on: date) -> date | None:
    """The last day the act can still be disciplined at ``form``'s level; None if never barred.

    Years are calendar years from the act (5 years from 10/3/2020 → 10/3/2025 inclusive).
    """
    years = LIMITATION_YEARS.value(on)[form]
    return None if years is None else add_months(act_on, 12 * years)


def check_limitation(
    form: str,
    act_on: date,
    decided_on: date,
    exempt_matter: bool = False,
    *,
    new_violation_on: date | None = None,
) -> list[Violation]:
    """Has the limitation period run out between the act and the decision?

    ``exempt_matter`` marks the matters of ``EXEMPT_MATTERS`` that have no limitation period.
    A new violation within the period restarts it from the new act (``new_violation_on``).
    """
    version = LIMITATION_YEARS.at(decided_on)
    if form not in version.value:
        return [
            Violation(
                LIMITATION_YEARS.code, f"Không có hình thức kỷ luật «{form}».", version.ref, field="form"
            )
        ]
    if act_on > decided_on:
        return [
            Violation(
                LIMITATION_YEARS.code,
                f"Ngày vi phạm ({act_on:%d/%m/%Y}) không thể sau ngày quyết định kỷ luật ({decided_on:%d/%m/%Y}).",
                version.ref,
                field="act_on",
            )
        ]
    years = version.value[form]
    if years is None or exempt_matter:
        return []
    start = act_on
    if new_violation_on is not None and act_on < new_violation_on <= min(
        add_months(act_on, 12 * years), decided_on
    ):
        start = new_violation_on
    ends = add_months(start, 12 * years)
    if decided_on > ends:
        return [
            Violation(
                LIMITATION_YEARS.code,
                f"Đã hết thời hiệu xử lý kỷ luật: vi phạm đến mức {Form.label(form).lower()} có thời hiệu {years} năm "
                f"kể từ ngày {start:%d/%m/%Y} (hết ngày {ends:%d/%m/%Y}), nay là {decided_on:%d/%m/%Y}.",
                version.ref,
                field="act_on",
                details={"ends_on": ends.isoformat(), "years": years},
            )
        ]
    return []


# --- deferral ----------------------------------------------------------------------------------

DEFERRAL_GROUNDS = register(
    Rule(
        code="discipline.deferral",
        title="Chưa xem xét, xử lý kỷ luật đảng viên đang mang thai, nuôi con dưới 12 tháng tuổi, ốm nặng điều trị nội trú",
        versions=(
            RuleVersion(QD_102_FROM, frozenset(DeferralGround.LABELS), QD_102, confirmed=False),
            RuleVersion(QD_296_FROM, frozenset(DeferralGround.LABELS), f"{QD_296}, Điều 8", confirmed=False),
        ),
    )
)


def check_deferral(ground: str | None, on: date | None = None) -> list[Violation]:
    """A violation while a deferral ground holds: the matter waits; it is not dropped."""
    if not ground:
        return []
    version = _version(DEFERRAL_GROUNDS, on)
    if ground not in version.value:
        return [
            Violation(
                DEFERRAL_GROUNDS.code,
                f"Không có lý do hoãn xem xét kỷ luật «{ground}».",
                version.ref,
                field="deferral",
            )
        ]
    return [
        Violation(
            DEFERRAL_GROUNDS.code,
            f"Chưa xem xét, xử lý kỷ luật: {DeferralGround.LABELS[ground].lower()}. Xem xét lại khi hết lý do này.",
            version.ref,
            field="deferral",
            details={"ground": ground},
        )
    ]


# --- badge after discipline --------------------------------------------------------------------

_BADGE_DEFERRAL_MONTHS = {Form.REPRIMAND: 6, Form.WARNING: 9, Form.DISMISSAL: 12}

BADGE_DEFERRAL_MONTHS = register(
    Rule(
        code="discipline.badge_deferral_months",
        title="Đảng viên bị kỷ luật được xét tặng Huy hiệu Đảng sau 6 tháng (khiển trách), 9 tháng (cảnh cáo), 12 tháng (cách chức)",
        versions=(
            RuleVersion(QD_24_FROM, _BADGE_DEFERRAL_MONTHS, QD_24),
            # That QĐ 294 keeps these periods is not verified (RULES.md §6).
            RuleVersion(QD_294_FROM, _BADGE_DEFERRAL_MONTHS, f"{QD_294}, như {QD_24}", confirmed=False),
        ),
    )
)


def badge_deferred_until(form: str, effective_on: date) -> date:
    """The first day a badge may be considered again after ``form`` took effect.

    ValueError for expulsion: an expelled member is out of the Party and returns the badge.
    """
    months = BADGE_DEFERRAL_MONTHS.value(effective_on).get(form)
    if months is None:
        raise ValueError(f"no badge deferral for discipline form {form!r}")
    return add_months(effective_on, months)


def check_badge_after_discipline(form: str, effective_on: date, awarded_on: date) -> list[Violation]:
    """Is a badge awarded on ``awarded_on`` too soon after discipline in effect from ``effective_on``?"""
    version = BADGE_DEFERRAL_MONTHS.at(effective_on)
    if form not in version.value:
        return [
            Violation(
                BADGE_DEFERRAL_MONTHS.code,
                "Đảng viên bị khai trừ không được tặng Huy hiệu Đảng.",
                version.ref,
                field="years",
            )
        ]
    until = add_months(effective_on, version.value[form])
    if awarded_on < until:
        return [
            Violation(
                BADGE_DEFERRAL_MONTHS.code,
                f"Đảng viên bị kỷ luật {Form.label(form).lower()} (hiệu lực từ {effective_on:%d/%m/%Y}) chỉ được xét tặng "
                f"Huy hiệu Đảng sau {version.value[form]} tháng, từ ngày {until:%d/%m/%Y}.",
                version.ref,
                field="awarded_on",
                details={"until": until.isoformat()},
            )
        ]
    return []


# --- everything for one decision ---------------------------------------------------------------


def check_discipline(
    *,
    form: str,
    status: str,
    holds_position: bool,
    authority: str,
    act_on: date,
    vote_on: date,
    approvals: int,
    denominator: int,
    decided_on: date | None = None,
    stage: str = Stage.DECIDE,
    exempt_matter: bool = False,
    deferral_ground: str | None = None,
    new_violation_on: date | None = None,
) -> list[Violation]:
    """Every violation of §5 by one proposed vote on a member's discipline; empty when it stands.

    ``authority`` is the body voting. At the ``propose`` stage (a cell proposing expulsion,
    say) its power to decide is not checked; at ``decide`` it is. ``decided_on`` defaults to
    the vote date, as for a cell.
    """
    decided_on = decided_on or vote_on
    form_violations = check_form(form, status, holds_position, decided_on)
    if form not in Form.ORDER:
        return form_violations
    violations = list(form_violations)
    violations += check_deferral(deferral_ground, decided_on)
    violations += check_limitation(form, act_on, decided_on, exempt_matter, new_violation_on=new_violation_on)
    violations += check_discipline_vote(form, vote_on, approvals, denominator, stage)
    if stage == Stage.DECIDE:
        violations += check_authority(form, authority, decided_on)
    if decided_on < vote_on:
        version = DISCIPLINE_VOTE.at(vote_on)
        violations.append(
            Violation(
                DISCIPLINE_VOTE.code,
                f"Ngày quyết định ({decided_on:%d/%m/%Y}) không thể trước ngày biểu quyết ({vote_on:%d/%m/%Y}).",
                version.ref,
                field="decided_on",
            )
        )
    return violations


def _version(rule: Rule, on: date | None) -> RuleVersion:
    """The version in force ``on``; the latest one when no day is given."""
    if on is None:
        return max(rule.versions, key=lambda v: v.effective_from)
    return rule.at(on)
