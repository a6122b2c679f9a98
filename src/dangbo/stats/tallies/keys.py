"""What the tallies count (``stats.tallies``): the dimensions and their values, the flags, and
the (dimension, value) pairs a member, a hamlet or an organization adds to the organizations
above it. Pure functions of a row; nothing here reads or writes the database."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from uuid import UUID

from dangbo.core import paths
from dangbo.core.kinds import CELL_KINDS, GRASSROOTS_KINDS, OrgKind
from dangbo.core.roles import COMMITTEE_ROLES, Role
from dangbo.members.models import ACTIVE_STATUSES, MemberStatus
from dangbo.rules import orgs as org_rules
from dangbo.rules.base import Rule
from dangbo.rules.targets import THEORY_INTERMEDIATE_OR_ABOVE
from dangbo.stats.models import OrgTally

# dimension → the member field it counts. "total" counts everyone once.
DIMENSIONS: dict[str, str | None] = {
    "total": None,
    "status": "status",
    "gender": "gender",
    "ethnicity": "ethnicity_id",
    "religion": "religion_id",
    "education": "general_education_id",
    "professional": "professional_level_id",
    "theory": "theory_level_id",
    "occupation": "occupation",
    "birth_year": "birth_date",
    "standing": "standing",
}
# The member fields a tally reads (what callers must pass in ``before`` and ``after``,
# with ``status`` and, for leaders, ``positions``: the open (org id, role) pairs). The id
# finds the hamlets the member heads when they stop or start being a member.
MEMBER_FIELDS: tuple[str, ...] = (
    "id",
    "org_path",
    "residence_locality_id",
    *tuple(f for f in DIMENSIONS.values() if f),
)
HAMLET = "hamlet"
SECRETARIES = "leaders:secretary"
COMMITTEE = "leaders:committee"
SECRETARY_ROLES = frozenset({Role.SECRETARY, Role.DEPUTY_SECRETARY})
ORG_KIND, ORG_DIRECT, GRASSROOTS_SECTOR = "org_kind", "org_direct", "grassroots_sector"
CELL_COMMITTEE_FLAG, LARGE_GRASSROOTS_FLAG = "flag:cell_committee", "flag:large_grassroots"
LOCALITIES = "localities"  # values: all, with_cell, merged_cell, head_member
HAMLETS_WITH_MEMBERS = "hamlets_with_members"  # hamlets with at least one resident member
FLOW = "flow:"  # flow dimensions: "flow:<kind>", value the ISO day
_VALUE_WIDTH = OrgTally._meta.get_field("value").max_length

Key = tuple[UUID, str, str]  # (org id, dimension, value)

# What a report reads for a subtree on a day (stats.figures.Stock).
STOCK_DIMENSIONS = [
    *DIMENSIONS,
    SECRETARIES,
    COMMITTEE,
    ORG_KIND,
    ORG_DIRECT,
    GRASSROOTS_SECTOR,
    CELL_COMMITTEE_FLAG,
    LARGE_GRASSROOTS_FLAG,
    LOCALITIES,
    HAMLETS_WITH_MEMBERS,
]


@dataclass(frozen=True)
class _Flag:
    kinds: frozenset
    dimension: str
    value: str
    rule: Rule


FLAGS = {
    CELL_COMMITTEE_FLAG: _Flag(CELL_KINDS, "status", MemberStatus.FULL, org_rules.CELL_COMMITTEE_THRESHOLD),
    LARGE_GRASSROOTS_FLAG: _Flag(
        frozenset({OrgKind.GRASSROOTS_COMMITTEE}), "total", "", org_rules.LARGE_GRASSROOTS_COMMITTEE
    ),
}


FLOW_INCREASES = ("admitted", "readmitted", "transferred_in")
FLOW_DECREASES = ("died", "struck_off", "resigned", "expelled", "moved_away")
TRANSFER_IN, TRANSFER_OUT = "transfer_in", "transfer_out"
FLOW_DIMENSIONS = [
    FLOW + kind
    for kind in (*FLOW_INCREASES, *FLOW_DECREASES, "recognized", "restored", TRANSFER_IN, TRANSFER_OUT)
]

# The same flows by calendar year: "flowy:<kind>", value the year "YYYY" — kept beside the days
# (``flows.member_flows`` gives both), so that ten years of a subtree's flows (the overview's
# members and admissions by year) read ten rows per kind, not a row per day with any: a
# province's ten years are some 50,000 day rows, the country's 34 provinces more than a million.
YEAR_FLOW = "flowy:"
YEAR_FLOW_DIMENSIONS = [YEAR_FLOW + dimension[len(FLOW) :] for dimension in FLOW_DIMENSIONS]

# The counted members (đảng số) by day: a member's counted placements that began (``stock_in``)
# or ended (``stock_out``) in an organization that day, the two netted per organization (a
# probationary member made full stays where they were: nothing). A past day's count is today's
# less what came in since plus what went out (``stats.indicators.loads``): the same equation as
# reading the placements that changed since, kept as the ledger changes them. Not in
# ``FLOW_DIMENSIONS``: they are no event of the forms, only the stock's arithmetic.
STOCK_IN, STOCK_OUT = "stock_in", "stock_out"
STOCK_FLOW_DIMENSIONS = (FLOW + STOCK_IN, FLOW + STOCK_OUT)

Flow = tuple[str, str, UUID, UUID | None]  # (dimension, ISO day, organization, organization not counted)

LOCALITY_FIELDS = ("id", "commune_path", "cell_id", "head_member__status", "dissolved_on")

MERGED_CELL = "merged_cell"

# Cell meetings (``stats.tallies.meetings``): what an organization's chi bộ meetings add to it
# and every organization above it. Values are months "YYYY-MM" or quarters "YYYY-Qn"; the
# pairs "A|B" are a month or quarter and another (see that module).
MEETING_PRESENT = "meet:present"  # value: month; attendance rows «có mặt» (regular, thematic)
MEETING_EXPECTED = "meet:expected"  # value: month; rows less the absences of exempted members
MEETING_VISITORS = "meet:visitors"  # value: month; higher-level officials attending
MEETING_UNEXCUSED = "meet:unexcused"  # value "month|previous month" per member and cell
MEETING_REGULAR_BIRTH = "meet:regular_b"  # value "first due month|last month" of a run
MEETING_REGULAR_RUN = "meet:regular_r"  # value "first month|last month" of a run
MEETING_THEMATIC_BIRTH = "meet:thematic_b"  # the same by quarter
MEETING_THEMATIC_RUN = "meet:thematic_r"
MEETING_DIMENSIONS = (
    MEETING_PRESENT,
    MEETING_EXPECTED,
    MEETING_VISITORS,
    MEETING_UNEXCUSED,
    MEETING_REGULAR_BIRTH,
    MEETING_REGULAR_RUN,
    MEETING_THEMATIC_BIRTH,
    MEETING_THEMATIC_RUN,
)

# Party dues (``stats.tallies.dues``): what a cell's members' monthly accounts add to it and
# every organization above it, by month "YYYY-MM" (the sums of ``dues.sums``), and the links
# "month|previous unpaid month" of each member's arrears chain at the cell.
DUES_DUE = "dues:due"  # value: month; the amounts due of the months owed (after reliefs)
DUES_PAID = "dues:paid"  # value: month; paid for them, up to each month's due
DUES_MONTHS = "dues:months"  # value: month; months owed with a basis
DUES_EXEMPTED = "dues:exempted"  # value: month; months owed with an exemption
DUES_ARREARS = "dues:arrears"  # value "month|previous month" per member and cell (unpaid months)
DUES_FIELDS = {
    DUES_DUE: "due",
    DUES_PAID: "paid_capped",
    DUES_MONTHS: "with_basis",
    DUES_EXEMPTED: "exempted",
}
DUES_DIMENSIONS = (*DUES_FIELDS, DUES_ARREARS)


# What a restructuring does not move with a subtree but recounts (``tally_fix_derived``):
# counts that depend on where organizations sit, not on what is under them.
DERIVED_DIMENSIONS: tuple[str, ...] = (
    ORG_KIND,
    ORG_DIRECT,
    GRASSROOTS_SECTOR,
    CELL_COMMITTEE_FLAG,
    LARGE_GRASSROOTS_FLAG,
    HAMLETS_WITH_MEMBERS,
    FLOW + TRANSFER_IN,
    FLOW + TRANSFER_OUT,
    YEAR_FLOW + TRANSFER_IN,
    YEAR_FLOW + TRANSFER_OUT,
)

# Yearly reviews (``stats.tallies.ratings``), values "YEAR|BAND" (a decided band) and, for a
# member on a list not decided, "YEAR|-not_rated" or "YEAR|-undecided"; years from 2018 only.
RATING_MEMBERS = "rate:member"  # at the review's cell and every organization above it
RATING_ORGS = "rate:org"  # a grassroots organization's decided band, at it and every one above
RATING_DIMENSIONS = (RATING_MEMBERS, RATING_ORGS)
# an organization's own band counts by its kind, so it is recounted with the tree (not moved)
DERIVED_DIMENSIONS += (RATING_ORGS,)


def _get(row, name: str):
    return row[name] if isinstance(row, Mapping) else getattr(row, name)


def member_keys(row) -> list[tuple[str, str]]:
    """The (dimension, value) pairs an active member adds to each organization above it."""
    if row is None or _get(row, "status") not in ACTIVE_STATUSES:
        return []
    keys = []
    for dimension, field in DIMENSIONS.items():
        if field is None:
            value = ""
        elif field == "birth_date":
            value = str(_get(row, field).year)
        else:
            value = _get(row, field) or ""
        keys.append((dimension, str(value)[:_VALUE_WIDTH]))
    return keys


def theory_value(theory_level_id) -> str:
    return "trained" if theory_level_id in THEORY_INTERMEDIATE_OR_ABOVE else "untrained"


def leader_dimensions(role: str) -> list[str]:
    dims = []
    if role in SECRETARY_ROLES:
        dims.append(SECRETARIES)
    if role in COMMITTEE_ROLES:
        dims.append(COMMITTEE)
    return dims


def leads_grassroots(kind: str, has_upper_rights: bool) -> bool:
    return kind in GRASSROOTS_KINDS and not has_upper_rights


def _ancestor_ids(path: str, ids_by_path: dict) -> list:
    return [ids_by_path[p] for p in paths.ancestor_paths(path) if p in ids_by_path]


def locality_keys(locality) -> list[str]:
    """What one live hamlet adds under its commune's organizations: ``all``; ``with_cell``
    when a cell covers it; ``head_member`` when its head is a member record whose holder is
    a member today (probationary or full). ``merged_cell`` (its cell covers other live
    hamlets too) depends on the other hamlets: ``_merged_delta``."""
    if locality is None or _get(locality, "dissolved_on") is not None:
        return []
    keys = ["all"]
    if _get(locality, "cell_id") is not None:
        keys.append("with_cell")
    if _get(locality, "head_member__status") in ACTIVE_STATUSES:
        keys.append("head_member")
    return keys


def merged_hamlets(rows: Iterable[Mapping]) -> list[Mapping]:
    """The live hamlets among ``rows`` whose cell covers at least one other of them: a
    merged-hamlet cell (chi bộ ghép thôn). ``rows`` must hold every live hamlet of each cell."""
    by_cell: dict[object, list] = defaultdict(list)
    for row in rows:
        if row["cell_id"] is not None and row["dissolved_on"] is None:
            by_cell[row["cell_id"]].append(row)
    return [row for group in by_cell.values() if len(group) > 1 for row in group]


def org_keys(kind: str, sector: str, has_upper_rights: bool) -> list[tuple[str, str]]:
    """What a live organization adds to each organization strictly above it."""
    keys = [(ORG_KIND, kind)]
    if leads_grassroots(kind, has_upper_rights):
        keys.append((GRASSROOTS_SECTOR, sector or ""))
    return keys
