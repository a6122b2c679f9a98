"""The ratings of one year (and period) under some organizations, as plain rows: one per member
on a campaign's list (or recorded for an old year), one per organization rated, one per
grassroots organization with its «excellent» and «good» against the cap — for `dangbo ratings`
and any export that must not hold a province's 500,000 members in memory.

The member and organization rows are read in batches of ``BATCH`` (``QuerySet.iterator``) and
yielded one at a time; ``Totals`` adds them up as they pass, so a JSON's or a sheet's totals are
the sums of the rows it wrote. Reading is scoped like the selectors: an organization outside the
actor's subtrees is ``NotInScope``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from dangbo.core import paths
from dangbo.core.violations import NotInScope
from dangbo.orgs.models import Org
from dangbo.ratings.models import MemberRating, NotRated, OrgRating
from dangbo.ratings.selectors import cap_status
from dangbo.rules import ratings as rules
from dangbo.rules.ratings import Band, Disqualifier, LegacyLevel

BATCH = 2000

MEMBER_FIELDS = (
    "pk",
    "member_id",
    "member__family_name",
    "member__middle_name",
    "member__given_name",
    "cell__code",
    "cell__name",
    "grassroots__code",
    "form",
    "not_rated",
    "self_score",
    "self_band",
    "cell_score",
    "cell_band",
    "cell_disqualifiers",
    "score",
    "band",
    "legacy_level",
    "disqualifiers",
    "decision_no",
    "decided_on",
)
NOT_RATED_LABELS = dict(NotRated.choices)


def _check(actor, roots: Sequence[Org]) -> None:
    for root in roots:
        if not actor.can_read_path(root.path):
            raise NotInScope(root.pk)


def _level_label(band: str, legacy: str) -> str:
    return Band.LABELS.get(band) or LegacyLevel.LABELS.get(legacy, "")


def _labels(codes) -> list[str]:
    return [Disqualifier.LABELS.get(code, code) for code in codes or ()]


def _members(roots: Sequence[Org], year: int, period: str):
    q = paths.subtree_q(roots[0].path, "cell__path")
    for root in roots[1:]:
        q |= paths.subtree_q(root.path, "cell__path")
    return MemberRating.objects.filter(q, year=year, period=period)


def member_count(*, actor, roots: Sequence[Org], year: int, period: str) -> int:
    _check(actor, roots)
    return _members(roots, year, period).count() if roots else 0


def member_rows(*, actor, roots: Sequence[Org], year: int, period: str) -> Iterator[dict]:
    """Every member rated (or listed) under ``roots``, by cell then name; read in batches."""
    _check(actor, roots)
    if not roots:
        return
    rows = (
        _members(roots, year, period)
        .order_by("cell__path", "member__sort_key", "pk")
        .values(*MEMBER_FIELDS)
        .iterator(chunk_size=BATCH)
    )
    for r in rows:
        name = " ".join(
            p for p in (r["member__family_name"], r["member__middle_name"], r["member__given_name"]) if p
        )
        yield {
            "rating_id": str(r["pk"]),
            "member_id": str(r["member_id"]),
            "name": name,
            "cell_code": r["cell__code"],
            "cell": r["cell__name"],
            "grassroots_code": r["grassroots__code"],
            "form": r["form"],
            "self_score": r["self_score"],
            "self_band": r["self_band"],
            "cell_score": r["cell_score"],
            "cell_band": r["cell_band"],
            "cell_disqualifiers": list(r["cell_disqualifiers"] or []),
            "score": r["score"],
            "band": r["band"],
            "legacy_level": r["legacy_level"],
            "band_label": _level_label(r["band"], r["legacy_level"]),
            "disqualifiers": list(r["disqualifiers"] or []),
            "disqualifier_labels": _labels(r["disqualifiers"]),
            "not_rated": r["not_rated"],
            "not_rated_reason": NOT_RATED_LABELS.get(r["not_rated"], ""),
            "decision_no": r["decision_no"],
            "decided_on": r["decided_on"].isoformat() if r["decided_on"] else None,
        }


def org_rows(*, actor, roots: Sequence[Org], year: int, period: str) -> Iterator[dict]:
    """Every organization rated under ``roots`` (cells, grassroots organizations), by path, with
    who rates it."""
    _check(actor, roots)
    for root in roots:
        rows = (
            OrgRating.objects.filter(paths.subtree_q(root.path, "org__path"), year=year, period=period)
            .select_related("org", "authority")
            .order_by("org__path")
            .iterator(chunk_size=BATCH)
        )
        for r in rows:
            yield {
                "org_code": r.org.code,
                "org": r.org.name,
                "kind": r.org.kind,
                "self_score": r.self_score,
                "self_band": r.self_band,
                "score": r.score,
                "band": r.band,
                "legacy_level": r.legacy_level,
                "band_label": _level_label(r.band, r.legacy_level),
                "disqualifiers": list(r.disqualifiers or []),
                "disqualifier_labels": _labels(r.disqualifiers),
                "authority_code": r.authority.code,
                "authority": r.authority.name,
                "decision_no": r.decision_no,
                "decided_on": r.decided_on.isoformat() if r.decided_on else None,
            }


def cap_rows(*, actor, roots: Sequence[Org], year: int, period: str) -> Iterator[dict]:
    """Each grassroots organization of the members listed: its decided «excellent» and «good»
    (all its members, not only those under ``roots``), the most «excellent» the cap allows and
    whether it holds (``selectors.cap_status``). None before 2018: the old levels had no cap."""
    _check(actor, roots)
    if not roots or year < rules.FIRST_BANDED_YEAR:
        return
    ids = _members(roots, year, period).values("grassroots_id")
    for org in Org.objects.filter(pk__in=ids).order_by("path").iterator(chunk_size=BATCH):
        status = cap_status(actor=actor, grassroots=org, year=year, period=period)
        yield {
            "org_code": org.code,
            "org": org.name,
            "excellent": status.excellent,
            "good": status.good,
            "percent": status.percent,
            "allowed": status.allowed,
            "holds": status.holds,
            "confirmed": status.confirmed,
            "citation": status.citation,
        }


@dataclass
class Totals:
    """What the rows add up to, kept as they are written."""

    members: int = 0
    decided: int = 0
    not_rated: int = 0
    bands: Counter = field(default_factory=Counter)
    legacy: int = 0
    reasons: Counter = field(default_factory=Counter)
    orgs: int = 0
    orgs_decided: int = 0
    org_bands: Counter = field(default_factory=Counter)
    grassroots: int = 0
    cap_exceeded: int = 0

    def add_member(self, row: dict) -> None:
        self.members += 1
        if row["not_rated"]:
            self.not_rated += 1
            self.reasons[row["not_rated"]] += 1
        if row["band"]:
            self.decided += 1
            self.bands[row["band"]] += 1
        elif row["legacy_level"]:
            self.decided += 1
            self.legacy += 1

    def add_org(self, row: dict) -> None:
        self.orgs += 1
        if row["band"] or row["legacy_level"]:
            self.orgs_decided += 1
        if row["band"]:
            self.org_bands[row["band"]] += 1

    def add_cap(self, row: dict) -> None:
        self.grassroots += 1
        if not row["holds"]:
            self.cap_exceeded += 1

    @property
    def waiting(self) -> int:
        return self.members - self.not_rated - self.decided

    @property
    def good_or_better(self) -> int:
        return sum(self.bands[b] for b in Band.GOOD_OR_BETTER)

    def as_dict(self) -> dict:
        return {
            "members": self.members,
            "decided": self.decided,
            "not_rated": self.not_rated,
            "waiting": self.waiting,
            "bands": {band: self.bands[band] for band in Band.ORDER},
            "good_or_better": self.good_or_better,
            "legacy_levels": self.legacy,
            "not_rated_reasons": {reason: self.reasons[reason] for reason in NotRated.values},
            "orgs": self.orgs,
            "orgs_decided": self.orgs_decided,
            "org_bands": {band: self.org_bands[band] for band in Band.ORDER},
            "grassroots": self.grassroots,
            "cap_exceeded": self.cap_exceeded,
        }
