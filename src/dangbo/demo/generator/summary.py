"""What a demo build made (``Summary``), counted from the database by ``summarize`` as the pages
count it (live organizations and hamlets only: a dissolved one is in the history, not in the
figures), and the line ``dangbo demo`` prints of it (``describe``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from dangbo.core import clock, paths
from dangbo.core.formats import format_number, format_percent
from dangbo.demo.profiles import Profile
from dangbo.members.models import ACTIVE_STATUSES, MemberEvent
from dangbo.members.selectors.figures import member_figures
from dangbo.orgs.models import Locality, Org
from dangbo.orgs.selectors import org_direct_children_count, org_grassroots_count, org_kind_counts

Kind = MemberEvent.Kind


@dataclass
class Summary:
    profile: str
    seed: int
    orgs: int
    direct_children: int
    grassroots: int
    members: int
    women_share: float
    ethnic_minority_share: float
    admissions_10y: int
    localities: int
    localities_without_cell: int
    heads_not_members: int
    seconds: float = 0.0


def summarize(profile: Profile, seed: int, province: Org) -> Summary:
    figures = member_figures(path=province.path)
    kinds = org_kind_counts(root=province)
    as_of = (
        clock.today() if profile.to_today else profile.as_of
    )  # a province brought to today counts back from today
    ten_years_before = date(
        as_of.year - 10, as_of.month, min(as_of.day, 28 if as_of.month == 2 else as_of.day)
    )
    grassroots = org_grassroots_count(root=province)
    localities = Locality.objects.filter(
        paths.subtree_q(province.path, "commune_path"), dissolved_on__isnull=True
    )
    return Summary(
        profile=profile.name,
        seed=seed,
        orgs=sum(kinds.values()),
        direct_children=org_direct_children_count(root=province),
        grassroots=grassroots,
        members=figures.total,
        women_share=figures.women_share,
        ethnic_minority_share=figures.ethnic_minority_share,
        admissions_10y=MemberEvent.objects.filter(
            kind=Kind.ADMITTED, effective_on__gt=ten_years_before, effective_on__lte=as_of
        ).count(),
        localities=localities.count(),
        localities_without_cell=localities.filter(cell__isnull=True).count(),
        heads_not_members=localities.exclude(head_member__status__in=list(ACTIVE_STATUSES)).count(),
    )


def describe(summary: Summary) -> str:
    """The line ``dangbo demo`` ends its build with (``bench/run.py`` keeps it: it starts with
    «Xong»), numbers written as Vietnamese readers write them."""
    n = format_number
    return (
        f"Xong trong {n(summary.seconds)} giây: {n(summary.direct_children)} tổ chức trực thuộc, "
        f"{n(summary.grassroots)} tổ chức cơ sở đảng, {n(summary.members)} đảng viên "
        f"({format_percent(summary.women_share)} nữ, {format_percent(summary.ethnic_minority_share)} "
        f"dân tộc thiểu số), {n(summary.admissions_10y)} đảng viên kết nạp trong 10 năm; "
        f"{n(summary.localities)} thôn, tổ dân phố ({n(summary.localities_without_cell)} chưa có chi bộ, "
        f"{n(summary.heads_not_members)} trưởng thôn chưa là đảng viên)."
    )
