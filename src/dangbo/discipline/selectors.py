"""Reads of disciplinary cases. The pages and the API reach a member's cases through a member
record already read in scope (``members.selectors.profile.member_for_edit``), which audits it."""

from __future__ import annotations

from django.db.models import QuerySet

from dangbo.discipline.models import DisciplineCase


def open_case(member) -> DisciplineCase | None:
    """The member's case under consideration, if any (one at a time)."""
    return DisciplineCase.objects.filter(member=member, state=DisciplineCase.State.OPEN).first()


def has_open_case(member) -> bool:
    """Whether a case against the member is under consideration: it bars resignation
    (RULES.md §2.6), which ``members`` asks through ``members.hooks.discipline_pending``."""
    return DisciplineCase.objects.filter(member=member, state=DisciplineCase.State.OPEN).exists()


def member_cases(member) -> QuerySet[DisciplineCase]:
    """Every case of the member, the latest first."""
    return DisciplineCase.objects.filter(member=member).order_by("-opened_on", "-created_at")
