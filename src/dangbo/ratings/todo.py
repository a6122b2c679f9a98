"""Two years running «not completed» and striking off (RULES.md §11 rule 15; Charter art. 8):
the ratings' part of the to-do list and of the striking-off page, registered through
``members.hooks`` in ``RatingsConfig.ready()``.

- ``failed_years_items`` (a due source): every member still active whose decided yearly rating
  was «not completed» in two consecutive years, the later of them the year of the list's day or
  the one before — both years named, the rule cited. A matter to consider (``review``), never
  overdue; its day is the decision that made the second year.
- ``campaign_due_items`` (a due source): the steps of an open campaign not done by their
  deadline, or due by the list's horizon — per cell, the members the cell has not assessed
  (by ``cell_due_on``); per grassroots organization, the members not yet decided (by
  ``decision_due_on``) — overdue once the deadline has passed. The deadlines are the campaign's
  own (the rules fix none), so the citation is the campaign.
- ``strike_off_evidence``: a member's yearly ratings «not completed» among the last years, for
  the ground «hai năm liền vi phạm tư cách đảng viên», linked to the member's ratings page.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date

from django.db.models import Count, Q

from dangbo.core import paths
from dangbo.members.hooks import EvidenceLink, StrikeOffEvidence
from dangbo.members.models import ACTIVE_STATUSES, Member
from dangbo.members.selectors.todo import DueItem
from dangbo.orgs.models import Org
from dangbo.ratings.models import MemberRating, Period, ReviewCampaign
from dangbo.rules import ratings as rules
from dangbo.rules.exits import StrikeOffGround
from dangbo.rules.ratings import Band

REVIEW_KIND = "strike_off_review"
REVIEW_TITLE = "Chi bộ xem xét xóa tên: hai năm liền xếp loại không hoàn thành nhiệm vụ"
RATINGS_PAGE = "ratings:member_ratings"


def _failed_years(rows) -> dict:
    """member id → {year: decided band}, of yearly ratings."""
    found: dict = defaultdict(dict)
    for member_id, year, band in rows:
        found[member_id][year] = band
    return found


def _failed(org, *, as_of: date):
    """Yearly ratings «not completed» decided by ``as_of`` in ``org``'s subtree, of active
    members, in the years a review listed on ``as_of`` can name."""
    need = rules.FAILED_YEARS_REVIEW.value(as_of)
    first_year = as_of.year - need
    return MemberRating.objects.filter(
        paths.subtree_q(org.path, "member__org_path"),
        member__status__in=list(ACTIVE_STATUSES),
        period=Period.YEAR,
        band=Band.FAILED,
        year__gte=first_year,
        decided_on__lte=as_of,
    )


def failed_years_counts(
    actor, org, *, as_of: date, until: date, holidays, branch_len: int
) -> dict[tuple[str, bool, str], int]:
    """``failed_years_items`` counted by one aggregate, by the branch of the member's cell: the
    members «not completed» in each of the rule's number of consecutive years ending last year
    or this year."""
    need = rules.FAILED_YEARS_REVIEW.value(as_of)
    counted = (
        _failed(org, as_of=as_of)
        .order_by()
        .values("member_id", branch=paths.branch("member__org_path", branch_len))
        .annotate(
            last=Count(
                "year", distinct=True, filter=Q(year__gte=as_of.year - need, year__lte=as_of.year - 1)
            ),
            this=Count(
                "year", distinct=True, filter=Q(year__gte=as_of.year - need + 1, year__lte=as_of.year)
            ),
        )
        .filter(Q(last__gte=need) | Q(this__gte=need))
        .values_list("branch", flat=True)
    )
    return {(REVIEW_KIND, False, branch): n for branch, n in Counter(counted).items()}


def failed_years_items(actor, org, *, as_of: date, until: date, holidays) -> list[DueItem]:
    """The striking-off reviews of ``org``'s subtree on ``as_of`` (``due_items`` has checked
    that ``actor`` may read ``org``)."""
    failed = _failed(org, as_of=as_of)
    # without the model's ordering, which DISTINCT would add to the columns (one row per year)
    ids = list(failed.order_by().values_list("member_id", flat=True).distinct())
    items: list[DueItem] = []
    for start in range(0, len(ids), 1000):
        chunk = ids[start : start + 1000]
        years = _failed_years(failed.filter(member_id__in=chunk).values_list("member_id", "year", "band"))
        members = {m.pk: m for m in Member.objects.filter(pk__in=chunk)}
        cells = {m.org_id for m in members.values()}
        orgs = {o.pk: o for o in Org.objects.filter(pk__in=cells)}
        for member_id, by_year in years.items():
            runs = [run for run in rules.failed_runs(by_year, on=as_of) if run[-1] >= as_of.year - 1]
            if not runs:
                continue
            run = runs[-1]
            member = members[member_id]
            decided = (
                MemberRating.objects.filter(member_id=member_id, year=run[-1], period=Period.YEAR)
                .values_list("decided_on", flat=True)
                .first()
            )
            items.append(
                DueItem(
                    kind=REVIEW_KIND,
                    title=REVIEW_TITLE,
                    org=orgs[member.org_id],
                    member=member,
                    due_on=decided or date(run[-1], 12, 31),
                    citation=rules.FAILED_YEARS_REVIEW.at(as_of).ref,
                    overdue=False,
                    review=True,
                    note=(
                        f"xếp loại không hoàn thành nhiệm vụ các năm {', '.join(str(y) for y in run)}; "
                        "quy định không nêu thời hạn xem xét: chi bộ xem xét, đề nghị xóa tên nếu đủ căn cứ"
                    ),
                )
            )
    return items


CELL_STEP_KIND = "rating_cell_step"
DECISION_STEP_KIND = "rating_decision"


def campaign_due_items(actor, org, *, as_of: date, until: date, holidays) -> list[DueItem]:
    """The campaign steps of ``org``'s subtree overdue on ``as_of`` or due by ``until``."""
    items: list[DueItem] = []
    open_rows = MemberRating.objects.filter(
        paths.subtree_q(org.path, "cell__path"), campaign__isnull=False, not_rated="", band=""
    ).filter(campaign__cutoff_on__lte=as_of)
    cell_rows = (
        open_rows.filter(cell_band="", campaign__cell_due_on__lte=until)
        .values_list("campaign_id", "cell_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    decision_rows = (
        open_rows.filter(campaign__decision_due_on__lte=until)
        .values_list("campaign_id", "grassroots_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    cells, grassroots = list(cell_rows), list(decision_rows)
    if not cells and not grassroots:
        return []
    campaigns = {
        c.pk: c for c in ReviewCampaign.objects.filter(pk__in={c for c, _, _ in [*cells, *grassroots]})
    }
    orgs = {o.pk: o for o in Org.objects.filter(pk__in={o for _, o, _ in [*cells, *grassroots]})}
    for campaign_id, cell_id, n in cells:
        campaign = campaigns[campaign_id]
        items.append(
            DueItem(
                kind=CELL_STEP_KIND,
                title=f"Chi bộ đánh giá, đề xuất xếp loại chất lượng đảng viên ({campaign})",
                org=orgs[cell_id],
                member=None,
                due_on=campaign.cell_due_on,
                citation=f"Kế hoạch đợt kiểm điểm, đánh giá, xếp loại {campaign} của {campaign.org.name}",
                overdue=campaign.cell_due_on < as_of,
                note=f"còn {n} đảng viên chi bộ chưa đánh giá, đề xuất mức xếp loại",
            )
        )
    for campaign_id, grassroots_id, n in grassroots:
        campaign = campaigns[campaign_id]
        items.append(
            DueItem(
                kind=DECISION_STEP_KIND,
                title=f"Cấp ủy cơ sở quyết định xếp loại chất lượng đảng viên ({campaign})",
                org=orgs[grassroots_id],
                member=None,
                due_on=campaign.decision_due_on,
                citation=f"Kế hoạch đợt kiểm điểm, đánh giá, xếp loại {campaign} của {campaign.org.name}",
                overdue=campaign.decision_due_on < as_of,
                note=f"còn {n} đảng viên chưa có quyết định xếp loại",
            )
        )
    return items


def strike_off_evidence(member, *, on: date) -> list[StrikeOffEvidence]:
    """``member``'s yearly ratings «not completed» decided by ``on`` in the last years."""
    need = rules.FAILED_YEARS_REVIEW.value(on)
    rows = list(
        MemberRating.objects.filter(
            member=member,
            period=Period.YEAR,
            band=Band.FAILED,
            year__gte=on.year - need - 1,
            decided_on__lte=on,
        ).order_by("year")
    )
    if not rows:
        return []
    years = [r.year for r in rows]
    runs = rules.failed_runs({r.year: r.band for r in rows}, on=on)
    summary = (
        f"Xếp loại không hoàn thành nhiệm vụ các năm {', '.join(str(y) for y in years)}"
        + ("" if runs else f"; chưa đủ {need} năm liền")
        + "."
    )
    return [
        StrikeOffEvidence(
            ground=StrikeOffGround.STANDING_VIOLATION_TWO_YEARS,
            summary=summary,
            citation=rules.FAILED_YEARS_REVIEW.at(on).ref,
            data={"source": "ratings", "years": years, "reaches_rule": bool(runs)},
            links=tuple(
                EvidenceLink(
                    f"Năm {r.year}: {r.band_label} (quyết định {r.decision_no}, {r.decided_on:%d/%m/%Y})",
                    RATINGS_PAGE,
                    (("member_id", str(member.pk)),),
                )
                for r in rows
            ),
        )
    ]
