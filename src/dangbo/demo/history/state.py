"""The demo history's in-memory province (``demo.history``): an organization (``_Org``) and a
member or former member (``_Rec``) as far as the simulation needs them, what a run reports
(``HistorySummary``), and the small helpers on dates and committees."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from uuid import UUID

from dangbo.core.kinds import OrgKind
from dangbo.members.models import MemberEvent, Standing

Kind = MemberEvent.Kind

DAYS_PER_YEAR = 365.25


# "Đảng bộ huyện X" → the committee "Huyện ủy X" and the suffix of its decision numbers.
_COMMITTEES = (
    ("Đảng bộ tỉnh ", "Tỉnh ủy ", "TU"),
    ("Đảng bộ thành phố ", "Thành ủy ", "ThU"),
    ("Đảng bộ thị xã ", "Thị ủy ", "TU"),
    ("Đảng bộ huyện ", "Huyện ủy ", "HU"),
    ("Đảng bộ ", "Đảng ủy ", "ĐU"),
)


@dataclass
class HistorySummary:
    """What one run did: events written per kind, and members in good standing before and after."""

    start: date
    end: date
    seed: int
    members_before: int = 0
    members_after: int = 0
    admitted: int = 0
    recognized: int = 0
    transferred: int = 0
    died: int = 0
    struck_off: int = 0
    resigned: int = 0
    expelled: int = 0
    exempted: int = 0
    suspended: int = 0
    working_away: int = 0
    standing_ended: int = 0
    temp_transfer: int = 0
    temp_returned: int = 0
    disciplined: int = 0
    moved_away: int = 0
    transferred_in: int = 0
    readmitted: int = 0
    restored: int = 0
    badge_awarded: int = 0
    position_started: int = 0
    position_ended: int = 0
    in_flight: dict = field(default_factory=dict)  # work left open on ``end`` (demo.inflight)
    positions_closed: int = 0  # positions ended by a holder's death
    overdue_probation: int = (
        0  # probationary members whose 12 months ended before ``start``: left as they are
    )
    seconds: float = 0.0

    @property
    def exits(self) -> int:
        return self.struck_off + self.resigned + self.expelled

    @property
    def joined(self) -> int:
        """Members in good standing added besides admissions: received from outside, readmitted, restored."""
        return self.transferred_in + self.readmitted + self.restored

    def by_kind(self) -> dict[str, int]:
        """Ledger events written, by ``MemberEvent.Kind`` (every kind but ``rehomed``, the reform's,
        ``rated``, which the demo's ratings write, and ``corrected``, which only imports write)."""
        return {
            kind.value: getattr(self, kind.value)
            for kind in Kind
            if kind not in (Kind.REHOMED, Kind.RATED, Kind.CORRECTED)
        }


@dataclass
class _Org:
    id: UUID
    name: str
    kind: str
    sector: str
    path: str
    parent_id: UUID | None
    created_on: date
    has_upper_rights: bool
    live: bool
    active: int = 0  # members in good standing sitting here now (cells)
    full: int = 0
    minority: int = 0
    samples: list = field(default_factory=list)  # (residence, locality id, hometown) of some members


class _Rec:
    """One member (in good standing, or a former member who may come back), as far as the
    simulation needs to know."""

    __slots__ = (
        "age_from",
        "badge",
        "birth",
        "deferred",
        "full_from",
        "holder",
        "host",
        "id",
        "last_on",
        "org_id",
        "standing",
    )

    def __init__(self, id, org_id, full_from, birth, normal, holder, last_on, standing=Standing.NORMAL):
        self.id, self.org_id, self.full_from, self.birth = id, org_id, full_from, birth
        self.standing = Standing.NORMAL if normal else standing
        self.holder, self.last_on = holder, last_on
        self.host = None
        self.age_from = None  # party age runs from (rules.badges)
        self.badge = None  # the largest badge awarded
        self.deferred = None  # badges deferred until (discipline)

    @property
    def normal(self) -> bool:
        return self.standing == Standing.NORMAL

    def is_full(self, on: date) -> bool:
        return self.full_from is not None and self.full_from <= on


def _months(start: date, end: date):
    day = start
    while day <= end:
        following = date(day.year + day.month // 12, day.month % 12 + 1, 1)
        yield day, min(following - timedelta(days=1), end)
        day = following


def _month_year(day: date) -> str:
    return f"{day.month}/{day.year}"


def _age(birth: date, on: date) -> float:
    return (on - birth).days / DAYS_PER_YEAR


def _above_grassroots(org: _Org) -> bool:
    return org.kind in (OrgKind.PROVINCE, OrgKind.UPPER) or org.has_upper_rights


def _committee(org: _Org) -> tuple[str, str]:
    """The committee leading ``org`` ("Huyện ủy Bát Xát") and its decision suffix ("HU")."""
    for prefix, word, suffix in _COMMITTEES:
        if org.name.startswith(prefix):
            return word + org.name[len(prefix) :], suffix
    return f"Cấp ủy {org.name}", "ĐU"
