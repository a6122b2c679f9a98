"""Charts drawn on the server as SVG (DESIGN.md: accessible, printable, the same in PDF).

A chart is a set of horizontal bars, one per labelled value, with an optional target
line. The page always prints the chart's data table beside it, so the SVG is marked as
an image with a short description and the numbers are read from the table.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from django.utils.safestring import SafeString, mark_safe

BAR_HEIGHT = 18
GAP = 6
LABEL_WIDTH = 300
BAR_WIDTH = 260
VALUE_WIDTH = 80
PALETTE = ("#1f5fa8", "#b3261e")  # bar; target line


@dataclass(frozen=True)
class Bar:
    label: str
    value: float  # what the bar's length shows
    text: str  # the value as printed
    missing: bool = False


def _truncate(label: str, limit: int = 46) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def bar_chart(
    bars: list[Bar],
    *,
    title: str,
    scale_max: float | None = None,
    target: float | None = None,
    target_text: str = "",
) -> SafeString:
    """Horizontal bars scaled to ``scale_max`` (the largest value by default); ``target`` draws
    a vertical line at that value."""
    top = max([b.value for b in bars if not b.missing] + [target or 0, scale_max or 0, 0]) or 1
    scale = BAR_WIDTH / top
    height = len(bars) * (BAR_HEIGHT + GAP) + GAP + (16 if target is not None else 0)
    width = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH
    parts = [
        f'<svg class="chart" role="img" aria-label="{escape(title)}" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for i, bar in enumerate(bars):
        y = GAP + i * (BAR_HEIGHT + GAP)
        mid = y + BAR_HEIGHT / 2 + 4
        parts.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{mid:.1f}" text-anchor="end" font-size="12">{escape(_truncate(bar.label))}</text>'
        )
        length = 0 if bar.missing else max(bar.value * scale, 0)
        parts.append(
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{length:.1f}" height="{BAR_HEIGHT}" fill="{PALETTE[0]}"></rect>'
        )
        parts.append(
            f'<text x="{LABEL_WIDTH + length + 4:.1f}" y="{mid:.1f}" font-size="12">{escape(bar.text)}</text>'
        )
    if target is not None:
        x = LABEL_WIDTH + target * scale
        bottom = height - 16
        parts.append(
            f'<line x1="{x:.1f}" y1="0" x2="{x:.1f}" y2="{bottom}" stroke="{PALETTE[1]}" stroke-width="2" '
            f'stroke-dasharray="4 3"></line>'
        )
        parts.append(
            f'<text x="{min(x, LABEL_WIDTH + BAR_WIDTH):.1f}" y="{height - 3}" text-anchor="middle" font-size="11" '
            f'fill="{PALETTE[1]}">{escape(target_text or "mục tiêu")}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))
