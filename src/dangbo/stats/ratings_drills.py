"""The rows behind the rating indicators (section «Đánh giá, xếp loại chất lượng»): each cell's
members by band and its share rated «good» or better, lowest first; each grassroots
organization's members by band with the cap on «excellent»; the members rated «not completed»;
the members on the year's lists not rated, with why; the grassroots organizations not rated
«good» or better. Read the way the figures are (``stats.indicators.ratings``): the same year, the
band decided by the report's date, each cell placed by its version on that date; grouped counts
per cell, and for the lists of people only the rows that are listed.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from django.db.models import Q

from dangbo.core.formats import format_percent
from dangbo.core.spreadsheet import Share
from dangbo.members.models import Member
from dangbo.orgs.models import Org
from dangbo.ratings.models import NotRated
from dangbo.rules import ratings as rating_rules
from dangbo.rules.ratings import Band, Disqualifier
from dangbo.stats.drill_rows import Cell, Drill
from dangbo.stats.indicators.context import Context
from dangbo.stats.indicators.dues import CHUNK, placed
from dangbo.stats.indicators.ratings import (
    Figures,
    cell_rows,
    grassroots_rows,
    has_year,
    member_reviews,
    rating_year,
)

UNDECIDED = "Chưa có quyết định xếp loại"


def _root(ctx: Context, org: Org) -> str:
    return ctx.path_of(org) or org.path


def _orgs(org_ids) -> dict:
    found: dict = {}
    ids = list(org_ids)
    for start in range(0, len(ids), CHUNK):
        found.update(Org.objects.select_related("parent").in_bulk(ids[start : start + CHUNK]))
    return found


def _names(member_ids) -> dict:
    """Member id → (sort key, full name), read in chunks."""
    found: dict = {}
    ids = list(member_ids)
    for start in range(0, len(ids), CHUNK):
        for pk, family, middle, given, sort_key in Member.objects.filter(
            pk__in=ids[start : start + CHUNK]
        ).values_list("pk", "family_name", "middle_name", "given_name", "sort_key"):
            found[pk] = (sort_key, " ".join(part for part in (family, middle, given) if part))
    return found


def _share(figures: Figures) -> str:
    return format_percent(figures.share) if figures.share is not None else "—"


def _share_cell(figures: Figures) -> Cell:
    return Cell(_share(figures), value=Share(figures.share) if figures.share is not None else None)


def _band_counts(counts: Counter) -> list[Cell]:
    return [Cell(str(counts[band]), value=counts[band]) for band in Band.ORDER]


BAND_HEADER = [Band.SHORT[band] for band in Band.ORDER]


def _no_year(ctx: Context, title: str, header: list[str], people: bool = False) -> Drill | None:
    if has_year(ctx):
        return None
    return Drill(title, header, [], names_people=people)


def ratings_cells_good_share(ctx: Context, org: Org) -> Drill:
    """Each cell's members by band decided and its share «good» or better, lowest first (cells
    with no member rated yet last), with its members not rated and not yet decided."""
    header = [
        "Chi bộ",
        "Trực thuộc",
        "Được xếp loại",
        *BAND_HEADER,
        "Tỷ lệ HTTNV trở lên",
        "Không xếp loại",
        "Chưa quyết định",
    ]
    year = rating_year(ctx)
    title = (
        f"Đảng viên xếp loại năm {year} từng chi bộ, tỷ lệ hoàn thành tốt nhiệm vụ trở lên thấp nhất trước"
    )
    empty = _no_year(ctx, title, header)
    if empty is not None:
        return empty
    cells = cell_rows(year, _root(ctx, org), ctx.frame.as_of)
    orgs = _orgs(cells)
    listed = sorted(
        cells.items(),
        key=lambda item: (
            item[1].figures.share if item[1].figures.share is not None else 2,
            item[1].path,
        ),
    )
    rows = [
        [
            Cell(orgs[cell_id].name, org_id=cell_id),
            Cell(orgs[cell_id].parent.name if orgs[cell_id].parent else "", org_id=orgs[cell_id].parent_id),
            Cell(str(row.figures.rated), value=row.figures.rated),
            *_band_counts(row.figures.bands),
            _share_cell(row.figures),
            Cell(str(row.figures.not_rated), value=row.figures.not_rated),
            Cell(str(row.figures.undecided), value=row.figures.undecided),
        ]
        for cell_id, row in listed
    ]
    return Drill(title, header, rows)


def ratings_grassroots_bands(ctx: Context, org: Org) -> Drill:
    """Each grassroots organization's members by band decided (the part of them in the report's
    subtree), its share «good» or better, and whether «excellent» stays within the cap — judged
    only where the whole organization is in the subtree."""
    header = ["Tổ chức cơ sở đảng", *BAND_HEADER, "Tỷ lệ HTTNV trở lên", "Giới hạn HTXSNV"]
    year = rating_year(ctx)
    title = f"Đảng viên xếp loại năm {year} theo từng tổ chức cơ sở đảng"
    empty = _no_year(ctx, title, header)
    if empty is not None:
        return empty
    root_path = _root(ctx, org)
    bands: dict = defaultdict(Counter)
    for row in cell_rows(year, root_path, ctx.frame.as_of).values():
        for grassroots_id, counts in row.by_grassroots.items():
            bands[grassroots_id].update(counts)
    where = placed(bands, ctx.frame.as_of)
    orgs = _orgs(bands)
    cap = rating_rules.EXCELLENT_CAP.at(rating_rules.year_day(year))
    rows = []
    for grassroots_id in sorted(bands, key=lambda g: where.get(g, orgs[g].path)):
        counts = bands[grassroots_id]
        figures = Figures(bands=counts)
        whole = where.get(grassroots_id, "").startswith(root_path)
        if cap.value is None or not whole:
            cap_text = "—"
        else:
            allowed = counts[Band.GOOD] * cap.value // 100
            cap_text = f"{'đạt' if counts[Band.EXCELLENT] <= allowed else 'vượt'} (tối đa {allowed})"
        rows.append(
            [
                Cell(orgs[grassroots_id].name, org_id=grassroots_id),
                *_band_counts(counts),
                Cell(_share(figures)),
                Cell(cap_text),
            ]
        )
    if cap.value is not None:
        title += f"; HTXSNV tối đa {cap.value} % số HTTNV ({cap.citation}" + (
            ", chưa xác nhận)" if not cap.confirmed else ")"
        )
    return Drill(title, header, rows)


def ratings_members_failed(ctx: Context, org: Org) -> Drill:
    """The members rated «not completed» for the year, with their score, what kept them there
    and the decision."""
    header = ["Họ và tên", "Chi bộ", "Điểm", "Trường hợp không xếp cao hơn", "Quyết định"]
    year = rating_year(ctx)
    title = f"Đảng viên xếp loại không hoàn thành nhiệm vụ năm {year}"
    empty = _no_year(ctx, title, header, people=True)
    if empty is not None:
        return empty
    root_path, day = _root(ctx, org), ctx.frame.as_of
    found = list(
        member_reviews(year, root_path, day)
        .filter(band_then=Band.FAILED, not_rated="")
        .values_list("member_id", "cell_id", "score", "disqualifiers", "decision_no", "decided_on", "band")
    )
    where = placed({r[1] for r in found}, day)
    found = [r for r in found if where.get(r[1], "~").startswith(root_path)]
    names, orgs = _names({r[0] for r in found}), _orgs({r[1] for r in found})
    found.sort(key=lambda r: (where[r[1]], names[r[0]][0]))
    rows = []
    for member_id, cell_id, score, disqualifiers, decision_no, decided_on, stored in found:
        # a correction taken after the report's date is not shown as the day's decision
        current = stored == Band.FAILED
        rows.append(
            [
                Cell(names[member_id][1], member_id=member_id),
                Cell(orgs[cell_id].name, org_id=cell_id),
                Cell(str(score) if current and score is not None else "", value=score if current else None),
                Cell(", ".join(Disqualifier.LABELS.get(d, d) for d in disqualifiers) if current else ""),
                Cell(f"{decision_no}, {decided_on:%d/%m/%Y}" if current and decided_on else ""),
            ]
        )
    return Drill(title, header, rows, names_people=True)


def _step(cell_band: str, self_band: str) -> str:
    if cell_band:
        return f"{UNDECIDED} (chi bộ đề xuất {Band.SHORT[cell_band]})"
    if self_band:
        return f"{UNDECIDED} (đã tự đánh giá, chi bộ chưa đánh giá)"
    return f"{UNDECIDED} (chưa tự đánh giá)"


def ratings_members_not_rated(ctx: Context, org: Org) -> Drill:
    """The members on the year's lists not rated by the report's date: those the rules do not
    rate, with why (``NotRated``), then those awaiting a decision, with the step reached."""
    header = ["Họ và tên", "Chi bộ", "Lý do"]
    year = rating_year(ctx)
    title = f"Đảng viên trong danh sách đánh giá năm {year} chưa được xếp loại"
    empty = _no_year(ctx, title, header, people=True)
    if empty is not None:
        return empty
    root_path, day = _root(ctx, org), ctx.frame.as_of
    found = list(
        member_reviews(year, root_path, day)
        .filter(~Q(not_rated="") | Q(band_then=""))
        .values_list("member_id", "cell_id", "not_rated", "cell_band", "self_band")
    )
    where = placed({r[1] for r in found}, day)
    found = [r for r in found if where.get(r[1], "~").startswith(root_path)]
    names, orgs = _names({r[0] for r in found}), _orgs({r[1] for r in found})
    reasons = list(NotRated.values)
    found.sort(key=lambda r: (reasons.index(r[2]) if r[2] else len(reasons), where[r[1]], names[r[0]][0]))
    counts = Counter(r[2] or "" for r in found)
    by_reason = "; ".join(
        f"{(NotRated(reason).label if reason else UNDECIDED).lower()}: {counts[reason]}"
        for reason in [*reasons, ""]
        if counts[reason]
    )
    if by_reason:
        title += f" ({by_reason})"
    rows = [
        [
            Cell(names[member_id][1], member_id=member_id),
            Cell(orgs[cell_id].name, org_id=cell_id),
            Cell(NotRated(reason).label if reason else _step(cell_band, self_band)),
        ]
        for member_id, cell_id, reason, cell_band, self_band in found
    ]
    return Drill(title, header, rows, names_people=True)


def ratings_grassroots_below(ctx: Context, org: Org) -> Drill:
    """The grassroots organizations not rated «good» or better for the year: those rated lower,
    worst first, then those not yet rated (not counted in the share); each with its members'
    share «good» or better."""
    header = ["Tổ chức cơ sở đảng", "Trực thuộc", "Xếp loại", "Điểm", "Quyết định", "Đảng viên HTTNV trở lên"]
    year = rating_year(ctx)
    title = f"Tổ chức cơ sở đảng chưa đạt hoàn thành tốt nhiệm vụ năm {year}"
    empty = _no_year(ctx, title, header)
    if empty is not None:
        return empty
    root_path, day = _root(ctx, org), ctx.frame.as_of
    below = [g for g in grassroots_rows(year, root_path, day) if g.band not in Band.GOOD_OR_BETTER]
    members: dict = defaultdict(Figures)
    for row in cell_rows(year, root_path, day).values():
        for grassroots_id, counts in row.by_grassroots.items():
            members[grassroots_id].bands.update(counts)
    below.sort(key=lambda g: (-Band.rank(g.band) if g.band else 1, g.path))
    orgs = _orgs({g.org_id for g in below})
    rows = [
        [
            Cell(orgs[g.org_id].name, org_id=g.org_id),
            Cell(
                orgs[g.org_id].parent.name if orgs[g.org_id].parent else "", org_id=orgs[g.org_id].parent_id
            ),
            Cell(Band.LABELS[g.band] if g.band else UNDECIDED),
            Cell(str(g.score) if g.score is not None else "", value=g.score),
            Cell(f"{g.decision_no}, {g.decided_on:%d/%m/%Y}" if g.decided_on else ""),
            _share_cell(members[g.org_id]),
        ]
        for g in below
    ]
    return Drill(title, header, rows)


RATINGS_DRILLS = {
    "ratings_cells_good_share": ratings_cells_good_share,
    "ratings_grassroots_bands": ratings_grassroots_bands,
    "ratings_members_failed": ratings_members_failed,
    "ratings_members_not_rated": ratings_members_not_rated,
    "ratings_grassroots_below": ratings_grassroots_below,
}
