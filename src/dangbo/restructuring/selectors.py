"""Reads for restructuring: what a split hands out, who may restructure, the plans and their reports (scoped)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Q

from dangbo.core.text import fold
from dangbo.members.models import ACTIVE_STATUSES, Member
from dangbo.orgs.models import Locality, Org
from dangbo.orgs.selectors import NotInScope
from dangbo.restructuring.models import RestructurePlan
from dangbo.restructuring.plans import PlanError, read_plan_bytes


def may_restructure(*, actor) -> bool:
    """Whether the actor reshapes organizations anywhere (the plan page is theirs):
    administrators and officers (``Scope.can_organize_path``), not cell secretaries."""
    return actor.organizes


@dataclass(frozen=True)
class SplitItems:
    """What a split hands out: the organization's own members, its hamlets (as commune or as
    cell) and its sub-organizations, each live."""

    members: list
    hamlets: list
    children: list


def org_split_items(*, actor, org: Org) -> SplitItems:
    if not actor.can_organize_path(org.path):
        raise NotInScope(org.pk)
    return SplitItems(
        members=list(Member.objects.filter(org=org, status__in=ACTIVE_STATUSES).order_by("sort_key", "id")),
        hamlets=list(
            Locality.objects.filter(Q(commune=org) | Q(cell=org), dissolved_on__isnull=True).order_by("name")
        ),
        children=list(Org.objects.filter(parent=org, dissolved_on__isnull=True).order_by("sort_key", "path")),
    )


def _operation(text: str) -> str:
    return "_".join(fold(text).replace("-", " ").split())


def plan_codes_outside_scope(*, actor, rows) -> list[str]:
    """The organization codes a plan names (``ma_to_chuc``, ``ma_dich``) that the actor may
    not change, in the order the plan names them; empty when the actor may run the whole plan.
    A code the plan itself establishes (``thanh_lap``) and that does not exist yet is the
    actor's when the parent it is established under is."""
    named = list(dict.fromkeys(code for row in rows for code in (row["ma_to_chuc"], row["ma_dich"]) if code))
    if actor.is_admin:
        return []
    established = {row["ma_to_chuc"] for row in rows if _operation(row["thao_tac"]) == "thanh_lap"}
    existing = dict(Org.objects.filter(code__in=named).values_list("code", "path"))
    return [
        code
        for code in named
        if not (actor.can_organize_path(existing[code]) if code in existing else code in established)
    ]


def restructure_plans_of(*, actor, limit: int = 20):
    """The plans the actor uploaded, newest first."""
    if actor.user_id is None:
        return RestructurePlan.objects.none()
    return RestructurePlan.objects.filter(uploaded_by_id=actor.user_id).defer("content")[:limit]


def restructure_plan_get(*, actor, plan_id):
    """A stored plan, if the actor may change every organization it names (read afresh from
    the stored bytes: the scope is the actor's today, not the uploader's then)."""
    try:
        plan = RestructurePlan.objects.select_related("uploaded_by", "applied_by").get(pk=plan_id)
    except (RestructurePlan.DoesNotExist, ValueError, TypeError, ValidationError):
        raise NotInScope(plan_id) from None
    if not may_restructure(actor=actor):
        raise NotInScope(plan_id)
    try:
        rows = read_plan_bytes(bytes(plan.content), plan.file_name)
    except PlanError:
        rows = []
    if not rows and not actor.is_admin and plan.uploaded_by_id != actor.user_id:
        raise NotInScope(plan_id)
    if plan_codes_outside_scope(actor=actor, rows=rows):
        raise NotInScope(plan_id)
    return plan


def plan_report_for(*, actor, report: dict) -> dict:
    """A stored plan report as the actor may read it. The checks of the whole result
    (``orgs.plans``) report only what the plan added, so they name organizations it touched;
    a name outside the actor's scope (a report stored before that, or a scope narrowed since)
    is still never shown."""
    problems = report.get("problems", [])
    names = {name for problem in problems for name in _QUOTED.findall(problem.get("message", ""))}
    if actor.is_admin or not names:
        return report
    found: dict[str, bool] = {}
    for name, path in Org.objects.filter(name__in=names).values_list("name", "path"):
        found[name] = found.get(name, False) or actor.can_read_path(path)
    hidden = {name for name, readable in found.items() if not readable}
    if not hidden:
        return report
    shown = [
        dict(problem, message=HIDDEN_PROBLEM, citation=problem.get("citation", ""))
        if hidden & set(_QUOTED.findall(problem.get("message", "")))
        else problem
        for problem in problems
    ]
    return dict(report, problems=shown)


_QUOTED = re.compile(r"«([^»]+)»")


HIDDEN_PROBLEM = (
    "Một tổ chức ngoài phạm vi của anh/chị không đạt kiểm tra chung sau sắp xếp; "
    "đề nghị cấp ủy cấp trên hoặc quản trị hệ thống xem."
)
