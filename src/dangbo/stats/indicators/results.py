"""An indicator evaluated for an organization (``Result``: value, target, status), and the JSON
report of a context (``report_dict``: every indicator and breakdown, and each child's)."""

from __future__ import annotations

from dataclasses import dataclass

from dangbo.orgs.models import Org
from dangbo.rules import targets as target_rules
from dangbo.stats.indicators.breakdowns import BREAKDOWNS
from dangbo.stats.indicators.context import Context, Value
from dangbo.stats.indicators.registry import INDICATORS, Indicator

MET, NOT_MET, ABOVE, NO_TARGET, NO_DATA = "met", "not_met", "above_range", "no_target", "no_data"
STATUS_LABELS = {
    MET: "Đạt",
    NOT_MET: "Chưa đạt",
    ABOVE: "Vượt khoảng mục tiêu",
    NO_TARGET: "Theo dõi",
    NO_DATA: "Chưa có số liệu",
}


@dataclass(frozen=True)
class Result:
    indicator: Indicator
    org: Org
    value: Value
    target: target_rules.Target | None
    citation: str
    confirmed: bool

    @property
    def status(self) -> str:
        if self.value.value is None:
            return NO_DATA
        if self.target is None:
            return NO_TARGET
        if self.target.high is not None and self.value.value > self.target.high:
            return ABOVE  # a range (3–4 %): above it is shown, not hidden as «met»
        return MET if self.target.met(self.value.value) else NOT_MET

    def as_dict(self) -> dict:
        target = None
        if self.target is not None:
            target = {
                "value": self.target.value,
                "high": self.target.high,
                "year": self.target.year,
                "direction": self.target.direction,
                "source": self.citation,
                "confirmed": self.confirmed,
            }
        value = self.value.value
        return {
            "code": self.indicator.code,
            "name": self.indicator.name,
            "definition": self.indicator.definition,
            "unit": self.indicator.unit,
            "value": round(value, 6) if isinstance(value, float) else value,
            "numerator": self.value.numerator,
            "denominator": self.value.denominator,
            "target": target,
            "status": self.status,
        }


def evaluate(ctx: Context, indicator: Indicator, org: Org) -> Result:
    target, citation, confirmed = None, "", True
    if indicator.target is not None:
        target_rule = indicator.target
        version = ctx.grouped(f"target:{indicator.code}", lambda: target_rule.at(ctx.frame.as_of))
        target, citation, confirmed = version.value, version.citation, version.confirmed
    return Result(indicator, org, indicator.compute(ctx, org), target, citation, confirmed)


def evaluate_all(ctx: Context, org: Org | None = None, indicators=INDICATORS) -> list[Result]:
    return [evaluate(ctx, indicator, org or ctx.root) for indicator in indicators]


def report_dict(ctx: Context, *, children: bool = False) -> dict:
    """The JSON report: the frame, every indicator and every breakdown (and each child's
    indicators when ``children``)."""
    frame = ctx.frame
    out = {
        "org": {"code": ctx.root.code, "name": ctx.root.name},
        "as_of": frame.as_of.isoformat(),
        "period": {"from": frame.start.isoformat(), "to": frame.end.isoformat()},
        "indicators": [r.as_dict() for r in evaluate_all(ctx)],
        "breakdowns": [
            {
                "code": b.code,
                "name": b.name,
                "categories": [{"code": c, "name": n, "count": k} for c, n, k in b.categories(ctx, ctx.root)],
            }
            for b in BREAKDOWNS
        ],
    }
    if children:
        out["children"] = [
            {
                "code": child.code,
                "name": child.name,
                "indicators": [r.as_dict() for r in evaluate_all(ctx, child)],
            }
            for child in ctx.children
        ]
    return out
