"""The server-drawn SVG charts (stats.charts): readable text, colours by status with a legend,
one unit per chart, and the target tick never over a label or a value."""

import re
import xml.etree.ElementTree as ET

import pytest

from dangbo.stats.charts import (
    COLOURS,
    COUNT,
    LABEL_BUDGET,
    MIN_FONT,
    NARROWEST,
    Bar,
    bar_chart,
    text_width,
    value_place,
    wrap,
)
from dangbo.stats.indicators import PERCENT

LONG = (
    "Đảng bộ Cơ quan Ủy ban nhân dân tỉnh và các đơn vị sự nghiệp công lập trực thuộc "
    "Sở Nông nghiệp và Phát triển nông thôn tỉnh Lào Cai"
)


def _tree(html: str) -> ET.Element:
    root = ET.fromstring(html)
    for element in root.iter():
        element.tag = element.tag.split("}")[-1]  # the SVG namespace off
    return root


def _chart(bars, **kwargs) -> ET.Element:
    return _tree(bar_chart(bars, title="Biểu đồ thử", **kwargs))


def _svg(root: ET.Element) -> ET.Element:
    return next(e for e in root.iter("svg") if e.get("class") == "chart")


def test_bars_are_coloured_by_status_and_the_legend_names_the_colours():
    root = _chart(
        [
            Bar("Xã Một", 0.95, "95,0 %", status="met", target=0.9),
            Bar("Xã Hai", 0.40, "40,0 %", status="not_met", target=0.9),
            Bar("Xã Ba", 0.60, "60,0 %", status="no_target"),
            Bar("Xã Bốn", 0, "—", missing=True, status="no_data", target=0.9),
        ],
        unit=PERCENT,
    )
    fills = [rect.get("fill") for rect in _svg(root).iter("rect")]
    assert fills == [COLOURS["achieved"], COLOURS["not_achieved"], COLOURS["untargeted"]]  # none when missing
    assert len(set(COLOURS.values())) == 3
    legend = root.find("ul")
    assert legend is not None and legend.get("class") == "chart-legend"
    items = ["".join(li.itertext()) for li in legend.iter("li")]
    assert items == ["Đạt mục tiêu", "Chưa đạt mục tiêu", "Không có mục tiêu", "Mục tiêu của từng chỉ tiêu"]
    swatches = [r.get("fill") for li in legend.iter("li") for r in li.iter("rect")]
    assert swatches == fills
    # the status in words too: on hover
    titles = [g.find("title").text for g in _svg(root).iter("g") if g.find("title") is not None]
    assert titles == [
        "Xã Một: 95,0 % — đạt",
        "Xã Hai: 40,0 % — chưa đạt",
        "Xã Ba: 60,0 %",
        "Xã Bốn: chưa có số liệu",
    ]


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def test_every_status_colour_meets_wcag_aa_against_white():
    for colour in COLOURS.values():
        assert 1.05 / (_luminance(colour) + 0.05) >= 4.5, colour


def test_above_the_range_is_not_shown_as_achieved():
    root = _chart([Bar("Xã Một", 0.05, "5,0 %", status="above_range", target=0.03)], unit=PERCENT)
    assert [r.get("fill") for r in _svg(root).iter("rect")] == [COLOURS["not_achieved"]]
    assert "Chưa đạt hoặc vượt khoảng mục tiêu" in "".join(root.find("ul").itertext())


def test_a_breakdown_of_counts_has_one_colour_and_no_legend():
    root = _chart([Bar("Nam", 120, "120"), Bar("Nữ", 80, "80")])
    assert root.find("ul") is None
    assert {r.get("fill") for r in _svg(root).iter("rect")} == {COLOURS["untargeted"]}


def test_a_long_name_is_wrapped_cut_and_kept_whole_on_hover():
    root = _chart([Bar(LONG, 10, "10")])
    group = next(g for g in _svg(root).iter("g") if g.find("title") is not None)
    lines = [t.text for t in group.find("text").iter("tspan")]
    assert len(lines) == 2 and lines[-1].endswith("…")
    assert all(text_width(line, 14) <= LABEL_BUDGET for line in lines)
    assert group.find("title").text == f"{LONG}: 10"
    assert wrap("Xã Một") == ["Xã Một"]
    assert wrap("Chi bộ Tổ dân phố số 1 phường Kim Tân") == ["Chi bộ Tổ dân phố số 1 phường Kim Tân"]
    assert all(text_width(line, 14) <= LABEL_BUDGET for line in wrap("X" * 80))


def test_no_text_is_smaller_than_12_px_and_the_chart_is_not_scaled():
    root = _chart(
        [Bar(LONG, 0.5, "50,0 %", status="not_met"), Bar("Xã Hai", 1, "100,0 %", status="met")],
        unit=PERCENT,
        target=0.9,
        target_text="mục tiêu ≥ 90 %",
    )
    svg = _svg(root)
    assert svg.get("viewBox") is None and svg.get("width") == "100%"  # one unit is one CSS pixel
    sizes = [float(t.get("font-size")) for t in svg.iter("text")]
    assert sizes and min(sizes) >= MIN_FONT
    assert all(t.get("font-size") is None or float(t.get("font-size")) >= MIN_FONT for t in svg.iter("tspan"))


def test_percentages_are_drawn_from_0_to_100_and_counts_to_their_largest():
    root = _chart([Bar("Xã Một", 0.5, "50,0 %"), Bar("Xã Hai", 0.25, "25,0 %")], unit=PERCENT)
    svg = _svg(root)
    assert [r.get("width") for r in svg.iter("rect")] == ["50.00%", "25.00%"]
    axis = [t.text for t in svg.iter("text") if t.get("class") is None]
    assert axis == ["0 %", "50 %", "100 %"]

    root = _chart([Bar("Nam", 1200, "1.200"), Bar("Nữ", 300, "300")], unit=COUNT)
    svg = _svg(root)
    assert [r.get("width") for r in svg.iter("rect")] == ["100.00%", "25.00%"]
    axis = [t.text for t in svg.iter("text") if t.get("class") is None]
    assert axis == ["0", "1.200"] and not any("%" in (t.text or "") for t in svg.iter("text"))
    # the unit is read from the values when not given
    assert "100 %" in bar_chart([Bar("A", 0.1, "10,0 %")], title="t")


def test_a_chart_never_mixes_a_percentage_with_a_count():
    with pytest.raises(ValueError):
        bar_chart([Bar("Tỷ lệ", 0.5, "50,0 %"), Bar("Số đảng viên", 120, "120")], title="t")
    with pytest.raises(ValueError):
        bar_chart([Bar("Số đảng viên", 120, "120")], title="t", unit=PERCENT)
    with pytest.raises(ValueError):
        bar_chart([Bar("Tỷ lệ", 0.5, "50,0 %")], title="t", unit=COUNT)
    # a missing value is neither
    bar_chart([Bar("Tỷ lệ", 0.5, "50,0 %"), Bar("Chưa có", 0, "—", missing=True)], title="t", unit=PERCENT)


def _y_ranges(svg):
    labels, ticks, values = [], [], []
    for group in svg.iter("g"):
        if group.get("class") == "axis":
            continue
        ys = [float(t.get("y")) for t in group.find("text").iter("tspan")]
        labels.append((min(ys) - 14, max(ys) + 4))  # ascenders and descenders of 14 px text
        for line in group.iter("line"):
            ticks.append((float(line.get("y1")), float(line.get("y2"))))
        value = next(t for t in group.iter("text") if t.get("class") == "value")
        values.append(value)
    return labels, ticks, values


def test_the_target_tick_crosses_the_bars_only_and_its_caption_is_in_the_legend():
    root = _chart(
        [Bar(LONG, 0.5, "50,0 %", status="not_met"), Bar("Xã Hai", 0.95, "95,0 %", status="met")],
        unit=PERCENT,
        target=0.9,
        target_text="mục tiêu ≥ 90 %",
    )
    svg = _svg(root)
    labels, ticks, _ = _y_ranges(svg)
    assert len(ticks) == 2
    for top, bottom in ticks:
        assert all(bottom <= label_top or top >= label_bottom for label_top, label_bottom in labels)
    assert "Mục tiêu ≥ 90 %" in "".join(root.find("ul").itertext())
    assert not any("mục tiêu" in (t.text or "").lower() for t in svg.iter("text"))  # not drawn in the chart


def _span(anchor: float, inside: bool, width: float, chart: float) -> tuple[float, float]:
    x = anchor * chart
    return (x - 5 - width, x - 5) if inside else (x + 5, x + 5 + width)


@pytest.mark.parametrize("chart_width", [NARROWEST, 547, 1000])
@pytest.mark.parametrize(
    ("fraction", "tick"),
    [(0.0, 0.03), (0.5, 0.55), (0.5, 0.9), (0.85, 0.9), (1.0, 0.9), (0.95, 0.9), (1.0, 1.0), (0.6, 0.6)],
)
def test_a_value_text_stays_clear_of_its_target_tick_and_inside_the_chart(fraction, tick, chart_width):
    width = text_width("100,0 %", 13)
    anchor, inside = value_place(fraction, tick, width)
    left, right = _span(anchor, inside, width, chart_width)
    x = tick * chart_width
    assert right <= x - 1 or left >= x + 1, (anchor, inside)
    assert left >= 0 and right <= chart_width
    if inside:
        assert anchor <= fraction  # white text over the bar, never on white


def test_html_is_escaped():
    html = bar_chart([Bar("<b>A & B</b>", 1, "1")], title='"t" <x>')
    assert "<b>" not in html and "&lt;b&gt;A &amp; B&lt;/b&gt;" in html
    assert re.search(r'aria-label="&quot;t&quot; &lt;x&gt;"', html)
