"""What a demo build made (``Summary``), counted from the database by ``summarize``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from dangbo.core import clock, paths
from dangbo.demo.profiles import Profile
from dangbo.members.models import ACTIVE_STATUSES, MemberEvent
from dangbo.members.selectors.figures import member_figures
from dangbo.orgs.models import Locality, Org
from dangbo.orgs.selectors import org_grassroots_count, org_kind_counts

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
    localities = Locality.objects.filter(paths.subtree_q(province.path, "commune_path"))
    return Summary(
        profile=profile.name,
        seed=seed,
        orgs=sum(kinds.values()),
        direct_children=Org.objects.filter(parent=province).count(),
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
