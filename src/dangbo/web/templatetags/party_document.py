"""Printed pages in the layout of a Party document (Hướng dẫn 36-HD/VPTW).

``{% party_heading org as heading %}`` gives what the print-only partials
``_document_head.html`` (issuing committee | «ĐẢNG CỘNG SẢN VIỆT NAM», place and date, the
title) and ``_document_sign.html`` (the signature block) show: the heading the generated
documents use (``orgs.heading``), dated today. With ``member_sheet=True`` the heading is that
of a member's papers: the grassroots organization above the member's cell. Without an
organization (a list over the user's whole scope) the organization is the user's one subtree
root, or the one root of the tree for an administrator; with none, the left column stays empty.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import template

from dangbo.core import clock
from dangbo.documents.content import date_line
from dangbo.orgs.heading import grassroots_heading, heading
from dangbo.orgs.models import Org

register = template.Library()


@dataclass(frozen=True)
class PrintHeading:
    superior_name: str
    issuer_name: str
    on_behalf: str
    date_line: str  # "Bảo Thắng, ngày 05 tháng 3 năm 2026"


def _scope_org(request) -> Org | None:
    scope = getattr(request, "scope", None)
    if scope is None:
        return None
    if scope.is_admin:
        roots = list(Org.objects.filter(parent__isnull=True)[:2])
        return roots[0] if len(roots) == 1 else None
    if len(scope.read_paths) == 1:
        return Org.objects.filter(path=scope.read_paths[0]).first()
    return None


@register.simple_tag(takes_context=True)
def party_heading(context, org=None, member_sheet=False) -> PrintHeading:
    if org is None:
        org = _scope_org(context.get("request"))
    today = clock.today()
    if org is None:
        return PrintHeading("", "", "T/M CẤP ỦY", date_line("", today))
    head = grassroots_heading(org) if member_sheet else heading(org)
    return PrintHeading(head.superior_name, head.issuer_name, head.on_behalf, date_line(head.place, today))
