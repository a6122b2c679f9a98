"""An organization's subtree over the years and over the last weeks, for the overview page:
members at the end of each year and admissions in it (``member_trend``), and the changes of a
recent period by kind (``recent_changes``). Both read the pre-aggregated counts only (a few rows
per year, whatever the subtree's size).

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

from dangbo.orgs.models import Org
from dangbo.orgs.selectors import NotInScope
from dangbo.stats.tallies import tally_flows, tally_read
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


def member_trend(*, actor, org: Org, today: date, years: int = 10) -> list[YearPoint]:
    """The last ``years`` years (the current one included), oldest first."""
    if not actor.can_read_path(org.path):
        raise NotInScope(org.pk)
    total = tally_read([org.pk], ["total"]).get(org.pk, {}).get("total", {}).get("", 0)
    first = today.year - years + 1
    by_year = {
        year: tally_flows([org.pk], date(year, 1, 1), min(date(year, 12, 31), today)).get(org.pk, {})
        for year in range(first, today.year + 1)
    }
    points = []
    members = total
    for year in range(today.year, first - 1, -1):  # backwards from today
        flows = by_year[year]
        points.append(YearPoint(year, members, flows.get("admitted", 0) + flows.get("readmitted", 0)))
        members -= _net(flows)
    return points[::-1]


def recent_changes(*, actor, org: Org, today: date, days: int = 30) -> list[tuple[str, int]]:
    """The changes of the last ``days`` days (today included) by kind, as (label, count), in
    the order of ``CHANGE_LABELS``; kinds with none are left out."""
    if not actor.can_read_path(org.path):
        raise NotInScope(org.pk)
    flows = tally_flows([org.pk], today - timedelta(days=days - 1), today).get(org.pk, {})
    return [(label, flows[kind]) for kind, label in CHANGE_LABELS.items() if flows.get(kind)]
