"""The district map (`/statistics/map/`): districts shaded by incidents or killed, as inline SVG.

The outlines come from incidents/districts.py (the committed, public-domain map); the figures from
``incidents.stats.by_district``. Shading uses at most five classes whose upper bounds are "nice"
numbers (1, 2, 5, 10, 20, 50…) spaced about evenly on a logarithmic scale up to the largest value: a few
districts (Quetta, Peshawar, Karachi) hold most incidents, and equal steps would leave every other
district in the palest class. Districts with nothing are grey; the colours are ColorBrewer's
YlOrRd, which stays ordered for colour-blind readers and in greyscale. The numbers themselves are
always in the table beside the map: the map is the picture, the table is the record.

Every district with incidents is a link (an `<a>` in the SVG, reachable by keyboard) to the
incident list with the page's filters and that district; every district has a `<title>` saying its
name and figures. All markup goes through `format_html`: names are escaped.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext, gettext_lazy, ngettext

from core.charts import format_number
from incidents.districts import district_map

MEASURES = {"incidents": gettext_lazy("Incidents"), "killed": gettext_lazy("Killed")}
# The map's title and the legend's heading, by measure.
MAP_TITLES = {
    "incidents": gettext_lazy("Map of Pakistan's districts shaded by incidents"),
    "killed": gettext_lazy("Map of Pakistan's districts shaded by killed"),
}
LEGEND_TITLES = {"incidents": gettext_lazy("Incidents per district"), "killed": gettext_lazy("Killed per district")}
NONE_FILL = "#eeeeee"
PALETTE = ("#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026")
MAX_CLASSES = len(PALETTE)


@dataclass(frozen=True)
class ColourClass:
    """Values from ``low`` to ``high`` (inclusive) are drawn in ``colour``."""

    low: int
    high: int
    colour: str

    @property
    def label(self) -> str:
        return (
            format_number(self.low)
            if self.low == self.high
            else f"{format_number(self.low)}–{format_number(self.high)}"
        )


def nice_number(value: float) -> int:
    """The one of 1, 2, 5, 10, 20, 50, … nearest to ``value`` on a logarithmic scale (1 for less)."""
    if value <= 1:
        return 1
    candidates = [factor * 10**power for power in range(int(math.log10(value)) + 2) for factor in (1, 2, 5)]
    return min(candidates, key=lambda c: abs(math.log(c / value)))


def colour_classes(maximum: int) -> list[ColourClass]:
    """Up to five classes covering 1..``maximum`` (none when it is 0): upper bounds are the nice numbers
    nearest ``maximum ** (k / 5)``, the last one ``maximum`` itself; the colours spread over the palette."""
    if maximum < 1:
        return []
    bounds: list[int] = []
    for k in range(1, MAX_CLASSES):
        bound = min(nice_number(maximum ** (k / MAX_CLASSES)), maximum)
        if not bounds or bound > bounds[-1]:
            bounds.append(bound)
    if not bounds or bounds[-1] < maximum:
        bounds.append(maximum)
    count = len(bounds)
    colours = [PALETTE[round(i * (MAX_CLASSES - 1) / (count - 1))] if count > 1 else PALETTE[2] for i in range(count)]
    lows = [1, *(bound + 1 for bound in bounds[:-1])]
    return [ColourClass(low, high, colour) for low, high, colour in zip(lows, bounds, colours, strict=True)]


def fill_for(value: int, classes: Sequence[ColourClass]) -> str:
    for colour_class in classes:
        if colour_class.low <= value <= colour_class.high:
            return colour_class.colour
    return NONE_FILL


def _figures_text(row: Mapping[str, Any] | None) -> str:
    if row is None:
        return gettext("no incidents")
    incidents = row["incidents"]
    numbers = {"incidents": format_number(incidents), "killed": format_number(row["killed"])}
    if row["killed_unknown"]:
        return (
            ngettext(
                "%(incidents)s incident, %(killed)s or more killed",
                "%(incidents)s incidents, %(killed)s or more killed",
                incidents,
            )
            % numbers
        )
    return (
        ngettext("%(incidents)s incident, %(killed)s killed", "%(incidents)s incidents, %(killed)s killed", incidents)
        % numbers
    )


def render_map(
    rows: Sequence[Mapping[str, Any]],
    *,
    measure: str,
    classes: Sequence[ColourClass],
    province_names: Mapping[str, str],
    link: Callable[[str], str],
) -> SafeString:
    """The map as one `<svg>`: districts shaded by ``measure`` of their row in ``rows``
    (``incidents.stats.by_district``), districts with incidents linked to ``link(slug)``, and the
    provinces' outlines drawn over them."""
    the_map = district_map()
    by_slug = {row["slug"]: row for row in rows if row["slug"]}
    parts = []
    for district in the_map.districts:
        row = by_slug.get(district.slug)
        province = province_names.get(district.province, district.province)
        label = f"{district.name} ({province}): {_figures_text(row)}"
        value = row[measure] if row else 0
        path = format_html(
            '<path d="{}" fill="{}"><title>{}</title></path>', district.path, fill_for(value, classes), label
        )
        if row:
            parts.append(format_html('<a href="{}" aria-label="{}">{}</a>', link(district.slug), label, path))
        else:
            parts.append(format_html('<g aria-hidden="true">{}</g>', path))
    outlines = format_html_join(
        "", '<path class="province-outline" d="{}"/>', ((path,) for _, path in the_map.province_outlines)
    )
    return format_html(
        '<svg class="district-map" viewBox="{}" xmlns="http://www.w3.org/2000/svg" '
        'aria-labelledby="district-map-title district-map-desc">'
        '<title id="district-map-title">{}</title><desc id="district-map-desc">{}</desc>'
        '<g class="districts">{}</g><g class="provinces" aria-hidden="true">{}</g></svg>',
        the_map.view_box,
        MAP_TITLES[measure],
        gettext("Districts with incidents are links to their incidents; the table beside the map gives every figure."),
        format_html_join("", "{}", ((part,) for part in parts)),
        outlines,
    )


def legend_swatch(colour: str) -> SafeString:
    """A small square of ``colour`` for the legend (an SVG attribute: no inline style under the CSP)."""
    return format_html(
        '<svg class="swatch" width="16" height="16" aria-hidden="true" focusable="false">'
        '<rect width="16" height="16" fill="{}" stroke="#767676"/></svg>',
        colour,
    )
