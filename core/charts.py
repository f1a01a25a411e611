"""Server-rendered SVG charts: horizontal bars, columns by year, and the justice funnel.

Every chart is a self-contained `<svg role="img">` with a `<title>` and a `<desc>` (named by
`aria-labelledby`), drawn in a colour-blind-safe palette (Okabe & Ito) on white, with text in
the page's ink colour and the system font: no JavaScript, no external fonts, nothing fetched.
The numbers are always also given as an HTML table next to the chart; the chart is the picture.

All markup is built with `format_html`, so every label and text is escaped: a label such as
`<script>` arrives as `&lt;script&gt;`. Numbers are formatted before they reach the markup.

Right to left: on Urdu pages (a right-to-left language is active) every chart is drawn mirrored.
Urdu readers read from the right, so the category labels and the bars start at the right edge, the
value axis stands on the right, and a time axis runs from right to left: the earliest year at the
right, the latest at the left, as Material Design's bidirectionality guidance mirrors time lines and
charts for right-to-left languages. The svg carries its own `direction`, so text anchors ("start",
"end") follow the reading direction and a page's `dir` never pulls a label off the chart. Numbers
are not mirrored: 1,234 reads left to right in either language.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from django.utils import translation
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.text import slugify
from django.utils.translation import gettext, pgettext

# Okabe & Ito's palette, picked for colour-vision deficiencies; each has >= 3:1 contrast on white.
BLUE = "#0072B2"
VERMILLION = "#D55E00"
GREEN = "#007A5E"  # Okabe-Ito bluish green, darkened for 3:1 contrast on white
PURPLE = "#A2527F"  # reddish purple, darkened likewise
PALETTE = (BLUE, VERMILLION, GREEN, PURPLE)
INK = "#1a1a1a"
MUTED = "#4a4a4a"
GRID = "#c8c8c8"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', sans-serif"

Item = tuple[str, int | float | None]


def format_number(value: int | float | None) -> str:
    """1234 -> '1,234'; 2.5 -> '2.5'; None -> 'unknown' (in the page's language)."""
    if value is None:
        return gettext("unknown")
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}"
    return f"{int(value):,}"


def _truncate(text: str, limit: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _n(value: float) -> str:
    """A coordinate, short: 12.0 -> '12', 12.345 -> '12.3'."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


class Mirror:
    """Horizontal coordinates for a chart `width` wide, drawn in the reading direction.

    Left to right, `x(12)` is 12 from the left edge; right to left (Urdu), 12 from the right edge.
    A box from `x` to `x + w` is mirrored as a whole: `box(x, w)` gives its left edge either way.
    """

    def __init__(self, width: float, rtl: bool | None = None):
        self.width = width
        self.rtl = translation.get_language_bidi() if rtl is None else rtl

    def x(self, x: float) -> float:
        return self.width - x if self.rtl else x

    def box(self, x: float, w: float) -> float:
        return self.width - x - w if self.rtl else x

    @property
    def direction(self) -> str:
        return "rtl" if self.rtl else "ltr"


def _svg(
    chart_id: str,
    title: str,
    desc: str,
    mirror: Mirror,
    height: float,
    body: list[SafeString],
    font_size: int = 16,
) -> SafeString:
    """Wrap `body` in an accessible, scalable <svg> element, in the reading direction of `mirror`."""
    chart_id = slugify(chart_id) or "chart"
    return format_html(
        '<svg class="chart" role="img" aria-labelledby="{id}-title {id}-desc" viewBox="0 0 {w} {h}" '
        'width="{w}" height="{h}" preserveAspectRatio="{align}YMin meet" xmlns="http://www.w3.org/2000/svg" '
        'direction="{direction}" font-family="{font}" font-size="{size}" fill="{ink}">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>{body}</svg>',
        id=chart_id,
        align="xMax" if mirror.rtl else "xMin",
        direction=mirror.direction,
        w=_n(mirror.width),
        h=_n(height),
        font=FONT,
        size=font_size,
        ink=INK,
        title=title,
        desc=desc,
        body=format_html_join("", "{}", ((part,) for part in body)),
    )


def _empty(chart_id: str, title: str, desc: str, width: float = 480) -> SafeString:
    mirror = Mirror(width)
    text = format_html(
        '<text x="{}" y="24" fill="{}">{}</text>', _n(mirror.x(0)), MUTED, gettext("No data for this selection.")
    )
    return _svg(chart_id, title, desc, mirror, 36, [text])


def bar_chart(
    items: Sequence[Item],
    *,
    title: str,
    desc: str,
    chart_id: str,
    colour: str = BLUE,
    value_format: Callable[[int | float | None], str] = format_number,
    width: int = 480,
    label_limit: int = 52,
) -> SafeString:
    """Horizontal bars, one per (label, value), in the order given.

    Each label sits on its own line above its bar, so the chart stays readable when it is
    scaled down to a phone's width. Bars share one linear scale from zero; a None value draws
    no bar and reads "unknown". Right to left, labels and bars start at the right edge and each
    value stands to the left of its bar.
    """
    if not items:
        return _empty(chart_id, title, desc, width)
    mirror = Mirror(width)
    row_height, bar_height, value_room = 48, 18, 84
    largest = max((v for _, v in items if v is not None), default=0) or 1
    scale = (width - value_room) / largest
    parts: list[SafeString] = []
    for index, (label, value) in enumerate(items):
        top = index * row_height
        bar = 0 if value is None else max(value * scale, 1 if value else 0)
        parts.append(
            format_html(
                '<g><title>{full}: {shown}</title><text x="{tx}" y="{ty}">{label}</text>'
                '<rect x="{bx}" y="{by}" width="{bw}" height="{bh}" fill="{colour}"/>'
                '<text x="{vx}" y="{vy}" font-weight="600">{shown}</text></g>',
                full=str(label),
                label=_truncate(label, label_limit),
                shown=value_format(value),
                tx=_n(mirror.x(0)),
                ty=_n(top + 17),
                bx=_n(mirror.box(0, bar)),
                by=_n(top + 23),
                bw=_n(bar),
                bh=bar_height,
                colour=colour,
                vx=_n(mirror.x(bar + 6)),
                vy=_n(top + 38),
            )
        )
    return _svg(chart_id, title, desc, mirror, len(items) * row_height, parts)


def nice_step(largest: float, ticks: int = 4) -> float:
    """A round gridline step (1, 2 or 5 times a power of ten, at least 1) giving about `ticks` lines."""
    if largest <= 0:
        return 1
    raw = largest / ticks
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * power:
            step = factor * power
            return step if step >= 1 else 1
    return 10 * power  # pragma: no cover - the loop always returns


# Column labels: at most 8 characters, in 13-unit text. A character of the system font is taken
# as 0.6 of the font size wide (digits are about 0.55), and labels keep 8 units apart.
COLUMN_LABEL_LIMIT = 8
COLUMN_FONT_SIZE = 13
CHAR_WIDTH_EM = 0.6
LABEL_GAP = 8
# Columns are widened so every label fits only while the plot stays within this width.
LABELLED_PLOT_WIDTH = 640


def column_chart(
    items: Sequence[Item],
    *,
    title: str,
    desc: str,
    chart_id: str,
    colour: str = BLUE,
    value_format: Callable[[int | float | None], str] = format_number,
    height: int = 220,
) -> SafeString:
    """Vertical columns in the order given (e.g. one per year), with gridlines and a value axis.

    Every column is labelled when there is room: with few columns, the columns are made wide
    enough for their labels (up to `LABELLED_PLOT_WIDTH` in all). Only when the labels would
    overlap are they thinned, to every second, third... column. Every column carries a tooltip
    with its label and value. The width grows with the number of columns (the page lets it scroll).
    Right to left, the first item (the earliest year) stands at the right and the value axis on the
    right: the whole plot is mirrored.
    """
    if not items:
        return _empty(chart_id, title, desc)
    left, right, top, bottom = 56, 12, 10, 28
    labels = [_truncate(label, COLUMN_LABEL_LIMIT) for label, _ in items]
    # The room one label needs: its estimated text width at the chart's font size, plus a gap.
    label_room = max(len(label) for label in labels) * COLUMN_FONT_SIZE * CHAR_WIDTH_EM + LABEL_GAP
    column = max(30, math.ceil(label_room))
    if column * len(items) > LABELLED_PLOT_WIDTH:
        column = 30 if len(items) <= 20 else 22
    plot_w, plot_h = column * len(items), height - top - bottom
    width = max(320, left + plot_w + right)
    mirror = Mirror(width)
    largest = max((v for _, v in items if v is not None), default=0)
    step = nice_step(largest)
    axis_top = max(step, math.ceil(largest / step) * step)
    parts: list[SafeString] = []
    tick = 0.0
    while tick <= axis_top + step / 1000:
        y = top + plot_h - tick / axis_top * plot_h
        parts.append(
            format_html(
                '<line x1="{x1}" x2="{x2}" y1="{y}" y2="{y}" stroke="{grid}" stroke-width="1"/>'
                '<text x="{tx}" y="{ty}" text-anchor="end" fill="{muted}">{label}</text>',
                x1=_n(mirror.x(left)),
                x2=_n(mirror.x(left + plot_w)),
                y=_n(y),
                grid=GRID,
                tx=_n(mirror.x(left - 6)),
                ty=_n(y + 4),
                muted=MUTED,
                label=format_number(tick),
            )
        )
        tick += step
    label_every = max(1, math.ceil(label_room / column))  # 1 whenever every label fits its column
    for index, (label, value) in enumerate(items):
        x = left + index * column
        bar = 0 if value is None else value / axis_top * plot_h
        parts.append(
            format_html(
                '<g><title>{label}: {shown}</title><rect x="{x}" y="{y}" width="{w}" height="{h}" fill="{colour}"/></g>',
                label=str(label),
                shown=value_format(value),
                x=_n(mirror.box(x + 3, column - 6)),
                y=_n(top + plot_h - bar),
                w=column - 6,
                h=_n(bar),
                colour=colour,
            )
        )
        if index % label_every == 0:
            parts.append(
                format_html(
                    '<text x="{x}" y="{y}" text-anchor="middle">{label}</text>',
                    x=_n(mirror.x(x + column / 2)),
                    y=height - 8,
                    label=labels[index],
                )
            )
    parts.append(
        format_html(
            '<line x1="{x1}" x2="{x2}" y1="{y}" y2="{y}" stroke="{ink}" stroke-width="1"/>',
            x1=_n(mirror.x(left)),
            x2=_n(mirror.x(left + plot_w)),
            y=_n(top + plot_h),
            ink=INK,
        )
    )
    return _svg(chart_id, title, desc, mirror, height, parts, font_size=COLUMN_FONT_SIZE)


def funnel_chart(
    steps: Sequence[tuple[str, int]],
    *,
    title: str,
    desc: str,
    chart_id: str,
    colour: str = BLUE,
    width: int = 480,
) -> SafeString:
    """The justice funnel: one centred bar per step, each labelled with its count and its
    share of the first step ("12 of 40, 30%"). Right to left, the labels start at the right edge."""
    if not steps:
        return _empty(chart_id, title, desc, width)
    mirror = Mirror(width)
    separator = pgettext("list separator", ",")
    row_height, bar_height = 54, 22
    first = steps[0][1]
    largest = max(count for _, count in steps) or 1
    parts: list[SafeString] = []
    for index, (label, count) in enumerate(steps):
        top = index * row_height
        bar = max(count / largest * width, 2 if count else 0)
        share = f"{separator} {count / first:.0%}" if first and index else ""
        parts.append(
            format_html(
                '<g><title>{label}: {count}{share}</title><text x="{tx}" y="{ty}">'
                '<tspan font-weight="600">{label}</tspan>: {count}{share}</text>'
                '<rect x="{x}" y="{by}" width="{w}" height="{h}" fill="{colour}"/></g>',
                label=str(label),
                count=format_number(count),
                share=share,
                tx=_n(mirror.x(0)),
                ty=_n(top + 17),
                x=_n((width - bar) / 2),
                by=_n(top + 25),
                w=_n(bar),
                h=bar_height,
                colour=colour,
            )
        )
    return _svg(chart_id, title, desc, mirror, len(steps) * row_height, parts)
