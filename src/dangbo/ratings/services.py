"""The review campaign and its steps (RULES.md §4), each one transaction, audited:

- ``campaign_open``: the list of members and organizations reviewed, fixed on the cut-off date;
- ``member_self_assess`` (the member, or whoever writes for their cell), ``member_cell_assess``
  (the cell: its assessment and proposed band);
- ``member_ratings_decide`` (the grassroots committee: one member or many at once, all or
  nothing, with the cap on «excellent» checked on the grassroots organization's decided ratings
  with these counted), ``member_rating_correct`` (a new dated decision, never an edit);
- ``org_self_assess`` and ``org_rating_decide`` (the direct superior's standing committee);
- ``legacy_rating_record``: a year before 2018 in its old level.

A member's decision is also a ``rated`` event in their ledger (DESIGN decision 1). Being
disciplined in the year is read from the ledger and added to the disqualifiers whatever the
form says; an organization's committee member disciplined in the year, likewise.
The lists and the decided bands are counted in the pre-aggregated tallies, which each change
tells through ``core.projections`` (``rating_counts`` before it, ``ratings_changed`` after it)
in its transaction.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.db.models import Q

from dangbo.audit.services import Action, audit_record
from dangbo.core import clock, paths, projections, text
from dangbo.core.roles import COMMITTEE_ROLES
from dangbo.core.violations import NotInScope, input_violation
from dangbo.members.models import Member, MemberEvent, Position
from dangbo.members.services import append_event
from dangbo.orgs.models import Org
from dangbo.ratings import roster
from dangbo.ratings.models import (
    MemberRating,
    OrgRating,
    Period,
    RatingDecision,
    RatingSetting,
    ReviewCampaign,
)
from dangbo.ratings.settings import RatingRules
from dangbo.rules import ratings as rules
from dangbo.rules.base import Violation, refuse_if
from dangbo.rules.ratings import Band, Disqualifier, LegacyLevel, MemberForm

Kind = MemberEvent.Kind
DISCIPLINE_KINDS = (Kind.DISCIPLINED, Kind.EXPELLED)
NOTE_MAX = 500


def _year_range(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


def _audit(subject_type: str, subject_id, **data) -> None:
    audit_record(action=Action.CREATED, subject_type=subject_type, subject_id=str(subject_id), data=data)


# --- the campaign ---------------------------------------------------------------------------


@dataclass
class CampaignRequest:
    year: int
    cutoff_on: date
    self_due_on: date
    cell_due_on: date
    decision_due_on: date
    period: str = Period.YEAR


def campaign_violations(org: Org, request: CampaignRequest) -> list[Violation]:
    violations: list[Violation] = []
    today = clock.today()
    if request.period not in Period.values:
        violations.append(input_violation("period", "Chọn kỳ đánh giá."))
    if not rules.FIRST_BANDED_YEAR <= request.year <= today.year:
        violations.append(
            input_violation(
                "year",
                f"Năm đánh giá từ {rules.FIRST_BANDED_YEAR} đến {today.year} "
                "(các năm trước 2018 ghi mức xếp loại cũ của từng người).",
            )
        )
    elif request.cutoff_on.year != request.year and not (
        request.cutoff_on.year == request.year + 1 and request.cutoff_on.month == 1
    ):
        violations.append(input_violation("cutoff_on", f"Ngày chốt danh sách phải thuộc năm {request.year}."))
    if request.cutoff_on > today:
        violations.append(input_violation("cutoff_on", "Ngày chốt danh sách không thể sau hôm nay."))
    if not request.cutoff_on <= request.self_due_on <= request.cell_due_on <= request.decision_due_on:
        violations.append(
            input_violation(
                "self_due_on",
                "Các hạn phải theo thứ tự: chốt danh sách, tự đánh giá, chi bộ đánh giá, quyết định xếp loại.",
            )
        )
    overlapping = ReviewCampaign.objects.filter(year=request.year, period=request.period).select_related(
        "org"
    )
    for other in overlapping:
        if other.org.path.startswith(org.path) or org.path.startswith(other.org.path):
            violations.append(
                input_violation(
                    None,
                    f"Đã có đợt đánh giá {other} của {other.org.name}: mỗi đảng viên chỉ được đánh giá một lần trong kỳ.",
                )
            )
            break
    return violations


def campaign_open(*, actor, org: Org, request: CampaignRequest, progress=None) -> ReviewCampaign:
    """Open the review of ``request.year`` for ``org``'s subtree: every member counted in a cell
    there on the cut-off date is listed (with why, for those not rated), and every cell and
    grassroots organization standing. One transaction; ``progress(done, total)`` per batch."""
    if not actor.can_write_path(org.path):
        raise NotInScope(org.pk)
    refuse_if(campaign_violations(org, request))
    day = request.cutoff_on
    with transaction.atomic():
        campaign = ReviewCampaign.objects.create(
            org=org,
            year=request.year,
            period=request.period,
            cutoff_on=day,
            self_due_on=request.self_due_on,
            cell_due_on=request.cell_due_on,
            decision_due_on=request.decision_due_on,
            rule_version=rules.SCALE.at(rules.year_day(request.year)).ref,
            opened_by_id=actor.user_id,
        )
        counted = projections.tallies().rating_counts(campaign=campaign.pk)  # the counts follow the lists
        taken = set(
            MemberRating.objects.filter(year=request.year, period=request.period).values_list(
                "member_id", flat=True
            )
        )
        listed = 0
        for batch in roster.members_listed(org, day):
            MemberRating.objects.bulk_create(
                [
                    MemberRating(
                        campaign=campaign,
                        member_id=row.member_id,
                        year=request.year,
                        period=request.period,
                        cell_id=row.cell_id,
                        grassroots_id=row.grassroots_id,
                        form=row.form,
                        not_rated=row.not_rated,
                    )
                    for row in batch
                    if row.member_id not in taken
                ],
                batch_size=1000,
            )
            listed += len(batch)
            if progress is not None:
                progress(listed, None)
        orgs_taken = set(
            OrgRating.objects.filter(year=request.year, period=request.period).values_list(
                "org_id", flat=True
            )
        )
        OrgRating.objects.bulk_create(
            [
                OrgRating(
                    campaign=campaign,
                    org_id=o.org_id,
                    year=request.year,
                    period=request.period,
                    authority_id=o.authority_id,
                )
                for o in roster.orgs_listed(org, day)
                if o.org_id not in orgs_taken
            ],
            batch_size=1000,
        )
        projections.tallies().ratings_changed(counted)
        campaign.members = MemberRating.objects.filter(campaign=campaign).count()
        campaign.save(update_fields=["members"])
        _audit(
            "review_campaign",
            campaign.pk,
            org=org.code,
            year=request.year,
            period=request.period,
            members=campaign.members,
        )
    return campaign


# --- a member's steps -------------------------------------------------------------------------


def _lock(rating: MemberRating) -> MemberRating:
    return (
        MemberRating.objects.select_for_update()
        .select_related("member", "cell", "grassroots")
        .get(pk=rating.pk)
    )


def _score_violations(score: int | None, name: str = "score") -> list[Violation]:
    if score is not None and not 0 <= score <= 100:
        return [input_violation(name, "Điểm đánh giá phải từ 0 đến 100.")]
    return []


def _open_for_steps(rating: MemberRating) -> list[Violation]:
    if rating.not_rated:
        return [input_violation(None, f"Đảng viên không xếp loại kỳ này: {rating.get_not_rated_display()}.")]
    if rating.decided:
        return [
            input_violation(
                None,
                "Cấp ủy đã quyết định xếp loại: không sửa các bước trước; điều chỉnh bằng một quyết định mới.",
            )
        ]
    return []


def disciplined_in_year(member_ids: Iterable, year: int) -> set:
    """The members with a disciplinary decision taking effect in ``year`` (their ledger)."""
    first, last = _year_range(year)
    return set(
        MemberEvent.objects.filter(
            member_id__in=list(member_ids),
            kind__in=DISCIPLINE_KINDS,
            effective_on__gte=first,
            effective_on__lte=last,
        ).values_list("member_id", flat=True)
    )


def _applying(year: int) -> frozenset:
    """The member disqualifiers in force for ``year`` (the rule's, or the committee's setting)."""
    return RatingRules().member_disqualifiers(year).value


def _with_ledger(disqualifiers: Iterable[str], disciplined: bool) -> list[str]:
    found = [d for d in Disqualifier.MEMBER if d in set(disqualifiers)]
    if disciplined and Disqualifier.DISCIPLINED not in found:
        found.insert(0, Disqualifier.DISCIPLINED)
    return found


@transaction.atomic
def member_self_assess(
    *,
    actor,
    rating: MemberRating,
    form: str,
    score: int | None,
    band: str,
    note: str = "",
    on: date | None = None,
) -> MemberRating:
    """The member's self-assessment on their form (by the member, or for them by their cell)."""
    rating = _lock(rating)
    own = actor.own_member_id is not None and actor.own_member_id == rating.member_id
    if not (own or actor.can_write_path(rating.cell.path)):
        raise NotInScope(rating.pk)
    on = on or clock.today()
    note = text.clean(note or "")
    violations = _open_for_steps(rating) + _score_violations(score)
    if form not in MemberForm.LABELS:
        violations.append(input_violation("form", "Chọn mẫu bản tự kiểm điểm (2A, 2B hoặc 2C)."))
    if len(note) > NOTE_MAX:
        violations.append(input_violation("note", f"Ghi chú tối đa {NOTE_MAX} ký tự."))
    if on > clock.today():
        violations.append(input_violation("on", "Ngày tự đánh giá không thể sau hôm nay."))
    if not violations:
        violations += rules.check_band(year=rating.year, band=band, score=score, field="band")
    refuse_if(violations)
    rating.form, rating.self_score, rating.self_band, rating.self_note = form, score, band, note
    rating.self_on, rating.self_by_id = on, actor.user_id
    rating.save(update_fields=["form", "self_score", "self_band", "self_note", "self_on", "self_by"])
    _audit("member_rating", rating.pk, step="self", member=str(rating.member_id), band=band, score=score)
    return rating


@transaction.atomic
def member_cell_assess(
    *,
    actor,
    rating: MemberRating,
    score: int | None,
    band: str,
    disqualifiers: Iterable[str] = (),
    note: str = "",
    on: date | None = None,
) -> MemberRating:
    """The cell's assessment of the member and the band it proposes (the cell's committee or
    secretary, or anyone writing above)."""
    rating = _lock(rating)
    if not actor.can_write_path(rating.cell.path):
        raise NotInScope(rating.pk)
    on = on or clock.today()
    note = text.clean(note or "")
    found = _with_ledger(
        disqualifiers, rating.member_id in disciplined_in_year([rating.member_id], rating.year)
    )
    violations = _open_for_steps(rating) + _score_violations(score)
    if len(note) > NOTE_MAX:
        violations.append(input_violation("note", f"Nhận xét tối đa {NOTE_MAX} ký tự."))
    if on > clock.today():
        violations.append(input_violation("on", "Ngày chi bộ đánh giá không thể sau hôm nay."))
    if not violations:
        violations += rules.check_band(
            year=rating.year, band=band, score=score, disqualifiers=found, applying=_applying(rating.year)
        )
    refuse_if(violations)
    rating.cell_score, rating.cell_band, rating.cell_disqualifiers, rating.cell_note = (
        score,
        band,
        found,
        note,
    )
    rating.cell_on, rating.cell_by_id = on, actor.user_id
    rating.save(
        update_fields=["cell_score", "cell_band", "cell_disqualifiers", "cell_note", "cell_on", "cell_by"]
    )
    _audit("member_rating", rating.pk, step="cell", member=str(rating.member_id), band=band, score=score)
    return rating


@dataclass
class Verdict:
    """One member's band as the committee decides it (by default the cell's proposal)."""

    rating: MemberRating
    band: str = ""
    score: int | None = None
    disqualifiers: list[str] = field(default_factory=list)


def _cap_violations(grassroots: Org, year: int, period: str, changes: dict) -> list[Violation]:
    """The cap on «excellent» in ``grassroots`` with ``changes`` (rating id → band) applied to the
    bands decided so far."""
    decided = dict(
        MemberRating.objects.filter(grassroots=grassroots, year=year, period=period)
        .exclude(band="")
        .values_list("pk", "band")
    )
    decided.update(changes)
    counts = Counter(decided.values())
    cap = RatingRules().cap(year)
    return rules.check_excellent_cap(
        year=year,
        excellent=counts[Band.EXCELLENT],
        good=counts[Band.GOOD],
        org_label=grassroots.name,
        percent=cap.value,
        citation=cap.citation,
    )


def _record(
    rating: MemberRating | OrgRating,
    *,
    actor,
    decision_no: str,
    decided_on: date,
    authority_id,
    band: str = "",
    score: int | None = None,
    legacy_level: str = "",
    disqualifiers=(),
    corrects: RatingDecision | None = None,
    reason: str = "",
) -> RatingDecision:
    """Write a decision (never changed afterwards) and keep its outcome on the rating, a member's
    or an organization's; a band is judged by the scale of its year (an old level by none)."""
    version = rules.SCALE.at(rules.year_day(rating.year)).ref if band else ""
    subject: dict[str, MemberRating | OrgRating] = (
        {"member_rating": rating} if isinstance(rating, MemberRating) else {"org_rating": rating}
    )
    decision = RatingDecision.objects.create(
        **subject,
        score=score,
        band=band,
        legacy_level=legacy_level,
        disqualifiers=list(disqualifiers),
        decision_no=decision_no,
        decided_on=decided_on,
        authority_id=authority_id,
        corrects=corrects,
        reason=reason,
        rule_version=version,
        recorded_by_id=actor.user_id,
    )
    rating.band, rating.score, rating.legacy_level = band, score, legacy_level
    rating.disqualifiers, rating.decided_on = list(disqualifiers), decided_on
    rating.decision_no, rating.rule_version = decision_no, version
    rating.save(
        update_fields=[
            "band",
            "score",
            "legacy_level",
            "disqualifiers",
            "decided_on",
            "decision_no",
            "rule_version",
        ]
    )
    return decision


def _rated_event(rating: MemberRating, decision: RatingDecision, *, actor) -> None:
    """The decision in the member's ledger: a ``rated`` event, which changes no state."""
    member = Member.objects.select_for_update().get(pk=rating.member_id)
    data = {"year": rating.year, "period": rating.period}
    if decision.legacy_level:
        data["legacy_level"] = decision.legacy_level
    else:
        data.update(band=decision.band, score=decision.score)
    if decision.corrects_id:
        data.update(corrects=str(decision.corrects_id), reason=decision.reason)
    append_event(
        member,
        MemberEvent(
            member=member,
            kind=Kind.RATED,
            effective_on=decision.decided_on,
            decision_no=decision.decision_no,
            decision_on=decision.decided_on,
            authority_org_id=decision.authority_id,
            recorded_by_id=actor.user_id,
            rule_version=decision.rule_version,
            data=data,
        ),
    )


def _decide(
    rating: MemberRating,
    verdict: Verdict,
    *,
    decision_no: str,
    decided_on: date,
    actor,
    corrects=None,
    reason="",
) -> RatingDecision:
    decision = _record(
        rating,
        actor=actor,
        decision_no=decision_no,
        decided_on=decided_on,
        authority_id=rating.grassroots_id,
        band=verdict.band,
        score=verdict.score,
        disqualifiers=verdict.disqualifiers,
        corrects=corrects,
        reason=reason,
    )
    _rated_event(rating, decision, actor=actor)
    return decision


def _decision_violations(decision_no: str, decided_on: date, year: int) -> list[Violation]:
    violations = []
    if not decision_no:
        violations.append(
            input_violation("decision_no", "Ghi số quyết định (hoặc số thông báo kết quả) xếp loại.")
        )
    if decided_on > clock.today():
        violations.append(input_violation("decided_on", "Ngày quyết định không thể sau hôm nay."))
    if decided_on.year < year:
        violations.append(input_violation("decided_on", f"Ngày quyết định phải từ năm {year} trở đi."))
    return violations


@transaction.atomic
def member_ratings_decide(
    *, actor, grassroots: Org, verdicts: list[Verdict], decision_no: str, decided_on: date
) -> list[RatingDecision]:
    """The grassroots committee rates ``verdicts``' members (a verdict without a band takes the
    cell's proposal): all or none, each band checked against its score and disqualifiers (being
    disciplined in the year among them), the cap on «excellent» against the organization's
    ratings with these counted."""
    if not actor.can_write_path(grassroots.path):
        raise NotInScope(grassroots.pk)
    decision_no = text.clean(decision_no or "")[:60]
    if not verdicts:
        refuse_if([input_violation(None, "Chọn đảng viên để quyết định xếp loại.")])
    ratings = {
        r.pk: r
        for r in MemberRating.objects.select_for_update()
        .select_related("member", "grassroots")
        .filter(pk__in=[v.rating.pk for v in verdicts])
    }
    disciplined = disciplined_in_year([r.member_id for r in ratings.values()], verdicts[0].rating.year)
    violations: list[Violation] = []
    resolved: list[tuple[MemberRating, Verdict]] = []
    for verdict in verdicts:
        rating = ratings[verdict.rating.pk]
        name = rating.member.full_name
        if rating.grassroots_id != grassroots.pk:
            raise NotInScope(rating.pk)
        if rating.not_rated:
            violations.append(
                input_violation(None, f"{name}: không xếp loại kỳ này ({rating.get_not_rated_display()}).")
            )
            continue
        if rating.decided:
            violations.append(
                input_violation(None, f"{name}: đã có quyết định xếp loại; điều chỉnh bằng quyết định mới.")
            )
            continue
        band = verdict.band or rating.cell_band
        score = verdict.score if verdict.band else rating.cell_score
        found = _with_ledger(
            verdict.disqualifiers or rating.cell_disqualifiers, rating.member_id in disciplined
        )
        if not band:
            violations.append(input_violation(None, f"{name}: chi bộ chưa đề xuất mức xếp loại."))
            continue
        applying = _applying(rating.year)
        for v in rules.check_band(
            year=rating.year, band=band, score=score, disqualifiers=found, applying=applying
        ):
            violations.append(Violation(v.rule, f"{name}: {v.message}", v.citation, field=v.field))
        resolved.append((rating, Verdict(rating, band, score, found)))
    violations += _decision_violations(decision_no, decided_on, verdicts[0].rating.year)
    if not violations:
        first = resolved[0][0]
        violations += _cap_violations(
            grassroots, first.year, first.period, {r.pk: v.band for r, v in resolved}
        )
    refuse_if(violations)
    counted = projections.tallies().rating_counts(member_ratings=[r.pk for r, _ in resolved])
    decisions = [
        _decide(r, v, decision_no=decision_no, decided_on=decided_on, actor=actor) for r, v in resolved
    ]
    projections.tallies().ratings_changed(counted)
    return decisions


@transaction.atomic
def member_rating_correct(
    *,
    actor,
    rating: MemberRating,
    band: str,
    score: int | None,
    disqualifiers: Iterable[str] = (),
    decision_no: str,
    decided_on: date,
    reason: str,
) -> RatingDecision:
    """Correct a decided rating by a new dated decision (the first stays on record)."""
    rating = _lock(rating)
    if not actor.can_write_path(rating.grassroots.path):
        raise NotInScope(rating.pk)
    decision_no, reason = text.clean(decision_no or "")[:60], text.clean(reason or "")
    last = rating.decisions.order_by("-decided_on", "-recorded_at").first()
    violations: list[Violation] = []
    if last is None:
        violations.append(input_violation(None, "Chưa có quyết định xếp loại để điều chỉnh."))
    if not reason:
        violations.append(input_violation("reason", "Ghi lý do điều chỉnh."))
    violations += _decision_violations(decision_no, decided_on, rating.year)
    if last is not None and decided_on < last.decided_on:
        violations.append(
            input_violation("decided_on", "Quyết định điều chỉnh không thể trước quyết định đã có.")
        )
    found = _with_ledger(
        disqualifiers, rating.member_id in disciplined_in_year([rating.member_id], rating.year)
    )
    violations += rules.check_band(
        year=rating.year, band=band, score=score, disqualifiers=found, applying=_applying(rating.year)
    )
    if not violations and band == Band.EXCELLENT:
        violations += _cap_violations(rating.grassroots, rating.year, rating.period, {rating.pk: band})
    refuse_if(violations)
    counted = projections.tallies().rating_counts(member_ratings=[rating.pk])
    decision = _decide(
        rating,
        Verdict(rating, band, score, found),
        decision_no=decision_no,
        decided_on=decided_on,
        actor=actor,
        corrects=last,
        reason=reason,
    )
    projections.tallies().ratings_changed(counted)
    return decision


# --- organizations ------------------------------------------------------------------------------


def leader_disciplined(org: Org, year: int) -> bool:
    """Did a member of ``org``'s committee in ``year`` have a disciplinary decision that year?"""
    first, last = _year_range(year)
    holders = Position.objects.filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=first),
        org=org,
        role__in=list(COMMITTEE_ROLES),
        started_on__lte=last,
    ).values_list("member_id", flat=True)
    return bool(disciplined_in_year(holders, year))


def _org_disqualifiers(org: Org, year: int, given: Iterable[str]) -> list[str]:
    found = [d for d in Disqualifier.ORG if d in set(given)]
    if leader_disciplined(org, year) and Disqualifier.LEADER_DISCIPLINED not in found:
        found.append(Disqualifier.LEADER_DISCIPLINED)
    return found


@transaction.atomic
def org_self_assess(
    *, actor, rating: OrgRating, score: int | None, band: str, note: str = "", on: date | None = None
) -> OrgRating:
    """The organization's own assessment (its committee, or the cell's secretary)."""
    rating = OrgRating.objects.select_for_update().select_related("org").get(pk=rating.pk)
    if not actor.can_write_path(rating.org.path):
        raise NotInScope(rating.pk)
    on = on or clock.today()
    note = text.clean(note or "")
    violations = _score_violations(score)
    if rating.decided:
        violations.append(
            input_violation(None, "Cấp trên đã quyết định xếp loại: điều chỉnh bằng quyết định mới.")
        )
    if len(note) > NOTE_MAX:
        violations.append(input_violation("note", f"Ghi chú tối đa {NOTE_MAX} ký tự."))
    if not violations:
        violations += rules.check_band(year=rating.year, band=band, score=score, org=True)
    refuse_if(violations)
    rating.self_score, rating.self_band, rating.self_note, rating.self_on, rating.self_by_id = (
        score,
        band,
        note,
        on,
        actor.user_id,
    )
    rating.save(update_fields=["self_score", "self_band", "self_note", "self_on", "self_by"])
    _audit("org_rating", rating.pk, step="self", org=rating.org.code, band=band, score=score)
    return rating


@transaction.atomic
def org_rating_decide(
    *,
    actor,
    rating: OrgRating,
    band: str,
    score: int | None,
    disqualifiers: Iterable[str] = (),
    decision_no: str,
    decided_on: date,
    reason: str = "",
) -> RatingDecision:
    """The direct superior's standing committee rates the organization; a second call corrects
    the first by a new dated decision (``reason`` required)."""
    rating = OrgRating.objects.select_for_update().select_related("org", "authority").get(pk=rating.pk)
    if not actor.can_write_path(rating.authority.path):
        raise NotInScope(rating.pk)
    decision_no, reason = text.clean(decision_no or "")[:60], text.clean(reason or "")
    last = rating.decisions.order_by("-decided_on", "-recorded_at").first()
    found = _org_disqualifiers(rating.org, rating.year, disqualifiers)
    violations = _decision_violations(decision_no, decided_on, rating.year)
    if last is not None and not reason:
        violations.append(input_violation("reason", "Đã có quyết định xếp loại: ghi lý do điều chỉnh."))
    violations += rules.check_band(year=rating.year, band=band, score=score, disqualifiers=found, org=True)
    refuse_if(violations)
    counted = projections.tallies().rating_counts(org_ratings=[rating.pk])
    decision = _record(
        rating,
        actor=actor,
        decision_no=decision_no,
        decided_on=decided_on,
        authority_id=rating.authority_id,
        band=band,
        score=score,
        disqualifiers=found,
        corrects=last,
        reason=reason,
    )
    projections.tallies().ratings_changed(counted)
    _audit(
        "org_rating",
        rating.pk,
        step="band_decided",
        org=rating.org.code,
        band=band,
        score=score,
        decision=decision_no,
    )
    return decision


# --- years before 2018 ----------------------------------------------------------------------------


@transaction.atomic
def legacy_rating_record(
    *,
    actor,
    year: int,
    level: str,
    decision_no: str,
    decided_on: date,
    member: Member | None = None,
    org: Org | None = None,
) -> RatingDecision:
    """Record a member's or an organization's rating of a year before 2018 in its old level."""
    violations: list[Violation] = []
    decision_no = text.clean(decision_no or "")[:60]
    if year >= rules.FIRST_BANDED_YEAR or year < rules.FIRST_RECORDED_YEAR:
        violations.append(input_violation("year", "Mức xếp loại cũ chỉ ghi cho các năm trước 2018."))
    levels = LegacyLevel.MEMBER if member is not None else LegacyLevel.ORG
    if level not in levels:
        violations.append(input_violation("level", "Chọn mức xếp loại của năm đó."))
    violations += _decision_violations(decision_no, decided_on, year)
    if member is not None:
        member = Member.objects.select_for_update().get(pk=member.pk)
        if not actor.can_write_member(member):
            raise NotInScope(member.pk)
        placed = (
            MemberEvent.objects.filter(member=member, effective_on__lte=decided_on).exists()
            and member.org_id is not None
        )
        if not placed:
            violations.append(input_violation("decided_on", "Đảng viên chưa vào Đảng vào ngày quyết định."))
        if MemberRating.objects.filter(member=member, year=year, period=Period.YEAR).exists():
            violations.append(input_violation("year", f"Đã ghi xếp loại năm {year} của đảng viên này."))
        refuse_if(violations)
        grassroots = roster.grassroots_of(
            {
                o.path: (o.pk, o.kind)
                for o in Org.objects.filter(
                    path__in=[*paths.ancestor_paths(member.org.path), member.org.path]
                )
            },
            member.org.path,
        )
        rating = MemberRating.objects.create(
            member=member,
            year=year,
            period=Period.YEAR,
            cell=member.org,
            grassroots_id=grassroots or member.org_id,
        )
        decision = _record(
            rating,
            actor=actor,
            decision_no=decision_no,
            decided_on=decided_on,
            authority_id=rating.grassroots_id,
            legacy_level=level,
        )
        _rated_event(rating, decision, actor=actor)
        return decision
    assert org is not None
    if not actor.can_write_path(org.path):
        raise NotInScope(org.pk)
    if OrgRating.objects.filter(org=org, year=year, period=Period.YEAR).exists():
        violations.append(input_violation("year", f"Đã ghi xếp loại năm {year} của tổ chức này."))
    refuse_if(violations)
    org_rating = OrgRating.objects.create(
        org=org, year=year, period=Period.YEAR, authority_id=org.parent_id or org.pk
    )
    return _record(
        org_rating,
        actor=actor,
        decision_no=decision_no,
        decided_on=decided_on,
        authority_id=org_rating.authority_id,
        legacy_level=level,
    )


# --- the committee's own values for what the rule leaves unconfirmed -------------------------

SETTING_RANGES = {
    "excellent_cap": (RatingSetting.NO_CAP, 100),
    "rate_probationary": (0, 1),
    "disqualifier_degraded": (0, 1),
    "disqualifier_tasks_under_half": (0, 1),
    "disqualifier_civil_servant_failed": (0, 1),
}


@transaction.atomic
def rating_setting_record(
    *, actor, code: str, value: int, effective_from: date, source: str
) -> RatingSetting:
    """Record the committee's own dated value for a figure of the rating RULES.md leaves
    UNCONFIRMED (the installation's administrators only: it applies to every review from its
    date; decisions already taken stay as decided)."""
    if not actor.is_admin:
        raise NotInScope(code)
    source = text.clean(source or "")
    violations: list[Violation] = []
    if code not in SETTING_RANGES:
        violations.append(input_violation("code", f"Không có nội dung cấu hình «{code}»."))
    else:
        low, high = SETTING_RANGES[code]
        if not low <= value <= high:
            violations.append(
                input_violation("value", f"{RatingSetting.CODES[code]}: giá trị từ {low} đến {high}.")
            )
    if effective_from.year < rules.FIRST_BANDED_YEAR:
        violations.append(input_violation("effective_from", "Chỉ áp dụng cho các năm từ 2018."))
    if not source:
        violations.append(input_violation("source", "Ghi văn bản làm căn cứ (số, ngày, cơ quan ban hành)."))
    refuse_if(violations)
    setting = RatingSetting.objects.create(
        code=code,
        value=value,
        effective_from=effective_from,
        source=source[:300],
        recorded_by_id=actor.user_id,
    )
    _audit(
        "rating_setting",
        setting.pk,
        code=code,
        value=value,
        effective_from=effective_from.isoformat(),
        source=source,
    )
    return setting
