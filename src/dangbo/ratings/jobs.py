"""Opening a review campaign as a background job: a province's list of half a million members
takes minutes. Registered with ``jobs.registry`` by ``RatingsConfig.ready``; the page that opens
a campaign starts it and shows its progress."""

from __future__ import annotations

from datetime import date

from dangbo.core.formats import format_number
from dangbo.core.violations import NotInScope, RuleViolation, input_violation
from dangbo.jobs.registry import JobKind, JobOutcome, JobRun
from dangbo.orgs.models import Org
from dangbo.ratings.services import CampaignRequest, campaign_open

OPEN_CAMPAIGN_JOB = "ratings.open_campaign"


def campaign_params(org: Org, request: CampaignRequest) -> dict:
    """The job's parameters (JSON) for opening ``request`` on ``org``."""
    return {
        "org": str(org.pk),
        "year": request.year,
        "period": request.period,
        **{
            name: getattr(request, name).isoformat()
            for name in ("cutoff_on", "self_due_on", "cell_due_on", "decision_due_on")
        },
    }


def run_open_campaign(run: JobRun) -> JobOutcome:
    params = run.params
    org = Org.objects.filter(pk=str(params.get("org", ""))).first() if params.get("org") else None
    if org is None:
        raise NotInScope(params.get("org"))
    try:
        request = CampaignRequest(
            year=int(params["year"]),
            period=params.get("period", "year"),
            **{
                name: date.fromisoformat(params[name])
                for name in ("cutoff_on", "self_due_on", "cell_due_on", "decision_due_on")
            },
        )
    except (KeyError, TypeError, ValueError):
        raise RuleViolation([input_violation(None, "Thông tin đợt đánh giá không đầy đủ.")]) from None
    campaign = campaign_open(
        actor=run.actor,
        org=org,
        request=request,
        progress=lambda done, total: run.progress(done, total, "Đang lập danh sách đảng viên"),
    )
    return JobOutcome(
        message=(
            f"Đã mở đợt đánh giá, xếp loại {campaign} của {org.name}: "
            f"{format_number(campaign.members)} đảng viên trong danh sách."
        )
    )


KINDS = (JobKind(OPEN_CAMPAIGN_JOB, "Mở đợt kiểm điểm, đánh giá, xếp loại", run_open_campaign),)
