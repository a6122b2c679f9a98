"""The declarations (DESIGN.md decision 5): ``Indicator`` and every indicator of the registry
(``INDICATORS``, ``BY_CODE``), in sections, each with its numerator, denominator, date basis,
target and drill-down. This module only declares; the figures come from ``context`` and
``loads``. It is long because it is a table: one entry per indicator, read top to bottom."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from dangbo.core.kinds import OrgKind
from dangbo.core.roles import COMMITTEE_ROLES
from dangbo.members.models import MemberStatus
from dangbo.orgs.models import Org
from dangbo.reference.models import KINH_CODE, NO_RELIGION_CODE
from dangbo.rules import dues as dues_rules
from dangbo.rules import exits as exit_rules
from dangbo.rules import meetings as meeting_rules
from dangbo.rules import orgs as org_rules
from dangbo.rules import ratings as rating_rules
from dangbo.rules import targets as target_rules
from dangbo.rules.base import Rule
from dangbo.stats.indicators import dues as dues_figures
from dangbo.stats.indicators import ratings as rating_figures
from dangbo.stats.indicators.context import EVENTS, HAMLETS, MEMBERS, ORGS, PERCENT, Context, Value
from dangbo.stats.indicators.loads import (
    SECRETARY_ROLES,
    _flagged,
    _flows,
    _hamlets_with_members,
    _leader_value,
    _locality_figures,
    _org_count,
    _totals_on,
    opening_day,
)
from dangbo.stats.indicators.meetings import figures as meeting_figures
from dangbo.stats.indicators.meetings import span_of
from dangbo.stats.tallies import keys as tally_keys


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    unit: str
    numerator: str
    denominator: str
    compute: Callable[[Context, Org], Value]
    section: str
    target: Rule | None = None
    flow: bool = False  # counted over the period, not on a day
    drill: str = ""  # the drill-down list behind the gap (a key of stats.drilldown.DRILLS)
    note: str = ""
    basis: str = ""  # the date basis, where the default for a count on a day or over a period does not say it

    @property
    def definition(self) -> str:
        """Numerator, denominator and date basis, in Vietnamese: written beside the indicator on
        the page and in the JSON, so a reader knows what was counted."""
        parts = [f"Tử số: {self.numerator}." if self.denominator else f"Số được đếm: {self.numerator}."]
        if self.denominator:
            parts.append(f"Mẫu số: {self.denominator}.")
        parts.append(self.basis or (FLOW_BASIS if self.flow else STOCK_BASIS[self.unit]))
        return " ".join(parts)


def _share(dimension: str, values=None, *, exclude=None) -> Callable[[Context, Org], Value]:
    def compute(ctx: Context, org: Org) -> Value:
        stock = ctx.stock(org)
        n = (
            stock.count_not_in(dimension, exclude)
            if exclude is not None
            else stock.count_in(dimension, values)
        )
        return Value(n, stock.total)

    return compute


STOCK_BASIS = {
    unit: basis
    for units, basis in (
        (
            (PERCENT, MEMBERS),
            "Tính tại ngày báo cáo: đảng viên chính thức và dự bị được tính vào đảng số (không kể người sinh "
            "hoạt tạm thời), theo cây tổ chức của ngày đó.",
        ),
        (
            (ORGS,),
            "Tính tại ngày báo cáo: tổ chức đang hoạt động trong phạm vi, theo cây tổ chức của ngày đó (không kể chính "
            "tổ chức đang xem).",
        ),
        (
            (HAMLETS,),
            "Tính tại ngày báo cáo: thôn, tổ dân phố của các đảng bộ xã, phường trong phạm vi vào ngày đó.",
        ),
        ((EVENTS,), "Tính tại ngày báo cáo."),
    )
    for unit in units
}
FLOW_BASIS = (
    "Cộng các sự kiện có ngày hiệu lực từ ngày đầu đến ngày cuối kỳ (tính cả hai ngày), mỗi sự kiện đặt vào tổ chức "
    "theo cây tổ chức của ngày xảy ra."
)

SECTION_MEMBERS = "Đảng viên"
SECTION_ORGS = "Tổ chức đảng"
SECTION_HAMLETS = "Thôn, tổ dân phố"
SECTION_LEADERS = "Cấp ủy cơ sở"
SECTION_FLOWS = "Phát triển đảng viên và biến động trong kỳ"
SECTION_MEETINGS = "Sinh hoạt chi bộ"
SECTION_DUES = "Đảng phí"
SECTION_RATINGS = "Đánh giá, xếp loại chất lượng"

# The meeting indicators count whole months and quarters, and place each cell by the tree of the
# period's last day (stats.indicators.meetings).
MEETING_BASIS = (
    "Tính theo tháng trọn: các tháng dương lịch kết thúc trong kỳ (tháng chưa hết chưa tính); chỉ tính buổi "
    "sinh hoạt của chi bộ (không kể họp chi ủy, đảng ủy); mỗi chi bộ đặt theo cây tổ chức của ngày cuối kỳ "
    "(hoặc ngày cuối cùng chi bộ còn hoạt động)."
)
MEETING_BASIS_QUARTERS = (
    "Tính theo quý trọn: các quý kết thúc trong kỳ (quý chưa hết chưa tính); chỉ tính buổi sinh hoạt chuyên đề "
    "của chi bộ; mỗi chi bộ đặt theo cây tổ chức của ngày cuối kỳ (hoặc ngày cuối cùng chi bộ còn hoạt động)."
)


def _meeting_value(numerator: str, denominator: str | None = None) -> Callable[[Context, Org], Value]:
    """A meeting figure (stats.indicators.meetings.Figures) over another, or alone; no data when
    the period holds no whole month."""

    def compute(ctx: Context, org: Org) -> Value:
        if span_of(ctx).months is None:
            return Value(None, 0 if denominator else None)
        found = meeting_figures(ctx, org)
        return Value(getattr(found, numerator), getattr(found, denominator) if denominator else None)

    return compute


# The dues indicators read the members' monthly accounts (stats.indicators.dues).
DUES_BASIS = (
    "Tính theo tháng trọn: các tháng dương lịch kết thúc trong kỳ (tháng chưa hết chưa tính); mỗi tháng tính ở chi "
    "bộ nơi đảng viên được tính vào đảng số ngày cuối tháng, chi bộ đặt theo cây tổ chức của ngày báo cáo (hoặc ngày "
    "cuối cùng chi bộ còn hoạt động). Số đã nộp theo sổ hiện tại: tháng nộp muộn (kể cả sau kỳ) được tính là đã nộp."
)
DUES_BASIS_LAST_MONTH = (
    "Tính ở tháng trọn cuối cùng của kỳ: đảng viên được tính vào đảng số của một chi bộ ngày cuối tháng đó và "
    "được miễn đóng đảng phí tháng đó; chi bộ đặt theo cây tổ chức của ngày báo cáo."
)


def _dues_value(numerator: str, denominator: str | None = None) -> Callable[[Context, Org], Value]:
    """A dues figure (stats.indicators.dues.Figures) over another, or alone; no data when the
    period holds no whole month."""

    def compute(ctx: Context, org: Org) -> Value:
        if not dues_figures.has_months(ctx):
            return Value(None, 0 if denominator else None)
        found = dues_figures.figures(ctx, org)
        return Value(getattr(found, numerator), getattr(found, denominator) if denominator else None)

    return compute


# The rating indicators read the yearly reviews of one year (stats.indicators.ratings).
RATINGS_BASIS = (
    "Tính cho một năm đánh giá: năm của ngày cuối kỳ (hoặc của ngày báo cáo nếu sớm hơn) nếu đến ngày báo cáo đã có quyết định xếp loại năm đó trong "
    "phạm vi, nếu chưa thì năm trước đó; chỉ tính đánh giá cả năm (không kể đánh giá quý, nhiệm kỳ). Mức xếp loại "
    "là mức đã quyết định đến ngày báo cáo (quyết định điều chỉnh sau ngày đó chưa tính). Mỗi đảng viên tính ở chi bộ "
    "ghi trong danh sách đánh giá (chi bộ ngày chốt danh sách), mỗi chi bộ, tổ chức cơ sở đảng đặt theo cây tổ chức "
    "của ngày báo cáo."
)


def _rating_value(numerator: str, denominator: str | None = None) -> Callable[[Context, Org], Value]:
    """A rating figure (stats.indicators.ratings.Figures) over another, or alone; no data before
    the first year rated in bands (2018)."""

    def compute(ctx: Context, org: Org) -> Value:
        if not rating_figures.has_year(ctx):
            return Value(None, 0 if denominator else None)
        found = rating_figures.figures(ctx, org)
        return Value(getattr(found, numerator), getattr(found, denominator) if denominator else None)

    return compute


def _band_value(band: str) -> Callable[[Context, Org], Value]:
    def compute(ctx: Context, org: Org) -> Value:
        if not rating_figures.has_year(ctx):
            return Value(None)
        return Value(rating_figures.figures(ctx, org).bands[band])

    return compute


_BAND = rating_rules.Band


def _band_indicator(band: str, drill: str) -> Indicator:
    return Indicator(
        f"ratings.members_{band}",
        f"Đảng viên xếp loại «{_BAND.LABELS[band].lower()}»",
        MEMBERS,
        f"Đảng viên được quyết định xếp loại {_BAND.LABELS[band].lower()} ({_BAND.SHORT[band]}) trong năm đánh giá",
        "",
        _band_value(band),
        SECTION_RATINGS,
        flow=True,
        drill=drill,
        basis=RATINGS_BASIS,
    )


def _flow(kinds: tuple[str, ...]) -> Callable[[Context, Org], Value]:
    def compute(ctx: Context, org: Org) -> Value:
        counts = _flows(ctx, org, kinds)
        return Value(sum(counts.get(kind, 0) for kind in kinds))

    return compute


def _admission_rate(ctx: Context, org: Org) -> Value:
    """Admissions of the period over the members at its start (the day before its first
    day), stated per year (seed 003: "tỷ lệ kết nạp hằng năm 3–4 %")."""
    opening = ctx.grouped("opening_totals", lambda: _totals_on(ctx, opening_day(ctx.frame)))
    admitted = _flows(ctx, org, ("admitted",)).get("admitted", 0)
    return Value(admitted, opening.get(org.pk, 0), annualize_days=ctx.frame.period_days)


_THEORY = target_rules.THEORY_INTERMEDIATE_OR_ABOVE
_K = OrgKind

INDICATORS: tuple[Indicator, ...] = (
    # members
    Indicator(
        "members.total",
        "Tổng số đảng viên",
        MEMBERS,
        "Đảng viên chính thức và dự bị",
        "",
        lambda ctx, org: Value(ctx.stock(org).total),
        SECTION_MEMBERS,
    ),
    Indicator(
        "members.full",
        "Đảng viên chính thức",
        MEMBERS,
        "Đảng viên chính thức",
        "",
        lambda ctx, org: Value(ctx.stock(org).count("status", MemberStatus.FULL)),
        SECTION_MEMBERS,
    ),
    Indicator(
        "members.probationary",
        "Đảng viên dự bị",
        MEMBERS,
        "Đảng viên dự bị",
        "",
        lambda ctx, org: Value(ctx.stock(org).count("status", MemberStatus.PROBATIONARY)),
        SECTION_MEMBERS,
    ),
    Indicator(
        "members.women_share",
        "Tỷ lệ đảng viên nữ",
        PERCENT,
        "Đảng viên nữ",
        "Tổng số đảng viên",
        _share("gender", ["F"]),
        SECTION_MEMBERS,
    ),
    Indicator(
        "members.ethnic_minority_share",
        "Tỷ lệ đảng viên người dân tộc thiểu số",
        PERCENT,
        "Đảng viên dân tộc thiểu số",
        "Tổng số đảng viên",
        _share("ethnicity", exclude=[KINH_CODE]),
        SECTION_MEMBERS,
    ),
    Indicator(
        "members.religious_share",
        "Tỷ lệ đảng viên có đạo",
        PERCENT,
        "Đảng viên theo một tôn giáo",
        "Tổng số đảng viên",
        _share("religion", exclude=[NO_RELIGION_CODE]),
        SECTION_MEMBERS,
    ),
    Indicator(
        "members.theory_intermediate_share",
        "Tỷ lệ đảng viên có lý luận chính trị từ trung cấp trở lên",
        PERCENT,
        "Đảng viên có trình độ lý luận chính trị trung cấp, cao cấp, cử nhân",
        "Tổng số đảng viên",
        _share("theory", _THEORY),
        SECTION_MEMBERS,
    ),
    # organizations
    Indicator(
        "orgs.direct_children",
        "Tổ chức đảng trực thuộc",
        ORGS,
        "Tổ chức đảng trực thuộc trực tiếp",
        "",
        lambda ctx, org: Value(_org_count(ctx, org, "direct")),
        SECTION_ORGS,
    ),
    Indicator(
        "orgs.grassroots",
        "Tổ chức cơ sở đảng",
        ORGS,
        "Đảng bộ cơ sở và chi bộ cơ sở (không kể đảng ủy được giao quyền cấp trên cơ sở)",
        "",
        lambda ctx, org: Value(_org_count(ctx, org, "grassroots")),
        SECTION_ORGS,
    ),
    Indicator(
        "orgs.grassroots_committees",
        "Đảng bộ cơ sở",
        ORGS,
        "Đảng bộ cơ sở",
        "",
        lambda ctx, org: Value(_org_count(ctx, org, _K.GRASSROOTS_COMMITTEE)),
        SECTION_ORGS,
    ),
    Indicator(
        "orgs.grassroots_cells",
        "Chi bộ cơ sở",
        ORGS,
        "Chi bộ cơ sở",
        "",
        lambda ctx, org: Value(_org_count(ctx, org, _K.GRASSROOTS_CELL)),
        SECTION_ORGS,
    ),
    Indicator(
        "orgs.cells",
        "Chi bộ trực thuộc đảng ủy cơ sở",
        ORGS,
        "Chi bộ trực thuộc",
        "",
        lambda ctx, org: Value(_org_count(ctx, org, _K.CELL)),
        SECTION_ORGS,
    ),
    Indicator(
        "orgs.grassroots_300",
        "Đảng bộ cơ sở có từ 300 đảng viên trở lên",
        ORGS,
        "Đảng bộ cơ sở có từ 300 đảng viên trở lên",
        "",
        lambda ctx, org: Value(_flagged(ctx, org, tally_keys.LARGE_GRASSROOTS_FLAG)),
        SECTION_ORGS,
        drill="grassroots_300",
        note=org_rules.LARGE_GRASSROOTS_COMMITTEE.title,
    ),
    Indicator(
        "orgs.cells_needing_committee",
        "Chi bộ phải bầu chi ủy (từ 9 đảng viên chính thức)",
        ORGS,
        "Chi bộ có từ 9 đảng viên chính thức trở lên",
        "",
        lambda ctx, org: Value(_flagged(ctx, org, tally_keys.CELL_COMMITTEE_FLAG)),
        SECTION_ORGS,
        drill="cells_needing_committee",
        note=org_rules.CELL_COMMITTEE_THRESHOLD.title,
    ),
    # hamlets
    Indicator(
        "hamlets.total",
        "Thôn, tổ dân phố",
        HAMLETS,
        "Thôn, bản, tổ dân phố đang có vào ngày báo cáo",
        "",
        lambda ctx, org: Value(_locality_figures(ctx, org)["all"]),
        SECTION_HAMLETS,
    ),
    Indicator(
        "hamlets.with_members_share",
        "Tỷ lệ thôn, tổ dân phố có đảng viên",
        PERCENT,
        "Thôn, tổ dân phố có đảng viên cư trú",
        "Thôn, tổ dân phố đang có vào ngày báo cáo",
        lambda ctx, org: Value(_hamlets_with_members(ctx, org), _locality_figures(ctx, org)["all"]),
        SECTION_HAMLETS,
        target=target_rules.HAMLETS_WITH_MEMBERS,
        drill="hamlets_without_members",
    ),
    Indicator(
        "hamlets.with_cell_share",
        "Tỷ lệ thôn, tổ dân phố có chi bộ riêng",
        PERCENT,
        "Thôn, tổ dân phố có chi bộ riêng (chi bộ chỉ phụ trách thôn, tổ dân phố đó; không kể thôn ghép chi bộ)",
        "Thôn, tổ dân phố đang có vào ngày báo cáo",
        lambda ctx, org: Value(_locality_figures(ctx, org)["own_cell"], _locality_figures(ctx, org)["all"]),
        SECTION_HAMLETS,
        target=target_rules.HAMLETS_WITH_CELL,
        drill="hamlets_without_own_cell",
        note="Mục tiêu năm 2030 đo trên thôn, tổ dân phố có chi bộ của riêng mình; thôn ghép chi bộ "
        "(một chi bộ phụ trách nhiều thôn) được đếm ở chỉ tiêu riêng.",
    ),
    Indicator(
        "hamlets.merged_cell",
        "Thôn, tổ dân phố ghép chi bộ",
        HAMLETS,
        "Thôn, tổ dân phố có chi bộ phụ trách nhưng chi bộ đó phụ trách cả thôn, tổ dân phố khác (thôn ghép chi bộ)",
        "",
        lambda ctx, org: Value(_locality_figures(ctx, org)[tally_keys.MERGED_CELL]),
        SECTION_HAMLETS,
        drill="hamlets_merged_cell",
    ),
    Indicator(
        "hamlets.without_cell",
        "Thôn, tổ dân phố chưa có chi bộ",
        HAMLETS,
        "Thôn, tổ dân phố không có chi bộ nào phụ trách",
        "",
        lambda ctx, org: Value(_locality_figures(ctx, org)["all"] - _locality_figures(ctx, org)["with_cell"]),
        SECTION_HAMLETS,
        target=target_rules.HAMLETS_WITHOUT_CELL,
        drill="hamlets_without_cell",
    ),
    Indicator(
        "hamlets.head_member_share",
        "Tỷ lệ trưởng thôn, tổ trưởng tổ dân phố là đảng viên",
        PERCENT,
        "Thôn, tổ dân phố có trưởng thôn, tổ trưởng là đảng viên (hồ sơ đảng viên dự bị hoặc chính thức "
        "vào ngày báo cáo; người đã từ trần, ra khỏi Đảng không được tính)",
        "Thôn, tổ dân phố đang có vào ngày báo cáo",
        lambda ctx, org: Value(
            _locality_figures(ctx, org)["head_member"], _locality_figures(ctx, org)["all"]
        ),
        SECTION_HAMLETS,
        target=target_rules.HAMLET_HEADS_MEMBERS,
        drill="hamlet_heads_not_members",
    ),
    # grassroots leaders
    Indicator(
        "secretaries.theory_intermediate_share",
        "Tỷ lệ bí thư, phó bí thư cấp ủy cơ sở có lý luận chính trị từ trung cấp trở lên",
        PERCENT,
        "Bí thư, phó bí thư có trình độ trung cấp, cao cấp, cử nhân",
        "Bí thư, phó bí thư cấp ủy cơ sở",
        lambda ctx, org: _leader_value(ctx, org, SECRETARY_ROLES, "secretaries"),
        SECTION_LEADERS,
        target=target_rules.SECRETARIES_THEORY,
        drill="secretaries_below_theory",
    ),
    Indicator(
        "committee.theory_intermediate_share",
        "Tỷ lệ cấp ủy viên cơ sở có lý luận chính trị từ trung cấp trở lên",
        PERCENT,
        "Cấp ủy viên cơ sở có trình độ trung cấp, cao cấp, cử nhân",
        "Cấp ủy viên cơ sở",
        lambda ctx, org: _leader_value(ctx, org, COMMITTEE_ROLES, "committee"),
        SECTION_LEADERS,
        target=target_rules.COMMITTEE_THEORY,
        drill="committee_below_theory",
    ),
    # flows over the period
    Indicator(
        "admissions.rate_year",
        "Tỷ lệ kết nạp đảng viên mới (quy ra năm)",
        PERCENT,
        "Đảng viên kết nạp mới trong kỳ",
        "Tổng số đảng viên (chính thức và dự bị) đầu kỳ",
        _admission_rate,
        SECTION_FLOWS,
        target=target_rules.ADMISSION_RATE,
        flow=True,
        basis="Tử số cộng các quyết định kết nạp có hiệu lực từ ngày đầu đến ngày cuối kỳ; mẫu số là đảng viên "
        "của tổ chức vào ngày trước ngày đầu kỳ, theo cây tổ chức của ngày đó; tỷ lệ quy ra năm (nhân 365 / số "
        "ngày của kỳ). Đạt khi trong khoảng 3–4 %; trên 4 % ghi là vượt khoảng mục tiêu.",
    ),
    Indicator(
        "admissions.count",
        "Kết nạp đảng viên mới",
        EVENTS,
        "Đảng viên kết nạp trong kỳ",
        "",
        _flow(("admitted",)),
        SECTION_FLOWS,
        flow=True,
    ),
    Indicator(
        "readmissions.count",
        "Kết nạp lại",
        EVENTS,
        "Kết nạp lại trong kỳ",
        "",
        _flow(("readmitted",)),
        SECTION_FLOWS,
        flow=True,
    ),
    Indicator(
        "recognitions.count",
        "Công nhận đảng viên chính thức",
        EVENTS,
        "Công nhận chính thức trong kỳ",
        "",
        _flow(("recognized",)),
        SECTION_FLOWS,
        flow=True,
    ),
    Indicator(
        "transfers_in.count",
        "Chuyển sinh hoạt đến",
        EVENTS,
        "Đảng viên chuyển đến trong kỳ: tiếp nhận từ nơi khác và chuyển chính thức từ tổ chức ngoài phạm vi",
        "",
        _flow(("transferred_in", tally_keys.TRANSFER_IN)),
        SECTION_FLOWS,
        flow=True,
    ),
    Indicator(
        "transfers_out.count",
        "Chuyển sinh hoạt đi",
        EVENTS,
        "Đảng viên chuyển ra ngoài phạm vi trong kỳ",
        "",
        _flow(("moved_away", tally_keys.TRANSFER_OUT)),
        SECTION_FLOWS,
        flow=True,
    ),
    Indicator(
        "deaths.count",
        "Đảng viên từ trần",
        EVENTS,
        "Đảng viên từ trần trong kỳ",
        "",
        _flow(("died",)),
        SECTION_FLOWS,
        flow=True,
    ),
    Indicator(
        "exits.count",
        "Ra khỏi Đảng (xóa tên, xin ra, khai trừ)",
        EVENTS,
        "Xóa tên, xin ra khỏi Đảng, khai trừ trong kỳ",
        "",
        _flow(("struck_off", "resigned", "expelled")),
        SECTION_FLOWS,
        flow=True,
    ),
    Indicator(
        "restorations.count",
        "Phục hồi đảng tịch",
        EVENTS,
        "Ra khỏi Đảng trong kỳ rồi được phục hồi (tính vào ngày ra khỏi Đảng)",
        "",
        _flow(("restored",)),
        SECTION_FLOWS,
        flow=True,
    ),
    # cell meetings over the period
    Indicator(
        "meetings.monthly_held_share",
        "Tỷ lệ chi bộ sinh hoạt thường kỳ đủ các tháng",
        PERCENT,
        "Chi bộ có buổi sinh hoạt thường kỳ trong mỗi tháng của kỳ mà chi bộ tồn tại trọn tháng (sinh hoạt "
        "chuyên đề, bất thường không thay cho sinh hoạt thường kỳ)",
        "Chi bộ trực thuộc và chi bộ cơ sở tồn tại trọn ít nhất một tháng của kỳ",
        _meeting_value("held_months", "cells_months"),
        SECTION_MEETINGS,
        flow=True,
        drill="meetings_monthly_gaps",
        note=f"{meeting_rules.MONTHLY_REGULAR.title} ({meeting_rules.MONTHLY_REGULAR.versions[-1].citation}). "
        "Quy định không đặt chỉ tiêu tỷ lệ: chỉ số để theo dõi, danh sách bên dưới nêu chi bộ và tháng còn thiếu.",
        basis=MEETING_BASIS,
    ),
    Indicator(
        "meetings.thematic_quarterly_share",
        "Tỷ lệ chi bộ sinh hoạt chuyên đề đủ các quý",
        PERCENT,
        "Chi bộ có ít nhất một buổi sinh hoạt chuyên đề trong mỗi quý của kỳ mà chi bộ tồn tại trọn quý",
        "Chi bộ trực thuộc và chi bộ cơ sở tồn tại trọn ít nhất một quý của kỳ",
        _meeting_value("held_quarters", "cells_quarters"),
        SECTION_MEETINGS,
        flow=True,
        drill="meetings_thematic_gaps",
        note=f"{meeting_rules.THEMATIC_QUARTERLY.title} (chưa xác nhận văn bản quy định; "
        "RULES.md §3 dẫn từ báo cáo của một chi bộ). Không có chỉ tiêu tỷ lệ.",
        basis=MEETING_BASIS_QUARTERS,
    ),
    Indicator(
        "meetings.attendance_rate",
        "Tỷ lệ đảng viên dự sinh hoạt chi bộ",
        PERCENT,
        "Lượt đảng viên có mặt tại các buổi sinh hoạt thường kỳ và chuyên đề của chi bộ (kể cả đảng viên sinh "
        "hoạt tạm thời tại chi bộ)",
        "Lượt đảng viên đã điểm danh tại các buổi đó (có mặt, vắng có lý do, vắng không lý do), không kể lượt "
        "vắng của đảng viên được miễn sinh hoạt đảng (có mặt thì vẫn tính)",
        _meeting_value("present", "expected"),
        SECTION_MEETINGS,
        flow=True,
        drill="meetings_attendance",
        basis=MEETING_BASIS,
    ),
    Indicator(
        "meetings.members_unexcused",
        "Đảng viên vắng sinh hoạt chi bộ không lý do",
        MEMBERS,
        "Đảng viên vắng không lý do ít nhất một buổi sinh hoạt chi bộ trong kỳ (mỗi người tính một lần ở mỗi "
        "chi bộ nơi vắng; người đã chuyển sinh hoạt và vắng ở hai chi bộ được tính ở cả hai)",
        "",
        _meeting_value("unexcused"),
        SECTION_MEETINGS,
        flow=True,
        drill="meetings_members_unexcused",
        note=f"Vắng sinh hoạt không lý do 3 tháng trong một năm thì chi bộ xem xét xóa tên "
        f"({exit_rules.STRIKE_OFF_MISSED_MONTHS.versions[-1].citation}); "
        "danh sách việc cần làm nêu từng trường hợp.",
        basis=MEETING_BASIS,
    ),
    Indicator(
        "meetings.higher_level_visits",
        "Lượt cán bộ cấp trên dự sinh hoạt chi bộ",
        EVENTS,
        "Lượt cán bộ, đoàn công tác cấp trên được ghi dự các buổi sinh hoạt của chi bộ",
        "",
        _meeting_value("visitors"),
        SECTION_MEETINGS,
        flow=True,
        drill="meetings_visited",
        basis=MEETING_BASIS,
    ),
    # Party dues over the period
    Indicator(
        "dues.collected_share",
        "Tỷ lệ đảng phí đã thu so với số phải nộp",
        PERCENT,
        "Số tiền đảng phí đã nộp cho các tháng đó (mỗi tháng tính đến mức phải nộp; phần nộp cao hơn tự nguyện "
        "không tính)",
        "Số tiền đảng phí phải nộp của các tháng trong kỳ mà đảng viên có căn cứ đóng (sau miễn, giảm; tháng được "
        "cho chậm đóng vẫn tính); đảng viên chưa có căn cứ đóng không được tính",
        _dues_value("paid", "due"),
        SECTION_DUES,
        flow=True,
        drill="dues_collection_by_cell",
        note=f"{dues_rules.RATES.title} ({dues_rules.RATES.versions[-1].citation}). Quy định không đặt chỉ tiêu "
        "tỷ lệ; danh sách bên dưới nêu từng chi bộ và đảng viên chưa có căn cứ đóng.",
        basis=DUES_BASIS,
    ),
    Indicator(
        "dues.members_in_arrears",
        "Đảng viên chưa nộp đủ đảng phí",
        MEMBERS,
        "Đảng viên còn ít nhất một tháng trong kỳ chưa nộp đủ số phải nộp, không được cho chậm đóng (mỗi người tính "
        "một lần ở mỗi chi bộ nơi còn nợ; người đã chuyển sinh hoạt và còn nợ ở hai chi bộ được tính ở cả hai)",
        "",
        _dues_value("arrears"),
        SECTION_DUES,
        flow=True,
        drill="dues_members_in_arrears",
        note=f"Không đóng đảng phí 3 tháng trong một năm mà không có lý do chính đáng thì chi bộ xem xét xóa tên "
        f"({exit_rules.STRIKE_OFF_MISSED_MONTHS.versions[-1].citation}); danh sách việc cần làm nêu từng trường hợp.",
        basis=DUES_BASIS,
    ),
    Indicator(
        "dues.exempted_members",
        "Đảng viên được miễn đóng đảng phí",
        MEMBERS,
        "Đảng viên được miễn đóng đảng phí trong tháng trọn cuối cùng của kỳ, theo từng lý do (kể cả đủ 50 năm tuổi "
        "đảng, hệ thống tự áp dụng theo hồ sơ)",
        "",
        _dues_value("exempted"),
        SECTION_DUES,
        flow=True,
        drill="dues_exempted_members",
        note=f"{dues_rules.RELIEF.title} ({dues_rules.RELIEF.versions[-1].citation}); "
        f"{dues_rules.PARTY_AGE_EXEMPTION.title} (cách hiểu tháng bắt đầu miễn chưa được xác nhận).",
        basis=DUES_BASIS_LAST_MONTH,
    ),
    # the yearly review and quality rating
    Indicator(
        "ratings.members_good_share",
        "Tỷ lệ đảng viên xếp loại hoàn thành tốt nhiệm vụ trở lên",
        PERCENT,
        "Đảng viên được quyết định xếp loại hoàn thành xuất sắc nhiệm vụ hoặc hoàn thành tốt nhiệm vụ",
        "Đảng viên đã được quyết định xếp loại trong năm đánh giá (không kể người trong danh sách không xếp loại: "
        "được miễn công tác và sinh hoạt, bị đình chỉ sinh hoạt...; không kể người chưa có quyết định)",
        _rating_value("good", "rated"),
        SECTION_RATINGS,
        target=target_rules.MEMBERS_RATED_GOOD,
        flow=True,
        drill="ratings_cells_good_share",
        note=f"{rating_rules.SCALE.title} ({rating_rules.SCALE.versions[-1].citation}). Danh sách bên dưới nêu "
        "từng chi bộ, tỷ lệ thấp nhất trước.",
        basis=RATINGS_BASIS,
    ),
    Indicator(
        "ratings.orgs_good_share",
        "Tỷ lệ tổ chức cơ sở đảng xếp loại hoàn thành tốt nhiệm vụ trở lên",
        PERCENT,
        "Tổ chức cơ sở đảng (đảng bộ cơ sở, chi bộ cơ sở) được cấp trên trực tiếp quyết định xếp loại hoàn thành "
        "xuất sắc nhiệm vụ hoặc hoàn thành tốt nhiệm vụ",
        "Tổ chức cơ sở đảng đã được quyết định xếp loại trong năm đánh giá (tổ chức chưa có quyết định không tính; "
        "là tổ chức cơ sở đảng theo loại tổ chức cuối năm đánh giá)",
        _rating_value("orgs_good", "orgs_rated"),
        SECTION_RATINGS,
        target=target_rules.GRASSROOTS_RATED_GOOD,
        flow=True,
        drill="ratings_grassroots_below",
        basis=RATINGS_BASIS,
    ),
    _band_indicator(_BAND.EXCELLENT, "ratings_grassroots_bands"),
    _band_indicator(_BAND.GOOD, "ratings_grassroots_bands"),
    _band_indicator(_BAND.FULFILLED, "ratings_grassroots_bands"),
    _band_indicator(_BAND.FAILED, "ratings_members_failed"),
    Indicator(
        "ratings.members_not_rated",
        "Đảng viên trong danh sách đánh giá chưa được xếp loại",
        MEMBERS,
        "Đảng viên trong danh sách đánh giá của năm không được xếp loại (được miễn công tác và sinh hoạt đảng, bị "
        "đình chỉ sinh hoạt, dự bị khi quy định không xếp loại, ...) hoặc chưa có quyết định xếp loại đến ngày báo "
        "cáo",
        "",
        _rating_value("not_listed_rated"),
        SECTION_RATINGS,
        flow=True,
        drill="ratings_members_not_rated",
        note=f"{rating_rules.WHO_IS_RATED.title} ({rating_rules.WHO_IS_RATED.versions[-1].citation}). "
        "Danh sách bên dưới nêu từng người và lý do, hoặc bước đánh giá đã làm.",
        basis=RATINGS_BASIS,
    ),
)
BY_CODE: dict[str, Indicator] = {indicator.code: indicator for indicator in INDICATORS}
SECTIONS: tuple[str, ...] = tuple(dict.fromkeys(i.section for i in INDICATORS))

if len(BY_CODE) != len(INDICATORS):  # pragma: no cover - a declaration error
    raise ValueError("indicator code declared twice")
