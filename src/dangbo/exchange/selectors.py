"""Scoped reads of the exchange: the reports received and the keys registered, narrowed to
the organizations the acting user reads (a report is seen where its organization is)."""

from __future__ import annotations

from functools import reduce
from operator import or_

from django.db.models import QuerySet

from dangbo.core import paths
from dangbo.core.violations import NotInScope
from dangbo.exchange.models import ExchangePeer, SubmittedReport
from dangbo.orgs.models import Org


def submitted_list(*, actor, org: Org | None = None) -> QuerySet[SubmittedReport]:
    reports = SubmittedReport.objects.filter(actor.orgs_q("org__path")).select_related("org", "received_by")
    if org is not None:
        reports = reports.filter(paths.subtree_q(org.path, "org__path"))
    return reports.order_by("-as_of", "org__path", "-received_at")


def submitted_get(*, actor, report_id) -> SubmittedReport:
    report = (
        SubmittedReport.objects.select_related("org", "producer", "received_by").filter(pk=report_id).first()
    )
    if report is None or not actor.can_read_path(report.org.path):
        raise NotInScope(report_id)
    return report


def submitted_by_package(*, actor, package_id) -> SubmittedReport:
    report = SubmittedReport.objects.select_related("org").filter(package_id=package_id).first()
    if report is None or not actor.can_read_path(report.org.path):
        raise NotInScope(package_id)
    return report


def peers_list(*, actor) -> QuerySet[ExchangePeer]:
    """The keys of organizations where the user manages accounts (administrators: all)."""
    peers = ExchangePeer.objects.select_related("org", "added_by", "revoked_by")
    if actor.is_admin:
        return peers
    if not actor.grant_paths:
        return peers.none()
    return peers.filter(reduce(or_, (paths.subtree_q(root, "org__path") for root in actor.grant_paths)))


def may_manage_keys(*, actor, org: Org) -> bool:
    """Administrators, and officers of a level above ``org`` (an office does not vouch for its
    own key: the level that receives its reports does)."""
    if actor.is_admin:
        return True
    parent = org.parent
    return parent is not None and actor.can_grant_path(parent.path)


def peer_get(*, actor, peer_id) -> ExchangePeer:
    peer = ExchangePeer.objects.select_related("org", "org__parent").filter(pk=peer_id).first()
    if peer is None or not may_manage_keys(actor=actor, org=peer.org):
        raise NotInScope(peer_id)
    return peer
