"""Charts drawn on the server as SVG: no script, no library, nothing fetched.

Colours and fonts come from the stylesheet through class names (a series
names its own, e.g. ``optimaal``), so the markup carries no inline style and
passes the page's content security policy. Every text is escaped.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH, HEIGHT = 720, 300
LEFT, RIGHT, TOP, BOTTOM = 96, 16, 62, 44


@dataclass(frozen=True)
class Series:
    """One series: its name in the legend, a value per category, and the class that colours it."""

    name: str
    values: Sequence[float | None]
    kind: str


def ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round values from ``low`` to ``high`` (both included after rounding out), about ``count`` of them."""
    if high <= low:
        high = low + 1
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    start, end = math.floor(low / step) * step, math.ceil(high / step) * step
    return [round(start + k * step, 10) for k in range(round((end - start) / step) + 1)]


class _Frame:
    """The plot area and the value axis shared by the bar and the line chart."""

    def __init__(self, series: Sequence[Series], label: Callable[[float], str]):
        values = [v for one in series for v in one.values if v is not None]
        self.scale = ticks(min(0.0, *values) if values else 0.0, max(0.0, *values) if values else 1.0)
        self.low, self.high = self.scale[0], self.scale[-1]
        self.label = label
        self.width = WIDTH - LEFT - RIGHT
        self.height = HEIGHT - TOP - BOTTOM

    def y(self, value: float) -> float:
        return TOP + self.height * (self.high - value) / (self.high - self.low)

    def axis(self) -> list[str]:
        parts = []
        for value in self.scale:
            y = self.y(value)
            parts.append(f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>')
            parts.append(f'<text class="tick" x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">'
                         f"{escape(self.label(value))}</text>")
        zero = self.y(0.0)
        parts.append(f'<line class="axis" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{zero:.1f}" y2="{zero:.1f}"/>')
        return parts


def _legend(series: Sequence[Series]) -> list[str]:
    parts, x = [], LEFT
    for one in series:
        parts.append(f'<rect class="{one.kind}" x="{x}" y="32" width="12" height="12"/>')
        parts.append(f'<text class="legend" x="{x + 16}" y="42">{escape(one.name)}</text>')
        x += 24 + 7 * len(one.name)
    return parts


def _svg(title: str, parts: list[str]) -> Markup:
    head = (f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" xmlns="http://www.w3.org/2000/svg" '
            f'aria-label="{escape(title)}"><title>{escape(title)}</title>'
            f'<text class="title" x="8" y="18">{escape(title)}</text>')
    return Markup(head + "".join(parts) + "</svg>")


def bar_chart(title: str, categories: Sequence[str], series: Sequence[Series],
              label: Callable[[float], str]) -> Markup:
    """Bars side by side per category, one colour per series; a missing value draws no bar."""
    frame = _Frame(series, label)
    parts = frame.axis() + _legend(series)
    band = frame.width / max(len(categories), 1)
    bar = band * 0.8 / max(len(series), 1)
    zero = frame.y(0.0)
    for c, category in enumerate(categories):
        x0 = LEFT + band * c + band * 0.1
        for k, one in enumerate(series):
            value = one.values[c]
            if value is None:
                continue
            top, bottom = sorted((frame.y(value), zero))
            parts.append(f'<rect class="{one.kind}" x="{x0 + bar * k:.1f}" y="{top:.1f}" width="{bar:.1f}" '
                         f'height="{max(bottom - top, 0.5):.1f}"><title>{escape(one.name)}, {escape(category)}: '
                         f"{escape(label(value))}</title></rect>")
        parts.append(f'<text class="tick" x="{LEFT + band * (c + 0.5):.1f}" y="{HEIGHT - BOTTOM + 18}" '
                     f'text-anchor="middle">{escape(category)}</text>')
    return _svg(title, parts)


def line_chart(title: str, categories: Sequence[str], series: Sequence[Series],
               label: Callable[[float], str]) -> Markup:
    """One line with dots per series over the categories; a missing value breaks the line."""
    frame = _Frame(series, label)
    parts = frame.axis() + _legend(series)
    step = frame.width / max(len(categories), 1)

    def x(c: int) -> float:
        return LEFT + step * (c + 0.5)

    for c, category in enumerate(categories):
        parts.append(f'<text class="tick" x="{x(c):.1f}" y="{HEIGHT - BOTTOM + 18}" text-anchor="middle">'
                     f"{escape(category)}</text>")
    for one in series:
        points = [(x(c), frame.y(v)) for c, v in enumerate(one.values) if v is not None]
        if len(points) > 1:
            path = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
            parts.append(f'<polyline class="line {one.kind}" points="{path}"/>')
        for (px, py), value in zip(points, [v for v in one.values if v is not None], strict=True):
            parts.append(f'<circle class="{one.kind}" cx="{px:.1f}" cy="{py:.1f}" r="4"><title>{escape(one.name)}: '
                         f"{escape(label(value))}</title></circle>")
    return _svg(title, parts)
