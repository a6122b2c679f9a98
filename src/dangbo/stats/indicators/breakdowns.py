"""The structure tables (``Breakdown``, ``BREAKDOWNS``): members by status, gender, age band,
ethnicity, religion, levels and occupation; organizations by kind and sector. Also the age
bands the dashboard and the statistical forms share (``AGE_BANDS``, ``age_band``)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from dangbo.core.kinds import OrgKind, Sector
from dangbo.members.models import MemberStatus
from dangbo.orgs.models import Org
from dangbo.reference import models as reference
from dangbo.reference.models import KINH_CODE
from dangbo.stats.indicators.context import Context
from dangbo.stats.indicators.loads import _org_counts
from dangbo.stats.indicators.registry import SECTION_MEMBERS, SECTION_ORGS


@dataclass(frozen=True)
class Breakdown:
    code: str
    name: str
    section: str
    categories: Callable[[Context, Org], list[tuple[str, str, int]]]  # (code, label, count)


_LABELS: dict[str, tuple[float, dict[str, str]]] = {}
LABELS_TTL_SECONDS = 60


def _labels(model) -> dict[str, str]:
    """A code list's names, kept for a minute (code lists change by a migration or an
    administrator's correction, not between two page views)."""
    key = model.__name__
    cached = _LABELS.get(key)
    if cached is None or time.monotonic() - cached[0] > LABELS_TTL_SECONDS:
        cached = (time.monotonic(), dict(model.objects.values_list("code", "name")))
        _LABELS[key] = cached
    return cached[1]


def _by(dimension: str, labels: Callable[[], dict[str, str]], none_label: str = "Chưa ghi"):
    def categories(ctx: Context, org: Org) -> list[tuple[str, str, int]]:
        names = labels()
        values = ctx.stock(org).values(dimension)
        ordered = [code for code in names if code in values] + sorted(set(values) - set(names))
        return [(code, names.get(code) or (code if code else none_label), values[code]) for code in ordered]

    return categories


# Age bands of the reports (tuổi đời, by year of birth): the dashboard and the statistical forms.
AGE_BANDS = (
    (None, 30, "Đến 30 tuổi"),
    (31, 40, "31–40"),
    (41, 50, "41–50"),
    (51, 60, "51–60"),
    (61, 70, "61–70"),
    (71, None, "Trên 70"),
)


def age_band(age: int, bands=AGE_BANDS) -> int:
    """The index of the band ``age`` falls in (the last band for anything beyond)."""
    for index, (low, high, _) in enumerate(bands):
        if (low is None or age >= low) and (high is None or age <= high):
            return index
    return len(bands) - 1


def _age_bands(ctx: Context, org: Org) -> list[tuple[str, str, int]]:
    counts = [0] * len(AGE_BANDS)
    for year, n in ctx.stock(org).values("birth_year").items():
        counts[age_band(ctx.frame.as_of.year - int(year))] += n
    return [(str(i), label, counts[i]) for i, (_, _, label) in enumerate(AGE_BANDS)]


def _minority(ctx: Context, org: Org) -> list[tuple[str, str, int]]:
    stock = ctx.stock(org)
    kinh = stock.count("ethnicity", KINH_CODE)
    return [("kinh", "Dân tộc Kinh", kinh), ("minority", "Dân tộc thiểu số", stock.total - kinh)]


def _org_kinds(ctx: Context, org: Org) -> list[tuple[str, str, int]]:
    counts = _org_counts(ctx, org)
    return [
        (kind.value, kind.label, counts.get(kind.value, 0)) for kind in OrgKind if kind != OrgKind.PROVINCE
    ]


def _org_sectors(ctx: Context, org: Org) -> list[tuple[str, str, int]]:
    counts = _org_counts(ctx, org)
    return [
        (s.value, s.label, counts.get(f"sector:{s.value}", 0))
        for s in Sector
        if counts.get(f"sector:{s.value}")
    ]


def _reference(name: str):
    def labels():
        return _labels(getattr(reference, name))

    return labels


BREAKDOWNS: tuple[Breakdown, ...] = (
    Breakdown(
        "members.by_status",
        "Đảng viên theo tình trạng",
        SECTION_MEMBERS,
        _by(
            "status",
            lambda: {MemberStatus.FULL.value: "Chính thức", MemberStatus.PROBATIONARY.value: "Dự bị"},
        ),
    ),
    Breakdown(
        "members.by_gender",
        "Đảng viên theo giới tính",
        SECTION_MEMBERS,
        _by("gender", lambda: {"M": "Nam", "F": "Nữ"}),
    ),
    Breakdown(
        "members.by_age_band", "Đảng viên theo tuổi đời (tính theo năm sinh)", SECTION_MEMBERS, _age_bands
    ),
    Breakdown("members.by_minority", "Đảng viên theo dân tộc", SECTION_MEMBERS, _minority),
    Breakdown(
        "members.by_ethnicity",
        "Đảng viên theo từng dân tộc",
        SECTION_MEMBERS,
        _by("ethnicity", _reference("Ethnicity")),
    ),
    Breakdown(
        "members.by_religion",
        "Đảng viên theo tôn giáo",
        SECTION_MEMBERS,
        _by("religion", _reference("Religion")),
    ),
    Breakdown(
        "members.by_education",
        "Đảng viên theo trình độ giáo dục phổ thông",
        SECTION_MEMBERS,
        _by("education", _reference("GeneralEducation")),
    ),
    Breakdown(
        "members.by_professional",
        "Đảng viên theo trình độ chuyên môn",
        SECTION_MEMBERS,
        _by("professional", _reference("ProfessionalLevel")),
    ),
    Breakdown(
        "members.by_theory",
        "Đảng viên theo trình độ lý luận chính trị",
        SECTION_MEMBERS,
        _by("theory", _reference("TheoryLevel")),
    ),
    Breakdown(
        "members.by_occupation", "Đảng viên theo nghề nghiệp", SECTION_MEMBERS, _by("occupation", dict)
    ),
    Breakdown("orgs.by_kind", "Tổ chức đảng theo loại", SECTION_ORGS, _org_kinds),
    Breakdown("orgs.by_sector", "Tổ chức cơ sở đảng theo loại hình", SECTION_ORGS, _org_sectors),
)
BREAKDOWNS_BY_CODE = {b.code: b for b in BREAKDOWNS}
