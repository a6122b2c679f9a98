"""Charts drawn on the server as SVG (DESIGN.md: accessible, printable, the same in PDF).

A chart is a set of horizontal bars, one per labelled value, each bar coloured by its status
(achieved, not achieved, no target), with an optional target mark per bar. The page always
prints the chart's data table beside it, so the SVG is marked as an image with a short
description and the numbers are read from the table.

Layout: each label sits on its own line(s) *above* its bar, so the chart reads at any width.
The SVG has no viewBox: one user unit is one CSS pixel, the text keeps its size (never below
``MIN_FONT`` px) on a 390 px phone as on a 1366 px screen, and the bars' lengths and the
target marks are percentages of the chart's width. Labels are wrapped for the narrowest
chart (``LABEL_BUDGET`` px, a phone) and cut after two lines; every bar's group carries a
``<title>`` with its full label, value and status (shown on hover).

A chart shows one unit: shares and rates on a 0–100 % scale, or counts up to their largest
value; a chart whose values mix the two is refused (``ValueError``). The target is marked by a
short tick across each bar only (never across a label), and its caption is in the legend.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, replace
from html import escape

from django.utils.safestring import SafeString, mark_safe

from dangbo.core.formats import format_number
from dangbo.stats.indicators.context import PERCENT
from dangbo.stats.indicators.results import ABOVE, MET, NO_DATA, NO_TARGET, NOT_MET, STATUS_LABELS

COUNT = "count"  # and PERCENT, the indicators' unit for shares and rates

# Sizes in CSS pixels (the SVG is not scaled).
MIN_FONT = 12
LABEL_FONT = 14
VALUE_FONT = 13
LINE = 18  # a label line
BAR_HEIGHT = 16
ROW_GAP = 12
LABEL_BUDGET = 290  # a label line's width: a 390 px phone leaves the chart about 316 px
NARROWEST = 300  # the narrowest chart the value texts are placed for
MAX_LINES = 2

# Status → colour class. Each colour has at least 4.5:1 contrast with white (WCAG AA), so the
# white value text inside a long bar is readable too.
ACHIEVED, NOT_ACHIEVED, UNTARGETED = "achieved", "not_achieved", "untargeted"
STATUS_CLASS = {
    MET: ACHIEVED,
    NOT_MET: NOT_ACHIEVED,
    ABOVE: NOT_ACHIEVED,  # outside the target's range: not hidden as achieved
    NO_TARGET: UNTARGETED,
    NO_DATA: UNTARGETED,
}
COLOURS = {ACHIEVED: "#2e7d32", NOT_ACHIEVED: "#9b1c1c", UNTARGETED: "#1f5fa8"}
LEGEND = {ACHIEVED: "Đạt mục tiêu", NOT_ACHIEVED: "Chưa đạt mục tiêu", UNTARGETED: "Không có mục tiêu"}
MISSING = "chưa có số liệu"  # printed for a bar without a value
INK, MUTED, AXIS, TARGET = "#1a1a1a", "#4a4a4a", "#767676", "#1a1a1a"


@dataclass(frozen=True)
class Bar:
    label: str
    value: float  # what the bar's length shows
    text: str  # the value as printed
    missing: bool = False
    status: str = NO_TARGET  # a Result.status: met | not_met | above_range | no_target | no_data
    target: float | None = None  # this bar's own target, marked across the bar


# Advance widths in thousandths of an em, the larger of DejaVu Sans and Liberation Sans (the
# page's fonts; Arial has Liberation's metrics), so that a wrapped line is never wider than
# estimated. Vietnamese letters are measured by their base letter (the marks add no width).
_CHARS = (
    " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~Đđ…–—≥≤"
)
_ADVANCES = """
318 401 460 838 636 950 780 275 390 390 500 838 318 361 318 337
636 636 636 636 636 636 636 636 636 636 337 337 838 838 838 556
1015 684 686 722 770 667 611 778 752 295 500 667 557 863 748 787
667 787 722 667 611 732 684 989 685 667 685 390 337 390 838 556
500 613 635 550 635 615 352 635 634 278 278 579 278 974 634 612
635 635 411 521 392 634 592 818 592 592 525 636 337 636 838 775
635 1000 556 1000 838 838
"""
_WIDTHS = dict(zip(_CHARS, map(int, _ADVANCES.split()), strict=True))


def text_width(text: str, size: float) -> float:
    """The estimated width in px of ``text`` at font size ``size``."""
    total = 0
    for char in text:
        base = char if char in _WIDTHS else unicodedata.normalize("NFD", char)[:1]
        if unicodedata.combining(base):
            continue
        total += _WIDTHS.get(base, 700)
    return total * size / 1000


def wrap(
    label: str, *, budget: float = LABEL_BUDGET, size: float = LABEL_FONT, lines: int = MAX_LINES
) -> list[str]:
    """``label`` in lines no wider than ``budget`` px, at most ``lines`` of them; the last one
    ends with «…» when the label was cut."""
    out: list[str] = []
    current = ""
    for word in label.split():
        candidate = f"{current} {word}" if current else word
        if text_width(candidate, size) <= budget:
            current = candidate
            continue
        if current:
            out.append(current)
        current = word
        while text_width(current, size) > budget:  # a word wider than a line is broken
            piece = current
            while len(piece) > 1 and text_width(piece, size) > budget:
                piece = piece[:-1]
            out.append(piece)
            current = current[len(piece) :]
    if current:
        out.append(current)
    if len(out) > lines:
        out = [*out[: lines - 1], _cut(" ".join(out[lines - 1 :]), budget, size)]
    return out


def _cut(text: str, budget: float, size: float) -> str:
    if text_width(text, size) <= budget:
        return text
    while text and text_width(text + "…", size) > budget:
        text = text[:-1]
    return text.rstrip() + "…"


def chart_unit(bars: list[Bar]) -> str:
    """PERCENT when every printed value is a percentage, COUNT when none is; a mix is refused."""
    kinds = {b.text.strip().endswith("%") for b in bars if not b.missing}
    if len(kinds) > 1:
        raise ValueError("một biểu đồ không trộn tỷ lệ phần trăm với số lượng")
    return PERCENT if kinds == {True} else COUNT


def bar_chart(
    bars: list[Bar],
    *,
    title: str,
    unit: str | None = None,
    scale_max: float | None = None,
    target: float | None = None,
    target_text: str = "",
) -> SafeString:
    """The chart as HTML: a legend (when a bar has a target or a status) above the SVG.

    ``unit`` is PERCENT (a 0–100 % scale, whatever ``scale_max``) or COUNT (scaled to the largest
    value, or ``scale_max`` when larger); it is read from the printed values when not given.
    ``target`` marks the same target across every bar, captioned ``target_text`` in the legend.
    """
    found = chart_unit(bars)
    unit = unit or found
    if unit != found and any(not b.missing for b in bars):
        raise ValueError(f"biểu đồ {unit} có giá trị in theo đơn vị khác")
    if target is not None:
        bars = [replace(b, target=target) for b in bars]
    if unit == PERCENT:
        top = 1.0
    else:
        values = [b.value for b in bars if not b.missing] + [b.target or 0 for b in bars]
        top = max([*values, scale_max or 0, 0]) or 1
    parts: list[str] = []
    y = 4.0
    for bar in bars:
        drawn, y = _bar(bar, y, top)
        parts.append(drawn)
    parts.append(_axis(y, unit, top))
    height = y + 24
    svg = (
        f'<svg class="chart" role="img" aria-label="{escape(title)}" width="100%" height="{height:.0f}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>{"".join(parts)}</svg>'
    )
    return mark_safe(f'<figure class="chart">{_legend(bars, target, target_text)}{svg}</figure>')


def _pct(fraction: float) -> str:
    return f"{min(max(fraction, 0), 1) * 100:.2f}%"


def _bar(bar: Bar, y: float, top: float) -> tuple[str, float]:
    """The bar's group (label lines, bar, target tick, value) drawn from ``y`` down, and the
    ``y`` of the next one."""
    lines = wrap(bar.label)
    kind = STATUS_CLASS.get(bar.status, UNTARGETED)
    colour = COLOURS[kind]
    if bar.missing:
        hover = f"{bar.label}: {MISSING}"
    elif kind == UNTARGETED:
        hover = f"{bar.label}: {bar.text}"
    else:
        hover = f"{bar.label}: {bar.text} — {STATUS_LABELS[bar.status].lower()}"
    out = [f"<g><title>{escape(hover)}</title>"]
    tspans = "".join(
        f'<tspan x="0" y="{y + 14 + i * LINE:.1f}">{escape(line)}</tspan>' for i, line in enumerate(lines)
    )
    out.append(f'<text class="label" font-size="{LABEL_FONT}" fill="{INK}">{tspans}</text>')
    bar_y = y + len(lines) * LINE + 6
    fraction = 0.0 if bar.missing else min(max(bar.value / top, 0), 1)
    if fraction > 0:
        out.append(
            f'<rect x="0" y="{bar_y:.1f}" width="{_pct(fraction)}" height="{BAR_HEIGHT}" fill="{colour}"></rect>'
        )
    tick = None if bar.target is None else min(max(bar.target / top, 0), 1)
    if tick is not None:
        x = _pct(tick)
        shift = (
            ' transform="translate(1 0)"'
            if tick <= 0
            else ' transform="translate(-1 0)"'
            if tick >= 1
            else ""
        )
        out.append(
            f'<line class="target" x1="{x}" y1="{bar_y - 3:.1f}" x2="{x}" y2="{bar_y + BAR_HEIGHT + 3:.1f}" '
            f'stroke="{TARGET}" stroke-width="2"{shift}></line>'
        )
    anchor, inside = value_place(fraction, tick, text_width(MISSING if bar.missing else bar.text, VALUE_FONT))
    baseline = bar_y + BAR_HEIGHT / 2 + VALUE_FONT * 0.35
    if inside:
        attrs = f'dx="-5" text-anchor="end" fill="#fff" stroke="{colour}"'
    else:
        attrs = f'dx="5" fill="{MUTED if bar.missing else INK}" stroke="#fff"'
    out.append(
        f'<text class="value" x="{_pct(anchor)}" y="{baseline:.1f}" {attrs} stroke-width="3" '
        f'paint-order="stroke" font-size="{VALUE_FONT}">{escape(MISSING if bar.missing else bar.text)}</text>'
    )
    out.append("</g>")
    return "".join(out), bar_y + BAR_HEIGHT + ROW_GAP


def value_place(fraction: float, tick: float | None, width: float) -> tuple[float, bool]:
    """Where a bar's value text goes: (the fraction of the chart's width it is anchored at,
    whether it is inside the bar, ending there) — otherwise it starts there, on white.

    After the bar's end when it fits there in the narrowest chart, else inside the bar's end;
    and never across the target tick: a text the tick would cross moves to the tick's far side
    (after it, or inside the bar before it). Checked at ``NARROWEST`` px, the worst case: a
    wider chart only moves the tick further from the text. When no place is free (a tiny bar
    on a phone), the text keeps its halo, which hides the tick under it."""
    need = (width + 10) / NARROWEST  # the text, its 5 px offset and a margin, as a fraction
    outside_fits = 1 - fraction >= need
    inside_fits = fraction >= need
    if outside_fits or not inside_fits:
        if tick is None or not fraction <= tick < fraction + need:
            return fraction, False
        if 1 - tick >= need:
            return tick, False  # after the tick
        if tick >= fraction and inside_fits:
            return fraction, True
        return fraction, False
    if tick is None or not fraction - need < tick < fraction:
        return fraction, True
    if tick >= need:
        return tick, True  # inside the bar, ending before the tick
    return fraction, True


def _axis(y: float, unit: str, top: float) -> str:
    """The scale under the bars: 0, 50 % and 100 %, or 0 and the largest count."""
    if unit == PERCENT:
        ticks = [(0.0, "0 %", "start"), (0.5, "50 %", "middle"), (1.0, "100 %", "end")]
    else:
        ticks = [(0.0, "0", "start"), (1.0, format_number(top), "end")]
    out = [f'<g class="axis"><line x1="0" y1="{y:.1f}" x2="100%" y2="{y:.1f}" stroke="{AXIS}"></line>']
    for fraction, text, anchor in ticks:
        x = _pct(fraction)
        out.append(f'<line x1="{x}" y1="{y:.1f}" x2="{x}" y2="{y + 4:.1f}" stroke="{AXIS}"></line>')
        out.append(
            f'<text x="{x}" y="{y + 18:.1f}" text-anchor="{anchor}" font-size="{VALUE_FONT}" fill="{MUTED}">'
            f"{escape(text)}</text>"
        )
    out.append("</g>")
    return "".join(out)


def _legend(bars: list[Bar], target: float | None, target_text: str) -> str:
    """The colours used and the target mark, in HTML above the chart; none when every bar is
    untargeted (a breakdown of counts: there is nothing to tell apart)."""
    present = {STATUS_CLASS.get(b.status, UNTARGETED) for b in bars if not b.missing}
    targeted = any(b.target is not None for b in bars)
    if present <= {UNTARGETED} and not targeted:
        return ""
    items = []
    for key in (ACHIEVED, NOT_ACHIEVED, UNTARGETED):
        if key not in present:
            continue
        text = LEGEND[key]
        if key == NOT_ACHIEVED and any(b.status == ABOVE for b in bars):
            text = "Chưa đạt hoặc vượt khoảng mục tiêu"
        items.append(
            f'<li class="legend-{key}"><svg width="14" height="14" aria-hidden="true">'
            f'<rect width="14" height="14" fill="{COLOURS[key]}"></rect></svg>{escape(text)}</li>'
        )
    if targeted:
        caption = target_text if target is not None and target_text else "Mục tiêu của từng chỉ tiêu"
        items.append(
            '<li class="legend-target"><svg width="14" height="18" aria-hidden="true">'
            f'<line x1="7" y1="0" x2="7" y2="18" stroke="{TARGET}" stroke-width="2"></line></svg>'
            f"{escape(caption[:1].upper() + caption[1:])}</li>"
        )
    return f'<ul class="chart-legend" aria-label="Chú giải">{"".join(items)}</ul>'
