"""An organization's subtree over the years and over the last weeks, for the overview page:
members at the end of each year and admissions in it (``member_trends``), and the changes of a
recent period by kind (``recent_changes_of``). Both read the pre-aggregated counts only (a few
rows per day, whatever the subtree's size), for all the overview's organizations at once.

Members at the end of a year are today's count less the net change recorded since then:
increases (admission, readmission, reception from outside, transfers in from outside the
subtree, restorations) less decreases (death, striking off, resignation, expulsion, moving away,
transfers out). It is Mẫu 1-TCTW's identity (opening + increases − decreases = closing) read
backwards, under today's tree: a subtree that moved in since then counts there for the earlier
years too (the statistical forms place organizations the same way).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from uuid import UUID

from dangbo.orgs.models import Org
from dangbo.orgs.selectors import NotInScope
from dangbo.stats.tallies import tally_flows, tally_flows_by_year, tally_read
from dangbo.stats.tallies.keys import FLOW_DECREASES, FLOW_INCREASES, TRANSFER_IN, TRANSFER_OUT

INCREASES = (*FLOW_INCREASES, "restored", TRANSFER_IN)
DECREASES = (*FLOW_DECREASES, TRANSFER_OUT)
CHANGE_LABELS = {
    "admitted": "Kết nạp mới",
    "readmitted": "Kết nạp lại",
    "recognized": "Công nhận chính thức",
    "restored": "Phục hồi đảng tịch",
    "transferred_in": "Tiếp nhận từ nơi khác",
    TRANSFER_IN: "Chuyển đến",
    "died": "Từ trần",
    "struck_off": "Xóa tên",
    "resigned": "Xin ra khỏi Đảng",
    "expelled": "Khai trừ",
    "moved_away": "Chuyển ra ngoài",
    TRANSFER_OUT: "Chuyển đi",
}


@dataclass(frozen=True)
class YearPoint:
    year: int
    members: int  # at the end of the year (today, for the current year)
    admitted: int  # admissions and readmissions in the year


def _net(flows: dict[str, int]) -> int:
    return sum(flows.get(kind, 0) for kind in INCREASES) - sum(flows.get(kind, 0) for kind in DECREASES)


def _readable(actor, orgs: list[Org]) -> None:
    for org in orgs:
        if not actor.can_read_path(org.path):
            raise NotInScope(org.pk)


def member_trends(*, actor, orgs: list[Org], today: date, years: int = 10) -> dict[UUID, list[YearPoint]]:
    """The last ``years`` years (the current one included), oldest first, of each of ``orgs``
    (org id → points): their totals in one read and their flows by year in one grouped query,
    however many organizations (the overview of a national officer has 34 panels)."""
    _readable(actor, orgs)
    ids = [org.pk for org in orgs]
    totals = tally_read(ids, ["total"])
    first = today.year - years + 1
    flows = tally_flows_by_year(ids, first, today)
    trends = {}
    for org_id in ids:
        by_year = flows.get(org_id, {})
        points = []
        members = totals.get(org_id, {}).get("total", {}).get("", 0)
        for year in range(today.year, first - 1, -1):  # backwards from today
            year_flows = by_year.get(year, {})
            admitted = year_flows.get("admitted", 0) + year_flows.get("readmitted", 0)
            points.append(YearPoint(year, members, admitted))
            members -= _net(year_flows)
        trends[org_id] = points[::-1]
    return trends


def member_trend(*, actor, org: Org, today: date, years: int = 10) -> list[YearPoint]:
    """``member_trends`` of one organization."""
    return member_trends(actor=actor, orgs=[org], today=today, years=years)[org.pk]


def recent_changes_of(
    *, actor, orgs: list[Org], today: date, days: int = 30
) -> dict[UUID, list[tuple[str, int]]]:
    """The changes of the last ``days`` days (today included) of each of ``orgs``, by kind, as
    (label, count), in the order of ``CHANGE_LABELS``; kinds with none are left out. One query."""
    _readable(actor, orgs)
    flows = tally_flows([org.pk for org in orgs], today - timedelta(days=days - 1), today)
    return {
        org.pk: [
            (label, flows[org.pk][kind]) for kind, label in CHANGE_LABELS.items() if flows[org.pk].get(kind)
        ]
        if org.pk in flows
        else []
        for org in orgs
    }


def recent_changes(*, actor, org: Org, today: date, days: int = 30) -> list[tuple[str, int]]:
    """``recent_changes_of`` one organization."""
    return recent_changes_of(actor=actor, orgs=[org], today=today, days=days)[org.pk]
