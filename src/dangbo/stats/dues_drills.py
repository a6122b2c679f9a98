"""The rows behind the dues indicators (section «Đảng phí»): each cell's collection against what
was due, with its members who have no dues basis; the members in arrears with their months;
the members exempted in the period's last month, by ground. Read the way the figures are
(``stats.indicators.dues``): the same months, the same placement of each cell, grouped sums
per cell and, for the lists of people, only the rows that are listed (unpaid months, exempted
months, members without a basis) — never a subtree's whole accounts.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from django.db.models import F, Q

from dangbo.core.formats import format_number, format_percent
from dangbo.core.spreadsheet import Share
from dangbo.dues.models import DuesMonth
from dangbo.dues.party_age import party_age_exempt_q
from dangbo.dues.selectors import UNPAID
from dangbo.dues.sums import EXEMPTED, WITH_BASIS
from dangbo.members.models import ACTIVE_STATUSES, Member, Placement
from dangbo.orgs.models import Org
from dangbo.rules.dues import ReliefGround
from dangbo.stats.drill_rows import Cell, Drill
from dangbo.stats.indicators.context import Context
from dangbo.stats.indicators.dues import (
    CHUNK,
    candidate_orgs,
    cell_figures,
    last_day,
    months_of,
    placed,
    veterans_without_account,
)
from dangbo.stats.indicators.meetings import span_of

NAMES_PER_CELL = 20  # members without a basis named in a cell's row; the rest are counted


def _money(amount: int) -> str:
    return f"{format_number(amount)} đồng"


def _root(ctx: Context, org: Org) -> str:
    return ctx.path_of(org) or org.path


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


def _orgs(org_ids) -> dict:
    return Org.objects.select_related("parent").in_bulk(list(org_ids))


def _placed_rows(rows, root_path: str, day) -> list:
    """Of ``rows`` (tuples whose second item is a cell id), those whose cell stood under
    ``root_path`` on ``day``."""
    where = placed({row[1] for row in rows}, day)
    return [row for row in rows if where.get(row[1], "~").startswith(root_path)]


def _without_basis(ctx: Context, root_path: str, month) -> list[tuple]:
    """(member, cell) of the members counted in a cell of the subtree on ``month``'s last day
    who have no basis for it (no account with a category that month)."""
    day = last_day(month)
    cells = candidate_orgs(root_path, ctx.frame.as_of)
    # a member counted in a cell on the month's last day has that month's account there
    with_basis = DuesMonth.objects.filter(WITH_BASIS, month=month, org_id__in=cells).values("member_id")
    counted = (
        Placement.objects.filter(
            Q(valid_to__isnull=True) | Q(valid_to__gt=day),
            org_id__in=cells,
            counted=True,
            status__in=list(ACTIVE_STATUSES),
            valid_from__lte=day,
        )
        .exclude(member_id__in=with_basis)
        .exclude(party_age_exempt_q(month, prefix="member__"))  # they need no basis
        .values_list("member_id", "org_id")
    )
    return _placed_rows(list(counted), root_path, ctx.frame.as_of)


def _cell_cells(org: Org) -> list[Cell]:
    return [Cell(org.name, org_id=org.pk), Cell(org.parent.name if org.parent else "", org_id=org.parent_id)]


def dues_collection_by_cell(ctx: Context, org: Org) -> Drill:
    """Each cell's dues paid against due over the period, lowest share first, and the members
    of the period's last month without a dues basis (not counted in the share)."""
    header = ["Chi bộ", "Trực thuộc", "Phải nộp", "Đã nộp", "Tỷ lệ", "Đảng viên chưa có căn cứ đóng"]
    title = "Đảng phí đã thu so với số phải nộp, từng chi bộ (thấp nhất trước)"
    window = months_of(span_of(ctx))
    if window is None:
        return Drill(title, header, [])
    root_path = _root(ctx, org)
    cells = cell_figures(span_of(ctx), root_path, ctx.frame.as_of)
    missing: dict = defaultdict(list)
    pairs = _without_basis(ctx, root_path, window[1])
    names = _names({member_id for member_id, _ in pairs})
    for member_id, cell_id in pairs:
        missing[cell_id].append(names[member_id])
    orgs = _orgs(set(cells) | set(missing))

    def share(cell_id):
        figures = cells[cell_id][1] if cell_id in cells else None
        return figures.paid / figures.due if figures and figures.due else None

    listed = sorted(
        set(cells) | set(missing),
        key=lambda c: (share(c) if share(c) is not None else 2, orgs[c].path),
    )
    rows = []
    for cell_id in listed:
        figures = cells[cell_id][1] if cell_id in cells else None
        people = sorted(missing.get(cell_id, []))
        text = ", ".join(name for _, name in people[:NAMES_PER_CELL])
        if len(people) > NAMES_PER_CELL:
            text += f" và {len(people) - NAMES_PER_CELL} người khác"
        rate = share(cell_id)
        rows.append(
            [
                *_cell_cells(orgs[cell_id]),
                Cell(_money(figures.due if figures else 0), value=figures.due if figures else 0),
                Cell(_money(figures.paid if figures else 0), value=figures.paid if figures else 0),
                Cell(
                    format_percent(rate) if rate is not None else "—",
                    value=Share(rate) if rate is not None else None,
                ),
                Cell(f"{len(people)}: {text}" if people else ""),
            ]
        )
    return Drill(title, header, rows, names_people=True)


def dues_members_in_arrears(ctx: Context, org: Org) -> Drill:
    """The members with unpaid months in the period, once per cell, with the months and the
    amount still owed for them."""
    header = ["Họ và tên", "Chi bộ", "Tháng chưa nộp đủ", "Số tháng", "Còn thiếu"]
    title = "Đảng viên chưa nộp đủ đảng phí trong kỳ"
    window = months_of(span_of(ctx))
    if window is None:
        return Drill(title, header, [], names_people=True)
    root_path = _root(ctx, org)
    unpaid = (
        DuesMonth.objects.filter(
            UNPAID,
            org_id__in=candidate_orgs(root_path, ctx.frame.as_of),
            month__gte=window[0],
            month__lte=window[1],
        )
        .annotate(short=F("due") - F("paid"))
        .values_list("member_id", "org_id", "month", "short")
    )
    by_pair: dict = defaultdict(list)
    for member_id, cell_id, month, short in _placed_rows(list(unpaid), root_path, ctx.frame.as_of):
        by_pair[(member_id, cell_id)].append((month, short))
    names, orgs = _names({m for m, _ in by_pair}), _orgs({c for _, c in by_pair})
    rows = [
        [
            Cell(names[member_id][1], member_id=member_id),
            Cell(orgs[cell_id].name, org_id=cell_id),
            Cell(", ".join(f"{month:%m/%Y}" for month, _ in sorted(months))),
            Cell(str(len(months)), value=len(months)),
            Cell(_money(sum(short for _, short in months)), value=sum(short for _, short in months)),
        ]
        for (member_id, cell_id), months in sorted(
            by_pair.items(), key=lambda p: (names[p[0][0]][0], orgs[p[0][1]].path)
        )
    ]
    return Drill(title, header, rows, names_people=True)


def dues_exempted_members(ctx: Context, org: Org) -> Drill:
    """The members exempted in the period's last whole month, by ground (fifty years of party
    age included), with the count of each ground in the title."""
    header = ["Họ và tên", "Chi bộ", "Lý do miễn"]
    window = months_of(span_of(ctx))
    if window is None:
        return Drill("Đảng viên được miễn đóng đảng phí", header, [], names_people=True)
    root_path = _root(ctx, org)
    rows_found = DuesMonth.objects.filter(
        EXEMPTED, org_id__in=candidate_orgs(root_path, ctx.frame.as_of), month=window[1]
    ).values_list("member_id", "org_id", "relief_ground")
    veterans = [
        (member_id, org_id, ReliefGround.PARTY_AGE)
        for member_id, org_id in veterans_without_account(root_path, ctx.frame.as_of, window[1])
    ]
    found = _placed_rows([*rows_found, *veterans], root_path, ctx.frame.as_of)
    names, orgs = _names({m for m, _, _ in found}), _orgs({c for _, c, _ in found})
    grounds = list(ReliefGround.LABELS)
    found.sort(key=lambda r: (grounds.index(r[2]) if r[2] in grounds else len(grounds), names[r[0]][0]))
    counts = Counter(ground for _, _, ground in found)
    by_ground = "; ".join(
        f"{ReliefGround.LABELS.get(ground, 'khác').lower()}: {counts[ground]}"
        for ground in sorted(counts, key=lambda g: grounds.index(g) if g in grounds else len(grounds))
    )
    title = f"Đảng viên được miễn đóng đảng phí tháng {window[1]:%m/%Y}" + (
        f" ({by_ground})" if by_ground else ""
    )
    rows = [
        [
            Cell(names[member_id][1], member_id=member_id),
            Cell(orgs[cell_id].name, org_id=cell_id),
            Cell(ReliefGround.LABELS.get(ground, ground)),
        ]
        for member_id, cell_id, ground in found
    ]
    return Drill(title, header, rows, names_people=True)


DUES_DRILLS = {
    "dues_collection_by_cell": dues_collection_by_cell,
    "dues_members_in_arrears": dues_members_in_arrears,
    "dues_exempted_members": dues_exempted_members,
}
