"""What the demo's reviews decide (``demo.ratings``), from random sources named by the seed, the
year and the member or organization — no database here.

- A member's **disposition** lasts over the years: about one in six is strong (often
  «excellent»), one in fifty struggles (often «not completed», so some fail two years running
  and reach the striking-off review), the rest are ordinary (mostly «good»).
- Each year a **band** is drawn from the disposition; being disciplined in the year makes it
  «not completed» with the disqualifier, whatever the criteria gave. Under the 100-point scale
  (the 2025 review) the **score** lies in the band's range (``rules.ratings.band_for_score``);
  a disciplined member keeps the score of the criteria and is lowered by the disqualifier.
- The member's **self-assessment** is the cell's band, or one better now and then; the score
  of it gives that band by itself (the self-assessment names no disqualifier).
- The **cap** on «excellent» (``rules.ratings.EXCELLENT_CAP``) is applied by the grassroots
  committee: of the cell's proposals «excellent», those with the highest priority are kept up
  to the most the rule allows, the rest decided «good» (under the 100-point scale with a score
  just below 90).
- **Organizations**: mostly «good», some «excellent», a few below; a committee member
  disciplined in the year keeps the organization from «excellent».
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from dangbo.rules.ratings import Band, Disqualifier, Scale, band_for_score

STRONG = "strong"
ORDINARY = "ordinary"
STRUGGLING = "struggling"

# share of each disposition (the rest are ordinary)
STRONG_SHARE = 0.17
STRUGGLING_SHARE = 0.02

# band weights by disposition, in Band.ORDER (excellent, good, fulfilled, failed)
BAND_WEIGHTS = {
    STRONG: (0.55, 0.45, 0.0, 0.0),
    ORDINARY: (0.035, 0.872, 0.09, 0.003),
    STRUGGLING: (0.0, 0.10, 0.40, 0.50),
}
ORG_WEIGHTS = (0.16, 0.74, 0.08, 0.02)
SELF_BETTER = 0.12  # a self-assessment one band better than the cell's

# the score ranges a band is drawn in (within rules.ratings.Scale's bands)
SCORE_RANGES = {
    Band.EXCELLENT: (90, 97),
    Band.GOOD: (70, 89),
    Band.FULFILLED: (52, 69),
    Band.FAILED: (30, 49),
}
DEMOTED_SCORES = (85, 89)  # «excellent» proposed, «good» decided under the cap
DISCIPLINED_SCORES = (55, 82)  # the criteria of a member disciplined in the year


def disposition(seed: int, member_hex: str) -> str:
    u = random.Random(f"dangbo.demo.ratings.disposition:{seed}:{member_hex}").random()
    if u < STRUGGLING_SHARE:
        return STRUGGLING
    if u < STRUGGLING_SHARE + STRONG_SHARE:
        return STRONG
    return ORDINARY


def _band(rng: random.Random, weights) -> str:
    return rng.choices(Band.ORDER, weights=weights)[0]


def _score(rng: random.Random, low_high: tuple[int, int]) -> int:
    low, high = low_high
    return rng.randint(low, high)


def _better(band: str) -> str:
    return Band.ORDER[max(Band.rank(band) - 1, 0)]


@dataclass
class MemberReview:
    """One member's review of a year, step by step (scores None when the year has no scale)."""

    self_band: str
    self_score: int | None
    cell_band: str
    cell_score: int | None
    disqualifiers: list[str] = field(default_factory=list)
    priority: float = 0.0  # among the «excellent» proposals of a grassroots organization
    band: str = ""  # decided (the cell's proposal unless the cap lowers it)
    score: int | None = None
    self_day: int = 1  # of December
    demoted: bool = False

    def decide(self, *, capped: bool, rng: random.Random, scored: bool) -> None:
        self.band, self.score = self.cell_band, self.cell_score
        if capped and self.cell_band == Band.EXCELLENT:
            self.band, self.demoted = Band.GOOD, True
            self.score = _score(rng, DEMOTED_SCORES) if scored else None


def member_review(rng: random.Random, kind: str, *, disciplined: bool, scale: Scale) -> MemberReview:
    """The self-assessment and the cell's proposal (``rng``: the member's and the year's)."""
    scored = scale.scored
    drawn = _band(rng, BAND_WEIGHTS[kind])
    priority = rng.random()
    self_day = rng.randint(1, 10)
    if disciplined:
        criteria = _score(rng, DISCIPLINED_SCORES) if scored else None
        if criteria is not None:
            own = band_for_score(criteria, scale)
            return MemberReview(
                own, criteria, Band.FAILED, criteria, [Disqualifier.DISCIPLINED], priority, self_day=self_day
            )
        own = rng.choice((Band.FULFILLED, Band.FAILED))
        return MemberReview(
            own, None, Band.FAILED, None, [Disqualifier.DISCIPLINED], priority, self_day=self_day
        )
    score = _score(rng, SCORE_RANGES[drawn]) if scored else None
    own = _better(drawn) if drawn != Band.EXCELLENT and rng.random() < SELF_BETTER else drawn
    own_score = score
    if scored and own != drawn:
        own_score = _score(rng, SCORE_RANGES[own])
    elif scored and score is not None:
        own_score = min(SCORE_RANGES[own][1], score + rng.randint(0, 3))
    return MemberReview(own, own_score, drawn, score, [], priority, self_day=self_day)


def allowed_excellent(percent: int | None, excellent: int, good: int) -> int:
    """The most «excellent» a grassroots organization may keep of ``excellent`` proposals when
    those lowered become «good»: the largest x with x × 100 ≤ (good + excellent − x) × percent."""
    if percent is None:
        return excellent
    return min(excellent, percent * (good + excellent) // (100 + percent))


@dataclass
class OrgReview:
    self_band: str
    self_score: int | None
    band: str
    score: int | None
    disqualifiers: list[str]


def org_review(rng: random.Random, *, leader_disciplined: bool, scale: Scale) -> OrgReview:
    scored = scale.scored
    drawn = _band(rng, ORG_WEIGHTS)
    score = _score(rng, SCORE_RANGES[drawn]) if scored else None
    own = _better(drawn) if drawn != Band.EXCELLENT and rng.random() < 0.15 else drawn
    own_score = _score(rng, SCORE_RANGES[own]) if scored else None
    disqualifiers: list[str] = []
    band = drawn
    if leader_disciplined:
        disqualifiers = [Disqualifier.LEADER_DISCIPLINED]
        if band == Band.EXCELLENT:
            band = Band.GOOD  # the score stays: the disqualifier lowers it
    return OrgReview(own, own_score, band, score, disqualifiers)
