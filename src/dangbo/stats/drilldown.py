"""The rows behind an indicator's gap: which hamlets, which secretaries, which cells.

Each drill-down takes the report context and the organization and returns a header and
rows; a row's first cells may carry a link target (organization, member or hamlet). Lists
that name people are audited by the selector that calls them (``stats.selectors``). The
meeting indicators' lists are in ``stats.meeting_drills``, the dues indicators' in
``stats.dues_drills``, the rating indicators' in ``stats.ratings_drills``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias, TypedDict

from django.db.models import Count, F

from dangbo.core import paths
from dangbo.core.kinds import CELL_KINDS, OrgKind
from dangbo.core.roles import COMMITTEE_ROLES, Role
from dangbo.members.models import MemberStatus, Position
from dangbo.orgs.locality_versions import valid_on
from dangbo.orgs.models import Locality, LocalityVersion, Org
from dangbo.rules import orgs as org_rules
from dangbo.rules import targets as target_rules
from dangbo.stats.drill_rows import Cell, Drill
from dangbo.stats.dues_drills import DUES_DRILLS
from dangbo.stats.figures import stocks
from dangbo.stats.indicators import SECRETARY_ROLES, Context, grassroots_positions_on, hamlet_versions_on
from dangbo.stats.meeting_drills import MEETING_DRILLS
from dangbo.stats.models import OrgTally
from dangbo.stats.ratings_drills import RATINGS_DRILLS

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class _HamletAnnotations(TypedDict):
    """What ``hamlet_versions_on`` annotates on each version."""

    cell_hamlets: int | None
    head_active: bool


HamletVersion: TypeAlias = "WithAnnotations[LocalityVersion, _HamletAnnotations]"


def _hamlets(ctx: Context, org: Org) -> list[HamletVersion]:
    """The hamlets of ``org``'s subtree as they were on the report's date (their versions),
    annotated as ``hamlet_versions_on`` does."""
    path = ctx.path_of(org) or org.path
    return list(
        hamlet_versions_on(ctx.frame.as_of, path)
        .select_related("locality", "commune", "cell", "head_member")
        .order_by("commune_path_on", "name")
    )


def _hamlet_name(version: LocalityVersion) -> str:
    return f"{version.get_kind_display()} {version.name}"


def _head(version: LocalityVersion) -> str:
    return version.head_member.full_name if version.head_member is not None else version.head_name


def _hamlet_row(version: LocalityVersion, *extra: str) -> list[Cell]:
    return [
        Cell(_hamlet_name(version)),
        Cell(version.commune.name, org_id=version.commune_id),
        Cell(version.cell.name if version.cell else "", org_id=version.cell_id),
        *(Cell(text) for text in extra),
    ]


def hamlets_without_cell(ctx: Context, org: Org) -> Drill:
    rows = [_hamlet_row(v, _head(v)) for v in _hamlets(ctx, org) if v.cell_id is None]
    return Drill(
        "Thôn, tổ dân phố chưa có chi bộ",
        ["Thôn, tổ dân phố", "Đảng bộ xã, phường", "Chi bộ", "Trưởng thôn"],
        rows,
    )


def hamlets_without_own_cell(ctx: Context, org: Org) -> Drill:
    """Behind the 2030 target: hamlets with no cell, and those whose cell also covers
    other hamlets (thôn ghép chi bộ)."""
    rows = [
        _hamlet_row(
            v, "chưa có chi bộ" if v.cell_id is None else f"ghép chi bộ ({v.cell_hamlets} thôn, tổ dân phố)"
        )
        for v in _hamlets(ctx, org)
        if v.cell_id is None or (v.cell_hamlets or 0) > 1
    ]
    return Drill(
        "Thôn, tổ dân phố chưa có chi bộ riêng",
        ["Thôn, tổ dân phố", "Đảng bộ xã, phường", "Chi bộ", "Tình trạng"],
        rows,
    )


def hamlets_merged_cell(ctx: Context, org: Org) -> Drill:
    """Hamlets whose cell covers several hamlets, grouped by the cell, each with the others."""
    versions = [v for v in _hamlets(ctx, org) if v.cell_id is not None and (v.cell_hamlets or 0) > 1]
    names: dict[object, list[str]] = {}
    cells = list({v.cell_id for v in versions})
    for start in range(0, len(cells), 500):
        for cell_id, kind, name in (
            LocalityVersion.objects.filter(valid_on(ctx.frame.as_of), cell_id__in=cells[start : start + 500])
            .values_list("cell_id", "kind", "name")
            .order_by("name")
        ):
            names.setdefault(cell_id, []).append(f"{Locality.Kind(kind).label} {name}")
    versions.sort(key=lambda v: (v.cell.name if v.cell else "", v.name))
    rows = [
        _hamlet_row(v, ", ".join(n for n in names.get(v.cell_id, []) if n != _hamlet_name(v)))
        for v in versions
    ]
    return Drill(
        "Thôn, tổ dân phố ghép chi bộ (một chi bộ phụ trách nhiều thôn, tổ dân phố)",
        ["Thôn, tổ dân phố", "Đảng bộ xã, phường", "Chi bộ", "Cùng chi bộ với"],
        rows,
    )


def hamlets_without_members(ctx: Context, org: Org) -> Drill:
    with_members = (
        ctx.stock(org).hamlets()
        if not ctx.frame.is_today
        else set(
            OrgTally.objects.filter(org=org, dimension="hamlet", count__gt=0).values_list("value", flat=True)
        )
    )
    rows = [_hamlet_row(v) for v in _hamlets(ctx, org) if str(v.locality_id) not in with_members]
    return Drill(
        "Thôn, tổ dân phố chưa có đảng viên cư trú",
        ["Thôn, tổ dân phố", "Đảng bộ xã, phường", "Chi bộ"],
        rows,
    )


def hamlet_heads_not_members(ctx: Context, org: Org) -> Drill:
    """Hamlets whose head was not a member on the date: a head outside the Party, none
    recorded, or a member record whose holder had died or left the Party by then."""
    rows = []
    for v in _hamlets(ctx, org):
        if v.head_active:
            continue
        if v.head_member is not None:
            reason = f"{v.head_member.full_name} ({v.head_member.get_status_display().lower()})"
        elif v.head_name:
            reason = f"{v.head_name} (người ngoài Đảng)"
        else:
            reason = "chưa ghi"
        rows.append(_hamlet_row(v, reason))
    return Drill(
        "Thôn, tổ dân phố có trưởng thôn, tổ trưởng chưa là đảng viên",
        ["Thôn, tổ dân phố", "Đảng bộ xã, phường", "Chi bộ", "Trưởng thôn, tổ trưởng"],
        rows,
        names_people=True,  # the heads, members or not, by name
    )


def _leaders_below(ctx: Context, org: Org, roles, title: str) -> Drill:
    day = ctx.frame.as_of
    path = ctx.path_of(org) or org.path
    positions = (
        grassroots_positions_on(day=day, path=path, roles=roles)
        .annotate(org_name_then=F("org__versions__name"), org_path_then=F("org__versions__path"))
        .exclude(member__theory_level_id__in=list(target_rules.THEORY_INTERMEDIATE_OR_ABOVE))
        .select_related("member", "member__theory_level", "org")
        .order_by("org_path_then", "role", "member__sort_key")
    )
    rows = [
        [
            Cell(p.member.full_name, member_id=p.member_id),
            Cell(Role(p.role).label),
            Cell(p.org_name_then, org_id=p.org_id),
            Cell(p.member.theory_level.name if p.member.theory_level else "chưa ghi"),
        ]
        for p in positions
    ]
    return Drill(
        title, ["Họ và tên", "Chức vụ", "Tổ chức cơ sở đảng", "Lý luận chính trị"], rows, names_people=True
    )


def secretaries_below_theory(ctx: Context, org: Org) -> Drill:
    return _leaders_below(
        ctx, org, SECRETARY_ROLES, "Bí thư, phó bí thư cấp ủy cơ sở chưa có lý luận chính trị trung cấp"
    )


def committee_below_theory(ctx: Context, org: Org) -> Drill:
    return _leaders_below(ctx, org, COMMITTEE_ROLES, "Cấp ủy viên cơ sở chưa có lý luận chính trị trung cấp")


def _orgs_by_count(
    ctx: Context, org: Org, kinds, dimension: str, value: str, minimum: int, title: str, label: str
) -> Drill:
    path = ctx.path_of(org) or org.path
    if ctx.frame.is_today:
        rows = (
            OrgTally.objects.filter(
                paths.subtree_q(path, "org__path"),
                dimension=dimension,
                value=value,
                count__gte=minimum,
                org__kind__in=list(kinds),
                org__dissolved_on__isnull=True,
            )
            .select_related("org")
            .order_by("org__path")
        )
        found = [(row.org, row.count) for row in rows]
    else:
        candidates = list(Org.objects.filter(paths.subtree_q(path), kind__in=list(kinds)))
        figures = stocks(ctx.frame, candidates)
        found = [
            (o, figures[o.pk].count(dimension, value))
            for o in candidates
            if figures[o.pk].count(dimension, value) >= minimum
        ]
    committees = dict(
        Position.objects.filter(
            org__in=[o for o, _ in found], ended_on__isnull=True, role__in=list(COMMITTEE_ROLES)
        )
        .values_list("org")
        .annotate(n=Count("id"))
        .values_list("org", "n")
    )
    return Drill(
        title,
        ["Tổ chức", "Loại", label, "Cấp ủy viên hiện có"],
        [
            [
                Cell(o.name, org_id=o.pk),
                Cell(OrgKind(o.kind).label),
                Cell(str(n), value=n),
                Cell(str(committees.get(o.pk, 0)), value=committees.get(o.pk, 0)),
            ]
            for o, n in found
        ],
    )


def grassroots_300(ctx: Context, org: Org) -> Drill:
    threshold = org_rules.LARGE_GRASSROOTS_COMMITTEE.value(ctx.frame.as_of)
    return _orgs_by_count(
        ctx,
        org,
        {OrgKind.GRASSROOTS_COMMITTEE},
        "total",
        "",
        threshold,
        f"Đảng bộ cơ sở có từ {threshold} đảng viên trở lên",
        "Số đảng viên",
    )


def cells_needing_committee(ctx: Context, org: Org) -> Drill:
    threshold = org_rules.CELL_COMMITTEE_THRESHOLD.value(ctx.frame.as_of)
    return _orgs_by_count(
        ctx,
        org,
        CELL_KINDS,
        "status",
        MemberStatus.FULL,
        threshold,
        f"Chi bộ có từ {threshold} đảng viên chính thức trở lên (phải bầu chi ủy)",
        "Đảng viên chính thức",
    )


DRILLS = {
    "hamlets_without_cell": hamlets_without_cell,
    "hamlets_without_own_cell": hamlets_without_own_cell,
    "hamlets_merged_cell": hamlets_merged_cell,
    "hamlets_without_members": hamlets_without_members,
    "hamlet_heads_not_members": hamlet_heads_not_members,
    "secretaries_below_theory": secretaries_below_theory,
    "committee_below_theory": committee_below_theory,
    "grassroots_300": grassroots_300,
    "cells_needing_committee": cells_needing_committee,
    **MEETING_DRILLS,
    **DUES_DRILLS,
    **RATINGS_DRILLS,
}
