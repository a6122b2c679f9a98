"""What a package carries: the figures ``stats`` computes for an organization and a frame,
as rows keyed by organization code (codes are what two installations share; internal ids
are not), and the same figures flattened so a submitted report and this installation's own
computation can be compared cell by cell.

Nothing is counted here: indicators come from ``stats.indicators.evaluate_all``, the forms
from ``stats.statforms.build_forms``, the counts by organization from ``stats.figures``
(``stocks`` on the date, ``flows`` over the period) — the numbers the pages show.
"""

from __future__ import annotations

from dataclasses import dataclass

from dangbo.members.models import Gender, MemberStatus
from dangbo.orgs.models import Org
from dangbo.stats.figures import flows, stocks
from dangbo.stats.frames import Frame, ReportInputError
from dangbo.stats.indicators import BY_CODE, Context, evaluate_all
from dangbo.stats.statforms import build_forms
from dangbo.stats.statforms.shapes import (
    FORM_ADMISSIONS,
    FORM_AGE_GENDER,
    FORM_ETHNICITY_RELIGION,
    FORM_MOVEMENT,
    FORM_OCCUPATIONS,
    FORM_QUALIFICATIONS,
    FORM_SECTORS,
    FORM_UNITS,
)
from dangbo.stats.tallies.keys import FLOW_DECREASES, FLOW_INCREASES, TRANSFER_IN, TRANSFER_OUT

FORM_CODES = (
    FORM_MOVEMENT,
    FORM_ADMISSIONS,
    FORM_QUALIFICATIONS,
    FORM_ETHNICITY_RELIGION,
    FORM_OCCUPATIONS,
    FORM_SECTORS,
    FORM_AGE_GENDER,
    FORM_UNITS,
)

# member_counts: figure → its Vietnamese name. Stocks on the date, then flows over the period.
STOCK_FIGURES = {
    "members": "Tổng số đảng viên",
    "full": "Đảng viên chính thức",
    "probationary": "Đảng viên dự bị",
    "men": "Nam",
    "women": "Nữ",
}
FLOW_FIGURES = {
    "admitted": "Kết nạp mới",
    "readmitted": "Kết nạp lại",
    "recognized": "Công nhận chính thức",
    "restored": "Phục hồi đảng tịch",
    "transferred_in": "Tiếp nhận từ ngoài",
    TRANSFER_IN: "Chuyển đến",
    TRANSFER_OUT: "Chuyển đi",
    "died": "Từ trần",
    "struck_off": "Xóa tên",
    "resigned": "Xin ra khỏi Đảng",
    "expelled": "Khai trừ",
    "moved_away": "Chuyển ra ngoài",
}
assert set(FLOW_FIGURES) >= {*FLOW_INCREASES, *FLOW_DECREASES}
COUNT_FIGURES = {**STOCK_FIGURES, **FLOW_FIGURES}


def form_code(text: str) -> str:
    """The form's code from what a user types: «Mẫu 1-TCTW», «1-TCTW» or «1»."""
    wanted = (text or "").strip().lower().removeprefix("mẫu").strip()
    for code in FORM_CODES:
        number = code.split()[-1]
        if wanted in (number.lower(), number.split("-")[0]):
            return code
    raise ReportInputError(
        f"Không có biểu «{text}»; các biểu: " + ", ".join(c.split()[-1] for c in FORM_CODES) + "."
    )


def _number(value):
    return round(value, 6) if isinstance(value, float) else value


def indicators_payload(ctx: Context) -> dict:
    rows = []
    for org in [ctx.root, *ctx.children]:
        results = evaluate_all(ctx, org)
        rows.append(
            {
                "org": org.code,
                "row": "",
                "label": org.name,
                "figures": {r.indicator.code: _number(r.value.value) for r in results},
            }
        )
    return {"rows": rows}


def statform_payload(frame: Frame, code: str) -> dict:
    form = build_forms(frame).form(code)
    rows = []
    for row in [*form.rows, form.total]:
        if row is form.total:
            key = "total"
        elif row.direct:
            key = "direct"
        else:
            key = "" if row.org_code else row.label  # Mẫu 6: a row per sector, not per organization
        rows.append(
            {
                "org": row.org_code or frame.root.code,
                "row": key,
                "label": row.label,
                "figures": dict(zip(form.columns, [_number(v) for v in row.values], strict=True)),
            }
        )
    return {"form": {"code": form.code, "title": form.title, "columns": form.columns}, "rows": rows}


def subtree_on(frame: Frame) -> list[Org]:
    """The organizations of the root's subtree on the report date, the root first."""
    return list(Org.objects.filter(id__in=frame.org_ids_on(frame.as_of)).order_by("path"))


def member_counts_payload(frame: Frame) -> dict:
    orgs = subtree_on(frame)
    stock = stocks(frame, orgs)
    moved = flows(frame, [org.pk for org in orgs])
    rows = []
    for org in orgs:
        s = stock.get(org.pk)
        figures = {
            "members": s.total if s else 0,
            "full": s.count("status", MemberStatus.FULL) if s else 0,
            "probationary": s.count("status", MemberStatus.PROBATIONARY) if s else 0,
            "men": s.count("gender", Gender.MALE) if s else 0,
            "women": s.count("gender", Gender.FEMALE) if s else 0,
        }
        by_kind = moved.get(org.pk, {})
        figures.update({kind: by_kind.get(kind, 0) for kind in FLOW_FIGURES})
        rows.append({"org": org.code, "row": "", "label": org.name, "figures": figures})
    return {"rows": rows}


def payload_for(*, ctx: Context, kind: str, form: str | None = None) -> dict:
    """The payload of a report of ``kind`` on ``ctx`` (a context with its children)."""
    if kind == "indicators":
        return indicators_payload(ctx)
    if kind == "statform":
        return statform_payload(ctx.frame, form_code(form or ""))
    if kind == "member_counts":
        return member_counts_payload(ctx.frame)
    raise ReportInputError(f"Không có loại báo cáo «{kind}».")


# --- comparing ---------------------------------------------------------------------------------

Cell = tuple[str, str, str]  # (organization code, row key, figure)


def figure_label(kind: str, figure: str) -> str:
    if kind == "indicators":
        indicator = BY_CODE.get(figure)
        return indicator.name if indicator else figure
    if kind == "member_counts":
        return COUNT_FIGURES.get(figure, figure)
    return figure  # a form's column is already its full name


def flatten(payload: dict) -> tuple[dict[Cell, float | int | None], dict[tuple[str, str], str]]:
    """(cell → value, (organization, row) → the row's label)."""
    values: dict[Cell, float | int | None] = {}
    labels: dict[tuple[str, str], str] = {}
    for row in payload["rows"]:
        key = row.get("row", "")
        labels[(row["org"], key)] = row.get("label") or row["org"]
        for figure, value in row["figures"].items():
            values[(row["org"], key, figure)] = value
    return values, labels


@dataclass(frozen=True)
class Difference:
    org_code: str
    row_label: str
    figure: str
    figure_label: str
    submitted: float | int | None
    local: float | int | None

    @property
    def difference(self) -> float | int | None:
        if self.submitted is None or self.local is None:
            return None
        return _number(self.submitted - self.local)

    @property
    def differs(self) -> bool:
        return _number(self.submitted) != _number(self.local)


def compare(*, kind: str, submitted: dict, local: dict) -> list[Difference]:
    """Every cell of either payload, the ones that differ first (then in the package's order)."""
    theirs, their_labels = flatten(submitted)
    ours, our_labels = flatten(local)
    cells = list(theirs) + [cell for cell in ours if cell not in theirs]
    labels = {**our_labels, **their_labels}
    out = [
        Difference(
            org_code=org,
            row_label=labels.get((org, row), org),
            figure=figure,
            figure_label=figure_label(kind, figure),
            submitted=theirs.get((org, row, figure)),
            local=ours.get((org, row, figure)),
        )
        for org, row, figure in cells
    ]
    return sorted(out, key=lambda d: not d.differs)  # stable: the package's order within each part
